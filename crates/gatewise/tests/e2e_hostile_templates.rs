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
