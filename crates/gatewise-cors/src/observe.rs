//! What the gateway can decide from ONE request/response pair it served: would the browser
//! that sent this request accept this answer?
//!
//! The gateway sees less than the browser: the credentials mode is never on the wire, and a
//! preflight does not show it at all. The guesses below are constants so the log can say what
//! was assumed, and so `probe` (which knows the mode) never needs them.

use crate::fetch::{self, Blocked, Credentials, ResponseHeaders};

/// The credentials mode a preflight is judged with. A preflight is always sent without
/// cookies, whatever the actual request's mode, so nothing shows it; assuming "not include"
/// accepts `*` in the Allow lists. A page that does use `credentials: 'include'` is then
/// caught on its actual request, which carries a `Cookie` (see [`observe`]).
pub const PREFLIGHT_ASSUMED_CREDENTIALS: Credentials = Credentials::SameOrigin;

/// The parts of a served request CORS depends on, borrowed from the request head.
#[derive(Debug, Clone, Copy, Default)]
pub struct ObservedRequest<'a> {
    /// The method on the wire (browsers send normalized methods: `OPTIONS`, `PUT`, `patch`).
    pub method: &'a str,
    /// `Origin`; absent means no cross-origin browser request.
    pub origin: Option<&'a str>,
    /// `Access-Control-Request-Method`; with `OPTIONS` it makes the request a preflight.
    pub access_control_request_method: Option<&'a str>,
    /// `Access-Control-Request-Headers`, as received.
    pub access_control_request_headers: Option<&'a str>,
    /// Whether the request carries `Cookie`: the only visible sign of credentials mode
    /// `include`. An `Authorization` header is not one — pages set it themselves in any mode,
    /// and treating it as credentials would wrongly refuse `*` to every bearer-token SPA.
    pub has_cookie: bool,
    /// `Sec-Fetch-Mode`, when the browser sent it: anything but `cors` (a navigation, a form
    /// post, `no-cors`, a WebSocket) is not subject to CORS.
    pub sec_fetch_mode: Option<&'a str>,
    /// `Sec-Fetch-Site`, when sent: `same-origin` requests carry `Origin` on POST but are not
    /// CORS requests.
    pub sec_fetch_site: Option<&'a str>,
}

/// The browser's decision on one exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// `blocked.is_none()`, spelled out for log formatting.
    pub allowed: bool,
    pub blocked: Option<Blocked>,
    /// Whether the exchange was a preflight (then a block means the actual request is never
    /// sent).
    pub preflight: bool,
    /// Set when Chromium allows the exchange but the Fetch standard — Firefox, Safari —
    /// refuses it (see [`fetch::WILDCARD_AUTHORIZATION`]).
    pub standard_block: Option<Blocked>,
}

/// Judges one served exchange the way the requesting browser will, or `None` when the request
/// is not a cross-origin CORS request (no `Origin`, a navigation, same-origin).
///
/// - `OPTIONS` with `Access-Control-Request-Method` is the preflight for a request with that
///   method and the `Access-Control-Request-Headers` names, judged with
///   [`PREFLIGHT_ASSUMED_CREDENTIALS`].
/// - Anything else is an actual request, judged by the CORS check with credentials mode
///   `include` when it carries a `Cookie`, else `same-origin`. A credentialed request from a
///   browser with no cookie for this host looks uncredentialed, so `*` may pass here and still
///   fail in the browser; the reverse never happens.
pub fn observe(
    request: &ObservedRequest<'_>,
    status: u16,
    response: &ResponseHeaders<'_>,
) -> Option<Verdict> {
    let origin = request.origin?;
    if request
        .sec_fetch_mode
        .is_some_and(|mode| !mode.eq_ignore_ascii_case("cors"))
        || request
            .sec_fetch_site
            .is_some_and(|site| site.eq_ignore_ascii_case("same-origin"))
    {
        return None;
    }
    let (preflight, outcome) = match request.access_control_request_method {
        Some(method) if request.method == "OPTIONS" => {
            let names = fetch::request_header_names(
                request.access_control_request_headers.unwrap_or_default(),
            );
            let outcome = fetch::evaluate_preflight(
                origin,
                PREFLIGHT_ASSUMED_CREDENTIALS,
                method,
                names,
                status,
                response,
                fetch::WILDCARD_AUTHORIZATION,
            );
            (true, outcome.map(|result| result.standard_block))
        }
        _ => {
            let credentials = if request.has_cookie {
                Credentials::Include
            } else {
                Credentials::SameOrigin
            };
            (
                false,
                fetch::check_access(origin, credentials, response, false).map(|()| None),
            )
        }
    };
    let (blocked, standard_block) = match outcome {
        Ok(standard_block) => (None, standard_block),
        Err(blocked) => (Some(blocked), None),
    };
    Some(Verdict {
        allowed: blocked.is_none(),
        blocked,
        preflight,
        standard_block,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::Rule;

    const PAGE: &str = "http://localhost:5173";

    fn preflight<'a>(method: &'a str, headers: Option<&'a str>) -> ObservedRequest<'a> {
        ObservedRequest {
            method: "OPTIONS",
            origin: Some(PAGE),
            access_control_request_method: Some(method),
            access_control_request_headers: headers,
            sec_fetch_mode: Some("cors"),
            ..Default::default()
        }
    }

    fn actual(method: &str) -> ObservedRequest<'_> {
        ObservedRequest {
            method,
            origin: Some(PAGE),
            sec_fetch_mode: Some("cors"),
            sec_fetch_site: Some("cross-site"),
            ..Default::default()
        }
    }

    /// `None` when allowed, else the failing rule; panics when there is no verdict.
    fn verdict(request: ObservedRequest<'_>, status: u16, lines: &[(&str, &str)]) -> Option<Rule> {
        let verdict = observe(&request, status, &ResponseHeaders::from_pairs(lines))
            .expect("a cross-origin request");
        assert_eq!(verdict.allowed, verdict.blocked.is_none());
        let is_preflight = request.access_control_request_method.is_some();
        assert_eq!(verdict.preflight, is_preflight);
        if let Some(blocked) = &verdict.blocked {
            assert_eq!(blocked.preflight, is_preflight);
            assert_eq!(blocked.origin, PAGE);
        }
        verdict.blocked.map(|b| b.rule)
    }

    const JSON: (&str, &str) = ("Content-Type", "application/json");
    const ANY_ORIGIN: (&str, &str) = ("Access-Control-Allow-Origin", "*");

    /// docs/scenarios.md, scenario 1: SAM `Cors` answers the preflight, the proxy responses carry nothing.
    #[test]
    fn scenario_1_options_has_the_headers_post_does_not() {
        let sam_options = [
            JSON,
            ANY_ORIGIN,
            ("Access-Control-Allow-Methods", "OPTIONS,POST"),
            (
                "Access-Control-Allow-Headers",
                "Content-Type,X-Amz-Date,Authorization",
            ),
        ];
        assert_eq!(
            verdict(preflight("POST", Some("content-type")), 200, &sam_options),
            None
        );

        let missing = Some(Rule::MissingAllowOrigin);
        assert_eq!(verdict(actual("POST"), 200, &[JSON]), missing);
        let crashed = [JSON, ("x-amzn-ErrorType", "InternalServerErrorException")];
        assert_eq!(verdict(actual("POST"), 502, &crashed), missing);
        let no_route = [
            JSON,
            ("x-amzn-ErrorType", "MissingAuthenticationTokenException"),
        ];
        assert_eq!(verdict(actual("GET"), 403, &no_route), missing);

        // The fixed template: a helper in the handlers, DEFAULT_4XX/5XX with the header.
        assert_eq!(verdict(actual("POST"), 200, &[JSON, ANY_ORIGIN]), None);
        assert_eq!(verdict(actual("POST"), 502, &[JSON, ANY_ORIGIN]), None);
        assert_eq!(verdict(actual("GET"), 403, &[JSON, ANY_ORIGIN]), None);
    }

    /// docs/scenarios.md, scenario 2: `Auth.ApiKeyRequired` also guards the generated OPTIONS.
    #[test]
    fn scenario_2_api_key_on_the_preflight() {
        let forbidden = [JSON, ("x-amzn-ErrorType", "ForbiddenException")];
        let request = preflight("GET", Some("x-api-key"));
        // Chromium reports the missing Allow-Origin before the status, and so do we.
        assert_eq!(
            verdict(request, 403, &forbidden),
            Some(Rule::MissingAllowOrigin)
        );

        // With AddApiKeyRequiredToCorsPreflight: false — AllowMethods '*' is fine, since a
        // preflight is judged as not credentialed.
        let options = [
            ANY_ORIGIN,
            ("Access-Control-Allow-Headers", "Content-Type,X-Api-Key"),
            ("Access-Control-Allow-Methods", "*"),
        ];
        assert_eq!(verdict(request, 200, &options), None);
        assert_eq!(
            verdict(preflight("DELETE", Some("x-api-key")), 200, &options),
            None
        );

        let handler = [
            JSON,
            ANY_ORIGIN,
            ("Access-Control-Allow-Headers", "*"),
            ("Access-Control-Allow-Methods", "*"),
        ];
        assert_eq!(verdict(actual("GET"), 200, &handler), None);
        assert_eq!(
            verdict(actual("GET"), 403, &forbidden),
            Some(Rule::MissingAllowOrigin)
        );

        // Pitfalls: Chromium lets '*' cover Authorization, Firefox and Safari do not (the
        // verdict is Chromium's, the standard's refusal comes with it); no '*' survives
        // credentials.
        let star_headers = [ANY_ORIGIN, ("Access-Control-Allow-Headers", "*")];
        let star = observe(
            &preflight("GET", Some("authorization,x-api-key")),
            200,
            &ResponseHeaders::from_pairs(&star_headers),
        )
        .expect("a preflight");
        assert!(star.allowed);
        assert_eq!(
            star.standard_block.map(|b| b.rule),
            Some(Rule::AuthorizationNotCoveredByWildcard)
        );
        let with_cookie = ObservedRequest {
            has_cookie: true,
            ..actual("GET")
        };
        assert_eq!(
            verdict(with_cookie, 200, &handler),
            Some(Rule::WildcardWithCredentials)
        );
    }

    /// docs/scenarios.md, scenario 3: hand-written `{cors+}` OPTIONS MOCK and gateway responses with CORS.
    #[test]
    fn scenario_3_proxy_resource_and_gateway_responses() {
        let mock = [
            ANY_ORIGIN,
            ("Access-Control-Allow-Headers", "Content-Type"),
            ("Access-Control-Allow-Methods", "GET, POST"),
        ];
        assert_eq!(
            verdict(preflight("POST", Some("content-type")), 200, &mock),
            None
        );
        assert_eq!(verdict(actual("POST"), 200, &[JSON, ANY_ORIGIN]), None);
        // DEFAULT_4XX and DEFAULT_5XX carry Allow-Origin '*': the page can read the errors.
        assert_eq!(verdict(actual("GET"), 403, &[JSON, ANY_ORIGIN]), None);
        assert_eq!(verdict(actual("POST"), 502, &[JSON, ANY_ORIGIN]), None);
        assert_eq!(
            verdict(preflight("POST", Some("authorization")), 200, &mock),
            Some(Rule::HeaderNotAllowed)
        );
        assert_eq!(
            verdict(preflight("POST", Some("content-type")), 403, &[JSON]),
            Some(Rule::MissingAllowOrigin)
        );
        // Had the root 403 carried DEFAULT_4XX's header, the status would be what fails.
        assert_eq!(
            verdict(
                preflight("POST", Some("content-type")),
                403,
                &[JSON, ANY_ORIGIN]
            ),
            Some(Rule::PreflightStatus)
        );
    }

    #[test]
    fn not_a_cors_request() {
        let lines = [JSON];
        let headers = ResponseHeaders::from_pairs(&lines);
        let cases = [
            ObservedRequest {
                origin: None,
                ..actual("GET")
            },
            ObservedRequest {
                sec_fetch_mode: Some("navigate"),
                ..actual("POST")
            },
            ObservedRequest {
                sec_fetch_mode: Some("no-cors"),
                ..actual("GET")
            },
            ObservedRequest {
                sec_fetch_site: Some("same-origin"),
                ..actual("POST")
            },
        ];
        for request in cases {
            assert_eq!(observe(&request, 200, &headers), None, "{request:?}");
        }
        // Without Sec-Fetch-* (curl, older browsers) an Origin is enough.
        let bare = ObservedRequest {
            method: "GET",
            origin: Some(PAGE),
            ..Default::default()
        };
        assert_eq!(verdict(bare, 200, &lines), Some(Rule::MissingAllowOrigin));
    }

    #[test]
    fn options_without_request_method_is_an_actual_request() {
        let request = ObservedRequest {
            access_control_request_method: None,
            ..preflight("PUT", None)
        };
        let verdict = observe(&request, 204, &ResponseHeaders::from_pairs(&[])).unwrap();
        assert!(!verdict.preflight);
        assert_eq!(verdict.blocked.unwrap().rule, Rule::MissingAllowOrigin);
    }

    #[test]
    fn preflight_assumption_is_not_credentialed() {
        assert_eq!(PREFLIGHT_ASSUMED_CREDENTIALS, Credentials::SameOrigin);
    }
}
