//! `AWS` Lambda integrations: the error mapping on its own, then whole requests through
//! `Gateway::handle` with scripted functions. Test names cite the spec rule or recording they
//! pin.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use gatewise_lambda::{INIT_ERROR_TYPE, InvokeError};
use gatewise_model::{
    Integration, IntegrationMapping, IntegrationResponse, PassthroughBehavior, Stack,
};
use http::Request;
use http_body_util::{BodyExt, Full};
use serde_json::{Value, json};

use super::*;
use crate::gateway::{Gateway, GatewayOptions, RouteTable};
use crate::request::ConnectionInfo;
use crate::test_support::{Answer, Scripted, api, integration_response, stack, templates};

fn response(
    pattern: Option<&str>,
    status: &str,
    parameters: &[(&str, &str)],
) -> IntegrationResponse {
    integration_response(pattern, status, parameters)
}

const ALLOW_ANY_ORIGIN: (&str, &str) =
    ("method.response.header.Access-Control-Allow-Origin", "'*'");

/// The mapping of the acceptance fixture: a default 200 and `.*Bad.*` → 400, both mapping
/// Access-Control-Allow-Origin.
fn bad_is_400() -> IntegrationMapping {
    IntegrationMapping {
        responses: vec![
            response(None, "200", &[ALLOW_ANY_ORIGIN]),
            response(Some(".*Bad.*"), "400", &[ALLOW_ANY_ORIGIN]),
        ],
        ..IntegrationMapping::default()
    }
}

/// `GET`/`POST /hello` integrate function 0 through `mapping`.
fn lambda_stack(mapping: IntegrationMapping, timeout: Duration) -> Stack {
    let mut the_stack = stack(vec![api(
        "Api",
        "prod",
        &[("/hello", &["GET", "POST"])],
        0,
        10,
    )]);
    for method in &mut the_stack.rest_apis[0].resources[0].methods {
        method.integration = Integration::Lambda {
            function: 0,
            timeout,
            mapping: mapping.clone(),
        };
    }
    the_stack
}

fn gateway(mapping: IntegrationMapping, answer: Answer) -> Gateway {
    gateway_with(
        lambda_stack(mapping, Integration::REST_DEFAULT_TIMEOUT),
        answer,
        Duration::ZERO,
    )
}

fn gateway_with(the_stack: Stack, answer: Answer, delay: Duration) -> Gateway {
    let routes = RouteTable::build(&the_stack).expect("routes");
    Gateway::with_invoker(
        Arc::new(the_stack),
        routes,
        Arc::new(Scripted::new(delay, answer)),
        GatewayOptions::default(),
    )
}

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
}

async fn send(gateway: &Gateway, request: Request<Full<Bytes>>) -> Answered {
    let connection = ConnectionInfo {
        peer: "192.0.2.7:50000".parse().expect("addr"),
        local: "127.0.0.1:3000".parse().expect("addr"),
    };
    let (parts, body) = gateway.handle(request, connection, None).await.into_parts();
    Answered {
        status: parts.status.as_u16(),
        headers: parts.headers,
        body: body.collect().await.expect("body").to_bytes(),
    }
}

fn get(uri: &str) -> Request<Full<Bytes>> {
    Request::get(uri).body(Full::default()).expect("request")
}

fn post(uri: &str, content_type: &str, body: &'static str) -> Request<Full<Bytes>> {
    Request::post(uri)
        .header("content-type", content_type)
        .body(Full::new(Bytes::from_static(body.as_bytes())))
        .expect("request")
}

/// The function returns its event, so tests see what API Gateway sent.
fn echo_event(event: &[u8]) -> Result<Bytes, InvokeError> {
    Ok(Bytes::copy_from_slice(event))
}

fn fails_bad_input(_: &[u8]) -> Result<Bytes, InvokeError> {
    Err(InvokeError::Function {
        error_type: "Exception".into(),
        error_message: "Bad input: name is required".into(),
    })
}

fn fails_boom(_: &[u8]) -> Result<Bytes, InvokeError> {
    Err(InvokeError::Function {
        error_type: "Exception".into(),
        error_message: "boom".into(),
    })
}

#[test]
fn invoke_errors_become_what_lambda_reports() {
    let cases = [
        (
            InvokeError::Function {
                error_type: "Exception".into(),
                error_message: "Error: Raising 400 from within the Lambda function".into(),
            },
            "Exception",
            "Error: Raising 400 from within the Lambda function",
        ),
        (
            InvokeError::Timeout(Duration::from_secs(3)),
            TIMEOUT_ERROR_TYPE,
            "Task timed out after 3.00 seconds",
        ),
        (
            InvokeError::Crashed("exit status 1".into()),
            EXIT_ERROR_TYPE,
            "Runtime exited with error: exit status 1",
        ),
        (
            InvokeError::InitFailed("app.handler of Fn: No module named 'app'".into()),
            INIT_ERROR_TYPE,
            "app.handler of Fn: No module named 'app'",
        ),
        (
            InvokeError::InitFailed(
                "handler 'broken.handler' of Fn: Runtime.ImportModuleError: Unable to import \
                 module 'broken': No module named 'x'"
                    .into(),
            ),
            "Runtime.ImportModuleError",
            "Unable to import module 'broken': No module named 'x'",
        ),
    ];
    for (error, error_type, error_message) in cases {
        let reported = FunctionError::from_invoke(error);
        assert_eq!(
            (
                reported.error_type.as_str(),
                reported.error_message.as_str()
            ),
            (error_type, error_message)
        );
    }
    // The document's keys as recorded (LocalStack `lambda-selection-pattern-400`), in order.
    let document = FunctionError::from_invoke(InvokeError::Function {
        error_type: "Exception".into(),
        error_message: "boom".into(),
    })
    .document("req-1");
    assert_eq!(
        std::str::from_utf8(&document),
        Ok(
            r#"{"errorMessage":"boom","errorType":"Exception","requestId":"req-1","stackTrace":[]}"#
        )
    );
}

/// LocalStack `test_lambda_selection_patterns` [AWS-REC]: success → the default response
/// with the output as the body; an error whose message a pattern matches → that response,
/// with Lambda's error document as the body.
#[tokio::test]
async fn rule_4_5_success_takes_the_default_and_errors_select_by_error_message() {
    let pass = |_: &[u8]| Ok(Bytes::from_static(b"\"Pass\""));
    let answer = send(&gateway(bad_is_400(), pass), get("/hello")).await;
    assert_eq!(answer.status, 200);
    assert_eq!(&answer.body[..], b"\"Pass\"");
    assert_eq!(answer.header("content-type"), Some("application/json"));
    assert_eq!(answer.header("access-control-allow-origin"), Some("*"));
    // No trace id on non-proxy responses (spec 5.8: only proxy responses carry it).
    assert_eq!(answer.header("x-amzn-trace-id"), None);
    assert!(answer.header("x-amzn-requestid").is_some());

    let answer = send(&gateway(bad_is_400(), fails_bad_input), get("/hello")).await;
    assert_eq!(answer.status, 400);
    let body = answer.json();
    assert_eq!(body["errorMessage"], "Bad input: name is required");
    assert_eq!(body["errorType"], "Exception");
    assert_eq!(body["stackTrace"], json!([]));
    assert_eq!(answer.header("access-control-allow-origin"), Some("*"));
}

/// DG handle-errors-in-lambda-integration: an error no pattern matches is answered by the
/// default integration response — 200, the error document as the body.
#[tokio::test]
async fn rule_4_5_unmapped_lambda_errors_are_200_with_the_error_document() {
    let answer = send(&gateway(bad_is_400(), fails_boom), get("/hello")).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json()["errorMessage"], "boom");
    // Patterns match the whole message: `Bad` alone does not match "Bad input: …".
    let mut anchored = bad_is_400();
    anchored.responses[1].selection_pattern = Some("Bad".into());
    let answer = send(&gateway(anchored, fails_bad_input), get("/hello")).await;
    assert_eq!(answer.status, 200);
}

/// A Lambda-side timeout (the function's `Timeout`) is a function error like any other: a
/// pattern on its message maps it; the integration timeout is the gateway's 504 (5.4).
#[tokio::test]
async fn function_timeout_is_selectable_and_integration_timeout_is_504() {
    let mut mapping = bad_is_400();
    mapping
        .responses
        .push(response(Some(".*Task timed out.*"), "504", &[]));
    let timed_out = |_: &[u8]| Err(InvokeError::Timeout(Duration::from_secs(3)));
    let answer = send(&gateway(mapping, timed_out), get("/hello")).await;
    assert_eq!(answer.status, 504);
    assert_eq!(
        answer.json()["errorMessage"],
        "Task timed out after 3.00 seconds"
    );

    let slow = gateway_with(
        lambda_stack(bad_is_400(), Duration::from_millis(50)),
        echo_event,
        Duration::from_secs(5),
    );
    let answer = send(&slow, get("/hello")).await;
    assert_eq!(answer.status, 504);
    assert_eq!(
        &answer.body[..],
        br#"{"message": "Endpoint request timed out"}"#
    );
    assert_eq!(answer.header("access-control-allow-origin"), None);
}

/// serverless-patterns apigw-cors-nonproxy: the request template is the event; with no
/// Content-Type the `application/json` template applies (4.3).
#[tokio::test]
async fn rule_4_3_request_template_is_the_event() {
    let mapping = IntegrationMapping {
        request_templates: templates(&[(
            "application/json",
            "{\"statusCode\": 200, \"name\": \"$input.params('name')\", \"stage\": \"$context.stage\"}",
        )]),
        ..bad_is_400()
    };
    let answer = send(&gateway(mapping, echo_event), get("/hello?name=ada")).await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.json(),
        json!({"statusCode": 200, "name": "ada", "stage": "prod"})
    );
}

/// LocalStack `test_lambda_aws_integration` [AWS-REC]: no template, `WHEN_NO_MATCH` → the
/// body is the event.
#[tokio::test]
async fn rule_4_3_passthrough_body_is_the_event() {
    let answer = send(
        &gateway(bad_is_400(), echo_event),
        post(
            "/hello",
            "application/json",
            r#"{"message": "hello world"}"#,
        ),
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json(), json!({"message": "hello world"}));
}

#[tokio::test]
async fn empty_passthrough_body_is_the_empty_object_event() {
    let answer = send(&gateway(bad_is_400(), echo_event), get("/hello")).await;
    assert_eq!(&answer.body[..], EMPTY_PASSTHROUGH_EVENT.as_bytes());
}

#[tokio::test]
async fn rule_4_3_never_without_a_template_is_415_and_non_json_events_are_500() {
    let never = IntegrationMapping {
        request_templates: templates(&[("application/json", "{}")]),
        passthrough_behavior: PassthroughBehavior::Never,
        ..bad_is_400()
    };
    let answer = send(
        &gateway(never, echo_event),
        post("/hello", "text/plain", "hi"),
    )
    .await;
    assert_eq!(answer.status, 415);
    assert_eq!(&answer.body[..], br#"{"message":"Unsupported Media Type"}"#);

    // WHEN_NO_MATCH lets text through, but Lambda only takes JSON.
    let answer = send(
        &gateway(bad_is_400(), echo_event),
        post("/hello", "text/plain", "hi"),
    )
    .await;
    assert_eq!(answer.status, 500);
    assert_eq!(&answer.body[..], br#"{"message": "Internal server error"}"#);
}

/// The response template renders the output (`$input.json('$')`, `$input.body`); request
/// parameters and `integration.response.body.*` map headers.
#[tokio::test]
async fn rule_4_6_response_template_and_parameters_read_the_output() {
    let mut selected = response(
        None,
        "201",
        &[
            (
                "method.response.header.X-Who",
                "integration.response.body.who.name",
            ),
            (
                "method.response.header.X-Count",
                "integration.response.body.count",
            ),
            (
                "method.response.header.X-Missing",
                "integration.response.body.nope",
            ),
            (
                "method.response.header.X-Header",
                "integration.response.header.Date",
            ),
            (
                "method.response.header.X-Echo",
                "method.request.querystring.q",
            ),
            (
                "method.response.header.X-First",
                "integration.response.body.tags[0]",
            ),
            (
                "method.response.header.X-Version",
                "integration.response.header.X-Amz-Executed-Version",
            ),
            (
                "method.response.header.X-Failed",
                "integration.response.header.X-Amz-Function-Error",
            ),
        ],
    );
    selected.response_templates = templates(&[(
        "application/json",
        "{\"wrapped\": $input.json('$.who'), \"raw\": $input.body}",
    )]);
    let mapping = IntegrationMapping {
        responses: vec![selected],
        ..IntegrationMapping::default()
    };
    let output = |_: &[u8]| {
        Ok(Bytes::from_static(
            br#"{"who": {"name": "ada"}, "count": 2, "tags": ["a", "b"]}"#,
        ))
    };
    let answer = send(&gateway(mapping.clone(), output), get("/hello?q=x")).await;
    assert_eq!(answer.status, 201);
    assert_eq!(
        std::str::from_utf8(&answer.body),
        Ok(
            r#"{"wrapped": {"name":"ada"}, "raw": {"who": {"name": "ada"}, "count": 2, "tags": ["a", "b"]}}"#
        )
    );
    assert_eq!(answer.header("x-who"), Some("ada"));
    assert_eq!(answer.header("x-count"), Some("2"));
    assert_eq!(answer.header("x-missing"), None);
    assert_eq!(answer.header("x-header"), None);
    assert_eq!(answer.header("x-echo"), Some("x"));
    assert_eq!(answer.header("x-first"), Some("a"));
    assert_eq!(answer.header("x-version"), Some("$LATEST"));
    assert_eq!(answer.header("x-failed"), None);
    // A failed function: Invoke says so in X-Amz-Function-Error.
    let answer = send(&gateway(mapping, fails_boom), get("/hello")).await;
    assert_eq!(answer.header("x-failed"), Some("Unhandled"));
}

/// Rules M.7, M.8: the templates' overrides come last; the request template's `$context`,
/// overrides included, reaches the response template; a template failing at run time is a
/// 500 whose log reason names the template and the position inside it.
#[tokio::test]
async fn rule_m_8_overrides_apply_after_the_integration_response() {
    let mut selected = response(None, "200", &[("method.response.header.X-Mapped", "'one'")]);
    selected.response_templates = templates(&[(
        "application/json",
        "#set($context.responseOverride.header.X-Mapped = 'two')$context.requestOverride.header.seen",
    )]);
    let mapping = IntegrationMapping {
        request_templates: templates(&[(
            "application/json",
            "#set($context.requestOverride.header.seen = 'yes')#set($context.responseOverride.status = 202){}",
        )]),
        responses: vec![selected],
        ..IntegrationMapping::default()
    };
    let answer = send(&gateway(mapping, echo_event), get("/hello")).await;
    assert_eq!(answer.status, 202);
    assert_eq!(answer.header("x-mapped"), Some("two"));
    assert_eq!(&answer.body[..], b"yes");

    let failing = IntegrationMapping {
        request_templates: templates(&[("application/json", "{\"x\": $util.parseJson('{')}")]),
        ..bad_is_400()
    };
    let answer = send(&gateway(failing, echo_event), get("/hello")).await;
    assert_eq!(answer.status, 500);
    assert_eq!(&answer.body[..], br#"{"message": "Internal server error"}"#);
}

/// Spec 4.5/5.3: nothing selected (no default, no match) or a status that is not HTTP → 500.
#[tokio::test]
async fn rule_5_3_no_integration_response_or_bad_status_is_500() {
    let only_pattern = IntegrationMapping {
        responses: vec![response(Some(".*Bad.*"), "400", &[])],
        ..IntegrationMapping::default()
    };
    for answer in [echo_event as Answer, fails_boom] {
        let answered = send(&gateway(only_pattern.clone(), answer), get("/hello")).await;
        assert_eq!(answered.status, 500);
        assert_eq!(
            answered.header("x-amzn-errortype"),
            Some("InternalServerErrorException")
        );
    }
    let bad_status = IntegrationMapping {
        responses: vec![response(None, "OK", &[])],
        ..IntegrationMapping::default()
    };
    let answer = send(&gateway(bad_status, echo_event), get("/hello")).await;
    assert_eq!(answer.status, 500);
}

/// Crashes and init failures are function errors too: with only a default response, 200
/// and the error document.
#[tokio::test]
async fn crashes_and_init_failures_reach_the_default_response() {
    let crash = |_: &[u8]| Err(InvokeError::Crashed("exit status 1".into()));
    let answer = send(&gateway(bad_is_400(), crash), get("/hello")).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json()["errorType"], EXIT_ERROR_TYPE);
    let init = |_: &[u8]| Err(InvokeError::InitFailed("Bad handler".into()));
    let answer = send(&gateway(bad_is_400(), init), get("/hello")).await;
    assert_eq!(
        answer.status, 400,
        "`.*Bad.*` matches the init failure's message"
    );
}

/// `EMPTY_RESPONSE_TEMPLATE_PASSES_BODY_THROUGH`: `response_templates = {"application/json" =
/// ""}` (common in Terraform) is no template; the function's output is the body.
#[tokio::test]
async fn an_empty_response_template_passes_the_body_through() {
    let mut selected = response(None, "200", &[]);
    selected.response_templates = templates(&[("application/json", "")]);
    let mapping = IntegrationMapping {
        responses: vec![selected],
        ..IntegrationMapping::default()
    };
    let output = |_: &[u8]| Ok(Bytes::from_static(br#"{"views": 7}"#));
    let answer = send(&gateway(mapping, output), get("/hello")).await;
    assert_eq!(answer.status, 200);
    assert_eq!(&answer.body[..], br#"{"views": 7}"#);
}
