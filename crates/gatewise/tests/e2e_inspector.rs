//! The inspector: `serve`'s live page on a port of its own. A real client reads its event
//! stream while a page's preflight and request reach the API, and sees both records, paired,
//! with the browser's verdict, the explanation and the function's log; the page itself is
//! served, only to loopback host names; the flags (`--no-inspector`, a busy explicit
//! `--inspector-port`, a busy default port) and the free default port under `--port 0` hold.

mod support;

use std::collections::HashSet;
use std::time::Duration;

use serde_json::Value;
use support::*;

/// Reads server-sent events from `stream` until `done` holds for the ones read, or `limit`.
async fn read_events(
    stream: &mut reqwest::Response,
    buffer: &mut String,
    limit: Duration,
    done: impl Fn(&[(String, String)]) -> bool,
) -> Vec<(String, String)> {
    let deadline = tokio::time::Instant::now() + limit;
    let mut events = Vec::new();
    loop {
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let mut event = String::new();
            let mut data = String::new();
            for line in block.lines() {
                if let Some(name) = line.strip_prefix("event: ") {
                    event = name.to_owned();
                } else if let Some(text) = line.strip_prefix("data: ") {
                    data = text.to_owned();
                }
            }
            if !event.is_empty() {
                events.push((event, data));
            }
        }
        if done(&events) {
            return events;
        }
        match tokio::time::timeout_at(deadline, stream.chunk()).await {
            Ok(Ok(Some(chunk))) => buffer.push_str(&String::from_utf8_lossy(&chunk)),
            other => panic!("the event stream ended or stalled ({other:?}); got {events:?}"),
        }
    }
}

/// The records of the `history` and `requests` events among `events`, oldest first.
fn records(events: &[(String, String)]) -> Vec<Value> {
    events
        .iter()
        .filter(|(name, _)| name == "history" || name == "requests")
        .flat_map(|(_, data)| {
            let batch: Value = serde_json::from_str(data).unwrap();
            batch["records"].as_array().unwrap().clone()
        })
        .collect()
}

#[tokio::test]
async fn the_stream_shows_a_blocked_request_with_its_preflight_why_and_the_function_log() {
    // Scenario 1, with a handler that prints, as handlers do.
    let dir = copy_fixture("scenarios/1-proxy-no-cors");
    let handler = dir.path().join("src/orders.py");
    let code = std::fs::read_to_string(&handler).unwrap().replace(
        "    order = json.loads(event[\"body\"] or \"{}\")\n",
        "    order = json.loads(event[\"body\"] or \"{}\")\n    print(\"creating order\", order)\n",
    );
    assert!(code.contains("print("));
    write_file(&handler, &code);
    let s = Server::start(&dir.path().join("template.yaml"), &[]);
    let inspector = s.announced("Inspector");
    assert!(inspector.starts_with("http://127.0.0.1:"), "{inspector}");
    // `--port 0` and no `--inspector-port`: a free port, not 3002 (tests run in parallel).
    assert!(!inspector.ends_with(":3002"), "{inspector}");
    let (before, after) = s.stdout_head.split_once("Inspector on").unwrap();
    assert!(!before.contains("Listening on") && after.contains("Listening on"));

    let mut stream = client()
        .get(format!("{inspector}/events"))
        .send()
        .await
        .expect("the event stream");
    assert_eq!(stream.status(), 200);
    assert_eq!(header(&stream, "content-type"), Some("text/event-stream"));
    let mut buffer = String::new();
    let first = read_events(&mut stream, &mut buffer, Duration::from_secs(5), |e| {
        !e.is_empty()
    })
    .await;
    assert_eq!(first[0].0, "routes");
    let routes: String = serde_json::from_str(&first[0].1).unwrap();
    assert!(
        routes.contains("POST     /orders  function CreateOrder"),
        "{routes}"
    );

    let options = preflight(&s, "/orders", "POST", "content-type").await;
    assert_eq!(options.status(), 200);
    let post = client()
        .post(s.url("/orders"))
        .header("Origin", PAGE_ORIGIN)
        .header("Content-Type", "application/json")
        .body(r#"{"item": "book"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 201);

    // Within a second of the request (it waits for the function's last lines, then for the
    // batch it belongs to).
    let events = read_events(&mut stream, &mut buffer, Duration::from_secs(1), |e| {
        records(e).len() >= 2
    })
    .await;
    let answered = records(&events);
    let (guard, request) = (&answered[0], &answered[1]);
    assert!(guard["log"].is_null(), "a MOCK runs no function");
    assert_eq!(guard["method"], "OPTIONS");
    assert_eq!(guard["preflightFor"], "POST");
    assert_eq!(guard["verdict"], "allowed");
    assert_eq!(guard["target"], "[mock OPTIONS /orders]");
    assert_eq!(request["method"], "POST");
    assert_eq!(request["path"], "/orders");
    assert_eq!(request["status"], 201);
    assert_eq!(request["api"], "OrdersApi / prod");
    assert_eq!(request["route"], "POST /orders");
    assert_eq!(request["target"], "[function CreateOrder]");
    assert_eq!(request["origin"], PAGE_ORIGIN);
    assert_eq!(request["verdict"], "blocked");
    assert_eq!(request["preflightId"], guard["id"]);
    let explanation = request["explanation"].as_str().unwrap();
    assert!(
        explanation.contains("the browser will block POST /orders")
            && explanation.contains("function CreateOrder (")
            && explanation.contains("template.yaml:18:3")
            && explanation.contains("Fix:"),
        "{explanation}"
    );
    // The function's log for this request: START, what it printed, END, REPORT, in order.
    let log = request["log"].as_str().unwrap();
    let lines: Vec<&str> = log.lines().collect();
    assert!(lines[0].starts_with("START RequestId: "), "{log}");
    let printed = lines
        .iter()
        .position(|l| l.contains("creating order {'item': 'book'}"))
        .unwrap_or_else(|| panic!("the handler's output is missing: {log}"));
    let end = lines.iter().position(|l| l.starts_with("END RequestId: "));
    assert!(end.is_some_and(|end| end > printed), "{log}");
    assert!(
        lines.last().unwrap().starts_with("REPORT RequestId: "),
        "{log}"
    );
    let probe = request["probe"].as_str().unwrap();
    assert_eq!(
        probe,
        format!(
            "gatewise probe {} --origin {PAGE_ORIGIN} -X POST -H 'content-type: application/json'",
            s.url("/orders")
        )
    );

    // The page, its style and script; nothing else on the inspector's port.
    let page = client().get(format!("{inspector}/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(
        header(&page, "content-type"),
        Some("text/html; charset=utf-8")
    );
    let html = page.text().await.unwrap();
    assert!(html.contains("<title>gatewise inspector</title>"), "{html}");
    for (path, kind) in [("/page.js", "text/javascript"), ("/page.css", "text/css")] {
        let asset = client()
            .get(format!("{inspector}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(asset.status(), 200, "{path}");
        assert!(header(&asset, "content-type").unwrap().starts_with(kind));
    }
    let missing = client()
        .get(format!("{inspector}/orders"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);

    // A page opened later gets the history.
    let mut late = client()
        .get(format!("{inspector}/events"))
        .send()
        .await
        .unwrap();
    let mut late_buffer = String::new();
    let replayed = read_events(&mut late, &mut late_buffer, Duration::from_secs(5), |e| {
        e.iter().any(|(name, _)| name == "history")
    })
    .await;
    let replayed = records(&replayed);
    assert_eq!(replayed.len(), 2, "{replayed:?}");
    assert_eq!(replayed[1]["verdict"], "blocked");
    assert_eq!(replayed[1]["log"], request["log"]);

    // A web page that made its own host name resolve to 127.0.0.1 (DNS rebinding) is refused.
    let port = inspector.rsplit(':').next().unwrap();
    let status_with_host = |path: &str, host: String| {
        let request = client()
            .get(format!("{inspector}{path}"))
            .header("Host", host);
        async move { request.send().await.unwrap().status() }
    };
    for path in ["/", "/events"] {
        let host = format!("attacker.example:{port}");
        assert_eq!(status_with_host(path, host).await, 403, "{path}");
    }
    let host = format!("localhost:{port}");
    assert_eq!(status_with_host("/page.css", host).await, 200);
}

/// A burst the inspector does not record whole: every request is either in a batch or counted
/// as skipped (a page says how many it did not show), no batch holds more than the limit, and
/// the skipped preflights are counted as not refused.
#[tokio::test]
async fn every_request_of_a_burst_is_recorded_or_counted() {
    const BURST: usize = 600;
    const BATCH_LIMIT: usize = 100;
    let s = serve_scenario("1-proxy-no-cors", &[]);
    let inspector = s.announced("Inspector");
    let mut stream = client()
        .get(format!("{inspector}/events"))
        .send()
        .await
        .unwrap();
    let mut buffer = String::new();
    read_events(&mut stream, &mut buffer, Duration::from_secs(5), |e| {
        e.iter().any(|(name, _)| name == "history")
    })
    .await;
    let mut burst = tokio::task::JoinSet::new();
    for worker in 0..20 {
        let url = s.url("/orders");
        burst.spawn(async move {
            let client = client();
            for _ in (worker..BURST).step_by(20) {
                let answer = client
                    .request(reqwest::Method::OPTIONS, &url)
                    .header("Origin", PAGE_ORIGIN)
                    .header("Access-Control-Request-Method", "POST")
                    .send()
                    .await
                    .unwrap();
                assert_eq!(answer.status(), 200);
            }
        });
    }
    while let Some(done) = burst.join_next().await {
        done.unwrap();
    }
    let accounted = |events: &[(String, String)]| {
        events
            .iter()
            .filter(|(name, _)| name == "requests")
            .map(|(_, data)| {
                let batch: Value = serde_json::from_str(data).unwrap();
                let records = batch["records"].as_array().unwrap().len();
                assert!(records <= BATCH_LIMIT, "a batch of {records}");
                assert_eq!(batch["skippedRefused"], 0);
                records + batch["skipped"].as_u64().unwrap() as usize
            })
            .sum::<usize>()
    };
    let events = read_events(&mut stream, &mut buffer, Duration::from_secs(5), |e| {
        accounted(e) >= BURST
    })
    .await;
    assert_eq!(accounted(&events), BURST);
}

/// The TCP ports the process listens on (Linux: its socket inodes in /proc/net/tcp*).
fn listening_ports(pid: i32) -> HashSet<u16> {
    let inodes: HashSet<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .flatten()
        .filter_map(|fd| std::fs::read_link(fd.path()).ok())
        .filter_map(|link| {
            let link = link.to_string_lossy().into_owned();
            link.strip_prefix("socket:[")
                .and_then(|rest| rest.strip_suffix(']'))
                .map(str::to_owned)
        })
        .collect();
    let mut ports = HashSet::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(table) else {
            continue;
        };
        for row in text.lines().skip(1) {
            let columns: Vec<&str> = row.split_whitespace().collect();
            // local_address is HEX_IP:HEX_PORT, state 0A is LISTEN, inode is column 9.
            if columns.len() > 9 && columns[3] == "0A" && inodes.contains(columns[9]) {
                let port = columns[1].rsplit(':').next().unwrap();
                ports.insert(u16::from_str_radix(port, 16).unwrap());
            }
        }
    }
    ports
}

#[test]
fn no_inspector_serves_no_page() {
    let s = serve_scenario("1-proxy-no-cors", &["--no-inspector"]);
    assert!(!s.stdout_head.contains("Inspector on"), "{}", s.stdout_head);
    let invoke = s
        .announced("Lambda Invoke API")
        .rsplit(':')
        .next()
        .unwrap()
        .parse::<u16>()
        .unwrap();
    let api = s.base.rsplit(':').next().unwrap().parse::<u16>().unwrap();
    let off = listening_ports(s.pid());
    assert!(off.contains(&invoke) && off.contains(&api), "{off:?}");

    // The same template with the inspector: one listening port more (the functions' Runtime
    // API ports are the same in number), and it is the page's.
    let on = serve_scenario("1-proxy-no-cors", &[]);
    let page = on.announced("Inspector");
    let page_port = page.rsplit(':').next().unwrap().parse::<u16>().unwrap();
    let with_page = listening_ports(on.pid());
    assert!(with_page.contains(&page_port), "{with_page:?}");
    assert_eq!(with_page.len(), off.len() + 1, "{with_page:?} vs {off:?}");
}

#[test]
fn a_busy_inspector_port_asked_for_is_an_error() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let dir = copy_fixture("scenarios/1-proxy-no-cors");
    let (code, _, stderr) = run_gatewise(
        &["serve", "--port", "0", "--inspector-port", &port],
        dir.path(),
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(&port) && stderr.contains("--inspector-port"),
        "{stderr}"
    );
}

#[test]
fn a_busy_default_inspector_port_is_a_warning() {
    // Whoever holds 3002 (this test, or anything else on the machine), the port is busy.
    let _busy = std::net::TcpListener::bind("127.0.0.1:3002");
    let api_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .to_string();
    let dir = copy_fixture("scenarios/1-proxy-no-cors");
    let s = Server::start_in(dir.path(), &["--port", &api_port, "--invoke-port", "0"]);
    let head = &s.stdout_head;
    assert!(head.contains("Listening on"), "{head}");
    assert!(!head.contains("Inspector on"), "{head}");
    let stderr = s.wait_for_log("warning: the inspector is not served");
    assert!(
        stderr.contains("warning: the inspector is not served")
            && stderr.contains("--inspector-port 0"),
        "{stderr}"
    );
}
