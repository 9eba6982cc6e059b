//! What the terminal shows about functions: their output and the `START` / `END` / `REPORT`
//! lines Lambda writes to CloudWatch, each prefixed with `[FunctionName] ` so several functions
//! can share one terminal.
//!
//! Lines go to stderr through [`write_to_stderr`], which never blocks: a writer thread owns
//! stderr, fed by a bounded queue, so a terminal that stalls or a pipe nobody reads costs log
//! lines (counted and reported once the writer catches up), never requests. Each entry is
//! written whole, so lines from different instances interleave but never mix.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, BufReader};

/// Log entries that may wait for a slow stderr; more are dropped (nginx's error log does the
/// same with a full buffer: the server keeps serving).
const QUEUED_ENTRIES: usize = 4096;

/// Entries dropped because the queue was full, reported by the writer when it catches up.
static DROPPED: AtomicUsize = AtomicUsize::new(0);
/// Entries queued and not yet written, for [`flush_stderr`].
static PENDING: AtomicUsize = AtomicUsize::new(0);

fn queue() -> Option<&'static Mutex<SyncSender<Vec<u8>>>> {
    static QUEUE: OnceLock<Option<Mutex<SyncSender<Vec<u8>>>>> = OnceLock::new();
    QUEUE
        .get_or_init(|| {
            let (sender, receiver) = sync_channel(QUEUED_ENTRIES);
            std::thread::Builder::new()
                .name("gatewise-log".into())
                .spawn(move || write_entries(&receiver))
                .ok()
                .map(|_| Mutex::new(sender))
        })
        .as_ref()
}

/// The writer thread: the only code that may block on stderr.
fn write_entries(entries: &Receiver<Vec<u8>>) {
    let mut stderr = std::io::stderr();
    for entry in entries {
        // A closed stderr is no reason to fail anything.
        let _ = stderr.write_all(&entry);
        PENDING.fetch_sub(1, Ordering::Relaxed);
        let dropped = DROPPED.swap(0, Ordering::Relaxed);
        if dropped > 0 {
            let _ = writeln!(
                stderr,
                "gatewise: {dropped} log lines dropped: stderr was not keeping up"
            );
        }
    }
}

/// Queues one finished log entry (one or more whole lines) for stderr; never blocks. When
/// the queue is full the entry is dropped and counted.
pub fn write_to_stderr(entry: Vec<u8>) {
    let Some(queue) = queue() else {
        // No writer thread could be started: write directly rather than lose everything.
        let _ = std::io::stderr().lock().write_all(&entry);
        return;
    };
    PENDING.fetch_add(1, Ordering::Relaxed);
    let sent = queue
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .try_send(entry);
    if let Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) = sent {
        PENDING.fetch_sub(1, Ordering::Relaxed);
        DROPPED.fetch_add(1, Ordering::Relaxed);
    }
}

/// Waits (at most `limit`) until every queued entry has been written; before exiting.
pub fn flush_stderr(limit: Duration) {
    let start = Instant::now();
    while PENDING.load(Ordering::Relaxed) > 0 && start.elapsed() < limit {
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Writes `[function] text` to stderr, prefixing every line of a multi-line text.
pub(crate) fn line(function: &str, text: &str) {
    let mut out = Vec::with_capacity(function.len() + text.len() + 4);
    for line in text.split('\n') {
        out.push(b'[');
        out.extend_from_slice(function.as_bytes());
        out.extend_from_slice(b"] ");
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
    }
    write_to_stderr(out);
}

/// Longest piece of output written as one line; a process printing megabytes without a newline
/// must not make gatewise buffer all of it.
const MAX_LINE_BYTES: u64 = 64 * 1024;

/// Copies a process's output to stderr line by line, prefixed with the function's name, until
/// the process closes it.
pub(crate) async fn forward(function: std::sync::Arc<str>, output: impl AsyncRead + Unpin) {
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
                line(&function, text.trim_end_matches(['\n', '\r']));
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
