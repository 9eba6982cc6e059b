//! A deadline on reading a request body, so a client trickling one byte a second cannot hold
//! a connection (and a file descriptor) forever. hyper bounds the head
//! (`header_read_timeout`); nothing bounds the body, so the server wraps every body in
//! [`DeadlineBody`], as nginx's `client_body_timeout` does.

use std::error::Error;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};

type BoxError = Box<dyn Error + Send + Sync>;

/// A body that fails once `limit` has passed since the request head arrived; `expired` tells
/// the server to answer 408 instead of whatever the pipeline made of the failure.
///
/// The timer is armed only when the body is not all there on the first read: most requests
/// (a `GET`, a small `POST` that came with its head) never wait for their body, and skip the
/// allocation and the timer-wheel registration a per-request timer costs.
pub(crate) struct DeadlineBody<B> {
    inner: B,
    /// When the head arrived; the deadline is `limit` after it.
    start: Instant,
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
    limit: Duration,
    expired: Arc<AtomicBool>,
}

impl<B> DeadlineBody<B> {
    pub(crate) fn new(inner: B, limit: Duration, expired: Arc<AtomicBool>) -> Self {
        Self {
            inner,
            start: Instant::now(),
            deadline: None,
            limit,
            expired,
        }
    }
}

impl<B> Body for DeadlineBody<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        if let Poll::Ready(frame) = Pin::new(&mut self.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|frame| frame.map_err(Into::into)));
        }
        let deadline = tokio::time::Instant::from_std(self.start + self.limit);
        let timer = self
            .deadline
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        if timer.as_mut().poll(cx).is_ready() {
            self.expired.store(true, Ordering::Relaxed);
            let message = format!(
                "the request body did not arrive within {:?}; answered 408 Request Timeout",
                self.limit
            );
            return Poll::Ready(Some(Err(message.into())));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
