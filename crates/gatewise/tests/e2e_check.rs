//! `gatewise check` end to end: the real binary over the scenario fixtures, the real-world
//! templates of the acceptance catalogue and a template with every pitfall. Text output is
//! compared with snapshots under `tests/fixtures/check/snapshots/` (machine paths replaced by
//! `<DIR>`); `GATEWISE_UPDATE_SNAPSHOTS=1 cargo test --test e2e_check` rewrites them.

mod support;

use std::path::{Path, PathBuf};

use support::{acceptance, fixtures, run_gatewise};

fn snapshots() -> PathBuf {
    fixtures().join("check/snapshots")
}

/// Runs `gatewise check FILE ARGS…` in the template's folder (so findings say
/// `template.yaml:12:7`) and returns (exit code, stdout, stderr), machine paths replaced.
fn check(template: &Path, args: &[&str]) -> (i32, String, String) {
    let dir = template
        .parent()
        .expect("template folder")
        .canonicalize()
        .expect("template folder exists");
    let file = template.file_name().unwrap().to_str().unwrap();
    let mut all = vec!["check", file];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = run_gatewise(&all, &dir);
    let dir = dir.display().to_string();
    (
        code,
        stdout.replace(&dir, "<DIR>"),
        stderr.replace(&dir, "<DIR>"),
    )
}

/// Compares (or with GATEWISE_UPDATE_SNAPSHOTS=1 rewrites) snapshot `name`: the exit status,
/// stdout and, when the template did not load, stderr.
fn assert_snapshot(name: &str, template: &Path, args: &[&str]) -> i32 {
    let (code, stdout, stderr) = check(template, args);
    let mut actual = format!("exit: {code}\n{stdout}");
    if code == 2 {
        actual.push_str(&format!("--- stderr\n{stderr}"));
    }
    let path = snapshots().join(format!("{name}.txt"));
    if std::env::var_os("GATEWISE_UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(snapshots()).unwrap();
        std::fs::write(&path, &actual).unwrap();
        return code;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with GATEWISE_UPDATE_SNAPSHOTS=1 to create it",
            path.display()
        )
    });
    assert_eq!(
        actual,
        expected,
        "snapshot {} differs (GATEWISE_UPDATE_SNAPSHOTS=1 rewrites it)",
        path.display()
    );
    code
}

fn scenario(name: &str) -> PathBuf {
    fixtures()
        .join("scenarios")
        .join(name)
        .join("template.yaml")
}

fn rule_ids(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|l| {
            l.split_once('[')?
                .1
                .split_once(']')
                .map(|(id, _)| id.to_owned())
        })
        .collect()
}

#[test]
fn scenario_snapshots_and_exit_codes() {
    // (fixture, exit status, rules that must be found)
    let cases: &[(&str, i32, &[&str])] = &[
        (
            "1-proxy-no-cors",
            0,
            &[
                "rest-gateway-responses-no-cors",
                "rest-proxy-handler-no-cors",
            ],
        ),
        ("1-proxy-fixed", 0, &[]),
        (
            "2-apikey-preflight",
            1,
            &["rest-gateway-responses-no-cors", "rest-preflight-api-key"],
        ),
        (
            "2-apikey-preflight-fixed",
            0,
            &["rest-gateway-responses-no-cors"],
        ),
        ("3-cfn-greedy-cors", 0, &[]),
        ("4a-cdk-rest-proxy", 0, &["rest-gateway-responses-no-cors"]),
        ("4c-cdk-http-api", 0, &["http-cors-no-allow-headers"]),
    ];
    for (name, code, rules) in cases {
        let template = scenario(name);
        assert_eq!(
            assert_snapshot(&format!("scenario-{name}"), &template, &[]),
            *code,
            "{name}"
        );
        let (_, stdout, _) = check(&template, &[]);
        let mut found = rule_ids(&stdout);
        found.dedup();
        assert_eq!(found, *rules, "{name}:\n{stdout}");
    }
}

#[test]
fn scenario_matrix_snapshots() {
    for name in ["2-apikey-preflight", "1-proxy-no-cors", "4c-cdk-http-api"] {
        assert_snapshot(
            &format!("matrix-{name}"),
            &scenario(name),
            &["--origin", "http://localhost:5173"],
        );
    }
}

#[test]
fn every_pitfall_in_one_template() {
    let template = fixtures().join("check/pitfalls/template.yaml");
    assert_eq!(assert_snapshot("pitfalls", &template, &[]), 1);
    let (_, stdout, _) = check(&template, &[]);
    let found = rule_ids(&stdout);
    for rule in [
        "rest-cors-unquoted-value",
        "rest-cors-multiple-origins",
        "rest-preflight-authorizer",
        "rest-preflight-methods-incomplete",
        "rest-proxy-handler-no-cors",
        "rest-gateway-responses-no-cors",
        "rest-integration-error-no-cors",
        "cors-wildcard-allow-headers",
        "cors-max-age-capped",
        "http-cors-origin-not-serialized",
        "http-authorizer-catches-preflight",
    ] {
        assert!(found.iter().any(|f| f == rule), "{rule} missing:\n{stdout}");
    }
    assert!(
        stdout.ends_with("template.yaml: 5 errors, 6 warnings, 2 notes\n"),
        "{stdout}"
    );
}

/// The real-world templates of tests/data/external/README.md §3, each with what it is expected to get.
#[test]
fn real_world_snapshots() {
    let cases: &[(&str, &[&str], i32)] = &[
        (
            "serverless-patterns/amplify_cognito_apigateway_lambda_envvariables/template.yaml",
            &[],
            0,
        ),
        (
            "serverless-patterns/apigw-cors-nonproxy/template.yaml",
            &[],
            0,
        ),
        ("serverless-patterns/apigw-cors-proxy/template.yaml", &[], 0),
        (
            "serverless-patterns/apigw-http-api-cors-sam/template.yaml",
            &[],
            0,
        ),
        (
            "serverless-patterns/apigw-http-api-lambda/template.yml",
            &[],
            0,
        ),
        // SAM rejects this template (duplicate POST /): nothing to check.
        (
            "serverless-patterns/apigw-lambda-dynamodb-go-sam/template.yml",
            &[],
            0,
        ),
        // Events name a raw REST API as RestApiId, which SAM rejects.
        (
            "serverless-patterns/apigw-lambda-tenant-isolation/template.yaml",
            &[],
            0,
        ),
        (
            "serverless-patterns/apigw-usage-plans/template.yaml",
            &[],
            0,
        ),
        ("serverless-patterns/cognito-httpapi/template.yaml", &[], 0),
        ("serverless-samples/python-http-sam/template.yaml", &[], 0),
        ("serverless-samples/python-rest-sam/template.yaml", &[], 1),
        (
            "sessions-with-aws-sam/http-api-logging/template.yaml",
            &[],
            0,
        ),
        (
            "sessions-with-aws-sam/http-api/template.yaml",
            &[
                "--parameter-overrides",
                "UserPoolId=us-east-1_example",
                "Audience=example",
            ],
            0,
        ),
    ];
    for (rel, args, code) in cases {
        let template = acceptance(&format!("real-world/{rel}"));
        let name = format!(
            "real-world-{}",
            Path::new(rel)
                .parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy()
        );
        assert_eq!(assert_snapshot(&name, &template, args), *code, "{rel}");
    }
}

#[test]
fn unloadable_template_exits_2_with_the_load_error() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run_gatewise(&["check", "missing.yaml"], dir.path());
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.starts_with("missing.yaml:1:1: error: cannot read template"),
        "{stderr}"
    );
}

#[test]
fn json_output_is_stable_for_scripts() {
    let (code, stdout, _) = check(
        &scenario("2-apikey-preflight"),
        &["--format", "json", "--origin", "http://localhost:5173"],
    );
    assert_eq!(code, 1);
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(report["template"], "template.yaml");
    let findings = report["findings"].as_array().unwrap();
    let keyed = findings
        .iter()
        .find(|f| f["rule"] == "rest-preflight-api-key")
        .expect("api key finding");
    assert_eq!(keyed["severity"], "error");
    assert_eq!(keyed["file"], "template.yaml");
    assert_eq!(
        (keyed["line"].as_u64(), keyed["column"].as_u64()),
        (Some(16), Some(9))
    );
    assert!(keyed["message"].as_str().unwrap().contains("403"));
    assert!(
        keyed["fix"]
            .as_str()
            .unwrap()
            .contains("AddApiKeyRequiredToCorsPreflight: false")
    );
    for f in findings {
        for key in [
            "rule", "severity", "file", "line", "column", "message", "fix",
        ] {
            assert!(!f[key].is_null(), "{key} missing in {f}");
        }
    }
    let matrix = report["matrix"].as_array().unwrap();
    assert_eq!(matrix.len(), 3);
    assert_eq!(matrix[0]["route"], "GET /items");
    assert_eq!(matrix[0]["call"], "simple");
    assert_eq!(matrix[0]["verdict"], "blocked");
    assert!(!report["assumptions"].as_array().unwrap().is_empty());
    assert_eq!(report["summary"]["errors"], 1);
}

#[test]
fn sarif_output_is_valid_sarif_2_1_0() {
    let template = fixtures().join("check/pitfalls/template.yaml");
    let (code, stdout, _) = check(&template, &["--format", "sarif"]);
    assert_eq!(code, 1);
    let sarif: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert!(sarif["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "gatewise");
    let rules = driver["rules"].as_array().unwrap();
    assert!(rules.len() >= 14);
    for rule in rules {
        assert!(rule["id"].is_string() && rule["shortDescription"]["text"].is_string());
        let level = rule["defaultConfiguration"]["level"].as_str().unwrap();
        assert!(["error", "warning", "note"].contains(&level), "{level}");
    }
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 13);
    for result in results {
        let id = result["ruleId"].as_str().unwrap();
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], id);
        let level = result["level"].as_str().unwrap();
        assert!(["error", "warning", "note"].contains(&level), "{level}");
        assert!(!result["message"]["text"].as_str().unwrap().is_empty());
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "template.yaml");
        assert!(location["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(location["region"]["startColumn"].as_u64().unwrap() >= 1);
    }
    assert!(results.iter().any(|r| r["level"] == "note"));
}
