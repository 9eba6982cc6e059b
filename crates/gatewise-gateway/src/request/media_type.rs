//! Request plumbing for Phases 3b, 4 and 5: `binaryMediaTypes` matching, shared by request
//! bodies (spec 6.6) and responses (7.8), and the bare media type of `Content-Type`, which
//! picks request templates (4.3) and request models (V.4).

/// The content type assumed when a request has none (spec 4.3, V.4): preflights normally carry
/// none and still reach the `application/json` template; a bodyless GET is validated against
/// the `application/json` model.
const DEFAULT_REQUEST_MEDIA_TYPE: &str = "application/json";

/// The media type a request's `Content-Type` header gives (parameters dropped), or
/// `application/json` when it has none.
pub(crate) fn request_media_type(content_type: Option<&str>) -> &str {
    content_type
        .map(first_media_type)
        .filter(|t| !t.is_empty())
        .unwrap_or(DEFAULT_REQUEST_MEDIA_TYPE)
}

/// The bare media type of a `Content-Type` or of the **first** entry of an `Accept` header:
/// parameters dropped, surrounding whitespace trimmed (spec 7.8 looks only at the first).
pub(crate) fn first_media_type(header: &str) -> &str {
    let first = header.split(',').next().unwrap_or("");
    first.split(';').next().unwrap_or("").trim()
}

/// Whether `media_type` matches one of the API's `binaryMediaTypes`: exactly
/// (case-insensitively), through a right-side wildcard (`image/*` covers `image/png`), or
/// through `*/*`, which covers everything. A wildcard in the *request* is not expanded
/// (`Accept: */*` does not match `image/png`), as recorded on AWS (spec 7.8).
pub(crate) fn is_binary(media_type: &str, binary_media_types: &[String]) -> bool {
    if media_type.is_empty() {
        return false;
    }
    binary_media_types.iter().any(|binary| {
        binary == "*/*"
            || binary.eq_ignore_ascii_case(media_type)
            || binary.strip_suffix("/*").is_some_and(|top| {
                media_type
                    .split_once('/')
                    .is_some_and(|(t, _)| t.eq_ignore_ascii_case(top))
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_7_8_binary_media_type_matching() {
        let types = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let cases: &[(&str, &[&str], bool)] = &[
            ("image/png", &["image/png"], true),
            ("IMAGE/PNG", &["image/png"], true),
            ("image/png", &["image/*"], true),
            ("image/png", &["*/*"], true),
            ("*/*", &["image/png"], false),
            ("image/*", &["image/png"], false),
            ("image/png", &["*/png"], false),
            ("text/plain", &["image/*"], false),
            ("", &["image/*"], false),
            ("image/png", &[], false),
        ];
        for (media, list, want) in cases {
            assert_eq!(is_binary(media, &types(list)), *want, "{media} vs {list:?}");
        }
    }

    #[test]
    fn rule_7_8_only_the_first_accept_entry_counts() {
        assert_eq!(first_media_type("image/png;q=0.9, text/html"), "image/png");
        assert_eq!(first_media_type(" text/html ,image/png"), "text/html");
        assert_eq!(
            first_media_type("application/json; charset=utf-8"),
            "application/json"
        );
        assert_eq!(first_media_type(""), "");
    }

    #[test]
    fn rule_4_3_and_v_4_a_request_without_content_type_is_json() {
        let cases = [
            (None, "application/json"),
            (Some(""), "application/json"),
            (Some("text/plain; charset=utf-8"), "text/plain"),
            (Some("Application/JSON"), "Application/JSON"),
        ];
        for (header, want) in cases {
            assert_eq!(request_media_type(header), want, "{header:?}");
        }
    }
}
