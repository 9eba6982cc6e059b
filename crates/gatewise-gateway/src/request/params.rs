//! Request plumbing for Phases 3, 4 and 6: request parameters as identity sources and
//! mapping expressions see them (`method.request.header.X`,
//! `method.request.querystring.X`, `method.request.path.X`), and the header mappings built
//! on them: `method.response.header.*` of integration responses (spec 4.6) and
//! `gatewayresponse.header.*` of gateway responses (spec 3.3) accept the same values.

use std::borrow::Cow;

use http::{HeaderMap, HeaderValue};
use percent_encoding::percent_decode_str;

/// The parts of a request that mapping expressions can read. Borrowed; lookups decode
/// only the one value they need.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RequestView<'a> {
    pub headers: &'a HeaderMap,
    /// The raw query string (without `?`).
    pub query: Option<&'a str>,
    /// `(name, raw value)` path parameters of the matched resource.
    pub path_params: &'a [(&'a str, &'a str)],
}

impl<'a> RequestView<'a> {
    /// The last value of a header (case-insensitive), as the event's `headers` has it.
    pub fn header(&self, name: &str) -> Option<&'a HeaderValue> {
        self.headers.get_all(name).iter().next_back()
    }

    /// A header as text (invalid UTF-8 replaced).
    pub fn header_text(&self, name: &str) -> Option<Cow<'a, str>> {
        self.header(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()))
    }

    /// The last value of a query parameter, decoded like `queryStringParameters` (spec 6.3).
    pub fn query_param(&self, name: &str) -> Option<Cow<'a, str>> {
        let raw = self.query?;
        let raw = raw.split_once('#').map_or(raw, |(q, _)| q);
        // From the end: the last occurrence wins, and only its value is decoded.
        raw.rsplit('&').filter(|p| !p.is_empty()).find_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(key) == name).then(|| decode(value))
        })
    }

    /// A path parameter (raw, as `pathParameters` has it, spec 6.4).
    pub fn path_param(&self, name: &str) -> Option<&'a str> {
        self.path_params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
    }
}

fn decode(raw: &str) -> Cow<'_, str> {
    if !raw.contains(['+', '%']) {
        return Cow::Borrowed(raw);
    }
    let spaced = raw.replace('+', " ");
    Cow::Owned(percent_decode_str(&spaced).decode_utf8_lossy().into_owned())
}

/// The value a mapping expression yields for a response header.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Mapped<'a> {
    /// `'text'`: the text between the quotes.
    Literal(&'a str),
    /// A request header, copied byte for byte.
    Header(&'a HeaderValue),
    /// A query or path parameter.
    Text(Cow<'a, str>),
    /// A `method.request.*` the request does not have: the header is omitted.
    Absent,
    /// Anything else: API Gateway rejects it at deployment ("Invalid mapping expression
    /// specified"; the template loader warns). Served as its raw text so the mistake is
    /// visible in the response rather than silently dropped.
    Raw(&'a str),
}

impl Mapped<'_> {
    /// The header value, or `None` when absent or not a valid header value.
    pub fn to_header_value(&self) -> Option<HeaderValue> {
        match self {
            Mapped::Literal(s) | Mapped::Raw(s) => HeaderValue::from_str(s).ok(),
            Mapped::Header(v) => Some((*v).clone()),
            Mapped::Text(s) => HeaderValue::from_str(s).ok(),
            Mapped::Absent => None,
        }
    }
}

/// Evaluates a mapping expression against the request.
pub(crate) fn map_value<'a>(expression: &'a str, request: &RequestView<'a>) -> Mapped<'a> {
    if let Some(literal) = expression
        .strip_prefix('\'')
        .and_then(|s| s.strip_suffix('\''))
    {
        return Mapped::Literal(literal);
    }
    let Some(rest) = expression.strip_prefix("method.request.") else {
        return Mapped::Raw(expression);
    };
    let value = if let Some(name) = rest.strip_prefix("header.") {
        request.header(name).map(Mapped::Header)
    } else if let Some(name) = rest.strip_prefix("querystring.") {
        request.query_param(name).map(Mapped::Text)
    } else if let Some(name) = rest.strip_prefix("path.") {
        request
            .path_param(name)
            .map(|v| Mapped::Text(Cow::Borrowed(v)))
    } else {
        return Mapped::Raw(expression);
    };
    value.unwrap_or(Mapped::Absent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_3_3_and_4_6_mapping_expressions() {
        let mut headers = HeaderMap::new();
        headers.insert("origin", HeaderValue::from_static("http://localhost:5173"));
        headers.append("x-multi", HeaderValue::from_static("first"));
        headers.append("x-multi", HeaderValue::from_static("last"));
        let view = RequestView {
            headers: &headers,
            query: Some("q=a+b&q=c%2Bd&flag"),
            path_params: &[("id", "42")],
        };
        let cases: &[(&str, Option<&str>)] = &[
            ("'*'", Some("*")),
            ("'GET,OPTIONS'", Some("GET,OPTIONS")),
            ("''", Some("")),
            (
                "method.request.header.Origin",
                Some("http://localhost:5173"),
            ),
            ("method.request.header.X-Multi", Some("last")),
            ("method.request.header.Missing", None),
            ("method.request.querystring.q", Some("c+d")),
            ("method.request.querystring.flag", Some("")),
            ("method.request.querystring.none", None),
            ("method.request.path.id", Some("42")),
            ("method.request.path.other", None),
            // Not valid on AWS (rejected at deploy): the raw text.
            ("GET, POST", Some("GET, POST")),
            ("*", Some("*")),
            ("method.request.body", Some("method.request.body")),
            ("'unterminated", Some("'unterminated")),
        ];
        for (expression, want) in cases {
            let got = map_value(expression, &view).to_header_value();
            assert_eq!(
                got.as_ref().map(|v| v.to_str().expect("ascii")),
                *want,
                "{expression}"
            );
        }
    }
}
