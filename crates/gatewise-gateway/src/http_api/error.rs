//! Phase 6 for HTTP APIs, what stands in for gateway responses: the errors an HTTP API
//! generates itself (spec 5.9-5.12) — a fixed `{"message":"…"}` JSON body, no
//! `x-amzn-ErrorType`, nothing configurable (HTTP APIs have no gateway responses).

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode};
use http_body_util::Full;

use crate::observe::http_source::HttpCause;

/// Message of a request body over the 10 MB payload limit (413); the HTTP API's text is
/// UNCONFIRMED, this is the status's reason phrase.
pub const HTTP_API_TOO_LARGE_MESSAGE: &str = "Request Entity Too Large";

/// An error raised by an HTTP API pipeline phase.
#[derive(Debug)]
pub(crate) struct HttpError<'a> {
    pub status: StatusCode,
    pub message: &'static str,
    /// Why, for the log (never sent to the client, as on AWS).
    pub reason: String,
    pub cause: HttpCause<'a>,
}

impl<'a> HttpError<'a> {
    fn new(
        status: StatusCode,
        message: &'static str,
        reason: String,
        cause: HttpCause<'a>,
    ) -> Self {
        Self {
            status,
            message,
            reason,
            cause,
        }
    }

    /// Spec 5.9.
    pub(crate) fn not_found(reason: String) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "Not Found",
            reason,
            HttpCause::NoRoute,
        )
    }

    /// Spec 5.12: a missing identity source, or a Lambda authorizer's `Unauthorized`.
    pub(crate) fn unauthorized(reason: String, cause: HttpCause<'a>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "Unauthorized", reason, cause)
    }

    /// Spec 5.12: a Lambda authorizer's denial, an unsigned `AWS_IAM` request.
    pub(crate) fn forbidden(reason: String, cause: HttpCause<'a>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "Forbidden", reason, cause)
    }

    /// Spec 5.10: function failures, unusable output, authorizer failures.
    pub(crate) fn internal(reason: String, cause: HttpCause<'a>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal Server Error",
            reason,
            cause,
        )
    }

    /// Spec 5.11: the integration timed out.
    pub(crate) fn unavailable(reason: String, cause: HttpCause<'a>) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Service Unavailable",
            reason,
            cause,
        )
    }

    pub(crate) fn too_large(reason: String) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            HTTP_API_TOO_LARGE_MESSAGE,
            reason,
            HttpCause::BadRequestBody,
        )
    }

    pub(crate) fn bad_request(reason: String) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "Bad Request",
            reason,
            HttpCause::BadRequestBody,
        )
    }

    /// The response the client gets.
    pub(crate) fn render(&self) -> Response<Full<Bytes>> {
        let body = format!(r#"{{"message":"{}"}}"#, self.message);
        let mut response = Response::new(Full::new(Bytes::from(body)));
        *response.status_mut() = self.status;
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        response
    }
}
