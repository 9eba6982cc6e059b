//! JSONPath for `$input.path` and `$input.json`, evaluated with `serde_json_path` (RFC 9535)
//! after rewriting the Jayway habits API Gateway users rely on.

use serde_json_path::JsonPath;

/// UNCONFIRMED: Jayway semantics, which AWS documents ("JSONPath for Java"): a *definite* path
/// (no `..`, `*`, filter, slice or union) yields the single value or null, an *indefinite* one
/// always a list, even with one match. When false, an indefinite path with exactly one match
/// yields that value, as LocalStack does.
pub const INDEFINITE_PATH_ALWAYS_LIST: bool = true;

/// What a path selected.
pub(crate) enum Selection<'a> {
    Missing,
    One(&'a serde_json::Value),
    Many(Vec<&'a serde_json::Value>),
}

/// Evaluates `path` against `document`. The error text says what is wrong with the path.
pub(crate) fn select<'a>(
    document: &'a serde_json::Value,
    path: &str,
) -> Result<Selection<'a>, String> {
    let normalized = normalize(path);
    let compiled = JsonPath::parse(&normalized)
        .map_err(|error| format!("invalid JSONPath {path:?}: {error}"))?;
    let nodes = compiled.query(document).all();
    let definite = is_definite(&normalized);
    Ok(match (nodes.len(), definite) {
        (0, true) => Selection::Missing,
        (1, true) => Selection::One(nodes[0]),
        (1, false) if !INDEFINITE_PATH_ALWAYS_LIST => Selection::One(nodes[0]),
        _ => Selection::Many(nodes),
    })
}

/// Rewrites Jayway spellings into RFC 9535: a missing `$` is added (`foo.bar` → `$.foo.bar`),
/// and dotted names RFC 9535 does not allow as shorthand (`$.content-type`) become bracketed.
fn normalize(path: &str) -> String {
    let path = path.trim();
    let path = if path.starts_with('$') {
        path.to_owned()
    } else if path.starts_with('[') {
        format!("${path}")
    } else if path.is_empty() {
        "$".to_owned()
    } else {
        format!("$.{path}")
    };
    let chars: Vec<char> = path.chars().collect();
    let mut out = String::with_capacity(path.len());
    let mut index = 0;
    while index < chars.len() {
        match chars[index] {
            '[' => {
                let end = bracket_end(&chars, index);
                out.extend(&chars[index..end]);
                index = end;
            }
            '.' => {
                out.push('.');
                index += 1;
                if chars.get(index) == Some(&'.') {
                    out.push('.');
                    index += 1;
                }
                let start = index;
                while index < chars.len() && chars[index] != '.' && chars[index] != '[' {
                    index += 1;
                }
                let name: String = chars[start..index].iter().collect();
                if name == "*" || is_shorthand_name(&name) {
                    out.push_str(&name);
                } else if !name.is_empty() {
                    if out.ends_with("..") {
                        // `..['name']` is the RFC 9535 descendant form.
                    } else {
                        out.pop();
                    }
                    out.push_str("['");
                    out.push_str(&name.replace('\\', "\\\\").replace('\'', "\\'"));
                    out.push_str("']");
                }
            }
            other => {
                out.push(other);
                index += 1;
            }
        }
    }
    out
}

/// The index just past the `]` matching the `[` at `open`, skipping quoted strings.
fn bracket_end(chars: &[char], open: usize) -> usize {
    let mut depth = 0;
    let mut quote: Option<char> = None;
    let mut index = open;
    while index < chars.len() {
        let ch = chars[index];
        match quote {
            Some(q) => {
                if ch == '\\' {
                    index += 1;
                } else if ch == q {
                    quote = None;
                }
            }
            None => match ch {
                '\'' | '"' => quote = Some(ch),
                '[' => depth += 1,
                ']' => {
                    depth -= 1;
                    if depth == 0 {
                        return index + 1;
                    }
                }
                _ => {}
            },
        }
        index += 1;
    }
    chars.len()
}

fn is_shorthand_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_' || !first.is_ascii())
        && chars.all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || !ch.is_ascii())
}

/// Jayway's notion of a definite path: one that can select at most one node.
fn is_definite(normalized: &str) -> bool {
    let mut quote: Option<char> = None;
    let mut previous = '\0';
    let mut bracket_depth = 0;
    for ch in normalized.chars() {
        if let Some(q) = quote {
            if ch == q && previous != '\\' {
                quote = None;
            }
        } else {
            match ch {
                '\'' | '"' => quote = Some(ch),
                '[' => bracket_depth += 1,
                ']' => bracket_depth -= 1,
                '*' | '?' => return false,
                '.' if previous == '.' => return false,
                ':' | ',' if bracket_depth > 0 => return false,
                _ => {}
            }
        }
        previous = ch;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jayway_spellings_become_rfc_9535() {
        let cases = [
            ("$.a.b", "$.a.b"),
            ("a.b", "$.a.b"),
            ("$.content-type", "$['content-type']"),
            ("$..content-type", "$..['content-type']"),
            ("$['x'][0]", "$['x'][0]"),
            ("", "$"),
            ("$.items[?(@.p > 1)]", "$.items[?(@.p > 1)]"),
        ];
        for (path, expected) in cases {
            assert_eq!(normalize(path), expected, "{path}");
        }
    }

    #[test]
    fn definite_and_indefinite_paths() {
        for path in ["$", "$.a.b", "$.a[0]", "$['a.b']", "$['a*']"] {
            assert!(is_definite(&normalize(path)), "{path}");
        }
        for path in [
            "$..a",
            "$.a[*]",
            "$.a.*",
            "$.a[?(@.b)]",
            "$.a[0:2]",
            "$.a[0,1]",
        ] {
            assert!(!is_definite(&normalize(path)), "{path}");
        }
    }
}
