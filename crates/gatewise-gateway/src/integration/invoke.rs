//! Phase 4, **integrate**, its seam: how the gateway runs a function — the proxy functions of
//! both pipelines, `AWS` Lambda integrations and Lambda authorizers all go through [`Invoke`].

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use gatewise_lambda::{Dispatch, FunctionHost, Invocation, InvokeError, LogTail};
use gatewise_model::{Function, FunctionIndex};

/// The futures a function invocation returns, boxed so the gateway can hold any host.
pub(crate) type InvokeFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Bytes, InvokeError>> + Send + 'a>>;

/// Runs functions for the gateway. [`FunctionHost`] is the real one; tests substitute
/// scripted functions so the whole pipeline runs without processes.
pub(crate) trait Invoke: Send + Sync {
    fn invoke(&self, function: FunctionIndex, invocation: Invocation) -> InvokeFuture<'_>;
}

/// Runs functions keeping their log lines in one request's `log` (the inspector's view of
/// the request): its authorizer's and its integration's invocations alike.
pub(crate) struct LoggedInvoke<'a> {
    pub functions: &'a dyn Invoke,
    pub log: &'a LogTail,
}

impl Invoke for LoggedInvoke<'_> {
    fn invoke(&self, function: FunctionIndex, mut invocation: Invocation) -> InvokeFuture<'_> {
        invocation.log.get_or_insert_with(|| self.log.clone());
        self.functions.invoke(function, invocation)
    }
}

impl Invoke for FunctionHost {
    fn invoke(&self, function: FunctionIndex, invocation: Invocation) -> InvokeFuture<'_> {
        Box::pin(FunctionHost::invoke(self, function, invocation))
    }
}

/// The log reason when an integration timeout (`which`, after `timeout`) fires on a request
/// that had to queue for an instance of `function` because all of them were busy: the
/// timeout is then the local instance cap's doing, not the function's, and the fix differs.
/// `None` when the request did not queue.
pub(crate) fn queued_timeout_reason(
    which: &str,
    timeout: Duration,
    function: &Function,
    dispatch: &Dispatch,
) -> Option<String> {
    let queueing = dispatch.queueing()?;
    let cap = match function.reserved_concurrency {
        Some(n) => format!("its ReservedConcurrentExecutions is {n}"),
        None => format!(
            "gatewise runs at most {} per function without ReservedConcurrentExecutions",
            gatewise_lambda::DEFAULT_MAX_INSTANCES_PER_FUNCTION
        ),
    };
    let after = match queueing.ran {
        None => "and never got one".to_owned(),
        Some(ran) => format!("then ran for {:.1}s", ran.as_secs_f64()),
    };
    Some(format!(
        "the integration timed out after {:.1}s ({which}) while the request was queued behind {busy} busy instance{s} of function {id} ({cap}): it waited {:.1}s for a free instance {after}. Fix: raise ReservedConcurrentExecutions of {id} (declared at {at}) or send fewer concurrent requests; on AWS, requests over the reserved concurrency are throttled, not queued",
        timeout.as_secs_f64(),
        queueing.waited.as_secs_f64(),
        busy = queueing.busy_instances,
        s = if queueing.busy_instances == 1 {
            ""
        } else {
            "s"
        },
        id = function.logical_id,
        at = function.location,
    ))
}
