//! The verdict on each step, decided only by gatewise-cors (`preflight_check`, `cors_check`,
//! `exposed`) — the same functions behind the gateway's per-request explanations — plus the
//! one thing those cannot see from headers: a redirect.

use gatewise_cors::fetch::{
    Blocked, Preflight, PreflightResult, ResponseHeaders, cors_check, exposed,
    is_cors_safelisted_method, preflight_check,
};
use reqwest::header::{HeaderMap, LOCATION};
use reqwest::{Method, StatusCode, Url};

use super::exchange::Exchange;
use super::request::Plan;

/// Chromium refuses any redirect of a preflight ("Redirect is not allowed for a preflight
/// request."). gatewise-cors judges headers only, so this rule id lives here.
const PREFLIGHT_REDIRECT: &str = "preflight.redirect";

/// Everything `probe` found out, in the order it happened.
#[derive(Debug)]
pub struct Report {
    pub url: Url,
    pub origin: String,
    /// Credentials mode `include` (`--credentials`) rather than `same-origin`.
    pub credentials: bool,
    /// Why a preflight went first ([`preflight_reason`]); `None` when none was needed.
    pub preflight_reason: Option<String>,
    /// The preflight (when needed and sent), then the request (unless the preflight failed).
    pub steps: Vec<Step>,
}

impl Report {
    /// The refusal that decides the verdict; `None` means allowed.
    pub fn refusal(&self) -> Option<&Refusal> {
        self.steps
            .iter()
            .find_map(|step| step.outcome.as_ref().err())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Preflight,
    Request,
}

/// One request sent, its answer, and the browser's decision on it.
#[derive(Debug)]
pub struct Step {
    pub kind: Kind,
    pub method: Method,
    pub url: Url,
    /// The request headers that matter to CORS, as sent.
    pub sent: Vec<(String, String)>,
    pub status: StatusCode,
    /// The response header lines the decision read: `access-control-*`, `vary`, `location`.
    pub deciding: Vec<(String, String)>,
    pub outcome: Result<Passed, Refusal>,
}

/// Why the browser refuses a step.
#[derive(Debug)]
pub struct Refusal {
    /// A stable rule id (`cors.missing-allow-origin`, `preflight.redirect`, …).
    pub rule: &'static str,
    /// Chromium's console wording.
    pub message: String,
}

impl From<Blocked> for Refusal {
    fn from(blocked: Blocked) -> Self {
        Refusal {
            rule: blocked.rule.id(),
            message: blocked.message,
        }
    }
}

/// What a step that passed leaves behind.
#[derive(Debug)]
pub enum Passed {
    Preflight(PreflightResult),
    Request {
        /// Response header names the page can read with `response.headers.get`.
        readable: Vec<String>,
        /// The other response header names (`access-control-*` aside): present on the wire,
        /// invisible to the page.
        hidden: Vec<String>,
        /// Where the browser goes next when the answer is a redirect it follows.
        redirect: Option<Redirect>,
    },
}

/// The next hop of a followed redirect, as the browser would send it.
#[derive(Debug)]
pub struct Redirect {
    pub method: Method,
    pub url: Url,
    /// `null` once the redirect leaves the URL's origin (Fetch's tainted origin).
    pub origin: String,
}

/// Why this call needs a preflight, in words.
pub fn preflight_reason(preflight: &Preflight) -> String {
    let method = (!is_cors_safelisted_method(&preflight.method))
        .then(|| format!("the method {} is not GET, HEAD or POST", preflight.method));
    let headers = (!preflight.request_headers.is_empty()).then(|| {
        format!(
            "{} {} not CORS-safelisted",
            preflight.request_headers.join(", "),
            if preflight.request_headers.len() == 1 {
                "is"
            } else {
                "are"
            }
        )
    });
    let reasons: Vec<String> = method.into_iter().chain(headers).collect();
    reasons.join(", and ")
}

/// Judges the preflight's answer as Chromium does: a redirect fails it outright, then
/// `preflight_check` (with the request's credentials mode, although no credentials were sent).
pub fn preflight_step(plan: &Plan, sent: Vec<(String, String)>, got: Exchange) -> Step {
    let response = ResponseHeaders::from_header_map(&got.headers);
    let outcome = if redirect_target(&plan.url, &got).is_some() {
        Err(Refusal {
            rule: PREFLIGHT_REDIRECT,
            message: "Response to preflight request doesn't pass access control check: \
                      Redirect is not allowed for a preflight request."
                .to_owned(),
        })
    } else {
        preflight_check(&plan.cors, got.status.as_u16(), &response)
            .map(Passed::Preflight)
            .map_err(Refusal::from)
    };
    step(Kind::Preflight, Method::OPTIONS, plan, sent, got, outcome)
}

/// Judges the actual answer with `cors_check` — a redirect too, since Fetch checks every
/// response of a CORS request before following it — and lists what the page can read.
pub fn request_step(plan: &Plan, sent: Vec<(String, String)>, got: Exchange) -> Step {
    let response = ResponseHeaders::from_header_map(&got.headers);
    let outcome = cors_check(&plan.cors, &response)
        .map(|()| {
            let redirect = redirect_target(&plan.url, &got).map(|url| Redirect {
                method: method_after_redirect(&plan.method, got.status),
                origin: origin_after_redirect(plan, &url),
                url,
            });
            let (readable, hidden) = if redirect.is_some() {
                // The page never sees a redirect's headers.
                (Vec::new(), Vec::new())
            } else {
                names(&got.headers)
                    .into_iter()
                    .partition(|name| exposed(&plan.cors, &response, name))
            };
            Passed::Request {
                readable,
                hidden,
                redirect,
            }
        })
        .map_err(Refusal::from);
    step(Kind::Request, plan.method.clone(), plan, sent, got, outcome)
}

fn step(
    kind: Kind,
    method: Method,
    plan: &Plan,
    sent: Vec<(String, String)>,
    got: Exchange,
    outcome: Result<Passed, Refusal>,
) -> Step {
    let deciding = got
        .headers
        .iter()
        .filter(|(name, _)| {
            let name = name.as_str();
            name.starts_with("access-control-") || name == "vary" || name == "location"
        })
        .map(|(name, value)| {
            (
                name.to_string(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    Step {
        kind,
        method,
        url: plan.url.clone(),
        sent,
        status: got.status,
        deciding,
        outcome,
    }
}

/// The distinct header names of a response, in order, without the `access-control-*` ones
/// (the page cannot read those either, but the report shows them as what decided).
fn names(headers: &HeaderMap) -> Vec<String> {
    headers
        .keys()
        .map(|name| name.as_str())
        .filter(|name| !name.starts_with("access-control-"))
        .map(str::to_owned)
        .collect()
}

/// Where a redirect points: a redirect status (301, 302, 303, 307, 308) with a `Location`
/// that resolves against the URL. Anything else is an ordinary response to the browser too.
fn redirect_target(url: &Url, got: &Exchange) -> Option<Url> {
    if !matches!(got.status.as_u16(), 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    let location = got.headers.get(LOCATION)?.to_str().ok()?;
    url.join(location).ok()
}

/// Fetch's HTTP-redirect fetch: 303 turns every method but GET/HEAD into GET, and 301/302
/// turn POST into GET.
fn method_after_redirect(method: &Method, status: StatusCode) -> Method {
    let to_get = match status.as_u16() {
        303 => method != Method::GET && method != Method::HEAD,
        301 | 302 => method == Method::POST,
        _ => false,
    };
    if to_get { Method::GET } else { method.clone() }
}

/// Fetch's "tainted origin": a cross-origin request redirected to yet another origin sends
/// `Origin: null` from then on.
fn origin_after_redirect(plan: &Plan, next: &Url) -> String {
    let here = plan.url.origin();
    if next.origin() != here && plan.cors.origin != here.ascii_serialization() {
        "null".to_owned()
    } else {
        plan.cors.origin.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gatewise_cors::fetch::{CorsRequest, Credentials, preflight_for};
    use reqwest::header::HeaderValue;

    fn plan(method: &str, headers: &[(&str, &str)]) -> Plan {
        Plan {
            url: Url::parse("https://api.example/prod/items").unwrap(),
            cors: CorsRequest {
                origin: "http://localhost:5173".to_owned(),
                method: method.to_owned(),
                headers: headers
                    .iter()
                    .map(|(n, v)| (n.to_string(), v.to_string()))
                    .collect(),
                credentials: Credentials::SameOrigin,
            },
            method: Method::from_bytes(method.as_bytes()).unwrap(),
            body: None,
        }
    }

    fn answer(status: u16, lines: &[(&'static str, &'static str)]) -> Exchange {
        let mut headers = HeaderMap::new();
        for (name, value) in lines {
            headers.append(*name, HeaderValue::from_static(value));
        }
        Exchange {
            status: StatusCode::from_u16(status).unwrap(),
            headers,
        }
    }

    #[test]
    fn a_redirected_preflight_fails_whatever_its_headers() {
        let plan = plan("PUT", &[]);
        let got = answer(
            307,
            &[
                ("location", "/prod/items/"),
                ("access-control-allow-origin", "*"),
                ("access-control-allow-methods", "PUT"),
            ],
        );
        let step = preflight_step(&plan, Vec::new(), got);
        let refusal = step.outcome.unwrap_err();
        assert_eq!(refusal.rule, "preflight.redirect");
        assert_eq!(step.deciding.len(), 3);
    }

    #[test]
    fn a_redirect_that_passes_names_the_next_hop() {
        let plan = plan("POST", &[]);
        let got = answer(
            302,
            &[
                ("location", "https://other.example/items"),
                ("access-control-allow-origin", "*"),
            ],
        );
        let Ok(Passed::Request {
            redirect: Some(next),
            readable,
            ..
        }) = request_step(&plan, Vec::new(), got).outcome
        else {
            panic!("a followed redirect");
        };
        assert_eq!(next.method, Method::GET);
        assert_eq!(next.url.as_str(), "https://other.example/items");
        assert_eq!(next.origin, "null");
        assert!(readable.is_empty());
    }

    #[test]
    fn a_redirect_without_cors_headers_is_blocked_before_it_is_followed() {
        let plan = plan("GET", &[]);
        let got = answer(301, &[("location", "/prod/items/")]);
        let refusal = request_step(&plan, Vec::new(), got).outcome.unwrap_err();
        assert_eq!(refusal.rule, "cors.missing-allow-origin");
    }

    #[test]
    fn readable_headers_follow_expose_headers() {
        let plan = plan("GET", &[]);
        let got = answer(
            200,
            &[
                ("content-type", "application/json"),
                ("x-request-id", "1"),
                ("x-amzn-requestid", "2"),
                ("access-control-allow-origin", "*"),
                ("access-control-expose-headers", "X-Request-Id"),
            ],
        );
        let Ok(Passed::Request {
            readable, hidden, ..
        }) = request_step(&plan, Vec::new(), got).outcome
        else {
            panic!("allowed");
        };
        assert_eq!(readable, ["content-type", "x-request-id"]);
        assert!(hidden.contains(&"x-amzn-requestid".to_owned()));
    }

    #[test]
    fn preflight_reasons_name_the_method_and_headers() {
        let needs = |method: &str, headers: &[(&str, &str)]| {
            preflight_reason(&preflight_for(&plan(method, headers).cors).unwrap())
        };
        assert_eq!(
            needs("GET", &[("x-api-key", "k")]),
            "x-api-key is not CORS-safelisted"
        );
        assert_eq!(
            needs("patch", &[("Authorization", "t"), ("X-A", "1")]),
            "the method patch is not GET, HEAD or POST, and authorization, x-a are not \
             CORS-safelisted"
        );
    }
}
