//! Phase 8, **observe**, what it is told: what produced a response, as structured data for
//! the access log and the CORS explanation. A browser verdict needs to know whether a
//! function, a MOCK method or the gateway itself answered, and why — e.g. "the preflight got
//! 403 because `ApiKeyRequired` (template.yaml:12) applies to the OPTIONS method SAM
//! generated from `Cors`".
//!
//! Everything here borrows from the stack and the route table, which live as long as the
//! gateway; building a source costs nothing beyond what the pipeline already computed. The
//! REST pipeline's answers are described here, the HTTP API pipeline's in `http_source`:
//! both pipelines report to this phase, so what they report lives with it.

use gatewise_model::{
    Authorizer, Function, GatewayResponseConfig, HttpBackend, IntegrationResponse, Method,
    MethodProvenance, Resource,
};

use crate::observe::gateway_response_type::GatewayResponseType;
use crate::observe::http_source::HttpSource;

/// Who answered a request.
#[derive(Debug)]
pub(crate) enum ResponseSource<'a> {
    /// A Lambda proxy function's response (passed through, spec 4.1).
    Function { function: &'a Function },
    /// A `MOCK` integration (SAM's generated OPTIONS methods among them, spec 1.6).
    Mock {
        resource: &'a Resource,
        method: &'a Method,
    },
    /// An `AWS` (non-proxy) Lambda integration: the function ran (or failed) and the
    /// selected integration response mapped its result. Only that integration response's
    /// `ResponseParameters` can add headers, CORS ones included.
    LambdaIntegration {
        function: &'a Function,
        resource: &'a Resource,
        method: &'a Method,
        /// The integration response that shaped the answer.
        selected: &'a IntegrationResponse,
        /// `errorType: errorMessage` when the function failed: on AWS an unmapped error still
        /// answers with the default integration response (often 200), so the log says so.
        function_error: Option<String>,
    },
    /// An `HTTP_PROXY` or `HTTP` backend answered (rules H.5, H.8): for a proxy its headers
    /// passed through; for `HTTP` only the selected integration response's parameters.
    Backend {
        backend: &'a HttpBackend,
        resource: &'a Resource,
        method: &'a Method,
        /// The URL called, placeholders filled.
        url: String,
        /// The integration response that shaped an `HTTP` answer.
        selected: Option<&'a IntegrationResponse>,
    },
    /// A gateway response (spec 3, 5).
    Gateway {
        response_type: GatewayResponseType,
        /// The configured gateway response that shaped it (spec 3.5), if any.
        configured: Option<&'a GatewayResponseConfig>,
        cause: GatewayCause<'a>,
    },
    /// Anything an HTTP API answered (its own pipeline, see `http_source`).
    Http(HttpSource<'a>),
}

/// Why the gateway answered itself. The access log's reason line carries the details; this
/// carries what the CORS explanation needs to point at the template.
#[derive(Debug)]
pub(crate) enum GatewayCause<'a> {
    /// No resource, or no such method on it (spec 5.1).
    NoRoute,
    /// An identity source of the authorizer is missing or empty (spec 5.6).
    MissingIdentity { authorizer: &'a Authorizer },
    /// The Lambda authorizer refused: `Unauthorized` (401) or a policy without a matching
    /// `Allow` (403).
    AuthorizerDenied,
    /// The Lambda authorizer failed or answered something unusable (500).
    AuthorizerFailed,
    /// `AWS_IAM` and the request is not SigV4-signed (spec 9.6).
    AwsIamUnsigned,
    /// `apiKeyRequired` and no valid key (spec 5.5, 9.2).
    ApiKey { provenance: &'a MethodProvenance },
    /// The proxy function failed or answered something that is not a proxy response.
    FunctionFailed { function: &'a Function },
    /// The integration did not answer within its timeout (spec 5.4).
    IntegrationTimeout { function: &'a Function },
    /// The HTTP backend was not reached, did not answer in time, or its answer could not be
    /// mapped (rules H.3, H.10, H.12).
    BackendFailed,
    /// The integration type is not run by gatewise yet.
    NotServed,
    /// The MOCK integration yielded no usable status code or integration response (5.3).
    MockFailure,
    /// The `AWS` Lambda integration built no JSON event, or selected no usable integration
    /// response for the function's result (5.3).
    LambdaIntegrationFailure,
    /// The request body exceeds the payload limit.
    TooLarge,
    /// The request body could not be read.
    BadRequestBody,
    /// The method's request validator refused the request: a required parameter is missing
    /// or blank, or the body does not match its model (spec V.1, V.5).
    RequestValidation,
    /// No request template for the request's content type under `NEVER` /
    /// `WHEN_NO_TEMPLATES` (spec 4.3).
    UnsupportedMediaType,
}
