//! The REST API pipeline, every phase strung together: match (Phase 1, the router's verdict
//! the gateway hands over) → authorize (3: authorizer, then API key) → validate (3b: the
//! request validator) → integrate (4a `AWS_PROXY` payload 1.0, 4b `MOCK`, 4c `AWS` Lambda)
//! → shape (5) → gateway response (6) → observe (8) (docs/design.md, "The request pipeline"). Each phase lives in its own module;
//! this one strings them together and owns nothing mutable, so requests never wait on each
//! other here.

use std::borrow::Cow;
use std::time::{Duration, Instant};

use bytes::Bytes;
use gatewise_lambda::{Dispatch, Invocation, InvokeError, LogTail};
use gatewise_model::{Authorization, AuthorizerKind, FunctionIndex, RestApi, Stack};
use gatewise_vtl::Input;
use http::request::Parts;
use http::{HeaderName, HeaderValue, Response};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Body;
use jiff::Timestamp;

use crate::inspector::Inspector;
use crate::integration::http::{BackendCall, BackendClient, respond_rest};
use crate::integration::invoke::{Invoke, queued_timeout_reason};
use crate::integration::lambda_custom;
use crate::integration::mapping_template::{ContextValues, TemplateRequest};
use crate::integration::mock::{self, MockError};
use crate::observe::cors_verdict::Observed;
use crate::observe::source::{GatewayCause, ResponseSource};
use crate::observe::{Exchange, record};
use crate::request::head_tap::RawHeaderNames;
use crate::request::ids::{RequestIds, trace_id};
use crate::request::params::RequestView;
use crate::request::query::{QueryParams, decode_query};
use crate::request::{ConnectionInfo, MAX_REQUEST_BODY_BYTES};
use crate::rest::authorize::{AuthRequest, authorize};
use crate::rest::event::{
    BuiltEvent, EventIds, EventRequest, EventTarget, build_event, template_headers,
};
use crate::rest::gateway_response::{ErrorContext, GatewayError, configured, render};
use crate::rest::proxy_response::{ProxyResponseError, parse_proxy_response};
use crate::rest::router::{Miss, Route, RouteMatch, RouteTarget};
use crate::rest::validate::{REQUEST_VALIDATION_PHASE, ValidationPhase};

/// What the REST pipeline needs of the gateway, borrowed for one request.
pub(crate) struct RestPipeline<'g> {
    pub stack: &'g Stack,
    pub functions: &'g dyn Invoke,
    /// API keys (`--api-key`) accepted by every method with `apiKeyRequired`, on top of
    /// the enabled keys the template declares (spec 9.5).
    pub extra_api_keys: &'g [String],
    /// `requestContext.deploymentId` per API (index = [`Stack::rest_apis`]), computed once.
    pub deployment_ids: &'g [String],
    /// The pooled client of `HTTP` / `HTTP_PROXY` integrations.
    pub backends: &'g BackendClient,
    /// Where finished requests are shown live, when the inspector is on.
    pub inspector: Option<&'g Inspector>,
    /// What the functions this request runs log, for the inspector (`functions` feeds it).
    pub function_log: Option<&'g LogTail>,
}

/// A finished request before the AWS ids are added: the response, who produced it, and
/// for gateway errors why.
type Outcome<'s> = (Response<Full<Bytes>>, ResponseSource<'s>, Option<String>);

impl RestPipeline<'_> {
    /// Runs one request that the gateway sent to the REST APIs; `found` is the router's
    /// verdict on it (Phase 1). Never fails: every problem becomes a gateway response. Adds
    /// `x-amzn-RequestId` and `x-amz-apigw-id` to every response (spec 5.8).
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn handle<B>(
        &self,
        found: Result<RouteMatch<'_, '_>, Miss<'_>>,
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
        // The API and method the request reached, for the CORS explanation.
        let reached_api;
        let mut reached = None;
        let (mut response, source, reason) = match found {
            Err(miss) => {
                // Every API is served at the root, so an unmatched path belongs to none of
                // them: the resource's API when only the method is missing, else the first
                // API of the template (exact for the usual one-API template).
                let api = match &miss {
                    Miss::Method { api, .. } => self.stack.rest_apis.get(*api),
                    Miss::Path => self.stack.rest_apis.first(),
                };
                reached_api = api;
                let error = GatewayError::missing_authentication_token(
                    format!("no route matches {method} {path}: {miss}"),
                    GatewayCause::NoRoute,
                );
                self.error_outcome(error, api, None, parts, &[], ids)
            }
            Ok(found) => {
                let path_params: Vec<(&str, &str)> = found.params().collect();
                let route = found.route;
                let api = &self.stack.rest_apis[route.api];
                reached_api = Some(api);
                let resource = &api.resources[route.resource];
                reached = Some((resource, &resource.methods[route.method_index]));
                let request = Incoming {
                    parts,
                    path_params: &path_params,
                    connection,
                    raw_names,
                    ids,
                };
                match self.run(route, &request, body).await {
                    Ok((response, source)) => (response, source, None),
                    Err(error) => {
                        let api = &self.stack.rest_apis[route.api];
                        let resource = &api.resources[route.resource].path;
                        self.error_outcome(
                            error,
                            Some(api),
                            Some(resource),
                            parts,
                            &path_params,
                            ids,
                        )
                    }
                }
            }
        };
        let headers = response.headers_mut();
        if let Ok(value) = HeaderValue::from_str(&ids.request_id) {
            headers.insert("x-amzn-requestid", value);
        }
        if let Ok(value) = HeaderValue::from_str(&ids.apigw_id) {
            headers.insert("x-amz-apigw-id", value);
        }
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
                api: reached_api,
                reached,
            },
            self.inspector,
            self.function_log,
        );
        response
    }

    /// Phase 6: renders `error` through the API's gateway responses (spec 3.5).
    fn error_outcome<'s>(
        &'s self,
        error: GatewayError<'s>,
        api: Option<&'s RestApi>,
        resource_path: Option<&str>,
        parts: &Parts,
        path_params: &[(&str, &str)],
        ids: &RequestIds,
    ) -> Outcome<'s> {
        let configured = configured(api, &error);
        let context = ErrorContext {
            request_id: &ids.request_id,
            api,
            resource_path,
            http_method: parts.method.as_str(),
            request: RequestView {
                headers: &parts.headers,
                query: parts.uri.query(),
                path_params,
            },
        };
        let response = render(&error, configured, &context);
        let GatewayError {
            response_type,
            reason,
            cause,
            ..
        } = error;
        let source = ResponseSource::Gateway {
            response_type,
            configured,
            cause,
        };
        (response, source, Some(reason))
    }

    /// Phases 3-5 for a matched route: read the body, authorize, validate, integrate.
    async fn run<'s, B>(
        &'s self,
        route: &'s Route,
        request: &Incoming<'_>,
        body: B,
    ) -> Result<(Response<Full<Bytes>>, ResponseSource<'s>), GatewayError<'s>>
    where
        B: Body<Data = Bytes> + Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let api = &self.stack.rest_apis[route.api];
        let resource = &api.resources[route.resource];
        let parts = request.parts;
        let body = read_body(body).await?;
        let view = RequestView {
            headers: &parts.headers,
            query: parts.uri.query(),
            path_params: request.path_params,
        };

        // The payload 1.0 event is built for proxy integrations and `REQUEST` authorizers
        // only; a MOCK answer needs none of it.
        let needs_event = matches!(route.target, RouteTarget::Proxy { .. })
            || matches!(&route.authorization,
                Authorization::Authorizer(a) if a.kind == AuthorizerKind::Request);
        let now = Timestamp::now();
        let new_trace_id = if needs_event {
            trace_id(now.as_second())
        } else {
            String::new()
        };
        let event_request = EventRequest {
            method: parts.method.as_str(),
            raw_path: parts.uri.path(),
            query: parts.uri.query(),
            headers: &parts.headers,
            raw_names: request.raw_names,
            authority: parts.uri.authority().map(|a| a.as_str()),
            body: &body,
            client_ip: request.connection.peer.ip().to_canonical(),
            local_port: request.connection.local.port(),
        };
        let event_ids = EventIds {
            request_id: &request.ids.request_id,
            extended_request_id: &request.ids.apigw_id,
            new_trace_id: &new_trace_id,
            time: now,
        };
        let target = |authorizer| EventTarget {
            api,
            resource_path: &resource.path,
            resource_id: &resource.resource_id,
            deployment_id: &self.deployment_ids[route.api],
            path_params: request.path_params,
            authorizer,
        };
        let proxy_event = || build_event(&event_request, &target(None), &event_ids).payload;

        let content_type = parts
            .headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        // Phase 3b, where AWS runs it relative to Phase 3 (spec V.8).
        let validate = || match &route.validation {
            Some(validation) => validation.check(
                &view,
                content_type,
                &body,
                &format!("{} {} ({})", route.method, route.path, route.location),
            ),
            None => Ok(()),
        };
        if REQUEST_VALIDATION_PHASE == ValidationPhase::BeforeAuthorization {
            validate()?;
        }
        let grant = authorize(
            route,
            self.stack,
            self.extra_api_keys,
            self.functions,
            &AuthRequest {
                view,
                method: parts.method.as_str(),
                path: parts.uri.path(),
                proxy_event: &proxy_event,
            },
        )
        .await?;
        if REQUEST_VALIDATION_PHASE == ValidationPhase::AfterAuthorization {
            validate()?;
        }

        // What the mapping templates of MOCK and non-proxy Lambda integrations see (M.4, M.7);
        // `params` are decoded only for those.
        let context = ContextValues {
            request_id: &request.ids.request_id,
            extended_request_id: &request.ids.apigw_id,
            resource_id: &resource.resource_id,
            resource_path: &resource.path,
            http_method: parts.method.as_str(),
            raw_path: parts.uri.path(),
            stage: &api.stage,
            api_id: &api.api_id,
            deployment_id: &self.deployment_ids[route.api],
            time: now,
            domain_name: last_header_text(&parts.headers, http::header::HOST)
                .or_else(|| parts.uri.authority().map(|a| a.as_str()))
                .unwrap_or("localhost"),
            source_ip: request.connection.peer.ip().to_canonical(),
            user_agent: last_header_text(&parts.headers, http::header::USER_AGENT),
            authorizer: grant.as_ref().map(|g| &g.authorizer_context),
        };
        match &route.target {
            RouteTarget::Proxy { function, timeout } => {
                let event = build_event(
                    &event_request,
                    &target(grant.as_ref().map(|g| &g.authorizer_context)),
                    &event_ids,
                );
                drop(body);
                self.invoke_proxy(*function, *timeout, event, parts, api)
                    .await
            }
            RouteTarget::Mock(mock) => {
                let method = &resource.methods[route.method_index];
                if let Some(response) = mock.fixed_response(content_type) {
                    return Ok((response, ResponseSource::Mock { resource, method }));
                }
                let params = TemplateParams::new(parts, request.raw_names);
                let pairs = params.pairs(api);
                let template_request = pairs.request(view, &body, request.path_params, context);
                match mock::respond(&mock.mapping, content_type, &template_request) {
                    Ok(response) => Ok((response, ResponseSource::Mock { resource, method })),
                    Err(error @ MockError::UnsupportedMediaType(_)) => {
                        Err(GatewayError::unsupported_media_type(format!(
                            "{} {} ({}): {error}",
                            route.method, route.path, route.location
                        )))
                    }
                    Err(MockError::Template(failure)) => Err(GatewayError::template_failure(
                        format!(
                            "{} {} ({}): {failure}",
                            route.method, route.path, route.location
                        ),
                        GatewayCause::MockFailure,
                    )),
                    Err(error) => Err(GatewayError::internal(
                        format!(
                            "{} {} ({}): {error}",
                            route.method, route.path, route.location
                        ),
                        GatewayCause::MockFailure,
                    )),
                }
            }
            RouteTarget::Lambda(compiled) => {
                let function = &self.stack.functions[compiled.function];
                let params = TemplateParams::new(parts, request.raw_names);
                let pairs = params.pairs(api);
                let template_request = pairs.request(view, &body, request.path_params, context);
                match lambda_custom::respond(
                    compiled,
                    self.functions,
                    content_type,
                    &template_request,
                )
                .await
                {
                    Ok(answer) => Ok((
                        answer.response,
                        ResponseSource::LambdaIntegration {
                            function,
                            resource,
                            method: &resource.methods[route.method_index],
                            selected: answer.selected,
                            function_error: answer.function_error.map(|e| e.to_string()),
                        },
                    )),
                    Err(error) => Err(error.into_gateway_error(
                        function,
                        &format!("{} {} ({})", route.method, route.path, route.location),
                    )),
                }
            }
            RouteTarget::Backend(compiled) => {
                let method = &resource.methods[route.method_index];
                // A proxy renders no template: its parameters are not decoded.
                let (params, pairs);
                let template_request = if compiled.backend.proxy {
                    TemplateRequest {
                        view,
                        input: Input {
                            body: &body,
                            path: request.path_params,
                            querystring: &[],
                            header: &[],
                            stage_variables: &[],
                        },
                        context,
                    }
                } else {
                    params = TemplateParams::new(parts, request.raw_names);
                    pairs = params.pairs(api);
                    pairs.request(view, &body, request.path_params, context)
                };
                let trace = trace_id(now.as_second());
                let source_ip = request.connection.peer.ip().to_canonical().to_string();
                let context_value = |name: &str| -> Option<String> {
                    Some(match name {
                        "requestId" => request.ids.request_id.clone(),
                        "extendedRequestId" => request.ids.apigw_id.clone(),
                        "apiId" => api.api_id.clone(),
                        "stage" => api.stage.clone(),
                        "httpMethod" => parts.method.as_str().to_owned(),
                        "resourcePath" => resource.path.clone(),
                        "resourceId" => resource.resource_id.clone(),
                        "identity.sourceIp" => source_ip.clone(),
                        other => {
                            // `context.authorizer.<key>`: what the Lambda authorizer returned.
                            let key = other.strip_prefix("authorizer.")?;
                            match grant.as_ref()?.authorizer_context.get(key)? {
                                serde_json::Value::String(text) => text.clone(),
                                value => value.to_string(),
                            }
                        }
                    })
                };
                let call = BackendCall {
                    method: &parts.method,
                    path: parts.uri.path(),
                    headers: &parts.headers,
                    query: parts.uri.query(),
                    body: &body,
                    stage_variables: &api.stage_variables,
                    api_id: &api.api_id,
                    trace_id: &trace,
                    context: &context_value,
                };
                let at = format!("{} {} ({})", route.method, route.path, route.location);
                match respond_rest(self.backends, compiled, &call, &template_request).await {
                    Ok(answer) => Ok((
                        answer.response,
                        ResponseSource::Backend {
                            backend: &compiled.backend,
                            resource,
                            method,
                            url: answer.url,
                            selected: answer.selected,
                        },
                    )),
                    Err(error) => Err(error.into_gateway_error(&at)),
                }
            }
            RouteTarget::NotServed { integration_type } => Err(GatewayError::internal(
                format!(
                    "{} {} ({}): integration type {integration_type} is not served by gatewise \
                     yet",
                    route.method, route.path, route.location
                ),
                GatewayCause::NotServed,
            )),
        }
    }

    /// Phases 4-5 for a Lambda proxy route: invoke under the integration timeout, shape
    /// the output.
    async fn invoke_proxy<'s>(
        &'s self,
        function_index: FunctionIndex,
        timeout: Duration,
        event: BuiltEvent,
        parts: &Parts,
        api: &RestApi,
    ) -> Result<(Response<Full<Bytes>>, ResponseSource<'s>), GatewayError<'s>> {
        let function = &self.stack.functions[function_index];
        let failed = || GatewayCause::FunctionFailed { function };
        let dispatch = Dispatch::new();
        let invocation = Invocation {
            request_id: uuid::Uuid::new_v4().to_string(),
            payload: Bytes::from(event.payload),
            dispatch: dispatch.clone(),
            log: None,
        };
        let output =
            match tokio::time::timeout(timeout, self.functions.invoke(function_index, invocation))
                .await
            {
                Err(_) => {
                    let reason = queued_timeout_reason(
                    "API Gateway's integration timeout",
                    timeout,
                    function,
                    &dispatch,
                )
                .unwrap_or_else(|| {
                    format!(
                        "the integration timed out after {} (API Gateway's integration timeout; \
                         function {} declared at {} has Timeout {})",
                        seconds(timeout),
                        function.logical_id,
                        function.location,
                        seconds(function.timeout),
                    )
                });
                    return Err(GatewayError::integration_timeout(
                        reason,
                        GatewayCause::IntegrationTimeout { function },
                    ));
                }
                // The event is over Lambda's invoke limit: API Gateway answers 413 (recorded).
                Ok(Err(InvokeError::Function {
                    error_type,
                    error_message,
                })) if error_type == gatewise_lambda::PAYLOAD_TOO_LARGE_ERROR_TYPE => {
                    return Err(GatewayError::request_too_large(format!(
                        "function {}: {error_message}",
                        function.logical_id
                    )));
                }
                Ok(Err(error)) => {
                    return Err(GatewayError::lambda_failure(
                        describe_invoke_error(&error, &function.logical_id, &function.location),
                        failed(),
                    ));
                }
                Ok(Ok(output)) => output,
            };

        let accept = parts
            .headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok());
        let shaped =
            parse_proxy_response(&output, accept, &api.binary_media_types).map_err(|error| {
                match error {
                    ProxyResponseError::Malformed(reason) => GatewayError::lambda_failure(
                        format!(
                            "the response of function {} is malformed: {reason}",
                            function.logical_id
                        ),
                        failed(),
                    ),
                    ProxyResponseError::InvalidBase64(reason) => GatewayError::internal(
                        format!(
                            "the response of function {} cannot be decoded: {reason}",
                            function.logical_id
                        ),
                        failed(),
                    ),
                }
            })?;

        let mut response = Response::new(Full::new(shaped.body));
        *response.status_mut() = shaped.status;
        let headers = response.headers_mut();
        for (name, value) in shaped.headers {
            // Validated by `parse_proxy_response`.
            if let Ok(name) = HeaderName::from_bytes(name.as_bytes()) {
                headers.append(name, value);
            }
        }
        if let Ok(value) = HeaderValue::from_str(&event.trace_id) {
            headers.insert("x-amzn-trace-id", value);
        }
        Ok((response, ResponseSource::Function { function }))
    }
}

/// The request's parameters as text for mapping templates (M.4), decoded once per request
/// and only for routes with templates.
struct TemplateParams<'a> {
    query: QueryParams<'a>,
    headers: Vec<(&'a str, Cow<'a, str>)>,
}

/// [`TemplateParams`] and the API's stage variables as the name/value pairs `$input` and
/// `$stageVariables` read.
struct TemplatePairs<'p> {
    /// The last value of each query parameter, as `queryStringParameters` has it (6.3).
    querystring: Vec<(&'p str, &'p str)>,
    header: Vec<(&'p str, &'p str)>,
    stage_variables: Vec<(&'p str, &'p str)>,
}

impl<'a> TemplateParams<'a> {
    fn new(parts: &'a Parts, raw_names: Option<&'a RawHeaderNames>) -> Self {
        TemplateParams {
            query: parts.uri.query().map(decode_query).unwrap_or_default(),
            headers: template_headers(&parts.headers, raw_names),
        }
    }

    fn pairs<'p>(&'p self, api: &'p RestApi) -> TemplatePairs<'p> {
        TemplatePairs {
            querystring: self
                .query
                .iter()
                .map(|(name, values)| (name.as_ref(), values.last().map_or("", |v| v.as_ref())))
                .collect(),
            header: self
                .headers
                .iter()
                .map(|(name, value)| (*name, value.as_ref()))
                .collect(),
            stage_variables: api
                .stage_variables
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_str()))
                .collect(),
        }
    }
}

impl<'p> TemplatePairs<'p> {
    /// The request as its templates see it.
    fn request(
        &'p self,
        view: RequestView<'p>,
        body: &'p [u8],
        path_params: &'p [(&'p str, &'p str)],
        context: ContextValues<'p>,
    ) -> TemplateRequest<'p> {
        TemplateRequest {
            view,
            input: Input {
                body,
                path: path_params,
                querystring: &self.querystring,
                header: &self.header,
                stage_variables: &self.stage_variables,
            },
            context,
        }
    }
}

/// The last value of a header, when it is text.
fn last_header_text(headers: &http::HeaderMap, name: http::header::HeaderName) -> Option<&str> {
    headers
        .get_all(name)
        .iter()
        .next_back()
        .and_then(|value| value.to_str().ok())
}

/// The request as the phases after matching see it.
struct Incoming<'r> {
    parts: &'r Parts,
    path_params: &'r [(&'r str, &'r str)],
    connection: ConnectionInfo,
    raw_names: Option<&'r RawHeaderNames>,
    ids: &'r RequestIds,
}

/// Reads the whole request body, up to API Gateway's payload limit.
async fn read_body<B>(body: B) -> Result<Bytes, GatewayError<'static>>
where
    B: Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    match Limited::new(body, MAX_REQUEST_BODY_BYTES).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.is::<LengthLimitError>() => {
            Err(GatewayError::request_too_large(format!(
                "the request body is larger than API Gateway's limit of {MAX_REQUEST_BODY_BYTES} bytes"
            )))
        }
        Err(error) => Err(GatewayError::bad_request_body(format!(
            "the request body could not be read: {error}"
        ))),
    }
}

/// `3s`, or `1.5s` when there is a fraction.
fn seconds(duration: Duration) -> String {
    if duration.subsec_nanos() == 0 {
        format!("{}s", duration.as_secs())
    } else {
        format!("{}s", duration.as_secs_f64())
    }
}

/// The log reason for a failed invocation (spec 5.2), naming the function and where it is
/// declared.
fn describe_invoke_error(
    error: &InvokeError,
    function: &str,
    location: &gatewise_model::SourceLocation,
) -> String {
    match error {
        InvokeError::Timeout(after) => format!(
            "the function {function} timed out after {} (Timeout of {function} at {location})",
            seconds(*after)
        ),
        InvokeError::Function {
            error_type,
            error_message,
        } => format!("the function {function} failed: {error_type}: {error_message}"),
        InvokeError::Crashed(detail) => format!(
            "the process of function {function} ({location}) exited during the invocation ({detail})"
        ),
        InvokeError::InitFailed(detail) => {
            format!("the function {function} ({location}) could not start: {detail}")
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use http::Request;
    use http_body_util::BodyExt;
    use serde_json::Value;

    use super::*;
    use crate::gateway::{Gateway, GatewayOptions, RouteTable};
    use crate::test_support::{Answer, Scripted, api, echo, stack};

    fn connection() -> ConnectionInfo {
        ConnectionInfo {
            peer: "192.0.2.7:50000".parse().expect("addr"),
            local: "127.0.0.1:3000".parse().expect("addr"),
        }
    }

    fn gateway_with(answer: Answer, delay: Duration) -> Gateway {
        let mut the_stack = stack(vec![api(
            "ServerlessRestApi",
            "Prod",
            &[("/hello", &["GET"]), ("/{proxy+}", &["ANY"])],
            0,
            10,
        )]);
        // A short integration timeout keeps the 504 test fast.
        for method in &mut the_stack.rest_apis[0].resources[0].methods {
            method.integration = gatewise_model::Integration::LambdaProxy {
                function: 0,
                timeout: Duration::from_millis(50),
            };
        }
        let routes = RouteTable::build(&the_stack).expect("routes");
        Gateway::with_invoker(
            Arc::new(the_stack),
            routes,
            Arc::new(Scripted::new(delay, answer)),
            GatewayOptions::default(),
        )
    }

    async fn send(
        gateway: &Gateway,
        request: Request<Full<Bytes>>,
    ) -> (http::response::Parts, Bytes) {
        let response = gateway.handle(request, connection(), None).await;
        let (parts, body) = response.into_parts();
        let body = body
            .collect()
            .await
            .map(|c| c.to_bytes())
            .unwrap_or_default();
        (parts, body)
    }

    fn get(uri: &str) -> Request<Full<Bytes>> {
        Request::get(uri).body(Full::default()).expect("request")
    }

    fn assert_aws_ids(parts: &http::response::Parts) {
        let request_id = parts.headers["x-amzn-requestid"].to_str().expect("ascii");
        assert!(uuid::Uuid::parse_str(request_id).is_ok(), "{request_id}");
        assert_eq!(parts.headers["x-amz-apigw-id"].len(), 16);
    }

    #[tokio::test]
    async fn rule_5_1_unknown_path_and_method_get_missing_authentication_token() {
        let gateway = gateway_with(echo, Duration::ZERO);
        // `/hello` misses fall back to `ANY /{proxy+}` (router::METHOD_MISS_FALLS_BACK); the
        // root matches nothing at all.
        for request in [
            get("/"),
            Request::post("/").body(Full::default()).expect("request"),
            Request::options("/")
                .body(Full::default())
                .expect("request"),
        ] {
            let (parts, body) = send(&gateway, request).await;
            assert_eq!(parts.status, 403);
            assert_eq!(&body[..], br#"{"message":"Missing Authentication Token"}"#);
            assert_eq!(
                parts.headers["x-amzn-errortype"],
                "MissingAuthenticationTokenException"
            );
            assert_eq!(parts.headers["content-type"], "application/json");
            assert!(parts.headers.get("x-amzn-trace-id").is_none());
            assert_aws_ids(&parts);
        }
    }

    #[tokio::test]
    async fn rule_5_8_proxy_responses_carry_request_id_apigw_id_and_trace_id() {
        let gateway = gateway_with(echo, Duration::ZERO);
        let (parts, body) = send(&gateway, get("/hello?name=a+b")).await;
        assert_eq!(parts.status, 200);
        assert_aws_ids(&parts);
        let event: Value = serde_json::from_slice(&body).expect("the echoed event");
        assert_eq!(event["resource"], "/hello");
        assert_eq!(event["queryStringParameters"]["name"], "a b");
        assert_eq!(
            event["requestContext"]["requestId"],
            parts.headers["x-amzn-requestid"].to_str().expect("ascii")
        );
        assert_eq!(
            event["requestContext"]["extendedRequestId"],
            parts.headers["x-amz-apigw-id"].to_str().expect("ascii")
        );
        assert_eq!(
            event["headers"]["X-Amzn-Trace-Id"],
            parts.headers["x-amzn-trace-id"].to_str().expect("ascii")
        );
        assert_eq!(event["requestContext"]["identity"]["sourceIp"], "192.0.2.7");
        assert_eq!(event["headers"]["X-Forwarded-Port"], "3000");
        assert_eq!(event["requestContext"]["path"], "/Prod/hello");
    }

    #[tokio::test]
    async fn rule_5_2_function_failures_are_502() {
        let answers: &[Answer] = &[
            |_| {
                Err(InvokeError::Function {
                    error_type: "Error".into(),
                    error_message: "boom".into(),
                })
            },
            |_| Err(InvokeError::Timeout(Duration::from_secs(3))),
            |_| Err(InvokeError::Crashed("exit status 1".into())),
            |_| Err(InvokeError::InitFailed("no module named app".into())),
            |_| {
                Ok(Bytes::from_static(
                    br#"{"statusCode":200,"wrongValue":"value"}"#,
                ))
            },
            |_| Ok(Bytes::from_static(b"\"justAString\"")),
            |_| Ok(Bytes::from_static(b"not json")),
        ];
        for answer in answers {
            let (parts, body) = send(&gateway_with(*answer, Duration::ZERO), get("/x")).await;
            assert_eq!(parts.status, 502);
            assert_eq!(&body[..], br#"{"message": "Internal server error"}"#);
            assert_eq!(
                parts.headers["x-amzn-errortype"],
                "InternalServerErrorException"
            );
            assert_aws_ids(&parts);
        }
    }

    #[tokio::test]
    async fn rule_5_3_undecodable_base64_is_500() {
        let gateway = gateway_with(
            |_| {
                Ok(Bytes::from_static(
                    br#"{"body":"%%%","isBase64Encoded":true}"#,
                ))
            },
            Duration::ZERO,
        );
        let mut request = get("/x");
        request
            .headers_mut()
            .insert("accept", HeaderValue::from_static("*/*"));
        // No binary media types: returned as is.
        let (parts, body) = send(&gateway, request).await;
        assert_eq!((parts.status.as_u16(), &body[..]), (200, &b"%%%"[..]));

        let mut the_stack = stack(vec![api("Api", "Prod", &[("/{proxy+}", &["ANY"])], 0, 10)]);
        the_stack.rest_apis[0].binary_media_types = vec!["*/*".into()];
        let routes = RouteTable::build(&the_stack).expect("routes");
        let gateway = Gateway::with_invoker(
            Arc::new(the_stack),
            routes,
            Arc::new(Scripted::new(Duration::ZERO, |_| {
                Ok(Bytes::from_static(
                    br#"{"body":"%%%","isBase64Encoded":true}"#,
                ))
            })),
            GatewayOptions::default(),
        );
        let mut request = get("/x");
        request
            .headers_mut()
            .insert("accept", HeaderValue::from_static("image/png"));
        let (parts, body) = send(&gateway, request).await;
        assert_eq!(parts.status, 500);
        assert_eq!(&body[..], br#"{"message": "Internal server error"}"#);
    }

    #[tokio::test]
    async fn rule_5_4_integration_timeout_is_504() {
        let gateway = gateway_with(echo, Duration::from_secs(5));
        let (parts, body) = send(&gateway, get("/hello")).await;
        assert_eq!(parts.status, 504);
        assert_eq!(&body[..], br#"{"message": "Endpoint request timed out"}"#);
        assert_eq!(
            parts.headers["x-amzn-errortype"],
            crate::INTEGRATION_TIMEOUT_ERROR_TYPE
        );
    }

    #[tokio::test]
    async fn request_body_over_10_mb_is_413() {
        let gateway = gateway_with(echo, Duration::ZERO);
        let body = Bytes::from(vec![b'a'; MAX_REQUEST_BODY_BYTES + 1]);
        let request = Request::post("/x").body(Full::new(body)).expect("request");
        let (parts, _) = send(&gateway, request).await;
        assert_eq!(parts.status, 413);
    }

    #[test]
    fn rule_5_2_log_reasons_name_the_function_and_its_location() {
        let location = crate::test_support::location(12);
        let cases = [
            (
                InvokeError::Timeout(Duration::from_secs(3)),
                "the function HelloFunction timed out after 3s (Timeout of HelloFunction at template.yaml:12:5)",
            ),
            (
                InvokeError::Function {
                    error_type: "TypeError".into(),
                    error_message: "x is undefined".into(),
                },
                "the function HelloFunction failed: TypeError: x is undefined",
            ),
            (
                InvokeError::Crashed("signal 9".into()),
                "the process of function HelloFunction (template.yaml:12:5) exited during the invocation (signal 9)",
            ),
            (
                InvokeError::InitFailed("bootstrap missing".into()),
                "the function HelloFunction (template.yaml:12:5) could not start: bootstrap missing",
            ),
        ];
        for (error, want) in cases {
            assert_eq!(
                describe_invoke_error(&error, "HelloFunction", &location),
                want
            );
        }
        assert_eq!(seconds(Duration::from_millis(1500)), "1.5s");
    }

    /// Nothing a client sends may panic the pipeline: odd paths, bad escapes, invalid
    /// UTF-8 in the query and in header values, huge headers.
    #[tokio::test]
    async fn hostile_requests_never_panic() {
        let gateway = gateway_with(echo, Duration::ZERO);
        let uris = [
            "/%",
            "/%zz/..",
            "/a/%ff%fe",
            "/?%ff=%fe&&=&a",
            "//",
            "///",
            "/{proxy+}",
            "/./../",
            "/hello/",
            "/%2F%2f",
            "/a?b#c",
            "*",
            "/\u{e9}",
        ];
        let long = format!("/{}", "a/".repeat(20_000));
        for uri in uris.iter().copied().chain([long.as_str()]) {
            let Ok(request) = Request::get(uri).body(Full::default()) else {
                continue;
            };
            let (parts, _) = send(&gateway, request).await;
            assert!(
                matches!(parts.status.as_u16(), 200 | 403),
                "{uri}: {}",
                parts.status
            );
        }
        let mut request = get("/x?q=%C3%28");
        let headers = request.headers_mut();
        headers.insert(
            "x-latin1",
            HeaderValue::from_bytes(b"caf\xe9").expect("obs-text"),
        );
        headers.insert(
            "x-huge",
            HeaderValue::from_str(&"v".repeat(1 << 20)).expect("value"),
        );
        headers.insert(
            "content-type",
            HeaderValue::from_bytes(b"\xff/\xfe").expect("obs-text"),
        );
        let (parts, body) = send(&gateway, request).await;
        assert_eq!(parts.status, 200);
        let event: Value = serde_json::from_slice(&body).expect("event");
        assert_eq!(event["headers"]["x-latin1"], "caf\u{FFFD}");
        assert_eq!(event["queryStringParameters"]["q"], "\u{FFFD}(");
    }
}
