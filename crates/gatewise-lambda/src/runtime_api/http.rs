//! The Runtime API over HTTP, served on the instance's own loopback port: a real long poll on
//! `/next`, then `/response`, `/error` or `/init/error`.
//!
//! Only the instance's own processes may connect (see [`crate::peer`]): a connection from any
//! other process is closed unanswered, and the first refusal is logged.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::extract::rejection::{BytesRejection, FailedToBufferBody};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use serde_json::json;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::{MAX_RESPONSE_BYTES, Shared};
use crate::{log, peer};

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

/// Serves `shared` on `listener` to the processes of the group `owner` will name, until the
/// returned task is aborted.
pub(super) fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    owner: watch::Receiver<Option<i32>>,
) -> JoinHandle<()> {
    let listener = InstanceListener {
        inner: listener,
        owner,
        function_name: Arc::clone(&shared.function_name),
        refusal_logged: false,
        members: None,
    };
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
    tokio::spawn(async move {
        // Errors here mean the listener died; the instance then looks like it never polled.
        let _ = axum::serve(listener, router).await;
    })
}

async fn next(State(shared): State<Arc<Shared>>) -> Response {
    let Some(delivery) = shared.next().await else {
        return (StatusCode::GONE, "the instance is stopping").into_response();
    };
    // Request ids are validated before they are queued (see `usable_request_id`).
    let request_id = HeaderValue::from_str(&delivery.request_id)
        .unwrap_or_else(|_| HeaderValue::from_static("invalid"));
    let mut headers = HeaderMap::with_capacity(5);
    headers.insert("lambda-runtime-aws-request-id", request_id);
    headers.insert(
        "lambda-runtime-deadline-ms",
        HeaderValue::from(delivery.deadline_ms),
    );
    headers.insert(
        "lambda-runtime-invoked-function-arn",
        shared.function_arn.clone(),
    );
    if let Ok(trace) = HeaderValue::from_str(&delivery.trace_id) {
        headers.insert("lambda-runtime-trace-id", trace);
    }
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    (StatusCode::OK, headers, delivery.payload).into_response()
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
    match shared.respond(&request_id, body) {
        Ok(()) => accepted(),
        Err(message) => invalid_request_id(message),
    }
}

async fn error(
    State(shared): State<Arc<Shared>>,
    Path(request_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match shared.fail(&request_id, error_type(&headers), &body) {
        Ok(()) => accepted(),
        Err(message) => invalid_request_id(message),
    }
}

async fn init_error(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match shared.init_fail(error_type(&headers), &body) {
        Ok(()) => accepted(),
        Err(message) => {
            let body = json!({"errorMessage": message, "errorType": "InvalidStateTransition"});
            (StatusCode::FORBIDDEN, axum::Json(body)).into_response()
        }
    }
}

/// `Lambda-Runtime-Function-Error-Type`, for clients whose error body says less.
fn error_type(headers: &HeaderMap) -> Option<&str> {
    headers
        .get("lambda-runtime-function-error-type")
        .and_then(|v| v.to_str().ok())
}

/// A response too large to buffer fails the invocation as Lambda does; other body problems
/// are the client's and are only answered.
fn body_problem(shared: &Shared, request_id: &str, rejection: BytesRejection) -> Response {
    if let BytesRejection::FailedToBufferBody(FailedToBufferBody::LengthLimitError(_)) = rejection
        && let Some(report) = shared.respond_too_large(request_id)
    {
        let body = json!({"errorMessage": report.error_message, "errorType": report.error_type});
        return (StatusCode::PAYLOAD_TOO_LARGE, axum::Json(body)).into_response();
    }
    rejection.into_response()
}

fn accepted() -> Response {
    (StatusCode::ACCEPTED, axum::Json(json!({"status": "OK"}))).into_response()
}

fn invalid_request_id(message: &str) -> Response {
    let body = json!({"errorMessage": message, "errorType": "InvalidRequestID"});
    (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::sync::mpsc;

    use super::super::{ApiEvent, PendingInvocation, RuntimeApi, serve};
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

    /// A runtime client's `POST /invocation/ID/response` with `body`: the raw response.
    async fn post_response(address: SocketAddr, id: &str, body: &str) -> String {
        let path = format!("{BASE}/invocation/{id}/response");
        exchange(address, "POST", &path, body).await
    }

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

        let unknown = post_response(address, "other", "1").await;
        assert!(unknown.starts_with("HTTP/1.1 400"), "{unknown}");
        assert!(
            unknown.contains("\"errorType\":\"InvalidRequestID\""),
            "{unknown}"
        );

        let posted = post_response(address, "req-1", "\"ok\"").await;
        assert!(posted.starts_with("HTTP/1.1 202"), "{posted}");
        assert!(posted.ends_with("{\"status\":\"OK\"}"), "{posted}");
        match events.recv().await {
            Some(ApiEvent::Response(body)) => assert_eq!(&body[..], b"\"ok\""),
            _ => panic!("expected the response"),
        }
        let twice = post_response(address, "req-1", "1").await;
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
        let late = post_response(api.address, "late", "1").await;
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
    fn the_error_type_header_is_read_when_present() {
        let mut headers = HeaderMap::new();
        assert_eq!(error_type(&headers), None);
        headers.insert(
            "lambda-runtime-function-error-type",
            HeaderValue::from_static("Header.Type"),
        );
        assert_eq!(error_type(&headers), Some("Header.Type"));
    }
}
