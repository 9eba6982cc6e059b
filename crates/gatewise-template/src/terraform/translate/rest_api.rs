//! `aws_api_gateway_*` → `AWS::ApiGateway::*`.
//!
//! Terraform splits a method into four resources (method, integration, method responses,
//! integration responses); CloudFormation keeps them in one `AWS::ApiGateway::Method`. They are
//! joined by what identifies a method on AWS: REST API id, resource id and HTTP method.

use super::{Translator, argument, copy, node, openapi_body, text_argument};
use crate::LoadError;
use crate::document::value::{Map, Node, Value as NodeValue};
use crate::terraform::configuration::Instance;
use crate::terraform::resource_types::Mode;

const REST_API: &[&str] = &["aws_api_gateway_rest_api"];

/// Translates one `aws_api_gateway_*` resource; integrations and responses are read with their
/// method.
pub fn resource(t: &mut Translator<'_>, instance: &Instance) -> Result<(), LoadError> {
    let owner = instance.address.as_str();
    let body = &instance.body;
    let mut props = Map::default();
    let cfn_type = match instance.kind.as_str() {
        "aws_api_gateway_rest_api" => {
            copy(
                &mut props,
                body,
                owner,
                &[
                    ("name", "Name"),
                    ("description", "Description"),
                    ("binary_media_types", "BinaryMediaTypes"),
                    ("api_key_source", "ApiKeySourceType"),
                    ("disable_execute_api_endpoint", "DisableExecuteApiEndpoint"),
                    ("minimum_compression_size", "MinimumCompressionSize"),
                ],
            )?;
            if let Some((text, at)) = text_argument(instance, "body")? {
                props.set("Body", &at, openapi_body(t, &text, &at, owner)?);
            }
            if let Some(endpoint) = body.block("endpoint_configuration") {
                let mut e = Map::default();
                copy(&mut e, &endpoint.body, owner, &[("types", "Types")])?;
                props.set(
                    "EndpointConfiguration",
                    &endpoint.location,
                    Node::new(NodeValue::Map(e), endpoint.location.clone()),
                );
            }
            "AWS::ApiGateway::RestApi"
        }
        "aws_api_gateway_resource" => {
            t.link(&mut props, instance, "rest_api_id", "RestApiId", REST_API)?;
            t.link(
                &mut props,
                instance,
                "parent_id",
                "ParentId",
                &["root", "aws_api_gateway_resource"],
            )?;
            copy(&mut props, body, owner, &[("path_part", "PathPart")])?;
            "AWS::ApiGateway::Resource"
        }
        "aws_api_gateway_method" => {
            method(t, instance, &mut props)?;
            "AWS::ApiGateway::Method"
        }
        "aws_api_gateway_integration"
        | "aws_api_gateway_method_response"
        | "aws_api_gateway_integration_response" => {
            if find_method(t, instance)?.is_none() {
                t.warn(&instance.location, format!("{owner} belongs to no aws_api_gateway_method of this configuration (same rest_api_id, resource_id and http_method); it is not served"));
            }
            return Ok(());
        }
        "aws_api_gateway_gateway_response" => {
            t.link(&mut props, instance, "rest_api_id", "RestApiId", REST_API)?;
            copy(
                &mut props,
                body,
                owner,
                &[
                    ("response_type", "ResponseType"),
                    ("status_code", "StatusCode"),
                    ("response_parameters", "ResponseParameters"),
                    ("response_templates", "ResponseTemplates"),
                ],
            )?;
            "AWS::ApiGateway::GatewayResponse"
        }
        "aws_api_gateway_authorizer" => {
            t.link(&mut props, instance, "rest_api_id", "RestApiId", REST_API)?;
            copy(
                &mut props,
                body,
                owner,
                &[
                    ("name", "Name"),
                    ("authorizer_uri", "AuthorizerUri"),
                    (
                        "identity_validation_expression",
                        "IdentityValidationExpression",
                    ),
                    (
                        "authorizer_result_ttl_in_seconds",
                        "AuthorizerResultTtlInSeconds",
                    ),
                    ("provider_arns", "ProviderARNs"),
                ],
            )?;
            // The provider's defaults (CloudFormation has no default for either).
            let at = &instance.location;
            let kind =
                text_argument(instance, "type")?.map_or_else(|| "TOKEN".to_owned(), |(k, _)| k);
            props.set("Type", at, Node::string(kind, at.clone()));
            let source = text_argument(instance, "identity_source")?.map_or_else(
                || "method.request.header.Authorization".to_owned(),
                |(s, _)| s,
            );
            props.set("IdentitySource", at, Node::string(source, at.clone()));
            "AWS::ApiGateway::Authorizer"
        }
        "aws_api_gateway_api_key" => {
            copy(
                &mut props,
                body,
                owner,
                &[
                    ("name", "Name"),
                    ("enabled", "Enabled"),
                    ("description", "Description"),
                ],
            )?;
            let value = argument(instance, "value")?
                .map(|(v, at)| (v.clone(), at.clone()))
                .or_else(|| {
                    instance
                        .computed
                        .get("value")
                        .map(|v| (v.clone(), instance.location.clone()))
                });
            if let Some((value, at)) = value {
                props.set("Value", &at, node(&value, &at));
            }
            "AWS::ApiGateway::ApiKey"
        }
        "aws_api_gateway_usage_plan" => {
            copy(
                &mut props,
                body,
                owner,
                &[("name", "UsagePlanName"), ("description", "Description")],
            )?;
            let mut stages = Vec::new();
            for block in instance
                .body
                .blocks
                .iter()
                .filter(|b| b.kind == "api_stages")
            {
                let mut stage = Map::default();
                if let Some((Some(id), at)) = super::body_argument(&block.body, owner, "api_id")?
                    .map(|(v, at)| (super::super::functions::to_string(v), at))
                {
                    match t.links.get(&id) {
                        Some(super::Link::Ref(address, _)) => stage.set(
                            "ApiId",
                            at,
                            crate::document::value::map_node(
                                at,
                                vec![("Ref", Node::string(address.clone(), at.clone()))],
                            ),
                        ),
                        _ => stage.set("ApiId", at, Node::string(id, at.clone())),
                    }
                }
                copy(&mut stage, &block.body, owner, &[("stage", "Stage")])?;
                stages.push(Node::new(NodeValue::Map(stage), block.location.clone()));
            }
            if !stages.is_empty() {
                props.set(
                    "ApiStages",
                    &instance.location,
                    Node::new(NodeValue::List(stages), instance.location.clone()),
                );
            }
            "AWS::ApiGateway::UsagePlan"
        }
        "aws_api_gateway_usage_plan_key" => {
            t.link(
                &mut props,
                instance,
                "key_id",
                "KeyId",
                &["aws_api_gateway_api_key"],
            )?;
            t.link(
                &mut props,
                instance,
                "usage_plan_id",
                "UsagePlanId",
                &["aws_api_gateway_usage_plan"],
            )?;
            copy(&mut props, body, owner, &[("key_type", "KeyType")])?;
            "AWS::ApiGateway::UsagePlanKey"
        }
        "aws_api_gateway_deployment" => {
            t.link(&mut props, instance, "rest_api_id", "RestApiId", REST_API)?;
            copy(
                &mut props,
                body,
                owner,
                &[("stage_name", "StageName"), ("description", "Description")],
            )?;
            "AWS::ApiGateway::Deployment"
        }
        "aws_api_gateway_stage" => {
            t.link(&mut props, instance, "rest_api_id", "RestApiId", REST_API)?;
            t.link(
                &mut props,
                instance,
                "deployment_id",
                "DeploymentId",
                &["aws_api_gateway_deployment"],
            )?;
            copy(
                &mut props,
                body,
                owner,
                &[("stage_name", "StageName"), ("variables", "Variables")],
            )?;
            "AWS::ApiGateway::Stage"
        }
        "aws_api_gateway_request_validator" => {
            t.link(&mut props, instance, "rest_api_id", "RestApiId", REST_API)?;
            copy(
                &mut props,
                body,
                owner,
                &[
                    ("name", "Name"),
                    ("validate_request_body", "ValidateRequestBody"),
                    ("validate_request_parameters", "ValidateRequestParameters"),
                ],
            )?;
            "AWS::ApiGateway::RequestValidator"
        }
        "aws_api_gateway_model" => {
            t.link(&mut props, instance, "rest_api_id", "RestApiId", REST_API)?;
            copy(
                &mut props,
                body,
                owner,
                &[
                    ("name", "Name"),
                    ("content_type", "ContentType"),
                    ("description", "Description"),
                ],
            )?;
            if let Some((schema, at)) = text_argument(instance, "schema")? {
                props.set("Schema", &at, openapi_body(t, &schema, &at, owner)?);
            }
            "AWS::ApiGateway::Model"
        }
        _ => {
            t.warn(
                &instance.location,
                format!(
                    "{owner}: {} is not read by gatewise yet; it has no effect locally",
                    instance.kind
                ),
            );
            return Ok(());
        }
    };
    t.add(instance, cfn_type, props, None);
    Ok(())
}

/// What identifies a method on AWS: (REST API id, resource id, HTTP method).
fn method_key(instance: &Instance) -> Result<Option<(String, String, String)>, LoadError> {
    let api = text_argument(instance, "rest_api_id")?;
    let resource = text_argument(instance, "resource_id")?;
    let verb = text_argument(instance, "http_method")?;
    Ok(match (api, resource, verb) {
        (Some((a, _)), Some((r, _)), Some((m, _))) => Some((a, r, m.to_ascii_uppercase())),
        _ => None,
    })
}

fn find_method<'c>(t: &Translator<'c>, part: &Instance) -> Result<Option<&'c Instance>, LoadError> {
    let Some(key) = method_key(part)? else {
        return Ok(None);
    };
    for instance in t
        .config
        .instances
        .iter()
        .filter(|i| i.mode == Mode::Managed && i.kind == "aws_api_gateway_method")
    {
        if method_key(instance)?.as_ref() == Some(&key) {
            return Ok(Some(instance));
        }
    }
    Ok(None)
}

/// The parts of the method `key` of one Terraform type.
fn parts<'c>(
    t: &Translator<'c>,
    kind: &str,
    key: &(String, String, String),
) -> Result<Vec<&'c Instance>, LoadError> {
    let mut out = Vec::new();
    for instance in t
        .config
        .instances
        .iter()
        .filter(|i| i.mode == Mode::Managed && i.kind == kind)
    {
        if method_key(instance)?.as_ref() == Some(key) {
            out.push(instance);
        }
    }
    Ok(out)
}

fn method(t: &mut Translator<'_>, instance: &Instance, props: &mut Map) -> Result<(), LoadError> {
    let owner = instance.address.as_str();
    t.link(props, instance, "rest_api_id", "RestApiId", REST_API)?;
    t.link(
        props,
        instance,
        "resource_id",
        "ResourceId",
        &["root", "aws_api_gateway_resource"],
    )?;
    t.link(
        props,
        instance,
        "authorizer_id",
        "AuthorizerId",
        &["aws_api_gateway_authorizer"],
    )?;
    t.link(
        props,
        instance,
        "request_validator_id",
        "RequestValidatorId",
        &["aws_api_gateway_request_validator"],
    )?;
    copy(
        props,
        &instance.body,
        owner,
        &[
            ("http_method", "HttpMethod"),
            ("authorization", "AuthorizationType"),
            ("api_key_required", "ApiKeyRequired"),
            ("request_parameters", "RequestParameters"),
            ("request_models", "RequestModels"),
            ("operation_name", "OperationName"),
            ("authorization_scopes", "AuthorizationScopes"),
        ],
    )?;
    let Some(key) = method_key(instance)? else {
        return Ok(());
    };
    let integrations = parts(t, "aws_api_gateway_integration", &key)?;
    if let Some(integration) = integrations.first() {
        let iowner = integration.address.as_str();
        let mut i = Map::default();
        copy(
            &mut i,
            &integration.body,
            iowner,
            &[
                ("type", "Type"),
                ("integration_http_method", "IntegrationHttpMethod"),
                ("uri", "Uri"),
                ("request_templates", "RequestTemplates"),
                ("request_parameters", "RequestParameters"),
                ("passthrough_behavior", "PassthroughBehavior"),
                ("content_handling", "ContentHandling"),
                ("timeout_milliseconds", "TimeoutInMillis"),
                ("connection_type", "ConnectionType"),
                ("connection_id", "ConnectionId"),
                ("cache_key_parameters", "CacheKeyParameters"),
                ("credentials", "Credentials"),
            ],
        )?;
        let mut responses = Vec::new();
        for response in parts(t, "aws_api_gateway_integration_response", &key)? {
            let mut r = Map::default();
            copy(
                &mut r,
                &response.body,
                &response.address,
                &[
                    ("status_code", "StatusCode"),
                    ("selection_pattern", "SelectionPattern"),
                    ("response_parameters", "ResponseParameters"),
                    ("response_templates", "ResponseTemplates"),
                    ("content_handling", "ContentHandling"),
                ],
            )?;
            responses.push(Node::new(NodeValue::Map(r), response.location.clone()));
        }
        if !responses.is_empty() {
            i.set(
                "IntegrationResponses",
                &integration.location,
                Node::new(NodeValue::List(responses), integration.location.clone()),
            );
        }
        props.set(
            "Integration",
            &integration.location,
            Node::new(NodeValue::Map(i), integration.location.clone()),
        );
    }
    let mut method_responses = Vec::new();
    for response in parts(t, "aws_api_gateway_method_response", &key)? {
        let mut r = Map::default();
        copy(
            &mut r,
            &response.body,
            &response.address,
            &[
                ("status_code", "StatusCode"),
                ("response_parameters", "ResponseParameters"),
                ("response_models", "ResponseModels"),
            ],
        )?;
        method_responses.push(Node::new(NodeValue::Map(r), response.location.clone()));
    }
    if !method_responses.is_empty() {
        props.set(
            "MethodResponses",
            &instance.location,
            Node::new(NodeValue::List(method_responses), instance.location.clone()),
        );
    }
    Ok(())
}
