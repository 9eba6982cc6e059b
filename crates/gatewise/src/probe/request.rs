//! From the command line to the `fetch()` call it stands for: the page's origin, the method,
//! the author headers and the body, checked the way `fetch()` checks them, so that a call the
//! browser would refuse to even start is a usage error (exit 2) rather than a CORS verdict.

use gatewise_cors::fetch::{CorsRequest, Credentials, Preflight, normalize_method};
use reqwest::header::{HeaderName, HeaderValue};
use reqwest::{Method, Url};

use crate::cli::ProbeArgs;

/// The Content-Type `fetch()` gives a string body when the page set none.
const STRING_BODY_TYPE: &str = "text/plain;charset=UTF-8";

/// What `fetch()` sends as `Accept` when the page set none (and on every preflight).
const ANY_TYPE: &str = "*/*";

/// The call to reproduce, validated.
#[derive(Debug)]
pub struct Plan {
    pub url: Url,
    /// The request as the CORS rules see it: the method as given, the author headers (plus the
    /// Content-Type `fetch()` adds for a string body), the credentials mode.
    pub cors: CorsRequest,
    /// The method on the wire: normalized as `fetch()` does (`post` → `POST`, `patch` stays).
    pub method: Method,
    pub body: Option<String>,
}

impl Plan {
    pub fn from_args(args: &ProbeArgs) -> Result<Plan, String> {
        let url = parse_url(&args.url)?;
        let origin = parse_origin(&args.origin)?;
        let given = args
            .method
            .clone()
            .unwrap_or_else(|| if args.data.is_some() { "POST" } else { "GET" }.to_owned());
        let method = parse_method(&given)?;
        let mut headers = args
            .headers
            .iter()
            .map(|text| parse_header(text))
            .collect::<Result<Vec<_>, _>>()?;
        if args.data.is_some() {
            if method == Method::GET || method == Method::HEAD {
                return Err(format!(
                    "error: -d with {method}: fetch() refuses a body on GET and HEAD requests \
                     (TypeError); pick another method with -X"
                ));
            }
            if !has(&headers, "content-type") {
                headers.push(("Content-Type".to_owned(), STRING_BODY_TYPE.to_owned()));
            }
        }
        Ok(Plan {
            url,
            cors: CorsRequest {
                origin,
                method: given,
                headers,
                credentials: if args.credentials {
                    Credentials::Include
                } else {
                    Credentials::SameOrigin
                },
            },
            method,
            body: args.data.clone(),
        })
    }

    /// The preflight's headers, as Chromium sends them (besides `User-Agent` and
    /// `Sec-Fetch-Mode`, which the client adds to every request). Never cookies, never a body.
    pub fn preflight_headers(&self, preflight: &Preflight) -> Vec<(String, String)> {
        let mut headers = vec![
            ("Origin".to_owned(), self.cors.origin.clone()),
            ("Accept".to_owned(), ANY_TYPE.to_owned()),
            (
                "Access-Control-Request-Method".to_owned(),
                preflight.method.clone(),
            ),
        ];
        if let Some(names) = preflight.access_control_request_headers() {
            headers.push(("Access-Control-Request-Headers".to_owned(), names));
        }
        headers
    }

    /// The actual request's headers: `Origin`, `Accept: */*` unless the page set one, then the
    /// page's own headers.
    pub fn request_headers(&self) -> Vec<(String, String)> {
        let mut headers = vec![("Origin".to_owned(), self.cors.origin.clone())];
        if !has(&self.cors.headers, "accept") {
            headers.push(("Accept".to_owned(), ANY_TYPE.to_owned()));
        }
        headers.extend(self.cors.headers.iter().cloned());
        headers
    }
}

fn has(headers: &[(String, String)], name: &str) -> bool {
    headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
}

fn parse_url(text: &str) -> Result<Url, String> {
    let mut url = Url::parse(text).map_err(|e| format!("error: URL {text}: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "error: URL {text}: probe fetches http and https URLs only"
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "error: URL {text}: fetch() refuses URLs with a user name or password (TypeError)"
        ));
    }
    // fetch() never sends the fragment.
    url.set_fragment(None);
    Ok(url)
}

/// The page's origin exactly as a browser serializes it in `Origin`; anything else (a path,
/// a trailing slash, upper case, a default port) could never be sent, and would make every
/// Allow-Origin comparison meaningless.
fn parse_origin(text: &str) -> Result<String, String> {
    if text == "null" {
        return Ok(text.to_owned());
    }
    let shape = "an origin is scheme://host[:port], as the browser sends it in `Origin`";
    let url = Url::parse(text).map_err(|e| format!("error: --origin {text}: {e}; {shape}"))?;
    let serialized = url.origin().ascii_serialization();
    if serialized == text {
        return Ok(serialized);
    }
    Err(if serialized == "null" {
        format!(
            "error: --origin {text}: a {} URL has no origin of its own; pass `null` for a page \
             with an opaque origin (file:, sandboxed), else {shape}",
            url.scheme()
        )
    } else {
        format!(
            "error: --origin {text}: not a serialized origin ({shape}); did you mean {serialized}?"
        )
    })
}

fn parse_method(text: &str) -> Result<Method, String> {
    let normalized = normalize_method(text);
    if ["CONNECT", "TRACE", "TRACK"]
        .iter()
        .any(|forbidden| forbidden.eq_ignore_ascii_case(normalized))
    {
        return Err(format!(
            "error: -X {text}: fetch() refuses this method (a forbidden method, TypeError)"
        ));
    }
    Method::from_bytes(normalized.as_bytes())
        .map_err(|_| format!("error: -X {text}: not an HTTP method name"))
}

/// `'Name: value'`, the value trimmed of spaces and tabs as `Headers` does.
fn parse_header(text: &str) -> Result<(String, String), String> {
    let (name, value) = text
        .split_once(':')
        .ok_or_else(|| format!("error: -H '{text}': expected 'Name: value'"))?;
    let value = value.trim_matches([' ', '\t']);
    if HeaderName::from_bytes(name.as_bytes()).is_err() {
        return Err(format!(
            "error: -H '{text}': `{name}` is not a header name (letters, digits and \
             !#$%&'*+-.^_`|~, no spaces)"
        ));
    }
    if HeaderValue::from_str(value).is_err() {
        return Err(format!(
            "error: -H '{text}': the value has control characters or non-ASCII bytes"
        ));
    }
    if is_forbidden_request_header(name, value) {
        return Err(format!(
            "error: -H '{text}': a page cannot set {name}: the browser controls it and fetch() \
             silently drops it (a forbidden request header), so probe does not send it either"
        ));
    }
    Ok((name.to_owned(), value.to_owned()))
}

/// Fetch's "forbidden request-header" names, lower-case.
///
/// gatewise-cors has no such list yet; it belongs next to the safelist there once `check`
/// needs it too.
const FORBIDDEN_REQUEST_HEADERS: [&str; 21] = [
    "accept-charset",
    "accept-encoding",
    "access-control-request-headers",
    "access-control-request-method",
    "connection",
    "content-length",
    "cookie",
    "cookie2",
    "date",
    "dnt",
    "expect",
    "host",
    "keep-alive",
    "origin",
    "referer",
    "set-cookie",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
];

/// Fetch's "forbidden request-header": the listed names, `Proxy-*` and `Sec-*`, and the
/// method-override headers when they name a forbidden method.
fn is_forbidden_request_header(name: &str, value: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let overrides_method = matches!(
        name.as_str(),
        "x-http-method" | "x-http-method-override" | "x-method-override"
    );
    FORBIDDEN_REQUEST_HEADERS.contains(&name.as_str())
        || name.starts_with("proxy-")
        || name.starts_with("sec-")
        || (overrides_method
            && value.split(',').any(|method| {
                ["CONNECT", "TRACE", "TRACK"]
                    .iter()
                    .any(|forbidden| forbidden.eq_ignore_ascii_case(method.trim()))
            }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_must_be_serialized() {
        assert_eq!(
            parse_origin("http://localhost:5173").unwrap(),
            "http://localhost:5173"
        );
        assert_eq!(parse_origin("null").unwrap(), "null");
        for (bad, hint) in [
            (
                "http://localhost:5173/",
                "did you mean http://localhost:5173?",
            ),
            (
                "http://LocalHost:5173",
                "did you mean http://localhost:5173?",
            ),
            (
                "https://app.example:443",
                "did you mean https://app.example?",
            ),
            ("localhost:5173", "has no origin of its own"),
            ("nonsense", "scheme://host[:port]"),
        ] {
            let error = parse_origin(bad).unwrap_err();
            assert!(error.contains(hint), "{bad}: {error}");
        }
    }

    #[test]
    fn headers_are_name_colon_value() {
        assert_eq!(
            parse_header("X-Api-Key:  k1 ").unwrap(),
            ("X-Api-Key".to_owned(), "k1".to_owned())
        );
        assert_eq!(
            parse_header("x-empty:").unwrap(),
            ("x-empty".to_owned(), String::new())
        );
        for bad in ["no colon", "Bad Name: v", ": v", "X: a\u{1}b"] {
            assert!(parse_header(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn forbidden_headers_and_methods_are_refused() {
        for name in [
            "Cookie",
            "host",
            "Origin",
            "Sec-Fetch-Mode",
            "Proxy-Authorization",
        ] {
            let error = parse_header(&format!("{name}: x")).unwrap_err();
            assert!(error.contains("forbidden request header"), "{error}");
        }
        assert!(parse_header("X-HTTP-Method-Override: trace").is_err());
        assert!(parse_header("X-HTTP-Method-Override: PATCH").is_ok());
        assert!(parse_method("connect").is_err());
        assert!(parse_method("a b").is_err());
        assert_eq!(parse_method("post").unwrap(), Method::POST);
        assert_eq!(parse_method("patch").unwrap().as_str(), "patch");
    }

    #[test]
    fn urls_are_http_without_credentials_or_fragment() {
        assert_eq!(
            parse_url("http://127.0.0.1:3000/a?b#c").unwrap().as_str(),
            "http://127.0.0.1:3000/a?b"
        );
        assert!(parse_url("ftp://example.com/").is_err());
        assert!(parse_url("https://user:pw@example.com/").is_err());
        assert!(parse_url("not a url").is_err());
    }
}
