//! `gatewise probe` against real `gatewise serve` processes, one per scenario row
//! (docs/scenarios.md: 1, 2, 3 and 4a): the probe's exit status, verdict and rule, and — request by
//! request — agreement with the gateway, which logs `CORS: the browser will block …` exactly
//! for the requests a browser refuses. Both run the same gatewise-cors checks; these tests
//! prove the wiring around them agrees too.

mod support;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::*;

const SCENARIO_2_KEY: &str = "scenario-two-key-0123456789";

/// Runs `gatewise probe URL --origin PAGE_ORIGIN ARGS…`; returns (exit code, stdout, stderr).
fn probe(url: &str, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["probe", url, "--origin", PAGE_ORIGIN];
    all.extend_from_slice(args);
    run_gatewise(&all, &std::env::temp_dir())
}

/// What one probe did to a server: its exit code, its JSON report, and how many CORS
/// explanations the gateway logged for the route meanwhile.
struct Probed {
    code: i32,
    report: Value,
    explained: usize,
}

/// Probes `METHOD path` on `s` with `args` (-X, -H, -d, …) in JSON and counts the gateway's
/// explanation lines for that route among the log entries of the probe's own requests.
fn probe_route(s: &Server, method: &str, path: &str, args: &[&str]) -> Probed {
    let before = s.stderr().len();
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let (code, out, err) = probe(&s.url(path), &all);
    let report: Value = serde_json::from_str(&out)
        .unwrap_or_else(|e| panic!("probe printed no JSON ({e}):\n{out}\nstderr:\n{err}"));
    let steps = report["steps"].as_array().expect("steps");
    // Each request's access line and explanation are written in one entry: once every access
    // line is in, so is every explanation.
    let access: Vec<String> = steps
        .iter()
        .map(|step| format!("{} {path} -> ", step["method"].as_str().unwrap()))
        .collect();
    let start = Instant::now();
    let log = loop {
        let log = s.stderr();
        if access.iter().all(|line| log[before..].contains(line)) {
            std::thread::sleep(Duration::from_millis(50));
            break s.stderr();
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the gateway never logged {access:?}; log:\n{log}"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let needle = format!("CORS: the browser will block {method} {path} from {PAGE_ORIGIN}");
    let explained = log[before..]
        .lines()
        .filter(|line| line.contains(&needle))
        .count();
    Probed {
        code,
        report,
        explained,
    }
}

/// A row the browser allows: exit 0, verdict allowed, and no gateway explanation.
fn assert_allowed(s: &Server, method: &str, path: &str, args: &[&str]) -> Value {
    let probed = probe_route(s, method, path, args);
    let report = &probed.report;
    assert_eq!(probed.code, 0, "{report:#}");
    assert_eq!(report["verdict"], "allowed", "{report:#}");
    assert!(report.get("rule").is_none(), "{report:#}");
    assert_eq!(
        probed.explained,
        0,
        "the gateway explained a request probe allows:\n{}",
        s.stderr()
    );
    probed.report
}

/// A row the browser blocks by `rule`: exit 1, and the gateway explains the same request once.
fn assert_blocked(s: &Server, method: &str, path: &str, args: &[&str], rule: &str) -> Value {
    let probed = probe_route(s, method, path, args);
    let report = &probed.report;
    assert_eq!(probed.code, 1, "{report:#}");
    assert_eq!(report["verdict"], "blocked", "{report:#}");
    assert_eq!(report["rule"], rule, "{report:#}");
    assert_eq!(
        probed.explained,
        1,
        "probe blocks {method} {path} but the gateway explained it {} times; log:\n{}",
        probed.explained,
        s.stderr()
    );
    probed.report
}

/// The steps' `kind` and `status`, e.g. `[("preflight", 200), ("request", 201)]`.
fn steps(report: &Value) -> Vec<(String, u64)> {
    report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|step| {
            (
                step["kind"].as_str().unwrap().to_owned(),
                step["status"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn kinds(list: &[(&str, u64)]) -> Vec<(String, u64)> {
    list.iter().map(|(k, s)| (k.to_string(), *s)).collect()
}

const JSON: &str = "Content-Type: application/json";

fn serve(name: &str) -> Running {
    serve_scenario(name, &["--warm", "lazy"])
}

// Scenario 1: "OPTIONS has the CORS headers, POST does not".

#[test]
fn scenario_1_json_post_passes_the_preflight_and_is_blocked() {
    let s = serve("1-proxy-no-cors");
    let report = assert_blocked(
        &s,
        "POST",
        "/orders",
        &["-H", JSON, "-d", r#"{"item": "book"}"#],
        "cors.missing-allow-origin",
    );
    assert_eq!(
        steps(&report),
        kinds(&[("preflight", 200), ("request", 201)])
    );
    assert_eq!(report["steps"][0]["verdict"], "allowed");
    assert_eq!(
        report["steps"][0]["request_headers"]["Access-Control-Request-Headers"],
        "content-type"
    );
}

#[test]
fn scenario_1_post_where_the_function_throws_is_blocked() {
    let s = serve("1-proxy-no-cors");
    let report = assert_blocked(
        &s,
        "POST",
        "/orders",
        &["-H", JSON, "-d", r#"{"fail": true}"#],
        "cors.missing-allow-origin",
    );
    assert_eq!(
        steps(&report),
        kinds(&[("preflight", 200), ("request", 502)])
    );
}

#[test]
fn scenario_1_unknown_route_is_blocked() {
    let s = serve("1-proxy-no-cors");
    let report = assert_blocked(&s, "GET", "/nope", &[], "cors.missing-allow-origin");
    assert_eq!(steps(&report), kinds(&[("request", 403)]), "no preflight");
}

#[test]
fn scenario_1_fixed_json_post_is_allowed() {
    let s = serve("1-proxy-fixed");
    let report = assert_allowed(
        &s,
        "POST",
        "/orders",
        &["-H", JSON, "-d", r#"{"item": "book"}"#],
    );
    assert_eq!(
        steps(&report),
        kinds(&[("preflight", 200), ("request", 201)])
    );
    let readable = &report["steps"][1]["readable"];
    assert!(
        readable
            .as_array()
            .unwrap()
            .contains(&Value::from("content-type")),
        "{readable}"
    );
}

#[test]
fn scenario_1_fixed_function_error_is_readable() {
    let s = serve("1-proxy-fixed");
    let report = assert_allowed(
        &s,
        "POST",
        "/orders",
        &["-H", JSON, "-d", r#"{"fail": true}"#],
    );
    assert_eq!(report["steps"][1]["status"], 502);
}

#[test]
fn scenario_1_fixed_unknown_route_error_is_readable() {
    let s = serve("1-proxy-fixed");
    let report = assert_allowed(&s, "GET", "/nope", &[]);
    assert_eq!(steps(&report), kinds(&[("request", 403)]));
}

// Scenario 2: "Globals Cors + ApiKeyRequired, and the preflight gets 403".

#[test]
fn scenario_2_get_with_api_key_is_blocked_at_the_preflight() {
    let s = serve("2-apikey-preflight");
    let key = format!("x-api-key: {SCENARIO_2_KEY}");
    let report = assert_blocked(
        &s,
        "GET",
        "/items",
        &["-H", &key],
        "cors.missing-allow-origin",
    );
    // The browser never sends the GET: neither does probe.
    assert_eq!(steps(&report), kinds(&[("preflight", 403)]));
}

#[test]
fn scenario_2_get_without_a_key_is_blocked() {
    let s = serve("2-apikey-preflight");
    let report = assert_blocked(&s, "GET", "/items", &[], "cors.missing-allow-origin");
    assert_eq!(steps(&report), kinds(&[("request", 403)]));
}

#[test]
fn scenario_2_fixed_get_with_api_key_is_allowed() {
    let s = serve("2-apikey-preflight-fixed");
    let key = format!("x-api-key: {SCENARIO_2_KEY}");
    let report = assert_allowed(&s, "GET", "/items", &["-H", &key]);
    assert_eq!(
        steps(&report),
        kinds(&[("preflight", 200), ("request", 200)])
    );
    let preflight = &report["steps"][0]["headers"];
    assert_eq!(
        preflight["access-control-allow-headers"],
        "Content-Type,X-Api-Key"
    );
}

#[test]
fn scenario_2_fixed_get_with_a_wrong_key_is_blocked() {
    let s = serve("2-apikey-preflight-fixed");
    let report = assert_blocked(
        &s,
        "GET",
        "/items",
        &["-H", "x-api-key: wrong"],
        "cors.missing-allow-origin",
    );
    assert_eq!(
        steps(&report),
        kinds(&[("preflight", 200), ("request", 403)])
    );
}

#[test]
fn scenario_2_fixed_authorization_header_is_not_allowed_by_the_preflight() {
    let s = serve("2-apikey-preflight-fixed");
    let key = format!("x-api-key: {SCENARIO_2_KEY}");
    let report = assert_blocked(
        &s,
        "GET",
        "/items",
        &["-H", "Authorization: Bearer t", "-H", &key],
        "preflight.header-not-allowed",
    );
    assert!(
        report["message"]
            .as_str()
            .unwrap()
            .contains("authorization"),
        "{report:#}"
    );
}

/// The one row where probe knows more than the gateway: a preflight carries no sign of the
/// page's credentials mode, so the gateway (assuming `same-origin`) lets `*` pass.
#[test]
fn scenario_2_fixed_credentials_with_wildcard_origin_are_blocked_where_only_the_browser_knows() {
    let s = serve("2-apikey-preflight-fixed");
    let key = format!("x-api-key: {SCENARIO_2_KEY}");
    let probed = probe_route(&s, "GET", "/items", &["-H", &key, "--credentials"]);
    assert_eq!(probed.code, 1);
    assert_eq!(probed.report["rule"], "cors.wildcard-with-credentials");
    assert_eq!(steps(&probed.report), kinds(&[("preflight", 200)]));
    assert_eq!(
        probed.explained, 0,
        "the gateway cannot see credentials mode"
    );
}

// Scenario 3: "Three steps with a proxy resource and gateway responses".

#[test]
fn scenario_3_post_item_is_allowed() {
    let s = serve("3-cfn-greedy-cors");
    let report = assert_allowed(&s, "POST", "/items/42", &["-H", JSON, "-d", "{}"]);
    assert_eq!(
        steps(&report),
        kinds(&[("preflight", 200), ("request", 200)])
    );
}

#[test]
fn scenario_3_missing_route_error_is_readable() {
    let s = serve("3-cfn-greedy-cors");
    let report = assert_allowed(&s, "GET", "/missing/route", &[]);
    assert_eq!(steps(&report), kinds(&[("request", 403)]));
}

#[test]
fn scenario_3_crashing_function_error_is_readable() {
    let s = serve("3-cfn-greedy-cors");
    let report = assert_allowed(&s, "POST", "/items/crash", &["-H", JSON, "-d", "{}"]);
    assert_eq!(report["steps"][1]["status"], 502);
}

#[test]
fn scenario_3_authorization_header_is_not_allowed_by_the_mock() {
    let s = serve("3-cfn-greedy-cors");
    let report = assert_blocked(
        &s,
        "POST",
        "/items/42",
        &["-H", "Authorization: Bearer t", "-H", JSON, "-d", "{}"],
        "preflight.header-not-allowed",
    );
    assert_eq!(steps(&report), kinds(&[("preflight", 200)]));
}

/// `{cors+}` needs a segment, so `OPTIONS /` gets the 403 — with DEFAULT_4XX's
/// Allow-Origin, which leaves the status as the failing rule.
#[test]
fn scenario_3_root_preflight_is_blocked() {
    let s = serve("3-cfn-greedy-cors");
    let report = assert_blocked(
        &s,
        "POST",
        "/",
        &["-H", JSON, "-d", "{}"],
        "preflight.status",
    );
    assert_eq!(steps(&report), kinds(&[("preflight", 403)]));
}

#[test]
fn scenario_3_put_is_not_in_allow_methods() {
    let s = serve("3-cfn-greedy-cors");
    assert_blocked(
        &s,
        "PUT",
        "/items/42",
        &["-X", "PUT"],
        "preflight.method-not-allowed",
    );
}

// Scenario 4 (a): CDK REST API, proxy integration, 204 preflight.

#[test]
fn scenario_4a_get_root_is_allowed() {
    let s = serve("4a-cdk-rest-proxy");
    let report = assert_allowed(&s, "GET", "/", &[]);
    assert_eq!(steps(&report), kinds(&[("request", 200)]));
}

#[test]
fn scenario_4a_authorization_header_passes_the_204_preflight() {
    let s = serve("4a-cdk-rest-proxy");
    let report = assert_allowed(&s, "GET", "/", &["-H", "Authorization: Bearer t"]);
    assert_eq!(
        steps(&report),
        kinds(&[("preflight", 204), ("request", 200)])
    );
}

#[test]
fn scenario_4a_delete_passes_the_preflight_but_has_no_method() {
    let s = serve("4a-cdk-rest-proxy");
    let report = assert_blocked(
        &s,
        "DELETE",
        "/",
        &["-X", "DELETE"],
        "cors.missing-allow-origin",
    );
    assert_eq!(
        steps(&report),
        kinds(&[("preflight", 204), ("request", 403)])
    );
}

// Output formats.

#[test]
fn json_output_has_the_documented_keys() {
    let s = serve("1-proxy-no-cors");
    let (code, out, _) = probe(
        &s.url("/orders"),
        &["--format", "json", "-H", JSON, "-d", "{}"],
    );
    assert_eq!(code, 1);
    let report: Value = serde_json::from_str(&out).unwrap();
    let keys =
        |value: &Value| -> Vec<String> { value.as_object().unwrap().keys().cloned().collect() };
    assert_eq!(
        keys(&report),
        [
            "url",
            "origin",
            "credentials",
            "steps",
            "verdict",
            "rule",
            "message"
        ]
    );
    assert_eq!(report["url"], s.url("/orders"));
    assert_eq!(report["origin"], PAGE_ORIGIN);
    let common = [
        "kind",
        "method",
        "url",
        "request_headers",
        "status",
        "headers",
        "verdict",
        "rule",
        "message",
    ];
    let preflight = &report["steps"][0];
    assert_eq!(keys(preflight)[..9], common);
    assert_eq!(
        keys(preflight)[9..],
        ["max_age_seconds", "firefox_safari_block"]
    );
    assert_eq!(preflight["method"], "OPTIONS");
    assert_eq!(preflight["rule"], Value::Null);
    assert_eq!(preflight["max_age_seconds"], 5);
    assert_eq!(preflight["firefox_safari_block"], Value::Null);
    let request = &report["steps"][1];
    assert_eq!(keys(request)[..9], common);
    assert_eq!(keys(request)[9..], ["readable", "redirect"]);
    assert_eq!(request["rule"], "cors.missing-allow-origin");
    assert!(
        request["message"]
            .as_str()
            .unwrap()
            .starts_with("No 'Access-Control-Allow-Origin' header")
    );
}

#[test]
fn text_output_reads_as_a_report_of_each_step() {
    let s = serve("2-apikey-preflight");
    let (code, out, err) = probe(&s.url("/items"), &["-H", "x-api-key: k"]);
    assert_eq!(code, 1, "{err}");
    for expected in [
        "1. preflight, because x-api-key is not CORS-safelisted",
        "   > OPTIONS http://",
        "   > Access-Control-Request-Method: GET",
        "   > Access-Control-Request-Headers: x-api-key",
        "   < 403 Forbidden",
        "   blocked [cors.missing-allow-origin]: Response to preflight request doesn't pass",
        "The browser never sends the request itself.",
        "Verdict: BLOCKED [cors.missing-allow-origin]",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
    assert!(!out.contains("2. request"), "{out}");
}

// Errors: exit 2, a message naming the cause, no panic.

#[test]
fn usage_errors_exit_2_with_a_clear_message() {
    let url = "http://127.0.0.1:9/";
    for (args, expected) in [
        (
            vec!["probe", url, "--origin", "http://localhost:5173/"],
            "did you mean http://localhost:5173?",
        ),
        (
            vec!["probe", url, "--origin", "localhost:5173"],
            "--origin localhost:5173",
        ),
        (
            vec!["probe", url, "--origin", PAGE_ORIGIN, "-H", "x-api-key k"],
            "expected 'Name: value'",
        ),
        (
            vec!["probe", url, "--origin", PAGE_ORIGIN, "-H", "Cookie: a=b"],
            "forbidden request header",
        ),
        (
            vec![
                "probe",
                url,
                "--origin",
                PAGE_ORIGIN,
                "-X",
                "GET",
                "-d",
                "x",
            ],
            "refuses a body on GET",
        ),
        (
            vec!["probe", "ftp://example.com/", "--origin", PAGE_ORIGIN],
            "http and https URLs only",
        ),
        (
            vec!["probe", url, "--origin", PAGE_ORIGIN, "--timeout", "0"],
            "not a positive number of seconds",
        ),
    ] {
        let (code, out, err) = run_gatewise(&args, &std::env::temp_dir());
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(err.contains(expected), "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}: {out}");
    }
}

#[test]
fn connection_refused_exits_2_naming_the_url() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/orders");
    let (code, out, err) = probe(&url, &[]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains(&url), "{err}");
    assert!(err.to_lowercase().contains("refused"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_server_that_never_answers_times_out_with_exit_2() {
    // Accepts connections (the kernel does, from the backlog) and never answers.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/slow", listener.local_addr().unwrap());
    let (code, out, err) = probe(&url, &["--timeout", "0.5"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains(&url) && err.contains("no answer within 0.5 s"),
        "{err}"
    );
    drop(listener);
}
