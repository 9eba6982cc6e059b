//! SAM `Auth` on a REST API (spec §9): authorizers and API keys become `security` entries of
//! the API's swagger — event-level ones when the event's operation is added, API-level
//! defaults after `Cors` (§9.3), so the generated OPTIONS is covered unless the
//! `Add…ToCorsPreflight` flags say otherwise (§9.1, §9.2). `UsagePlan` creates an API key.

use gatewise_model::{ApiKey, SourceLocation};

use crate::document::intrinsics::Resolver;
use crate::document::value::{Map, Node, Value, map_node};
use crate::functions::Functions;
use crate::openapi::{self, X_AUTHORIZER, X_AUTHTYPE, X_GATEWISE_FUNCTION, X_INTEGRATION};
use crate::properties::{string_list, text};
use crate::sam::function_of_arn;
use crate::{LoadError, ids};

/// `Auth` keys SAM accepts on an API.
pub const AUTH_KEYS: &[&str] = &[
    "Authorizers",
    "DefaultAuthorizer",
    "InvokeRole",
    "AddDefaultAuthorizerToCorsPreflight",
    "AddApiKeyRequiredToCorsPreflight",
    "ApiKeyRequired",
    "ResourcePolicy",
    "UsagePlan",
];
/// The security scheme SAM names API keys with (`in: header, name: x-api-key`).
pub const API_KEY_SCHEME: &str = "api_key";
/// SAM's marker for an event's `ApiKeyRequired: false`.
const API_KEY_FALSE: &str = "api_key_false";
/// Logical id of the key SAM creates for `CreateUsagePlan: SHARED`.
pub const SHARED_API_KEY: &str = "ServerlessApiKey";

fn sam_error(location: &SourceLocation, api: &str, message: &str) -> LoadError {
    LoadError::new(
        location.clone(),
        format!(
            "Api '{api}': Resource with id [{api}] is invalid. {message} (SAM rejects this template)"
        ),
    )
}

/// A `{name: []}` security requirement written at `at`.
fn requirement(name: &str, at: &SourceLocation) -> Node {
    map_node(
        at,
        vec![(name, Node::new(Value::List(Vec::new()), at.clone()))],
    )
}

/// A boolean property (resolved); `default` when absent.
fn flag(
    resolver: &mut Resolver<'_>,
    map: &Map,
    key: &str,
    default: bool,
) -> Result<bool, LoadError> {
    match resolver.property(map, key)? {
        None => Ok(default),
        Some(node) => match &node.value {
            Value::Bool(b) => Ok(*b),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
            _ => Err(LoadError::new(
                node.location.clone(),
                format!("Auth.{key} must be true or false, found {}", node.kind()),
            )),
        },
    }
}

/// SAM reads an event's `Auth.Authorizer` before CloudFormation resolves anything: a `!Ref`
/// (or any intrinsic) there is refused at transform ("must be a string").
pub fn refuse_intrinsic_authorizer(value: &Node, description: &str) -> Result<(), LoadError> {
    match value.intrinsic() {
        Some((function, _)) => Err(LoadError::new(
            value.location.clone(),
            format!(
                "{description}: Auth.Authorizer is a {function}, but SAM needs the authorizer's name as a plain string here (the transform refuses this template: \"Unable to set Authorizer … must be a string\"); write the name of one of the API's Auth.Authorizers"
            ),
        )),
        None => Ok(()),
    }
}

/// The security entries an event's `Auth` puts on its operation (SAM `add_auth_to_method`).
pub fn event_security(
    resolver: &mut Resolver<'_>,
    auth: &Map,
    api_auth: Option<&Map>,
    description: &str,
) -> Result<Vec<Node>, LoadError> {
    let mut out = Vec::new();
    if let Some(entry) = auth.entry("Authorizer") {
        refuse_intrinsic_authorizer(&entry.value, description)?;
        let name = resolver.text(&entry.value, &format!("{description}: Auth.Authorizer"))?;
        let defined = api_auth
            .and_then(|a| a.get("Authorizers"))
            .and_then(Node::as_map)
            .is_some_and(|m| m.contains_key(&name));
        if name != "NONE" && name != "AWS_IAM" && !defined {
            return Err(LoadError::new(
                entry.value.location.clone(),
                format!(
                    "{description}: Unable to set Authorizer [{name}] because it wasn't defined in the API's Authorizers. (SAM rejects this template; add it under the API's Auth.Authorizers)"
                ),
            ));
        }
        out.push(requirement(&name, &entry.key_location));
    }
    if let Some(entry) = auth.entry("ApiKeyRequired") {
        let required = flag(resolver, auth, "ApiKeyRequired", false)?;
        let name = if required {
            API_KEY_SCHEME
        } else {
            API_KEY_FALSE
        };
        out.push(requirement(name, &entry.key_location));
    }
    Ok(out)
}

/// API-level `Auth`: authorizer definitions, the default authorizer and the default API key
/// requirement, applied to every operation of `doc`; returns the API keys `UsagePlan` creates.
pub fn apply(
    resolver: &mut Resolver<'_>,
    api: &str,
    props: &Map,
    doc: &mut Node,
    functions: &Functions<'_>,
    api_keys: &mut Vec<ApiKey>,
) -> Result<(), LoadError> {
    let Some(entry) = props.entry("Auth") else {
        return Ok(());
    };
    let Some(auth) = entry.value.as_map() else {
        if matches!(entry.value.value, Value::Null) {
            return Ok(());
        }
        return Err(sam_error(
            &entry.value.location,
            api,
            "Invalid value for 'Auth' property",
        ));
    };
    for key in auth.iter() {
        if !AUTH_KEYS.contains(&key.key.as_str()) {
            return Err(sam_error(
                &key.key_location,
                api,
                "Invalid value for 'Auth' property",
            ));
        }
    }
    let mut authorizer_names: Vec<String> = Vec::new();
    if let Some(authorizers) = auth.get("Authorizers") {
        let map = authorizers.as_map().ok_or_else(|| {
            sam_error(
                &authorizers.location,
                api,
                "Property 'Auth.Authorizers' should be a map.",
            )
        })?;
        let mut definitions = Vec::new();
        for a in map.iter() {
            let definition =
                authorizer_definition(resolver, api, &a.key, &a.value, &a.key_location, functions)?;
            authorizer_names.push(a.key.clone());
            definitions.push((a.key.clone(), a.key_location.clone(), definition));
        }
        if let Some(root) = doc.as_map_mut() {
            let at = entry.key_location.clone();
            if !root.contains_key("securityDefinitions") {
                root.set("securityDefinitions", &at, Node::empty_map(at.clone()));
            }
            if let Some(defs) = root
                .get_mut("securityDefinitions")
                .and_then(Node::as_map_mut)
            {
                for (name, location, definition) in definitions {
                    defs.set(&name, &location, definition);
                }
            }
        }
    }
    if let Some(default) = auth.entry("DefaultAuthorizer") {
        let name = resolver.text(
            &default.value,
            &format!("Api '{api}': Auth.DefaultAuthorizer"),
        )?;
        if name != "AWS_IAM" && !authorizer_names.contains(&name) {
            return Err(sam_error(
                &default.value.location,
                api,
                &format!(
                    "Unable to set DefaultAuthorizer because '{name}' was not defined in 'Authorizers'."
                ),
            ));
        }
        let preflight = flag(resolver, auth, "AddDefaultAuthorizerToCorsPreflight", true)?;
        let mut known = authorizer_names.clone();
        known.push("AWS_IAM".to_owned());
        for_each_operation(doc, |method, op| {
            if method == "options" && !preflight {
                return;
            }
            set_default_authorizer(op, &name, &known, &default.key_location);
        });
    }
    if let Some(required) = auth.entry("ApiKeyRequired")
        && flag(resolver, auth, "ApiKeyRequired", false)?
    {
        let preflight = flag(resolver, auth, "AddApiKeyRequiredToCorsPreflight", true)?;
        for_each_operation(doc, |method, op| {
            set_default_api_key(
                op,
                method == "options" && !preflight,
                &required.key_location,
            );
        });
    }
    if let Some(plan) = auth.entry("UsagePlan") {
        usage_plan(resolver, api, plan, api_keys)?;
    }
    Ok(())
}

/// Calls `f` with each operation that has an integration (SAM skips the others).
fn for_each_operation(doc: &mut Node, mut f: impl FnMut(&str, &mut Map)) {
    let Some(paths) = openapi::paths_mut(doc) else {
        return;
    };
    for (_, path) in paths.iter_mut() {
        let Some(item) = path.as_map_mut() else {
            continue;
        };
        for (key, op) in item.iter_mut() {
            if matches!(key, "summary" | "description" | "parameters") {
                continue;
            }
            let key = key.to_ascii_lowercase();
            if let Some(map) = op.as_map_mut()
                && map.contains_key(X_INTEGRATION)
            {
                f(&key, map);
            }
        }
    }
}

fn security_items(op: &Map) -> Vec<Node> {
    op.get("security")
        .and_then(Node::as_list)
        .map(<[Node]>::to_vec)
        .unwrap_or_default()
}

fn has_key(item: &Node, names: &[&str]) -> bool {
    item.as_map()
        .is_some_and(|m| m.iter().any(|e| names.contains(&e.key.as_str())))
}

fn set_security(op: &mut Map, items: Vec<Node>, at: &SourceLocation) {
    op.set("security", at, Node::new(Value::List(items), at.clone()));
}

/// SAM `set_path_default_authorizer` for one operation.
fn set_default_authorizer(op: &mut Map, default: &str, known: &[String], at: &SourceLocation) {
    let known: Vec<&str> = known.iter().map(String::as_str).collect();
    let (mut authorizers, mut others): (Vec<Node>, Vec<Node>) = security_items(op)
        .into_iter()
        .partition(|i| has_key(i, &known));
    if let Some(none) = others.iter().position(|i| has_key(i, &["NONE"])) {
        others.remove(none);
        authorizers.clear();
    } else if authorizers.is_empty() {
        authorizers.push(requirement(default, at));
    }
    others.extend(authorizers);
    if !others.is_empty() {
        set_security(op, others, at);
    } else if op.contains_key("security") {
        op.remove("security");
    }
}

/// SAM `set_path_default_apikey_required` for one operation.
fn set_default_api_key(op: &mut Map, options_without_key: bool, at: &SourceLocation) {
    let existing = security_items(op);
    let (mut keys, others): (Vec<Node>, Vec<Node>) = existing
        .iter()
        .cloned()
        .partition(|i| has_key(i, &[API_KEY_SCHEME, API_KEY_FALSE]));
    let mut security = others.clone();
    if let Some(off) = keys.iter().position(|i| has_key(i, &[API_KEY_FALSE])) {
        keys.remove(off);
    } else {
        security.push(requirement(API_KEY_SCHEME, at));
    }
    if options_without_key {
        security = others;
    }
    set_security(op, security, at);
}

/// A SAM authorizer → the swagger security scheme SAM writes for it, with the function's
/// logical id kept exactly.
fn authorizer_definition(
    resolver: &mut Resolver<'_>,
    api: &str,
    name: &str,
    node: &Node,
    at: &SourceLocation,
    functions: &Functions<'_>,
) -> Result<Node, LoadError> {
    let what = format!("Api '{api}': Auth.Authorizers.{name}");
    let map = node.as_map().ok_or_else(|| {
        sam_error(
            &node.location,
            api,
            &format!("Property 'Auth.Authorizers.{name}' should be a map."),
        )
    })?;
    let identity = map
        .get("Identity")
        .and_then(Node::as_map)
        .cloned()
        .unwrap_or_default();
    let header = match resolver.property(&identity, "Header")? {
        Some(h) => text(&h, &format!("{what}: Identity.Header"))?,
        None => "Authorization".to_owned(),
    };
    let mut authorizer = Map::default();
    let (kind, authtype) = if map.contains_key("UserPoolArn") {
        ("cognito_user_pools", "cognito_user_pools")
    } else if map.contains_key("FunctionArn") {
        let payload = match resolver.property(map, "FunctionPayloadType")? {
            Some(p) => text(&p, &format!("{what}: FunctionPayloadType"))?,
            None => "TOKEN".to_owned(),
        };
        match payload.as_str() {
            "TOKEN" => ("token", "custom"),
            "REQUEST" => ("request", "custom"),
            other => {
                return Err(sam_error(
                    &node.location,
                    api,
                    &format!("Authorizer '{name}' has an invalid 'FunctionPayloadType': {other}."),
                ));
            }
        }
    } else {
        return Err(sam_error(
            &node.location,
            api,
            &format!("Authorizer '{name}' must specify 'FunctionArn' or 'UserPoolArn'."),
        ));
    };
    authorizer.set("type", at, Node::string(kind, at.clone()));
    let identity_source = if kind == "request" {
        let mut sources = Vec::new();
        for (key, prefix) in [
            ("Headers", "method.request.header."),
            ("QueryStrings", "method.request.querystring."),
            ("StageVariables", "stageVariables."),
            ("Context", "context."),
        ] {
            if let Some(list) = resolver.property(&identity, key)? {
                for item in string_list(&list, &format!("{what}: Identity.{key}"))? {
                    sources.push(format!("{prefix}{item}"));
                }
            }
        }
        sources.join(", ")
    } else {
        format!("method.request.header.{header}")
    };
    if !identity_source.is_empty() {
        authorizer.set(
            "identitySource",
            at,
            Node::string(identity_source, at.clone()),
        );
    }
    if let Some(arn) = map.get("FunctionArn") {
        match function_of_arn(resolver, arn, functions)? {
            Some(logical_id) => authorizer.set(
                X_GATEWISE_FUNCTION,
                at,
                Node::string(logical_id, at.clone()),
            ),
            None => {
                let resolved = resolver.text(arn, &format!("{what}: FunctionArn"))?;
                authorizer.set(
                    "authorizerUri",
                    at,
                    Node::string(
                        format!("arn:aws:apigateway:{}:lambda:path/2015-03-31/functions/{resolved}/invocations", gatewise_model::pseudo::REGION),
                        arn.location.clone(),
                    ),
                );
            }
        }
    }
    let header_name = if kind == "request" {
        "Unused".to_owned()
    } else {
        header
    };
    Ok(map_node(
        at,
        vec![
            ("type", Node::string("apiKey", at.clone())),
            ("name", Node::string(header_name, at.clone())),
            ("in", Node::string("header", at.clone())),
            (X_AUTHTYPE, Node::string(authtype, at.clone())),
            (X_AUTHORIZER, Node::new(Value::Map(authorizer), at.clone())),
        ],
    ))
}

/// `Auth.UsagePlan`: `PER_API` → `<Api>ApiKey`, `SHARED` → one `ServerlessApiKey`, `NONE` →
/// nothing; each with a generated value (gatewise prints them at startup).
fn usage_plan(
    resolver: &mut Resolver<'_>,
    api: &str,
    plan: &crate::document::value::Entry,
    api_keys: &mut Vec<ApiKey>,
) -> Result<(), LoadError> {
    let Some(map) = plan.value.as_map() else {
        return Err(sam_error(
            &plan.value.location,
            api,
            "'UsagePlan' must be a dictionary",
        ));
    };
    let create = match resolver.property(map, "CreateUsagePlan")? {
        Some(node) => text(
            &node,
            &format!("Api '{api}': Auth.UsagePlan.CreateUsagePlan"),
        )?,
        None => {
            return Err(sam_error(
                &plan.key_location,
                api,
                "'CreateUsagePlan' is a required field for UsagePlan.",
            ));
        }
    };
    let logical_id = match create.as_str() {
        "PER_API" => format!("{api}ApiKey"),
        "SHARED" => SHARED_API_KEY.to_owned(),
        "NONE" => return Ok(()),
        _ => {
            return Err(sam_error(
                &plan.key_location,
                api,
                "'CreateUsagePlan' accepts one of ['SHARED', 'PER_API', 'NONE'].",
            ));
        }
    };
    if !api_keys.iter().any(|k| k.logical_id == logical_id) {
        api_keys.push(ApiKey {
            value: ids::api_key_value(&logical_id),
            logical_id,
            generated: true,
            enabled: true,
            location: plan.key_location.clone(),
        });
    }
    Ok(())
}
