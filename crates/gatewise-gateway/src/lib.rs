//! The local API Gateway: HTTP server, routing, the REST request pipeline (payload 1.0
//! events, Lambda proxy response mapping, gateway responses) and its access log.
//!
//! Known difference from AWS: hyper writes response header names in lower case on the wire
//! (`x-amzn-requestid`, not `x-amzn-RequestId`), for HTTP/1 as HTTP/2 already requires;
//! clients compare names case-insensitively. Request header names, which functions do see,
//! keep the client's casing (see the `raw_head` module).

mod event_v1;
mod gateway_response;
mod ids;
mod media_type;
mod observe;
mod pipeline;
mod proxy_response;
mod query;
mod raw_head;
mod router;
mod server;

pub use event_v1::{CANONICAL_REQUEST_HEADER_NAMES, DROPPED_REQUEST_HEADERS};
pub use gateway_response::{
    BUILTIN_5XX_TEMPLATE, DEFAULT_TEMPLATE, GatewayResponseType, INTEGRATION_TIMEOUT_ERROR_TYPE,
};
pub use pipeline::{Gateway, MAX_REQUEST_BODY_BYTES};
pub use proxy_response::{
    NON_STRING_BODY, NULL_HEADER_VALUE, NonStringBody, NullHeaderValue, REMAPPED_RESPONSE_HEADERS,
};
pub use router::{RouteConflict, RouteTable};
pub use server::SHUTDOWN_GRACE;

#[cfg(test)]
mod test_support;
