//! Phase 3, **authorize**, its Lambda authorizers (spec 5.6, 9.1), shared by REST and HTTP
//! APIs: identity sources, the events AWS sends to `TOKEN` and `REQUEST` authorizers, and the
//! evaluation of the policy they return. The invocation itself runs in each pipeline's
//! authorize phase (`rest::authorize`, `http_api::authorize`), through the same `Invoke` as
//! proxy functions, so a local authorizer is a real process like on AWS.

use serde_json::{Map, Value};

use gatewise_model::{Authorizer, pseudo};

use crate::request::params::RequestView;

/// The first identity source the request lacks (missing or empty), if any: API Gateway
/// answers 401 without running the authorizer (spec 5.6). Sources other than request
/// headers and query parameters (`context.*`, `stageVariables.*`) are always present.
pub(crate) fn missing_identity<'a>(
    authorizer: &'a Authorizer,
    request: &RequestView<'_>,
) -> Option<&'a str> {
    authorizer
        .identity_sources
        .iter()
        .map(String::as_str)
        .find(|source| {
            if let Some(name) = source.strip_prefix("method.request.header.") {
                request.header(name).is_none_or(|v| v.is_empty())
            } else if let Some(name) = source.strip_prefix("method.request.querystring.") {
                request.query_param(name).is_none_or(|v| v.is_empty())
            } else {
                false
            }
        })
}

/// The token a `TOKEN` authorizer receives: the value of its (header) identity source.
pub(crate) fn token(authorizer: &Authorizer, request: &RequestView<'_>) -> String {
    authorizer
        .identity_sources
        .iter()
        .find_map(|s| s.strip_prefix("method.request.header."))
        .or(Some("Authorization"))
        .and_then(|name| request.header_text(name))
        .map(|v| v.into_owned())
        .unwrap_or_default()
}

/// `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path>`, the path
/// being the request's, without its leading slash.
pub(crate) fn method_arn(api_id: &str, stage: &str, method: &str, path: &str) -> String {
    format!(
        "arn:{}:execute-api:{}:{}:{api_id}/{stage}/{method}/{}",
        pseudo::PARTITION,
        pseudo::REGION,
        pseudo::ACCOUNT_ID,
        path.strip_prefix('/').unwrap_or(path)
    )
}

/// The `TOKEN` authorizer event.
pub(crate) fn token_event(token: &str, method_arn: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "type": "TOKEN",
        "authorizationToken": token,
        "methodArn": method_arn,
    }))
    .unwrap_or_default()
}

/// The `REQUEST` authorizer event, made from the payload 1.0 proxy event of the same
/// request: `type` and `methodArn` first, the request fields, no body.
pub(crate) fn request_event(proxy_event: &[u8], method_arn: &str) -> Vec<u8> {
    let mut event = Map::new();
    event.insert("type".into(), "REQUEST".into());
    event.insert("methodArn".into(), method_arn.into());
    if let Ok(Value::Object(proxy)) = serde_json::from_slice::<Value>(proxy_event) {
        for (key, value) in proxy {
            if key != "body" && key != "isBase64Encoded" {
                event.insert(key, value);
            }
        }
    }
    serde_json::to_vec(&event).unwrap_or_default()
}

/// What a successful authorization hands on.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Grant {
    /// `requestContext.authorizer` of the proxy event: `principalId` and the context keys.
    pub authorizer_context: Value,
    /// `usageIdentifierKey`, the API key when the API's key source is `AUTHORIZER`.
    pub usage_identifier_key: Option<String>,
}

/// What the authorizer's answer means.
#[derive(Debug, PartialEq)]
pub(crate) enum Verdict {
    Allow(Grant),
    /// A matching `Deny`, or no matching `Allow` (403).
    Deny {
        explicit: bool,
    },
    /// The output is not a usable authorizer response (500); the reason is for the log.
    Malformed(String),
}

/// Evaluates an authorizer's output for `method_arn`: an explicit `Deny` wins, then an
/// `Allow` for `execute-api:Invoke` on a matching resource; anything else denies.
pub(crate) fn evaluate(output: &[u8], method_arn: &str) -> Verdict {
    let Ok(Value::Object(output)) = serde_json::from_slice::<Value>(output) else {
        return Verdict::Malformed("the authorizer's output is not a JSON object".into());
    };
    let Some(principal_id) = output.get("principalId").and_then(Value::as_str) else {
        return Verdict::Malformed("the authorizer's output has no string principalId".into());
    };
    let Some(statements) = output
        .get("policyDocument")
        .and_then(|p| p.get("Statement"))
        .and_then(|s| match s {
            Value::Array(list) => Some(list.iter().collect::<Vec<_>>()),
            Value::Object(_) => Some(vec![s]),
            _ => None,
        })
    else {
        return Verdict::Malformed(
            "the authorizer's output has no policyDocument.Statement list".into(),
        );
    };
    let mut allowed = false;
    for statement in statements {
        let effect = statement
            .get("Effect")
            .and_then(Value::as_str)
            .unwrap_or("");
        let applies = strings(statement.get("Action"))
            .any(|a| wildcard_match(a, "execute-api:Invoke"))
            && strings(statement.get("Resource")).any(|r| wildcard_match(r, method_arn));
        if !applies {
            continue;
        }
        if effect.eq_ignore_ascii_case("Deny") {
            return Verdict::Deny { explicit: true };
        }
        allowed |= effect.eq_ignore_ascii_case("Allow");
    }
    if !allowed {
        return Verdict::Deny { explicit: false };
    }
    let mut context = Map::new();
    context.insert("principalId".into(), principal_id.into());
    match output.get("context") {
        None | Some(Value::Null) => {}
        Some(Value::Object(entries)) => {
            for (key, value) in entries {
                if value.is_object() || value.is_array() {
                    return Verdict::Malformed(format!(
                        "the authorizer's context value {key:?} is not a string, number or \
                         boolean (API Gateway refuses nested values)"
                    ));
                }
                context.insert(key.clone(), value.clone());
            }
        }
        Some(_) => return Verdict::Malformed("the authorizer's context is not an object".into()),
    }
    Verdict::Allow(Grant {
        authorizer_context: Value::Object(context),
        usage_identifier_key: output
            .get("usageIdentifierKey")
            .and_then(Value::as_str)
            .map(str::to_owned),
    })
}

/// A policy field that is a string or a list of strings.
fn strings(value: Option<&Value>) -> impl Iterator<Item = &str> {
    let (one, many) = match value {
        Some(Value::String(s)) => (Some(s.as_str()), None),
        Some(Value::Array(list)) => (None, Some(list.iter().filter_map(Value::as_str))),
        _ => (None, None),
    };
    one.into_iter().chain(many.into_iter().flatten())
}

/// IAM-style matching: `*` matches any run of characters, `?` one character; the rest
/// compares exactly.
pub(crate) fn wildcard_match(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            backtrack = Some((pi, ti));
            pi += 1;
        } else if let Some((star, matched)) = backtrack {
            pi = star + 1;
            ti = matched + 1;
            backtrack = Some((star, matched + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use http::{HeaderMap, HeaderValue};

    use super::*;
    use crate::test_support::authorizer;

    const ARN: &str = "arn:aws:execute-api:us-east-1:123456789012:abc/Prod/GET/items/42";

    #[test]
    fn rule_5_6_missing_or_empty_identity_sources() {
        let auth = authorizer(
            &[
                "method.request.header.Authorization",
                "method.request.querystring.token",
            ],
            None,
        );
        let mut headers = HeaderMap::new();
        let view = |headers: &HeaderMap, query: Option<&'static str>| {
            missing_identity(
                &auth,
                &RequestView {
                    headers,
                    query,
                    path_params: &[],
                },
            )
            .map(str::to_owned)
        };
        assert_eq!(
            view(&headers, Some("token=t")).as_deref(),
            Some("method.request.header.Authorization")
        );
        headers.insert("authorization", HeaderValue::from_static(""));
        assert_eq!(
            view(&headers, Some("token=t")).as_deref(),
            Some("method.request.header.Authorization")
        );
        headers.insert("authorization", HeaderValue::from_static("Bearer x"));
        assert_eq!(
            view(&headers, Some("token=")).as_deref(),
            Some("method.request.querystring.token")
        );
        assert_eq!(view(&headers, Some("token=t")), None);
    }

    #[test]
    fn method_arn_has_aws_shape() {
        assert_eq!(method_arn("abc", "Prod", "GET", "/items/42"), ARN);
        assert_eq!(
            method_arn("abc", "Prod", "OPTIONS", "/"),
            "arn:aws:execute-api:us-east-1:123456789012:abc/Prod/OPTIONS/"
        );
    }

    #[test]
    fn rule_5_6_policy_evaluation() {
        let policy = |effect: &str, resource: &str| {
            format!(
                r#"{{"principalId":"user-1","policyDocument":{{"Version":"2012-10-17","Statement":[{{"Action":"execute-api:Invoke","Effect":"{effect}","Resource":"{resource}"}}]}},"context":{{"tenant":"t1","n":1,"b":true}},"usageIdentifierKey":"key-1"}}"#
            )
        };
        let allow = evaluate(policy("Allow", ARN).as_bytes(), ARN);
        let Verdict::Allow(grant) = allow else {
            panic!("{allow:?}");
        };
        assert_eq!(
            grant.authorizer_context,
            serde_json::json!({"principalId": "user-1", "tenant": "t1", "n": 1, "b": true})
        );
        assert_eq!(grant.usage_identifier_key.as_deref(), Some("key-1"));
        let cases: &[(String, &str)] = &[
            (policy("Allow", "arn:aws:execute-api:us-east-1:*:abc/*/GET/*"), "allow"),
            (policy("Allow", "*"), "allow"),
            (policy("Deny", ARN), "deny explicit"),
            (policy("Deny", "*"), "deny explicit"),
            (policy("Allow", "arn:aws:execute-api:us-east-1:123456789012:abc/Prod/POST/*"), "deny"),
            (
                r#"{"principalId":"u","policyDocument":{"Statement":[{"Action":["execute-api:*"],"Effect":"Allow","Resource":["arn:other","*"]},{"Action":"execute-api:Invoke","Effect":"Deny","Resource":"*/GET/items/*"}]}}"#.into(),
                "deny explicit",
            ),
            (
                r#"{"principalId":"u","policyDocument":{"Statement":{"Action":"*","Effect":"Allow","Resource":"*"}}}"#.into(),
                "allow",
            ),
            (r#"{"principalId":"u","policyDocument":{"Statement":[]}}"#.into(), "deny"),
            (r#"{"policyDocument":{"Statement":[]}}"#.into(), "malformed"),
            (r#"{"principalId":"u"}"#.into(), "malformed"),
            ("garbage".into(), "malformed"),
            ("\"Allow\"".into(), "malformed"),
            (
                r#"{"principalId":"u","policyDocument":{"Statement":[{"Action":"*","Effect":"Allow","Resource":"*"}]},"context":{"nested":{"a":1}}}"#.into(),
                "malformed",
            ),
        ];
        for (output, want) in cases {
            let got = match evaluate(output.as_bytes(), ARN) {
                Verdict::Allow(_) => "allow",
                Verdict::Deny { explicit: true } => "deny explicit",
                Verdict::Deny { explicit: false } => "deny",
                Verdict::Malformed(_) => "malformed",
            };
            assert_eq!(got, *want, "{output}");
        }
    }

    #[test]
    fn wildcards() {
        let cases = [
            ("*", "anything", true),
            ("a*c", "abbbc", true),
            ("a*c", "abbbd", false),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("*/GET/*", "x/Prod/GET/items", true),
            ("exact", "exact", true),
            ("", "", true),
            ("", "x", false),
        ];
        for (pattern, text, want) in cases {
            assert_eq!(wildcard_match(pattern, text), want, "{pattern} {text}");
        }
    }

    #[test]
    fn authorizer_events() {
        let token: Value = serde_json::from_slice(&token_event("Bearer x", ARN)).expect("json");
        assert_eq!(
            token,
            serde_json::json!({"type": "TOKEN", "authorizationToken": "Bearer x", "methodArn": ARN})
        );
        let request: Value = serde_json::from_slice(&request_event(
            br#"{"resource":"/items/{id}","path":"/items/42","httpMethod":"GET","headers":{},"requestContext":{},"body":"b","isBase64Encoded":false}"#,
            ARN,
        ))
        .expect("json");
        let keys: Vec<&str> = request
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "type",
                "methodArn",
                "resource",
                "path",
                "httpMethod",
                "headers",
                "requestContext"
            ]
        );
    }
}
