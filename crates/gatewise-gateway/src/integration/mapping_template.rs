//! Phases 4b and 4c, **integrate**: the Velocity (VTL) mapping templates of `MOCK` and `AWS`
//! integrations (rules M.1–M.9), run by `gatewise-vtl`.
//!
//! Templates are parsed once, when the route table is built ([`CompiledTemplate`]). For each
//! request the pipeline describes the request once ([`TemplateRequest`]: what `$input`,
//! `$stageVariables` and `$context` show); a [`TemplateRun`] renders the request template and
//! then the response template of the selected integration response against one `$context`,
//! built when the first template renders, so what the request template sets there —
//! overrides included — is what the response template reads (M.7, M.8). The overrides are read
//! once both have rendered ([`TemplateRun::response_overrides`]) and applied last
//! ([`apply_response_overrides`]), replacing what the integration response mapped.
//!
//! Gateway-response templates are not VTL (M.1): `rest::gateway_response` substitutes them.

use std::net::IpAddr;

use bytes::Bytes;
use gatewise_model::{MappingTemplate, pseudo};
use gatewise_vtl::{Input, Limits, Overrides, Template, Value, context_skeleton, overrides};
use http::{HeaderName, HeaderValue, Response, StatusCode};
use http_body_util::Full;
use jiff::Timestamp;

use crate::request::params::RequestView;

/// A mapping template parsed for serving, with what its failures must name.
#[derive(Debug)]
pub(crate) struct CompiledTemplate {
    /// The parsed template, or — for one API Gateway deploys but cannot run (a `#foreach`
    /// without `#end`, an `#include`; the loader warned about it) — the failure every request
    /// that renders it answers with.
    template: Result<Template, TemplateFailure>,
    source: MappingTemplate,
    /// `the application/json request template of GET /items`.
    label: String,
    /// The template has no `$` and no `#`, so it renders as its own text (SAM's and CDK's
    /// preflight templates): no `$context` needs building for it.
    literal: bool,
}

/// Which end of an integration a template shapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TemplateEnd {
    Request,
    Response,
}

impl CompiledTemplate {
    /// Parses `source`, the `content_type` template of `end` of `route` (`GET /items`). A
    /// template that does not parse stays routed: rendering it fails with the located message
    /// (the loader has warned about it at startup), as API Gateway fails such requests.
    pub(crate) fn new(
        source: &MappingTemplate,
        content_type: &str,
        end: TemplateEnd,
        route: &str,
    ) -> Self {
        let end = match end {
            TemplateEnd::Request => "request",
            TemplateEnd::Response => "response",
        };
        let label = format!("the {content_type} {end} template of {route}");
        let template = Template::parse(&source.text).map_err(|error| {
            TemplateFailure(format!(
                "{label} ({}, line {}, column {} of the template) cannot be parsed: {}",
                source.file_location(error.line, error.column),
                error.line,
                error.column,
                error.message
            ))
        });
        CompiledTemplate {
            literal: template.is_ok() && !source.text.contains(['$', '#']),
            template,
            source: source.clone(),
            label,
        }
    }

    /// The template's text when it renders as written (no `$`, no `#`).
    pub(crate) fn literal_text(&self) -> Option<&str> {
        self.literal.then_some(self.source.text.as_str())
    }

    /// The template's text, as written.
    #[cfg(test)]
    pub(crate) fn text(&self) -> &str {
        &self.source.text
    }

    fn failure(&self, position: Option<(u32, u32)>, message: &str) -> TemplateFailure {
        TemplateFailure(match position {
            Some((line, column)) => format!(
                "{} ({}, line {line}, column {column} of the template) failed: {message}",
                self.label,
                self.source.file_location(line, column),
            ),
            None => format!(
                "{} ({}) failed: {message}",
                self.label, self.source.location
            ),
        })
    }
}

/// A template that failed while rendering: the log reason, naming the template, where it is
/// written and the position inside it. API Gateway answers such failures with a 5XX.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TemplateFailure(pub String);

impl std::fmt::Display for TemplateFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One request as its mapping templates see it, described once by the pipeline.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TemplateRequest<'a> {
    /// For `method.request.*` response parameters.
    pub view: RequestView<'a>,
    /// `$input` and `$stageVariables` of the request template; a response template sees the
    /// integration's body instead of the request's.
    pub input: Input<'a>,
    pub context: ContextValues<'a>,
}

/// The values `$context` holds for one request (M.7), turned into the `$context` map only
/// when a template renders.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ContextValues<'a> {
    pub request_id: &'a str,
    pub extended_request_id: &'a str,
    pub resource_id: &'a str,
    pub resource_path: &'a str,
    pub http_method: &'a str,
    /// The request path as sent; `$context.path` puts the stage in front of it.
    pub raw_path: &'a str,
    pub stage: &'a str,
    pub api_id: &'a str,
    pub deployment_id: &'a str,
    pub time: Timestamp,
    /// The `Host` the client used (`$context.domainName`, as in events).
    pub domain_name: &'a str,
    pub source_ip: IpAddr,
    pub user_agent: Option<&'a str>,
    /// What a Lambda authorizer that allowed the request passed on (`principalId` and its
    /// context); `None` without one.
    pub authorizer: Option<&'a serde_json::Value>,
}

impl ContextValues<'_> {
    /// `$context`: every key in AWS's recorded order, then `authorizer` when one ran. Values
    /// are those of the request's payload 1.0 event (`requestTime`, `path` with the stage,
    /// `protocol` `HTTP/1.1`, `domainPrefix` before the first dot).
    pub(crate) fn context_map(&self) -> Value {
        let mut context = context_skeleton();
        let domain_prefix = self
            .domain_name
            .split('.')
            .next()
            .unwrap_or(self.domain_name);
        let text = |value: &str| Value::String(value.to_owned());
        let values = [
            ("resourceId", text(self.resource_id)),
            ("resourcePath", text(self.resource_path)),
            ("httpMethod", text(self.http_method)),
            ("extendedRequestId", text(self.extended_request_id)),
            (
                "requestTime",
                Value::String(self.time.strftime("%d/%b/%Y:%H:%M:%S +0000").to_string()),
            ),
            (
                "path",
                Value::String(format!("/{}{}", self.stage, self.raw_path)),
            ),
            ("accountId", text(pseudo::ACCOUNT_ID)),
            ("protocol", text("HTTP/1.1")),
            ("stage", text(self.stage)),
            ("domainPrefix", text(domain_prefix)),
            ("requestTimeEpoch", Value::Int(self.time.as_millisecond())),
            ("requestId", text(self.request_id)),
            ("domainName", text(self.domain_name)),
            ("deploymentId", text(self.deployment_id)),
            ("apiId", text(self.api_id)),
        ];
        for (key, value) in values {
            context.set_path(&[key], value);
        }
        context.set_path(
            &["identity", "sourceIp"],
            Value::String(self.source_ip.to_string()),
        );
        if let Some(user_agent) = self.user_agent {
            context.set_path(&["identity", "userAgent"], text(user_agent));
        }
        if let Some(authorizer) = self.authorizer {
            context.set_path(&["authorizer"], Value::from(authorizer.clone()));
        }
        context
    }
}

/// The templates of one request: the `$context` they share, and the last template that
/// rendered (to name it when the overrides it left are unusable).
pub(crate) struct TemplateRun<'r, 'a> {
    request: &'r TemplateRequest<'a>,
    context: Option<Value>,
    last: Option<&'r CompiledTemplate>,
}

impl<'r, 'a> TemplateRun<'r, 'a> {
    pub(crate) fn new(request: &'r TemplateRequest<'a>) -> Self {
        TemplateRun {
            request,
            context: None,
            last: None,
        }
    }

    /// Renders `template` with `input` as `$input`, against the request's `$context`.
    pub(crate) fn render(
        &mut self,
        template: &'r CompiledTemplate,
        input: &Input<'_>,
    ) -> Result<String, TemplateFailure> {
        if template.literal {
            return Ok(template.source.text.clone());
        }
        let request = self.request;
        let context = self
            .context
            .get_or_insert_with(|| request.context.context_map());
        self.last = Some(template);
        let parsed = template.template.as_ref().map_err(Clone::clone)?;
        parsed
            .render(input, context, &Limits::default())
            .map_err(|error| template.failure(Some((error.line, error.column)), &error.message))
    }

    /// Renders the request template: `$input` is the request.
    pub(crate) fn render_request(
        &mut self,
        template: &'r CompiledTemplate,
    ) -> Result<String, TemplateFailure> {
        let input = self.request.input;
        self.render(template, &input)
    }

    /// Renders a response template: `$input.body` is the integration's `body`, parameters
    /// are still the request's.
    pub(crate) fn render_response(
        &mut self,
        template: &'r CompiledTemplate,
        body: &[u8],
    ) -> Result<String, TemplateFailure> {
        let input = Input {
            body,
            ..self.request.input
        };
        self.render(template, &input)
    }

    /// What the templates that rendered overrode, `None` when none rendered. A status
    /// override that is not an HTTP status is a failure of the last template.
    pub(crate) fn response_overrides(&self) -> Result<Option<Overrides>, TemplateFailure> {
        let (Some(context), Some(last)) = (&self.context, self.last) else {
            return Ok(None);
        };
        overrides(context)
            .map(Some)
            .map_err(|message| last.failure(None, &message))
    }
}

/// Applies `overrides` to a method response (M.7, M.8): `responseOverride.status` replaces
/// the status, each `responseOverride.header.<name>` replaces that header. A name or value
/// that cannot be an HTTP header is left out.
pub(crate) fn apply_response_overrides(
    response: &mut Response<Full<Bytes>>,
    overrides: &Overrides,
) {
    if let Some(status) = overrides
        .response_status
        .and_then(|status| StatusCode::from_u16(status).ok())
    {
        *response.status_mut() = status;
    }
    let headers = response.headers_mut();
    for (name, value) in &overrides.response_header {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.insert(name, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use http::HeaderMap;

    use super::*;

    /// A template written at line 20, its text starting at line 21 column 5.
    fn source(text: &str) -> MappingTemplate {
        MappingTemplate {
            text: text.to_owned(),
            location: crate::test_support::location(20),
            text_at: Some(crate::test_support::location(21)),
        }
    }

    fn compiled(text: &str) -> CompiledTemplate {
        CompiledTemplate::new(
            &source(text),
            "application/json",
            TemplateEnd::Request,
            "GET /items/{id}",
        )
    }

    fn context_values(authorizer: Option<&serde_json::Value>) -> ContextValues<'_> {
        ContextValues {
            request_id: "req-1",
            extended_request_id: "ext-1=",
            resource_id: "res001",
            resource_path: "/items/{id}",
            http_method: "GET",
            raw_path: "/items/42",
            stage: "prod",
            api_id: "api0000001",
            deployment_id: "dep001",
            time: Timestamp::from_millisecond(1_700_000_000_123).expect("time"),
            domain_name: "api.example.com",
            source_ip: [192, 0, 2, 7].into(),
            user_agent: Some("curl/8"),
            authorizer,
        }
    }

    fn request<'a>(
        headers: &'a HeaderMap,
        authorizer: Option<&'a serde_json::Value>,
    ) -> TemplateRequest<'a> {
        TemplateRequest {
            view: RequestView {
                headers,
                query: None,
                path_params: &[("id", "42")],
            },
            input: Input {
                body: br#"{"name": "ada"}"#,
                path: &[("id", "42")],
                querystring: &[("q", "1")],
                header: &[("Origin", "https://a.example")],
                stage_variables: &[("env", "dev")],
            },
            context: context_values(authorizer),
        }
    }

    /// Rule M.7: each `$context` value as the request gives it.
    #[test]
    fn rule_m_7_context_holds_the_request_values() {
        let headers = HeaderMap::new();
        let authorizer = serde_json::json!({"principalId": "user-1", "role": "admin"});
        let cases: &[(&str, &str)] = &[
            ("$context.requestId", "req-1"),
            ("$context.extendedRequestId", "ext-1="),
            ("$context.resourceId", "res001"),
            ("$context.resourcePath", "/items/{id}"),
            ("$context.httpMethod", "GET"),
            ("$context.path", "/prod/items/42"),
            ("$context.stage", "prod"),
            ("$context.apiId", "api0000001"),
            ("$context.accountId", "123456789012"),
            ("$context.protocol", "HTTP/1.1"),
            ("$context.requestTime", "14/Nov/2023:22:13:20 +0000"),
            ("$context.requestTimeEpoch", "1700000000123"),
            ("$context.domainName", "api.example.com"),
            ("$context.domainPrefix", "api"),
            ("$context.deploymentId", "dep001"),
            ("$context.identity.sourceIp", "192.0.2.7"),
            ("$context.identity.userAgent", "curl/8"),
            ("[$context.identity.caller]", "[]"),
            ("$context.authorizer.principalId", "user-1"),
            ("$context.authorizer.role", "admin"),
            ("$context.keySet().size()", "19"),
            ("$stageVariables.env", "dev"),
            ("$input.params('id')/$input.params('q')", "42/1"),
            ("$input.params().header.get('Origin')", "https://a.example"),
            ("$input.path('$.name')", "ada"),
        ];
        for (text, want) in cases {
            let request = request(&headers, Some(&authorizer));
            let mut run = TemplateRun::new(&request);
            let template = compiled(text);
            assert_eq!(
                run.render_request(&template).as_deref(),
                Ok(*want),
                "{text}"
            );
        }
        // Without an authorizer, `$context` has no `authorizer` key.
        let request = request(&headers, None);
        let template = compiled("$context.keySet().size() [$context.authorizer]");
        let mut run = TemplateRun::new(&request);
        assert_eq!(run.render_request(&template).as_deref(), Ok("18 []"));
    }

    /// Rules M.7 and M.8: overrides set by the request template are read after the response
    /// template; the response template reads them and may replace the status; overriding one
    /// parameter twice in a template, or a status that is not one, fails with the template's
    /// position.
    #[test]
    fn rule_m_7_and_m_8_overrides_carry_over_and_apply_last() {
        let headers = HeaderMap::new();
        // (request template, response template, status, headers, response body or failure)
        type Case<'a> = (
            &'a str,
            &'a str,
            u16,
            &'a [(&'a str, &'a str)],
            Result<&'a str, &'a str>,
        );
        let cases: &[Case<'_>] = &[
            ("{}", "{}", 200, &[], Ok("{}")),
            (
                "#set($context.responseOverride.status = 444)#set($context.responseOverride.header.foo = 'bar')",
                "$context.responseOverride.status/$context.responseOverride.header.foo",
                444,
                &[("foo", "bar")],
                Ok("444/bar"),
            ),
            (
                "#set($context.responseOverride.status = 444)",
                "#set($context.responseOverride.status = 201)",
                201,
                &[],
                Ok(""),
            ),
            (
                "#set($context.requestOverride.header.x = 'a')",
                "$context.requestOverride.header.x",
                200,
                &[],
                Ok("a"),
            ),
            (
                "#set($context.responseOverride.header.Content-Type = 'text/plain')",
                "",
                200,
                &[("content-type", "text/plain")],
                Ok(""),
            ),
            (
                "{}",
                "#set($context.responseOverride.header.a = 1)\n#set($context.responseOverride.header.a = 2)",
                0,
                &[],
                Err("line 2, column"),
            ),
            (
                "#set($context.responseOverride.status = 'teapot')",
                "{}",
                0,
                &[],
                Err(
                    "template.yaml:20:5) failed: $context.responseOverride.status must be an HTTP status code",
                ),
            ),
        ];
        for (request_text, response_text, status, want_headers, want) in cases {
            let request = request(&headers, None);
            let mut run = TemplateRun::new(&request);
            let request_template = compiled(request_text);
            let response_template = compiled(response_text);
            let result = run
                .render_request(&request_template)
                .and_then(|_| run.render_response(&response_template, b""))
                .and_then(|body| Ok((body, run.response_overrides()?)));
            match (result, want) {
                (Ok((body, overrides)), Ok(want_body)) => {
                    assert_eq!(body, *want_body, "{request_text}");
                    let mut response = Response::new(Full::new(Bytes::new()));
                    response
                        .headers_mut()
                        .insert("content-type", HeaderValue::from_static("application/json"));
                    apply_response_overrides(&mut response, &overrides.unwrap_or_default());
                    assert_eq!(response.status().as_u16(), *status, "{request_text}");
                    for (name, value) in *want_headers {
                        assert_eq!(response.headers()[*name], *value, "{request_text}");
                    }
                }
                (Err(failure), Err(want)) => {
                    assert!(failure.0.contains(want), "{failure}");
                    assert!(failure.0.starts_with("the application/json request template of GET /items/{id} (template.yaml:"), "{failure}");
                }
                (got, want) => panic!("{request_text}: got {got:?}, want {want:?}"),
            }
        }
    }

    /// A template without `$` or `#` renders as its text, and leaves no overrides to apply.
    #[test]
    fn literal_templates_render_as_written() {
        let headers = HeaderMap::new();
        let request = request(&headers, None);
        for text in [
            "{\n  \"statusCode\" : 200\n}\n",
            "{ statusCode: 200 }",
            "{}\n",
            "",
            "  \n",
        ] {
            let template = compiled(text);
            assert!(template.literal, "{text:?}");
            let mut run = TemplateRun::new(&request);
            assert_eq!(run.render_request(&template).as_deref(), Ok(text));
            assert_eq!(run.response_overrides(), Ok(None));
            assert_eq!(
                template
                    .template
                    .as_ref()
                    .expect("parses")
                    .render(&request.input, &mut context_skeleton(), &Limits::default())
                    .as_deref(),
                Ok(text),
                "Velocity renders it the same"
            );
        }
        assert!(!compiled("{\"a\": \"\\$x\"}").literal);
    }

    /// A render failure names the file position (from where the template's text starts) and
    /// the position inside the template; a template not written verbatim names where it is.
    #[test]
    fn render_failures_name_file_and_template_positions() {
        let headers = HeaderMap::new();
        let request = request(&headers, None);
        let template = compiled("{\n  \"x\": $util.parseJson(\"not json\")\n}");
        let failure = TemplateRun::new(&request)
            .render_request(&template)
            .expect_err("not JSON");
        assert!(
            failure.0.starts_with(
                "the application/json request template of GET /items/{id} (template.yaml:22:"
            ),
            "{failure}"
        );
        assert!(failure.0.contains(", line 2, column "), "{failure}");
        let mut unplaced = source("#foreach($a in $b)");
        unplaced.text_at = None;
        let broken = CompiledTemplate::new(&unplaced, "text/plain", TemplateEnd::Response, "GET /");
        let failure = TemplateRun::new(&request)
            .render_response(&broken, b"")
            .expect_err("no #end: every render fails");
        assert!(
            failure.0.starts_with(
                "the text/plain response template of GET / (template.yaml:20:5, line 1, column 19 of the template) cannot be parsed: "
            ),
            "{failure}"
        );
    }
}
