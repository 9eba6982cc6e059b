//! Request validation as an OpenAPI / swagger document declares it (spec V.10), and the model
//! handling raw CloudFormation (`cfn::apigateway`) shares with it (spec V.6).
//!
//! A document names its validators in `x-amazon-apigateway-request-validators`, picks one for
//! every operation with a root `x-amazon-apigateway-request-validator` and overrides it per
//! operation; required parameters are `parameters` entries with `required: true`; the body
//! models are swagger 2 `in: body` schemas (under the `consumes` media types) or OpenAPI 3
//! `requestBody.content` schemas. Models are the document's `definitions` /
//! `components.schemas`; like API Gateway's import, gatewise rewrites their `#/definitions/X`
//! references into model URLs ([`Model::uri`]), so a model reads the same whichever way it was
//! declared. Every schema is checked at load: a broken one is a located error, not a 400 on
//! every request.

use std::collections::HashSet;

use gatewise_model::{
    BodyModel, Model, ParameterSource, RequestValidation, RequestValidator, RequiredParameter,
    RestApi, SourceLocation,
};
use indexmap::IndexMap;
use serde_json::Value as Json;

use crate::LoadError;
use crate::document::intrinsics::Resolver;
use crate::document::value::{Map, Node, Value};
use crate::properties::string_list;

pub const X_REQUEST_VALIDATORS: &str = "x-amazon-apigateway-request-validators";
pub const X_REQUEST_VALIDATOR: &str = "x-amazon-apigateway-request-validator";

/// The media type a swagger 2 body schema is stored under when neither the operation nor the
/// document lists `consumes`. UNCONFIRMED (spec V.10): API Gateway's default content type
/// elsewhere (V.4). Test `rule_v_10_swagger_validators_parameters_and_body_models`.
const DEFAULT_BODY_MEDIA_TYPE: &str = "application/json";

/// Where a document keeps its models, as `$ref`s spell the prefix.
const MODEL_SECTIONS: [&str; 2] = ["#/definitions/", "#/components/schemas/"];

/// Prefix of the names gatewise gives inline body schemas (AWS generates its own on import,
/// spec V.10): `-` is not allowed in API Gateway model names (alphanumeric only), so no user
/// model can collide. Test `rule_v_10_openapi_3_request_bodies_and_no_validator`.
const INLINE_MODEL_PREFIX: &str = "inline-body-";

/// What every operation of a document reads: its validators, the default one, `consumes`.
pub struct DocumentValidation {
    validators: IndexMap<String, (bool, bool, SourceLocation)>,
    default: Option<(String, SourceLocation)>,
    consumes: Vec<String>,
}

/// A boolean written as YAML / JSON boolean or as the text `true` / `false`.
pub fn boolean(node: &Node) -> Option<bool> {
    match &node.value {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

fn flag(resolver: &mut Resolver<'_>, map: &Map, key: &str, what: &str) -> Result<bool, LoadError> {
    match resolver.property(map, key)? {
        None => Ok(false),
        Some(node) => boolean(&node).ok_or_else(|| {
            LoadError::new(
                node.location.clone(),
                format!("{what}: {key} must be true or false, found {}", node.kind()),
            )
        }),
    }
}

/// Reads the document's validators, default validator and `consumes`, and adds its models to
/// `api.models`.
pub fn document(
    resolver: &mut Resolver<'_>,
    root: &Map,
    api: &mut RestApi,
    what: &str,
) -> Result<DocumentValidation, LoadError> {
    let mut validators = IndexMap::new();
    if let Some(node) = resolver.property(root, X_REQUEST_VALIDATORS)? {
        let map = node.as_map().ok_or_else(|| {
            LoadError::new(
                node.location.clone(),
                format!(
                    "{what}: {X_REQUEST_VALIDATORS} must be a map of validator names, found {}",
                    node.kind()
                ),
            )
        })?;
        for entry in map.iter() {
            let what = format!("{what}: request validator '{}'", entry.key);
            let rules = entry.value.as_map().ok_or_else(|| {
                LoadError::new(
                    entry.value.location.clone(),
                    format!(
                        "{what} must be a map with validateRequestBody and validateRequestParameters, found {}",
                        entry.value.kind()
                    ),
                )
            })?;
            let body = flag(resolver, rules, "validateRequestBody", &what)?;
            let parameters = flag(resolver, rules, "validateRequestParameters", &what)?;
            validators.insert(
                entry.key.clone(),
                (body, parameters, entry.key_location.clone()),
            );
        }
    }
    let default = match root.entry(X_REQUEST_VALIDATOR) {
        Some(entry) => Some((
            resolver.text(&entry.value, &format!("{what}: {X_REQUEST_VALIDATOR}"))?,
            entry.key_location.clone(),
        )),
        None => None,
    };
    let consumes = match resolver.property(root, "consumes")? {
        Some(node) => string_list(&node, &format!("{what}: consumes"))?,
        None => Vec::new(),
    };
    let sections = [
        root.get("definitions"),
        root.get("components")
            .and_then(Node::as_map)
            .and_then(|c| c.get("schemas")),
    ];
    for section in sections.into_iter().flatten() {
        let Some(section) = resolver.resolve(section)? else {
            continue;
        };
        let Some(models) = section.as_map() else {
            return Err(LoadError::new(
                section.location.clone(),
                format!(
                    "{what}: the models section must be a map of names to schemas, found {}",
                    section.kind()
                ),
            ));
        };
        for entry in models.iter() {
            let what = format!("{what}: model '{}'", entry.key);
            let mut schema = schema_json(&entry.value, &what)?;
            rewrite_model_refs(&mut schema, &api.api_id);
            add_model(
                api,
                Model {
                    name: entry.key.clone(),
                    schema: schema.to_string(),
                    location: entry.key_location.clone(),
                },
                &what,
            )?;
        }
    }
    Ok(DocumentValidation {
        validators,
        default,
        consumes,
    })
}

/// Adds `model` to the API; a second model of the same name is an error, as on AWS.
pub fn add_model(api: &mut RestApi, model: Model, what: &str) -> Result<(), LoadError> {
    if let Some(first) = api.models.iter().find(|m| m.name == model.name) {
        return Err(LoadError::new(
            model.location.clone(),
            format!(
                "{what}: API '{}' already has a model named '{}' (declared at {}); model names are unique per API",
                api.logical_id, model.name, first.location
            ),
        ));
    }
    api.models.push(model);
    Ok(())
}

/// The request validation of one operation: `None` when neither the operation nor the
/// document picks a validator (its parameters and body then go unchecked, as on AWS).
pub fn operation(
    resolver: &mut Resolver<'_>,
    doc_root: &Map,
    declared: &DocumentValidation,
    path_item: &Map,
    op: &Map,
    api: &mut RestApi,
    description: &str,
) -> Result<Option<RequestValidation>, LoadError> {
    let chosen = match op.entry(X_REQUEST_VALIDATOR) {
        Some(entry) => Some((
            resolver.text(
                &entry.value,
                &format!("{description}: {X_REQUEST_VALIDATOR}"),
            )?,
            entry.key_location.clone(),
        )),
        None => declared.default.clone(),
    };
    let Some((name, assigned_at)) = chosen else {
        return Ok(None);
    };
    let Some((validate_body, validate_parameters, location)) = declared.validators.get(&name)
    else {
        let known: Vec<&str> = declared.validators.keys().map(String::as_str).collect();
        return Err(LoadError::new(
            assigned_at,
            format!(
                "{description}: request validator '{name}' is not declared in {X_REQUEST_VALIDATORS} ({}); API Gateway refuses to import the document",
                if known.is_empty() {
                    "it declares none".to_owned()
                } else {
                    format!("declared: {}", known.join(", "))
                }
            ),
        ));
    };
    let validator = RequestValidator {
        name,
        validate_body: *validate_body,
        validate_parameters: *validate_parameters,
        location: location.clone(),
        assigned_at,
    };

    // Path-item parameters apply to every operation; the operation's own win (same place
    // and name).
    let mut parameters: Vec<(String, String, Map, SourceLocation)> = Vec::new();
    for list in [path_item.get("parameters"), op.get("parameters")]
        .into_iter()
        .flatten()
    {
        let Some(list) = resolver.resolve(list)? else {
            continue;
        };
        let Some(items) = list.as_list() else {
            return Err(LoadError::new(
                list.location.clone(),
                format!(
                    "{description}: parameters must be a list, found {}",
                    list.kind()
                ),
            ));
        };
        for item in items {
            let parameter = local_ref(
                doc_root,
                item,
                &["#/parameters/", "#/components/parameters/"],
                description,
            )?;
            let Some(map) = parameter.as_map() else {
                return Err(LoadError::new(
                    parameter.location.clone(),
                    format!(
                        "{description}: a parameter must be a map with `in` and `name`, found {}",
                        parameter.kind()
                    ),
                ));
            };
            let place = map
                .get("in")
                .and_then(Node::scalar_text)
                .unwrap_or_default();
            let name = map
                .get("name")
                .and_then(Node::scalar_text)
                .unwrap_or_default();
            parameters.retain(|(p, n, ..)| !(*p == place && *n == name));
            parameters.push((place, name, map.clone(), parameter.location.clone()));
        }
    }

    let mut required_parameters = Vec::new();
    let mut body_models = Vec::new();
    for (place, name, map, location) in &parameters {
        let source = match place.as_str() {
            "header" => ParameterSource::Header,
            "path" => ParameterSource::Path,
            "query" => ParameterSource::QueryString,
            "body" => {
                let schema = map.get("schema").ok_or_else(|| {
                    LoadError::new(
                        location.clone(),
                        format!("{description}: the body parameter '{name}' has no schema"),
                    )
                })?;
                let consumes = match op.get("consumes") {
                    Some(types) => string_list(types, &format!("{description}: consumes"))?,
                    None => declared.consumes.clone(),
                };
                let media_types = if consumes.is_empty() {
                    vec![DEFAULT_BODY_MEDIA_TYPE.to_owned()]
                } else {
                    consumes
                };
                for media_type in media_types {
                    let model = body_model(resolver, schema, api, description)?;
                    body_models.push(BodyModel {
                        content_type: media_type,
                        model,
                        location: schema.location.clone(),
                    });
                }
                continue;
            }
            // `formData` and `cookie` parameters are not validated by API Gateway.
            _ => continue,
        };
        let required = match map.get("required") {
            Some(flag) => boolean(flag).ok_or_else(|| {
                LoadError::new(
                    flag.location.clone(),
                    format!(
                        "{description}: `required` of parameter '{name}' must be true or false, found {}",
                        flag.kind()
                    ),
                )
            })?,
            None => false,
        };
        if required && !name.is_empty() {
            required_parameters.push(RequiredParameter {
                source,
                name: name.clone(),
                location: location.clone(),
            });
        }
    }

    if let Some(request_body) = op.get("requestBody") {
        let request_body = local_ref(
            doc_root,
            request_body,
            &["#/components/requestBodies/"],
            description,
        )?;
        let content = request_body
            .as_map()
            .and_then(|b| b.get("content"))
            .and_then(Node::as_map);
        for entry in content.map(Map::iter).into_iter().flatten() {
            let Some(schema) = entry.value.as_map().and_then(|m| m.get("schema")) else {
                continue;
            };
            let model = body_model(resolver, schema, api, description)?;
            body_models.push(BodyModel {
                content_type: entry.key.clone(),
                model,
                location: entry.key_location.clone(),
            });
        }
    }

    Ok(Some(RequestValidation {
        validator,
        required_parameters,
        body_models,
    }))
}

/// `node`, or the document part its `$ref` names under one of `prefixes`.
fn local_ref<'d>(
    doc_root: &'d Map,
    node: &'d Node,
    prefixes: &[&str],
    description: &str,
) -> Result<&'d Node, LoadError> {
    let Some(reference) = node
        .as_map()
        .and_then(|m| m.get("$ref"))
        .and_then(Node::as_str)
    else {
        return Ok(node);
    };
    let target = prefixes.iter().find_map(|prefix| {
        let name = reference.strip_prefix(prefix)?;
        let mut path = prefix
            .trim_start_matches("#/")
            .trim_end_matches('/')
            .split('/');
        let first = path.next()?;
        let mut section = doc_root.get(first)?;
        for key in path {
            section = section.as_map()?.get(key)?;
        }
        section.as_map()?.get(name)
    });
    target.ok_or_else(|| {
        LoadError::new(
            node.location.clone(),
            format!("{description}: $ref '{reference}' names nothing in this document"),
        )
    })
}

/// The model name of a body schema: the model a `$ref` names (which must exist), or a new
/// model for a schema written inline.
fn body_model(
    resolver: &mut Resolver<'_>,
    schema: &Node,
    api: &mut RestApi,
    description: &str,
) -> Result<String, LoadError> {
    let reference = schema
        .as_map()
        .and_then(|m| m.get("$ref"))
        .and_then(Node::as_str);
    if let Some(reference) = reference {
        let name = MODEL_SECTIONS
            .iter()
            .find_map(|prefix| reference.strip_prefix(prefix));
        return match name {
            Some(name) if api.models.iter().any(|m| m.name == name) => Ok(name.to_owned()),
            _ => Err(LoadError::new(
                schema.location.clone(),
                format!(
                    "{description}: the body schema $ref '{reference}' is not a model of this document (its definitions / components.schemas); API Gateway refuses to import it"
                ),
            )),
        };
    }
    let Some(schema) = resolver.resolve(schema)? else {
        return Err(LoadError::new(
            schema.location.clone(),
            format!("{description}: the body schema cannot be AWS::NoValue"),
        ));
    };
    let what = format!("{description}: the body schema");
    let mut json = schema_json(&schema, &what)?;
    rewrite_model_refs(&mut json, &api.api_id);
    let taken: HashSet<&str> = api.models.iter().map(|m| m.name.as_str()).collect();
    let name = (api.models.len()..)
        .map(|n| format!("{INLINE_MODEL_PREFIX}{n}"))
        .find(|n| !taken.contains(n.as_str()))
        .unwrap_or_else(|| INLINE_MODEL_PREFIX.to_owned());
    api.models.push(Model {
        name: name.clone(),
        schema: json.to_string(),
        location: schema.location.clone(),
    });
    Ok(name)
}

/// A schema node (already free of intrinsics) as JSON, checked against the draft 4
/// meta-schema; an error points at the offending part of the schema. A string is read as JSON
/// text (CloudFormation's `Schema` accepts both).
pub fn schema_json(node: &Node, what: &str) -> Result<Json, LoadError> {
    let (json, located) = match &node.value {
        Value::String(text) => match serde_json::from_str::<Json>(text) {
            Ok(json) => (json, false),
            Err(error) => {
                return Err(LoadError::new(
                    node.location.clone(),
                    format!(
                        "{what} is a string that is not JSON ({error}); write the schema as a map or as JSON text"
                    ),
                ));
            }
        },
        _ => (node.to_json(), true),
    };
    if !json.is_object() {
        return Err(LoadError::new(
            node.location.clone(),
            format!("{what} must be a JSON Schema object, found {}", node.kind()),
        ));
    }
    if let Err(error) = jsonschema::draft4::meta::validate(&json) {
        let pointer = error.instance_path().as_str().to_owned();
        let at = if located {
            node_at(node, &pointer).location.clone()
        } else {
            node.location.clone()
        };
        return Err(LoadError::new(
            at,
            format!(
                "{what} is not a valid JSON Schema (draft 4) at '{}': {error}; API Gateway refuses it (\"Invalid model schema specified\")",
                if pointer.is_empty() { "/" } else { &pointer }
            ),
        ));
    }
    Ok(json)
}

/// The deepest node on a JSON pointer's path (the node itself for `""`).
fn node_at<'n>(node: &'n Node, pointer: &str) -> &'n Node {
    let mut current = node;
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        let next = match &current.value {
            Value::Map(map) => map.get(&token),
            Value::List(items) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        };
        match next {
            Some(next) => current = next,
            None => break,
        }
    }
    current
}

/// Rewrites `#/definitions/X…` and `#/components/schemas/X…` references into model URLs of
/// `api_id`, as API Gateway's import stores them.
pub fn rewrite_model_refs(schema: &mut Json, api_id: &str) {
    match schema {
        Json::Object(map) => {
            for (key, value) in map.iter_mut() {
                if key == "$ref"
                    && let Json::String(reference) = value
                    && let Some(rest) = MODEL_SECTIONS
                        .iter()
                        .find_map(|prefix| reference.strip_prefix(prefix))
                {
                    let (name, inner) = rest.split_once('/').unwrap_or((rest, ""));
                    let uri = Model::uri(api_id, name);
                    *reference = if inner.is_empty() {
                        uri
                    } else {
                        format!("{uri}#/{inner}")
                    };
                } else {
                    rewrite_model_refs(value, api_id);
                }
            }
        }
        Json::Array(items) => items
            .iter_mut()
            .for_each(|item| rewrite_model_refs(item, api_id)),
        _ => {}
    }
}

/// Compiles every model of `api` the way the gateway will (draft 4, the API's models as the
/// only reachable resources): a `$ref` to anything else, or an unusable `pattern`, is a
/// located error at load.
pub fn check_models(api: &RestApi) -> Result<(), LoadError> {
    let mut schemas: Vec<(&Model, Json)> = Vec::with_capacity(api.models.len());
    for model in &api.models {
        let json: Json = serde_json::from_str(&model.schema).map_err(|error| {
            LoadError::new(
                model.location.clone(),
                format!("model '{}' is not JSON: {error}", model.name),
            )
        })?;
        if let Some(reference) = foreign_ref(&json, api) {
            return Err(LoadError::new(
                model.location.clone(),
                format!(
                    "model '{}' of API '{}' refers to '{reference}', which is not a model of this API; a $ref may name only the API's own models ({}, or #/definitions/<Name> in an OpenAPI document)",
                    model.name,
                    api.logical_id,
                    Model::uri(&api.api_id, "<Name>")
                ),
            ));
        }
        schemas.push((model, json));
    }
    let resources = schemas
        .iter()
        .map(|(m, json)| (Model::uri(&api.api_id, &m.name), json));
    let registry = jsonschema::Registry::new()
        .draft(jsonschema::Draft::Draft4)
        .extend(resources)
        .and_then(jsonschema::RegistryBuilder::prepare)
        .map_err(|error| {
            LoadError::new(
                api.location.clone(),
                format!(
                    "API '{}': its models cannot be read together: {error}",
                    api.logical_id
                ),
            )
        })?;
    for (model, json) in &schemas {
        jsonschema::draft4::options()
            .with_registry(&registry)
            .with_base_uri(Model::uri(&api.api_id, &model.name))
            .build(json)
            .map_err(|error| {
                LoadError::new(
                    model.location.clone(),
                    format!(
                        "model '{}' of API '{}' cannot be used: {error}",
                        model.name, api.logical_id
                    ),
                )
            })?;
    }
    Ok(())
}

/// The first `$ref` of `schema` that points neither inside its own document (`#…`) nor at a
/// model of `api`.
fn foreign_ref<'j>(schema: &'j Json, api: &RestApi) -> Option<&'j str> {
    match schema {
        Json::Object(map) => map.iter().find_map(|(key, value)| match value {
            Json::String(reference) if key == "$ref" => {
                let own = reference.starts_with('#')
                    || api.models.iter().any(|m| {
                        reference
                            .strip_prefix(&Model::uri(&api.api_id, &m.name))
                            .is_some_and(|rest| rest.is_empty() || rest.starts_with('#'))
                    });
                (!own).then_some(reference.as_str())
            }
            other => foreign_ref(other, api),
        }),
        Json::Array(items) => items.iter().find_map(|item| foreign_ref(item, api)),
        _ => None,
    }
}

/// `method.request.<source>.<name>` (a CloudFormation `RequestParameters` key, a SAM event's
/// `RequestParameters` entry) → its parts.
pub fn parameter_key(key: &str) -> Option<(ParameterSource, &str)> {
    let rest = key.strip_prefix("method.request.")?;
    let (source, name) = rest.split_once('.')?;
    let source = match source {
        "header" => ParameterSource::Header,
        "path" => ParameterSource::Path,
        "querystring" => ParameterSource::QueryString,
        _ => return None,
    };
    (!name.is_empty()).then_some((source, name))
}

#[cfg(test)]
mod tests {
    use gatewise_model::{ParameterSource, RequestValidation};

    use crate::test_support::rest_api::{HEADER, api, load_text, method, ok};

    /// A SAM API whose `DefinitionBody` is `body` (indented under it).
    fn sam_body(body: &str) -> String {
        let body: String = body.lines().map(|l| format!("        {l}\n")).collect();
        format!(
            "{HEADER}Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {{CodeUri: s3://b/k, Handler: index.handler, Runtime: nodejs20.x}}
  MyApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      DefinitionBody:
{body}"
        )
    }

    const INTEGRATION: &str = "x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: !Sub 'arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations'}";

    const SWAGGER: &str = "swagger: '2.0'
x-amazon-apigateway-request-validators:
  all: {validateRequestBody: true, validateRequestParameters: true}
  params-only: {validateRequestBody: false, validateRequestParameters: true}
x-amazon-apigateway-request-validator: all
consumes: [application/json, application/xml]
parameters:
  Tenant: {in: header, name: x-tenant, required: true, type: string}
definitions:
  Item:
    type: object
    required: [name]
    properties:
      name: {type: string}
      tags: {type: array, items: {$ref: '#/definitions/Tag'}}
  Tag: {type: string, pattern: '^[a-z]+$'}
paths:
  /items/{id}:
    parameters:
      - {in: path, name: id, required: true, type: string}
      - {in: query, name: q, required: true, type: string}
    post:
      parameters:
        - {$ref: '#/parameters/Tenant'}
        - {in: query, name: q, required: false, type: string}
        - {in: query, name: optional, type: string}
        - {in: body, name: Item, required: true, schema: {$ref: '#/definitions/Item'}}
      INTEGRATION
    get:
      x-amazon-apigateway-request-validator: params-only
      consumes: [text/plain]
      parameters:
        - {in: body, name: inline, schema: {type: string}}
      INTEGRATION
  /free:
    put:
      INTEGRATION
";

    fn validation<'s>(
        stack: &'s gatewise_model::Stack,
        path: &str,
        verb: &str,
    ) -> &'s RequestValidation {
        method(api(stack, "MyApi"), path, verb)
            .validation
            .as_ref()
            .unwrap_or_else(|| panic!("no validation on {verb} {path}"))
    }

    fn required(validation: &RequestValidation) -> Vec<(ParameterSource, &str)> {
        validation
            .required_parameters
            .iter()
            .map(|p| (p.source, p.name.as_str()))
            .collect()
    }

    fn bodies(validation: &RequestValidation) -> Vec<(&str, &str)> {
        validation
            .body_models
            .iter()
            .map(|b| (b.content_type.as_str(), b.model.as_str()))
            .collect()
    }

    #[test]
    fn rule_v_10_swagger_validators_parameters_and_body_models() {
        let stack = ok(&sam_body(&SWAGGER.replace("INTEGRATION", INTEGRATION)));
        let post = validation(&stack, "/items/{id}", "POST");
        assert_eq!(post.validator.name, "all");
        assert!(post.validator.validate_body && post.validator.validate_parameters);
        // The document's default is picked at its root line.
        assert_eq!(post.validator.assigned_at.line, 15);
        // Path-item parameters apply; the operation's own `q` (not required) wins.
        assert_eq!(
            required(post),
            [
                (ParameterSource::Path, "id"),
                (ParameterSource::Header, "x-tenant")
            ]
        );
        // A body schema is stored under each media type `consumes` names.
        assert_eq!(
            bodies(post),
            [("application/json", "Item"), ("application/xml", "Item")]
        );
        let get = validation(&stack, "/items/{id}", "GET");
        assert_eq!(get.validator.name, "params-only");
        assert!(!get.validator.validate_body);
        assert_eq!(
            required(get),
            [
                (ParameterSource::Path, "id"),
                (ParameterSource::QueryString, "q")
            ]
        );
        // An inline schema becomes a model of gatewise's naming.
        assert_eq!(bodies(get), [("text/plain", "inline-body-2")]);
        assert!(
            validation(&stack, "/free", "PUT")
                .required_parameters
                .is_empty()
        );

        let models = &api(&stack, "MyApi").models;
        let names: Vec<&str> = models.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["Item", "Tag", "inline-body-2"]);
        // References between models are stored as model URLs, as API Gateway's import does.
        let uri = gatewise_model::Model::uri(&api(&stack, "MyApi").api_id, "Tag");
        assert!(models[0].schema.contains(&uri), "{}", models[0].schema);
    }

    #[test]
    fn rule_v_10_openapi_3_request_bodies_and_no_validator() {
        let doc = "openapi: 3.0.1
x-amazon-apigateway-request-validators:
  body: {validateRequestBody: true}
components:
  schemas:
    Item: {type: object}
  requestBodies:
    ItemBody:
      content:
        application/json: {schema: {$ref: '#/components/schemas/Item'}}
paths:
  /items:
    post:
      x-amazon-apigateway-request-validator: body
      requestBody: {$ref: '#/components/requestBodies/ItemBody'}
      INTEGRATION
    put:
      x-amazon-apigateway-request-validator: body
      requestBody:
        content:
          $default: {schema: {$ref: '#/components/schemas/Item'}}
          text/plain: {schema: {type: string}}
      INTEGRATION
    get:
      parameters:
        - {in: query, name: q, required: true}
      INTEGRATION
";
        let stack = ok(&sam_body(&doc.replace("INTEGRATION", INTEGRATION)));
        let post = validation(&stack, "/items", "POST");
        assert!(post.validator.validate_body && !post.validator.validate_parameters);
        assert_eq!(bodies(post), [("application/json", "Item")]);
        let put = validation(&stack, "/items", "PUT");
        assert_eq!(
            bodies(put),
            [("$default", "Item"), ("text/plain", "inline-body-1")]
        );
        // No validator picked: nothing is validated.
        let get = method(api(&stack, "MyApi"), "/items", "GET");
        assert!(get.validation.is_none());
    }

    #[test]
    fn rule_v_6_and_v_10_document_errors_are_located() {
        let swagger = SWAGGER.replace("INTEGRATION", INTEGRATION);
        let cases = [
            (
                swagger.replace(
                    "x-amazon-apigateway-request-validator: params-only",
                    "x-amazon-apigateway-request-validator: nope",
                ),
                "request validator 'nope' is not declared in x-amazon-apigateway-request-validators (declared: all, params-only)",
                30,
            ),
            (
                swagger.replace(
                    "$ref: '#/definitions/Item'}}",
                    "$ref: '#/definitions/Missing'}}",
                ),
                "the body schema $ref '#/definitions/Missing' is not a model of this document",
                27,
            ),
            (
                swagger.replace("Tag: {type: string,", "Tag: {type: strung,"),
                "model 'Tag' is not a valid JSON Schema (draft 4) at '/type'",
                16,
            ),
            (
                swagger.replace("required: [name]", "required: []"),
                "model 'Item' is not a valid JSON Schema (draft 4) at '/required'",
                12,
            ),
            (
                swagger.replace("'#/definitions/Tag'", "'https://example.com/tag.json'"),
                "model 'Item' of API 'MyApi' refers to 'https://example.com/tag.json', which is not a model of this API",
                10,
            ),
            (
                swagger.replace("pattern: '^[a-z]+$'", "pattern: '(unclosed'"),
                "model 'Tag' is not a valid JSON Schema (draft 4) at '/pattern'",
                16,
            ),
            (
                swagger.replace(
                    "{$ref: '#/parameters/Tenant'}",
                    "{$ref: '#/parameters/Nope'}",
                ),
                "$ref '#/parameters/Nope' names nothing in this document",
                24,
            ),
            (
                swagger.replace(
                    "all: {validateRequestBody: true,",
                    "all: {validateRequestBody: yes-please,",
                ),
                "validateRequestBody must be true or false",
                3,
            ),
        ];
        for (doc, want, line) in cases {
            let error = load_text(&sam_body(&doc), &[]).expect_err(want);
            assert!(error.message.contains(want), "want {want}\ngot {error}");
            // The document starts on line 11 of the template.
            assert_eq!(error.location.line, 10 + line, "{want}: {error}");
        }
    }

    #[test]
    fn parameter_keys_name_a_source_and_a_name() {
        let cases = [
            (
                "method.request.header.x-id",
                Some((ParameterSource::Header, "x-id")),
            ),
            (
                "method.request.path.id",
                Some((ParameterSource::Path, "id")),
            ),
            (
                "method.request.querystring.full.type",
                Some((ParameterSource::QueryString, "full.type")),
            ),
            ("method.request.querystring.", None),
            ("method.request.multivalueheader.x", None),
            ("method.request.body", None),
            ("Authorization", None),
        ];
        for (key, want) in cases {
            assert_eq!(super::parameter_key(key), want, "{key}");
        }
    }
}
