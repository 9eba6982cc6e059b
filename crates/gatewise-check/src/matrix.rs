//! `--origin`: for each route and page origin, will a browser's simple call, JSON call and
//! credentialed call succeed? Computed without running anything: the gateway's answer is
//! simulated from the template (REST: the OPTIONS MOCK literals, key and authorizer
//! requirements, gateway responses, and the handler-source heuristic for proxy functions;
//! HTTP APIs: `CorsConfiguration` through `gatewise_cors::http_api`, the code the gateway
//! runs), then judged by `gatewise_cors::fetch`, the code behind `probe` and the gateway's
//! explanations.

use gatewise_cors::fetch::{self, CorsRequest, Credentials, ResponseHeaders};
use gatewise_cors::http_api::HttpApiCors;
use gatewise_model::{
    Authorization, HttpApi, HttpAuthorization, HttpIntegration, Integration, Method, RestApi, Stack,
};
use http::{HeaderMap, HeaderValue};

use crate::Sources;
use crate::rest::{GATEWAY_RESPONSE_HEADER, RESPONSE_HEADER, selected_response};
use crate::source::HandlerSource;

/// What the matrix takes for granted, printed with it.
pub const ASSUMPTIONS: &[&str] = &[
    "simple = fetch(url) with the route's method (GET for ANY and $default); json = the route's method (POST for ANY) with Content-Type: application/json; credentialed = simple with credentials: 'include'",
    "calls carry what the route requires (a valid x-api-key, an Authorization token), which the browser lists in the preflight",
    "Lambda proxy responses: a function whose source mentions Access-Control-Allow-Origin is assumed to send it, one that never does sends none",
    "REST preflights are matched to the OPTIONS method of the resource, else of the nearest greedy {proxy+} ancestor; HTTP API preflights follow spec 8.5",
];

/// One of the three calls a page makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    Simple,
    Json,
    Credentialed,
}

impl Call {
    pub const ALL: [Call; 3] = [Call::Simple, Call::Json, Call::Credentialed];

    pub fn as_str(self) -> &'static str {
        match self {
            Call::Simple => "simple",
            Call::Json => "json",
            Call::Credentialed => "credentialed",
        }
    }
}

/// The browser's verdict on one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    Blocked,
    /// The preflight (if any) passes; the answer depends on what the function returns.
    DependsOnFunction,
    /// The call makes no sense for the route (a JSON body on GET).
    NotApplicable,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allowed => "allowed",
            Verdict::Blocked => "blocked",
            Verdict::DependsOnFunction => "depends on the function",
            Verdict::NotApplicable => "n/a",
        }
    }
}

/// One cell of the matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixRow {
    pub api: String,
    /// `POST /orders`, `$default`.
    pub route: String,
    pub origin: String,
    pub call: Call,
    pub verdict: Verdict,
    /// Why, in one sentence (Chromium's wording when blocked).
    pub reason: String,
}

/// The matrix for every route of every API and each of `origins`.
pub fn matrix(stack: &Stack, sources: &Sources, origins: &[String]) -> Vec<MatrixRow> {
    let mut rows = Vec::new();
    for api in &stack.rest_apis {
        for resource in &api.resources {
            for method in resource
                .methods
                .iter()
                .filter(|m| m.http_method != "OPTIONS")
            {
                for origin in origins {
                    for call in Call::ALL {
                        let (verdict, reason) =
                            rest_cell(stack, sources, api, &resource.path, method, origin, call);
                        rows.push(MatrixRow {
                            api: api.logical_id.clone(),
                            route: format!("{} {}", method.http_method, resource.path),
                            origin: origin.clone(),
                            call,
                            verdict,
                            reason,
                        });
                    }
                }
            }
        }
    }
    for api in &stack.http_apis {
        for index in 0..api.routes.len() {
            for origin in origins {
                for call in Call::ALL {
                    let (verdict, reason) = http_cell(stack, sources, api, index, origin, call);
                    rows.push(MatrixRow {
                        api: api.logical_id.clone(),
                        route: api.routes[index].route_key.clone(),
                        origin: origin.clone(),
                        call,
                        verdict,
                        reason,
                    });
                }
            }
        }
    }
    rows
}

type Cell = (Verdict, String);

/// The request a page makes for `call` on a route with this method, carrying `required`
/// headers; `None` when the call does not apply.
fn request(
    route_method: &str,
    origin: &str,
    call: Call,
    required: &[(String, String)],
) -> Option<CorsRequest> {
    let any = route_method == "ANY" || route_method == "$default";
    let method = match call {
        Call::Json if any => "POST",
        Call::Json if matches!(route_method, "GET" | "HEAD") => return None,
        _ if any => "GET",
        _ => route_method,
    };
    let mut headers = required.to_vec();
    if call == Call::Json {
        headers.push(("content-type".to_owned(), "application/json".to_owned()));
    }
    Some(CorsRequest {
        origin: origin.to_owned(),
        method: method.to_owned(),
        headers,
        credentials: if call == Call::Credentialed {
            Credentials::Include
        } else {
            Credentials::SameOrigin
        },
    })
}

fn not_applicable() -> Cell {
    (
        Verdict::NotApplicable,
        "a JSON body needs a method other than GET/HEAD".to_owned(),
    )
}

/// Headers the REST method requires from callers: the API key, the authorizer's identity
/// headers (or Authorization for IAM signatures).
fn rest_required_headers(method: &Method) -> Vec<(String, String)> {
    let mut headers = Vec::new();
    if method.api_key_required {
        headers.push(("x-api-key".to_owned(), "key".to_owned()));
    }
    match &method.authorization {
        Authorization::None => {}
        Authorization::AwsIam => headers.push(("authorization".to_owned(), "sig".to_owned())),
        Authorization::Authorizer(a) => {
            for source in &a.identity_sources {
                if let Some(name) = source.strip_prefix("method.request.header.") {
                    headers.push((name.to_ascii_lowercase(), "token".to_owned()));
                }
            }
        }
    }
    headers
}

/// A static answer: status and header lines.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
}

/// The header lines a gateway response of `response_type` (else its DEFAULT_4XX/5XX family)
/// adds (spec 3.5); static literals only.
fn gateway_answer(api: &RestApi, response_type: &str, status: u16) -> Answer {
    let family = if status >= 500 {
        "DEFAULT_5XX"
    } else {
        "DEFAULT_4XX"
    };
    let config = api
        .gateway_responses
        .iter()
        .find(|r| r.response_type == response_type)
        .or_else(|| {
            api.gateway_responses
                .iter()
                .find(|r| r.response_type == family)
        });
    Answer {
        status: config.and_then(|c| c.status_code).unwrap_or(status),
        headers: config
            .map(|c| static_headers(&c.response_parameters, GATEWAY_RESPONSE_HEADER))
            .unwrap_or_default(),
    }
}

fn static_headers(
    parameters: &indexmap::IndexMap<String, String>,
    prefix: &str,
) -> Vec<(String, String)> {
    parameters
        .iter()
        .filter_map(|(key, value)| {
            let name = key.strip_prefix(prefix)?;
            let text = value
                .strip_prefix('\'')
                .and_then(|v| v.strip_suffix('\''))
                .unwrap_or(value);
            (!value.starts_with("method.request.")).then(|| (name.to_owned(), text.to_owned()))
        })
        .collect()
}

/// What a method answers before or instead of its integration: the key and authorizer
/// checks (spec 5.5, 5.6, 9.4), each a gateway response.
fn rest_refusal(api: &RestApi, method: &Method, sends_credentials: bool) -> Option<Answer> {
    if method.api_key_required && !sends_credentials {
        return Some(gateway_answer(api, "INVALID_API_KEY", 403));
    }
    match &method.authorization {
        Authorization::None => None,
        _ if sends_credentials => None,
        Authorization::AwsIam => Some(gateway_answer(api, "MISSING_AUTHENTICATION_TOKEN", 403)),
        Authorization::Authorizer(_) => Some(gateway_answer(api, "UNAUTHORIZED", 401)),
    }
}

/// The answer of a non-proxy integration from its selected integration response.
fn mapped_answer(responses: &[gatewise_model::IntegrationResponse]) -> Option<Answer> {
    let response = selected_response(responses)?;
    Some(Answer {
        status: response.status_code.parse().unwrap_or(500),
        headers: static_headers(&response.response_parameters, RESPONSE_HEADER),
    })
}

/// What a function's responses carry, by the source heuristic.
fn function_cell(sources: &Sources, stack: &Stack, function: usize, preflighted: bool) -> Cell {
    let name = &stack.function(function).logical_id;
    let after = if preflighted {
        "the preflight passes; "
    } else {
        ""
    };
    match sources.handler_source(stack.function(function)) {
        HandlerSource::MentionsAllowOrigin => (
            Verdict::DependsOnFunction,
            format!(
                "{after}{name} mentions Access-Control-Allow-Origin; the verdict depends on the value it sends"
            ),
        ),
        HandlerSource::NeverMentions(_) => (
            Verdict::Blocked,
            format!(
                "{after}{name} never sets Access-Control-Allow-Origin and a REST proxy integration adds none (spec 1.11)"
            ),
        ),
        HandlerSource::Unavailable => (
            Verdict::DependsOnFunction,
            format!("{after}the code of {name} is not available (stubbed)"),
        ),
    }
}

/// A failed preflight, with the status the gateway answered it with.
fn preflight_blocked(status: u16, blocked: &fetch::Blocked) -> Cell {
    (
        Verdict::Blocked,
        format!("the preflight gets {status}: {}", blocked.message),
    )
}

fn judge(request: &CorsRequest, answer: &Answer, preflighted: bool) -> Cell {
    match fetch::cors_check(request, &ResponseHeaders::from_owned(&answer.headers)) {
        Ok(()) => (
            Verdict::Allowed,
            if preflighted {
                "the preflight passes and the response carries matching CORS headers".to_owned()
            } else {
                "the response carries matching CORS headers".to_owned()
            },
        ),
        Err(blocked) => (Verdict::Blocked, blocked.message),
    }
}

/// The REST resource method that receives the preflight for `path`: an OPTIONS (or ANY)
/// method on the resource itself, else on the nearest greedy ancestor.
fn preflight_method<'a>(api: &'a RestApi, path: &str) -> Option<&'a Method> {
    let on = |resource_path: &str| {
        let resource = api.resources.iter().find(|r| r.path == resource_path)?;
        resource
            .methods
            .iter()
            .find(|m| m.http_method == "OPTIONS")
            .or_else(|| resource.methods.iter().find(|m| m.http_method == "ANY"))
    };
    if let Some(method) = on(path) {
        return Some(method);
    }
    let mut greedy: Vec<&str> = api
        .resources
        .iter()
        .map(|r| r.path.as_str())
        .filter(|p| p.ends_with("+}"))
        .filter(|p| {
            let parent = &p[..p.rfind('/').unwrap_or(0)];
            path.len() > parent.len() + 1 && path.starts_with(&format!("{parent}/"))
        })
        .collect();
    greedy.sort_by_key(|p| std::cmp::Reverse(p.len()));
    greedy.into_iter().find_map(on)
}

fn rest_cell(
    stack: &Stack,
    sources: &Sources,
    api: &RestApi,
    path: &str,
    method: &Method,
    origin: &str,
    call: Call,
) -> Cell {
    let Some(request) = request(
        &method.http_method,
        origin,
        call,
        &rest_required_headers(method),
    ) else {
        return not_applicable();
    };
    let preflight = fetch::preflight_for(&request);
    if preflight.is_some() {
        let answer = match preflight_method(api, path) {
            None => gateway_answer(api, "MISSING_AUTHENTICATION_TOKEN", 403),
            Some(options) => match rest_refusal(api, options, false) {
                Some(refusal) => refusal,
                None => match &options.integration {
                    Integration::Mock(mapping) | Integration::Lambda { mapping, .. } => {
                        match mapped_answer(&mapping.responses) {
                            Some(answer) => answer,
                            None => gateway_answer(api, "API_CONFIGURATION_ERROR", 500),
                        }
                    }
                    Integration::LambdaProxy { function, .. } => {
                        let (verdict, reason) = function_cell(sources, stack, *function, false);
                        return (
                            verdict,
                            format!("the preflight goes to the function: {reason}"),
                        );
                    }
                    Integration::Http(backend) if !backend.proxy => {
                        match mapped_answer(&backend.mapping.responses) {
                            Some(answer) => answer,
                            None => gateway_answer(api, "API_CONFIGURATION_ERROR", 500),
                        }
                    }
                    Integration::Http(backend) => {
                        return (
                            Verdict::DependsOnFunction,
                            format!(
                                "the preflight goes to the HTTP_PROXY backend {}, whose headers pass through",
                                backend.uri
                            ),
                        );
                    }
                    Integration::NotServed { integration_type } => {
                        return (
                            Verdict::DependsOnFunction,
                            format!(
                                "the preflight goes to a {integration_type} integration, not simulated"
                            ),
                        );
                    }
                },
            },
        };
        if let Err(blocked) = fetch::preflight_check(
            &request,
            answer.status,
            &ResponseHeaders::from_owned(&answer.headers),
        ) {
            return preflight_blocked(answer.status, &blocked);
        }
    }
    let preflighted = preflight.is_some();
    if let Some(refusal) = rest_refusal(api, method, true) {
        return judge(&request, &refusal, preflighted);
    }
    match &method.integration {
        Integration::LambdaProxy { function, .. } => {
            function_cell(sources, stack, *function, preflighted)
        }
        Integration::Mock(mapping) | Integration::Lambda { mapping, .. } => {
            match mapped_answer(&mapping.responses) {
                Some(answer) => judge(&request, &answer, preflighted),
                None => judge(
                    &request,
                    &gateway_answer(api, "API_CONFIGURATION_ERROR", 500),
                    preflighted,
                ),
            }
        }
        Integration::Http(backend) if !backend.proxy => {
            match mapped_answer(&backend.mapping.responses) {
                Some(answer) => judge(&request, &answer, preflighted),
                None => judge(
                    &request,
                    &gateway_answer(api, "API_CONFIGURATION_ERROR", 500),
                    preflighted,
                ),
            }
        }
        Integration::Http(backend) => (
            Verdict::DependsOnFunction,
            format!(
                "the HTTP_PROXY backend {} answers and its headers pass through (a REST API adds none)",
                backend.uri
            ),
        ),
        Integration::NotServed { integration_type } => (
            Verdict::DependsOnFunction,
            format!("a {integration_type} integration answers; not simulated"),
        ),
    }
}

/// Headers the HTTP API route requires from callers (its authorizer's identity headers).
fn http_required_headers(authorization: &HttpAuthorization) -> Vec<(String, String)> {
    let sources: Vec<&str> = match authorization {
        HttpAuthorization::None => Vec::new(),
        HttpAuthorization::AwsIam => vec!["$request.header.Authorization"],
        HttpAuthorization::Jwt {
            identity_source, ..
        } => vec![identity_source.as_str()],
        HttpAuthorization::Lambda {
            identity_sources, ..
        } => identity_sources.iter().map(String::as_str).collect(),
    };
    sources
        .into_iter()
        .filter_map(|s| s.strip_prefix("$request.header."))
        .map(|name| (name.to_ascii_lowercase(), "token".to_owned()))
        .collect()
}

/// The route an OPTIONS request to `route`'s path reaches (spec 8.5): an explicit OPTIONS
/// route, an ANY route for the path, or `$default`.
fn http_options_route<'a>(api: &'a HttpApi, path: &str) -> Option<&'a gatewise_model::HttpRoute> {
    let key = |k: String| api.routes.iter().find(|r| r.route_key == k);
    key(format!("OPTIONS {path}"))
        .or_else(|| key(format!("ANY {path}")))
        .or_else(|| key("OPTIONS /{proxy+}".to_owned()))
        .or_else(|| key("ANY /{proxy+}".to_owned()))
        .or_else(|| key("$default".to_owned()))
}

fn http_cell(
    stack: &Stack,
    sources: &Sources,
    api: &HttpApi,
    index: usize,
    origin: &str,
    call: Call,
) -> Cell {
    let route = &api.routes[index];
    let (route_method, path) = match route.route_key.split_once(' ') {
        Some((method, path)) => (method, path),
        None => ("$default", "/"),
    };
    let Some(request) = request(
        route_method,
        origin,
        call,
        &http_required_headers(&route.authorization),
    ) else {
        return not_applicable();
    };
    let cors = api.cors.as_ref().map(HttpApiCors::new);
    let origin_value = HeaderValue::from_str(origin).ok();
    let preflight = fetch::preflight_for(&request);
    if preflight.is_some() {
        let routed = http_options_route(api, path);
        let (status, headers) = match (routed, &cors) {
            (Some(r), _) if r.authorization != HttpAuthorization::None => {
                let mut headers = HeaderMap::new();
                if let Some(cors) = &cors {
                    cors.decorate(origin_value.as_ref(), false, &mut headers);
                }
                (401, headers)
            }
            (Some(r), None) => {
                return match &r.integration {
                    HttpIntegration::Lambda { function, .. } => {
                        let (verdict, reason) = function_cell(sources, stack, *function, false);
                        (
                            verdict,
                            format!("the preflight goes to route `{}`: {reason}", r.route_key),
                        )
                    }
                    HttpIntegration::HttpProxy(backend) => (
                        Verdict::DependsOnFunction,
                        format!(
                            "the preflight goes to route `{}`: the HTTP_PROXY backend {} answers",
                            r.route_key, backend.uri
                        ),
                    ),
                    HttpIntegration::NotServed { integration_type } => (
                        Verdict::DependsOnFunction,
                        format!(
                            "the preflight goes to a {integration_type} integration, not simulated"
                        ),
                    ),
                };
            }
            (Some(_), Some(cors)) => (200, cors.preflight_headers(origin_value.as_ref(), true)),
            (None, Some(cors)) => (
                gatewise_cors::http_api::PREFLIGHT_STATUS.as_u16(),
                cors.preflight_headers(origin_value.as_ref(), true),
            ),
            (None, None) => (404, HeaderMap::new()),
        };
        if let Err(blocked) = fetch::preflight_check(
            &request,
            status,
            &ResponseHeaders::from_header_map(&headers),
        ) {
            return preflight_blocked(status, &blocked);
        }
    }
    let preflighted = preflight.is_some();
    match (&cors, &route.integration) {
        (Some(cors), _) => {
            let mut headers = HeaderMap::new();
            cors.decorate(origin_value.as_ref(), false, &mut headers);
            match fetch::cors_check(&request, &ResponseHeaders::from_header_map(&headers)) {
                Ok(()) => (
                    Verdict::Allowed,
                    "the HTTP API adds the CORS headers of its CorsConfiguration (spec 8.9)"
                        .to_owned(),
                ),
                Err(blocked) => (Verdict::Blocked, blocked.message),
            }
        }
        (None, HttpIntegration::Lambda { function, .. }) => {
            function_cell(sources, stack, *function, preflighted)
        }
        (None, HttpIntegration::HttpProxy(backend)) => (
            Verdict::DependsOnFunction,
            format!(
                "the HTTP_PROXY backend {} answers and its headers pass through",
                backend.uri
            ),
        ),
        (None, HttpIntegration::NotServed { integration_type }) => (
            Verdict::DependsOnFunction,
            format!("a {integration_type} integration answers; not simulated"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(template: &str, origin: &str) -> Vec<MatrixRow> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("template.yaml");
        std::fs::write(&path, template).unwrap();
        let options = gatewise_template::LoadOptions {
            stub_functions: true,
            ..Default::default()
        };
        let stack = gatewise_template::load(&path, &options).unwrap();
        matrix(&stack, &Sources::new(&stack), &[origin.to_owned()])
    }

    fn verdicts(rows: &[MatrixRow]) -> Vec<(&str, &str, &str)> {
        rows.iter()
            .map(|r| (r.route.as_str(), r.call.as_str(), r.verdict.as_str()))
            .collect()
    }

    #[test]
    fn rest_api_key_on_preflight_blocks_every_call() {
        let template = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: prod\n      Cors: {AllowOrigin: \"'*'\", AllowHeaders: \"'Content-Type,X-Api-Key'\"}\n      Auth: {ApiKeyRequired: true}\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: nodejs20.x\n      Handler: index.handler\n      InlineCode: \"exports.handler = async () => ({headers: {'Access-Control-Allow-Origin': '*'}})\"\n      Events:\n        Post: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /items, Method: post}}\n";
        let rows = rows(template, "http://localhost:5173");
        assert_eq!(
            verdicts(&rows),
            [
                ("POST /items", "simple", "blocked"),
                ("POST /items", "json", "blocked"),
                ("POST /items", "credentialed", "blocked"),
            ]
        );
        assert!(rows[0].reason.contains("preflight"), "{}", rows[0].reason);
    }

    #[test]
    fn http_api_cors_allows_a_listed_origin_only() {
        let template = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Api:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n      CorsConfiguration: {AllowOrigins: [https://a.com], AllowHeaders: [content-type]}\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: nodejs20.x\n      Handler: index.handler\n      InlineCode: \"exports.handler = async () => ({})\"\n      Events:\n        Get: {Type: HttpApi, Properties: {ApiId: !Ref Api, Path: /items, Method: POST}}\n";
        assert_eq!(
            verdicts(&rows(template, "https://a.com")),
            [
                ("POST /items", "simple", "allowed"),
                ("POST /items", "json", "allowed"),
                ("POST /items", "credentialed", "blocked"),
            ]
        );
        let other = rows(template, "https://b.com");
        assert!(other.iter().all(|r| r.verdict == Verdict::Blocked));
    }
}
