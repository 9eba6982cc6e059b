//! Rules for HTTP APIs (API Gateway v2), whose `CorsConfiguration` the gateway applies itself
//! (spec 8): what can still go wrong is the configuration's content, and routes that catch
//! the preflight before the gateway can answer it (8.5).

use gatewise_cors::fetch::CHROMIUM_MAX_AGE_CAP;
use gatewise_model::{HttpApi, HttpAuthorization, HttpRoute, Stack};

use crate::rest::values::max_age;
use crate::rules::{
    CORS_WILDCARD_ALLOW_HEADERS, HTTP_AUTHORIZER_CATCHES_PREFLIGHT, HTTP_CORS_NO_ALLOW_HEADERS,
    HTTP_CORS_ORIGIN_NOT_SERIALIZED,
};
use crate::{Finding, Sources};

/// Origins that are patterns, not serialized origins (spec 8.6).
const ORIGIN_PATTERNS: [&str; 4] = ["*", "https://*", "http://*", "null"];

/// Runs the HTTP API rules over every HTTP API of `stack`.
pub fn check(stack: &Stack, sources: &Sources, findings: &mut Vec<Finding>) {
    for api in &stack.http_apis {
        authorizer_catches_preflight(api, sources, findings);
        let Some(cors) = &api.cors else {
            continue;
        };
        let at = api
            .cors_location
            .clone()
            .unwrap_or_else(|| api.location.clone());
        for origin in &cors.allow_origins {
            if ORIGIN_PATTERNS.contains(&origin.as_str()) {
                continue;
            }
            let Some(serialized) = serialized_origin(origin) else {
                continue;
            };
            findings.push(Finding::new(
                &HTTP_CORS_ORIGIN_NOT_SERIALIZED,
                sources.locate_text(&at, origin).unwrap_or_else(|| at.clone()),
                format!(
                    "AllowOrigins entry `{origin}` has a path or trailing slash, but a browser's Origin header is only scheme://host[:port], so it never matches and requests from {serialized} are refused"
                ),
                format!("AllowOrigins:\n  - {serialized}"),
            ));
        }
        let allow_headers_at = sources
            .locate_key(&at, "AllowHeaders")
            .unwrap_or_else(|| at.clone());
        if cors.allow_headers.is_empty() {
            findings.push(Finding::new(
                &HTTP_CORS_NO_ALLOW_HEADERS,
                at.clone(),
                format!(
                    "CorsConfiguration of {} has no AllowHeaders, so its preflights allow no request header and the browser refuses any call that sends Content-Type: application/json or Authorization",
                    api.logical_id
                ),
                "AllowHeaders:\n  - content-type\n  - authorization",
            ));
        } else if cors.allow_headers.iter().any(|h| h == "*")
            && !cors
                .allow_headers
                .iter()
                .any(|h| h.eq_ignore_ascii_case("authorization"))
            && (sends_authorization(api) || cors.allow_credentials)
        {
            findings.push(Finding::new(
                &CORS_WILDCARD_ALLOW_HEADERS,
                allow_headers_at,
                format!(
                    "AllowHeaders '*' of {} does not cover Authorization in Firefox and Safari (Chromium lets it), which its callers send{}, so those preflights fail there",
                    api.logical_id,
                    if cors.allow_credentials { " (and '*' means nothing with AllowCredentials)" } else { "" }
                ),
                "AllowHeaders:\n  - content-type\n  - authorization",
            ));
        }
        if let Some(secs) = cors
            .max_age
            .and_then(|s| u64::try_from(s).ok())
            .filter(|s| *s > CHROMIUM_MAX_AGE_CAP.as_secs())
        {
            findings.push(max_age(
                sources
                    .locate_key(&at, "MaxAge")
                    .unwrap_or_else(|| at.clone()),
                secs,
                "MaxAge: 7200".to_owned(),
            ));
        }
    }
}

/// `scheme://host[:port]` of an origin written with something after the authority; `None`
/// when it is already serialized (or not a URL at all).
fn serialized_origin(origin: &str) -> Option<String> {
    let (scheme, rest) = origin.split_once("://")?;
    let (authority, _path) = rest.split_once('/')?;
    Some(format!("{scheme}://{authority}"))
}

/// Whether callers of this HTTP API send `Authorization` (JWT, a Lambda authorizer reading
/// it, IAM signatures).
fn sends_authorization(api: &HttpApi) -> bool {
    api.routes.iter().any(|r| match &r.authorization {
        HttpAuthorization::None => false,
        HttpAuthorization::AwsIam => true,
        HttpAuthorization::Jwt {
            identity_source, ..
        } => identity_source
            .to_ascii_lowercase()
            .contains("authorization"),
        HttpAuthorization::Lambda {
            identity_sources, ..
        } => identity_sources
            .iter()
            .any(|s| s.to_ascii_lowercase().contains("authorization")),
    })
}

/// `http-authorizer-catches-preflight` (spec 8.5): an OPTIONS request matching an authorized
/// `ANY` route or `$default` runs the authorizer, which refuses the token-less preflight —
/// unless an unauthenticated OPTIONS route for that path catches it first.
fn authorizer_catches_preflight(api: &HttpApi, sources: &Sources, findings: &mut Vec<Finding>) {
    for route in &api.routes {
        let path = match route.route_key.as_str() {
            "$default" => None,
            key => match key.strip_prefix("ANY ") {
                Some(path) => Some(path),
                None => continue,
            },
        };
        let Some(name) = authorizer(route) else {
            continue;
        };
        let open_options = api.routes.iter().any(|r| {
            r.authorization == HttpAuthorization::None
                && r.route_key
                    .strip_prefix("OPTIONS ")
                    .is_some_and(|p| p == "/{proxy+}" || Some(p) == path)
        });
        if open_options {
            continue;
        }
        let fix = if sources.is_sam() {
            format!(
                "# an unauthenticated route for every preflight, in a function's Events:\nPreflight:\n  Type: HttpApi\n  Properties:\n    ApiId: !Ref {}\n    Path: /{{proxy+}}\n    Method: OPTIONS\n    Auth:\n      Authorizer: NONE",
                api.logical_id
            )
        } else {
            format!(
                "PreflightRoute:\n  Type: AWS::ApiGatewayV2::Route\n  Properties:\n    ApiId: !Ref {}\n    RouteKey: OPTIONS /{{proxy+}}\n    AuthorizationType: NONE\n    Target: !Sub integrations/${{YourIntegration}}",
                api.logical_id
            )
        };
        findings.push(Finding::new(
            &HTTP_AUTHORIZER_CATCHES_PREFLIGHT,
            route.location.clone(),
            format!(
                "route `{}` of {} is protected by {name} and also receives OPTIONS preflights, which carry no token, so they get 401/403 instead of the CORS answer and the browser never sends the real request",
                route.route_key, api.logical_id
            ),
            fix,
        ));
    }
}

/// The name of the authorizer protecting `route`, if any.
fn authorizer(route: &HttpRoute) -> Option<String> {
    match &route.authorization {
        HttpAuthorization::None => None,
        HttpAuthorization::AwsIam => Some("AWS_IAM".to_owned()),
        HttpAuthorization::Jwt { name, .. } => Some(format!("JWT authorizer {name}")),
        HttpAuthorization::Lambda { name, .. } => Some(format!("Lambda authorizer {name}")),
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::{findings_of, ids};

    fn sam(cors: &str, auth: &str, path: &str) -> String {
        format!(
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  Api:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n{cors}{auth}  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: nodejs20.x\n      Handler: index.handler\n      InlineCode: \"exports.handler = async () => ({{}})\"\n      Events:\n        Any: {{Type: HttpApi, Properties: {{ApiId: !Ref Api, Path: {path}, Method: ANY}}}}\n"
        )
    }

    const GOOD: &str = "      CorsConfiguration:\n        AllowOrigins: [https://a.com]\n        AllowHeaders: [content-type]\n";

    #[test]
    fn a_complete_configuration_triggers_nothing() {
        assert!(findings_of(&sam(GOOD, "", "/items")).is_empty());
    }

    #[test]
    fn origin_with_trailing_slash_or_path() {
        for origin in ["https://a.com/", "https://a.com/app"] {
            let cors = GOOD.replace("https://a.com", origin);
            let f = findings_of(&sam(&cors, "", "/items"));
            assert_eq!(ids(&f), ["http-cors-origin-not-serialized"], "{origin}");
            assert_eq!((f[0].location.line, f[0].location.column), (7, 24));
            assert_eq!(f[0].fix, "AllowOrigins:\n  - https://a.com");
        }
    }

    #[test]
    fn no_allow_headers() {
        let cors = "      CorsConfiguration:\n        AllowOrigins: [https://a.com]\n";
        assert_eq!(
            ids(&findings_of(&sam(cors, "", "/items"))),
            ["http-cors-no-allow-headers"]
        );
    }

    const JWT: &str = "      Auth:\n        DefaultAuthorizer: Jwt\n        Authorizers:\n          Jwt:\n            IdentitySource: $request.header.Authorization\n            JwtConfiguration: {issuer: https://issuer.example, audience: [a]}\n";

    #[test]
    fn authorizer_on_any_route_catches_preflights() {
        let f = findings_of(&sam(GOOD, JWT, "\"/{proxy+}\""));
        assert_eq!(ids(&f), ["http-authorizer-catches-preflight"]);
        assert!(f[0].fix.contains("Method: OPTIONS"));
    }

    #[test]
    fn wildcard_headers_with_jwt() {
        let cors = "      CorsConfiguration:\n        AllowOrigins: [https://a.com]\n        AllowHeaders: ['*']\n";
        let template = sam(cors, JWT, "/items").replace("Method: ANY", "Method: GET");
        assert_eq!(
            ids(&findings_of(&template)),
            ["cors-wildcard-allow-headers"]
        );
        let without_auth = sam(cors, "", "/items");
        assert!(findings_of(&without_auth).is_empty());
    }

    #[test]
    fn max_age_above_firefox_cap() {
        let cors = format!("{GOOD}        MaxAge: 100000\n");
        let f = findings_of(&sam(&cors, "", "/items"));
        assert_eq!(ids(&f), ["cors-max-age-capped"]);
        assert!(f[0].message.contains("Firefox at 86400"));
    }
}
