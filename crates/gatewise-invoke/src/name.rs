//! The function an Invoke names: `FunctionName` as a name, `name:qualifier`, a full ARN or a
//! partial ARN (`123456789012:function:name`), URL-encoded in the path, and `?Qualifier=`.

use percent_encoding::percent_decode_str;

/// A parsed `FunctionName`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionName {
    /// The function's name (or logical id).
    pub name: String,
    /// `:qualifier` or `?Qualifier=` (a version or alias), when given.
    pub qualifier: Option<String>,
}

impl FunctionName {
    /// Parses the `{FunctionName}` path segment (still URL-encoded) and the query's
    /// `Qualifier`, which wins over a `:qualifier` suffix.
    pub fn parse(raw: &str, query_qualifier: Option<&str>) -> Self {
        let decoded = percent_decode_str(raw).decode_utf8_lossy();
        let parts: Vec<&str> = decoded.split(':').collect();
        // arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]
        // ACCOUNT:function:NAME[:QUALIFIER]
        // NAME[:QUALIFIER]
        let after_function = parts.iter().position(|p| *p == "function").map(|i| i + 1);
        let (name, qualifier) = match after_function {
            Some(at) if at < parts.len() => (parts[at], parts.get(at + 1).copied()),
            _ => (parts[0], parts.get(1).copied()),
        };
        FunctionName {
            name: name.to_owned(),
            qualifier: query_qualifier
                .or(qualifier)
                .filter(|q| !q.is_empty())
                .map(str::to_owned),
        }
    }
}

/// `Qualifier` from a query string.
pub fn qualifier_from_query(query: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key == "Qualifier").then(|| percent_decode_str(value).decode_utf8_lossy().into_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_arns_and_qualifiers() {
        let cases: &[(&str, Option<&str>, &str, Option<&str>)] = &[
            ("Hello", None, "Hello", None),
            ("Hello:live", None, "Hello", Some("live")),
            (
                "arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3AHello",
                None,
                "Hello",
                None,
            ),
            (
                "arn:aws:lambda:us-east-1:123456789012:function:Hello:$LATEST",
                None,
                "Hello",
                Some("$LATEST"),
            ),
            ("123456789012:function:Hello", None, "Hello", None),
            ("Hello:live", Some("prod"), "Hello", Some("prod")),
        ];
        for (raw, query, name, qualifier) in cases {
            let parsed = FunctionName::parse(raw, *query);
            assert_eq!(parsed.name, *name, "{raw}");
            assert_eq!(parsed.qualifier.as_deref(), *qualifier, "{raw}");
        }
        assert_eq!(
            qualifier_from_query("a=b&Qualifier=%24LATEST"),
            Some("$LATEST".to_owned())
        );
        assert_eq!(qualifier_from_query("a=b"), None);
    }
}
