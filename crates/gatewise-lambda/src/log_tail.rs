//! The log of one invocation: the `START` line, what the function printed while it ran, `END`
//! and `REPORT`. The Invoke API returns it for `X-Amz-Log-Type: Tail` (base64, its last 4 KB,
//! in `X-Amz-Log-Result`); the inspector page shows it beside the request that caused it.
//!
//! An instance runs one invocation at a time, so every line its processes print between `START`
//! and the result belongs to that invocation; the instance's output forwarders copy lines into
//! the tail installed for it ([`TailSlot`]) while one is.
//!
//! The forwarders read the function's pipes asynchronously, so its last lines may arrive after
//! its result. The two kinds of tail deal with that differently: a [`LogTail::complete`] tail
//! makes the invocation wait [`FLUSH_GRACE`] before it returns (the Invoke API must send the
//! whole log with the result); a [`LogTail::trailing`] tail never delays anything and keeps
//! taking lines until the instance starts its next invocation. Either way `END` and `REPORT`
//! are kept apart and read last, so the log reads in Lambda's order even when a line was late.

use std::sync::{Arc, Mutex, PoisonError};

/// How long an invocation with a complete tail waits after its result for output still in the
/// pipe from the function's last lines; only the Invoke API's `Tail` invocations pay it.
pub(crate) const FLUSH_GRACE: std::time::Duration = std::time::Duration::from_millis(20);

/// Bytes of an invocation's log a complete tail keeps at most (the oldest lines go first): well
/// above the 4 KB Lambda returns, small enough that a chatty function costs nothing.
const COMPLETE_KEPT_BYTES: usize = 64 * 1024;

/// The log of one invocation (or of the invocations one request caused), filled while it
/// runs; cloning shares it.
#[derive(Debug, Clone)]
pub struct LogTail(Arc<Tail>);

#[derive(Debug)]
struct Tail {
    kept: Mutex<Kept>,
    /// Bytes of lines kept at most, the oldest going first.
    kept_bytes: usize,
    /// Whether the invocation waits [`FLUSH_GRACE`] for late lines before it returns.
    complete: bool,
}

#[derive(Debug, Default)]
struct Kept {
    lines: Vec<u8>,
    /// `END` and `REPORT` of the last invocation, read after any line that arrived late.
    closing: Vec<u8>,
}

impl LogTail {
    /// A tail the invocation fills completely before it returns its result (the Invoke API's
    /// `Tail`).
    pub fn complete() -> Self {
        Self::with(COMPLETE_KEPT_BYTES, true)
    }

    /// A tail that costs the invocation no time and keeps up to `kept_bytes` of the newest
    /// lines: late lines arrive in it after the result, until the instance's next invocation.
    pub fn trailing(kept_bytes: usize) -> Self {
        Self::with(kept_bytes, false)
    }

    fn with(kept_bytes: usize, complete: bool) -> Self {
        LogTail(Arc::new(Tail {
            kept: Mutex::new(Kept::default()),
            kept_bytes,
            complete,
        }))
    }

    pub(crate) fn waits_for_late_lines(&self) -> bool {
        self.0.complete
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.0.kept.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts an invocation's log with its `START` line, after the closing lines of the one
    /// before (a request may run an authorizer and then its function).
    pub(crate) fn start(&self, line: &str) {
        let mut kept = self.lock();
        let Kept { lines, closing } = &mut *kept;
        lines.append(closing);
        self.append(&mut kept, line);
    }

    /// Appends one line (a newline is added).
    pub fn push_line(&self, line: &str) {
        let mut kept = self.lock();
        self.append(&mut kept, line);
    }

    /// Appends one of the lines that close an invocation (`END`, `REPORT`): they stay last.
    pub(crate) fn push_closing(&self, line: &str) {
        let mut kept = self.lock();
        kept.closing.extend_from_slice(line.as_bytes());
        kept.closing.push(b'\n');
    }

    fn append(&self, kept: &mut Kept, line: &str) {
        kept.lines.extend_from_slice(line.as_bytes());
        kept.lines.push(b'\n');
        if kept.lines.len() > self.0.kept_bytes {
            let cut = kept.lines.len() - self.0.kept_bytes;
            kept.lines.drain(..cut);
        }
    }

    /// What was logged so far.
    pub fn contents(&self) -> Vec<u8> {
        let kept = self.lock();
        [kept.lines.as_slice(), kept.closing.as_slice()].concat()
    }
}

/// Where an instance's output forwarders look for the tail of the invocation in progress.
#[derive(Debug, Clone, Default)]
pub(crate) struct TailSlot(Arc<Mutex<Option<LogTail>>>);

impl TailSlot {
    /// Lines printed from now on also go to `tail` (none when `None`).
    pub(crate) fn install(&self, tail: Option<LogTail>) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = tail;
    }

    pub(crate) fn push_line(&self, line: &str) {
        if let Some(tail) = &*self.0.lock().unwrap_or_else(PoisonError::into_inner) {
            tail.push_line(line);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(tail: &LogTail) -> String {
        String::from_utf8(tail.contents()).unwrap()
    }

    #[test]
    fn a_tail_keeps_the_newest_lines_and_a_slot_only_feeds_the_installed_tail() {
        let tail = LogTail::complete();
        let slot = TailSlot::default();
        slot.push_line("before");
        slot.install(Some(tail.clone()));
        slot.push_line("during");
        slot.install(None);
        slot.push_line("after");
        assert_eq!(text(&tail), "during\n");
        let long = "x".repeat(1000);
        for _ in 0..100 {
            tail.push_line(&long);
        }
        assert_eq!(tail.contents().len(), COMPLETE_KEPT_BYTES);
        assert_eq!(LogTail::trailing(100).0.kept_bytes, 100);
    }

    #[test]
    fn closing_lines_stay_after_late_output_until_the_next_invocation_starts() {
        let tail = LogTail::trailing(4096);
        tail.start("START 1");
        tail.push_line("printed");
        tail.push_closing("END 1");
        tail.push_closing("REPORT 1");
        tail.push_line("late");
        assert_eq!(text(&tail), "START 1\nprinted\nlate\nEND 1\nREPORT 1\n");
        tail.start("START 2");
        tail.push_closing("END 2");
        assert_eq!(
            text(&tail),
            "START 1\nprinted\nlate\nEND 1\nREPORT 1\nSTART 2\nEND 2\n"
        );
    }
}
