//! SAM REST APIs into the model: explicit `AWS::Serverless::Api` resources first, then SAM's
//! implicit `ServerlessRestApi` (stage `Prod`), built from function `Api` events, as SAM orders
//! them.
//!
//! Each API is assembled the way SAM assembles it: a swagger document (the `DefinitionBody`,
//! or an empty one) gets the paths of function `Api` events (with their `RequestModel` and
//! `RequestParameters`, [`request_validation`]), then `Cors` ([`cors`]), then `Auth`
//! ([`auth`]), then `GatewayResponses` ([`gateway_responses`]), then `Models`; the finished
//! document becomes model resources in [`crate::openapi::rest::to_model`].

pub mod auth;

/// The properties SAM knows on an `Api` event (`samtranslator` `eventsources.push.Api`); any
/// other fails the transform.
const API_EVENT_PROPERTIES: &[&str] = &[
    "Path",
    "Method",
    "RestApiId",
    "Stage",
    "Auth",
    "RequestModel",
    "RequestParameters",
    "TimeoutInMillis",
    "ResponseTransferMode",
];
pub mod cors;
pub mod gateway_responses;
pub mod request_validation;

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::path::Path;

use gatewise_model::{ApiKey, RestApi, SourceLocation};
use indexmap::IndexMap;

use super::{ApiInputs, ExplicitApi, globals};
use crate::document::intrinsics::Resolver;
use crate::document::value::{Map, Node, Value, map_node};
use crate::functions::Functions;
use crate::openapi::{self, X_GATEWISE_FUNCTION, X_INTEGRATION, definition, rest};
use crate::properties::{properties_of, string_list, string_map, text};
use crate::{LoadError, ids};
use request_validation::{EventSite, EventValidation};

/// Logical id SAM gives the API it creates for `Api` events without `RestApiId`.
pub const IMPLICIT_API: &str = "ServerlessRestApi";
/// Stage of the implicit API.
pub const IMPLICIT_STAGE: &str = "Prod";

/// One SAM API while its swagger document is being built.
struct SamApi {
    logical_id: String,
    location: SourceLocation,
    /// Properties after the `Globals.Api` merge.
    props: Map,
    stage: String,
    doc: Node,
    /// `DefinitionUri` was used (SAM refuses `Cors` then).
    from_uri: bool,
    /// How function `Api` events reach this API's document.
    events: EventPaths,
    /// With [`EventPaths::Added`], where each (normalised path, method key) was first added,
    /// to refuse duplicates as SAM does.
    added: HashMap<(String, String), SourceLocation>,
}

/// Whether SAM writes an `Api` event's path and method into the API's swagger. SAM does so
/// only for a document it generates itself (`__MANAGE_SWAGGER`) or with `MergeDefinitions`;
/// with a user `DefinitionBody` / `DefinitionUri` an event only grants the invoke permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EventPaths {
    /// SAM generates the document: events add operations, duplicates are SAM's error.
    Added,
    /// `MergeDefinitions: true`: events are merged into the user's document.
    Merged,
    /// The user's document is used as written.
    Ignored,
}

/// Builds every REST API: explicit ones (template order), then the implicit one if any `Api`
/// event has no `RestApiId`. API keys SAM creates for usage plans go to `api_keys`.
pub fn rest_apis(
    resolver: &mut Resolver<'_>,
    inputs: &ApiInputs<'_>,
    api_keys: &mut Vec<ApiKey>,
) -> Result<Vec<RestApi>, LoadError> {
    let mut apis: IndexMap<String, SamApi> = IndexMap::new();
    for api in inputs.explicit {
        let built = explicit_api(resolver, api, inputs.globals, inputs.template_dir)?;
        apis.insert(api.logical_id.clone(), built);
    }
    let mut implicit: Option<SamApi> = None;

    for function in inputs.sam_functions {
        let Some(events_node) = function.properties.get("Events") else {
            continue;
        };
        let Some(events) = events_node.as_map() else {
            if matches!(events_node.value, Value::Null) {
                continue;
            }
            return Err(LoadError::new(
                events_node.location.clone(),
                format!(
                    "Function '{}': Events must be a map of event names, found {}",
                    function.logical_id,
                    events_node.kind()
                ),
            ));
        };
        for event in events.iter() {
            let description = format!("Function '{}' event '{}'", function.logical_id, event.key);
            let Some(event_map) = event.value.as_map() else {
                return Err(LoadError::new(
                    event.value.location.clone(),
                    format!(
                        "{description} must be a map with Type and Properties, found {}",
                        event.value.kind()
                    ),
                ));
            };
            let event_type = event_map
                .get("Type")
                .and_then(Node::as_str)
                .unwrap_or_default();
            // `HttpApi` events are read by `sam::http_api`.
            if event_type != "Api" {
                continue;
            }
            let props = event_map
                .get("Properties")
                .and_then(Node::as_map)
                .ok_or_else(|| {
                    LoadError::new(
                        event.key_location.clone(),
                        format!(
                            "{description}: an Api event needs Properties with Path and Method"
                        ),
                    )
                })?;
            if let Some(unknown) = props
                .iter()
                .find(|e| !API_EVENT_PROPERTIES.contains(&e.key.as_str()))
            {
                return Err(LoadError::new(
                    unknown.key_location.clone(),
                    format!(
                        "Resource with id [{}{}] is invalid. property {} not defined for resource of type Api (SAM's error: an Api event takes only {}; `Cors` belongs on an AWS::Serverless::Api or in Globals.Api)",
                        function.logical_id,
                        event.key,
                        unknown.key,
                        API_EVENT_PROPERTIES.join(", ")
                    ),
                ));
            }
            let raw_path =
                required_text(resolver, props, "Path", &event.key_location, &description)?;
            let raw_method =
                required_text(resolver, props, "Method", &event.key_location, &description)?;
            if raw_method.trim() == "*" || raw_path.contains('*') {
                let at = props
                    .get(if raw_path.contains('*') {
                        "Path"
                    } else {
                        "Method"
                    })
                    .map_or_else(|| event.key_location.clone(), |n| n.location.clone());
                resolver.warn(
                    &at,
                    format!("{description}: Method '{raw_method}' on Path '{raw_path}' serves no route: a `*` is not a method or path API Gateway routes (such events only make SAM grant API Gateway permission to invoke the function); gatewise serves none either — write `Method: ANY` and `Path: /{{proxy+}}` to serve every method and path"),
                );
                continue;
            }
            let method = http_method(&raw_method).ok_or_else(|| {
                LoadError::new(
                    props.get("Method").map_or_else(|| event.key_location.clone(), |n| n.location.clone()),
                    format!("{description}: Method '{raw_method}' is not an HTTP method; use GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS or ANY"),
                )
            })?;
            let path = raw_path.trim().to_owned();
            let path = if path.starts_with('/') {
                path
            } else {
                format!("/{path}")
            };

            let api = match props.get("RestApiId") {
                None => match implicit {
                    Some(ref mut api) => api,
                    None => implicit.insert(implicit_api(
                        resolver,
                        inputs.globals,
                        &event.key_location,
                    )?),
                },
                Some(target) => {
                    let name = match target.intrinsic() {
                        Some(("Ref", name)) => name.as_str(),
                        _ => target.as_str(),
                    };
                    match name.and_then(|n| apis.get_mut(n)) {
                        Some(api) => api,
                        // A raw REST API declares its routes with its own `Method` resources;
                        // SAM only grants the invoke permission for such an event.
                        None if name.and_then(|n| resolver.resource_type(n))
                            == Some("AWS::ApiGateway::RestApi") =>
                        {
                            continue;
                        }
                        None => {
                            return Err(LoadError::new(
                                target.location.clone(),
                                format!(
                                    "{description}: RestApiId must be a !Ref to an AWS::Serverless::Api in this template{}; add that API or remove RestApiId to use the implicit API",
                                    name.map(|n| format!(" ('{n}' is not one)"))
                                        .unwrap_or_default()
                                ),
                            ));
                        }
                    }
                }
            };
            let security = match props.get("Auth").and_then(Node::as_map) {
                Some(auth) => auth::event_security(
                    resolver,
                    auth,
                    api.props.get("Auth").and_then(Node::as_map),
                    &description,
                )?,
                None => Vec::new(),
            };
            let function_name = inputs.functions[function.index].name.clone();
            if api.events == EventPaths::Ignored {
                if !rest::declares_operation(&api.doc, &path, &method) {
                    resolver.warn(
                        &event.key_location,
                        format!(
                            "{description}: API '{}' has its own DefinitionBody, and SAM adds event paths only to a definition it generates (or with `MergeDefinitions: true`); {} {path} is not declared there, so AWS will not route it",
                            api.logical_id,
                            method.to_uppercase()
                        ),
                    );
                }
                continue;
            }
            let validation = request_validation::event(
                resolver,
                props,
                &api.props,
                &api.doc,
                &EventSite {
                    description: &description,
                    event: &event.key,
                    path: &raw_path,
                    method: &raw_method,
                    at: &event.key_location,
                },
            )?;
            add_event_operation(
                api,
                &path,
                &method,
                &function.logical_id,
                &function_name,
                security,
                &validation,
                &event.key_location,
                &description,
            )?;
            validation.declare_validator(&mut api.doc);
        }
    }
    let mut out = Vec::new();
    for api in apis.into_values().chain(implicit) {
        out.push(finish(resolver, api, inputs.functions, api_keys)?);
    }
    Ok(out)
}

/// SAM `add_lambda_integration`: the event's path and method get an `aws_proxy` operation.
#[allow(clippy::too_many_arguments)]
fn add_event_operation(
    api: &mut SamApi,
    path: &str,
    method: &str,
    function_id: &str,
    function_name: &str,
    security: Vec<Node>,
    validation: &EventValidation,
    at: &SourceLocation,
    description: &str,
) -> Result<(), LoadError> {
    let api_id = api.logical_id.clone();
    let Some(paths) = openapi::paths_mut(&mut api.doc) else {
        return Ok(());
    };
    let key = rest::method_key(method);
    // SAM refuses the same path and method twice; API Gateway treats `/a/` as `/a`, so
    // trailing-slash twins are the same route here. Looked up in `added` rather than by
    // scanning the paths, which made a template with many events quadratic to load.
    let normalised = rest::normalise_path(path);
    if api.events == EventPaths::Added {
        match api.added.entry((normalised, key.clone())) {
            Entry::Occupied(first) => {
                let (normalised, _) = first.key();
                return Err(LoadError::new(
                    at.clone(),
                    format!(
                        "{description}: {method} {normalised} is already declared on API '{api_id}' at {}; SAM rejects duplicate routes — remove one of them",
                        first.get()
                    ),
                ));
            }
            Entry::Vacant(slot) => {
                slot.insert(at.clone());
            }
        }
    }
    if !paths.contains_key(path) {
        paths.set(path, at, Node::empty_map(at.clone()));
    }
    let item = paths
        .get_mut(path)
        .and_then(Node::as_map_mut)
        .ok_or_else(|| {
            LoadError::new(
                at.clone(),
                format!("{description}: Value of '{path}' path must be a dictionary according to Swagger spec."),
            )
        })?;
    let integration = map_node(
        at,
        vec![
            ("type", Node::string("aws_proxy", at.clone())),
            ("httpMethod", Node::string("POST", at.clone())),
            (
                "uri",
                Node::string(openapi::lambda_invocation_uri(function_name), at.clone()),
            ),
            (X_GATEWISE_FUNCTION, Node::string(function_id, at.clone())),
        ],
    );
    let mut operation = match item.get(&key).and_then(Node::as_map) {
        Some(existing) => existing.clone(),
        None => Map::default(),
    };
    operation.set(X_INTEGRATION, at, integration);
    if !operation.contains_key("responses") {
        operation.set("responses", at, Node::empty_map(at.clone()));
    }
    if !security.is_empty() {
        operation.set("security", at, Node::new(Value::List(security), at.clone()));
    }
    validation.apply_to_operation(&mut operation);
    item.set(&key, at, Node::new(Value::Map(operation), at.clone()));
    Ok(())
}

/// Cors, Auth and GatewayResponses on the finished paths, then the model API.
fn finish(
    resolver: &mut Resolver<'_>,
    mut api: SamApi,
    functions: &Functions<'_>,
    api_keys: &mut Vec<ApiKey>,
) -> Result<RestApi, LoadError> {
    let id = api.logical_id.clone();
    let cors = cors::read(resolver, &id, &api.props, api.from_uri)?;
    if let Some(cors) = &cors {
        cors::apply(&id, cors, &mut api.doc)?;
    }
    auth::apply(resolver, &id, &api.props, &mut api.doc, functions, api_keys)?;
    gateway_responses::apply(&id, &api.props, &mut api.doc)?;
    request_validation::apply_models(resolver, &id, &api.props, &mut api.doc)?;
    let mut rest_api = RestApi {
        logical_id: id.clone(),
        api_id: ids::api_id(&id),
        stage: api.stage.clone(),
        stage_variables: stage_variables(resolver, &api.props, &id)?,
        binary_media_types: binary_media_types(resolver, &api.props, &id)?,
        resources: Vec::new(),
        location: api.location.clone(),
        gateway_responses: Vec::new(),
        api_key_source: Default::default(),
        cors_location: cors.map(|c| c.location),
        models: Vec::new(),
    };
    if let Some(source) = resolver.property(&api.props, "ApiKeySourceType")? {
        rest_api.api_key_source =
            rest::api_key_source(&source, &format!("Api '{id}': ApiKeySourceType"))?;
    }
    let conversion = rest::Conversion {
        what: format!("Api '{id}'"),
        api_logical_id: &id,
        functions,
    };
    rest::to_model(resolver, &api.doc, &conversion, &mut rest_api)?;
    openapi::request_validation::check_models(&rest_api)?;
    Ok(rest_api)
}

fn required_text(
    resolver: &mut Resolver<'_>,
    props: &Map,
    key: &str,
    at: &SourceLocation,
    description: &str,
) -> Result<String, LoadError> {
    match resolver.property(props, key)? {
        Some(node) => text(&node, &format!("{description}: {key}")),
        None => Err(LoadError::new(
            at.clone(),
            format!("{description}: an Api event needs {key}"),
        )),
    }
}

/// Upper-cases a SAM event method; `any` is API Gateway's `ANY`.
fn http_method(method: &str) -> Option<String> {
    let upper = method.trim().to_ascii_uppercase();
    let known = [
        "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY",
    ];
    known.contains(&upper.as_str()).then_some(upper)
}

fn implicit_api(
    resolver: &mut Resolver<'_>,
    api_globals: Option<&Map>,
    location: &SourceLocation,
) -> Result<SamApi, LoadError> {
    let mut doc = rest::empty_document(location);
    openapi::normalise_paths(resolver, &mut doc, &format!("Api '{IMPLICIT_API}'"))?;
    Ok(SamApi {
        logical_id: IMPLICIT_API.to_owned(),
        location: location.clone(),
        props: api_globals.cloned().unwrap_or_default(),
        stage: IMPLICIT_STAGE.to_owned(),
        doc,
        from_uri: false,
        events: EventPaths::Added,
        added: HashMap::new(),
    })
}

fn explicit_api(
    resolver: &mut Resolver<'_>,
    api: &ExplicitApi<'_>,
    api_globals: Option<&Map>,
    template_dir: &Path,
) -> Result<SamApi, LoadError> {
    let id = &api.logical_id;
    let what = format!("Api '{id}'");
    let own = properties_of(api.resource, id)?;
    let props = globals::apply(api_globals, api.resource, &own)?;
    let stage = match resolver.property(&props, "StageName")? {
        Some(node) => text(&node, &format!("{what}: StageName"))?,
        None => {
            return Err(LoadError::new(
                api.location.clone(),
                format!("{what} has no StageName; SAM requires one — add e.g. `StageName: Prod`"),
            ));
        }
    };
    let user_definition =
        props.contains_key("DefinitionBody") || props.contains_key("DefinitionUri");
    let merge = resolver
        .property(&props, "MergeDefinitions")?
        .is_some_and(|n| n.scalar_text().is_some_and(|t| t == "true"));
    let events = match (user_definition, merge) {
        (false, _) => EventPaths::Added,
        (true, true) => EventPaths::Merged,
        (true, false) => EventPaths::Ignored,
    };
    let (mut doc, from_uri) = if let Some(body) = props.get("DefinitionBody") {
        (
            definition::inline(resolver, body, template_dir, &what)?,
            false,
        )
    } else if let Some(uri) = props.get("DefinitionUri") {
        // SAM checks Cors and Models before it would read the file (and refuses both with a
        // URI).
        cors::read(resolver, id, &props, true)?;
        request_validation::refuse_models_with_definition_uri(resolver, id, &props)?;
        (
            definition::from_uri(resolver, uri, template_dir, &what, "DefinitionUri")?,
            true,
        )
    } else {
        (rest::empty_document(&api.location), false)
    };
    openapi::normalise_paths(resolver, &mut doc, &what)?;
    Ok(SamApi {
        logical_id: id.clone(),
        location: api.location.clone(),
        props,
        stage,
        doc,
        from_uri,
        events,
        added: HashMap::new(),
    })
}

fn stage_variables(
    resolver: &mut Resolver<'_>,
    props: &Map,
    logical_id: &str,
) -> Result<IndexMap<String, String>, LoadError> {
    match resolver.property(props, "Variables")? {
        Some(node) => string_map(&node, &format!("Api '{logical_id}': Variables")),
        None => Ok(IndexMap::new()),
    }
}

/// `BinaryMediaTypes`, with SAM's `~1` escape for `/` turned back.
fn binary_media_types(
    resolver: &mut Resolver<'_>,
    props: &Map,
    logical_id: &str,
) -> Result<Vec<String>, LoadError> {
    match resolver.property(props, "BinaryMediaTypes")? {
        Some(node) => Ok(
            string_list(&node, &format!("Api '{logical_id}': BinaryMediaTypes"))?
                .into_iter()
                .map(|t| t.replace("~1", "/"))
                .collect(),
        ),
        None => Ok(Vec::new()),
    }
}

#[cfg(test)]
mod tests;
