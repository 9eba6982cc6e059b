//! What happened to an invocation before its function ran: whether it queued behind busy
//! instances, and when it got one. The gateway keeps a handle while it waits, so when its
//! integration timeout fires it can tell "the function was slow" from "the request never got
//! an instance" (every instance of the function busy, the pool at its cap).

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// Shared between an [`crate::Invocation`] and whoever waits for its result; cloning shares it.
#[derive(Debug, Clone)]
pub struct Dispatch(Arc<State>);

#[derive(Debug)]
struct State {
    created: Instant,
    /// The pool's cap when the invocation had to wait for a free instance.
    queued_behind: OnceLock<usize>,
    /// When the invocation got its instance.
    dispatched: OnceLock<Instant>,
}

/// How an invocation waited for an instance, as seen at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Queueing {
    /// How many instances were busy: the function's cap.
    pub busy_instances: usize,
    /// How long it waited; up to now when it is still waiting.
    pub waited: Duration,
    /// How long it has run since it got an instance; `None` while it is still queued.
    pub ran: Option<Duration>,
}

impl Default for Dispatch {
    fn default() -> Self {
        Self::new()
    }
}

impl Dispatch {
    /// A dispatch that starts now (the invocation's creation).
    pub fn new() -> Self {
        Self(Arc::new(State {
            created: Instant::now(),
            queued_behind: OnceLock::new(),
            dispatched: OnceLock::new(),
        }))
    }

    /// `Some` when the invocation had to wait because all of the function's instances were
    /// busy; `None` when an instance was free (or could be started) right away.
    pub fn queueing(&self) -> Option<Queueing> {
        let busy_instances = *self.0.queued_behind.get()?;
        let now = Instant::now();
        let dispatched = self.0.dispatched.get().copied();
        Some(Queueing {
            busy_instances,
            waited: dispatched.unwrap_or(now) - self.0.created,
            ran: dispatched.map(|at| now - at),
        })
    }

    pub(crate) fn mark_queued(&self, busy_instances: usize) {
        let _ = self.0.queued_behind.set(busy_instances);
    }

    /// The invocation got its instance (a retry keeps the first time).
    pub(crate) fn mark_dispatched(&self) {
        let _ = self.0.dispatched.set(Instant::now());
    }
}
