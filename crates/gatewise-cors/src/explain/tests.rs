//! Snapshot-style checks: the whole line for each explanation the issue asks for. Blocked
//! verdicts come from `observe`/`fetch`, as in the gateway.

use std::path::Path;
use std::sync::Arc;

use super::*;
use crate::fetch::{self, CorsRequest, Credentials, ResponseHeaders};
use crate::observe::{ObservedRequest, observe};

const PAGE: &str = "http://localhost:5173";

fn at(line: u32, column: u32) -> SourceLocation {
    SourceLocation::new(Arc::from(Path::new("template.yaml")), line, column)
}

fn actual(method: &str, status: u16, lines: &[(&str, &str)], has_cookie: bool) -> Blocked {
    let request = ObservedRequest {
        method,
        origin: Some(PAGE),
        has_cookie,
        ..Default::default()
    };
    observe(&request, status, &ResponseHeaders::from_pairs(lines))
        .and_then(|v| v.blocked)
        .expect("blocked")
}

fn preflight(method: &str, headers: &str, status: u16, lines: &[(&str, &str)]) -> Blocked {
    let request = ObservedRequest {
        method: "OPTIONS",
        origin: Some(PAGE),
        access_control_request_method: Some(method),
        access_control_request_headers: Some(headers),
        ..Default::default()
    };
    observe(&request, status, &ResponseHeaders::from_pairs(lines))
        .and_then(|v| v.blocked)
        .expect("blocked")
}

const FORBIDDEN: &[(&str, &str)] = &[
    ("Content-Type", "application/json"),
    ("x-amzn-ErrorType", "ForbiddenException"),
];

fn check(line: String, expected: &str) {
    assert!(!line.contains('\n'));
    assert_eq!(line, expected);
}

#[test]
fn function_behind_rest_proxy_returns_no_allow_origin() {
    let location = at(30, 3);
    let blocked = actual("POST", 200, &[("Content-Type", "application/json")], false);
    let producer = Producer::Function {
        name: "ItemsFunction",
        location: &location,
        rest_proxy: true,
    };
    check(
        explain("POST /items", &blocked, &producer),
        "CORS: the browser will block POST /items from http://localhost:5173: the response \
         has no Access-Control-Allow-Origin header. Cause: function ItemsFunction \
         (template.yaml:30:3) returned no Access-Control-Allow-Origin, and a REST API Lambda \
         proxy integration adds none (SAM `Cors` only answers the OPTIONS preflight). Fix: \
         return `Access-Control-Allow-Origin` from the function on every response, errors \
         included — e.g. one shared helper that adds it to every response.",
    );
}

#[test]
fn function_behind_http_api_without_cors_configuration() {
    let location = at(30, 3);
    let blocked = actual("GET", 200, &[], false);
    let producer = Producer::Function {
        name: "ItemsFunction",
        location: &location,
        rest_proxy: false,
    };
    check(
        explain("GET /items", &blocked, &producer),
        "CORS: the browser will block GET /items from http://localhost:5173: the response has \
         no Access-Control-Allow-Origin header. Cause: function ItemsFunction \
         (template.yaml:30:3) returned no Access-Control-Allow-Origin, and the API adds none. \
         Fix: return `Access-Control-Allow-Origin` from the function on every response (one \
         shared helper), or configure `CorsConfiguration` on the HTTP API so the gateway adds \
         it.",
    );
}

fn gateway<'a>(
    response_type: &'a str,
    status: u16,
    configured_at: Option<&'a SourceLocation>,
    api_location: &'a SourceLocation,
    cause: GatewayCause<'a>,
) -> Producer<'a> {
    Producer::GatewayResponse {
        response_type,
        status,
        configured_at,
        api_name: "ItemsApi",
        api_location,
        cause,
    }
}

#[test]
fn preflight_403_because_sam_api_key_requirement_covers_options() {
    let (api, key) = (at(5, 3), at(9, 7));
    let blocked = preflight("GET", "x-api-key", 403, FORBIDDEN);
    let cause = GatewayCause::ApiKey {
        required_at: Some(&key),
        sam_cors_preflight: true,
    };
    let producer = gateway("INVALID_API_KEY", 403, None, &api, cause);
    check(
        explain("GET /items", &blocked, &producer),
        "CORS: the browser will block GET /items from http://localhost:5173: the preflight \
         response has no Access-Control-Allow-Origin header. Cause: the preflight got 403 \
         INVALID_API_KEY: `Auth.ApiKeyRequired` (template.yaml:9:7) also applies to the \
         OPTIONS method SAM generates from `Cors`, and a browser never sends `x-api-key` on a \
         preflight. Fix: set `Auth.AddApiKeyRequiredToCorsPreflight: false` on API ItemsApi \
         (template.yaml:5:3); the other methods keep requiring the key.",
    );
}

#[test]
fn preflight_403_because_the_options_method_requires_a_key() {
    let (api, key) = (at(5, 3), at(40, 9));
    let blocked = preflight("GET", "x-api-key", 403, FORBIDDEN);
    let cause = GatewayCause::ApiKey {
        required_at: Some(&key),
        sam_cors_preflight: false,
    };
    let producer = gateway("INVALID_API_KEY", 403, None, &api, cause);
    check(
        explain("GET /items", &blocked, &producer),
        "CORS: the browser will block GET /items from http://localhost:5173: the preflight \
         response has no Access-Control-Allow-Origin header. Cause: the preflight got 403 \
         INVALID_API_KEY: the OPTIONS method requires an API key (template.yaml:40:9), and a \
         browser never sends `x-api-key` on a preflight. Fix: make the OPTIONS method not \
         require an API key (`ApiKeyRequired: false` on it); CORS headers on the 403 would \
         not help, a preflight needs a 2xx.",
    );
}

#[test]
fn preflight_401_because_the_default_authorizer_covers_options() {
    let (api, auth) = (at(5, 3), at(12, 9));
    let blocked = preflight("GET", "authorization", 401, FORBIDDEN);
    let cause = GatewayCause::MissingIdentity {
        authorizer: "MyCognitoAuth",
        at: Some(&auth),
        sam_cors_preflight: true,
    };
    let producer = gateway("UNAUTHORIZED", 401, None, &api, cause);
    check(
        explain("GET /items", &blocked, &producer),
        "CORS: the browser will block GET /items from http://localhost:5173: the preflight \
         response has no Access-Control-Allow-Origin header. Cause: the preflight got 401 \
         UNAUTHORIZED: the default authorizer MyCognitoAuth (template.yaml:12:9) also applies \
         to the OPTIONS method SAM generates from `Cors`, and a browser sends no \
         `Authorization` on a preflight. Fix: set `Auth.AddDefaultAuthorizerToCorsPreflight: \
         false` on API ItemsApi (template.yaml:5:3).",
    );
}

#[test]
fn function_failure_502_without_default_5xx() {
    let (api, function) = (at(5, 3), at(30, 3));
    let blocked = actual("POST", 502, FORBIDDEN, false);
    let cause = GatewayCause::FunctionFailed {
        name: "OrdersFunction",
        location: &function,
    };
    let producer = gateway("DEFAULT_5XX", 502, None, &api, cause);
    check(
        explain("POST /orders", &blocked, &producer),
        "CORS: the browser will block POST /orders from http://localhost:5173: the response \
         has no Access-Control-Allow-Origin header. Cause: function OrdersFunction \
         (template.yaml:30:3) failed, so the gateway answered 502 DEFAULT_5XX, which carries \
         no CORS headers. Fix: add `GatewayResponses: DEFAULT_5XX` with `ResponseParameters: \
         {Headers: {Access-Control-Allow-Origin: \"'*'\"}}` to API ItemsApi \
         (template.yaml:5:3) so the page can read the error; then fix the function.",
    );
}

#[test]
fn function_failure_502_with_default_5xx_lacking_the_header() {
    let (api, function, configured) = (at(5, 3), at(30, 3), at(14, 9));
    let blocked = actual("POST", 502, FORBIDDEN, false);
    let cause = GatewayCause::FunctionFailed {
        name: "OrdersFunction",
        location: &function,
    };
    let producer = gateway("DEFAULT_5XX", 502, Some(&configured), &api, cause);
    check(
        explain("POST /orders", &blocked, &producer),
        "CORS: the browser will block POST /orders from http://localhost:5173: the response \
         has no Access-Control-Allow-Origin header. Cause: function OrdersFunction \
         (template.yaml:30:3) failed, so the gateway answered 502 DEFAULT_5XX, and the \
         gateway response configured at template.yaml:14:9 has no \
         Access-Control-Allow-Origin. Fix: set `Access-Control-Allow-Origin: \"'*'\"` under \
         `ResponseParameters.Headers` of the gateway response at template.yaml:14:9 so the \
         page can read the error; then fix the function.",
    );
}

#[test]
fn missing_authentication_token_without_default_4xx() {
    let api = at(5, 3);
    let blocked = actual("GET", 403, FORBIDDEN, false);
    let producer = gateway(
        "MISSING_AUTHENTICATION_TOKEN",
        403,
        None,
        &api,
        GatewayCause::NoRoute,
    );
    check(
        explain("GET /nope", &blocked, &producer),
        "CORS: the browser will block GET /nope from http://localhost:5173: the response has \
         no Access-Control-Allow-Origin header. Cause: no method of API ItemsApi \
         (template.yaml:5:3) matches GET /nope, so the gateway answered 403 \
         MISSING_AUTHENTICATION_TOKEN, which carries no CORS headers. Fix: check that the \
         route and method exist (and the URL includes the stage); to let the page read such \
         errors, add `GatewayResponses: DEFAULT_4XX` with `ResponseParameters: {Headers: \
         {Access-Control-Allow-Origin: \"'*'\"}}` to API ItemsApi (template.yaml:5:3).",
    );
}

#[test]
fn preflight_to_a_path_without_options_method() {
    let api = at(5, 3);
    let blocked = preflight("POST", "content-type", 403, FORBIDDEN);
    let producer = gateway(
        "MISSING_AUTHENTICATION_TOKEN",
        403,
        None,
        &api,
        GatewayCause::NoRoute,
    );
    check(
        explain("POST /", &blocked, &producer),
        "CORS: the browser will block POST / from http://localhost:5173: the preflight \
         response has no Access-Control-Allow-Origin header. Cause: the preflight got 403 \
         MISSING_AUTHENTICATION_TOKEN: no OPTIONS method of API ItemsApi (template.yaml:5:3) \
         matches this path. Fix: add an OPTIONS method for the path — SAM `Cors` on the API \
         generates one per path; a `{proxy+}` resource does not match `/`.",
    );
}

#[test]
fn sam_cors_allow_origin_lists_two_origins() {
    let (method, cors) = (at(5, 3), at(8, 7));
    let lines = [(
        "Access-Control-Allow-Origin",
        "https://app.example,http://localhost:5173",
    )];
    let blocked = actual("GET", 200, &lines, false);
    let producer = Producer::MockMethod {
        location: &method,
        generated_from_cors: Some(&cors),
    };
    check(
        explain("GET /items", &blocked, &producer),
        "CORS: the browser will block GET /items from http://localhost:5173: the response has \
         Access-Control-Allow-Origin 'https://app.example,http://localhost:5173', several \
         values where exactly one origin is allowed. Cause: the OPTIONS method SAM generates \
         from `Cors` (template.yaml:8:7) sends Access-Control-Allow-Origin \
         'https://app.example,http://localhost:5173'; a REST API answers with fixed headers \
         and cannot echo the one matching origin. Fix: serve one origin per stage (a stage \
         variable or template parameter per environment), e.g. set `AllowOrigin: \
         \"'http://localhost:5173'\"` in `Cors` (template.yaml:8:7), or answer from a \
         function that returns the request's Origin when it is allowed.",
    );
}

#[test]
fn function_returns_star_to_a_credentialed_request() {
    let location = at(30, 3);
    let blocked = actual("GET", 200, &[("Access-Control-Allow-Origin", "*")], true);
    let producer = Producer::Function {
        name: "ItemsFunction",
        location: &location,
        rest_proxy: true,
    };
    check(
        explain("GET /items", &blocked, &producer),
        "CORS: the browser will block GET /items from http://localhost:5173: the response has \
         Access-Control-Allow-Origin '*', which never admits a request with credentials \
         (cookies). Cause: function ItemsFunction (template.yaml:30:3) sends \
         Access-Control-Allow-Origin '*' while the page sends credentials (cookies). Fix: \
         return `Access-Control-Allow-Origin: http://localhost:5173` and \
         `Access-Control-Allow-Credentials: true` from function ItemsFunction \
         (template.yaml:30:3) — or have the page send no credentials (`credentials: \
         'same-origin'`).",
    );
}

#[test]
fn requested_header_not_in_sam_allow_headers() {
    let (method, cors) = (at(5, 3), at(8, 7));
    let lines = [
        ("Access-Control-Allow-Origin", "*"),
        ("Access-Control-Allow-Methods", "OPTIONS,POST"),
        ("Access-Control-Allow-Headers", "Content-Type"),
    ];
    let blocked = preflight("POST", "content-type,x-api-key", 200, &lines);
    let producer = Producer::MockMethod {
        location: &method,
        generated_from_cors: Some(&cors),
    };
    check(
        explain("POST /items", &blocked, &producer),
        "CORS: the browser will block POST /items from http://localhost:5173: the preflight \
         allows request headers 'Content-Type', which does not include x-api-key. Cause: the \
         OPTIONS method SAM generates from `Cors` (template.yaml:8:7) sends \
         Access-Control-Allow-Headers 'Content-Type'. Fix: set `AllowHeaders: \
         \"'Content-Type,x-api-key'\"` in `Cors` (template.yaml:8:7).",
    );
}

#[test]
fn string_form_sam_cors_has_no_allow_headers() {
    let (method, cors) = (at(5, 3), at(8, 7));
    let lines = [
        ("Access-Control-Allow-Origin", "*"),
        ("Access-Control-Allow-Methods", "OPTIONS,POST"),
    ];
    let blocked = preflight("POST", "content-type", 200, &lines);
    let producer = Producer::MockMethod {
        location: &method,
        generated_from_cors: Some(&cors),
    };
    check(
        explain("POST /items", &blocked, &producer),
        "CORS: the browser will block POST /items from http://localhost:5173: the preflight \
         response has no Access-Control-Allow-Headers, so the request header content-type is \
         not allowed. Cause: `Cors` (template.yaml:8:7) sets no AllowHeaders (the string form \
         of `Cors` never does), so its OPTIONS method sends no Access-Control-Allow-Headers. \
         Fix: use the map form of `Cors` with `AllowHeaders: \"'content-type'\"` (and every \
         other header the page sends).",
    );
}

#[test]
fn requested_header_not_in_hand_written_mock() {
    let method = at(61, 5);
    let lines = [
        ("Access-Control-Allow-Origin", "*"),
        ("Access-Control-Allow-Methods", "GET, POST"),
        ("Access-Control-Allow-Headers", "Content-Type"),
    ];
    let blocked = preflight("POST", "authorization", 200, &lines);
    let producer = Producer::MockMethod {
        location: &method,
        generated_from_cors: None,
    };
    check(
        explain("POST /items/42", &blocked, &producer),
        "CORS: the browser will block POST /items/42 from http://localhost:5173: the \
         preflight allows request headers 'Content-Type', which does not include \
         authorization. Cause: the OPTIONS MOCK method (template.yaml:61:5) sends \
         Access-Control-Allow-Headers 'Content-Type'. Fix: map \
         `method.response.header.Access-Control-Allow-Headers` to \
         `'Content-Type,authorization'` in the integration response of the OPTIONS method \
         (template.yaml:61:5).",
    );
}

#[test]
fn star_in_allow_headers_does_not_cover_authorization() {
    let (method, cors) = (at(5, 3), at(8, 7));
    let lines = [
        ("Access-Control-Allow-Origin", "*"),
        ("Access-Control-Allow-Methods", "*"),
        ("Access-Control-Allow-Headers", "*"),
    ];
    let request = ObservedRequest {
        method: "OPTIONS",
        origin: Some(PAGE),
        access_control_request_method: Some("GET"),
        access_control_request_headers: Some("authorization"),
        ..Default::default()
    };
    let verdict = observe(&request, 200, &ResponseHeaders::from_pairs(&lines)).unwrap();
    assert!(verdict.allowed, "Chromium lets `*` cover Authorization");
    let blocked = verdict
        .standard_block
        .expect("Firefox and Safari refuse it");
    let producer = Producer::MockMethod {
        location: &method,
        generated_from_cors: Some(&cors),
    };
    check(
        explain_for_other_browsers("GET /items", &blocked, &producer),
        "CORS: Chromium lets GET /items from http://localhost:5173 through, but Firefox and \
         Safari refuse it: the preflight \
         allows request headers '*', and '*' covers every header except authorization. Cause: \
         the OPTIONS method SAM generates from `Cors` (template.yaml:8:7) sends \
         Access-Control-Allow-Headers '*'. Fix: set `AllowHeaders: \"'*,Authorization'\"` in \
         `Cors` (template.yaml:8:7) — Authorization must always be named.",
    );
}

#[test]
fn method_not_listed_in_allow_methods() {
    let (method, cors) = (at(5, 3), at(8, 7));
    let lines = [
        ("Access-Control-Allow-Origin", "*"),
        ("Access-Control-Allow-Methods", "GET,OPTIONS,POST"),
    ];
    let blocked = preflight("DELETE", "", 200, &lines);
    let producer = Producer::MockMethod {
        location: &method,
        generated_from_cors: Some(&cors),
    };
    check(
        explain("DELETE /items/42", &blocked, &producer),
        "CORS: the browser will block DELETE /items/42 from http://localhost:5173: the \
         preflight allows methods 'GET,OPTIONS,POST', which does not include DELETE (methods \
         compare case-sensitively). Cause: the OPTIONS method SAM generates from `Cors` \
         (template.yaml:8:7) sends Access-Control-Allow-Methods 'GET,OPTIONS,POST'. Fix: set \
         `AllowMethods: \"'GET,OPTIONS,POST,DELETE'\"` in `Cors` (template.yaml:8:7) — \
         without `AllowMethods`, SAM lists the methods declared on the path, so declaring \
         DELETE there works too.",
    );
}

#[test]
fn method_listed_in_the_wrong_case() {
    let location = at(30, 3);
    let lines = [
        ("Access-Control-Allow-Origin", "*"),
        ("Access-Control-Allow-Methods", "get,put"),
    ];
    let blocked = preflight("PUT", "", 200, &lines);
    let producer = Producer::Function {
        name: "ItemsFunction",
        location: &location,
        rest_proxy: true,
    };
    check(
        explain("PUT /items/42", &blocked, &producer),
        "CORS: the browser will block PUT /items/42 from http://localhost:5173: the preflight \
         allows methods 'get,put', which does not include PUT (methods compare \
         case-sensitively). Cause: function ItemsFunction (template.yaml:30:3) sends \
         Access-Control-Allow-Methods 'get,put'. Fix: return `Access-Control-Allow-Methods: \
         get,PUT` from function ItemsFunction (template.yaml:30:3) — methods compare \
         case-sensitively: write it exactly as the page sends it.",
    );
}

#[test]
fn allow_origin_with_quotes_left_in() {
    let (method, cors) = (at(5, 3), at(8, 7));
    let blocked = actual("GET", 200, &[("Access-Control-Allow-Origin", "'*'")], false);
    let producer = Producer::MockMethod {
        location: &method,
        generated_from_cors: Some(&cors),
    };
    check(
        explain("GET /items", &blocked, &producer),
        "CORS: the browser will block GET /items from http://localhost:5173: the response has \
         Access-Control-Allow-Origin ''*'', which is not exactly the page's origin \
         http://localhost:5173. Cause: the OPTIONS method SAM generates from `Cors` \
         (template.yaml:8:7) sends Access-Control-Allow-Origin ''*''. Fix: set `AllowOrigin: \
         \"'*'\"` in `Cors` (template.yaml:8:7) — without the quotes: in a template the \
         single quotes only mark a literal (`\"'…'\"`).",
    );
}

#[test]
fn credentialed_request_without_allow_credentials_from_probe() {
    let location = at(30, 3);
    let request = CorsRequest {
        origin: PAGE.into(),
        method: "GET".into(),
        headers: vec![],
        credentials: Credentials::Include,
    };
    let lines = [("Access-Control-Allow-Origin", PAGE)];
    let blocked = fetch::cors_check(&request, &ResponseHeaders::from_pairs(&lines)).unwrap_err();
    let producer = Producer::Function {
        name: "ItemsFunction",
        location: &location,
        rest_proxy: true,
    };
    check(
        explain("GET /items", &blocked, &producer),
        "CORS: the browser will block GET /items from http://localhost:5173: the request \
         sends credentials (cookies) and the response has no \
         Access-Control-Allow-Credentials: true. Cause: function ItemsFunction \
         (template.yaml:30:3) sends no Access-Control-Allow-Credentials while the page sends \
         credentials (cookies). Fix: return `Access-Control-Allow-Credentials: true` from \
         function ItemsFunction (template.yaml:30:3) — exactly `true`, lower-case.",
    );
}

#[test]
fn invalid_allow_methods_list() {
    let method = at(61, 5);
    let lines = [
        ("Access-Control-Allow-Origin", "*"),
        ("Access-Control-Allow-Methods", "GET POST PUT"),
    ];
    let blocked = preflight("PUT", "", 200, &lines);
    let producer = Producer::MockMethod {
        location: &method,
        generated_from_cors: None,
    };
    check(
        explain("PUT /items/42", &blocked, &producer),
        "CORS: the browser will block PUT /items/42 from http://localhost:5173: the \
         preflight's Access-Control-Allow-Methods 'GET POST PUT' is not a comma-separated \
         list of names ('GET POST PUT' is not one), which fails the preflight. Cause: the \
         OPTIONS MOCK method (template.yaml:61:5) sends Access-Control-Allow-Methods 'GET \
         POST PUT'. Fix: map `method.response.header.Access-Control-Allow-Methods` to \
         `'GET,POST,PUT'` in the integration response of the OPTIONS method \
         (template.yaml:61:5) — names separated by commas, no quotes or spaces inside a name.",
    );
}

#[test]
fn never_more_than_one_line() {
    let location = at(30, 3);
    let lines = [("Access-Control-Allow-Origin", "http://a\r\nx: y")];
    let blocked = actual("GET", 200, &lines, false);
    let producer = Producer::Function {
        name: "F",
        location: &location,
        rest_proxy: true,
    };
    let line = explain("GET /", &blocked, &producer);
    assert!(!line.contains(['\r', '\n']), "{line}");
}

#[test]
fn scenario_2_wrong_api_key_on_the_actual_request() {
    let (api, key) = (at(5, 3), at(9, 7));
    let blocked = actual("GET", 403, FORBIDDEN, false);
    let cause = GatewayCause::ApiKey {
        required_at: Some(&key),
        sam_cors_preflight: false,
    };
    let producer = gateway("INVALID_API_KEY", 403, None, &api, cause);
    check(
        explain("GET /items", &blocked, &producer),
        "CORS: the browser will block GET /items from http://localhost:5173: the response has \
         no Access-Control-Allow-Origin header. Cause: the API key is missing or not valid \
         (`ApiKeyRequired` at template.yaml:9:7), so the gateway answered 403 \
         INVALID_API_KEY, which carries no CORS headers. Fix: send a valid `x-api-key`; to \
         let the page read the error, add `GatewayResponses: DEFAULT_4XX` with \
         `ResponseParameters: {Headers: {Access-Control-Allow-Origin: \"'*'\"}}` to API \
         ItemsApi (template.yaml:5:3).",
    );
}

/// Every gateway cause, on a preflight and on an actual request, yields one complete line
/// whose fix matches the situation.
#[test]
fn every_gateway_cause_has_a_cause_and_a_fix() {
    let (api, loc) = (at(5, 3), at(9, 7));
    let causes = [
        (
            GatewayCause::NoRoute,
            "add an OPTIONS method",
            "check that the route",
        ),
        (
            GatewayCause::ApiKey {
                required_at: None,
                sam_cors_preflight: true,
            },
            "AddApiKeyRequiredToCorsPreflight: false",
            "send a valid `x-api-key`",
        ),
        (
            GatewayCause::MissingIdentity {
                authorizer: "TokenAuth",
                at: Some(&loc),
                sam_cors_preflight: false,
            },
            "remove the authorizer from the OPTIONS method",
            "send the token",
        ),
        (
            GatewayCause::AuthorizerDenied,
            "remove the authorizer from the OPTIONS method",
            "DEFAULT_4XX",
        ),
        (GatewayCause::AwsIam, "authorization to `NONE`", "SigV4"),
        (
            GatewayCause::FunctionFailed {
                name: "F",
                location: &loc,
            },
            "answer OPTIONS without it",
            "then fix the function",
        ),
        (GatewayCause::Other, "2xx status", "DEFAULT_4XX"),
    ];
    for (cause, preflight_fix, actual_fix) in causes {
        let producer = gateway("ACCESS_DENIED", 403, None, &api, cause);
        for (blocked, fix) in [
            (preflight("PUT", "", 403, FORBIDDEN), preflight_fix),
            (actual("PUT", 403, FORBIDDEN, false), actual_fix),
        ] {
            let line = explain("PUT /items", &blocked, &producer);
            assert!(line.starts_with("CORS: the browser will block PUT /items from "));
            assert!(
                line.contains(". Cause: ") && line.contains(". Fix: "),
                "{line}"
            );
            assert!(line.ends_with('.') && !line.contains('\n'), "{line}");
            assert!(line.contains(fix), "{cause:?}: {line}");
        }
    }
}
