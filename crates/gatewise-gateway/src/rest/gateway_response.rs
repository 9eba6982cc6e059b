//! Phase 6, **gateway response**: every error the gateway itself raises becomes a response
//! through [`render`] — one path, which applies the API's configured `GatewayResponses`
//! (status, headers, templates; spec 3.3-3.5) or the built-in defaults (spec 5).

use std::borrow::Cow;

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Response, StatusCode};
use http_body_util::Full;

use gatewise_model::{Function, GatewayResponseConfig, RestApi};

use crate::integration::http::BackendError;
use crate::integration::lambda_custom::LambdaIntegrationError;
use crate::observe::gateway_response_type::GatewayResponseType;
use crate::observe::source::GatewayCause;
use crate::request::params::{RequestView, map_value};

/// `x-amzn-ErrorType` of a 413 (LocalStack's value, UNCONFIRMED).
const REQUEST_TOO_LARGE_ERROR_TYPE: &str = "RequestTooLargeException";

/// `x-amzn-ErrorType` of an integration timeout (spec 5.4: UNCONFIRMED; LocalStack's value).
pub const INTEGRATION_TIMEOUT_ERROR_TYPE: &str = "InternalServerErrorException";

/// `x-amzn-ErrorType` of the `BAD_REQUEST_*` responses (spec 5.7, V.1).
const BAD_REQUEST_ERROR_TYPE: &str = "BadRequestException";

/// Message of a body that fails its model (spec V.5, recorded), and of an unreadable body.
const INVALID_REQUEST_BODY_MESSAGE: &str = "Invalid request body";

/// Message of a missing or invalid API key: `{"message":"Forbidden"}` (spec 5.5: the 403 is
/// recorded on AWS, the body is UNCONFIRMED — LocalStack's and serverless-offline's value).
/// Test `rule_5_5_api_key_required_on_options_is_403_forbidden_without_cors_headers`.
pub const API_KEY_FORBIDDEN_MESSAGE: &str = "Forbidden";

/// `x-amzn-ErrorType` of a missing or invalid API key (spec 5.5, UNCONFIRMED).
pub const API_KEY_FORBIDDEN_ERROR_TYPE: &str = "ForbiddenException";

/// Message of a 415 when no request template matches (spec 4.3; LocalStack's text,
/// UNCONFIRMED). Test `rule_4_3_never_without_a_matching_template_is_415`.
pub const UNSUPPORTED_MEDIA_TYPE_MESSAGE: &str = "Unsupported Media Type";

/// `x-amzn-ErrorType` of that 415 (UNCONFIRMED).
pub const UNSUPPORTED_MEDIA_TYPE_ERROR_TYPE: &str = "UnsupportedMediaTypeException";

/// Message of an authorizer's explicit deny (spec 5.6; exact text UNCONFIRMED), sent under
/// a capital-`M` `Message` key, see [`ACCESS_DENIED_TEMPLATE`]. gatewise sends it for "no
/// matching Allow" too. Test `rule_5_6_lambda_authorizer_allow_deny_unauthorized_garbage`.
pub const EXPLICIT_DENY_MESSAGE: &str =
    "User is not authorized to access this resource with an explicit deny";

/// The built-in body of `ACCESS_DENIED` (spec 5.6: capital `M`).
pub const ACCESS_DENIED_TEMPLATE: &str = r#"{"Message":$context.error.messageString}"#;

/// Message of an unsigned request to an `AWS_IAM` method: the `MISSING_AUTHENTICATION_TOKEN`
/// family (spec 9.6; exact body UNCONFIRMED). Test `rule_9_6_aws_iam_needs_a_sigv4_header`.
pub const AWS_IAM_UNSIGNED_MESSAGE: &str = "Missing Authentication Token";

/// Mapping-key prefixes of configured gateway responses that are accepted but change
/// nothing visible (spec 3.3, UNCONFIRMED). Test `rule_3_3_path_and_querystring_parameters_have_no_effect`.
pub const GATEWAY_RESPONSE_PARAMETERS_WITHOUT_EFFECT: &[&str] =
    &["gatewayresponse.path.", "gatewayresponse.querystring."];

/// Prefix of configured gateway response parameters that become headers (spec 3.3).
const GATEWAY_RESPONSE_HEADER_PREFIX: &str = "gatewayresponse.header.";

/// The default template of every gateway response type, as `GetGatewayResponses` reports it
/// (spec 3.4).
pub const DEFAULT_TEMPLATE: &str = r#"{"message":$context.error.messageString}"#;

/// What AWS actually sends for its built-in 5xx errors: a space after the colon (recorded
/// 500s have `Content-Length: 36` for `Internal server error`, spec 5.3; 5.4 and 5.6 show the
/// same shape). 4xx errors use [`DEFAULT_TEMPLATE`] byte for byte (spec 5.1).
pub const BUILTIN_5XX_TEMPLATE: &str = r#"{"message": $context.error.messageString}"#;

/// The gateway response of a mapping template that fails while rendering (a Java method
/// that would throw, a limit, an override assigned twice, a status override that is not a
/// status; rules M.2, M.7): `API_CONFIGURATION_ERROR`, 500 `{"message": "Internal server
/// error"}` — the family of AWS's "Execution failed due to configuration error: Unable to
/// transform request". UNCONFIRMED which type AWS uses; test
/// `rule_m_2_render_failure_is_500_with_template_position` (e2e).
pub const TEMPLATE_FAILURE_RESPONSE_TYPE: GatewayResponseType =
    GatewayResponseType::ApiConfigurationError;

/// The gateway response of a REST HTTP integration whose backend refuses the connection:
/// `API_CONFIGURATION_ERROR`, 500 `{"message": "Internal server error"}` — LocalStack's mapping;
/// AWS's answer is UNCONFIRMED (rule H.12). Test
/// `rule_h_12_connection_refused_is_500_on_rest_and_on_http_apis` (e2e).
pub const BACKEND_REFUSED_RESPONSE_TYPE: GatewayResponseType =
    GatewayResponseType::ApiConfigurationError;

/// `x-amzn-ErrorType` of `INTEGRATION_FAILURE` (504), a network or TLS failure other than a
/// refused connection (rule H.12): LocalStack's value, UNCONFIRMED on AWS; the body is the
/// built-in 5xx `{"message": "Internal server error"}`, also UNCONFIRMED. Test
/// `integration_failure_is_504` (integration::http tests).
pub const INTEGRATION_FAILURE_ERROR_TYPE: &str = "IntegrationFailureException";

/// An error raised by a pipeline phase, before it is rendered.
#[derive(Debug)]
pub(crate) struct GatewayError<'a> {
    pub response_type: GatewayResponseType,
    pub status: StatusCode,
    /// `$context.error.message`; `None` renders `messageString` as JSON `null` (the
    /// authorizer configuration error's `{"message": null}`, spec 5.6). Owned only when the
    /// message names something of the request (spec V.1).
    pub message: Option<Cow<'static, str>>,
    /// The `x-amzn-ErrorType` header.
    pub error_type: &'static str,
    /// The body template when no configured gateway response brings one.
    pub builtin_template: &'static str,
    /// Why, for the log (never sent to the client, as on AWS).
    pub reason: String,
    /// Why, as data, for the explanations (see [`crate::observe::source`]).
    pub cause: GatewayCause<'a>,
}

impl<'a> GatewayError<'a> {
    fn new(
        response_type: GatewayResponseType,
        status: StatusCode,
        message: Option<Cow<'static, str>>,
        error_type: &'static str,
        reason: String,
        cause: GatewayCause<'a>,
    ) -> Self {
        let builtin_template = if status.is_server_error() {
            BUILTIN_5XX_TEMPLATE
        } else {
            DEFAULT_TEMPLATE
        };
        Self {
            response_type,
            status,
            message,
            error_type,
            builtin_template,
            reason,
            cause,
        }
    }

    /// Spec 5.1: no resource for the path, or no such method (nor `ANY`) on it; spec 9.6:
    /// an unsigned request to an `AWS_IAM` method.
    pub(crate) fn missing_authentication_token(reason: String, cause: GatewayCause<'a>) -> Self {
        Self::new(
            GatewayResponseType::MissingAuthenticationToken,
            StatusCode::FORBIDDEN,
            Some(Cow::Borrowed("Missing Authentication Token")),
            "MissingAuthenticationTokenException",
            reason,
            cause,
        )
    }

    /// Spec 5.2: the function failed, or its output is not a valid proxy response. AWS has
    /// no dedicated type for this; a configured `DEFAULT_5XX` applies to it, which is how
    /// users add CORS headers to these 502s.
    pub(crate) fn lambda_failure(reason: String, cause: GatewayCause<'a>) -> Self {
        Self::new(
            GatewayResponseType::Default5xx,
            StatusCode::BAD_GATEWAY,
            Some(Cow::Borrowed("Internal server error")),
            "InternalServerErrorException",
            reason,
            cause,
        )
    }

    /// Spec 5.3: other internal failures (a MOCK without a usable status code or
    /// integration response, a base64 body that does not decode, an integration gatewise
    /// does not run).
    pub(crate) fn internal(reason: String, cause: GatewayCause<'a>) -> Self {
        Self::new(
            GatewayResponseType::ApiConfigurationError,
            StatusCode::INTERNAL_SERVER_ERROR,
            Some(Cow::Borrowed("Internal server error")),
            "InternalServerErrorException",
            reason,
            cause,
        )
    }

    /// A mapping template failed while rendering ([`TEMPLATE_FAILURE_RESPONSE_TYPE`]).
    pub(crate) fn template_failure(reason: String, cause: GatewayCause<'a>) -> Self {
        Self::new(
            TEMPLATE_FAILURE_RESPONSE_TYPE,
            StatusCode::INTERNAL_SERVER_ERROR,
            Some(Cow::Borrowed("Internal server error")),
            "InternalServerErrorException",
            reason,
            cause,
        )
    }

    /// Spec 5.4: the integration did not answer within its timeout.
    pub(crate) fn integration_timeout(reason: String, cause: GatewayCause<'a>) -> Self {
        Self::new(
            GatewayResponseType::IntegrationTimeout,
            StatusCode::GATEWAY_TIMEOUT,
            Some(Cow::Borrowed("Endpoint request timed out")),
            INTEGRATION_TIMEOUT_ERROR_TYPE,
            reason,
            cause,
        )
    }

    /// Rule H.12: a network or TLS failure reaching an HTTP backend.
    pub(crate) fn integration_failure(reason: String, cause: GatewayCause<'a>) -> Self {
        Self::new(
            GatewayResponseType::IntegrationFailure,
            StatusCode::GATEWAY_TIMEOUT,
            Some(Cow::Borrowed("Internal server error")),
            INTEGRATION_FAILURE_ERROR_TYPE,
            reason,
            cause,
        )
    }

    /// The request body exceeds API Gateway's 10 MB payload limit.
    pub(crate) fn request_too_large(reason: String) -> Self {
        Self::new(
            GatewayResponseType::RequestTooLarge,
            StatusCode::PAYLOAD_TOO_LARGE,
            Some(Cow::Borrowed("Request Too Long")),
            REQUEST_TOO_LARGE_ERROR_TYPE,
            reason,
            GatewayCause::TooLarge,
        )
    }

    /// The request body could not be read (the client went away or broke the framing).
    pub(crate) fn bad_request_body(reason: String) -> Self {
        Self::new(
            GatewayResponseType::BadRequestBody,
            StatusCode::BAD_REQUEST,
            Some(Cow::Borrowed(INVALID_REQUEST_BODY_MESSAGE)),
            BAD_REQUEST_ERROR_TYPE,
            reason,
            GatewayCause::BadRequestBody,
        )
    }

    /// Spec V.1: the method's request validator requires parameters the request does not
    /// have (or leaves blank); `message` lists them.
    pub(crate) fn missing_request_parameters(message: String, reason: String) -> Self {
        Self::new(
            GatewayResponseType::BadRequestParameters,
            StatusCode::BAD_REQUEST,
            Some(Cow::Owned(message)),
            BAD_REQUEST_ERROR_TYPE,
            reason,
            GatewayCause::RequestValidation,
        )
    }

    /// Spec V.5: the body does not match the model of its content type (or is not JSON).
    pub(crate) fn invalid_request_body(reason: String) -> Self {
        Self::new(
            GatewayResponseType::BadRequestBody,
            StatusCode::BAD_REQUEST,
            Some(Cow::Borrowed(INVALID_REQUEST_BODY_MESSAGE)),
            BAD_REQUEST_ERROR_TYPE,
            reason,
            GatewayCause::RequestValidation,
        )
    }

    /// Spec 4.3: no request template for the content type, passthrough forbidden.
    pub(crate) fn unsupported_media_type(reason: String) -> Self {
        Self::new(
            GatewayResponseType::UnsupportedMediaType,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Some(Cow::Borrowed(UNSUPPORTED_MEDIA_TYPE_MESSAGE)),
            UNSUPPORTED_MEDIA_TYPE_ERROR_TYPE,
            reason,
            GatewayCause::UnsupportedMediaType,
        )
    }

    /// Spec 5.5: `apiKeyRequired` without a valid key.
    pub(crate) fn invalid_api_key(reason: String, cause: GatewayCause<'a>) -> Self {
        Self::new(
            GatewayResponseType::InvalidApiKey,
            StatusCode::FORBIDDEN,
            Some(Cow::Borrowed(API_KEY_FORBIDDEN_MESSAGE)),
            API_KEY_FORBIDDEN_ERROR_TYPE,
            reason,
            cause,
        )
    }

    /// Spec 5.6: a missing identity source, or the authorizer said `Unauthorized`.
    pub(crate) fn unauthorized(reason: String, cause: GatewayCause<'a>) -> Self {
        Self::new(
            GatewayResponseType::Unauthorized,
            StatusCode::UNAUTHORIZED,
            Some(Cow::Borrowed("Unauthorized")),
            "UnauthorizedException",
            reason,
            cause,
        )
    }

    /// Spec 5.6: the authorizer's policy does not allow the method.
    pub(crate) fn access_denied(reason: String, cause: GatewayCause<'a>) -> Self {
        let mut error = Self::new(
            GatewayResponseType::AccessDenied,
            StatusCode::FORBIDDEN,
            Some(Cow::Borrowed(EXPLICIT_DENY_MESSAGE)),
            "AccessDeniedException",
            reason,
            cause,
        );
        error.builtin_template = ACCESS_DENIED_TEMPLATE;
        error
    }

    /// Spec 5.6: the authorizer failed or answered something unusable: `{"message": null}`.
    pub(crate) fn authorizer_configuration_error(reason: String, cause: GatewayCause<'a>) -> Self {
        Self::new(
            GatewayResponseType::AuthorizerConfigurationError,
            StatusCode::INTERNAL_SERVER_ERROR,
            None,
            "AuthorizerConfigurationException",
            reason,
            cause,
        )
    }
}

/// The failures of an `AWS` Lambda integration (Phase 4c, `integration::lambda_custom`) as the
/// gateway errors they become here.
impl LambdaIntegrationError {
    /// The gateway error for this failure; `at` names the method and where it is declared.
    pub(crate) fn into_gateway_error<'f>(
        self,
        function: &'f Function,
        at: &str,
    ) -> GatewayError<'f> {
        match self {
            LambdaIntegrationError::UnsupportedMediaType(content_type) => {
                GatewayError::unsupported_media_type(format!(
                    "{at}: the integration has no request template for content type \
                     {content_type:?} and its passthrough behavior does not allow the request \
                     through"
                ))
            }
            LambdaIntegrationError::EventNotJson(event) => GatewayError::internal(
                format!(
                    "{at}: the event for function {} is not JSON, which Lambda refuses \
                     (\"Could not parse request body into json\"): {event:?}",
                    function.logical_id
                ),
                GatewayCause::LambdaIntegrationFailure,
            ),
            LambdaIntegrationError::Timeout(after) => GatewayError::integration_timeout(
                format!(
                    "{at}: the integration timed out after {after:?} (API Gateway's integration \
                     timeout; function {} declared at {} has Timeout {:?})",
                    function.logical_id, function.location, function.timeout
                ),
                GatewayCause::IntegrationTimeout { function },
            ),
            LambdaIntegrationError::NoIntegrationResponse { outcome, detail } => {
                GatewayError::internal(
                    format!(
                        "{at}: no integration response matches {outcome} and none is the \
                         default (API configuration error){detail}"
                    ),
                    GatewayCause::LambdaIntegrationFailure,
                )
            }
            LambdaIntegrationError::BadStatus(status) => GatewayError::internal(
                format!(
                    "{at}: the selected integration response has status {status:?}, which is \
                     not an HTTP status"
                ),
                GatewayCause::LambdaIntegrationFailure,
            ),
            LambdaIntegrationError::Template(failure) => GatewayError::template_failure(
                format!("{at}: {failure}"),
                GatewayCause::LambdaIntegrationFailure,
            ),
        }
    }
}

/// The failures of an HTTP integration (Phase 4d, `integration::http`) as the gateway errors a
/// REST API answers them with (rules H.3, H.10, H.12).
impl BackendError {
    /// The gateway error for this failure; `at` names the method and where it is declared.
    pub(crate) fn into_gateway_error(self, at: &str) -> GatewayError<'static> {
        let cause = GatewayCause::BackendFailed;
        let reason = format!("{at}: {self}");
        match self {
            BackendError::UnsupportedMediaType(_) => GatewayError::unsupported_media_type(reason),
            BackendError::Template(_) => GatewayError::template_failure(reason, cause),
            BackendError::Timeout { .. } => GatewayError::integration_timeout(reason, cause),
            BackendError::Refused { .. } => {
                let mut error = GatewayError::internal(reason, cause);
                error.response_type = BACKEND_REFUSED_RESPONSE_TYPE;
                error
            }
            BackendError::Failed { .. } => GatewayError::integration_failure(reason, cause),
            BackendError::UnmappableHeader(_)
            | BackendError::BadUri(_)
            | BackendError::NoIntegrationResponse { .. }
            | BackendError::BadStatus(_) => GatewayError::internal(reason, cause),
        }
    }
}

/// What a gateway response may refer to: the request that failed and where it got.
pub(crate) struct ErrorContext<'a> {
    pub request_id: &'a str,
    /// The API whose gateway responses apply (for an unmatched path: see the pipeline).
    pub api: Option<&'a RestApi>,
    /// The matched resource's path (`$context.resourcePath`), when one matched.
    pub resource_path: Option<&'a str>,
    pub http_method: &'a str,
    /// For `method.request.*` header mappings.
    pub request: RequestView<'a>,
}

/// The configured gateway response for `error` in `api` (spec 3.5): the error's own type,
/// else `DEFAULT_4XX` / `DEFAULT_5XX` by the family of the type's default status (the
/// error's status for the two `DEFAULT_*` types, which have none).
pub(crate) fn configured<'a>(
    api: Option<&'a RestApi>,
    error: &GatewayError<'_>,
) -> Option<&'a GatewayResponseConfig> {
    let configs = &api?.gateway_responses;
    let find = |name: &str| configs.iter().find(|c| c.response_type == name);
    find(error.response_type.name()).or_else(|| {
        let family = error.response_type.default_status().unwrap_or(error.status);
        if family.is_server_error() {
            find(GatewayResponseType::Default5xx.name())
        } else if family.is_client_error() {
            find(GatewayResponseType::Default4xx.name())
        } else {
            None
        }
    })
}

/// Substitutes the variables gateway response templates support (spec 3.4: plain
/// substitution, not VTL). Unknown `$context.*` / `$stageVariables.*` variables render
/// empty, as on AWS; any other `$` is literal text.
pub(crate) fn render_template(
    template: &str,
    error: &GatewayError<'_>,
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
            "context.error.messageString" => Cow::Owned(match &error.message {
                Some(message) => serde_json::Value::from(message.as_ref()).to_string(),
                None => "null".to_owned(),
            }),
            "context.error.message" => Cow::Borrowed(error.message.as_deref().unwrap_or("")),
            "context.error.responseType" => Cow::Borrowed(error.response_type.name()),
            "context.requestId" => Cow::Borrowed(ctx.request_id),
            "context.stage" => Cow::Borrowed(ctx.api.map_or("", |a| a.stage.as_str())),
            "context.apiId" => Cow::Borrowed(ctx.api.map_or("", |a| a.api_id.as_str())),
            "context.resourcePath" => Cow::Borrowed(ctx.resource_path.unwrap_or("")),
            "context.httpMethod" => Cow::Borrowed(ctx.http_method),
            _ => Cow::Borrowed(
                name.strip_prefix("stageVariables.")
                    .and_then(|v| ctx.api.and_then(|a| a.stage_variables.get(v)))
                    .map_or("", String::as_str),
            ),
        };
        out.push_str(&value);
        rest = &after[name.len()..];
    }
    out.push_str(rest);
    out
}

/// The response for `error`, shaped by `configured` when the API configures one (spec
/// 3.3-3.5) and by the built-in defaults otherwise (spec 5). Status: the configured
/// `statusCode` or the error's. Body: the configured template for `application/json` (or
/// the first), else the built-in one — so a configuration that only adds headers keeps the
/// built-in body byte for byte. Headers: `Content-Type`, the configured
/// `gatewayresponse.header.*` mappings, then `x-amzn-ErrorType`, which always stays.
pub(crate) fn render(
    error: &GatewayError<'_>,
    configured: Option<&GatewayResponseConfig>,
    ctx: &ErrorContext<'_>,
) -> Response<Full<Bytes>> {
    let status = configured
        .and_then(|c| c.status_code)
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(error.status);
    let (content_type, template) = configured
        .and_then(|c| {
            let templates = &c.response_templates;
            templates
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("application/json"))
                .or_else(|| templates.first())
        })
        .map_or(("application/json", error.builtin_template), |(k, t)| {
            (k.as_str(), t.as_str())
        });
    let body = render_template(template, error, ctx);
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_str(content_type)
            .unwrap_or_else(|_| HeaderValue::from_static("application/json")),
    );
    for (key, expression) in configured.iter().flat_map(|c| &c.response_parameters) {
        if GATEWAY_RESPONSE_PARAMETERS_WITHOUT_EFFECT
            .iter()
            .any(|prefix| key.starts_with(prefix))
        {
            continue;
        }
        let Some(name) = key.strip_prefix(GATEWAY_RESPONSE_HEADER_PREFIX) else {
            continue;
        };
        let (Ok(name), Some(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            map_value(expression, &ctx.request).to_header_value(),
        ) else {
            continue;
        };
        headers.insert(name, value);
    }
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

    fn context<'a>(api: Option<&'a RestApi>, headers: &'a http::HeaderMap) -> ErrorContext<'a> {
        ErrorContext {
            request_id: "req-1",
            api,
            resource_path: Some("/items/{id}"),
            http_method: "GET",
            request: RequestView {
                headers,
                query: Some("q=1"),
                path_params: &[("id", "42")],
            },
        }
    }

    async fn rendered(error: &GatewayError<'_>) -> (StatusCode, http::HeaderMap, Bytes) {
        let headers = http::HeaderMap::new();
        let response = render(error, None, &context(None, &headers));
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
                GatewayError::missing_authentication_token(
                    String::new(),
                    GatewayCause::MockFailure,
                ),
                403,
                r#"{"message":"Missing Authentication Token"}"#,
                "MissingAuthenticationTokenException",
            ),
            (
                GatewayError::lambda_failure(String::new(), GatewayCause::MockFailure),
                502,
                r#"{"message": "Internal server error"}"#,
                "InternalServerErrorException",
            ),
            (
                GatewayError::internal(String::new(), GatewayCause::MockFailure),
                500,
                r#"{"message": "Internal server error"}"#,
                "InternalServerErrorException",
            ),
            (
                GatewayError::integration_timeout(String::new(), GatewayCause::MockFailure),
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
        let error = GatewayError::lambda_failure(String::new(), GatewayCause::MockFailure);
        let headers = http::HeaderMap::new();
        assert_eq!(
            render_template(BUILTIN_5XX_TEMPLATE, &error, &context(None, &headers)).len(),
            36
        );
    }

    #[test]
    fn rule_3_4_templates_substitute_context_variables_only() {
        let error =
            GatewayError::missing_authentication_token(String::new(), GatewayCause::MockFailure);
        let headers = http::HeaderMap::new();
        let mut api = crate::test_support::api("Api", "Prod", &[], 0, 1);
        api.stage_variables.insert("env".into(), "dev".into());
        let context = context(Some(&api), &headers);
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
            (
                "$context.apiId $context.resourcePath $context.httpMethod $stageVariables.env|$stageVariables.x|",
                "apiapi /items/{id} GET dev||",
            ),
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
    fn rule_3_5_configured_lookup_order() {
        use crate::test_support::{api, gateway_response};
        let cause = || GatewayCause::MockFailure;
        let errors = [
            GatewayError::missing_authentication_token(String::new(), cause()),
            GatewayError::invalid_api_key(String::new(), cause()),
            GatewayError::request_too_large(String::new()),
            GatewayError::lambda_failure(String::new(), cause()),
            GatewayError::integration_timeout(String::new(), cause()),
            GatewayError::authorizer_configuration_error(String::new(), cause()),
        ];
        // (configured types, the type each error above finds, in order)
        type Case<'a> = (&'a [&'a str], [Option<&'a str>; 6]);
        let cases: &[Case<'_>] = &[
            (&[], [None; 6]),
            (
                &["DEFAULT_4XX", "DEFAULT_5XX"],
                [
                    Some("DEFAULT_4XX"),
                    Some("DEFAULT_4XX"),
                    Some("DEFAULT_4XX"),
                    Some("DEFAULT_5XX"),
                    Some("DEFAULT_5XX"),
                    Some("DEFAULT_5XX"),
                ],
            ),
            (
                &["DEFAULT_4XX", "INVALID_API_KEY", "INTEGRATION_TIMEOUT"],
                [
                    Some("DEFAULT_4XX"),
                    Some("INVALID_API_KEY"),
                    Some("DEFAULT_4XX"),
                    None,
                    Some("INTEGRATION_TIMEOUT"),
                    None,
                ],
            ),
            (
                &["MISSING_AUTHENTICATION_TOKEN"],
                [
                    Some("MISSING_AUTHENTICATION_TOKEN"),
                    None,
                    None,
                    None,
                    None,
                    None,
                ],
            ),
        ];
        for (configured_types, want) in cases {
            let mut rest_api = api("Api", "Prod", &[], 0, 1);
            rest_api.gateway_responses = configured_types
                .iter()
                .map(|t| gateway_response(t, None, &[], &[]))
                .collect();
            for (error, want) in errors.iter().zip(want) {
                let got = configured(Some(&rest_api), error).map(|c| c.response_type.as_str());
                assert_eq!(got, *want, "{configured_types:?} {}", error.response_type);
            }
        }
        assert!(configured(None, &errors[0]).is_none());
    }

    #[tokio::test]
    async fn rule_5_5_and_5_6_builtin_auth_responses() {
        let cause = || GatewayCause::MockFailure;
        let cases: &[(GatewayError<'_>, u16, &str, &str)] = &[
            (
                GatewayError::invalid_api_key(String::new(), cause()),
                403,
                r#"{"message":"Forbidden"}"#,
                "ForbiddenException",
            ),
            (
                GatewayError::unauthorized(String::new(), cause()),
                401,
                r#"{"message":"Unauthorized"}"#,
                "UnauthorizedException",
            ),
            (
                GatewayError::access_denied(String::new(), cause()),
                403,
                r#"{"Message":"User is not authorized to access this resource with an explicit deny"}"#,
                "AccessDeniedException",
            ),
            (
                GatewayError::authorizer_configuration_error(String::new(), cause()),
                500,
                r#"{"message": null}"#,
                "AuthorizerConfigurationException",
            ),
            (
                GatewayError::unsupported_media_type(String::new()),
                415,
                r#"{"message":"Unsupported Media Type"}"#,
                "UnsupportedMediaTypeException",
            ),
        ];
        for (error, status, body, error_type) in cases {
            let (got_status, headers, got_body) = rendered(error).await;
            assert_eq!(got_status.as_u16(), *status, "{body}");
            assert_eq!(&got_body[..], body.as_bytes());
            assert_eq!(headers["x-amzn-errortype"], *error_type);
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

    /// Rules H.3, H.10, H.12: each failure of an HTTP integration as the REST API answers it.
    #[test]
    fn integration_failure_is_504() {
        let url = || "http://127.0.0.1:1/x".to_owned();
        let cases = [
            (
                BackendError::Failed {
                    url: url(),
                    detail: "reset".into(),
                },
                504,
                GatewayResponseType::IntegrationFailure,
                INTEGRATION_FAILURE_ERROR_TYPE,
            ),
            (
                BackendError::Refused {
                    url: url(),
                    detail: "refused".into(),
                },
                500,
                BACKEND_REFUSED_RESPONSE_TYPE,
                "InternalServerErrorException",
            ),
            (
                BackendError::Timeout {
                    url: url(),
                    after: std::time::Duration::from_millis(50),
                },
                504,
                GatewayResponseType::IntegrationTimeout,
                INTEGRATION_TIMEOUT_ERROR_TYPE,
            ),
            (
                BackendError::UnmappableHeader("Content-Length".into()),
                500,
                GatewayResponseType::ApiConfigurationError,
                "InternalServerErrorException",
            ),
            (
                BackendError::UnsupportedMediaType("text/plain".into()),
                415,
                GatewayResponseType::UnsupportedMediaType,
                "UnsupportedMediaTypeException",
            ),
        ];
        for (error, status, response_type, error_type) in cases {
            let what = error.to_string();
            let error = error.into_gateway_error("GET /x (template.yaml:1:1)");
            assert_eq!(error.status.as_u16(), status, "{what}");
            assert_eq!(error.response_type, response_type, "{what}");
            assert_eq!(error.error_type, error_type, "{what}");
            assert!(error.reason.contains("GET /x"), "{what}");
        }
    }
}
