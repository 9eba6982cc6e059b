//! The gateway side of HTTP API (API Gateway v2) CORS (spec §8): with `CorsConfiguration`
//! the gateway itself answers preflights and rewrites the CORS headers of every response, so
//! unlike REST APIs nothing of it is in the function's hands.
//!
//! [`HttpApiCors`] is built once per API at startup (lists joined, values validated), so the
//! request path only compares the origin and copies prepared header values. Every choice the
//! spec marks UNCONFIRMED is a named constant below, each pinned by a test.

use http::StatusCode;
use http::header::{HeaderMap, HeaderName, HeaderValue};

use gatewise_model::HttpCors;

/// Status of a preflight the gateway answers: 204 No Content with an empty body (spec 8.7,
/// observed by write-ups of live HTTP APIs and by serverless-offline; not in AWS docs, so
/// UNCONFIRMED — `sam local` answers 200). The same status when the origin is not allowed
/// (8.8), then without any `access-control-*` header.
pub const PREFLIGHT_STATUS: StatusCode = StatusCode::NO_CONTENT;

/// With `allowOrigins` containing `*` (and no exact match), `access-control-allow-origin` is
/// `*` rather than the echoed request origin (spec 8.7, UNCONFIRMED). AWS refuses
/// `allowCredentials` with `*`, so the wildcard can never meet credentials on a deployed API.
pub const WILDCARD_ORIGIN_SENT_AS_STAR: bool = true;

/// `*` in `allowMethods` / `allowHeaders` / `exposeHeaders` is emitted literally, not
/// expanded to the requested method or headers (spec 8.12, UNCONFIRMED). Browsers read a
/// literal `*` as "any" for requests without credentials.
pub const LIST_WILDCARD_EMITTED_LITERALLY: bool = true;

/// Whether echoed-origin responses carry `Vary: Origin` (spec 8.13, UNCONFIRMED: no
/// write-up of a live HTTP API shows one, so none is added).
pub const SENDS_VARY_ORIGIN: bool = false;

/// Whether the errors the gateway generates itself (404, 401, 403, 500, 503) get the CORS
/// headers for an allowed origin like integration responses do (spec 8.14, UNCONFIRMED).
/// Chosen `true`: the HTTP API applies `CorsConfiguration` to the response whatever produced
/// it, which is what makes its errors readable by pages, unlike REST gateway responses.
pub const GATEWAY_ERRORS_CARRY_CORS: bool = true;

/// Whether the `Access-Control-*` headers an integration returns are dropped also when the
/// request's origin is not allowed or absent (then none are sent at all; spec 8.10,
/// UNCONFIRMED for that case).
pub const INTEGRATION_CORS_DROPPED_WITHOUT_MATCH: bool = true;

/// Whether a preflight that a route handles (an explicit `OPTIONS` route, an `ANY` route or
/// `$default`, spec 8.5) runs that route's integration once the authorizer let it through
/// (UNCONFIRMED). Chosen `true`: AWS documents "add an `OPTIONS /{proxy+}` route … and attach
/// an integration" as the fix for authorized `$default` routes. The integration's status and
/// body are kept and its CORS headers replaced by the preflight ones (see
/// [`HttpApiCors::decorate`]), so that documented fix works for non-simple requests too.
pub const ROUTED_PREFLIGHT_RUNS_INTEGRATION: bool = true;

/// Whether the preflight's requested method and headers are checked against the lists
/// (spec 8.7, UNCONFIRMED): no — the configured lists are sent and the browser decides.
pub const PREFLIGHT_CHECKS_REQUEST: bool = false;

const ALLOW_ORIGIN: HeaderName = HeaderName::from_static("access-control-allow-origin");
const ALLOW_METHODS: HeaderName = HeaderName::from_static("access-control-allow-methods");
const ALLOW_HEADERS: HeaderName = HeaderName::from_static("access-control-allow-headers");
const EXPOSE_HEADERS: HeaderName = HeaderName::from_static("access-control-expose-headers");
const MAX_AGE: HeaderName = HeaderName::from_static("access-control-max-age");
const ALLOW_CREDENTIALS: HeaderName = HeaderName::from_static("access-control-allow-credentials");
const ACCESS_CONTROL_PREFIX: &str = "access-control-";

/// A request is a CORS preflight only when it is `OPTIONS` with both `Origin` and
/// `Access-Control-Request-Method` (spec 8.3).
pub fn is_preflight(method: &str, headers: &HeaderMap) -> bool {
    method == "OPTIONS"
        && headers.contains_key(http::header::ORIGIN)
        && headers.contains_key(http::header::ACCESS_CONTROL_REQUEST_METHOD)
}

/// Which entry of `allowOrigins` admits `origin` (spec 8.6): exact (byte for byte), `*`, or
/// a scheme wildcard `https://*` / `http://*`. Other wildcard forms
/// (`https://*.example.com`) match nothing (UNCONFIRMED, assumed). Exact entries win over
/// wildcards, so the echoed value never depends on list order.
pub fn matching_origin<'c>(allow_origins: &'c [String], origin: &str) -> Option<&'c str> {
    allow_origins
        .iter()
        .find(|allowed| *allowed == origin)
        .or_else(|| {
            allow_origins.iter().find(|allowed| match allowed.as_str() {
                "*" => true,
                "https://*" => origin.starts_with("https://") && origin.len() > "https://".len(),
                "http://*" => origin.starts_with("http://") && origin.len() > "http://".len(),
                _ => false,
            })
        })
        .map(String::as_str)
}

/// One HTTP API's `CorsConfiguration`, prepared for serving.
#[derive(Debug, Clone)]
pub struct HttpApiCors {
    allow_origins: Vec<String>,
    allow_methods: Option<HeaderValue>,
    allow_headers: Option<HeaderValue>,
    expose_headers: Option<HeaderValue>,
    max_age: Option<HeaderValue>,
    allow_credentials: bool,
}

/// A configured list joined with `,` in configured order (spec 8.7, 10.7), `*` kept as is
/// ([`LIST_WILDCARD_EMITTED_LITERALLY`]); `None` for an empty list or one that cannot be a
/// header value (a line break in the template), which is then not sent.
fn joined(list: &[String]) -> Option<HeaderValue> {
    if list.is_empty() {
        return None;
    }
    HeaderValue::from_str(&list.join(",")).ok()
}

impl HttpApiCors {
    pub fn new(config: &HttpCors) -> Self {
        Self {
            allow_origins: config.allow_origins.clone(),
            allow_methods: joined(&config.allow_methods),
            allow_headers: joined(&config.allow_headers),
            expose_headers: joined(&config.expose_headers),
            max_age: config.max_age.map(HeaderValue::from),
            allow_credentials: config.allow_credentials,
        }
    }

    /// The `access-control-allow-origin` value for a request `origin`, when allowed.
    fn allow_origin(&self, origin: &HeaderValue) -> Option<HeaderValue> {
        let text = origin.to_str().ok()?;
        let matched = matching_origin(&self.allow_origins, text)?;
        Some(
            if matched == "*" && WILDCARD_ORIGIN_SENT_AS_STAR && !self.allow_credentials {
                HeaderValue::from_static("*")
            } else {
                origin.clone()
            },
        )
    }

    /// Headers of the gateway's answer to an OPTIONS request (spec 8.4, 8.7, 8.8): the full
    /// preflight set when `preflight` and the origin is allowed, nothing otherwise.
    pub fn preflight_headers(&self, origin: Option<&HeaderValue>, preflight: bool) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if preflight {
            self.add(origin, true, &mut headers);
        }
        headers
    }

    /// Rewrites the CORS headers of a response (spec 8.9, 8.10): every `Access-Control-*`
    /// header already there is dropped, then, for an allowed `origin`, allow-origin,
    /// expose-headers and allow-credentials are added — or the whole preflight set when the
    /// request is a `preflight` a route answered ([`ROUTED_PREFLIGHT_RUNS_INTEGRATION`]).
    pub fn decorate(&self, origin: Option<&HeaderValue>, preflight: bool, headers: &mut HeaderMap) {
        let allowed = origin.and_then(|o| self.allow_origin(o)).is_some();
        if allowed || INTEGRATION_CORS_DROPPED_WITHOUT_MATCH {
            strip_cors_headers(headers);
        }
        self.add(origin, preflight, headers);
    }

    fn add(&self, origin: Option<&HeaderValue>, preflight: bool, headers: &mut HeaderMap) {
        let Some(allow_origin) = origin.and_then(|o| self.allow_origin(o)) else {
            return;
        };
        let echoed = allow_origin != "*";
        headers.insert(ALLOW_ORIGIN, allow_origin);
        if self.allow_credentials {
            headers.insert(ALLOW_CREDENTIALS, HeaderValue::from_static("true"));
        }
        if preflight {
            for (name, value) in [
                (ALLOW_METHODS, &self.allow_methods),
                (ALLOW_HEADERS, &self.allow_headers),
                (MAX_AGE, &self.max_age),
            ] {
                if let Some(value) = value {
                    headers.insert(name, value.clone());
                }
            }
        } else if let Some(expose) = &self.expose_headers {
            headers.insert(EXPOSE_HEADERS, expose.clone());
        }
        if echoed && SENDS_VARY_ORIGIN {
            headers.append(http::header::VARY, HeaderValue::from_static("Origin"));
        }
    }
}

/// Removes every `Access-Control-*` header (names are lower-case in a `HeaderMap`).
fn strip_cors_headers(headers: &mut HeaderMap) {
    if !headers
        .keys()
        .any(|name| name.as_str().starts_with(ACCESS_CONTROL_PREFIX))
    {
        return;
    }
    let names: Vec<HeaderName> = headers
        .keys()
        .filter(|name| name.as_str().starts_with(ACCESS_CONTROL_PREFIX))
        .cloned()
        .collect();
    for name in names {
        headers.remove(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(origins: &[&str]) -> HttpCors {
        let list = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect();
        HttpCors {
            allow_origins: list(origins),
            allow_methods: list(&["GET", "OPTIONS", "POST"]),
            allow_headers: list(&["content-type", "authorization"]),
            expose_headers: list(&["x-total", "etag"]),
            max_age: Some(600),
            allow_credentials: false,
        }
    }

    fn value(text: &str) -> HeaderValue {
        HeaderValue::from_str(text).expect("header value")
    }

    fn lines(headers: &HeaderMap) -> Vec<(String, String)> {
        let mut lines: Vec<(String, String)> = headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_str().expect("ascii").to_owned()))
            .collect();
        lines.sort();
        lines
    }

    type Lines<'a> = &'a [(&'a str, &'a str)];

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut lines: Vec<(String, String)> = list
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        lines.sort();
        lines
    }

    #[test]
    fn rule_8_3_preflight_needs_options_origin_and_request_method() {
        let cases: &[(&str, Lines<'_>, bool)] = &[
            (
                "OPTIONS",
                &[
                    ("origin", "https://a"),
                    ("access-control-request-method", "PUT"),
                ],
                true,
            ),
            ("OPTIONS", &[("origin", "https://a")], false),
            (
                "OPTIONS",
                &[("access-control-request-method", "PUT")],
                false,
            ),
            (
                "GET",
                &[
                    ("origin", "https://a"),
                    ("access-control-request-method", "PUT"),
                ],
                false,
            ),
            ("OPTIONS", &[], false),
        ];
        for (method, headers, want) in cases {
            let mut map = HeaderMap::new();
            for (name, v) in *headers {
                map.insert(HeaderName::from_static(name), value(v));
            }
            assert_eq!(is_preflight(method, &map), *want, "{method} {headers:?}");
        }
    }

    #[test]
    fn rule_8_6_origin_matching() {
        let cases: &[(&[&str], &str, Option<&str>)] = &[
            (
                &["https://a.example"],
                "https://a.example",
                Some("https://a.example"),
            ),
            (&["https://a.example"], "https://a.example/", None),
            (&["https://a.example"], "HTTPS://A.EXAMPLE", None),
            (&["https://a.example"], "http://a.example", None),
            (&["*"], "http://localhost:5173", Some("*")),
            (&["*"], "null", Some("*")),
            (&["https://*"], "https://x.example", Some("https://*")),
            (&["https://*"], "http://x.example", None),
            (&["http://*"], "http://localhost:3000", Some("http://*")),
            (&["http://*"], "http://", None),
            (&["https://*.example.com"], "https://a.example.com", None),
            (&["https://a", "*"], "https://a", Some("https://a")),
            (&["*", "https://a"], "https://a", Some("https://a")),
            (&["https://a", "https://b"], "https://b", Some("https://b")),
            (&[], "https://a", None),
        ];
        for (allowed, origin, want) in cases {
            let allowed: Vec<String> = allowed.iter().map(|s| (*s).to_owned()).collect();
            assert_eq!(
                matching_origin(&allowed, origin),
                *want,
                "{origin} vs {allowed:?}"
            );
        }
    }

    #[test]
    fn rule_8_7_preflight_headers_for_an_allowed_origin() {
        let mut with_credentials = config(&["https://a", "https://b"]);
        with_credentials.allow_credentials = true;
        let cases: &[(HttpCors, &str, Lines<'_>)] = &[
            (
                config(&["https://a", "https://b"]),
                "https://b",
                &[
                    ("access-control-allow-origin", "https://b"),
                    ("access-control-allow-methods", "GET,OPTIONS,POST"),
                    ("access-control-allow-headers", "content-type,authorization"),
                    ("access-control-max-age", "600"),
                ],
            ),
            (
                with_credentials,
                "https://a",
                &[
                    ("access-control-allow-origin", "https://a"),
                    ("access-control-allow-methods", "GET,OPTIONS,POST"),
                    ("access-control-allow-headers", "content-type,authorization"),
                    ("access-control-max-age", "600"),
                    ("access-control-allow-credentials", "true"),
                ],
            ),
            (
                HttpCors {
                    allow_origins: vec!["https://a".into()],
                    ..HttpCors::default()
                },
                "https://a",
                &[("access-control-allow-origin", "https://a")],
            ),
        ];
        for (config, origin, want) in cases {
            let cors = HttpApiCors::new(config);
            let headers = cors.preflight_headers(Some(&value(origin)), true);
            assert_eq!(lines(&headers), pairs(want), "{config:?}");
        }
    }

    #[test]
    fn rule_8_7_allow_lists_keep_configured_order() {
        let mut unsorted = config(&["*"]);
        unsorted.allow_methods = vec!["POST".into(), "GET".into(), "DELETE".into()];
        let headers =
            HttpApiCors::new(&unsorted).preflight_headers(Some(&value("https://a")), true);
        assert_eq!(headers["access-control-allow-methods"], "POST,GET,DELETE");
    }

    #[test]
    fn rule_8_7_star_origin_is_sent_as_star() {
        const { assert!(WILDCARD_ORIGIN_SENT_AS_STAR) };
        let cors = HttpApiCors::new(&config(&["*"]));
        let headers = cors.preflight_headers(Some(&value("http://localhost:5173")), true);
        assert_eq!(headers["access-control-allow-origin"], "*");
        // A scheme wildcard has to echo: `https://*` is not a valid Allow-Origin value.
        let cors = HttpApiCors::new(&config(&["https://*"]));
        let headers = cors.preflight_headers(Some(&value("https://x.example")), true);
        assert_eq!(headers["access-control-allow-origin"], "https://x.example");
    }

    #[test]
    fn rule_8_7_requested_method_and_headers_are_not_checked() {
        const { assert!(!PREFLIGHT_CHECKS_REQUEST) };
        // The preflight headers depend on the origin only: whatever the page asks for, the
        // configured lists are sent and the browser decides.
        let cors = HttpApiCors::new(&config(&["*"]));
        let headers = cors.preflight_headers(Some(&value("https://a")), true);
        assert_eq!(headers["access-control-allow-methods"], "GET,OPTIONS,POST");
    }

    #[test]
    fn rule_8_8_disallowed_origin_and_non_preflights_get_no_cors_headers() {
        assert_eq!(PREFLIGHT_STATUS, StatusCode::NO_CONTENT);
        let cors = HttpApiCors::new(&config(&["https://a"]));
        assert!(
            cors.preflight_headers(Some(&value("https://evil")), true)
                .is_empty()
        );
        assert!(cors.preflight_headers(None, true).is_empty());
        assert!(
            cors.preflight_headers(Some(&value("https://a")), false)
                .is_empty()
        );
    }

    #[test]
    fn rule_8_9_actual_responses_get_origin_expose_and_credentials() {
        let mut with_credentials = config(&["https://a"]);
        with_credentials.allow_credentials = true;
        let cases: &[(HttpCors, Option<&str>, Lines<'_>)] = &[
            (
                config(&["https://a"]),
                Some("https://a"),
                &[
                    ("content-type", "application/json"),
                    ("access-control-allow-origin", "https://a"),
                    ("access-control-expose-headers", "x-total,etag"),
                ],
            ),
            (
                with_credentials,
                Some("https://a"),
                &[
                    ("content-type", "application/json"),
                    ("access-control-allow-origin", "https://a"),
                    ("access-control-expose-headers", "x-total,etag"),
                    ("access-control-allow-credentials", "true"),
                ],
            ),
            (
                config(&["https://a"]),
                Some("https://b"),
                &[("content-type", "application/json")],
            ),
            (
                config(&["*"]),
                None,
                &[("content-type", "application/json")],
            ),
        ];
        for (config, origin, want) in cases {
            let mut headers = HeaderMap::new();
            headers.insert("content-type", value("application/json"));
            HttpApiCors::new(config).decorate(origin.map(value).as_ref(), false, &mut headers);
            assert_eq!(lines(&headers), pairs(want), "{origin:?}");
        }
    }

    #[test]
    fn rule_8_10_integration_cors_headers_replaced() {
        let integration = |headers: &mut HeaderMap| {
            headers.insert("access-control-allow-origin", value("https://evil.example"));
            headers.insert("access-control-allow-methods", value("DELETE"));
            headers.insert("access-control-max-age", value("1"));
            headers.insert("x-other", value("kept"));
        };
        let cors = HttpApiCors::new(&config(&["*"]));
        let mut headers = HeaderMap::new();
        integration(&mut headers);
        cors.decorate(Some(&value("http://localhost:5173")), false, &mut headers);
        assert_eq!(
            lines(&headers),
            pairs(&[
                ("access-control-allow-origin", "*"),
                ("access-control-expose-headers", "x-total,etag"),
                ("x-other", "kept"),
            ])
        );
    }

    #[test]
    fn rule_8_10_integration_cors_headers_dropped_without_a_match() {
        const { assert!(INTEGRATION_CORS_DROPPED_WITHOUT_MATCH) };
        let cors = HttpApiCors::new(&config(&["https://a"]));
        for origin in [Some(value("https://evil")), None] {
            let mut headers = HeaderMap::new();
            headers.insert("access-control-allow-origin", value("*"));
            cors.decorate(origin.as_ref(), false, &mut headers);
            assert!(headers.is_empty(), "{origin:?}: {headers:?}");
        }
    }

    #[test]
    fn rule_8_5_routed_preflight_gets_the_preflight_set() {
        const { assert!(ROUTED_PREFLIGHT_RUNS_INTEGRATION) };
        let cors = HttpApiCors::new(&config(&["https://a"]));
        let mut headers = HeaderMap::new();
        headers.insert("access-control-allow-origin", value("*"));
        cors.decorate(Some(&value("https://a")), true, &mut headers);
        assert_eq!(
            lines(&headers),
            pairs(&[
                ("access-control-allow-origin", "https://a"),
                ("access-control-allow-methods", "GET,OPTIONS,POST"),
                ("access-control-allow-headers", "content-type,authorization"),
                ("access-control-max-age", "600"),
            ])
        );
    }

    #[test]
    fn rule_8_12_star_in_lists_is_literal() {
        const { assert!(LIST_WILDCARD_EMITTED_LITERALLY) };
        let cors = HttpApiCors::new(&HttpCors {
            allow_origins: vec!["*".into()],
            allow_methods: vec!["*".into()],
            allow_headers: vec!["*".into()],
            ..HttpCors::default()
        });
        let headers = cors.preflight_headers(Some(&value("https://a")), true);
        assert_eq!(headers["access-control-allow-methods"], "*");
        assert_eq!(headers["access-control-allow-headers"], "*");
    }

    #[test]
    fn rule_8_13_no_vary_header() {
        const { assert!(!SENDS_VARY_ORIGIN) };
        let cors = HttpApiCors::new(&config(&["https://a"]));
        let mut headers = HeaderMap::new();
        cors.decorate(Some(&value("https://a")), false, &mut headers);
        assert!(headers.get("vary").is_none());
    }

    #[test]
    fn unusable_values_are_left_out_not_sent_broken() {
        let cors = HttpApiCors::new(&HttpCors {
            allow_origins: vec!["*".into()],
            allow_headers: vec!["a\nb".into()],
            max_age: Some(-1),
            ..HttpCors::default()
        });
        let headers = cors.preflight_headers(Some(&value("https://a")), true);
        assert!(headers.get("access-control-allow-headers").is_none());
        assert_eq!(headers["access-control-max-age"], "-1");
        assert_eq!(headers["access-control-allow-origin"], "*");
    }
}
