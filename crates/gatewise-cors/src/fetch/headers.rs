//! A read-only view of response header lines, and the `#token` list grammar the
//! `Access-Control-*` headers share.
//!
//! Browsers see every header line, so the view keeps duplicates: two
//! `Access-Control-Allow-Origin` lines are a different (blocked) response from one.

use std::borrow::Cow;

use http::HeaderMap;

/// The header lines of one response, names compared case-insensitively, every line kept in
/// order (duplicates matter: Fetch combines them into `a, b`).
///
/// It borrows whatever the caller already holds — `(name, value)` pairs or an
/// [`http::HeaderMap`] — so checking a response allocates nothing unless it is blocked.
#[derive(Debug, Clone, Copy)]
pub struct ResponseHeaders<'a> {
    source: Source<'a>,
}

#[derive(Debug, Clone, Copy)]
enum Source<'a> {
    Pairs(&'a [(&'a str, &'a str)]),
    Owned(&'a [(String, String)]),
    Map(&'a HeaderMap),
}

impl<'a> ResponseHeaders<'a> {
    /// Lines given as borrowed pairs (tests, hand-built responses).
    pub fn from_pairs(pairs: &'a [(&'a str, &'a str)]) -> Self {
        Self {
            source: Source::Pairs(pairs),
        }
    }

    /// Lines given as owned pairs (a function's proxy response, a rendered gateway response).
    pub fn from_owned(pairs: &'a [(String, String)]) -> Self {
        Self {
            source: Source::Owned(pairs),
        }
    }

    /// Lines of an [`http::HeaderMap`], every value of every name. A value that is not UTF-8
    /// reads as U+FFFD: it can match no origin or token, which is what a browser concludes too.
    pub fn from_header_map(map: &'a HeaderMap) -> Self {
        Self {
            source: Source::Map(map),
        }
    }

    /// Every line, in order, values as received.
    pub fn lines(&self) -> impl Iterator<Item = (&'a str, &'a str)> + use<'a> {
        let (pairs, owned, map) = match self.source {
            Source::Pairs(p) => (Some(p.iter()), None, None),
            Source::Owned(o) => (None, Some(o.iter()), None),
            Source::Map(m) => (None, None, Some(m.iter())),
        };
        let pairs = pairs.into_iter().flatten().map(|(n, v)| (*n, *v));
        let owned = owned
            .into_iter()
            .flatten()
            .map(|(n, v)| (n.as_str(), v.as_str()));
        let map = map
            .into_iter()
            .flatten()
            .map(|(n, v)| (n.as_str(), value_text(v)));
        pairs.chain(owned).chain(map)
    }

    /// Values of every line named `name` (case-insensitively), with surrounding spaces and tabs
    /// removed as an HTTP parser does.
    pub fn get_all<'n>(&self, name: &'n str) -> impl Iterator<Item = &'a str> + use<'a, 'n> {
        // A header map is asked by name (a hash lookup) rather than scanned: the gateway reads
        // five or six names of every cross-origin response.
        let (scanned, mapped) = match self.source {
            Source::Map(map) => (None, Some(map.get_all(name).iter().map(value_text))),
            _ => (
                Some(
                    self.lines()
                        .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
                        .map(|(_, v)| v),
                ),
                None,
            ),
        };
        scanned
            .into_iter()
            .flatten()
            .chain(mapped.into_iter().flatten())
            .map(trim_ows)
    }

    /// The value Fetch's "get" returns: every line named `name` joined with `, `; borrowed when
    /// there is a single line.
    pub fn get(&self, name: &str) -> Option<Cow<'a, str>> {
        let mut values = self.get_all(name);
        let first = values.next()?;
        let Some(second) = values.next() else {
            return Some(Cow::Borrowed(first));
        };
        let mut joined = format!("{first}, {second}");
        for value in values {
            joined.push_str(", ");
            joined.push_str(value);
        }
        Some(Cow::Owned(joined))
    }
}

/// A header value as text; one that is not UTF-8 reads as U+FFFD (see
/// [`ResponseHeaders::from_header_map`]).
fn value_text(value: &http::HeaderValue) -> &str {
    value
        .to_str()
        .ok()
        .or_else(|| std::str::from_utf8(value.as_bytes()).ok())
        .unwrap_or("\u{FFFD}")
}

/// Strips HTTP optional whitespace (space, tab) from both ends.
pub(crate) fn trim_ows(value: &str) -> &str {
    value.trim_matches([' ', '\t'])
}

/// Whether `s` is an RFC 9110 `token` (what a method or header name must be).
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'!' | b'#'
                        | b'$'
                        | b'%'
                        | b'&'
                        | b'\''
                        | b'*'
                        | b'+'
                        | b'-'
                        | b'.'
                        | b'^'
                        | b'_'
                        | b'`'
                        | b'|'
                        | b'~'
                )
        })
}

/// A `#token` list header (Allow-Methods, Allow-Headers, Expose-Headers) read across all its
/// lines, already validated, iterated without copying.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TokenList<'a> {
    headers: ResponseHeaders<'a>,
    name: &'static str,
}

impl<'a> TokenList<'a> {
    /// Fetch's "extract header list values": the items of every `name` line, split on commas,
    /// spaces trimmed, empty items skipped (Chromium's reading of `#rule`). `Err` carries the
    /// first item that is not a token — the preflight is then a network error.
    pub(crate) fn parse(headers: ResponseHeaders<'a>, name: &'static str) -> Result<Self, &'a str> {
        let list = Self { headers, name };
        match list.items().find(|item| !is_token(item)) {
            Some(bad) => Err(bad),
            None => Ok(list),
        }
    }

    pub(crate) fn items(&self) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .get_all(self.name)
            .flat_map(|value| value.split(','))
            .map(trim_ows)
            .filter(|item| !item.is_empty())
    }

    pub(crate) fn contains_exact(&self, wanted: &str) -> bool {
        self.items().any(|item| item == wanted)
    }

    pub(crate) fn contains_ignore_case(&self, wanted: &str) -> bool {
        self.items().any(|item| item.eq_ignore_ascii_case(wanted))
    }
}
