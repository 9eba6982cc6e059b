//! The accept loop, on top of everything: one task per connection, HTTP/1 or HTTP/2 chosen
//! per connection by hyper-util's `auto` builder, each connection wrapped in a [`HeadTap`] so
//! HTTP/1 requests keep the client's header casing. Every request goes to the [`Gateway`],
//! which picks the pipeline; this module knows none of them. [`Gateway::serve`] is defined
//! here so that the gateway does not depend on its server.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::gateway::Gateway;
use crate::request::ConnectionInfo;
use crate::request::head_tap::{HeadQueue, HeadTap};
use crate::request::read_deadline::DeadlineBody;

/// How long shutdown waits for in-flight requests before giving up on them. Shorter than
/// the 29 s integration timeout on purpose: someone pressing Ctrl-C wants the prompt back.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Pause after a failed `accept` (e.g. out of file descriptors) so the loop does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// How long a client may take to send a request head (hyper's default, made explicit).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a client may take to send a request body once its head has arrived, as nginx's
/// `client_body_timeout`; slower bodies get 408 and the connection is closed.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Open client connections at most; more are answered 503 and closed, so a flood of idle or
/// slow connections cannot use up the descriptors every request needs (nginx's
/// `worker_connections`).
pub const MAX_CONNECTIONS: usize = 512;

/// The limits on client connections; [`ConnectionLimits::default`] is what `serve` uses.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    pub header_read_timeout: Duration,
    pub body_read_timeout: Duration,
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: HEADER_READ_TIMEOUT,
            body_read_timeout: BODY_READ_TIMEOUT,
            max_connections: MAX_CONNECTIONS,
        }
    }
}

/// The answer to a body that did not arrive in time. API Gateway's front end answers slow
/// uploads itself; 408 with API Gateway's JSON shape is what a client can act on.
const REQUEST_TIMEOUT_BODY: &str = r#"{"message":"Request Timeout"}"#;

/// Written to a connection over [`MAX_CONNECTIONS`] before it is closed.
const TOO_MANY_CONNECTIONS: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: 33\r\nconnection: close\r\n\r\n{\"message\":\"Service Unavailable\"}";

impl Gateway {
    /// Serves HTTP/1 and HTTP/2 on `listener` until `shutdown` completes; then stops
    /// accepting, lets in-flight requests finish (at most [`SHUTDOWN_GRACE`]) and returns.
    pub async fn serve(
        self: Arc<Self>,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send,
    ) -> std::io::Result<()> {
        serve(self, listener, shutdown, ConnectionLimits::default()).await
    }

    /// [`Gateway::serve`] with other connection limits.
    pub async fn serve_with_limits(
        self: Arc<Self>,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send,
        limits: ConnectionLimits,
    ) -> std::io::Result<()> {
        serve(self, listener, shutdown, limits).await
    }
}

fn request_timeout() -> http::Response<Full<Bytes>> {
    let mut response = http::Response::new(Full::new(Bytes::from_static(
        REQUEST_TIMEOUT_BODY.as_bytes(),
    )));
    *response.status_mut() = http::StatusCode::REQUEST_TIMEOUT;
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    headers.insert(
        http::header::CONNECTION,
        http::HeaderValue::from_static("close"),
    );
    response
}

async fn serve(
    gateway: Arc<Gateway>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send,
    limits: ConnectionLimits,
) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        // A client may shut down its sending side once its request is out (`curl` with
        // `--no-keepalive` over some proxies, `nc -N`) and still expects the answer.
        .half_close(true);
    builder.http2().timer(TokioTimer::new());
    let connections = Arc::new(Semaphore::new(limits.max_connections));
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Accept errors concern one connection or a passing resource shortage;
                    // the listener itself stays usable.
                    eprintln!("gatewise: accepting a connection failed: {error}");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(local) = stream.local_addr() else {
            continue;
        };
        let Ok(permit) = Arc::clone(&connections).try_acquire_owned() else {
            tokio::spawn(async move {
                let mut stream = stream;
                let _ = stream.write_all(TOO_MANY_CONNECTIONS).await;
                let _ = stream.shutdown().await;
            });
            continue;
        };
        let _ = stream.set_nodelay(true);
        let connection = ConnectionInfo { peer, local };
        let queue = HeadQueue::default();
        let io = TokioIo::new(HeadTap::new(stream, queue.clone()));
        let gateway = gateway.clone();
        let service = service_fn(move |request: http::Request<hyper::body::Incoming>| {
            // Popped when hyper hands over the request, i.e. in request order (head_tap.rs).
            let raw_names = if request.version() <= http::Version::HTTP_11 {
                queue.pop()
            } else {
                None
            };
            let gateway = gateway.clone();
            let expired = Arc::new(AtomicBool::new(false));
            let request = request.map(|body| {
                DeadlineBody::new(body, limits.body_read_timeout, Arc::clone(&expired))
            });
            async move {
                let response = gateway.handle(request, connection, raw_names).await;
                if expired.load(Ordering::Relaxed) {
                    return Ok::<_, Infallible>(request_timeout());
                }
                Ok(response)
            }
        });
        let connection = builder.serve_connection(io, service).into_owned();
        let watched = graceful.watch(connection);
        tokio::spawn(async move {
            // Client-side failures (resets, garbage) end that connection only.
            let _ = watched.await;
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        eprintln!(
            "gatewise: stopped waiting for in-flight requests after {}s",
            SHUTDOWN_GRACE.as_secs()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use bytes::Bytes;
    use http_body_util::{BodyExt, Empty};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;
    use tokio::sync::oneshot;
    use tokio::task::JoinHandle;

    use super::*;
    use crate::gateway::RouteTable;
    use crate::test_support::{Scripted, api, echo, stack};

    struct Running {
        addr: SocketAddr,
        stop: oneshot::Sender<()>,
        task: JoinHandle<std::io::Result<()>>,
        /// Signalled when a function invocation starts.
        invoked: Arc<tokio::sync::Notify>,
    }

    async fn start(delay: Duration) -> Running {
        start_with_limits(delay, ConnectionLimits::default()).await
    }

    async fn start_with_limits(delay: Duration, limits: ConnectionLimits) -> Running {
        let the_stack = stack(vec![api(
            "ServerlessRestApi",
            "Prod",
            &[("/echo/{proxy+}", &["ANY"])],
            0,
            10,
        )]);
        let routes = RouteTable::build(&the_stack).expect("routes");
        let function = Scripted::new(delay, echo);
        let invoked = function.started.clone();
        let gateway = Arc::new(Gateway::with_invoker(
            Arc::new(the_stack),
            routes,
            Arc::new(function),
            crate::GatewayOptions::default(),
        ));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(gateway.serve_with_limits(
            listener,
            async {
                let _ = stopped.await;
            },
            limits,
        ));
        Running {
            addr,
            stop,
            task,
            invoked,
        }
    }

    /// Writes `request` (in `pieces`-byte writes) and reads until the server closes.
    async fn exchange(addr: SocketAddr, request: &[u8], pieces: usize) -> String {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        for piece in request.chunks(pieces) {
            stream.write_all(piece).await.expect("write");
            stream.flush().await.expect("flush");
        }
        let mut out = Vec::new();
        let _ = stream.read_to_end(&mut out).await;
        String::from_utf8_lossy(&out).into_owned()
    }

    #[tokio::test]
    async fn rule_6_2_pipelined_http1_requests_keep_client_header_casing() {
        let server = start(Duration::ZERO).await;
        let request = b"GET /nope HTTP/1.1\r\nHost: localhost\r\n\r\n\
POST /echo/a HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nX-First: 1\r\n\r\n\
4\r\nbody\r\n0\r\n\r\n\
GET /echo/b HTTP/1.1\r\nhOsT: localhost\r\ntEsT-HEADeR: aValUE\r\nConnection: close\r\n\r\n";
        for pieces in [request.len(), 7, 1] {
            let response = exchange(server.addr, request, pieces).await;
            let statuses: Vec<&str> = response
                .match_indices("HTTP/1.1 ")
                .map(|(at, _)| &response[at + 9..at + 12])
                .collect();
            assert_eq!(statuses, ["403", "200", "200"], "{response}");
            assert!(response.contains(r#"{"message":"Missing Authentication Token"}"#));
            assert!(response.contains(r#""X-First":"1""#), "{response}");
            assert!(response.contains(r#""body":"body""#), "{response}");
            assert!(response.contains(r#""tEsT-HEADeR":"aValUE""#), "{response}");
            assert!(response.contains(r#""hOsT":"localhost""#), "{response}");
            // hyper writes lower-case names (documented in lib.rs).
            assert!(response.contains("x-amzn-requestid: "), "{response}");
        }
        let _ = server.stop.send(());
        server.task.await.expect("join").expect("serve");
    }

    #[tokio::test]
    async fn garbage_and_oversized_heads_do_not_stop_the_server() {
        let server = start(Duration::ZERO).await;
        let garbage = exchange(server.addr, b"\x00\x01\x02 not http\r\n\r\n", 64).await;
        assert!(
            garbage.is_empty() || garbage.starts_with("HTTP/1.1 4"),
            "{garbage}"
        );
        let mut huge = b"GET /echo/x HTTP/1.1\r\nHost: x\r\nX-Big: ".to_vec();
        huge.extend(std::iter::repeat_n(b'a', 1 << 20));
        huge.extend(b"\r\n\r\n");
        let oversized = exchange(server.addr, &huge, 1 << 16).await;
        assert!(
            oversized.is_empty() || oversized.starts_with("HTTP/1.1 431"),
            "{}",
            &oversized[..oversized.len().min(200)]
        );
        let fine = exchange(
            server.addr,
            b"GET /echo/ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            1024,
        )
        .await;
        assert!(fine.starts_with("HTTP/1.1 200"), "{fine}");
        let _ = server.stop.send(());
        server.task.await.expect("join").expect("serve");
    }

    fn short(limits: impl FnOnce(&mut ConnectionLimits)) -> ConnectionLimits {
        let mut short = ConnectionLimits {
            header_read_timeout: Duration::from_millis(300),
            body_read_timeout: Duration::from_millis(300),
            max_connections: 64,
        };
        limits(&mut short);
        short
    }

    #[tokio::test]
    async fn a_body_that_trickles_in_gets_408_and_the_connection_closes() {
        let server = start_with_limits(Duration::ZERO, short(|_| {})).await;
        let mut stream = TcpStream::connect(server.addr).await.expect("connect");
        stream
            .write_all(b"POST /echo/slow HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n")
            .await
            .expect("head");
        let trickle = async {
            for _ in 0..100 {
                if stream.write_all(b"a").await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        };
        let _ = tokio::time::timeout(Duration::from_millis(600), trickle).await;
        let mut out = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut out));
        assert!(read.await.is_ok(), "the connection stayed open");
        let response = String::from_utf8_lossy(&out);
        assert!(response.starts_with("HTTP/1.1 408"), "{response}");
        assert!(
            response.ends_with(r#"{"message":"Request Timeout"}"#),
            "{response}"
        );
        let _ = server.stop.send(());
    }

    #[tokio::test]
    async fn a_head_that_never_ends_is_cut_off() {
        let server = start_with_limits(Duration::ZERO, short(|_| {})).await;
        let mut stream = TcpStream::connect(server.addr).await.expect("connect");
        stream
            .write_all(b"GET /echo/x HTTP/1.1\r\nHost: x\r\n")
            .await
            .expect("head");
        let mut out = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut out));
        assert!(read.await.is_ok(), "the connection stayed open");
        let _ = server.stop.send(());
    }

    #[tokio::test]
    async fn connections_over_the_cap_get_503_and_the_server_stays_usable() {
        let server = start_with_limits(Duration::ZERO, short(|l| l.max_connections = 4)).await;
        let mut idle = Vec::new();
        for _ in 0..4 {
            idle.push(TcpStream::connect(server.addr).await.expect("connect"));
        }
        let refused = exchange(server.addr, b"GET /echo/x HTTP/1.1\r\nHost: x\r\n\r\n", 64).await;
        assert!(refused.starts_with("HTTP/1.1 503"), "{refused}");
        assert!(
            refused.ends_with(r#"{"message":"Service Unavailable"}"#),
            "{refused}"
        );
        drop(idle);
        tokio::time::sleep(Duration::from_millis(100)).await;
        let fine = exchange(
            server.addr,
            b"GET /echo/ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            1024,
        )
        .await;
        assert!(fine.starts_with("HTTP/1.1 200"), "{fine}");
        let _ = server.stop.send(());
    }

    #[tokio::test]
    async fn a_client_that_half_closes_after_its_request_gets_the_answer() {
        let server = start(Duration::from_millis(50)).await;
        let mut stream = TcpStream::connect(server.addr).await.expect("connect");
        stream
            .write_all(b"GET /echo/half HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .expect("request");
        stream.shutdown().await.expect("half-close");
        let mut out = Vec::new();
        let _ = stream.read_to_end(&mut out).await;
        let response = String::from_utf8_lossy(&out);
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
        let _ = server.stop.send(());
    }

    #[tokio::test]
    async fn http2_requests_are_served_with_lower_case_names() {
        let server = start(Duration::ZERO).await;
        let stream = TcpStream::connect(server.addr).await.expect("connect");
        let (mut sender, connection) =
            hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
                .await
                .expect("h2 handshake");
        tokio::spawn(connection);
        let request = http::Request::get(format!("http://{}/echo/h2", server.addr))
            .header("X-Mixed-Case", "1")
            .body(Empty::<Bytes>::new())
            .expect("request");
        let response = sender.send_request(request).await.expect("response");
        assert_eq!(response.status(), 200);
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let event: serde_json::Value = serde_json::from_slice(&body).expect("event");
        assert_eq!(event["headers"]["x-mixed-case"], "1");
        assert_eq!(event["headers"]["Host"], server.addr.to_string());
        drop(sender);
        let _ = server.stop.send(());
        server.task.await.expect("join").expect("serve");
    }

    #[tokio::test]
    async fn shutdown_finishes_in_flight_requests_and_stops_accepting() {
        let server = start(Duration::from_millis(300)).await;
        let in_flight = tokio::spawn(exchange(
            server.addr,
            b"GET /echo/slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            1024,
        ));
        server.invoked.notified().await;
        let _ = server.stop.send(());
        server.task.await.expect("join").expect("serve");
        let response = in_flight.await.expect("join");
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
        assert!(
            TcpStream::connect(server.addr).await.is_err(),
            "still accepting"
        );
    }
}
