//! Shared harness for end-to-end tests: runs the real `gatewise` binary on a free port, with
//! real function processes, and drives it with a real HTTP client.
#![allow(dead_code)] // each test binary uses a different subset of the harness

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a server may take to print `Listening on` (eager warm-up starts every function).
const STARTUP_LIMIT: Duration = Duration::from_secs(60);

/// The repository's root, for examples and the third-party test data in `tests/data/external`.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `tests/data/external/<rel>`: third-party test data kept in the repository (its README
/// names each file's origin and licence).
pub fn acceptance(rel: &str) -> PathBuf {
    repo_root().join("tests/data/external").join(rel)
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The `provided` test function built from `examples/lambda_runtime_echo.rs` by `cargo test`.
pub fn lambda_runtime_echo_binary() -> PathBuf {
    let bin = Path::new(env!("CARGO_BIN_EXE_gatewise"));
    let path = bin.with_file_name("examples").join("lambda_runtime_echo");
    assert!(
        path.is_file(),
        "{} is missing: run the tests with `cargo test --workspace` (it builds the examples)",
        path.display()
    );
    path
}

/// Copies a fixture folder into a fresh temporary directory, so tests can add files (such as
/// a `bootstrap`) without touching the repository.
pub fn copy_fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_tree(&fixtures().join(name), dir.path());
    dir
}

/// A copy, in a temporary folder, of `tests/data/external/REL` (third-party templates and
/// configurations that tests complete with handlers of their own).
pub fn copy_external(rel: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_tree(&acceptance(rel), dir.path());
    dir
}

/// Writes `text` to `path`, creating its folders.
pub fn write_file(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("a file in a folder")).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Copies the folder `from` into `to` (created), recursively.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Installs the official-runtime echo function as `<dir>/bootstrap`.
pub fn install_bootstrap(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::copy(lambda_runtime_echo_binary(), dir.join("bootstrap")).unwrap();
}

/// Runs `gatewise ARGS…` to completion and returns (exit code, stdout, stderr).
pub fn run_gatewise(args: &[&str], cwd: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gatewise"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run gatewise");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A running `gatewise serve`. Dropping it sends SIGTERM and waits for the process to end.
pub struct Server {
    child: Child,
    pub base: String,
    pub stdout_head: String,
    stderr: Arc<Mutex<String>>,
    /// Every `Listening on` URL printed so far (one per port).
    listening: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// `gatewise serve TEMPLATE --port 0 EXTRA…`, waiting for the `Listening on` line.
    pub fn start(template: &Path, extra: &[&str]) -> Server {
        Server::start_with_env(template, extra, &[])
    }

    /// [`Server::start`] with extra environment variables for gatewise.
    pub fn start_with_env(template: &Path, extra: &[&str], env: &[(&str, &Path)]) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_gatewise"));
        command
            .arg("serve")
            .arg(template)
            .args(["--port", "0"])
            .args(extra)
            .envs(env.iter().copied());
        Server::launch(command)
    }

    /// `gatewise serve ARGS` run from the template's folder, as a user runs it there:
    /// locations read `template.yaml:18:3`. `args` choose the port (no `--port 0` is added).
    pub fn start_in(folder: &Path, args: &[&str]) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_gatewise"));
        command.arg("serve").args(args).current_dir(folder);
        Server::launch(command)
    }

    fn launch(mut command: Command) -> Server {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn gatewise");
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err_pipe = child.stderr.take().unwrap();
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err_pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let (tx, rx) = std::sync::mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        let listening = Arc::new(Mutex::new(Vec::new()));
        let urls = Arc::clone(&listening);
        std::thread::spawn(move || {
            let mut head = String::new();
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                head.push_str(&line);
                head.push('\n');
                // `Listening on URL`, or `Listening on URL (APIs)` when APIs get a port each.
                if let Some(rest) = line.strip_prefix("Listening on ") {
                    let url = rest
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_owned();
                    urls.lock().unwrap().push(url.clone());
                    let _ = tx.send((url, head.clone()));
                }
            }
        });
        match rx.recv_timeout(STARTUP_LIMIT) {
            Ok((base, stdout_head)) => Server {
                child,
                base,
                stdout_head,
                stderr,
                listening,
            },
            Err(_) => {
                let _ = child.kill();
                let status = child.wait();
                panic!(
                    "gatewise did not print `Listening on` ({status:?}); stderr:\n{}",
                    stderr.lock().unwrap()
                );
            }
        }
    }

    /// The URL of the service a `WHAT on URL` line announced (`Inspector`,
    /// `Lambda Invoke API`), printed before `Listening on`.
    pub fn announced(&self, what: &str) -> String {
        let prefix = format!("{what} on ");
        self.stdout_head
            .lines()
            .find_map(|l| l.strip_prefix(prefix.as_str()))
            .unwrap_or_else(|| panic!("no `{prefix}` line in:\n{}", self.stdout_head))
            .to_owned()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// The `index`-th `Listening on` URL (APIs whose routes collide get a port each), waiting
    /// up to a few seconds for it to be printed.
    pub fn listener(&self, index: usize) -> String {
        for _ in 0..100 {
            if let Some(url) = self.listening.lock().unwrap().get(index) {
                return url.clone();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("no `Listening on` line #{index}");
    }

    /// Everything the server wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits (bounded) until stderr contains `needle`, and returns stderr.
    pub fn wait_for_log(&self, needle: &str) -> String {
        let start = Instant::now();
        loop {
            let log = self.stderr();
            if log.contains(needle) {
                return log;
            }
            if start.elapsed() > Duration::from_secs(10) {
                panic!("log never contained {needle:?}; log:\n{log}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The server's process id.
    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// Waits up to `limit` for the server to exit; its exit code (`Some(-1)` for a signal),
    /// or `None` if it is still running.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<i32> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status.code().unwrap_or(-1));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// Sends SIGTERM and waits (bounded) for a clean exit; returns the exit code.
    pub fn stop(&mut self) -> Option<i32> {
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        let start = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            if start.elapsed() > Duration::from_secs(15) {
                let _ = self.child.kill();
                panic!("gatewise did not stop within 15 s of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.stop();
        }
    }
}

/// An HTTP client that follows no redirects (so every status is seen as sent).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// True while a process with this PID exists.
pub fn process_alive(pid: i32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// A response read off the wire by [`raw_request`], header names exactly as sent.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    /// The values of a header, matched case-insensitively, in order.
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

/// Sends one HTTP/1.1 request written by hand (so header-name casing, duplicates and odd
/// paths reach the server exactly as written) and reads the response until the server closes.
/// `head` is everything before the blank line, without `Host` or `Connection`.
pub fn raw_request(base: &str, head: &str, body: &[u8]) -> RawResponse {
    use std::io::Write;
    let authority = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(authority).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut request = format!("{head}\r\nHost: {authority}\r\nConnection: close\r\n");
    if !body.is_empty() {
        request.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).expect("read response");
    let split = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("response head");
    let head = String::from_utf8_lossy(&bytes[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = bytes[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    RawResponse {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n").unwrap();
        let size_text = std::str::from_utf8(&data[..line_end]).unwrap();
        let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16).unwrap();
        data = &data[line_end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

/// A server on a copy of a fixture; the copy lives as long as the server.
pub struct Running {
    pub server: Server,
    pub dir: tempfile::TempDir,
}

impl std::ops::Deref for Running {
    type Target = Server;
    fn deref(&self) -> &Server {
        &self.server
    }
}

/// Serves the `basic` fixture (every runtime family) with lazily started functions, so a test
/// only starts the processes it uses.
pub fn serve_basic(extra: &[&str]) -> Running {
    let dir = copy_fixture("basic");
    install_bootstrap(&dir.path().join("rust"));
    let mut args = vec!["--warm", "lazy"];
    args.extend_from_slice(extra);
    let server = Server::start(&dir.path().join("template.yaml"), &args);
    Running { server, dir }
}

/// GETs `path` and returns the echoed body (the echo functions answer `{event, context, …}`).
pub async fn echo(server: &Server, method: reqwest::Method, path: &str) -> serde_json::Value {
    let response = client()
        .request(method, server.url(path))
        .send()
        .await
        .expect("request");
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, 200, "{path}: {text}\nlog:\n{}", server.stderr());
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}: {text}"))
}

/// Serves `fixtures/scenarios/<name>/template.yaml` (copied, so code paths stay private).
pub fn serve_scenario(name: &str, extra: &[&str]) -> Running {
    let dir = copy_fixture(&format!("scenarios/{name}"));
    // A Terraform scenario is served as its folder.
    let template = dir.path().join("template.yaml");
    let target = if template.is_file() {
        template
    } else {
        dir.path().to_path_buf()
    };
    let server = Server::start(&target, extra);
    Running { server, dir }
}

/// The page's origin in every scenario (a typical SPA dev server).
pub const PAGE_ORIGIN: &str = "http://localhost:5173";

/// Sends what a browser sends for a preflight from [`PAGE_ORIGIN`].
pub async fn preflight(s: &Server, path: &str, method: &str, headers: &str) -> reqwest::Response {
    let mut request = client()
        .request(reqwest::Method::OPTIONS, s.url(path))
        .header("Origin", PAGE_ORIGIN)
        .header("Accept", "*/*")
        .header("Access-Control-Request-Method", method);
    if !headers.is_empty() {
        request = request.header("Access-Control-Request-Headers", headers);
    }
    request.send().await.expect("preflight")
}

/// The value of a response header, when present.
pub fn header<'r>(response: &'r reqwest::Response, name: &str) -> Option<&'r str> {
    response.headers().get(name).map(|v| v.to_str().unwrap())
}

/// Waits for the CORS explanation of `route` and returns that one line.
pub fn explanation(s: &Server, route: &str) -> String {
    let needle = format!("block {route} ");
    let log = s.wait_for_log(&needle);
    log.lines()
        .rev()
        .find(|l| l.contains(&needle))
        .unwrap()
        .to_owned()
}

/// Asserts that no CORS explanation was logged for `route` (the browser allows it).
pub fn assert_not_explained(s: &Server, route: &str) {
    // Explanations are written with the access line; give the log a moment to arrive.
    std::thread::sleep(Duration::from_millis(100));
    let log = s.stderr();
    let needle = format!("block {route} ");
    assert!(
        !log.contains(&needle),
        "unexpected CORS explanation for {route}:\n{log}"
    );
}
