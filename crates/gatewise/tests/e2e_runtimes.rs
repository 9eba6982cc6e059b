//! Real function processes: Node (CommonJS, ES module, callback), Python, and `provided`
//! with AWS's official Rust runtime client; context objects, environment, warm reuse, logs
//! and a clean shutdown.

mod support;

use reqwest::Method;
use support::*;

#[tokio::test]
async fn node_commonjs_handler_with_a_real_context_and_lambda_environment() {
    let s = serve_basic(&[]);
    let body = echo(&s, Method::GET, "/node/ctx").await;
    let ctx = &body["context"];
    assert_eq!(ctx["functionName"], "NodeEcho");
    assert_eq!(ctx["memoryLimitInMB"], "256");
    assert_eq!(
        ctx["invokedFunctionArn"],
        "arn:aws:lambda:us-east-1:123456789012:function:NodeEcho"
    );
    let remaining = ctx["remaining"].as_i64().unwrap();
    assert!(remaining > 0 && remaining <= 3000, "remaining {remaining}");
    assert_eq!(ctx["awsRequestId"].as_str().unwrap().len(), 36);

    let env = &body["env"];
    assert_eq!(env["GREETING"], "hello", "parameter default through !Ref");
    assert_eq!(env["SHARED"], "from-globals");
    assert_eq!(env["ONLY_NODE"], "1");
    assert_eq!(env["AWS_REGION"], "us-east-1");
    assert_eq!(env["AWS_LAMBDA_FUNCTION_NAME"], "NodeEcho");
    assert_eq!(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "256");
    assert_eq!(env["_HANDLER"], "echo.handler");
    assert_eq!(env["TZ"], ":UTC");
    assert!(env["LAMBDA_TASK_ROOT"].as_str().unwrap().ends_with("node"));
    assert!(
        env["AWS_LAMBDA_RUNTIME_API"]
            .as_str()
            .unwrap()
            .starts_with("127.0.0.1:")
    );
}

#[tokio::test]
async fn node_es_module_and_callback_handlers() {
    let s = serve_basic(&[]);
    let esm = echo(&s, Method::GET, "/esm").await;
    assert_eq!(esm["module"], "esm");
    let response = client().get(s.url("/callback")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "callback ok");
}

#[tokio::test]
async fn python_handler_with_a_real_context() {
    let s = serve_basic(&[]);
    let body = echo(&s, Method::GET, "/py/anything").await;
    assert_eq!(body["context"]["function_name"], "PythonEcho");
    assert_eq!(
        body["context"]["memory_limit_in_mb"], "128",
        "a string, as in awslambdaric"
    );
    let remaining = body["context"]["remaining"].as_i64().unwrap();
    assert!(remaining > 0 && remaining <= 3000, "remaining {remaining}");
    assert_eq!(body["env"]["SHARED"], "from-globals");
    assert_eq!(body["event"]["pathParameters"]["proxy"], "anything");
}

#[tokio::test]
async fn provided_runtime_with_the_official_rust_lambda_runtime_client() {
    let s = serve_basic(&[]);
    let response = client().get(s.url("/rust/hello?x=1")).send().await.unwrap();
    assert_eq!(response.status(), 200, "{}", s.stderr());
    assert_eq!(response.headers()["x-runtime"], "lambda_runtime");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["event"]["pathParameters"]["proxy"], "hello");
    assert_eq!(body["event"]["queryStringParameters"]["x"], "1");
    assert_eq!(body["context"]["functionName"], "RustEcho");
    assert_eq!(body["context"]["memoryMb"], 128);
    assert_eq!(
        body["context"]["functionArn"],
        "arn:aws:lambda:us-east-1:123456789012:function:RustEcho"
    );
    assert!(body["context"]["deadlineMs"].as_u64().unwrap() > 1_600_000_000_000);

    // An error reported through the official client's /error call is a 502.
    let failed = client()
        .get(s.url("/rust/x?fail=yes"))
        .send()
        .await
        .unwrap();
    assert_eq!(failed.status(), 502);
    s.wait_for_log("asked to fail");
}

#[tokio::test]
async fn env_vars_file_and_parameter_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let env_file = dir.path().join("env.json");
    std::fs::write(
        &env_file,
        r#"{"Parameters": {"FROM_FILE": "all"}, "NodeEcho": {"SHARED": "node-only"}}"#,
    )
    .unwrap();
    let s = serve_basic(&[
        "--env-vars",
        env_file.to_str().unwrap(),
        "--parameter-overrides",
        "Greeting=bonjour",
    ]);
    let node = echo(&s, Method::GET, "/node/env").await;
    assert_eq!(node["env"]["FROM_FILE"], "all");
    assert_eq!(node["env"]["SHARED"], "node-only");
    assert_eq!(node["env"]["GREETING"], "bonjour");
    let python = echo(&s, Method::GET, "/py/env").await;
    assert_eq!(python["env"]["FROM_FILE"], "all");
    assert_eq!(python["env"]["SHARED"], "from-globals");
}

#[tokio::test]
async fn warm_instances_are_reused_and_logs_have_start_end_report() {
    let s = serve_basic(&[]);
    let first = echo(&s, Method::GET, "/node/a").await;
    let second = echo(&s, Method::GET, "/node/b").await;
    assert_eq!(
        first["pid"], second["pid"],
        "the warm instance serves the second request"
    );
    let request_id = second["context"]["awsRequestId"].as_str().unwrap();
    let log = s.wait_for_log(&format!("REPORT RequestId: {request_id}"));
    assert!(
        log.contains(&format!("START RequestId: {request_id}")),
        "{log}"
    );
    assert!(
        log.contains(&format!("END RequestId: {request_id}")),
        "{log}"
    );
    assert!(
        log.contains("Init Duration"),
        "the cold start reports its init duration: {log}"
    );
}

#[tokio::test]
async fn eager_warm_starts_functions_before_listening() {
    let dir = copy_fixture("basic");
    install_bootstrap(&dir.path().join("rust"));
    let s = Server::start(&dir.path().join("template.yaml"), &["--warm", "eager"]);
    let body = echo(&s, Method::GET, "/node/warm").await;
    // The first request is already warm: no init duration is reported for it.
    let request_id = body["context"]["awsRequestId"].as_str().unwrap();
    let log = s.wait_for_log(&format!("REPORT RequestId: {request_id}"));
    let report = log
        .lines()
        .find(|l| l.contains(&format!("REPORT RequestId: {request_id}")))
        .unwrap();
    assert!(!report.contains("Init Duration"), "{report}");
}

#[tokio::test]
async fn shutdown_leaves_no_function_process_behind() {
    let mut s = serve_basic(&[]);
    let node_pid = echo(&s, Method::GET, "/node/pid").await["pid"]
        .as_i64()
        .unwrap() as i32;
    let python_pid = echo(&s, Method::GET, "/py/pid").await["pid"]
        .as_i64()
        .unwrap() as i32;
    assert!(process_alive(node_pid) && process_alive(python_pid));
    let code = s.server.stop();
    assert_eq!(code, Some(0), "clean exit on SIGTERM; log:\n{}", s.stderr());
    for pid in [node_pid, python_pid] {
        // Reaped children disappear from /proc; allow a moment for the kernel.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while process_alive(pid) && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert!(
            !process_alive(pid),
            "function process {pid} survived shutdown"
        );
    }
}
