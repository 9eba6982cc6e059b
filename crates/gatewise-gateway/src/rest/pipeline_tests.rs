//! Whole-pipeline tests of MOCK integrations, authorization, API keys and configured
//! gateway responses: requests go through `Gateway::handle` with scripted functions, as a
//! client would see them. Test names cite the spec rule or scenario they pin.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use gatewise_lambda::InvokeError;
use gatewise_model::{
    ApiKeySource, Authorization, AuthorizerKind, Integration, IntegrationMapping,
    IntegrationResponse, Method, PassthroughBehavior, Stack,
};
use http::{HeaderValue, Request};
use http_body_util::{BodyExt, Full};
use serde_json::Value;

use crate::gateway::{Gateway, GatewayOptions, RouteTable};
use crate::request::ConnectionInfo;
use crate::test_support::{
    self, Answer, Scripted, api, api_key, authorizer, echo, gateway_response, sam_cors_mock, stack,
    templates,
};

/// The SAM `Cors` headers used throughout: `AllowOrigin "'*'"`, computed methods,
/// `AllowHeaders "'Content-Type'"`.
const SAM_CORS: &[(&str, &str)] = &[
    ("Access-Control-Allow-Methods", "'GET,OPTIONS'"),
    ("Access-Control-Allow-Headers", "'Content-Type'"),
    ("Access-Control-Allow-Origin", "'*'"),
];

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

    fn assert_error(&self, status: u16, body: &str, error_type: &str) {
        assert_eq!(self.status, status, "{:?}", self.body);
        assert_eq!(std::str::from_utf8(&self.body), Ok(body));
        assert_eq!(self.header("x-amzn-errortype"), Some(error_type));
        assert_eq!(self.header("content-type"), Some("application/json"));
    }

    fn has_no_cors_headers(&self) -> bool {
        self.headers
            .keys()
            .all(|k| !k.as_str().starts_with("access-control-"))
    }
}

fn ok_json(_: &[u8]) -> Result<Bytes, InvokeError> {
    Ok(Bytes::from_static(br#"{"statusCode":200,"body":"ok"}"#))
}

fn crash(_: &[u8]) -> Result<Bytes, InvokeError> {
    Err(InvokeError::Crashed("exit status 1".into()))
}

fn method<'s>(stack: &'s mut Stack, path: &str, verb: &str) -> &'s mut Method {
    stack.rest_apis[0]
        .resources
        .iter_mut()
        .find(|r| r.path == path)
        .and_then(|r| r.methods.iter_mut().find(|m| m.http_method == verb))
        .expect("method in the test stack")
}

/// `GET /hello` (proxy to function 0) and `OPTIONS /hello` (SAM's CORS MOCK).
fn cors_stack() -> Stack {
    let mut the_stack = stack(vec![api(
        "ServerlessRestApi",
        "Prod",
        &[("/hello", &["GET", "OPTIONS"])],
        0,
        10,
    )]);
    method(&mut the_stack, "/hello", "OPTIONS").integration = sam_cors_mock(SAM_CORS);
    the_stack
}

fn gateway(the_stack: Stack, functions: Scripted, options: GatewayOptions) -> Gateway {
    let routes = RouteTable::build(&the_stack).expect("routes");
    Gateway::with_invoker(Arc::new(the_stack), routes, Arc::new(functions), options)
}

fn simple(the_stack: Stack, answer: Answer) -> Gateway {
    gateway(
        the_stack,
        Scripted::new(Duration::ZERO, answer),
        GatewayOptions::default(),
    )
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

fn preflight(uri: &str) -> Request<Full<Bytes>> {
    request(
        "OPTIONS",
        uri,
        &[
            ("origin", "http://localhost:5173"),
            ("access-control-request-method", "POST"),
            ("access-control-request-headers", "content-type"),
        ],
    )
}

// ---------------------------------------------------------------------------------------
// MOCK (spec 1.6, 1.10, 4.3-4.6)

#[tokio::test]
async fn rule_1_6_and_1_10_sam_options_mock_answers_200_whatever_origin() {
    let gateway = simple(cors_stack(), ok_json);
    let variants = [
        request("OPTIONS", "/hello", &[]),
        preflight("/hello"),
        request(
            "OPTIONS",
            "/hello",
            &[
                ("origin", "https://evil.example"),
                ("access-control-request-method", "DELETE"),
                ("access-control-request-headers", "authorization, x-custom"),
            ],
        ),
    ];
    let mut seen = Vec::new();
    for req in variants {
        let answer = send(&gateway, req).await;
        assert_eq!(answer.status, 200);
        assert_eq!(&answer.body[..], b"{}\n");
        let mut headers: Vec<(String, String)> = answer
            .headers
            .iter()
            .filter(|(k, _)| !k.as_str().starts_with("x-am"))
            .map(|(k, v)| (k.to_string(), v.to_str().expect("ascii").to_owned()))
            .collect();
        headers.sort();
        assert!(answer.header("x-amzn-requestid").is_some());
        assert!(answer.header("x-amz-apigw-id").is_some());
        assert!(answer.header("x-amzn-trace-id").is_none(), "rule 5.8");
        assert!(answer.header("vary").is_none(), "rule 1.10");
        seen.push(headers);
    }
    assert_eq!(
        seen[0],
        vec![
            ("access-control-allow-headers".into(), "Content-Type".into()),
            ("access-control-allow-methods".into(), "GET,OPTIONS".into()),
            ("access-control-allow-origin".into(), "*".into()),
            ("content-type".into(), "application/json".into()),
        ]
    );
    assert!(seen.iter().all(|h| *h == seen[0]), "{seen:?}");
    // A proxy method gets no CORS headers from the gateway (rule 1.11).
    let get = send(
        &gateway,
        request("GET", "/hello", &[("origin", "http://a")]),
    )
    .await;
    assert_eq!(get.status, 200);
    assert!(get.has_no_cors_headers());
}

fn mock_method(request_template: &str, responses: Vec<IntegrationResponse>) -> Integration {
    Integration::Mock(IntegrationMapping {
        request_templates: templates(&[("application/json", request_template)]),
        passthrough_behavior: PassthroughBehavior::WhenNoMatch,
        responses,
    })
}

fn integration_response(
    pattern: Option<&str>,
    status: &str,
    headers: &[(&str, &str)],
) -> IntegrationResponse {
    let parameters: Vec<(String, &str)> = headers
        .iter()
        .map(|(k, v)| (format!("method.response.header.{k}"), *v))
        .collect();
    let parameters: Vec<(&str, &str)> = parameters.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    test_support::integration_response(pattern, status, &parameters)
}

#[tokio::test]
async fn rule_4_4_cdk_mock_form_answers_its_integration_response_status() {
    // Scenario 4(a): CDK's `{ statusCode: 200 }` and an integration response of 204.
    let mut the_stack = stack(vec![api("Api", "prod", &[("/", &["OPTIONS"])], 0, 10)]);
    method(&mut the_stack, "/", "OPTIONS").integration = mock_method(
        "{ statusCode: 200 }",
        vec![integration_response(
            None,
            "204",
            &[
                (
                    "Access-Control-Allow-Headers",
                    "'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,X-Amz-User-Agent'",
                ),
                ("Access-Control-Allow-Origin", "'*'"),
                (
                    "Access-Control-Allow-Methods",
                    "'OPTIONS,GET,PUT,POST,DELETE,PATCH,HEAD'",
                ),
            ],
        )],
    );
    let answer = send(&simple(the_stack, ok_json), preflight("/")).await;
    assert_eq!(answer.status, 204);
    assert!(answer.body.is_empty());
    assert_eq!(
        answer.header("access-control-allow-methods"),
        Some("OPTIONS,GET,PUT,POST,DELETE,PATCH,HEAD")
    );
}

#[tokio::test]
async fn rule_4_4_and_4_5_mock_without_status_or_response_is_500() {
    for integration in [
        mock_method(
            "{\"ok\": true}",
            vec![integration_response(None, "200", &[])],
        ),
        mock_method(
            "{\"statusCode\": 500}",
            vec![integration_response(Some("2\\d{2}"), "200", &[])],
        ),
    ] {
        let mut the_stack = stack(vec![api("Api", "prod", &[("/m", &["GET"])], 0, 10)]);
        method(&mut the_stack, "/m", "GET").integration = integration;
        let answer = send(&simple(the_stack, ok_json), request("GET", "/m", &[])).await;
        answer.assert_error(
            500,
            r#"{"message": "Internal server error"}"#,
            "InternalServerErrorException",
        );
    }
}

#[tokio::test]
async fn rule_4_5_selection_pattern_picks_the_integration_response() {
    // Recorded fact 11: `{statusCode: 200}` with pattern `2\d{2}` and no template → 200, empty.
    let mut the_stack = stack(vec![api("Api", "prod", &[("/m/{id}", &["GET"])], 0, 10)]);
    method(&mut the_stack, "/m/{id}", "GET").integration = mock_method(
        "{statusCode: $input.params('id')}",
        vec![
            integration_response(None, "500", &[]),
            integration_response(
                Some("2\\d{2}"),
                "200",
                &[("X-Id", "method.request.path.id")],
            ),
            integration_response(Some("4\\d{2}"), "404", &[]),
        ],
    );
    let gateway = simple(the_stack, ok_json);
    let cases = [
        ("/m/200", 200),
        ("/m/201", 200),
        ("/m/404", 404),
        ("/m/302", 500),
    ];
    for (uri, want) in cases {
        let answer = send(&gateway, request("GET", uri, &[])).await;
        assert_eq!(answer.status, want, "{uri}");
        assert!(answer.body.is_empty());
    }
    let answer = send(&gateway, request("GET", "/m/201", &[])).await;
    assert_eq!(answer.header("x-id"), Some("201"));
}

#[tokio::test]
async fn rule_4_3_never_without_a_matching_template_is_415() {
    let mut the_stack = stack(vec![api("Api", "prod", &[("/m", &["POST"])], 0, 10)]);
    let mut integration = sam_cors_mock(&[]);
    if let Integration::Mock(mock) = &mut integration {
        mock.passthrough_behavior = PassthroughBehavior::Never;
    }
    method(&mut the_stack, "/m", "POST").integration = integration;
    let gateway = simple(the_stack, ok_json);
    let answer = send(
        &gateway,
        request("POST", "/m", &[("content-type", "text/plain")]),
    )
    .await;
    answer.assert_error(
        415,
        r#"{"message":"Unsupported Media Type"}"#,
        crate::UNSUPPORTED_MEDIA_TYPE_ERROR_TYPE,
    );
    // No Content-Type counts as application/json (4.3).
    let answer = send(&gateway, request("POST", "/m", &[])).await;
    assert_eq!(answer.status, 200);
}

#[tokio::test]
async fn not_served_integration_is_500_internal_server_error() {
    let mut the_stack = stack(vec![api("Api", "prod", &[("/aws", &["POST"])], 0, 10)]);
    method(&mut the_stack, "/aws", "POST").integration = Integration::NotServed {
        integration_type: "AWS".into(),
    };
    let answer = send(&simple(the_stack, ok_json), request("POST", "/aws", &[])).await;
    answer.assert_error(
        500,
        r#"{"message": "Internal server error"}"#,
        "InternalServerErrorException",
    );
}

// ---------------------------------------------------------------------------------------
// API keys (spec 5.5, 9.2, 9.4, 9.5)

fn keyed_stack() -> Stack {
    let mut the_stack = cors_stack();
    for verb in ["GET", "OPTIONS"] {
        method(&mut the_stack, "/hello", verb).api_key_required = true;
    }
    the_stack.api_keys = vec![api_key("good-key", true), api_key("old-key", false)];
    the_stack
}

#[tokio::test]
async fn rule_5_5_api_key_required_on_options_is_403_forbidden_without_cors_headers() {
    // Scenario 2 row 1: the browser sends no x-api-key on a preflight.
    let answer = send(&simple(keyed_stack(), ok_json), preflight("/hello")).await;
    answer.assert_error(
        403,
        r#"{"message":"Forbidden"}"#,
        crate::API_KEY_FORBIDDEN_ERROR_TYPE,
    );
    assert!(answer.has_no_cors_headers());
}

#[tokio::test]
async fn rule_9_5_valid_keys_pass_and_others_are_403() {
    let gateway = gateway(
        keyed_stack(),
        Scripted::new(Duration::ZERO, ok_json),
        GatewayOptions {
            extra_api_keys: vec!["cli-key".into()],
            inspector: None,
        },
    );
    let cases: &[(&str, Option<&str>, u16)] = &[
        ("GET", Some("good-key"), 200),
        ("OPTIONS", Some("good-key"), 200),
        ("GET", Some("cli-key"), 200),
        ("GET", Some("old-key"), 403),
        ("GET", Some("wrong"), 403),
        ("GET", Some(""), 403),
        ("GET", None, 403),
    ];
    for (verb, key, want) in cases {
        let headers: Vec<(&str, &str)> = key.iter().map(|k| ("X-API-Key", *k)).collect();
        let answer = send(&gateway, request(verb, "/hello", &headers)).await;
        assert_eq!(answer.status, *want, "{verb} {key:?}");
        if *want == 403 {
            assert_eq!(&answer.body[..], br#"{"message":"Forbidden"}"#);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Authorizers and AWS_IAM (spec 5.6, 9.1, 9.6)

/// A scripted Lambda authorizer that checks the event it gets (a `TOKEN` event for
/// `GET /hello` of `ServerlessRestApi`) and answers by token.
fn token_authorizer(event: &[u8]) -> Result<Bytes, InvokeError> {
    let event: Value = serde_json::from_slice(event).expect("authorizer event");
    assert_eq!(event["type"], "TOKEN");
    let arn = event["methodArn"].as_str().unwrap_or_default();
    assert!(
        [
            "arn:aws:execute-api:us-east-1:123456789012:serverless/Prod/GET/hello",
            "arn:aws:execute-api:us-east-1:123456789012:serverless/Prod/OPTIONS/hello",
        ]
        .contains(&arn),
        "{arn}"
    );
    let policy = |effect: &str| {
        Bytes::from(
            serde_json::json!({
                "principalId": "user-1",
                "policyDocument": {"Version": "2012-10-17", "Statement": [{
                    "Action": "execute-api:Invoke",
                    "Effect": effect,
                    "Resource": "arn:aws:execute-api:us-east-1:123456789012:serverless/Prod/*"
                }]},
                "context": {"tenant": "t1", "level": 3},
                "usageIdentifierKey": "good-key"
            })
            .to_string(),
        )
    };
    match event["authorizationToken"].as_str() {
        Some("Bearer allow") => Ok(policy("Allow")),
        Some("Bearer deny") => Ok(policy("Deny")),
        Some("Bearer unauthorized") => Err(InvokeError::Function {
            error_type: "Error".into(),
            error_message: "Unauthorized".into(),
        }),
        Some("Bearer crash") => Err(InvokeError::Function {
            error_type: "TypeError".into(),
            error_message: "boom".into(),
        }),
        _ => Ok(Bytes::from_static(b"garbage")),
    }
}

fn authorized_stack(function: Option<usize>) -> Stack {
    let mut the_stack = cors_stack();
    for verb in ["GET", "OPTIONS"] {
        method(&mut the_stack, "/hello", verb).authorization = Authorization::Authorizer(
            authorizer(&["method.request.header.Authorization"], function),
        );
    }
    the_stack
}

fn authorized_gateway(the_stack: Stack) -> Gateway {
    gateway(
        the_stack,
        Scripted::new(Duration::ZERO, echo).with(1, token_authorizer),
        GatewayOptions::default(),
    )
}

#[tokio::test]
async fn rule_5_6_missing_identity_source_is_401_also_on_options() {
    let gateway = authorized_gateway(authorized_stack(Some(1)));
    for req in [
        preflight("/hello"),
        request("GET", "/hello", &[]),
        request("GET", "/hello", &[("authorization", "")]),
    ] {
        let answer = send(&gateway, req).await;
        answer.assert_error(
            401,
            r#"{"message":"Unauthorized"}"#,
            "UnauthorizedException",
        );
        assert!(answer.has_no_cors_headers());
    }
}

#[tokio::test]
async fn rule_5_6_lambda_authorizer_allow_deny_unauthorized_garbage() {
    let gateway = authorized_gateway(authorized_stack(Some(1)));
    let get = |token: &'static str| request("GET", "/hello", &[("Authorization", token)]);

    let allowed = send(&gateway, get("Bearer allow")).await;
    assert_eq!(allowed.status, 200, "{:?}", allowed.body);
    // `echo` returns the proxy event as the body.
    assert_eq!(
        allowed.json()["requestContext"]["authorizer"],
        serde_json::json!({"principalId": "user-1", "tenant": "t1", "level": 3})
    );

    send(&gateway, get("Bearer deny")).await.assert_error(
        403,
        r#"{"Message":"User is not authorized to access this resource with an explicit deny"}"#,
        "AccessDeniedException",
    );
    send(&gateway, get("Bearer unauthorized"))
        .await
        .assert_error(
            401,
            r#"{"message":"Unauthorized"}"#,
            "UnauthorizedException",
        );
    for token in ["Bearer garbage", "Bearer crash"] {
        send(&gateway, get(token)).await.assert_error(
            500,
            r#"{"message": null}"#,
            "AuthorizerConfigurationException",
        );
    }
}

fn request_authorizer(event: &[u8]) -> Result<Bytes, InvokeError> {
    let event: Value = serde_json::from_slice(event).expect("authorizer event");
    let keys: Vec<&str> = event
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let expected = [
        "type",
        "methodArn",
        "resource",
        "path",
        "httpMethod",
        "headers",
        "multiValueHeaders",
        "queryStringParameters",
        "multiValueQueryStringParameters",
        "pathParameters",
        "stageVariables",
        "requestContext",
    ];
    let effect = if keys == expected
        && event["type"] == "REQUEST"
        && event["queryStringParameters"]["token"] == "t"
        && event["httpMethod"] == "GET"
    {
        "Allow"
    } else {
        "Deny"
    };
    Ok(Bytes::from(
        serde_json::json!({
            "principalId": "p",
            "policyDocument": {"Statement": [{
                "Action": "execute-api:Invoke", "Effect": effect, "Resource": "*"
            }]}
        })
        .to_string(),
    ))
}

#[tokio::test]
async fn rule_5_6_request_authorizer_gets_the_request_event() {
    let mut the_stack = cors_stack();
    let mut auth = authorizer(&["method.request.querystring.token"], Some(1));
    auth.kind = AuthorizerKind::Request;
    method(&mut the_stack, "/hello", "GET").authorization = Authorization::Authorizer(auth);
    let gateway = gateway(
        the_stack,
        Scripted::new(Duration::ZERO, ok_json).with(1, request_authorizer),
        GatewayOptions::default(),
    );
    assert_eq!(
        send(&gateway, request("GET", "/hello?token=t", &[]))
            .await
            .status,
        200
    );
    assert_eq!(
        send(&gateway, request("GET", "/hello", &[])).await.status,
        401
    );
}

#[tokio::test]
async fn rule_9_5_api_key_from_the_authorizer_usage_identifier_key() {
    let mut the_stack = authorized_stack(Some(1));
    the_stack.rest_apis[0].api_key_source = ApiKeySource::Authorizer;
    method(&mut the_stack, "/hello", "GET").api_key_required = true;
    the_stack.api_keys = vec![api_key("good-key", true)];
    let gateway = authorized_gateway(the_stack);
    let answer = send(
        &gateway,
        request("GET", "/hello", &[("authorization", "Bearer allow")]),
    )
    .await;
    assert_eq!(answer.status, 200);
}

#[tokio::test]
async fn rule_5_6_cognito_and_functionless_authorizers_let_present_identities_through() {
    let mut the_stack = authorized_stack(None);
    if let Authorization::Authorizer(a) =
        &mut method(&mut the_stack, "/hello", "OPTIONS").authorization
    {
        a.kind = AuthorizerKind::CognitoUserPools;
    }
    let gateway = authorized_gateway(the_stack);
    for verb in ["GET", "OPTIONS"] {
        let with = request(verb, "/hello", &[("authorization", "anything")]);
        assert_eq!(send(&gateway, with).await.status, 200, "{verb}");
        let without = request(verb, "/hello", &[]);
        assert_eq!(send(&gateway, without).await.status, 401, "{verb}");
    }
}

#[tokio::test]
async fn rule_9_6_aws_iam_needs_a_sigv4_header() {
    let mut the_stack = cors_stack();
    for verb in ["GET", "OPTIONS"] {
        method(&mut the_stack, "/hello", verb).authorization = Authorization::AwsIam;
    }
    let gateway = simple(the_stack, ok_json);
    for req in [
        preflight("/hello"),
        request("GET", "/hello", &[("authorization", "Bearer x")]),
    ] {
        send(&gateway, req).await.assert_error(
            403,
            &format!(r#"{{"message":"{}"}}"#, crate::AWS_IAM_UNSIGNED_MESSAGE),
            "MissingAuthenticationTokenException",
        );
    }
    let signed = request(
        "GET",
        "/hello",
        &[(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/execute-api/aws4_request, \
             SignedHeaders=host, Signature=abc",
        )],
    );
    assert_eq!(send(&gateway, signed).await.status, 200);
}

// ---------------------------------------------------------------------------------------
// Configured gateway responses (spec 3.3-3.5, scenario 3)

/// Scenario 3: `{cors+}` with a MOCK OPTIONS and a proxy POST; DEFAULT_4XX and DEFAULT_5XX
/// add Access-Control-Allow-Origin.
fn scenario_3(answer: Answer) -> Gateway {
    let mut the_stack = stack(vec![api(
        "Api",
        "dev",
        &[("/{cors+}", &["OPTIONS", "POST"])],
        0,
        10,
    )]);
    method(&mut the_stack, "/{cors+}", "OPTIONS").integration = mock_method(
        "{\"statusCode\": 200}",
        vec![integration_response(
            None,
            "200",
            &[
                ("Access-Control-Allow-Origin", "'*'"),
                ("Access-Control-Allow-Headers", "'Content-Type'"),
                ("Access-Control-Allow-Methods", "'GET, POST'"),
            ],
        )],
    );
    let template = [(
        "application/json",
        "{\"message\":$context.error.messageString}",
    )];
    the_stack.rest_apis[0].gateway_responses = vec![
        gateway_response(
            "DEFAULT_4XX",
            None,
            &[("gatewayresponse.header.Access-Control-Allow-Origin", "'*'")],
            &template,
        ),
        gateway_response(
            "DEFAULT_5XX",
            None,
            &[("gatewayresponse.header.Access-Control-Allow-Origin", "'*'")],
            &template,
        ),
    ];
    simple(the_stack, answer)
}

#[tokio::test]
async fn scenario_3_default_4xx_and_5xx_add_allow_origin_to_gateway_errors() {
    let gateway = scenario_3(ok_json);
    let options = send(&gateway, preflight("/items/42")).await;
    assert_eq!(options.status, 200);
    assert_eq!(
        options.header("access-control-allow-methods"),
        Some("GET, POST")
    );

    let missing = send(&gateway, request("GET", "/missing/route", &[])).await;
    missing.assert_error(
        403,
        r#"{"message":"Missing Authentication Token"}"#,
        "MissingAuthenticationTokenException",
    );
    assert_eq!(missing.header("access-control-allow-origin"), Some("*"));

    // The root: `{cors+}` needs a segment; a 403 with Allow-Origin but no Allow-Methods.
    let root = send(&gateway, preflight("/")).await;
    assert_eq!(root.status, 403);
    assert_eq!(root.header("access-control-allow-origin"), Some("*"));
    assert!(root.header("access-control-allow-methods").is_none());

    let crashed = send(&scenario_3(crash), request("POST", "/items/42", &[])).await;
    // The configured template has no space after the colon.
    crashed.assert_error(
        502,
        r#"{"message":"Internal server error"}"#,
        "InternalServerErrorException",
    );
    assert_eq!(crashed.header("access-control-allow-origin"), Some("*"));
}

#[tokio::test]
async fn rule_3_5_lookup_order_type_then_family_then_builtin() {
    let mut the_stack = keyed_stack();
    the_stack.rest_apis[0].gateway_responses = vec![
        gateway_response(
            "DEFAULT_4XX",
            None,
            &[("gatewayresponse.header.X-Family", "'4xx'")],
            &[],
        ),
        gateway_response(
            "INVALID_API_KEY",
            Some(429),
            &[("gatewayresponse.header.X-Type", "'invalid-key'")],
            &[(
                "application/json",
                "{\"type\":\"$context.error.responseType\"}",
            )],
        ),
    ];
    let gateway = simple(the_stack, crash);
    // The configured type wins over the family (and overrides the status).
    let key = send(&gateway, request("GET", "/hello", &[])).await;
    assert_eq!(key.status, 429);
    assert_eq!(&key.body[..], br#"{"type":"INVALID_API_KEY"}"#);
    assert_eq!(key.header("x-type"), Some("invalid-key"));
    assert!(key.header("x-family").is_none());
    assert_eq!(key.header("x-amzn-errortype"), Some("ForbiddenException"));
    // Another 4xx type falls back to DEFAULT_4XX; its empty templates keep the built-in body.
    let missing = send(&gateway, request("GET", "/nope", &[])).await;
    missing.assert_error(
        403,
        r#"{"message":"Missing Authentication Token"}"#,
        "MissingAuthenticationTokenException",
    );
    assert_eq!(missing.header("x-family"), Some("4xx"));
    // A 5xx does not use DEFAULT_4XX: built-in.
    let crashed = send(
        &gateway,
        request("GET", "/hello", &[("x-api-key", "good-key")]),
    )
    .await;
    crashed.assert_error(
        502,
        r#"{"message": "Internal server error"}"#,
        "InternalServerErrorException",
    );
    assert!(crashed.header("x-family").is_none());
}

#[tokio::test]
async fn rule_3_3_and_3_4_headers_from_the_request_and_template_substitution() {
    let mut the_stack = stack(vec![api("Api", "dev", &[("/items/{id}", &["GET"])], 0, 10)]);
    method(&mut the_stack, "/items/{id}", "GET").api_key_required = true;
    the_stack.rest_apis[0]
        .stage_variables
        .insert("team".into(), "blue".into());
    the_stack.rest_apis[0].gateway_responses = vec![gateway_response(
        "DEFAULT_4XX",
        Some(400),
        &[
            (
                "gatewayresponse.header.Access-Control-Allow-Origin",
                "method.request.header.Origin",
            ),
            ("gatewayresponse.header.X-Id", "method.request.path.id"),
            ("gatewayresponse.header.X-Q", "method.request.querystring.q"),
            ("gatewayresponse.header.Vary", "'Origin'"),
        ],
        &[(
            "application/json",
            "{\"m\":$context.error.messageString,\"raw\":\"$context.error.message\",\
                 \"t\":\"$context.error.responseType\",\"s\":\"$context.stage\",\
                 \"p\":\"$context.resourcePath\",\"h\":\"$context.httpMethod\",\
                 \"v\":\"$stageVariables.team\",\"rid\":\"$context.requestId\"}",
        )],
    )];
    let gateway = simple(the_stack, ok_json);
    let answer = send(
        &gateway,
        request(
            "GET",
            "/items/42?q=a+b",
            &[("origin", "http://localhost:5173")],
        ),
    )
    .await;
    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.header("access-control-allow-origin"),
        Some("http://localhost:5173")
    );
    assert_eq!(answer.header("x-id"), Some("42"));
    assert_eq!(answer.header("x-q"), Some("a b"));
    assert_eq!(answer.header("vary"), Some("Origin"));
    let body = answer.json();
    assert_eq!(body["m"], "Forbidden");
    assert_eq!(body["raw"], "Forbidden");
    assert_eq!(body["t"], "INVALID_API_KEY");
    assert_eq!(body["s"], "dev");
    assert_eq!(body["p"], "/items/{id}");
    assert_eq!(body["h"], "GET");
    assert_eq!(body["v"], "blue");
    assert_eq!(body["rid"], answer.header("x-amzn-requestid").expect("id"));
    // Without Origin the echoed header is omitted.
    let answer = send(&gateway, request("GET", "/items/42", &[])).await;
    assert!(answer.header("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn rule_3_3_path_and_querystring_parameters_have_no_effect() {
    let mut the_stack = stack(vec![api("Api", "dev", &[("/a", &["GET"])], 0, 10)]);
    the_stack.rest_apis[0].gateway_responses = vec![gateway_response(
        "MISSING_AUTHENTICATION_TOKEN",
        None,
        &[
            ("gatewayresponse.path.p", "'x'"),
            ("gatewayresponse.querystring.q", "'y'"),
        ],
        &[],
    )];
    let answer = send(&simple(the_stack, ok_json), request("GET", "/b?q=1", &[])).await;
    answer.assert_error(
        403,
        r#"{"message":"Missing Authentication Token"}"#,
        "MissingAuthenticationTokenException",
    );
    let mut names: Vec<&str> = answer.headers.keys().map(|k| k.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "content-type",
            "x-amz-apigw-id",
            "x-amzn-errortype",
            "x-amzn-requestid"
        ]
    );
    assert_eq!(crate::GATEWAY_RESPONSE_PARAMETERS_WITHOUT_EFFECT.len(), 2);
}

#[tokio::test]
async fn rule_5_6_configured_unauthorized_response_applies_to_the_preflight_401() {
    // How users make a protected preflight's 401 readable: UNAUTHORIZED with CORS headers.
    let mut the_stack = authorized_stack(Some(1));
    the_stack.rest_apis[0].gateway_responses = vec![gateway_response(
        "UNAUTHORIZED",
        None,
        &[("gatewayresponse.header.Access-Control-Allow-Origin", "'*'")],
        &[],
    )];
    let answer = send(&authorized_gateway(the_stack), preflight("/hello")).await;
    answer.assert_error(
        401,
        r#"{"message":"Unauthorized"}"#,
        "UnauthorizedException",
    );
    assert_eq!(answer.header("access-control-allow-origin"), Some("*"));
}

#[tokio::test]
async fn hostile_requests_to_mock_and_protected_methods_never_panic() {
    let gateway = authorized_gateway(authorized_stack(Some(1)));
    let long = "x".repeat(100_000);
    let bad_headers: [(&str, &[u8]); 3] = [
        ("authorization", b"Bearer \xff\xfe"),
        ("content-type", b"\xff/\xfe"),
        ("x-api-key", b"\x80"),
    ];
    for (name, value) in bad_headers {
        for verb in ["GET", "OPTIONS"] {
            let mut req = request(verb, "/hello?%ff=%fe", &[]);
            req.headers_mut()
                .insert(name, HeaderValue::from_bytes(value).expect("obs-text"));
            let answer = send(&gateway, req).await;
            assert!(answer.status >= 200, "{verb} {name}");
        }
    }
    let answer = send(
        &gateway,
        request("GET", "/hello", &[("authorization", long.as_str())]),
    )
    .await;
    assert_eq!(answer.status, 500, "garbage from the authorizer");
}
