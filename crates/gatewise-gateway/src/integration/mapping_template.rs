//! Phases 4b and 4c, **integrate**: mapping templates (request and response templates of
//! `MOCK` and `AWS` Lambda integrations) until the VTL engine exists. **This is the one place
//! that documents the limit.**
//!
//! Supported, because real templates use them without any logic around them:
//! - literal text, byte for byte (SAM's `{"statusCode" : 200}` and `{}\n`, CDK's
//!   `{ statusCode: 200 }`);
//! - `$context.<name>` / `${context.<name>}` for the names in [`Vars::context`]
//!   (`requestId`, `extendedRequestId`, `stage`, `apiId`, `resourceId`, `resourcePath`,
//!   `httpMethod`, `accountId`, `identity.sourceIp`);
//! - `$stageVariables.<name>` (an undefined stage variable renders empty);
//! - `$input.params('x')` / `$input.params("x")` (path, then query string, then header;
//!   empty when absent), `$input.params().path.x`, `.querystring.x`, `.header.x`;
//! - `$input.body` (the request body as text; in a response template, the integration's
//!   response body);
//! - `$input.json('$')` (the same body as JSON: re-serialized compactly when it is JSON, as
//!   is otherwise).
//!
//! Everything else — `#set`, `#if`, `#foreach`, `$util.*`, `$input.json` of any other path,
//! `$input.path(...)`,
//! `$context.responseOverride.*`, unknown `$context` names — is **rendered literally**, so
//! a template that needs real VTL produces visibly wrong output instead of a plausible one.

use std::borrow::Cow;

use crate::request::params::RequestView;

/// What a template can refer to.
pub(crate) struct Vars<'a> {
    pub request: RequestView<'a>,
    pub body: &'a [u8],
    pub stage_variables: &'a indexmap::IndexMap<String, String>,
    pub request_id: &'a str,
    pub extended_request_id: &'a str,
    pub stage: &'a str,
    pub api_id: &'a str,
    pub resource_id: &'a str,
    pub resource_path: &'a str,
    pub http_method: &'a str,
    pub source_ip: std::net::IpAddr,
}

impl<'a> Vars<'a> {
    /// The supported `$context` variables.
    fn context(&self, name: &str) -> Option<Cow<'a, str>> {
        if name == "identity.sourceIp" {
            return Some(Cow::Owned(self.source_ip.to_string()));
        }
        Some(Cow::Borrowed(match name {
            "requestId" => self.request_id,
            "extendedRequestId" => self.extended_request_id,
            "stage" => self.stage,
            "apiId" => self.api_id,
            "resourceId" => self.resource_id,
            "resourcePath" => self.resource_path,
            "httpMethod" => self.http_method,
            "accountId" => gatewise_model::pseudo::ACCOUNT_ID,
            _ => return None,
        }))
    }

    /// `$input.json('$')`: the body re-serialized compactly when it is JSON, else as is.
    fn body_as_json(&self) -> Cow<'a, str> {
        match serde_json::from_slice::<serde_json::Value>(self.body) {
            Ok(value) => Cow::Owned(value.to_string()),
            Err(_) => String::from_utf8_lossy(self.body),
        }
    }

    /// The value of a dotted reference (without `$`), or `None` when unsupported.
    fn reference(&self, name: &str) -> Option<Cow<'a, str>> {
        if let Some(context) = name.strip_prefix("context.") {
            return self.context(context);
        }
        if let Some(variable) = name.strip_prefix("stageVariables.") {
            let value = self
                .stage_variables
                .get(variable)
                .map_or("", String::as_str);
            return Some(Cow::Owned(value.to_owned()));
        }
        if name == "input.body" {
            return Some(String::from_utf8_lossy(self.body));
        }
        None
    }
}

/// The length of a reference name (`[A-Za-z0-9_.]`) at the start of `s`, without a trailing
/// dot (so `$context.stage.` ends a sentence).
fn name_len(s: &str) -> usize {
    let len = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
        .unwrap_or(s.len());
    s[..len].trim_end_matches('.').len()
}

/// `('x')` or `("x")` at the start of `s`: the argument and the length consumed.
fn quoted_argument(s: &str) -> Option<(&str, usize)> {
    let inner = s.strip_prefix('(')?;
    let quote = inner.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let end = inner[1..].find(quote)?;
    let argument = &inner[1..1 + end];
    inner[1 + end + 1..]
        .starts_with(')')
        .then_some((argument, 1 + 1 + end + 1 + 1))
}

/// Tries to render the reference after a `$`; returns the text and the bytes consumed
/// (after the `$`), or `None` to render the `$` literally.
fn expand<'a>(after: &str, vars: &Vars<'a>) -> Option<(Cow<'a, str>, usize)> {
    if let Some(formal) = after.strip_prefix('{') {
        let end = formal.find('}')?;
        let name = &formal[..end];
        return vars.reference(name).map(|v| (v, end + 2));
    }
    let len = name_len(after);
    let name = &after[..len];
    if name == "input.json" {
        let (argument, used) = quoted_argument(&after[len..])?;
        return (argument == "$").then(|| (vars.body_as_json(), len + used));
    }
    if name == "input.params" {
        let rest = &after[len..];
        if let Some((argument, used)) = quoted_argument(rest) {
            let value = vars.request.any_param(argument).unwrap_or_default();
            return Some((value, len + used));
        }
        if let Some(tail) = rest.strip_prefix("().") {
            let len2 = name_len(tail);
            let (kind, param) = tail[..len2].split_once('.')?;
            let value = match kind {
                "path" => vars.request.path_param(param).map(Cow::Borrowed),
                "querystring" => vars.request.query_param(param),
                "header" => vars.request.header_text(param),
                _ => return None,
            };
            return Some((value.unwrap_or_default(), len + 3 + len2));
        }
        return None;
    }
    vars.reference(name).map(|v| (v, len))
}

/// Renders `template` (see the module documentation for what is supported).
pub(crate) fn render(template: &str, vars: &Vars<'_>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        match expand(after, vars) {
            Some((value, used)) => {
                out.push_str(&value);
                rest = &after[used..];
            }
            None => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use http::{HeaderMap, HeaderValue};

    use super::*;

    #[test]
    fn mapping_template_subset_renders_and_leaves_the_rest_literal() {
        let mut headers = HeaderMap::new();
        headers.insert("origin", HeaderValue::from_static("http://a.test"));
        let stage_variables = [("env".to_owned(), "dev".to_owned())].into_iter().collect();
        let vars = Vars {
            request: RequestView {
                headers: &headers,
                query: Some("q=1"),
                path_params: &[("id", "42")],
            },
            body: b"{\"x\":1}",
            stage_variables: &stage_variables,
            request_id: "req-1",
            extended_request_id: "ext=",
            stage: "Prod",
            api_id: "abc123",
            resource_id: "res001",
            resource_path: "/items/{id}",
            http_method: "OPTIONS",
            source_ip: [192, 0, 2, 7].into(),
        };
        let cases: &[(&str, &str)] = &[
            (
                "{\n  \"statusCode\" : 200\n}\n",
                "{\n  \"statusCode\" : 200\n}\n",
            ),
            ("{}\n", "{}\n"),
            ("{ statusCode: 200 }", "{ statusCode: 200 }"),
            ("$context.requestId/${context.stage}.", "req-1/Prod."),
            (
                "$context.apiId $context.resourcePath $context.httpMethod $context.resourceId $context.identity.sourceIp",
                "abc123 /items/{id} OPTIONS res001 192.0.2.7",
            ),
            ("$stageVariables.env|$stageVariables.none|", "dev||"),
            (
                "{\"id\": $input.params('id'), \"q\": \"$input.params(\"q\")\"}",
                "{\"id\": 42, \"q\": \"1\"}",
            ),
            ("$input.params('missing')!", "!"),
            ("$input.params().path.id", "42"),
            ("$input.params().header.Origin", "http://a.test"),
            ("$input.body", "{\"x\":1}"),
            // Unsupported: literal.
            ("#set($x = 1)$x", "#set($x = 1)$x"),
            ("$util.escapeJavaScript('a')", "$util.escapeJavaScript('a')"),
            (
                "$context.responseOverride.status",
                "$context.responseOverride.status",
            ),
            ("$input.json('$')", "{\"x\":1}"),
            ("$input.json(\"$\")", "{\"x\":1}"),
            ("$input.json('$.x')", "$input.json('$.x')"),
            ("$input.params('unterminated", "$input.params('unterminated"),
            ("${context.unknown}", "${context.unknown}"),
            ("cost $5 $", "cost $5 $"),
        ];
        for (template, want) in cases {
            assert_eq!(render(template, &vars), *want, "{template}");
        }
    }
}
