//! SAM resources into the model: `AWS::Serverless::Function` and the REST APIs its `Api` events
//! build — explicit `AWS::Serverless::Api` resources first, then SAM's implicit
//! `ServerlessRestApi` (stage `Prod`), as SAM orders them.
//!
//! `DefinitionBody` / `DefinitionUri` (OpenAPI) are not read yet: such an API is still built
//! from its events, with a warning, so a later OpenAPI step can add routes to the same
//! [`RestApi`].

use std::collections::HashMap;
use std::path::Path;

use gatewise_model::{
    Function, FunctionCode, FunctionIndex, Integration, Method, Resource, RestApi, SourceLocation,
};
use indexmap::IndexMap;

use crate::intrinsics::Resolver;
use crate::properties::{
    lambda_function, properties_of, refuse_image, string_list, string_map, text,
};
use crate::value::{Map, Node, Value};
use crate::{LoadError, code, globals, ids};

/// Logical id SAM gives the API it creates for `Api` events without `RestApiId`.
pub const IMPLICIT_API: &str = "ServerlessRestApi";
/// Stage of the implicit API.
pub const IMPLICIT_STAGE: &str = "Prod";

/// A SAM function, with its properties after the Globals merge (events are read from them
/// once every function exists).
pub struct SamFunction {
    pub index: FunctionIndex,
    pub logical_id: String,
    pub properties: Map,
}

/// `AWS::Serverless::Function` → [`Function`] plus its merged properties.
pub fn function(
    resolver: &mut Resolver<'_>,
    logical_id: &str,
    location: &SourceLocation,
    resource: &Map,
    globals: Option<&Map>,
    template_dir: &Path,
) -> Result<(Function, Map), LoadError> {
    let own = properties_of(resource, logical_id)?;
    let props = globals::apply(globals, resource, &own)?;
    refuse_image(resolver, &props, logical_id)?;
    let code = if let Some(inline) = resolver.property(&props, "InlineCode")? {
        FunctionCode::Inline(text(
            &inline,
            &format!("Function '{logical_id}': InlineCode"),
        )?)
    } else if let Some(uri) = resolver.property(&props, "CodeUri")? {
        code::from_code_uri(&uri, template_dir, logical_id)?
    } else {
        // SAM CLI runs a function without CodeUri from the template's directory.
        FunctionCode::Directory(template_dir.to_path_buf())
    };
    let function = lambda_function(resolver, &props, logical_id, location, code)?;
    Ok((function, props))
}

/// An explicit `AWS::Serverless::Api` as found in the template.
pub struct ExplicitApi<'t> {
    pub logical_id: String,
    pub location: SourceLocation,
    pub resource: &'t Map,
}

/// A REST API being assembled from events.
struct ApiBuilder {
    api: RestApi,
    /// Path → index into `api.resources`.
    paths: HashMap<String, usize>,
    /// (path, method) → where it was first declared, for the duplicate-route error.
    routes: HashMap<(String, String), SourceLocation>,
}

impl ApiBuilder {
    fn new(api: RestApi) -> Self {
        Self {
            api,
            paths: HashMap::new(),
            routes: HashMap::new(),
        }
    }

    fn add(
        &mut self,
        path: String,
        method: String,
        function: FunctionIndex,
        location: SourceLocation,
        description: &str,
    ) -> Result<(), LoadError> {
        let key = (path.clone(), method.clone());
        if let Some(first) = self.routes.get(&key) {
            return Err(LoadError::new(
                location,
                format!(
                    "{description}: {method} {path} is already declared on API '{}' at {first}; SAM rejects duplicate routes — remove one of them",
                    self.api.logical_id
                ),
            ));
        }
        self.routes.insert(key, location.clone());
        let index = *self.paths.entry(path.clone()).or_insert_with(|| {
            self.api.resources.push(Resource {
                resource_id: ids::resource_id(&self.api.logical_id, &path),
                path,
                methods: Vec::new(),
            });
            self.api.resources.len() - 1
        });
        self.api.resources[index].methods.push(Method {
            http_method: method,
            integration: Integration::LambdaProxy {
                function,
                timeout: Integration::REST_DEFAULT_TIMEOUT,
            },
            location,
            api_key_required: false,
            authorization: Default::default(),
            provenance: Default::default(),
        });
        Ok(())
    }
}

/// Builds every REST API: explicit ones (template order), then the implicit one if any `Api`
/// event has no `RestApiId`.
pub fn rest_apis(
    resolver: &mut Resolver<'_>,
    explicit: &[ExplicitApi<'_>],
    functions: &[SamFunction],
    api_globals: Option<&Map>,
) -> Result<Vec<RestApi>, LoadError> {
    let mut builders: IndexMap<String, ApiBuilder> = IndexMap::new();
    for api in explicit {
        let built = explicit_api(resolver, api, api_globals)?;
        builders.insert(api.logical_id.clone(), ApiBuilder::new(built));
    }
    let mut implicit: Option<ApiBuilder> = None;

    for function in functions {
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
            match event_type {
                "Api" => {}
                "HttpApi" => {
                    resolver.warn(
                        &event.key_location,
                        format!("{description}: HttpApi events are not served yet; this route is skipped"),
                    );
                    continue;
                }
                _ => continue,
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
            let path = required_text(resolver, props, "Path", &event.key_location, &description)?;
            let method =
                required_text(resolver, props, "Method", &event.key_location, &description)?;
            let method = http_method(&method).ok_or_else(|| {
                LoadError::new(
                    props.get("Method").map_or_else(|| event.key_location.clone(), |n| n.location.clone()),
                    format!("{description}: Method '{method}' is not an HTTP method; use GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS or ANY"),
                )
            })?;
            let path = normalise_path(&path);

            let builder = match props.get("RestApiId") {
                None => match implicit {
                    Some(ref mut builder) => builder,
                    None => implicit.insert(ApiBuilder::new(implicit_api(
                        resolver,
                        api_globals,
                        &event.key_location,
                    )?)),
                },
                Some(target) => {
                    let name = match target.intrinsic() {
                        Some(("Ref", name)) => name.as_str(),
                        _ => target.as_str(),
                    };
                    match name.and_then(|n| builders.get_mut(n)) {
                        Some(builder) => builder,
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
            builder.add(
                path,
                method,
                function.index,
                event.key_location.clone(),
                &description,
            )?;
        }
    }
    let mut apis: Vec<RestApi> = builders.into_values().map(|b| b.api).collect();
    apis.extend(implicit.map(|b| b.api));
    Ok(apis)
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

/// `/items/{id}`: a leading slash, no trailing slash, the root as `/`.
pub fn normalise_path(path: &str) -> String {
    let trimmed = path.trim().trim_end_matches('/');
    if trimmed.is_empty() {
        "/".to_owned()
    } else if trimmed.starts_with('/') {
        trimmed.to_owned()
    } else {
        format!("/{trimmed}")
    }
}

fn implicit_api(
    resolver: &mut Resolver<'_>,
    api_globals: Option<&Map>,
    location: &SourceLocation,
) -> Result<RestApi, LoadError> {
    let globals = api_globals.cloned().unwrap_or_default();
    Ok(RestApi {
        logical_id: IMPLICIT_API.to_owned(),
        api_id: ids::api_id(IMPLICIT_API),
        stage: IMPLICIT_STAGE.to_owned(),
        stage_variables: stage_variables(resolver, &globals, IMPLICIT_API)?,
        binary_media_types: binary_media_types(resolver, &globals, IMPLICIT_API)?,
        resources: Vec::new(),
        location: location.clone(),
        gateway_responses: Vec::new(),
        api_key_source: Default::default(),
        cors_location: None,
    })
}

fn explicit_api(
    resolver: &mut Resolver<'_>,
    api: &ExplicitApi<'_>,
    api_globals: Option<&Map>,
) -> Result<RestApi, LoadError> {
    let own = properties_of(api.resource, &api.logical_id)?;
    let props = globals::apply(api_globals, api.resource, &own)?;
    let stage = match resolver.property(&props, "StageName")? {
        Some(node) => text(&node, &format!("Api '{}': StageName", api.logical_id))?,
        None => {
            return Err(LoadError::new(
                api.location.clone(),
                format!(
                    "Api '{}' has no StageName; SAM requires one — add e.g. `StageName: Prod`",
                    api.logical_id
                ),
            ));
        }
    };
    for key in ["DefinitionBody", "DefinitionUri"] {
        if let Some(entry) = props.entry(key) {
            resolver.warn(
                &entry.key_location,
                format!("Api '{}': {key} is not read yet; gatewise serves only the routes of function Api events on this API", api.logical_id),
            );
        }
    }
    Ok(RestApi {
        logical_id: api.logical_id.clone(),
        api_id: ids::api_id(&api.logical_id),
        stage,
        stage_variables: stage_variables(resolver, &props, &api.logical_id)?,
        binary_media_types: binary_media_types(resolver, &props, &api.logical_id)?,
        resources: Vec::new(),
        location: api.location.clone(),
        gateway_responses: Vec::new(),
        api_key_source: Default::default(),
        cors_location: None,
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
