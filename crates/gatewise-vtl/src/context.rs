//! The `$context` skeleton the gateway fills in, and reading back the overrides a template set.

use indexmap::IndexMap;

use crate::text::java_double_to_string;
use crate::value::Value;

/// The `$context` keys in the order AWS enumerates them with `$context.keySet()` (recorded,
/// `test_sqs_amz_json_protocol`). `authorizer` is appended by the caller when an authorizer ran.
pub const CONTEXT_KEYS: [&str; 18] = [
    "resourceId",
    "resourcePath",
    "httpMethod",
    "extendedRequestId",
    "requestTime",
    "path",
    "accountId",
    "protocol",
    "requestOverride",
    "stage",
    "domainPrefix",
    "requestTimeEpoch",
    "requestId",
    "identity",
    "domainName",
    "deploymentId",
    "responseOverride",
    "apiId",
];

/// `$context.identity` keys in AWS's `keySet()` order (recorded, same test).
pub const IDENTITY_KEYS: [&str; 12] = [
    "cognitoIdentityPoolId",
    "accountId",
    "cognitoIdentityId",
    "caller",
    "sourceIp",
    "principalOrgId",
    "accessKey",
    "cognitoAuthenticationType",
    "cognitoAuthenticationProvider",
    "userArn",
    "userAgent",
    "user",
];

/// A `$context` with every key in recorded order: scalars are null (they render empty until
/// the caller sets them, e.g. with [`Value::set_path`]), `identity` holds null for each
/// [`IDENTITY_KEYS`] entry, `requestOverride` holds empty `path`, `header`, `querystring`
/// maps and `responseOverride` an empty `header` map.
pub fn context_skeleton() -> Value {
    let empty = || Value::Map(IndexMap::new());
    let mut context = IndexMap::new();
    for key in CONTEXT_KEYS {
        let value = match key {
            "identity" => Value::Map(
                IDENTITY_KEYS
                    .iter()
                    .map(|k| ((*k).to_owned(), Value::Null))
                    .collect(),
            ),
            "requestOverride" => Value::Map(
                ["path", "header", "querystring"]
                    .into_iter()
                    .map(|k| (k.to_owned(), empty()))
                    .collect(),
            ),
            "responseOverride" => {
                Value::Map([("header".to_owned(), empty())].into_iter().collect())
            }
            _ => Value::Null,
        };
        context.insert(key.to_owned(), value);
    }
    Value::Map(context)
}

/// What templates overrode through `$context.requestOverride` / `$context.responseOverride`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    pub request_path: IndexMap<String, String>,
    pub request_querystring: IndexMap<String, String>,
    pub request_header: IndexMap<String, String>,
    pub response_header: IndexMap<String, String>,
    pub response_status: Option<u16>,
}

/// Reads the overrides out of a rendered `$context`. Values print as templates print them
/// (`444` → `"444"`); null entries are skipped. A status that is not an integer from 100 to 599
/// is an error, which the gateway turns into a 5XX.
pub fn overrides(context: &Value) -> Result<Overrides, String> {
    let section = |path: &[&str]| -> Result<IndexMap<String, String>, String> {
        match context.get_path(path) {
            None | Some(Value::Null) => Ok(IndexMap::new()),
            Some(Value::Map(entries)) => Ok(entries
                .iter()
                .filter(|(_, value)| !matches!(value, Value::Null))
                .map(|(key, value)| (key.clone(), scalar_text(value)))
                .collect()),
            Some(_) => Err(format!("$context.{} must be a map", path.join("."))),
        }
    };
    let response_status = match context.get_path(&["responseOverride", "status"]) {
        None | Some(Value::Null) => None,
        Some(value) => {
            let text = scalar_text(value);
            let status = text
                .trim()
                .parse::<u16>()
                .ok()
                .filter(|status| (100..=599).contains(status))
                .ok_or_else(|| {
                    format!("$context.responseOverride.status must be an HTTP status code (100-599), got {text:?}")
                })?;
            Some(status)
        }
    };
    Ok(Overrides {
        request_path: section(&["requestOverride", "path"])?,
        request_querystring: section(&["requestOverride", "querystring"])?,
        request_header: section(&["requestOverride", "header"])?,
        response_header: section(&["responseOverride", "header"])?,
        response_status,
    })
}

/// The text of an override value: scalars as Java prints them; collections as compact JSON.
fn scalar_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(flag) => flag.to_string(),
        Value::Int(int) => int.to_string(),
        Value::Float(float) => java_double_to_string(*float),
        Value::String(text) => text.clone(),
        Value::List(_) | Value::Map(_) => to_json(value).to_string(),
    }
}

fn to_json(value: &Value) -> serde_json::Value {
    match value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(flag) => serde_json::Value::Bool(*flag),
        Value::Int(int) => serde_json::Value::from(*int),
        Value::Float(float) => serde_json::Value::from(*float),
        Value::String(text) => serde_json::Value::String(text.clone()),
        Value::List(items) => serde_json::Value::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => serde_json::Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), to_json(v)))
                .collect(),
        ),
    }
}
