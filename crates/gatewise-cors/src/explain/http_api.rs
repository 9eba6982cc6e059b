//! Causes and fixes for HTTP API (API Gateway v2) responses. With `CorsConfiguration` the
//! gateway writes every CORS header itself, so the fix is always an edit of that
//! configuration (named with its location and the configured lists), or of the routes that
//! take preflights away from it (spec 8.5). Without it, the function's own headers are all
//! there is, as for REST proxies.

use gatewise_model::{HttpCors, SourceLocation};

use super::{ACAC, ACAH, ACAM, ACAO, Producer, cause_and_fix as rest_cause_and_fix};
use crate::fetch::{Blocked, Rule};

/// An HTTP API response, described for the explanation.
#[derive(Debug, Clone, Copy)]
pub struct HttpApiProducer<'a> {
    pub api_name: &'a str,
    pub api_location: &'a SourceLocation,
    /// `CorsConfiguration` and where it is declared (the API's location when unknown).
    pub cors: Option<(&'a HttpCors, &'a SourceLocation)>,
    /// The route the request reached: its key and where it is declared.
    pub route: Option<(&'a str, &'a SourceLocation)>,
    pub answer: HttpApiAnswer<'a>,
}

/// Who answered, within the HTTP API.
#[derive(Debug, Clone, Copy)]
pub enum HttpApiAnswer<'a> {
    /// The route's function (its headers rewritten by `CorsConfiguration`, when configured).
    Function {
        name: &'a str,
        location: &'a SourceLocation,
    },
    /// The gateway answered an OPTIONS request from `CorsConfiguration` (spec 8.4).
    Cors,
    /// The gateway answered with an error.
    Gateway {
        status: u16,
        cause: HttpApiCause<'a>,
    },
}

/// Why the HTTP API answered with an error.
#[derive(Debug, Clone, Copy)]
pub enum HttpApiCause<'a> {
    /// No route matches (404).
    NoRoute,
    /// The route's JWT or Lambda authorizer refused (401 / 403).
    Authorizer {
        name: &'a str,
        location: &'a SourceLocation,
    },
    /// `AWS_IAM` and an unsigned request (403).
    AwsIam,
    /// The integration's function failed or timed out (500 / 503).
    FunctionFailed {
        name: &'a str,
        location: &'a SourceLocation,
    },
    Other,
}

/// `(cause, fix)` for a blocked HTTP API response.
pub(super) fn cause_and_fix(
    route: &str,
    blocked: &Blocked,
    producer: &HttpApiProducer<'_>,
) -> (String, String) {
    if blocked.preflight
        && let Some(explained) = routed_preflight(blocked, producer)
    {
        return explained;
    }
    match producer.cors {
        Some((cors, at)) => configured(blocked, cors, at),
        None => unconfigured(route, blocked, producer),
    }
}

/// A preflight that a route took (spec 8.5) and that did not get a 2xx.
fn routed_preflight(blocked: &Blocked, producer: &HttpApiProducer<'_>) -> Option<(String, String)> {
    let (key, at) = producer.route?;
    let status = blocked.got.as_deref().unwrap_or_default();
    let routed = format!(
        "the preflight was routed to `{key}` ({at}): API Gateway hands an OPTIONS request that \
         matches an `OPTIONS`, `ANY` or `$default` route to that route instead of answering it \
         from `CorsConfiguration`"
    );
    let options_route = format!(
        "add a route `OPTIONS /{{proxy+}}` without authorization (any integration; it takes \
         precedence over `{key}` for preflights)"
    );
    Some(match (producer.answer, blocked.rule) {
        (
            HttpApiAnswer::Gateway {
                status,
                cause: HttpApiCause::Authorizer { name, location },
            },
            _,
        ) => (
            format!(
                "{routed}, and its authorizer {name} ({location}) answered {status}, since a \
                 browser sends no credentials on a preflight"
            ),
            options_route,
        ),
        (
            HttpApiAnswer::Gateway {
                status,
                cause: HttpApiCause::AwsIam,
            },
            _,
        ) => (
            format!(
                "{routed}, and its `AWS_IAM` authorization refused the unsigned preflight with \
                 {status}"
            ),
            options_route,
        ),
        (HttpApiAnswer::Function { name, location }, Rule::PreflightStatus) => (
            format!("{routed}, and function {name} ({location}) answered status {status}"),
            format!(
                "return 200 or 204 for OPTIONS from function {name}, or {options_route}, or \
                 declare explicit methods instead of `ANY` so the gateway answers preflights"
            ),
        ),
        (HttpApiAnswer::Gateway { status, cause }, Rule::PreflightStatus) => (
            format!("{routed}, and {}", gateway_cause(status, cause)),
            options_route,
        ),
        _ => return None,
    })
}

fn gateway_cause(status: u16, cause: HttpApiCause<'_>) -> String {
    match cause {
        HttpApiCause::NoRoute => format!("no route matches, so the gateway answered {status}"),
        HttpApiCause::Authorizer { name, location } => {
            format!("authorizer {name} ({location}) refused the request with {status}")
        }
        HttpApiCause::AwsIam => {
            format!("the request is not signed for `AWS_IAM`, so the gateway answered {status}")
        }
        HttpApiCause::FunctionFailed { name, location } => {
            format!("function {name} ({location}) failed, so the gateway answered {status}")
        }
        HttpApiCause::Other => format!("the gateway answered {status}"),
    }
}

/// The HTTP API has no `CorsConfiguration`: nothing adds CORS headers but the function.
fn unconfigured(
    route: &str,
    blocked: &Blocked,
    producer: &HttpApiProducer<'_>,
) -> (String, String) {
    let api = format!("HTTP API {} ({})", producer.api_name, producer.api_location);
    let configure = format!(
        "add `CorsConfiguration` to {api} with `AllowOrigins: ['{}']` (and the methods and \
         headers the page sends); the gateway then answers preflights and adds the headers to \
         every response, errors included",
        blocked.origin
    );
    match producer.answer {
        HttpApiAnswer::Function { name, location } => rest_cause_and_fix(
            route,
            blocked,
            &Producer::Function {
                name,
                location,
                rest_proxy: false,
            },
        ),
        HttpApiAnswer::Gateway {
            status,
            cause: HttpApiCause::NoRoute,
        } if blocked.preflight => (
            format!(
                "{api} has no `CorsConfiguration`, so API Gateway does not answer preflights \
                 itself, and no route matches the OPTIONS request ({status})"
            ),
            configure,
        ),
        HttpApiAnswer::Gateway { status, cause } => (
            format!(
                "{}, and {api} has no `CorsConfiguration`, so the error carries no CORS headers",
                gateway_cause(status, cause)
            ),
            configure,
        ),
        // Only reached with a configuration; kept total for robustness.
        HttpApiAnswer::Cors => (format!("{api} sent no CORS headers"), configure),
    }
}

/// The gateway wrote the CORS headers from `cors`: name the list and the value that failed.
fn configured(blocked: &Blocked, cors: &HttpCors, at: &SourceLocation) -> (String, String) {
    let config = format!("`CorsConfiguration` ({at})");
    let origin = blocked.origin.as_str();
    let subject = blocked.subject.as_deref().unwrap_or_default();
    let got = blocked.got.as_deref().unwrap_or_default();
    let star = |list: &[String]| {
        if list.iter().any(|item| item == "*") {
            " — '*' does not count for requests with credentials"
        } else {
            ""
        }
    };
    match blocked.rule {
        Rule::MissingAllowOrigin => (
            format!(
                "{config} allows origins '{}', which do not include {origin}{}",
                cors.allow_origins.join(","),
                origin_hint(&cors.allow_origins, origin)
            ),
            format!("add '{origin}' to `AllowOrigins` of {config}"),
        ),
        Rule::WildcardWithCredentials => (
            format!(
                "{config} allows origins '*', which a request with credentials (cookies) never \
                 accepts"
            ),
            format!(
                "list '{origin}' in `AllowOrigins` instead of '*' and set `AllowCredentials: \
                 true` in {config} (API Gateway refuses `AllowCredentials` with '*')"
            ),
        ),
        Rule::CredentialsNotTrue => (
            format!(
                "{config} does not set `AllowCredentials`, so there is no {ACAC}: true for a \
                 request with credentials (cookies)"
            ),
            format!("set `AllowCredentials: true` in {config}"),
        ),
        Rule::MethodNotAllowed => (
            match &blocked.got {
                Some(list) => {
                    format!(
                        "{config} sets `AllowMethods` '{list}', which does not include {subject}"
                    )
                }
                None => format!(
                    "{config} sets no `AllowMethods`, so the preflight has no {ACAM} and only \
                     GET, HEAD and POST are allowed"
                ),
            },
            format!(
                "add {subject} to `AllowMethods` of {config}{}",
                star(&cors.allow_methods)
            ),
        ),
        Rule::HeaderNotAllowed => (
            match &blocked.got {
                Some(list) => {
                    format!(
                        "{config} sets `AllowHeaders` '{list}', which does not include {subject}"
                    )
                }
                None => format!(
                    "{config} sets no `AllowHeaders`, so the preflight has no {ACAH} and the \
                     request header {subject} is not allowed"
                ),
            },
            format!(
                "add {subject} to `AllowHeaders` of {config}{}",
                star(&cors.allow_headers)
            ),
        ),
        Rule::AuthorizationNotCoveredByWildcard => (
            format!(
                "{config} sets `AllowHeaders` '{got}', and '*' covers every header except \
                 authorization"
            ),
            format!("add Authorization to `AllowHeaders` of {config}"),
        ),
        Rule::PreflightStatus => (
            format!("the preflight got status {got}"),
            "let OPTIONS requests reach the gateway's CORS answer: no `OPTIONS`, `ANY` or \
             `$default` route that fails them"
                .to_owned(),
        ),
        Rule::MultipleAllowOrigin | Rule::OriginMismatch => (
            format!("{config} produced {ACAO} '{got}'"),
            format!("check `AllowOrigins` of {config}: one exact origin per entry"),
        ),
        Rule::InvalidAllowMethods | Rule::InvalidAllowHeaders => (
            format!("{config} produced the list '{got}', in which '{subject}' is not a name"),
            format!(
                "write each entry of the list in {config} as a bare name, without quotes, \
                 spaces or commas"
            ),
        ),
    }
}

/// Why an origin that looks listed is not: the usual near misses.
fn origin_hint(allowed: &[String], origin: &str) -> String {
    if let Some(pattern) = allowed
        .iter()
        .find(|a| a.contains('*') && !matches!(a.as_str(), "*" | "https://*" | "http://*"))
    {
        return format!(
            " — API Gateway only knows the wildcards '*', 'https://*' and 'http://*', not \
             '{pattern}'"
        );
    }
    if allowed.iter().any(|a| a.strip_suffix('/') == Some(origin)) {
        return " — without the trailing slash: an origin is scheme://host[:port]".to_owned();
    }
    if allowed.iter().any(|a| a.eq_ignore_ascii_case(origin)) {
        return " — origins compare byte-for-byte, case included".to_owned();
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use super::*;
    use crate::explain::explain;
    use crate::fetch::ResponseHeaders;
    use crate::observe::{ObservedRequest, observe};

    const PAGE: &str = "http://localhost:5173";

    fn at(line: u32) -> SourceLocation {
        SourceLocation::new(Arc::from(Path::new("template.yaml")), line, 7)
    }

    fn blocked(request: ObservedRequest<'_>, status: u16, lines: &[(&str, &str)]) -> Blocked {
        observe(&request, status, &ResponseHeaders::from_pairs(lines))
            .and_then(|v| v.blocked)
            .expect("blocked")
    }

    fn preflight<'a>(method: &'a str, headers: &'a str) -> ObservedRequest<'a> {
        ObservedRequest {
            method: "OPTIONS",
            origin: Some(PAGE),
            access_control_request_method: Some(method),
            access_control_request_headers: Some(headers),
            ..Default::default()
        }
    }

    fn actual(method: &str) -> ObservedRequest<'_> {
        ObservedRequest {
            method,
            origin: Some(PAGE),
            ..Default::default()
        }
    }

    fn cors(origins: &[&str]) -> HttpCors {
        HttpCors {
            allow_origins: origins.iter().map(|s| (*s).to_owned()).collect(),
            allow_methods: vec!["GET".into(), "POST".into()],
            allow_headers: vec!["content-type".into()],
            ..HttpCors::default()
        }
    }

    fn line(route: &str, blocked: &Blocked, producer: HttpApiProducer<'_>) -> String {
        explain(route, blocked, &Producer::HttpApi(producer))
    }

    #[test]
    fn origin_not_in_allow_origins_names_the_list_and_the_origin() {
        let (api_at, cors_at, fn_at) = (at(3), at(9), at(30));
        let config = cors(&["https://app.example", "https://*.example.com"]);
        let blocked = blocked(actual("GET"), 200, &[("content-type", "application/json")]);
        let text = line(
            "GET /",
            &blocked,
            HttpApiProducer {
                api_name: "HttpApi",
                api_location: &api_at,
                cors: Some((&config, &cors_at)),
                route: Some(("GET /", &at(12))),
                answer: HttpApiAnswer::Function {
                    name: "StateHandler",
                    location: &fn_at,
                },
            },
        );
        assert_eq!(
            text,
            "CORS: the browser will block GET / from http://localhost:5173: the response has no \
             Access-Control-Allow-Origin header. Cause: `CorsConfiguration` (template.yaml:9:7) \
             allows origins 'https://app.example,https://*.example.com', which do not include \
             http://localhost:5173 — API Gateway only knows the wildcards '*', 'https://*' and \
             'http://*', not 'https://*.example.com'. Fix: add 'http://localhost:5173' to \
             `AllowOrigins` of `CorsConfiguration` (template.yaml:9:7)."
        );
    }

    #[test]
    fn method_and_header_not_in_the_configured_lists() {
        let (api_at, cors_at) = (at(3), at(9));
        let config = cors(&["*"]);
        let producer = HttpApiProducer {
            api_name: "HttpApi",
            api_location: &api_at,
            cors: Some((&config, &cors_at)),
            route: None,
            answer: HttpApiAnswer::Cors,
        };
        let lines = [
            ("access-control-allow-origin", "*"),
            ("access-control-allow-methods", "GET,POST"),
            ("access-control-allow-headers", "content-type"),
        ];
        let text = line(
            "PUT /items",
            &blocked(preflight("PUT", ""), 204, &lines),
            producer,
        );
        assert!(
            text.ends_with(
                "Cause: `CorsConfiguration` (template.yaml:9:7) sets `AllowMethods` 'GET,POST', \
                 which does not include PUT. Fix: add PUT to `AllowMethods` of \
                 `CorsConfiguration` (template.yaml:9:7)."
            ),
            "{text}"
        );
        let text = line(
            "POST /items",
            &blocked(preflight("POST", "x-api-key"), 204, &lines),
            producer,
        );
        assert!(
            text.contains("sets `AllowHeaders` 'content-type', which does not include x-api-key"),
            "{text}"
        );
    }

    #[test]
    fn rule_8_5_preflight_routed_to_an_authorized_route() {
        let (api_at, cors_at, route_at, auth_at) = (at(3), at(9), at(14), at(20));
        let config = cors(&["*"]);
        let text = line(
            "PUT /items",
            &blocked(
                preflight("PUT", ""),
                401,
                &[("access-control-allow-origin", "*")],
            ),
            HttpApiProducer {
                api_name: "HttpApi",
                api_location: &api_at,
                cors: Some((&config, &cors_at)),
                route: Some(("ANY /{proxy+}", &route_at)),
                answer: HttpApiAnswer::Gateway {
                    status: 401,
                    cause: HttpApiCause::Authorizer {
                        name: "JwtAuth",
                        location: &auth_at,
                    },
                },
            },
        );
        assert!(
            text.contains(
                "Cause: the preflight was routed to `ANY /{proxy+}` (template.yaml:14:7): API \
                 Gateway hands an OPTIONS request that matches an `OPTIONS`, `ANY` or `$default` \
                 route to that route instead of answering it from `CorsConfiguration`, and its \
                 authorizer JwtAuth (template.yaml:20:7) answered 401"
            ),
            "{text}"
        );
        assert!(
            text.ends_with(
                "Fix: add a route `OPTIONS /{proxy+}` without authorization (any integration; it \
                 takes precedence over `ANY /{proxy+}` for preflights)."
            ),
            "{text}"
        );
    }

    #[test]
    fn without_cors_configuration_the_fix_is_to_add_it() {
        let api_at = at(3);
        let text = line(
            "PUT /items",
            &blocked(preflight("PUT", ""), 404, &[]),
            HttpApiProducer {
                api_name: "HttpApi",
                api_location: &api_at,
                cors: None,
                route: None,
                answer: HttpApiAnswer::Gateway {
                    status: 404,
                    cause: HttpApiCause::NoRoute,
                },
            },
        );
        assert!(
            text.contains(
                "Cause: HTTP API HttpApi (template.yaml:3:7) has no `CorsConfiguration`, so API \
                 Gateway does not answer preflights itself"
            ),
            "{text}"
        );
        assert!(
            text.contains("Fix: add `CorsConfiguration` to HTTP API HttpApi (template.yaml:3:7)"),
            "{text}"
        );
    }

    #[test]
    fn credentials_need_allow_credentials_and_explicit_origins() {
        let (api_at, cors_at) = (at(3), at(9));
        let config = cors(&["*"]);
        let producer = HttpApiProducer {
            api_name: "HttpApi",
            api_location: &api_at,
            cors: Some((&config, &cors_at)),
            route: None,
            answer: HttpApiAnswer::Cors,
        };
        let request = ObservedRequest {
            has_cookie: true,
            ..actual("GET")
        };
        let text = line(
            "GET /",
            &blocked(request, 200, &[("access-control-allow-origin", "*")]),
            producer,
        );
        assert!(
            text.contains("list 'http://localhost:5173' in `AllowOrigins` instead of '*'"),
            "{text}"
        );
    }
}
