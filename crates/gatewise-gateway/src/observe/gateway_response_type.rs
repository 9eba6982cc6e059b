//! Phase 8, **observe**, what names a gateway error: the gateway response types of REST
//! APIs (spec 3.6). A gateway answer's source (`ResponseSource::Gateway`, in `source`)
//! carries one; the REST pipeline's Phase 6 (`rest::gateway_response`) renders them. Defined
//! here, below both, so that the sources do not depend on the pipeline that produces them.

use http::StatusCode;

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
