//! What the terminal shows about functions: their output and the `START` / `END` / `REPORT`
//! lines Lambda writes to CloudWatch, each prefixed with `[FunctionName] ` so several functions
//! can share one terminal.
//!
//! Lines go straight to stderr, written whole under the stderr lock, so lines from different
//! instances interleave but never mix.

use std::io::Write;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, BufReader};

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
    // A closed stderr is no reason to fail an invocation.
    let _ = std::io::stderr().lock().write_all(&out);
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
