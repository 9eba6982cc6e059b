//! Phase 5 for HTTP APIs, **shape**: a function's output as an HTTP API turns it into the
//! client response (spec 7.9-7.11). Payload 2.0 is far more forgiving than REST: output
//! without `statusCode` is inferred as a 200 JSON response, unknown keys are ignored. Payload
//! 1.0 follows the REST rules ([`parse_proxy_response`]), except that every failure is a 500
//! (spec 5.10) and base64 bodies are always decoded.

use bytes::Bytes;
use http::{HeaderName, HeaderValue, StatusCode};
use serde_json::Value;

use base64::Engine as _;

use crate::rest::proxy_response::{
    LENIENT_BASE64, ProxyResponse, ProxyResponseError, REMAPPED_RESPONSE_HEADERS, base64_flag,
    body_text, header_text, kind, parse_proxy_response, status_code,
};

/// `content-type` of a payload 2.0 response with `statusCode` that sets none (spec 7.10,
/// fujiwara/ridge#9 [OBS], UNCONFIRMED).
pub const V2_DEFAULT_CONTENT_TYPE: &str = "text/plain; charset=utf-8";

/// Whether a function returning a bare JSON string (no `statusCode`) gets that string
/// without its quotes as the body, as the AWS docs show (spec 7.9, live behaviour
/// UNCONFIRMED). Other inferred outputs are sent as their JSON text.
pub const INFERRED_STRING_BODY_UNQUOTED: bool = true;

/// Why an output cannot become a response; only the log sees it, the client gets 500.
pub(crate) type ShapeError = String;

/// Parses a payload 2.0 output (spec 7.9, 7.10).
pub(crate) fn parse_v2_response(output: &Bytes) -> Result<ProxyResponse, ShapeError> {
    let value: Value = serde_json::from_slice(output)
        .map_err(|e| format!("the output is not valid JSON ({e})"))?;
    match value {
        Value::Object(object) if object.contains_key("statusCode") => explicit(object),
        inferred => {
            let body = match inferred {
                Value::String(text) if INFERRED_STRING_BODY_UNQUOTED => Bytes::from(text),
                _ => output.clone(),
            };
            Ok(ProxyResponse {
                status: StatusCode::OK,
                headers: vec![(
                    "content-type".to_owned(),
                    HeaderValue::from_static("application/json"),
                )],
                body,
            })
        }
    }
}

fn explicit(mut object: serde_json::Map<String, Value>) -> Result<ProxyResponse, ShapeError> {
    let status = match object.get("statusCode") {
        Some(value) => status_code(value).map_err(reason)?,
        None => StatusCode::OK,
    };
    let mut headers = Vec::new();
    match object.get("headers") {
        None | Some(Value::Null) => {}
        Some(Value::Object(map)) => {
            for (name, value) in map {
                if let Some(text) = header_text(name, value, "headers").map_err(reason)? {
                    headers.push(checked(name, &text)?);
                }
            }
        }
        Some(other) => return Err(format!("headers is {}; it must be an object", kind(other))),
    }
    match object.get("cookies") {
        None | Some(Value::Null) => {}
        Some(Value::Array(cookies)) => {
            for cookie in cookies {
                let Value::String(cookie) = cookie else {
                    return Err(format!("a cookie is {}; cookies are strings", kind(cookie)));
                };
                headers.push(checked("set-cookie", cookie)?);
            }
        }
        Some(other) => return Err(format!("cookies is {}; it must be an array", kind(other))),
    }
    if !headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
    {
        headers.push((
            "content-type".to_owned(),
            HeaderValue::from_static(V2_DEFAULT_CONTENT_TYPE),
        ));
    }
    let base64 = base64_flag(&object)?;
    let body = body_text(&mut object)?;
    // Spec 7.10: decoded whatever the media types (HTTP APIs have no binaryMediaTypes).
    let body = if base64 {
        Bytes::from(LENIENT_BASE64.decode(body.trim_ascii()).map_err(|e| {
            format!("isBase64Encoded is true but the body is not valid base64 ({e})")
        })?)
    } else {
        Bytes::from(body)
    };
    Ok(ProxyResponse {
        status,
        headers,
        body,
    })
}

/// A header the function set, with connection-level names remapped as for REST (spec 7.6,
/// UNCONFIRMED for HTTP APIs) so they cannot corrupt the framing.
fn checked(name: &str, value: &str) -> Result<(String, HeaderValue), ShapeError> {
    let name = match REMAPPED_RESPONSE_HEADERS
        .iter()
        .find(|r| r.eq_ignore_ascii_case(name))
    {
        Some(remapped) => format!("x-amzn-Remapped-{remapped}"),
        None => name.to_owned(),
    };
    if HeaderName::from_bytes(name.as_bytes()).is_err() {
        return Err(format!("'{name}' is not a valid HTTP header name"));
    }
    let value = HeaderValue::from_str(value).map_err(|_| {
        format!(
            "the value of header '{name}' contains characters HTTP does not allow (such as a \
             line break)"
        )
    })?;
    Ok((name, value))
}

fn reason(error: ProxyResponseError) -> ShapeError {
    match error {
        ProxyResponseError::Malformed(reason) | ProxyResponseError::InvalidBase64(reason) => reason,
    }
}

/// Parses a payload 1.0 output of an HTTP API route: the REST rules (spec 6.10, 7.1-7.7),
/// with `isBase64Encoded` bodies always decoded (every media type counts as binary).
pub(crate) fn parse_v1_response(output: &[u8]) -> Result<ProxyResponse, ShapeError> {
    // `*/*` in the list matches any concrete media type (spec 7.8).
    let every_type = ["*/*".to_owned()];
    parse_proxy_response(output, Some("application/octet-stream"), &every_type).map_err(reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Status, header lines, body.
    type Shaped = (u16, Vec<(String, String)>, String);

    fn shaped(output: &str) -> Result<Shaped, ShapeError> {
        parse_v2_response(&Bytes::copy_from_slice(output.as_bytes())).map(|r| {
            (
                r.status.as_u16(),
                r.headers
                    .iter()
                    .map(|(n, v)| (n.clone(), v.to_str().expect("ascii").to_owned()))
                    .collect(),
                String::from_utf8(r.body.to_vec()).expect("utf-8"),
            )
        })
    }

    fn headers(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    const JSON: &[(&str, &str)] = &[("content-type", "application/json")];

    #[test]
    fn rule_7_9_output_without_status_code_is_inferred() {
        let cases: &[(&str, &str)] = &[
            (r#"{"state":"ok"}"#, r#"{"state":"ok"}"#),
            (
                r#"{"body":"x","headers":{}}"#,
                r#"{"body":"x","headers":{}}"#,
            ),
            ("[1,2]", "[1,2]"),
            ("42", "42"),
            ("null", "null"),
            ("true", "true"),
        ];
        for (output, body) in cases {
            assert_eq!(
                shaped(output),
                Ok((200, headers(JSON), (*body).to_owned())),
                "{output}"
            );
        }
    }

    #[test]
    fn rule_7_9_a_bare_string_is_the_body_without_quotes() {
        const { assert!(INFERRED_STRING_BODY_UNQUOTED) };
        assert_eq!(
            shaped(r#""Hello from Lambda!""#),
            Ok((200, headers(JSON), "Hello from Lambda!".to_owned()))
        );
    }

    #[test]
    fn rule_7_10_status_code_headers_body_and_cookies() {
        let output = r#"{"statusCode":201,"headers":{"X-A":"1","x-n":5,"x-null":null},
            "cookies":["a=1; Secure","b=2"],"body":"made","multiValueHeaders":{"x-m":["1"]},
            "unknown":true}"#;
        assert_eq!(
            shaped(output),
            Ok((
                201,
                headers(&[
                    ("X-A", "1"),
                    ("x-n", "5"),
                    ("set-cookie", "a=1; Secure"),
                    ("set-cookie", "b=2"),
                    ("content-type", V2_DEFAULT_CONTENT_TYPE),
                ]),
                "made".to_owned()
            ))
        );
        assert_eq!(
            shaped(r#"{"statusCode":200,"headers":{"Content-Type":"text/html"}}"#),
            Ok((
                200,
                headers(&[("Content-Type", "text/html")]),
                String::new()
            ))
        );
    }

    #[test]
    fn rule_7_10_default_content_type_is_text_plain() {
        assert_eq!(V2_DEFAULT_CONTENT_TYPE, "text/plain; charset=utf-8");
        assert_eq!(
            shaped(r#"{"statusCode":204}"#),
            Ok((
                204,
                headers(&[("content-type", V2_DEFAULT_CONTENT_TYPE)]),
                String::new()
            ))
        );
    }

    #[test]
    fn rule_7_10_base64_bodies_are_decoded() {
        let (_, _, body) =
            shaped(r#"{"statusCode":200,"body":"aGk=","isBase64Encoded":true}"#).expect("ok");
        assert_eq!(body, "hi");
    }

    #[test]
    fn rule_7_11_unusable_outputs_fail() {
        for output in [
            "not json",
            "",
            r#"{"statusCode":"abc"}"#,
            r#"{"statusCode":99}"#,
            r#"{"statusCode":200,"headers":"x"}"#,
            r#"{"statusCode":200,"headers":{"a":[1]}}"#,
            r#"{"statusCode":200,"cookies":"a=1"}"#,
            r#"{"statusCode":200,"cookies":[1]}"#,
            r#"{"statusCode":200,"body":"%%%","isBase64Encoded":true}"#,
            r#"{"statusCode":200,"isBase64Encoded":"yes"}"#,
            r#"{"statusCode":200,"body":{"a":1}}"#,
            r#"{"statusCode":200,"headers":{"bad name":"x"}}"#,
        ] {
            assert!(shaped(output).is_err(), "{output}");
        }
    }

    #[test]
    fn rule_6_10_payload_1_0_follows_rest_and_decodes_base64() {
        let response =
            parse_v1_response(br#"{"statusCode":200,"body":"aGk=","isBase64Encoded":true}"#)
                .expect("ok");
        assert_eq!(&response.body[..], b"hi");
        assert!(parse_v1_response(br#"{"statusCode":200,"wrongValue":1}"#).is_err());
        let response = parse_v1_response(b"{}").expect("ok");
        assert_eq!(response.status, 200);
        assert_eq!(response.headers[0].0, "Content-Type");
    }
}
