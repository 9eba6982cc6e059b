//! Lambda proxy response mapping (spec §7.1–7.8) through a real function that returns, as its
//! Lambda output, exactly the bytes the test POSTs (fixture `basic/raw/bootstrap`).

mod support;

use support::*;

/// POSTs `output` to the raw responder and returns the gateway's response.
async fn respond_with(s: &Server, output: &str) -> reqwest::Response {
    client()
        .post(s.url("/raw"))
        .body(output.to_owned())
        .send()
        .await
        .unwrap()
}

async fn assert_internal_server_error(s: &Server, output: &str) {
    let response = respond_with(s, output).await;
    assert_eq!(response.status(), 502, "output {output}");
    assert_eq!(
        response.headers()["x-amzn-errortype"],
        "InternalServerErrorException"
    );
    assert_eq!(response.headers()["content-type"], "application/json");
    // Byte-exact, with the space AWS puts after the colon (spec 5.2, 5.3).
    assert_eq!(
        response.text().await.unwrap(),
        r#"{"message": "Internal server error"}"#
    );
}

#[tokio::test]
async fn rule_7_1_only_known_keys_and_a_json_object_are_accepted() {
    let s = serve_basic(&[]);
    assert_internal_server_error(&s, r#"{"statusCode": 200, "wrongValue": 1}"#).await;
    assert_internal_server_error(&s, r#""just a string""#).await;
    assert_internal_server_error(&s, "not json at all").await;
    assert_internal_server_error(&s, "[1, 2]").await;
    let log = s.wait_for_log("wrongValue");
    assert!(log.contains("502"), "{log}");

    let response = respond_with(&s, "{}").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "");
}

#[tokio::test]
async fn rule_7_2_status_code_forms() {
    let s = serve_basic(&[]);
    assert_eq!(
        respond_with(&s, r#"{"statusCode": "201"}"#).await.status(),
        201
    );
    assert_eq!(
        respond_with(&s, r#"{"statusCode": 404, "body": "no"}"#)
            .await
            .status(),
        404
    );
    assert_eq!(
        respond_with(&s, r#"{"headers": {"x-a": "b"}}"#)
            .await
            .status(),
        200
    );
    assert_internal_server_error(&s, r#"{"statusCode": "test"}"#).await;
}

#[tokio::test]
async fn rule_7_3_header_values_and_null_headers() {
    let s = serve_basic(&[]);
    let response = respond_with(
        &s,
        r#"{"statusCode": 200, "headers": {"header-bool": true, "n": 5}}"#,
    )
    .await;
    assert_eq!(response.headers()["header-bool"], "true");
    assert_eq!(response.headers()["n"], "5");
    assert_eq!(
        respond_with(&s, r#"{"statusCode": 200, "headers": null}"#)
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn rule_7_4_multi_value_headers_merge_with_headers() {
    let s = serve_basic(&[]);
    let response = respond_with(
        &s,
        r#"{"statusCode": 200, "multiValueHeaders": {"test-multi": ["value1", "value2"]}}"#,
    )
    .await;
    let values: Vec<_> = response.headers().get_all("test-multi").iter().collect();
    assert_eq!(values, ["value1", "value2"]);

    let response = respond_with(
        &s,
        r#"{"statusCode": 200, "multiValueHeaders": {"tesT-Multi": ["value-multi"]}, "headers": {"test-multi": "value-solo"}}"#,
    )
    .await;
    let values: Vec<_> = response.headers().get_all("test-multi").iter().collect();
    assert_eq!(values, ["value-multi", "value-solo"]);

    assert_internal_server_error(
        &s,
        r#"{"statusCode": 200, "multiValueHeaders": {"test-multi": "not-a-list"}}"#,
    )
    .await;
}

#[tokio::test]
async fn rule_7_5_default_content_type_is_application_json() {
    let s = serve_basic(&[]);
    let response = respond_with(&s, r#"{"statusCode": 200, "body": "plain"}"#).await;
    assert_eq!(response.headers()["content-type"], "application/json");
    let response = respond_with(
        &s,
        r#"{"statusCode": 200, "body": "<p>", "headers": {"Content-Type": "text/html"}}"#,
    )
    .await;
    assert_eq!(response.headers()["content-type"], "text/html");
    assert_eq!(response.text().await.unwrap(), "<p>");
}

#[tokio::test]
async fn rule_7_8_base64_bodies_decode_only_for_a_binary_accept_type() {
    let s = serve_basic(&[]);
    let output = r#"{"statusCode": 200, "body": "iVBORw==", "isBase64Encoded": true, "headers": {"Content-Type": "image/png"}}"#;
    // The implicit API has no binary media types: the base64 text is returned as is.
    let response = respond_with(&s, output).await;
    assert_eq!(response.text().await.unwrap(), "iVBORw==");

    // StagedApi lists image/png; the first Accept type decides.
    let post = |accept: &'static str| {
        client()
            .post(s.url("/raw-binary"))
            .header("Accept", accept)
            .header("Content-Type", "text/plain")
            .body(output)
            .send()
    };
    let decoded = post("image/png, */*").await.unwrap().bytes().await.unwrap();
    assert_eq!(&decoded[..], &[0x89, b'P', b'N', b'G']);
    let kept = post("*/*").await.unwrap().text().await.unwrap();
    assert_eq!(kept, "iVBORw==");
    let kept = post("text/html, image/png")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(kept, "iVBORw==");
}

#[tokio::test]
async fn rule_5_8_request_id_headers_on_proxy_responses() {
    let s = serve_basic(&[]);
    let response = respond_with(&s, r#"{"statusCode": 200}"#).await;
    let headers = response.headers();
    assert!(headers.contains_key("x-amzn-requestid"), "{headers:?}");
    assert!(headers.contains_key("x-amz-apigw-id"), "{headers:?}");
    assert!(headers.contains_key("x-amzn-trace-id"), "{headers:?}");
}

#[tokio::test]
async fn rule_4_1_proxy_responses_get_no_cors_headers_from_the_gateway() {
    let s = serve_basic(&[]);
    let response = client()
        .post(s.url("/raw"))
        .header("Origin", "http://localhost:5173")
        .body(r#"{"statusCode": 200, "body": "{}"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let cors: Vec<_> = response
        .headers()
        .keys()
        .filter(|name| name.as_str().starts_with("access-control-"))
        .collect();
    assert!(cors.is_empty(), "the gateway added {cors:?}");

    // What the function returns passes through untouched.
    let response = respond_with(
        &s,
        r#"{"statusCode": 200, "headers": {"Access-Control-Allow-Origin": "https://app.example"}}"#,
    )
    .await;
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        "https://app.example"
    );
}

#[tokio::test]
async fn rule_5_3_undecodable_base64_is_500() {
    let s = serve_basic(&[]);
    let response = client()
        .post(s.url("/raw-binary"))
        .header("Accept", "image/png")
        .header("Content-Type", "text/plain")
        .body(r#"{"statusCode": 200, "body": "***not base64***", "isBase64Encoded": true}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
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
async fn rule_7_6_connection_level_headers_from_the_function_are_remapped() {
    let s = serve_basic(&[]);
    let response = respond_with(
        &s,
        r#"{"statusCode": 200, "body": "ok", "headers": {"Server": "my-server", "Date": "yesterday"}}"#,
    )
    .await;
    assert_eq!(response.headers()["x-amzn-remapped-server"], "my-server");
    assert_eq!(response.headers()["x-amzn-remapped-date"], "yesterday");
    assert_ne!(
        response
            .headers()
            .get("server")
            .map(|v| v.to_str().unwrap()),
        Some("my-server")
    );
    assert_eq!(response.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn rule_7_7_a_body_that_is_not_a_string_is_malformed() {
    let s = serve_basic(&[]);
    assert_internal_server_error(&s, r#"{"statusCode": 200, "body": {"a": 1}}"#).await;
    assert_internal_server_error(&s, r#"{"statusCode": 200, "body": 5}"#).await;
    let response = respond_with(&s, r#"{"statusCode": 204, "body": null}"#).await;
    assert_eq!(response.status(), 204);
}

#[tokio::test]
async fn rule_7_3_a_null_header_value_drops_the_header_and_the_default_content_type() {
    let s = serve_basic(&[]);
    let response = respond_with(
        &s,
        r#"{"statusCode": 200, "body": "x", "headers": {"Content-Type": null, "X-Gone": null}}"#,
    )
    .await;
    assert_eq!(response.status(), 200);
    assert!(response.headers().get("x-gone").is_none());
    assert!(
        response.headers().get("content-type").is_none(),
        "{:?}",
        response.headers()
    );
}
