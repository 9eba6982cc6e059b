//! The command line: route table, default template, bad templates and flags (each a clear
//! error with a location and exit status 2), a busy port, and the bundled example.

mod support;

use std::path::Path;

use support::*;

fn write_template(dir: &Path, text: &str) -> std::path::PathBuf {
    let path = dir.join("template.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

const HELLO: &str = "Transform: AWS::Serverless-2016-10-31
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            return {'statusCode': 200, 'body': 'hi'}
      Events:
        Get:
          Type: Api
          Properties: {Path: /hello, Method: get}
";

#[test]
fn routes_prints_the_table_from_the_default_template() {
    let dir = tempfile::tempdir().unwrap();
    write_template(dir.path(), HELLO);
    let (code, stdout, stderr) = run_gatewise(&["routes"], dir.path());
    assert_eq!(code, 0, "{stderr}");
    let row = stdout
        .lines()
        .find(|l| l.contains("/hello"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(row.contains("GET") && row.contains("Hello"), "{row}");
}

#[test]
fn routes_lists_every_route_of_the_fixture() {
    let (code, stdout, stderr) = run_gatewise(
        &["routes", "-t", "tests/fixtures/basic/template.yaml"],
        Path::new(env!("CARGO_MANIFEST_DIR")),
    );
    assert_eq!(code, 0, "{stderr}");
    for path in [
        "/node/{proxy+}",
        "/items/{id}",
        "/esm",
        "/staged/{id}",
        "/raw-binary",
    ] {
        assert!(stdout.contains(path), "{path} missing:\n{stdout}");
    }
}

/// Runs `gatewise serve` on a bad template and returns stderr, asserting exit status 2.
fn serve_fails(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = write_template(dir.path(), text);
    let (code, stdout, stderr) = run_gatewise(
        &["serve", path.to_str().unwrap(), "--port", "0"],
        dir.path(),
    );
    assert_eq!(code, 2, "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(!stdout.contains("Listening on"), "{stdout}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

#[test]
fn malformed_yaml_is_reported_with_line_and_column() {
    let stderr = serve_fails("Resources:\n  Hello:\n    Type: [unclosed\n");
    assert!(stderr.contains("template.yaml:"), "{stderr}");
    let location = stderr.split("template.yaml:").nth(1).unwrap();
    assert!(
        location.chars().next().unwrap().is_ascii_digit(),
        "{stderr}"
    );
}

#[test]
fn unknown_runtime_names_the_function_and_the_line() {
    let stderr = serve_fails(&HELLO.replace("python3.12", "java21"));
    assert!(stderr.contains("java21"), "{stderr}");
    assert!(stderr.contains("Hello"), "{stderr}");
    assert!(stderr.contains("template.yaml:6:"), "{stderr}");
}

#[test]
fn missing_code_uri_folder_is_reported() {
    let text = HELLO.replace(
        "      InlineCode: |\n        def handler(event, context):\n            return {'statusCode': 200, 'body': 'hi'}\n",
        "      CodeUri: src/missing/\n",
    );
    let stderr = serve_fails(&text);
    assert!(stderr.contains("src/missing"), "{stderr}");
    assert!(stderr.contains("template.yaml:"), "{stderr}");
}

#[test]
fn missing_parameter_value_is_reported() {
    let text = format!(
        "Parameters:\n  Table:\n    Type: String\n{}",
        HELLO.replace(
            "Runtime: python3.12",
            "Runtime: python3.12\n      Environment: {Variables: {T: !Ref Table}}"
        )
    );
    let stderr = serve_fails(&text);
    assert!(
        stderr.contains("Table") && stderr.contains("--parameter-overrides"),
        "{stderr}"
    );
}

#[test]
fn no_template_at_all_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run_gatewise(&["serve", "--port", "0"], dir.path());
    assert_eq!(code, 2);
    assert!(stderr.contains("template.yaml"), "{stderr}");
}

/// Each command's `--help` offers only the flags that command acts on, described for that
/// command: `check` has no `--stub-functions` (it always stubs what cannot run) and its `--api`
/// narrows the check, not a server.
#[test]
fn help_texts_describe_what_each_command_does() {
    let dir = tempfile::tempdir().unwrap();
    let help = |command: &str| {
        let (code, stdout, stderr) = run_gatewise(&[command, "--help"], dir.path());
        assert_eq!(code, 0, "{command} --help: {stderr}");
        stdout
    };
    let check = help("check");
    assert!(!check.contains("--stub-functions"), "{check}");
    assert!(check.contains("Check only this API"), "{check}");
    assert!(!check.contains("Serve only"), "{check}");
    for command in ["serve", "routes"] {
        let text = help(command);
        assert!(text.contains("--stub-functions"), "{command}: {text}");
        assert!(text.contains("Serve only this API"), "{command}: {text}");
    }
    let (code, _, stderr) = run_gatewise(&["check", "--stub-functions"], dir.path());
    assert_eq!(code, 2, "check takes no --stub-functions: {stderr}");
}

#[test]
fn bad_flag_values_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    write_template(dir.path(), HELLO);
    for args in [
        &["serve", "--port", "99999"][..],
        &["serve", "--warm", "sometimes"],
        &["serve", "--host", "not-an-ip"],
        &["serve", "--parameter-overrides", "novalue", "--port", "0"],
        &["serve", "--env-vars", "missing.json", "--port", "0"],
    ] {
        let (code, stdout, stderr) = run_gatewise(args, dir.path());
        assert_eq!(code, 2, "{args:?}: {stdout}{stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn a_busy_port_is_a_one_line_error() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let dir = tempfile::tempdir().unwrap();
    write_template(dir.path(), HELLO);
    let (code, _, stderr) = run_gatewise(&["serve", "--port", &port], dir.path());
    assert_eq!(code, 2);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(&port) && stderr.contains("--port"),
        "{stderr}"
    );
}

#[tokio::test]
async fn the_bundled_example_serves() {
    let template = repo_root().join("examples/todo-app/template.yaml");
    let s = Server::start(&template, &[]);
    assert!(s.stdout_head.contains("/todos"), "{}", s.stdout_head);
    let list = client().get(s.url("/todos")).send().await.unwrap();
    assert_eq!(list.status(), 200);
    assert_eq!(
        list.headers()["access-control-allow-origin"],
        "http://localhost:5173"
    );
    let body: serde_json::Value = list.json().await.unwrap();
    assert!(body["items"].as_array().unwrap().len() >= 2);

    let created = client()
        .post(s.url("/todos"))
        .header("Content-Type", "application/json")
        .body(r#"{"title": "write tests"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let body: serde_json::Value = created.json().await.unwrap();
    assert_eq!(body["title"], "write tests");

    let missing = client().get(s.url("/todos/nope")).send().await.unwrap();
    assert_eq!(missing.status(), 404);

    // The SPA's JSON POST: the preflight passes, and gateway errors are readable too.
    let preflight = preflight(&s, "/todos", "POST", "content-type").await;
    assert_eq!(preflight.status(), 200);
    assert_eq!(
        header(&preflight, "access-control-allow-origin"),
        Some(PAGE_ORIGIN)
    );
    assert_eq!(
        header(&preflight, "access-control-allow-headers"),
        Some("Content-Type")
    );
    let unknown = client()
        .get(s.url("/nope"))
        .header("Origin", PAGE_ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 403);
    assert_eq!(
        header(&unknown, "access-control-allow-origin"),
        Some(PAGE_ORIGIN)
    );
    assert!(
        !s.stderr().contains("CORS:"),
        "no request of the example is blocked"
    );
    let health: serde_json::Value = client()
        .get(s.url("/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["function"], "HealthFunction");
}

/// Runtimes Lambda deprecated (`nodejs14.x`, `python3.8`) still deploy in existing stacks, so
/// they load and run under the local interpreters, with a warning at the Runtime's line.
#[tokio::test]
async fn deprecated_runtimes_run_with_a_located_warning() {
    let dir = tempfile::tempdir().unwrap();
    let template = write_template(
        dir.path(),
        "Transform: AWS::Serverless-2016-10-31
Resources:
  OldNode:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs14.x
      Handler: index.handler
      InlineCode: \"exports.handler = async () => ({statusCode: 200, body: 'node'});\"
      Events:
        Get: {Type: Api, Properties: {Path: /node, Method: get}}
  OldPython:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.8
      Handler: index.handler
      InlineCode: \"def handler(e, c): return {'statusCode': 200, 'body': 'python'}\"
      Events:
        Get: {Type: Api, Properties: {Path: /python, Method: get}}
",
    );
    let s = Server::start(&template, &[]);
    for (path, body) in [("/node", "node"), ("/python", "python")] {
        let response = client().get(s.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.text().await.unwrap(), body);
    }
    let log = s.stderr();
    assert!(
        log.contains(
            "template.yaml:6:16: warning: Function 'OldNode': Runtime nodejs14.x is deprecated"
        ),
        "{log}"
    );
    assert!(
        log.contains(
            "template.yaml:14:16: warning: Function 'OldPython': Runtime python3.8 is deprecated"
        ),
        "{log}"
    );
}
