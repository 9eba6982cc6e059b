//! Routing (spec §4.2, §4.7) and the errors the gateway makes itself (§5.1, §5.2), with
//! real function processes that fail in every way a function can.

mod support;

use reqwest::Method;
use support::*;

async fn assert_missing_authentication_token(s: &Server, method: Method, path: &str) {
    let response = client()
        .request(method.clone(), s.url(path))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403, "{method} {path}");
    assert_eq!(
        response.headers()["x-amzn-errortype"],
        "MissingAuthenticationTokenException",
        "{method} {path}"
    );
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(
        response.text().await.unwrap(),
        r#"{"message":"Missing Authentication Token"}"#
    );
}

async fn assert_bad_gateway(s: &Server, path: &str) {
    let response = client().get(s.url(path)).send().await.unwrap();
    assert_eq!(response.status(), 502, "{path}");
    assert_eq!(
        response.headers()["x-amzn-errortype"],
        "InternalServerErrorException"
    );
    assert_eq!(
        response.text().await.unwrap(),
        r#"{"message": "Internal server error"}"#
    );
}

#[tokio::test]
async fn rule_4_2_explicit_method_beats_any() {
    let s = serve_basic(&[]);
    let get = echo(&s, Method::GET, "/items/1").await;
    assert_eq!(get["context"]["functionName"], "NodeEcho");
    let post = echo(&s, Method::POST, "/items/1").await;
    assert_eq!(post["context"]["functionName"], "NodeItemsAny");
    assert_eq!(post["event"]["httpMethod"], "POST");
}

#[tokio::test]
async fn rule_4_2_any_receives_the_preflight_when_there_is_no_options_method() {
    let s = serve_basic(&[]);
    let options = echo(&s, Method::OPTIONS, "/node/x").await;
    assert_eq!(options["event"]["httpMethod"], "OPTIONS");
}

#[tokio::test]
async fn rule_4_7_trailing_slash_reaches_the_resource() {
    let s = serve_basic(&[]);
    let event = echo(&s, Method::GET, "/hardcoded/").await["event"].clone();
    assert_eq!(event["resource"], "/hardcoded");
    assert_eq!(event["path"], "/hardcoded/");
}

#[tokio::test]
async fn rule_5_1_unknown_path_or_method_is_missing_authentication_token() {
    let s = serve_basic(&[]);
    assert_missing_authentication_token(&s, Method::GET, "/nope").await;
    assert_missing_authentication_token(&s, Method::GET, "/").await;
    assert_missing_authentication_token(&s, Method::DELETE, "/esm").await;
    assert_missing_authentication_token(&s, Method::OPTIONS, "/esm").await;
    // A greedy parameter needs at least one segment.
    assert_missing_authentication_token(&s, Method::GET, "/node").await;
    assert_missing_authentication_token(&s, Method::GET, "/Prod/esm").await;
}

#[tokio::test]
async fn rule_5_2_handler_error_is_502_and_logged() {
    let s = serve_basic(&[]);
    assert_bad_gateway(&s, "/throw").await;
    let log = s.wait_for_log("boom from node");
    assert!(log.contains("TypeError"), "{log}");
}

#[tokio::test]
async fn rule_5_2_timeout_is_502_and_the_instance_is_replaced() {
    let s = serve_basic(&[]);
    assert_bad_gateway(&s, "/slow").await;
    let log = s.wait_for_log("timed out");
    assert!(log.contains("PythonSlow"), "{log}");
    // The next invocation gets a fresh instance (and times out again, rather than hanging).
    assert_bad_gateway(&s, "/slow").await;
}

#[tokio::test]
async fn rule_5_2_process_exit_mid_invoke_is_502_and_replaced() {
    let s = serve_basic(&[]);
    assert_bad_gateway(&s, "/exit").await;
    assert_bad_gateway(&s, "/exit").await;
    s.wait_for_log("exit");
    // Other functions are unaffected.
    echo(&s, Method::GET, "/node/still-alive").await;
}

#[tokio::test]
async fn rule_5_2_import_error_is_502_with_the_cause_in_the_log() {
    let s = serve_basic(&[]);
    assert_bad_gateway(&s, "/import-error").await;
    let log = s.wait_for_log("module_that_does_not_exist");
    assert!(
        log.contains("broken.handler") || log.contains("'broken'"),
        "{log}"
    );
}

#[tokio::test]
async fn rule_5_2_invalid_json_from_a_function_is_502() {
    let s = serve_basic(&[]);
    let response = client()
        .post(s.url("/raw"))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 502);
}

#[tokio::test]
async fn requests_with_odd_input_never_break_the_server() {
    let s = serve_basic(&[]);
    for head in [
        "GET /node/%ZZ HTTP/1.1",
        "GET /node/x?%zz=%&&=&a==b HTTP/1.1",
        "GET /node/%C3%28 HTTP/1.1",
        "GET //// HTTP/1.1",
        "PATCH /items/%00 HTTP/1.1",
        "BREW /node/coffee HTTP/1.1",
    ] {
        let response = raw_request(&s.base, head, b"");
        assert!(
            matches!(response.status, 200 | 403),
            "{head}: {}",
            response.status
        );
    }
    // Still serving.
    echo(&s, Method::GET, "/hardcoded").await;
}
