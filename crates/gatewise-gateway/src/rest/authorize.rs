//! Phase 3, **authorize**: what API Gateway checks between matching a method and running its
//! integration, in AWS's order — the authorizer (`AWS_IAM` or a Lambda / Cognito one),
//! then the API key. OPTIONS methods get no exemption, SAM-generated ones included:
//! browsers send neither credentials nor keys on a preflight, and reproducing the
//! resulting 401/403 is the point (spec 9.4).

use std::sync::atomic::Ordering;

use bytes::Bytes;
use gatewise_lambda::{Dispatch, Invocation, InvokeError};
use gatewise_model::{ApiKeySource, Authorization, Authorizer, AuthorizerKind, Integration, Stack};

use crate::integration::invoke::Invoke;
use crate::integration::lambda_authorizer::{
    Grant, Verdict, evaluate, method_arn, missing_identity, request_event, token, token_event,
};
use crate::observe::emit;
use crate::observe::source::GatewayCause;
use crate::request::params::RequestView;
use crate::rest::api_key::{API_KEY_HEADER, check};
use crate::rest::gateway_response::GatewayError;
use crate::rest::router::Route;

/// The prefix of a SigV4 `Authorization` header.
const SIGV4_PREFIX: &str = "AWS4-HMAC-SHA256";

/// The request as the authorization phase sees it.
pub(crate) struct AuthRequest<'r> {
    pub view: RequestView<'r>,
    pub method: &'r str,
    pub path: &'r str,
    /// Builds the request's payload 1.0 event; only `REQUEST` authorizers need it.
    pub proxy_event: &'r (dyn Fn() -> Vec<u8> + Sync),
}

/// Runs the checks of `route`; `Ok(Some(grant))` when a Lambda authorizer allowed the
/// request (its `principalId` and context go into the proxy event).
pub(crate) async fn authorize<'a>(
    route: &'a Route,
    stack: &'a Stack,
    extra_keys: &[String],
    invoker: &dyn Invoke,
    request: &AuthRequest<'_>,
) -> Result<Option<Grant>, GatewayError<'a>> {
    let grant = match &route.authorization {
        Authorization::None => None,
        Authorization::AwsIam => {
            let signed = request
                .view
                .header("authorization")
                .is_some_and(|v| v.as_bytes().starts_with(SIGV4_PREFIX.as_bytes()));
            if !signed {
                return Err(GatewayError::missing_authentication_token(
                    format!(
                        "{} {} uses AWS_IAM authorization and the request is not signed (no \
                         `Authorization: {SIGV4_PREFIX} …` header); OPTIONS requests are not \
                         exempt",
                        route.method, route.path
                    ),
                    GatewayCause::AwsIamUnsigned,
                ));
            }
            warn_once(
                route,
                "AWS_IAM: the request's SigV4 signature is not verified locally; every signed \
                 request is let through",
            );
            None
        }
        Authorization::Authorizer(authorizer) => {
            run_authorizer(route, stack, authorizer, invoker, request).await?
        }
    };
    if route.api_key_required {
        let api = &stack.rest_apis[route.api];
        let key = match api.api_key_source {
            ApiKeySource::Header => request.view.header_text(API_KEY_HEADER),
            ApiKeySource::Authorizer => grant
                .as_ref()
                .and_then(|g| g.usage_identifier_key.as_deref())
                .map(Into::into),
        };
        if let Err(problem) = check(key.as_deref(), &stack.api_keys, extra_keys) {
            let method = &api.resources[route.resource].methods[route.method_index];
            let from = match api.api_key_source {
                ApiKeySource::Header => "the x-api-key header",
                ApiKeySource::Authorizer => "the authorizer's usageIdentifierKey",
            };
            let required_at = method
                .provenance
                .api_key_required_at
                .as_ref()
                .map(|at| format!(" (ApiKeyRequired at {at})"))
                .unwrap_or_default();
            return Err(GatewayError::invalid_api_key(
                format!(
                    "{} {} requires an API key{required_at} and {problem} (read from {from}); \
                     OPTIONS requests are not exempt, and browsers never send a key on a \
                     preflight",
                    route.method, route.path
                ),
                GatewayCause::ApiKey {
                    provenance: &method.provenance,
                },
            ));
        }
    }
    Ok(grant)
}

/// Spec 5.6: identity sources first (401 without running anything), then the Lambda
/// authorizer when there is a local function; Cognito and authorizers without a local
/// function let the request through with a one-time warning.
async fn run_authorizer<'a>(
    route: &'a Route,
    stack: &'a Stack,
    authorizer: &'a Authorizer,
    invoker: &dyn Invoke,
    request: &AuthRequest<'_>,
) -> Result<Option<Grant>, GatewayError<'a>> {
    if let Some(source) = missing_identity(authorizer, &request.view) {
        return Err(GatewayError::unauthorized(
            format!(
                "{} {} is protected by authorizer {} ({}) and the request lacks its identity \
                 source {source}; OPTIONS requests are not exempt, and browsers send no \
                 credentials on a preflight",
                route.method, route.path, authorizer.name, authorizer.location
            ),
            GatewayCause::MissingIdentity { authorizer },
        ));
    }
    let function = match (authorizer.kind, authorizer.function) {
        (AuthorizerKind::Token | AuthorizerKind::Request, Some(function)) => function,
        (AuthorizerKind::CognitoUserPools, _) => {
            warn_once(
                route,
                &format!(
                    "Cognito authorizer {}: tokens are not verified locally; every request \
                     carrying the identity source is let through",
                    authorizer.name
                ),
            );
            return Ok(None);
        }
        (_, None) => {
            warn_once(
                route,
                &format!(
                    "authorizer {} has no function in the template, so it cannot run locally; \
                     every request carrying the identity source is let through",
                    authorizer.name
                ),
            );
            return Ok(None);
        }
    };
    let api = &stack.rest_apis[route.api];
    let arn = method_arn(&api.api_id, &api.stage, request.method, request.path);
    let payload = match authorizer.kind {
        AuthorizerKind::Token => token_event(&token(authorizer, &request.view), &arn),
        _ => request_event(&(request.proxy_event)(), &arn),
    };
    let name = &stack.functions[function].logical_id;
    let failed = GatewayCause::AuthorizerFailed;
    let invocation = Invocation {
        request_id: uuid::Uuid::new_v4().to_string(),
        payload: Bytes::from(payload),
        dispatch: Dispatch::new(),
        log: None,
    };
    let output = match tokio::time::timeout(
        Integration::REST_DEFAULT_TIMEOUT,
        invoker.invoke(function, invocation),
    )
    .await
    {
        Err(_) => {
            return Err(GatewayError::authorizer_configuration_error(
                format!(
                    "authorizer {} (function {name}) did not answer in time",
                    authorizer.name
                ),
                failed,
            ));
        }
        Ok(Err(InvokeError::Function { error_message, .. })) if error_message == "Unauthorized" => {
            return Err(GatewayError::unauthorized(
                format!(
                    "authorizer {} (function {name}) answered Unauthorized for {} {}",
                    authorizer.name, route.method, route.path
                ),
                GatewayCause::AuthorizerDenied,
            ));
        }
        Ok(Err(error)) => {
            return Err(GatewayError::authorizer_configuration_error(
                format!(
                    "authorizer {} (function {name}) failed: {error}; only an error with the \
                     exact message `Unauthorized` means 401",
                    authorizer.name
                ),
                failed,
            ));
        }
        Ok(Ok(output)) => output,
    };
    match evaluate(&output, &arn) {
        Verdict::Allow(grant) => Ok(Some(grant)),
        Verdict::Deny { explicit } => Err(GatewayError::access_denied(
            format!(
                "authorizer {} (function {name}) returned a policy {} {arn}",
                authorizer.name,
                if explicit {
                    "that denies"
                } else {
                    "without an Allow for execute-api:Invoke on"
                }
            ),
            GatewayCause::AuthorizerDenied,
        )),
        Verdict::Malformed(reason) => Err(GatewayError::authorizer_configuration_error(
            format!("authorizer {} (function {name}): {reason}", authorizer.name),
            failed,
        )),
    }
}

/// Prints `message` once per method (lock-free: an atomic flag on the route).
fn warn_once(route: &Route, message: &str) {
    if !route.unverified_warned.swap(true, Ordering::Relaxed) {
        emit(&format!(
            "gatewise: warning: {} {} ({}): {message}\n",
            route.method, route.path, route.location
        ));
    }
}
