//! Request validation of raw CloudFormation REST APIs (spec V.1–V.6):
//! `AWS::ApiGateway::RequestValidator`, `AWS::ApiGateway::Model`, and a `Method`'s
//! `RequestValidatorId`, `RequestParameters` and `RequestModels`.

use std::collections::HashMap;

use gatewise_model::{
    BodyModel, Model, RequestValidation, RequestValidator, RequiredParameter, RestApi,
};
use indexmap::IndexMap;

use super::{ApiGatewayResource, missing, ref_name};
use crate::LoadError;
use crate::document::intrinsics::Resolver;
use crate::document::value::{Map, Node};
use crate::openapi::request_validation::{
    add_model, boolean, parameter_key, rewrite_model_refs, schema_json,
};
use crate::openapi::rest::Routes;
use crate::properties::text;

/// The `AWS::ApiGateway::RequestValidator`s by logical id, each with its API's logical id.
pub type Validators = HashMap<String, (String, RequestValidator)>;

/// Reads every `AWS::ApiGateway::RequestValidator`. `assigned_at` is filled in per method.
pub fn validators(
    resolver: &mut Resolver<'_>,
    resources: &[&ApiGatewayResource<'_>],
    props: &HashMap<&str, Map>,
) -> Result<Validators, LoadError> {
    let mut out = HashMap::new();
    for r in resources {
        let p = &props[r.logical_id.as_str()];
        let what = format!("RequestValidator '{}'", r.logical_id);
        let Some(api) = ref_name(p.get("RestApiId")) else {
            return Err(missing(r, "RestApiId (!Ref to the RestApi)"));
        };
        let name = match resolver.property(p, "Name")? {
            Some(n) => text(&n, &format!("{what}: Name"))?,
            None => r.logical_id.clone(),
        };
        let mut flag = |key: &str| -> Result<bool, LoadError> {
            match resolver.property(p, key)? {
                None => Ok(false),
                Some(n) => boolean(&n).ok_or_else(|| {
                    LoadError::new(
                        n.location.clone(),
                        format!("{what}: {key} must be true or false, found {}", n.kind()),
                    )
                }),
            }
        };
        let validator = RequestValidator {
            name,
            validate_body: flag("ValidateRequestBody")?,
            validate_parameters: flag("ValidateRequestParameters")?,
            location: r.location.clone(),
            assigned_at: r.location.clone(),
        };
        out.insert(r.logical_id.clone(), (api, validator));
    }
    Ok(out)
}

/// Adds every `AWS::ApiGateway::Model` to its API; returns each model's name by logical id,
/// since `!Ref` to a model gives its `Name`.
pub fn add_models(
    resolver: &mut Resolver<'_>,
    resources: &[&ApiGatewayResource<'_>],
    props: &HashMap<&str, Map>,
    apis: &mut IndexMap<String, (RestApi, Routes)>,
) -> Result<HashMap<String, String>, LoadError> {
    let mut names = HashMap::new();
    for r in resources {
        let p = &props[r.logical_id.as_str()];
        let what = format!("Model '{}'", r.logical_id);
        let Some(api_id) = ref_name(p.get("RestApiId")) else {
            return Err(missing(r, "RestApiId (!Ref to the RestApi)"));
        };
        let Some((api, _)) = apis.get_mut(&api_id) else {
            return Err(LoadError::new(
                r.location.clone(),
                format!(
                    "{what}: RestApiId '{api_id}' is not an AWS::ApiGateway::RestApi of this template"
                ),
            ));
        };
        let name = match resolver.property(p, "Name")? {
            Some(n) => text(&n, &format!("{what}: Name"))?,
            None => r.logical_id.clone(),
        };
        let Some(schema) = resolver.property(p, "Schema")? else {
            return Err(missing(r, "Schema"));
        };
        let mut json = schema_json(&schema, &format!("{what}: Schema"))?;
        rewrite_model_refs(&mut json, &api.api_id);
        add_model(
            api,
            Model {
                name: name.clone(),
                schema: json.to_string(),
                location: r.location.clone(),
            },
            &what,
        )?;
        names.insert(r.logical_id.clone(), name);
    }
    Ok(names)
}

/// A method's request validation: `None` without `RequestValidatorId`.
pub fn method(
    resolver: &mut Resolver<'_>,
    p: &Map,
    validators: &Validators,
    model_names: &HashMap<String, String>,
    api: &RestApi,
    what: &str,
) -> Result<Option<RequestValidation>, LoadError> {
    let Some(entry) = p.entry("RequestValidatorId") else {
        return Ok(None);
    };
    // `!Ref Validator`, or `!GetAtt Validator.RequestValidatorId` (the same id).
    let named = ref_name(Some(&entry.value)).or_else(|| match entry.value.intrinsic() {
        Some(("Fn::GetAtt", target)) => match &target.value {
            crate::document::value::Value::String(s) => {
                s.strip_suffix(".RequestValidatorId").map(str::to_owned)
            }
            crate::document::value::Value::List(items) if items.len() == 2 => (items[1].as_str()
                == Some("RequestValidatorId"))
            .then(|| items[0].as_str().map(str::to_owned))
            .flatten(),
            _ => None,
        },
        _ => None,
    });
    let validator = named
        .and_then(|id| validators.get(&id))
        .filter(|(validator_api, _)| *validator_api == api.logical_id);
    let Some((_, validator)) = validator else {
        return Err(LoadError::new(
            entry.value.location.clone(),
            format!(
                "{what}: RequestValidatorId must be !Ref (or !GetAtt …RequestValidatorId) to an AWS::ApiGateway::RequestValidator of the same RestApi ('{}')",
                api.logical_id
            ),
        ));
    };
    let mut validator = validator.clone();
    validator.assigned_at = entry.key_location.clone();

    let mut required_parameters = Vec::new();
    if let Some(parameters) = resolver.property(p, "RequestParameters")? {
        let map = parameters.as_map().ok_or_else(|| {
            LoadError::new(
                parameters.location.clone(),
                format!(
                    "{what}: RequestParameters must be a map of method.request.* keys to true or false, found {}",
                    parameters.kind()
                ),
            )
        })?;
        for entry in map.iter() {
            let required = boolean(&entry.value).ok_or_else(|| {
                LoadError::new(
                    entry.value.location.clone(),
                    format!(
                        "{what}: RequestParameters '{}' must be true (required) or false, found {}",
                        entry.key,
                        entry.value.kind()
                    ),
                )
            })?;
            let Some((source, name)) = parameter_key(&entry.key) else {
                resolver.warn(
                    &entry.key_location,
                    format!(
                        "{what}: RequestParameters key '{}' is not method.request.header|querystring|path.<name>; gatewise does not validate it",
                        entry.key
                    ),
                );
                continue;
            };
            if required {
                required_parameters.push(RequiredParameter {
                    source,
                    name: name.to_owned(),
                    location: entry.key_location.clone(),
                });
            }
        }
    }

    let mut body_models = Vec::new();
    if let Some(models) = p.get("RequestModels") {
        let Some(map) = models.as_map().filter(|_| models.intrinsic().is_none()) else {
            return Err(LoadError::new(
                models.location.clone(),
                format!(
                    "{what}: RequestModels must be a map of content types to model names, found {}",
                    models.kind()
                ),
            ));
        };
        for entry in map.iter() {
            let name = model_name(resolver, &entry.value, model_names, what)?;
            if !api.models.iter().any(|m| m.name == name) {
                return Err(LoadError::new(
                    entry.value.location.clone(),
                    format!(
                        "{what}: RequestModels names model '{name}', which RestApi '{}' does not have (\"Invalid model identifier specified\" on AWS); add an AWS::ApiGateway::Model with that Name",
                        api.logical_id
                    ),
                ));
            }
            body_models.push(BodyModel {
                content_type: entry.key.clone(),
                model: name,
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

/// `!Ref ModelResource` (its `Name`), or the model name as text.
fn model_name(
    resolver: &mut Resolver<'_>,
    node: &Node,
    model_names: &HashMap<String, String>,
    what: &str,
) -> Result<String, LoadError> {
    if let Some(name) = ref_name(Some(node)).and_then(|id| model_names.get(&id)) {
        return Ok(name.clone());
    }
    resolver.text(node, &format!("{what}: RequestModels"))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use gatewise_model::ParameterSource;

    use crate::test_support::rest_api::{api, load_text, method, ok};
    use crate::test_support::stubbed;

    /// LocalStack's recorded `test_api_gateway_request_validator` API, as CloudFormation.
    const RECORDED: &str = r#"Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties: {Runtime: python3.12, Handler: index.handler, Code: {ZipFile: x}}
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: aws lambda api}
  Nested:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: nested}
  Test:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Api, ParentId: !Ref Nested, PathPart: '{test}'}
  Validator:
    Type: AWS::ApiGateway::RequestValidator
    Properties: {RestApiId: !Ref Api, Name: test-validator, ValidateRequestBody: true, ValidateRequestParameters: true}
  TestSchema:
    Type: AWS::ApiGateway::Model
    Properties:
      RestApiId: !Ref Api
      Name: testSchema
      ContentType: application/json
      Schema:
        $schema: http://json-schema.org/draft-04/schema#
        title: testSchema
        type: object
        properties: {a: {type: number}, b: {type: number}}
        required: [a, b]
  ListSchema:
    Type: AWS::ApiGateway::Model
    Properties:
      RestApiId: !Ref Api
      ContentType: application/json
      Schema: !Sub '{"type": "array", "items": {"$ref": "https://apigateway.amazonaws.com/restapis/${Api}/models/testSchema"}}'
  Post:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref Test
      HttpMethod: POST
      AuthorizationType: NONE
      RequestValidatorId: !Ref Validator
      RequestParameters:
        method.request.path.test: true
        method.request.querystring.qs1: true
        method.request.header.x-header-param: true
        method.request.header.optional: false
      RequestModels:
        application/json: !Ref TestSchema
        $default: ListSchema
      Integration:
        Type: AWS_PROXY
        IntegrationHttpMethod: POST
        Uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
  Get:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref Test
      HttpMethod: GET
      AuthorizationType: NONE
      RequestParameters: {method.request.querystring.qs1: true}
      Integration: {Type: MOCK}
"#;

    #[test]
    fn rule_v_1_cloudformation_validators_parameters_and_models() {
        let stack = ok(RECORDED);
        let api = api(&stack, "Api");
        let post = method(api, "/nested/{test}", "POST");
        let validation = post.validation.as_ref().expect("validated");
        assert_eq!(validation.validator.name, "test-validator");
        assert!(validation.validator.validate_body && validation.validator.validate_parameters);
        assert_eq!(validation.validator.location.line, 14);
        assert_eq!(validation.validator.assigned_at.line, 42);
        let required: Vec<(ParameterSource, &str)> = validation
            .required_parameters
            .iter()
            .map(|p| (p.source, p.name.as_str()))
            .collect();
        assert_eq!(
            required,
            [
                (ParameterSource::Path, "test"),
                (ParameterSource::QueryString, "qs1"),
                (ParameterSource::Header, "x-header-param")
            ]
        );
        let bodies: Vec<(&str, &str)> = validation
            .body_models
            .iter()
            .map(|b| (b.content_type.as_str(), b.model.as_str()))
            .collect();
        assert_eq!(
            bodies,
            [
                ("application/json", "testSchema"),
                ("$default", "ListSchema")
            ]
        );
        // A model written as JSON text keeps its reference to the other model.
        let list = api
            .models
            .iter()
            .find(|m| m.name == "ListSchema")
            .expect("model");
        assert!(
            list.schema
                .contains(&gatewise_model::Model::uri(&api.api_id, "testSchema")),
            "{}",
            list.schema
        );
        // Without RequestValidatorId nothing is validated, required parameters or not.
        assert!(method(api, "/nested/{test}", "GET").validation.is_none());
    }

    #[test]
    fn rule_v_1_cloudformation_errors_are_located() {
        let cases = [
            (
                RECORDED.replace(
                    "RequestValidatorId: !Ref Validator",
                    "RequestValidatorId: !Ref TestSchema",
                ),
                "RequestValidatorId must be !Ref (or !GetAtt …RequestValidatorId) to an AWS::ApiGateway::RequestValidator of the same RestApi ('Api')",
                42,
            ),
            (
                RECORDED.replace("$default: ListSchema", "$default: Missing"),
                "RequestModels names model 'Missing', which RestApi 'Api' does not have",
                50,
            ),
            (
                RECORDED.replace(
                    "method.request.header.optional: false",
                    "method.request.header.optional: maybe",
                ),
                "RequestParameters 'method.request.header.optional' must be true (required) or false",
                47,
            ),
            (
                RECORDED.replace("required: [a, b]", "required: a"),
                "Model 'TestSchema': Schema is not a valid JSON Schema (draft 4) at '/required'",
                28,
            ),
            (
                RECORDED.replace("models/testSchema", "models/nope"),
                "model 'ListSchema' of API 'Api' refers to",
                29,
            ),
            (
                RECORDED.replace("Schema: !Sub '{\"type\"", "Schema: !Sub '{type\""),
                "Model 'ListSchema': Schema is a string that is not JSON",
                34,
            ),
            (
                RECORDED.replace("Name: testSchema", "Name: ListSchema"),
                "API 'Api' already has a model named 'ListSchema'",
                29,
            ),
        ];
        for (text, want, line) in cases {
            let error = load_text(&text, &[]).expect_err(want);
            assert!(error.message.contains(want), "want {want}\ngot {error}");
            assert_eq!(error.location.line, line, "{want}: {error}");
        }
    }

    /// The real-world serverless-patterns `apigw-lambda-tenant-isolation` template (external
    /// §3 row 5): `GET /isolated` requires `x-tenant-id`, `GET /standard` declares it optional
    /// and has no validator.
    #[test]
    fn rule_v_1_real_world_tenant_isolation_template() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(
            "../../tests/data/external/real-world/serverless-patterns/apigw-lambda-tenant-isolation/template.yaml",
        );
        let stack = crate::load(&path, &stubbed()).unwrap_or_else(|e| panic!("{e}"));
        let api = api(&stack, "ApiGateway");
        let isolated = method(api, "/isolated", "GET")
            .validation
            .as_ref()
            .expect("validated");
        assert!(isolated.validator.validate_parameters && !isolated.validator.validate_body);
        assert_eq!(isolated.required_parameters.len(), 1);
        assert_eq!(isolated.required_parameters[0].name, "x-tenant-id");
        assert!(method(api, "/standard", "GET").validation.is_none());
        assert_eq!(api.models.len(), 1);
    }
}
