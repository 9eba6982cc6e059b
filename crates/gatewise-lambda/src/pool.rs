//! The instances of one function: reuse warm ones, start new ones up to the ceiling, and queue
//! invocations (first come, first served) when every instance is busy.
//!
//! A *slot* is the right to one live process. An invocation holds a [`Lease`] on a slot for
//! as long as it runs; dropping the lease (an error, a cancelled request) gives the slot back,
//! so the count of live processes can never drift from the processes that exist. A slot whose
//! process is still running is given back only once that process has been killed and reaped,
//! so a new process never starts beside a dying one past the ceiling.
//!
//! Code changes ([`Pool::recycle`]) bump the pool's *generation*: idle instances of an older
//! generation are stopped at once, busy ones finish their invocation and are then retired
//! instead of going back to the idle stack.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Instant;

use bytes::Bytes;
use tokio::sync::oneshot;

use crate::instance::{FunctionSpec, Instance, Outcome, ProcessRegistry};
use crate::{
    Dispatch, Invocation, InvokeError, LogTail, OUT_OF_MEMORY_ERROR_TYPE, log, runtime_api,
};

/// Ceiling of a pool when the function sets no `ReservedConcurrentExecutions`. Lambda's own
/// default (the account's 1000) would only let a runaway load test fork-bomb a laptop; ten
/// concurrent requests per function is more than local testing needs.
pub const DEFAULT_MAX_INSTANCES_PER_FUNCTION: usize = 10;

pub(crate) struct Pool {
    spec: FunctionSpec,
    max: usize,
    state: Mutex<PoolState>,
    registry: Arc<ProcessRegistry>,
    /// The pool itself, for the task that gives a retired instance's slot back once its
    /// process has been reaped.
    me: Weak<Pool>,
}

#[derive(Default)]
struct PoolState {
    /// Warm instances; the most recently used is reused first (its caches are warmest).
    idle: Vec<Instance>,
    /// Slots handed out: idle + busy + starting instances.
    live: usize,
    waiters: VecDeque<oneshot::Sender<Grant>>,
    closed: bool,
    /// Bumped on every code change; instances started under an older one are stale.
    generation: u64,
}

/// A slot handed to a waiting invocation.
enum Grant {
    Warm(Instance),
    Fresh,
}

/// One slot of the pool, with its instance once there is one.
struct Lease<'a> {
    pool: &'a Pool,
    instance: Option<Instance>,
    /// Whether the instance may serve again; false while an invocation is in flight, so a
    /// cancelled invocation discards an instance in an unknown state.
    reusable: bool,
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        match self.instance.take() {
            Some(instance) if self.reusable => self.pool.put_back(instance),
            Some(instance) => self.pool.retire(instance),
            None => self.pool.free_slot(),
        }
    }
}

/// Waits for a grant; gives it back if the invocation is cancelled after it was sent.
struct Waiting<'a> {
    pool: &'a Pool,
    grant: oneshot::Receiver<Grant>,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.grant.close();
        if let Ok(grant) = self.grant.try_recv() {
            drop(self.pool.lease(grant));
        }
    }
}

impl Pool {
    pub fn new(spec: FunctionSpec) -> Arc<Self> {
        let max = spec
            .function
            .reserved_concurrency
            .map_or(DEFAULT_MAX_INSTANCES_PER_FUNCTION, |n| n as usize)
            .max(1);
        Arc::new_cyclic(|me| Self {
            spec,
            max,
            state: Mutex::new(PoolState::default()),
            registry: Arc::default(),
            me: me.clone(),
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, PoolState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn lease(&self, grant: Grant) -> Lease<'_> {
        let instance = match grant {
            Grant::Warm(instance) => Some(instance),
            Grant::Fresh => None,
        };
        Lease {
            pool: self,
            instance,
            reusable: true,
        }
    }

    /// A warm instance, a fresh slot, or a place in the queue (then `dispatch` records that
    /// the invocation queued behind the cap).
    async fn acquire(&self, dispatch: &Dispatch) -> Result<Lease<'_>, InvokeError> {
        let mut dead = Vec::new();
        let waiting = {
            let mut state = self.state();
            if state.closed {
                return Err(shutting_down());
            }
            loop {
                match state.idle.pop() {
                    Some(instance) if instance.has_exited() => {
                        state.live -= 1;
                        dead.push(instance);
                    }
                    Some(instance) => return Ok(self.lease(Grant::Warm(instance))),
                    None => break,
                }
            }
            if state.live < self.max {
                state.live += 1;
                None
            } else {
                dispatch.mark_queued(self.max);
                let (tx, rx) = oneshot::channel();
                state.waiters.push_back(tx);
                Some(rx)
            }
        };
        drop(dead);
        match waiting {
            None => Ok(self.lease(Grant::Fresh)),
            Some(grant) => {
                let mut waiting = Waiting { pool: self, grant };
                let grant = (&mut waiting.grant).await.map_err(|_| shutting_down())?;
                Ok(self.lease(grant))
            }
        }
    }

    /// Returns a healthy instance: to the longest waiter, else to the idle stack. An instance
    /// that has exited, or runs code older than the last change, is retired instead.
    fn put_back(&self, mut instance: Instance) {
        let mut state = self.state();
        if state.closed {
            state.live -= 1;
            drop(state);
            drop(instance);
            return;
        }
        if instance.has_exited() || instance.generation() != state.generation {
            drop(state);
            self.retire(instance);
            return;
        }
        while let Some(waiter) = state.waiters.pop_front() {
            // The only thing that can come back is the instance, from a cancelled waiter.
            let Err(Grant::Warm(returned)) = waiter.send(Grant::Warm(instance)) else {
                return;
            };
            instance = returned;
        }
        state.idle.push(instance);
    }

    /// Gives up the slot of an instance that must not serve again. A process that has already
    /// exited frees the slot now; a live one is killed (its whole group) and its slot is freed
    /// once the process has been reaped, by a task, since this runs in `Drop`.
    fn retire(&self, instance: Instance) {
        if instance.has_exited() {
            drop(instance);
            self.free_slot();
            return;
        }
        instance.kill();
        match (self.me.upgrade(), tokio::runtime::Handle::try_current()) {
            (Some(pool), Ok(runtime)) => {
                runtime.spawn(async move {
                    let mut instance = instance;
                    instance.wait_reaped().await;
                    drop(instance);
                    pool.free_slot();
                });
            }
            // No runtime to wait on (a host being torn down): the kill has been sent.
            _ => {
                drop(instance);
                self.free_slot();
            }
        }
    }

    fn generation(&self) -> u64 {
        self.state().generation
    }

    /// An instance handed over before the last code change is stopped here; the lease keeps
    /// its slot and starts a fresh instance in its place.
    async fn drop_stale(&self, lease: &mut Lease<'_>) {
        let current = self.generation();
        let Some(instance) = lease
            .instance
            .as_mut()
            .filter(|instance| instance.generation() != current)
        else {
            return;
        };
        // Cancelled while stopping: the lease retires the instance.
        lease.reusable = false;
        instance.kill_and_wait().await;
        lease.instance = None;
        lease.reusable = true;
    }

    /// Gives up a slot whose instance is gone: the longest waiter may start a new one.
    fn free_slot(&self) {
        let mut state = self.state();
        if !state.closed {
            while let Some(waiter) = state.waiters.pop_front() {
                if waiter.send(Grant::Fresh).is_ok() {
                    return;
                }
            }
        }
        state.live -= 1;
    }

    /// Starts one instance ahead of traffic; failures are logged and left for the first
    /// invocation to report, as Lambda reports them.
    pub async fn warm(&self) {
        let Ok(lease) = self.acquire(&Dispatch::new()).await else {
            return;
        };
        self.warm_up(lease).await;
    }

    /// After a code change (`--warm eager`): starts one fresh instance if a slot is free right
    /// now and no current instance is idle. It never queues: with every slot busy, the
    /// replacements start when those invocations end.
    pub async fn warm_replacement(&self) {
        let lease = {
            let mut state = self.state();
            if state.closed || !state.idle.is_empty() || state.live >= self.max {
                return;
            }
            state.live += 1;
            self.lease(Grant::Fresh)
        };
        self.warm_up(lease).await;
    }

    async fn warm_up(&self, mut lease: Lease<'_>) {
        self.drop_stale(&mut lease).await;
        if lease.instance.is_none() {
            let generation = self.generation();
            match Instance::start(&self.spec, &self.registry, generation).await {
                Ok(mut instance) => {
                    // Like provisioned concurrency: the init is reported now, and the first
                    // invocation's REPORT line is a warm one.
                    if let Some(init) = instance.take_init_duration() {
                        log::line(&self.spec.log_name, &log::warm_init_line(init));
                    }
                    lease.instance = Some(instance);
                }
                Err(cause) => self.log_init_failure(&cause),
            }
        }
    }

    pub async fn invoke(&self, invocation: Invocation) -> Result<Bytes, InvokeError> {
        let request_id = runtime_api::usable_request_id(invocation.request_id);
        let function = &self.spec.function;
        let name = &self.spec.log_name;
        // One retry covers an idle instance that died just as it was handed the event.
        let mut retried = false;
        loop {
            let mut lease = self.acquire(&invocation.dispatch).await?;
            invocation.dispatch.mark_dispatched();
            self.drop_stale(&mut lease).await;
            let generation = self.generation();
            let instance = match &mut lease.instance {
                Some(instance) => instance,
                empty @ None => match Instance::start(&self.spec, &self.registry, generation).await
                {
                    Ok(instance) => empty.insert(instance),
                    Err(cause) => {
                        self.log_init_failure(&cause);
                        return Err(InvokeError::InitFailed(format!(
                            "{} of {}: {cause}",
                            self.spec.entry_point(),
                            function.name
                        )));
                    }
                },
            };
            let init = instance.take_init_duration();
            let pid = instance.pid();
            // Each line goes to the terminal and, when a tail was asked for, to the
            // invocation's own log (`keep`: as its start, a line, or a closing line).
            let tail = invocation.log.clone();
            let note_as = |keep: fn(&LogTail, &str), text: &str| {
                log::line(name, text);
                if let Some(tail) = &tail {
                    keep(tail, text);
                }
            };
            let note = |text: &str| note_as(LogTail::push_line, text);
            note_as(LogTail::start, &log::start_line(&request_id));
            instance.log_to(tail.clone());
            lease.reusable = false;
            let started = Instant::now();
            let outcome = instance
                .invoke(
                    request_id.clone(),
                    invocation.payload.clone(),
                    function.timeout,
                    u64::from(function.memory_mb) * 1024 * 1024,
                )
                .await;
            let duration = started.elapsed();
            // Lines printed just before the result may still be in the pipe: a complete
            // tail waits for them; a trailing one stays installed to take them until the
            // instance's next invocation.
            if tail.as_ref().is_some_and(LogTail::waits_for_late_lines) {
                tokio::time::sleep(crate::log_tail::FLUSH_GRACE).await;
                if let Some(instance) = &lease.instance {
                    instance.log_to(None);
                }
            }
            let result = match outcome {
                Outcome::Response(body) => {
                    lease.reusable = true;
                    Ok(body)
                }
                Outcome::Error(report) => {
                    lease.reusable = true;
                    Err(InvokeError::Function {
                        error_type: report.error_type,
                        error_message: report.error_message,
                    })
                }
                Outcome::TimedOut => {
                    note(&format!(
                        "{request_id} Task timed out after {:.2} seconds",
                        function.timeout.as_secs_f64()
                    ));
                    Err(InvokeError::Timeout(function.timeout))
                }
                Outcome::Exited(status) => {
                    note(&format!(
                        "RequestId: {request_id} Error: Runtime exited with error: {status} (pid {pid})"
                    ));
                    Err(InvokeError::Crashed(status))
                }
                Outcome::OutOfMemory(used) => {
                    let exited = format!(
                        "RequestId: {request_id} Error: Runtime exited with error: signal: killed"
                    );
                    note(&format!("{exited} {OUT_OF_MEMORY_ERROR_TYPE}"));
                    note(&format!(
                        "MemorySize exceeded: function {} (declared at {}) used {} MB, over its MemorySize of {} MB, so its instance was killed, as Lambda kills it. Fix: raise MemorySize of {} or make the handler use less memory",
                        function.logical_id,
                        function.location,
                        used / (1024 * 1024),
                        function.memory_mb,
                        function.logical_id,
                    ));
                    Err(InvokeError::Function {
                        error_type: OUT_OF_MEMORY_ERROR_TYPE.into(),
                        error_message: exited,
                    })
                }
                Outcome::NotDelivered if !retried => {
                    retried = true;
                    continue;
                }
                Outcome::NotDelivered => Err(InvokeError::Crashed(
                    "the process exited before taking the event".into(),
                )),
            };
            note_as(LogTail::push_closing, &log::end_line(&request_id));
            note_as(
                LogTail::push_closing,
                &log::report_line(&request_id, duration, function.memory_mb, init),
            );
            return result;
        }
    }

    fn log_init_failure(&self, cause: &str) {
        log::line(
            &self.spec.log_name,
            &format!("Init failed ({}): {cause}", self.spec.entry_point()),
        );
    }

    /// The code changed: stops every idle instance (whole process groups, reaped before their
    /// slots are given back) and marks busy ones stale, so they are retired when their current
    /// invocation ends. False when the pool is shut down.
    pub async fn recycle(&self) -> bool {
        let (idle, busy) = {
            let mut state = self.state();
            if state.closed {
                return false;
            }
            state.generation += 1;
            let idle = std::mem::take(&mut state.idle);
            let busy = state.live - idle.len();
            (idle, busy)
        };
        log::line(&self.spec.log_name, &log::code_changed_line(busy));
        // Each keeps its slot until its process is reaped; cancelled, the leases retire them.
        let mut stopping: Vec<Lease<'_>> = idle
            .into_iter()
            .map(|instance| Lease {
                pool: self,
                instance: Some(instance),
                reusable: false,
            })
            .collect();
        for instance in stopping.iter().filter_map(|lease| lease.instance.as_ref()) {
            instance.kill();
        }
        for lease in &mut stopping {
            if let Some(instance) = lease.instance.as_mut() {
                instance.wait_reaped().await;
            }
            // Reaped: dropping the empty lease frees the slot.
            lease.instance = None;
        }
        true
    }

    /// Live processes, busy or idle.
    pub fn live_processes(&self) -> usize {
        self.registry.len()
    }

    /// Refuses new invocations, kills every process group and waits until each process has
    /// been reaped.
    pub async fn shutdown(&self) {
        let (idle, waiters) = {
            let mut state = self.state();
            state.closed = true;
            let idle = std::mem::take(&mut state.idle);
            state.live -= idle.len();
            (idle, std::mem::take(&mut state.waiters))
        };
        drop(waiters);
        drop(idle);
        for mut exit in self.registry.close_and_kill() {
            let _ = exit.wait_for(Option::is_some).await;
        }
    }

    /// Kills every process group without waiting; for a host dropped without `shutdown`.
    pub fn kill_all(&self) {
        self.registry.close_and_kill();
    }
}

fn shutting_down() -> InvokeError {
    InvokeError::InitFailed("gatewise is shutting down".into())
}
