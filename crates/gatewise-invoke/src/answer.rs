//! What the Invoke API answers: the function's result, Lambda's error object for a failed
//! invocation, and the service errors with their modelled names and shapes.

use std::time::Duration;

use bytes::Bytes;
use gatewise_lambda::InvokeError;
use gatewise_model::pseudo::{ACCOUNT_ID, REGION};
use http::{Response, StatusCode};
use http_body_util::Full;

use crate::name::FunctionName;

/// Lambda's limit on an asynchronous (`Event`) invocation's payload (1 MB).
pub const ASYNC_PAYLOAD_LIMIT_BYTES: usize = 1_048_576;

/// How much of an invocation's log `X-Amz-Log-Type: Tail` returns: Lambda's last 4 KB.
pub const TAIL_LOG_BYTES: usize = 4096;

/// The version every invocation reports (gatewise runs the template's code: `$LATEST`).
const EXECUTED_VERSION: &str = "$LATEST";

/// A response without a body (202 for `Event`, 204 for `DryRun`).
pub fn empty(status: StatusCode, request_id: &str) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("x-amzn-requestid", request_id)
        .body(Full::new(Bytes::new()))
        .expect("static response parts are valid")
}

/// The answer to a `RequestResponse` invocation: 200 with the function's result, or 200 with
/// `X-Amz-Function-Error: Unhandled` and Lambda's error object (the status does not reflect
/// function errors). `log` is the invocation's log for `X-Amz-Log-Result`, when asked for.
pub fn result(
    result: Result<Bytes, InvokeError>,
    request_id: &str,
    log: Option<&[u8]>,
) -> Response<Full<Bytes>> {
    let mut response = Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "application/json")
        .header("x-amzn-requestid", request_id)
        .header("x-amz-executed-version", EXECUTED_VERSION);
    if let Some(log) = log {
        use base64::Engine as _;
        let tail = &log[log.len().saturating_sub(TAIL_LOG_BYTES)..];
        response = response.header(
            "x-amz-log-result",
            base64::engine::general_purpose::STANDARD.encode(tail),
        );
    }
    let body = match result {
        Ok(bytes) => bytes,
        Err(error) => {
            response = response.header("x-amz-function-error", "Unhandled");
            error_object(&error, request_id)
        }
    };
    response
        .body(Full::new(body))
        .expect("static response parts are valid")
}

/// Lambda's error object for a failed invocation, in the format recorded on AWS (2025):
/// timeouts and runtime exits carry `RequestId: <id> Error: …` in the message.
fn error_object(error: &InvokeError, request_id: &str) -> Bytes {
    let document = match error {
        InvokeError::Function {
            error_type,
            error_message,
        } => serde_json::json!({
            "errorMessage": error_message,
            "errorType": error_type,
            "requestId": request_id,
            "stackTrace": [],
        }),
        InvokeError::Timeout(after) => serde_json::json!({
            "errorType": "Sandbox.Timedout",
            "errorMessage": format!("RequestId: {request_id} Error: Task timed out after {:.2} seconds", seconds(*after)),
        }),
        InvokeError::Crashed(status) => serde_json::json!({
            "errorType": "Runtime.ExitError",
            "errorMessage": format!("RequestId: {request_id} Error: Runtime exited with error: {status}"),
        }),
        InvokeError::InitFailed(reason) => {
            let (error_type, message) = InvokeError::init_error_parts(reason);
            serde_json::json!({
                "errorType": error_type,
                "errorMessage": message,
            })
        }
    };
    Bytes::from(document.to_string())
}

fn seconds(duration: Duration) -> f64 {
    duration.as_secs_f64()
}

/// One of the Lambda service's own (modelled) errors.
#[derive(Debug)]
pub struct ServiceError {
    status: StatusCode,
    error_type: &'static str,
    /// `Message` or `message`: the models differ per error (ResourceNotFound has `Message`).
    message_key: &'static str,
    message: String,
}

impl ServiceError {
    pub fn not_found(name: &FunctionName) -> Self {
        let qualifier = name.qualifier.as_deref().unwrap_or(EXECUTED_VERSION);
        ServiceError {
            status: StatusCode::NOT_FOUND,
            error_type: "ResourceNotFoundException",
            message_key: "Message",
            message: format!(
                "Function not found: arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{}:{qualifier}",
                name.name
            ),
        }
    }

    pub fn invalid_content(message: &str) -> Self {
        ServiceError {
            status: StatusCode::BAD_REQUEST,
            error_type: "InvalidRequestContentException",
            message_key: "message",
            message: message.to_owned(),
        }
    }

    pub fn invalid_parameter(message: &str) -> Self {
        ServiceError {
            status: StatusCode::BAD_REQUEST,
            error_type: "InvalidParameterValueException",
            message_key: "message",
            message: message.to_owned(),
        }
    }

    pub fn too_large(event: bool, limit: usize) -> Self {
        let operation = if event {
            "InvokeAsync"
        } else {
            "InvokeFunction"
        };
        ServiceError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            error_type: "RequestTooLargeException",
            message_key: "message",
            message: format!(
                "Request must be smaller than {limit} bytes for the {operation} operation"
            ),
        }
    }

    /// A path or method that is not the Invoke operation.
    pub fn unknown_operation(path: &str) -> Self {
        ServiceError {
            status: StatusCode::NOT_FOUND,
            error_type: "UnknownOperationException",
            message_key: "message",
            message: format!(
                "{path} is not an operation gatewise serves; it serves POST /2015-03-31/functions/{{FunctionName}}/invocations"
            ),
        }
    }

    pub fn response(&self, request_id: &str) -> Response<Full<Bytes>> {
        let body = serde_json::json!({ "Type": "User", self.message_key: self.message });
        Response::builder()
            .status(self.status)
            .header("content-type", "application/json")
            .header("x-amzn-requestid", request_id)
            .header("x-amzn-errortype", self.error_type)
            .body(Full::new(Bytes::from(body.to_string())))
            .expect("static response parts are valid")
    }
}
