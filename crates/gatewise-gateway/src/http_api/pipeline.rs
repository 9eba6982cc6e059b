//! The HTTP API pipeline (API Gateway v2), every phase strung together: match (Phase 1,
//! `router`, whose verdict the gateway hands over) → CORS preflight (Phase 2, spec 8.4, here)
//! → authorize (3, `authorize`) → integrate (4a, payload 2.0 / 1.0 events from `event`) →
//! shape (5, `response`) → decorate with `CorsConfiguration` (spec 8.9-8.10, 8.14, here) →
//! observe (8). Like the REST pipeline it owns nothing mutable: requests never wait on each
//! other.

use std::net::SocketAddr;
use std::time::Instant;

use bytes::Bytes;
use gatewise_cors::http_api::{
    GATEWAY_ERRORS_CARRY_CORS, PREFLIGHT_STATUS, ROUTED_PREFLIGHT_RUNS_INTEGRATION, is_preflight,
};
use gatewise_lambda::{Dispatch, Invocation, LogTail};
use gatewise_model::{HttpApi, HttpApiBackend, HttpIntegration, HttpRoute, PayloadFormat, Stack};
use http::request::Parts;
use http::{HeaderName, HeaderValue, Response, StatusCode};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Body;
use jiff::Timestamp;
use serde_json::Value;

use crate::http_api::authorize::{HttpAuthRequest, authorize_http};
use crate::http_api::error::HttpError;
use crate::http_api::event::{HttpV1Target, V2Target, build_event_v2, build_http_v1_event};
use crate::http_api::response::{parse_v1_response, parse_v2_response};
use crate::http_api::router::{HttpDispatch, HttpMatch, HttpRoutes};
use crate::inspector::Inspector;
use crate::integration::http::{BackendCall, BackendClient, BackendError, respond_http_api};
use crate::integration::invoke::{Invoke, queued_timeout_reason};
use crate::observe::cors_verdict::Observed;
use crate::observe::http_source::{HttpAnswer, HttpCause, HttpSource};
use crate::observe::source::ResponseSource;
use crate::observe::{Exchange, record};
use crate::request::head_tap::RawHeaderNames;
use crate::request::ids::{RequestIds, trace_id};
use crate::request::params::RequestView;
use crate::request::{ConnectionInfo, MAX_REQUEST_BODY_BYTES};
use crate::rest::event::{EventIds, EventRequest};

/// The header carrying the request id on every HTTP API response (spec 5.12).
const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("apigw-requestid");

/// What the HTTP API pipeline needs of the gateway, borrowed for one request.
pub(crate) struct HttpPipeline<'g> {
    pub stack: &'g Stack,
    pub routes: &'g HttpRoutes,
    pub functions: &'g dyn Invoke,
    /// The pooled client of `HTTP_PROXY` integrations.
    pub backends: &'g BackendClient,
    /// Where finished requests are shown live, when the inspector is on.
    pub inspector: Option<&'g Inspector>,
    /// What the functions this request runs log, for the inspector (`functions` feeds it).
    pub function_log: Option<&'g LogTail>,
}

/// One request, as the phases after matching see it.
struct Incoming<'r> {
    parts: &'r Parts,
    peer: SocketAddr,
    local: SocketAddr,
    raw_names: Option<&'r RawHeaderNames>,
    ids: &'r RequestIds,
    /// A CORS preflight (spec 8.3).
    preflight: bool,
}

type Answered<'g> = Result<(Response<Full<Bytes>>, HttpAnswer<'g>), HttpError<'g>>;

impl<'g> HttpPipeline<'g> {
    /// Runs one request that `dispatch` sent to an HTTP API; never fails. Every response
    /// carries `apigw-requestid` (spec 5.12).
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn handle<B>(
        &self,
        dispatch: HttpDispatch<'g, '_>,
        parts: &Parts,
        body: B,
        connection: ConnectionInfo,
        raw_names: Option<&RawHeaderNames>,
        ids: &RequestIds,
        started: Instant,
    ) -> Response<Full<Bytes>>
    where
        B: Body<Data = Bytes> + Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let method = parts.method.as_str();
        let path = parts.uri.path();
        let incoming = Incoming {
            parts,
            peer: connection.peer,
            local: connection.local,
            raw_names,
            ids,
            preflight: is_preflight(method, &parts.headers),
        };
        let (api, route, answered) = match dispatch {
            HttpDispatch::Route(found) => {
                let api = &self.stack.http_apis[found.entry.api];
                let route = &api.routes[found.entry.route];
                let answered = self.run(&found, api, route, &incoming, body).await;
                (Some(found.entry.api), Some(route), answered)
            }
            HttpDispatch::Cors { api } => (Some(api), None, Ok(self.cors_answer(api, &incoming))),
            HttpDispatch::NotFound { api } => {
                let reason = format!(
                    "no HTTP API route matches {method} {path} (`gatewise routes` lists them){}",
                    if method == "OPTIONS" {
                        "; without `CorsConfiguration` an OPTIONS request needs a route"
                    } else {
                        ""
                    }
                );
                (api, None, Err(HttpError::not_found(reason)))
            }
        };
        let cors = api.and_then(|a| self.routes.cors(a));
        let origin = parts.headers.get(http::header::ORIGIN);
        let (mut response, answer, reason) = match answered {
            Ok((mut response, answer)) => {
                // Spec 8.10 / H.13: the configuration replaces what the function or the
                // backend returned.
                if let (Some(cors), HttpAnswer::Function(_) | HttpAnswer::Backend { .. }) =
                    (cors, &answer)
                {
                    cors.decorate(origin, incoming.preflight, response.headers_mut());
                }
                (response, answer, None)
            }
            Err(error) => {
                let mut response = error.render();
                if let Some(cors) = cors.filter(|_| GATEWAY_ERRORS_CARRY_CORS) {
                    cors.decorate(origin, false, response.headers_mut());
                }
                let answer = HttpAnswer::Error {
                    message: error.message,
                    cause: error.cause,
                };
                (response, answer, Some(error.reason))
            }
        };
        if let Ok(value) = HeaderValue::from_str(&ids.apigw_id) {
            response.headers_mut().insert(REQUEST_ID_HEADER, value);
        }
        let source = ResponseSource::Http(HttpSource {
            api: api.map(|a| &self.stack.http_apis[a]),
            route,
            answer,
        });
        record(
            &Exchange {
                method,
                path,
                status: response.status(),
                elapsed: started.elapsed(),
                source: &source,
                reason: reason.as_deref(),
            },
            &Observed {
                parts,
                status: response.status().as_u16(),
                response_headers: response.headers(),
                source: &source,
                api: None,
                reached: None,
            },
            self.inspector,
            self.function_log,
        );
        response
    }

    /// The gateway's own answer to an OPTIONS request on an API with `CorsConfiguration`
    /// (spec 8.4, 8.7, 8.8): 204, empty body, the preflight headers when it is a preflight
    /// from an allowed origin. An OPTIONS without `Origin` or `Access-Control-Request-Method`
    /// is no preflight (8.3) and gets the bare 204 (scenario 4(c)).
    fn cors_answer(
        &self,
        api: usize,
        incoming: &Incoming<'_>,
    ) -> (Response<Full<Bytes>>, HttpAnswer<'g>) {
        let headers = self.routes.cors(api).map(|cors| {
            cors.preflight_headers(
                incoming.parts.headers.get(http::header::ORIGIN),
                incoming.preflight,
            )
        });
        let mut response = Response::new(Full::default());
        *response.status_mut() = PREFLIGHT_STATUS;
        if let Some(headers) = headers {
            *response.headers_mut() = headers;
        }
        (response, HttpAnswer::Cors)
    }

    /// Phases 3-5 for a matched route: read the body, authorize, integrate, shape.
    async fn run<B>(
        &self,
        found: &HttpMatch<'g, '_>,
        api: &'g HttpApi,
        route: &'g HttpRoute,
        incoming: &Incoming<'_>,
        body: B,
    ) -> Answered<'g>
    where
        B: Body<Data = Bytes> + Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let parts = incoming.parts;
        let body = read_body(body).await?;
        let path_params: Vec<(&str, &str)> = found.params().collect();
        let now = Timestamp::now();
        let new_trace_id = trace_id(now.as_second());
        let event_request = EventRequest {
            method: parts.method.as_str(),
            raw_path: parts.uri.path(),
            query: parts.uri.query(),
            headers: &parts.headers,
            raw_names: incoming.raw_names,
            authority: parts.uri.authority().map(|a| a.as_str()),
            body: &body,
            client_ip: incoming.peer.ip().to_canonical(),
            local_port: incoming.local.port(),
        };
        let event_ids = EventIds {
            request_id: &incoming.ids.apigw_id,
            extended_request_id: &incoming.ids.apigw_id,
            new_trace_id: &new_trace_id,
            time: now,
        };
        // Payload 1.0 `resource`: the route's path, or the request's for `$default`.
        let resource = route
            .route_key
            .split_once(' ')
            .map_or(parts.uri.path(), |(_, path)| path);
        let event = |format: PayloadFormat, authorizer: Option<&Value>| match format {
            PayloadFormat::V2 => build_event_v2(
                &event_request,
                &V2Target {
                    api,
                    route_key: &route.route_key,
                    path_params: &path_params,
                    authorizer,
                },
                &event_ids,
            ),
            PayloadFormat::V1 => build_http_v1_event(
                &event_request,
                &HttpV1Target {
                    api,
                    resource,
                    path_params: &path_params,
                    authorizer,
                },
                &event_ids,
            ),
        };
        let authorizer = authorize_http(
            found.entry,
            api,
            route,
            self.stack,
            self.functions,
            &HttpAuthRequest {
                view: RequestView {
                    headers: &parts.headers,
                    query: parts.uri.query(),
                    path_params: &path_params,
                },
                method: parts.method.as_str(),
                path: parts.uri.path(),
                event: &|format| event(format, None).payload,
            },
        )
        .await?;
        if incoming.preflight
            && !ROUTED_PREFLIGHT_RUNS_INTEGRATION
            && self.routes.cors(found.entry.api).is_some()
        {
            return Ok(self.cors_answer(found.entry.api, incoming));
        }
        let (function_index, format, timeout) = match &route.integration {
            HttpIntegration::Lambda {
                function,
                payload_format,
                timeout,
            } => (*function, *payload_format, *timeout),
            HttpIntegration::HttpProxy(backend) => {
                return self
                    .call_backend(backend, api, route, incoming, &body, &path_params, now)
                    .await;
            }
            HttpIntegration::NotServed { integration_type } => {
                return Err(HttpError::internal(
                    format!(
                        "route `{}` ({}): integration type {integration_type} is not served by \
                         gatewise yet",
                        route.route_key, route.location
                    ),
                    HttpCause::NotServed,
                ));
            }
        };
        let built = event(format, authorizer.as_ref());
        drop(body);
        let function = &self.stack.functions[function_index];
        let failed = HttpCause::FunctionFailed(function);
        let dispatch = Dispatch::new();
        let invocation = Invocation {
            request_id: uuid::Uuid::new_v4().to_string(),
            payload: Bytes::from(built.payload),
            dispatch: dispatch.clone(),
            log: None,
        };
        let output =
            match tokio::time::timeout(timeout, self.functions.invoke(function_index, invocation))
                .await
            {
                Err(_) => {
                    let reason = queued_timeout_reason(
                        "HTTP API integration timeout",
                        timeout,
                        function,
                        &dispatch,
                    )
                    .unwrap_or_else(|| {
                        format!(
                            "the integration timed out after {:?} (HTTP API integration timeout; \
                             function {} declared at {} has Timeout {:?})",
                            timeout, function.logical_id, function.location, function.timeout
                        )
                    });
                    return Err(HttpError::unavailable(reason, failed));
                }
                Ok(Err(error)) => {
                    return Err(HttpError::internal(
                        format!(
                            "the function {} ({}) failed: {error}",
                            function.logical_id, function.location
                        ),
                        failed,
                    ));
                }
                Ok(Ok(output)) => output,
            };
        let shaped = match format {
            PayloadFormat::V2 => parse_v2_response(&output),
            PayloadFormat::V1 => parse_v1_response(&output),
        }
        .map_err(|why| {
            HttpError::internal(
                format!(
                    "the response of function {} cannot be used: {why}",
                    function.logical_id
                ),
                failed,
            )
        })?;
        let mut response = Response::new(Full::new(shaped.body));
        *response.status_mut() = shaped.status;
        let headers = response.headers_mut();
        for (name, value) in shaped.headers {
            // Validated by the shaping.
            if let Ok(name) = HeaderName::from_bytes(name.as_bytes()) {
                headers.append(name, value);
            }
        }
        Ok((response, HttpAnswer::Function(function)))
    }
}

impl<'g> HttpPipeline<'g> {
    /// Phases 4-5 for an `HTTP_PROXY` route (rule H.13): call the backend, pass its answer;
    /// a timeout is 503 (spec 5.11), any other failure
    /// [`HTTP_API_BACKEND_FAILURE_STATUS`].
    #[allow(clippy::too_many_arguments)]
    async fn call_backend(
        &self,
        backend: &'g HttpApiBackend,
        api: &'g HttpApi,
        route: &'g HttpRoute,
        incoming: &Incoming<'_>,
        body: &Bytes,
        path_params: &[(&str, &str)],
        now: Timestamp,
    ) -> Answered<'g> {
        let parts = incoming.parts;
        let trace = trace_id(now.as_second());
        let source_ip = incoming.peer.ip().to_canonical();
        let context_value = |name: &str| -> Option<String> {
            Some(match name {
                "requestId" => incoming.ids.apigw_id.clone(),
                "apiId" => api.api_id.clone(),
                "stage" => api.stage.clone(),
                "routeKey" => route.route_key.clone(),
                "httpMethod" => parts.method.as_str().to_owned(),
                "path" => parts.uri.path().to_owned(),
                "identity.sourceIp" => source_ip.to_string(),
                _ => return None,
            })
        };
        let call = BackendCall {
            method: &parts.method,
            path: parts.uri.path(),
            headers: &parts.headers,
            query: parts.uri.query(),
            body,
            stage_variables: &api.stage_variables,
            api_id: &api.api_id,
            trace_id: &trace,
            context: &context_value,
        };
        let view = RequestView {
            headers: &parts.headers,
            query: parts.uri.query(),
            path_params,
        };
        let at = format!("route `{}` ({})", route.route_key, route.location);
        match respond_http_api(
            self.backends,
            backend,
            &call,
            &view,
            source_ip,
            incoming.local.port(),
        )
        .await
        {
            Ok((response, url)) => Ok((response, HttpAnswer::Backend { backend, url })),
            Err(error @ BackendError::Timeout { .. }) => Err(HttpError::unavailable(
                format!("{at}: {error} (HTTP API integration timeout)"),
                HttpCause::BackendFailed,
            )),
            Err(error) => {
                let reason = format!("{at}: {error}");
                Err(
                    if HTTP_API_BACKEND_FAILURE_STATUS == StatusCode::SERVICE_UNAVAILABLE {
                        HttpError::unavailable(reason, HttpCause::BackendFailed)
                    } else {
                        HttpError::internal(reason, HttpCause::BackendFailed)
                    },
                )
            }
        }
    }
}

/// The status of an HTTP API whose `HTTP_PROXY` backend refuses the connection or fails on
/// the network: 500 `{"message":"Internal Server Error"}`, as for other integration failures
/// (spec 5.10). UNCONFIRMED (rule H.12); test
/// `rule_h_12_connection_refused_is_500_on_rest_and_on_http_apis` (e2e).
pub const HTTP_API_BACKEND_FAILURE_STATUS: StatusCode = StatusCode::INTERNAL_SERVER_ERROR;

/// Reads the whole request body, up to the 10 MB payload limit.
async fn read_body<B>(body: B) -> Result<Bytes, HttpError<'static>>
where
    B: Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    match Limited::new(body, MAX_REQUEST_BODY_BYTES).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.is::<LengthLimitError>() => Err(HttpError::too_large(format!(
            "the request body is larger than API Gateway's limit of {MAX_REQUEST_BODY_BYTES} bytes"
        ))),
        Err(error) => Err(HttpError::bad_request(format!(
            "the request body could not be read: {error}"
        ))),
    }
}
