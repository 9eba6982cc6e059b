//! Lambda layers end to end: real Node and Python functions import modules that only their
//! layers' folders hold — two layers, the second overriding a module of the first, in the
//! order the template gives (with SAM's Globals appended first) — served by the real binary;
//! a layer edit restarts the functions that use it; and the same from Terraform.

mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::*;

/// How long a layer change may take to show: ~200 ms debounce, then a new process.
const CHANGE_LIMIT: Duration = Duration::from_secs(10);

async fn get_json(s: &Server, path: &str) -> Value {
    let response = client().get(s.url(path)).send().await.expect("request");
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, 200, "{path}: {text}\nlog:\n{}", s.stderr());
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}: {text}"))
}

#[tokio::test]
async fn node_and_python_import_from_their_layers_and_the_later_layer_wins() {
    let dir = copy_fixture("layers");
    let s = Server::start(&dir.path().join("template.yaml"), &[]);

    // Globals' Base first, then the function's Override: Override's `greeting` wins; `only-base`
    // comes from Base; `versioned` from Override's runtime-specific folder; Base's bin/ is on
    // PATH.
    assert_eq!(
        get_json(&s, "/node").await,
        json!({"greeting": "override", "onlyBase": "base", "versioned": "override/node20", "tool": "base-tool"})
    );
    assert_eq!(
        get_json(&s, "/python").await,
        json!({"greeting": "override", "onlyBase": "base", "versioned": "override/site-packages", "tool": "base-tool"})
    );
    // [Override, Base]: Base is the later layer and wins.
    assert_eq!(get_json(&s, "/node-reversed").await["greeting"], "base");
    assert!(
        !s.stderr().contains("warning"),
        "no layer warnings: {}",
        s.stderr()
    );
}

#[tokio::test]
async fn editing_a_layer_restarts_the_functions_that_use_it() {
    let dir = copy_fixture("layers");
    let s = Server::start(&dir.path().join("template.yaml"), &["--warm", "lazy"]);
    assert_eq!(get_json(&s, "/python").await["onlyBase"], "base");
    assert_eq!(get_json(&s, "/node").await["onlyBase"], "base");

    std::fs::write(
        dir.path().join("layers/base/python/only_base.py"),
        "SOURCE = \"edited\"\n",
    )
    .unwrap();
    let start = Instant::now();
    while get_json(&s, "/python").await["onlyBase"] != "edited" {
        assert!(
            start.elapsed() < CHANGE_LIMIT,
            "the layer edit was not picked up; log:\n{}",
            s.stderr()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Every function using Base restarted (Node's too); NodeReversed had no instance yet.
    let log = s.wait_for_log("[Node] Code changed: instances restarted");
    assert!(log.contains("[Python] Code changed"), "{log}");
}

#[tokio::test]
async fn terraform_layers_are_found_through_archive_file_in_order() {
    let dir = copy_fixture("terraform/layers");
    let s = Server::start(dir.path(), &[]);
    assert_eq!(
        get_json(&s, "/greeting").await,
        json!({"greeting": "extra", "commonOnly": "common"})
    );
    assert!(!s.stderr().contains("warning"), "{}", s.stderr());
}

#[test]
fn a_layer_in_s3_is_a_located_error_unless_functions_are_stubbed() {
    let dir = copy_fixture("layers");
    let template = dir.path().join("template.yaml");
    let text = std::fs::read_to_string(&template).unwrap();
    std::fs::write(
        &template,
        text.replace(
            "ContentUri: layers/override",
            "ContentUri: s3://bucket/override.zip",
        ),
    )
    .unwrap();
    let (code, _, stderr) = run_gatewise(&["routes", "template.yaml"], dir.path());
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("template.yaml:25:19: error: Layer 'Override': its content is in S3 (s3://bucket/override.zip)")
            && stderr.contains("--stub-functions"),
        "{stderr}"
    );
    let (code, stdout, stderr) =
        run_gatewise(&["routes", "template.yaml", "--stub-functions"], dir.path());
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("/python"), "{stdout}");
    assert!(
        stderr.contains("template.yaml:25:19: warning: Layer 'Override'")
            && stderr.contains("Left out (--stub-functions)"),
        "{stderr}"
    );
}
