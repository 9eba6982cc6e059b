//! HTTP APIs end to end with real functions: payload 2.0 and 1.0 events (spec §6.7–6.10),
//! response inference and errors (§7.9–7.11, §5.9–5.11), the HTTP API CORS algorithm (§8),
//! scenario 4(c), and SAM CLI's own CORS test template.

mod support;

use serde_json::{Value, json};
use support::*;

fn http_fixture() -> Running {
    let dir = copy_fixture("http-api");
    let server = Server::start(&dir.path().join("template.yaml"), &["--warm", "lazy"]);
    Running { server, dir }
}

async fn get(s: &Server, path: &str, origin: Option<&str>) -> reqwest::Response {
    let mut request = client().get(s.url(path));
    if let Some(origin) = origin {
        request = request.header("Origin", origin);
    }
    request.send().await.unwrap()
}

fn access_control_headers(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .keys()
        .filter(|n| n.as_str().starts_with("access-control-"))
        .map(|n| n.to_string())
        .collect()
}

#[tokio::test]
async fn rule_6_7_payload_2_0_event_from_a_real_request() {
    let s = http_fixture();
    let response = client()
        .get(s.url("/v2/a/b?x=1&x=2&y=%2B"))
        .header("Cookie", "a=1; b=2")
        .header("X-Dup", "one")
        .header("User-Agent", "gatewise-test")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/json",
        "inferred (7.9)"
    );
    assert!(response.headers().contains_key("apigw-requestid"));
    let event = response.json::<Value>().await.unwrap()["event"].clone();
    assert_eq!(event["version"], "2.0");
    assert_eq!(event["routeKey"], "ANY /v2/{proxy+}");
    assert_eq!(event["rawPath"], "/v2/a/b");
    assert_eq!(event["rawQueryString"], "x=1&x=2&y=%2B");
    assert_eq!(
        event["queryStringParameters"],
        json!({"x": "1,2", "y": "+"})
    );
    assert_eq!(event["cookies"], json!(["a=1", "b=2"]));
    assert_eq!(event["pathParameters"], json!({"proxy": "a/b"}));
    assert_eq!(event["headers"]["x-dup"], "one");
    assert!(
        event["headers"].get("X-Dup").is_none(),
        "names are lower-case (6.8)"
    );
    assert_eq!(event["requestContext"]["http"]["method"], "GET");
    assert_eq!(
        event["requestContext"]["http"]["userAgent"],
        "gatewise-test"
    );
    assert_eq!(event["requestContext"]["stage"], "$default");
    assert!(event.get("body").is_none(), "omitted when empty (6.7)");
    assert!(event.get("stageVariables").is_none());
}

#[tokio::test]
async fn rule_6_10_payload_1_0_on_an_http_api() {
    let s = http_fixture();
    let response = get(&s, "/v1/echo?q=1", None).await;
    assert_eq!(response.status(), 200);
    let event = response.json::<Value>().await.unwrap()["event"].clone();
    assert_eq!(event["version"], "1.0");
    assert_eq!(event["httpMethod"], "GET");
    assert_eq!(event["queryStringParameters"], json!({"q": "1"}));
    assert!(
        event["headers"]
            .as_object()
            .unwrap()
            .keys()
            .all(|k| k == &k.to_lowercase())
    );
}

async fn respond_with(s: &Server, output: Value) -> reqwest::Response {
    client()
        .post(s.url("/respond"))
        .json(&output)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn rule_7_9_to_7_11_http_api_responses() {
    let s = http_fixture();
    // 7.10: statusCode, headers, cookies → Set-Cookie, default content type.
    let response = respond_with(
        &s,
        json!({"statusCode": 201, "body": "made", "cookies": ["a=1", "b=2; Path=/"],
               "headers": {"x-one": "1"}, "multiValueHeaders": {"x-ignored": ["a"]}}),
    )
    .await;
    assert_eq!(response.status(), 201);
    let cookies: Vec<_> = response.headers().get_all("set-cookie").iter().collect();
    assert_eq!(cookies, ["a=1", "b=2; Path=/"]);
    assert_eq!(response.headers()["x-one"], "1");
    assert!(
        response.headers().get("x-ignored").is_none(),
        "multiValueHeaders ignored"
    );
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; charset=utf-8"
    );
    assert_eq!(response.text().await.unwrap(), "made");

    // 7.9: no statusCode → 200 with the output as JSON body.
    let response = respond_with(&s, json!({"hello": "world"})).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"hello": "world"})
    );

    // 7.11 / 5.10: unusable statusCode → 500 Internal Server Error (capitals).
    let response = respond_with(&s, json!({"statusCode": "teapot"})).await;
    assert_eq!(response.status(), 500);
    assert_eq!(
        response.text().await.unwrap(),
        r#"{"message":"Internal Server Error"}"#
    );
}

#[tokio::test]
async fn rule_5_9_unmatched_route_is_404_not_found() {
    let s = http_fixture();
    let response = get(&s, "/nope", None).await;
    assert_eq!(response.status(), 404);
    assert!(response.headers().get("x-amzn-errortype").is_none());
    assert_eq!(response.text().await.unwrap(), r#"{"message":"Not Found"}"#);
}

#[tokio::test]
async fn rule_5_11_integration_timeout_is_503() {
    let s = http_fixture();
    let response = get(&s, "/slow", None).await;
    assert_eq!(response.status(), 503);
    assert_eq!(
        response.text().await.unwrap(),
        r#"{"message":"Service Unavailable"}"#
    );
}

#[tokio::test]
async fn rule_8_4_and_8_7_preflight_answered_by_the_gateway() {
    let s = http_fixture();
    let response = client()
        .request(reqwest::Method::OPTIONS, s.url("/respond"))
        .header("Origin", PAGE_ORIGIN)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(
        header(&response, "access-control-allow-origin"),
        Some(PAGE_ORIGIN)
    );
    assert_eq!(
        header(&response, "access-control-allow-methods"),
        Some("GET,POST")
    );
    assert_eq!(
        header(&response, "access-control-allow-headers"),
        Some("content-type,x-custom")
    );
    assert_eq!(header(&response, "access-control-max-age"), Some("600"));
    assert_eq!(
        header(&response, "access-control-allow-credentials"),
        Some("true")
    );
    assert_eq!(response.text().await.unwrap(), "");
}

#[tokio::test]
async fn rule_8_6_origin_matching_exact_and_scheme_wildcard() {
    let s = http_fixture();
    let by_scheme = get(&s, "/v2/x", Some("https://anything.example")).await;
    assert_eq!(
        header(&by_scheme, "access-control-allow-origin"),
        Some("https://anything.example")
    );
    let refused = get(&s, "/v2/x", Some("http://evil.example")).await;
    assert_eq!(refused.status(), 200, "the request itself is served");
    assert!(
        access_control_headers(&refused).is_empty(),
        "8.10: no CORS headers"
    );
    let line = explanation(&s, "GET /v2/x");
    assert!(
        line.contains("http://evil.example") && line.contains("AllowOrigins"),
        "{line}"
    );
}

#[tokio::test]
async fn rule_8_9_actual_response_gets_origin_expose_and_credentials() {
    let s = http_fixture();
    let response = get(&s, "/v2/x", Some(PAGE_ORIGIN)).await;
    assert_eq!(
        header(&response, "access-control-allow-origin"),
        Some(PAGE_ORIGIN)
    );
    assert_eq!(
        header(&response, "access-control-expose-headers"),
        Some("x-request-cost")
    );
    assert_eq!(
        header(&response, "access-control-allow-credentials"),
        Some("true")
    );
    assert!(
        response
            .headers()
            .get("access-control-allow-methods")
            .is_none()
    );
    // Without Origin: nothing (8.3).
    let plain = get(&s, "/v2/x", None).await;
    assert!(access_control_headers(&plain).is_empty());
}

#[tokio::test]
async fn rule_8_7_requested_header_not_allowed_is_explained() {
    let s = http_fixture();
    let response = client()
        .request(reqwest::Method::OPTIONS, s.url("/respond"))
        .header("Origin", PAGE_ORIGIN)
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "authorization,content-type",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let line = explanation(&s, "POST /respond");
    assert!(
        line.contains("authorization") && line.contains("AllowHeaders"),
        "{line}"
    );
}

#[tokio::test]
async fn scenario_4c_http_api_with_cors_configuration() {
    let s = serve_scenario("4c-cdk-http-api", &["--warm", "lazy"]);
    // OPTIONS / without Origin: not a preflight; the gateway answers 204 without CORS.
    let options = client()
        .request(reqwest::Method::OPTIONS, s.url("/"))
        .send()
        .await
        .unwrap();
    assert_eq!(options.status(), 204);
    assert!(access_control_headers(&options).is_empty());
    // GET / without Origin: the inferred response, no Access-Control-Allow-Origin.
    let plain = get(&s, "/", None).await;
    assert_eq!(plain.status(), 200);
    assert!(access_control_headers(&plain).is_empty());
    assert_eq!(plain.json::<Value>().await.unwrap(), json!({"state": "ok"}));
    // GET / with Origin: the configured header.
    let cors = get(&s, "/", Some(PAGE_ORIGIN)).await;
    assert_eq!(header(&cors, "access-control-allow-origin"), Some("*"));
    // The function's own header is replaced (8.10).
    let evil = get(&s, "/evil", Some(PAGE_ORIGIN)).await;
    assert_eq!(header(&evil, "access-control-allow-origin"), Some("*"));
    assert_not_explained(&s, "GET /evil");
}

/// SAM CLI's `template-cors.yaml` (tests/data/external/README.md §5): origins `https://abc` and
/// `http://xyz:3000`, credentials, max age 3600 — with the HTTP API's real answers.
#[tokio::test]
async fn sam_cli_template_cors_answers_as_an_http_api_does() {
    let template = acceptance("sam-cli-start-api/template-cors.yaml");
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(&template, dir.path().join("template.yaml")).unwrap();
    std::fs::write(
        dir.path().join("main.py"),
        "def echo_base64_event_body(event, context):\n    return {'statusCode': 200, 'body': event.get('body') or ''}\n",
    )
    .unwrap();
    let s = Server::start(&dir.path().join("template.yaml"), &["--warm", "lazy"]);
    let preflight = client()
        .request(reqwest::Method::OPTIONS, s.url("/test"))
        .header("Origin", "https://abc")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 204);
    assert_eq!(
        header(&preflight, "access-control-allow-origin"),
        Some("https://abc")
    );
    assert_eq!(
        header(&preflight, "access-control-allow-headers"),
        Some("Accept,My-Custom-Header")
    );
    assert_eq!(
        header(&preflight, "access-control-allow-methods"),
        Some("GET,POST,PUT,DELETE,PATCH,OPTIONS")
    );
    assert_eq!(
        header(&preflight, "access-control-allow-credentials"),
        Some("true")
    );
    assert_eq!(header(&preflight, "access-control-max-age"), Some("3600"));

    let post = client()
        .post(s.url("/test"))
        .header("Origin", "http://xyz:3000")
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 200);
    assert_eq!(
        header(&post, "access-control-allow-origin"),
        Some("http://xyz:3000")
    );
    assert_eq!(
        header(&post, "access-control-expose-headers"),
        Some("Content-Encoding,Another-Custom-Header")
    );
    let unknown = client()
        .post(s.url("/test"))
        .header("Origin", "https://unknown")
        .body("hello")
        .send()
        .await
        .unwrap();
    assert!(access_control_headers(&unknown).is_empty());
}

/// Every real-world HTTP API template serves (stub handlers) and answers its CORS preflight
/// as configured.
#[tokio::test]
async fn real_world_http_api_templates_serve_with_stub_functions() {
    // template, the API to serve (each HTTP API has its own host on AWS; "" = all), path,
    // origin, expected allow-origin, preflight status (204 from the gateway; the integration's
    // status when a `$default` route takes the preflight, spec 8.5)
    let cases: &[(&str, &str, &str, &str, &str, u16)] = &[
        (
            "real-world/sessions-with-aws-sam/http-api/template.yaml",
            "HttpApi",
            "/",
            "http://localhost:8080",
            "http://localhost:8080",
            204,
        ),
        (
            "real-world/sessions-with-aws-sam/http-api-logging/template.yaml",
            "",
            "/",
            "http://localhost:8080",
            "http://localhost:8080",
            204,
        ),
        (
            "real-world/serverless-patterns/apigw-http-api-lambda/template.yml",
            "",
            "/",
            "https://app.example",
            "*",
            200,
        ),
        (
            "real-world/serverless-patterns/apigw-http-api-cors-sam/template.yaml",
            "",
            "/test",
            "https://app.example",
            "*",
            200,
        ),
    ];
    for (rel, api, path, origin, allow_origin, preflight_status) in cases {
        let template = acceptance(rel);
        assert!(template.is_file(), "{} is missing", template.display());
        let mut args = vec!["--stub-functions", "--warm", "lazy"];
        if !api.is_empty() {
            args.extend(["--api", api]);
        }
        args.extend(["--parameter-overrides", "UserPoolId=pool", "Audience=aud"]);
        let s = Server::start(&template, &args);
        let preflight = client()
            .request(reqwest::Method::OPTIONS, s.url(path))
            .header("Origin", *origin)
            .header("Access-Control-Request-Method", "GET")
            .send()
            .await
            .unwrap();
        assert_eq!(
            preflight.status(),
            *preflight_status,
            "{rel}: {}",
            s.stderr()
        );
        assert_eq!(
            header(&preflight, "access-control-allow-origin"),
            Some(*allow_origin),
            "{rel}"
        );
        let response = get(&s, path, Some(origin)).await;
        assert_eq!(response.status(), 200, "{rel}: {}", s.stderr());
        assert_eq!(
            header(&response, "access-control-allow-origin"),
            Some(*allow_origin),
            "{rel}"
        );
    }
}
