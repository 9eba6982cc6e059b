//! Refused constructs, limits, and a property test that nothing panics.

use gatewise_vtl::{Input, Limits, MAX_TEMPLATE_BYTES, Template, context_skeleton};
use proptest::prelude::*;

#[test]
fn refused_directives_are_located_parse_errors() {
    let cases = [
        ("line one\n  #include('x.vm')", (2, 3), "#include"),
        ("#parse('x.vm')", (1, 1), "#parse"),
        ("#evaluate('$x')", (1, 1), "#evaluate"),
        ("#macro(m)x#end", (1, 1), "#macro"),
    ];
    for (template, position, name) in cases {
        let error = Template::parse(template).unwrap_err();
        assert_eq!((error.line, error.column), position, "{template}");
        assert!(error.message.contains(name), "{error}");
        assert_eq!(
            error.to_string(),
            format!(
                "line {}, column {}: {}",
                position.0, position.1, error.message
            )
        );
    }
}

#[test]
fn malformed_templates_are_parse_errors() {
    let cases = [
        "#if(true)never closed",
        "#foreach($i in [1])",
        "#end",
        "#else",
        "#set($a = )",
        "#set($a 1)",
        "#set($a.b() = 1)",
        "#if(true)#else#else#end",
        "#* unterminated",
        "#[[ unterminated",
        "#set($s = 'unterminated)",
        "#set($s = \"unterminated)",
        "#foreach($i [1])#end",
        "#set($a = 99999999999999999999)",
        "#define($a.b)#end",
    ];
    for template in cases {
        let error = Template::parse(template).expect_err(template);
        assert!(error.line >= 1 && error.column >= 1, "{template}: {error}");
    }
}

#[test]
fn oversized_templates_are_refused() {
    let error = Template::parse(&"a".repeat(MAX_TEMPLATE_BYTES + 1)).unwrap_err();
    assert!(error.message.contains("300"), "{error}");
    assert!(Template::parse(&"a".repeat(MAX_TEMPLATE_BYTES)).is_ok());
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    let deep_if = "#if(true)".repeat(5_000) + &"#end".repeat(5_000);
    assert!(
        Template::parse(&deep_if)
            .unwrap_err()
            .message
            .contains("nesting")
    );
    let deep_parens = format!("#set($a = {}1{})", "(".repeat(5_000), ")".repeat(5_000));
    assert!(Template::parse(&deep_parens).is_err());
    let deep_not = format!("#set($a = {}true)", "!".repeat(5_000));
    assert!(Template::parse(&deep_not).is_err());
}

fn render_error(template: &str, limits: &Limits) -> String {
    Template::parse(template)
        .unwrap()
        .render(&Input::default(), &mut context_skeleton(), limits)
        .unwrap_err()
        .message
}

#[test]
fn limits_bound_every_render() {
    let limits = Limits {
        max_loop_iterations: 100,
        max_output_bytes: 1_000,
        max_steps: 10_000,
    };
    assert!(render_error("#foreach($i in [0..1000])#end", &limits).contains("max_loop_iterations"));
    assert!(
        render_error(
            "#foreach($i in [0..99])#foreach($j in [0..99])#foreach($k in [0..99])#end#end#end",
            &limits
        )
        .contains("max_steps")
    );
    assert!(
        render_error("#foreach($i in [0..99])xxxxxxxxxxxxxxxxxxxx#end", &limits)
            .contains("max_output_bytes")
    );
    let doubling = "#set($s = 'abcdefgh')#foreach($i in [1..40])#set($s = \"$s$s\")#end";
    let message = render_error(doubling, &limits);
    assert!(
        message.contains("max_output_bytes") || message.contains("bytes of text"),
        "{message}"
    );
    let many_strings = format!(
        "#set($big = '{}')#foreach($i in [1..50])#set($s = \"$big\")#end",
        "x".repeat(900)
    );
    assert!(render_error(&many_strings, &limits).contains("bytes of text"));
    let self_map = "#set($m = {})$m.put('self', $m)$m";
    assert!(render_error(self_map, &Limits::default()).contains("contain itself"));
    assert!(Limits::default().max_loop_iterations >= 10_000);
}

#[test]
fn template_is_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Template>();
    let template = std::sync::Arc::new(Template::parse("#set($a = $input.params('x'))$a").unwrap());
    let handles: Vec<_> = (0..2)
        .map(|n| {
            let template = std::sync::Arc::clone(&template);
            std::thread::spawn(move || {
                let value = n.to_string();
                let query = [("x", value.as_str())];
                let input = Input {
                    querystring: &query,
                    ..Input::default()
                };
                template
                    .render(&input, &mut context_skeleton(), &Limits::default())
                    .unwrap()
            })
        })
        .collect();
    let outputs: Vec<String> = handles
        .into_iter()
        .map(|handle| handle.join().unwrap())
        .collect();
    assert_eq!(outputs, ["0", "1"]);
}

const FRAGMENTS: &[&str] = &[
    "#set($a = ",
    "#set($m = {})",
    "#set($m[$k] = 1)",
    "#set($context.requestOverride.header.h = 'x')",
    "#if(",
    "#elseif(",
    "#else",
    "#end",
    "#foreach($i in ",
    "[0..3]",
    "[1, 'a']",
    "{'k': $a}",
    ")",
    "(",
    "$a",
    "$!a",
    "${a}",
    "$m.k",
    "$a.length()",
    "$input.path('$.x')",
    "$input.json('$')",
    "$input.params('p')",
    "$util.parseJson($a)",
    "$util.base64Decode($a)",
    "$a.substring(2)",
    "$a.split(',')",
    "$m.put('self', $m)",
    "$foreach.hasNext",
    "#break",
    "#stop",
    "#define($d)",
    "$d",
    "##c\n",
    "#*",
    "*#",
    "#[[",
    "]]#",
    "\\$a",
    "\\#if",
    "\"$a\"",
    "'s'",
    " + ",
    " - ",
    " / 0",
    " == ",
    " && ",
    "!",
    "\n",
    "  ",
    "text",
    "#",
    "$",
    "[",
    "]",
    "{",
    "}",
    ",",
    "1",
    "-1",
    "2.5",
    "true",
    "\"#if(true)x#end\"",
    "$a.replaceAll('(', '')",
    "$l.get(9)",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// Random mixes of VTL fragments and random text never panic, whatever they parse to.
    #[test]
    fn parse_and_render_never_panic(
        pieces in proptest::collection::vec(proptest::sample::select(FRAGMENTS), 0..40),
        noise in "\\PC{0,40}",
        body in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let limits = Limits { max_loop_iterations: 1_000, max_output_bytes: 100_000, max_steps: 100_000 };
        for source in [pieces.concat(), format!("{}{noise}", pieces.concat()), noise.clone()] {
            if let Ok(template) = Template::parse(&source) {
                let query = [("p", "x")];
                let input = Input { body: &body, querystring: &query, ..Input::default() };
                let _ = template.render(&input, &mut context_skeleton(), &limits);
                let json_input = Input { body: br##"{"x": [1, {"y": "z"}]}"##, ..Input::default() };
                let _ = template.render(&json_input, &mut context_skeleton(), &limits);
            }
        }
    }
}
