//! SAM HTTP APIs into the model: explicit `AWS::Serverless::HttpApi` resources (template order),
//! then SAM's implicit `ServerlessHttpApi` when an `HttpApi` event names no `ApiId`.
//!
//! Each API is assembled in SAM's order: an OpenAPI document (`DefinitionBody`, or SAM's
//! skeleton) gets the function `HttpApi` events (payload format 2.0 unless the event says
//! otherwise, spec §6.10), then `CorsConfiguration` ([`cors`]), then `Auth` ([`auth`]); the
//! finished document becomes routes in [`crate::openapi::http`].

pub mod auth;
pub mod cors;

use std::path::Path;

use gatewise_model::{HttpApi, SourceLocation};
use indexmap::IndexMap;

use self::auth::EventAuth;
use super::{ApiInputs, ExplicitApi, globals};
use crate::document::intrinsics::Resolver;
use crate::document::value::{Map, Node, Value, map_node};
use crate::functions::Functions;
use crate::openapi::http::{self, Conversion, DEFAULT_ROUTE};
use crate::openapi::{self, X_ANY_METHOD, X_GATEWISE_FUNCTION, X_INTEGRATION, definition};
use crate::properties::{properties_of, string_map, text};
use crate::{LoadError, ids};

/// Logical id SAM gives the HTTP API it creates for `HttpApi` events without `ApiId`.
pub const IMPLICIT_HTTP_API: &str = "ServerlessHttpApi";
/// The stage of an HTTP API without `StageName`.
pub const DEFAULT_STAGE: &str = "$default";
/// The payload format SAM writes for an `HttpApi` event (spec §6.10).
pub const EVENT_PAYLOAD_FORMAT: &str = "2.0";

/// A SAM error on an HTTP API, with SAM's wording.
pub fn sam_error(location: &SourceLocation, api: &str, message: &str) -> LoadError {
    LoadError::new(
        location.clone(),
        format!(
            "HttpApi '{api}': Resource with id [{api}] is invalid. {message} (SAM rejects this template)"
        ),
    )
}

/// A SAM error on a function's `HttpApi` event, with SAM's wording.
pub fn event_error(
    location: &SourceLocation,
    function: &str,
    event: &str,
    message: &str,
) -> LoadError {
    LoadError::new(
        location.clone(),
        format!(
            "Function '{function}' event '{event}': Event with id [{event}] is invalid. {message} (SAM rejects this template)"
        ),
    )
}

/// One SAM HTTP API while its document is being built.
struct SamHttpApi {
    logical_id: String,
    location: SourceLocation,
    /// Properties after the `Globals.HttpApi` merge.
    props: Map,
    /// `None` when the API reads `DefinitionUri`: SAM leaves such a document alone.
    doc: Option<Node>,
    /// Read from `DefinitionUri` (routes only come from the file).
    uri_doc: Option<Node>,
    /// SAM manages the document (implicit API, or an explicit one without a definition): a
    /// second event on the same path and method is an error there.
    managed: bool,
}

/// Builds every SAM HTTP API: explicit ones, then the implicit one if any event has no `ApiId`.
pub fn http_apis(
    resolver: &mut Resolver<'_>,
    inputs: &ApiInputs<'_>,
) -> Result<Vec<HttpApi>, LoadError> {
    let mut apis: IndexMap<String, SamHttpApi> = IndexMap::new();
    for api in inputs.explicit {
        let built = explicit(resolver, api, inputs.globals, inputs.template_dir)?;
        apis.insert(api.logical_id.clone(), built);
    }
    let mut implicit: Option<SamHttpApi> = None;
    for function in inputs.sam_functions {
        let Some(events) = function.properties.get("Events").and_then(Node::as_map) else {
            continue;
        };
        for event in events.iter() {
            let Some(event_map) = event.value.as_map() else {
                continue;
            };
            if event_map.get("Type").and_then(Node::as_str) != Some("HttpApi") {
                continue;
            }
            let empty = Map::default();
            let props = match event_map.get("Properties") {
                None => &empty,
                Some(node) => match &node.value {
                    Value::Null => &empty,
                    Value::Map(m) => m,
                    _ => {
                        return Err(event_error(
                            &node.location,
                            &function.logical_id,
                            &event.key,
                            "Properties should be a map.",
                        ));
                    }
                },
            };
            let ctx = EventContext {
                function: &function.logical_id,
                function_index: function.index,
                event: &event.key,
                at: &event.key_location,
            };
            let api = match props.get("ApiId") {
                None => match implicit {
                    Some(ref mut api) => api,
                    None => implicit.insert(implicit_api(resolver, inputs.globals, ctx.at)?),
                },
                Some(target) => {
                    let name = match target.intrinsic() {
                        Some(("Ref", name)) => name.as_str(),
                        _ => target.as_str(),
                    };
                    match name.and_then(|n| apis.get_mut(n)) {
                        Some(api) => api,
                        None => {
                            return Err(event_error(
                                &target.location,
                                ctx.function,
                                ctx.event,
                                "ApiId must be a valid reference to an 'AWS::Serverless::HttpApi' resource in same template.",
                            ));
                        }
                    }
                }
            };
            add_event(resolver, api, props, &ctx, inputs.functions)?;
        }
    }
    let mut out = Vec::new();
    for api in apis.into_values().chain(implicit) {
        out.push(finish(resolver, api, inputs.functions)?);
    }
    Ok(out)
}

/// Which event is being read, for messages and locations.
struct EventContext<'a> {
    function: &'a str,
    function_index: usize,
    event: &'a str,
    at: &'a SourceLocation,
}

/// SAM's `HttpApi` event: `Path`/`Method` (both absent = the `$default` route), then the Lambda
/// integration, `TimeoutInMillis`, `PayloadFormatVersion` and `Auth` on that operation.
fn add_event(
    resolver: &mut Resolver<'_>,
    api: &mut SamHttpApi,
    props: &Map,
    ctx: &EventContext<'_>,
    functions: &Functions<'_>,
) -> Result<(), LoadError> {
    let path = resolver.property(props, "Path")?;
    let method = resolver.property(props, "Method")?;
    let what = |key: &str| format!("Function '{}' event '{}': {key}", ctx.function, ctx.event);
    let (path, method) = match (path, method) {
        (None, None) => (DEFAULT_ROUTE.to_owned(), X_ANY_METHOD.to_owned()),
        (Some(p), Some(m)) => (text(&p, &what("Path"))?, text(&m, &what("Method"))?),
        (None, Some(_)) | (Some(_), None) => {
            let missing = if props.contains_key("Path") {
                "Method"
            } else {
                "Path"
            };
            return Err(event_error(
                ctx.at,
                ctx.function,
                ctx.event,
                &format!("Property '{missing}' is required."),
            ));
        }
    };
    let key = operation_key(&method).ok_or_else(|| {
        LoadError::new(
            props.get("Method").map_or_else(|| ctx.at.clone(), |n| n.location.clone()),
            format!("{}: '{method}' is not an HTTP method; use GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS or ANY", what("Method")),
        )
    })?;
    // With DefinitionUri, SAM adds nothing to the document (routes come from the file).
    if api.doc.is_none() {
        return Ok(());
    }
    let payload = match resolver.property(props, "PayloadFormatVersion")? {
        Some(node) => {
            http::payload_format(&node, &what("PayloadFormatVersion"))?;
            Some(node)
        }
        None => None,
    };
    let timeout = match resolver.property(props, "TimeoutInMillis")? {
        Some(node) => {
            http::timeout(&node, &what("TimeoutInMillis"))?;
            Some(node)
        }
        None => None,
    };
    let auth_ctx = EventAuth {
        function: ctx.function,
        event: ctx.event,
        method: &key,
        path: &path,
    };
    let authorizer = auth::event_authorizer(resolver, props.get("Auth"), &api.props, &auth_ctx)?;
    let api_id = api.logical_id.clone();
    let managed = api.managed;
    let Some(doc) = api.doc.as_mut() else {
        return Ok(());
    };
    let Some(paths) = openapi::paths_mut(doc) else {
        return Ok(());
    };
    if paths.get(&path).is_none_or(|p| p.as_map().is_none()) {
        paths.set(&path, ctx.at, Node::empty_map(ctx.at.clone()));
    }
    let Some(item) = paths.get_mut(&path).and_then(Node::as_map_mut) else {
        return Ok(());
    };
    let mut op = item
        .get(&key)
        .and_then(Node::as_map)
        .cloned()
        .unwrap_or_default();
    let existing = op.get(X_INTEGRATION).is_some();
    if existing && managed {
        return Err(event_error(
            ctx.at,
            ctx.function,
            ctx.event,
            &format!("API method '{key}' defined multiple times for path '{path}'."),
        ));
    }
    if !existing {
        let at = ctx.at;
        let function = &functions[ctx.function_index];
        let integration = map_node(
            at,
            vec![
                ("type", Node::string("aws_proxy", at.clone())),
                ("httpMethod", Node::string("POST", at.clone())),
                (
                    "payloadFormatVersion",
                    Node::string(EVENT_PAYLOAD_FORMAT, at.clone()),
                ),
                (
                    "uri",
                    Node::string(openapi::lambda_invocation_uri(&function.name), at.clone()),
                ),
                (X_GATEWISE_FUNCTION, Node::string(ctx.function, at.clone())),
            ],
        );
        op.set(X_INTEGRATION, at, integration);
        if !op.contains_key("responses") {
            op.set("responses", at, Node::empty_map(at.clone()));
        }
    } else if !integrates(resolver, &op, ctx.function_index, functions)? {
        resolver.warn(
            ctx.at,
            format!("Function '{}' event '{}': API '{api_id}' already integrates {key} {path} in its DefinitionBody; SAM keeps that integration (this function is not called there)", ctx.function, ctx.event),
        );
    }
    if let Some(integration) = op.get_mut(X_INTEGRATION).and_then(Node::as_map_mut) {
        if let Some(node) = payload {
            integration.set("payloadFormatVersion", &node.location.clone(), node);
        }
        if let Some(node) = timeout {
            integration.set("timeoutInMillis", &node.location.clone(), node);
        }
    }
    if let Some((name, at)) = authorizer {
        auth::add_requirement(&mut op, &name, &at);
    }
    item.set(&key, ctx.at, Node::new(Value::Map(op), ctx.at.clone()));
    Ok(())
}

/// Whether an operation's existing integration already calls the event's function.
fn integrates(
    resolver: &mut Resolver<'_>,
    op: &Map,
    function: usize,
    functions: &Functions<'_>,
) -> Result<bool, LoadError> {
    let Some(integration) = op.get(X_INTEGRATION).and_then(Node::as_map) else {
        return Ok(false);
    };
    let Some(uri) = resolver.property(integration, "uri")? else {
        return Ok(false);
    };
    let uri = uri.scalar_text().unwrap_or_default();
    Ok(openapi::function_for_uri(&uri, functions) == openapi::UriTarget::Function(function))
}

/// The path-item key of an event `Method` (case-insensitive; `any` is the any-method).
fn operation_key(method: &str) -> Option<String> {
    let lower = method.trim().to_ascii_lowercase();
    if lower == "any" || lower == X_ANY_METHOD {
        return Some(X_ANY_METHOD.to_owned());
    }
    openapi::http_method(&lower).map(|_| lower)
}

/// SAM's skeleton: an OpenAPI 3.0.1 document with no paths.
fn skeleton(at: &SourceLocation) -> Node {
    map_node(
        at,
        vec![
            ("openapi", Node::string("3.0.1", at.clone())),
            ("paths", Node::empty_map(at.clone())),
        ],
    )
}

fn implicit_api(
    resolver: &mut Resolver<'_>,
    globals: Option<&Map>,
    at: &SourceLocation,
) -> Result<SamHttpApi, LoadError> {
    let mut doc = skeleton(at);
    openapi::normalise_paths(
        resolver,
        &mut doc,
        &format!("HttpApi '{IMPLICIT_HTTP_API}'"),
    )?;
    Ok(SamHttpApi {
        logical_id: IMPLICIT_HTTP_API.to_owned(),
        location: at.clone(),
        props: globals.cloned().unwrap_or_default(),
        doc: Some(doc),
        uri_doc: None,
        managed: true,
    })
}

fn explicit(
    resolver: &mut Resolver<'_>,
    api: &ExplicitApi<'_>,
    globals: Option<&Map>,
    template_dir: &Path,
) -> Result<SamHttpApi, LoadError> {
    let id = &api.logical_id;
    let what = format!("HttpApi '{id}'");
    let own = properties_of(api.resource, id)?;
    let props = globals::apply(globals, api.resource, &own)?;
    let body = props
        .get("DefinitionBody")
        .filter(|n| !matches!(n.value, Value::Null));
    let uri = props
        .get("DefinitionUri")
        .filter(|n| !matches!(n.value, Value::Null));
    let (doc, uri_doc, managed) = match (body, uri) {
        (Some(_), Some(uri)) => {
            return Err(sam_error(
                &uri.location,
                id,
                "Specify either 'DefinitionUri' or 'DefinitionBody' property and not both.",
            ));
        }
        (Some(body), None) => {
            let mut doc = definition::inline(resolver, body, template_dir, &what)?;
            openapi::normalise_paths(resolver, &mut doc, &what)?;
            (Some(doc), None, false)
        }
        (None, Some(uri)) => {
            // SAM refuses CORS and Auth with a URI before anything would read the file.
            cors::apply(resolver, id, &props, None)?;
            auth::apply(resolver, id, &props, None, &Functions::new(&[]))?;
            let mut doc =
                definition::from_uri(resolver, uri, template_dir, &what, "DefinitionUri")?;
            openapi::normalise_paths(resolver, &mut doc, &what)?;
            (None, Some(doc), false)
        }
        (None, None) => {
            let mut doc = skeleton(&api.location);
            openapi::normalise_paths(resolver, &mut doc, &what)?;
            (Some(doc), None, true)
        }
    };
    Ok(SamHttpApi {
        logical_id: id.clone(),
        location: api.location.clone(),
        props,
        doc,
        uri_doc,
        managed,
    })
}

/// CORS and Auth on the finished document, then the model API.
fn finish(
    resolver: &mut Resolver<'_>,
    mut api: SamHttpApi,
    functions: &Functions<'_>,
) -> Result<HttpApi, LoadError> {
    let id = api.logical_id.clone();
    let what = format!("HttpApi '{id}'");
    cors::apply(resolver, &id, &api.props, api.doc.as_mut())?;
    if api.doc.is_some() {
        auth::apply(resolver, &id, &api.props, api.doc.as_mut(), functions)?;
    }
    let stage = match resolver.property(&api.props, "StageName")? {
        Some(node) => text(&node, &format!("{what}: StageName"))?,
        None => DEFAULT_STAGE.to_owned(),
    };
    let stage_variables = match resolver.property(&api.props, "StageVariables")? {
        Some(node) => string_map(&node, &format!("{what}: StageVariables"))?,
        None => IndexMap::new(),
    };
    let doc = api
        .doc
        .or(api.uri_doc)
        .unwrap_or_else(|| skeleton(&api.location));
    let conversion = Conversion {
        what: what.clone(),
        functions,
    };
    let routes = http::routes(resolver, &doc, &conversion)?;
    let cors = http::document_cors(resolver, &doc, &what)?;
    Ok(HttpApi {
        api_id: ids::api_id(&id),
        logical_id: id,
        stage,
        stage_variables,
        routes,
        cors_location: cors.as_ref().map(|(_, at)| at.clone()),
        cors: cors.map(|(c, _)| c),
        location: api.location,
    })
}

#[cfg(test)]
mod tests;
