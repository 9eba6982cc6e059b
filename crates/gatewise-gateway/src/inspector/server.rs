//! The inspector's own small HTTP/1 server: the page (`/`, `/page.css`, `/page.js`, embedded
//! in the binary so it works offline) and `/events`, the server-sent event stream the page
//! listens to: first the route table (`routes`), then the history (`history`), then each
//! batch of records as the publisher makes it (`requests`). It runs on its own port because every path on the
//! API's port belongs to the API, and answers only loopback host names.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full, combinators::BoxBody};
use hyper::body::{Body, Frame};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{broadcast, mpsc};

use crate::inspector::Inspector;

const PAGE_HTML: &str = include_str!("page.html");
const PAGE_CSS: &str = include_str!("page.css");
const PAGE_JS: &str = include_str!("page.js");

/// A comment line sent when nothing else was, so a page whose connection died is noticed
/// (the write fails) and its forwarding task ends.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Frames waiting for one page; a page that does not read them holds up only its own task.
const PAGE_BACKLOG: usize = 64;

type PageBody = BoxBody<Bytes, Infallible>;

impl Inspector {
    /// Serves the page and its event stream on `listener` until `shutdown` completes, then
    /// closes every connection: event streams never end by themselves.
    pub async fn serve(
        self: Arc<Self>,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send,
    ) -> std::io::Result<()> {
        let mut connections = tokio::task::JoinSet::new();
        // Ends with the connections when this function returns (the set is dropped).
        connections.spawn(Arc::clone(&self).publish_batches());
        tokio::pin!(shutdown);
        loop {
            let stream = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => stream,
                    // Out of descriptors or the like: the gateway matters more than the page.
                    Err(_) => {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                () = &mut shutdown => return Ok(()),
            };
            // Reap finished connections so the set does not grow.
            while connections.try_join_next().is_some() {}
            let inspector = Arc::clone(&self);
            connections.spawn(async move {
                let service = service_fn(move |request| {
                    let inspector = Arc::clone(&inspector);
                    async move { Ok::<_, Infallible>(inspector.answer(&request)) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    }

    fn answer<B>(self: &Arc<Self>, request: &Request<B>) -> Response<PageBody> {
        if request.method() != Method::GET && request.method() != Method::HEAD {
            return plain(StatusCode::METHOD_NOT_ALLOWED, "only GET\n");
        }
        if !loopback_host(request.headers()) {
            return plain(
                StatusCode::FORBIDDEN,
                "the inspector answers only to http://127.0.0.1:PORT or http://localhost:PORT: \
                 open it by one of those names\n",
            );
        }
        let (content_type, text) = match request.uri().path() {
            "/" => ("text/html; charset=utf-8", PAGE_HTML),
            "/page.css" => ("text/css; charset=utf-8", PAGE_CSS),
            "/page.js" => ("text/javascript; charset=utf-8", PAGE_JS),
            "/events" => return self.events(),
            _ => return plain(StatusCode::NOT_FOUND, "not found\n"),
        };
        Response::builder()
            .header(header::CONTENT_TYPE, content_type)
            .header(header::CACHE_CONTROL, "no-store")
            .body(Full::new(Bytes::from_static(text.as_bytes())).boxed())
            .unwrap_or_else(|_| plain(StatusCode::INTERNAL_SERVER_ERROR, "\n"))
    }

    /// The event stream of one page: `routes`, `history`, then one `requests` event per
    /// batch.
    fn events(self: &Arc<Self>) -> Response<PageBody> {
        let (history, live) = self.subscribe();
        let (frames, body) = mpsc::channel(PAGE_BACKLOG);
        tokio::spawn(forward([self.routes.clone(), history], live, frames));
        Response::builder()
            .header(header::CONTENT_TYPE, "text/event-stream")
            .header(header::CACHE_CONTROL, "no-store")
            .body(EventBody(body).boxed())
            .unwrap_or_else(|_| plain(StatusCode::INTERNAL_SERVER_ERROR, "\n"))
    }
}

/// Feeds one page until it goes away.
async fn forward(
    first: [Bytes; 2],
    mut live: broadcast::Receiver<Bytes>,
    frames: mpsc::Sender<Bytes>,
) {
    for bytes in first {
        if frames.send(bytes).await.is_err() {
            return;
        }
    }
    let mut keep_alive = tokio::time::interval(KEEP_ALIVE);
    keep_alive.tick().await;
    loop {
        let bytes = tokio::select! {
            received = live.recv() => match received {
                Ok(batch) => batch,
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    frame("missed", &missed.to_string())
                }
                Err(broadcast::error::RecvError::Closed) => return,
            },
            _ = keep_alive.tick() => Bytes::from_static(b": keep-alive\n\n"),
            () = frames.closed() => return,
        };
        if frames.send(bytes).await.is_err() {
            return;
        }
    }
}

/// One server-sent event; `data` is JSON, which has no line breaks.
pub(super) fn frame(event: &str, data: &str) -> Bytes {
    Bytes::from(format!("event: {event}\ndata: {data}\n\n"))
}

/// Whether the request names the page by a loopback name. The page listens on loopback
/// only, but a web page could still reach it through DNS rebinding (its own host name made
/// to resolve to 127.0.0.1) and read the event stream, which carries request headers; such a
/// request names that foreign host. A request without `Host` comes from no browser.
fn loopback_host(headers: &http::HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST) else {
        return true;
    };
    let Ok(host) = host.to_str() else {
        return false;
    };
    let name = match host.rsplit_once(':') {
        Some((name, port)) if !name.ends_with(':') && port.bytes().all(|b| b.is_ascii_digit()) => {
            name
        }
        _ => host,
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
        || name
            .strip_prefix('[')
            .and_then(|n| n.strip_suffix(']'))
            .and_then(|n| n.parse::<std::net::Ipv6Addr>().ok())
            .is_some_and(|ip| ip.is_loopback())
}

fn plain(status: StatusCode, text: &'static str) -> Response<PageBody> {
    let mut response = Response::new(Full::new(Bytes::from_static(text.as_bytes())).boxed());
    *response.status_mut() = status;
    response
}

/// A body that never ends by itself: whatever [`forward`] sends, as it arrives.
struct EventBody(mpsc::Receiver<Bytes>);

impl Body for EventBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.0
            .poll_recv(cx)
            .map(|bytes| bytes.map(|bytes| Ok(Frame::data(bytes))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::header_map;

    #[test]
    fn only_loopback_host_names_are_answered() {
        for (host, answered) in [
            ("127.0.0.1:3002", true),
            ("localhost:3002", true),
            ("LOCALHOST", true),
            ("[::1]:3002", true),
            ("127.0.0.2:3002", true),
            ("evil.example:3002", false),
            ("localhost.evil.example:3002", false),
            ("127.0.0.1.nip.io:3002", false),
            ("[::2]:3002", false),
            ("::1", true),
        ] {
            let headers = header_map(&[("host", host)]);
            assert_eq!(loopback_host(&headers), answered, "{host}");
        }
        assert!(
            loopback_host(&http::HeaderMap::new()),
            "no Host: not a browser"
        );
    }
}
