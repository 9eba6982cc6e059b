//! SAM `Cors` on a REST API (spec §1): validated as SAM validates it, then one `options` MOCK
//! operation per path of the API's swagger, exactly as SAM's `add_cors` writes it.

use gatewise_model::SourceLocation;

use crate::LoadError;
use crate::document::intrinsics::Resolver;
use crate::document::value::{Map, Node, Value, map_node};
use crate::openapi::rest::X_GATEWISE_CORS;
use crate::openapi::{self, X_ANY_METHOD, X_INTEGRATION};

/// `Cors` map keys SAM accepts (spec §1.1); there is no ExposeHeaders on REST.
pub const CORS_KEYS: &[&str] = &[
    "AllowMethods",
    "AllowHeaders",
    "AllowOrigin",
    "MaxAge",
    "AllowCredentials",
];
/// SAM's default `AllowOrigin` (§1.2): the mapping expression for `*`.
pub const CORS_WILDCARD: &str = "'*'";
/// The MOCK request template SAM writes (§1.6).
pub const REQUEST_TEMPLATE: &str = "{\n  \"statusCode\" : 200\n}\n";
/// The MOCK response template SAM writes (§1.6).
pub const RESPONSE_TEMPLATE: &str = "{}\n";
/// What `ANY` on a path stands for in a computed AllowMethods (§1.9).
pub const ALL_METHODS: &str = "DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT";

/// SAM's message when `Cors` meets `DefinitionUri` (§1.4).
pub const ERR_DEFINITION_URI: &str =
    "Cors works only with inline Swagger specified in 'DefinitionBody' property.";
/// SAM's message for `AllowCredentials: true` with a `'*'` or default origin (§1.3).
pub const ERR_CREDENTIALS_WILDCARD: &str = "Unable to add Cors configuration because 'AllowCredentials' can not be true when 'AllowOrigin' is \"'*'\" or not set";
/// SAM's message for an empty `AllowOrigin`.
pub const ERR_EMPTY_ORIGIN: &str = "Invalid input. Value for AllowedOrigins is required";
/// SAM's message for a `Cors` that is neither a string, an intrinsic nor a map.
pub const ERR_INVALID_VALUE: &str = "Invalid value for 'Cors' property";

/// One resolved `Cors` value and where it was written.
#[derive(Debug, Clone)]
struct Setting {
    text: String,
    location: SourceLocation,
}

/// The `Cors` of an API after SAM's validation.
#[derive(Debug, Clone)]
pub struct Cors {
    allow_origin: Option<Setting>,
    allow_headers: Option<Setting>,
    allow_methods: Option<Setting>,
    max_age: Option<Setting>,
    allow_credentials: bool,
    /// The `Cors` key (the API's own, or `Globals.Api`'s).
    pub location: SourceLocation,
}

fn sam_error(location: &SourceLocation, api: &str, message: &str) -> LoadError {
    LoadError::new(
        location.clone(),
        format!(
            "Api '{api}': Resource with id [{api}] is invalid. {message} (SAM rejects this template)"
        ),
    )
}

/// Reads `Cors` from an API's merged properties; `None` when absent or falsy (SAM skips it).
pub fn read(
    resolver: &mut Resolver<'_>,
    api: &str,
    props: &Map,
    has_definition_uri: bool,
) -> Result<Option<Cors>, LoadError> {
    let Some(entry) = props.entry("Cors") else {
        return Ok(None);
    };
    let location = entry.key_location.clone();
    let raw = &entry.value;
    let falsy = match &raw.value {
        Value::Null | Value::Bool(false) => true,
        Value::String(s) => s.is_empty(),
        Value::Map(m) => m.is_empty(),
        Value::List(l) => l.is_empty(),
        Value::Number(_) | Value::Bool(true) => false,
    };
    if falsy {
        return Ok(None);
    }
    if has_definition_uri {
        return Err(sam_error(&location, api, ERR_DEFINITION_URI));
    }
    let mut cors = Cors {
        allow_origin: Some(Setting {
            text: CORS_WILDCARD.to_owned(),
            location: location.clone(),
        }),
        allow_headers: None,
        allow_methods: None,
        max_age: None,
        allow_credentials: false,
        location: location.clone(),
    };
    if raw.intrinsic().is_some() || matches!(raw.value, Value::String(_)) {
        // The string form (or any intrinsic) sets AllowOrigin only (§1.1).
        cors.allow_origin = setting(resolver, raw, "Cors")?;
    } else if let Some(map) = raw.as_map() {
        for key in map.iter() {
            if !CORS_KEYS.contains(&key.key.as_str()) {
                return Err(sam_error(
                    &key.key_location,
                    api,
                    &format!("Invalid key '{}' for 'Cors' property.", key.key),
                ));
            }
        }
        if let Some(node) = map.get("AllowOrigin") {
            cors.allow_origin = setting(resolver, node, "Cors.AllowOrigin")?;
        }
        if let Some(node) = map.get("AllowHeaders") {
            cors.allow_headers = setting(resolver, node, "Cors.AllowHeaders")?;
        }
        if let Some(node) = map.get("AllowMethods") {
            cors.allow_methods = setting(resolver, node, "Cors.AllowMethods")?;
        }
        if let Some(node) = map.get("MaxAge") {
            cors.max_age = setting(resolver, node, "Cors.MaxAge")?;
        }
        if let Some(node) = map.get("AllowCredentials") {
            // SAM tests `is True`: only a real boolean true counts.
            cors.allow_credentials = matches!(
                resolver.resolve(node)?.map(|n| n.value),
                Some(Value::Bool(true))
            );
        }
    } else {
        return Err(sam_error(&raw.location, api, ERR_INVALID_VALUE));
    }
    if cors.allow_credentials
        && cors
            .allow_origin
            .as_ref()
            .is_some_and(|o| o.text == CORS_WILDCARD)
    {
        return Err(sam_error(&location, api, ERR_CREDENTIALS_WILDCARD));
    }
    Ok(Some(cors))
}

/// A resolved scalar setting; `None` for null / `AWS::NoValue`.
fn setting(
    resolver: &mut Resolver<'_>,
    node: &Node,
    what: &str,
) -> Result<Option<Setting>, LoadError> {
    let Some(resolved) = resolver.resolve(node)? else {
        return Ok(None);
    };
    if matches!(resolved.value, Value::Null) {
        return Ok(None);
    }
    let text = resolved.scalar_text().ok_or_else(|| {
        LoadError::new(
            node.location.clone(),
            format!("{what} must be a string (an API Gateway mapping expression such as \"'*'\"), found {}", resolved.kind()),
        )
    })?;
    Ok(Some(Setting {
        text,
        location: node.location.clone(),
    }))
}

/// The computed `Access-Control-Allow-Methods` of a path item (§1.9), without the quotes:
/// every key of the item (non-method keys too, as SAM reads them all) plus `OPTIONS`,
/// upper-cased, de-duplicated, byte-sorted; `ANY` means every method.
pub fn allowed_methods<'k>(keys: impl IntoIterator<Item = &'k str>) -> String {
    let mut methods: Vec<String> = Vec::new();
    for key in keys {
        if key == X_ANY_METHOD {
            return ALL_METHODS.to_owned();
        }
        methods.push(key.to_ascii_uppercase());
    }
    methods.push("OPTIONS".to_owned());
    methods.sort();
    methods.dedup();
    methods.join(",")
}

/// The paths `Cors` covers (§1.5): the first of trailing-slash twins, and not a path that
/// already has an `options` operation.
pub fn covered_paths(paths: &Map) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for entry in paths.iter() {
        let normalised = if entry.key == "/" {
            entry.key.clone()
        } else {
            entry.key.trim_end_matches('/').to_owned()
        };
        if seen.contains(&normalised) {
            continue;
        }
        seen.push(normalised);
        if entry
            .value
            .as_map()
            .is_some_and(|m| m.contains_key("options"))
        {
            continue;
        }
        out.push(entry.key.clone());
    }
    out
}

/// Adds SAM's OPTIONS MOCK to every covered path of `doc` (already normalised).
pub fn apply(api: &str, cors: &Cors, doc: &mut Node) -> Result<(), LoadError> {
    let Some(paths) = openapi::paths_mut(doc) else {
        return Ok(());
    };
    for path in covered_paths(paths) {
        let Some(item) = paths.get_mut(&path).and_then(Node::as_map_mut) else {
            continue;
        };
        let origin = match &cors.allow_origin {
            Some(o) if !o.text.is_empty() => o.clone(),
            Some(o) => return Err(sam_error(&o.location, api, ERR_EMPTY_ORIGIN)),
            None => return Err(sam_error(&cors.location, api, ERR_EMPTY_ORIGIN)),
        };
        let methods = match &cors.allow_methods {
            Some(m) if !m.text.is_empty() => m.clone(),
            _ => Setting {
                text: format!("'{}'", allowed_methods(item.iter().map(|e| e.key.as_str()))),
                location: cors.location.clone(),
            },
        };
        let mut parameters: Vec<(&str, &Setting)> = vec![
            ("Access-Control-Allow-Origin", &origin),
            ("Access-Control-Allow-Methods", &methods),
        ];
        if let Some(h) = cors.allow_headers.as_ref().filter(|h| !h.text.is_empty()) {
            parameters.push(("Access-Control-Allow-Headers", h));
        }
        if let Some(m) = &cors.max_age {
            parameters.push(("Access-Control-Max-Age", m));
        }
        let credentials = Setting {
            text: "'true'".to_owned(),
            location: cors.location.clone(),
        };
        if cors.allow_credentials {
            parameters.push(("Access-Control-Allow-Credentials", &credentials));
        }
        // The order of SAM's output documents (keys sorted).
        parameters.sort_by_key(|(name, _)| *name);
        let at = &cors.location;
        let mut response_parameters = Map::default();
        for (name, value) in parameters {
            response_parameters.set(
                &format!("method.response.header.{name}"),
                at,
                Node::string(value.text.clone(), value.location.clone()),
            );
        }
        let operation = map_node(
            at,
            vec![
                (X_GATEWISE_CORS, Node::new(Value::Bool(true), at.clone())),
                (
                    X_INTEGRATION,
                    map_node(
                        at,
                        vec![
                            ("type", Node::string("mock", at.clone())),
                            (
                                "requestTemplates",
                                map_node(
                                    at,
                                    vec![(
                                        "application/json",
                                        Node::string(REQUEST_TEMPLATE, at.clone()),
                                    )],
                                ),
                            ),
                            (
                                "responses",
                                map_node(
                                    at,
                                    vec![(
                                        "default",
                                        map_node(
                                            at,
                                            vec![
                                                ("statusCode", Node::string("200", at.clone())),
                                                (
                                                    "responseParameters",
                                                    Node::new(
                                                        Value::Map(response_parameters),
                                                        at.clone(),
                                                    ),
                                                ),
                                                (
                                                    "responseTemplates",
                                                    map_node(
                                                        at,
                                                        vec![(
                                                            "application/json",
                                                            Node::string(
                                                                RESPONSE_TEMPLATE,
                                                                at.clone(),
                                                            ),
                                                        )],
                                                    ),
                                                ),
                                            ],
                                        ),
                                    )],
                                ),
                            ),
                        ],
                    ),
                ),
            ],
        );
        item.set("options", at, operation);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_1_9_allowed_methods_table() {
        let cases: &[(&[&str], &str)] = &[
            (&["get"], "GET,OPTIONS"),
            (&["get", "post"], "GET,OPTIONS,POST"),
            (&["post"], "OPTIONS,POST"),
            (&["post", "get", "delete"], "DELETE,GET,OPTIONS,POST"),
            (&[X_ANY_METHOD], ALL_METHODS),
            (&["get", X_ANY_METHOD], ALL_METHODS),
            // A user-written lower-case `options` is de-duplicated with the added one.
            (&["options", "get"], "GET,OPTIONS"),
            // Quirk: non-method keys are upper-cased into the list too.
            (&["get", "parameters"], "GET,OPTIONS,PARAMETERS"),
            (&[], "OPTIONS"),
        ];
        for (keys, want) in cases {
            assert_eq!(allowed_methods(keys.iter().copied()), *want, "{keys:?}");
        }
    }

    #[test]
    fn rule_1_5_covered_paths_dedup_table() {
        let at = SourceLocation::new(std::sync::Arc::from(std::path::Path::new("t.yaml")), 1, 1);
        let item = |keys: &[&str]| {
            map_node(
                &at,
                keys.iter()
                    .map(|k| (*k, Node::empty_map(at.clone())))
                    .collect(),
            )
        };
        type Paths<'a> = &'a [(&'a str, &'a [&'a str])];
        let cases: &[(Paths<'_>, &[&str])] = &[
            (&[("/a", &["get"]), ("/a/", &["post"])], &["/a"]),
            (&[("/a/", &["post"]), ("/a", &["get"])], &["/a/"]),
            (&[("/", &["get"]), ("/b", &["get"])], &["/", "/b"]),
            (&[("/a", &["get", "options"]), ("/b", &["get"])], &["/b"]),
            // The twin of a path with OPTIONS is still skipped: the first one was "seen".
            (&[("/a", &["options"]), ("/a/", &["get"])], &[]),
        ];
        for (paths, want) in cases {
            let mut map = Map::default();
            for (path, keys) in paths.iter() {
                map.set(path, &at, item(keys));
            }
            assert_eq!(covered_paths(&map), *want, "{paths:?}");
        }
    }
}
