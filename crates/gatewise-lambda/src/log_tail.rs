//! The log of one invocation, for the Invoke API's `X-Amz-Log-Type: Tail`: the `START` line, what
//! the function printed while it ran, `END` and `REPORT` — the lines Lambda returns base64-encoded
//! in `X-Amz-Log-Result` (its last 4 KB).
//!
//! An instance runs one invocation at a time, so every line its processes print between `START`
//! and the result belongs to that invocation; the instance's output forwarders copy lines into
//! the tail installed for it ([`TailSlot`]) while one is.

use std::sync::{Arc, Mutex, PoisonError};

/// How long an invocation with a tail waits after its result for output still in the pipe
/// from the function's last lines (the forwarders read pipes asynchronously); only `Tail`
/// invocations pay it.
pub(crate) const FLUSH_GRACE: std::time::Duration = std::time::Duration::from_millis(20);

/// Bytes of an invocation's log kept at most (the oldest lines go first): well above the 4 KB
/// Lambda returns, small enough that a chatty function costs nothing.
const KEPT_BYTES: usize = 64 * 1024;

/// The log of one invocation, filled while it runs; cloning shares it.
#[derive(Debug, Clone, Default)]
pub struct LogTail(Arc<Mutex<Vec<u8>>>);

impl LogTail {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends one line (a newline is added).
    pub(crate) fn push_line(&self, line: &str) {
        let mut log = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        log.extend_from_slice(line.as_bytes());
        log.push(b'\n');
        if log.len() > KEPT_BYTES {
            let cut = log.len() - KEPT_BYTES;
            log.drain(..cut);
        }
    }

    /// What was logged so far.
    pub fn contents(&self) -> Vec<u8> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
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

    #[test]
    fn a_tail_keeps_the_newest_lines_and_a_slot_only_feeds_the_installed_tail() {
        let tail = LogTail::new();
        let slot = TailSlot::default();
        slot.push_line("before");
        slot.install(Some(tail.clone()));
        slot.push_line("during");
        slot.install(None);
        slot.push_line("after");
        assert_eq!(tail.contents(), b"during\n");
        let long = "x".repeat(1000);
        for _ in 0..100 {
            tail.push_line(&long);
        }
        assert_eq!(tail.contents().len(), KEPT_BYTES);
    }
}
