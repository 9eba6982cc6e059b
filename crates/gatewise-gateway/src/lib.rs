//! The local API Gateway: HTTP server, routing, the REST request pipeline (authorizers and
//! API keys, payload 1.0 events, Lambda proxy response mapping, MOCK integrations,
//! configured gateway responses), the HTTP API pipeline (route keys, JWT / Lambda
//! authorizers, payload 2.0 and 1.0 events, response inference, `CorsConfiguration`) and
//! the access log.
//!
//! Known difference from AWS: hyper writes response header names in lower case on the wire
//! (`x-amzn-requestid`, not `x-amzn-RequestId`), for HTTP/1 as HTTP/2 already requires;
//! clients compare names case-insensitively. Request header names, which functions do see,
//! keep the client's casing (see the `raw_head` module).

mod api_key;
mod auth;
mod authorizer;
mod cors_verdict;
mod event_v1;
mod event_v2;
mod gateway_response;
mod http_auth;
mod http_error;
mod http_pipeline;
mod http_response;
mod http_router;
mod http_source;
mod ids;
mod lambda_integration;
mod media_type;
mod mock;
mod observe;
mod params;
mod path_trie;
mod pipeline;
mod proxy_response;
mod query;
mod raw_head;
mod router;
mod server;
mod simple_template;
mod source;

pub use event_v1::{CANONICAL_REQUEST_HEADER_NAMES, DROPPED_REQUEST_HEADERS};
pub use event_v2::{COOKIES_REMOVED_FROM_HEADERS, V2_TEXT_MEDIA_TYPES};
pub use gateway_response::{
    ACCESS_DENIED_TEMPLATE, API_KEY_FORBIDDEN_ERROR_TYPE, API_KEY_FORBIDDEN_MESSAGE,
    AWS_IAM_UNSIGNED_MESSAGE, BUILTIN_5XX_TEMPLATE, DEFAULT_TEMPLATE, EXPLICIT_DENY_MESSAGE,
    GATEWAY_RESPONSE_PARAMETERS_WITHOUT_EFFECT, GatewayResponseType,
    INTEGRATION_TIMEOUT_ERROR_TYPE, UNSUPPORTED_MEDIA_TYPE_ERROR_TYPE,
    UNSUPPORTED_MEDIA_TYPE_MESSAGE,
};
pub use http_error::HTTP_API_TOO_LARGE_MESSAGE;
pub use http_response::{INFERRED_STRING_BODY_UNQUOTED, V2_DEFAULT_CONTENT_TYPE};
pub use http_router::MIXED_TEMPLATE_UNMATCHED_IS_REST_403;
pub use mock::MOCK_BODY_KEEPS_TRAILING_NEWLINE;
pub use pipeline::{Gateway, GatewayOptions, MAX_REQUEST_BODY_BYTES};
pub use proxy_response::{
    NON_STRING_BODY, NULL_HEADER_VALUE, NonStringBody, NullHeaderValue, REMAPPED_RESPONSE_HEADERS,
};
pub use router::{RouteConflict, RouteTable};
pub use server::SHUTDOWN_GRACE;

#[cfg(test)]
mod http_pipeline_rules;
#[cfg(test)]
mod pipeline_rules;
#[cfg(test)]
mod test_support;
