//! The accept loop, on top of everything: one task per connection, HTTP/1 or HTTP/2 chosen
//! per connection by hyper-util's `auto` builder, each connection wrapped in a [`HeadTap`] so
//! HTTP/1 requests keep the client's header casing. Every request goes to the [`Gateway`],
//! which picks the pipeline; this module knows none of them. [`Gateway::serve`] is defined
//! here so that the gateway does not depend on its server.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;

use crate::gateway::Gateway;
use crate::request::ConnectionInfo;
use crate::request::head_tap::{HeadQueue, HeadTap};

/// How long shutdown waits for in-flight requests before giving up on them. Shorter than
/// the 29 s integration timeout on purpose: someone pressing Ctrl-C wants the prompt back.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Pause after a failed `accept` (e.g. out of file descriptors) so the loop does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

impl Gateway {
    /// Serves HTTP/1 and HTTP/2 on `listener` until `shutdown` completes; then stops
    /// accepting, lets in-flight requests finish (at most [`SHUTDOWN_GRACE`]) and returns.
    pub async fn serve(
        self: Arc<Self>,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send,
    ) -> std::io::Result<()> {
        serve(self, listener, shutdown).await
    }
}

async fn serve(
    gateway: Arc<Gateway>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new());
    builder.http2().timer(TokioTimer::new());
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
            async move { Ok::<_, Infallible>(gateway.handle(request, connection, raw_names).await) }
        });
        let connection = builder.serve_connection(io, service).into_owned();
        let watched = graceful.watch(connection);
        tokio::spawn(async move {
            // Client-side failures (resets, garbage) end that connection only.
            let _ = watched.await;
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
        let task = tokio::spawn(gateway.serve(listener, async {
            let _ = stopped.await;
        }));
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
