//! Runs Lambda functions as real local processes, the way the Lambda service runs them:
//! each instance is a process that speaks the Lambda Runtime API to a host gatewise serves on
//! loopback (`/2018-06-01/runtime/invocation/next`, `/response`, `/error`, `/init/error`).
//! gatewise's own Node and Python runtime clients make the same calls as frames over a socket
//! pair they inherit, which costs them and gatewise far less per invocation than HTTP; the
//! HTTP API still runs for their instances, for handlers and tools that call it.
//!
//! A [`FunctionHost`] owns one pool of instances per function. An instance serves one
//! invocation at a time; warm instances are reused; a pool grows on demand up to the
//! function's concurrency; an instance that times out or crashes is killed (its whole process
//! group) and replaced on the next invocation. [`FunctionHost::recycle`] applies a code change:
//! idle instances are stopped, busy ones finish their invocation first, and later invocations
//! get fresh processes that load the new code.
//!
//! How a process is started: `provided*` runs `<CodeUri>/bootstrap`; `nodejs*` and
//! `python3.*` run the bundled runtime clients (`runtimes/` at the repository root, embedded
//! here) under the local `node` / `python3`. Each process gets a clean, Lambda-shaped
//! environment ([`function_environment`]), its own Runtime API port (and for the bundled
//! clients its pipe, as descriptor 3), and its own process group.
//!
//! Behaviour constants: [`DEFAULT_MAX_INSTANCES_PER_FUNCTION`] (pool ceiling without
//! `ReservedConcurrentExecutions`), [`INIT_TIMEOUT`] (spawn to first `/next`),
//! [`MAX_RESPONSE_BYTES`] (Lambda's response limit), [`MAX_INVOKE_PAYLOAD_BYTES`] (its
//! request limit), [`ENFORCE_MEMORY_SIZE`] and [`MEMORY_POLL_INTERVAL`] (`MemorySize`).
//!
//! Logs go to stderr, one line each, prefixed with `[FunctionName] `: the function's own
//! output, and Lambda's `START` / `END` / `REPORT` lines.
//!
//! Security (threat model: other local users and the user's other processes, not code inside
//! the function): an instance's Runtime API answers only connections from its own process
//! group, traced through `/proc` on Linux (`peer`); elsewhere any local process could take
//! its invocations. The bundled clients' pipe is an inherited socket pair: only the
//! instance's processes hold it, on every system. The runtime directory (clients, inline
//! code) is private (0700).
//!
//! Nothing is left behind: an invocation runs in its own task, so a caller that stops waiting
//! does not stop the function; every process an instance started — its group, children that
//! detached from it — ends with the instance and with gatewise, even when gatewise is killed
//! (`cleanup`).
//!
//! CONTRACT (kept stable for the gateway and the binary): `FunctionHost::start`,
//! `FunctionHost::invoke`, `FunctionHost::recycle`, `FunctionHost::shutdown`, `HostOptions`,
//! `WarmPolicy`,
//! `EnvOverrides`, `InvokeError`, `HostError`.

mod cleanup;
mod dispatch;
mod environment;
mod instance;
mod layers;
mod log;
mod log_tail;
mod memory;
mod peer;
mod pool;
mod runtime_api;
mod runtimes;

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use gatewise_model::{Function, FunctionIndex};
use indexmap::IndexMap;

pub use dispatch::{Dispatch, Queueing};
pub use environment::{
    HostEnvironment, InstanceEnvironment, PASSED_THROUGH, PINNED, function_environment,
    log_stream_name,
};
pub use instance::INIT_TIMEOUT;
pub use log::{flush_stderr, write_to_stderr};
pub use log_tail::LogTail;
pub use memory::{ENFORCE_MEMORY_SIZE, MEMORY_POLL_INTERVAL};
pub use pool::DEFAULT_MAX_INSTANCES_PER_FUNCTION;
pub use runtime_api::{MAX_INVOKE_PAYLOAD_BYTES, MAX_RESPONSE_BYTES, PAYLOAD_TOO_LARGE_ERROR_TYPE};

use instance::FunctionSpec;
use pool::Pool;
use runtimes::{Interpreters, RuntimeFiles};

/// When instances are started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WarmPolicy {
    /// Start one instance of every function at startup and wait until each has asked for its
    /// first invocation (or failed to initialise), so the first request is warm.
    #[default]
    Eager,
    /// Start an instance on the first invocation (a cold start, as on AWS).
    Lazy,
}

/// Environment variable overrides in the SAM CLI `--env-vars` format:
/// `{"Parameters": {..all functions..}, "<LogicalId or FunctionName>": {..}}`.
#[derive(Debug, Clone, Default)]
pub struct EnvOverrides {
    /// Applied to every function (the `Parameters` key).
    pub all_functions: IndexMap<String, String>,
    /// Keyed by logical id or function name.
    pub per_function: IndexMap<String, IndexMap<String, String>>,
}

/// How the host runs functions.
#[derive(Debug, Clone, Default)]
pub struct HostOptions {
    pub warm: WarmPolicy,
    pub env_overrides: EnvOverrides,
}

/// One request for a function.
#[derive(Debug, Clone)]
pub struct Invocation {
    /// The Lambda request id (`Lambda-Runtime-Aws-Request-Id`, `context.awsRequestId`).
    pub request_id: String,
    /// The event, as JSON bytes.
    pub payload: Bytes,
    /// Whether it queued for an instance, for a caller that stops waiting before the end.
    pub dispatch: Dispatch,
    /// Where to keep this invocation's log (`START` … `REPORT`), for the Invoke API's
    /// `X-Amz-Log-Type: Tail` and the inspector page; `None` keeps nothing.
    pub log: Option<LogTail>,
}

/// Why an invocation produced no successful response. Every variant is something the
/// gateway turns into a gateway error (502 for REST proxy); `Display` is the sentence for the
/// log line.
#[derive(Debug, Clone, thiserror::Error)]
pub enum InvokeError {
    /// The handler raised or returned an error (Runtime API `/error`).
    #[error("the function failed: {error_type}: {error_message}")]
    Function {
        error_type: String,
        error_message: String,
    },
    /// The function ran past its `Timeout`; its instance was killed.
    #[error("the function timed out after {0:?} (Timeout); its instance was stopped")]
    Timeout(Duration),
    /// The process exited while handling the invocation.
    #[error("the function's process exited during the invocation ({0})")]
    Crashed(String),
    /// The instance could not initialise (handler not found, import error, bootstrap missing…).
    #[error("the function could not start: {0}")]
    InitFailed(String),
}

/// The error type of an invocation whose instance used more than its `MemorySize`, as
/// Lambda reports it.
pub const OUT_OF_MEMORY_ERROR_TYPE: &str = "Runtime.OutOfMemory";

/// `errorType` for a function that could not initialise when the reason does not carry the
/// runtime's own type (`Runtime.ImportModuleError: …`, `Runtime.HandlerNotFound: …`, which
/// are used when present). UNCONFIRMED; test `invoke_errors_become_what_lambda_reports`.
pub const INIT_ERROR_TYPE: &str = "Runtime.Unknown";

impl InvokeError {
    /// `(errorType, errorMessage)` of an [`InvokeError::InitFailed`] reason: the runtime's
    /// `Runtime.<Kind>: message` inside gatewise's reason when there is one (as Lambda reports
    /// it), else [`INIT_ERROR_TYPE`] and the whole reason. Shared by the Invoke API and API
    /// Gateway's non-proxy integration, which both show Lambda's error object.
    pub fn init_error_parts(reason: &str) -> (String, String) {
        let reported = reason.find("Runtime.").and_then(|at| {
            let (error_type, message) = reason[at..].split_once(": ")?;
            (!error_type.contains(char::is_whitespace))
                .then(|| (error_type.to_owned(), message.to_owned()))
        });
        reported.unwrap_or_else(|| (INIT_ERROR_TYPE.to_owned(), reason.to_owned()))
    }
}

/// A problem that stops the host from starting (reported before `Listening on`).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct HostError {
    /// The sentence for the user, naming the function and where it is declared.
    pub message: String,
}

/// The pools of function instances for one stack.
pub struct FunctionHost {
    pools: Vec<Arc<Pool>>,
    warm: WarmPolicy,
    /// Runtime clients and inline code; kept until the host (and its processes) are gone.
    _files: RuntimeFiles,
}

impl FunctionHost {
    /// Prepares every function (code location, runtime client, environment) and, with
    /// [`WarmPolicy::Eager`], starts one instance of each.
    ///
    /// Only static problems are errors here (missing `bootstrap`, no `node` on `PATH`): a
    /// function whose code fails to initialise is logged, and its invocations fail with
    /// [`InvokeError::InitFailed`], as they would on Lambda.
    pub async fn start(
        functions: &[Function],
        options: HostOptions,
    ) -> Result<FunctionHost, HostError> {
        let files = RuntimeFiles::create().map_err(|err| HostError {
            message: format!("could not create a directory for the runtime clients: {err}"),
        })?;
        let host_env = Arc::new(HostEnvironment::from_process());
        let overrides = Arc::new(options.env_overrides);
        let mut interpreters = Interpreters::new(host_env.vars.get("PATH").cloned());
        let mut pools = Vec::with_capacity(functions.len());
        for (index, function) in functions.iter().enumerate() {
            let launch = interpreters.launch(function, index, &files)?;
            pools.push(Pool::new(FunctionSpec {
                function: function.clone(),
                log_name: Arc::from(function.name.as_str()),
                launch,
                runtime_dir: files.runtime_dir().to_path_buf(),
                host_env: Arc::clone(&host_env),
                overrides: Arc::clone(&overrides),
            }));
        }
        let host = FunctionHost {
            pools,
            warm: options.warm,
            _files: files,
        };
        if options.warm == WarmPolicy::Eager {
            let warming: Vec<_> = host
                .pools
                .iter()
                .map(|pool| {
                    let pool = Arc::clone(pool);
                    tokio::spawn(async move { pool.warm().await })
                })
                .collect();
            for task in warming {
                // A panicking warm-up only costs the warm start.
                let _ = task.await;
            }
        }
        Ok(host)
    }

    /// Runs one invocation on a warm (or new) instance of `function` and returns the bytes the
    /// function posted to `/response`.
    ///
    /// The invocation runs in a task of its own: a caller that stops waiting (a client that
    /// disconnects, a gateway timeout) does not stop the function, which runs to its end (or
    /// its `Timeout`) and is logged, as on Lambda.
    pub async fn invoke(
        &self,
        function: FunctionIndex,
        invocation: Invocation,
    ) -> Result<Bytes, InvokeError> {
        let Some(pool) = self.pools.get(function) else {
            return Err(InvokeError::InitFailed(format!(
                "gatewise has no function number {function}"
            )));
        };
        if invocation.payload.len() > MAX_INVOKE_PAYLOAD_BYTES {
            return Err(InvokeError::Function {
                error_type: PAYLOAD_TOO_LARGE_ERROR_TYPE.into(),
                error_message: format!(
                    "{} byte payload is too large for the RequestResponse invocation type (limit {MAX_INVOKE_PAYLOAD_BYTES} bytes)",
                    invocation.payload.len()
                ),
            });
        }
        let pool = Arc::clone(pool);
        tokio::spawn(async move { pool.invoke(invocation).await })
            .await
            .unwrap_or_else(|_| {
                Err(InvokeError::Crashed(
                    "gatewise lost the invocation (its task ended early)".into(),
                ))
            })
    }

    /// Applies a change to `function`'s code: every idle instance is stopped now (its whole
    /// process group), every busy one finishes its current invocation and is then discarded,
    /// and later invocations start fresh processes. With [`WarmPolicy::Eager`] one replacement
    /// is started right away (when a slot is free), as at startup. Logs
    /// `[Name] Code changed: instances restarted`. Does nothing for an unknown index or after
    /// [`FunctionHost::shutdown`].
    pub async fn recycle(&self, function: FunctionIndex) {
        let Some(pool) = self.pools.get(function) else {
            return;
        };
        if pool.recycle().await && self.warm == WarmPolicy::Eager {
            pool.warm_replacement().await;
        }
    }

    /// Stops every instance (whole process groups) and waits until they are gone.
    pub async fn shutdown(&self) {
        for pool in &self.pools {
            pool.shutdown().await;
        }
    }

    /// How many processes `function` has right now (busy, idle or starting); 0 for an unknown
    /// index. For status displays and tests.
    pub fn live_processes(&self, function: FunctionIndex) -> usize {
        self.pools
            .get(function)
            .map_or(0, |pool| pool.live_processes())
    }
}

impl Drop for FunctionHost {
    /// A host dropped without [`FunctionHost::shutdown`] still leaves no process behind.
    fn drop(&mut self) {
        for pool in &self.pools {
            pool.kill_all();
        }
    }
}
