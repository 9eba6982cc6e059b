//! The local API Gateway: HTTP server, routing, the REST request pipeline (authorizers and
//! API keys, payload 1.0 events, Lambda proxy response mapping, MOCK integrations,
//! configured gateway responses), the HTTP API pipeline (route keys, JWT / Lambda
//! authorizers, payload 2.0 and 1.0 events, response inference, `CorsConfiguration`) and
//! the access log.
//!
//! The folders follow the request, top to bottom; a module uses only what is below it:
//! - `server`: the accept loop, handing every request to the [`Gateway`];
//! - `gateway`: the [`Gateway`], the [`RouteTable`] of every API and the one dispatch that
//!   sends a request down the REST or the HTTP API pipeline;
//! - `rest` and `http_api`: the two pipelines, one module per phase (1 match, 2 preflight,
//!   3 authorize, 3b validate, 4a the proxy event, 5 shape, 6 gateway response); HTTP APIs
//!   reuse REST's payload 1.0 parts, never the other way round;
//! - `integration` (Phase 4: function invocation, `MOCK`, `AWS` Lambda with its Velocity
//!   mapping templates, Lambda authorizers), `observe` (Phase 8: the access log, the CORS
//!   explanation and the response sources they describe) and `request` (header casing,
//!   ids, query strings, parameters, media types, the path trie): what both pipelines use.
//!   `integration` builds on `request`; none of the three uses a pipeline;
//! - `inspector`: the live page (its own port) that `observe` reports every finished request
//!   to; it knows nothing of the pipelines or of `observe`.
//!
//! Known difference from AWS: hyper writes response header names in lower case on the wire
//! (`x-amzn-requestid`, not `x-amzn-RequestId`), for HTTP/1 as HTTP/2 already requires;
//! clients compare names case-insensitively. Request header names, which functions do see,
//! keep the client's casing (see the `request::head_tap` module).

mod gateway;
mod http_api;
mod inspector;
mod integration;
mod observe;
mod request;
mod rest;
mod server;

pub use gateway::{Gateway, GatewayOptions, MIXED_TEMPLATE_UNMATCHED_IS_REST_403, RouteTable};
pub use http_api::error::HTTP_API_TOO_LARGE_MESSAGE;
pub use http_api::event::{COOKIES_REMOVED_FROM_HEADERS, V2_TEXT_MEDIA_TYPES};
pub use http_api::pipeline::HTTP_API_BACKEND_FAILURE_STATUS;
pub use http_api::response::{INFERRED_STRING_BODY_UNQUOTED, V2_DEFAULT_CONTENT_TYPE};
pub use inspector::Inspector;
pub use integration::http::{
    DROPPED_BACKEND_RESPONSE_HEADERS, FOLLOWS_REDIRECTS, HTTP_API_ADDS_FORWARDED_HEADERS,
    HTTP_API_REMAPS_RESPONSE_HEADERS, MAX_BACKEND_RESPONSE_BYTES, UNMAPPED_URI_PARAMETER_FROM_PATH,
};
pub use integration::mock::{MOCK_BODY_KEEPS_TRAILING_NEWLINE, MOCK_INTEGRATION_RESPONSE_BODY};
pub use observe::gateway_response_type::GatewayResponseType;
pub use request::MAX_REQUEST_BODY_BYTES;
pub use rest::event::{CANONICAL_REQUEST_HEADER_NAMES, DROPPED_REQUEST_HEADERS};
pub use rest::gateway_response::{
    ACCESS_DENIED_TEMPLATE, API_KEY_FORBIDDEN_ERROR_TYPE, API_KEY_FORBIDDEN_MESSAGE,
    AWS_IAM_UNSIGNED_MESSAGE, BACKEND_REFUSED_RESPONSE_TYPE, BUILTIN_5XX_TEMPLATE,
    DEFAULT_TEMPLATE, EXPLICIT_DENY_MESSAGE, GATEWAY_RESPONSE_PARAMETERS_WITHOUT_EFFECT,
    INTEGRATION_FAILURE_ERROR_TYPE, INTEGRATION_TIMEOUT_ERROR_TYPE, TEMPLATE_FAILURE_RESPONSE_TYPE,
    UNSUPPORTED_MEDIA_TYPE_ERROR_TYPE, UNSUPPORTED_MEDIA_TYPE_MESSAGE,
};
pub use rest::proxy_response::{
    NON_STRING_BODY, NULL_HEADER_VALUE, NonStringBody, NullHeaderValue, REMAPPED_RESPONSE_HEADERS,
};
pub use rest::router::RouteConflict;
pub use rest::validate::{
    EMPTY_BODY, EmptyBody, MISSING_PARAMETER_ORDER, MissingParameterOrder,
    REQUEST_VALIDATION_PHASE, ValidationPhase,
};
pub use server::{
    BODY_READ_TIMEOUT, ConnectionLimits, HEADER_READ_TIMEOUT, MAX_CONNECTIONS, SHUTDOWN_GRACE,
};

#[cfg(test)]
mod test_support;
