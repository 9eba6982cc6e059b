//! The Lambda Runtime API of one instance: what its process and gatewise exchange, over two
//! transports that share one state.
//!
//! - [`http`]: the Runtime API as Lambda serves it, on the instance's own loopback port
//!   (`AWS_LAMBDA_RUNTIME_API`). Custom runtimes (`provided*`) speak it; it runs for every
//!   instance, so handlers and tools that call it find it as on Lambda.
//! - [`pipe`]: framed messages over a socket pair the process inherits, spoken by gatewise's
//!   own runtime clients (`runtimes/`), which cost a fraction of the two HTTP exchanges per
//!   invocation.
//!
//! Both turn what the process does into the same [`ApiEvent`]s for whoever holds the instance,
//! hand out the invocation that holder queues from the same long poll, and apply the same
//! rules ([`Shared`]): request ids, deadlines, the response size limit and the reading of error
//! reports. One state per instance means the transport itself says which instance is talking:
//! no instance ids in messages, and a request id can only be answered by the process that
//! received it.

mod http;
pub(crate) mod pipe;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::http::HeaderValue;
use bytes::Bytes;
use tokio::net::{TcpListener, UnixStream};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

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

/// An invocation queued for the instance; delivered by the next `/next`.
pub(crate) struct PendingInvocation {
    pub request_id: String,
    pub payload: Bytes,
    pub timeout: Duration,
}

/// A function error as reported to `/error` or `/init/error`.
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

/// The Runtime API of one instance; its transports stop when it is dropped.
pub(crate) struct RuntimeApi {
    pub address: SocketAddr,
    shared: Arc<Shared>,
    server: JoinHandle<()>,
    pipe: Option<JoinHandle<()>>,
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.server.abort();
        if let Some(pipe) = &self.pipe {
            pipe.abort();
        }
    }
}

impl RuntimeApi {
    /// Also serves the Runtime API over `stream`, gatewise's end of the socket pair whose
    /// other end the process inherited. `stop_instance` is called (once) when the process sends
    /// something that is not a frame, after the reason has been logged.
    pub fn serve_pipe(
        &mut self,
        stream: UnixStream,
        stop_instance: impl FnOnce() + Send + 'static,
    ) {
        let shared = Arc::clone(&self.shared);
        self.pipe = Some(tokio::spawn(pipe::serve(stream, shared, stop_instance)));
    }
}

/// Starts serving the Runtime API of one instance of `function_name` over HTTP on `listener`,
/// to the processes of the group `owner` will name. Returns the API, the queue for invocations
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
        function_name: Arc::from(function_name),
        function_arn: HeaderValue::from_str(&arn)
            .unwrap_or_else(|_| HeaderValue::from_static("arn:aws:lambda:function")),
        events: events_tx,
        queue: tokio::sync::Mutex::new(queue_rx),
        state: Mutex::new(Phase::default()),
    });
    let server = http::serve(listener, Arc::clone(&shared), owner);
    let api = RuntimeApi {
        address,
        shared,
        server,
        pipe: None,
    };
    Ok((api, queue_tx, events_rx))
}

/// The state of one instance's Runtime API, whichever transport the process uses.
struct Shared {
    /// The log prefix, for what a transport has to say about the process.
    function_name: Arc<str>,
    /// `Lambda-Runtime-Invoked-Function-Arn`: a valid header value, so also free of line
    /// breaks (the pipe's field separator).
    function_arn: HeaderValue,
    events: mpsc::UnboundedSender<ApiEvent>,
    /// Only `next` takes from the queue; the async lock is per instance and is held while
    /// `next` long-polls, which is exactly the instance being idle.
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

/// An invocation as handed to the process, with what Lambda sends along with the event.
struct Delivery {
    /// Validated before it was queued ([`usable_request_id`]): fits a header, a URL path
    /// segment and a pipe field.
    request_id: String,
    /// `Lambda-Runtime-Deadline-Ms`: the deadline in milliseconds since the Unix epoch.
    deadline_ms: u64,
    /// `Lambda-Runtime-Trace-Id`.
    trace_id: String,
    payload: Bytes,
}

/// Why an answer for an invocation was not taken; the message of the `InvalidRequestID` error.
type InvalidRequestId = &'static str;

/// Why an init error was not taken; the message of the `InvalidStateTransition` error.
const INIT_ERROR_AFTER_NEXT: &str = "init/error is only allowed before the first /next";

impl Shared {
    fn phase(&self) -> std::sync::MutexGuard<'_, Phase> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `/next`: ends initialisation on the first call, then waits for the queued invocation
    /// and starts its clock. `None` once the instance is stopping.
    async fn next(&self) -> Option<Delivery> {
        {
            let mut phase = self.phase();
            if !phase.ready {
                phase.ready = true;
                let _ = self.events.send(ApiEvent::Ready);
            }
        }
        let invocation = self.queue.lock().await.recv().await?;
        let deadline = Instant::now() + invocation.timeout;
        let deadline_ms = (SystemTime::now() + invocation.timeout)
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        self.phase().current = Some(Current {
            request_id: invocation.request_id.clone(),
            deadline,
        });
        let _ = self.events.send(ApiEvent::Started { deadline });
        Some(Delivery {
            request_id: invocation.request_id,
            deadline_ms,
            trace_id: trace_id(),
            payload: invocation.payload,
        })
    }

    /// `/response`.
    fn respond(&self, request_id: &str, body: Bytes) -> Result<(), InvalidRequestId> {
        self.finish(request_id)?;
        let _ = self.events.send(ApiEvent::Response(body));
        Ok(())
    }

    /// A `/response` over [`MAX_RESPONSE_BYTES`], which fails the invocation as Lambda does.
    /// Returns the report when it was for the current invocation.
    fn respond_too_large(&self, request_id: &str) -> Option<ErrorReport> {
        self.finish(request_id).ok()?;
        let report = ErrorReport {
            error_type: "Function.ResponseSizeTooLarge".into(),
            error_message: format!(
                "Response payload size exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes)."
            ),
        };
        let _ = self.events.send(ApiEvent::Error(report.clone()));
        Some(report)
    }

    /// `/error`, with the `Lambda-Runtime-Function-Error-Type` the client sent, if any.
    fn fail(
        &self,
        request_id: &str,
        error_type: Option<&str>,
        body: &[u8],
    ) -> Result<(), InvalidRequestId> {
        self.finish(request_id)?;
        let _ = self
            .events
            .send(ApiEvent::Error(error_report(error_type, body)));
        Ok(())
    }

    /// `/init/error`, taken only before the first `/next`.
    fn init_fail(&self, error_type: Option<&str>, body: &[u8]) -> Result<(), &'static str> {
        if self.phase().ready {
            return Err(INIT_ERROR_AFTER_NEXT);
        }
        let _ = self
            .events
            .send(ApiEvent::InitError(error_report(error_type, body)));
        Ok(())
    }

    /// Ends the current invocation if `request_id` names it and its deadline has not passed.
    fn finish(&self, request_id: &str) -> Result<(), InvalidRequestId> {
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

/// Reads `errorType` / `errorMessage` from the reported JSON, falling back on the error type
/// the client sent beside it (`Lambda-Runtime-Function-Error-Type`) and the raw body for
/// clients that report less.
fn error_report(error_type: Option<&str>, body: &[u8]) -> ErrorReport {
    let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let field = |name: &str| {
        parsed
            .as_ref()
            .and_then(|v| v.get(name))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    let error_type = field("errorType")
        .or_else(|| error_type.map(str::to_owned))
        .unwrap_or_else(|| "Unhandled".into());
    let error_message =
        field("errorMessage").unwrap_or_else(|| String::from_utf8_lossy(body).into_owned());
    ErrorReport {
        error_type,
        error_message,
    }
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
    use super::*;

    #[test]
    fn request_ids_that_cannot_travel_are_replaced() {
        let cases = [
            ("c6af9ac6-7b61-11e6-9a41-93e8deadbeef", true),
            ("abc_1.2:3", true),
            ("", false),
            ("a/b", false),
            ("a b", false),
            ("a\nb", false),
            ("é", false),
        ];
        for (id, kept) in cases {
            assert_eq!(usable_request_id(id.to_owned()) == id, kept, "{id:?}");
        }
    }

    #[test]
    fn error_reports_prefer_the_body_then_the_error_type_sent_beside_it() {
        let cases: [(Option<&str>, &[u8], &str, &str); 4] = [
            (
                Some("Header.Type"),
                br#"{"errorType":"TypeError","errorMessage":"boom"}"#,
                "TypeError",
                "boom",
            ),
            (Some("Header.Type"), b"not json", "Header.Type", "not json"),
            (
                Some("Header.Type"),
                br#"{"errorType":5,"errorMessage":"odd"}"#,
                "Header.Type",
                "odd",
            ),
            (None, b"{}", "Unhandled", "{}"),
        ];
        for (error_type, body, want_type, want_message) in cases {
            let report = error_report(error_type, body);
            assert_eq!(
                (report.error_type.as_str(), report.error_message.as_str()),
                (want_type, want_message)
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
