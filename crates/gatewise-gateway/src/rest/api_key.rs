//! Phase 3, **authorize**, its second check for REST APIs: API keys (spec 5.5, 9.2, 9.5). A
//! method with `apiKeyRequired` refuses requests without a valid key — OPTIONS included,
//! which is how SAM's `Auth.ApiKeyRequired` breaks browser preflights (spec 9.4).
//!
//! Simplification (spec 9.5): a key is valid when it is an enabled key of the template or
//! one given with `--api-key`; usage plans and their stage attachments are not modelled.

use gatewise_model::ApiKey;

/// Why a request's API key was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyProblem {
    /// No key (or an empty one); for `ApiKeySource::Authorizer`, the authorizer returned no
    /// `usageIdentifierKey`.
    Missing,
    /// A key nobody declared.
    Unknown,
    /// A declared key with `Enabled: false`.
    Disabled,
}

impl std::fmt::Display for KeyProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            KeyProblem::Missing => "no API key was sent",
            KeyProblem::Unknown => "the API key is not one of the template's keys nor an --api-key",
            KeyProblem::Disabled => "the API key is disabled (Enabled: false)",
        })
    }
}

/// The request header a key is read from when `apiKeySource` is `HEADER` (matched
/// case-insensitively, as every header name).
pub(crate) const API_KEY_HEADER: &str = "x-api-key";

/// Checks `key` against the template's keys and the extra ones.
pub(crate) fn check(
    key: Option<&str>,
    keys: &[ApiKey],
    extra: &[String],
) -> Result<(), KeyProblem> {
    let key = key.filter(|k| !k.is_empty()).ok_or(KeyProblem::Missing)?;
    if extra.iter().any(|k| k == key) {
        return Ok(());
    }
    let mut disabled = false;
    for declared in keys.iter().filter(|k| k.value == key) {
        if declared.enabled {
            return Ok(());
        }
        disabled = true;
    }
    Err(if disabled {
        KeyProblem::Disabled
    } else {
        KeyProblem::Unknown
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::api_key;

    #[test]
    fn rule_5_5_and_9_5_key_validity() {
        let keys = [api_key("good", true), api_key("off", false)];
        let extra = ["cli-key".to_owned()];
        let cases: &[(Option<&str>, Result<(), KeyProblem>)] = &[
            (None, Err(KeyProblem::Missing)),
            (Some(""), Err(KeyProblem::Missing)),
            (Some("good"), Ok(())),
            (Some("GOOD"), Err(KeyProblem::Unknown)),
            (Some("off"), Err(KeyProblem::Disabled)),
            (Some("cli-key"), Ok(())),
            (Some("nope"), Err(KeyProblem::Unknown)),
        ];
        for (key, want) in cases {
            assert_eq!(check(*key, &keys, &extra), *want, "{key:?}");
        }
    }
}
