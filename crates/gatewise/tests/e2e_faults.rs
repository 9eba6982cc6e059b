//! Fault injection against the real binary: functions that crash, hang, print garbage, are
//! killed, fail to start or answer too much; clients that go away; signals to gatewise. Each
//! test checks the status API Gateway gives and that no process of the test's functions is
//! left behind (every function carries a marker variable unique to the test; `/proc` is
//! searched for it).

mod support;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use support::*;

/// The Node handler behind every route: `/{action}` picks the fault.
const APP: &str = r#"
const { spawn } = require('node:child_process');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
exports.handler = async (event) => {
  const action = event.pathParameters.action;
  const query = event.queryStringParameters || {};
  switch (action) {
    case 'sleep':
      await sleep(Number(query.ms));
      console.log('handler finished');
      return { statusCode: 200, body: 'slept' };
    case 'family': {
      const child = spawn('sleep', ['60'], { stdio: 'ignore' });
      const detached = spawn('sleep', ['60'], { stdio: 'ignore', detached: true });
      detached.unref();
      return { statusCode: 200, body: JSON.stringify({ pid: process.pid, child: child.pid, detached: detached.pid }) };
    }
    case 'chatty':
      console.log('x'.repeat(4096));
      return { statusCode: 200, body: 'said a lot' };
    case 'pid': return { statusCode: 200, body: String(process.pid) };
    case 'crash': process.exit(3);
    case 'hang': return new Promise(() => setInterval(() => {}, 1000));
    case 'garbage': return 'this is not a proxy response';
    case 'big': return { statusCode: 200, body: 'x'.repeat(7 * 1024 * 1024) };
    case 'pipe-garbage':
      // Descriptor 3 is the runtime client's pipe to gatewise.
      require('node:fs').writeSync(3, 'GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\n\r\n');
      await sleep(1500);
      return { statusCode: 200, body: 'unnoticed' };
    default: return { statusCode: 200, body: String((event.body || '').length) };
  }
};
"#;

/// A template folder with the fault function (and one whose handler does not exist), every
/// function marked with `FAULT_MARKER=<marker>`.
struct Faults {
    dir: tempfile::TempDir,
    /// Where gatewise's `TMPDIR` points, to see its runtime directory come and go.
    tmp: tempfile::TempDir,
    marker: String,
}

impl Faults {
    fn new() -> Faults {
        let dir = tempfile::tempdir().unwrap();
        let marker = format!("fault-{}", uuid_like());
        std::fs::write(dir.path().join("app.js"), APP).unwrap();
        let template = format!(
            "Transform: AWS::Serverless-2016-10-31
Resources:
  Fault:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: app.handler
      CodeUri: .
      Timeout: 2
      Environment:
        Variables:
          FAULT_MARKER: {marker}
      Events:
        Any:
          Type: Api
          Properties: {{Path: '/{{action}}', Method: any}}
  Roomy:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: app.handler
      CodeUri: .
      Timeout: 60
      Environment:
        Variables:
          FAULT_MARKER: {marker}
      Events:
        Any:
          Type: Api
          Properties: {{Path: '/roomy/{{action}}', Method: any}}
  Broken:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: missing.handler
      CodeUri: .
      Environment:
        Variables:
          FAULT_MARKER: {marker}
      Events:
        Any:
          Type: Api
          Properties: {{Path: /broken/init, Method: get}}
"
        );
        std::fs::write(dir.path().join("template.yaml"), template).unwrap();
        Faults {
            dir,
            tmp: tempfile::tempdir().unwrap(),
            marker,
        }
    }

    fn template(&self) -> PathBuf {
        self.dir.path().join("template.yaml")
    }

    fn serve(&self, extra: &[&str]) -> Server {
        Server::start_with_env(&self.template(), extra, &[("TMPDIR", self.tmp.path())])
    }

    /// Processes whose environment carries this test's marker.
    fn marked_processes(&self) -> Vec<i32> {
        let entry = format!("FAULT_MARKER={}", self.marker);
        std::fs::read_dir("/proc")
            .unwrap()
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
            .filter(|pid| {
                std::fs::read(format!("/proc/{pid}/environ"))
                    .is_ok_and(|environ| environ.split(|b| *b == 0).any(|e| e == entry.as_bytes()))
                    && !is_zombie(*pid)
            })
            .collect()
    }

    /// Waits (bounded) until no marked process is left; panics naming the survivors.
    fn assert_no_processes_left(&self) {
        let start = Instant::now();
        loop {
            let left = self.marked_processes();
            if left.is_empty() {
                return;
            }
            if start.elapsed() > Duration::from_secs(5) {
                panic!("function processes left behind: {left:?}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// gatewise's runtime directories still in its `TMPDIR`.
    fn runtime_dirs(&self) -> Vec<PathBuf> {
        std::fs::read_dir(self.tmp.path())
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.to_string_lossy().contains("gatewise-runtime-"))
            .collect()
    }

    fn assert_no_runtime_dir_left(&self) {
        let start = Instant::now();
        while !self.runtime_dirs().is_empty() {
            assert!(
                start.elapsed() < Duration::from_secs(5),
                "runtime directory left behind: {:?}",
                self.runtime_dirs()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn is_zombie(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit_once(") ")
            .is_some_and(|(_, rest)| rest.starts_with('Z'))
    })
}

fn uuid_like() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{}-{nanos}", std::process::id())
}

async fn get(server: &Server, path: &str) -> (u16, String) {
    let response = client().get(server.url(path)).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

fn signal(server: &Server, signal: Signal) {
    kill(Pid::from_raw(server.pid()), signal).unwrap();
}

/// Waits (bounded) until `count` invocations have started.
fn wait_for_starts(server: &Server, count: usize) {
    let start = Instant::now();
    while server.stderr().matches("START RequestId").count() < count {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{}",
            server.stderr()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

const INTERNAL_ERROR: &str = r#"{"message": "Internal server error"}"#;

#[tokio::test]
async fn faulty_functions_get_api_gateway_s_502_and_leave_nothing_behind() {
    let faults = Faults::new();
    let mut server = faults.serve(&[]);
    for action in ["/crash", "/hang", "/garbage", "/broken/init"] {
        let (status, body) = get(&server, action).await;
        assert_eq!((status, body.as_str()), (502, INTERNAL_ERROR), "{action}");
        let (status, _) = get(&server, "/pid").await;
        assert_eq!(status, 200, "the function serves again after {action}");
    }
    let log = server.stderr();
    assert!(
        log.contains("Runtime exited with error: exit status 3"),
        "{log}"
    );
    assert!(log.contains("Task timed out after 2.00 seconds"), "{log}");
    assert!(log.contains("Runtime.ImportModuleError"), "{log}");
    assert_eq!(server.stop(), Some(0));
    faults.assert_no_processes_left();
    faults.assert_no_runtime_dir_left();
}

/// The bundled runtime client talks to gatewise over a pipe (descriptor 3); a process that
/// writes something else there loses its instance, and the log says why.
#[tokio::test]
async fn garbage_on_the_runtime_pipe_fails_the_request_and_says_why() {
    let faults = Faults::new();
    let server = faults.serve(&[]);
    let (status, body) = get(&server, "/pipe-garbage").await;
    assert_eq!((status, body.as_str()), (502, INTERNAL_ERROR));
    server.wait_for_log(
        "Runtime API pipe: the runtime client sent a frame of unknown kind 71, which is not a frame of gatewise's protocol; stopping the instance",
    );
    server.wait_for_log("Runtime exited with error: killed by signal 9");
    let (status, _) = get(&server, "/pid").await;
    assert_eq!(status, 200, "a fresh instance serves");
    drop(server);
    faults.assert_no_processes_left();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_instance_fails_its_request_and_is_replaced() {
    let faults = Faults::new();
    let server = faults.serve(&[]);
    let (_, pid) = get(&server, "/pid").await;
    let pid: i32 = pid.parse().unwrap();
    let in_flight = tokio::spawn(client().get(server.url("/sleep?ms=1500")).send());
    wait_for_starts(&server, 2);
    kill(Pid::from_raw(pid), Signal::SIGKILL).unwrap();
    let response = in_flight.await.unwrap().unwrap();
    assert_eq!(response.status(), 502);
    let (status, fresh) = get(&server, "/pid").await;
    assert_eq!(status, 200);
    assert_ne!(fresh, pid.to_string(), "a fresh instance");
    drop(server);
    faults.assert_no_processes_left();
}

#[tokio::test]
async fn payloads_over_lambda_s_6_mb_fail_as_on_aws_and_the_instance_survives() {
    let faults = Faults::new();
    let server = faults.serve(&[]);
    // The function with room to spare (Timeout 60 s): on a busy machine, building a 7 MB
    // answer must not run into a short Timeout, which would replace the instance anyway.
    let (_, pid) = get(&server, "/roomy/pid").await;
    // 7 MiB is under API Gateway's 10 MB but over Lambda's 6 MB invoke limit: 413.
    let upload = client()
        .post(server.url("/roomy/echo"))
        .body(vec![b'a'; 7 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status(), 413);
    assert_eq!(
        upload.text().await.unwrap(),
        r#"{"message":"Request Too Long"}"#
    );
    // A response over 6 MB is a function error: 502.
    let (status, body) = get(&server, "/roomy/big").await;
    assert_eq!((status, body.as_str()), (502, INTERNAL_ERROR));
    let (status, same) = get(&server, "/roomy/pid").await;
    assert_eq!(
        (status, same),
        (200, pid),
        "the runtime did not survive the refused response:\n{}",
        server.stderr()
    );
}

#[tokio::test]
async fn an_idle_instance_that_died_is_replaced_without_a_502() {
    let faults = Faults::new();
    let server = faults.serve(&[]);
    for _ in 0..3 {
        let (_, pid) = get(&server, "/pid").await;
        kill(Pid::from_raw(pid.parse().unwrap()), Signal::SIGKILL).unwrap();
        // Right away: the pool may not have noticed the death yet.
        let (status, body) = get(&server, "/pid").await;
        assert_eq!(status, 200, "{body}");
    }
}

#[tokio::test]
async fn a_client_that_goes_away_does_not_stop_the_function() {
    let faults = Faults::new();
    let server = faults.serve(&[]);
    let gave_up = client()
        .get(server.url("/sleep?ms=600"))
        .timeout(Duration::from_millis(150))
        .send()
        .await;
    assert!(gave_up.is_err(), "the client gave up first");
    server.wait_for_log("handler finished");
    server.wait_for_log("END RequestId");
}

#[tokio::test]
async fn children_and_detached_children_end_with_gatewise() {
    for stop in [Signal::SIGTERM, Signal::SIGHUP, Signal::SIGINT] {
        let faults = Faults::new();
        let mut server = faults.serve(&[]);
        let (status, _) = get(&server, "/family").await;
        assert_eq!(status, 200);
        assert!(faults.marked_processes().len() >= 3);
        signal(&server, stop);
        assert!(
            server.wait_exit(Duration::from_secs(10)).is_some(),
            "{stop} did not stop gatewise"
        );
        faults.assert_no_processes_left();
        faults.assert_no_runtime_dir_left();
    }
}

#[tokio::test]
async fn a_killed_gatewise_leaves_no_process_and_no_runtime_directory() {
    let faults = Faults::new();
    let mut server = faults.serve(&[]);
    let (status, _) = get(&server, "/family").await;
    assert_eq!(status, 200);
    signal(&server, Signal::SIGKILL);
    assert!(server.wait_exit(Duration::from_secs(5)).is_some());
    faults.assert_no_processes_left();
    faults.assert_no_runtime_dir_left();
}

#[test]
fn a_signal_during_warm_up_stops_the_bootstrap_and_its_children() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let marker = format!("warmup-{}", uuid_like());
    // A bootstrap that starts a child and never becomes ready.
    let bootstrap = dir.path().join("code/bootstrap");
    std::fs::create_dir_all(bootstrap.parent().unwrap()).unwrap();
    std::fs::write(
        &bootstrap,
        "#!/bin/sh\nsleep 60 &\necho warming\nsleep 60\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&bootstrap, std::fs::Permissions::from_mode(0o755)).unwrap();
    let template = dir.path().join("template.yaml");
    std::fs::write(
        &template,
        format!(
            "Transform: AWS::Serverless-2016-10-31
Resources:
  Slow:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: provided.al2023
      Handler: bootstrap
      CodeUri: code
      Environment:
        Variables:
          FAULT_MARKER: {marker}
"
        ),
    )
    .unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_gatewise"))
        .arg("serve")
        .arg(&template)
        .args(["--port", "0"])
        .env("TMPDIR", tmp.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let faults = Faults { dir, tmp, marker };
    let start = Instant::now();
    while faults.marked_processes().len() < 2 {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the bootstrap never ran"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    kill(Pid::from_raw(child.id() as i32), Signal::SIGINT).unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    faults.assert_no_processes_left();
    faults.assert_no_runtime_dir_left();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_ctrl_c_stops_waiting_for_in_flight_requests() {
    let faults = Faults::new();
    let mut server = faults.serve(&[]);
    let in_flight = tokio::spawn(client().get(server.url("/sleep?ms=1900")).send());
    wait_for_starts(&server, 1);
    let start = Instant::now();
    signal(&server, Signal::SIGINT);
    server.wait_for_log("Shutting down");
    signal(&server, Signal::SIGINT);
    assert!(server.wait_exit(Duration::from_secs(10)).is_some());
    assert!(
        start.elapsed() < Duration::from_millis(1500),
        "gatewise waited for the in-flight request: {:?}",
        start.elapsed()
    );
    let _ = in_flight.await;
    faults.assert_no_processes_left();
}

/// A stderr pipe nobody reads fills after ~64 KiB; logging must then drop lines, not stall
/// request handling.
#[tokio::test]
async fn a_stderr_nobody_reads_does_not_stall_the_server() {
    use std::io::BufRead;
    let faults = Faults::new();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_gatewise"))
        .arg("serve")
        .arg(faults.template())
        .args(["--port", "0"])
        .env("TMPDIR", faults.tmp.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let base = stdout
        .lines()
        .map_while(Result::ok)
        .find_map(|line| line.strip_prefix("Listening on ").map(str::to_owned))
        .expect("Listening on");
    let client = client();
    for round in 0..300 {
        let response = client
            .get(format!("{base}/chatty"))
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .unwrap_or_else(|e| panic!("request {round} stalled: {e}"));
        assert_eq!(response.status(), 200);
    }
    kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM).unwrap();
    drop(child.stderr.take());
    let _ = child.wait();
    faults.assert_no_processes_left();
}

#[tokio::test]
async fn listening_beyond_loopback_warns_about_credentials() {
    let faults = Faults::new();
    let server = faults.serve(&["--host", "0.0.0.0"]);
    let log = server.wait_for_log("warning: listening on 0.0.0.0");
    assert!(log.contains("AWS credentials"), "{log}");
    let quiet = faults.serve(&[]);
    assert!(!quiet.stderr().contains("reachable from other machines"));
}
