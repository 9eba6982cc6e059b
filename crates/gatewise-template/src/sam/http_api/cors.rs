//! SAM `CorsConfiguration` on an `AWS::Serverless::HttpApi` (spec §8.2): validated as SAM's
//! `_add_cors` validates it, then merged into the document's `x-amazon-apigateway-cors` the way
//! SAM's `OpenApiEditor.add_cors` does (the property wins per key). SAM creates no OPTIONS
//! routes for HTTP APIs: API Gateway answers preflights itself.
//!
//! SAM passes intrinsics other than parameter `Ref`s through to CloudFormation; gatewise
//! resolves them here (an `Fn::If` on a condition, say) because the local server needs values.

use gatewise_model::SourceLocation;

use super::sam_error;
use crate::LoadError;
use crate::document::intrinsics::Resolver;
use crate::document::value::{Map, Node, Value};
use crate::openapi::http::{CORS_KEYS, KeyStyle, X_CORS, key_name};

/// The property holding the configuration.
pub const PROPERTY: &str = "CorsConfiguration";
/// SAM's message when `CorsConfiguration` meets `DefinitionUri`.
pub const ERR_DEFINITION_URI: &str =
    "Cors works only with inline OpenApi specified in 'DefinitionBody' property.";
/// SAM's message for `AllowCredentials: true` with `AllowOrigins: ['*']`.
pub const ERR_CREDENTIALS_WILDCARD: &str = "Unable to add Cors configuration because 'AllowCredentials' can not be true when 'AllowOrigin' is \"'*'\" or not set.";
/// SAM's message for a value that is neither a boolean, an intrinsic nor a map (after its
/// parameter references are resolved).
pub const ERR_INVALID_VALUE: &str = "Invalid value for 'Cors' property.";
/// SAM's property-type check: a literal string (or list, number) is rejected up front.
pub const ERR_INVALID_TYPE: &str = "Type of property 'CorsConfiguration' is invalid.";
/// SAM's message when the document's own `x-amazon-apigateway-cors` is not a map.
pub const ERR_DOCUMENT_NOT_A_MAP: &str =
    "Value of 'x-amazon-apigateway-cors' must be a dictionary according to Swagger spec.";

/// What a `CorsConfiguration` amounts to once SAM's forms are told apart.
enum Form {
    /// `true`: `allowOrigins: ["*"]` and nothing else.
    Wildcard,
    /// A literal map: keys checked, values written only when set (SAM's `add_cors`).
    Literal(Map),
    /// An intrinsic resolving to a map: SAM renames its keys and merges it unchecked.
    Intrinsic(Map),
}

/// Applies the API's `CorsConfiguration` to `doc` (`None` when the API uses `DefinitionUri`,
/// which SAM refuses with CORS). Returns where the property is written when it applied.
pub fn apply(
    resolver: &mut Resolver<'_>,
    api: &str,
    props: &Map,
    doc: Option<&mut Node>,
) -> Result<Option<SourceLocation>, LoadError> {
    let Some(entry) = props.entry(PROPERTY) else {
        return Ok(None);
    };
    let at = entry.key_location.clone();
    let Some(form) = form(resolver, api, &entry.value, &at)? else {
        return Ok(None);
    };
    let Some(doc) = doc else {
        return Err(sam_error(&at, api, ERR_DEFINITION_URI));
    };
    let mut settings: Vec<(String, Node)> = Vec::new();
    match form {
        Form::Wildcard => settings.push((
            "allowOrigins".to_owned(),
            Node::new(Value::List(vec![Node::string("*", at.clone())]), at.clone()),
        )),
        Form::Intrinsic(map) => {
            for e in map.iter() {
                let camel = CORS_KEYS
                    .iter()
                    .find(|k| key_name(k, KeyStyle::Pascal) == e.key)
                    .map_or_else(|| e.key.clone(), |k| (*k).to_owned());
                settings.push((camel, e.value.clone()));
            }
        }
        Form::Literal(map) => settings = literal(resolver, api, &map, &at)?,
    }
    let Some(root) = doc.as_map_mut() else {
        return Ok(None);
    };
    let mut cors = match root.get(X_CORS) {
        None => Map::default(),
        Some(existing) => match resolver.resolve_shallow(existing)? {
            None => Map::default(),
            Some(Node {
                value: Value::Map(m),
                ..
            }) => m,
            Some(_) => return Err(sam_error(&at, api, ERR_DOCUMENT_NOT_A_MAP)),
        },
    };
    for (key, value) in settings {
        let key_at = value.location.clone();
        cors.set(&key, &key_at, value);
    }
    root.set(X_CORS, &at, Node::new(Value::Map(cors), at.clone()));
    Ok(Some(at))
}

/// Tells SAM's forms apart; `None` when the configuration is falsy (SAM skips it).
fn form(
    resolver: &mut Resolver<'_>,
    api: &str,
    raw: &Node,
    at: &SourceLocation,
) -> Result<Option<Form>, LoadError> {
    // SAM resolves parameter references before anything else.
    let (value, from_parameter) = match raw.intrinsic() {
        Some(("Ref", _)) => match resolver.resolve(raw)? {
            Some(v) => (v, true),
            None => return Ok(None),
        },
        _ => (raw.clone(), false),
    };
    match &value.value {
        Value::Null | Value::Bool(false) => Ok(None),
        Value::Bool(true) => Ok(Some(Form::Wildcard)),
        // A parameter's value arrives as text when given on the command line.
        Value::String(s) if from_parameter && s.eq_ignore_ascii_case("true") => {
            Ok(Some(Form::Wildcard))
        }
        Value::String(s) if from_parameter && (s.eq_ignore_ascii_case("false") || s.is_empty()) => {
            Ok(None)
        }
        Value::Map(_) if value.intrinsic().is_some() => match resolver.resolve(&value)? {
            None => Ok(None),
            Some(Node {
                value: Value::Map(m),
                ..
            }) => Ok((!m.is_empty()).then_some(Form::Intrinsic(m))),
            Some(Node {
                value: Value::Bool(b),
                ..
            }) => Ok(b.then_some(Form::Wildcard)),
            Some(other) => Err(LoadError::new(
                at.clone(),
                format!(
                    "HttpApi '{api}': {PROPERTY} resolves to {}; it must be true or a map of CORS settings",
                    other.kind()
                ),
            )),
        },
        Value::Map(m) if m.is_empty() => Ok(None),
        Value::Map(m) => Ok(Some(Form::Literal(m.clone()))),
        _ if from_parameter => Err(sam_error(at, api, ERR_INVALID_VALUE)),
        _ => Err(sam_error(at, api, ERR_INVALID_TYPE)),
    }
}

/// A literal map: SAM's key check, its credentials check, and the settings it writes (lists
/// and headers only when non-empty, `maxAge` when set, `allowCredentials` only when `true`).
fn literal(
    resolver: &mut Resolver<'_>,
    api: &str,
    map: &Map,
    at: &SourceLocation,
) -> Result<Vec<(String, Node)>, LoadError> {
    for e in map.iter() {
        if !CORS_KEYS
            .iter()
            .any(|k| key_name(k, KeyStyle::Pascal) == e.key)
        {
            return Err(sam_error(
                &e.key_location,
                api,
                &format!("Invalid key '{}' for 'Cors' property.", e.key),
            ));
        }
    }
    let mut out = Vec::new();
    let mut wildcard_origin = false;
    let mut credentials = false;
    for camel in CORS_KEYS {
        let Some(value) = resolver.property(map, &key_name(camel, KeyStyle::Pascal))? else {
            continue;
        };
        let truthy = match &value.value {
            Value::Null | Value::Bool(false) => false,
            Value::String(s) => !s.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.is_empty(),
            Value::Number(_) | Value::Bool(true) => true,
        };
        match *camel {
            "maxAge" => out.push((camel.to_string(), value)),
            "allowCredentials" => {
                // SAM tests `is True`: only a real boolean counts.
                if matches!(value.value, Value::Bool(true)) {
                    credentials = true;
                    out.push((camel.to_string(), value));
                }
            }
            _ if truthy => {
                if *camel == "allowOrigins" {
                    wildcard_origin =
                        matches!(value.as_list(), Some([only]) if only.as_str() == Some("*"));
                }
                out.push((camel.to_string(), value));
            }
            _ => {}
        }
    }
    if credentials && wildcard_origin {
        return Err(sam_error(at, api, ERR_CREDENTIALS_WILDCARD));
    }
    Ok(out)
}
