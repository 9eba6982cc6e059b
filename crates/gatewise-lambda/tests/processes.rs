//! The function host against real node / python3 processes and a custom-runtime bootstrap.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use gatewise_lambda::{
    Dispatch, EnvOverrides, FunctionHost, HostOptions, Invocation, InvokeError, WarmPolicy,
};
use gatewise_model::{Function, FunctionCode, SourceLocation};
use indexmap::IndexMap;
use serde_json::{Value, json};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn function(runtime: &str, handler: &str, code: FunctionCode) -> Function {
    Function {
        logical_id: "TestFunction".into(),
        name: "test-fn".into(),
        runtime: runtime.parse().expect("supported runtime"),
        handler: handler.into(),
        code,
        timeout: Duration::from_secs(3),
        memory_mb: 256,
        environment: IndexMap::new(),
        reserved_concurrency: None,
        layers: Vec::new(),
        location: SourceLocation::new(Arc::from(Path::new("template.yaml")), 7, 3),
    }
}

fn node(handler: &str) -> Function {
    function(
        "nodejs20.x",
        handler,
        FunctionCode::Directory(fixtures().join("node")),
    )
}

fn python(handler: &str) -> Function {
    function(
        "python3.12",
        handler,
        FunctionCode::Directory(fixtures().join("python")),
    )
}

async fn host(functions: &[Function]) -> FunctionHost {
    FunctionHost::start(functions, HostOptions::default())
        .await
        .expect("host starts")
}

async fn invoke_as(
    host: &FunctionHost,
    index: usize,
    request_id: &str,
    event: Value,
) -> Result<Value, InvokeError> {
    let invocation = Invocation {
        request_id: request_id.into(),
        payload: Bytes::from(event.to_string()),
        dispatch: Dispatch::new(),
        log: None,
    };
    let body = host.invoke(index, invocation).await?;
    Ok(serde_json::from_slice(&body).expect("function returned JSON"))
}

async fn invoke(host: &FunctionHost, index: usize, event: Value) -> Result<Value, InvokeError> {
    invoke_as(host, index, &uuid::Uuid::new_v4().to_string(), event).await
}

/// Gone, or a zombie waiting for init to reap it: either way it runs no more.
fn process_is_gone(pid: i64) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| rest.starts_with('Z')),
    }
}

#[tokio::test]
async fn node_commonjs_handler_gets_the_event_and_a_real_context() {
    let host = host(&[node("app.echo")]).await;
    let id = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef";
    let out = invoke_as(&host, 0, id, json!({"hello": "world"}))
        .await
        .unwrap();
    assert_eq!(out["event"], json!({"hello": "world"}));
    assert_eq!(out["awsRequestId"], id);
    assert_eq!(out["functionName"], "test-fn");
    assert_eq!(out["functionVersion"], "$LATEST");
    assert_eq!(
        out["invokedFunctionArn"],
        "arn:aws:lambda:us-east-1:123456789012:function:test-fn"
    );
    assert_eq!(out["memoryLimitInMB"], "256");
    assert_eq!(out["logGroupName"], "/aws/lambda/test-fn");
    assert!(
        out["logStreamName"]
            .as_str()
            .unwrap()
            .contains("/[$LATEST]")
    );
    let remaining = out["remaining"].as_i64().unwrap();
    assert!(remaining > 0 && remaining <= 3000, "{remaining}");

    let again = invoke(&host, 0, json!({})).await.unwrap();
    assert_eq!(again["pid"], out["pid"], "the warm instance is reused");
    host.shutdown().await;
}

#[tokio::test]
async fn relative_code_uris_work_from_gatewise_s_working_directory() {
    // Integration tests run in the package directory.
    let relative = |runtime, handler, dir: &str| {
        function(
            runtime,
            handler,
            FunctionCode::Directory(PathBuf::from(dir)),
        )
    };
    let dir = tempfile::tempdir_in(".").unwrap();
    provided_in(dir.path(), Some(0o755)); // puts a bootstrap there
    let name = dir.path().file_name().unwrap().to_str().unwrap();
    let functions = [
        relative("nodejs20.x", "app.echo", "tests/fixtures/node"),
        relative("python3.12", "app.echo", "tests/fixtures/python"),
        relative("provided.al2", "", name),
    ];
    let host = host(&functions).await;
    for index in 0..3 {
        invoke(&host, index, json!({})).await.unwrap();
    }
    host.shutdown().await;
}

#[tokio::test]
async fn node_es_modules_load_by_extension_and_package_type() {
    let mjs = function(
        "nodejs22.x",
        "app.handler",
        FunctionCode::Directory(fixtures().join("node-esm")),
    );
    let package = function(
        "nodejs22.x",
        "app.handler",
        FunctionCode::Directory(fixtures().join("node-esm-package")),
    );
    let host = host(&[mjs, package]).await;
    let out = invoke_as(&host, 0, "req-1", json!({"n": 1})).await.unwrap();
    assert_eq!(
        out,
        json!({"module": "esm", "event": {"n": 1}, "awsRequestId": "req-1"})
    );
    let out = invoke(&host, 1, json!({"n": 2})).await.unwrap();
    assert_eq!(out, json!({"module": "esm-package", "event": {"n": 2}}));
    host.shutdown().await;
}

#[tokio::test]
async fn node_callback_and_plain_handlers() {
    let host = host(&[node("app.callback"), node("app.sync")]).await;
    let out = invoke(&host, 0, json!({"x": 1})).await.unwrap();
    assert_eq!(out, json!({"style": "callback", "event": {"x": 1}}));
    assert_eq!(invoke(&host, 1, json!({})).await.unwrap(), Value::Null);
    host.shutdown().await;
}

#[tokio::test]
async fn inline_code_runs_from_index_js() {
    let inline = function(
        "nodejs20.x",
        "index.handler",
        FunctionCode::Inline("exports.handler = async (event) => ({ inline: event.v });".into()),
    );
    let host = host(&[inline]).await;
    assert_eq!(
        invoke(&host, 0, json!({"v": 5})).await.unwrap(),
        json!({"inline": 5})
    );
    host.shutdown().await;
}

#[tokio::test]
async fn python_handler_gets_the_event_and_a_real_context() {
    let host = host(&[python("app.echo")]).await;
    let id = "0f6bd4a8-1d0a-4c1d-9d0c-4a0e6d5e8c11";
    let out = invoke_as(&host, 0, id, json!({"a": [1, 2]})).await.unwrap();
    assert_eq!(out["event"], json!({"a": [1, 2]}));
    assert_eq!(out["aws_request_id"], id);
    assert_eq!(out["function_name"], "test-fn");
    assert_eq!(out["function_version"], "$LATEST");
    assert_eq!(
        out["invoked_function_arn"],
        "arn:aws:lambda:us-east-1:123456789012:function:test-fn"
    );
    // awslambdaric reads it straight from the environment: a string.
    assert_eq!(out["memory_limit_in_mb"], "256");
    assert_eq!(out["log_group_name"], "/aws/lambda/test-fn");
    let remaining = out["remaining"].as_i64().unwrap();
    assert!(remaining > 0 && remaining <= 3000, "{remaining}");
    host.shutdown().await;
}

#[tokio::test]
async fn handler_errors_are_function_errors_and_keep_the_instance() {
    let host = host(&[node("app.throws"), python("app.throws"), node("app.echo")]).await;
    let cases = [(0, "TypeError", "boom"), (1, "ValueError", "bad value")];
    for (index, error_type, message) in cases {
        match invoke(&host, index, json!({})).await {
            Err(InvokeError::Function {
                error_type: got_type,
                error_message,
            }) => {
                assert_eq!(
                    (got_type.as_str(), error_message.as_str()),
                    (error_type, message)
                );
            }
            other => panic!("function {index}: {other:?}"),
        }
        assert_eq!(host.live_processes(index), 1);
    }
    host.shutdown().await;
}

/// An exception nothing catches fails the invocation with that error, as the AWS runtime
/// reports it before it exits, every time: the report is handled before the exit is noticed.
#[tokio::test]
async fn uncaught_exceptions_fail_the_invocation_with_the_error() {
    let host = host(&[node("app.uncaught")]).await;
    for round in 0..5 {
        match invoke(&host, 0, json!({})).await {
            Err(InvokeError::Function {
                error_type,
                error_message,
            }) => assert_eq!(
                (error_type.as_str(), error_message.as_str()),
                ("RangeError", "thrown from a timer"),
                "round {round}"
            ),
            other => panic!("round {round}: {other:?}"),
        }
    }
    host.shutdown().await;
}

#[tokio::test]
async fn unserialisable_results_are_marshal_errors() {
    let host = host(&[node("app.unserialisable"), python("app.unserialisable")]).await;
    for index in 0..2 {
        match invoke(&host, index, json!({})).await {
            Err(InvokeError::Function { error_type, .. }) => {
                assert_eq!(error_type, "Runtime.MarshalError", "function {index}");
            }
            other => panic!("function {index}: {other:?}"),
        }
    }
    host.shutdown().await;
}

#[tokio::test]
async fn init_failures_name_the_handler_and_the_cause() {
    let functions = [
        node("missing_import.handler"),
        python("broken.handler"),
        node("app.nothere"),
        python("app.nothere"),
    ];
    let wants: [&[&str]; 4] = [
        &[
            "Runtime.ImportModuleError",
            "gatewise-no-such-module",
            "missing_import.handler",
        ],
        &[
            "Runtime.ImportModuleError",
            "Unable to import module 'broken'",
            "gatewise_no_such_module",
        ],
        &[
            "Runtime.HandlerNotFound",
            "app.nothere is undefined or not exported",
        ],
        &[
            "Runtime.HandlerNotFound",
            "Handler 'nothere' missing on module 'app'",
        ],
    ];
    // Eager start: the failures are logged, not host errors.
    let host = host(&functions).await;
    for (index, want) in wants.iter().enumerate() {
        match invoke(&host, index, json!({})).await {
            Err(InvokeError::InitFailed(message)) => {
                for part in *want {
                    assert!(
                        message.contains(part),
                        "{index}: {message:?} lacks {part:?}"
                    );
                }
            }
            other => panic!("function {index}: {other:?}"),
        }
        assert_eq!(host.live_processes(index), 0);
    }
    host.shutdown().await;
}

#[tokio::test]
async fn timeout_kills_the_instance_and_the_next_invocation_gets_a_fresh_one() {
    let mut slow = node("app.sleep");
    slow.timeout = Duration::from_secs(1);
    let host = host(&[slow]).await;
    let first = invoke(&host, 0, json!({"ms": 10})).await.unwrap();
    let old_pid = first["pid"].as_i64().unwrap();
    match invoke(&host, 0, json!({"ms": 5000})).await {
        Err(InvokeError::Timeout(limit)) => assert_eq!(limit, Duration::from_secs(1)),
        other => panic!("{other:?}"),
    }
    assert!(process_is_gone(old_pid), "the timed-out process is killed");
    let next = invoke(&host, 0, json!({"ms": 10})).await.unwrap();
    assert_ne!(next["pid"].as_i64().unwrap(), old_pid);
    host.shutdown().await;
}

#[tokio::test]
async fn exit_during_an_invocation_is_a_crash_and_the_next_one_succeeds() {
    let host = host(&[node("app.exit"), node("app.echo")]).await;
    match invoke(&host, 0, json!({})).await {
        Err(InvokeError::Crashed(status)) => assert_eq!(status, "exit status 1"),
        other => panic!("{other:?}"),
    }
    assert_eq!(host.live_processes(0), 0);
    // The same function again starts a fresh instance (which crashes again).
    assert!(matches!(
        invoke(&host, 0, json!({})).await,
        Err(InvokeError::Crashed(_))
    ));
    invoke(&host, 1, json!({})).await.unwrap();
    host.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reserved_concurrency_caps_the_pool_and_queues_the_rest() {
    let mut limited = node("app.sleep");
    limited.reserved_concurrency = Some(2);
    let host = Arc::new(host(&[limited]).await);
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..6 {
        let host = Arc::clone(&host);
        calls.spawn(async move { invoke(&host, 0, json!({"ms": 200})).await });
    }
    let mut pids = std::collections::BTreeSet::new();
    let mut most = 0;
    while !calls.is_empty() {
        most = most.max(host.live_processes(0));
        tokio::select! {
            done = calls.join_next() => {
                let out = done.unwrap().unwrap().expect("every invocation succeeds");
                pids.insert(out["pid"].as_i64().unwrap());
            }
            () = tokio::time::sleep(Duration::from_millis(20)) => {}
        }
    }
    assert!(most <= 2, "at most 2 processes, saw {most}");
    assert!(pids.len() <= 2, "{pids:?}");
    host.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_invocations_give_their_slot_back() {
    let mut single = node("app.sleep");
    single.reserved_concurrency = Some(1);
    let host = Arc::new(host(&[single]).await);
    let busy = {
        let host = Arc::clone(&host);
        tokio::spawn(async move { invoke(&host, 0, json!({"ms": 300})).await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    // Cancelled while queued behind the busy instance.
    let queued = tokio::time::timeout(
        Duration::from_millis(50),
        invoke(&host, 0, json!({"ms": 1})),
    );
    assert!(queued.await.is_err());
    busy.await.unwrap().unwrap();
    // Abandoned mid-invocation: the function runs to its end, then its instance serves again.
    let running = tokio::time::timeout(
        Duration::from_millis(100),
        invoke(&host, 0, json!({"ms": 1000})),
    );
    assert!(running.await.is_err());
    let after = tokio::time::timeout(Duration::from_secs(5), invoke(&host, 0, json!({"ms": 1})));
    after.await.expect("the slot came back").unwrap();
    assert_eq!(host.live_processes(0), 1);
    host.shutdown().await;
}

/// A browser reload drops the request future; on Lambda the invocation still runs to its end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_abandoned_invocation_runs_to_its_end() {
    let scratch = tempfile::tempdir().unwrap();
    let marker = scratch.path().join("finished");
    let host = host(&[node("app.sleepThenWrite")]).await;
    let event = json!({"ms": 300, "file": marker});
    let abandoned = tokio::time::timeout(Duration::from_millis(50), invoke(&host, 0, event));
    assert!(abandoned.await.is_err(), "the caller gave up first");
    for _ in 0..100 {
        if marker.exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(marker.exists(), "the handler was stopped mid-call");
    host.shutdown().await;
}

/// Each invocation's trace id reaches the handler and its children without a setenv(3) per
/// call (glibc never frees replaced values: ~150 bytes a call, without bound).
#[tokio::test]
async fn trace_ids_reach_handlers_without_growing_the_environment() {
    let host = host(&[node("app.trace"), python("app.trace")]).await;
    let mut seen = std::collections::HashSet::new();
    let mut python_addresses = std::collections::HashSet::new();
    for _ in 0..3 {
        let node_out = invoke(&host, 0, json!({})).await.unwrap();
        assert!(node_out["env"].as_str().unwrap().starts_with("Root=1-"));
        assert_eq!(node_out["child"], node_out["env"], "children inherit it");
        assert_eq!(node_out["native"], Value::Null, "Node called setenv");
        let python_out = invoke(&host, 1, json!({})).await.unwrap();
        assert_eq!(python_out["child"], python_out["env"]);
        assert_eq!(python_out["native"], python_out["env"]);
        python_addresses.insert(python_out["address"].as_u64().unwrap());
        seen.insert(node_out["env"].to_string());
        seen.insert(python_out["env"].to_string());
    }
    assert_eq!(seen.len(), 6, "a new trace id per invocation");
    assert_eq!(python_addresses.len(), 1, "Python called setenv");
    host.shutdown().await;
}

#[tokio::test]
async fn handlers_see_template_variables_overrides_and_nothing_else() {
    let mut env_fn = node("app.env");
    env_fn.environment = [("FROM_TEMPLATE", "t"), ("OVERRIDDEN", "template")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let overrides = EnvOverrides {
        all_functions: [("FROM_PARAMETERS".to_string(), "p".to_string())]
            .into_iter()
            .collect(),
        per_function: [(
            "TestFunction".to_string(),
            [("OVERRIDDEN".to_string(), "override".to_string())]
                .into_iter()
                .collect(),
        )]
        .into_iter()
        .collect(),
    };
    let options = HostOptions {
        warm: WarmPolicy::Lazy,
        env_overrides: overrides,
    };
    let host = FunctionHost::start(&[env_fn], options).await.unwrap();
    let names = [
        "FROM_TEMPLATE",
        "OVERRIDDEN",
        "FROM_PARAMETERS",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_REGION",
        "TZ",
        "_HANDLER",
        "CARGO_MANIFEST_DIR",
    ];
    let out = invoke(&host, 0, json!({ "names": names })).await.unwrap();
    assert_eq!(
        out,
        json!({
            "FROM_TEMPLATE": "t",
            "OVERRIDDEN": "override",
            "FROM_PARAMETERS": "p",
            "AWS_LAMBDA_FUNCTION_NAME": "test-fn",
            "AWS_REGION": "us-east-1",
            "TZ": ":UTC",
            "_HANDLER": "app.env",
            "CARGO_MANIFEST_DIR": null,
        })
    );
    host.shutdown().await;
}

#[tokio::test]
async fn warm_policy_decides_when_the_first_instance_starts() {
    let eager = host(&[node("app.echo")]).await;
    assert_eq!(eager.live_processes(0), 1);
    eager.shutdown().await;
    let options = HostOptions {
        warm: WarmPolicy::Lazy,
        ..HostOptions::default()
    };
    let lazy = FunctionHost::start(&[node("app.echo")], options)
        .await
        .unwrap();
    assert_eq!(lazy.live_processes(0), 0);
    invoke(&lazy, 0, json!({})).await.unwrap();
    assert_eq!(lazy.live_processes(0), 1);
    lazy.shutdown().await;
}

#[tokio::test]
async fn shutdown_leaves_no_process_behind() {
    let host = host(&[node("app.spawnChild"), python("app.echo")]).await;
    let node_out = invoke(&host, 0, json!({})).await.unwrap();
    let python_out = invoke(&host, 1, json!({})).await.unwrap();
    let pids = [
        node_out["pid"].as_i64().unwrap(),
        node_out["child"].as_i64().unwrap(),
        python_out["pid"].as_i64().unwrap(),
    ];
    assert!(pids.iter().all(|pid| !process_is_gone(*pid)));
    host.shutdown().await;
    // The grandchild is killed with its group; init reaps it when it gets round to it.
    for _ in 0..50 {
        if pids.iter().all(|pid| process_is_gone(*pid)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for pid in pids {
        assert!(process_is_gone(pid), "pid {pid} survived shutdown");
    }
    assert_eq!(host.live_processes(0) + host.live_processes(1), 0);
    assert!(matches!(
        invoke(&host, 0, json!({})).await,
        Err(InvokeError::InitFailed(_))
    ));
}

fn provided_in(dir: &Path, mode: Option<u32>) -> Function {
    use std::os::unix::fs::PermissionsExt;
    if let Some(mode) = mode {
        let bootstrap = dir.join("bootstrap");
        std::fs::copy(fixtures().join("provided/bootstrap"), &bootstrap).unwrap();
        std::fs::set_permissions(&bootstrap, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    function(
        "provided.al2023",
        "",
        FunctionCode::Directory(dir.to_path_buf()),
    )
}

#[tokio::test]
async fn provided_runtime_runs_the_bootstrap() {
    let dir = tempfile::tempdir().unwrap();
    let host = host(&[provided_in(dir.path(), Some(0o755))]).await;
    let out = invoke(&host, 0, json!({"k": "v"})).await.unwrap();
    assert_eq!(
        out,
        json!({"provided": true, "event": {"k": "v"}, "handler": ""})
    );
    host.shutdown().await;
}

#[tokio::test]
async fn provided_runtime_without_a_runnable_bootstrap_is_a_host_error() {
    let missing = tempfile::tempdir().unwrap();
    let plain = tempfile::tempdir().unwrap();
    let cases = [
        (provided_in(missing.path(), None), "does not exist"),
        (provided_in(plain.path(), Some(0o644)), "chmod +x"),
    ];
    for (function, want) in cases {
        let err = match FunctionHost::start(&[function], HostOptions::default()).await {
            Err(err) => err.message,
            Ok(_) => panic!("{want}: the host started"),
        };
        assert!(
            err.contains("TestFunction") && err.contains("template.yaml:7:3") && err.contains(want),
            "{err}"
        );
    }
}

/// Run by `a_killed_gatewise_leaves_no_orphans` in a child process: starts a host, prints the
/// pids of the function, its child and its detached child, then waits to be killed.
#[tokio::test]
async fn host_process_for_the_orphan_test() {
    if std::env::var_os("GATEWISE_ORPHAN_TEST").is_none() {
        return;
    }
    let host = host(&[node("app.spawnFamily")]).await;
    let out = invoke(&host, 0, json!({})).await.unwrap();
    println!("PIDS {} {} {}", out["pid"], out["child"], out["detached"]);
    tokio::time::sleep(Duration::from_secs(60)).await;
}

/// Polls until every pid is gone (children of a killed group wait for init to reap them).
async fn all_gone(pids: &[i64]) -> bool {
    for _ in 0..150 {
        if pids.iter().all(|pid| process_is_gone(*pid)) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

#[tokio::test]
async fn a_killed_gatewise_leaves_no_orphans() {
    use tokio::io::AsyncBufReadExt;

    let scratch = tempfile::tempdir().unwrap();
    let mut child = tokio::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "host_process_for_the_orphan_test", "--nocapture"])
        .env("GATEWISE_ORPHAN_TEST", "1")
        .env("TMPDIR", scratch.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let pids: Vec<i64> = loop {
        let line = lines
            .next_line()
            .await
            .unwrap()
            .expect("the child prints the pids");
        if let Some(pids) = line.strip_prefix("PIDS ") {
            break pids.split(' ').map(|pid| pid.parse().unwrap()).collect();
        }
    };
    assert!(pids.iter().all(|pid| !process_is_gone(*pid)));
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    assert!(
        all_gone(&pids).await,
        "processes of the function outlived their killed host: {pids:?}"
    );
    let left: Vec<_> = std::fs::read_dir(scratch.path())
        .unwrap()
        .flatten()
        .collect();
    assert!(
        left.is_empty(),
        "the runtime directory outlived its host: {left:?}"
    );
}

#[tokio::test]
async fn detached_children_end_with_their_instance() {
    let host = host(&[node("app.spawnFamily")]).await;
    let out = invoke(&host, 0, json!({})).await.unwrap();
    let pids: Vec<i64> = ["pid", "child", "detached"]
        .iter()
        .map(|key| out[key].as_i64().unwrap())
        .collect();
    host.shutdown().await;
    assert!(all_gone(&pids).await, "{pids:?} survived shutdown");
}

/// A code folder of its own with `app.js` answering `{version, pid}` (after `event.ms`), so a
/// test can rewrite the handler.
fn versioned_code(version: u32) -> (tempfile::TempDir, Function) {
    let dir = tempfile::tempdir().unwrap();
    write_version(dir.path(), version);
    let function = function(
        "nodejs20.x",
        "app.handler",
        FunctionCode::Directory(dir.path().to_path_buf()),
    );
    (dir, function)
}

fn write_version(dir: &Path, version: u32) {
    let source = format!(
        "exports.handler = async (event) => {{\n  if (event.ms) await new Promise((resolve) => setTimeout(resolve, event.ms));\n  return {{ version: {version}, pid: process.pid }};\n}};\n"
    );
    std::fs::write(dir.join("app.js"), source).unwrap();
}

fn version_and_pid(out: &Value) -> (i64, i64) {
    (
        out["version"].as_i64().unwrap(),
        out["pid"].as_i64().unwrap(),
    )
}

async fn wait_until_gone(pid: i64) {
    for _ in 0..100 {
        if process_is_gone(pid) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("pid {pid} still runs");
}

#[tokio::test]
async fn recycle_restarts_idle_instances_with_the_new_code() {
    for warm in [WarmPolicy::Eager, WarmPolicy::Lazy] {
        let (dir, function) = versioned_code(1);
        let options = HostOptions {
            warm,
            ..HostOptions::default()
        };
        let host = FunctionHost::start(&[function], options).await.unwrap();
        let (version, old_pid) = version_and_pid(&invoke(&host, 0, json!({})).await.unwrap());
        assert_eq!(version, 1);
        write_version(dir.path(), 2);
        host.recycle(0).await;
        // The idle instance is reaped before recycle returns; eager warms a replacement.
        assert!(
            process_is_gone(old_pid),
            "{warm:?}: the idle instance is stopped"
        );
        let want_live = usize::from(warm == WarmPolicy::Eager);
        assert_eq!(host.live_processes(0), want_live, "{warm:?}");
        let (version, pid) = version_and_pid(&invoke(&host, 0, json!({})).await.unwrap());
        assert_eq!(version, 2, "{warm:?}");
        assert_ne!(pid, old_pid, "{warm:?}");
        // The fresh instance is warm again afterwards.
        let again = version_and_pid(&invoke(&host, 0, json!({})).await.unwrap());
        assert_eq!(again, (2, pid), "{warm:?}");
        host.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recycle_lets_a_busy_instance_finish_its_invocation() {
    let (dir, function) = versioned_code(1);
    let host = Arc::new(host(&[function]).await);
    let (_, old_pid) = version_and_pid(&invoke(&host, 0, json!({})).await.unwrap());
    let slow = {
        let host = Arc::clone(&host);
        tokio::spawn(async move { invoke(&host, 0, json!({"ms": 1500})).await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    write_version(dir.path(), 2);
    host.recycle(0).await;
    assert!(!process_is_gone(old_pid), "the busy instance is not killed");
    let out = slow
        .await
        .unwrap()
        .expect("the running invocation completes");
    assert_eq!(version_and_pid(&out), (1, old_pid));
    let (version, pid) = version_and_pid(&invoke(&host, 0, json!({})).await.unwrap());
    assert_eq!(version, 2);
    assert_ne!(pid, old_pid);
    wait_until_gone(old_pid).await;
    // The reaper forgets the old process just after it exits.
    for _ in 0..250 {
        if host.live_processes(0) == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(host.live_processes(0), 1);
    host.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recycle_keeps_reserved_concurrency_exact() {
    let (dir, mut function) = versioned_code(1);
    function.reserved_concurrency = Some(1);
    let host = Arc::new(host(&[function]).await);
    // Samples the process count all along.
    let most = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let sampler = {
        let (host, most) = (Arc::clone(&host), Arc::clone(&most));
        tokio::spawn(async move {
            loop {
                most.fetch_max(host.live_processes(0), std::sync::atomic::Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        })
    };
    let (_, first_pid) = version_and_pid(&invoke(&host, 0, json!({})).await.unwrap());

    // Idle instance: stopped, and the eager replacement takes the only slot.
    write_version(dir.path(), 2);
    host.recycle(0).await;
    let (version, second_pid) = version_and_pid(&invoke(&host, 0, json!({})).await.unwrap());
    assert_eq!(version, 2);
    assert_ne!(second_pid, first_pid);

    // Busy instance: no slot for a replacement; invocations queued behind it get a fresh one
    // once it has finished and been reaped.
    let slow = {
        let host = Arc::clone(&host);
        tokio::spawn(async move { invoke(&host, 0, json!({"ms": 800})).await })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    write_version(dir.path(), 3);
    host.recycle(0).await;
    let mut queued = tokio::task::JoinSet::new();
    for _ in 0..3 {
        let host = Arc::clone(&host);
        queued.spawn(async move { invoke(&host, 0, json!({})).await });
    }
    let out = slow
        .await
        .unwrap()
        .expect("the running invocation completes");
    assert_eq!(version_and_pid(&out), (2, second_pid));
    let mut pids = std::collections::BTreeSet::new();
    while let Some(done) = queued.join_next().await {
        let (version, pid) = version_and_pid(&done.unwrap().expect("queued invocation succeeds"));
        assert_eq!(version, 3);
        pids.insert(pid);
    }
    assert_eq!(
        pids.len(),
        1,
        "one fresh instance serves the queue: {pids:?}"
    );
    assert!(!pids.contains(&second_pid));

    // A recycle with nothing running, then more traffic: still one process at most.
    host.recycle(0).await;
    for _ in 0..3 {
        invoke(&host, 0, json!({})).await.unwrap();
    }
    sampler.abort();
    let most = most.load(std::sync::atomic::Ordering::Relaxed);
    assert!(most <= 1, "at most 1 process, saw {most}");
    assert_eq!(host.live_processes(0), 1);
    host.shutdown().await;
}

#[tokio::test]
async fn recycle_after_shutdown_or_of_an_unknown_function_does_nothing() {
    let (_dir, function) = versioned_code(1);
    let host = host(&[function]).await;
    host.recycle(7).await;
    assert_eq!(host.live_processes(0), 1);
    host.shutdown().await;
    host.recycle(0).await;
    assert_eq!(host.live_processes(0), 0);
}

/// The socket inodes `pid` holds, by descriptor number.
fn socket_inodes(pid: i64) -> Vec<(u32, u64)> {
    let Ok(entries) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let fd = entry.file_name().to_str()?.parse().ok()?;
            let target = std::fs::read_link(entry.path()).ok()?;
            let inode = target
                .to_str()?
                .strip_prefix("socket:[")?
                .strip_suffix(']')?
                .parse()
                .ok()?;
            Some((fd, inode))
        })
        .collect()
}

/// Inodes in a `/proc/net` socket table (the inode is column `column`), of rows `keep` accepts.
fn table_inodes(table: &str, column: usize, keep: impl Fn(&[&str]) -> bool) -> Vec<u64> {
    std::fs::read_to_string(format!("/proc/net/{table}"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|line| line.split_whitespace().collect::<Vec<_>>())
        .filter(|row| row.len() > column && keep(row))
        .filter_map(|row| row[column].parse().ok())
        .collect()
}

/// Inodes of the TCP connections to `port` on loopback: a Runtime API's clients.
fn connections_to(port: u16) -> Vec<u64> {
    let remote = format!("0100007F:{port:04X}");
    table_inodes("tcp", 9, |row| row[2] == remote)
}

/// Whether `pid` holds a TCP connection to the Runtime API at `address` (`127.0.0.1:PORT`).
fn talks_http(pid: i64, address: &str) -> bool {
    let port: u16 = address.rsplit_once(':').unwrap().1.parse().unwrap();
    let connections = connections_to(port);
    socket_inodes(pid)
        .iter()
        .any(|(_, inode)| connections.contains(inode))
}

/// The bundled Node and Python clients never call their instance's HTTP Runtime API: between
/// invocations, where an HTTP client holds its `/next` long poll open, they hold no connection
/// to it, only the Unix socket at descriptor 3, which their handlers' children do not get. A
/// `provided` bootstrap, which knows only HTTP, still long-polls the HTTP API.
#[tokio::test]
async fn bundled_clients_use_their_pipe_and_custom_runtimes_http() {
    let dir = tempfile::tempdir().unwrap();
    let bootstrap = dir.path().join("bootstrap");
    std::fs::write(
        &bootstrap,
        r#"#!/usr/bin/env python3
import json, os, urllib.request
api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation/"
while True:
    with urllib.request.urlopen(api + "next") as response:
        request_id = response.headers["Lambda-Runtime-Aws-Request-Id"]
    body = json.dumps({"pid": os.getpid(), "runtimeApi": os.environ["AWS_LAMBDA_RUNTIME_API"]})
    urllib.request.urlopen(urllib.request.Request(api + request_id + "/response", data=body.encode())).read()
"#,
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&bootstrap, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let host = host(&[
        node("app.transport"),
        python("app.transport"),
        provided_in(dir.path(), None),
    ])
    .await;
    for index in 0..2 {
        let mut pid = None;
        for _ in 0..3 {
            let out = invoke(&host, index, json!({})).await.unwrap();
            assert_eq!(
                out["childFd3"], "",
                "function {index}: a child got the pipe"
            );
            let this = out["pid"].as_i64().unwrap();
            assert_eq!(
                *pid.get_or_insert(this),
                this,
                "function {index}: one warm instance"
            );
            let address = out["runtimeApi"].as_str().unwrap();
            for _ in 0..5 {
                assert!(
                    !talks_http(this, address),
                    "function {index} holds a connection to its HTTP Runtime API"
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            let pipe = socket_inodes(this)
                .into_iter()
                .find(|(fd, _)| *fd == 3)
                .map(|(_, inode)| inode);
            let unix_sockets = table_inodes("unix", 6, |_| true);
            assert!(
                pipe.is_some_and(|inode| unix_sockets.contains(&inode)),
                "function {index}: descriptor 3 is not a Unix socket"
            );
        }
    }
    let out = invoke(&host, 2, json!({})).await.unwrap();
    let (pid, address) = (
        out["pid"].as_i64().unwrap(),
        out["runtimeApi"].as_str().unwrap(),
    );
    let mut polling = false;
    for _ in 0..250 {
        polling = talks_http(pid, address);
        if polling {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        polling,
        "the provided bootstrap does not long-poll the HTTP Runtime API"
    );
    host.shutdown().await;
}

/// A process that writes something other than frames on its pipe loses its instance; the next
/// invocation gets a fresh one.
#[tokio::test]
async fn garbage_on_the_pipe_stops_the_instance() {
    let host = host(&[node("app.garbage"), python("app.garbage")]).await;
    for index in 0..2 {
        let before = invoke(&host, index, json!({})).await.unwrap();
        match invoke(&host, index, json!({"garbage": true})).await {
            Err(InvokeError::Crashed(status)) => {
                assert_eq!(status, "killed by signal 9", "function {index}");
            }
            other => panic!("function {index}: {other:?}"),
        }
        let after = invoke(&host, index, json!({})).await.unwrap();
        assert_ne!(
            after["pid"], before["pid"],
            "function {index}: a fresh instance"
        );
    }
    host.shutdown().await;
}
