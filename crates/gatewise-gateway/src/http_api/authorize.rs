//! Phase 3 for HTTP APIs, **authorize**: JWT authorizers (a token must be present; it is
//! not verified locally), Lambda authorizers (run as real functions, payload 1.0 or 2.0,
//! simple or IAM-policy responses) and `AWS_IAM` (a request must be signed). A preflight that
//! a route takes gets no exemption (spec 8.5), which is the point: that is how an authorized
//! `$default` route breaks preflights on AWS.

use std::borrow::Cow;
use std::sync::atomic::Ordering;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use gatewise_lambda::{Dispatch, Invocation, InvokeError};
use gatewise_model::{
    HttpApi, HttpAuthorization, HttpIntegration, HttpRoute, PayloadFormat, Stack,
};
use serde_json::{Value, json};

use crate::http_api::error::HttpError;
use crate::http_api::event::authorizer_event_v2;
use crate::http_api::router::HttpRouteEntry;
use crate::integration::invoke::Invoke;
use crate::integration::lambda_authorizer::{Verdict, evaluate, method_arn, request_event};
use crate::observe::emit;
use crate::observe::http_source::HttpCause;
use crate::request::params::RequestView;

/// The prefix of a SigV4 `Authorization` header.
const SIGV4_PREFIX: &str = "AWS4-HMAC-SHA256";

/// The request as the authorization phase sees it.
pub(crate) struct HttpAuthRequest<'r> {
    pub view: RequestView<'r>,
    pub method: &'r str,
    pub path: &'r str,
    /// Builds the event the route's integration would get in `format` (the Lambda
    /// authorizer's event is made from it).
    pub event: &'r (dyn Fn(PayloadFormat) -> Vec<u8> + Sync),
}

/// Runs the route's authorization; `Ok(Some(context))` is the `requestContext.authorizer`
/// of the integration's event.
pub(crate) async fn authorize_http<'a>(
    entry: &HttpRouteEntry,
    api: &'a HttpApi,
    route: &'a HttpRoute,
    stack: &'a Stack,
    invoker: &dyn Invoke,
    request: &HttpAuthRequest<'_>,
) -> Result<Option<Value>, HttpError<'a>> {
    let key = &route.route_key;
    match &route.authorization {
        HttpAuthorization::None => Ok(None),
        HttpAuthorization::AwsIam => {
            let signed = request
                .view
                .header("authorization")
                .is_some_and(|v| v.as_bytes().starts_with(SIGV4_PREFIX.as_bytes()));
            if !signed {
                return Err(HttpError::forbidden(
                    format!(
                        "route `{key}` ({}) uses AWS_IAM authorization and the request is not \
                         signed; OPTIONS requests that a route takes are not exempt",
                        route.location
                    ),
                    HttpCause::AwsIamUnsigned,
                ));
            }
            warn_once(
                entry,
                route,
                "AWS_IAM: the SigV4 signature is not verified locally; every signed request is \
                 let through",
            );
            Ok(None)
        }
        HttpAuthorization::Jwt {
            name,
            identity_source,
            location,
        } => {
            let cause = HttpCause::Authorizer { name, location };
            let Some(token) = identity(identity_source, &request.view).filter(|t| !t.is_empty())
            else {
                return Err(HttpError::unauthorized(
                    format!(
                        "route `{key}` ({}) is protected by JWT authorizer {name} ({location}) and \
                         the request lacks its identity source {identity_source}; browsers send \
                         no credentials on a preflight",
                        route.location
                    ),
                    cause,
                ));
            };
            warn_once(
                entry,
                route,
                &format!(
                    "JWT authorizer {name}: tokens are not verified locally (signature, issuer, \
                     audience, expiry); every request carrying one is let through"
                ),
            );
            Ok(Some(
                json!({"jwt": {"claims": claims(&token), "scopes": null}}),
            ))
        }
        HttpAuthorization::Lambda {
            name,
            function,
            identity_sources,
            payload_format,
            simple_responses,
            location,
        } => {
            let cause = HttpCause::Authorizer { name, location };
            let mut values = Vec::with_capacity(identity_sources.len());
            for source in identity_sources {
                match identity(source, &request.view).filter(|v| !v.is_empty()) {
                    Some(value) => values.push(value),
                    None => {
                        return Err(HttpError::unauthorized(
                            format!(
                                "route `{key}` ({}) is protected by Lambda authorizer {name} \
                                 ({location}) and the request lacks its identity source \
                                 {source}; browsers send no credentials on a preflight",
                                route.location
                            ),
                            cause,
                        ));
                    }
                }
            }
            let Some(function) = *function else {
                warn_once(
                    entry,
                    route,
                    &format!(
                        "Lambda authorizer {name} has no function in the template, so it cannot \
                         run locally; every request carrying its identity sources is let through"
                    ),
                );
                return Ok(None);
            };
            let arn = method_arn(&api.api_id, &api.stage, request.method, request.path);
            let payload = match payload_format {
                PayloadFormat::V2 => {
                    authorizer_event_v2(&(request.event)(PayloadFormat::V2), &arn, &values)
                }
                PayloadFormat::V1 => request_event(&(request.event)(PayloadFormat::V1), &arn),
            };
            let function_name = &stack.functions[function].logical_id;
            let failed = |why: String| {
                HttpError::internal(
                    format!("Lambda authorizer {name} (function {function_name}) {why}"),
                    HttpCause::AuthorizerFailed,
                )
            };
            let invocation = Invocation {
                request_id: uuid::Uuid::new_v4().to_string(),
                payload: Bytes::from(payload),
                dispatch: Dispatch::new(),
                log: None,
            };
            let output = match tokio::time::timeout(
                HttpIntegration::DEFAULT_TIMEOUT,
                invoker.invoke(function, invocation),
            )
            .await
            {
                Err(_) => return Err(failed("did not answer in time".to_owned())),
                Ok(Err(InvokeError::Function { error_message, .. }))
                    if error_message == "Unauthorized" =>
                {
                    return Err(HttpError::unauthorized(
                        format!(
                            "Lambda authorizer {name} (function {function_name}) answered \
                             Unauthorized for route `{key}`"
                        ),
                        cause,
                    ));
                }
                Ok(Err(error)) => return Err(failed(format!("failed: {error}"))),
                Ok(Ok(output)) => output,
            };
            let denied = |how: &str| {
                HttpError::forbidden(
                    format!(
                        "Lambda authorizer {name} (function {function_name}) {how} route `{key}`"
                    ),
                    cause,
                )
            };
            if *payload_format == PayloadFormat::V2 && *simple_responses {
                return match simple_response(&output) {
                    Ok((true, context)) => Ok(Some(json!({ "lambda": context }))),
                    Ok((false, _)) => Err(denied("answered isAuthorized: false for")),
                    Err(why) => Err(failed(why)),
                };
            }
            match evaluate(&output, &arn) {
                Verdict::Allow(grant) => Ok(Some(json!({ "lambda": grant.authorizer_context }))),
                Verdict::Deny { .. } => Err(denied("returned a policy that does not allow")),
                Verdict::Malformed(why) => Err(failed(why)),
            }
        }
    }
}

/// `{"isAuthorized": bool, "context": {…}}` (simple responses of payload 2.0 authorizers).
fn simple_response(output: &[u8]) -> Result<(bool, Value), String> {
    let Ok(Value::Object(mut output)) = serde_json::from_slice::<Value>(output) else {
        return Err("answered something that is not a JSON object".to_owned());
    };
    let Some(Value::Bool(authorized)) = output.get("isAuthorized") else {
        return Err("answered no boolean isAuthorized (simple responses are enabled)".to_owned());
    };
    let authorized = *authorized;
    let context = match output.remove("context") {
        None | Some(Value::Null) => Value::Object(Default::default()),
        Some(context @ Value::Object(_)) => context,
        Some(_) => return Err("answered a context that is not an object".to_owned()),
    };
    Ok((authorized, context))
}

/// The value of an identity source (`$request.header.X`, `$request.querystring.x`);
/// `$context.*` and `$stageVariables.*` are always present locally.
fn identity<'v>(source: &str, view: &RequestView<'v>) -> Option<Cow<'v, str>> {
    let source = source.trim();
    if let Some(name) = source.strip_prefix("$request.header.") {
        view.header_text(name)
    } else if let Some(name) = source.strip_prefix("$request.querystring.") {
        view.query_param(name)
    } else {
        Some(Cow::Borrowed("-"))
    }
}

/// The claims of a JWT, read without verification (`{}` when it is not a readable JWT), so
/// functions can use `requestContext.authorizer.jwt.claims` locally.
fn claims(token: &str) -> Value {
    let token = token.strip_prefix("Bearer ").unwrap_or(token).trim();
    token
        .split('.')
        .nth(1)
        .and_then(|payload| URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok())
        .and_then(|json| serde_json::from_slice::<Value>(&json).ok())
        .filter(Value::is_object)
        .unwrap_or_else(|| Value::Object(Default::default()))
}

/// Prints `message` once per route (an atomic flag on the route: no lock).
fn warn_once(entry: &HttpRouteEntry, route: &HttpRoute, message: &str) {
    if !entry.unverified_warned.swap(true, Ordering::Relaxed) {
        emit(&format!(
            "gatewise: warning: route `{}` ({}): {message}\n",
            route.route_key, route.location
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwt_claims_are_read_without_verification() {
        let payload = URL_SAFE_NO_PAD.encode(br#"{"sub":"u1","scope":"a b"}"#);
        assert_eq!(
            claims(&format!("Bearer h.{payload}.sig")),
            json!({"sub": "u1", "scope": "a b"})
        );
        for garbage in ["", "x", "a.%%%.c", "a.bnVsbA.c"] {
            assert_eq!(claims(garbage), json!({}), "{garbage}");
        }
    }

    #[test]
    fn simple_responses() {
        assert_eq!(
            simple_response(br#"{"isAuthorized":true,"context":{"u":"1"}}"#),
            Ok((true, json!({"u": "1"})))
        );
        assert_eq!(
            simple_response(br#"{"isAuthorized":false}"#),
            Ok((false, json!({})))
        );
        for bad in [
            &b"[]"[..],
            br#"{"isAuthorized":"yes"}"#,
            br#"{"isAuthorized":true,"context":1}"#,
        ] {
            assert!(simple_response(bad).is_err());
        }
    }
}
