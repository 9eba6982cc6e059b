//! Request plumbing, at the connection before Phase 1: recovers the client's header-name
//! casing, which hyper discards (docs/design.md, "Dependencies": header casing).
//!
//! API Gateway hands REST functions the header names as the client wrote them (spec 6.2:
//! `tEsT-HEADeR`), but hyper lower-cases every name and keeps the original casing only in a
//! private extension. So each accepted connection is wrapped in a [`HeadTap`]: as bytes flow
//! through `poll_read` it parses every HTTP/1 request head with `httparse` (the parser hyper
//! itself uses) and pushes the head's header names, in order and original casing, onto a
//! per-connection [`HeadQueue`]. HTTP/1 requests on one connection are handled in order, so
//! the service pops exactly one entry per HTTP/1 request. The tracker follows message framing
//! (Content-Length, chunked bodies) to find the next head; on anything it does not follow
//! (Upgrade, CONNECT, HTTP/2's preface, a parse failure, an oversized head) it stops for the
//! rest of the connection and the gateway falls back to lower-case names, which is what
//! HTTP/2 clients send anyway. The pipeline also checks each popped entry against the
//! request's `HeaderMap` before trusting it.

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Most header lines per head the tracker follows; hyper's default limit is 100 too.
const MAX_HEADERS: usize = 100;
/// Largest head the tracker buffers (hyper's default read buffer limit is about 400 KiB).
const MAX_HEAD_BYTES: usize = 512 * 1024;

/// The header names of one request head, as the client wrote them, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct RawHeaderNames {
    /// Names joined by `\n` (which no header name can contain): one allocation per request.
    joined: String,
    count: usize,
}

impl RawHeaderNames {
    fn push(&mut self, name: &str) {
        if self.count > 0 {
            self.joined.push('\n');
        }
        self.joined.push_str(name);
        self.count += 1;
    }

    /// Number of header lines in the head (a repeated header counts once per line).
    pub(crate) fn len(&self) -> usize {
        self.count
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> {
        self.joined.split('\n').take(self.count)
    }

    /// The client's casing of `lower_name` (first occurrence), if the head has it.
    pub(crate) fn find(&self, lower_name: &str) -> Option<&str> {
        self.iter().find(|n| n.eq_ignore_ascii_case(lower_name))
    }
}

/// The per-connection queue between the tap (producer, inside `poll_read`) and the service
/// (consumer). Both run on the connection's own task, so the mutex is never contended; it
/// exists only because the service must be `Send`.
#[derive(Debug, Clone, Default)]
pub(crate) struct HeadQueue(Arc<Mutex<VecDeque<RawHeaderNames>>>);

impl HeadQueue {
    fn push(&self, names: RawHeaderNames) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push_back(names);
    }

    /// The names of the oldest request head not yet handled.
    pub(crate) fn pop(&self) -> Option<RawHeaderNames> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop_front()
    }
}

/// An IO wrapper that watches the bytes read and records each request head's header names.
pub(crate) struct HeadTap<S> {
    inner: S,
    tracker: HeadTracker,
    queue: HeadQueue,
}

impl<S> HeadTap<S> {
    pub(crate) fn new(inner: S, queue: HeadQueue) -> Self {
        Self {
            inner,
            tracker: HeadTracker::default(),
            queue,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for HeadTap<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let result = Pin::new(&mut this.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = result {
            let queue = &this.queue;
            this.tracker
                .feed(&buf.filled()[before..], &mut |names| queue.push(names));
        }
        result
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for HeadTap<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// Where the tracker is in the request byte stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Collecting a request head.
    Head,
    /// Skipping a Content-Length body; bytes left.
    Body(u64),
    Chunked(Chunk),
    /// Not following this connection any more (HTTP/2, upgrade, unparseable input).
    Off,
}

/// Position inside a chunked body (RFC 9112 §7.1), byte by byte so reads may split anywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chunk {
    Size(u64),
    /// Chunk extensions or whitespace after the size, up to the line feed.
    SizeLine(u64),
    Data(u64),
    DataCr,
    DataLf,
    /// After the last chunk: trailer lines until an empty one.
    Trailer {
        at_line_start: bool,
    },
}

/// The framing state machine behind [`HeadTap`], separate from IO so it can be tested with
/// any split of the byte stream.
#[derive(Debug)]
pub(crate) struct HeadTracker {
    state: State,
    head: Vec<u8>,
}

impl Default for HeadTracker {
    fn default() -> Self {
        Self {
            state: State::Head,
            head: Vec::new(),
        }
    }
}

impl HeadTracker {
    /// Consumes the next bytes read from the client; calls `emit` for each completed head.
    pub(crate) fn feed(&mut self, mut input: &[u8], emit: &mut dyn FnMut(RawHeaderNames)) {
        while !input.is_empty() {
            match self.state {
                State::Off => return,
                State::Head => {
                    let old_len = self.head.len();
                    self.head.extend_from_slice(input);
                    match self.parse_head() {
                        HeadParse::Partial => {
                            if self.head.len() > MAX_HEAD_BYTES {
                                self.stop();
                            }
                            return;
                        }
                        HeadParse::Failed => {
                            self.stop();
                            return;
                        }
                        HeadParse::Complete { len, names, next } => {
                            emit(names);
                            input = &input[len.saturating_sub(old_len).min(input.len())..];
                            self.head.clear();
                            self.state = next;
                        }
                    }
                }
                State::Body(left) => {
                    let skip = usize::try_from(left).unwrap_or(usize::MAX).min(input.len());
                    input = &input[skip..];
                    let left = left - skip as u64;
                    self.state = if left == 0 {
                        State::Head
                    } else {
                        State::Body(left)
                    };
                }
                State::Chunked(Chunk::Data(left)) => {
                    let skip = usize::try_from(left).unwrap_or(usize::MAX).min(input.len());
                    input = &input[skip..];
                    let left = left - skip as u64;
                    self.state = State::Chunked(if left == 0 {
                        Chunk::DataCr
                    } else {
                        Chunk::Data(left)
                    });
                }
                State::Chunked(chunk) => {
                    self.state = chunk_step(chunk, input[0]);
                    input = &input[1..];
                }
            }
        }
    }

    fn stop(&mut self) {
        self.state = State::Off;
        self.head = Vec::new();
    }

    fn parse_head(&self) -> HeadParse {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut request = httparse::Request::new(&mut headers);
        let len = match request.parse(&self.head) {
            Ok(httparse::Status::Complete(len)) => len,
            Ok(httparse::Status::Partial) => return HeadParse::Partial,
            Err(_) => return HeadParse::Failed,
        };
        // Sized once: the names and their separators.
        let mut names = RawHeaderNames {
            joined: String::with_capacity(request.headers.iter().map(|h| h.name.len() + 1).sum()),
            count: 0,
        };
        let mut content_length: Option<u64> = None;
        let mut chunked = false;
        let mut follow = request.method != Some("CONNECT");
        for header in request.headers.iter() {
            names.push(header.name);
            if header.name.eq_ignore_ascii_case("content-length") {
                let parsed = std::str::from_utf8(header.value)
                    .ok()
                    .and_then(|v| v.trim().parse::<u64>().ok());
                match (parsed, content_length) {
                    (Some(n), None) => content_length = Some(n),
                    (Some(n), Some(m)) if n == m => {}
                    _ => follow = false,
                }
            } else if header.name.eq_ignore_ascii_case("transfer-encoding") {
                // The last coding decides; hyper rejects requests where it is not `chunked`.
                chunked = header
                    .value
                    .rsplit(|&b| b == b',')
                    .next()
                    .is_some_and(|last| last.trim_ascii().eq_ignore_ascii_case(b"chunked"));
                follow &= chunked;
            } else if header.name.eq_ignore_ascii_case("upgrade") {
                follow = false;
            }
        }
        let next = if !follow {
            State::Off
        } else if chunked {
            State::Chunked(Chunk::Size(0))
        } else {
            match content_length {
                Some(n) if n > 0 => State::Body(n),
                _ => State::Head,
            }
        };
        HeadParse::Complete { len, names, next }
    }
}

enum HeadParse {
    Partial,
    Failed,
    Complete {
        len: usize,
        names: RawHeaderNames,
        next: State,
    },
}

/// One byte of chunked framing outside chunk data.
fn chunk_step(chunk: Chunk, byte: u8) -> State {
    let next = match (chunk, byte) {
        (Chunk::Size(size), _) if byte.is_ascii_hexdigit() => {
            let digit = u64::from((byte as char).to_digit(16).unwrap_or(0));
            match size.checked_mul(16).and_then(|s| s.checked_add(digit)) {
                Some(size) => Chunk::Size(size),
                None => return State::Off,
            }
        }
        (Chunk::Size(size) | Chunk::SizeLine(size), b'\n') => {
            if size == 0 {
                Chunk::Trailer {
                    at_line_start: true,
                }
            } else {
                Chunk::Data(size)
            }
        }
        (Chunk::Size(size), b';' | b' ' | b'\t' | b'\r') | (Chunk::SizeLine(size), _) => {
            Chunk::SizeLine(size)
        }
        (Chunk::Size(_), _) => return State::Off,
        (Chunk::DataCr, b'\r') => Chunk::DataLf,
        (Chunk::DataCr | Chunk::DataLf, b'\n') => Chunk::Size(0),
        (Chunk::DataCr | Chunk::DataLf, _) => return State::Off,
        (Chunk::Trailer { at_line_start }, b'\n') => {
            if at_line_start {
                return State::Head;
            }
            Chunk::Trailer {
                at_line_start: true,
            }
        }
        (Chunk::Trailer { at_line_start }, b'\r') => Chunk::Trailer { at_line_start },
        (Chunk::Trailer { .. }, _) => Chunk::Trailer {
            at_line_start: false,
        },
        // Data bytes are skipped in bulk by `feed`, never one by one.
        (Chunk::Data(_), _) => chunk,
    };
    State::Chunked(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heads(chunks: &[&[u8]]) -> Vec<Vec<String>> {
        let mut tracker = HeadTracker::default();
        let mut out = Vec::new();
        for chunk in chunks {
            tracker.feed(chunk, &mut |names| {
                out.push(names.iter().map(str::to_owned).collect());
            });
        }
        out
    }

    fn byte_by_byte(input: &[u8]) -> Vec<Vec<String>> {
        let chunks: Vec<&[u8]> = input.chunks(1).collect();
        heads(&chunks)
    }

    const PIPELINED: &[u8] = b"GET /a HTTP/1.1\r\nHost: x\r\ntEsT-HEADeR: v\r\n\r\n\
POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\nX-One: 1\r\n\r\nGET / HTTP/\
POST /c HTTP/1.1\r\nHOST: x\r\nTransfer-Encoding: chunked\r\n\r\n\
5;ext=1\r\nGET /\r\n0\r\nTrailer-X: 1\r\n\r\n\
GET /d HTTP/1.1\r\naUThorization: t\r\nx-a: 1\r\nX-A: 2\r\n\r\n";

    fn expected() -> Vec<Vec<String>> {
        [
            vec!["Host", "tEsT-HEADeR"],
            vec!["Host", "Content-Length", "X-One"],
            vec!["HOST", "Transfer-Encoding"],
            vec!["aUThorization", "x-a", "X-A"],
        ]
        .iter()
        .map(|v| v.iter().map(|s| s.to_string()).collect())
        .collect()
    }

    #[test]
    fn rule_6_2_pipelined_heads_keep_client_casing_in_order() {
        assert_eq!(heads(&[PIPELINED]), expected());
    }

    #[test]
    fn rule_6_2_any_split_of_the_stream_gives_the_same_heads() {
        assert_eq!(byte_by_byte(PIPELINED), expected());
        for at in 0..PIPELINED.len() {
            let (a, b) = PIPELINED.split_at(at);
            assert_eq!(heads(&[a, b]), expected(), "split at {at}");
        }
    }

    #[test]
    fn chunked_body_that_looks_like_a_request_is_skipped() {
        let input = b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n\
1a\r\nGET /x HTTP/1.1\r\nA: b\r\n\r\n\r\n0\r\n\r\nGET /y HTTP/1.1\r\nReal: 1\r\n\r\n";
        let want = vec![
            vec!["Transfer-Encoding".to_string()],
            vec!["Real".to_string()],
        ];
        assert_eq!(heads(&[input]), want);
        assert_eq!(byte_by_byte(input), want);
    }

    #[test]
    fn stops_following_on_upgrade_connect_http2_and_garbage() {
        let cases: &[&[u8]] = &[
            b"GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\nGET / HTTP/1.1\r\nA: 1\r\n\r\n",
            b"CONNECT x:1 HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nA: 1\r\n\r\n",
            b"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nGET / HTTP/1.1\r\n\r\n",
        ];
        for input in cases {
            assert_eq!(
                heads(&[input]).len(),
                1,
                "{}",
                String::from_utf8_lossy(input)
            );
        }
        assert!(heads(&[b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"]).is_empty());
        assert!(heads(&[b"\x00\x01garbage\r\n\r\nGET / HTTP/1.1\r\n\r\n"]).is_empty());
    }

    #[test]
    fn oversized_or_overlong_heads_stop_tracking_without_panicking() {
        let mut huge = b"GET / HTTP/1.1\r\nX: ".to_vec();
        huge.extend(std::iter::repeat_n(b'a', MAX_HEAD_BYTES + 10));
        assert!(heads(&[&huge]).is_empty());
        let mut many = b"GET / HTTP/1.1\r\n".to_vec();
        for i in 0..(MAX_HEADERS + 1) {
            many.extend(format!("H{i}: v\r\n").bytes());
        }
        many.extend(b"\r\n");
        assert!(heads(&[&many]).is_empty());
        // A chunk size that overflows u64.
        let overflow =
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\n";
        assert_eq!(heads(&[overflow]).len(), 1);
    }

    #[test]
    fn find_returns_the_first_casing() {
        let mut names = RawHeaderNames::default();
        for n in ["x-a", "X-A", "Host"] {
            names.push(n);
        }
        assert_eq!(names.len(), 3);
        assert_eq!(names.find("x-a"), Some("x-a"));
        assert_eq!(names.find("host"), Some("Host"));
        assert_eq!(names.find("accept"), None);
    }

    /// Pieces of HTTP/1 streams the structured fuzz target strings together: heads with and
    /// without bodies, chunked bodies, things the tracker stops at, and garbage.
    const PIECES: &[&[u8]] = &[
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /a HTTP/1.1\r\naUThorization: t\r\nX-A: 1\r\nx-a: 2\r\n\r\n",
        b"POST /b HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
        b"POST /b HTTP/1.1\r\nContent-Length: 5\r\n\r\n",
        b"POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        b"POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"1a;ext\r\nGET /x HTTP/1.1\r\nA: b\r\n\r\n\r\n",
        b"0\r\nTrailer: 1\r\n\r\n",
        b"GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n",
        b"CONNECT x:1 HTTP/1.1\r\n\r\n",
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        b"Content-Length: 18446744073709551616\r\n",
        b"FFFFFFFFFFFFFFFFFFFF\r\n",
        b"\r\n",
        b"\n",
        b"\x00\xff",
        b"GET / HTTP/1.1\r\n",
    ];

    proptest::proptest! {
        // Cheap per case: a thousand cases of each run in well under a second.
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 1000, ..Default::default() })]

        #[test]
        fn fuzz_head_tap_arbitrary_bytes(
            input in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..1024),
            cuts in proptest::collection::vec(0usize..1024, 0..8),
        ) {
            for names in split_heads(&input, &cuts) {
                proptest::prop_assert!(names.len() <= MAX_HEADERS);
            }
        }

        #[test]
        fn fuzz_head_tap_streams_give_the_same_heads_however_split(
            pieces in proptest::collection::vec(0..PIECES.len(), 0..12),
            cuts in proptest::collection::vec(0usize..2048, 0..8),
        ) {
            let input: Vec<u8> = pieces.iter().flat_map(|&p| PIECES[p].iter().copied()).collect();
            proptest::prop_assert_eq!(split_heads(&input, &cuts), heads(&[&input]));
        }
    }

    /// The heads found when `input` arrives in pieces cut at `cuts` (byte offsets, any order).
    fn split_heads(input: &[u8], cuts: &[usize]) -> Vec<Vec<String>> {
        let mut cuts: Vec<usize> = cuts.iter().map(|&c| c.min(input.len())).collect();
        cuts.sort_unstable();
        let mut chunks = Vec::new();
        let mut start = 0;
        for cut in cuts.into_iter().chain([input.len()]) {
            chunks.push(&input[start..cut]);
            start = cut;
        }
        heads(&chunks)
    }
}
