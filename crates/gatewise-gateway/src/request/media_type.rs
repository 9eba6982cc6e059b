//! Request plumbing for Phases 4 and 5: `binaryMediaTypes` matching, shared by request
//! bodies (spec 6.6) and responses (7.8), and the bare media type of `Content-Type`.

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
}
