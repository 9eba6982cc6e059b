//! Terraform configurations end to end: the HTTP API CORS behaviour from `cors_configuration`
//! with `for_each` routes and an `archive_file` function, the variable sources, located load
//! errors, and real public configurations (tests/data/external/terraform/CATALOGUE.md) served
//! with handlers of our own where theirs are not copied.

mod support;

use std::path::Path;

use serde_json::{Value, json};
use support::*;

/// A copy of the real configuration `name` from tests/data/external/terraform.
fn corpus(name: &str) -> tempfile::TempDir {
    copy_external(&format!("terraform/{name}"))
}

/// A Python handler answering a proxy integration with `body` (JSON) and the event's version.
const PY_PROXY: &str = "import json\n\ndef lambda_handler(event, context):\n    return {'statusCode': 200, 'headers': {'content-type': 'application/json'}, 'body': json.dumps({'version': event.get('version'), 'path': event.get('rawPath') or event.get('path')})}\n";

fn terraform_fixture() -> tempfile::TempDir {
    copy_fixture("terraform/http-api-cors")
}

// --- HTTP API CORS from `cors_configuration` (rules 8.4–8.10) ---------------------------------

#[tokio::test]
async fn http_api_from_terraform_preflight_decoration_and_replacement() {
    let dir = terraform_fixture();
    let s = Server::start(dir.path(), &["--warm", "lazy"]);

    // Rule 8.4, 8.7: the gateway answers the preflight from cors_configuration.
    let preflight = client()
        .request(reqwest::Method::OPTIONS, s.url("/items"))
        .header("Origin", PAGE_ORIGIN)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 204);
    assert_eq!(
        header(&preflight, "access-control-allow-origin"),
        Some(PAGE_ORIGIN)
    );
    assert_eq!(
        header(&preflight, "access-control-allow-methods"),
        Some("GET,POST")
    );
    assert_eq!(
        header(&preflight, "access-control-allow-headers"),
        Some("content-type")
    );
    assert_eq!(header(&preflight, "access-control-max-age"), Some("300"));

    // Rule 8.9, 8.10: the actual response is decorated, and the function's own `*` replaced.
    let get = client()
        .get(s.url("/items/42"))
        .header("Origin", PAGE_ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), 200);
    assert_eq!(
        header(&get, "access-control-allow-origin"),
        Some(PAGE_ORIGIN)
    );
    assert_eq!(
        header(&get, "access-control-expose-headers"),
        Some("x-request-id")
    );
    // Each for_each instance is a route; the variable comes from terraform.tfvars.
    assert_eq!(
        get.json::<Value>().await.unwrap(),
        json!({"routeKey": "GET /items/{id}", "greeting": "hello from terraform.tfvars", "id": "42"})
    );
    let post = client().post(s.url("/items")).send().await.unwrap();
    assert_eq!(
        post.json::<Value>().await.unwrap()["routeKey"],
        "POST /items"
    );

    // A header the configuration does not allow: 204, and the explanation names the .tf line.
    let refused = client()
        .request(reqwest::Method::OPTIONS, s.url("/items"))
        .header("Origin", PAGE_ORIGIN)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "authorization")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 204);
    let line = explanation(&s, "POST /items");
    assert!(
        line.contains("authorization") && line.contains("main.tf:"),
        "{line}"
    );
}

// --- Variables, located errors -------------------------------------------------------------

#[tokio::test]
async fn var_flags_win_over_tfvars_and_the_environment() {
    let dir = terraform_fixture();
    write_file(
        &dir.path().join("extra.tfvars"),
        "greeting = \"from --var-file\"\n",
    );
    let s = Server::start_with_env(
        dir.path(),
        &[
            "--warm",
            "lazy",
            "--var-file",
            dir.path().join("extra.tfvars").to_str().unwrap(),
            "--var",
            "prefix=shop",
        ],
        &[("TF_VAR_greeting", Path::new("from TF_VAR"))],
    );
    let body: Value = client()
        .get(s.url("/items"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["greeting"], "from --var-file");
    let (_, routes, _) = run_gatewise(
        &[
            "routes",
            dir.path().to_str().unwrap(),
            "--var",
            "prefix=shop",
        ],
        dir.path(),
    );
    assert!(routes.contains("aws_lambda_function.api"), "{routes}");

    let s = Server::start(
        dir.path(),
        &["--warm", "lazy", "--var", "greeting=from --var"],
    );
    let body: Value = client()
        .get(s.url("/items"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["greeting"], "from --var");
}

#[test]
fn a_missing_variable_is_a_located_error_with_exit_2() {
    let dir = terraform_fixture();
    std::fs::remove_file(dir.path().join("terraform.tfvars")).unwrap();
    for command in ["serve", "routes", "check"] {
        let (code, stdout, stderr) = run_gatewise(&[command, "."], dir.path());
        assert_eq!(code, 2, "{command}: {stdout}{stderr}");
        assert!(
            stderr.contains("variables.tf:6:1: error: variable \"greeting\" has no value")
                && stderr.contains("--var greeting=VALUE"),
            "{command}: {stderr}"
        );
    }
}

#[test]
fn a_folder_of_tf_files_is_found_without_a_template_argument() {
    let dir = terraform_fixture();
    let (code, stdout, stderr) = run_gatewise(&["routes"], dir.path());
    assert_eq!(code, 0, "{stderr}");
    let routes: Vec<Vec<&str>> = stdout
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().take(2).collect())
        .collect();
    assert_eq!(
        routes,
        [
            ["GET", "/items"],
            ["POST", "/items"],
            ["GET", "/items/{id}"]
        ]
    );
    // A .tf file names its folder, as `terraform` reads the whole folder.
    let (code, one_file, _) = run_gatewise(&["routes", "main.tf"], dir.path());
    assert_eq!((code, one_file), (0, stdout));
}

#[test]
fn terraform_0_11_syntax_and_syntax_errors_are_located() {
    let dir = tempfile::tempdir().unwrap();
    write_file(
        &dir.path().join("api.tf"),
        "resource \"aws_api_gateway_method_response\" \"r\" {\n  status_code = \"200\"\n  response_models {\n    \"application/json\" = \"Empty\"\n  }\n}\n",
    );
    let (code, _, stderr) = run_gatewise(&["routes", "."], dir.path());
    assert_eq!(code, 2);
    assert!(
        stderr.contains("api.tf:4:") && stderr.contains("Terraform 0.11 syntax"),
        "{stderr}"
    );
}

// --- Real public configurations ------------------------------------------------------------

/// aws-samples/serverless-patterns apigw-http-api-lambda-terraform: an HTTP API `$default`
/// route whose integration omits payload_format_version (the provider's default is 1.0), and
/// code uploaded through an `aws_s3_object` from an `archive_file`.
#[tokio::test]
async fn serverless_patterns_http_api_lambda_runs_payload_1_0() {
    let dir = corpus("sp-http-api-lambda");
    write_file(&dir.path().join("src/app.py"), PY_PROXY);
    let s = Server::start(dir.path(), &["--warm", "lazy"]);
    let response = client()
        .get(s.url("/anything"))
        .header("Origin", PAGE_ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "access-control-allow-origin"), Some("*"));
    assert_eq!(response.json::<Value>().await.unwrap()["version"], "1.0");
}

/// aws-samples/serverless-patterns apigw-lambda-dynamodb-terraform: `POST /movies`.
#[tokio::test]
async fn serverless_patterns_http_lambda_dynamodb_serves_its_route() {
    let dir = corpus("sp-http-lambda-dynamodb");
    write_file(&dir.path().join("src/app.py"), PY_PROXY);
    let s = Server::start(dir.path(), &["--warm", "lazy"]);
    let response = client()
        .post(s.url("/movies"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<Value>().await.unwrap()["path"], "/movies");
    let missing = client().get(s.url("/movies")).send().await.unwrap();
    assert_eq!(
        missing.status(),
        404,
        "HTTP APIs answer unmatched routes 404 (rule 5.9)"
    );
}

/// aws-samples/serverless-patterns apigw-http-api-waf-cloudfront-terraform: a REQUEST
/// authorizer (payload 2.0, IAM policy answers) in front of `ANY /`, twelve files, `count`,
/// `dynamic` blocks and heredocs.
#[tokio::test]
async fn serverless_patterns_http_api_with_a_lambda_authorizer() {
    let dir = corpus("sp-http-waf-authorizer");
    write_file(&dir.path().join("src/lambda_function.py"), PY_PROXY);
    write_file(
        &dir.path().join("src/auth_function.py"),
        "def lambda_handler(event, context):\n    ok = event['headers'].get('x-origin-verify') == 'secret'\n    return {'principalId': 'cf', 'policyDocument': {'Version': '2012-10-17', 'Statement': [{'Action': 'execute-api:Invoke', 'Effect': 'Allow' if ok else 'Deny', 'Resource': event['routeArn']}]}}\n",
    );
    for other in ["edge_function", "secret_rotation_function"] {
        write_file(
            &dir.path().join(format!("src/{other}.py")),
            "def lambda_handler(event, context):\n    return {}\n",
        );
    }
    let s = Server::start(dir.path(), &["--warm", "lazy"]);
    let allowed = client()
        .get(s.url("/"))
        .header("x-origin-verify", "secret")
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status(), 200);
    let denied = client()
        .get(s.url("/"))
        .header("x-origin-verify", "wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), 403);
    let missing = client().get(s.url("/")).send().await.unwrap();
    assert_eq!(missing.status(), 401, "the identity source is missing");
}

/// aws-samples/serverless-patterns apigw-data-validation-tf: a request validator and a model
/// written with `jsonencode`.
#[tokio::test]
async fn serverless_patterns_rest_request_validation() {
    let dir = corpus("sp-rest-data-validation");
    write_file(&dir.path().join("src/app.py"), PY_PROXY);
    let s = Server::start(dir.path(), &["--warm", "lazy"]);
    let url = s.url("/7?order=1");
    let send = |body: &'static str| {
        client()
            .post(url.clone())
            .header("content-type", "application/json")
            .header("custom-agent", "t")
            .body(body)
            .send()
    };
    let valid = send(r#"{"make": "a", "model": "b", "year": 2020}"#)
        .await
        .unwrap();
    assert_eq!(valid.status(), 200);
    let invalid = send(r#"{"make": "a", "model": "b", "year": 2001}"#)
        .await
        .unwrap();
    assert_eq!(invalid.status(), 400);
    assert_eq!(
        invalid.json::<Value>().await.unwrap(),
        json!({"message": "Invalid request body"})
    );
}

/// aws-samples/serverless-patterns lambda-ddb-tenant-isolation-terraform: variables without
/// defaults given with --var, OPTIONS MOCK CORS methods, and functions zipped by `archive_file`
/// from inline `source` blocks (trimmed here to a comment, so the handler is missing: Lambda's
/// Runtime.HandlerNotFound, a 502).
#[tokio::test]
async fn serverless_patterns_tenant_isolation_needs_its_variables() {
    let dir = corpus("sp-rest-tenant-isolation");
    let (code, _, stderr) = run_gatewise(&["routes", "."], dir.path());
    assert_eq!(code, 2);
    assert!(
        stderr.contains("main.tf:") && stderr.contains("--var aws_region=VALUE"),
        "{stderr}"
    );
    let s = Server::start(
        dir.path(),
        &[
            "--warm",
            "lazy",
            "--stub-functions",
            "--var",
            "aws_region=eu-west-1",
            "--var",
            "prefix=t",
        ],
    );
    let preflight = client()
        .request(reqwest::Method::OPTIONS, s.url("/standard"))
        .header("Origin", PAGE_ORIGIN)
        .header("Access-Control-Request-Method", "GET")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 200);
    assert!(header(&preflight, "access-control-allow-origin").is_some());
    assert_eq!(
        client()
            .get(s.url("/standard"))
            .send()
            .await
            .unwrap()
            .status(),
        502
    );
}

/// Teknicallity/portfolio-website terraform/prod: local modules, a .tfvars file, a root
/// resource found with `data "aws_api_gateway_resource"`, non-proxy AWS integrations and gateway
/// responses that turn every 4XX into 400.
#[tokio::test]
async fn teknicallity_portfolio_rest_api_with_local_modules_and_tfvars() {
    let dir = corpus("teknicallity-portfolio");
    for function in ["get_views", "increment_views"] {
        write_file(
            &dir.path().join(format!("backend/lambda/{function}.py")),
            "def lambda_handler(event, context):\n    return {'views': 7}\n",
        );
    }
    let root = dir.path().join("terraform/prod");
    let s = Server::start(
        &root,
        &[
            "--warm",
            "lazy",
            "--var-file",
            root.join("prod.tfvars").to_str().unwrap(),
            "--var",
            "cloudflare_api_token=t",
        ],
    );
    let views = client().get(s.url("/getViews")).send().await.unwrap();
    assert_eq!(views.status(), 200);
    assert_eq!(
        header(&views, "access-control-allow-origin"),
        Some("https://josh.cacaw.group")
    );
    assert_eq!(views.json::<Value>().await.unwrap(), json!({"views": 7}));
    let preflight = client()
        .request(reqwest::Method::OPTIONS, s.url("/incrementViews"))
        .header("Origin", "https://josh.cacaw.group")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 200);
    assert_eq!(
        header(&preflight, "access-control-allow-methods"),
        Some("POST,OPTIONS")
    );
    let missing = client().get(s.url("/nope")).send().await.unwrap();
    assert_eq!(missing.status(), 400, "DEFAULT_4XX sets status_code 400");
    assert_eq!(
        header(&missing, "access-control-allow-origin"),
        Some("https://josh.cacaw.group")
    );
}

/// aws-serverless-workshops WebApplication (fork, Apache-2.0): five local modules wired through
/// module outputs, a Cognito authorizer, an OPTIONS MOCK without a request template, and a call
/// to `list()`, which Terraform 0.12+ removed (a warning and a placeholder here).
#[tokio::test]
async fn wildrydes_workshop_modules_and_cognito_authorizer() {
    let dir = corpus("wildrydes-workshop");
    write_file(
        &dir.path()
            .join("WebApplication/3_ServerlessBackend/requestUnicorn.js"),
        "exports.handler = async () => ({statusCode: 201, body: 'ride'});\n",
    );
    let root = dir.path().join("WebApplication");
    let s = Server::start(&root, &["--warm", "lazy"]);
    s.wait_for_log("`list` is not available");
    let preflight = client()
        .request(reqwest::Method::OPTIONS, s.url("/ride"))
        .header("Origin", PAGE_ORIGIN)
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    // Rule 4.4: a MOCK without a request template gets no statusCode (the preflight's empty
    // body passes through) → 500, which the browser blocks; the log says why.
    assert_eq!(preflight.status(), 500);
    let line = explanation(&s, "POST /ride");
    assert!(line.contains("500"), "{line}");
    let unauthenticated = client().post(s.url("/ride")).send().await.unwrap();
    assert_eq!(unauthenticated.status(), 401);
}

/// aws-samples/serverless-patterns apigw-rest-api-http-integration-terraform: a REST API whose
/// only method is an HTTP_PROXY integration on the root, listed with its backend (served end
/// to end in `e2e_http_integrations.rs`).
#[test]
fn serverless_patterns_rest_http_proxy_loads_and_lists_its_route() {
    let dir = corpus("sp-rest-http-proxy");
    let (code, stdout, stderr) = run_gatewise(&["routes", "."], dir.path());
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout
            .contains("HTTP_PROXY GET http://petstore-demo-endpoint.execute-api.com/petstore/pets"),
        "{stdout}"
    );
    assert!(!stderr.contains("not run by gatewise"), "{stderr}");
}

/// A project folder holding a template is that template; a missing `.tf` path is an error.
#[test]
fn folders_and_missing_paths_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    write_file(
        &project.join("template.yaml"),
        "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: nodejs20.x\n      Handler: index.handler\n      Code:\n        ZipFile: exports.handler = async () => ({})\n",
    );
    let (code, _, stderr) = run_gatewise(&["routes", "project"], dir.path());
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = run_gatewise(&["routes", "infra/main.tf"], dir.path());
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with(
            "infra/main.tf:1:1: error: cannot read the Terraform configuration: no such file"
        ),
        "{stderr}"
    );
}

/// Registry and git modules need `terraform init`: a located error saying so, exit 2.
#[test]
fn registry_modules_without_terraform_init_are_a_located_error() {
    for (name, root) in [
        ("sp-http-registry-modules", "."),
        ("tam-apigw-v2-complete-http", "examples/complete-http"),
        ("wellcome-identity", "infra/scoped"),
    ] {
        let dir = corpus(name);
        let (code, _, stderr) = run_gatewise(&["routes", root], dir.path());
        assert_eq!(code, 2, "{name}: {stderr}");
        assert!(
            stderr.contains(".tf:") && stderr.contains("terraform init"),
            "{name}: {stderr}"
        );
    }
}

/// `gatewise check` reads Terraform too: scenario 3 with `api_key_required` on the OPTIONS
/// method is the rest-preflight-api-key finding, pointed at the `.tf` line (rule 9.2).
#[test]
fn check_finds_cors_mistakes_in_terraform_at_their_tf_line() {
    let dir = copy_fixture("scenarios/3-terraform-greedy-cors");
    let (code, stdout, stderr) = run_gatewise(&["check", "."], dir.path());
    assert_eq!(code, 0, "{stdout}{stderr}");
    let main = dir.path().join("main.tf");
    let text = std::fs::read_to_string(&main).unwrap().replacen(
        "  http_method   = \"OPTIONS\"\n  authorization = \"NONE\"\n",
        "  http_method   = \"OPTIONS\"\n  authorization = \"NONE\"\n  api_key_required = true\n",
        1,
    );
    std::fs::write(&main, text).unwrap();
    let (code, stdout, _) = run_gatewise(&["check", "."], dir.path());
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("main.tf:20:3: error[rest-preflight-api-key]"),
        "{stdout}"
    );
}
