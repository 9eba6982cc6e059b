//! Phase 6, **gateway response**: every error the gateway itself raises becomes a response
//! through [`render`] — one path, so the next step (configured `GatewayResponses`: status,
//! headers, templates; spec 3.3-3.5) slots in at one place.

use std::borrow::Cow;

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode};
use http_body_util::Full;

/// The gateway response types of a REST API with their default statuses (spec 3.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GatewayResponseType {
    AccessDenied,
    ApiConfigurationError,
    AuthorizerConfigurationError,
    AuthorizerFailure,
    BadRequestBody,
    BadRequestParameters,
    Default4xx,
    Default5xx,
    ExpiredToken,
    IntegrationFailure,
    IntegrationTimeout,
    InvalidApiKey,
    InvalidSignature,
    MissingAuthenticationToken,
    QuotaExceeded,
    RequestTooLarge,
    ResourceNotFound,
    Throttled,
    Unauthorized,
    UnsupportedMediaType,
    WafFiltered,
}

impl GatewayResponseType {
    /// Every type, in the order API Gateway lists them.
    pub const ALL: [GatewayResponseType; 21] = [
        Self::AccessDenied,
        Self::ApiConfigurationError,
        Self::AuthorizerConfigurationError,
        Self::AuthorizerFailure,
        Self::BadRequestBody,
        Self::BadRequestParameters,
        Self::Default4xx,
        Self::Default5xx,
        Self::ExpiredToken,
        Self::IntegrationFailure,
        Self::IntegrationTimeout,
        Self::InvalidApiKey,
        Self::InvalidSignature,
        Self::MissingAuthenticationToken,
        Self::QuotaExceeded,
        Self::RequestTooLarge,
        Self::ResourceNotFound,
        Self::Throttled,
        Self::Unauthorized,
        Self::UnsupportedMediaType,
        Self::WafFiltered,
    ];

    /// The name used in templates (`GatewayResponses` keys, `$context.error.responseType`).
    pub fn name(self) -> &'static str {
        match self {
            Self::AccessDenied => "ACCESS_DENIED",
            Self::ApiConfigurationError => "API_CONFIGURATION_ERROR",
            Self::AuthorizerConfigurationError => "AUTHORIZER_CONFIGURATION_ERROR",
            Self::AuthorizerFailure => "AUTHORIZER_FAILURE",
            Self::BadRequestBody => "BAD_REQUEST_BODY",
            Self::BadRequestParameters => "BAD_REQUEST_PARAMETERS",
            Self::Default4xx => "DEFAULT_4XX",
            Self::Default5xx => "DEFAULT_5XX",
            Self::ExpiredToken => "EXPIRED_TOKEN",
            Self::IntegrationFailure => "INTEGRATION_FAILURE",
            Self::IntegrationTimeout => "INTEGRATION_TIMEOUT",
            Self::InvalidApiKey => "INVALID_API_KEY",
            Self::InvalidSignature => "INVALID_SIGNATURE",
            Self::MissingAuthenticationToken => "MISSING_AUTHENTICATION_TOKEN",
            Self::QuotaExceeded => "QUOTA_EXCEEDED",
            Self::RequestTooLarge => "REQUEST_TOO_LARGE",
            Self::ResourceNotFound => "RESOURCE_NOT_FOUND",
            Self::Throttled => "THROTTLED",
            Self::Unauthorized => "UNAUTHORIZED",
            Self::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            Self::WafFiltered => "WAF_FILTERED",
        }
    }

    /// The status API Gateway uses when nothing is configured (spec 3.6); the two
    /// `DEFAULT_*` families have none (the error that falls back to them brings its own).
    pub fn default_status(self) -> Option<StatusCode> {
        let code = match self {
            Self::Default4xx | Self::Default5xx => return None,
            Self::AccessDenied
            | Self::ExpiredToken
            | Self::InvalidApiKey
            | Self::InvalidSignature
            | Self::MissingAuthenticationToken
            | Self::WafFiltered => StatusCode::FORBIDDEN,
            Self::ApiConfigurationError
            | Self::AuthorizerConfigurationError
            | Self::AuthorizerFailure => StatusCode::INTERNAL_SERVER_ERROR,
            Self::BadRequestBody | Self::BadRequestParameters => StatusCode::BAD_REQUEST,
            Self::IntegrationFailure | Self::IntegrationTimeout => StatusCode::GATEWAY_TIMEOUT,
            Self::QuotaExceeded | Self::Throttled => StatusCode::TOO_MANY_REQUESTS,
            Self::RequestTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::ResourceNotFound => StatusCode::NOT_FOUND,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        };
        Some(code)
    }
}

impl std::fmt::Display for GatewayResponseType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// `x-amzn-ErrorType` of a 413 (LocalStack's value, UNCONFIRMED).
const REQUEST_TOO_LARGE_ERROR_TYPE: &str = "RequestTooLargeException";

/// `x-amzn-ErrorType` of an integration timeout (spec 5.4: UNCONFIRMED; LocalStack's value).
pub const INTEGRATION_TIMEOUT_ERROR_TYPE: &str = "InternalServerErrorException";

/// The default template of every gateway response type, as `GetGatewayResponses` reports it
/// (spec 3.4).
pub const DEFAULT_TEMPLATE: &str = r#"{"message":$context.error.messageString}"#;

/// What AWS actually sends for its built-in 5xx errors: a space after the colon (recorded
/// 500s have `Content-Length: 36` for `Internal server error`, spec 5.3; 5.4 and 5.6 show the
/// same shape). 4xx errors use [`DEFAULT_TEMPLATE`] byte for byte (spec 5.1).
pub const BUILTIN_5XX_TEMPLATE: &str = r#"{"message": $context.error.messageString}"#;

/// An error raised by a pipeline phase, before it is rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GatewayError {
    pub response_type: GatewayResponseType,
    pub status: StatusCode,
    /// `$context.error.message`.
    pub message: &'static str,
    /// The `x-amzn-ErrorType` header.
    pub error_type: &'static str,
    /// Why, for the log (never sent to the client, as on AWS).
    pub reason: String,
}

impl GatewayError {
    /// Spec 5.1: no resource for the path, or no such method (nor `ANY`) on it.
    pub(crate) fn missing_authentication_token(reason: String) -> Self {
        Self {
            response_type: GatewayResponseType::MissingAuthenticationToken,
            status: StatusCode::FORBIDDEN,
            message: "Missing Authentication Token",
            error_type: "MissingAuthenticationTokenException",
            reason,
        }
    }

    /// Spec 5.2: the function failed, or its output is not a valid proxy response. AWS has
    /// no dedicated type for this; a configured `DEFAULT_5XX` applies to it, which is how
    /// users add CORS headers to these 502s.
    pub(crate) fn lambda_failure(reason: String) -> Self {
        Self {
            response_type: GatewayResponseType::Default5xx,
            status: StatusCode::BAD_GATEWAY,
            message: "Internal server error",
            error_type: "InternalServerErrorException",
            reason,
        }
    }

    /// Spec 5.3: other internal failures (e.g. a base64 body that does not decode).
    pub(crate) fn internal(reason: String) -> Self {
        Self {
            response_type: GatewayResponseType::ApiConfigurationError,
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: "Internal server error",
            error_type: "InternalServerErrorException",
            reason,
        }
    }

    /// Spec 5.4: the integration did not answer within its timeout.
    pub(crate) fn integration_timeout(reason: String) -> Self {
        Self {
            response_type: GatewayResponseType::IntegrationTimeout,
            status: StatusCode::GATEWAY_TIMEOUT,
            message: "Endpoint request timed out",
            error_type: INTEGRATION_TIMEOUT_ERROR_TYPE,
            reason,
        }
    }

    /// The request body exceeds API Gateway's 10 MB payload limit.
    pub(crate) fn request_too_large(reason: String) -> Self {
        Self {
            response_type: GatewayResponseType::RequestTooLarge,
            status: StatusCode::PAYLOAD_TOO_LARGE,
            message: "Request Too Long",
            error_type: REQUEST_TOO_LARGE_ERROR_TYPE,
            reason,
        }
    }

    /// The request body could not be read (the client went away or broke the framing).
    pub(crate) fn bad_request_body(reason: String) -> Self {
        Self {
            response_type: GatewayResponseType::BadRequestBody,
            status: StatusCode::BAD_REQUEST,
            message: "Invalid request body",
            error_type: "BadRequestException",
            reason,
        }
    }
}

/// What a gateway response template may refer to.
pub(crate) struct ErrorContext<'a> {
    pub request_id: &'a str,
    /// The stage, when the request reached an API.
    pub stage: Option<&'a str>,
}

/// Substitutes the `$context` variables gateway response templates support (spec 3.4: plain
/// substitution, not VTL). Unknown `$context.*` / `$stageVariables.*` variables render
/// empty, as on AWS; any other `$` is literal text.
pub(crate) fn render_template(
    template: &str,
    error: &GatewayError,
    ctx: &ErrorContext<'_>,
) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
            .unwrap_or(after.len());
        let name = after[..len].trim_end_matches('.');
        if !(name.starts_with("context.") || name.starts_with("stageVariables.")) {
            out.push('$');
            rest = after;
            continue;
        }
        let value: Cow<'_, str> = match name {
            "context.error.messageString" => {
                Cow::Owned(serde_json::Value::from(error.message).to_string())
            }
            "context.error.message" => Cow::Borrowed(error.message),
            "context.error.responseType" => Cow::Borrowed(error.response_type.name()),
            "context.requestId" => Cow::Borrowed(ctx.request_id),
            "context.stage" => Cow::Borrowed(ctx.stage.unwrap_or("")),
            _ => Cow::Borrowed(""),
        };
        out.push_str(&value);
        rest = &after[name.len()..];
    }
    out.push_str(rest);
    out
}

/// The response for `error` (built-in gateway response; spec 3.4, 5.1-5.5).
pub(crate) fn render(error: &GatewayError, ctx: &ErrorContext<'_>) -> Response<Full<Bytes>> {
    let template = if error.status.is_server_error() {
        BUILTIN_5XX_TEMPLATE
    } else {
        DEFAULT_TEMPLATE
    };
    let body = render_template(template, error, ctx);
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = error.status;
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(
        "x-amzn-errortype",
        HeaderValue::from_static(error.error_type),
    );
    response
}

#[cfg(test)]
mod tests {
    use http_body_util::BodyExt;

    use super::*;

    async fn rendered(error: &GatewayError) -> (StatusCode, http::HeaderMap, Bytes) {
        let context = ErrorContext {
            request_id: "req-1",
            stage: Some("Prod"),
        };
        let response = render(error, &context);
        let (parts, body) = response.into_parts();
        let body = body
            .collect()
            .await
            .map(|c| c.to_bytes())
            .unwrap_or_default();
        (parts.status, parts.headers, body)
    }

    #[tokio::test]
    async fn rule_5_1_to_5_4_builtin_gateway_responses() {
        let cases: &[(GatewayError, u16, &str, &str)] = &[
            (
                GatewayError::missing_authentication_token(String::new()),
                403,
                r#"{"message":"Missing Authentication Token"}"#,
                "MissingAuthenticationTokenException",
            ),
            (
                GatewayError::lambda_failure(String::new()),
                502,
                r#"{"message": "Internal server error"}"#,
                "InternalServerErrorException",
            ),
            (
                GatewayError::internal(String::new()),
                500,
                r#"{"message": "Internal server error"}"#,
                "InternalServerErrorException",
            ),
            (
                GatewayError::integration_timeout(String::new()),
                504,
                r#"{"message": "Endpoint request timed out"}"#,
                INTEGRATION_TIMEOUT_ERROR_TYPE,
            ),
            (
                GatewayError::request_too_large(String::new()),
                413,
                r#"{"message":"Request Too Long"}"#,
                "RequestTooLargeException",
            ),
            (
                GatewayError::bad_request_body(String::new()),
                400,
                r#"{"message":"Invalid request body"}"#,
                "BadRequestException",
            ),
        ];
        for (error, status, body, error_type) in cases {
            let (got_status, headers, got_body) = rendered(error).await;
            assert_eq!(got_status.as_u16(), *status, "{body}");
            assert_eq!(&got_body[..], body.as_bytes());
            assert_eq!(headers["content-type"], "application/json");
            assert_eq!(headers["x-amzn-errortype"], *error_type);
        }
    }

    #[test]
    fn rule_5_3_internal_server_error_body_is_36_bytes() {
        let error = GatewayError::lambda_failure(String::new());
        let context = ErrorContext {
            request_id: "r",
            stage: None,
        };
        assert_eq!(
            render_template(BUILTIN_5XX_TEMPLATE, &error, &context).len(),
            36
        );
    }

    #[test]
    fn rule_3_4_templates_substitute_context_variables_only() {
        let error = GatewayError::missing_authentication_token(String::new());
        let context = ErrorContext {
            request_id: "req-1",
            stage: Some("Prod"),
        };
        let cases: &[(&str, &str)] = &[
            (
                DEFAULT_TEMPLATE,
                r#"{"message":"Missing Authentication Token"}"#,
            ),
            (
                "$context.error.responseType/$context.stage/$context.requestId.",
                "MISSING_AUTHENTICATION_TOKEN/Prod/req-1.",
            ),
            ("$context.error.message", "Missing Authentication Token"),
            ("cost: $5 $ $context.unknown!", "cost: $5 $ !"),
            ("no variables", "no variables"),
            ("$", "$"),
        ];
        for (template, want) in cases {
            assert_eq!(
                render_template(template, &error, &context),
                *want,
                "{template}"
            );
        }
    }

    #[test]
    fn rule_3_6_default_statuses() {
        use GatewayResponseType as T;
        let cases: &[(T, Option<u16>)] = &[
            (T::AccessDenied, Some(403)),
            (T::ApiConfigurationError, Some(500)),
            (T::AuthorizerConfigurationError, Some(500)),
            (T::AuthorizerFailure, Some(500)),
            (T::BadRequestBody, Some(400)),
            (T::BadRequestParameters, Some(400)),
            (T::Default4xx, None),
            (T::Default5xx, None),
            (T::ExpiredToken, Some(403)),
            (T::IntegrationFailure, Some(504)),
            (T::IntegrationTimeout, Some(504)),
            (T::InvalidApiKey, Some(403)),
            (T::InvalidSignature, Some(403)),
            (T::MissingAuthenticationToken, Some(403)),
            (T::QuotaExceeded, Some(429)),
            (T::RequestTooLarge, Some(413)),
            (T::ResourceNotFound, Some(404)),
            (T::Throttled, Some(429)),
            (T::Unauthorized, Some(401)),
            (T::UnsupportedMediaType, Some(415)),
            (T::WafFiltered, Some(403)),
        ];
        assert_eq!(cases.len(), T::ALL.len());
        for ((kind, status), listed) in cases.iter().zip(T::ALL) {
            assert_eq!(*kind, listed);
            assert_eq!(kind.default_status().map(|s| s.as_u16()), *status, "{kind}");
        }
        let mut names: Vec<&str> = T::ALL.iter().map(|t| t.name()).collect();
        let sorted = {
            let mut s = names.clone();
            s.sort();
            s
        };
        assert_eq!(
            names, sorted,
            "ALL is in API Gateway's (alphabetical) order"
        );
        names.dedup();
        assert_eq!(names.len(), T::ALL.len());
    }
}
