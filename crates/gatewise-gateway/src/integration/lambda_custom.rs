//! Phase 4c, **integrate** (`AWS` non-proxy Lambda, the "Lambda custom integration";
//! spec 4.3, 4.5, 4.6, 5.3, 5.4): API Gateway shapes both ends of the call.
//!
//! The event is the request template chosen by `Content-Type` (Velocity, rendered by
//! `mapping_template`), or the request body passed through as `passthroughBehavior` allows.
//! The function's result never becomes a gateway error: on success the default integration
//! response (no selection pattern) maps it; on failure the first integration response whose
//! selection pattern matches all of Lambda's `errorMessage` does, else the default one — which
//! is why an unmapped Lambda error reaches the client as `200` with the error document as its
//! body (LocalStack `test_lambda_selection_patterns` [AWS-REC]; DG:
//! handle-errors-in-lambda-integration.html). The selected integration response sets the
//! status, maps the headers (only these: Lambda adds none, CORS ones included) and renders
//! the body, or lets the function's output through untouched; the overrides the templates set
//! come last (rules M.7, M.8). Request overrides change nothing the function sees: its event
//! is the rendered template.

use std::time::Duration;

use bytes::Bytes;
use gatewise_lambda::{Dispatch, Invocation, InvokeError};
use gatewise_model::{FunctionIndex, IntegrationMapping, IntegrationResponse};
use http::{HeaderValue, Response};
use http_body_util::Full;
use serde_json::Value;

use crate::integration::invoke::Invoke;
use crate::integration::mapping_template::{
    TemplateFailure, TemplateRequest, TemplateRun, apply_response_overrides,
};
use crate::integration::mock::{self, BadStatus, CompiledMock, UnsupportedMediaType};

/// The event when the request body passes through and is empty (a `GET` without a request
/// template): Lambda's Invoke turns an empty payload into `{}`, so functions see an empty
/// object. UNCONFIRMED for API Gateway; test
/// `empty_passthrough_body_is_the_empty_object_event`.
pub const EMPTY_PASSTHROUGH_EVENT: &str = "{}";

/// `errorType` Lambda reports when a function runs past its `Timeout`; the `errorMessage` is
/// `Task timed out after N.NN seconds` (what selection patterns such as
/// `.*Task timed out.*` look for). UNCONFIRMED (newer Lambda prefixes the message with
/// `RequestId: … Error: `); test `invoke_errors_become_what_lambda_reports`.
pub const TIMEOUT_ERROR_TYPE: &str = "Sandbox.Timedout";

/// `errorType` Lambda reports when the runtime process exits during an invocation; the
/// message is `Runtime exited with error: <status>` (Lambda's log line for the same event).
pub const EXIT_ERROR_TYPE: &str = "Runtime.ExitError";

/// An `AWS` Lambda integration prepared for serving: the function, the integration timeout
/// and the mapping with its selection patterns compiled once (shared with `MOCK`).
#[derive(Debug)]
pub(crate) struct CompiledLambda {
    pub function: FunctionIndex,
    pub timeout: Duration,
    pub mapping: CompiledMock,
}

impl CompiledLambda {
    /// Compiles the integration of `route` (`GET /items`); a template that does not parse
    /// fails the requests that render it, naming it.
    pub(crate) fn new(
        function: FunctionIndex,
        timeout: Duration,
        mapping: IntegrationMapping,
        route: &str,
    ) -> Self {
        CompiledLambda {
            function,
            timeout,
            mapping: CompiledMock::new(mapping, route),
        }
    }
}

/// A failed invocation as Lambda reports it to API Gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FunctionError {
    pub error_type: String,
    pub error_message: String,
}

impl FunctionError {
    /// What Lambda would report for `error` (see the `*_ERROR_TYPE` constants).
    pub(crate) fn from_invoke(error: InvokeError) -> Self {
        let (error_type, error_message) = match error {
            InvokeError::Function {
                error_type,
                error_message,
            } => (error_type, error_message),
            InvokeError::Timeout(after) => (
                TIMEOUT_ERROR_TYPE.to_owned(),
                format!("Task timed out after {:.2} seconds", after.as_secs_f64()),
            ),
            InvokeError::Crashed(status) => (
                EXIT_ERROR_TYPE.to_owned(),
                format!("Runtime exited with error: {status}"),
            ),
            InvokeError::InitFailed(reason) => InvokeError::init_error_parts(&reason),
        };
        FunctionError {
            error_type,
            error_message,
        }
    }

    /// The error document Lambda returns as the invocation result, which API Gateway maps
    /// like any output: keys as recorded (python3.12, `test_lambda_selection_patterns`).
    /// gatewise does not keep the function's stack trace, so `stackTrace` is empty.
    fn document(&self, request_id: &str) -> Bytes {
        let document = serde_json::json!({
            "errorMessage": self.error_message,
            "errorType": self.error_type,
            "requestId": request_id,
            "stackTrace": [],
        });
        Bytes::from(document.to_string())
    }
}

impl std::fmt::Display for FunctionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.error_type, self.error_message)
    }
}

/// A response of the integration, with what the access log and the CORS explanation need.
#[derive(Debug)]
pub(crate) struct Answer<'c> {
    pub response: Response<Full<Bytes>>,
    pub selected: &'c IntegrationResponse,
    pub function_error: Option<FunctionError>,
}

/// Why the integration answered with a gateway error instead (which one: see
/// `into_gateway_error`, with the REST pipeline's gateway responses).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum LambdaIntegrationError {
    /// No request template for the content type and passthrough forbids going on (4.3).
    UnsupportedMediaType(String),
    /// The event (rendered template or passed-through body) is not JSON, which Lambda's
    /// Invoke refuses (5.3).
    EventNotJson(String),
    /// The function did not answer within the integration timeout (5.4).
    Timeout(Duration),
    /// No integration response matches and none is the default (5.3).
    NoIntegrationResponse { outcome: String, detail: String },
    /// The selected integration response's status is not an HTTP status (5.3).
    BadStatus(String),
    /// A template failed while rendering (M.2, M.7).
    Template(TemplateFailure),
}

impl From<TemplateFailure> for LambdaIntegrationError {
    fn from(failure: TemplateFailure) -> Self {
        LambdaIntegrationError::Template(failure)
    }
}

/// Runs the integration for `request`.
pub(crate) async fn respond<'c>(
    compiled: &'c CompiledLambda,
    functions: &dyn Invoke,
    content_type: Option<&str>,
    request: &TemplateRequest<'_>,
) -> Result<Answer<'c>, LambdaIntegrationError> {
    let mapping = &compiled.mapping;
    let mut run = TemplateRun::new(request);
    let event = event(mapping, content_type, request, &mut run)?;
    let request_id = uuid::Uuid::new_v4().to_string();
    let invocation = Invocation {
        request_id: request_id.clone(),
        payload: event,
        dispatch: Dispatch::new(),
        log: None,
    };
    let result = tokio::time::timeout(
        compiled.timeout,
        functions.invoke(compiled.function, invocation),
    )
    .await
    .map_err(|_| LambdaIntegrationError::Timeout(compiled.timeout))?;
    let (output, function_error) = match result {
        Ok(output) => (output, None),
        Err(error) => {
            let error = FunctionError::from_invoke(error);
            (error.document(&request_id), Some(error))
        }
    };

    let chosen = match &function_error {
        None => mapping.default_response(),
        Some(error) => mapping
            .matching(&error.error_message)
            .or_else(|| mapping.default_response()),
    };
    let Some(chosen) = chosen else {
        return Err(LambdaIntegrationError::NoIntegrationResponse {
            outcome: match &function_error {
                None => "the function's success".to_owned(),
                Some(error) => format!("the function's errorMessage {:?}", error.error_message),
            },
            detail: mapping.pattern_errors(),
        });
    };
    let selected = &mapping.integration.responses[chosen];

    let body = match mapping.render_response_template(chosen, &mut run, &output) {
        Some(rendered) => Bytes::from(rendered?),
        None => output.clone(),
    };
    let invoke = InvokeResponse {
        output: &output,
        request_id: &request_id,
        function_error: function_error.is_some(),
    };
    let lookup = |source: &str| invoke.value(source);
    let mut response = mock::method_response(selected, body, &request.view, Some(&lookup))
        .map_err(|BadStatus(status)| LambdaIntegrationError::BadStatus(status))?;
    if let Some(overrides) = run.response_overrides()? {
        apply_response_overrides(&mut response, &overrides);
    }
    Ok(Answer {
        response,
        selected,
        function_error,
    })
}

/// The event for the function (spec 4.3): the rendered request template, or the body passed
/// through ([`EMPTY_PASSTHROUGH_EVENT`] when empty). Either must be JSON.
fn event<'m>(
    mapping: &'m CompiledMock,
    content_type: Option<&str>,
    request: &TemplateRequest<'_>,
    run: &mut TemplateRun<'m, '_>,
) -> Result<Bytes, LambdaIntegrationError> {
    let template = mapping
        .request_template(content_type)
        .map_err(|UnsupportedMediaType(t)| LambdaIntegrationError::UnsupportedMediaType(t))?;
    let body = request.input.body;
    let event = match template {
        Some(template) => Bytes::from(run.render_request(template)?),
        None if body.is_empty() => Bytes::from_static(EMPTY_PASSTHROUGH_EVENT.as_bytes()),
        None => Bytes::copy_from_slice(body),
    };
    match serde_json::from_slice::<Value>(&event) {
        Ok(_) => Ok(event),
        Err(_) => Err(LambdaIntegrationError::EventNotJson(
            String::from_utf8_lossy(&event).into_owned(),
        )),
    }
}

/// What Lambda's Invoke API answered API Gateway, for `integration.response.*` response
/// parameters.
struct InvokeResponse<'o> {
    output: &'o [u8],
    request_id: &'o str,
    function_error: bool,
}

impl InvokeResponse<'_> {
    /// The value of `integration.response.<source>`:
    /// - `body` is the output's text; `body.<JSONPath>` (`body.who.name`, `body.items[0]`)
    ///   that field of the JSON output, a string as its text, anything else as JSON;
    /// - `header.<name>` one of the headers of the Invoke response ([`INVOKE_RESPONSE_HEADERS`]).
    ///
    /// `None` maps nothing: the header is left out.
    fn value(&self, source: &str) -> Option<HeaderValue> {
        if let Some(name) = source.strip_prefix("header.") {
            return INVOKE_RESPONSE_HEADERS
                .iter()
                .find(|header| header.eq_ignore_ascii_case(name))
                .and_then(|header| match *header {
                    "Content-Type" => Some(HeaderValue::from_static("application/json")),
                    "X-Amz-Executed-Version" => Some(HeaderValue::from_static("$LATEST")),
                    "X-Amzn-RequestId" => HeaderValue::from_str(self.request_id).ok(),
                    _ => self
                        .function_error
                        .then(|| HeaderValue::from_static("Unhandled")),
                });
        }
        if source == "body" {
            return HeaderValue::from_bytes(self.output).ok();
        }
        let path = source
            .strip_prefix("body")
            .filter(|path| path.starts_with(['.', '[']))?;
        let path = serde_json_path::JsonPath::parse(&format!("${path}")).ok()?;
        let document: Value = serde_json::from_slice(self.output).ok()?;
        match path.query(&document).first()? {
            Value::String(text) => HeaderValue::from_str(text).ok(),
            other => HeaderValue::from_str(&other.to_string()).ok(),
        }
    }
}

/// The headers of Lambda's Invoke response that `integration.response.header.<name>` maps:
/// `Content-Type` (`application/json`), `X-Amz-Executed-Version` (`$LATEST`),
/// `X-Amzn-RequestId` (the invocation's id) and, when the function failed,
/// `X-Amz-Function-Error` (`Unhandled`), as the Invoke API documents them. UNCONFIRMED that API
/// Gateway exposes exactly these to response parameters; test
/// `rule_4_6_response_template_and_parameters_read_the_output`.
pub const INVOKE_RESPONSE_HEADERS: [&str; 4] = [
    "Content-Type",
    "X-Amz-Executed-Version",
    "X-Amzn-RequestId",
    "X-Amz-Function-Error",
];

#[cfg(test)]
#[path = "lambda_custom_tests.rs"]
mod tests;
