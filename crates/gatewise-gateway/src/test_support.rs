//! Stacks and scripted functions for unit tests.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use gatewise_lambda::{Invocation, InvokeError};
use gatewise_model::{
    ApiKey, Authorizer, AuthorizerKind, Function, FunctionCode, FunctionIndex,
    GatewayResponseConfig, Integration, IntegrationMapping, IntegrationResponse, MappingTemplate,
    Method, PassthroughBehavior, Resource, RestApi, SourceLocation, Stack,
};

use crate::integration::invoke::{Invoke, InvokeFuture};
use crate::integration::mapping_template::{ContextValues, TemplateRequest};
use crate::request::params::RequestView;

/// A header map of `(name, value)` lines, in order (repeated names kept).
pub(crate) fn header_map(pairs: &[(&str, &str)]) -> http::HeaderMap {
    let mut map = http::HeaderMap::new();
    for (name, value) in pairs {
        map.append(
            http::HeaderName::from_bytes(name.as_bytes()).expect("name"),
            http::HeaderValue::from_str(value).expect("value"),
        );
    }
    map
}

pub(crate) fn location(line: u32) -> SourceLocation {
    SourceLocation::new(Arc::from(Path::new("template.yaml")), line, 5)
}

pub(crate) fn function(logical_id: &str, line: u32) -> Function {
    Function {
        logical_id: logical_id.to_owned(),
        name: logical_id.to_owned(),
        runtime: "python3.12".parse().expect("supported runtime"),
        handler: "app.handler".to_owned(),
        code: FunctionCode::Inline(String::new()),
        timeout: Duration::from_secs(3),
        memory_mb: 128,
        environment: Default::default(),
        reserved_concurrency: None,
        layers: Vec::new(),
        location: location(line),
    }
}

/// An API whose every method proxies to function `function`; methods are declared at
/// consecutive lines from `first_line`.
pub(crate) fn api(
    logical_id: &str,
    stage: &str,
    resources: &[(&str, &[&str])],
    function: FunctionIndex,
    first_line: u32,
) -> RestApi {
    let mut line = first_line;
    RestApi {
        logical_id: logical_id.to_owned(),
        api_id: format!("{}api", logical_id.to_lowercase())
            .chars()
            .take(10)
            .collect(),
        stage: stage.to_owned(),
        stage_variables: Default::default(),
        binary_media_types: Vec::new(),
        resources: resources
            .iter()
            .enumerate()
            .map(|(i, (path, methods))| Resource {
                path: (*path).to_owned(),
                resource_id: format!("res{i:03}"),
                methods: methods
                    .iter()
                    .map(|m| {
                        line += 1;
                        Method {
                            http_method: (*m).to_owned(),
                            integration: Integration::LambdaProxy {
                                function,
                                timeout: Integration::REST_DEFAULT_TIMEOUT,
                            },
                            location: location(line),
                            api_key_required: false,
                            authorization: Default::default(),
                            provenance: Default::default(),
                            validation: None,
                        }
                    })
                    .collect(),
            })
            .collect(),
        location: location(first_line),
        gateway_responses: Vec::new(),
        api_key_source: Default::default(),
        cors_location: None,
        models: Vec::new(),
    }
}

pub(crate) fn stack(apis: Vec<RestApi>) -> Stack {
    Stack {
        template_path: "template.yaml".into(),
        functions: vec![function("HelloFunction", 3), function("OtherFunction", 30)],
        rest_apis: apis,
        ..Stack::default()
    }
}

/// A function scripted in the test: gets the event bytes, returns the invocation result
/// (after an optional delay, to exercise the integration timeout).
/// A scripted function body.
pub(crate) type Answer = fn(&[u8]) -> Result<Bytes, InvokeError>;

pub(crate) struct Scripted {
    pub delay: Duration,
    pub answer: Answer,
    /// Answers of particular functions (an authorizer next to the proxy function).
    pub by_function: Vec<(FunctionIndex, Answer)>,
    /// Signalled when an invocation starts, so tests can act while it is in flight.
    pub started: Arc<tokio::sync::Notify>,
}

impl Scripted {
    pub(crate) fn new(delay: Duration, answer: Answer) -> Self {
        Self {
            delay,
            answer,
            by_function: Vec::new(),
            started: Arc::default(),
        }
    }

    /// `function` answers with `answer` instead of the default one.
    pub(crate) fn with(mut self, function: FunctionIndex, answer: Answer) -> Self {
        self.by_function.push((function, answer));
        self
    }
}

impl Invoke for Scripted {
    fn invoke(&self, function: FunctionIndex, invocation: Invocation) -> InvokeFuture<'_> {
        let answer = self
            .by_function
            .iter()
            .find(|(f, _)| *f == function)
            .map_or(self.answer, |(_, a)| *a);
        Box::pin(async move {
            self.started.notify_one();
            if !self.delay.is_zero() {
                tokio::time::sleep(self.delay).await;
            }
            answer(&invocation.payload)
        })
    }
}

/// A proxy response whose body is the event (as a JSON string), like LocalStack's echo.
pub(crate) fn echo(event: &[u8]) -> Result<Bytes, InvokeError> {
    let event = String::from_utf8_lossy(event).into_owned();
    let out = serde_json::json!({"statusCode": 200, "body": event});
    Ok(Bytes::from(out.to_string()))
}

fn map(pairs: &[(&str, &str)]) -> indexmap::IndexMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// Content type → mapping template, each written at line 60 (its text not verbatim in the
/// file, so errors name line 60 and the position inside the template).
pub(crate) fn templates(pairs: &[(&str, &str)]) -> indexmap::IndexMap<String, MappingTemplate> {
    pairs
        .iter()
        .map(|(content_type, text)| {
            (
                (*content_type).to_owned(),
                MappingTemplate {
                    text: (*text).to_owned(),
                    location: location(60),
                    text_at: None,
                },
            )
        })
        .collect()
}

/// A `GET /items` request to stage `Prod` of API `abc` as mapping templates see it, with
/// `headers` and `body`.
pub(crate) fn template_request<'a>(
    headers: &'a http::HeaderMap,
    body: &'a [u8],
) -> TemplateRequest<'a> {
    TemplateRequest {
        view: RequestView {
            headers,
            query: None,
            path_params: &[],
        },
        input: gatewise_vtl::Input {
            body,
            ..Default::default()
        },
        context: ContextValues {
            request_id: "req-1",
            extended_request_id: "ext",
            resource_id: "res",
            resource_path: "/items",
            http_method: "GET",
            raw_path: "/items",
            stage: "Prod",
            api_id: "abc",
            deployment_id: "dep",
            time: jiff::Timestamp::UNIX_EPOCH,
            domain_name: "127.0.0.1:3000",
            source_ip: [127, 0, 0, 1].into(),
            user_agent: None,
            authorizer: None,
        },
    }
}

/// An integration response declared at line 65, without templates.
pub(crate) fn integration_response(
    selection_pattern: Option<&str>,
    status: &str,
    parameters: &[(&str, &str)],
) -> IntegrationResponse {
    IntegrationResponse {
        selection_pattern: selection_pattern.map(str::to_owned),
        status_code: status.to_owned(),
        response_parameters: map(parameters),
        response_templates: Default::default(),
        location: location(65),
    }
}

/// An API key of the template.
pub(crate) fn api_key(value: &str, enabled: bool) -> ApiKey {
    ApiKey {
        logical_id: format!("Key{value}"),
        value: value.to_owned(),
        generated: false,
        enabled,
        location: location(90),
    }
}

/// A Lambda `TOKEN` authorizer (`REQUEST` when a source is not a header), run by
/// `function` when given.
pub(crate) fn authorizer(sources: &[&str], function: Option<FunctionIndex>) -> Authorizer {
    Authorizer {
        name: "MyAuth".to_owned(),
        kind: if sources
            .iter()
            .all(|s| s.starts_with("method.request.header."))
        {
            AuthorizerKind::Token
        } else {
            AuthorizerKind::Request
        },
        identity_sources: sources.iter().map(|s| (*s).to_owned()).collect(),
        function,
        location: location(80),
    }
}

/// The OPTIONS MOCK integration SAM generates from `Cors` (spec 1.6, 1.7), byte for byte:
/// `headers` are `(Name, mapping expression)` pairs.
pub(crate) fn sam_cors_mock(headers: &[(&str, &str)]) -> Integration {
    let parameters: Vec<(String, &str)> = headers
        .iter()
        .map(|(name, value)| (format!("method.response.header.{name}"), *value))
        .collect();
    Integration::Mock(IntegrationMapping {
        request_templates: templates(&[("application/json", "{\n  \"statusCode\" : 200\n}\n")]),
        passthrough_behavior: PassthroughBehavior::WhenNoMatch,
        responses: vec![IntegrationResponse {
            selection_pattern: None,
            status_code: "200".to_owned(),
            response_parameters: parameters
                .iter()
                .map(|(k, v)| (k.clone(), (*v).to_owned()))
                .collect(),
            response_templates: templates(&[("application/json", "{}\n")]),
            location: location(65),
        }],
    })
}

/// A configured gateway response.
pub(crate) fn gateway_response(
    response_type: &str,
    status_code: Option<u16>,
    parameters: &[(&str, &str)],
    templates: &[(&str, &str)],
) -> GatewayResponseConfig {
    GatewayResponseConfig {
        response_type: response_type.to_owned(),
        status_code,
        response_parameters: map(parameters),
        response_templates: map(templates),
        location: location(70),
    }
}

/// An HTTP API whose routes (route keys, declared at lines 101, 102, …) all integrate
/// function 0 with payload 2.0; stage `$default`, CORS declared at line 99 when given.
pub(crate) fn http_api(
    logical_id: &str,
    route_keys: &[&str],
    cors: Option<gatewise_model::HttpCors>,
) -> gatewise_model::HttpApi {
    use gatewise_model::{HttpApi, HttpIntegration, HttpRoute, PayloadFormat};
    HttpApi {
        logical_id: logical_id.to_owned(),
        api_id: format!("{}http", logical_id.to_lowercase())
            .chars()
            .take(10)
            .collect(),
        stage: "$default".to_owned(),
        stage_variables: Default::default(),
        routes: route_keys
            .iter()
            .zip(101..)
            .map(|(key, line)| HttpRoute {
                route_key: (*key).to_owned(),
                integration: HttpIntegration::Lambda {
                    function: 0,
                    payload_format: PayloadFormat::V2,
                    timeout: HttpIntegration::DEFAULT_TIMEOUT,
                },
                authorization: Default::default(),
                location: location(line),
            })
            .collect(),
        cors_location: cors.as_ref().map(|_| location(99)),
        cors,
        location: location(98),
    }
}

/// A stack with these HTTP and REST APIs and the two functions of [`stack`].
pub(crate) fn http_stack(
    http_apis: Vec<gatewise_model::HttpApi>,
    rest_apis: Vec<RestApi>,
) -> Stack {
    Stack {
        http_apis,
        ..stack(rest_apis)
    }
}
