//! SAM's own translator fixtures, served for real: for every non-error input that declares a
//! REST API with `Cors`, each generated OPTIONS method must answer with exactly the header
//! values of SAM's expected output (spec §1.6–1.9), and be protected exactly as the output's
//! `security` says (§9.1–9.2). Every REST `Cors` error fixture must stop `serve` with SAM's
//! message.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;
use support::*;

/// The generated OPTIONS operations of one API in SAM's output: path → (header → value,
/// security requirement names).
type ExpectedOptions = BTreeMap<String, (BTreeMap<String, String>, Vec<String>)>;

/// What a static mapping expression sends: `'x'` → `x`; anything else verbatim (gatewise
/// serves unquoted values as written and warns that deploying them fails; spec 1.8).
fn mapped_value(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Object(map) if map.contains_key("Fn::Join") => {
            let args = map["Fn::Join"].as_array().unwrap();
            let parts: Vec<&str> = args[1]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap())
                .collect();
            parts.join(args[0].as_str().unwrap())
        }
        other => panic!("unexpected mapping value {other}"),
    };
    match text.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')) {
        Some(inner) => inner.to_owned(),
        None => text,
    }
}

fn expected_options(output: &Value) -> BTreeMap<String, ExpectedOptions> {
    let mut apis = BTreeMap::new();
    for (logical_id, resource) in output["Resources"].as_object().unwrap() {
        if resource["Type"] != "AWS::ApiGateway::RestApi" {
            continue;
        }
        let Some(paths) = resource["Properties"]["Body"]["paths"].as_object() else {
            continue;
        };
        let mut per_path = ExpectedOptions::new();
        for (path, item) in paths {
            let Some(options) = item.get("options") else {
                continue;
            };
            let params = &options["x-amazon-apigateway-integration"]["responses"]["default"]["responseParameters"];
            let headers = params
                .as_object()
                .unwrap()
                .iter()
                .map(|(key, value)| {
                    let name = key.strip_prefix("method.response.header.").unwrap();
                    (name.to_ascii_lowercase(), mapped_value(value))
                })
                .collect();
            let security = options["security"]
                .as_array()
                .map(|reqs| {
                    reqs.iter()
                        .flat_map(|r| r.as_object().unwrap().keys().cloned())
                        .collect()
                })
                .unwrap_or_default();
            per_path.insert(path.clone(), (headers, security));
        }
        if !per_path.is_empty() {
            apis.insert(logical_id.clone(), per_path);
        }
    }
    apis
}

/// A concrete request path for a resource path (`/{proxy+}` → `/x`).
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                "x"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn fixture_names(dir: &Path, keep: impl Fn(&str) -> bool) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .map(|n| n.trim_end_matches(".yaml").to_owned())
        .filter(|n| keep(n))
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn rule_1_every_rest_cors_fixture_answers_its_preflights_as_sam_generated_them() {
    let root = acceptance("sam-translator");
    let mut checked = 0;
    for name in fixture_names(&root.join("input"), |n| !n.starts_with("error_")) {
        let output: Value = serde_json::from_str(
            &std::fs::read_to_string(root.join(format!("output/{name}.json"))).unwrap(),
        )
        .unwrap();
        let template = root.join(format!("input/{name}.yaml"));
        for (api, paths) in expected_options(&output) {
            let s = Server::start(
                &template,
                &["--stub-functions", "--warm", "lazy", "--api", &api],
            );
            for (path, (headers, security)) in &paths {
                let response = preflight(&s, &concrete(path), "GET", "").await;
                let status = response.status().as_u16();
                if !security.is_empty() {
                    // Protected preflight (9.1, 9.2): no identity, no key → refused.
                    assert!(
                        status == 401 || status == 403,
                        "{name} {api} OPTIONS {path}: security {security:?} but status {status}"
                    );
                    checked += 1;
                    continue;
                }
                assert_eq!(status, 200, "{name} {api} OPTIONS {path}\n{}", s.stderr());
                let got: BTreeMap<String, String> = response
                    .headers()
                    .iter()
                    .filter(|(n, _)| n.as_str().starts_with("access-control-"))
                    .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_owned()))
                    .collect();
                assert_eq!(&got, headers, "{name} {api} OPTIONS {path}");
                checked += 1;
            }
        }
    }
    assert!(checked >= 25, "only {checked} preflights checked");
}

#[test]
fn rule_1_every_rest_cors_error_fixture_fails_with_sams_message() {
    let root = acceptance("sam-translator");
    let rest_errors = fixture_names(&root.join("input"), |n| {
        n.starts_with("error_")
            && (n.contains("cors") || n.contains("openapi"))
            && !n.contains("http_api")
            && !n.contains("httpapi")
            && !n.contains("function_url")
    });
    assert!(rest_errors.len() >= 5, "{rest_errors:?}");
    for name in rest_errors {
        let output: Value = serde_json::from_str(
            &std::fs::read_to_string(root.join(format!("output/{name}.json"))).unwrap(),
        )
        .unwrap();
        let parts = output["_autoGeneratedBreakdownErrorMessage"]
            .as_array()
            .unwrap();
        let sam_message = parts.last().unwrap().as_str().unwrap().trim();
        let template = root.join(format!("input/{name}.yaml"));
        let (code, stdout, stderr) = run_gatewise(
            &[
                "serve",
                template.to_str().unwrap(),
                "--stub-functions",
                "--port",
                "0",
            ],
            &root,
        );
        assert_eq!(code, 2, "{name}: {stdout}{stderr}");
        assert!(
            stderr.contains(sam_message),
            "{name}: expected SAM's message {sam_message:?} in:\n{stderr}"
        );
        assert!(
            stderr.contains(&format!("{name}.yaml:")),
            "{name}: no location in {stderr}"
        );
    }
}

/// The `x-amazon-apigateway-cors` SAM wrote for an HTTP API, with `Fn::If` on the fixtures'
/// always-true condition `C1` taken as its true branch.
fn http_cors_of(output: &Value, api: &str) -> Value {
    let cors = &output["Resources"][api]["Properties"]["Body"]["x-amazon-apigateway-cors"];
    match cors.get("Fn::If") {
        Some(branches) => branches[1].clone(),
        None => cors.clone(),
    }
}

fn joined(list: &Value) -> Option<String> {
    list.as_array().map(|items| {
        items
            .iter()
            .map(|i| i.as_str().unwrap())
            .collect::<Vec<_>>()
            .join(",")
    })
}

/// Every SAM fixture with an HTTP API `CorsConfiguration` answers a browser's preflight and
/// actual request with exactly the configuration SAM produced (spec 8.2, 8.7, 8.9). Each API
/// is served on its own, as each has its own host on AWS.
#[tokio::test]
async fn rule_8_2_http_api_cors_fixtures_produce_the_configured_behaviour() {
    let root = acceptance("sam-translator");
    let cases = [
        ("http_api_with_cors", "MyApi", "/anything"),
        ("http_api_with_cors", "ServerlessHttpApi", "/anything"),
        ("http_api_explicit_stage", "MyApi", "/anything"),
        (
            "api_http_with_default_iam_authorizer",
            "HttpApi",
            "/anything",
        ),
    ];
    for (name, api, path) in cases {
        let output: Value = serde_json::from_str(
            &std::fs::read_to_string(root.join(format!("output/{name}.json"))).unwrap(),
        )
        .unwrap();
        let cors = http_cors_of(&output, api);
        let configured = cors["allowOrigins"][0].as_str().unwrap();
        let origin = if configured == "*" {
            "https://page.example"
        } else {
            configured
        };
        let template = root.join(format!("input/{name}.yaml"));
        let s = Server::start(
            &template,
            &["--stub-functions", "--warm", "lazy", "--api", api],
        );
        let preflight = client()
            .request(reqwest::Method::OPTIONS, s.url(path))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "GET")
            .send()
            .await
            .unwrap();
        let context = format!("{name} {api}\n{}", s.stderr());
        assert!(preflight.status().is_success(), "{context}");
        assert_eq!(
            header(&preflight, "access-control-allow-origin"),
            Some(configured),
            "{context}"
        );
        assert_eq!(
            header(&preflight, "access-control-allow-methods").map(str::to_owned),
            joined(&cors["allowMethods"]),
            "{context}"
        );
        assert_eq!(
            header(&preflight, "access-control-allow-headers").map(str::to_owned),
            joined(&cors["allowHeaders"]),
            "{context}"
        );
        let actual = client()
            .get(s.url(path))
            .header("Origin", origin)
            .send()
            .await
            .unwrap();
        assert_eq!(
            header(&actual, "access-control-allow-origin"),
            Some(configured),
            "{context}"
        );
        assert_eq!(
            header(&actual, "access-control-expose-headers").map(str::to_owned),
            joined(&cors["exposeHeaders"]),
            "{context}"
        );
        // A disallowed origin gets no CORS headers at all (8.8, 8.10).
        if configured != "*" {
            let refused = client()
                .get(s.url(path))
                .header("Origin", "https://not-listed.example")
                .send()
                .await
                .unwrap();
            assert_eq!(
                header(&refused, "access-control-allow-origin"),
                None,
                "{context}"
            );
        }
    }
}

#[test]
fn rule_8_2_every_http_api_cors_error_fixture_fails_with_sams_message() {
    let root = acceptance("sam-translator");
    for name in [
        "error_http_api_with_cors_def_uri",
        "error_invalid_httpapi_cors_property",
    ] {
        let output: Value = serde_json::from_str(
            &std::fs::read_to_string(root.join(format!("output/{name}.json"))).unwrap(),
        )
        .unwrap();
        let parts = output["_autoGeneratedBreakdownErrorMessage"]
            .as_array()
            .unwrap();
        let sam_message = parts.last().unwrap().as_str().unwrap().trim();
        let template = root.join(format!("input/{name}.yaml"));
        let (code, stdout, stderr) = run_gatewise(
            &[
                "serve",
                template.to_str().unwrap(),
                "--stub-functions",
                "--port",
                "0",
            ],
            &root,
        );
        assert_eq!(code, 2, "{name}: {stdout}{stderr}");
        assert!(
            stderr.contains(sam_message),
            "{name}: expected {sam_message:?} in:\n{stderr}"
        );
    }
}
