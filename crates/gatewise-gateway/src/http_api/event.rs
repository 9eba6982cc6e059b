//! Phase 4a for HTTP APIs, **integrate**: the payload 2.0 event (spec 6.7-6.9), the
//! payload 1.0 event of HTTP API routes (spec 6.10, REST's shape from `rest::event`) and the
//! payload 2.0 event of Lambda authorizers.
//!
//! Own serde structs, keys in AWS's order, optional keys **omitted** rather than `null`
//! (6.7); header names lower-case, repeated headers and query parameters joined with `,`
//! (6.8). Serialized straight from borrowed request data.

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use indexmap::IndexMap;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use gatewise_model::{HttpApi, pseudo};

use crate::request::media_type::first_media_type;
use crate::request::query::decode_query;
use crate::rest::event::{
    self as payload_v1, BuiltEvent, DROPPED_REQUEST_HEADERS, EventIds, EventRequest, PathParameters,
};

/// Whether the `Cookie` headers, once split into `cookies`, are removed from `headers`
/// (spec 6.8, UNCONFIRMED: assumed, as the docs' example event shows no `cookie` header).
pub const COOKIES_REMOVED_FROM_HEADERS: bool = true;

/// Request bodies of these media types reach the function as text; any other body — one
/// without `Content-Type` included — is base64 with `isBase64Encoded: true`, and so is a
/// text body that is not UTF-8 (spec 6.11, UNCONFIRMED: HTTP APIs have no
/// `binaryMediaTypes`; form posts are widely reported to arrive base64-encoded, JSON as
/// text). `type/*` covers the subtype, `*/*+suffix` structured-syntax suffixes.
pub const V2_TEXT_MEDIA_TYPES: &[&str] = &[
    "text/*",
    "application/json",
    "application/javascript",
    "application/xml",
    "application/graphql",
    "*/*+json",
    "*/*+xml",
];

/// Which route of which HTTP API the request reached.
pub(crate) struct V2Target<'a> {
    pub api: &'a HttpApi,
    /// `GET /pets/{id}` or `$default`.
    pub route_key: &'a str,
    pub path_params: &'a [(&'a str, &'a str)],
    /// `requestContext.authorizer` (`{"jwt": …}`, `{"lambda": …}`), when one ran.
    pub authorizer: Option<&'a Value>,
}

/// Whether a request body of this `Content-Type` travels as text in HTTP API events.
fn is_text_media_type(content_type: Option<&str>) -> bool {
    let Some(media) = content_type.map(first_media_type).filter(|m| !m.is_empty()) else {
        return false;
    };
    let Some((kind, subtype)) = media.split_once('/') else {
        return false;
    };
    V2_TEXT_MEDIA_TYPES.iter().any(|pattern| {
        if let Some(suffix) = pattern.strip_prefix("*/*") {
            subtype.len().checked_sub(suffix.len()).is_some_and(|at| {
                subtype.is_char_boundary(at) && subtype[at..].eq_ignore_ascii_case(suffix)
            })
        } else if let Some(top) = pattern.strip_suffix("/*") {
            kind.eq_ignore_ascii_case(top)
        } else {
            media.eq_ignore_ascii_case(pattern)
        }
    })
}

/// The body as an HTTP API event carries it: `(text, isBase64Encoded)`, `None` when empty.
fn event_body<'a>(body: &'a [u8], content_type: Option<&str>) -> (Option<Cow<'a, str>>, bool) {
    if body.is_empty() {
        return (None, false);
    }
    if is_text_media_type(content_type)
        && let Ok(text) = std::str::from_utf8(body)
    {
        return (Some(Cow::Borrowed(text)), false);
    }
    (Some(Cow::Owned(STANDARD.encode(body))), true)
}

type Headers<'a> = IndexMap<Cow<'a, str>, Cow<'a, str>>;

/// `name → values joined with ','` (spec 6.8).
struct Joined<'s, 'a>(&'s IndexMap<Cow<'a, str>, Vec<Cow<'a, str>>>);

impl Serialize for Joined<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, JoinedValue(v))))
    }
}

struct JoinedValue<'s, 'a>(&'s [Cow<'a, str>]);

impl Serialize for JoinedValue<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            [one] => serializer.serialize_str(one),
            many => serializer.serialize_str(&many.join(",")),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EventV2<'s, 'a> {
    version: &'static str,
    route_key: &'a str,
    raw_path: &'s str,
    raw_query_string: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    cookies: &'s [Cow<'a, str>],
    headers: &'s Headers<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    query_string_parameters: Option<Joined<'s, 'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path_parameters: Option<PathParameters<'a>>,
    request_context: RequestContext<'s, 'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<Cow<'a, str>>,
    is_base64_encoded: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    stage_variables: Option<&'a IndexMap<String, String>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RequestContext<'s, 'a> {
    account_id: &'static str,
    api_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    authorizer: Option<&'a Value>,
    domain_name: &'s str,
    domain_prefix: &'s str,
    http: Http<'s, 'a>,
    request_id: &'a str,
    route_key: &'a str,
    stage: &'a str,
    time: String,
    time_epoch: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Http<'s, 'a> {
    method: &'a str,
    path: &'s str,
    protocol: &'static str,
    source_ip: String,
    user_agent: &'s str,
}

/// The request headers of a 2.0 event, with the ones API Gateway adds; the cookies split
/// out of `Cookie` (spec 6.8).
fn headers_and_cookies<'a>(
    request: &EventRequest<'a>,
    trace_id: &'a str,
) -> (Headers<'a>, Vec<Cow<'a, str>>) {
    let mut headers = Headers::with_capacity(request.headers.keys_len() + 4);
    let mut cookies = Vec::new();
    for name in request.headers.keys() {
        let lower = name.as_str();
        // The sample events show `content-length`, which REST events drop.
        if lower != "content-length" && DROPPED_REQUEST_HEADERS.contains(&lower) {
            continue;
        }
        let mut values = request
            .headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()));
        if name == http::header::COOKIE {
            for value in request.headers.get_all(name) {
                cookies.extend(
                    lossy(value.as_bytes())
                        .split(';')
                        .map(str::trim)
                        .filter(|c| !c.is_empty())
                        .map(|c| Cow::Owned(c.to_owned())),
                );
            }
            if COOKIES_REMOVED_FROM_HEADERS {
                continue;
            }
        }
        let joined = match (values.next(), values.next()) {
            (Some(one), None) => one,
            (Some(first), Some(second)) => {
                let mut all = format!("{first},{second}");
                for more in values {
                    all.push(',');
                    all.push_str(&more);
                }
                Cow::Owned(all)
            }
            (None, _) => continue,
        };
        headers.insert(Cow::Borrowed(lower), joined);
    }
    if !headers.contains_key("host")
        && let Some(authority) = request.authority
    {
        headers.insert(Cow::Borrowed("host"), Cow::Borrowed(authority));
    }
    let client_ip = request.client_ip.to_string();
    let forwarded = match headers.get("x-forwarded-for") {
        Some(earlier) => format!("{earlier}, {client_ip}"),
        None => client_ip,
    };
    headers.insert(Cow::Borrowed("x-forwarded-for"), Cow::Owned(forwarded));
    headers.insert(
        Cow::Borrowed("x-forwarded-port"),
        Cow::Owned(request.local_port.to_string()),
    );
    headers.insert(Cow::Borrowed("x-forwarded-proto"), Cow::Borrowed("http"));
    headers
        .entry(Cow::Borrowed("x-amzn-trace-id"))
        .or_insert(Cow::Borrowed(trace_id));
    (headers, cookies)
}

fn lossy(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

/// The raw path as the function sees it: with a named stage, API Gateway's URL carries the
/// stage as first segment, which `rawPath` keeps; gatewise serves at the root, so it is
/// put back for the function.
fn staged_path<'a>(api: &HttpApi, raw_path: &'a str) -> Cow<'a, str> {
    if api.stage == "$default" {
        Cow::Borrowed(raw_path)
    } else {
        Cow::Owned(format!("/{}{raw_path}", api.stage))
    }
}

/// Builds the payload 2.0 event for `request` reaching `target` (spec 6.7-6.9).
pub(crate) fn build_event_v2(
    request: &EventRequest<'_>,
    target: &V2Target<'_>,
    ids: &EventIds<'_>,
) -> BuiltEvent {
    let (headers, cookies) = headers_and_cookies(request, ids.new_trace_id);
    let trace_id = headers
        .get("x-amzn-trace-id")
        .map_or(ids.new_trace_id, |v| &**v)
        .to_owned();
    let raw_query = request
        .query
        .map(|q| q.split_once('#').map_or(q, |(q, _)| q))
        .unwrap_or("");
    let query = decode_query(raw_query);
    let domain_name = headers.get("host").map_or("localhost", |h| &**h);
    let domain_prefix = domain_name.split('.').next().unwrap_or(domain_name);
    let content_type = request
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let (body, is_base64_encoded) = event_body(request.body, content_type);
    let path = staged_path(target.api, request.raw_path);
    let event = EventV2 {
        version: "2.0",
        route_key: target.route_key,
        raw_path: &path,
        raw_query_string: raw_query,
        cookies: &cookies,
        headers: &headers,
        query_string_parameters: (!query.is_empty()).then_some(Joined(&query)),
        path_parameters: (!target.path_params.is_empty())
            .then_some(PathParameters(target.path_params)),
        request_context: RequestContext {
            account_id: pseudo::ACCOUNT_ID,
            api_id: &target.api.api_id,
            authorizer: target.authorizer,
            domain_name,
            domain_prefix,
            http: Http {
                method: request.method,
                path: &path,
                protocol: "HTTP/1.1",
                source_ip: request.client_ip.to_string(),
                user_agent: headers.get("user-agent").map_or("", |v| &**v),
            },
            request_id: ids.request_id,
            route_key: target.route_key,
            stage: &target.api.stage,
            time: ids.time.strftime("%d/%b/%Y:%H:%M:%S +0000").to_string(),
            time_epoch: ids.time.as_millisecond(),
        },
        body,
        is_base64_encoded,
        stage_variables: Some(&target.api.stage_variables).filter(|v| !v.is_empty()),
    };
    // Serializing borrowed strings and maps to a Vec cannot fail.
    let payload = serde_json::to_vec(&event).unwrap_or_default();
    BuiltEvent { payload, trace_id }
}

/// The route of an HTTP API a payload 1.0 event is for.
pub(crate) struct HttpV1Target<'a> {
    pub api: &'a HttpApi,
    /// The route's path template (`/pets/{id}`), or the request path for `$default`.
    pub resource: &'a str,
    pub path_params: &'a [(&'a str, &'a str)],
    pub authorizer: Option<&'a serde_json::Value>,
}

/// Builds the payload 1.0 event of an HTTP API route (spec 6.10): the REST shape with
/// `"version": "1.0"` first, lower-case header names, `resourceId: null`, no
/// `deploymentId`; the body is encoded by the HTTP API rule ([`event_body`], spec 6.11).
pub(crate) fn build_http_v1_event(
    request: &EventRequest<'_>,
    target: &HttpV1Target<'_>,
    ids: &EventIds<'_>,
) -> BuiltEvent {
    let (body, is_base64_encoded) = event_body(request.body, payload_v1::content_type(request));
    let context_path = if target.api.stage == "$default" {
        request.raw_path.to_owned()
    } else {
        format!("/{}{}", target.api.stage, request.raw_path)
    };
    payload_v1::build(
        request,
        payload_v1::Shape {
            version: Some("1.0"),
            resource: target.resource,
            resource_id: None,
            deployment_id: None,
            api_id: &target.api.api_id,
            stage: &target.api.stage,
            context_path,
            stage_variables: &target.api.stage_variables,
            path_params: target.path_params,
            authorizer: target.authorizer,
            body,
            is_base64_encoded,
            lower_case_names: true,
        },
        ids,
    )
}

/// The payload 2.0 event of a `REQUEST` Lambda authorizer, made from the request's 2.0
/// event: `version`, `type`, `routeArn`, `identitySource` (the values of the identity
/// sources), then the request fields without the body.
pub(crate) fn authorizer_event_v2(
    event: &[u8],
    route_arn: &str,
    identity_source: &[Cow<'_, str>],
) -> Vec<u8> {
    let mut out = Map::new();
    out.insert("version".into(), "2.0".into());
    out.insert("type".into(), "REQUEST".into());
    out.insert("routeArn".into(), route_arn.into());
    out.insert(
        "identitySource".into(),
        identity_source.iter().map(|s| Value::from(&**s)).collect(),
    );
    if let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(event) {
        for (key, value) in fields {
            if !matches!(key.as_str(), "version" | "body" | "isBase64Encoded") {
                out.insert(key, value);
            }
        }
    }
    serde_json::to_vec(&out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv4Addr};

    use http::HeaderMap;
    use jiff::Timestamp;

    use super::*;
    use crate::test_support::{header_map as headers, http_api};

    fn sample(name: &str) -> Value {
        let file = format!(
            "{}/../../tests/data/external/event-samples/aws-lambda-go/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
        serde_json::from_str(&text).expect("sample is JSON")
    }

    struct Case<'a> {
        method: &'a str,
        path: &'a str,
        query: Option<&'a str>,
        headers: HeaderMap,
        body: &'a [u8],
        route_key: &'a str,
        params: &'a [(&'a str, &'a str)],
        api: HttpApi,
    }

    fn build(case: &Case<'_>) -> (Value, BuiltEvent) {
        let built = build_event_v2(
            &EventRequest {
                method: case.method,
                raw_path: case.path,
                query: case.query,
                headers: &case.headers,
                raw_names: None,
                authority: None,
                body: case.body,
                client_ip: IpAddr::V4(Ipv4Addr::new(1, 2, 3, 4)),
                local_port: 443,
            },
            &V2Target {
                api: &case.api,
                route_key: case.route_key,
                path_params: case.params,
                authorizer: None,
            },
            &EventIds {
                request_id: "LV7fzho-PHcEJPw=",
                extended_request_id: "unused",
                new_trace_id: "Root=1-5e9f0c65-1de4d666d4dd26aced652b6c",
                time: Timestamp::from_millisecond(1_587_481_701_067).expect("time"),
            },
        );
        let value = serde_json::from_slice(&built.payload).expect("event is JSON");
        (value, built)
    }

    fn keys(value: &Value) -> Vec<&str> {
        value
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect()
    }

    /// The sample with a `$default` route and no authorizer: every field but
    /// `requestContext.authentication` (mutual TLS, which a local gateway has no client
    /// certificate for) and `x-forwarded-proto` (gatewise serves plain HTTP).
    #[test]
    fn rule_6_7_to_6_9_no_authorizer_sample() {
        let mut sample = sample("apigw-v2-request-no-authorizer.json");
        let mut api = http_api("Api", &["$default"], None);
        api.api_id = "aaaaaaaaaa".into();
        let (ours, _) = build(&Case {
            method: "GET",
            path: "/",
            query: None,
            headers: headers(&[
                ("accept", "*/*"),
                ("content-length", "0"),
                ("host", "aaaaaaaaaa.execute-api.us-west-2.amazonaws.com"),
                ("user-agent", "curl/7.58.0"),
                (
                    "x-amzn-trace-id",
                    "Root=1-5e9f0c65-1de4d666d4dd26aced652b6c",
                ),
            ]),
            body: b"",
            route_key: "$default",
            params: &[],
            api,
        });
        let context = sample["requestContext"].as_object_mut().expect("object");
        context.remove("authentication");
        sample["headers"]["x-forwarded-proto"] = "http".into();
        sample["requestContext"]["time"] = "21/Apr/2020:15:08:21 +0000".into();
        assert_eq!(ours, sample);
        assert_eq!(
            keys(&ours),
            [
                "version",
                "routeKey",
                "rawPath",
                "rawQueryString",
                "headers",
                "requestContext",
                "isBase64Encoded"
            ]
        );
        assert_eq!(
            keys(&ours["requestContext"]),
            [
                "accountId",
                "apiId",
                "domainName",
                "domainPrefix",
                "http",
                "requestId",
                "routeKey",
                "stage",
                "time",
                "timeEpoch"
            ]
        );
    }

    /// The IAM sample's request parts: cookies, joined query values, path parameters, stage
    /// variables, body — compared field by field (its header names are not lower-case and
    /// its context is hand-written, so those are not compared).
    #[test]
    fn rule_6_7_and_6_8_iam_sample_request_parts() {
        let sample = sample("apigw-v2-request-iam.json");
        let mut api = http_api("Api", &["$default"], None);
        api.stage_variables = [("stageVariable1", "value1"), ("stageVariable2", "value2")]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let (ours, _) = build(&Case {
            method: "GET",
            path: "/my/path",
            query: Some("parameter1=value1&parameter1=value2&parameter2=value"),
            headers: headers(&[
                ("Header1", "value1"),
                ("cookie", "cookie1; cookie2"),
                ("content-type", "application/json"),
            ]),
            body: b"{\r\n\t\"a\": 1\r\n}",
            route_key: "$default",
            params: &[("proxy", "hello/world")],
            api,
        });
        for key in [
            "version",
            "routeKey",
            "rawPath",
            "rawQueryString",
            "cookies",
            "queryStringParameters",
            "pathParameters",
            "stageVariables",
            "body",
            "isBase64Encoded",
        ] {
            assert_eq!(ours[key], sample[key], "{key}");
        }
        assert_eq!(ours["headers"]["header1"], "value1");
        const { assert!(COOKIES_REMOVED_FROM_HEADERS) };
        assert!(ours["headers"].get("cookie").is_none());
        assert_eq!(
            keys(&ours),
            [
                "version",
                "routeKey",
                "rawPath",
                "rawQueryString",
                "cookies",
                "headers",
                "queryStringParameters",
                "pathParameters",
                "requestContext",
                "body",
                "isBase64Encoded",
                "stageVariables"
            ]
        );
    }

    #[test]
    fn rule_6_8_repeated_headers_are_joined_and_names_lower_case() {
        let (ours, built) = build(&Case {
            method: "POST",
            path: "/a",
            query: Some("a=1&b=x+y&a=2#frag"),
            headers: headers(&[
                ("X-Dup", "1"),
                ("x-dup", "2"),
                ("Connection", "keep-alive"),
                ("X-Forwarded-For", "10.0.0.1"),
            ]),
            body: b"",
            route_key: "POST /a",
            params: &[],
            api: http_api("Api", &["POST /a"], None),
        });
        assert_eq!(ours["headers"]["x-dup"], "1,2");
        assert!(ours["headers"].get("connection").is_none());
        assert_eq!(ours["headers"]["x-forwarded-for"], "10.0.0.1, 1.2.3.4");
        assert_eq!(ours["rawQueryString"], "a=1&b=x+y&a=2");
        assert_eq!(ours["queryStringParameters"]["a"], "1,2");
        assert_eq!(ours["queryStringParameters"]["b"], "x y");
        assert_eq!(ours["requestContext"]["http"]["userAgent"], "");
        assert_eq!(ours["requestContext"]["domainName"], "localhost");
        for absent in ["cookies", "pathParameters", "body", "stageVariables"] {
            assert!(ours.get(absent).is_none(), "{absent}");
        }
        assert_eq!(built.trace_id, "Root=1-5e9f0c65-1de4d666d4dd26aced652b6c");
    }

    #[test]
    fn named_stage_is_part_of_raw_path() {
        let mut api = http_api("Api", &["GET /a"], None);
        api.stage = "dev".into();
        let (ours, _) = build(&Case {
            method: "GET",
            path: "/a",
            query: None,
            headers: HeaderMap::new(),
            body: b"",
            route_key: "GET /a",
            params: &[],
            api,
        });
        assert_eq!(ours["rawPath"], "/dev/a");
        assert_eq!(ours["requestContext"]["http"]["path"], "/dev/a");
        assert_eq!(ours["requestContext"]["stage"], "dev");
    }

    #[test]
    fn rule_6_11_non_text_bodies_are_base64() {
        let cases: &[(Option<&str>, &[u8], bool)] = &[
            (Some("application/json"), b"{}", false),
            (Some("application/json; charset=utf-8"), b"{}", false),
            (Some("text/plain"), b"hi", false),
            (Some("TEXT/CSV"), b"a,b", false),
            (Some("application/problem+json"), b"{}", false),
            (Some("application/atom+xml"), b"<a/>", false),
            (Some("application/x-www-form-urlencoded"), b"a=1", true),
            (Some("image/png"), b"\x89PNG", true),
            (None, b"hello", true),
            (Some("text/plain"), b"\xff\xfe", true),
            (Some("json"), b"{}", true),
        ];
        for (content_type, body, base64) in cases {
            let (text, encoded) = event_body(body, *content_type);
            assert_eq!(encoded, *base64, "{content_type:?}");
            let text = text.expect("body");
            if *base64 {
                assert_eq!(STANDARD.decode(text.as_bytes()).expect("base64"), *body);
            } else {
                assert_eq!(text.as_bytes(), *body);
            }
        }
        assert_eq!(event_body(b"", Some("text/plain")), (None, false));
    }

    #[test]
    fn authorizer_event_has_type_route_arn_and_identity_source_first() {
        let (_, built) = build(&Case {
            method: "GET",
            path: "/a",
            query: None,
            headers: headers(&[("authorization", "t")]),
            body: b"secret",
            route_key: "GET /a",
            params: &[],
            api: http_api("Api", &["GET /a"], None),
        });
        let event: Value = serde_json::from_slice(&authorizer_event_v2(
            &built.payload,
            "arn:x",
            &[Cow::Borrowed("t")],
        ))
        .expect("JSON");
        assert_eq!(
            &keys(&event)[..5],
            ["version", "type", "routeArn", "identitySource", "routeKey"]
        );
        assert_eq!(event["identitySource"], serde_json::json!(["t"]));
        assert!(event.get("body").is_none());
        assert_eq!(event["headers"]["authorization"], "t");
    }
}
