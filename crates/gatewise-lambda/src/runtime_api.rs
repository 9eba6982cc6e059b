//! The Lambda Runtime API for one instance, served on its own loopback port.
//!
//! One listener per instance means the port itself says which instance is talking: no
//! instance ids in URLs, and a request id can only be answered by the process that received it.
//! The server turns HTTP calls into [`ApiEvent`]s for whoever holds the instance, and hands
//! out the invocation that holder queues, from a real long-poll on `/next`.
//!
//! Only the instance's own processes may connect (see [`crate::peer`]): a connection from any
//! other process is closed unanswered, and the first refusal is logged.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::rejection::{BytesRejection, FailedToBufferBody};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use serde_json::json;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::{log, peer};

/// Largest response a function may return; Lambda's synchronous invocation limit, spelled as
/// in its error message ("exceeded maximum allowed payload size (6291556 bytes)").
pub const MAX_RESPONSE_BYTES: usize = 6_291_556;

/// Largest event a synchronous invocation may carry: Lambda's 6 MB invoke payload limit
/// (6 MiB). Larger events fail before any instance sees them, with
/// [`PAYLOAD_TOO_LARGE_ERROR_TYPE`], as Lambda's `Invoke` API fails them.
pub const MAX_INVOKE_PAYLOAD_BYTES: usize = 6 * 1024 * 1024;

/// The `error_type` of [`crate::InvokeError::Function`] for an event over
/// [`MAX_INVOKE_PAYLOAD_BYTES`] (the `Invoke` API's exception name).
pub const PAYLOAD_TOO_LARGE_ERROR_TYPE: &str = "RequestEntityTooLargeException";

/// An invocation queued for the instance; delivered by `/next`.
pub(crate) struct PendingInvocation {
    pub request_id: String,
    pub payload: Bytes,
    pub timeout: Duration,
}

/// A function error as posted to `/error` or `/init/error`.
#[derive(Debug, Clone)]
pub(crate) struct ErrorReport {
    pub error_type: String,
    pub error_message: String,
}

/// What the process did, in the order it did it.
pub(crate) enum ApiEvent {
    /// The first `/next`: initialisation is over.
    Ready,
    /// `/next` handed the queued invocation to the process; the timeout runs from here.
    Started {
        deadline: Instant,
    },
    Response(Bytes),
    Error(ErrorReport),
    InitError(ErrorReport),
}

/// The server of one instance; stops when dropped.
pub(crate) struct RuntimeApi {
    pub address: SocketAddr,
    server: JoinHandle<()>,
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

struct Shared {
    function_arn: HeaderValue,
    events: mpsc::UnboundedSender<ApiEvent>,
    /// Only `/next` takes from the queue; the async lock is per instance and is held while
    /// `/next` long-polls, which is exactly the instance being idle.
    queue: tokio::sync::Mutex<mpsc::Receiver<PendingInvocation>>,
    state: Mutex<Phase>,
}

#[derive(Default)]
struct Phase {
    ready: bool,
    /// The invocation the process is working on.
    current: Option<Current>,
}

struct Current {
    request_id: String,
    deadline: Instant,
}

impl Shared {
    fn phase(&self) -> std::sync::MutexGuard<'_, Phase> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Ends the current invocation if `request_id` names it and its deadline has not passed.
    /// The error is the message for the `InvalidRequestID` answer.
    fn finish(&self, request_id: &str) -> Result<(), &'static str> {
        let mut phase = self.phase();
        match phase.current.take() {
            Some(current) if current.request_id == request_id => {
                if Instant::now() > current.deadline {
                    // The invocation already timed out: the answer is discarded.
                    return Err("the invocation has timed out");
                }
                Ok(())
            }
            other => {
                phase.current = other;
                Err("Invalid request ID")
            }
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Pause after a failed `accept` (e.g. out of file descriptors) so the loop does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// The instance's listener: accepts only connections from the instance's process group,
/// whose id (the instance's process id) `owner` holds once the process has been spawned.
struct InstanceListener {
    inner: TcpListener,
    owner: watch::Receiver<Option<i32>>,
    function_name: Arc<str>,
    refusal_logged: bool,
    /// The owner's group and what is known of its members, once the owner is known.
    members: Option<Arc<Mutex<peer::GroupMembers>>>,
}

impl axum::serve::Listener for InstanceListener {
    type Io = TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (TcpStream, SocketAddr) {
        loop {
            let (stream, peer) = match self.inner.accept().await {
                Ok(accepted) => accepted,
                Err(_) => {
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            };
            let Ok(local) = stream.local_addr() else {
                continue;
            };
            // The process can connect before `spawn` has returned its id to us.
            let Ok(group) = self
                .owner
                .wait_for(Option::is_some)
                .await
                .map(|g| g.unwrap_or(0))
            else {
                continue;
            };
            let members = match &self.members {
                Some(members) if lock(members).group() == group => Arc::clone(members),
                _ => Arc::clone(
                    self.members
                        .insert(Arc::new(Mutex::new(peer::GroupMembers::new(group)))),
                ),
            };
            // Reads of /proc: off the async threads.
            let allowed = tokio::task::spawn_blocking(move || lock(&members).owns(peer, local))
                .await
                .unwrap_or(false);
            if allowed {
                // Small request/response exchanges on loopback: never wait for Nagle.
                let _ = stream.set_nodelay(true);
                return (stream, peer);
            }
            if !self.refusal_logged {
                self.refusal_logged = true;
                log::line(
                    &self.function_name,
                    &format!(
                        "Runtime API: refused a connection from {peer}, which is not a process of this instance (process group {group})"
                    ),
                );
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

/// Starts serving the Runtime API of one instance of `function_name` on `listener`, to the
/// processes of the group `owner` will name. Returns the server, the queue for invocations
/// and the stream of what the process does.
pub(crate) fn serve(
    listener: TcpListener,
    function_name: &str,
    owner: watch::Receiver<Option<i32>>,
) -> std::io::Result<(
    RuntimeApi,
    mpsc::Sender<PendingInvocation>,
    mpsc::UnboundedReceiver<ApiEvent>,
)> {
    let address = listener.local_addr()?;
    let (queue_tx, queue_rx) = mpsc::channel(1);
    let (events_tx, events_rx) = mpsc::unbounded_channel();
    let arn = format!(
        "arn:aws:lambda:{}:{}:function:{function_name}",
        gatewise_model::pseudo::REGION,
        gatewise_model::pseudo::ACCOUNT_ID
    );
    let shared = Arc::new(Shared {
        function_arn: HeaderValue::from_str(&arn)
            .unwrap_or_else(|_| HeaderValue::from_static("arn:aws:lambda:function")),
        events: events_tx,
        queue: tokio::sync::Mutex::new(queue_rx),
        state: Mutex::new(Phase::default()),
    });
    let router = Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next))
        .route(
            "/2018-06-01/runtime/invocation/{id}/response",
            post(response),
        )
        .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
        .route("/2018-06-01/runtime/init/error", post(init_error))
        .layer(DefaultBodyLimit::max(MAX_RESPONSE_BYTES))
        .with_state(shared);
    let listener = InstanceListener {
        inner: listener,
        owner,
        function_name: Arc::from(function_name),
        refusal_logged: false,
        members: None,
    };
    let server = tokio::spawn(async move {
        // Errors here mean the listener died; the instance then looks like it never polled.
        let _ = axum::serve(listener, router).await;
    });
    Ok((RuntimeApi { address, server }, queue_tx, events_rx))
}

async fn next(State(shared): State<Arc<Shared>>) -> Response {
    {
        let mut phase = shared.phase();
        if !phase.ready {
            phase.ready = true;
            let _ = shared.events.send(ApiEvent::Ready);
        }
    }
    let Some(invocation) = shared.queue.lock().await.recv().await else {
        return (StatusCode::GONE, "the instance is stopping").into_response();
    };
    let deadline = Instant::now() + invocation.timeout;
    let deadline_ms = (SystemTime::now() + invocation.timeout)
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    // Request ids are validated before they are queued (see `usable_request_id`).
    let request_id = HeaderValue::from_str(&invocation.request_id)
        .unwrap_or_else(|_| HeaderValue::from_static("invalid"));
    shared.phase().current = Some(Current {
        request_id: invocation.request_id,
        deadline,
    });
    let _ = shared.events.send(ApiEvent::Started { deadline });
    let mut headers = HeaderMap::with_capacity(5);
    headers.insert("lambda-runtime-aws-request-id", request_id);
    headers.insert(
        "lambda-runtime-deadline-ms",
        HeaderValue::from(deadline_ms as u64),
    );
    headers.insert(
        "lambda-runtime-invoked-function-arn",
        shared.function_arn.clone(),
    );
    if let Ok(trace) = HeaderValue::from_str(&trace_id()) {
        headers.insert("lambda-runtime-trace-id", trace);
    }
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    (StatusCode::OK, headers, invocation.payload).into_response()
}

async fn response(
    State(shared): State<Arc<Shared>>,
    Path(request_id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) => return body_problem(&shared, &request_id, rejection),
    };
    if let Err(message) = shared.finish(&request_id) {
        return invalid_request_id(message);
    }
    let _ = shared.events.send(ApiEvent::Response(body));
    accepted()
}

async fn error(
    State(shared): State<Arc<Shared>>,
    Path(request_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(message) = shared.finish(&request_id) {
        return invalid_request_id(message);
    }
    let _ = shared
        .events
        .send(ApiEvent::Error(error_report(&headers, &body)));
    accepted()
}

async fn init_error(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if shared.phase().ready {
        let body = json!({
            "errorMessage": "init/error is only allowed before the first /next",
            "errorType": "InvalidStateTransition",
        });
        return (StatusCode::FORBIDDEN, axum::Json(body)).into_response();
    }
    let _ = shared
        .events
        .send(ApiEvent::InitError(error_report(&headers, &body)));
    accepted()
}

/// A response too large to buffer fails the invocation as Lambda does; other body problems
/// are the client's and are only answered.
fn body_problem(shared: &Shared, request_id: &str, rejection: BytesRejection) -> Response {
    if let BytesRejection::FailedToBufferBody(FailedToBufferBody::LengthLimitError(_)) = rejection
        && shared.finish(request_id).is_ok()
    {
        let report = ErrorReport {
            error_type: "Function.ResponseSizeTooLarge".into(),
            error_message: format!(
                "Response payload size exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes)."
            ),
        };
        let _ = shared.events.send(ApiEvent::Error(report.clone()));
        let body = json!({"errorMessage": report.error_message, "errorType": report.error_type});
        return (StatusCode::PAYLOAD_TOO_LARGE, axum::Json(body)).into_response();
    }
    rejection.into_response()
}

/// Reads `errorType` / `errorMessage` from the posted JSON, falling back on the
/// `Lambda-Runtime-Function-Error-Type` header and the raw body for clients that post less.
fn error_report(headers: &HeaderMap, body: &[u8]) -> ErrorReport {
    let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let field = |name: &str| {
        parsed
            .as_ref()
            .and_then(|v| v.get(name))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    let error_type = field("errorType")
        .or_else(|| {
            headers
                .get("lambda-runtime-function-error-type")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "Unhandled".into());
    let error_message =
        field("errorMessage").unwrap_or_else(|| String::from_utf8_lossy(body).into_owned());
    ErrorReport {
        error_type,
        error_message,
    }
}

fn accepted() -> Response {
    (StatusCode::ACCEPTED, axum::Json(json!({"status": "OK"}))).into_response()
}

fn invalid_request_id(message: &str) -> Response {
    let body = json!({"errorMessage": message, "errorType": "InvalidRequestID"});
    (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
}

/// An X-Ray trace header of the shape Lambda sends: `Root=1-<epoch hex>-<24 hex>;Parent=<16
/// hex>;Sampled=0`.
fn trace_id() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!(
        "Root=1-{seconds:08x}-{};Parent={};Sampled=0",
        &random[..24],
        &random[16..]
    )
}

/// The request id as sent to the process: the caller's when it can travel in a header and a
/// URL path segment (Lambda's are UUIDs), else a fresh UUID.
pub(crate) fn usable_request_id(request_id: String) -> String {
    let usable = !request_id.is_empty()
        && request_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
    if usable {
        request_id
    } else {
        uuid::Uuid::new_v4().to_string()
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    /// One HTTP/1.1 exchange on a fresh connection; returns the raw response.
    async fn exchange(address: SocketAddr, method: &str, path: &str, body: &str) -> String {
        let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: runtime\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut response = String::new();
        // A refused connection is closed unread, which may reset it.
        let _ = stream.read_to_string(&mut response).await;
        response
    }

    async fn started() -> (
        RuntimeApi,
        mpsc::Sender<PendingInvocation>,
        mpsc::UnboundedReceiver<ApiEvent>,
    ) {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        // The test process plays the instance.
        let (_, owner) = watch::channel(Some(nix::unistd::getpgrp().as_raw()));
        serve(listener, "hello", owner).unwrap()
    }

    #[tokio::test]
    async fn processes_outside_the_instance_group_are_refused() {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let mut instance = tokio::process::Command::new("sleep")
            .arg("5")
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let group = instance.id().map(|pid| pid as i32);
        let (_, owner) = watch::channel(group);
        let (api, queue, _events) = serve(listener, "hello", owner).unwrap();
        let pending = PendingInvocation {
            request_id: "secret".into(),
            payload: Bytes::from_static(b"{\"token\":1}"),
            timeout: Duration::from_secs(3),
        };
        queue.send(pending).await.unwrap();
        let stolen = exchange(api.address, "GET", &format!("{BASE}/invocation/next"), "").await;
        assert_eq!(stolen, "", "a foreign process got an answer");
        let _ = instance.kill().await;
    }

    const BASE: &str = "/2018-06-01/runtime";

    #[tokio::test]
    async fn next_long_polls_then_delivers_the_event_with_lambda_headers() {
        let (api, queue, mut events) = started().await;
        let address = api.address;
        let next = tokio::spawn(async move {
            exchange(address, "GET", &format!("{BASE}/invocation/next"), "").await
        });
        assert!(matches!(events.recv().await, Some(ApiEvent::Ready)));
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!next.is_finished(), "/next waits for an invocation");
        let pending = PendingInvocation {
            request_id: "req-1".into(),
            payload: Bytes::from_static(b"{\"a\":1}"),
            timeout: Duration::from_secs(3),
        };
        queue.send(pending).await.unwrap();
        let response = next.await.unwrap().to_ascii_lowercase();
        assert!(response.starts_with("http/1.1 200"), "{response}");
        for header in [
            "lambda-runtime-aws-request-id: req-1",
            "lambda-runtime-invoked-function-arn: arn:aws:lambda:us-east-1:123456789012:function:hello",
            "lambda-runtime-deadline-ms: ",
            "lambda-runtime-trace-id: root=1-",
        ] {
            assert!(response.contains(header), "{header} in {response}");
        }
        assert!(response.ends_with("{\"a\":1}"), "{response}");
        assert!(matches!(
            events.recv().await,
            Some(ApiEvent::Started { .. })
        ));

        let unknown = exchange(
            address,
            "POST",
            &format!("{BASE}/invocation/other/response"),
            "1",
        )
        .await;
        assert!(unknown.starts_with("HTTP/1.1 400"), "{unknown}");
        assert!(
            unknown.contains("\"errorType\":\"InvalidRequestID\""),
            "{unknown}"
        );

        let posted = exchange(
            address,
            "POST",
            &format!("{BASE}/invocation/req-1/response"),
            "\"ok\"",
        )
        .await;
        assert!(posted.starts_with("HTTP/1.1 202"), "{posted}");
        assert!(posted.ends_with("{\"status\":\"OK\"}"), "{posted}");
        match events.recv().await {
            Some(ApiEvent::Response(body)) => assert_eq!(&body[..], b"\"ok\""),
            _ => panic!("expected the response"),
        }
        let twice = exchange(
            address,
            "POST",
            &format!("{BASE}/invocation/req-1/response"),
            "1",
        )
        .await;
        assert!(twice.starts_with("HTTP/1.1 400"), "{twice}");
    }

    #[tokio::test]
    async fn responses_after_the_deadline_are_discarded() {
        let (api, queue, mut events) = started().await;
        let pending = PendingInvocation {
            request_id: "late".into(),
            payload: Bytes::from_static(b"{}"),
            timeout: Duration::ZERO,
        };
        queue.send(pending).await.unwrap();
        exchange(api.address, "GET", &format!("{BASE}/invocation/next"), "").await;
        tokio::time::sleep(Duration::from_millis(5)).await;
        let late = exchange(
            api.address,
            "POST",
            &format!("{BASE}/invocation/late/response"),
            "1",
        )
        .await;
        assert!(late.starts_with("HTTP/1.1 400"), "{late}");
        assert!(matches!(events.recv().await, Some(ApiEvent::Ready)));
        assert!(matches!(
            events.recv().await,
            Some(ApiEvent::Started { .. })
        ));
        assert!(events.try_recv().is_err(), "no response event");
    }

    #[tokio::test]
    async fn init_errors_are_reported_only_before_the_first_next() {
        let (api, queue, mut events) = started().await;
        let body = r#"{"errorType":"Runtime.ImportModuleError","errorMessage":"nope"}"#;
        let posted = exchange(api.address, "POST", &format!("{BASE}/init/error"), body).await;
        assert!(posted.starts_with("HTTP/1.1 202"), "{posted}");
        match events.recv().await {
            Some(ApiEvent::InitError(report)) => {
                assert_eq!(report.error_type, "Runtime.ImportModuleError");
                assert_eq!(report.error_message, "nope");
            }
            _ => panic!("expected the init error"),
        }
        drop(queue);
        let gone = exchange(api.address, "GET", &format!("{BASE}/invocation/next"), "").await;
        assert!(gone.starts_with("HTTP/1.1 410"), "{gone}");
        let late = exchange(api.address, "POST", &format!("{BASE}/init/error"), body).await;
        assert!(late.starts_with("HTTP/1.1 403"), "{late}");
    }

    #[test]
    fn request_ids_that_cannot_travel_are_replaced() {
        let cases = [
            ("c6af9ac6-7b61-11e6-9a41-93e8deadbeef", true),
            ("abc_1.2:3", true),
            ("", false),
            ("a/b", false),
            ("a b", false),
            ("é", false),
        ];
        for (id, kept) in cases {
            assert_eq!(usable_request_id(id.to_owned()) == id, kept, "{id:?}");
        }
    }

    #[test]
    fn error_reports_prefer_the_body_then_the_header() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "lambda-runtime-function-error-type",
            HeaderValue::from_static("Header.Type"),
        );
        let cases: [(&HeaderMap, &[u8], &str, &str); 3] = [
            (
                &headers,
                br#"{"errorType":"TypeError","errorMessage":"boom"}"#,
                "TypeError",
                "boom",
            ),
            (&headers, b"not json", "Header.Type", "not json"),
            (&HeaderMap::new(), b"{}", "Unhandled", "{}"),
        ];
        for (headers, body, error_type, message) in cases {
            let report = error_report(headers, body);
            assert_eq!(
                (report.error_type.as_str(), report.error_message.as_str()),
                (error_type, message)
            );
        }
    }

    #[test]
    fn trace_ids_look_like_xray() {
        let trace = trace_id();
        let parts: Vec<&str> = trace.split(';').collect();
        assert_eq!(parts.len(), 3, "{trace}");
        assert!(parts[0].starts_with("Root=1-") && parts[0].len() == 7 + 8 + 1 + 24);
        assert_eq!(parts[1].len(), "Parent=".len() + 16);
    }
}
