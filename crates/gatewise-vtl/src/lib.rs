//! A parser and interpreter for the Velocity Template Language (VTL) as Amazon API Gateway runs
//! it in integration request and response mapping templates (REST APIs: `AWS`, `HTTP` and
//! `MOCK` integrations). Gateway-response templates are *not* VTL and do not belong here.
//!
//! ```
//! use gatewise_vtl::{context_skeleton, Input, Limits, Template};
//!
//! let template = Template::parse(r#"#set($result = $input.path("$.json"))$result"#).unwrap();
//! let input = Input { body: br#"{"json": {"foo": "bar"}}"#, ..Input::default() };
//! let mut context = context_skeleton();
//! let output = template.render(&input, &mut context, &Limits::default()).unwrap();
//! assert_eq!(output, "{foo=bar}");
//! ```
//!
//! # Language
//! `#set` (targets `$a`, `$a.b`, `$a[$k]`, `$context["x"].y["z"]`), `#if/#elseif/#else/#end`,
//! `#foreach` (with `$foreach.index/count/hasNext/first/last/parent`, `$velocityCount`),
//! ranges `[0..$n]`, list `[1, "a"]` and map `{"a": 1}` literals, `#break`, `#stop`,
//! `#define`, `##` and `#* *#` comments, `#[[unparsed]]#`, `\$` / `\#` escapes, `${formal}`
//! and `$!quiet` references, interpolation in double-quoted strings (not single-quoted),
//! arithmetic (integer division as in Java), comparisons (`==` or `eq`, ...) and logic
//! (`&&`/`and`, `||`/`or`, `!`/`not`). String, Map, List and number methods are listed in the
//! `methods` module; `$input`, `$util`, `$stageVariables` and `$context` are API Gateway's.
//!
//! # Rendering rules (recorded on AWS)
//! Null and undefined references render as nothing, quiet or not; `null == ""` is true; maps
//! render as `{k=v, k2=v2}` in insertion order; lists from JSON render as compact JSON
//! (maps inside them too); `$input.body` of an empty body is `{}`; maps nested in `$context`
//! (`identity`, `requestOverride`, ...) render as nothing.
//!
//! # Whitespace (Velocity 1.7 behaviour)
//! A directive followed by blanks and a line break eats that line break (`#set`, `#if`,
//! `#elseif`, `#else`, `#end`, `#foreach`, `#break`, `#stop`, `#define`); a `#set` that starts
//! its line (after blanks only) also eats that indentation. The indentation of other
//! directives is output, as in Velocity 1.7. `##` comments eat their line break. Templates are
//! not trimmed.
//!
//! # Not supported
//! `#include`, `#parse`, `#evaluate` (API Gateway refuses them) and `#macro` (UNCONFIRMED on
//! AWS) fail [`Template::parse`] with a located [`TemplateError`]. `#foreach ... #else`
//! (Velocity 2) is a parse error. Unknown `#words` are text, unknown methods and properties
//! give null.
//!
//! # UNCONFIRMED choices (nothing recorded on AWS settles them)
//! - `$util.escapeJavaScript` follows the AWS docs with Commons Lang 2 semantics (`'` → `\'`,
//!   `/` → `\/`, non-ASCII → `\uXXXX`): [`escape_javascript`].
//! - JSONPath follows Jayway: definite paths give a value or null, indefinite ones always a
//!   list: [`INDEFINITE_PATH_ALWAYS_LIST`].
//! - `$input.json(p)` with no match renders [`INPUT_JSON_MISSING_PATH_TEXT`] (`""`).
//! - A body that is not JSON is one JSON string for `$input.path/json` (`$input.path('$')` is
//!   the raw text, deeper paths are null).
//! - JSON numbers: integers print as integers, decimals like Java's `Double.toString`
//!   (`1.0`, `1000.0` for `1e3`, `1.0E10`): [`java_double_to_string`].
//! - `#set` with a null value leaves the target unchanged (Velocity 1.7 default):
//!   [`SET_NULL_LEAVES_TARGET_UNCHANGED`].
//! - Lists made by the template (`[1, "a"]`, `keySet()`, `split`) print Java-style `[1, a]`;
//!   only JSON lists print as JSON. A null inside a map prints `null` (Java).
//! - `$input.params(x)` of an absent parameter is null (renders empty; `#if` sees false).
//! - Velocity 1.7 identifiers may contain `-` (`$foo-bar`), accepted when followed by a
//!   letter, digit or `_`.
//! - Calling a String method with a null argument fails the render (Java's
//!   `NullPointerException`); `$util` functions return null for null.
//!
//! # Robustness
//! Parsing never recurses deeper than [`MAX_NESTING_DEPTH`] and is linear in the input;
//! templates over [`MAX_TEMPLATE_BYTES`] are refused. Rendering is bounded by [`Limits`]
//! (steps, loop iterations, output and intermediate text) and [`MAX_VALUE_DEPTH`] for
//! self-containing values. No template input makes this crate panic.

mod ast;
mod context;
mod error;
mod input;
mod jsonpath;
mod methods;
mod parser;
mod render;
mod runtime_value;
mod text;
mod util;
mod value;

pub use context::{CONTEXT_KEYS, IDENTITY_KEYS, Overrides, context_skeleton, overrides};
pub use error::{RenderError, TemplateError};
pub use input::{HEADERS_HIDDEN_FROM_TEMPLATES, INPUT_JSON_MISSING_PATH_TEXT, Input};
pub use jsonpath::INDEFINITE_PATH_ALWAYS_LIST;
pub use parser::MAX_NESTING_DEPTH;
pub use render::{Limits, PRODUCED_TEXT_FACTOR, SET_NULL_LEAVES_TARGET_UNCHANGED};
pub use text::{MAX_VALUE_DEPTH, java_double_to_string};
pub use util::escape_javascript;
pub use value::Value;

use error::Position;

/// API Gateway's limit on a mapping template's size (300 KB).
pub const MAX_TEMPLATE_BYTES: usize = 300 * 1024;

/// A parsed template, built once and shared across requests (`Send + Sync`).
#[derive(Debug)]
pub struct Template {
    block: ast::Block,
}

impl Template {
    /// Parses a template. Refuses templates over [`MAX_TEMPLATE_BYTES`] and constructs API
    /// Gateway refuses (`#include`, `#parse`, `#evaluate`, and `#macro`), with the position of
    /// the problem.
    pub fn parse(source: &str) -> Result<Template, TemplateError> {
        if source.len() > MAX_TEMPLATE_BYTES {
            return Err(TemplateError::at(
                Position { line: 1, column: 1 },
                format!(
                    "the template is {} bytes; API Gateway accepts at most 300 KB ({MAX_TEMPLATE_BYTES} bytes): move logic into the integration",
                    source.len()
                ),
            ));
        }
        Ok(Template {
            block: parser::parse_template(source)?,
        })
    }

    /// Renders the template. `context` is the `$context` map (see [`context_skeleton`]); the
    /// template may change it (`#set`, `.put`), and on success the changed map is written back
    /// so that the caller can read [`overrides`] and pass it on to the response template.
    pub fn render(
        &self,
        input: &Input<'_>,
        context: &mut Value,
        limits: &Limits,
    ) -> Result<String, RenderError> {
        render::render(&self.block, input, context, limits)
    }
}
