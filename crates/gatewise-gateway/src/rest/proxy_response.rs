//! Phase 5, **shape**: turns a function's output into the client response exactly as API
//! Gateway does for REST `AWS_PROXY` (spec 7.1-7.8). A pure function of the output bytes,
//! the request's `Accept` header and the API's `binaryMediaTypes`; every way to fail carries
//! the reason for the log, while the client only ever sees the gateway error (spec 5.2, 5.3).

use bytes::Bytes;
use http::{HeaderName, HeaderValue, StatusCode};
use serde_json::{Map, Value};

use base64::Engine as _;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};

use crate::request::media_type::{first_media_type, is_binary};

/// What a `null` value in `headers` does (spec 7.3, UNCONFIRMED on AWS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NullHeaderValue {
    /// The header is left out; `"Content-Type": null` also suppresses the default
    /// `Content-Type` (aws/aws-sam-cli#1218, an observation of live AWS).
    Omit,
    /// The whole response is malformed (LocalStack's reading).
    Malformed,
}

/// Chosen: follow the observation of live AWS over LocalStack's opinion (spec 7.3).
pub const NULL_HEADER_VALUE: NullHeaderValue = NullHeaderValue::Omit;

/// What a `body` that is neither a string nor `null` does (spec 7.7, UNCONFIRMED on AWS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonStringBody {
    /// The response is malformed (502): API Gateway's model types `body` as a string.
    Malformed,
    /// The value's JSON text becomes the body (what several local emulators do).
    JsonText,
}

/// Chosen: malformed, so a function that returns `body: {..}` fails here as it would when
/// its model says string — better a loud local 502 than a surprise after deploying (7.7).
pub const NON_STRING_BODY: NonStringBody = NonStringBody::Malformed;

/// Response headers a proxy function may not set on the wire as is: they describe the
/// connection or message, which the gateway owns. They are renamed to
/// `x-amzn-Remapped-<name>` as LocalStack does (spec 7.6; confirmed on AWS for non-proxy
/// integrations, UNCONFIRMED for `AWS_PROXY`). `Transfer-Encoding` is added because passing
/// it through would corrupt the framing.
pub const REMAPPED_RESPONSE_HEADERS: &[&str] = &[
    "Connection",
    "Content-Length",
    "Date",
    "Server",
    "Transfer-Encoding",
];

const ALLOWED_KEYS: &str = "statusCode, headers, multiValueHeaders, body, isBase64Encoded";

/// Base64 as a JVM decoder reads it: padding optional.
pub(crate) const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// A well-formed proxy response, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProxyResponse {
    pub status: StatusCode,
    /// Names in the function's casing (hyper lower-cases them on the wire), values in
    /// order; a name appears once per value (spec 7.4).
    pub headers: Vec<(String, HeaderValue)>,
    pub body: Bytes,
}

/// Why a function's output cannot become a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ProxyResponseError {
    /// Spec 7.1-7.7: 502 `Internal server error`; the text says what is wrong.
    Malformed(String),
    /// Spec 7.8 + 5.3: `isBase64Encoded` with a body that is not base64 → 500.
    InvalidBase64(String),
}

fn malformed<T>(reason: impl Into<String>) -> Result<T, ProxyResponseError> {
    Err(ProxyResponseError::Malformed(reason.into()))
}

pub(crate) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A header value as API Gateway's string map reads it: strings as is, booleans and
/// numbers as their JSON text (spec 7.3); `None` for `null`.
pub(crate) fn header_text(
    name: &str,
    value: &Value,
    field: &str,
) -> Result<Option<String>, ProxyResponseError> {
    match value {
        Value::String(s) => Ok(Some(s.clone())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Null => Ok(None),
        other => malformed(format!(
            "{field} '{name}' is {}; header values must be strings",
            kind(other)
        )),
    }
}

/// `isBase64Encoded` of a proxy response (payload 1.0 and 2.0): absent or null is false;
/// anything but a boolean is malformed.
pub(crate) fn base64_flag(object: &Map<String, Value>) -> Result<bool, String> {
    match object.get("isBase64Encoded") {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(format!(
            "isBase64Encoded is {}; it must be a boolean",
            kind(other)
        )),
    }
}

/// `body` of a proxy response (payload 1.0 and 2.0): a string, or absent/null for empty;
/// anything else per [`NON_STRING_BODY`] (spec 7.7).
pub(crate) fn body_text(object: &mut Map<String, Value>) -> Result<String, String> {
    match object.remove("body") {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s),
        Some(other) => match NON_STRING_BODY {
            NonStringBody::Malformed => {
                Err(format!("body is {}; it must be a string", kind(&other)))
            }
            NonStringBody::JsonText => Ok(other.to_string()),
        },
    }
}

/// Parses a function's output (spec 7.1-7.8).
///
/// `accept` is the request's `Accept` header: a base64 body is decoded only when its first
/// media type matches `binary_media_types` (7.8); otherwise the base64 text is the body.
pub(crate) fn parse_proxy_response(
    output: &[u8],
    accept: Option<&str>,
    binary_media_types: &[String],
) -> Result<ProxyResponse, ProxyResponseError> {
    let value: Value = match serde_json::from_slice(output) {
        Ok(value) => value,
        Err(e) => return malformed(format!("the output is not valid JSON ({e})")),
    };
    let Value::Object(mut object) = value else {
        return malformed(format!("the output is {}, not a JSON object", kind(&value)));
    };
    if let Some(key) = object
        .keys()
        .find(|k| !ALLOWED_KEYS.split(", ").any(|a| a == *k))
    {
        return malformed(format!(
            "key '{key}' is not allowed (Lambda proxy responses may only have {ALLOWED_KEYS})"
        ));
    }

    let status = match object.get("statusCode") {
        None | Some(Value::Null) => StatusCode::OK,
        Some(value) => status_code(value)?,
    };

    let mut headers: Vec<(String, String)> = Vec::new();
    let mut suppress_content_type = false;
    if let Some(multi) = object.get("multiValueHeaders") {
        for (name, values) in as_object(multi, "multiValueHeaders")?.into_iter().flatten() {
            let Value::Array(values) = values else {
                return malformed(format!(
                    "multiValueHeaders '{name}' is {}; each value must be an array of strings",
                    kind(values)
                ));
            };
            for value in values {
                if let Some(text) = header_text(name, value, "multiValueHeaders")? {
                    headers.push((name.clone(), text));
                }
            }
        }
    }
    if let Some(single) = object.get("headers") {
        for (name, value) in as_object(single, "headers")?.into_iter().flatten() {
            match header_text(name, value, "headers")? {
                // Spec 7.4: merged after the multi values, casing of multiValueHeaders wins,
                // an identical pair appears once.
                Some(text) => {
                    let cased = headers
                        .iter()
                        .find(|(n, _)| n.eq_ignore_ascii_case(name))
                        .map(|(n, _)| n.clone());
                    let duplicate = headers
                        .iter()
                        .any(|(n, v)| n.eq_ignore_ascii_case(name) && *v == text);
                    if !duplicate {
                        headers.push((cased.unwrap_or_else(|| name.clone()), text));
                    }
                }
                None => match NULL_HEADER_VALUE {
                    NullHeaderValue::Omit => {
                        suppress_content_type |= name.eq_ignore_ascii_case("content-type");
                    }
                    NullHeaderValue::Malformed => {
                        return malformed(format!("headers '{name}' is null"));
                    }
                },
            }
        }
    }
    // Spec 7.5.
    if !suppress_content_type
        && !headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
    {
        headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
    }

    let base64 = base64_flag(&object).map_err(ProxyResponseError::Malformed)?;
    let body = body_text(&mut object).map_err(ProxyResponseError::Malformed)?;
    let decode =
        base64 && accept.is_some_and(|a| is_binary(first_media_type(a), binary_media_types));
    let body = if decode {
        match LENIENT_BASE64.decode(body.trim_ascii()) {
            Ok(bytes) => Bytes::from(bytes),
            Err(e) => {
                return Err(ProxyResponseError::InvalidBase64(format!(
                    "isBase64Encoded is true but the body is not valid base64 ({e})"
                )));
            }
        }
    } else {
        Bytes::from(body)
    };

    let mut checked = Vec::with_capacity(headers.len());
    for (name, value) in headers {
        let name = match REMAPPED_RESPONSE_HEADERS
            .iter()
            .find(|r| r.eq_ignore_ascii_case(&name))
        {
            Some(remapped) => format!("x-amzn-Remapped-{remapped}"),
            None => name,
        };
        if HeaderName::from_bytes(name.as_bytes()).is_err() {
            return malformed(format!("'{name}' is not a valid HTTP header name"));
        }
        let Ok(value) = HeaderValue::from_bytes(value.as_bytes()) else {
            return malformed(format!(
                "the value of header '{name}' contains characters HTTP does not allow (such as a line break)"
            ));
        };
        checked.push((name, value));
    }
    Ok(ProxyResponse {
        status,
        headers: checked,
        body,
    })
}

/// A header map, or `None` for `null` (spec 7.3: `headers: null` is fine).
fn as_object<'v>(
    value: &'v Value,
    field: &str,
) -> Result<Option<&'v Map<String, Value>>, ProxyResponseError> {
    match value {
        Value::Object(map) => Ok(Some(map)),
        Value::Null => Ok(None),
        other => malformed(format!("{field} is {}; it must be an object", kind(other))),
    }
}

/// Spec 7.2: an integer or a numeric string. Statuses outside 200-599 are refused: a 1xx
/// cannot be a final HTTP response.
pub(crate) fn status_code(value: &Value) -> Result<StatusCode, ProxyResponseError> {
    let number = match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse::<u64>().ok(),
        _ => None,
    };
    match number
        .filter(|n| (200..=599).contains(n))
        .and_then(|n| StatusCode::from_u16(n as u16).ok())
    {
        Some(status) => Ok(status),
        None => malformed(format!(
            "statusCode {value} is not an HTTP status code (200-599)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    /// What a case should produce: status, headers in order (name as the function cased
    /// it), body; or a failure.
    enum Want {
        Ok(u16, &'static [(&'static str, &'static str)], &'static [u8]),
        Malformed(&'static str),
        InvalidBase64,
    }

    const JSON: (&str, &str) = ("Content-Type", "application/json");

    fn run(
        output: &[u8],
        accept: Option<&str>,
        binary: &[&str],
    ) -> Result<ProxyResponse, ProxyResponseError> {
        let binary: Vec<String> = binary.iter().map(|s| s.to_string()).collect();
        parse_proxy_response(output, accept, &binary)
    }

    fn check(name: &str, output: &[u8], accept: Option<&str>, binary: &[&str], want: &Want) {
        let got = run(output, accept, binary);
        match (want, &got) {
            (Want::Ok(status, headers, body), Ok(response)) => {
                assert_eq!(response.status.as_u16(), *status, "{name}");
                let got_headers: Vec<(&str, &str)> = response
                    .headers
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.to_str().unwrap_or("<bytes>")))
                    .collect();
                assert_eq!(got_headers, *headers, "{name}");
                assert_eq!(&response.body[..], *body, "{name}");
            }
            (Want::Malformed(needle), Err(ProxyResponseError::Malformed(reason))) => {
                assert!(
                    reason.contains(needle),
                    "{name}: {reason:?} lacks {needle:?}"
                );
            }
            (Want::InvalidBase64, Err(ProxyResponseError::InvalidBase64(_))) => {}
            _ => panic!("{name}: unexpected {got:?}"),
        }
    }

    /// The function outputs of LocalStack's `test_aws_proxy_response_payload_format_validation`
    /// (its Lambda returns the JSON the test posts), with what AWS answered.
    fn recorded_cases() -> Vec<(&'static str, Value, Want)> {
        vec![
            (
                "invoke-api-no-body",
                json!({"statusCode": 200}),
                Want::Ok(200, &[JSON], b""),
            ),
            (
                "invoke-api-with-headers",
                json!({"statusCode": 200, "headers": {"test-header": "value", "header-bool": true}}),
                Want::Ok(
                    200,
                    &[("test-header", "value"), ("header-bool", "true"), JSON],
                    b"",
                ),
            ),
            (
                "invoke-api-with-headers-null",
                json!({"statusCode": 200, "headers": null}),
                Want::Ok(200, &[JSON], b""),
            ),
            (
                "invoke-api-wrong-format",
                json!({"statusCode": 200, "wrongValue": "value"}),
                Want::Malformed("key 'wrongValue' is not allowed"),
            ),
            (
                "invoke-api-b64-encoded-true",
                json!({"statusCode": 200, "body": "dGVzdC1kYXRh", "isBase64Encoded": true}),
                Want::Ok(200, &[JSON], b"dGVzdC1kYXRh"),
            ),
            (
                "invoke-api-b64-encoded-false",
                json!({"statusCode": 200, "body": "dGVzdC1kYXRh"}),
                Want::Ok(200, &[JSON], b"dGVzdC1kYXRh"),
            ),
            (
                "invoke-api-multi-headers-valid",
                json!({"statusCode": 200, "multiValueHeaders": {"test-multi": ["value1", "value2"]}}),
                Want::Ok(
                    200,
                    &[("test-multi", "value1"), ("test-multi", "value2"), JSON],
                    b"",
                ),
            ),
            (
                "invoke-api-multi-headers-overwrite",
                json!({"statusCode": 200, "multiValueHeaders": {"test-multi": ["value-multi"]},
                       "headers": {"test-multi": "value-solo"}}),
                Want::Ok(
                    200,
                    &[
                        ("test-multi", "value-multi"),
                        ("test-multi", "value-solo"),
                        JSON,
                    ],
                    b"",
                ),
            ),
            (
                "invoke-api-multi-headers-overwrite-casing",
                json!({"statusCode": 200, "multiValueHeaders": {"tesT-Multi": ["value-multi"]},
                       "headers": {"test-multi": "value-solo"}}),
                Want::Ok(
                    200,
                    &[
                        ("tesT-Multi", "value-multi"),
                        ("tesT-Multi", "value-solo"),
                        JSON,
                    ],
                    b"",
                ),
            ),
            (
                "invoke-api-multi-headers-invalid",
                json!({"statusCode": 200, "multiValueHeaders": {"test-multi-invalid": "value1"}}),
                Want::Malformed("multiValueHeaders 'test-multi-invalid' is a string"),
            ),
            (
                "invoke-api-invalid-status-code",
                json!({"statusCode": "test"}),
                Want::Malformed("statusCode \"test\""),
            ),
            (
                "invoke-api-status-code-str",
                json!({"statusCode": "201"}),
                Want::Ok(201, &[JSON], b""),
            ),
            (
                "invoke-api-just-string",
                json!("justAString"),
                Want::Malformed("is a string, not a JSON object"),
            ),
            (
                "invoke-api-only-headers",
                json!({"headers": {"test-header": "value"}}),
                Want::Ok(200, &[("test-header", "value"), JSON], b""),
            ),
        ]
    }

    #[test]
    fn rule_7_1_to_7_8_recorded_aws_cases() {
        for (name, output, want) in recorded_cases() {
            check(name, output.to_string().as_bytes(), None, &[], &want);
        }
    }

    /// Cross-checks [`recorded_cases`] against the recorded responses, where present: the
    /// body, and every header the function set (folded the way the client saw it).
    #[test]
    fn rule_7_recorded_cases_agree_with_the_snapshot_file() {
        let file = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/data/external/localstack/snapshots/test_apigateway_lambda.snapshot.json"
        );
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{file}: {e}"));
        let snapshot: Value = serde_json::from_str(&text).expect("snapshot is JSON");
        let recorded = &snapshot["tests/aws/services/apigateway/test_apigateway_lambda.py::test_aws_proxy_response_payload_format_validation"]
            ["recorded-content"];
        const GATEWAY_OR_EDGE: &[&str] = &[
            "Connection",
            "Content-Length",
            "Date",
            "Via",
            "X-Amz-Cf-Id",
            "X-Amz-Cf-Pop",
            "X-Amzn-Trace-Id",
            "X-Cache",
            "x-amz-apigw-id",
            "x-amzn-RequestId",
        ];
        for (name, output, _) in recorded_cases() {
            let case = &recorded[name];
            assert!(case.is_object(), "{name} is not in the snapshot");
            let got = run(output.to_string().as_bytes(), None, &[]);
            match (&case["content"], &got) {
                (Value::Object(error), Err(ProxyResponseError::Malformed(_))) => {
                    assert_eq!(error["message"], "Internal server error", "{name}");
                }
                (Value::String(body), Ok(response)) => {
                    assert_eq!(body.as_bytes(), &response.body[..], "{name}");
                }
                (content, got) => panic!("{name}: recorded {content}, ours {got:?}"),
            }
            let (Some(headers), Ok(response)) = (case["headers"].as_object(), &got) else {
                continue;
            };
            let mut ours: Vec<(String, String)> = Vec::new();
            for (n, v) in &response.headers {
                let v = v.to_str().unwrap_or_default();
                match ours.iter_mut().find(|(o, _)| o.eq_ignore_ascii_case(n)) {
                    Some((_, folded)) => *folded = format!("{folded}, {v}"),
                    None => ours.push((n.clone(), v.to_owned())),
                }
            }
            let mut want: Vec<(String, String)> = headers
                .iter()
                .filter(|(n, _)| !GATEWAY_OR_EDGE.contains(&n.as_str()))
                .map(|(n, v)| (n.clone(), v.as_str().unwrap_or_default().to_owned()))
                .collect();
            want.sort();
            ours.sort();
            assert_eq!(ours, want, "{name}");
        }
    }

    #[test]
    fn rule_7_1_output_must_be_a_json_object_with_known_keys() {
        let cases: &[(&str, &[u8], Want)] = &[
            ("empty object", b"{}", Want::Ok(200, &[JSON], b"")),
            (
                "invalid JSON",
                b"{\"statusCode\":",
                Want::Malformed("not valid JSON"),
            ),
            ("empty output", b"", Want::Malformed("not valid JSON")),
            ("array", b"[1]", Want::Malformed("is an array")),
            ("null", b"null", Want::Malformed("is null")),
            ("number", b"200", Want::Malformed("is a number")),
            (
                "camel-case typo",
                b"{\"StatusCode\":200}",
                Want::Malformed("key 'StatusCode'"),
            ),
        ];
        for (name, output, want) in cases {
            check(name, output, None, &[], want);
        }
    }

    #[test]
    fn rule_7_2_status_code() {
        let cases: &[(&str, &[u8], Want)] = &[
            (
                "integer",
                b"{\"statusCode\":404}",
                Want::Ok(404, &[JSON], b""),
            ),
            (
                "numeric string",
                b"{\"statusCode\":\"503\"}",
                Want::Ok(503, &[JSON], b""),
            ),
            (
                "null means absent",
                b"{\"statusCode\":null}",
                Want::Ok(200, &[JSON], b""),
            ),
            (
                "float",
                b"{\"statusCode\":200.5}",
                Want::Malformed("statusCode 200.5"),
            ),
            (
                "negative",
                b"{\"statusCode\":-1}",
                Want::Malformed("statusCode -1"),
            ),
            (
                "informational",
                b"{\"statusCode\":101}",
                Want::Malformed("statusCode 101"),
            ),
            (
                "too large",
                b"{\"statusCode\":1000}",
                Want::Malformed("statusCode 1000"),
            ),
            (
                "huge",
                b"{\"statusCode\":18446744073709551616}",
                Want::Malformed("statusCode"),
            ),
            (
                "boolean",
                b"{\"statusCode\":true}",
                Want::Malformed("statusCode true"),
            ),
            (
                "padded string",
                b"{\"statusCode\":\" 200\"}",
                Want::Malformed("statusCode"),
            ),
        ];
        for (name, output, want) in cases {
            check(name, output, None, &[], want);
        }
    }

    #[test]
    fn rule_7_3_header_values() {
        let cases: &[(&str, &[u8], Want)] = &[
            (
                "number and booleans become text",
                br#"{"headers":{"n":42,"f":1.5,"t":true,"x":false}}"#,
                Want::Ok(
                    200,
                    &[
                        ("n", "42"),
                        ("f", "1.5"),
                        ("t", "true"),
                        ("x", "false"),
                        JSON,
                    ],
                    b"",
                ),
            ),
            // NULL_HEADER_VALUE = Omit.
            (
                "null value is omitted",
                br#"{"headers":{"a":null,"b":"1"}}"#,
                Want::Ok(200, &[("b", "1"), JSON], b""),
            ),
            (
                "null Content-Type suppresses the default",
                br#"{"headers":{"Content-Type":null},"body":"x"}"#,
                Want::Ok(200, &[], b"x"),
            ),
            (
                "array value",
                br#"{"headers":{"a":["1"]}}"#,
                Want::Malformed("headers 'a' is an array"),
            ),
            (
                "object value",
                br#"{"headers":{"a":{}}}"#,
                Want::Malformed("headers 'a' is an object"),
            ),
            (
                "headers not an object",
                br#"{"headers":"a"}"#,
                Want::Malformed("headers is a string"),
            ),
            (
                "line break in value",
                br#"{"headers":{"a":"x\r\nEvil: 1"}}"#,
                Want::Malformed("header 'a'"),
            ),
            (
                "space in name",
                br#"{"headers":{"a b":"1"}}"#,
                Want::Malformed("'a b' is not a valid"),
            ),
            (
                "UTF-8 value",
                br#"{"headers":{"a":"caf\u00e9"}}"#,
                Want::Ok(200, &[("a", "<bytes>"), JSON], b""),
            ),
        ];
        assert_eq!(NULL_HEADER_VALUE, NullHeaderValue::Omit);
        for (name, output, want) in cases {
            check(name, output, None, &[], want);
        }
    }

    #[test]
    fn rule_7_4_multi_value_headers_merge() {
        let cases: &[(&str, &[u8], Want)] = &[
            (
                "identical pair appears once",
                br#"{"multiValueHeaders":{"X-A":["1","2"]},"headers":{"x-a":"2"}}"#,
                Want::Ok(200, &[("X-A", "1"), ("X-A", "2"), JSON], b""),
            ),
            (
                "distinct names are all kept",
                br#"{"multiValueHeaders":{"Set-Cookie":["a=1","b=2"]},"headers":{"X-B":"3"}}"#,
                Want::Ok(
                    200,
                    &[
                        ("Set-Cookie", "a=1"),
                        ("Set-Cookie", "b=2"),
                        ("X-B", "3"),
                        JSON,
                    ],
                    b"",
                ),
            ),
            (
                "null map",
                br#"{"multiValueHeaders":null}"#,
                Want::Ok(200, &[JSON], b""),
            ),
            (
                "empty array",
                br#"{"multiValueHeaders":{"a":[]}}"#,
                Want::Ok(200, &[JSON], b""),
            ),
            (
                "string value",
                br#"{"multiValueHeaders":{"a":"1"}}"#,
                Want::Malformed("must be an array"),
            ),
            (
                "nested array",
                br#"{"multiValueHeaders":{"a":[["1"]]}}"#,
                Want::Malformed("is an array"),
            ),
        ];
        for (name, output, want) in cases {
            check(name, output, None, &[], want);
        }
    }

    #[test]
    fn rule_7_5_default_content_type_only_when_none_is_set() {
        check(
            "own content type",
            br#"{"headers":{"content-type":"text/html"},"body":"<p>"}"#,
            None,
            &[],
            &Want::Ok(200, &[("content-type", "text/html")], b"<p>"),
        );
        check(
            "content type from multi values",
            br#"{"multiValueHeaders":{"Content-Type":["text/plain"]}}"#,
            None,
            &[],
            &Want::Ok(200, &[("Content-Type", "text/plain")], b""),
        );
    }

    #[test]
    fn rule_7_6_connection_level_headers_are_remapped() {
        check(
            "remapped",
            br#"{"headers":{"content-length":"99","Date":"x","Server":"s","Connection":"close","Transfer-Encoding":"chunked"}}"#,
            None,
            &[],
            &Want::Ok(
                200,
                &[
                    ("x-amzn-Remapped-Content-Length", "99"),
                    ("x-amzn-Remapped-Date", "x"),
                    ("x-amzn-Remapped-Server", "s"),
                    ("x-amzn-Remapped-Connection", "close"),
                    ("x-amzn-Remapped-Transfer-Encoding", "chunked"),
                    JSON,
                ],
                b"",
            ),
        );
    }

    #[test]
    fn rule_7_7_body_string_or_null() {
        let cases: &[(&str, &[u8], Want)] = &[
            (
                "string",
                br#"{"body":"hello"}"#,
                Want::Ok(200, &[JSON], b"hello"),
            ),
            ("null", br#"{"body":null}"#, Want::Ok(200, &[JSON], b"")),
            // NON_STRING_BODY = Malformed.
            (
                "object",
                br#"{"body":{"a":1}}"#,
                Want::Malformed("body is an object"),
            ),
            (
                "number",
                br#"{"body":1}"#,
                Want::Malformed("body is a number"),
            ),
            (
                "non-ASCII",
                "{\"body\":\"h\u{e9}\"}".as_bytes(),
                Want::Ok(200, &[JSON], "h\u{e9}".as_bytes()),
            ),
        ];
        assert_eq!(NON_STRING_BODY, NonStringBody::Malformed);
        for (name, output, want) in cases {
            check(name, output, None, &[], want);
        }
    }

    #[test]
    fn rule_7_8_base64_decoded_only_for_a_binary_first_accept_type() {
        let png =
            br#"{"body":"iVBORw==","isBase64Encoded":true,"headers":{"Content-Type":"image/png"}}"#;
        let decoded = Want::Ok(200, &[("Content-Type", "image/png")], b"\x89PNG");
        let as_is = Want::Ok(200, &[("Content-Type", "image/png")], b"iVBORw==");
        let cases: &[(&str, Option<&str>, &[&str], &Want)] = &[
            ("exact", Some("image/png"), &["image/png"], &decoded),
            (
                "right wildcard",
                Some("image/png, text/html"),
                &["image/*"],
                &decoded,
            ),
            ("star-star in list", Some("text/html"), &["*/*"], &decoded),
            (
                "accept */* does not match",
                Some("*/*"),
                &["image/png"],
                &as_is,
            ),
            (
                "only the first type counts",
                Some("text/html, image/png"),
                &["image/png"],
                &as_is,
            ),
            ("no accept", None, &["image/png"], &as_is),
            ("no binary types", Some("image/png"), &[], &as_is),
        ];
        for (name, accept, binary, want) in cases {
            check(name, png, *accept, binary, want);
        }
        check(
            "unpadded",
            br#"{"body":"iVBORw","isBase64Encoded":true}"#,
            Some("a/b"),
            &["a/b"],
            &Want::Ok(200, &[JSON], b"\x89PNG"),
        );
        check(
            "invalid base64",
            br#"{"body":"not base64!","isBase64Encoded":true}"#,
            Some("a/b"),
            &["a/b"],
            &Want::InvalidBase64,
        );
        check(
            "flag not a boolean",
            br#"{"isBase64Encoded":"true"}"#,
            None,
            &[],
            &Want::Malformed("isBase64Encoded is a string"),
        );
    }
}
