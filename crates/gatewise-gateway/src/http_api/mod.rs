//! The HTTP API pipeline (API Gateway v2), one module per phase: `router` (Phase 1, match),
//! the CORS preflight (Phase 2, in `pipeline`), `authorize` (Phase 3), `event` (Phase 4a, the
//! payload 2.0 event and the HTTP API form of payload 1.0), `response` (Phase 5, shape) and
//! `error` (the errors an HTTP API raises itself: it has no gateway responses), strung
//! together by `pipeline`, which also decorates responses with `CorsConfiguration`.
//!
//! Payload 1.0 is REST's format: `event` and `response` build on `rest::event` and
//! `rest::proxy_response`, in that one direction.

mod authorize;
pub(crate) mod error;
pub(crate) mod event;
pub(crate) mod pipeline;
pub(crate) mod response;
pub(crate) mod router;

#[cfg(test)]
mod pipeline_tests;
