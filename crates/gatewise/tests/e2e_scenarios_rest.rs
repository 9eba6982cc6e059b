//! The REST API situations of the project's scenarios (1, 2, 3 and 4a), end to end: real
//! functions, a real HTTP client sending what a browser sends, AWS's answers (spec §1, §3,
//! §4, §5, §9), and gatewise's explanation line for every response a browser would block.

mod support;

use support::*;

async fn post_json(s: &Server, path: &str, body: &str) -> reqwest::Response {
    client()
        .post(s.url(path))
        .header("Origin", PAGE_ORIGIN)
        .header("Content-Type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}

async fn get_from_page(s: &Server, path: &str, extra: &[(&str, &str)]) -> reqwest::Response {
    let mut request = client().get(s.url(path)).header("Origin", PAGE_ORIGIN);
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn scenario_1_options_has_cors_headers_but_post_does_not() {
    let s = serve_scenario("1-proxy-no-cors", &[]);

    // Row 1: SAM's MOCK preflight (spec 1.6, 1.7) passes.
    let options = preflight(&s, "/orders", "POST", "content-type").await;
    assert_eq!(options.status(), 200);
    assert_eq!(header(&options, "access-control-allow-origin"), Some("*"));
    assert_eq!(
        header(&options, "access-control-allow-methods"),
        Some("GET,POST,OPTIONS")
    );
    assert_eq!(
        header(&options, "access-control-allow-headers"),
        Some("Content-Type")
    );
    assert_eq!(options.text().await.unwrap(), "{}\n");
    assert_not_explained(&s, "POST /orders");

    // Row 2: the function's response has no Access-Control-Allow-Origin (1.11, 4.1).
    let post = post_json(&s, "/orders", r#"{"item": "book"}"#).await;
    assert_eq!(post.status(), 201);
    assert_eq!(header(&post, "access-control-allow-origin"), None);
    let line = explanation(&s, "POST /orders");
    assert!(
        line.contains("CreateOrder") && line.contains("template.yaml:"),
        "{line}"
    );
    assert!(line.contains("Access-Control-Allow-Origin"), "{line}");

    // Row 3: the function throws → 502 without CORS headers (5.2, 1.12).
    let failed = post_json(&s, "/orders", r#"{"fail": true}"#).await;
    assert_eq!(failed.status(), 502);
    assert_eq!(header(&failed, "access-control-allow-origin"), None);
    s.wait_for_log("DEFAULT_5XX");

    // Row 4: unknown route → 403 Missing Authentication Token without CORS headers (5.1).
    let missing = get_from_page(&s, "/nope", &[]).await;
    assert_eq!(missing.status(), 403);
    assert_eq!(header(&missing, "access-control-allow-origin"), None);
    let line = explanation(&s, "GET /nope");
    assert!(line.contains("DEFAULT_4XX"), "{line}");
}

#[tokio::test]
async fn scenario_1_fixed_template_passes_every_row() {
    let s = serve_scenario("1-proxy-fixed", &[]);
    let options = preflight(&s, "/orders", "POST", "content-type").await;
    assert_eq!(options.status(), 200);
    let post = post_json(&s, "/orders", r#"{"item": "book"}"#).await;
    assert_eq!(post.status(), 201);
    assert_eq!(header(&post, "access-control-allow-origin"), Some("*"));
    let failed = post_json(&s, "/orders", r#"{"fail": true}"#).await;
    assert_eq!(failed.status(), 502);
    assert_eq!(
        header(&failed, "access-control-allow-origin"),
        Some("*"),
        "DEFAULT_5XX (3.5)"
    );
    let body: serde_json::Value = failed.json().await.unwrap();
    assert_eq!(body["message"], "Internal server error");
    let missing = get_from_page(&s, "/nope", &[]).await;
    assert_eq!(missing.status(), 403);
    assert_eq!(
        header(&missing, "access-control-allow-origin"),
        Some("*"),
        "DEFAULT_4XX (3.5)"
    );
    for route in ["POST /orders", "GET /nope"] {
        assert_not_explained(&s, route);
    }
}

const SCENARIO_2_KEY: &str = "scenario-two-key-0123456789";

#[tokio::test]
async fn scenario_2_api_key_required_also_on_the_preflight() {
    let s = serve_scenario("2-apikey-preflight", &[]);

    // Row 1: browsers never send x-api-key on a preflight → 403 Forbidden (9.2, 9.4, 5.5).
    let options = preflight(&s, "/items", "GET", "x-api-key").await;
    assert_eq!(options.status(), 403);
    assert_eq!(
        header(&options, "x-amzn-errortype"),
        Some("ForbiddenException")
    );
    assert_eq!(header(&options, "access-control-allow-origin"), None);
    assert_eq!(options.text().await.unwrap(), r#"{"message":"Forbidden"}"#);
    // A refused preflight is explained as the request the page wanted to make.
    let line = explanation(&s, "GET /items");
    assert!(line.contains("AddApiKeyRequiredToCorsPreflight"), "{line}");

    // Row 3: the real request with a valid key reaches the function and its CORS headers.
    let ok = get_from_page(&s, "/items", &[("x-api-key", SCENARIO_2_KEY)]).await;
    assert_eq!(ok.status(), 200);
    assert_eq!(header(&ok, "access-control-allow-origin"), Some("*"));

    // Row 4: a wrong key → 403 without CORS headers: the page cannot even read the 403.
    let wrong = get_from_page(&s, "/items", &[("x-api-key", "wrong")]).await;
    assert_eq!(wrong.status(), 403);
    assert_eq!(header(&wrong, "access-control-allow-origin"), None);
    explanation(&s, "GET /items");
}

#[tokio::test]
async fn scenario_2_fixed_preflight_passes_without_a_key() {
    let s = serve_scenario("2-apikey-preflight-fixed", &[]);
    let options = preflight(&s, "/items", "GET", "x-api-key").await;
    assert_eq!(options.status(), 200);
    assert_eq!(header(&options, "access-control-allow-origin"), Some("*"));
    assert_eq!(
        header(&options, "access-control-allow-headers"),
        Some("Content-Type,X-Api-Key")
    );
    assert_eq!(header(&options, "access-control-allow-methods"), Some("*"));
    assert_not_explained(&s, "GET /items");
    // The key is still required on GET.
    let no_key = get_from_page(&s, "/items", &[]).await;
    assert_eq!(no_key.status(), 403);
    let ok = get_from_page(&s, "/items", &[("x-api-key", SCENARIO_2_KEY)]).await;
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn scenario_2_api_key_given_on_the_command_line_is_accepted() {
    let s = serve_scenario("2-apikey-preflight-fixed", &["--api-key", "from-the-cli"]);
    let ok = get_from_page(&s, "/items", &[("x-api-key", "from-the-cli")]).await;
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn scenario_3_greedy_cors_resource_and_gateway_responses() {
    let s = serve_scenario("3-cfn-greedy-cors", &[]);
    scenario_3_table(&s).await;
}

/// Scenario 3 as in the situation: written in Terraform (`aws_api_gateway_*` resources, an
/// `archive_file` function). The same six rows, and the explanations point into the `.tf` files.
#[tokio::test]
async fn scenario_3_from_terraform_greedy_cors_resource_and_gateway_responses() {
    let s = serve_scenario("3-terraform-greedy-cors", &[]);
    scenario_3_table(&s).await;
    let line = explanation(&s, "POST /items/42");
    assert!(
        line.contains("main.tf:"),
        "the explanation names the .tf location: {line}"
    );
}

/// The six rows of scenario 3's table.
async fn scenario_3_table(s: &Server) {
    // Row 1: the {cors+} MOCK answers the preflight for /items/42.
    let options = preflight(s, "/items/42", "POST", "content-type").await;
    assert_eq!(options.status(), 200);
    assert_eq!(header(&options, "access-control-allow-origin"), Some("*"));
    assert_eq!(
        header(&options, "access-control-allow-headers"),
        Some("Content-Type")
    );
    assert_eq!(
        header(&options, "access-control-allow-methods"),
        Some("GET, POST")
    );
    assert_not_explained(s, "POST /items/42");

    // Row 2: the proxy function returns its own header.
    let post = post_json(s, "/items/42", "{}").await;
    assert_eq!(post.status(), 200);
    assert_eq!(header(&post, "access-control-allow-origin"), Some("*"));

    // Row 3: a missing route gets DEFAULT_4XX's header (3.5) and the default template (3.4).
    let missing = get_from_page(s, "/missing/route", &[]).await;
    assert_eq!(missing.status(), 403);
    assert_eq!(header(&missing, "access-control-allow-origin"), Some("*"));
    assert_eq!(
        missing.text().await.unwrap(),
        r#"{"message":"Missing Authentication Token"}"#
    );
    assert_not_explained(s, "GET /missing/route");

    // Row 4: a crashing function gets DEFAULT_5XX's header.
    let crashed = post_json(s, "/items/crash", "{}").await;
    assert_eq!(crashed.status(), 502);
    assert_eq!(header(&crashed, "access-control-allow-origin"), Some("*"));

    // Row 5: asking for a header the MOCK does not allow → 200, but the browser blocks.
    let auth = preflight(s, "/items/42", "POST", "authorization,content-type").await;
    assert_eq!(auth.status(), 200);
    let line = explanation(s, "POST /items/42");
    assert!(line.contains("authorization"), "{line}");

    // Row 6: the root has no OPTIONS ({cors+} needs a segment) → 403, blocked.
    let root = preflight(s, "/", "POST", "content-type").await;
    assert_eq!(root.status(), 403);
    explanation(s, "POST /");
}

#[tokio::test]
async fn scenario_4a_cdk_rest_proxy_with_a_204_preflight() {
    let s = serve_scenario("4a-cdk-rest-proxy", &[]);
    let options = preflight(&s, "/", "GET", "").await;
    assert_eq!(
        options.status(),
        204,
        "integration response 204 (spec 4.4, 4.6)"
    );
    let cors: Vec<(String, String)> = options
        .headers()
        .iter()
        .filter(|(n, _)| n.as_str().starts_with("access-control-"))
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_owned()))
        .collect();
    assert_eq!(
        cors,
        [
            (
                "access-control-allow-headers".to_owned(),
                "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,X-Amz-User-Agent"
                    .to_owned()
            ),
            ("access-control-allow-origin".to_owned(), "*".to_owned()),
            (
                "access-control-allow-methods".to_owned(),
                "OPTIONS,GET,PUT,POST,DELETE,PATCH,HEAD".to_owned()
            ),
        ]
    );
    let get = get_from_page(&s, "/", &[]).await;
    assert_eq!(get.status(), 200);
    assert_eq!(header(&get, "access-control-allow-origin"), Some("*"));
    let body: serde_json::Value = get.json().await.unwrap();
    assert_eq!(body, serde_json::json!({"state": "ok"}));
}
