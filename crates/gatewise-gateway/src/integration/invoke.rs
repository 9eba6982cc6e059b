//! Phase 4, **integrate**, its seam: how the gateway runs a function — the proxy functions of
//! both pipelines, `AWS` Lambda integrations and Lambda authorizers all go through [`Invoke`].

use std::future::Future;
use std::pin::Pin;

use bytes::Bytes;
use gatewise_lambda::{FunctionHost, Invocation, InvokeError};
use gatewise_model::FunctionIndex;

/// The futures a function invocation returns, boxed so the gateway can hold any host.
pub(crate) type InvokeFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Bytes, InvokeError>> + Send + 'a>>;

/// Runs functions for the gateway. [`FunctionHost`] is the real one; tests substitute
/// scripted functions so the whole pipeline runs without processes.
pub(crate) trait Invoke: Send + Sync {
    fn invoke(&self, function: FunctionIndex, invocation: Invocation) -> InvokeFuture<'_>;
}

impl Invoke for FunctionHost {
    fn invoke(&self, function: FunctionIndex, invocation: Invocation) -> InvokeFuture<'_> {
        Box::pin(FunctionHost::invoke(self, function, invocation))
    }
}
