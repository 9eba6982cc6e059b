//! The browser harness of `tests/browser.rs`: real headless Chromium, driven over W3C
//! WebDriver (Debian's `chromedriver`, `fantoccini`), runs `fetch()` from a page on one
//! origin against `gatewise serve` on another, and each request is judged three ways — by the
//! browser, by gatewise's `CORS: the browser will block …` log line, and by `gatewise probe`.
//!
//! Every process started here is ended here, on success and on panic: chromedriver runs in
//! its own process group (killed as a group on drop, after its session is deleted so Chromium
//! quits), and any process still using this browser's private profile directory is killed by
//! PID.
#![allow(dead_code)] // the test binary uses what it needs

use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::TimeoutConfiguration;
use fantoccini::{Client, ClientBuilder};
use nix::sys::signal::{Signal, kill, killpg};
use nix::unistd::Pid;
use serde_json::{Value, json};

use crate::support::{Server, client, run_gatewise};

/// Debian's Chromium (package `chromium`).
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// Flags this machine needs (no sandbox as root, no GPU, no network beyond loopback).
const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
];
/// Bound for starting chromedriver and opening a session (Chromium's first start is slow).
const START_LIMIT: Duration = Duration::from_secs(60);
/// Bound for one `fetch()` in the page (the slowest case waits for a 300 ms integration timeout).
const SCRIPT_LIMIT: Duration = Duration::from_secs(30);
/// Bound for a log line to appear.
const LOG_LIMIT: Duration = Duration::from_secs(15);

/// True on CI (`CI=true`, as GitHub Actions and most CI systems set it), where a missing
/// browser fails the suite instead of skipping it.
pub fn on_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

fn chromedriver_path() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin")])
        .map(|dir| dir.join("chromedriver"))
        .find(|candidate| candidate.is_file())
}

/// What is missing to run the browser suite, if anything.
fn missing_browser() -> Option<String> {
    let mut missing = Vec::new();
    if !Path::new(CHROMIUM).is_file() {
        missing.push(format!("{CHROMIUM} (Debian package `chromium`)"));
    }
    if chromedriver_path().is_none() {
        missing.push("chromedriver (Debian package `chromium-driver`)".to_owned());
    }
    (!missing.is_empty()).then(|| missing.join(" and "))
}

/// A free loopback port (bound, then released for the process that will use it).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// The page's origin: a tiny HTTP server answering every request with an empty HTML page.
struct PageServer {
    origin: String,
    task: tokio::task::JoinHandle<()>,
}

impl PageServer {
    async fn start() -> PageServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind page server");
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            const PAGE: &str = "<!doctype html><html><head><meta charset=\"utf-8\">\
                <link rel=\"icon\" href=\"data:,\"><title>gatewise browser test</title></head>\
                <body></body></html>";
            while let Ok((mut stream, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut buf = [0u8; 2048];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match stream.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    let response = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\
                         Cache-Control: no-store\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{PAGE}",
                        PAGE.len()
                    );
                    let _ = stream.write_all(response.as_bytes()).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        PageServer { origin, task }
    }
}

impl Drop for PageServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Headless Chromium with one page open on its own origin ([`Browser::origin`]).
pub struct Browser {
    client: Option<Client>,
    session: Option<String>,
    driver: Child,
    driver_port: u16,
    profile: tempfile::TempDir,
    page: PageServer,
}

/// What `fetch()` gave the page.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// The page can read the response: its status, body, and the header names it can see.
    Read {
        status: u16,
        body: String,
        headers: Vec<String>,
    },
    /// `fetch()` rejected (a `TypeError`: the browser blocked the response).
    Rejected(String),
}

impl Browser {
    /// Starts chromedriver, Chromium and the page server, and opens the page. Returns `None`
    /// (after printing why) when Chromium or chromedriver is not installed, unless on CI,
    /// where that is a failure.
    pub async fn launch(test: &str) -> Option<Browser> {
        if let Some(missing) = missing_browser() {
            let advice = "install them with `apt-get install chromium chromium-driver` \
                          (.ci/run does)";
            if on_ci() {
                panic!("browser test {test}: {missing} not installed, and CI=true: {advice}");
            }
            // Straight to stderr, past the test harness's capture, so the skip is always seen.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED browser test {test}: {missing} not installed; {advice}"
            );
            return None;
        }
        let page = PageServer::start().await;
        let profile = tempfile::Builder::new()
            .prefix("gatewise-chromium-")
            .tempdir()
            .expect("profile dir");
        let driver_port = free_port();
        let driver = Command::new(chromedriver_path().unwrap())
            .arg(format!("--port={driver_port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group, so drop can end chromedriver and everything it started.
            .process_group(0)
            .spawn()
            .expect("spawn chromedriver");
        let mut browser = Browser {
            client: None,
            session: None,
            driver,
            driver_port,
            profile,
            page,
        };
        browser.wait_for_driver().await;
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|f| (*f).to_owned()).collect();
        args.push(format!(
            "--user-data-dir={}",
            browser.profile.path().display()
        ));
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
            // Console messages (Chromium's CORS errors), read back with `console()`.
            "goog:loggingPrefs": {"browser": "ALL"},
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let webdriver = format!("http://127.0.0.1:{}", browser.driver_port);
        let mut builder = ClientBuilder::new(connector);
        builder.capabilities(capabilities);
        let connecting = builder.connect(&webdriver);
        let client = match tokio::time::timeout(START_LIMIT, connecting).await {
            Ok(Ok(client)) => client,
            Ok(Err(e)) => panic!("{test}: WebDriver session: {e}"),
            Err(_) => panic!("{test}: no WebDriver session within {START_LIMIT:?}"),
        };
        browser.session = client.session_id().await.expect("session id");
        browser.client = Some(client);
        let client = browser.webdriver();
        client
            .update_timeouts(TimeoutConfiguration::new(
                Some(SCRIPT_LIMIT),
                Some(START_LIMIT),
                Some(Duration::ZERO),
            ))
            .await
            .expect("timeouts");
        let page_url = format!("{}/", browser.page.origin);
        client.goto(&page_url).await.expect("open the page");
        // A cookie for the page's host: cookies ignore ports, so `credentials: 'include'`
        // fetches to the API send it (a credentialed request, as gatewise sees it), and other
        // fetches do not.
        client
            .execute("document.cookie = 'session=browser-suite; path=/';", vec![])
            .await
            .expect("set a cookie");
        Some(browser)
    }

    /// The WebDriver session, also for tests that drive a page of their own (windows, the
    /// DOM, the keyboard, screenshots).
    pub fn webdriver(&self) -> &Client {
        self.client.as_ref().expect("open session")
    }

    /// Presses and releases each key in turn, sent to the focused element of the current
    /// window (WebDriver actions: real key events, as a keyboard user makes them).
    pub async fn press(&self, keys: &[fantoccini::key::Key]) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let mut actions = KeyActions::new("keyboard".to_owned());
        for key in keys {
            let value = char::from(*key);
            actions = actions
                .then(KeyAction::Down { value })
                .then(KeyAction::Up { value });
        }
        self.webdriver()
            .perform_actions(actions)
            .await
            .expect("press keys");
    }

    /// The page's origin, `http://127.0.0.1:PORT`.
    pub fn origin(&self) -> &str {
        &self.page.origin
    }

    async fn wait_for_driver(&mut self) {
        let status = format!("http://127.0.0.1:{}/status", self.driver_port);
        let start = Instant::now();
        loop {
            if let Ok(response) = client().get(&status).send().await
                && let Ok(body) = response.json::<Value>().await
                && body["value"]["ready"] == true
            {
                return;
            }
            if let Ok(Some(exit)) = self.driver.try_wait() {
                panic!(
                    "chromedriver exited at start ({exit}); port {}",
                    self.driver_port
                );
            }
            assert!(
                start.elapsed() < START_LIMIT,
                "chromedriver was not ready on port {} within {START_LIMIT:?}",
                self.driver_port
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Runs `fetch(url, init)` in the page (`mode: 'cors'`, the request's cache mode).
    pub async fn fetch(&self, url: &str, request: &Request) -> Outcome {
        const SCRIPT: &str = r#"
            const [url, request, done] = arguments;
            const init = {
                method: request.method,
                headers: request.headers,
                mode: 'cors',
                cache: request.cache,
                credentials: request.credentials ? 'include' : 'same-origin',
            };
            if (request.body !== null) init.body = request.body;
            fetch(url, init).then(
                async (response) => {
                    const body = await response.text();
                    const headers = [];
                    response.headers.forEach((_value, name) => headers.push(name));
                    done({ok: true, status: response.status, body, headers});
                },
                (error) => done({ok: false, error: String(error)}),
            );
        "#;
        let headers: serde_json::Map<String, Value> = request
            .headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), Value::String(v.clone())))
            .collect();
        let arg = json!({
            "method": request.method,
            "headers": headers,
            "body": request.body,
            "credentials": request.credentials,
            "cache": request.cache,
        });
        let result = self
            .webdriver()
            .execute_async(SCRIPT, vec![Value::String(url.to_owned()), arg])
            .await
            .unwrap_or_else(|e| panic!("fetch {url} in the page: {e}"));
        if result["ok"] == true {
            let mut headers: Vec<String> = result["headers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h.as_str().unwrap().to_owned())
                .collect();
            headers.sort();
            Outcome::Read {
                status: result["status"].as_u64().unwrap() as u16,
                body: result["body"].as_str().unwrap().to_owned(),
                headers,
            }
        } else {
            Outcome::Rejected(result["error"].as_str().unwrap_or("?").to_owned())
        }
    }

    /// The page's console messages since the last call (chromedriver's `browser` log).
    pub async fn console(&self) -> Vec<String> {
        let Some(session) = &self.session else {
            return Vec::new();
        };
        let url = format!(
            "http://127.0.0.1:{}/session/{session}/se/log",
            self.driver_port
        );
        let response = client()
            .post(url)
            .json(&json!({"type": "browser"}))
            .send()
            .await
            .expect("read the browser log");
        let body: Value = response.json().await.expect("browser log JSON");
        body["value"]
            .as_array()
            .unwrap_or_else(|| panic!("browser log: {body}"))
            .iter()
            .filter_map(|entry| entry["message"].as_str().map(str::to_owned))
            .collect()
    }

    /// Ends the session (Chromium quits); drop then stops chromedriver.
    pub async fn close(mut self) {
        if let Some(client) = self.client.take() {
            let _ = tokio::time::timeout(Duration::from_secs(15), client.close()).await;
            self.session = None;
        }
    }

    /// Deletes the WebDriver session with a blocking request (usable in drop, on panic).
    fn delete_session(&mut self, session: &str) {
        let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", self.driver_port)) else {
            return;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
        let _ = write!(
            stream,
            "DELETE /session/{session} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\n\
             Connection: close\r\n\r\n",
            self.driver_port
        );
        let mut sink = Vec::new();
        let _ = stream.read_to_end(&mut sink);
    }

    /// PIDs of processes started with this browser's profile directory on their command line.
    fn profile_processes(&self) -> Vec<i32> {
        let needle = self.profile.path().to_string_lossy().into_owned();
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        entries
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
            .filter(|pid| {
                std::fs::read(format!("/proc/{pid}/cmdline"))
                    .is_ok_and(|cmd| String::from_utf8_lossy(&cmd).contains(&needle))
            })
            .collect()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(session) = self.session.take() {
            self.delete_session(&session);
        }
        self.client = None;
        let group = Pid::from_raw(self.driver.id() as i32);
        let _ = killpg(group, Signal::SIGTERM);
        let start = Instant::now();
        while !matches!(self.driver.try_wait(), Ok(Some(_))) {
            if start.elapsed() > Duration::from_secs(5) {
                let _ = killpg(group, Signal::SIGKILL);
                let _ = self.driver.wait();
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = killpg(group, Signal::SIGKILL);
        // Chromium's helpers (zygote, renderers) may have left the group; they all carry the
        // profile directory.
        let start = Instant::now();
        loop {
            let left = self.profile_processes();
            if left.is_empty() || start.elapsed() > Duration::from_secs(5) {
                break;
            }
            for pid in left {
                let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// One `fetch()` a page makes.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: &'static str,
    /// The path, without query (a unique query is added per request).
    pub path: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<String>,
    /// `credentials: 'include'`.
    pub credentials: bool,
    /// The `fetch()` cache mode: `no-store` (nothing from the HTTP cache) unless a case says
    /// otherwise. Chromium also bypasses its preflight cache for `no-store` (and `reload`).
    pub cache: &'static str,
}

impl Request {
    pub fn get(path: &str) -> Request {
        Request {
            method: "GET",
            path: path.to_owned(),
            headers: Vec::new(),
            body: None,
            credentials: false,
            cache: "no-store",
        }
    }

    pub fn method(method: &'static str, path: &str) -> Request {
        Request {
            method,
            ..Request::get(path)
        }
    }

    /// A POST with a JSON body and `Content-Type: application/json` (a preflighted request).
    pub fn post_json(path: &str, body: &str) -> Request {
        Request {
            method: "POST",
            body: Some(body.to_owned()),
            ..Request::get(path)
        }
        .header("Content-Type", "application/json")
    }

    pub fn header(mut self, name: &'static str, value: &str) -> Request {
        self.headers.push((name, value.to_owned()));
        self
    }

    pub fn json_body(mut self, body: &str) -> Request {
        self.body = Some(body.to_owned());
        self.header("Content-Type", "application/json")
    }

    pub fn credentials(mut self) -> Request {
        self.credentials = true;
        self
    }

    /// Whether Fetch sends a CORS preflight first (a method other than GET/HEAD/POST, or a
    /// header outside the CORS-safelist — the only safelisted ones used here are `Accept` and
    /// a `Content-Type` of a form or `text/plain`).
    pub fn preflighted(&self) -> bool {
        let simple_method = matches!(self.method, "GET" | "HEAD" | "POST");
        let simple_headers = self.headers.iter().all(|(name, value)| {
            name.eq_ignore_ascii_case("accept")
                || (name.eq_ignore_ascii_case("content-type")
                    && matches!(
                        value.to_ascii_lowercase().as_str(),
                        "text/plain" | "application/x-www-form-urlencoded" | "multipart/form-data"
                    ))
        });
        !(simple_method && simple_headers)
    }

    fn describe(&self) -> String {
        let mut text = format!("{} {}", self.method, self.path);
        for (name, value) in &self.headers {
            text.push_str(&format!(" [{name}: {value}]"));
        }
        if self.credentials {
            text.push_str(" [credentials: include]");
        }
        text
    }
}

/// The verdict AWS's answer gets in a browser, written in each test from the scenario tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// The page reads the response, with this status.
    Readable(u16),
    /// The request reached the API and got this status, but the page cannot read it.
    Blocked(u16),
    /// The preflight got this status and failed; the request itself is never sent.
    BlockedAtPreflight(u16),
}

/// What gatewise (`serve`'s log and `probe`) must say about a request, given the browser's
/// verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gatewise {
    /// The same as the browser: one `CORS: the browser will block` line and probe exit 1 for a
    /// blocked request, no line and exit 0 for a readable one.
    Agrees,
    /// `serve` cannot know this request's credentials mode (a preflight carries no cookie), so
    /// it logs no line though the browser blocks (README, `probe` limits); probe agrees.
    ServeCannotTell,
}

/// One row of the suite's table, as printed at the end of each test.
struct Row {
    label: String,
    request: String,
    expected: Expect,
    browser: String,
    gatewise: Gatewise,
    problems: Vec<String>,
}

/// A browser page on one origin and one `gatewise serve` on another: runs cases and checks
/// each three ways, collecting every disagreement before failing.
pub struct Bench<'b> {
    browser: &'b Browser,
    server: &'b Server,
    name: String,
    sequence: usize,
    rows: Vec<Row>,
}

fn access_line(line: &str) -> Option<(&str, &str, u16)> {
    if line.starts_with(char::is_whitespace) {
        return None;
    }
    let (request, rest) = line.split_once(" -> ")?;
    let (method, path) = request.split_once(' ')?;
    let status = rest.split(' ').next()?.parse().ok()?;
    Some((method, path, status))
}

fn slug(label: &str) -> String {
    label
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

impl<'b> Bench<'b> {
    pub fn new(name: &str, browser: &'b Browser, server: &'b Server) -> Bench<'b> {
        Bench {
            browser,
            server,
            name: name.to_owned(),
            sequence: 0,
            rows: Vec::new(),
        }
    }

    /// Sends a request without `Origin` (never explained) to a path no template declares and
    /// waits until gatewise has logged it: every entry before it is complete. Returns the
    /// offset where its access line starts.
    async fn sync(&mut self) -> usize {
        self.sequence += 1;
        let path = format!("/__browser_suite_sync_{}", self.sequence);
        client()
            .get(self.server.url(&path))
            .send()
            .await
            .expect("sync request");
        let needle = format!("GET {path} -> ");
        let start = Instant::now();
        loop {
            let log = self.server.stderr();
            if let Some(at) = log.find(&needle) {
                return at;
            }
            assert!(
                start.elapsed() < LOG_LIMIT,
                "gatewise never logged {needle:?}; log:\n{log}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Runs one case: the browser's `fetch()`, gatewise's log for it, and `gatewise probe`.
    pub async fn case(&mut self, label: &str, request: Request, expected: Expect) -> Outcome {
        self.case_with(label, request, expected, false, Gatewise::Agrees)
            .await
    }

    /// The same request twice; the second time the preflight comes from Chromium's cache. Uses
    /// the `default` cache mode: Chromium skips its preflight cache for `no-store`.
    pub async fn case_twice(&mut self, label: &str, mut request: Request, expected: Expect) {
        request.cache = "default";
        self.sequence += 1;
        let query = format!("case={}-{}", self.sequence, slug(label));
        self.run(label, &request, &query, expected, false, Gatewise::Agrees)
            .await;
        self.run(
            &format!("{label} (again: preflight cached)"),
            &request,
            &query,
            expected,
            true,
            Gatewise::Agrees,
        )
        .await;
    }

    pub async fn case_with(
        &mut self,
        label: &str,
        request: Request,
        expected: Expect,
        cached: bool,
        gatewise: Gatewise,
    ) -> Outcome {
        self.sequence += 1;
        let query = format!("case={}-{}", self.sequence, slug(label));
        self.run(label, &request, &query, expected, cached, gatewise)
            .await
    }

    async fn run(
        &mut self,
        label: &str,
        request: &Request,
        query: &str,
        expected: Expect,
        cached: bool,
        gatewise: Gatewise,
    ) -> Outcome {
        let url = self.server.url(&format!("{}?{query}", request.path));
        let origin = self.browser.origin().to_owned();
        let mut problems = Vec::new();

        // The browser.
        let from = self.sync().await;
        let outcome = self.browser.fetch(&url, request).await;
        let console = self.browser.console().await;
        let cors_errors: Vec<&String> = console
            .iter()
            .filter(|m| m.contains("has been blocked by CORS policy"))
            .collect();
        let to = self.sync().await;
        let log = self.server.stderr();
        let from = from + log[from..].find('\n').map_or(0, |n| n + 1);
        let slice = &log[from..to];

        // (a) The browser's verdict is AWS's.
        let browser = match (&outcome, expected) {
            (Outcome::Read { status, .. }, Expect::Readable(want)) => {
                if *status != want {
                    problems.push(format!("the page read status {status}, expected {want}"));
                }
                format!("readable {status}")
            }
            (Outcome::Read { status, .. }, _) => {
                problems.push(format!(
                    "the browser let the page read {status}; expected it blocked"
                ));
                format!("READABLE {status}")
            }
            (Outcome::Rejected(error), Expect::Readable(_)) => {
                problems.push(format!(
                    "the browser blocked it ({error}); expected readable"
                ));
                format!("BLOCKED ({error})")
            }
            (Outcome::Rejected(error), _) => {
                if !error.starts_with("TypeError") {
                    problems.push(format!("fetch rejected with {error}, not a TypeError"));
                }
                "blocked".to_owned()
            }
        };

        // What reached gatewise: the preflight unless cached or not needed, then the request
        // unless the preflight failed.
        let seen: Vec<(String, u16)> = slice
            .lines()
            .filter_map(access_line)
            .filter(|(_, path, _)| *path == request.path)
            .map(|(method, _, status)| (method.to_owned(), status))
            .collect();
        let mut wanted: Vec<(String, Option<u16>)> = Vec::new();
        if request.preflighted() && !cached {
            let status = match expected {
                Expect::BlockedAtPreflight(status) => Some(status),
                _ => None,
            };
            wanted.push(("OPTIONS".to_owned(), status));
        }
        match expected {
            Expect::Readable(status) | Expect::Blocked(status) => {
                wanted.push((request.method.to_owned(), Some(status)));
            }
            Expect::BlockedAtPreflight(_) => {}
        }
        let matches = seen.len() == wanted.len()
            && seen
                .iter()
                .zip(&wanted)
                .all(|((m, s), (wm, ws))| m == wm && ws.is_none_or(|ws| ws == *s));
        if !matches {
            problems.push(format!(
                "gatewise saw {seen:?}, expected {wanted:?} (OPTIONS status unchecked when None)"
            ));
        }

        // (b) gatewise's explanation agrees.
        let needle = format!(
            "CORS: the browser will block {} {} from {origin}",
            request.method, request.path
        );
        let lines = slice.lines().filter(|l| l.contains(&needle)).count();
        let all = slice
            .lines()
            .filter(|l| l.contains("CORS: the browser will block"))
            .count();
        let blocked = !matches!(expected, Expect::Readable(_));
        // What gatewise must say: the browser's verdict; `serve` stays silent where it cannot
        // see the credentials mode.
        let (gatewise_blocks, want_lines) = match gatewise {
            Gatewise::Agrees => (blocked, usize::from(blocked)),
            Gatewise::ServeCannotTell => (blocked, 0),
        };
        if lines != want_lines || all != want_lines {
            problems.push(format!(
                "gatewise logged {lines} explanation(s) for it ({all} in all), expected \
                 {want_lines}"
            ));
        }

        // (c) `gatewise probe` gives the same verdict.
        let mut args: Vec<String> = vec![
            "probe".into(),
            url.clone(),
            "--origin".into(),
            origin.clone(),
            "-X".into(),
            request.method.into(),
            "--format".into(),
            "json".into(),
        ];
        for (name, value) in &request.headers {
            args.push("-H".into());
            args.push(format!("{name}: {value}"));
        }
        if request.credentials {
            args.push("--credentials".into());
        }
        if let Some(body) = &request.body {
            args.push("-d".into());
            args.push(body.clone());
        }
        let (code, out, err) = tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            run_gatewise(&args, &std::env::temp_dir())
        })
        .await
        .unwrap();
        match serde_json::from_str::<Value>(&out) {
            Err(e) => problems.push(format!("probe printed no JSON ({e}): {out}{err}")),
            Ok(report) => {
                let want_code = i32::from(gatewise_blocks);
                if code != want_code {
                    problems.push(format!(
                        "probe exited {code} ({}: {}), expected {want_code}",
                        report["verdict"], report["message"]
                    ));
                }
                let steps = report["steps"].as_array().cloned().unwrap_or_default();
                let last = steps.last().cloned().unwrap_or_default();
                match expected {
                    Expect::BlockedAtPreflight(_) if code == 1 && last["kind"] != "preflight" => {
                        problems.push(format!(
                            "probe blocked at the {} step, the browser at the preflight",
                            last["kind"]
                        ));
                    }
                    Expect::Blocked(_) if code == 1 && last["kind"] != "request" => {
                        problems.push(format!(
                            "probe blocked at the {} step, the browser at the response",
                            last["kind"]
                        ));
                    }
                    _ => {}
                }
                // Chromium's console message is the one probe quotes.
                match (&outcome, report["message"].as_str()) {
                    (Outcome::Rejected(_), Some(message))
                        if !cors_errors
                            .iter()
                            .any(|m| m.contains(message.trim_end_matches('.'))) =>
                    {
                        problems.push(format!(
                            "probe says {message:?}; Chromium's console: {cors_errors:?}"
                        ));
                    }
                    (Outcome::Read { .. }, _) if !cors_errors.is_empty() => {
                        problems.push(format!("readable, but Chromium logged {cors_errors:?}"));
                    }
                    _ => {}
                }
                if cached && report["steps"][0]["max_age_seconds"].as_u64().unwrap_or(0) == 0 {
                    problems.push(format!(
                        "Chromium cached the preflight, but probe reports max_age_seconds {}",
                        report["steps"][0]["max_age_seconds"]
                    ));
                }
                if let Outcome::Read { headers, .. } = &outcome
                    && code == 0
                {
                    let mut readable: Vec<String> = last["readable"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default()
                        .iter()
                        .filter_map(|h| h.as_str().map(str::to_ascii_lowercase))
                        .collect();
                    readable.sort();
                    if &readable != headers {
                        problems.push(format!(
                            "the page sees headers {headers:?}, probe says {readable:?}"
                        ));
                    }
                }
            }
        }
        self.rows.push(Row {
            label: label.to_owned(),
            gatewise,
            request: request.describe(),
            expected,
            browser,
            problems,
        });
        outcome
    }

    /// Prints the table and fails with every disagreement, if any.
    pub fn finish(self) {
        let mut table = format!(
            "browser cases of {} (page {}):\n",
            self.name,
            self.browser.origin()
        );
        let mut failures = 0;
        for row in &self.rows {
            let mark = if row.problems.is_empty() {
                "ok  "
            } else {
                "FAIL"
            };
            table.push_str(&format!(
                "  {mark} {:<48} {:<60} expected {:?}, browser {}\n",
                row.label, row.request, row.expected, row.browser
            ));
            for problem in &row.problems {
                failures += 1;
                table.push_str(&format!("         - {problem}\n"));
            }
        }
        println!("{table}");
        if failures > 0 {
            panic!(
                "{failures} disagreement(s) in {}:\n{table}\ngatewise log:\n{}",
                self.name,
                self.server.stderr()
            );
        }
    }
}
