//! Phase 4, **integrate**: what the pipelines call once a request is authorized, and the
//! Lambda authorizers they call before — `invoke` (how any function runs), `mock` (4b,
//! `MOCK`), `lambda_custom` (4c, `AWS` non-proxy Lambda), `http` (4d, `HTTP_PROXY` and `HTTP`
//! backends of both API types) with the Velocity
//! `mapping_template`s both render, and `lambda_authorizer` (the events and policies of Lambda authorizers, shared by
//! REST and HTTP APIs). Each returns its own errors; the pipelines turn them into responses.
//! Built on `request`, nothing else of the gateway.

pub(crate) mod http;
pub(crate) mod invoke;
pub(crate) mod lambda_authorizer;
pub(crate) mod lambda_custom;
pub(crate) mod mapping_template;
pub(crate) mod mock;
