//! Phase 8, **observe**, its CORS half: for a request that carries `Origin`, decide as a
//! browser would whether the page may read the response (`gatewise-cors`, the same code
//! `probe` uses), and when it may not, produce the one line that says why, which part of the
//! template caused it, and the fix.
//!
//! Requests without `Origin` (curl, server-to-server) cost one header lookup here.

use gatewise_cors::explain::{self, Producer};
use gatewise_cors::fetch::{Blocked, ResponseHeaders, Rule};
use gatewise_cors::observe::{ObservedRequest, observe};
use gatewise_model::{IntegrationResponse, Method, Resource, RestApi};
use http::request::Parts;
use http::{HeaderMap, header};

use crate::observe::http_source::{HttpAnswer, HttpSource};
use crate::observe::source::{GatewayCause, ResponseSource};

/// What the observe phase knows about one finished exchange.
pub(crate) struct Observed<'e, 'a> {
    pub parts: &'e Parts,
    pub status: u16,
    pub response_headers: &'e HeaderMap,
    pub source: &'e ResponseSource<'a>,
    /// The API the request reached (or whose gateway responses answered it).
    pub api: Option<&'a RestApi>,
    /// The REST resource and method that matched, when one did.
    pub reached: Option<(&'a Resource, &'a Method)>,
}

/// Why browsers refuse a response: the line, and whether every browser does (`false`:
/// Chromium allows it, Firefox and Safari do not). The inspector shows the two differently.
pub(crate) struct Explanation {
    pub line: String,
    pub everywhere: bool,
}

/// The explanation for a response a browser would block — or that Chromium allows but
/// Firefox and Safari block — or `None` when browsers allow it or the request is not a
/// cross-origin browser request.
pub(crate) fn explanation(observed: &Observed<'_, '_>) -> Option<Explanation> {
    let headers = &observed.parts.headers;
    let origin = headers.get(header::ORIGIN)?.to_str().ok()?;
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let request = ObservedRequest {
        method: observed.parts.method.as_str(),
        origin: Some(origin),
        access_control_request_method: text("access-control-request-method"),
        access_control_request_headers: text("access-control-request-headers"),
        has_cookie: headers.contains_key(header::COOKIE),
        sec_fetch_mode: text("sec-fetch-mode"),
        sec_fetch_site: text("sec-fetch-site"),
    };
    let response = ResponseHeaders::from_header_map(observed.response_headers);
    let verdict = observe(&request, observed.status, &response)?;
    // For a preflight, name the request the page wants to make.
    let wanted = match (verdict.preflight, request.access_control_request_method) {
        (true, Some(method)) => method,
        _ => request.method,
    };
    let route = format!("{wanted} {}", observed.parts.uri.path());
    let Some(blocked) = verdict.blocked else {
        // Chromium allows it; say so when Firefox and Safari do not.
        let refused = verdict.standard_block?;
        let producer = producer(observed)?;
        return Some(Explanation {
            line: explain::explain_for_other_browsers(&route, &refused, &producer),
            everywhere: false,
        });
    };
    let mapped = match observed.source {
        ResponseSource::LambdaIntegration {
            resource,
            method,
            selected,
            ..
        } => Some((*resource, *method, *selected, "AWS")),
        ResponseSource::Backend {
            resource,
            method,
            selected: Some(selected),
            ..
        } => Some((*resource, *method, *selected, "HTTP")),
        _ => None,
    };
    if let Some((resource, method, selected, kind)) = mapped {
        let line =
            integration_response_explanation(&route, &blocked, resource, method, selected, kind);
        return Some(everywhere(line.replace(['\r', '\n'], " ")));
    }
    let backend = match observed.source {
        ResponseSource::Backend {
            backend,
            url,
            selected: None,
            ..
        } => Some((
            url.as_str(),
            &backend.location,
            "a REST API HTTP_PROXY integration passes the backend's headers and adds none"
                .to_owned(),
        )),
        ResponseSource::Http(HttpSource {
            api: Some(api),
            answer: HttpAnswer::Backend { backend, url },
            ..
        }) if api.cors.is_none() => Some((
            url.as_str(),
            &backend.location,
            format!(
                "HTTP API {} ({}) has no `CorsConfiguration`, so the backend's headers pass as they are",
                api.logical_id, api.location
            ),
        )),
        _ => None,
    };
    if let Some((url, at, why)) = backend {
        let line = backend_explanation(&route, &blocked, url, at, &why);
        return Some(everywhere(line.replace(['\r', '\n'], " ")));
    }
    Some(everywhere(match producer(observed) {
        Some(producer) => explain::explain(&route, &blocked, &producer),
        None => format!(
            "CORS: the browser will block {route} from {origin}: {}",
            blocked.message
        ),
    }))
}

fn everywhere(line: String) -> Explanation {
    Explanation {
        line,
        everywhere: true,
    }
}

/// The explanation for an `AWS` (non-proxy) Lambda integration's response: its headers come
/// only from the selected integration response's `ResponseParameters` (the function cannot
/// add any), so that is what the fix edits — for every integration response, error ones
/// included (scenario 1, non-proxy variant).
fn integration_response_explanation(
    route: &str,
    blocked: &Blocked,
    resource: &Resource,
    method: &Method,
    selected: &IntegrationResponse,
    kind: &str,
) -> String {
    let which = match &selected.selection_pattern {
        Some(pattern) => format!("selection pattern {pattern:?}"),
        None => "the default".to_owned(),
    };
    let response = format!(
        "integration response {} ({which}) of {} {} ({})",
        selected.status_code, method.http_method, resource.path, selected.location
    );
    let (cause, fix) = if blocked.rule == Rule::MissingAllowOrigin {
        (
            format!(
                "{response} maps no Access-Control-Allow-Origin, and with an {kind} (non-proxy) \
                 integration only integration responses set headers"
            ),
            "map `method.response.header.Access-Control-Allow-Origin` to `'*'` (or the page's \
             origin) in its ResponseParameters, and in every other integration response of the \
             method, error ones included"
                .to_owned(),
        )
    } else {
        (
            format!("{response} maps these Access-Control-* values"),
            "correct the `method.response.header.Access-Control-*` values in its \
             ResponseParameters"
                .to_owned(),
        )
    };
    format!(
        "CORS: the browser will block {route} from {}: {}. Cause: {cause}. Fix: {fix}.",
        blocked.origin,
        blocked.message.trim_end_matches('.')
    )
}

/// The explanation for an `HTTP_PROXY` backend's response (rules H.6, H.13): its headers are
/// the backend's, so the backend at `url` is the cause and what the fix changes.
fn backend_explanation(
    route: &str,
    blocked: &Blocked,
    url: &str,
    at: &gatewise_model::SourceLocation,
    why: &str,
) -> String {
    let (cause, fix) = if blocked.rule == Rule::MissingAllowOrigin {
        (
            format!(
                "the HTTP_PROXY backend {url} (integration uri at {at}) returned no \
                 Access-Control-Allow-Origin, and {why}"
            ),
            "return `Access-Control-Allow-Origin` from the backend on every response, errors \
             included (its CORS middleware), or answer the route from an integration that adds it"
                .to_owned(),
        )
    } else {
        (
            format!(
                "the HTTP_PROXY backend {url} (integration uri at {at}) returned these \
                 Access-Control-* values, and {why}"
            ),
            "correct the Access-Control-* headers the backend returns".to_owned(),
        )
    };
    format!(
        "CORS: the browser will block {route} from {}: {}. Cause: {cause}. Fix: {fix}.",
        blocked.origin,
        blocked.message.trim_end_matches('.')
    )
}

/// The template-side description of who answered, for the explanation's cause and fix.
fn producer<'a>(observed: &Observed<'_, 'a>) -> Option<Producer<'a>> {
    Some(match observed.source {
        ResponseSource::Function { function } if function.is_stub() => Producer::StubFunction {
            name: &function.logical_id,
            location: &function.location,
        },
        ResponseSource::Function { function } => Producer::Function {
            name: &function.logical_id,
            location: &function.location,
            rest_proxy: true,
        },
        // Explained by `integration_response_explanation` / `backend_explanation`: no
        // producer of `gatewise-cors` says "integration response" or "backend".
        ResponseSource::LambdaIntegration { .. } | ResponseSource::Backend { .. } => {
            return None;
        }
        ResponseSource::Http(http) => return http.producer(observed.status),
        ResponseSource::Mock { method, .. } => Producer::MockMethod {
            location: &method.location,
            generated_from_cors: method.provenance.generated_from_cors.as_ref(),
        },
        ResponseSource::Gateway {
            response_type,
            configured,
            cause,
        } => {
            let api = observed.api?;
            Producer::GatewayResponse {
                response_type: response_type.name(),
                status: observed.status,
                configured_at: configured.map(|c| &c.location),
                api_name: &api.logical_id,
                api_location: &api.location,
                cause: gateway_cause(cause, observed.reached.map(|(_, method)| method)),
            }
        }
    })
}

fn gateway_cause<'a>(
    cause: &GatewayCause<'a>,
    method: Option<&'a Method>,
) -> explain::GatewayCause<'a> {
    let provenance = method.map(|m| &m.provenance);
    let generated_from_cors = provenance.is_some_and(|p| p.generated_from_cors.is_some());
    match cause {
        GatewayCause::NoRoute => explain::GatewayCause::NoRoute,
        GatewayCause::ApiKey { provenance, .. } => explain::GatewayCause::ApiKey {
            required_at: provenance.api_key_required_at.as_ref(),
            sam_cors_preflight: provenance.generated_from_cors.is_some(),
        },
        GatewayCause::MissingIdentity { authorizer, .. } => {
            explain::GatewayCause::MissingIdentity {
                authorizer: &authorizer.name,
                at: provenance.and_then(|p| p.authorization_at.as_ref()),
                sam_cors_preflight: generated_from_cors,
            }
        }
        GatewayCause::AuthorizerDenied { .. } => explain::GatewayCause::AuthorizerDenied,
        GatewayCause::AwsIamUnsigned => explain::GatewayCause::AwsIam,
        GatewayCause::FunctionFailed { function, .. }
        | GatewayCause::IntegrationTimeout { function } => explain::GatewayCause::FunctionFailed {
            name: &function.logical_id,
            location: &function.location,
        },
        GatewayCause::AuthorizerFailed { .. }
        | GatewayCause::BackendFailed
        | GatewayCause::NotServed { .. }
        | GatewayCause::MockFailure
        | GatewayCause::LambdaIntegrationFailure
        | GatewayCause::TooLarge
        | GatewayCause::BadRequestBody
        | GatewayCause::RequestValidation
        | GatewayCause::UnsupportedMediaType => explain::GatewayCause::Other,
    }
}
