//! Phase 4d, **integrate** (`HTTP_PROXY` and `HTTP` to an HTTP backend; rules H.1–H.13): API
//! Gateway calls a URL instead of a function. Shared by both pipelines: REST `HTTP_PROXY` and
//! `HTTP` (custom, with mapping templates), and HTTP API `HTTP_PROXY`.
//!
//! The request: the integration's method (`ANY`: the client's, H.4) to its `uri` with `{name}`
//! placeholders filled from the path mappings and `${stageVariables.x}` from the stage (H.2);
//! for a proxy the client's end-to-end headers, query and body pass (H.3), for `HTTP` only the
//! mapped headers and the rendered template (H.7); API Gateway's own headers are added and
//! no `X-Forwarded-*` on REST (H.3). The response: for a proxy the backend's status, headers
//! and body, with `Connection`, `Content-Length`, `Date`, `Server` and `x-amzn-RequestId`
//! renamed `x-amzn-Remapped-*` on REST (H.5); for `HTTP` the integration response its status
//! selects (H.8). Redirects are never followed (H.11); timeouts and connection errors are
//! typed so each pipeline answers them as its API type does (H.10, H.12).
//!
//! One pooled client per gateway ([`BackendClient`]): no per-request connection setup for a
//! warm backend, no environment proxy, no decompression, no redirects.

use std::borrow::Cow;
use std::net::IpAddr;
use std::time::Duration;

use bytes::Bytes;
use gatewise_model::{HttpApiBackend, HttpBackend, IntegrationResponse};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Response, StatusCode};
use http_body_util::Full;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde_json::Value;

use crate::integration::mapping_template::{
    TemplateFailure, TemplateRequest, TemplateRun, apply_response_overrides,
};
use crate::integration::mock::{self, BadStatus, CompiledMock, UnsupportedMediaType};
use crate::request::params::{Mapped, RequestView, map_value};

/// Client request headers a REST `HTTP_PROXY` does not forward (H.3, recorded), besides
/// `Host` (the backend's) and `Content-Length` (recomputed).
pub const PROXY_DROPPED_REQUEST_HEADERS: [&str; 15] = [
    "connection",
    "content-encoding",
    "content-md5",
    "expect",
    "max-forwards",
    "proxy-authenticate",
    "server",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
    "www-authenticate",
    "host",
    "content-length",
];

/// Mapped request headers an `HTTP` (custom) integration drops before sending (H.7).
pub const CUSTOM_DROPPED_MAPPED_HEADERS: [&str; 5] =
    ["connection", "proxy-authenticate", "te", "via", "expect"];

/// Request headers a REST mapping may not set: such a request is answered 500 (H.3).
pub const UNMAPPABLE_REQUEST_HEADERS: [&str; 2] = ["content-length", "transfer-encoding"];

/// Backend response headers a REST `HTTP_PROXY` renames `x-amzn-Remapped-<name>` (H.5,
/// recorded), API Gateway setting its own.
pub const PROXY_REMAPPED_RESPONSE_HEADERS: [&str; 5] = [
    "connection",
    "content-length",
    "date",
    "server",
    "x-amzn-requestid",
];

/// Response-parameter headers of an `HTTP` (custom) integration response that come out as
/// `x-amzn-Remapped-<name>` (H.8, recorded).
pub const CUSTOM_REMAPPED_RESPONSE_HEADERS: [&str; 14] = [
    "authorization",
    "connection",
    "content-length",
    "content-md5",
    "date",
    "expect",
    "host",
    "max-forwards",
    "proxy-authenticate",
    "server",
    "trailer",
    "upgrade",
    "user-agent",
    "www-authenticate",
];

/// Backend response headers that describe the backend connection's framing and are left out
/// of the client's response (the gateway frames its own). UNCONFIRMED: not in the recordings
/// (their backend sent a `Content-Length`); test `rule_h_5_hop_by_hop_response_headers_are_dropped`.
pub const DROPPED_BACKEND_RESPONSE_HEADERS: [&str; 3] =
    ["transfer-encoding", "keep-alive", "proxy-connection"];

/// Whether an HTTP API adds `Forwarded` and `X-Forwarded-For/Proto/Port` to what it sends an
/// HTTP backend. UNCONFIRMED (the spec leaves it open; write-ups of live HTTP APIs show the
/// backend receiving them, and the mapping rules reserve exactly these names); test
/// `rule_h_13_http_api_proxy_forwards_with_forwarded_headers`.
pub const HTTP_API_ADDS_FORWARDED_HEADERS: bool = true;

/// Whether the backend's redirects are followed: no — a 3xx passes to the client, as "passes
/// the outgoing response from the HTTP endpoint to the client" implies. UNCONFIRMED (rule
/// H.11); test `rule_h_5_and_h_11_status_passes_and_redirects_are_not_followed` (e2e).
pub const FOLLOWS_REDIRECTS: bool = false;

/// Whether an HTTP API renames the backend's `Date`, `Server`, … to `x-amzn-Remapped-*` as a
/// REST API does: no, they pass as they are (only the connection's own `Connection` and
/// `Content-Length` are replaced). UNCONFIRMED (rule H.13, recorded for REST only); test
/// `rule_h_13_http_api_proxy_forwards_with_forwarded_headers` (e2e).
pub const HTTP_API_REMAPS_RESPONSE_HEADERS: bool = false;

/// A `{name}` in the URI without an `integration.request.path.<name>` mapping takes the method
/// request's path parameter of the same name. UNCONFIRMED (API Gateway's console adds the
/// mapping for you; templates written by hand often omit it); test
/// `rule_h_2_unmapped_uri_parameter_takes_the_path_parameter`.
pub const UNMAPPED_URI_PARAMETER_FROM_PATH: bool = true;

/// The largest backend response body read (API Gateway's documented 10 MB payload quota); a
/// larger one fails the integration like a network error (REST 504 `INTEGRATION_FAILURE`).
/// UNCONFIRMED how AWS answers it (rule H.12); test `rule_h_12_a_response_over_10_mb_fails`
/// (e2e).
pub const MAX_BACKEND_RESPONSE_BYTES: usize = 10 * 1024 * 1024;

/// Characters percent-encoded in a mapped path or query value.
const COMPONENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'&')
    .add(b'+')
    .add(b'/')
    .add(b'<')
    .add(b'=')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// The HTTP client every HTTP integration of a gateway shares: pooled connections, no
/// redirects (H.11), no environment proxy, no decompression (the body passes as sent).
#[derive(Debug, Clone)]
pub(crate) struct BackendClient {
    /// `Err` when the TLS stack could not start: each request to a backend answers 500,
    /// naming why, while every other route keeps working.
    client: Result<reqwest::Client, String>,
}

impl BackendClient {
    pub(crate) fn new() -> Self {
        let client = reqwest::Client::builder()
            .redirect(if FOLLOWS_REDIRECTS {
                reqwest::redirect::Policy::default()
            } else {
                reqwest::redirect::Policy::none()
            })
            .no_proxy()
            .pool_idle_timeout(Duration::from_secs(60))
            .build()
            .map_err(|error| format!("the HTTP client for backends could not start: {error}"));
        BackendClient { client }
    }
}

/// What the integration needs of the request, beyond the mapping view.
pub(crate) struct BackendCall<'a> {
    pub method: &'a Method,
    /// The raw request path (`$request.path` of HTTP API mappings).
    pub path: &'a str,
    /// The client's headers.
    pub headers: &'a HeaderMap,
    /// The raw query string, without `?`.
    pub query: Option<&'a str>,
    pub body: &'a Bytes,
    pub stage_variables: &'a indexmap::IndexMap<String, String>,
    pub api_id: &'a str,
    /// `X-Amzn-Trace-Id` to send when the client sent none.
    pub trace_id: &'a str,
    /// `$context.*` values mappings may read (`requestId`, `stage`, …).
    pub context: &'a (dyn Fn(&str) -> Option<String> + Sync),
}

/// Why an HTTP integration did not produce the backend's answer.
#[derive(Debug)]
pub(crate) enum BackendError {
    /// A mapping sets `Content-Length` or `Transfer-Encoding` (H.3): 500.
    UnmappableHeader(String),
    /// The rendered URI is not a URL (H.12): 500.
    BadUri(String),
    /// No request template for the content type and passthrough forbids going on (4.3).
    UnsupportedMediaType(String),
    /// A template failed while rendering (M.2, M.7).
    Template(TemplateFailure),
    /// No answer from `url` within the integration timeout (H.10).
    Timeout { url: String, after: Duration },
    /// The backend refused the connection (H.12): the URL and the cause.
    Refused { url: String, detail: String },
    /// Any other network or TLS failure, or a response over the payload limit (H.12).
    Failed { url: String, detail: String },
    /// No integration response matches the backend status and none is the default (4.5).
    NoIntegrationResponse { status: u16, detail: String },
    /// The selected integration response's status is not an HTTP status.
    BadStatus(String),
}

impl From<TemplateFailure> for BackendError {
    fn from(failure: TemplateFailure) -> Self {
        BackendError::Template(failure)
    }
}

impl std::fmt::Display for BackendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BackendError::UnmappableHeader(name) => write!(
                f,
                "the integration maps the request header {name}, which API Gateway refuses to \
                 set (every request is answered 500); remove the mapping"
            ),
            BackendError::BadUri(uri) => write!(f, "the backend URI {uri:?} is not a valid URL"),
            BackendError::UnsupportedMediaType(content_type) => write!(
                f,
                "the integration has no request template for content type {content_type:?} and \
                 its passthrough behavior does not allow the request through"
            ),
            BackendError::Template(failure) => failure.fmt(f),
            BackendError::Timeout { url, after } => write!(
                f,
                "the backend {url} did not answer within the integration timeout of {after:?}"
            ),
            BackendError::Refused { url, detail } => write!(
                f,
                "the backend {url} refused the connection ({detail}); is it running on that port?"
            ),
            BackendError::Failed { url, detail } => {
                write!(f, "the call to the backend {url} failed: {detail}")
            }
            BackendError::NoIntegrationResponse { status, detail } => write!(
                f,
                "no integration response matches the backend status {status} and none is the \
                 default (API configuration error){detail}"
            ),
            BackendError::BadStatus(status) => write!(
                f,
                "the selected integration response has status {status:?}, which is not an HTTP \
                 status"
            ),
        }
    }
}

/// A REST `HTTP` / `HTTP_PROXY` integration prepared for serving (the `HTTP` mapping compiled).
#[derive(Debug)]
pub(crate) struct CompiledBackend {
    pub backend: HttpBackend,
    /// The templates and integration responses of an `HTTP` integration.
    pub mapping: CompiledMock,
}

impl CompiledBackend {
    pub(crate) fn new(backend: HttpBackend, route: &str) -> Self {
        let mapping = CompiledMock::new(backend.mapping.clone(), route);
        CompiledBackend { backend, mapping }
    }
}

/// The backend's answer as the client gets it, and for `HTTP` the integration response that
/// shaped it.
pub(crate) struct BackendAnswer<'c> {
    pub response: Response<Full<Bytes>>,
    /// The URL called.
    pub url: String,
    pub selected: Option<&'c IntegrationResponse>,
}

/// Runs a REST `HTTP_PROXY` or `HTTP` integration.
pub(crate) async fn respond_rest<'c>(
    client: &BackendClient,
    compiled: &'c CompiledBackend,
    call: &BackendCall<'_>,
    template: &TemplateRequest<'_>,
) -> Result<BackendAnswer<'c>, BackendError> {
    let backend = &compiled.backend;
    let view = &template.view;
    let value = |expression| mapped(expression, view, call);
    let mut path_values: Vec<(&str, Cow<'_, str>)> = Vec::new();
    let mut query: Vec<(&str, Cow<'_, str>)> = Vec::new();
    let mut mapped_headers: Vec<(HeaderName, HeaderValue)> = Vec::new();
    for (key, expression) in &backend.request_parameters {
        let Some(target) = key.strip_prefix("integration.request.") else {
            continue;
        };
        if let Some(name) = target.strip_prefix("header.") {
            if UNMAPPABLE_REQUEST_HEADERS
                .iter()
                .any(|h| h.eq_ignore_ascii_case(name))
            {
                return Err(BackendError::UnmappableHeader(name.to_owned()));
            }
            // A mapping from an absent header is omitted (H.3).
            let Some(value) = value(expression) else {
                continue;
            };
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(&value.text),
            ) {
                mapped_headers.push((name, value));
            }
        } else if let Some(name) = target.strip_prefix("querystring.") {
            if let Some(value) = value(expression) {
                query.push((name, encode(value)));
            }
        } else if let Some(name) = target.strip_prefix("path.")
            && let Some(value) = value(expression)
        {
            path_values.push((name, encode(value)));
        }
    }
    let mut run = TemplateRun::new(template);
    let mut headers = HeaderMap::new();
    let body = if backend.proxy {
        for (name, value) in call.headers {
            if !PROXY_DROPPED_REQUEST_HEADERS.contains(&name.as_str()) {
                headers.append(name.clone(), value.clone());
            }
        }
        call.body.clone()
    } else {
        headers.insert(
            http::header::ACCEPT,
            HeaderValue::from_static("application/json"),
        );
        if let Ok(agent) = HeaderValue::from_str(&format!("AmazonAPIGateway_{}", call.api_id)) {
            headers.insert(http::header::USER_AGENT, agent);
        }
        if let Some(content_type) = call.headers.get(http::header::CONTENT_TYPE) {
            headers.insert(http::header::CONTENT_TYPE, content_type.clone());
        }
        let content_type = call
            .headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        match compiled
            .mapping
            .request_template(content_type)
            .map_err(|UnsupportedMediaType(t)| BackendError::UnsupportedMediaType(t))?
        {
            Some(template) => Bytes::from(run.render_request(template)?),
            None => call.body.clone(),
        }
    };
    add_gateway_headers(&mut headers, call);
    for (name, value) in mapped_headers {
        if backend.proxy || !CUSTOM_DROPPED_MAPPED_HEADERS.contains(&name.as_str()) {
            headers.insert(name, value);
        }
    }
    // `$context.requestOverride.*` set by an `HTTP` request template replace the mapped
    // path parameters, query parameters and headers (rule H.9).
    let overrides = run.response_overrides()?.unwrap_or_default();
    for (name, value) in &overrides.request_path {
        path_values.retain(|(n, _)| n != name);
        path_values.push((name.as_str(), Cow::Owned(encode_text(value))));
    }
    for (name, value) in &overrides.request_querystring {
        query.retain(|(n, _)| n != name);
        query.push((name.as_str(), Cow::Owned(encode_text(value))));
    }
    for (name, value) in &overrides.request_header {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.insert(name, value);
        }
    }
    let path_value = |name: &str| -> Option<Cow<'_, str>> {
        path_values
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .or_else(|| {
                UNMAPPED_URI_PARAMETER_FROM_PATH
                    .then(|| view.path_param(name).map(Cow::Borrowed))
                    .flatten()
            })
    };
    let client_query = if backend.proxy { call.query } else { None };
    let url = render_uri(
        &backend.uri,
        &path_value,
        call.stage_variables,
        &query,
        client_query,
    );
    let method = outgoing_method(&backend.http_method, call.method);

    let fetched = fetch(client, method, &url, headers, body, backend.timeout).await?;
    if backend.proxy {
        let mut response = Response::new(Full::new(fetched.body));
        *response.status_mut() = fetched.status;
        pass_response_headers(&fetched.headers, response.headers_mut(), true);
        return Ok(BackendAnswer {
            response,
            url,
            selected: None,
        });
    }

    let mapping = &compiled.mapping;
    let status = fetched.status.as_u16();
    let chosen =
        mapping
            .select(&status.to_string())
            .ok_or_else(|| BackendError::NoIntegrationResponse {
                status,
                detail: mapping.pattern_errors(),
            })?;
    let selected = &mapping.integration.responses[chosen];
    let body = match mapping.render_response_template(chosen, &mut run, &fetched.body) {
        Some(rendered) => Bytes::from(rendered?),
        None => fetched.body.clone(),
    };
    let lookup = |source: &str| backend_value(source, &fetched);
    let mut response = mock::method_response(selected, body, view, Some(&lookup))
        .map_err(|BadStatus(status)| BackendError::BadStatus(status))?;
    remap_mapped_headers(selected, response.headers_mut());
    if let Some(overrides) = run.response_overrides()? {
        apply_response_overrides(&mut response, &overrides);
    }
    Ok(BackendAnswer {
        response,
        url,
        selected: Some(selected),
    })
}

/// Runs an HTTP API `HTTP_PROXY` integration (H.13): the client's request with the parameter
/// mappings applied; the backend's response passes (the pipeline's CORS phase then replaces
/// its `Access-Control-*` headers when the API has a `CorsConfiguration`).
pub(crate) async fn respond_http_api(
    client: &BackendClient,
    backend: &HttpApiBackend,
    call: &BackendCall<'_>,
    view: &RequestView<'_>,
    peer: IpAddr,
    local_port: u16,
) -> Result<(Response<Full<Bytes>>, String), BackendError> {
    let mut headers = HeaderMap::new();
    for (name, value) in call.headers {
        if !PROXY_DROPPED_REQUEST_HEADERS.contains(&name.as_str()) {
            headers.append(name.clone(), value.clone());
        }
    }
    if HTTP_API_ADDS_FORWARDED_HEADERS {
        let host = view
            .header_text("host")
            .unwrap_or(Cow::Borrowed("localhost"));
        let forwarded = [
            ("forwarded", format!("for={peer};host={host};proto=http")),
            ("x-forwarded-for", peer.to_string()),
            ("x-forwarded-proto", "http".to_owned()),
            ("x-forwarded-port", local_port.to_string()),
        ];
        for (name, value) in forwarded {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(HeaderName::from_static(name), value);
            }
        }
    }
    add_gateway_headers(&mut headers, call);
    let mut client_query: Vec<(String, String)> = call
        .query
        .map(|q| {
            form_pairs(q)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default();
    let mut path_override: Option<String> = None;
    for (key, template) in &backend.request_parameters {
        let Some((operation, target)) = key.split_once(':') else {
            continue;
        };
        let operation = operation.to_ascii_lowercase();
        let value = http_api_value(template, view, call);
        if target == "path" {
            path_override = Some(value);
        } else if let Some(name) = target.strip_prefix("header.") {
            let Ok(header) = HeaderName::from_bytes(name.as_bytes()) else {
                continue;
            };
            match operation.as_str() {
                "remove" => {
                    headers.remove(&header);
                }
                op => {
                    if let Ok(value) = HeaderValue::from_str(&value) {
                        if op == "overwrite" {
                            headers.insert(header, value);
                        } else {
                            headers.append(header, value);
                        }
                    }
                }
            }
        } else if let Some(name) = target.strip_prefix("querystring.") {
            match operation.as_str() {
                "remove" => client_query.retain(|(k, _)| k != name),
                "overwrite" => {
                    client_query.retain(|(k, _)| k != name);
                    client_query.push((name.to_owned(), value));
                }
                _ => client_query.push((name.to_owned(), value)),
            }
        }
    }
    let path_value = |name: &str| -> Option<Cow<'_, str>> {
        view.path_param(name)
            .or_else(|| view.path_param(&format!("{name}+")))
            .map(Cow::Borrowed)
    };
    let query: Vec<(&str, Cow<'_, str>)> = client_query
        .iter()
        .map(|(k, v)| (k.as_str(), Cow::Owned(encode_text(v))))
        .collect();
    let mut url = render_uri(&backend.uri, &path_value, call.stage_variables, &[], None);
    if let Some(path) = path_override {
        url = replace_path(&url, &path);
    }
    let url = append_query(url, &query, None);
    let method = outgoing_method(&backend.http_method, call.method);
    let fetched = fetch(
        client,
        method,
        &url,
        headers,
        call.body.clone(),
        backend.timeout,
    )
    .await?;
    let mut response = Response::new(Full::new(fetched.body));
    *response.status_mut() = fetched.status;
    pass_response_headers(
        &fetched.headers,
        response.headers_mut(),
        HTTP_API_REMAPS_RESPONSE_HEADERS,
    );
    Ok((response, url))
}

/// `X-Amzn-Apigateway-Api-Id` and `X-Amzn-Trace-Id` (the client's, else a new one), H.3.
fn add_gateway_headers(headers: &mut HeaderMap, call: &BackendCall<'_>) {
    if let Ok(value) = HeaderValue::from_str(call.api_id) {
        headers.insert("x-amzn-apigateway-api-id", value);
    }
    if !headers.contains_key("x-amzn-trace-id")
        && let Ok(value) = HeaderValue::from_str(call.trace_id)
    {
        headers.insert("x-amzn-trace-id", value);
    }
}

/// The integration's method; `ANY` sends the client's (H.4).
fn outgoing_method(integration: &str, client: &Method) -> Method {
    if integration == "ANY" {
        return client.clone();
    }
    Method::from_bytes(integration.as_bytes()).unwrap_or_else(|_| client.clone())
}

/// A mapped value with whether it is already URL-encoded (a raw path parameter).
struct MappedValue<'a> {
    text: Cow<'a, str>,
    raw: bool,
}

/// A REST mapping expression's value: `method.request.*`, `'literal'`, `stageVariables.x`,
/// `context.x`; `None` when the request lacks it.
fn mapped<'a>(
    expression: &'a str,
    view: &RequestView<'a>,
    call: &BackendCall<'a>,
) -> Option<MappedValue<'a>> {
    if let Some(name) = expression.strip_prefix("stageVariables.") {
        return call.stage_variables.get(name).map(|v| MappedValue {
            text: Cow::Borrowed(v.as_str()),
            raw: false,
        });
    }
    if let Some(name) = expression.strip_prefix("context.") {
        return (call.context)(name).map(|v| MappedValue {
            text: Cow::Owned(v),
            raw: false,
        });
    }
    let raw = expression.starts_with("method.request.path.");
    let text = match map_value(expression, view) {
        Mapped::Absent => return None,
        Mapped::Literal(text) | Mapped::Raw(text) => Cow::Borrowed(text),
        Mapped::Header(value) => String::from_utf8_lossy(value.as_bytes()),
        Mapped::Text(text) => text,
    };
    Some(MappedValue { text, raw })
}

/// A value for a URL: raw path values as they are, anything else percent-encoded.
fn encode(value: MappedValue<'_>) -> Cow<'_, str> {
    if value.raw {
        value.text
    } else {
        Cow::Owned(encode_text(&value.text))
    }
}

fn encode_text(text: &str) -> String {
    utf8_percent_encode(text, COMPONENT).to_string()
}

/// The URI with `${stageVariables.x}` and `{name}` filled (a placeholder without a value
/// renders empty), then the mapped `query` and the client's raw query appended (H.2, H.3).
fn render_uri<'v>(
    template: &str,
    path_value: &dyn Fn(&str) -> Option<Cow<'v, str>>,
    stage_variables: &indexmap::IndexMap<String, String>,
    query: &[(&str, Cow<'_, str>)],
    client_query: Option<&str>,
) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let stage_variable = rest[..open].ends_with('$');
        let head = if stage_variable {
            &rest[..open - 1]
        } else {
            &rest[..open]
        };
        out.push_str(head);
        let Some(close) = rest[open..].find('}') else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let name = &rest[open + 1..open + close];
        if stage_variable {
            let variable = name.strip_prefix("stageVariables.").unwrap_or(name);
            if let Some(value) = stage_variables.get(variable) {
                out.push_str(value);
            }
        } else if let Some(value) = path_value(name.trim_end_matches('+')) {
            out.push_str(&value);
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    append_query(out, query, client_query)
}

/// `url` with `query` pairs (already encoded) and a raw query appended after its own.
fn append_query(mut url: String, query: &[(&str, Cow<'_, str>)], raw: Option<&str>) -> String {
    let raw = raw.filter(|q| !q.is_empty());
    if query.is_empty() && raw.is_none() {
        return url;
    }
    let mut separator = if url.contains('?') { '&' } else { '?' };
    if url.ends_with(['?', '&']) {
        separator = '\0';
    }
    for (name, value) in query {
        if separator != '\0' {
            url.push(separator);
        }
        url.push_str(&encode_text(name));
        url.push('=');
        url.push_str(value);
        separator = '&';
    }
    if let Some(raw) = raw {
        if separator != '\0' {
            url.push(separator);
        }
        url.push_str(raw);
    }
    url
}

/// `url` with its path replaced by `path` (HTTP API `overwrite:path`).
fn replace_path(url: &str, path: &str) -> String {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let path_start = url[after_scheme..]
        .find('/')
        .map_or(url.len(), |i| after_scheme + i);
    let query_start = url[path_start..]
        .find('?')
        .map_or(url.len(), |i| path_start + i);
    let path = if path.starts_with('/') {
        Cow::Borrowed(path)
    } else {
        Cow::Owned(format!("/{path}"))
    };
    format!("{}{path}{}", &url[..path_start], &url[query_start..])
}

/// Decoded `(name, value)` pairs of a raw query string.
fn form_pairs(query: &str) -> impl Iterator<Item = (Cow<'_, str>, Cow<'_, str>)> {
    query.split('&').filter(|p| !p.is_empty()).map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(key), decode(value))
    })
}

fn decode(raw: &str) -> Cow<'_, str> {
    if !raw.contains(['+', '%']) {
        return Cow::Borrowed(raw);
    }
    let spaced = raw.replace('+', " ");
    Cow::Owned(
        percent_encoding::percent_decode_str(&spaced)
            .decode_utf8_lossy()
            .into_owned(),
    )
}

/// An HTTP API mapping value: text with `$request.header.x`, `$request.querystring.x`,
/// `$request.path`, `$request.path.x`, `$request.body.x`, `$context.x`, `$stageVariables.x`
/// (also as `${…}`) replaced; an unknown or absent variable renders empty.
fn http_api_value(template: &str, view: &RequestView<'_>, call: &BackendCall<'_>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        let after = &rest[dollar + 1..];
        let (name, consumed) = if let Some(inner) = after.strip_prefix('{') {
            match inner.find('}') {
                Some(close) => (&inner[..close], close + 2),
                None => (inner, inner.len() + 1),
            }
        } else {
            let len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
                .unwrap_or(after.len());
            (&after[..len], len)
        };
        if name.is_empty() {
            out.push('$');
        } else {
            out.push_str(&variable(name, view, call));
        }
        rest = &after[consumed..];
    }
    out.push_str(rest);
    out
}

fn variable(name: &str, view: &RequestView<'_>, call: &BackendCall<'_>) -> String {
    if let Some(header) = name.strip_prefix("request.header.") {
        return view
            .header_text(header)
            .map(Cow::into_owned)
            .unwrap_or_default();
    }
    if let Some(query) = name.strip_prefix("request.querystring.") {
        return view
            .query_param(query)
            .map(Cow::into_owned)
            .unwrap_or_default();
    }
    if name == "request.path" {
        return call.path.to_owned();
    }
    if let Some(param) = name.strip_prefix("request.path.") {
        return view
            .path_param(param)
            .or_else(|| view.path_param(&format!("{param}+")))
            .unwrap_or_default()
            .to_owned();
    }
    if let Some(path) = name.strip_prefix("request.body") {
        let Ok(document) = serde_json::from_slice::<Value>(call.body) else {
            return String::new();
        };
        let Ok(path) = serde_json_path::JsonPath::parse(&format!("${path}")) else {
            return String::new();
        };
        return match path.query(&document).first() {
            Some(Value::String(text)) => text.clone(),
            Some(other) => other.to_string(),
            None => String::new(),
        };
    }
    if let Some(variable) = name.strip_prefix("stageVariables.") {
        return call
            .stage_variables
            .get(variable)
            .cloned()
            .unwrap_or_default();
    }
    if let Some(context) = name.strip_prefix("context.") {
        return (call.context)(context).unwrap_or_default();
    }
    String::new()
}

/// What came back from the backend.
struct Fetched {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

/// Sends the request and reads the whole answer within `timeout`; redirects are not followed.
async fn fetch(
    client: &BackendClient,
    method: Method,
    url: &str,
    headers: HeaderMap,
    body: Bytes,
    timeout: Duration,
) -> Result<Fetched, BackendError> {
    let failed = |detail: String| BackendError::Failed {
        url: url.to_owned(),
        detail,
    };
    let client = client.client.as_ref().map_err(|e| failed(e.clone()))?;
    let parsed = reqwest::Url::parse(url).map_err(|_| BackendError::BadUri(url.to_owned()))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(BackendError::BadUri(url.to_owned()));
    }
    let mut request = client.request(method, parsed).headers(headers);
    if !body.is_empty() {
        request = request.body(body);
    }
    let exchange = async {
        let mut response = request.send().await.map_err(|e| classify(e, url))?;
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| classify(e, url))? {
            if body.len() + chunk.len() > MAX_BACKEND_RESPONSE_BYTES {
                return Err(failed(format!(
                    "the response is larger than API Gateway's {MAX_BACKEND_RESPONSE_BYTES}-byte payload limit"
                )));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Fetched {
            status,
            headers,
            body: Bytes::from(body),
        })
    };
    tokio::time::timeout(timeout, exchange)
        .await
        .map_err(|_| BackendError::Timeout {
            url: url.to_owned(),
            after: timeout,
        })?
}

/// A refused connection, or another failure, with its innermost cause.
fn classify(error: reqwest::Error, url: &str) -> BackendError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&error);
    let mut innermost = error.to_string();
    let mut refused = false;
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionRefused
        {
            refused = true;
        }
        innermost = cause.to_string();
        source = cause.source();
    }
    let url = url.to_owned();
    if refused {
        BackendError::Refused {
            url,
            detail: innermost,
        }
    } else {
        BackendError::Failed {
            url,
            detail: innermost,
        }
    }
}

/// The backend's headers into the client's response: framing headers dropped; on REST
/// (`remap`) the recorded ones renamed `x-amzn-Remapped-<name>` (H.5).
fn pass_response_headers(from: &HeaderMap, to: &mut HeaderMap, remap: bool) {
    for (name, value) in from {
        let lower = name.as_str();
        if DROPPED_BACKEND_RESPONSE_HEADERS.contains(&lower) {
            continue;
        }
        if remap && PROXY_REMAPPED_RESPONSE_HEADERS.contains(&lower) {
            if let Ok(renamed) =
                HeaderName::from_bytes(format!("x-amzn-remapped-{lower}").as_bytes())
            {
                to.append(renamed, value.clone());
            }
            continue;
        }
        if !remap && matches!(lower, "connection" | "content-length") {
            continue;
        }
        to.append(name.clone(), value.clone());
    }
}

/// Response-parameter headers with reserved names come out as `x-amzn-Remapped-<name>` (H.8).
fn remap_mapped_headers(selected: &IntegrationResponse, headers: &mut HeaderMap) {
    for key in selected.response_parameters.keys() {
        let Some(name) = key.strip_prefix("method.response.header.") else {
            continue;
        };
        let lower = name.to_ascii_lowercase();
        if !CUSTOM_REMAPPED_RESPONSE_HEADERS.contains(&lower.as_str()) {
            continue;
        }
        let Some(value) = headers.remove(lower.as_str()) else {
            continue;
        };
        if let Ok(renamed) = HeaderName::from_bytes(format!("x-amzn-remapped-{lower}").as_bytes()) {
            headers.insert(renamed, value);
        }
    }
}

/// `integration.response.<source>` of an `HTTP` integration: `header.<name>` a backend
/// header, `body` the body's text, `body.<JSONPath>` a field of its JSON.
fn backend_value(source: &str, fetched: &Fetched) -> Option<HeaderValue> {
    if let Some(name) = source.strip_prefix("header.") {
        return fetched.headers.get(name).cloned();
    }
    if source == "body" {
        return HeaderValue::from_bytes(&fetched.body).ok();
    }
    let path = source
        .strip_prefix("body")
        .filter(|path| path.starts_with(['.', '[']))?;
    let path = serde_json_path::JsonPath::parse(&format!("${path}")).ok()?;
    let document: Value = serde_json::from_slice(&fetched.body).ok()?;
    match path.query(&document).first()? {
        Value::String(text) => HeaderValue::from_str(text).ok(),
        other => HeaderValue::from_str(&other.to_string()).ok(),
    }
}

#[cfg(test)]
#[path = "http_tests.rs"]
mod tests;
