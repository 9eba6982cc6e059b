//! The browser's side of CORS: WHATWG Fetch ("CORS check", "CORS-preflight fetch",
//! "CORS-safelisted request-header", …) as Chromium implements it, including its console
//! wording, so a verdict here is the one a page would get.
//!
//! Everything is a pure function of one request description and one response's headers; the
//! allowed path allocates nothing.

mod headers;
mod safelist;
#[cfg(test)]
mod tests;

use std::fmt;
use std::time::Duration;

pub use headers::ResponseHeaders;
pub use safelist::{
    MAX_SAFELISTED_TOTAL_LEN, MAX_SAFELISTED_VALUE_LEN, cors_unsafe_request_header_names,
    is_cors_safelisted_method, is_cors_safelisted_request_header, normalize_method,
};

use headers::{TokenList, trim_ows};

const ALLOW_ORIGIN: &str = "access-control-allow-origin";
const ALLOW_CREDENTIALS: &str = "access-control-allow-credentials";
const ALLOW_METHODS: &str = "access-control-allow-methods";
const ALLOW_HEADERS: &str = "access-control-allow-headers";
const EXPOSE_HEADERS: &str = "access-control-expose-headers";
const MAX_AGE: &str = "access-control-max-age";

/// How long a preflight is cached when Access-Control-Max-Age is absent or not a number
/// (Fetch: "If max-age is failure or null, then set max-age to 5").
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(5);

/// Chromium's ceiling on Access-Control-Max-Age (`kMaxPreflightCacheDuration`, two hours);
/// Fetch lets browsers impose one. A larger value is not an error, it is silently cut.
pub const CHROMIUM_MAX_AGE_CAP: Duration = Duration::from_secs(7200);

/// A request's credentials mode (`fetch(url, {credentials})`, `xhr.withCredentials`). Only
/// `Include` changes CORS: it forbids every `*` and requires Allow-Credentials `true`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Credentials {
    Omit,
    /// The default of `fetch()`: cookies only for same-origin requests, so a cross-origin
    /// request is checked like `Omit`.
    #[default]
    SameOrigin,
    Include,
}

/// What a page asks the browser to fetch, cross-origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorsRequest {
    /// The page's serialized origin, e.g. `http://localhost:5173` (or `null`).
    pub origin: String,
    /// The method as the script wrote it; [`normalize_method`] applies.
    pub method: String,
    /// The author request headers the script set. Forbidden request headers (`Cookie`,
    /// `Host`, …) are dropped by the browser before CORS sees them, so callers leave them out.
    pub headers: Vec<(String, String)>,
    pub credentials: Credentials,
}

/// The preflight a browser sends before a request: `OPTIONS` with these two headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preflight {
    /// `Access-Control-Request-Method`: the normalized method.
    pub method: String,
    /// The CORS-unsafe request header names, lower-cased, sorted, de-duplicated.
    pub request_headers: Vec<String>,
}

impl Preflight {
    /// The `Access-Control-Request-Headers` value (names joined with `,`, no spaces), absent
    /// when only the method needs the preflight.
    pub fn access_control_request_headers(&self) -> Option<String> {
        (!self.request_headers.is_empty()).then(|| self.request_headers.join(","))
    }
}

/// Whether `request` needs a preflight, and the preflight it would be: when the method is not
/// GET/HEAD/POST after normalization, or a header is not CORS-safelisted.
pub fn preflight_for(request: &CorsRequest) -> Option<Preflight> {
    let method = normalize_method(&request.method);
    let request_headers = cors_unsafe_request_header_names(&request.headers);
    (!is_cors_safelisted_method(method) || !request_headers.is_empty()).then(|| Preflight {
        method: method.to_owned(),
        request_headers,
    })
}

/// Fetch's "CORS check" of the actual response: may the page read it?
pub fn cors_check(request: &CorsRequest, response: &ResponseHeaders<'_>) -> Result<(), Blocked> {
    check_access(&request.origin, request.credentials, response, false)
}

/// What a successful preflight leaves behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreflightResult {
    /// How long the browser caches this preflight: the header's value capped at
    /// [`CHROMIUM_MAX_AGE_CAP`], or [`DEFAULT_MAX_AGE`].
    pub max_age: Duration,
    /// What Access-Control-Max-Age said, so a probe can tell "defaulted" and "capped" apart.
    pub max_age_header: MaxAgeHeader,
    /// Set when Chromium passes this preflight but the Fetch standard — and so Firefox and
    /// Safari — refuse it: what they would report ([`WILDCARD_AUTHORIZATION`]).
    pub standard_block: Option<Blocked>,
}

/// How a browser reads `Access-Control-Allow-Headers: *` for an `Authorization` request
/// header (non-credentialed requests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WildcardAuthorization {
    /// The Fetch standard, Firefox and Safari: `*` never covers `Authorization`; it must be
    /// listed by name.
    Standard,
    /// Chromium's default build: `*` covers `Authorization` too (the standard's rule sits
    /// behind the `CorsNonWildcardRequestHeadersSupport` feature, which is off by default).
    Chromium,
}

/// The reading gatewise decides with. Chromium is the browser the verdicts are checked
/// against (the real-browser suite observed it letting `Authorization` through under `*`);
/// when the standard would refuse, [`PreflightResult::standard_block`] carries that refusal so
/// the gateway, `probe` and `check` still say that Firefox and Safari block the request.
pub const WILDCARD_AUTHORIZATION: WildcardAuthorization = WildcardAuthorization::Chromium;

/// The Access-Control-Max-Age header as received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaxAgeHeader {
    Absent,
    /// Not `delta-seconds` (negative, not a number, several lines): the default applies.
    Invalid,
    /// The seconds given (saturating), before the cap.
    Seconds(u64),
}

/// Fetch's "CORS-preflight fetch" steps after the response arrives: is `status`/`response`
/// a successful preflight for `request`, and for how long is it cached?
pub fn preflight_check(
    request: &CorsRequest,
    status: u16,
    response: &ResponseHeaders<'_>,
) -> Result<PreflightResult, Blocked> {
    preflight_check_as(request, status, response, WILDCARD_AUTHORIZATION)
}

/// [`preflight_check`] under a chosen reading of `*` for `Authorization`.
pub fn preflight_check_as(
    request: &CorsRequest,
    status: u16,
    response: &ResponseHeaders<'_>,
    reading: WildcardAuthorization,
) -> Result<PreflightResult, Blocked> {
    evaluate_preflight(
        &request.origin,
        request.credentials,
        normalize_method(&request.method),
        safelist::unsafe_names(&request.headers),
        status,
        response,
        reading,
    )
}

/// The safelisted response header names, readable by any page that passed the CORS check.
const SAFELISTED_RESPONSE_HEADERS: [&str; 7] = [
    "cache-control",
    "content-language",
    "content-length",
    "content-type",
    "expires",
    "last-modified",
    "pragma",
];

/// Whether a page can read response header `name` (via `response.headers.get`) once the
/// response passed the CORS check: a safelisted response header, or one named in
/// Access-Control-Expose-Headers (`*` meaning every header, but only without credentials).
/// `Set-Cookie` never is. An Expose-Headers value that is not a token list exposes nothing.
pub fn exposed(request: &CorsRequest, response: &ResponseHeaders<'_>, name: &str) -> bool {
    if name.eq_ignore_ascii_case("set-cookie") || name.eq_ignore_ascii_case("set-cookie2") {
        return false;
    }
    if SAFELISTED_RESPONSE_HEADERS
        .iter()
        .any(|safe| safe.eq_ignore_ascii_case(name))
    {
        return true;
    }
    let Ok(list) = TokenList::parse(*response, EXPOSE_HEADERS) else {
        return false;
    };
    (request.credentials != Credentials::Include && list.contains_exact("*"))
        || list.contains_ignore_case(name)
}

/// Why a browser refuses a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocked {
    pub rule: Rule,
    /// What Chromium prints after "… has been blocked by CORS policy: ".
    pub message: String,
    /// The page's origin.
    pub origin: String,
    /// Whether the preflight failed (the actual request was then never sent).
    pub preflight: bool,
    /// What the rule is about: the method or header name that was not allowed, or the item of
    /// an Allow list that is not a token.
    pub subject: Option<String>,
    /// What the response said instead, lines combined with `, ` (the Allow-Origin,
    /// Allow-Credentials, Allow-Methods or Allow-Headers value; the status for
    /// [`Rule::PreflightStatus`]); `None` when the header was absent.
    pub got: Option<String>,
}

impl fmt::Display for Blocked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.rule, self.message)
    }
}

impl std::error::Error for Blocked {}

/// One variant per rule a response can fail; [`Rule::id`] is stable (logs, `check`, docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// No Access-Control-Allow-Origin line.
    MissingAllowOrigin,
    /// Several Allow-Origin lines, or one value listing several origins.
    MultipleAllowOrigin,
    /// Allow-Origin `*` for a request with credentials mode `include`.
    WildcardWithCredentials,
    /// Allow-Origin is neither `*` nor byte-for-byte the page's origin.
    OriginMismatch,
    /// Credentials mode `include` and Allow-Credentials is not exactly `true`.
    CredentialsNotTrue,
    /// The preflight's status is not 200–299.
    PreflightStatus,
    /// The requested method is not GET/HEAD/POST and not covered by Allow-Methods.
    MethodNotAllowed,
    /// A CORS-unsafe request header is not covered by Allow-Headers.
    HeaderNotAllowed,
    /// Allow-Headers is `*` but the request sends `Authorization`, which `*` never covers.
    AuthorizationNotCoveredByWildcard,
    /// Allow-Methods is not a comma-separated list of tokens: a network error.
    InvalidAllowMethods,
    /// Allow-Headers is not a comma-separated list of tokens: a network error.
    InvalidAllowHeaders,
}

impl Rule {
    pub fn id(self) -> &'static str {
        match self {
            Rule::MissingAllowOrigin => "cors.missing-allow-origin",
            Rule::MultipleAllowOrigin => "cors.multiple-allow-origin",
            Rule::WildcardWithCredentials => "cors.wildcard-with-credentials",
            Rule::OriginMismatch => "cors.origin-mismatch",
            Rule::CredentialsNotTrue => "cors.credentials-not-true",
            Rule::PreflightStatus => "preflight.status",
            Rule::MethodNotAllowed => "preflight.method-not-allowed",
            Rule::HeaderNotAllowed => "preflight.header-not-allowed",
            Rule::AuthorizationNotCoveredByWildcard => {
                "preflight.authorization-not-covered-by-wildcard"
            }
            Rule::InvalidAllowMethods => "preflight.invalid-allow-methods",
            Rule::InvalidAllowHeaders => "preflight.invalid-allow-headers",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Chromium's prefix for a CORS-check failure of the preflight response.
const PREFLIGHT_PREFIX: &str = "Response to preflight request doesn't pass access control check: ";

/// Builds [`Blocked`] values; only ever called on the failing path.
struct Failure<'a> {
    origin: &'a str,
    preflight: bool,
}

impl Failure<'_> {
    fn block(
        &self,
        rule: Rule,
        message: String,
        subject: Option<&str>,
        got: Option<&str>,
    ) -> Blocked {
        Blocked {
            rule,
            message,
            origin: self.origin.to_owned(),
            preflight: self.preflight,
            subject: subject.map(str::to_owned),
            got: got.map(str::to_owned),
        }
    }

    /// A CORS-check failure, worded for the preflight when it is one.
    fn access(&self, rule: Rule, reason: String, got: Option<&str>) -> Blocked {
        let message = if self.preflight {
            format!("{PREFLIGHT_PREFIX}{reason}")
        } else {
            reason
        };
        self.block(rule, message, None, got)
    }
}

/// Fetch's "CORS check", with Chromium's finer diagnosis of why the value is wrong.
pub(crate) fn check_access(
    origin: &str,
    credentials: Credentials,
    response: &ResponseHeaders<'_>,
    preflight: bool,
) -> Result<(), Blocked> {
    let fail = Failure { origin, preflight };
    let include = credentials == Credentials::Include;
    let mut lines = response.get_all(ALLOW_ORIGIN);
    let Some(value) = lines.next() else {
        return Err(fail.access(
            Rule::MissingAllowOrigin,
            "No 'Access-Control-Allow-Origin' header is present on the requested resource.".into(),
            None,
        ));
    };
    let multiple = |combined: &str| {
        fail.access(
            Rule::MultipleAllowOrigin,
            format!(
                "The 'Access-Control-Allow-Origin' header contains multiple values \
                 '{combined}', but only one is allowed."
            ),
            Some(combined),
        )
    };
    if lines.next().is_some() {
        let combined = response.get(ALLOW_ORIGIN).unwrap_or_default();
        return Err(multiple(&combined));
    }
    if value == "*" {
        if include {
            return Err(fail.access(
                Rule::WildcardWithCredentials,
                "The value of the 'Access-Control-Allow-Origin' header in the response must \
                 not be the wildcard '*' when the request's credentials mode is 'include'."
                    .into(),
                Some(value),
            ));
        }
        return Ok(());
    }
    // Chromium reads a space or comma inside the one value as a list of origins.
    if value.contains([',', ' ']) {
        return Err(multiple(value));
    }
    if value != origin {
        let reason = if value.is_empty() {
            "The 'Access-Control-Allow-Origin' header contains the invalid value ''.".to_owned()
        } else {
            format!(
                "The 'Access-Control-Allow-Origin' header has a value '{value}' that is not \
                 equal to the supplied origin."
            )
        };
        return Err(fail.access(Rule::OriginMismatch, reason, Some(value)));
    }
    if include {
        let allow_credentials = response.get(ALLOW_CREDENTIALS);
        if allow_credentials.as_deref() != Some("true") {
            let shown = allow_credentials.as_deref().unwrap_or("");
            return Err(fail.access(
                Rule::CredentialsNotTrue,
                format!(
                    "The value of the 'Access-Control-Allow-Credentials' header in the response \
                     is '{shown}' which must be 'true' when the request's credentials mode is \
                     'include'."
                ),
                allow_credentials.as_deref(),
            ));
        }
    }
    Ok(())
}

/// The response half of Fetch's "CORS-preflight fetch", for a request already reduced to its
/// origin, credentials mode, normalized method and CORS-unsafe header names — so the gateway
/// can run it from `Access-Control-Request-*` alone.
///
/// The order is Chromium's: the CORS check first (so a 403 without CORS headers reports the
/// missing Allow-Origin, as the console does), then the status, then both lists are parsed,
/// then the method, then the headers.
pub(crate) fn evaluate_preflight<'h>(
    origin: &str,
    credentials: Credentials,
    method: &str,
    unsafe_names: impl Iterator<Item = &'h str> + Clone,
    status: u16,
    response: &ResponseHeaders<'_>,
    reading: WildcardAuthorization,
) -> Result<PreflightResult, Blocked> {
    check_access(origin, credentials, response, true)?;
    let fail = Failure {
        origin,
        preflight: true,
    };
    if !(200..=299).contains(&status) {
        return Err(fail.block(
            Rule::PreflightStatus,
            format!("{PREFLIGHT_PREFIX}It does not have HTTP ok status."),
            None,
            Some(&status.to_string()),
        ));
    }
    let invalid = |rule: Rule, name: &str, bad: &str| {
        fail.block(
            rule,
            format!("Cannot parse {name} response header field in preflight response."),
            Some(bad),
            response.get(name).as_deref(),
        )
    };
    let methods = TokenList::parse(*response, ALLOW_METHODS).map_err(|bad| {
        invalid(
            Rule::InvalidAllowMethods,
            "Access-Control-Allow-Methods",
            bad,
        )
    })?;
    let allowed_headers = TokenList::parse(*response, ALLOW_HEADERS).map_err(|bad| {
        invalid(
            Rule::InvalidAllowHeaders,
            "Access-Control-Allow-Headers",
            bad,
        )
    })?;
    let include = credentials == Credentials::Include;

    let method_allowed = methods.contains_exact(method)
        || is_cors_safelisted_method(method)
        || (!include && methods.contains_exact("*"));
    if !method_allowed {
        return Err(fail.block(
            Rule::MethodNotAllowed,
            format!(
                "Method {method} is not allowed by Access-Control-Allow-Methods in preflight \
                 response."
            ),
            Some(method),
            response.get(ALLOW_METHODS).as_deref(),
        ));
    }

    let wildcard = !include && allowed_headers.contains_exact("*");
    // Listed by name, or covered by `*` — which, in the standard, never covers Authorization.
    let refused = |name: &&str, reading: WildcardAuthorization| {
        !allowed_headers.contains_ignore_case(name)
            && (!wildcard
                || (reading == WildcardAuthorization::Standard
                    && name.eq_ignore_ascii_case("authorization")))
    };
    let header_block = |reading: WildcardAuthorization| {
        // Chromium reports the first refused name of the sorted, lower-cased list.
        let name = unsafe_names
            .clone()
            .filter(|name| refused(name, reading))
            .min_by(|a, b| cmp_ignore_ascii_case(a, b))?
            .to_ascii_lowercase();
        let rule = if wildcard {
            Rule::AuthorizationNotCoveredByWildcard
        } else {
            Rule::HeaderNotAllowed
        };
        Some(fail.block(
            rule,
            format!(
                "Request header field {name} is not allowed by Access-Control-Allow-Headers in \
                 preflight response."
            ),
            Some(&name),
            response.get(ALLOW_HEADERS).as_deref(),
        ))
    };
    if let Some(blocked) = header_block(reading) {
        return Err(blocked);
    }
    let standard_block = match reading {
        WildcardAuthorization::Chromium if wildcard => {
            header_block(WildcardAuthorization::Standard)
        }
        _ => None,
    };

    let max_age_header = max_age_header(response);
    let max_age = match max_age_header {
        MaxAgeHeader::Seconds(secs) => Duration::from_secs(secs).min(CHROMIUM_MAX_AGE_CAP),
        MaxAgeHeader::Absent | MaxAgeHeader::Invalid => DEFAULT_MAX_AGE,
    };
    Ok(PreflightResult {
        max_age,
        max_age_header,
        standard_block,
    })
}

/// Access-Control-Max-Age is one `delta-seconds` value; anything else (several lines, a sign,
/// a fraction) is a parse failure and the default applies.
fn max_age_header(response: &ResponseHeaders<'_>) -> MaxAgeHeader {
    let mut lines = response.get_all(MAX_AGE);
    match (lines.next(), lines.next()) {
        (None, _) => MaxAgeHeader::Absent,
        (Some(value), None) if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
            MaxAgeHeader::Seconds(value.bytes().fold(0u64, |secs, digit| {
                secs.saturating_mul(10)
                    .saturating_add(u64::from(digit - b'0'))
            }))
        }
        _ => MaxAgeHeader::Invalid,
    }
}

fn cmp_ignore_ascii_case(a: &str, b: &str) -> std::cmp::Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// Splits an `Access-Control-Request-Headers` value into its names (the browser already
/// lower-cased, sorted and joined them; spaces are tolerated for hand-made requests).
pub fn request_header_names(value: &str) -> impl Iterator<Item = &str> + Clone {
    value.split(',').map(trim_ows).filter(|n| !n.is_empty())
}
