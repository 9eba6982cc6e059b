//! Behaviour tests of the VTL engine through its public API.

mod golden_aws;
mod language;
mod methods;
mod robustness;

use gatewise_vtl::{Input, Limits, Template, Value, context_skeleton};

/// Renders `template` with `body` and no parameters, panicking with the error on failure.
pub fn render_body(template: &str, body: &str) -> String {
    render_with(
        template,
        &Input {
            body: body.as_bytes(),
            ..Input::default()
        },
        &mut context_skeleton(),
    )
}

pub fn render(template: &str) -> String {
    render_body(template, "")
}

pub fn render_with(template: &str, input: &Input<'_>, context: &mut Value) -> String {
    let parsed = Template::parse(template).unwrap_or_else(|error| panic!("{template:?}: {error}"));
    parsed
        .render(input, context, &Limits::default())
        .unwrap_or_else(|error| panic!("{template:?}: {error}"))
}

/// Table helper: every `(template, expected)` pair renders as expected with an empty body.
pub fn assert_renders(cases: &[(&str, &str)]) {
    for (template, expected) in cases {
        assert_eq!(render(template), *expected, "template: {template:?}");
    }
}
