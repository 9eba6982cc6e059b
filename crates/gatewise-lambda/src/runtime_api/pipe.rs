//! The Runtime API over a socket pair, spoken by gatewise's own runtime clients (`runtimes/`).
//!
//! Why: under load, a warm Node function spent most of its CPU in its HTTP client and the
//! kernel, and gatewise a large share of its own serving the two HTTP exchanges of every
//! invocation (`/next`, then `/response`). The bundled clients are gatewise's, so they need
//! neither HTTP nor a port: an invocation is one frame each way over a Unix socket pair.
//! Custom runtimes (`provided*`) speak only HTTP and keep it ([`super::http`]); that server runs
//! for these instances too, so `AWS_LAMBDA_RUNTIME_API` answers as on Lambda.
//!
//! The process inherits its end of the pair as descriptor [`CHILD_FD`]; the runtime client
//! learns so from its command-line argument (which it removes from its argv), not from the
//! environment, which stays exactly Lambda's. Only processes that inherited the descriptor can
//! use it, so the pipe needs no peer check; the clients keep it from their handlers' children.
//!
//! # Frames
//!
//! Both directions use one frame shape:
//!
//! ```text
//! kind: u8 | head length: u32 big-endian | head | body length: u32 big-endian | body
//! ```
//!
//! The head is UTF-8 text whose fields are separated by `\n` (short strings the clients split
//! without a JSON parser); the body is opaque bytes. The kinds, and the Runtime API call each
//! stands for:
//!
//! | kind | sent by | Runtime API | head fields | body |
//! | --- | --- | --- | --- | --- |
//! | 1 `NEXT` | client | `GET /invocation/next` | none (empty) | empty |
//! | 2 `INVOCATION` | gatewise | the answer to `/next` | request id, deadline (ms since the Unix epoch), function ARN, trace id | the event |
//! | 3 `RESPONSE` | client | `POST /invocation/{id}/response` | request id | the result |
//! | 4 `ERROR` | client | `POST /invocation/{id}/error` | request id, error type | the error JSON |
//! | 5 `INIT_ERROR` | client | `POST /init/error` | error type | the error JSON |
//!
//! The error type is `Lambda-Runtime-Function-Error-Type`, read only when the error JSON has
//! no string `errorType`; it may be empty (absent), and being the last field it may hold any
//! text. Nothing is acknowledged: the HTTP answers to these posts say nothing the clients act
//! on, and gatewise handles frames in order, so a client writes its answer and its next `NEXT`
//! at once. A client that exits after a frame (an init error, an uncaught exception) shuts
//! down its sending side and waits for gatewise to close the pipe, which it does once it has
//! read everything before that: the frame's event always comes before the process's exit, as
//! it did when the client waited for the HTTP answer.
//!
//! Limits: an unknown kind, a kind only gatewise sends, a head over [`MAX_HEAD_BYTES`] or not
//! UTF-8, or a `NEXT` with content is not this protocol: gatewise logs what it got, stops the
//! instance and reads no further. A body over [`MAX_RESPONSE_BYTES`] is read past without being
//! kept and ends as an oversized HTTP post does: a response fails its invocation with
//! `Function.ResponseSizeTooLarge` and the instance keeps serving; an error report is refused
//! and the invocation runs on to its timeout.

use std::io::Write as _;
use std::os::fd::RawFd;
use std::sync::Arc;

use bytes::{Buf, Bytes, BytesMut};
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
};
use tokio::net::UnixStream;

use super::{Delivery, MAX_RESPONSE_BYTES, Shared};
use crate::log;

/// The descriptor the runtime client finds its end of the pair at; passed to it as its last
/// argument.
pub(crate) const CHILD_FD: RawFd = 3;

const NEXT: u8 = 1;
const INVOCATION: u8 = 2;
const RESPONSE: u8 = 3;
const ERROR: u8 = 4;
const INIT_ERROR: u8 = 5;

/// Longest head gatewise reads: far above a request id and an error type, far below anything
/// worth buffering for a misbehaving process.
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// A frame from the runtime client.
#[derive(Debug, PartialEq)]
enum Request {
    Next,
    Response {
        request_id: String,
        body: Body,
    },
    Error {
        request_id: String,
        error_type: Option<String>,
        body: Body,
    },
    InitError {
        error_type: Option<String>,
        body: Body,
    },
}

#[derive(Debug, PartialEq)]
enum Body {
    Kept(Bytes),
    /// Over [`MAX_RESPONSE_BYTES`]: read past, not kept.
    TooLarge,
}

#[derive(Debug, PartialEq)]
enum ReadError {
    /// The process closed its end (it exited, or was killed), possibly mid-frame.
    Closed,
    /// Not a frame of this protocol; what was received instead.
    Malformed(String),
}

impl From<std::io::Error> for ReadError {
    fn from(_: std::io::Error) -> Self {
        ReadError::Closed
    }
}

/// Serves `shared` over `stream` until the process closes its end (then closes the pipe, which
/// a client about to exit waits for) or the task is aborted; calls `stop_instance` after
/// logging a malformed frame.
pub(super) async fn serve(
    stream: UnixStream,
    shared: Arc<Shared>,
    stop_instance: impl FnOnce() + Send + 'static,
) {
    let (read, mut write) = stream.into_split();
    // Most frames are small: one read takes a whole frame instead of one per field.
    let mut reader = BufReader::new(read);
    loop {
        let request = match read_request(&mut reader).await {
            Ok(request) => request,
            Err(ReadError::Closed) => return,
            Err(ReadError::Malformed(what)) => {
                log::line(
                    &shared.function_name,
                    &format!(
                        "Runtime API pipe: the runtime client sent {what}, which is not a frame of gatewise's protocol; stopping the instance"
                    ),
                );
                stop_instance();
                return;
            }
        };
        // Answers for the wrong request id and late init errors are dropped, as the clients
        // drop the HTTP API's 4xx answers to them.
        match request {
            Request::Next => {
                let delivery = tokio::select! {
                    biased;
                    // A process that went away while it waited (killed, crashed) is not handed
                    // the invocation: it stays queued, and the instance's holder sees it was not
                    // delivered and takes it elsewhere, as when an HTTP long poll's connection
                    // closes.
                    () = until_closed(&mut reader) => return,
                    delivery = shared.next() => delivery,
                };
                let Some(delivery) = delivery else {
                    return;
                };
                if write_invocation(&mut write, shared.function_arn.as_bytes(), delivery)
                    .await
                    .is_err()
                {
                    return;
                }
            }
            Request::Response {
                request_id,
                body: Body::Kept(body),
            } => {
                let _ = shared.respond(&request_id, body);
            }
            Request::Response {
                request_id,
                body: Body::TooLarge,
            } => {
                shared.respond_too_large(&request_id);
            }
            Request::Error {
                request_id,
                error_type,
                body: Body::Kept(body),
            } => {
                let _ = shared.fail(&request_id, error_type.as_deref(), &body);
            }
            Request::InitError {
                error_type,
                body: Body::Kept(body),
            } => {
                let _ = shared.init_fail(error_type.as_deref(), &body);
            }
            // Refused, as the HTTP API refuses an oversized post to `/error` or `/init/error`.
            Request::Error {
                body: Body::TooLarge,
                ..
            }
            | Request::InitError {
                body: Body::TooLarge,
                ..
            } => {}
        }
    }
}

/// Returns once the process has closed its end. Bytes that arrive instead stay buffered for
/// the next read, and the wait goes on without watching.
async fn until_closed(reader: &mut (impl AsyncBufRead + Unpin)) {
    match reader.fill_buf().await {
        Ok([]) | Err(_) => {}
        Ok(_) => std::future::pending().await,
    }
}

/// Reads one frame from the runtime client.
async fn read_request(reader: &mut (impl AsyncRead + Unpin)) -> Result<Request, ReadError> {
    let kind = reader.read_u8().await?;
    match kind {
        NEXT | RESPONSE | ERROR | INIT_ERROR => {}
        INVOCATION => {
            return Err(ReadError::Malformed(
                "an INVOCATION frame, which only gatewise sends".into(),
            ));
        }
        other => {
            return Err(ReadError::Malformed(format!(
                "a frame of unknown kind {other}"
            )));
        }
    }
    let head_length = reader.read_u32().await?;
    let head_length = usize::try_from(head_length).unwrap_or(usize::MAX);
    if head_length > MAX_HEAD_BYTES {
        return Err(ReadError::Malformed(format!(
            "a frame head of {head_length} bytes (at most {MAX_HEAD_BYTES})"
        )));
    }
    let mut head = vec![0; head_length];
    reader.read_exact(&mut head).await?;
    let head = String::from_utf8(head)
        .map_err(|_| ReadError::Malformed("a frame head that is not UTF-8".into()))?;
    let body_length = reader.read_u32().await?;
    if kind == NEXT && (!head.is_empty() || body_length != 0) {
        return Err(ReadError::Malformed(format!(
            "a NEXT frame with a {}-byte head and a {body_length}-byte body (both must be empty)",
            head.len()
        )));
    }
    let body = match usize::try_from(body_length) {
        Ok(length) if length <= MAX_RESPONSE_BYTES => {
            // Read into spare capacity: up to 6 MB need not be zeroed first.
            let mut body = BytesMut::with_capacity(length);
            let mut rest = (&mut *reader).take(u64::from(body_length));
            while body.len() < length {
                if rest.read_buf(&mut body).await? == 0 {
                    return Err(ReadError::Closed);
                }
            }
            Body::Kept(body.freeze())
        }
        _ => {
            let skipped = tokio::io::copy(
                &mut (&mut *reader).take(u64::from(body_length)),
                &mut tokio::io::sink(),
            )
            .await?;
            if skipped < u64::from(body_length) {
                return Err(ReadError::Closed);
            }
            Body::TooLarge
        }
    };
    let optional = |text: &str| (!text.is_empty()).then(|| text.to_owned());
    Ok(match kind {
        NEXT => Request::Next,
        RESPONSE => Request::Response {
            request_id: head,
            body,
        },
        ERROR => {
            let (request_id, error_type) = head.split_once('\n').unwrap_or((&head, ""));
            Request::Error {
                request_id: request_id.to_owned(),
                error_type: optional(error_type),
                body,
            }
        }
        _ => Request::InitError {
            error_type: optional(&head),
            body,
        },
    })
}

/// Sends `delivery` as an `INVOCATION` frame, in one vectored write. The head is written in
/// place behind the kind and its length, which is filled in once known.
async fn write_invocation(
    write: &mut (impl AsyncWrite + Unpin),
    function_arn: &[u8],
    delivery: Delivery,
) -> std::io::Result<()> {
    let mut prefix = Vec::with_capacity(delivery.request_id.len() + function_arn.len() + 105);
    prefix.push(INVOCATION);
    prefix.extend_from_slice(&[0; 4]);
    write!(
        prefix,
        "{}\n{}\n",
        delivery.request_id, delivery.deadline_ms
    )?;
    prefix.extend_from_slice(function_arn);
    write!(prefix, "\n{}", delivery.trace_id)?;
    let head_length = frame_length(prefix.len() - 5)?;
    prefix[1..5].copy_from_slice(&head_length.to_be_bytes());
    prefix.extend_from_slice(&frame_length(delivery.payload.len())?.to_be_bytes());
    write
        .write_all_buf(&mut Buf::chain(prefix.as_slice(), delivery.payload))
        .await
}

/// A head or body length as a frame carries it.
fn frame_length(n: usize) -> std::io::Result<u32> {
    u32::try_from(n).map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("{n} bytes do not fit a frame"),
        )
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::net::TcpListener;
    use tokio::sync::watch;

    use super::super::{ApiEvent, PendingInvocation, serve as serve_api};
    use super::*;

    fn frame(kind: u8, head: &str, body: &[u8]) -> Vec<u8> {
        let mut frame = vec![kind];
        frame.extend_from_slice(&frame_length(head.len()).unwrap().to_be_bytes());
        frame.extend_from_slice(head.as_bytes());
        frame.extend_from_slice(&frame_length(body.len()).unwrap().to_be_bytes());
        frame.extend_from_slice(body);
        frame
    }

    fn kept(body: &str) -> Body {
        Body::Kept(Bytes::copy_from_slice(body.as_bytes()))
    }

    fn malformed(what: &str) -> Result<Request, ReadError> {
        Err(ReadError::Malformed(what.into()))
    }

    async fn decode(mut bytes: &[u8]) -> Result<Request, ReadError> {
        read_request(&mut bytes).await
    }

    #[tokio::test]
    async fn client_frames_decode_to_runtime_api_calls() {
        let error = r#"{"errorType":"TypeError","errorMessage":"boom"}"#;
        let cases: Vec<(&str, Vec<u8>, Result<Request, ReadError>)> = vec![
            ("next", frame(NEXT, "", b""), Ok(Request::Next)),
            (
                "response",
                frame(RESPONSE, "req-1", b"\"ok\""),
                Ok(Request::Response {
                    request_id: "req-1".into(),
                    body: kept("\"ok\""),
                }),
            ),
            (
                "empty response",
                frame(RESPONSE, "req-1", b""),
                Ok(Request::Response {
                    request_id: "req-1".into(),
                    body: kept(""),
                }),
            ),
            (
                "error with a type",
                frame(ERROR, "req-1\nTypeError", error.as_bytes()),
                Ok(Request::Error {
                    request_id: "req-1".into(),
                    error_type: Some("TypeError".into()),
                    body: kept(error),
                }),
            ),
            (
                "error with an empty type",
                frame(ERROR, "req-1\n", b"{}"),
                Ok(Request::Error {
                    request_id: "req-1".into(),
                    error_type: None,
                    body: kept("{}"),
                }),
            ),
            (
                "error without a type field",
                frame(ERROR, "req-1", b"{}"),
                Ok(Request::Error {
                    request_id: "req-1".into(),
                    error_type: None,
                    body: kept("{}"),
                }),
            ),
            (
                "error type with a line break",
                frame(ERROR, "req-1\nOdd\nName", b"{}"),
                Ok(Request::Error {
                    request_id: "req-1".into(),
                    error_type: Some("Odd\nName".into()),
                    body: kept("{}"),
                }),
            ),
            (
                "init error",
                frame(INIT_ERROR, "Runtime.ImportModuleError", b"{}"),
                Ok(Request::InitError {
                    error_type: Some("Runtime.ImportModuleError".into()),
                    body: kept("{}"),
                }),
            ),
            (
                "init error without a type",
                frame(INIT_ERROR, "", b"x"),
                Ok(Request::InitError {
                    error_type: None,
                    body: kept("x"),
                }),
            ),
            (
                "response at the limit",
                frame(RESPONSE, "req-1", &vec![b'x'; MAX_RESPONSE_BYTES]),
                Ok(Request::Response {
                    request_id: "req-1".into(),
                    body: Body::Kept(Bytes::from(vec![b'x'; MAX_RESPONSE_BYTES])),
                }),
            ),
            (
                "response over the limit",
                frame(RESPONSE, "req-1", &vec![b'x'; MAX_RESPONSE_BYTES + 1]),
                Ok(Request::Response {
                    request_id: "req-1".into(),
                    body: Body::TooLarge,
                }),
            ),
            (
                "error over the limit",
                frame(ERROR, "req-1\nE", &vec![b'x'; MAX_RESPONSE_BYTES + 1]),
                Ok(Request::Error {
                    request_id: "req-1".into(),
                    error_type: Some("E".into()),
                    body: Body::TooLarge,
                }),
            ),
            (
                "unknown kind 0",
                frame(0, "", b""),
                malformed("a frame of unknown kind 0"),
            ),
            (
                "unknown kind 6",
                frame(6, "", b""),
                malformed("a frame of unknown kind 6"),
            ),
            (
                "unknown kind 123 ('{')",
                b"{\"errorType\":\"x\"}".to_vec(),
                malformed("a frame of unknown kind 123"),
            ),
            (
                "invocation from the client",
                frame(INVOCATION, "a\nb\nc\nd", b"{}"),
                malformed("an INVOCATION frame, which only gatewise sends"),
            ),
            (
                "head over the limit, not read",
                [RESPONSE, 0, 1, 0, 1].to_vec(),
                malformed("a frame head of 65537 bytes (at most 65536)"),
            ),
            (
                "head of u32::MAX bytes",
                [ERROR, 0xff, 0xff, 0xff, 0xff].to_vec(),
                malformed("a frame head of 4294967295 bytes (at most 65536)"),
            ),
            (
                "head not UTF-8",
                [RESPONSE, 0, 0, 0, 2, 0xc3, 0x28, 0, 0, 0, 0].to_vec(),
                malformed("a frame head that is not UTF-8"),
            ),
            (
                "next with a head",
                frame(NEXT, "req-1", b""),
                malformed("a NEXT frame with a 5-byte head and a 0-byte body (both must be empty)"),
            ),
            (
                "next with a body",
                frame(NEXT, "", b"{}"),
                malformed("a NEXT frame with a 0-byte head and a 2-byte body (both must be empty)"),
            ),
            ("nothing", Vec::new(), Err(ReadError::Closed)),
            ("kind only", vec![RESPONSE], Err(ReadError::Closed)),
            (
                "head cut short",
                frame(RESPONSE, "req-1", b"1")[..7].to_vec(),
                Err(ReadError::Closed),
            ),
            (
                "body cut short",
                frame(RESPONSE, "req-1", b"12345")[..16].to_vec(),
                Err(ReadError::Closed),
            ),
            (
                "oversized body cut short",
                frame(RESPONSE, "r", &vec![b'x'; MAX_RESPONSE_BYTES + 1])[..100].to_vec(),
                Err(ReadError::Closed),
            ),
        ];
        for (name, bytes, want) in cases {
            assert_eq!(decode(&bytes).await, want, "{name}");
        }
    }

    #[tokio::test]
    async fn the_frame_after_an_oversized_body_is_read_whole() {
        let mut bytes = frame(RESPONSE, "req-1", &vec![b'x'; MAX_RESPONSE_BYTES + 10]);
        bytes.extend(frame(NEXT, "", b""));
        let mut reader = bytes.as_slice();
        assert_eq!(
            read_request(&mut reader).await,
            Ok(Request::Response {
                request_id: "req-1".into(),
                body: Body::TooLarge
            })
        );
        assert_eq!(read_request(&mut reader).await, Ok(Request::Next));
        assert_eq!(read_request(&mut reader).await, Err(ReadError::Closed));
    }

    #[tokio::test]
    async fn invocations_are_encoded_as_documented() {
        let cases: [(&str, &[u8], &[u8]); 2] = [
            (
                "event",
                b"{\"a\":1}",
                b"\x02\x00\x00\x00\x2dreq-1\n1700000000000\narn:aws:lambda:f\nRoot=1-x\x00\x00\x00\x07{\"a\":1}",
            ),
            (
                "empty event",
                b"",
                b"\x02\x00\x00\x00\x2dreq-1\n1700000000000\narn:aws:lambda:f\nRoot=1-x\x00\x00\x00\x00",
            ),
        ];
        for (name, payload, want) in cases {
            let delivery = Delivery {
                request_id: "req-1".into(),
                deadline_ms: 1_700_000_000_000,
                trace_id: "Root=1-x".into(),
                payload: Bytes::copy_from_slice(payload),
            };
            let mut written = Vec::new();
            write_invocation(&mut written, b"arn:aws:lambda:f", delivery)
                .await
                .unwrap();
            assert_eq!(written, want, "{name}");
        }
    }

    /// Reads one frame as a runtime client does: (kind, head, body).
    async fn client_read(reader: &mut (impl AsyncRead + Unpin)) -> (u8, String, Vec<u8>) {
        let kind = reader.read_u8().await.unwrap();
        let mut head = vec![0; reader.read_u32().await.unwrap() as usize];
        reader.read_exact(&mut head).await.unwrap();
        let mut body = vec![0; reader.read_u32().await.unwrap() as usize];
        reader.read_exact(&mut body).await.unwrap();
        (kind, String::from_utf8(head).unwrap(), body)
    }

    /// An instance's Runtime API served over a socket pair: the API (kept alive while it
    /// serves), its invocation queue, its events, and the client's end of the pipe.
    async fn piped(
        stop_instance: impl FnOnce() + Send + 'static,
    ) -> (
        super::super::RuntimeApi,
        tokio::sync::mpsc::Sender<PendingInvocation>,
        tokio::sync::mpsc::UnboundedReceiver<ApiEvent>,
        UnixStream,
    ) {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let (_, owner) = watch::channel(None);
        let (mut api, queue, events) = serve_api(listener, "hello", owner).unwrap();
        let (ours, client) = UnixStream::pair().unwrap();
        api.serve_pipe(ours, stop_instance);
        (api, queue, events, client)
    }

    fn invocation(id: &str, payload: &'static [u8]) -> PendingInvocation {
        PendingInvocation {
            request_id: id.into(),
            payload: Bytes::from_static(payload),
            timeout: Duration::from_secs(3),
        }
    }

    #[tokio::test]
    async fn a_client_is_served_over_the_pipe_with_the_http_api_s_events() {
        let (stopped_tx, stopped) = tokio::sync::oneshot::channel();
        let (_api, queue, mut events, mut client) = piped(move || {
            let _ = stopped_tx.send(());
        })
        .await;

        client.write_all(&frame(NEXT, "", b"")).await.unwrap();
        assert!(matches!(events.recv().await, Some(ApiEvent::Ready)));
        let invocation = |id: &str| invocation(id, b"{\"a\":1}");
        queue.send(invocation("req-1")).await.unwrap();
        let (kind, head, body) = client_read(&mut client).await;
        assert_eq!(kind, INVOCATION);
        let fields: Vec<&str> = head.split('\n').collect();
        assert_eq!(fields.len(), 4, "{head}");
        assert_eq!(fields[0], "req-1");
        let deadline: u128 = fields[1].parse().unwrap();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis();
        assert!(deadline > now && deadline <= now + 3000, "{deadline}");
        assert_eq!(
            fields[2],
            "arn:aws:lambda:us-east-1:123456789012:function:hello"
        );
        assert!(fields[3].starts_with("Root=1-"), "{head}");
        assert_eq!(body, b"{\"a\":1}");
        assert!(matches!(
            events.recv().await,
            Some(ApiEvent::Started { .. })
        ));

        // A wrong id is dropped; the answer and the next poll travel in one write.
        let mut answer = frame(RESPONSE, "other", b"1");
        answer.extend(frame(RESPONSE, "req-1", b"\"ok\""));
        answer.extend(frame(NEXT, "", b""));
        client.write_all(&answer).await.unwrap();
        match events.recv().await {
            Some(ApiEvent::Response(body)) => assert_eq!(&body[..], b"\"ok\""),
            _ => panic!("expected the response"),
        }

        // Over the limit: the invocation fails, the instance keeps serving.
        queue.send(invocation("req-2")).await.unwrap();
        assert_eq!(client_read(&mut client).await.0, INVOCATION);
        assert!(matches!(
            events.recv().await,
            Some(ApiEvent::Started { .. })
        ));
        let mut answer = frame(RESPONSE, "req-2", &vec![b'x'; MAX_RESPONSE_BYTES + 1]);
        answer.extend(frame(NEXT, "", b""));
        client.write_all(&answer).await.unwrap();
        match events.recv().await {
            Some(ApiEvent::Error(report)) => {
                assert_eq!(report.error_type, "Function.ResponseSizeTooLarge");
                assert_eq!(
                    report.error_message,
                    "Response payload size exceeded maximum allowed payload size (6291556 bytes)."
                );
            }
            _ => panic!("expected the size error"),
        }
        queue.send(invocation("req-3")).await.unwrap();
        assert_eq!(client_read(&mut client).await.0, INVOCATION);
        assert!(matches!(
            events.recv().await,
            Some(ApiEvent::Started { .. })
        ));
        let report = r#"{"errorType":"TypeError","errorMessage":"boom"}"#;
        client
            .write_all(&frame(ERROR, "req-3\nTypeError", report.as_bytes()))
            .await
            .unwrap();
        match events.recv().await {
            Some(ApiEvent::Error(report)) => {
                assert_eq!(
                    (report.error_type.as_str(), report.error_message.as_str()),
                    ("TypeError", "boom")
                );
            }
            _ => panic!("expected the function error"),
        }
        // Init errors are taken only before the first NEXT, as over HTTP.
        client
            .write_all(&frame(INIT_ERROR, "Runtime.X", b"{}"))
            .await
            .unwrap();

        // Garbage stops the instance and closes the pipe.
        client.write_all(b"GET /next HTTP/1.1\r\n").await.unwrap();
        tokio::time::timeout(Duration::from_secs(5), stopped)
            .await
            .expect("the instance is stopped")
            .unwrap();
        let mut rest = Vec::new();
        client.read_to_end(&mut rest).await.unwrap();
        assert!(rest.is_empty());
        assert!(
            events.try_recv().is_err(),
            "no event for the late init error"
        );
    }

    #[tokio::test]
    async fn a_process_that_went_away_is_not_handed_an_invocation() {
        let (_api, queue, mut events, mut client) = piped(|| {}).await;
        client.write_all(&frame(NEXT, "", b"")).await.unwrap();
        assert!(matches!(events.recv().await, Some(ApiEvent::Ready)));
        drop(client);
        tokio::time::sleep(Duration::from_millis(50)).await;
        queue.send(invocation("req-1", b"{}")).await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(events.try_recv().is_err(), "the invocation was started");
        assert!(
            queue.try_send(invocation("req-2", b"{}")).is_err(),
            "the invocation left the queue"
        );
    }

    #[tokio::test]
    async fn init_errors_travel_before_the_first_next() {
        let (_api, _queue, mut events, mut client) = piped(|| {}).await;
        let body = r#"{"errorMessage":"nope","trace":[]}"#;
        client
            .write_all(&frame(
                INIT_ERROR,
                "Runtime.ImportModuleError",
                body.as_bytes(),
            ))
            .await
            .unwrap();
        match events.recv().await {
            Some(ApiEvent::InitError(report)) => {
                assert_eq!(report.error_type, "Runtime.ImportModuleError");
                assert_eq!(report.error_message, "nope");
            }
            _ => panic!("expected the init error"),
        }
    }
}
