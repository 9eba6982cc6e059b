//! Request plumbing for Phase 4a: query-string decoding for payload 1.0 (spec 6.3), which
//! payload 2.0 reuses.

use std::borrow::Cow;

use indexmap::IndexMap;
use percent_encoding::percent_decode;

/// Decoded query parameters: every key once, in first-occurrence order, with all its values
/// in order. `queryStringParameters` takes the last value, `multiValueQueryStringParameters`
/// all of them (spec 6.3).
pub(crate) type QueryParams<'a> = IndexMap<Cow<'a, str>, Vec<Cow<'a, str>>>;

/// Decodes a raw query string (without `?`): `+` is a space, `%XX` escapes are decoded
/// (so `%2B` is `+`), invalid escapes are kept as written, and bytes that are not UTF-8
/// become U+FFFD. A fragment (`#…`), should a client send one, is dropped. A key without
/// `=` gets an empty value; empty pairs (`a=1&&b=2`) are skipped.
pub(crate) fn decode_query(raw: &str) -> QueryParams<'_> {
    let raw = raw.split_once('#').map_or(raw, |(q, _)| q);
    let mut params = QueryParams::new();
    for pair in raw.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        params
            .entry(decode_component(key))
            .or_default()
            .push(decode_component(value));
    }
    params
}

fn decode_component(raw: &str) -> Cow<'_, str> {
    if !raw.contains(['+', '%']) {
        return Cow::Borrowed(raw);
    }
    let spaced = raw.replace('+', " ");
    Cow::Owned(
        percent_decode(spaced.as_bytes())
            .decode_utf8_lossy()
            .into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(raw: &str) -> Vec<(String, Vec<String>)> {
        decode_query(raw)
            .into_iter()
            .map(|(k, v)| (k.into_owned(), v.into_iter().map(Cow::into_owned).collect()))
            .collect()
    }

    fn pairs(list: &[(&str, &[&str])]) -> Vec<(String, Vec<String>)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
            .collect()
    }

    type Expected<'a> = &'a [(&'a str, &'a [&'a str])];

    #[test]
    fn rule_6_3_query_decoding() {
        let cases: &[(&str, Expected<'_>)] = &[
            ("urlparam=test", &[("urlparam", &["test"])]),
            (
                "email=test%2Balias@gmail.com",
                &[("email", &["test+alias@gmail.com"])],
            ),
            (
                "plus=test+alias@gmail.com",
                &[("plus", &["test alias@gmail.com"])],
            ),
            (
                "dateTimeOffset=2023-06-12T18:05:10.123456+00:00",
                &[("dateTimeOffset", &["2023-06-12T18:05:10.123456 00:00"])],
            ),
            ("whitespace=foo%20bar", &[("whitespace", &["foo bar"])]),
            (
                "url=https://www.google.com/",
                &[("url", &["https://www.google.com/"])],
            ),
            ("zhash=abort/#ignored=x", &[("zhash", &["abort/"])]),
            (
                "category=electronics&category=books&price=10&price=20&price=30",
                &[
                    ("category", &["electronics", "books"]),
                    ("price", &["10", "20", "30"]),
                ],
            ),
            ("flag", &[("flag", &[""])]),
            ("a=1&&b=", &[("a", &["1"]), ("b", &[""])]),
            (
                "bad=%zz%&x=%E2%82",
                &[("bad", &["%zz%"]), ("x", &["\u{FFFD}"])],
            ),
            ("k%3Dx=v%3D", &[("k=x", &["v="])]),
            ("", &[]),
        ];
        for (raw, want) in cases {
            assert_eq!(flat(raw), pairs(want), "query {raw:?}");
        }
    }
}
