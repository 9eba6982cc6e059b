//! Table-driven checks of the browser rules. Test names cite the wpt file or the WHATWG Fetch
//! section a table comes from.

use super::*;

const ORIGIN: &str = "http://localhost:5173";

fn request(method: &str, headers: &[(&str, &str)], credentials: Credentials) -> CorsRequest {
    CorsRequest {
        origin: ORIGIN.to_owned(),
        method: method.to_owned(),
        headers: headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect(),
        credentials,
    }
}

fn rule(result: Result<impl Sized, Blocked>) -> Result<(), Rule> {
    result.map(drop).map_err(|blocked| blocked.rule)
}

use Credentials::{Include, Omit, SameOrigin};

/// Header values of several lines of one header (table cells).
type Lines<'a> = &'a [&'a str];
/// `(name, value)` pairs (table cells).
type Pairs<'a> = &'a [(&'a str, &'a str)];
/// `(credentials, allow_methods, allow_headers, method, header, failing rule)`.
type RuleRow<'a> = (
    Credentials,
    &'a str,
    &'a str,
    &'a str,
    Option<&'a str>,
    Rule,
);
/// A row of wpt's `preflightTest(succeeds, withCredentials, allowMethod, allowHeader,
/// useMethod, useHeader)`.
type StarRow<'a> = (
    bool,
    bool,
    &'a str,
    &'a str,
    &'a str,
    Option<(&'a str, &'a str)>,
);

#[test]
fn cors_origin_any_js_and_origin_htm_allow_origin_values() {
    use Rule::*;
    // (Access-Control-Allow-Origin lines, credentials mode, expected)
    let cases: &[(&[&str], Credentials, Result<(), Rule>)] = &[
        (&[], SameOrigin, Err(MissingAllowOrigin)),
        (&["*"], SameOrigin, Ok(())),
        (&["*"], Omit, Ok(())),
        (&["*"], Include, Err(WildcardWithCredentials)),
        (&[ORIGIN], SameOrigin, Ok(())),
        (&[ORIGIN], Include, Ok(())),
        (&["  http://localhost:5173\t"], SameOrigin, Ok(())),
        (&["'*'"], SameOrigin, Err(OriginMismatch)),
        (&["\"*\""], SameOrigin, Err(OriginMismatch)),
        (&["http://localhost:5173/"], SameOrigin, Err(OriginMismatch)),
        (&["HTTP://LOCALHOST:5173"], SameOrigin, Err(OriginMismatch)),
        (&["http://localhost"], SameOrigin, Err(OriginMismatch)),
        (&["null"], SameOrigin, Err(OriginMismatch)),
        (&[""], SameOrigin, Err(OriginMismatch)),
        (
            &["http://localhost:5173, *"],
            SameOrigin,
            Err(MultipleAllowOrigin),
        ),
        (
            &["http://localhost:5173,https://app.example"],
            SameOrigin,
            Err(MultipleAllowOrigin),
        ),
        (
            &["http://localhost:5173 https://app.example"],
            SameOrigin,
            Err(MultipleAllowOrigin),
        ),
        (&["*", "*"], SameOrigin, Err(MultipleAllowOrigin)),
        (&[ORIGIN, ORIGIN], SameOrigin, Err(MultipleAllowOrigin)),
    ];
    for (lines, credentials, expected) in cases {
        let mut pairs: Vec<(&str, &str)> = vec![("Content-Type", "application/json")];
        pairs.extend(lines.iter().map(|v| ("Access-Control-Allow-Origin", *v)));
        pairs.push(("Access-Control-Allow-Credentials", "true"));
        let got = rule(cors_check(
            &request("GET", &[], *credentials),
            &ResponseHeaders::from_pairs(&pairs),
        ));
        assert_eq!(got, *expected, "ACAO {lines:?} with {credentials:?}");
    }
}

#[test]
fn cors_check_serialized_null_origin_matches_null() {
    let mut req = request("GET", &[], SameOrigin);
    req.origin = "null".into();
    let pairs = [("access-control-allow-origin", "null")];
    assert_eq!(
        rule(cors_check(&req, &ResponseHeaders::from_pairs(&pairs))),
        Ok(())
    );
}

#[test]
fn credentials_flag_htm_allow_credentials_must_be_exactly_true() {
    // (Access-Control-Allow-Credentials lines, passes)
    let cases: &[(&[&str], bool)] = &[
        (&["true"], true),
        (&[" true "], true),
        (&["TRUE"], false),
        (&["True"], false),
        (&["\"true\""], false),
        (&["'true'"], false),
        (&["1"], false),
        (&["false"], false),
        (&[""], false),
        (&[], false),
        (&["true", "true"], false),
    ];
    for (lines, passes) in cases {
        let mut pairs = vec![("Access-Control-Allow-Origin", ORIGIN)];
        pairs.extend(
            lines
                .iter()
                .map(|v| ("Access-Control-Allow-Credentials", *v)),
        );
        let headers = ResponseHeaders::from_pairs(&pairs);
        let got = rule(cors_check(&request("GET", &[], Include), &headers));
        let expected = if *passes {
            Ok(())
        } else {
            Err(Rule::CredentialsNotTrue)
        };
        assert_eq!(got, expected, "ACAC {lines:?}");
        // Without credentials the header is not consulted at all.
        assert_eq!(
            rule(cors_check(&request("GET", &[], SameOrigin), &headers)),
            Ok(())
        );
    }
}

/// The whole table of wpt `fetch/api/cors/cors-preflight-star.any.js`, against the headers
/// its `preflight.py` sends (Allow-Origin = the origin, Allow-Credentials when credentialed).
#[test]
fn cors_preflight_star_any_js() {
    // (succeeds, credentials, allow_methods, allow_headers, method, header)
    let mut cases: Vec<StarRow> = vec![
        (true, false, "get", "x-test", "GET", Some(("X-Test", "1"))),
        (true, false, "*", "x-test", "SUPER", Some(("X-Test", "1"))),
        (true, false, "*", "*", "OK", Some(("X-Test", "1"))),
        (false, true, "*", "*", "OK", Some(("X-Test", "1"))),
        (false, true, "*", "", "PUT", None),
        (false, true, "get", "*", "GET", Some(("X-Test", "1"))),
        (false, true, "*", "*", "GET", Some(("X-Test", "1"))),
        (true, true, "*", "*", "*", Some(("*", "1"))),
        (true, true, "PATCH", "*", "PATCH", None),
        (false, true, "PATCH", "*", "patch", None),
        (false, true, "patch", "*", "PATCH", None),
        (true, true, "patch", "*", "patch", None),
        (
            false,
            false,
            "*",
            "*",
            "POST",
            Some(("Authorization", "123")),
        ),
        (
            true,
            false,
            "*",
            "*, Authorization",
            "POST",
            Some(("Authorization", "123")),
        ),
    ];
    for (upper, lower) in [("GET", "get"), ("HEAD", "head"), ("POST", "post")] {
        cases.push((true, true, upper, "*", upper, None));
        cases.push((true, true, upper, "*", lower, None));
        cases.push((true, true, lower, "*", upper, None));
        cases.push((true, true, lower, "*", lower, None));
    }
    for (upper, lower) in [("DELETE", "delete"), ("PUT", "put")] {
        cases.push((true, true, upper, "*", upper, None));
        cases.push((true, true, upper, "*", lower, None));
        cases.push((false, true, lower, "*", upper, None));
        cases.push((false, true, lower, "*", lower, None));
    }
    for (succeeds, credentialed, allow_methods, allow_headers, method, header) in cases {
        let credentials = if credentialed { Include } else { SameOrigin };
        let headers: Vec<(&str, &str)> = header.into_iter().collect();
        let req = request(method, &headers, credentials);
        let mut pairs = vec![
            ("Access-Control-Allow-Origin", ORIGIN),
            ("Access-Control-Allow-Methods", allow_methods),
            ("Access-Control-Allow-Headers", allow_headers),
        ];
        if credentialed {
            pairs.push(("Access-Control-Allow-Credentials", "true"));
        }
        let passed = match preflight_for(&req) {
            None => true,
            Some(_) => preflight_check_as(
                &req,
                200,
                &ResponseHeaders::from_pairs(&pairs),
                WildcardAuthorization::Standard,
            )
            .is_ok(),
        };
        assert_eq!(
            passed, succeeds,
            "credentials {credentialed}; method {method} (allowed: {allow_methods}); \
             header {header:?} (allowed: {allow_headers})"
        );
    }
}

#[test]
fn preflight_star_failures_name_their_rule() {
    use Rule::*;
    // (credentials, allow_methods, allow_headers, method, header, rule)
    let cases: &[RuleRow] = &[
        (Include, "put", "*", "PUT", None, MethodNotAllowed),
        (Include, "*", "*", "PUT", None, MethodNotAllowed),
        (SameOrigin, "GET", "", "PUT", None, MethodNotAllowed),
        (Include, "*", "*", "GET", Some("X-Test"), HeaderNotAllowed),
        (
            SameOrigin,
            "",
            "x-other",
            "GET",
            Some("X-Test"),
            HeaderNotAllowed,
        ),
        (
            SameOrigin,
            "",
            "*",
            "GET",
            Some("Authorization"),
            AuthorizationNotCoveredByWildcard,
        ),
        // Credentialed: `*` is a literal name, so this is the plain rule.
        (
            Include,
            "",
            "*",
            "GET",
            Some("Authorization"),
            HeaderNotAllowed,
        ),
    ];
    for (credentials, methods, allowed, method, header, expected) in cases {
        let headers: Vec<(&str, &str)> = header.iter().map(|h| (*h, "1")).collect();
        let pairs = [
            ("Access-Control-Allow-Origin", ORIGIN),
            ("Access-Control-Allow-Credentials", "true"),
            ("Access-Control-Allow-Methods", methods),
            ("Access-Control-Allow-Headers", allowed),
        ];
        let got = rule(preflight_check_as(
            &request(method, &headers, *credentials),
            200,
            &ResponseHeaders::from_pairs(&pairs),
            WildcardAuthorization::Standard,
        ));
        assert_eq!(
            got,
            Err(*expected),
            "{method} {header:?} vs {methods} / {allowed}"
        );
    }
}

#[test]
fn cors_preflight_star_any_js_header_names_compare_case_insensitively() {
    let req = request("PUT", &[("X-Test", "1"), ("x-other", "2")], SameOrigin);
    let pairs = [
        ("access-control-allow-origin", "*"),
        ("access-control-allow-methods", "PUT"),
        ("access-control-allow-headers", "X-TEST, X-Other"),
    ];
    assert!(preflight_check(&req, 204, &ResponseHeaders::from_pairs(&pairs)).is_ok());
}

#[test]
fn cors_preflight_response_validation_any_js_invalid_tokens_fail() {
    use Rule::*;
    // (Allow-Methods lines, Allow-Headers lines, expected)
    let cases: &[(Lines, Lines, Result<(), Rule>)] = &[
        (
            &["PUT"],
            &["x-force-preflight,Bad value"],
            Err(InvalidAllowHeaders),
        ),
        (
            &["Bad value"],
            &["x-force-preflight"],
            Err(InvalidAllowMethods),
        ),
        (
            &["\"PUT\""],
            &["x-force-preflight"],
            Err(InvalidAllowMethods),
        ),
        (
            &["PUT"],
            &["x-force-preflight", "x:y"],
            Err(InvalidAllowHeaders),
        ),
        // Comma lists: optional spaces, empty items, several lines all count.
        (&["GET, PUT"], &["x-force-preflight"], Ok(())),
        (&["GET,,PUT,"], &[" , x-force-preflight ,"], Ok(())),
        (
            &["GET", "PUT"],
            &["content-type", "x-force-preflight"],
            Ok(()),
        ),
        (&[""], &["x-force-preflight"], Err(MethodNotAllowed)),
    ];
    for (methods, allowed, expected) in cases {
        let mut pairs = vec![("Access-Control-Allow-Origin", "*")];
        pairs.extend(methods.iter().map(|v| ("Access-Control-Allow-Methods", *v)));
        pairs.extend(allowed.iter().map(|v| ("Access-Control-Allow-Headers", *v)));
        let got = rule(preflight_check(
            &request("PUT", &[("x-force-preflight", "")], SameOrigin),
            200,
            &ResponseHeaders::from_pairs(&pairs),
        ));
        assert_eq!(got, *expected, "methods {methods:?}, headers {allowed:?}");
    }
}

#[test]
fn cors_preflight_status_any_js_only_ok_statuses_pass() {
    let pairs = [
        ("Access-Control-Allow-Origin", "*"),
        ("Access-Control-Allow-Methods", "PUT"),
    ];
    let headers = ResponseHeaders::from_pairs(&pairs);
    let req = request("PUT", &[], SameOrigin);
    for status in [200, 201, 202, 203, 204, 205, 206, 299] {
        assert!(preflight_check(&req, status, &headers).is_ok(), "{status}");
    }
    for status in [
        100, 199, 300, 301, 302, 304, 400, 401, 403, 404, 500, 502, 503,
    ] {
        let blocked = preflight_check(&req, status, &headers).unwrap_err();
        assert_eq!(blocked.rule, Rule::PreflightStatus, "{status}");
        assert_eq!(blocked.got.as_deref(), Some(status.to_string().as_str()));
        assert_eq!(
            blocked.message,
            "Response to preflight request doesn't pass access control check: It does not have \
             HTTP ok status."
        );
    }
}

#[test]
fn cors_preflight_fetch_reports_missing_allow_origin_before_status_like_chromium() {
    let pairs = [("x-amzn-ErrorType", "ForbiddenException")];
    let blocked = preflight_check(
        &request("GET", &[("x-api-key", "k")], SameOrigin),
        403,
        &ResponseHeaders::from_pairs(&pairs),
    )
    .unwrap_err();
    assert_eq!(blocked.rule, Rule::MissingAllowOrigin);
    assert!(blocked.preflight);
    assert_eq!(
        blocked.message,
        "Response to preflight request doesn't pass access control check: No \
         'Access-Control-Allow-Origin' header is present on the requested resource."
    );
}

#[test]
fn chromium_console_messages() {
    let req = |credentials| request("DELETE", &[("X-Api-Key", "k")], credentials);
    // (credentials, response, Chromium's text after "blocked by CORS policy: ")
    let cases: &[(Credentials, Pairs, &str)] = &[
        (
            SameOrigin,
            &[
                ("Access-Control-Allow-Origin", "a"),
                ("Access-Control-Allow-Origin", "b"),
            ],
            "The 'Access-Control-Allow-Origin' header contains multiple values 'a, b', but only \
             one is allowed.",
        ),
        (
            Include,
            &[("Access-Control-Allow-Origin", "*")],
            "The value of the 'Access-Control-Allow-Origin' header in the response must not be \
             the wildcard '*' when the request's credentials mode is 'include'.",
        ),
        (
            SameOrigin,
            &[("Access-Control-Allow-Origin", "http://localhost:3000")],
            "The 'Access-Control-Allow-Origin' header has a value 'http://localhost:3000' that \
             is not equal to the supplied origin.",
        ),
        (
            Include,
            &[("Access-Control-Allow-Origin", ORIGIN)],
            "The value of the 'Access-Control-Allow-Credentials' header in the response is '' \
             which must be 'true' when the request's credentials mode is 'include'.",
        ),
    ];
    for (credentials, pairs, message) in cases {
        let blocked =
            cors_check(&req(*credentials), &ResponseHeaders::from_pairs(pairs)).unwrap_err();
        assert_eq!(blocked.message, *message);
        assert!(!blocked.preflight);
    }
    let pairs = [("Access-Control-Allow-Origin", "*")];
    let blocked =
        preflight_check(&req(SameOrigin), 200, &ResponseHeaders::from_pairs(&pairs)).unwrap_err();
    assert_eq!(
        blocked.message,
        "Method DELETE is not allowed by Access-Control-Allow-Methods in preflight response."
    );
    let pairs = [
        ("Access-Control-Allow-Origin", "*"),
        ("Access-Control-Allow-Methods", "DELETE"),
        ("Access-Control-Allow-Headers", "Content-Type"),
    ];
    let blocked =
        preflight_check(&req(SameOrigin), 200, &ResponseHeaders::from_pairs(&pairs)).unwrap_err();
    assert_eq!(
        blocked.message,
        "Request header field x-api-key is not allowed by Access-Control-Allow-Headers in \
         preflight response."
    );
    assert_eq!(blocked.subject.as_deref(), Some("x-api-key"));
    assert_eq!(blocked.got.as_deref(), Some("Content-Type"));
    assert_eq!(blocked.origin, ORIGIN);
}

#[test]
fn cors_preflight_fetch_reports_first_refused_header_in_sorted_order() {
    let req = request(
        "GET",
        &[("X-Zeta", "1"), ("X-Alpha", "1"), ("X-Mid", "1")],
        SameOrigin,
    );
    let pairs = [
        ("Access-Control-Allow-Origin", "*"),
        ("Access-Control-Allow-Headers", "x-mid"),
    ];
    let blocked = preflight_check(&req, 200, &ResponseHeaders::from_pairs(&pairs)).unwrap_err();
    assert_eq!(blocked.subject.as_deref(), Some("x-alpha"));
}

#[test]
fn cors_preflight_fetch_max_age_default_and_chromium_cap() {
    // (Access-Control-Max-Age lines, cached seconds, header as read)
    let cases: &[(&[&str], u64, MaxAgeHeader)] = &[
        (&[], 5, MaxAgeHeader::Absent),
        (&["600"], 600, MaxAgeHeader::Seconds(600)),
        (&[" 60 "], 60, MaxAgeHeader::Seconds(60)),
        (&["0"], 0, MaxAgeHeader::Seconds(0)),
        (&["7200"], 7200, MaxAgeHeader::Seconds(7200)),
        // wpt cors-preflight-cache.any.js uses 12000: cached, but for two hours only.
        (&["12000"], 7200, MaxAgeHeader::Seconds(12000)),
        (
            &["99999999999999999999999"],
            7200,
            MaxAgeHeader::Seconds(u64::MAX),
        ),
        (&["-1"], 5, MaxAgeHeader::Invalid),
        (&["1.5"], 5, MaxAgeHeader::Invalid),
        (&["ten"], 5, MaxAgeHeader::Invalid),
        (&[""], 5, MaxAgeHeader::Invalid),
        (&["600", "600"], 5, MaxAgeHeader::Invalid),
    ];
    for (lines, seconds, header) in cases {
        let mut pairs = vec![
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Allow-Methods", "PUT"),
        ];
        pairs.extend(lines.iter().map(|v| ("Access-Control-Max-Age", *v)));
        let result = preflight_check(
            &request("PUT", &[], SameOrigin),
            200,
            &ResponseHeaders::from_pairs(&pairs),
        )
        .unwrap();
        assert_eq!(result.max_age, Duration::from_secs(*seconds), "{lines:?}");
        assert_eq!(result.max_age_header, *header, "{lines:?}");
    }
    assert_eq!(DEFAULT_MAX_AGE, Duration::from_secs(5));
    assert_eq!(CHROMIUM_MAX_AGE_CAP, Duration::from_secs(7200));
}

#[test]
fn cors_safelisted_request_header_any_js() {
    let long = |n: usize| "a".repeat(n);
    let len128 = long(128);
    let len129 = long(129);
    let ct128 = format!("text/plain; p={}", long(128 - "text/plain; p=".len()));
    // (name, value, safelisted)
    let cases: &[(&str, &str, bool)] = &[
        ("Accept", "*/*", true),
        ("accept", "application/json, text/plain, */*", true),
        ("accept", &len128, true),
        ("accept", &len129, false),
        ("accept", "\"", false),
        ("accept", "a\tb", true),
        ("accept", "a\u{7f}", false),
        ("Accept-Language", "en-US,en;q=0.9", true),
        ("accept-language", "*", true),
        ("accept-language", "@", false),
        ("accept-language", "en_US", false),
        ("Content-Language", "de-DE", true),
        ("content-language", "\u{1}", false),
        ("Content-Type", "text/plain", true),
        ("content-type", "text/plain;charset=UTF-8", true),
        ("content-type", "Text/Plain", true),
        ("content-type", "application/x-www-form-urlencoded", true),
        ("content-type", "multipart/form-data; boundary=----x", true),
        ("content-type", "text/plain;", true),
        ("content-type", &ct128, true),
        ("content-type", "application/json", false),
        ("content-type", "text/html", false),
        ("content-type", "text/plain; x=\"y\"", false),
        ("content-type", "text /plain", false),
        ("content-type", "text/ plain", false),
        ("content-type", "text", false),
        ("content-type", "", false),
        ("Range", "bytes=0-", true),
        ("range", "bytes=0-10", true),
        ("range", "bytes=5-5", true),
        ("range", "bytes=10-5", false),
        ("range", "bytes=-5", false),
        ("range", "bytes=0-1,3-4", false),
        ("range", "bytes = 0-", false),
        ("range", "bytes 0-", false),
        ("range", "Bytes=0-", false),
        ("range", "bytes=", false),
        ("Authorization", "basics", false),
        ("x-api-key", "k", false),
        ("Last-Event-ID", "1", false),
    ];
    for (name, value, safelisted) in cases {
        assert_eq!(
            is_cors_safelisted_request_header(name, value),
            *safelisted,
            "{name}: {value}"
        );
    }
}

#[test]
fn cors_unsafe_request_header_names_total_size_over_1024() {
    let value = "a".repeat(120);
    let nine: Vec<(&str, &str)> = (0..9).map(|_| ("accept", value.as_str())).collect();
    let eight = &nine[..8];
    assert!(preflight_for(&request("GET", eight, SameOrigin)).is_none());
    let preflight = preflight_for(&request("GET", &nine, SameOrigin)).unwrap();
    assert_eq!(preflight.request_headers, ["accept"]);
    assert_eq!(MAX_SAFELISTED_TOTAL_LEN, 1024);
    assert_eq!(MAX_SAFELISTED_VALUE_LEN, 128);
}

#[test]
fn cors_preflight_fetch_access_control_request_headers() {
    let req = request(
        "POST",
        &[
            ("X-B", "1"),
            ("x-a", "2"),
            ("X-A", "3"),
            ("Content-Type", "application/json"),
            ("Accept", "*/*"),
            ("Content-Type", "text/plain"),
        ],
        SameOrigin,
    );
    let preflight = preflight_for(&req).unwrap();
    assert_eq!(preflight.method, "POST");
    assert_eq!(preflight.request_headers, ["content-type", "x-a", "x-b"]);
    assert_eq!(
        preflight.access_control_request_headers().as_deref(),
        Some("content-type,x-a,x-b")
    );
}

#[test]
fn concept_method_normalize_and_cors_safelisted_method() {
    // (method as written, Access-Control-Request-Method or None when no preflight)
    let cases: &[(&str, Option<&str>)] = &[
        ("GET", None),
        ("get", None),
        ("Head", None),
        ("post", None),
        ("put", Some("PUT")),
        ("Delete", Some("DELETE")),
        ("options", Some("OPTIONS")),
        ("patch", Some("patch")),
        ("PATCH", Some("PATCH")),
        ("SUPER", Some("SUPER")),
    ];
    for (method, expected) in cases {
        let preflight = preflight_for(&request(method, &[], SameOrigin));
        assert_eq!(
            preflight.as_ref().map(|p| p.method.as_str()),
            *expected,
            "{method}"
        );
        if let Some(preflight) = preflight {
            assert_eq!(preflight.access_control_request_headers(), None);
        }
    }
    // Safelisted headers only: no preflight; their values are trimmed first, as Headers does.
    let safe = request(
        "POST",
        &[
            ("Content-Type", " text/plain \t"),
            ("Accept-Language", "en"),
        ],
        SameOrigin,
    );
    assert_eq!(preflight_for(&safe), None);
}

/// Every pair of wpt `fetch/api/cors/resources/not-cors-safelisted.json` forces a preflight
/// that names it (`cors-preflight-not-cors-safelisted.any.js`).
#[test]
fn cors_preflight_not_cors_safelisted_any_js() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data/external/wpt/not-cors-safelisted.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let pairs: Vec<(String, String)> = serde_json::from_str(&text).expect("a list of pairs");
    assert!(!pairs.is_empty());
    for (name, value) in pairs {
        assert!(
            !is_cors_safelisted_request_header(&name, &value),
            "{name}: {value:?}"
        );
        let req = CorsRequest {
            origin: ORIGIN.into(),
            method: "GET".into(),
            headers: vec![(name.clone(), value.clone())],
            credentials: SameOrigin,
        };
        let preflight = preflight_for(&req).expect("a preflight");
        assert_eq!(preflight.method, "GET");
        assert_eq!(
            preflight.access_control_request_headers(),
            Some(name.to_ascii_lowercase()),
            "{name}: {value:?}"
        );
        // The wpt server allows exactly that header, so the preflight passes.
        let lower = name.to_ascii_lowercase();
        let allowed = [
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Allow-Headers", lower.as_str()),
        ];
        assert!(preflight_check(&req, 200, &ResponseHeaders::from_pairs(&allowed)).is_ok());
    }
}

#[test]
fn cors_expose_star_js_and_cors_filtering_js() {
    // (credentials, Access-Control-Expose-Headers lines, header name, readable)
    let cases: &[(Credentials, &[&str], &str, bool)] = &[
        (SameOrigin, &[], "Content-Type", true),
        (SameOrigin, &[], "cache-control", true),
        (SameOrigin, &[], "Content-Length", true),
        (SameOrigin, &[], "expires", true),
        (SameOrigin, &[], "Last-Modified", true),
        (SameOrigin, &[], "pragma", true),
        (SameOrigin, &[], "content-language", true),
        (SameOrigin, &[], "x-request-id", false),
        (SameOrigin, &[], "date", false),
        (SameOrigin, &["X-Request-Id"], "x-request-id", true),
        (SameOrigin, &["a", "x-request-id"], "X-Request-Id", true),
        (SameOrigin, &["*"], "x-request-id", true),
        (Include, &["*"], "x-request-id", false),
        (Include, &["*"], "*", true),
        (Include, &["x-request-id"], "x-request-id", true),
        (SameOrigin, &["*"], "set-cookie", false),
        (SameOrigin, &["Set-Cookie"], "Set-Cookie", false),
        (SameOrigin, &["x a"], "x", false),
    ];
    for (credentials, lines, name, readable) in cases {
        let pairs: Vec<(&str, &str)> = lines
            .iter()
            .map(|v| ("Access-Control-Expose-Headers", *v))
            .collect();
        let req = request("GET", &[], *credentials);
        assert_eq!(
            exposed(&req, &ResponseHeaders::from_pairs(&pairs), name),
            *readable,
            "{credentials:?} {lines:?} {name}"
        );
    }
}

#[test]
fn response_headers_views_agree() {
    let borrowed = [
        ("Access-Control-Allow-Origin", " a "),
        ("x-other", "1"),
        ("access-control-allow-origin", "b"),
    ];
    let owned: Vec<(String, String)> = borrowed
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
    let mut map = http::HeaderMap::new();
    for (name, value) in borrowed {
        map.append(
            http::HeaderName::from_static(match name {
                "x-other" => "x-other",
                _ => "access-control-allow-origin",
            }),
            http::HeaderValue::from_static(value),
        );
    }
    for view in [
        ResponseHeaders::from_pairs(&borrowed),
        ResponseHeaders::from_owned(&owned),
        ResponseHeaders::from_header_map(&map),
    ] {
        assert_eq!(view.lines().count(), 3);
        assert_eq!(
            view.get_all("ACCESS-CONTROL-ALLOW-ORIGIN")
                .collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert_eq!(
            view.get("access-control-allow-origin").as_deref(),
            Some("a, b")
        );
        assert_eq!(view.get("X-Other").as_deref(), Some("1"));
        assert_eq!(view.get("missing"), None);
        assert_eq!(
            rule(cors_check(&request("GET", &[], Omit), &view)),
            Err(Rule::MultipleAllowOrigin)
        );
    }
}

#[test]
fn rule_ids_are_stable_and_distinct() {
    let rules = [
        (Rule::MissingAllowOrigin, "cors.missing-allow-origin"),
        (Rule::MultipleAllowOrigin, "cors.multiple-allow-origin"),
        (
            Rule::WildcardWithCredentials,
            "cors.wildcard-with-credentials",
        ),
        (Rule::OriginMismatch, "cors.origin-mismatch"),
        (Rule::CredentialsNotTrue, "cors.credentials-not-true"),
        (Rule::PreflightStatus, "preflight.status"),
        (Rule::MethodNotAllowed, "preflight.method-not-allowed"),
        (Rule::HeaderNotAllowed, "preflight.header-not-allowed"),
        (
            Rule::AuthorizationNotCoveredByWildcard,
            "preflight.authorization-not-covered-by-wildcard",
        ),
        (Rule::InvalidAllowMethods, "preflight.invalid-allow-methods"),
        (Rule::InvalidAllowHeaders, "preflight.invalid-allow-headers"),
    ];
    for (rule, id) in rules {
        assert_eq!(rule.id(), id);
        assert_eq!(rule.to_string(), id);
    }
    let mut ids: Vec<_> = rules.iter().map(|(r, _)| r.id()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), rules.len());
}

/// wpt's `cors-preflight-star.any.js` is the standard; Chromium (the referee of the
/// real-browser suite) lets `*` cover Authorization, and gatewise decides as Chromium while
/// keeping the standard's refusal for Firefox and Safari.
#[test]
fn chromium_lets_star_cover_authorization_and_the_standard_refusal_is_kept() {
    let req = request("GET", &[("Authorization", "Bearer t")], SameOrigin);
    let star = [
        ("Access-Control-Allow-Origin", ORIGIN),
        ("Access-Control-Allow-Headers", "*"),
    ];
    let chromium = preflight_check_as(
        &req,
        200,
        &ResponseHeaders::from_pairs(&star),
        WildcardAuthorization::Chromium,
    )
    .expect("Chromium passes the preflight");
    let standard = chromium.standard_block.expect("the standard refuses it");
    assert_eq!(standard.rule, Rule::AuthorizationNotCoveredByWildcard);
    assert_eq!(standard.subject.as_deref(), Some("authorization"));
    assert_eq!(WILDCARD_AUTHORIZATION, WildcardAuthorization::Chromium);
    assert!(preflight_check(&req, 200, &ResponseHeaders::from_pairs(&star)).is_ok());

    // Listed by name, or a non-wildcard refusal: both readings agree, no caveat.
    let listed = [
        ("Access-Control-Allow-Origin", ORIGIN),
        ("Access-Control-Allow-Headers", "*, Authorization"),
    ];
    let result = preflight_check(&req, 200, &ResponseHeaders::from_pairs(&listed)).unwrap();
    assert!(result.standard_block.is_none());
    let credentialed = request("GET", &[("Authorization", "Bearer t")], Include);
    let star_credentialed = [
        ("Access-Control-Allow-Origin", ORIGIN),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Allow-Headers", "*"),
    ];
    let refused = preflight_check(
        &credentialed,
        200,
        &ResponseHeaders::from_pairs(&star_credentialed),
    )
    .unwrap_err();
    assert_eq!(
        refused.rule,
        Rule::HeaderNotAllowed,
        "`*` is a literal name with credentials"
    );
}
