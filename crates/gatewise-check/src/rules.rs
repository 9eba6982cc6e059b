//! The catalogue of rules: stable ids (scripts, SARIF and docs refer to them), default
//! severities, and one line on what each finds. SARIF lists every rule up front, so they live
//! here in one table rather than scattered through the rule modules.

use std::fmt;

/// How bad a finding is. `Error`: the API will not work from a browser (or not deploy);
/// `Warning`: some calls will be refused; `Info`: worth knowing, nothing breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    /// As printed in text and JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One rule of the doctor.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
}

pub const REST_CORS_UNQUOTED_VALUE: Rule = Rule {
    id: "rest-cors-unquoted-value",
    severity: Severity::Error,
    summary: "A REST CORS value is not a quoted mapping expression: deploy fails with \"Invalid mapping expression specified\" (spec 1.8).",
};
pub const REST_CORS_MULTIPLE_ORIGINS: Rule = Rule {
    id: "rest-cors-multiple-origins",
    severity: Severity::Error,
    summary: "A REST Access-Control-Allow-Origin literal lists several origins; browsers accept exactly one (spec 1.10).",
};
pub const REST_CORS_CREDENTIALS_WILDCARD: Rule = Rule {
    id: "rest-cors-credentials-wildcard",
    severity: Severity::Error,
    summary: "Access-Control-Allow-Credentials 'true' with Allow-Origin '*': browsers refuse every credentialed request.",
};
pub const REST_CORS_NO_ALLOW_HEADERS: Rule = Rule {
    id: "rest-cors-no-allow-headers",
    severity: Severity::Warning,
    summary: "The REST preflight answers without Access-Control-Allow-Headers (e.g. Cors in string form): a JSON POST preflight fails (spec 1.7).",
};
pub const REST_PROXY_HANDLER_NO_CORS: Rule = Rule {
    id: "rest-proxy-handler-no-cors",
    severity: Severity::Warning,
    summary: "A Lambda proxy handler never sets Access-Control-Allow-Origin; REST APIs add none to its responses (spec 1.11, 4.1).",
};
pub const REST_GATEWAY_RESPONSES_NO_CORS: Rule = Rule {
    id: "rest-gateway-responses-no-cors",
    severity: Severity::Warning,
    summary: "A REST API with CORS has no DEFAULT_4XX / DEFAULT_5XX gateway response adding Access-Control-Allow-Origin: its errors are unreadable (spec 1.12, 3).",
};
pub const REST_INTEGRATION_ERROR_NO_CORS: Rule = Rule {
    id: "rest-integration-error-no-cors",
    severity: Severity::Warning,
    summary: "A non-proxy (AWS Lambda custom or MOCK) integration maps Access-Control-Allow-Origin on its 2xx integration response but not on an error one: those errors reach the page as opaque CORS failures (GatewayResponses do not cover integration responses).",
};
pub const REST_PREFLIGHT_API_KEY: Rule = Rule {
    id: "rest-preflight-api-key",
    severity: Severity::Error,
    summary: "The OPTIONS preflight requires an API key; browsers never send one, so it gets 403 (spec 9.2, 9.4).",
};
pub const REST_PREFLIGHT_AUTHORIZER: Rule = Rule {
    id: "rest-preflight-authorizer",
    severity: Severity::Error,
    summary: "An authorizer protects the OPTIONS preflight; browsers send no credentials on it, so it gets 401/403 (spec 9.1, 9.4).",
};
pub const REST_PREFLIGHT_METHODS_INCOMPLETE: Rule = Rule {
    id: "rest-preflight-methods-incomplete",
    severity: Severity::Warning,
    summary: "The OPTIONS MOCK's Access-Control-Allow-Methods omits a method the resource declares: browsers refuse that method.",
};
pub const CORS_WILDCARD_ALLOW_HEADERS: Rule = Rule {
    id: "cors-wildcard-allow-headers",
    severity: Severity::Warning,
    summary: "Access-Control-Allow-Headers '*' does not cover Authorization in Firefox and Safari (WHATWG Fetch; Chromium lets it), and means nothing for credentialed requests.",
};
pub const CORS_MAX_AGE_CAPPED: Rule = Rule {
    id: "cors-max-age-capped",
    severity: Severity::Info,
    summary: "Access-Control-Max-Age above what browsers honour (Chromium 7200 s, Firefox 86400 s) is silently cut.",
};
pub const HTTP_AUTHORIZER_CATCHES_PREFLIGHT: Rule = Rule {
    id: "http-authorizer-catches-preflight",
    severity: Severity::Error,
    summary: "An authorized ANY / $default HTTP API route receives the preflights, which carry no token: 401 (spec 8.5).",
};
pub const HTTP_CORS_ORIGIN_NOT_SERIALIZED: Rule = Rule {
    id: "http-cors-origin-not-serialized",
    severity: Severity::Error,
    summary: "An HTTP API AllowOrigins entry has a path or trailing slash; a browser Origin never does, so it never matches (spec 8.6).",
};
pub const HTTP_CORS_NO_ALLOW_HEADERS: Rule = Rule {
    id: "http-cors-no-allow-headers",
    severity: Severity::Warning,
    summary: "HTTP API CorsConfiguration without AllowHeaders: a JSON POST preflight (content-type) fails (spec 8.7).",
};

/// Every rule, in the order documentation and SARIF list them.
pub const RULES: &[&Rule] = &[
    &REST_CORS_UNQUOTED_VALUE,
    &REST_CORS_MULTIPLE_ORIGINS,
    &REST_CORS_CREDENTIALS_WILDCARD,
    &REST_CORS_NO_ALLOW_HEADERS,
    &REST_PROXY_HANDLER_NO_CORS,
    &REST_GATEWAY_RESPONSES_NO_CORS,
    &REST_INTEGRATION_ERROR_NO_CORS,
    &REST_PREFLIGHT_API_KEY,
    &REST_PREFLIGHT_AUTHORIZER,
    &REST_PREFLIGHT_METHODS_INCOMPLETE,
    &CORS_WILDCARD_ALLOW_HEADERS,
    &CORS_MAX_AGE_CAPPED,
    &HTTP_AUTHORIZER_CATCHES_PREFLIGHT,
    &HTTP_CORS_ORIGIN_NOT_SERIALIZED,
    &HTTP_CORS_NO_ALLOW_HEADERS,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_unique_and_kebab_case() {
        let mut ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        assert!(
            ids.iter()
                .all(|id| id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'))
        );
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), RULES.len());
    }
}
