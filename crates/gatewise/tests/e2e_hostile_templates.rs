//! Templates written to hurt: paths longer than any format width, files that never end
//! (`/dev/zero`, a FIFO) or are too large to be templates. Each gets a clear, located answer
//! and exit status 2 — never a panic or a hang.

mod support;

use std::path::{Path, PathBuf};

use support::*;

fn write_template(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("template.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

/// A template with one inline Python function answering `GET {path}`.
fn template_with_path(path: &str) -> String {
    format!(
        "Transform: AWS::Serverless-2016-10-31
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            return {{'statusCode': 200, 'body': 'hi'}}
      Events:
        Get:
          Type: Api
          Properties: {{Path: {path}, Method: get}}
"
    )
}

#[test]
fn a_route_path_longer_than_any_format_width_is_listed_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let long = format!("/{}", "a".repeat(70_000));
    let template = write_template(dir.path(), &template_with_path(&long));
    let (code, stdout, stderr) = run_gatewise(&["routes"], dir.path());
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let row = stdout
        .lines()
        .find(|l| l.starts_with("GET"))
        .unwrap_or_else(|| panic!("no GET row:\n{stdout}"));
    assert!(row.contains(&long) && row.ends_with("ServerlessRestApi / Prod"));
    // `serve` prints the same table before listening.
    let server = Server::start(&template, &["--warm", "lazy"]);
    assert!(server.stdout_head.contains(&long));
}

/// Runs `gatewise ARGS…` in `dir`, asserting exit status 2, no panic and no `Listening on`;
/// returns stderr.
fn refused(args: &[&str], dir: &Path) -> String {
    let (code, stdout, stderr) = run_gatewise(args, dir);
    assert_eq!(code, 2, "{args:?}\nstdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(!stdout.contains("Listening on"), "{stdout}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

fn mkfifo(path: &Path) {
    let made = std::process::Command::new("mkfifo").arg(path).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo {}", path.display());
}

const API_FROM_URI: &str = "Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      DefinitionUri: ./api.yaml
";

#[test]
fn a_definition_uri_that_is_a_device_or_a_fifo_is_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    write_template(dir.path(), API_FROM_URI);
    mkfifo(&dir.path().join("api.yaml"));
    let stderr = refused(&["serve", "--port", "0"], dir.path());
    assert!(
        stderr.contains("template.yaml:7:22: error: Api 'Api': DefinitionUri './api.yaml' is not a regular file (a FIFO); point it at a file"),
        "{stderr}"
    );
    write_template(dir.path(), &API_FROM_URI.replace("./api.yaml", "/dev/zero"));
    let stderr = refused(&["routes"], dir.path());
    assert!(
        stderr.contains("template.yaml:7:22: error: Api 'Api': DefinitionUri '/dev/zero' is not a regular file (a character device)"),
        "{stderr}"
    );
}

#[test]
fn a_template_that_is_a_device_a_fifo_or_too_large_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    mkfifo(&dir.path().join("fifo.yaml"));
    // Sparse: over the 50 MiB cap without using the disk.
    let big = std::fs::File::create(dir.path().join("big.yaml")).unwrap();
    big.set_len(50 * 1024 * 1024 + 1).unwrap();
    for (template, why) in [
        ("/dev/zero", "is not a regular file (a character device)"),
        ("fifo.yaml", "is not a regular file (a FIFO)"),
        ("big.yaml", "is larger than 50 MiB"),
    ] {
        let stderr = refused(&["serve", "-t", template, "--port", "0"], dir.path());
        assert!(
            stderr.contains(&format!("{template}:1:1: error: the template {why}")),
            "{stderr}"
        );
    }
}

#[test]
fn an_env_vars_file_that_is_a_device_a_fifo_or_too_large_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write_template(dir.path(), &template_with_path("/hello"));
    mkfifo(&dir.path().join("env.json"));
    let big = std::fs::File::create(dir.path().join("big.json")).unwrap();
    big.set_len(1024 * 1024 + 1).unwrap();
    for (file, why) in [
        ("/dev/zero", "is not a regular file (a character device)"),
        ("env.json", "is not a regular file (a FIFO)"),
        ("big.json", "is larger than 1 MiB"),
    ] {
        let stderr = refused(&["serve", "--env-vars", file, "--port", "0"], dir.path());
        assert!(
            stderr.contains(&format!("the --env-vars file '{file}' {why}")),
            "{stderr}"
        );
    }
}
