//! Phase 4b, **integrate** (`MOCK`, spec 4.3–4.6): API Gateway answers from templates.
//!
//! The request template chosen by `Content-Type` renders to a text that must carry an
//! integer `statusCode`; that status selects an integration response, whose
//! `responseParameters` become the headers and whose template becomes the body; then the
//! overrides the templates set replace status and headers (`mapping_template`, rules M.7,
//! M.8). SAM's generated OPTIONS methods (spec 1.6) are MOCK methods, so this is what answers a
//! preflight — the same whatever `Origin` or `Access-Control-Request-*` say (spec 1.10), unless
//! a response template reads them, as CDK's multi-origin preflight does.
//!
//! [`CompiledMock`] is the compiled form of any non-proxy mapping: `AWS` Lambda integrations
//! (`lambda_custom`) select and render with it too.

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Response, StatusCode};
use http_body_util::Full;
use regex::Regex;

use gatewise_model::{IntegrationMapping, IntegrationResponse, PassthroughBehavior};

use crate::integration::mapping_template::{
    CompiledTemplate, TemplateEnd, TemplateFailure, TemplateRequest, TemplateRun,
    apply_response_overrides,
};
use crate::request::media_type::request_media_type;
use crate::request::params::{Mapped, RequestView, map_value};

/// Whether a MOCK response keeps the trailing newline of its template: SAM's `{}\n`
/// response template is sent as `{}\n` (3 bytes). UNCONFIRMED (spec 4.6, 12); test
/// `rule_4_6_sam_body_is_the_template_byte_for_byte`.
pub const MOCK_BODY_KEEPS_TRAILING_NEWLINE: bool = true;

/// The integration response body of a MOCK, which has no backend: what `$input.body` of its
/// response template reads (an empty body renders `{}`, rule M.4). UNCONFIRMED (LocalStack's
/// MOCK answers an empty body too); test `test_input_body_formatting` (e2e, `body-attr-access`).
pub const MOCK_INTEGRATION_RESPONSE_BODY: &[u8] = b"";

/// The content type of a MOCK answer, and the response template it prefers (spec 4.6).
const DEFAULT_CONTENT_TYPE: &str = "application/json";

/// Prefix of the integration response parameters that become response headers.
const RESPONSE_HEADER_PREFIX: &str = "method.response.header.";

/// Prefix of the mapping expressions that read the integration's (backend's) response.
const INTEGRATION_RESPONSE_PREFIX: &str = "integration.response.";

/// UNCONFIRMED: an integration response template that is the empty string (Terraform's common
/// `response_templates = { "application/json" = "" }`) is treated as no template, so the
/// integration's body passes through — LocalStack's choice (`if not template: return body`),
/// and what deployed configurations written this way rely on. Tested by
/// `an_empty_response_template_passes_the_body_through`.
pub const EMPTY_RESPONSE_TEMPLATE_PASSES_BODY_THROUGH: bool = true;

/// A non-proxy mapping prepared once, at startup: selection patterns compiled, request
/// templates and the body template of each integration response parsed.
#[derive(Debug)]
pub(crate) struct CompiledMock {
    pub integration: IntegrationMapping,
    /// One entry per integration response: `Some` when it has a (non-empty) selection
    /// pattern; an `Err` pattern never matches and is named in the log when nothing else
    /// does.
    patterns: Vec<Option<Result<Regex, String>>>,
    /// The request templates, in the order of `integration.request_templates`.
    request_templates: Vec<CompiledTemplate>,
    /// Per integration response, the template that renders its body (spec 4.6): its
    /// `application/json` one, else its first; `None` when it has none.
    response_templates: Vec<Option<CompiledTemplate>>,
}

/// A `MOCK` integration as its route runs it: the compiled mapping, and per request template
/// the answer it always gives when nothing in it depends on the request.
#[derive(Debug)]
pub(crate) struct MockRoute {
    pub mapping: CompiledMock,
    fixed: Vec<Option<FixedAnswer>>,
}

/// A MOCK answer that depends on nothing in the request, computed once at startup: a literal
/// request template (SAM's and CDK's preflights render `{"statusCode": 200}`) always selects
/// the same integration response, and when that response's template is literal and its
/// header mappings are `'quoted'` literals, the whole answer is fixed. Serving it copies
/// reference-counted headers and body: no template run, no JSON parse, no header parse.
#[derive(Debug)]
struct FixedAnswer {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl FixedAnswer {
    fn response(&self) -> Response<Full<Bytes>> {
        let mut response = Response::new(Full::new(self.body.clone()));
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers.clone();
        response
    }
}

impl CompiledMock {
    /// Compiles `integration` of `route` (`GET /items`, for template errors); a template that
    /// does not parse is an error naming it and its position.
    pub(crate) fn new(integration: IntegrationMapping, route: &str) -> Self {
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
        let request_templates = integration
            .request_templates
            .iter()
            .map(|(content_type, template)| {
                CompiledTemplate::new(template, content_type, TemplateEnd::Request, route)
            })
            .collect();
        let response_templates = integration
            .responses
            .iter()
            .map(|response| {
                let templates = &response.response_templates;
                let (content_type, template) = templates
                    .iter()
                    .find(|(key, _)| key.eq_ignore_ascii_case(DEFAULT_CONTENT_TYPE))
                    .or_else(|| templates.first())?;
                if template.text.is_empty() && EMPTY_RESPONSE_TEMPLATE_PASSES_BODY_THROUGH {
                    return None;
                }
                Some(CompiledTemplate::new(
                    template,
                    content_type,
                    TemplateEnd::Response,
                    route,
                ))
            })
            .collect();
        CompiledMock {
            integration,
            patterns,
            request_templates,
            response_templates,
        }
    }

    /// The answer `template` always gives, when it is fixed (see [`FixedAnswer`]); `None`
    /// leaves the request to the general path, which also reports every failure.
    fn fixed_answer(&self, template: &CompiledTemplate) -> Option<FixedAnswer> {
        let status = status_code(template.literal_text()?)?;
        let chosen = self.select(&status.to_string())?;
        let selected = &self.integration.responses[chosen];
        let body = match &self.response_templates[chosen] {
            Some(template) => mock_body(template.literal_text()?.to_owned()),
            None => String::new(),
        };
        // Literal mappings read nothing from the request.
        let no_headers = HeaderMap::new();
        let no_request = RequestView {
            headers: &no_headers,
            query: None,
            path_params: &[],
        };
        let literal_headers = selected
            .response_parameters
            .iter()
            .filter(|(key, _)| key.starts_with(RESPONSE_HEADER_PREFIX))
            .all(|(_, expression)| {
                matches!(map_value(expression, &no_request), Mapped::Literal(_))
            });
        if !literal_headers {
            return None;
        }
        let response = method_response(selected, Bytes::from(body), &no_request, None).ok()?;
        let (parts, body) = response.into_parts();
        Some(FixedAnswer {
            status: parts.status,
            headers: parts.headers,
            // `Full` holds no data for an empty body.
            body: body.into_inner().unwrap_or_default(),
        })
    }

    /// The integration response for `status` (spec 4.5): the first whose pattern matches
    /// the whole status string, else the first without a pattern.
    pub(crate) fn select(&self, status: &str) -> Option<usize> {
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

    /// The request template for `content_type` (spec 4.3): `Ok(Some)` to render it,
    /// `Ok(None)` to pass the body through.
    pub(crate) fn request_template(
        &self,
        content_type: Option<&str>,
    ) -> Result<Option<&CompiledTemplate>, UnsupportedMediaType> {
        let wanted = request_media_type(content_type);
        if let Some(index) = self.template_index(wanted) {
            return Ok(self.request_templates.get(index));
        }
        let templates = &self.integration.request_templates;
        let passes = match self.integration.passthrough_behavior {
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

    /// The position of the request template for media type `wanted`.
    fn template_index(&self, wanted: &str) -> Option<usize> {
        self.integration
            .request_templates
            .keys()
            .position(|key| key.eq_ignore_ascii_case(wanted))
    }

    /// The body the integration response at `index` renders (spec 4.6) from the
    /// integration's `body`; `None` when it has no template, so that body passes through.
    pub(crate) fn render_response_template<'m>(
        &'m self,
        index: usize,
        run: &mut TemplateRun<'m, '_>,
        body: &[u8],
    ) -> Option<Result<String, TemplateFailure>> {
        let template = self.response_templates.get(index)?.as_ref()?;
        Some(run.render_response(template, body).map(mock_body))
    }
}

impl MockRoute {
    /// Compiles the mapping of a `MOCK` integration of `route` ([`CompiledMock::new`]) and
    /// the answers that are fixed at startup.
    pub(crate) fn new(integration: IntegrationMapping, route: &str) -> Self {
        let mapping = CompiledMock::new(integration, route);
        let fixed = mapping
            .request_templates
            .iter()
            .map(|template| mapping.fixed_answer(template))
            .collect();
        MockRoute { mapping, fixed }
    }

    /// The MOCK's answer to a request of `content_type` when it is fixed ([`FixedAnswer`]):
    /// the pipeline then skips decoding the request for templates altogether.
    pub(crate) fn fixed_response(
        &self,
        content_type: Option<&str>,
    ) -> Option<Response<Full<Bytes>>> {
        let index = self
            .mapping
            .template_index(request_media_type(content_type))?;
        Some(self.fixed.get(index)?.as_ref()?.response())
    }
}

/// A rendered integration response body as a MOCK sends it ([`MOCK_BODY_KEEPS_TRAILING_NEWLINE`]).
fn mock_body(mut body: String) -> String {
    if !MOCK_BODY_KEEPS_TRAILING_NEWLINE && body.ends_with('\n') {
        body.pop();
    }
    body
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
    /// A template failed while rendering (M.2, M.7).
    Template(TemplateFailure),
}

impl From<TemplateFailure> for MockError {
    fn from(failure: TemplateFailure) -> Self {
        MockError::Template(failure)
    }
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
            MockError::Template(failure) => failure.fmt(f),
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

/// Runs a MOCK integration for `request`: the request template renders the status (or the
/// body passes through), which selects the integration response; its parameters, its body
/// template (reading [`MOCK_INTEGRATION_RESPONSE_BODY`]) and the templates' overrides make the
/// answer.
pub(crate) fn respond(
    mock: &CompiledMock,
    content_type: Option<&str>,
    request: &TemplateRequest<'_>,
) -> Result<Response<Full<Bytes>>, MockError> {
    let mut run = TemplateRun::new(request);
    let rendered = match mock
        .request_template(content_type)
        .map_err(|UnsupportedMediaType(t)| MockError::UnsupportedMediaType(t))?
    {
        Some(template) => run.render_request(template)?,
        None => String::from_utf8_lossy(request.input.body).into_owned(),
    };
    let status = status_code(&rendered).ok_or(MockError::NoStatusCode(rendered))?;
    let chosen =
        mock.select(&status.to_string())
            .ok_or_else(|| MockError::NoIntegrationResponse {
                status,
                detail: mock.pattern_errors(),
            })?;
    let selected = &mock.integration.responses[chosen];
    let body = mock
        .render_response_template(chosen, &mut run, MOCK_INTEGRATION_RESPONSE_BODY)
        .transpose()?
        .unwrap_or_default();
    let mut response = method_response(selected, Bytes::from(body), &request.view, None)
        .map_err(|BadStatus(s)| MockError::BadStatus(s))?;
    if let Some(overrides) = run.response_overrides()? {
        apply_response_overrides(&mut response, &overrides);
    }
    Ok(response)
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

    use super::*;
    use crate::test_support::{integration_response, template_request, templates};

    fn response(pattern: Option<&str>, status: &str) -> IntegrationResponse {
        integration_response(pattern, status, &[])
    }

    fn compile(integration: IntegrationMapping) -> CompiledMock {
        CompiledMock::new(integration, "OPTIONS /items")
    }

    async fn run(
        mock: &CompiledMock,
        content_type: Option<&str>,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<(u16, Vec<(String, String)>, Bytes), MockError> {
        let response = respond(mock, content_type, &template_request(headers, body))?;
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

    /// A fixed answer is exactly what the general path answers, and there is none whenever
    /// the answer could depend on the request.
    #[tokio::test]
    async fn fixed_answers_match_the_general_path() {
        let with_body = |status: &str, params: &[(&str, &str)], body: Option<&str>| {
            let mut response = integration_response(None, status, params);
            if let Some(body) = body {
                response.response_templates = templates(&[("application/json", body)]);
            }
            response
        };
        let sam_headers = [
            ("method.response.header.Access-Control-Allow-Origin", "'*'"),
            (
                "method.response.header.Access-Control-Allow-Methods",
                "'GET,OPTIONS'",
            ),
        ];
        // (request template, integration responses, content type, fixed?)
        let cases: Vec<(&str, Vec<IntegrationResponse>, Option<&str>, bool)> = vec![
            // SAM's preflight: literal request, `{}\n` body, literal headers.
            (
                "{\"statusCode\": 200}",
                vec![with_body("200", &sam_headers, Some("{}\n"))],
                None,
                true,
            ),
            // No response template: empty body.
            (
                "{\"statusCode\": 200}",
                vec![with_body("200", &sam_headers, None)],
                None,
                true,
            ),
            // CDK's loose form, a status selecting a pattern.
            (
                "{ statusCode: 404 }",
                vec![
                    with_body("200", &[], Some("ok")),
                    integration_response(Some("404"), "404", &[]),
                ],
                Some("application/json; charset=utf-8"),
                true,
            ),
            // A header read from the request: not fixed.
            (
                "{\"statusCode\": 200}",
                vec![with_body(
                    "200",
                    &[(
                        "method.response.header.X-Echo",
                        "method.request.header.x-in",
                    )],
                    Some("{}"),
                )],
                None,
                false,
            ),
            // A response template that renders: not fixed.
            (
                "{\"statusCode\": 200}",
                vec![with_body("200", &[], Some("$context.requestId"))],
                None,
                false,
            ),
            // A request template that renders: not fixed.
            (
                "#set($s = 200){\"statusCode\": $s}",
                vec![with_body("200", &[], Some("{}"))],
                None,
                false,
            ),
            // No integration response for the status: the general path reports it.
            (
                "{\"statusCode\": 500}",
                vec![integration_response(Some("200"), "200", &[])],
                None,
                false,
            ),
            // A status that is not an HTTP status: the general path reports it.
            (
                "{\"statusCode\": 200}",
                vec![with_body("abc", &[], None)],
                None,
                false,
            ),
        ];
        let mut headers = HeaderMap::new();
        headers.insert("x-in", HeaderValue::from_static("from the request"));
        for (request_template, responses, content_type, want_fixed) in cases {
            let mock = MockRoute::new(
                IntegrationMapping {
                    request_templates: templates(&[("application/json", request_template)]),
                    passthrough_behavior: PassthroughBehavior::WhenNoMatch,
                    responses,
                },
                "OPTIONS /items",
            );
            let fixed = mock.fixed_response(content_type);
            assert_eq!(fixed.is_some(), want_fixed, "{request_template:?}");
            let Some(fixed) = fixed else { continue };
            let general = run(&mock.mapping, content_type, &headers, b"")
                .await
                .unwrap();
            let (parts, body) = fixed.into_parts();
            let fixed_headers: Vec<(String, String)> = parts
                .headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_owned()))
                .collect();
            let body = body.collect().await.unwrap().to_bytes();
            assert_eq!(
                (parts.status.as_u16(), fixed_headers, body),
                general,
                "{request_template:?}"
            );
        }
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
        let with = |pairs: &[(&str, &str)], behavior| {
            compile(IntegrationMapping {
                request_templates: templates(pairs),
                passthrough_behavior: behavior,
                responses: vec![],
            })
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
        for (pairs, behavior, content_type, want) in cases {
            let mock = with(pairs, *behavior);
            let got = mock
                .request_template(*content_type)
                .map(|template| template.map(CompiledTemplate::text))
                .map_err(|_| ());
            assert_eq!(got, *want, "{pairs:?} {behavior:?} {content_type:?}");
        }
    }

    #[test]
    fn rule_4_5_selection_patterns_match_the_whole_status() {
        let mock = compile(IntegrationMapping {
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
        let without_default = compile(IntegrationMapping {
            responses: vec![response(Some("2\\d{2}"), "200"), response(Some(""), "201")],
            ..IntegrationMapping::default()
        });
        // An empty pattern is the default.
        assert_eq!(without_default.select("500"), Some(1));
        let only_patterns = compile(IntegrationMapping {
            responses: vec![response(Some("2\\d{2}"), "200")],
            ..IntegrationMapping::default()
        });
        assert_eq!(only_patterns.select("500"), None);
    }

    #[tokio::test]
    async fn rule_4_4_and_4_5_failures_are_errors() {
        let headers = HeaderMap::new();
        let no_status = compile(IntegrationMapping {
            request_templates: templates(&[("application/json", "{\"ok\": true}")]),
            responses: vec![response(None, "200")],
            ..IntegrationMapping::default()
        });
        assert!(matches!(
            run(&no_status, None, &headers, b"").await,
            Err(MockError::NoStatusCode(_))
        ));
        let no_match = compile(IntegrationMapping {
            request_templates: templates(&[("application/json", "{\"statusCode\": 500}")]),
            responses: vec![response(Some("2\\d{2}"), "200"), response(Some("("), "599")],
            ..IntegrationMapping::default()
        });
        let err = run(&no_match, None, &headers, b"")
            .await
            .expect_err("no response");
        assert!(err.to_string().contains("status 500"), "{err}");
        assert!(err.to_string().contains("\"(\""), "{err}");
        let bad_status = compile(IntegrationMapping {
            request_templates: templates(&[("application/json", "{\"statusCode\": 200}")]),
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
        let passthrough = compile(IntegrationMapping {
            request_templates: templates(&[("application/xml", "<x/>")]),
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
        let selected = integration_response(
            None,
            "200",
            &[
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
            ],
        );
        let mock = compile(IntegrationMapping {
            request_templates: templates(&[("application/json", "{\"statusCode\": 200}")]),
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
        selected.response_templates =
            templates(&[("text/plain", "first"), ("application/json", "{}\n")]);
        let mock = compile(IntegrationMapping {
            request_templates: templates(&[("application/json", "{\n  \"statusCode\" : 200\n}\n")]),
            responses: vec![selected],
            ..IntegrationMapping::default()
        });
        let (_, _, body) = run(&mock, None, &HeaderMap::new(), b"").await.expect("200");
        assert_eq!(&body[..], b"{}\n");
        // Without an application/json template, the first one.
        let mut selected = response(None, "200");
        selected.response_templates = templates(&[("text/plain", "first $context.stage")]);
        let mock = compile(IntegrationMapping {
            request_templates: templates(&[("application/json", "{statusCode: 200}")]),
            responses: vec![selected],
            ..IntegrationMapping::default()
        });
        let (_, _, body) = run(&mock, None, &HeaderMap::new(), b"").await.expect("200");
        assert_eq!(&body[..], b"first Prod");
    }
}
