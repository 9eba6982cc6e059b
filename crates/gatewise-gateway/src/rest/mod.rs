//! The REST API pipeline (API Gateway v1), one module per phase: `router` (Phase 1, match),
//! `authorize` with `api_key` (Phase 3), `validate` (Phase 3b, the request validator), `event`
//! (Phase 4a, the payload 1.0 event), `proxy_response` (Phase 5, shape) and
//! `gateway_response` (Phase 6), strung together by `pipeline`. The `MOCK` and `AWS` Lambda
//! integrations (Phases 4b, 4c) live in `integration`, the access log and CORS explanation
//! (Phase 8) in `observe`.
//!
//! HTTP APIs reuse the payload 1.0 parts (`event`, `proxy_response`) and the router's
//! `RouteConflict`; nothing here uses the HTTP API pipeline.

mod api_key;
mod authorize;
pub(crate) mod event;
pub(crate) mod gateway_response;
pub(crate) mod pipeline;
pub(crate) mod proxy_response;
pub(crate) mod router;
pub(crate) mod validate;

#[cfg(test)]
mod pipeline_tests;
