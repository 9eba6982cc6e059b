//! Which requests a browser sends without asking first: CORS-safelisted methods and
//! request headers (WHATWG Fetch, "CORS-safelisted method", "CORS-safelisted request-header",
//! "CORS-unsafe request-header names").

/// A safelisted header value longer than this is unsafe (Fetch: "If value's length is greater
/// than 128, then return false").
pub const MAX_SAFELISTED_VALUE_LEN: usize = 128;

/// When the safelisted values of one request add up to more than this many bytes, all of them
/// count as unsafe and go into the preflight (Fetch: "CORS-unsafe request-header names").
pub const MAX_SAFELISTED_TOTAL_LEN: usize = 1024;

/// Fetch's "normalize a method": only these six are upper-cased, so `patch` stays `patch`
/// and must then be listed as `patch` in Access-Control-Allow-Methods.
pub fn normalize_method(method: &str) -> &str {
    const NORMALIZED: [&str; 6] = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];
    NORMALIZED
        .into_iter()
        .find(|known| known.eq_ignore_ascii_case(method))
        .unwrap_or(method)
}

/// GET, HEAD and POST (byte-exact, after [`normalize_method`]) never need a preflight and pass
/// any Access-Control-Allow-Methods.
pub fn is_cors_safelisted_method(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "POST")
}

/// Whether a page may send this header cross-origin without a preflight. `value` is the
/// normalized value (surrounding whitespace already removed, as `Headers` does).
pub fn is_cors_safelisted_request_header(name: &str, value: &str) -> bool {
    if value.len() > MAX_SAFELISTED_VALUE_LEN {
        return false;
    }
    let bytes = value.as_bytes();
    if name.eq_ignore_ascii_case("accept") {
        !bytes
            .iter()
            .copied()
            .any(is_cors_unsafe_request_header_byte)
    } else if name.eq_ignore_ascii_case("accept-language")
        || name.eq_ignore_ascii_case("content-language")
    {
        bytes.iter().all(|&b| {
            b.is_ascii_alphanumeric() || matches!(b, b' ' | b'*' | b',' | b'-' | b'.' | b';' | b'=')
        })
    } else if name.eq_ignore_ascii_case("content-type") {
        !bytes
            .iter()
            .copied()
            .any(is_cors_unsafe_request_header_byte)
            && mime_essence(value).is_some_and(|(ty, subtype)| {
                const SAFE: [(&str, &str); 3] = [
                    ("application", "x-www-form-urlencoded"),
                    ("multipart", "form-data"),
                    ("text", "plain"),
                ];
                SAFE.iter()
                    .any(|(t, s)| t.eq_ignore_ascii_case(ty) && s.eq_ignore_ascii_case(subtype))
            })
    } else if name.eq_ignore_ascii_case("range") {
        simple_range_has_start(value)
    } else {
        false
    }
}

/// Fetch's "CORS-unsafe request-header byte": controls other than tab, DEL, and the
/// delimiters `"():<>?@[\]{}`.
fn is_cors_unsafe_request_header_byte(b: u8) -> bool {
    (b < 0x20 && b != b'\t') || b == 0x7f || b"\"():<>?@[\\]{}".contains(&b)
}

/// The `type` and `subtype` of a MIME type (WHATWG MIME Sniffing "parse a MIME type"; the
/// parameters never make parsing fail, so they are not read).
fn mime_essence(value: &str) -> Option<(&str, &str)> {
    let value = trim_http_whitespace(value);
    let (ty, rest) = value.split_once('/')?;
    let subtype = rest.split(';').next().unwrap_or_default();
    let subtype = subtype.trim_end_matches(is_http_whitespace);
    (super::headers::is_token(ty) && super::headers::is_token(subtype)).then_some((ty, subtype))
}

/// Fetch's "parse a single range header value" without whitespace, then the safelist's extra
/// rule that the start must be present (`bytes=-500` is not safelisted).
fn simple_range_has_start(value: &str) -> bool {
    let Some(range) = value.strip_prefix("bytes=") else {
        return false;
    };
    let Some((start, end)) = range.split_once('-') else {
        return false;
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if start.is_empty() || !digits(start) || !digits(end) {
        return false;
    }
    end.is_empty() || compare_decimal(start, end).is_le()
}

/// Orders two ASCII digit strings by value, whatever their length (no overflow).
fn compare_decimal(a: &str, b: &str) -> std::cmp::Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn is_http_whitespace(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' ')
}

/// Fetch normalizes header values by removing leading and trailing HTTP whitespace.
pub(crate) fn trim_http_whitespace(value: &str) -> &str {
    value.trim_matches(is_http_whitespace)
}

/// Fetch's "CORS-unsafe request-header names" before sorting: the names of `headers` that need
/// a preflight, in request order, possibly repeated. Allocation-free; callers that need the
/// sorted set collect it.
pub(crate) fn unsafe_names(headers: &[(String, String)]) -> impl Iterator<Item = &str> + Clone {
    let safelisted = |name: &str, value: &str| {
        is_cors_safelisted_request_header(name, trim_http_whitespace(value))
    };
    let total: usize = headers
        .iter()
        .filter(|(n, v)| safelisted(n, v))
        .map(|(_, v)| trim_http_whitespace(v).len())
        .sum();
    let over_budget = total > MAX_SAFELISTED_TOTAL_LEN;
    headers
        .iter()
        .filter(move |(n, v)| over_budget || !safelisted(n, v))
        .map(|(n, _)| n.as_str())
}

/// The `Access-Control-Request-Headers` names: lower-cased, sorted, de-duplicated.
pub fn cors_unsafe_request_header_names(headers: &[(String, String)]) -> Vec<String> {
    let mut names: Vec<String> = unsafe_names(headers).map(str::to_ascii_lowercase).collect();
    names.sort_unstable();
    names.dedup();
    names
}
