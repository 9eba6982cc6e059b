//! What the terminal shows about functions: their output and the `START` / `END` / `REPORT`
//! lines Lambda writes to CloudWatch, each prefixed with `[FunctionName] ` so several functions
//! can share one terminal.
//!
//! Lines go to stderr through [`write_to_stderr`], which never blocks: a writer thread owns
//! stderr, fed by a bounded in-memory buffer, so a terminal that stalls or a pipe nobody reads
//! costs log lines (counted and reported once the writer catches up), never requests. Each
//! entry is appended whole, so lines from different instances interleave but never mix.
//!
//! The buffer is built for a log line per request at tens of thousands of requests a second:
//! appending copies the entry into one shared byte buffer (no allocation per entry), and the
//! writer is woken only when it sleeps on an empty buffer; once woken it takes everything
//! queued in one swap, writes it with one `write_all`, and then lets
//! [`WRITE_INTERVAL`] pass before it looks again, so under load entries reach stderr in
//! batches, a few hundred writes and wake-ups a second instead of one per line.

use std::io::Write;
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, BufReader};

/// Bytes of log entries that may wait for a slow stderr (some ten thousand access-log lines);
/// entries that do not fit are dropped (nginx's error log does the same with a full buffer:
/// the server keeps serving).
const QUEUED_BYTES: usize = 1 << 20;

/// How long the writer lets entries gather after a write before it writes again: the delay a
/// line may see on its way to the terminal, and what bounds the writer's wake-ups under load.
const WRITE_INTERVAL: Duration = Duration::from_millis(2);

/// What the request side and the writer thread share.
struct Queue {
    state: Mutex<Queued>,
    /// Signalled when the first entry arrives while the writer sleeps on an empty buffer.
    arrived: Condvar,
}

#[derive(Default)]
struct Queued {
    /// Whole entries, in the order they were queued.
    bytes: Vec<u8>,
    /// Entries dropped because the buffer was full, reported by the writer.
    dropped: usize,
    /// The writer waits on `arrived` (only then is it worth a wake-up).
    writer_idle: bool,
    /// The writer has taken entries and not yet written them (for [`flush_stderr`]).
    writing: bool,
}

impl Queue {
    fn lock(&self) -> MutexGuard<'_, Queued> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn queue() -> Option<&'static Queue> {
    static QUEUE: OnceLock<Option<&'static Queue>> = OnceLock::new();
    *QUEUE.get_or_init(|| {
        // Lives as long as the process, as the writer thread does.
        let queue: &'static Queue = Box::leak(Box::new(Queue {
            state: Mutex::new(Queued::default()),
            arrived: Condvar::new(),
        }));
        std::thread::Builder::new()
            .name("gatewise-log".into())
            .spawn(move || write_entries(queue))
            .ok()
            .map(|_| queue)
    })
}

/// The writer thread: the only code that may block on stderr.
fn write_entries(queue: &Queue) {
    let mut stderr = std::io::stderr();
    let mut batch = Vec::new();
    loop {
        let dropped = {
            let mut queued = queue.lock();
            while queued.bytes.is_empty() && queued.dropped == 0 {
                queued.writer_idle = true;
                queued = queue
                    .arrived
                    .wait(queued)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            queued.writer_idle = false;
            queued.writing = true;
            // Both buffers keep their capacity: no allocation once they have grown.
            std::mem::swap(&mut queued.bytes, &mut batch);
            std::mem::take(&mut queued.dropped)
        };
        // A closed stderr is no reason to fail anything.
        let _ = stderr.write_all(&batch);
        batch.clear();
        if dropped > 0 {
            let _ = writeln!(
                stderr,
                "gatewise: {dropped} log lines dropped: stderr was not keeping up"
            );
        }
        queue.lock().writing = false;
        std::thread::sleep(WRITE_INTERVAL);
    }
}

/// Queues one entry of `len` bytes, written by `fill`, for stderr; never blocks on stderr.
/// When the buffer is full the entry is dropped and counted.
fn queue_entry(len: usize, fill: impl FnOnce(&mut Vec<u8>)) {
    let Some(queue) = queue() else {
        // No writer thread could be started: write directly rather than lose everything.
        let mut entry = Vec::with_capacity(len);
        fill(&mut entry);
        let _ = std::io::stderr().lock().write_all(&entry);
        return;
    };
    let mut queued = queue.lock();
    if queued.bytes.len() + len > QUEUED_BYTES {
        queued.dropped += 1;
        return;
    }
    let before = queued.bytes.len();
    fill(&mut queued.bytes);
    debug_assert_eq!(
        queued.bytes.len() - before,
        len,
        "the entry's announced length"
    );
    let wake = std::mem::take(&mut queued.writer_idle);
    drop(queued);
    if wake {
        queue.arrived.notify_one();
    }
}

/// Queues one finished log entry (one or more whole lines) for stderr; never blocks. When
/// the buffer is full the entry is dropped and counted.
pub fn write_to_stderr(entry: &[u8]) {
    queue_entry(entry.len(), |bytes| bytes.extend_from_slice(entry));
}

/// Waits (at most `limit`) until every queued entry has been written; before exiting.
pub fn flush_stderr(limit: Duration) {
    let Some(queue) = queue() else {
        return;
    };
    let start = Instant::now();
    while start.elapsed() < limit {
        let queued = queue.lock();
        if queued.bytes.is_empty() && queued.dropped == 0 && !queued.writing {
            return;
        }
        drop(queued);
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Writes `[function] text` to stderr, prefixing every line of a multi-line text.
pub(crate) fn line(function: &str, text: &str) {
    let prefix = function.len() + 3;
    let len = text.split('\n').map(|line| prefix + line.len() + 1).sum();
    queue_entry(len, |out| {
        for line in text.split('\n') {
            out.push(b'[');
            out.extend_from_slice(function.as_bytes());
            out.extend_from_slice(b"] ");
            out.extend_from_slice(line.as_bytes());
            out.push(b'\n');
        }
    });
}

/// Longest piece of output written as one line; a process printing megabytes without a newline
/// must not make gatewise buffer all of it.
const MAX_LINE_BYTES: u64 = 64 * 1024;

/// Copies a process's output to stderr line by line, prefixed with the function's name, until
/// the process closes it.
pub(crate) async fn forward(
    function: std::sync::Arc<str>,
    output: impl AsyncRead + Unpin,
    tail: crate::log_tail::TailSlot,
) {
    let mut reader = BufReader::new(output);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match (&mut reader)
            .take(MAX_LINE_BYTES)
            .read_until(b'\n', &mut buf)
            .await
        {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                let text = String::from_utf8_lossy(&buf);
                let text = text.trim_end_matches(['\n', '\r']);
                tail.push_line(text);
                line(&function, text);
            }
        }
    }
}

pub(crate) fn start_line(request_id: &str) -> String {
    format!("START RequestId: {request_id} Version: $LATEST")
}

pub(crate) fn end_line(request_id: &str) -> String {
    format!("END RequestId: {request_id}")
}

/// The line for an instance started ahead of its first request (`--warm eager`).
pub(crate) fn warm_init_line(init: Duration) -> String {
    format!(
        "INIT (warm-up) Init Duration: {:.2} ms",
        init.as_secs_f64() * 1000.0
    )
}

/// The line for a code change ([`crate::FunctionHost::recycle`]); `busy` instances finish
/// their invocation before they go.
pub(crate) fn code_changed_line(busy: usize) -> String {
    match busy {
        0 => "Code changed: instances restarted".into(),
        1 => {
            "Code changed: instances restarted (1 busy instance finishes its request first)".into()
        }
        n => format!(
            "Code changed: instances restarted ({n} busy instances finish their requests first)"
        ),
    }
}

/// Lambda's `REPORT` line. Billing rounds up to the next millisecond; `Init Duration` appears
/// only on the invocation that started the instance (a cold start).
pub(crate) fn report_line(
    request_id: &str,
    duration: Duration,
    memory_mb: u32,
    init: Option<Duration>,
) -> String {
    let ms = duration.as_secs_f64() * 1000.0;
    let billed = (duration.as_micros().div_ceil(1000)).max(1);
    let mut text = format!(
        "REPORT RequestId: {request_id}\tDuration: {ms:.2} ms\tBilled Duration: {billed} ms\tMemory Size: {memory_mb} MB"
    );
    if let Some(init) = init {
        text.push_str(&format!(
            "\tInit Duration: {:.2} ms",
            init.as_secs_f64() * 1000.0
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_line_entries_are_queued_whole_and_flushed() {
        // `queue_entry` asserts (in debug builds) that an entry is as long as announced.
        line("fn", "first\n\nthird\r");
        line("fn", "");
        write_to_stderr(b"whole entry\n");
        let start = Instant::now();
        flush_stderr(Duration::from_secs(5));
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "the writer caught up"
        );
    }

    #[test]
    fn lines_have_lambda_shape() {
        let id = "8f5c";
        assert_eq!(start_line(id), "START RequestId: 8f5c Version: $LATEST");
        assert_eq!(end_line(id), "END RequestId: 8f5c");
        let cases = [
            (
                Duration::from_micros(1230),
                None,
                "REPORT RequestId: 8f5c\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB",
            ),
            (
                Duration::from_micros(2000),
                Some(Duration::from_micros(45_670)),
                "REPORT RequestId: 8f5c\tDuration: 2.00 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tInit Duration: 45.67 ms",
            ),
            (
                Duration::from_micros(10),
                None,
                "REPORT RequestId: 8f5c\tDuration: 0.01 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB",
            ),
        ];
        for (duration, init, want) in cases {
            assert_eq!(report_line(id, duration, 128, init), want);
        }
    }
}
