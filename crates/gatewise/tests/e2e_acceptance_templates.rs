//! Third-party templates deployed to AWS by others, served by gatewise and answering as the
//! recorded AWS facts say (acceptance catalogue §1 item 14, §3 rows 1–2, LocalStack's MOCK
//! CORS deployment).

mod support;

use std::path::PathBuf;

use support::*;

/// The third-party template at `tests/data/external/<rel>`; a missing one fails the test.
fn external_template(rel: &str) -> PathBuf {
    let path = acceptance(rel);
    assert!(path.is_file(), "{} is missing", path.display());
    path
}

fn cors_headers(response: &reqwest::Response) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .filter(|(n, _)| n.as_str().starts_with("access-control-"))
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_owned()))
        .collect();
    headers.sort();
    headers
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = expected
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    pairs.sort();
    pairs
}

/// Acceptance §1 item 14: LocalStack's `test_rest_api_serverless_ref_resolving`, deployed on
/// AWS with AllowedOrigin `http://localhost:8000` and the SSM parameter holding
/// `x-test-header`.
#[tokio::test]
async fn localstack_sam_cors_with_credentials_and_resolved_values() {
    let template =
        external_template("localstack/templates/apigateway_serverless_api_resolving.yml");
    let s = Server::start(
        &template,
        &[
            "--warm",
            "lazy",
            "--parameter-overrides",
            "AllowedOrigin=http://localhost:8000",
            "TestSSMParameter=x-test-header",
        ],
    );
    let options = preflight(&s, "/", "GET", "").await;
    assert_eq!(options.status(), 200);
    assert_eq!(
        cors_headers(&options),
        pairs(&[
            ("access-control-allow-credentials", "true"),
            (
                "access-control-allow-headers",
                "Content-Type,Authorization,x-test-header"
            ),
            ("access-control-allow-methods", "OPTIONS,POST,GET,PUT"),
            ("access-control-allow-origin", "http://localhost:8000"),
        ])
    );
    // GET is a Lambda proxy: the function's answer, and no CORS header from the gateway.
    let get = client()
        .get(s.url("/"))
        .header("Origin", "http://localhost:8000")
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), 200);
    assert!(cors_headers(&get).is_empty());
    assert_eq!(get.text().await.unwrap(), "Hello World!");
}

/// LocalStack's raw CloudFormation MOCK GET + MOCK OPTIONS deployment.
#[tokio::test]
async fn localstack_raw_cloudformation_mock_cors() {
    let template = external_template("localstack/templates/apigateway-mock-cors-deployment.json");
    let s = Server::start(&template, &[]);
    let options = preflight(&s, "/", "GET", "content-type").await;
    assert_eq!(options.status(), 200);
    assert_eq!(
        cors_headers(&options),
        pairs(&[
            ("access-control-allow-headers", "Content-Type"),
            ("access-control-allow-methods", "GET,OPTIONS"),
            ("access-control-allow-origin", "*"),
        ])
    );
    let get = client().get(s.url("/")).send().await.unwrap();
    assert_eq!(get.status(), 200);
    assert!(cors_headers(&get).is_empty());
}

/// serverless-patterns `apigw-cors-proxy`: the OPTIONS method is itself a Lambda proxy whose
/// function returns the CORS headers.
#[tokio::test]
async fn serverless_patterns_apigw_cors_proxy() {
    let template =
        external_template("real-world/serverless-patterns/apigw-cors-proxy/template.yaml");
    let s = Server::start(&template, &["--warm", "lazy"]);
    let options = preflight(&s, "/helloworld", "GET", "content-type").await;
    assert_eq!(options.status(), 200);
    assert_eq!(
        cors_headers(&options),
        pairs(&[
            (
                "access-control-allow-headers",
                "Content-Type,Authorization,X-AMZ-Date,X-Api-Key,X-AMZ-Security-Token"
            ),
            ("access-control-allow-methods", "GET,POST,OPTIONS"),
            ("access-control-allow-origin", "*"),
        ])
    );
}

/// serverless-patterns `apigw-cors-nonproxy`: a MOCK OPTIONS with the three headers.
#[tokio::test]
async fn serverless_patterns_apigw_cors_nonproxy_preflight() {
    let template =
        external_template("real-world/serverless-patterns/apigw-cors-nonproxy/template.yaml");
    let s = Server::start(&template, &["--warm", "lazy"]);
    let options = preflight(&s, "/helloworld", "GET", "content-type").await;
    assert_eq!(options.status(), 200);
    assert_eq!(
        cors_headers(&options),
        pairs(&[
            (
                "access-control-allow-headers",
                "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token"
            ),
            ("access-control-allow-methods", "POST,GET,OPTIONS"),
            ("access-control-allow-origin", "*"),
        ])
    );
}

/// serverless-patterns `apigw-cors-nonproxy` (tests/data/external/README.md §3 row 1): GET is an `AWS`
/// (non-proxy) Lambda integration. Its request template `{"statusCode": 200}` is the event;
/// the function's dict result passes through as the JSON body (no response template), and
/// the integration response adds the three CORS headers.
#[tokio::test]
async fn serverless_patterns_apigw_cors_nonproxy_get() {
    let template =
        external_template("real-world/serverless-patterns/apigw-cors-nonproxy/template.yaml");
    let s = Server::start(&template, &["--warm", "lazy"]);
    let get = client()
        .get(s.url("/helloworld"))
        .header("Origin", PAGE_ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), 200);
    assert_eq!(
        cors_headers(&get),
        pairs(&[
            (
                "access-control-allow-headers",
                "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token"
            ),
            ("access-control-allow-methods", "POST,GET,OPTIONS"),
            ("access-control-allow-origin", "*"),
        ])
    );
    assert_eq!(header(&get, "content-type"), Some("application/json"));
    assert!(header(&get, "x-amzn-trace-id").is_none());
    let body: serde_json::Value = get.json().await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({
            "statusCode": 200,
            "body": "{\"message\": \"Hello from Lambda!\"}",
        })
    );
    assert_not_explained(&s, "GET /helloworld");
}

/// Our fixture `lambda-integration`: a real Python function that fails on request. A
/// selection pattern matching the errorMessage maps the error to 400; an unmapped error is
/// answered by the default integration response (200, Lambda's error document as the body),
/// as on AWS (LocalStack `test_lambda_selection_patterns` [AWS-REC]).
#[tokio::test]
async fn lambda_integration_maps_errors_by_selection_pattern() {
    let fixture = support::copy_fixture("lambda-integration");
    let s = Server::start(&fixture.path().join("template.yaml"), &["--warm", "lazy"]);
    let ok = client()
        .get(s.url("/work?action=ok"))
        .header("Origin", PAGE_ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(header(&ok, "access-control-allow-origin"), Some("*"));
    let body: serde_json::Value = ok.json().await.unwrap();
    assert_eq!(body, serde_json::json!({"ok": true, "action": "ok"}));

    // Mapped: `.*Bad.*` → 400, whose integration response maps no CORS header.
    let bad = client()
        .get(s.url("/work?action=bad"))
        .header("Origin", PAGE_ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert!(cors_headers(&bad).is_empty());
    let body: serde_json::Value = bad.json().await.unwrap();
    assert_eq!(body["errorMessage"], "Bad request: unknown action");
    assert_eq!(body["errorType"], "ValueError");
    assert!(body["stackTrace"].is_array());
    let line = explanation(&s, "GET /work");
    assert!(
        line.contains("integration response 400 (selection pattern \".*Bad.*\") of GET /work")
            && line.contains("map `method.response.header.Access-Control-Allow-Origin`"),
        "{line}"
    );

    // Unmapped: the default integration response, 200 with the error document.
    let boom = client()
        .get(s.url("/work?action=boom"))
        .send()
        .await
        .unwrap();
    assert_eq!(boom.status(), 200);
    assert_eq!(header(&boom, "access-control-allow-origin"), Some("*"));
    let body: serde_json::Value = boom.json().await.unwrap();
    assert_eq!(body["errorMessage"], "boom");
    assert_eq!(body["errorType"], "RuntimeError");
    s.wait_for_log("no selection pattern matched its errorMessage");
}

/// LocalStack's `openapi-mock.json` (tests/data/external/README.md §1, "Useful data also copied"), served through
/// a SAM wrapper: the MOCK's response template echoes the path parameter.
#[tokio::test]
async fn localstack_openapi_mock_echo() {
    let fixture = support::copy_fixture("localstack-openapi-mock");
    let s = Server::start(&fixture.path().join("template.yaml"), &[]);
    let echo = client().get(s.url("/echo/foobar")).send().await.unwrap();
    assert_eq!(echo.status(), 200);
    let body: serde_json::Value = echo.json().await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({"echo": "foobar", "response": "mocked"})
    );
}
