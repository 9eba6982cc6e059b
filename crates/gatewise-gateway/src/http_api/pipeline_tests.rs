//! Whole-pipeline tests of HTTP APIs (API Gateway v2): requests go through
//! `Gateway::handle` with scripted functions, as a client would see them. Test names cite the
//! spec rule or scenario they pin.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use gatewise_lambda::InvokeError;
use gatewise_model::{HttpAuthorization, HttpCors, HttpIntegration, PayloadFormat, Stack};
use http::Request;
use http_body_util::{BodyExt, Full};
use serde_json::Value;

use crate::gateway::{Gateway, GatewayOptions, RouteTable};
use crate::request::ConnectionInfo;
use crate::test_support::{Answer, Scripted, api, http_api, http_stack, location};

const PAGE: &str = "http://localhost:5173";

struct Answered {
    status: u16,
    headers: http::HeaderMap,
    body: Bytes,
}

impl Answered {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().expect("ascii"))
    }

    fn cors_headers(&self) -> Vec<&str> {
        self.headers
            .keys()
            .map(|k| k.as_str())
            .filter(|k| k.starts_with("access-control-"))
            .collect()
    }

    /// Spec 5.9-5.12: `{"message":"…"}`, JSON, no `x-amzn-ErrorType`, `apigw-requestid`.
    fn assert_error(&self, status: u16, message: &str) {
        assert_eq!(self.status, status, "{:?}", self.body);
        assert_eq!(
            std::str::from_utf8(&self.body),
            Ok(format!(r#"{{"message":"{message}"}}"#).as_str())
        );
        assert_eq!(self.header("content-type"), Some("application/json"));
        assert!(self.header("x-amzn-errortype").is_none());
        assert_eq!(self.header("apigw-requestid").map(str::len), Some(16));
    }
}

fn state_ok(_: &[u8]) -> Result<Bytes, InvokeError> {
    Ok(Bytes::from_static(br#"{"state":"ok"}"#))
}

fn evil(_: &[u8]) -> Result<Bytes, InvokeError> {
    Ok(Bytes::from_static(
        br#"{"statusCode":200,"headers":{"Access-Control-Allow-Origin":"https://evil.example","Content-Type":"application/json"},"body":"{\"state\":\"evil\"}"}"#,
    ))
}

/// Answers the event it got as a 2.0 response body.
fn echo_v2(event: &[u8]) -> Result<Bytes, InvokeError> {
    let out = serde_json::json!({
        "statusCode": 200,
        "headers": {"content-type": "application/json"},
        "body": String::from_utf8_lossy(event),
    });
    Ok(Bytes::from(out.to_string()))
}

fn crash(_: &[u8]) -> Result<Bytes, InvokeError> {
    Err(InvokeError::Crashed("exit status 1".into()))
}

fn cors(origins: &[&str], methods: &[&str]) -> HttpCors {
    let list = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect();
    HttpCors {
        allow_origins: list(origins),
        allow_methods: list(methods),
        allow_headers: list(&["content-type"]),
        expose_headers: list(&["x-total"]),
        max_age: Some(300),
        allow_credentials: false,
    }
}

fn gateway(the_stack: Stack, functions: Scripted) -> Gateway {
    let routes = RouteTable::build(&the_stack).expect("routes");
    Gateway::with_invoker(
        Arc::new(the_stack),
        routes,
        Arc::new(functions),
        GatewayOptions::default(),
    )
}

fn simple(the_stack: Stack, answer: Answer) -> Gateway {
    gateway(the_stack, Scripted::new(Duration::ZERO, answer))
}

async fn send(gateway: &Gateway, request: Request<Full<Bytes>>) -> Answered {
    let connection = ConnectionInfo {
        peer: "192.0.2.7:50000".parse().expect("addr"),
        local: "127.0.0.1:3000".parse().expect("addr"),
    };
    let response = gateway.handle(request, connection, None).await;
    let (parts, body) = response.into_parts();
    let body = body
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    Answered {
        status: parts.status.as_u16(),
        headers: parts.headers,
        body,
    }
}

fn request(method: &str, uri: &str, headers: &[(&str, &str)]) -> Request<Full<Bytes>> {
    let mut builder = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Full::default()).expect("request")
}

fn preflight(uri: &str, origin: &str) -> Request<Full<Bytes>> {
    request(
        "OPTIONS",
        uri,
        &[
            ("origin", origin),
            ("access-control-request-method", "POST"),
            ("access-control-request-headers", "content-type"),
        ],
    )
}

/// Scenario 4(c): `GET /` → function 0 (`{"state":"ok"}`), `GET /evil` → function 1 (its
/// own Access-Control-Allow-Origin), `CorsConfiguration {AllowMethods: ['*'], AllowOrigins:
/// ['*']}`.
fn scenario_4c() -> Gateway {
    let mut the_stack = http_stack(
        vec![http_api(
            "HttpApi",
            &["GET /", "GET /evil"],
            Some(HttpCors {
                allow_origins: vec!["*".into()],
                allow_methods: vec!["*".into()],
                ..HttpCors::default()
            }),
        )],
        vec![],
    );
    the_stack.http_apis[0].routes[1].integration = HttpIntegration::Lambda {
        function: 1,
        payload_format: PayloadFormat::V2,
        timeout: HttpIntegration::DEFAULT_TIMEOUT,
    };
    gateway(
        the_stack,
        Scripted::new(Duration::ZERO, state_ok).with(1, evil),
    )
}

/// Scenario 4(c) row 1. Without `Origin` an OPTIONS request is no preflight (spec 8.3), so
/// no CORS headers; it still gets the gateway's 204 rather than a 404, because an API with
/// `CorsConfiguration` answers every OPTIONS request no route takes (8.4) — the scenario's
/// observation, and the only reading under which 8.3 and 8.4 both hold.
#[tokio::test]
async fn scenario_4c_options_without_origin_is_204_without_cors_headers() {
    let answered = send(&scenario_4c(), request("OPTIONS", "/", &[])).await;
    assert_eq!(answered.status, 204);
    assert!(answered.body.is_empty());
    assert!(answered.cors_headers().is_empty(), "{:?}", answered.headers);
    assert!(answered.header("apigw-requestid").is_some());
}

#[tokio::test]
async fn scenario_4c_get_without_origin_has_no_allow_origin() {
    let answered = send(&scenario_4c(), request("GET", "/", &[])).await;
    assert_eq!(answered.status, 200);
    assert_eq!(&answered.body[..], br#"{"state":"ok"}"#);
    assert_eq!(answered.header("content-type"), Some("application/json"));
    assert!(answered.cors_headers().is_empty());
    assert!(answered.header("x-amzn-requestid").is_none());
    assert_eq!(answered.header("apigw-requestid").map(str::len), Some(16));
}

#[tokio::test]
async fn scenario_4c_get_with_origin_gets_allow_origin() {
    let answered = send(&scenario_4c(), request("GET", "/", &[("origin", PAGE)])).await;
    assert_eq!(answered.status, 200);
    assert_eq!(answered.header("access-control-allow-origin"), Some("*"));
}

#[tokio::test]
async fn rule_8_10_integration_cors_headers_replaced() {
    let gateway = scenario_4c();
    let answered = send(&gateway, request("GET", "/evil", &[("origin", PAGE)])).await;
    assert_eq!(answered.status, 200);
    assert_eq!(answered.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        answered
            .headers
            .get_all("access-control-allow-origin")
            .iter()
            .count(),
        1
    );
    // Without Origin the function's header is dropped too (INTEGRATION_CORS_DROPPED_…).
    let answered = send(&gateway, request("GET", "/evil", &[])).await;
    assert!(answered.cors_headers().is_empty(), "{:?}", answered.headers);
}

fn cors_gateway(answer: Answer) -> Gateway {
    simple(
        http_stack(
            vec![http_api(
                "HttpApi",
                &["GET /items", "POST /items"],
                Some(cors(&[PAGE], &["GET", "POST"])),
            )],
            vec![],
        ),
        answer,
    )
}

#[tokio::test]
async fn rule_8_4_preflight_answered_without_an_options_route() {
    // The function would crash: the preflight never reaches it.
    let answered = send(&cors_gateway(crash), preflight("/items", PAGE)).await;
    assert_eq!(answered.status, 204);
    assert!(answered.body.is_empty());
    for (name, value) in [
        ("access-control-allow-origin", PAGE),
        ("access-control-allow-methods", "GET,POST"),
        ("access-control-allow-headers", "content-type"),
        ("access-control-max-age", "300"),
    ] {
        assert_eq!(answered.header(name), Some(value), "{name}");
    }
    assert!(answered.header("access-control-expose-headers").is_none());
    assert!(answered.header("vary").is_none());
}

#[tokio::test]
async fn rule_8_8_preflight_from_a_disallowed_origin_is_204_without_cors_headers() {
    let answered = send(
        &cors_gateway(crash),
        preflight("/items", "https://evil.example"),
    )
    .await;
    assert_eq!(answered.status, 204);
    assert!(answered.cors_headers().is_empty());
}

#[tokio::test]
async fn rule_8_9_actual_response_gets_origin_and_expose_headers() {
    let answered = send(
        &cors_gateway(state_ok),
        request("POST", "/items", &[("origin", PAGE)]),
    )
    .await;
    assert_eq!(answered.status, 200);
    assert_eq!(answered.header("access-control-allow-origin"), Some(PAGE));
    assert_eq!(
        answered.header("access-control-expose-headers"),
        Some("x-total")
    );
    assert!(answered.header("access-control-allow-methods").is_none());
    let other = send(
        &cors_gateway(state_ok),
        request("POST", "/items", &[("origin", "https://other.example")]),
    )
    .await;
    assert!(other.cors_headers().is_empty());
}

#[tokio::test]
async fn rule_8_11_without_cors_configuration_options_needs_a_route() {
    let the_stack = http_stack(vec![http_api("HttpApi", &["GET /evil"], None)], vec![]);
    let gateway = simple(the_stack, evil);
    send(&gateway, preflight("/evil", PAGE))
        .await
        .assert_error(404, "Not Found");
    // And the function's own CORS headers pass through.
    let answered = send(&gateway, request("GET", "/evil", &[("origin", PAGE)])).await;
    assert_eq!(
        answered.header("access-control-allow-origin"),
        Some("https://evil.example")
    );
}

#[tokio::test]
async fn rule_8_14_gateway_errors_carry_cors_headers() {
    const { assert!(gatewise_cors::http_api::GATEWAY_ERRORS_CARRY_CORS) };
    let answered = send(
        &cors_gateway(crash),
        request("GET", "/nope", &[("origin", PAGE)]),
    )
    .await;
    answered.assert_error(404, "Not Found");
    assert_eq!(answered.header("access-control-allow-origin"), Some(PAGE));
    let answered = send(
        &cors_gateway(crash),
        request("GET", "/items", &[("origin", PAGE)]),
    )
    .await;
    answered.assert_error(500, "Internal Server Error");
    assert_eq!(answered.header("access-control-allow-origin"), Some(PAGE));
}

fn jwt(route: &mut gatewise_model::HttpRoute) {
    route.authorization = HttpAuthorization::Jwt {
        name: "JwtAuth".into(),
        identity_source: "$request.header.Authorization".into(),
        location: location(120),
    };
}

#[tokio::test]
async fn rule_8_5_preflight_goes_to_a_matching_any_route_and_its_authorizer() {
    let mut the_stack = http_stack(
        vec![http_api(
            "HttpApi",
            &["ANY /{proxy+}"],
            Some(cors(&[PAGE], &["GET", "POST"])),
        )],
        vec![],
    );
    jwt(&mut the_stack.http_apis[0].routes[0]);
    let answered = send(
        &simple(the_stack.clone(), echo_v2),
        preflight("/items", PAGE),
    )
    .await;
    answered.assert_error(401, "Unauthorized");
    // The 401 carries CORS headers (8.14), and the browser still refuses it: not a 2xx.
    assert_eq!(answered.header("access-control-allow-origin"), Some(PAGE));

    // AWS's fix: an unauthenticated `OPTIONS /{proxy+}` route; its integration runs
    // (ROUTED_PREFLIGHT_RUNS_INTEGRATION) and the response gets the preflight headers.
    const { assert!(gatewise_cors::http_api::ROUTED_PREFLIGHT_RUNS_INTEGRATION) };
    let mut fixed = the_stack.clone();
    let mut options = fixed.http_apis[0].routes[0].clone();
    options.route_key = "OPTIONS /{proxy+}".into();
    options.authorization = HttpAuthorization::None;
    fixed.http_apis[0].routes.push(options);
    let answered = send(&simple(fixed, echo_v2), preflight("/items", PAGE)).await;
    assert_eq!(answered.status, 200);
    assert_eq!(answered.json()["routeKey"], "OPTIONS /{proxy+}");
    assert_eq!(answered.header("access-control-allow-origin"), Some(PAGE));
    assert_eq!(
        answered.header("access-control-allow-methods"),
        Some("GET,POST")
    );
}

#[tokio::test]
async fn rule_8_5_default_route_takes_preflights() {
    let the_stack = http_stack(
        vec![http_api(
            "HttpApi",
            &["$default"],
            Some(cors(&[PAGE], &["PUT"])),
        )],
        vec![],
    );
    let answered = send(&simple(the_stack, echo_v2), preflight("/anything", PAGE)).await;
    assert_eq!(answered.status, 200);
    assert_eq!(answered.json()["routeKey"], "$default");
    assert_eq!(answered.header("access-control-allow-methods"), Some("PUT"));
}

#[tokio::test]
async fn rule_5_9_unmatched_route_is_404_not_found() {
    let the_stack = http_stack(vec![http_api("HttpApi", &["GET /items"], None)], vec![]);
    let gateway = simple(the_stack, state_ok);
    for (method, path) in [
        ("GET", "/"),
        ("POST", "/items"),
        ("GET", "/items/1"),
        ("OPTIONS", "/items"),
    ] {
        send(&gateway, request(method, path, &[]))
            .await
            .assert_error(404, "Not Found");
    }
}

#[tokio::test]
async fn mixed_template_unmatched_is_rest_403() {
    let the_stack = http_stack(
        vec![http_api("HttpApi", &["GET /items"], None)],
        vec![api("RestApi", "Prod", &[("/rest", &["GET"])], 0, 40)],
    );
    let gateway = simple(the_stack, state_ok);
    let answered = send(&gateway, request("GET", "/nope", &[])).await;
    assert_eq!(answered.status, 403);
    assert_eq!(
        &answered.body[..],
        br#"{"message":"Missing Authentication Token"}"#
    );
    // Both kinds of API answer at the root.
    let rest = send(&gateway, request("GET", "/rest", &[])).await;
    assert!(rest.header("x-amzn-requestid").is_some());
    let http = send(&gateway, request("GET", "/items", &[])).await;
    assert_eq!(&http.body[..], br#"{"state":"ok"}"#);
    assert!(http.header("apigw-requestid").is_some());
}

#[tokio::test]
async fn rule_5_10_function_failures_and_unusable_output_are_500() {
    let answers: &[Answer] = &[
        crash,
        |_| {
            Err(InvokeError::Function {
                error_type: "Error".into(),
                error_message: "boom".into(),
            })
        },
        |_| Ok(Bytes::from_static(b"not json")),
        |_| Ok(Bytes::from_static(br#"{"statusCode":"abc"}"#)),
    ];
    for answer in answers {
        let the_stack = http_stack(vec![http_api("HttpApi", &["GET /x"], None)], vec![]);
        send(&simple(the_stack, *answer), request("GET", "/x", &[]))
            .await
            .assert_error(500, "Internal Server Error");
    }
}

#[tokio::test]
async fn rule_5_11_integration_timeout_is_503() {
    let mut the_stack = http_stack(vec![http_api("HttpApi", &["GET /x"], None)], vec![]);
    the_stack.http_apis[0].routes[0].integration = HttpIntegration::Lambda {
        function: 0,
        payload_format: PayloadFormat::V2,
        timeout: Duration::from_millis(50),
    };
    let gateway = gateway(the_stack, Scripted::new(Duration::from_secs(5), state_ok));
    send(&gateway, request("GET", "/x", &[]))
        .await
        .assert_error(503, "Service Unavailable");
}

#[tokio::test]
async fn rule_7_10_status_code_headers_and_cookies() {
    let the_stack = http_stack(vec![http_api("HttpApi", &["GET /x"], None)], vec![]);
    let gateway = simple(the_stack, |_| {
        Ok(Bytes::from_static(
            br#"{"statusCode":201,"cookies":["a=1","b=2"],"body":"made","multiValueHeaders":{"x-m":["1"]}}"#,
        ))
    });
    let answered = send(&gateway, request("GET", "/x", &[])).await;
    assert_eq!(answered.status, 201);
    assert_eq!(&answered.body[..], b"made");
    assert_eq!(
        answered
            .headers
            .get_all("set-cookie")
            .iter()
            .collect::<Vec<_>>(),
        ["a=1", "b=2"]
    );
    assert!(answered.header("x-m").is_none());
    assert_eq!(
        answered.header("content-type"),
        Some(crate::V2_DEFAULT_CONTENT_TYPE)
    );
}

#[tokio::test]
async fn rule_6_7_the_function_gets_a_payload_2_0_event() {
    let the_stack = http_stack(
        vec![http_api("HttpApi", &["POST /items/{id}"], None)],
        vec![],
    );
    let mut post = request(
        "POST",
        "/items/42?a=1&a=2",
        &[
            ("cookie", "s=1; t=2"),
            ("content-type", "application/json"),
            ("X-Dup", "1"),
        ],
    );
    post.headers_mut()
        .append("x-dup", "2".parse().expect("value"));
    *post.body_mut() = Full::new(Bytes::from_static(br#"{"n":1}"#));
    let answered = send(&simple(the_stack, echo_v2), post).await;
    let event = answered.json();
    assert_eq!(event["version"], "2.0");
    assert_eq!(event["routeKey"], "POST /items/{id}");
    assert_eq!(event["rawPath"], "/items/42");
    assert_eq!(event["rawQueryString"], "a=1&a=2");
    assert_eq!(event["cookies"], serde_json::json!(["s=1", "t=2"]));
    assert_eq!(event["headers"]["x-dup"], "1,2");
    assert_eq!(event["queryStringParameters"]["a"], "1,2");
    assert_eq!(event["pathParameters"]["id"], "42");
    assert_eq!(event["body"], r#"{"n":1}"#);
    assert_eq!(event["isBase64Encoded"], false);
    assert_eq!(event["requestContext"]["http"]["sourceIp"], "192.0.2.7");
    assert_eq!(event["requestContext"]["stage"], "$default");
    assert_eq!(
        event["requestContext"]["requestId"],
        answered.header("apigw-requestid").expect("id")
    );
}

#[tokio::test]
async fn rule_6_10_payload_1_0_is_the_rest_shape_with_version_and_lower_case_names() {
    let mut the_stack = http_stack(
        vec![http_api("HttpApi", &["GET /items/{id}"], None)],
        vec![],
    );
    the_stack.http_apis[0].routes[0].integration = HttpIntegration::Lambda {
        function: 0,
        payload_format: PayloadFormat::V1,
        timeout: HttpIntegration::DEFAULT_TIMEOUT,
    };
    let answered = send(
        &simple(the_stack, crate::test_support::echo),
        request(
            "GET",
            "/items/7",
            &[("X-Mixed", "v"), ("Authorization", "t")],
        ),
    )
    .await;
    assert_eq!(answered.status, 200);
    let event = answered.json();
    assert_eq!(event["version"], "1.0");
    assert_eq!(event["resource"], "/items/{id}");
    assert_eq!(event["httpMethod"], "GET");
    assert_eq!(event["headers"]["x-mixed"], "v");
    assert_eq!(event["headers"]["authorization"], "t");
    assert_eq!(
        event["multiValueHeaders"]["x-forwarded-port"],
        serde_json::json!(["3000"])
    );
    assert_eq!(event["pathParameters"]["id"], "7");
    assert!(event["requestContext"]["resourceId"].is_null());
    assert!(event["requestContext"].get("deploymentId").is_none());
    assert_eq!(event["requestContext"]["path"], "/items/7");
}

#[tokio::test]
async fn rule_5_12_jwt_authorizer_needs_a_token_and_is_not_verified() {
    let mut the_stack = http_stack(vec![http_api("HttpApi", &["GET /me"], None)], vec![]);
    jwt(&mut the_stack.http_apis[0].routes[0]);
    let gateway = simple(the_stack, echo_v2);
    send(&gateway, request("GET", "/me", &[]))
        .await
        .assert_error(401, "Unauthorized");
    // `{"sub":"u1"}` as the payload segment.
    let answered = send(
        &gateway,
        request(
            "GET",
            "/me",
            &[("authorization", "Bearer h.eyJzdWIiOiJ1MSJ9.s")],
        ),
    )
    .await;
    assert_eq!(answered.status, 200);
    assert_eq!(
        answered.json()["requestContext"]["authorizer"]["jwt"]["claims"]["sub"],
        "u1"
    );
}

/// A simple-response authorizer: allows when the identity source is `allow`.
fn simple_authorizer(event: &[u8]) -> Result<Bytes, InvokeError> {
    let event: Value = serde_json::from_slice(event).expect("authorizer event");
    assert_eq!(event["version"], "2.0");
    assert_eq!(event["type"], "REQUEST");
    assert!(
        event["routeArn"]
            .as_str()
            .is_some_and(|arn| arn.ends_with("/$default/GET/me")),
        "{event}"
    );
    let allowed = event["identitySource"][0] == "allow";
    Ok(Bytes::from(
        serde_json::json!({"isAuthorized": allowed, "context": {"user": "u1"}}).to_string(),
    ))
}

#[tokio::test]
async fn rule_5_12_lambda_authorizer_simple_responses() {
    let mut the_stack = http_stack(vec![http_api("HttpApi", &["GET /me"], None)], vec![]);
    the_stack.http_apis[0].routes[0].authorization = HttpAuthorization::Lambda {
        name: "LambdaAuth".into(),
        function: Some(1),
        identity_sources: vec!["$request.header.Authorization".into()],
        payload_format: PayloadFormat::V2,
        simple_responses: true,
        location: location(130),
    };
    let gateway = gateway(
        the_stack,
        Scripted::new(Duration::ZERO, echo_v2).with(1, simple_authorizer),
    );
    send(&gateway, request("GET", "/me", &[]))
        .await
        .assert_error(401, "Unauthorized");
    send(
        &gateway,
        request("GET", "/me", &[("authorization", "deny")]),
    )
    .await
    .assert_error(403, "Forbidden");
    let answered = send(
        &gateway,
        request("GET", "/me", &[("authorization", "allow")]),
    )
    .await;
    assert_eq!(answered.status, 200);
    assert_eq!(
        answered.json()["requestContext"]["authorizer"]["lambda"]["user"],
        "u1"
    );
}

#[tokio::test]
async fn rule_5_12_aws_iam_unsigned_is_403() {
    let mut the_stack = http_stack(vec![http_api("HttpApi", &["GET /me"], None)], vec![]);
    the_stack.http_apis[0].routes[0].authorization = HttpAuthorization::AwsIam;
    let gateway = simple(the_stack, state_ok);
    send(&gateway, request("GET", "/me", &[]))
        .await
        .assert_error(403, "Forbidden");
    let signed = send(
        &gateway,
        request(
            "GET",
            "/me",
            &[("authorization", "AWS4-HMAC-SHA256 Credential=x")],
        ),
    )
    .await;
    assert_eq!(signed.status, 200);
}

#[tokio::test]
async fn not_served_integration_is_500() {
    let mut the_stack = http_stack(vec![http_api("HttpApi", &["GET /x"], None)], vec![]);
    the_stack.http_apis[0].routes[0].integration = HttpIntegration::NotServed {
        integration_type: "HTTP_PROXY".into(),
    };
    send(&simple(the_stack, state_ok), request("GET", "/x", &[]))
        .await
        .assert_error(500, "Internal Server Error");
}

/// The CORS explanation of a blocked HTTP API request names the configured list, the value
/// that did not match and where `CorsConfiguration` is.
#[test]
fn blocked_http_api_request_is_explained_with_the_configuration() {
    use crate::observe::cors_verdict::{Observed, explanation};
    use crate::observe::http_source::{HttpAnswer, HttpSource};
    use crate::observe::source::ResponseSource;

    let the_stack = http_stack(
        vec![http_api(
            "HttpApi",
            &["GET /items"],
            Some(cors(&["https://app.example"], &["GET"])),
        )],
        vec![],
    );
    let api = &the_stack.http_apis[0];
    let (parts, ()) = request("GET", "/items", &[("origin", PAGE)])
        .map(|_| ())
        .into_parts();
    let source = ResponseSource::Http(HttpSource {
        api: Some(api),
        route: Some(&api.routes[0]),
        answer: HttpAnswer::Function(&the_stack.functions[0]),
    });
    let line = explanation(&Observed {
        parts: &parts,
        status: 200,
        response_headers: &http::HeaderMap::new(),
        source: &source,
        api: None,
        reached: None,
    })
    .expect("blocked")
    .line;
    assert!(
        line.contains(
            "Cause: `CorsConfiguration` (template.yaml:99:5) allows origins \
             'https://app.example', which do not include http://localhost:5173"
        ),
        "{line}"
    );
}

/// Nothing a client sends may panic the HTTP API pipeline.
#[tokio::test]
async fn hostile_requests_never_panic() {
    let the_stack = http_stack(
        vec![http_api(
            "HttpApi",
            &["ANY /{proxy+}", "GET /"],
            Some(cors(&["*"], &["*"])),
        )],
        vec![],
    );
    let gateway = simple(the_stack, echo_v2);
    for uri in [
        "/%",
        "/%zz/..",
        "/?%ff=%fe&&=&a",
        "//",
        "/{proxy+}",
        "/a?b#c",
    ] {
        let Ok(request) = Request::get(uri).body(Full::default()) else {
            continue;
        };
        let answered = send(&gateway, request).await;
        assert_eq!(answered.status, 200, "{uri}");
    }
    let mut odd = request("POST", "/x", &[("content-type", "image/png")]);
    odd.headers_mut().insert(
        "cookie",
        http::HeaderValue::from_bytes(b"caf\xe9=1").expect("obs-text"),
    );
    *odd.body_mut() = Full::new(Bytes::from_static(b"\x89PNG\xff"));
    let answered = send(&gateway, odd).await;
    let event = answered.json();
    assert_eq!(event["isBase64Encoded"], true);
    assert_eq!(event["cookies"][0], "caf\u{FFFD}=1");
}
