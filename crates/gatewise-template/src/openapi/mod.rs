//! OpenAPI / swagger documents of APIs: where a document comes from ([`definition`]), what
//! REST and HTTP API documents share (here: API Gateway extension names, path items and their
//! operations, Lambda invocation URIs, integration types), and the conversion of a finished
//! document into the model — REST APIs in [`rest`] (their request validators and models in
//! [`request_validation`]), HTTP APIs in [`http`].
//!
//! SAM builds and edits these documents (events, `Cors`, `Auth`) before they are converted;
//! gatewise does the same on the positioned [`Node`] tree. Nodes gatewise writes carry the
//! location of what caused them (the event, the `Cors` key, the `Auth.ApiKeyRequired` key), so
//! explanations point at the user's template.

pub mod definition;
pub mod http;
pub mod http_backend;
pub mod request_validation;
pub mod rest;

use gatewise_model::{FunctionIndex, pseudo};

use crate::LoadError;
use crate::document::intrinsics::Resolver;
use crate::document::value::{Map, Node, Value};
use crate::functions::Functions;
use crate::properties::text;

pub const X_INTEGRATION: &str = "x-amazon-apigateway-integration";
pub const X_ANY_METHOD: &str = "x-amazon-apigateway-any-method";
pub const X_AUTHORIZER: &str = "x-amazon-apigateway-authorizer";
pub const X_AUTHTYPE: &str = "x-amazon-apigateway-authtype";
/// gatewise-private: the logical id of the function an integration or authorizer calls, when
/// gatewise wrote it (SAM events, SAM authorizers) — exact, where an ARN would only give a name.
pub const X_GATEWISE_FUNCTION: &str = "x-gatewise-function";

/// Operation keys of a path item, as swagger spells them.
const METHOD_KEYS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch"];

/// The API Gateway method of a path-item key, `None` for non-operation keys (`parameters`, …).
pub fn http_method(key: &str) -> Option<String> {
    if key.eq_ignore_ascii_case(X_ANY_METHOD) {
        return Some("ANY".to_owned());
    }
    let lower = key.to_ascii_lowercase();
    METHOD_KEYS
        .contains(&lower.as_str())
        .then(|| lower.to_ascii_uppercase())
}

/// Makes a document's `paths` plain: an intrinsic path item or operation (`Fn::If`) is
/// resolved, `AWS::NoValue` drops it, and a path item that is not a map is SAM's error.
pub fn normalise_paths(
    resolver: &mut Resolver<'_>,
    doc: &mut Node,
    what: &str,
) -> Result<(), LoadError> {
    let location = doc.location.clone();
    let Some(root) = doc.as_map_mut() else {
        return Err(LoadError::new(
            location,
            format!(
                "{what} must be a map (a swagger or OpenAPI document), found {}",
                doc.kind()
            ),
        ));
    };
    if root
        .get("paths")
        .is_none_or(|p| matches!(p.value, Value::Null))
    {
        root.set("paths", &location, Node::empty_map(location.clone()));
    }
    let paths_node = root.get_mut("paths").expect("paths was just set");
    let resolved_paths = if paths_node.intrinsic().is_some() {
        resolver.resolve(paths_node)?
    } else {
        Some(paths_node.clone())
    };
    let mut paths_node =
        resolved_paths.unwrap_or_else(|| Node::empty_map(paths_node.location.clone()));
    let Some(paths) = paths_node.as_map() else {
        return Err(LoadError::new(
            paths_node.location.clone(),
            format!(
                "{what}: paths must be a map of paths, found {}",
                paths_node.kind()
            ),
        ));
    };
    let mut out = Map::default();
    for entry in paths.iter() {
        let item = if entry.value.intrinsic().is_some() {
            match resolver.resolve(&entry.value)? {
                Some(item) => item,
                None => continue,
            }
        } else {
            entry.value.clone()
        };
        let Some(item_map) = item.as_map() else {
            return Err(LoadError::new(
                entry.key_location.clone(),
                format!(
                    "{what}: Value of '{}' path must be a dictionary according to Swagger spec.",
                    entry.key
                ),
            ));
        };
        let mut methods = Map::default();
        for method in item_map.iter() {
            let value = if method.value.intrinsic().is_some() && http_method(&method.key).is_some()
            {
                match resolver.resolve(&method.value)? {
                    Some(v) => v,
                    None => continue,
                }
            } else {
                method.value.clone()
            };
            methods.set(&method.key, &method.key_location, value);
        }
        out.set(
            &entry.key,
            &entry.key_location,
            Node::new(Value::Map(methods), item.location.clone()),
        );
    }
    paths_node.value = Value::Map(out);
    doc.as_map_mut()
        .expect("checked above")
        .set("paths", &location, paths_node);
    Ok(())
}

/// The `paths` map of a normalised document.
pub fn paths(doc: &Node) -> Option<&Map> {
    doc.as_map()?.get("paths")?.as_map()
}

pub fn paths_mut(doc: &mut Node) -> Option<&mut Map> {
    doc.as_map_mut()?.get_mut("paths")?.as_map_mut()
}

/// Where a Lambda ARN inside an integration or authorizer URI points.
#[derive(Debug, PartialEq, Eq)]
pub enum UriTarget {
    Function(FunctionIndex),
    /// A Lambda function this template does not declare (by name).
    Unknown(String),
    /// Not a Lambda invocation URI at all.
    NotLambda,
}

/// Finds the function an `arn:…:lambda:path/…/functions/<function ARN>/invocations` URI (or a
/// bare function ARN) invokes: by deployed name, then by logical id; an unresolvable
/// `Fn::GetAtt X.Arn` placeholder names the logical id.
pub fn function_for_uri(uri: &str, functions: &Functions<'_>) -> UriTarget {
    let by_logical_id = |id: &str| functions.by_logical_id(id);
    if let Some(rest) = uri.split("<unresolved Fn::GetAtt ").nth(1) {
        let id = rest.split('.').next().unwrap_or_default();
        return by_logical_id(id)
            .map_or_else(|| UriTarget::Unknown(id.to_owned()), UriTarget::Function);
    }
    let Some(after) = uri.split(":function:").nth(1) else {
        return UriTarget::NotLambda;
    };
    let name = after
        .split(['/', ':'])
        .next()
        .unwrap_or_default()
        .to_owned();
    functions
        .by_name(&name)
        .or_else(|| by_logical_id(&name))
        .map_or(UriTarget::Unknown(name), UriTarget::Function)
}

/// The Lambda invocation URI API Gateway uses for a function with this deployed name.
pub fn lambda_invocation_uri(function_name: &str) -> String {
    format!(
        "arn:{p}:apigateway:{r}:lambda:path/2015-03-31/functions/arn:{p}:lambda:{r}:{a}:function:{function_name}/invocations",
        p = pseudo::PARTITION,
        r = pseudo::REGION,
        a = pseudo::ACCOUNT_ID
    )
}

/// The map of an `x-amazon-apigateway-integration` and its lower-cased `type` (REST and HTTP
/// APIs read it alike); `types` lists the valid types for the error message.
pub fn integration_type<'n>(
    resolver: &mut Resolver<'_>,
    node: &'n Node,
    description: &str,
    types: &str,
) -> Result<(&'n Map, String), LoadError> {
    let Some(map) = node.as_map() else {
        return Err(LoadError::new(
            node.location.clone(),
            format!(
                "{description}: {X_INTEGRATION} must be a map, found {}",
                node.kind()
            ),
        ));
    };
    let kind = match resolver.property(map, "type")? {
        Some(t) => text(&t, &format!("{description}: integration type"))?.to_ascii_lowercase(),
        None => {
            return Err(LoadError::new(
                node.location.clone(),
                format!("{description}: {X_INTEGRATION} needs a type ({types})"),
            ));
        }
    };
    Ok((map, kind))
}
