//! SAM request validation on a REST API (spec V.9), written into the API's swagger the way
//! SAM writes it (`samtranslator/model/eventsources/push.py` `_add_swagger_integration`,
//! `swagger/swagger.py` `add_request_model_to_method`, `add_request_validator_to_method`,
//! `add_request_parameters_to_method`, `model/api/api_generator.py` `_add_models`):
//!
//! - an `Api` event's `RequestModel.Model` becomes an `in: body` parameter whose schema is
//!   `$ref: #/definitions/<model in lower case>` (OpenAPI 3: `requestBody`), with `Required`
//!   as `required`; `ValidateBody` / `ValidateParameters` (either one given) pick one of the
//!   validators `body-and-params`, `body-only`, `params-only`, `no-validation`, declared once
//!   at the document's root;
//! - its `RequestParameters` become `parameters` (`in: header|query|path`, `required`,
//!   `type: string`);
//! - the API's `Models` become `definitions` under lower-cased names.
//!
//! The finished document is then read like any other (`openapi::request_validation`).

use gatewise_model::SourceLocation;

use crate::LoadError;
use crate::document::intrinsics::Resolver;
use crate::document::value::{Map, Node, Value, map_node};
use crate::openapi::request_validation::{
    X_REQUEST_VALIDATOR, X_REQUEST_VALIDATORS, parameter_key,
};

/// The keys SAM accepts in a `RequestParameters` map entry.
const PARAMETER_PROPERTIES: [&str; 2] = ["Required", "Caching"];

/// SAM's message for a malformed `RequestParameters` name.
const PARAMETER_NAME_ERROR: &str = "Invalid value for 'RequestParameters' property. Keys must be in the format 'method.request.[querystring|path|header].{value}', e.g 'method.request.header.Authorization'.";

/// A SAM error on a function's `Api` event, with SAM's wording.
fn event_error(at: &SourceLocation, description: &str, event: &str, message: &str) -> LoadError {
    LoadError::new(
        at.clone(),
        format!(
            "{description}: Event with id [{event}] is invalid. {message} (SAM rejects this template)"
        ),
    )
}

/// A SAM error on an `AWS::Serverless::Api`, with SAM's wording.
fn api_error(at: &SourceLocation, api: &str, message: &str) -> LoadError {
    LoadError::new(
        at.clone(),
        format!(
            "Api '{api}': Resource with id [{api}] is invalid. {message} (SAM rejects this template)"
        ),
    )
}

/// What an `Api` event adds to its operation for request validation.
#[derive(Debug, Default)]
pub struct EventValidation {
    /// `parameters` entries, in SAM's order: the body model first, then `RequestParameters`.
    parameters: Vec<Node>,
    /// OpenAPI 3 documents get the model as `requestBody` instead.
    request_body: Option<Node>,
    /// The validator SAM names from `ValidateBody` / `ValidateParameters`, and its rules.
    validator: Option<(&'static str, bool, bool)>,
    /// Where the event declares it all.
    at: Option<SourceLocation>,
}

/// Where an event is, for SAM's messages.
pub struct EventSite<'a> {
    /// `Function 'F' event 'E'`, the prefix of gatewise's messages.
    pub description: &'a str,
    pub event: &'a str,
    /// `Path` and `Method` as written (SAM quotes them so).
    pub path: &'a str,
    pub method: &'a str,
    pub at: &'a SourceLocation,
}

/// Reads an `Api` event's `RequestModel` and `RequestParameters` (its `Properties` map),
/// checking them as SAM does; `api_props` are the API's properties (SAM looks up `Models`
/// there), `doc` its swagger (OpenAPI 3 gets a `requestBody`).
pub fn event(
    resolver: &mut Resolver<'_>,
    props: &Map,
    api_props: &Map,
    doc: &Node,
    site: &EventSite<'_>,
) -> Result<EventValidation, LoadError> {
    let mut out = EventValidation::default();
    let EventSite {
        description,
        event,
        path,
        method,
        at,
    } = *site;
    let error = |at: &SourceLocation, message: &str| event_error(at, description, event, message);
    if let Some(model_entry) = props.entry("RequestModel") {
        let Some(request_model) = model_entry.value.as_map() else {
            return Err(error(
                &model_entry.value.location,
                "Property 'RequestModel' should be a map.",
            ));
        };
        let model_node = request_model
            .get("Model")
            .filter(|m| !matches!(m.value, Value::Null));
        if let Some(model_node) = model_node {
            let shown = model_node
                .scalar_text()
                .unwrap_or_else(|| model_node.to_json().to_string());
            let unable = |why: &str| {
                error(
                    &model_node.location,
                    &format!(
                        "Unable to set RequestModel [{shown}] on API method [{method}] for path [{path}] because {why}."
                    ),
                )
            };
            let models = api_props.get("Models");
            let models = match models {
                None => return Err(unable("the related API does not define any Models")),
                Some(m) if m.as_map().is_some_and(Map::is_empty) => {
                    return Err(unable("the related API does not define any Models"));
                }
                Some(m) if m.as_map().is_none() && m.intrinsic().is_none() => {
                    return Err(unable("the related API Models defined is of invalid type"));
                }
                Some(m) => m,
            };
            let Value::String(model) = &model_node.value else {
                return Err(unable("the related API does not contain valid Models"));
            };
            if !models.as_map().is_some_and(|m| m.contains_key(model)) {
                return Err(unable("it wasn't defined in the API's Models"));
            }
            let name = model.to_lowercase();
            let required = request_model.get("Required").cloned();
            let loc = &model_entry.key_location;
            if is_openapi_3(doc) {
                let schema = map_node(
                    loc,
                    vec![(
                        "$ref",
                        Node::string(format!("#/components/schemas/{name}"), loc.clone()),
                    )],
                );
                let content = map_node(
                    loc,
                    vec![("application/json", map_node(loc, vec![("schema", schema)]))],
                );
                let mut body = vec![("content", content)];
                body.extend(required.map(|r| ("required", r)));
                out.request_body = Some(map_node(loc, body));
            } else {
                let schema = map_node(
                    loc,
                    vec![(
                        "$ref",
                        Node::string(format!("#/definitions/{name}"), loc.clone()),
                    )],
                );
                let mut parameter = vec![
                    ("in", Node::string("body", loc.clone())),
                    ("name", Node::string(name.clone(), loc.clone())),
                    ("schema", schema),
                ];
                parameter.extend(required.map(|r| ("required", r)));
                out.parameters.push(map_node(loc, parameter));
            }
            let validate_body = request_model.get("ValidateBody");
            let validate_parameters = request_model.get("ValidateParameters");
            if validate_body.is_some() || validate_parameters.is_some() {
                // SAM reads the raw values: only YAML booleans, no strings or intrinsics.
                let as_bool = |node: Option<&Node>| match node.map(|n| &n.value) {
                    None => Some(false),
                    Some(Value::Bool(b)) => Some(*b),
                    Some(_) => None,
                };
                let (Some(body), Some(params)) =
                    (as_bool(validate_body), as_bool(validate_parameters))
                else {
                    return Err(error(
                        &model_entry.key_location,
                        &format!(
                            "Unable to set Validator to RequestModel [{shown}] on API method [{method}] for path [{path}] ValidateBody and ValidateParameters must be a boolean type, strings or intrinsics are not supported."
                        ),
                    ));
                };
                out.validator = Some((validator_name(body, params), body, params));
            }
            out.at = Some(model_entry.key_location.clone());
        }
    }
    if let Some(parameters_node) = resolver.property(props, "RequestParameters")? {
        let Some(items) = parameters_node.as_list() else {
            return Err(error(
                &parameters_node.location,
                "Property 'RequestParameters' should be a list.",
            ));
        };
        for item in items {
            let (name, settings) = match &item.value {
                Value::String(name) => (name.clone(), None),
                Value::Map(map) => match map.iter().next() {
                    Some(first) => (first.key.clone(), Some(&first.value)),
                    None => return Err(error(&item.location, PARAMETER_NAME_ERROR)),
                },
                _ => {
                    return Err(error(
                        &item.location,
                        "Invalid value for 'RequestParameters' property. Property must be either a string or an object",
                    ));
                }
            };
            let Some((source, parameter_name)) = parameter_key(&name) else {
                return Err(error(&item.location, PARAMETER_NAME_ERROR));
            };
            let mut required = Node::new(Value::Bool(false), item.location.clone());
            if let Some(settings) = settings {
                let valid = settings.as_map().filter(|m| {
                    m.iter()
                        .all(|e| PARAMETER_PROPERTIES.contains(&e.key.as_str()))
                });
                let Some(settings) = valid else {
                    return Err(error(
                        &settings.location,
                        "Invalid value for 'RequestParameters' property. Values must be an object, e.g { Required: true, Caching: false }",
                    ));
                };
                if let Some(value) = settings.get("Required") {
                    required = value.clone();
                }
            }
            let place = match source {
                gatewise_model::ParameterSource::QueryString => "query".to_owned(),
                other => other.to_string(),
            };
            let loc = &item.location;
            out.parameters.push(map_node(
                loc,
                vec![
                    ("in", Node::string(place, loc.clone())),
                    ("name", Node::string(parameter_name, loc.clone())),
                    ("required", required),
                    ("type", Node::string("string", loc.clone())),
                ],
            ));
        }
        out.at.get_or_insert(at.clone());
    }
    Ok(out)
}

/// SAM's `get_validator_name`.
fn validator_name(body: bool, parameters: bool) -> &'static str {
    match (body, parameters) {
        (true, true) => "body-and-params",
        (true, false) => "body-only",
        (false, true) => "params-only",
        (false, false) => "no-validation",
    }
}

/// Whether SAM treats the document as OpenAPI 3 (an `openapi: 3.x` and no `swagger` key).
fn is_openapi_3(doc: &Node) -> bool {
    let Some(root) = doc.as_map() else {
        return false;
    };
    !root.contains_key("swagger")
        && root
            .get("openapi")
            .and_then(Node::scalar_text)
            .is_some_and(|v| is_openapi_3_version(&v))
}

/// SAM's `_OPENAPI_VERSION_3_REGEX`, `\A3(\.\d)(\.\d)?$`.
fn is_openapi_3_version(version: &str) -> bool {
    let mut parts = version.split('.');
    parts.next() == Some("3")
        && parts
            .next()
            .is_some_and(|p| p.len() == 1 && p.as_bytes()[0].is_ascii_digit())
        && parts
            .next()
            .is_none_or(|p| p.len() == 1 && p.as_bytes()[0].is_ascii_digit())
        && parts.next().is_none()
}

impl EventValidation {
    /// Adds the event's parameters, request body and validator to its operation.
    pub fn apply_to_operation(&self, operation: &mut Map) {
        let Some(at) = &self.at else {
            return;
        };
        if !self.parameters.is_empty() {
            let mut list = operation
                .get("parameters")
                .and_then(Node::as_list)
                .map(<[Node]>::to_vec)
                .unwrap_or_default();
            list.extend(self.parameters.iter().cloned());
            operation.set("parameters", at, Node::new(Value::List(list), at.clone()));
        }
        if let Some(body) = &self.request_body {
            operation.set("requestBody", at, body.clone());
        }
        if let Some((name, _, _)) = self.validator {
            operation.set(X_REQUEST_VALIDATOR, at, Node::string(name, at.clone()));
        }
    }

    /// Declares the event's validator at the document's root, unless a validator of that name
    /// is declared already (SAM keeps the first).
    pub fn declare_validator(&self, doc: &mut Node) {
        let (Some((name, body, parameters)), Some(at)) = (self.validator, &self.at) else {
            return;
        };
        let Some(validators) = doc
            .as_map_mut()
            .and_then(|root| section_of(root, X_REQUEST_VALIDATORS, at))
        else {
            return;
        };
        if validators.contains_key(name) {
            return;
        }
        validators.set(
            name,
            at,
            map_node(
                at,
                vec![
                    (
                        "validateRequestBody",
                        Node::new(Value::Bool(body), at.clone()),
                    ),
                    (
                        "validateRequestParameters",
                        Node::new(Value::Bool(parameters), at.clone()),
                    ),
                ],
            ),
        );
    }
}

/// The API's `Models` (resolved) and where they are declared; `None` when absent or empty,
/// which SAM ignores.
fn declared_models(
    resolver: &mut Resolver<'_>,
    props: &Map,
) -> Result<Option<(Node, SourceLocation)>, LoadError> {
    let Some(models) = resolver.property(props, "Models")? else {
        return Ok(None);
    };
    if models.as_map().is_some_and(Map::is_empty) {
        return Ok(None);
    }
    let at = props
        .entry("Models")
        .map_or_else(|| models.location.clone(), |e| e.key_location.clone());
    Ok(Some((models, at)))
}

/// SAM refuses `Models` on an API whose document is a `DefinitionUri` (checked before the
/// file would be read).
pub fn refuse_models_with_definition_uri(
    resolver: &mut Resolver<'_>,
    api: &str,
    props: &Map,
) -> Result<(), LoadError> {
    match declared_models(resolver, props)? {
        Some((_, at)) => Err(api_error(
            &at,
            api,
            "Models works only with inline Swagger specified in 'DefinitionBody' property.",
        )),
        None => Ok(()),
    }
}

/// SAM `_add_models`: the API's `Models` into the document's `definitions` (OpenAPI 3:
/// `components.schemas`) under lower-cased names.
pub fn apply_models(
    resolver: &mut Resolver<'_>,
    api: &str,
    props: &Map,
    doc: &mut Node,
) -> Result<(), LoadError> {
    let Some((models, at)) = declared_models(resolver, props)? else {
        return Ok(());
    };
    let valid_document = doc.as_map().is_some_and(|root| {
        root.get("swagger")
            .is_some_and(|s| s.scalar_text().is_some_and(|t| !t.is_empty()))
            || is_openapi_3(doc)
    });
    if !valid_document {
        return Err(api_error(
            &at,
            api,
            "Unable to add Models definitions because 'DefinitionBody' does not contain a valid Swagger definition.",
        ));
    }
    let Some(models) = models
        .as_map()
        .filter(|m| m.iter().all(|e| e.value.as_map().is_some()))
    else {
        return Err(api_error(&at, api, "Invalid value for 'Models' property"));
    };
    for entry in models.iter() {
        if entry
            .value
            .as_map()
            .is_none_or(|schema| !schema.contains_key("type"))
        {
            return Err(LoadError::new(
                entry.key_location.clone(),
                format!(
                    "Api '{api}': Models '{}': 'Models' schema is missing 'type'. (SAM rejects this template)",
                    entry.key
                ),
            ));
        }
    }
    let openapi_3 = is_openapi_3(doc);
    let Some(root) = doc.as_map_mut() else {
        return Ok(());
    };
    let section = if openapi_3 {
        section_of(root, "components", &at).and_then(|c| section_of(c, "schemas", &at))
    } else {
        section_of(root, "definitions", &at)
    };
    let Some(section) = section else {
        return Ok(());
    };
    for entry in models.iter() {
        section.set(
            &entry.key.to_lowercase(),
            &entry.key_location,
            entry.value.clone(),
        );
    }
    Ok(())
}

/// `map[key]` as a map, created empty when absent or not a map.
fn section_of<'m>(map: &'m mut Map, key: &str, at: &SourceLocation) -> Option<&'m mut Map> {
    if map.get(key).is_none_or(|s| s.as_map().is_none()) {
        map.set(key, at, Node::empty_map(at.clone()));
    }
    map.get_mut(key).and_then(Node::as_map_mut)
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use gatewise_model::ParameterSource;
    use serde_json::Value as Json;

    use super::*;
    use crate::load;
    use crate::openapi::request_validation::X_REQUEST_VALIDATOR;
    use crate::openapi::rest::normalise_path;
    use crate::test_support::rest_api::{HEADER, api, load_text, method, ok};
    use crate::test_support::stubbed;

    /// SAM's translator fixtures, kept in `tests/data/external/sam-translator`.
    fn fixtures() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/external/sam-translator")
    }

    /// Spec V.9 against SAM itself: for every operation of SAM's output, the validator (name
    /// and rules), the required parameters and the body model gatewise reads are the ones
    /// SAM wrote.
    #[test]
    fn rule_v_9_sam_request_model_fixtures_give_sams_validators() {
        let mut compared = 0;
        for name in ["api_request_model", "api_request_model_with_validator"] {
            let output: Json = serde_json::from_str(
                &std::fs::read_to_string(fixtures().join(format!("output/{name}.json")))
                    .expect("output"),
            )
            .expect("json");
            let stack = load(&fixtures().join(format!("input/{name}.yaml")), &stubbed())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            for (id, resource) in output["Resources"].as_object().into_iter().flatten() {
                if resource["Type"] != "AWS::ApiGateway::RestApi" {
                    continue;
                }
                let body = &resource["Properties"]["Body"];
                let api = api(&stack, id);
                for (path, item) in body["paths"].as_object().into_iter().flatten() {
                    for (key, op) in item.as_object().into_iter().flatten() {
                        let verb = crate::openapi::http_method(key).expect("a method");
                        let ours = method(api, &normalise_path(path), &verb);
                        let context = format!("{name} {id} {verb} {path}");
                        let Some(validator) = op[X_REQUEST_VALIDATOR].as_str() else {
                            assert!(ours.validation.is_none(), "{context}");
                            compared += 1;
                            continue;
                        };
                        let rules = &body[X_REQUEST_VALIDATORS][validator];
                        let validation = ours.validation.as_ref().expect(&context);
                        assert_eq!(validation.validator.name, validator, "{context}");
                        assert_eq!(
                            (
                                validation.validator.validate_body,
                                validation.validator.validate_parameters
                            ),
                            (
                                rules["validateRequestBody"] == true,
                                rules["validateRequestParameters"] == true
                            ),
                            "{context}"
                        );
                        let models: Vec<String> = op["parameters"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter(|p| p["in"] == "body")
                            .filter_map(|p| p["schema"]["$ref"].as_str())
                            .map(|r| r.trim_start_matches("#/definitions/").to_owned())
                            .collect();
                        let ours_models: Vec<&str> = validation
                            .body_models
                            .iter()
                            .map(|b| b.model.as_str())
                            .collect();
                        assert_eq!(ours_models, models, "{context}");
                        compared += 1;
                    }
                }
            }
        }
        assert!(compared >= 10, "only {compared} operations compared");
    }

    /// SAM's request-validation error fixtures stop the load with one of SAM's messages, at
    /// the event or API that causes it.
    #[test]
    fn rule_v_9_sam_error_fixtures_give_sams_message() {
        for name in [
            "error_api_invalid_request_model",
            "error_api_request_model_with_strings_validator",
            "error_function_invalid_request_parameters",
        ] {
            let output: Json = serde_json::from_str(
                &std::fs::read_to_string(fixtures().join(format!("output/{name}.json")))
                    .expect("output"),
            )
            .expect("json");
            let sam = output["errorMessage"].as_str().expect("message");
            let error =
                load(&fixtures().join(format!("input/{name}.yaml")), &stubbed()).expect_err(name);
            let ours = error
                .message
                .split_once("is invalid. ")
                .map(|(_, m)| m.trim_end_matches(" (SAM rejects this template)"))
                .unwrap_or_else(|| panic!("{name}: {error}"));
            assert!(sam.contains(ours), "{name}: {error}\nnot in {sam}");
            assert!(error.location.line > 1, "{name}: {error}");
        }
    }

    fn template(models: &str, events: &str) -> String {
        format!(
            "{HEADER}Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://b/k
      Handler: index.handler
      Runtime: nodejs20.x
      Events:
{events}
  MyApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
{models}"
        )
    }

    const MODELS: &str = "      Models:
        Order:
          type: object
          required: [item]
          properties: {item: {type: string}}
";

    #[test]
    fn rule_v_9_event_request_parameters_and_model_become_the_methods_validation() {
        let events = "        Post:
          Type: Api
          Properties:
            RestApiId: !Ref MyApi
            Path: /orders/{id}
            Method: post
            RequestModel: {Model: Order, Required: true, ValidateBody: true, ValidateParameters: true}
            RequestParameters:
              - method.request.querystring.optional
              - method.request.header.x-tenant-id: {Required: true, Caching: true}
              - method.request.path.id: {Required: true}
              - method.request.querystring.page: {Required: false}
        Get:
          Type: Api
          Properties:
            RestApiId: !Ref MyApi
            Path: /orders
            Method: get
            RequestModel: {Model: Order, ValidateParameters: true}
            RequestParameters: [method.request.header.x-tenant-id]
        Put:
          Type: Api
          Properties:
            RestApiId: !Ref MyApi
            Path: /orders
            Method: put
            RequestModel: {Model: Order}
";
        let stack = ok(&template(MODELS, events));
        let api = api(&stack, "MyApi");
        let post = method(api, "/orders/{id}", "POST")
            .validation
            .as_ref()
            .expect("validated");
        assert_eq!(post.validator.name, "body-and-params");
        let required: Vec<(ParameterSource, &str)> = post
            .required_parameters
            .iter()
            .map(|p| (p.source, p.name.as_str()))
            .collect();
        assert_eq!(
            required,
            [
                (ParameterSource::Header, "x-tenant-id"),
                (ParameterSource::Path, "id")
            ]
        );
        assert_eq!(post.body_models[0].content_type, "application/json");
        assert_eq!(post.body_models[0].model, "order");
        let get = method(api, "/orders", "GET")
            .validation
            .as_ref()
            .expect("validated");
        assert_eq!(get.validator.name, "params-only");
        assert!(
            get.required_parameters.is_empty(),
            "Required defaults to false"
        );
        // No ValidateBody / ValidateParameters: SAM adds no validator.
        assert!(method(api, "/orders", "PUT").validation.is_none());
        // SAM lower-cases model names in `definitions`.
        let names: Vec<&str> = api.models.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["order"]);
    }

    #[test]
    fn rule_v_9_sam_model_errors() {
        let post = |request_model: &str| {
            format!(
                "        Post:
          Type: Api
          Properties:
            RestApiId: !Ref MyApi
            Path: /orders
            Method: post
            RequestModel: {request_model}
"
            )
        };
        let cases = [
            (
                template(MODELS, &post("{Model: Nope}")),
                "Unable to set RequestModel [Nope] on API method [post] for path [/orders] because it wasn't defined in the API's Models.",
            ),
            (
                template("", &post("{Model: Order}")),
                "Unable to set RequestModel [Order] on API method [post] for path [/orders] because the related API does not define any Models.",
            ),
            (
                template(
                    MODELS,
                    &post("{Model: Order, ValidateBody: !Ref AWS::NoValue}"),
                ),
                "ValidateBody and ValidateParameters must be a boolean type, strings or intrinsics are not supported.",
            ),
            (
                template("      Models:\n        Order: {properties: {}}\n", ""),
                "'Models' schema is missing 'type'.",
            ),
            (
                template("      Models:\n        Order: [1]\n", ""),
                "Invalid value for 'Models' property",
            ),
            (
                template(
                    &format!("{MODELS}        Bad: {{type: object, required: []}}\n"),
                    "",
                ),
                "model 'bad' is not a valid JSON Schema (draft 4) at '/required'",
            ),
        ];
        for (text, want) in cases {
            let error = load_text(&text, &[]).expect_err(want);
            assert!(error.message.contains(want), "want {want}\ngot {error}");
            assert!(error.location.line > 1, "{error}");
        }
    }

    #[test]
    fn validator_names_are_sams() {
        let cases = [
            (true, true, "body-and-params"),
            (true, false, "body-only"),
            (false, true, "params-only"),
            (false, false, "no-validation"),
        ];
        for (body, parameters, want) in cases {
            assert_eq!(validator_name(body, parameters), want);
        }
    }

    #[test]
    fn openapi_3_versions_as_sams_regex_reads_them() {
        let cases = [
            ("3.0", true),
            ("3.0.1", true),
            ("3.1.0", true),
            ("3", false),
            ("3.0.10", false),
            ("2.0", false),
            ("3.x", false),
            ("", false),
        ];
        for (version, want) in cases {
            assert_eq!(is_openapi_3_version(version), want, "{version}");
        }
    }
}
