//! Phase 3b, **validate**: the method's request validator (spec V.1–V.8). It runs after
//! authorization ([`REQUEST_VALIDATION_PHASE`]) and before the integration; it may
//! short-circuit to `BAD_REQUEST_PARAMETERS` (a required parameter is missing or blank) or,
//! once the parameters pass, `BAD_REQUEST_BODY` (the body does not match the model of its
//! content type). Both are gateway responses, so a configured `DEFAULT_4XX` applies to them.
//!
//! Everything is compiled when the route table is built ([`CompiledValidation::compile`]):
//! each model once per method, with the API's other models as the only resources its `$ref`s
//! reach. A request only looks up parameters and runs compiled schemas.

use std::fmt::Write as _;

use gatewise_model::{
    Model, ParameterSource, RequestValidation, RequestValidator, RequiredParameter, RestApi,
    SourceLocation,
};
use serde_json::Value as Json;

use crate::request::media_type::request_media_type;
use crate::request::params::RequestView;
use crate::rest::gateway_response::GatewayError;

/// Where request validation runs relative to the authorizer and the API key check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValidationPhase {
    /// Before the authorizer runs: an unauthenticated request with a bad body gets 400.
    BeforeAuthorization,
    /// After the authorizer and the API key check: it gets 401 / 403 first.
    AfterAuthorization,
}

/// UNCONFIRMED (spec V.8): AWS documents validation as happening "before proceeding with the
/// integration request", not where it stands relative to authorizers; execution logs show
/// the authorizer and the API key check before the method request is logged and validated.
/// Test `rule_v_8_validation_runs_after_authorization`.
pub const REQUEST_VALIDATION_PHASE: ValidationPhase = ValidationPhase::AfterAuthorization;

/// The order of the names in `Missing required request parameters: [...]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingParameterOrder {
    /// Sorted by the mapping key `method.request.<source>.<name>`: headers, then path, then
    /// query string parameters, each by name.
    MappingKey,
    /// As the template declares them.
    Declaration,
}

/// Spec V.2: the one recording (`[x-header-param, issuer, qs1]` for a header, a path and a
/// query string parameter declared path, query string, header) fits the mapping-key order;
/// the order of two parameters of one source is UNCONFIRMED. Test
/// `rule_v_2_missing_parameters_are_listed_in_mapping_key_order`.
pub const MISSING_PARAMETER_ORDER: MissingParameterOrder = MissingParameterOrder::MappingKey;

/// What an empty request body is validated as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmptyBody {
    /// `{}`: a model of type `object` without `required` properties accepts it.
    EmptyObject,
    /// JSON `null`: only a model that allows `null` accepts it.
    Null,
}

/// UNCONFIRMED (spec V.5): the recordings only show empty bodies failing models that require
/// properties (or an array), which both readings give. LocalStack validates `{}`. Test
/// `rule_v_5_an_empty_body_is_validated_as_an_empty_object`.
pub const EMPTY_BODY: EmptyBody = EmptyBody::EmptyObject;

/// The `RequestModels` key that applies to any content type without a model of its own.
const DEFAULT_MODEL_KEY: &str = "$default";

/// How much of a schema error the log line keeps (an error may quote a whole 10 MB body).
const MAX_ERROR_CHARS: usize = 300;

/// A method's request validation, ready to run.
#[derive(Debug)]
pub(crate) struct CompiledValidation {
    validator: RequestValidator,
    /// The required parameters, in [`MISSING_PARAMETER_ORDER`]; empty unless the validator
    /// validates parameters.
    parameters: Vec<RequiredParameter>,
    /// One per `RequestModels` entry; empty unless the validator validates the body.
    bodies: Vec<CompiledBody>,
}

#[derive(Debug)]
struct CompiledBody {
    /// The `RequestModels` key (a media type or `$default`).
    content_type: String,
    model: String,
    model_location: SourceLocation,
    /// Where the method names the model.
    declared_at: SourceLocation,
    schema: jsonschema::Validator,
}

/// The models of one API as the resources a schema's `$ref` may reach, built once per API.
pub(crate) struct ApiModels<'a> {
    api: &'a RestApi,
    registry: jsonschema::Registry<'static>,
}

impl<'a> ApiModels<'a> {
    /// Parses every model of `api` and registers it under its [`Model::uri`].
    pub(crate) fn new(api: &'a RestApi) -> Result<Self, String> {
        let mut resources = Vec::with_capacity(api.models.len());
        for model in &api.models {
            let json: Json = serde_json::from_str(&model.schema).map_err(|error| {
                format!(
                    "model '{}' of API {} ({}) is not JSON: {error}",
                    model.name, api.logical_id, model.location
                )
            })?;
            resources.push((Model::uri(&api.api_id, &model.name), json));
        }
        let registry = jsonschema::Registry::new()
            .draft(jsonschema::Draft::Draft4)
            .extend(resources)
            .and_then(jsonschema::RegistryBuilder::prepare)
            .map_err(|error| {
                format!(
                    "the models of API {} ({}) cannot be read together: {error}",
                    api.logical_id, api.location
                )
            })?;
        Ok(Self { api, registry })
    }

    /// The compiled schema of model `name`.
    fn compile(&self, name: &str) -> Result<(&'a Model, jsonschema::Validator), String> {
        let Some(model) = self.api.models.iter().find(|m| m.name == name) else {
            return Err(format!(
                "API {} has no model '{name}' (a bug in gatewise's template loading)",
                self.api.logical_id
            ));
        };
        let uri = Model::uri(&self.api.api_id, &model.name);
        let schema: Json = serde_json::from_str(&model.schema)
            .map_err(|error| format!("model '{name}' ({}) is not JSON: {error}", model.location))?;
        let compiled = jsonschema::draft4::options()
            .with_registry(&self.registry)
            .with_base_uri(uri)
            .build(&schema)
            .map_err(|error| {
                format!(
                    "model '{name}' ({}) of API {} cannot be compiled: {error}",
                    model.location, self.api.logical_id
                )
            })?;
        Ok((model, compiled))
    }
}

impl CompiledValidation {
    /// Compiles `validation` against the API's models; `None` when the validator validates
    /// nothing (SAM's `no-validation`).
    pub(crate) fn compile(
        validation: &RequestValidation,
        models: &ApiModels<'_>,
    ) -> Result<Option<Self>, String> {
        let validator = &validation.validator;
        if !validator.validate_body && !validator.validate_parameters {
            return Ok(None);
        }
        let mut parameters = if validator.validate_parameters {
            validation.required_parameters.clone()
        } else {
            Vec::new()
        };
        if MISSING_PARAMETER_ORDER == MissingParameterOrder::MappingKey {
            parameters.sort_by_key(RequiredParameter::mapping_key);
        }
        let mut bodies = Vec::new();
        if validator.validate_body {
            for body in &validation.body_models {
                let (model, schema) = models.compile(&body.model)?;
                bodies.push(CompiledBody {
                    content_type: body.content_type.clone(),
                    model: model.name.clone(),
                    model_location: model.location.clone(),
                    declared_at: body.location.clone(),
                    schema,
                });
            }
        }
        Ok(Some(Self {
            validator: validator.clone(),
            parameters,
            bodies,
        }))
    }

    /// Checks a request: required parameters first (spec V.3), then the body. `method` names
    /// the route for the log (`GET /items (template.yaml:12:5)`).
    pub(crate) fn check(
        &self,
        request: &RequestView<'_>,
        content_type: Option<&str>,
        body: &[u8],
        method: &str,
    ) -> Result<(), GatewayError<'static>> {
        let missing: Vec<&RequiredParameter> = self
            .parameters
            .iter()
            .filter(|p| !is_present(p, request))
            .collect();
        if !missing.is_empty() {
            let names: Vec<&str> = missing.iter().map(|p| p.name.as_str()).collect();
            let message = format!(
                "Missing required request parameters: [{}]",
                names.join(", ")
            );
            let mut reason = format!("{} of {method} requires ", self.described());
            for (i, parameter) in missing.iter().enumerate() {
                let separator = if i == 0 { "" } else { ", " };
                let _ = write!(
                    reason,
                    "{separator}{} {} ({})",
                    source_name(parameter.source),
                    parameter.name,
                    parameter.location
                );
            }
            reason.push_str(", which the request does not have or leaves blank");
            return Err(GatewayError::missing_request_parameters(message, reason));
        }
        let media_type = request_media_type(content_type);
        let selected = self
            .bodies
            .iter()
            .find(|b| b.content_type.eq_ignore_ascii_case(media_type))
            .or_else(|| {
                self.bodies
                    .iter()
                    .find(|b| b.content_type == DEFAULT_MODEL_KEY)
            });
        let Some(selected) = selected else {
            return Ok(());
        };
        let what = format!(
            "{} of {method} checks {media_type} bodies against model '{}' ({}, named at {})",
            self.described(),
            selected.model,
            selected.model_location,
            selected.declared_at
        );
        let instance = if body.is_empty() {
            match EMPTY_BODY {
                EmptyBody::EmptyObject => Json::Object(serde_json::Map::new()),
                EmptyBody::Null => Json::Null,
            }
        } else {
            match serde_json::from_slice::<Json>(body) {
                Ok(json) => json,
                Err(error) => {
                    return Err(GatewayError::invalid_request_body(format!(
                        "{what}, and the body is not JSON ({error})"
                    )));
                }
            }
        };
        if let Some(error) = selected.schema.iter_errors(&instance).next() {
            let at = match error.instance_path().as_str() {
                "" => "the body".to_owned(),
                path => format!("body {path}"),
            };
            let rule = error.schema_path().as_str().to_owned();
            return Err(GatewayError::invalid_request_body(format!(
                "{what}: {at} fails schema rule {rule}: {}",
                shortened(&error.to_string())
            )));
        }
        Ok(())
    }

    /// `request validator 'NAME' (declared at …, used at …)`.
    fn described(&self) -> String {
        format!(
            "request validator '{}' ({}, used at {})",
            self.validator.name, self.validator.location, self.validator.assigned_at
        )
    }
}

/// Whether a required parameter is in the request and not blank (spec V.1: "included and not
/// blank"; a value of only spaces counts as blank).
fn is_present(parameter: &RequiredParameter, request: &RequestView<'_>) -> bool {
    let filled = |value: &[u8]| !value.iter().all(u8::is_ascii_whitespace);
    match parameter.source {
        ParameterSource::Header => request
            .headers
            .get_all(parameter.name.as_str())
            .iter()
            .any(|v| filled(v.as_bytes())),
        ParameterSource::QueryString => request
            .query_param(&parameter.name)
            .is_some_and(|v| filled(v.as_bytes())),
        ParameterSource::Path => request
            .path_param(&parameter.name)
            .is_some_and(|v| filled(v.as_bytes())),
    }
}

/// The source as the log names it.
fn source_name(source: ParameterSource) -> &'static str {
    match source {
        ParameterSource::Header => "header",
        ParameterSource::Path => "path parameter",
        ParameterSource::QueryString => "query string parameter",
    }
}

/// `text`, cut to [`MAX_ERROR_CHARS`] characters.
fn shortened(text: &str) -> String {
    match text.char_indices().nth(MAX_ERROR_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use gatewise_model::{BodyModel, Model, RequestValidation, RequestValidator, RestApi};

    use super::*;
    use crate::observe::gateway_response_type::GatewayResponseType;
    use crate::test_support::{api, location};

    /// An API with the models recorded on AWS (LocalStack `test_apigateway_common`).
    fn recorded_api() -> RestApi {
        let mut rest_api = api("Api", "local", &[("/nested/{test}", &["POST"])], 0, 10);
        let model = |name: &str, schema: Json, line| Model {
            name: name.to_owned(),
            schema: schema.to_string(),
            location: location(line),
        };
        let test_schema_uri = Model::uri(&rest_api.api_id, "testSchema");
        let status_uri = Model::uri(&rest_api.api_id, "StatusModel");
        rest_api.models = vec![
            model(
                "testSchema",
                json!({
                    "$schema": "http://json-schema.org/draft-04/schema#",
                    "title": "testSchema",
                    "type": "object",
                    "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
                    "required": ["a", "b"]
                }),
                1,
            ),
            model(
                "testSchemaList",
                json!({"type": "array", "items": {"$ref": test_schema_uri}}),
                2,
            ),
            model(
                "StatusModel",
                json!({
                    "type": "object",
                    "properties": {"Status": {"type": "string"}, "Order": {"type": "integer"}},
                    "required": ["Status", "Order"]
                }),
                3,
            ),
            model(
                "TestModel",
                json!({
                    "type": "object",
                    "properties": {"status": {"oneOf": [{"type": "null"}, {"$ref": status_uri}]}},
                    "required": ["status"]
                }),
                4,
            ),
            model("Empty", json!({"type": "object"}), 5),
        ];
        rest_api
    }

    fn parameter(source: ParameterSource, name: &str) -> RequiredParameter {
        RequiredParameter {
            source,
            name: name.to_owned(),
            location: location(20),
        }
    }

    /// The recorded method: `method.request.path.issuer`, `querystring.qs1` and
    /// `header.x-header-param` required, declared in that order; `application/json` →
    /// `testSchema`.
    fn validation(body: bool, parameters: bool, models: &[(&str, &str)]) -> RequestValidation {
        RequestValidation {
            validator: RequestValidator {
                name: "test-validator".to_owned(),
                validate_body: body,
                validate_parameters: parameters,
                location: location(30),
                assigned_at: location(40),
            },
            required_parameters: vec![
                parameter(ParameterSource::Path, "issuer"),
                parameter(ParameterSource::QueryString, "qs1"),
                parameter(ParameterSource::Header, "x-header-param"),
            ],
            body_models: models
                .iter()
                .map(|(content_type, model)| BodyModel {
                    content_type: (*content_type).to_owned(),
                    model: (*model).to_owned(),
                    location: location(41),
                })
                .collect(),
        }
    }

    fn compiled(validation: &RequestValidation) -> CompiledValidation {
        let rest_api = recorded_api();
        let models = ApiModels::new(&rest_api).expect("models");
        CompiledValidation::compile(validation, &models)
            .expect("compiles")
            .expect("validates something")
    }

    /// A request: headers, query string, path parameters, content type and body.
    struct Request<'a> {
        headers: &'a [(&'a str, &'a str)],
        query: Option<&'a str>,
        path: &'a [(&'a str, &'a str)],
        content_type: Option<&'a str>,
        body: &'a str,
    }

    const COMPLETE: Request<'static> = Request {
        headers: &[("x-header-param", "test")],
        query: Some("qs1=test"),
        path: &[("issuer", "value")],
        content_type: Some("application/json"),
        body: r#"{"a": 1, "b": 2}"#,
    };

    /// `Ok(())`, or the error's response type, message and log reason.
    fn check(
        validation: &CompiledValidation,
        request: &Request<'_>,
    ) -> Result<(), (GatewayResponseType, String, String)> {
        let headers = crate::test_support::header_map(request.headers);
        let view = RequestView {
            headers: &headers,
            query: request.query,
            path_params: request.path,
        };
        validation
            .check(
                &view,
                request.content_type,
                request.body.as_bytes(),
                "POST /nested/{test} (template.yaml:11:5)",
            )
            .map_err(|e| {
                assert_eq!(e.status, 400);
                assert_eq!(e.error_type, "BadRequestException");
                (
                    e.response_type,
                    e.message.map(|m| m.into_owned()).unwrap_or_default(),
                    e.reason,
                )
            })
    }

    fn message(result: Result<(), (GatewayResponseType, String, String)>) -> Option<String> {
        result.err().map(|(_, message, _)| message)
    }

    #[test]
    fn rule_v_1_required_parameters_must_be_present_and_not_blank() {
        let validation = compiled(&validation(false, true, &[]));
        let missing = |names: &str| Some(format!("Missing required request parameters: [{names}]"));
        let cases: &[(Request<'_>, Option<String>)] = &[
            (COMPLETE, None),
            (
                Request {
                    headers: &[("X-Header-Param", "any case")],
                    ..COMPLETE
                },
                None,
            ),
            (
                Request {
                    headers: &[],
                    query: None,
                    path: &[],
                    ..COMPLETE
                },
                missing("x-header-param, issuer, qs1"),
            ),
            (
                Request {
                    headers: &[],
                    ..COMPLETE
                },
                missing("x-header-param"),
            ),
            (
                Request {
                    query: None,
                    ..COMPLETE
                },
                missing("qs1"),
            ),
            (
                Request {
                    query: Some("qs1="),
                    ..COMPLETE
                },
                missing("qs1"),
            ),
            (
                Request {
                    query: Some("qs1"),
                    ..COMPLETE
                },
                missing("qs1"),
            ),
            (
                Request {
                    query: Some("qs1=+"),
                    ..COMPLETE
                },
                missing("qs1"),
            ),
            (
                Request {
                    query: Some("QS1=x"),
                    ..COMPLETE
                },
                missing("qs1"),
            ),
            (
                Request {
                    query: Some("other=1&qs1=%20x"),
                    ..COMPLETE
                },
                None,
            ),
            (
                Request {
                    headers: &[("x-header-param", "  ")],
                    ..COMPLETE
                },
                missing("x-header-param"),
            ),
            (
                Request {
                    headers: &[("x-header-param", ""), ("x-header-param", "v")],
                    ..COMPLETE
                },
                None,
            ),
            (
                Request {
                    path: &[("test", "value")],
                    ..COMPLETE
                },
                missing("issuer"),
            ),
            // Parameters only: the body goes unchecked.
            (
                Request {
                    body: "not json",
                    ..COMPLETE
                },
                None,
            ),
        ];
        for (request, want) in cases {
            assert_eq!(
                &message(check(&validation, request)),
                want,
                "{:?} {:?} {:?}",
                request.headers,
                request.query,
                request.path
            );
        }
    }

    #[test]
    fn rule_v_1_the_log_names_each_missing_parameter_and_the_validator() {
        let validation = compiled(&validation(true, true, &[]));
        let (kind, _, reason) = check(
            &validation,
            &Request {
                headers: &[],
                ..COMPLETE
            },
        )
        .expect_err("missing header");
        assert_eq!(kind, GatewayResponseType::BadRequestParameters);
        assert_eq!(
            reason,
            "request validator 'test-validator' (template.yaml:30:5, used at template.yaml:40:5) \
             of POST /nested/{test} (template.yaml:11:5) requires header x-header-param \
             (template.yaml:20:5), which the request does not have or leaves blank"
        );
    }

    #[test]
    fn rule_v_2_missing_parameters_are_listed_in_mapping_key_order() {
        assert_eq!(MISSING_PARAMETER_ORDER, MissingParameterOrder::MappingKey);
        let mut declared = validation(false, true, &[]);
        declared.required_parameters.extend([
            parameter(ParameterSource::QueryString, "a"),
            parameter(ParameterSource::Header, "Authorization"),
        ]);
        let validation = compiled(&declared);
        let empty = Request {
            headers: &[],
            query: None,
            path: &[],
            ..COMPLETE
        };
        assert_eq!(
            message(check(&validation, &empty)).as_deref(),
            Some(
                "Missing required request parameters: [Authorization, x-header-param, issuer, a, qs1]"
            )
        );
    }

    #[test]
    fn rule_v_3_parameters_are_checked_before_the_body() {
        let validation = compiled(&validation(
            true,
            true,
            &[("application/json", "testSchema")],
        ));
        let (kind, message, _) = check(
            &validation,
            &Request {
                headers: &[],
                query: None,
                path: &[],
                body: r#"{"test": "test"}"#,
                ..COMPLETE
            },
        )
        .expect_err("both fail");
        assert_eq!(kind, GatewayResponseType::BadRequestParameters);
        assert_eq!(
            message,
            "Missing required request parameters: [x-header-param, issuer, qs1]"
        );
        let (kind, message, _) = check(
            &validation,
            &Request {
                body: r#"{"test": "test"}"#,
                ..COMPLETE
            },
        )
        .expect_err("body fails");
        assert_eq!(kind, GatewayResponseType::BadRequestBody);
        assert_eq!(message, "Invalid request body");
    }

    #[test]
    fn rule_v_4_the_model_of_the_request_content_type_applies() {
        let invalid = Some("Invalid request body".to_owned());
        let json_only = compiled(&validation(
            true,
            false,
            &[("application/json", "testSchema")],
        ));
        let with_default = compiled(&validation(
            true,
            false,
            &[
                ("application/json", "testSchema"),
                ("$default", "testSchemaList"),
            ],
        ));
        let cases: &[(&CompiledValidation, Option<&str>, &str, Option<String>)] = &[
            (
                &json_only,
                Some("application/json"),
                r#"{"a": 1, "b": 2}"#,
                None,
            ),
            (
                &json_only,
                Some("application/json"),
                r#"{"a": 1}"#,
                invalid.clone(),
            ),
            (
                &json_only,
                Some("Application/JSON; charset=utf-8"),
                r#"{"a": 1}"#,
                invalid.clone(),
            ),
            // No Content-Type: validated as application/json (recorded).
            (&json_only, None, "", invalid.clone()),
            (&json_only, None, r#"{"a": 1, "b": 2}"#, None),
            // No model for the content type: not validated (documented).
            (&json_only, Some("text/plain"), "anything", None),
            (
                &with_default,
                Some("text/plain"),
                r#"[{"a": 1, "b": 2}]"#,
                None,
            ),
            (
                &with_default,
                Some("text/plain"),
                r#"{"a": 1, "b": 2}"#,
                invalid.clone(),
            ),
            (
                &with_default,
                Some("application/json"),
                r#"{"a": 1, "b": 2}"#,
                None,
            ),
        ];
        for (validation, content_type, body, want) in cases {
            let request = Request {
                content_type: *content_type,
                body,
                ..COMPLETE
            };
            assert_eq!(
                &message(check(validation, &request)),
                want,
                "{content_type:?} {body}"
            );
        }
    }

    #[test]
    fn rule_v_5_bodies_that_fail_the_model_or_are_not_json_are_invalid() {
        let validation = compiled(&validation(
            true,
            false,
            &[("application/json", "testSchema")],
        ));
        let cases = [
            (r#"{"a": 1, "b": 2}"#, None),
            (r#"{"a": 1, "b": 2, "c": "extra"}"#, None),
            (
                r#"{"test": "test"}"#,
                Some("the body fails schema rule /required"),
            ),
            (
                r#"{"a": "1", "b": 2}"#,
                Some("body /a fails schema rule /properties/a/type"),
            ),
            ("not json", Some("and the body is not JSON")),
            ("[1, 2]", Some("the body fails schema rule /type")),
            ("\u{0}\u{1}", Some("and the body is not JSON")),
        ];
        for (body, want) in cases {
            let result = check(&validation, &Request { body, ..COMPLETE });
            match (result, want) {
                (Ok(()), None) => {}
                (Err((kind, message, reason)), Some(fragment)) => {
                    assert_eq!(kind, GatewayResponseType::BadRequestBody, "{body}");
                    assert_eq!(message, "Invalid request body");
                    assert!(reason.contains(fragment), "{body}: {reason}");
                    assert!(
                        reason.starts_with(
                            "request validator 'test-validator' (template.yaml:30:5, used at \
                             template.yaml:40:5) of POST /nested/{test} (template.yaml:11:5) \
                             checks application/json bodies against model 'testSchema' \
                             (template.yaml:1:5, named at template.yaml:41:5)"
                        ),
                        "{reason}"
                    );
                }
                (got, want) => panic!("{body}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn rule_v_5_an_empty_body_is_validated_as_an_empty_object() {
        assert_eq!(EMPTY_BODY, EmptyBody::EmptyObject);
        let empty_model = compiled(&validation(true, false, &[("application/json", "Empty")]));
        assert_eq!(
            check(
                &empty_model,
                &Request {
                    body: "",
                    ..COMPLETE
                }
            ),
            Ok(())
        );
        let required = compiled(&validation(
            true,
            false,
            &[("application/json", "testSchema")],
        ));
        assert!(
            check(
                &required,
                &Request {
                    body: "",
                    ..COMPLETE
                }
            )
            .is_err()
        );
    }

    #[test]
    fn rule_v_6_models_reach_other_models_of_the_api_by_their_url() {
        let list = compiled(&validation(
            true,
            false,
            &[("application/json", "testSchemaList")],
        ));
        let one_of = compiled(&validation(
            true,
            false,
            &[("application/json", "TestModel")],
        ));
        let cases: &[(&CompiledValidation, &str, bool)] = &[
            (&list, r#"[{"a": 1, "b": 2}]"#, true),
            (&list, "", false),
            (&list, r#"[{"a": 1}]"#, false),
            (&one_of, r#"{"status": null}"#, true),
            (
                &one_of,
                r#"{"status": {"Status": "works", "Order": 1}}"#,
                true,
            ),
            (&one_of, "", false),
            (&one_of, r#"{"badFormat": "bla"}"#, false),
            (&one_of, r#"{"status": {"Status": "works"}}"#, false),
        ];
        for (validation, body, valid) in cases {
            assert_eq!(
                check(validation, &Request { body, ..COMPLETE }).is_ok(),
                *valid,
                "{body}"
            );
        }
    }

    #[test]
    fn validators_check_only_what_they_validate() {
        let rest_api = recorded_api();
        let models = ApiModels::new(&rest_api).expect("models");
        let nothing = validation(false, false, &[("application/json", "testSchema")]);
        assert!(
            CompiledValidation::compile(&nothing, &models)
                .expect("compiles")
                .is_none()
        );
        let body_only = compiled(&validation(
            true,
            false,
            &[("application/json", "testSchema")],
        ));
        assert_eq!(
            check(
                &body_only,
                &Request {
                    headers: &[],
                    query: None,
                    ..COMPLETE
                }
            ),
            Ok(())
        );
    }

    #[test]
    fn models_that_reach_outside_the_api_are_refused_at_startup() {
        let mut rest_api = recorded_api();
        rest_api.models.push(Model {
            name: "Outside".to_owned(),
            schema: json!({"$ref": "https://example.com/schema.json"}).to_string(),
            location: location(9),
        });
        let error = ApiModels::new(&rest_api)
            .err()
            .expect("an external $ref is refused");
        assert!(
            error.contains("API Api (template.yaml:10:5)")
                && error.contains("https://example.com/schema.json"),
            "{error}"
        );
    }

    /// A gateway whose `POST /nested/{test}` requires what [`validation`] declares, with an
    /// API key, a `DEFAULT_4XX` adding Allow-Origin, and a function that would crash (so a
    /// 502 means the integration ran).
    fn gateway_with_validation() -> crate::gateway::Gateway {
        use std::sync::Arc;
        use std::time::Duration;

        use crate::gateway::{Gateway, GatewayOptions, RouteTable};
        use crate::test_support::{Scripted, api_key, gateway_response, stack};

        let mut rest_api = recorded_api();
        let method = &mut rest_api.resources[0].methods[0];
        method.validation = Some(validation(
            true,
            true,
            &[("application/json", "testSchema")],
        ));
        method.api_key_required = true;
        rest_api.gateway_responses = vec![gateway_response(
            "DEFAULT_4XX",
            None,
            &[("gatewayresponse.header.Access-Control-Allow-Origin", "'*'")],
            &[],
        )];
        let mut the_stack = stack(vec![rest_api]);
        the_stack.api_keys = vec![api_key("the-key", true)];
        let routes = RouteTable::build(&the_stack).expect("routes");
        Gateway::with_invoker(
            Arc::new(the_stack),
            routes,
            Arc::new(Scripted::new(Duration::ZERO, |_| {
                Err(gatewise_lambda::InvokeError::Crashed(
                    "exit status 1".into(),
                ))
            })),
            GatewayOptions::default(),
        )
    }

    async fn post(
        gateway: &crate::gateway::Gateway,
        uri: &str,
        headers: &[(&str, &str)],
        body: &'static str,
    ) -> (u16, http::HeaderMap, String) {
        use http_body_util::{BodyExt, Full};

        let mut builder = http::Request::post(uri);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let request = builder
            .body(Full::new(bytes::Bytes::from_static(body.as_bytes())))
            .expect("request");
        let connection = crate::request::ConnectionInfo {
            peer: "192.0.2.7:50000".parse().expect("addr"),
            local: "127.0.0.1:3000".parse().expect("addr"),
        };
        let response = gateway.handle(request, connection, None).await;
        let (parts, body) = response.into_parts();
        let body = body
            .collect()
            .await
            .map(|c| c.to_bytes())
            .unwrap_or_default();
        (
            parts.status.as_u16(),
            parts.headers,
            String::from_utf8_lossy(&body).into_owned(),
        )
    }

    #[tokio::test]
    async fn rule_v_7_validation_failures_are_gateway_responses_and_skip_the_integration() {
        let gateway = gateway_with_validation();
        let key = ("x-api-key", "the-key");
        let (status, headers, body) = post(&gateway, "/nested/v", &[key], "{}").await;
        assert_eq!(status, 400);
        assert_eq!(
            body,
            r#"{"message":"Missing required request parameters: [x-header-param, issuer, qs1]"}"#
        );
        assert_eq!(headers["x-amzn-errortype"], "BadRequestException");
        assert_eq!(headers["access-control-allow-origin"], "*");
        let complete = [
            key,
            ("x-header-param", "h"),
            ("content-type", "application/json"),
        ];
        let (status, headers, body) =
            post(&gateway, "/nested/v?qs1=q", &complete, r#"{"a": 1}"#).await;
        // `issuer` is not in the resource path: always missing (recorded).
        assert_eq!(
            (status, body.as_str()),
            (
                400,
                r#"{"message":"Missing required request parameters: [issuer]"}"#
            )
        );
        assert_eq!(headers["access-control-allow-origin"], "*");
    }

    #[tokio::test]
    async fn rule_v_8_validation_runs_after_authorization() {
        assert_eq!(
            REQUEST_VALIDATION_PHASE,
            ValidationPhase::AfterAuthorization
        );
        let gateway = gateway_with_validation();
        let (status, headers, _) = post(&gateway, "/nested/v", &[], "not json").await;
        assert_eq!(status, 403, "the API key is checked first");
        assert_eq!(headers["x-amzn-errortype"], "ForbiddenException");
    }

    #[test]
    fn hostile_requests_never_panic() {
        let mut declared = validation(true, true, &[("application/json", "testSchema")]);
        declared
            .required_parameters
            .push(parameter(ParameterSource::Header, "bad name\n"));
        let validation = compiled(&declared);
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let long = format!(r#"{{"a": "{}", "b": 1}}"#, "x".repeat(100_000));
        for body in [
            deep.as_str(),
            long.as_str(),
            "\u{feff}{}",
            "{\"a\":1e400,\"b\":1}",
        ] {
            let _ = check(&validation, &Request { body, ..COMPLETE });
        }
        let (_, _, reason) = check(
            &validation,
            &Request {
                body: &long,
                ..COMPLETE
            },
        )
        .expect_err("the missing header");
        assert!(reason.contains("bad name"), "{reason}");
        assert!(shortened(&"é".repeat(1000)).chars().count() <= MAX_ERROR_CHARS + 1);
    }
}
