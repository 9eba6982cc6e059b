//! Phase 4b, **integrate** (`MOCK`, spec 4.3–4.6): API Gateway answers from templates.
//!
//! The request template chosen by `Content-Type` renders to a text that must carry an
//! integer `statusCode`; that status selects an integration response, whose
//! `responseParameters` become the headers and whose template becomes the body. SAM's
//! generated OPTIONS methods (spec 1.6) are MOCK methods, so this is what answers a
//! preflight — the same whatever `Origin` or `Access-Control-Request-*` say (spec 1.10).

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Response, StatusCode};
use http_body_util::Full;
use regex::Regex;

use gatewise_model::{IntegrationMapping, IntegrationResponse, PassthroughBehavior};

use crate::integration::mapping_template::{Vars, render};
use crate::request::media_type::request_media_type;
use crate::request::params::{RequestView, map_value};

/// Whether a MOCK response keeps the trailing newline of its template: SAM's `{}\n`
/// response template is sent as `{}\n` (3 bytes). UNCONFIRMED (spec 4.6, 12); test
/// `rule_4_6_sam_body_is_the_template_byte_for_byte`.
pub const MOCK_BODY_KEEPS_TRAILING_NEWLINE: bool = true;

/// The content type of a MOCK answer, and the response template it prefers (spec 4.6).
const DEFAULT_CONTENT_TYPE: &str = "application/json";

/// Prefix of the integration response parameters that become response headers.
const RESPONSE_HEADER_PREFIX: &str = "method.response.header.";

/// Prefix of the mapping expressions that read the integration's (backend's) response.
const INTEGRATION_RESPONSE_PREFIX: &str = "integration.response.";

/// A MOCK integration with its selection patterns compiled once, at startup.
#[derive(Debug)]
pub(crate) struct CompiledMock {
    pub integration: IntegrationMapping,
    /// One entry per integration response: `Some` when it has a (non-empty) selection
    /// pattern; an `Err` pattern never matches and is named in the log when nothing else
    /// does.
    patterns: Vec<Option<Result<Regex, String>>>,
}

impl CompiledMock {
    pub(crate) fn new(integration: IntegrationMapping) -> Self {
        let patterns = integration
            .responses
            .iter()
            .map(|response| {
                let pattern = response.selection_pattern.as_deref()?;
                if pattern.is_empty() {
                    return None;
                }
                // API Gateway matches the whole status string (Java's `matches`).
                Some(Regex::new(&format!("^(?:{pattern})$")).map_err(|error| {
                    format!("selection pattern {pattern:?} is not a regular expression gatewise can run: {error}")
                }))
            })
            .collect();
        CompiledMock {
            integration,
            patterns,
        }
    }

    /// The integration response for `status` (spec 4.5): the first whose pattern matches
    /// the whole status string, else the first without a pattern.
    fn select(&self, status: &str) -> Option<usize> {
        self.matching(status).or_else(|| self.default_response())
    }

    /// The first integration response whose selection pattern matches all of `value`.
    pub(crate) fn matching(&self, value: &str) -> Option<usize> {
        self.patterns
            .iter()
            .position(|p| matches!(p, Some(Ok(regex)) if regex.is_match(value)))
    }

    /// The first integration response without a selection pattern (`default`).
    pub(crate) fn default_response(&self) -> Option<usize> {
        self.patterns.iter().position(Option::is_none)
    }

    /// `; <why>` for each selection pattern gatewise cannot run, for the log line when no
    /// integration response is selected.
    pub(crate) fn pattern_errors(&self) -> String {
        self.patterns
            .iter()
            .filter_map(|p| match p {
                Some(Err(error)) => Some(format!("; {error}")),
                _ => None,
            })
            .collect()
    }
}

/// Why a MOCK integration could not answer.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum MockError {
    /// No request template for this content type and passthrough forbids going on (4.3).
    UnsupportedMediaType(String),
    /// The rendered request has no integer `statusCode` (4.4).
    NoStatusCode(String),
    /// No integration response selected for the status (4.5).
    NoIntegrationResponse { status: u64, detail: String },
    /// The selected integration response has a status that is not an HTTP status.
    BadStatus(String),
}

impl std::fmt::Display for MockError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MockError::UnsupportedMediaType(content_type) => write!(
                f,
                "the MOCK integration has no request template for content type {content_type:?} \
                 and its passthrough behavior does not allow the request through"
            ),
            MockError::NoStatusCode(rendered) => write!(
                f,
                "the MOCK request template must render an integer statusCode, it rendered {rendered:?}"
            ),
            MockError::NoIntegrationResponse { status, detail } => write!(
                f,
                "no integration response of the MOCK integration matches status {status} and \
                 none is the default (API configuration error){detail}"
            ),
            MockError::BadStatus(status) => write!(
                f,
                "the selected integration response has status {status:?}, which is not an HTTP status"
            ),
        }
    }
}

/// A request whose content type has no request template while the passthrough behavior
/// forbids passing the body through (spec 4.3): the effective content type.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct UnsupportedMediaType(pub String);

/// An integration response whose `statusCode` is not an HTTP status: the text.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct BadStatus(pub String);

/// The request template for `content_type` (spec 4.3): `Ok(Some)` to render it,
/// `Ok(None)` to pass the body through.
pub(crate) fn request_template<'m>(
    integration: &'m IntegrationMapping,
    content_type: Option<&str>,
) -> Result<Option<&'m str>, UnsupportedMediaType> {
    let wanted = request_media_type(content_type);
    let templates = &integration.request_templates;
    if let Some((_, template)) = templates
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(wanted))
    {
        return Ok(Some(template));
    }
    let passes = match integration.passthrough_behavior {
        PassthroughBehavior::WhenNoMatch => true,
        PassthroughBehavior::WhenNoTemplates => templates.is_empty(),
        PassthroughBehavior::Never => false,
    };
    if passes {
        Ok(None)
    } else {
        Err(UnsupportedMediaType(wanted.to_owned()))
    }
}

/// The integer `statusCode` of a rendered MOCK request (spec 4.4): from JSON, or — when the
/// text is not JSON — from CDK's `{ statusCode: 200 }` form (a `statusCode` key, quoted or
/// not, followed by `:` and digits).
pub(crate) fn status_code(rendered: &str) -> Option<u64> {
    match serde_json::from_str::<serde_json::Value>(rendered) {
        Ok(value) => value.get("statusCode")?.as_u64(),
        Err(_) => loose_status_code(rendered),
    }
}

fn loose_status_code(text: &str) -> Option<u64> {
    const KEY: &str = "statusCode";
    let mut from = 0;
    while let Some(found) = text[from..].find(KEY) {
        let start = from + found;
        from = start + KEY.len();
        let before = text[..start].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let after = text[from..]
            .strip_prefix(['"', '\''])
            .unwrap_or(&text[from..]);
        let Some(value) = after.trim_start().strip_prefix(':') else {
            continue;
        };
        let value = value.trim_start();
        let digits = value.len() - value.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits > 0 {
            return value[..digits].parse().ok();
        }
    }
    None
}

/// Runs a MOCK integration for a request; `vars` carries the request and its context.
pub(crate) fn respond(
    mock: &CompiledMock,
    content_type: Option<&str>,
    vars: &Vars<'_>,
) -> Result<Response<Full<Bytes>>, MockError> {
    let integration = &mock.integration;
    let template = request_template(integration, content_type)
        .map_err(|UnsupportedMediaType(t)| MockError::UnsupportedMediaType(t))?;
    let rendered = match template {
        Some(template) => render(template, vars),
        None => String::from_utf8_lossy(vars.body).into_owned(),
    };
    let status = status_code(&rendered).ok_or(MockError::NoStatusCode(rendered))?;
    let chosen =
        mock.select(&status.to_string())
            .ok_or_else(|| MockError::NoIntegrationResponse {
                status,
                detail: mock.pattern_errors(),
            })?;
    let selected = &integration.responses[chosen];
    let body = render_response_template(selected, vars).unwrap_or_default();
    method_response(selected, Bytes::from(body), &vars.request, None)
        .map_err(|BadStatus(s)| MockError::BadStatus(s))
}

/// The body `selected` renders (spec 4.6): its `application/json` template, else its first
/// one; `None` when it has no template, so the integration's own body passes through.
pub(crate) fn render_response_template(
    selected: &IntegrationResponse,
    vars: &Vars<'_>,
) -> Option<String> {
    let templates = &selected.response_templates;
    let (_, template) = templates
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(DEFAULT_CONTENT_TYPE))
        .or_else(|| templates.first())?;
    let mut body = render(template, vars);
    if !MOCK_BODY_KEEPS_TRAILING_NEWLINE && body.ends_with('\n') {
        body.pop();
    }
    Some(body)
}

/// Answers `integration.response.*` mapping expressions of a non-proxy integration with a
/// backend; `None` for an expression that maps no value.
pub(crate) type IntegrationValue<'a> = &'a dyn Fn(&str) -> Option<HeaderValue>;

/// The method response `selected` maps to (spec 4.6): its status, `Content-Type:
/// application/json`, the headers of its `responseParameters`, and `body`. Values are
/// `'literal'` or `method.request.*` (`params`); `integration.response.*` go to
/// `integration` when the integration has a backend response to read them from.
pub(crate) fn method_response(
    selected: &IntegrationResponse,
    body: Bytes,
    request: &RequestView<'_>,
    integration: Option<IntegrationValue<'_>>,
) -> Result<Response<Full<Bytes>>, BadStatus> {
    let http_status = selected
        .status_code
        .trim()
        .parse::<u16>()
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .ok_or_else(|| BadStatus(selected.status_code.clone()))?;
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = http_status;
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static(DEFAULT_CONTENT_TYPE),
    );
    for (key, expression) in &selected.response_parameters {
        let Some(name) = key.strip_prefix(RESPONSE_HEADER_PREFIX) else {
            continue;
        };
        let value = match (
            integration,
            expression.strip_prefix(INTEGRATION_RESPONSE_PREFIX),
        ) {
            (Some(lookup), Some(source)) => lookup(source),
            _ => map_value(expression, request).to_header_value(),
        };
        let (Ok(name), Some(value)) = (HeaderName::from_bytes(name.as_bytes()), value) else {
            continue;
        };
        headers.insert(name, value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use http::HeaderMap;
    use http_body_util::BodyExt;
    use indexmap::IndexMap;

    use super::*;

    fn map(pairs: &[(&str, &str)]) -> IndexMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn response(pattern: Option<&str>, status: &str) -> IntegrationResponse {
        IntegrationResponse {
            selection_pattern: pattern.map(str::to_owned),
            status_code: status.to_owned(),
            response_parameters: IndexMap::new(),
            response_templates: IndexMap::new(),
        }
    }

    fn vars<'a>(
        headers: &'a HeaderMap,
        body: &'a [u8],
        stage_variables: &'a IndexMap<String, String>,
    ) -> Vars<'a> {
        Vars {
            request: RequestView {
                headers,
                query: None,
                path_params: &[],
            },
            body,
            stage_variables,
            request_id: "req-1",
            extended_request_id: "ext",
            stage: "Prod",
            api_id: "abc",
            resource_id: "res",
            resource_path: "/items",
            http_method: "OPTIONS",
            source_ip: [127, 0, 0, 1].into(),
        }
    }

    async fn run(
        mock: &CompiledMock,
        content_type: Option<&str>,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<(u16, Vec<(String, String)>, Bytes), MockError> {
        let stage_variables = IndexMap::new();
        let response = respond(mock, content_type, &vars(headers, body, &stage_variables))?;
        let (parts, body) = response.into_parts();
        let headers = parts
            .headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("?").to_owned()))
            .collect();
        let body = body
            .collect()
            .await
            .map(|c| c.to_bytes())
            .unwrap_or_default();
        Ok((parts.status.as_u16(), headers, body))
    }

    #[test]
    fn rule_4_4_status_code_forms() {
        let cases: &[(&str, Option<u64>)] = &[
            ("{\n  \"statusCode\" : 200\n}\n", Some(200)),
            ("{\"statusCode\": 204}", Some(204)),
            ("{ statusCode: 200 }", Some(200)),
            ("{statusCode: 200}", Some(200)),
            ("{'statusCode':404}", Some(404)),
            ("{ \"statusCode\": 500, oops }", Some(500)),
            // No usable integer.
            ("{\"statusCode\": \"200\"}", None),
            ("{\"statusCode\": 200.5}", None),
            ("{\"statusCode\": -1}", None),
            ("{\"other\": 200}", None),
            ("[200]", None),
            ("", None),
            ("{ statusCode: abc }", None),
            ("{ mystatusCode: 200 }", None),
            ("#set($x = 1){statusCode: $x}", None),
        ];
        for (rendered, want) in cases {
            assert_eq!(status_code(rendered), *want, "{rendered:?}");
        }
    }

    #[test]
    fn rule_4_3_request_template_by_content_type_and_passthrough() {
        use PassthroughBehavior::*;
        let with = |templates: &[(&str, &str)], behavior| IntegrationMapping {
            request_templates: map(templates),
            passthrough_behavior: behavior,
            responses: vec![],
        };
        let json_and_xml = [("application/json", "J"), ("application/xml", "X")];
        // (templates, behavior, content type, want: Some(template) | None passthrough | Err)
        type Case<'a> = (
            &'a [(&'a str, &'a str)],
            PassthroughBehavior,
            Option<&'a str>,
            Result<Option<&'a str>, ()>,
        );
        let cases: &[Case<'_>] = &[
            (&json_and_xml, WhenNoMatch, None, Ok(Some("J"))),
            (
                &json_and_xml,
                WhenNoMatch,
                Some("application/xml; charset=utf-8"),
                Ok(Some("X")),
            ),
            (
                &json_and_xml,
                WhenNoMatch,
                Some("Application/JSON"),
                Ok(Some("J")),
            ),
            (&json_and_xml, WhenNoMatch, Some("text/plain"), Ok(None)),
            (&json_and_xml, Never, Some("text/plain"), Err(())),
            (&json_and_xml, Never, None, Ok(Some("J"))),
            (&json_and_xml, WhenNoTemplates, Some("text/plain"), Err(())),
            (&[], WhenNoTemplates, Some("text/plain"), Ok(None)),
            (&[], WhenNoMatch, None, Ok(None)),
            (&[], Never, None, Err(())),
            (&json_and_xml, WhenNoMatch, Some(""), Ok(Some("J"))),
        ];
        for (templates, behavior, content_type, want) in cases {
            let integration = with(templates, *behavior);
            let got = request_template(&integration, *content_type).map_err(|_| ());
            assert_eq!(got, *want, "{templates:?} {behavior:?} {content_type:?}");
        }
    }

    #[test]
    fn rule_4_5_selection_patterns_match_the_whole_status() {
        let mock = CompiledMock::new(IntegrationMapping {
            responses: vec![
                response(Some("2\\d{2}"), "200"),
                response(None, "500"),
                response(Some("4\\d{2}"), "400"),
                response(Some("40"), "418"),
                response(Some("(unclosed"), "599"),
            ],
            ..IntegrationMapping::default()
        });
        let cases: &[(&str, Option<usize>)] = &[
            ("200", Some(0)),
            ("204", Some(0)),
            ("404", Some(2)),
            ("40", Some(3)),
            // `40` must match the whole string, so `401` goes to 4\d{2}.
            ("401", Some(2)),
            ("302", Some(1)),
        ];
        for (status, want) in cases {
            assert_eq!(mock.select(status), *want, "{status}");
        }
        let without_default = CompiledMock::new(IntegrationMapping {
            responses: vec![response(Some("2\\d{2}"), "200"), response(Some(""), "201")],
            ..IntegrationMapping::default()
        });
        // An empty pattern is the default.
        assert_eq!(without_default.select("500"), Some(1));
        let only_patterns = CompiledMock::new(IntegrationMapping {
            responses: vec![response(Some("2\\d{2}"), "200")],
            ..IntegrationMapping::default()
        });
        assert_eq!(only_patterns.select("500"), None);
    }

    #[tokio::test]
    async fn rule_4_4_and_4_5_failures_are_errors() {
        let headers = HeaderMap::new();
        let no_status = CompiledMock::new(IntegrationMapping {
            request_templates: map(&[("application/json", "{\"ok\": true}")]),
            responses: vec![response(None, "200")],
            ..IntegrationMapping::default()
        });
        assert!(matches!(
            run(&no_status, None, &headers, b"").await,
            Err(MockError::NoStatusCode(_))
        ));
        let no_match = CompiledMock::new(IntegrationMapping {
            request_templates: map(&[("application/json", "{\"statusCode\": 500}")]),
            responses: vec![response(Some("2\\d{2}"), "200"), response(Some("("), "599")],
            ..IntegrationMapping::default()
        });
        let err = run(&no_match, None, &headers, b"")
            .await
            .expect_err("no response");
        assert!(err.to_string().contains("status 500"), "{err}");
        assert!(err.to_string().contains("\"(\""), "{err}");
        let bad_status = CompiledMock::new(IntegrationMapping {
            request_templates: map(&[("application/json", "{\"statusCode\": 200}")]),
            responses: vec![response(None, "OK")],
            ..IntegrationMapping::default()
        });
        assert_eq!(
            run(&bad_status, None, &headers, b"")
                .await
                .expect_err("bad"),
            MockError::BadStatus("OK".into())
        );
        // WHEN_NO_MATCH passes the (JSON) body through: it carries the status.
        let passthrough = CompiledMock::new(IntegrationMapping {
            request_templates: map(&[("application/xml", "<x/>")]),
            responses: vec![response(None, "200")],
            ..IntegrationMapping::default()
        });
        let (status, _, _) = run(
            &passthrough,
            Some("text/plain"),
            &headers,
            b"{\"statusCode\": 200}",
        )
        .await
        .expect("passes through");
        assert_eq!(status, 200);
    }

    #[tokio::test]
    async fn rule_4_6_response_parameters_literal_request_and_raw() {
        let mut selected = response(None, "200");
        selected.response_parameters = map(&[
            ("method.response.header.Access-Control-Allow-Origin", "'*'"),
            (
                "method.response.header.X-Echo",
                "method.request.header.X-In",
            ),
            (
                "method.response.header.X-Gone",
                "method.request.header.X-Absent",
            ),
            ("method.response.header.X-Raw", "GET, POST"),
            ("method.response.header.Bad Name", "'x'"),
            ("integration.response.header.Ignored", "'x'"),
        ]);
        let mock = CompiledMock::new(IntegrationMapping {
            request_templates: map(&[("application/json", "{\"statusCode\": 200}")]),
            responses: vec![selected],
            ..IntegrationMapping::default()
        });
        let mut headers = HeaderMap::new();
        headers.insert("x-in", HeaderValue::from_static("echoed"));
        let (status, got, body) = run(&mock, None, &headers, b"").await.expect("200");
        assert_eq!(status, 200);
        assert_eq!(
            got,
            vec![
                ("content-type".to_owned(), "application/json".to_owned()),
                ("access-control-allow-origin".to_owned(), "*".to_owned()),
                ("x-echo".to_owned(), "echoed".to_owned()),
                ("x-raw".to_owned(), "GET, POST".to_owned()),
            ]
        );
        assert!(body.is_empty(), "no response template → empty body");
    }

    #[tokio::test]
    async fn rule_4_6_sam_body_is_the_template_byte_for_byte() {
        let mut selected = response(None, "200");
        selected.response_templates = map(&[("text/plain", "first"), ("application/json", "{}\n")]);
        let mock = CompiledMock::new(IntegrationMapping {
            request_templates: map(&[("application/json", "{\n  \"statusCode\" : 200\n}\n")]),
            responses: vec![selected],
            ..IntegrationMapping::default()
        });
        let (_, _, body) = run(&mock, None, &HeaderMap::new(), b"").await.expect("200");
        assert_eq!(&body[..], b"{}\n");
        // Without an application/json template, the first one.
        let mut selected = response(None, "200");
        selected.response_templates = map(&[("text/plain", "first $context.stage")]);
        let mock = CompiledMock::new(IntegrationMapping {
            request_templates: map(&[("application/json", "{statusCode: 200}")]),
            responses: vec![selected],
            ..IntegrationMapping::default()
        });
        let (_, _, body) = run(&mock, None, &HeaderMap::new(), b"").await.expect("200");
        assert_eq!(&body[..], b"first Prod");
    }
}
