//! `$input`: the request (or integration response) body and parameters.

use crate::runtime_value::{Arena, MapStyle, Val};

/// What a template can see of the request.
#[derive(Debug, Clone, Copy, Default)]
pub struct Input<'a> {
    /// `$input.body`, raw; an empty body renders `{}` (recorded on AWS).
    pub body: &'a [u8],
    pub path: &'a [(&'a str, &'a str)],
    pub querystring: &'a [(&'a str, &'a str)],
    pub header: &'a [(&'a str, &'a str)],
    pub stage_variables: &'a [(&'a str, &'a str)],
}

/// Headers a mapping template never sees, even when the client sent them: they render empty in
/// `$input.params(x)` and are absent from `$input.params().header` (recorded on AWS,
/// `test_apigateway_header_remapping_http[HTTP]`).
pub const HEADERS_HIDDEN_FROM_TEMPLATES: [&str; 12] = [
    "Connection",
    "Content-Length",
    "Content-MD5",
    "Expect",
    "Max-Forwards",
    "Proxy-Authenticate",
    "Server",
    "TE",
    "Transfer-Encoding",
    "Trailer",
    "Upgrade",
    "WWW-Authenticate",
];

/// UNCONFIRMED: what `$input.json(p)` renders when `p` selects nothing. LocalStack renders a
/// quoted empty string, and nothing recorded on AWS says otherwise.
pub const INPUT_JSON_MISSING_PATH_TEXT: &str = "\"\"";

/// An empty body is `{}`, as `$input.body` renders it on AWS.
pub(crate) const EMPTY_BODY_TEXT: &str = "{}";

fn header_visible(name: &str) -> bool {
    !HEADERS_HIDDEN_FROM_TEMPLATES
        .iter()
        .any(|hidden| hidden.eq_ignore_ascii_case(name))
}

/// The last value given for `name` (API Gateway REST keeps the last of repeated parameters).
fn last_value<'a>(pairs: &[(&'a str, &'a str)], matches: impl Fn(&str) -> bool) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(key, _)| matches(key))
        .map(|(_, value)| *value)
}

impl<'a> Input<'a> {
    /// `$input.body` as text; bytes that are not UTF-8 are replaced, as Java's decoder does.
    pub(crate) fn body_text(&self) -> String {
        if self.body.is_empty() {
            EMPTY_BODY_TEXT.to_owned()
        } else {
            String::from_utf8_lossy(self.body).into_owned()
        }
    }

    /// The body as a JSON document for JSONPath. A body that is not JSON is treated as one JSON
    /// string holding the raw text (UNCONFIRMED; json-smart's permissive mode reads such text as
    /// a string), so `$input.path('$')` gives the text and any deeper path gives null.
    pub(crate) fn body_document(&self) -> serde_json::Value {
        let text = self.body_text();
        serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text))
    }

    /// `$input.params(name)`: path, then query string, then headers (case-insensitively).
    pub(crate) fn parameter(&self, name: &str) -> Option<&'a str> {
        last_value(self.path, |key| key == name)
            .or_else(|| last_value(self.querystring, |key| key == name))
            .or_else(|| {
                if header_visible(name) {
                    last_value(self.header, |key| key.eq_ignore_ascii_case(name))
                } else {
                    None
                }
            })
    }

    /// `$input.params()`: a map with `path`, `querystring` and `header` maps.
    pub(crate) fn all_parameters(&self, arena: &mut Arena) -> Val {
        let mut sections = indexmap::IndexMap::new();
        for (section, pairs) in [
            ("path", self.path),
            ("querystring", self.querystring),
            ("header", self.header),
        ] {
            let entries = pairs
                .iter()
                .filter(|(key, _)| section != "header" || header_visible(key))
                .map(|(key, value)| ((*key).to_owned(), Val::str(value)))
                .collect();
            sections.insert(section.to_owned(), arena.map(entries, MapStyle::Java));
        }
        arena.map(sections, MapStyle::Java)
    }

    pub(crate) fn stage_variable_map(&self, arena: &mut Arena) -> Val {
        let entries = self
            .stage_variables
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Val::str(v)))
            .collect();
        arena.map(entries, MapStyle::Java)
    }
}
