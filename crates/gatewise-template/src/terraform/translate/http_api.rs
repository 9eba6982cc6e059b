//! `aws_apigatewayv2_*` → `AWS::ApiGatewayV2::*`, with the AWS provider's defaults where they
//! differ from CloudFormation's.

use gatewise_model::SourceLocation;

use super::{Translator, copy, openapi_body, text_argument};
use crate::LoadError;
use crate::document::value::{Map, Node, Value as NodeValue};
use crate::terraform::configuration::Instance;

/// The AWS provider's `payload_format_version` when the argument is absent ("Valid values:
/// 1.0, 2.0. Default is 1.0."), unlike SAM's `HttpApi` events, which default to 2.0.
pub const PROVIDER_PAYLOAD_FORMAT_VERSION: &str = "1.0";

const API: &[&str] = &["aws_apigatewayv2_api"];

/// Translates one `aws_apigatewayv2_*` resource.
pub fn resource(t: &mut Translator<'_>, instance: &Instance) -> Result<(), LoadError> {
    let owner = instance.address.as_str();
    let body = &instance.body;
    let at = &instance.location;
    let mut props = Map::default();
    let cfn_type = match instance.kind.as_str() {
        "aws_apigatewayv2_api" => {
            copy(
                &mut props,
                body,
                owner,
                &[
                    ("name", "Name"),
                    ("protocol_type", "ProtocolType"),
                    ("target", "Target"),
                    ("route_key", "RouteKey"),
                    ("description", "Description"),
                    ("disable_execute_api_endpoint", "DisableExecuteApiEndpoint"),
                    ("route_selection_expression", "RouteSelectionExpression"),
                ],
            )?;
            if let Some((text, body_at)) = text_argument(instance, "body")? {
                props.set("Body", &body_at, openapi_body(t, &text, &body_at, owner)?);
            }
            if let Some(cors) = body.block("cors_configuration") {
                let mut c = Map::default();
                copy(
                    &mut c,
                    &cors.body,
                    owner,
                    &[
                        ("allow_credentials", "AllowCredentials"),
                        ("allow_headers", "AllowHeaders"),
                        ("allow_methods", "AllowMethods"),
                        ("allow_origins", "AllowOrigins"),
                        ("expose_headers", "ExposeHeaders"),
                        ("max_age", "MaxAge"),
                    ],
                )?;
                props.set(
                    "CorsConfiguration",
                    &cors.location,
                    Node::new(NodeValue::Map(c), cors.location.clone()),
                );
            }
            "AWS::ApiGatewayV2::Api"
        }
        "aws_apigatewayv2_route" => {
            t.link(&mut props, instance, "api_id", "ApiId", API)?;
            t.link(
                &mut props,
                instance,
                "authorizer_id",
                "AuthorizerId",
                &["aws_apigatewayv2_authorizer"],
            )?;
            copy(
                &mut props,
                body,
                owner,
                &[
                    ("route_key", "RouteKey"),
                    ("authorization_type", "AuthorizationType"),
                    ("authorization_scopes", "AuthorizationScopes"),
                    ("api_key_required", "ApiKeyRequired"),
                    ("operation_name", "OperationName"),
                ],
            )?;
            if let Some((target, target_at)) = text_argument(instance, "target")? {
                props.set(
                    "Target",
                    &target_at,
                    Node::string(
                        route_target(t, instance, &target, &target_at)?,
                        target_at.clone(),
                    ),
                );
            }
            "AWS::ApiGatewayV2::Route"
        }
        "aws_apigatewayv2_integration" => {
            t.link(&mut props, instance, "api_id", "ApiId", API)?;
            copy(
                &mut props,
                body,
                owner,
                &[
                    ("integration_type", "IntegrationType"),
                    ("integration_uri", "IntegrationUri"),
                    ("integration_method", "IntegrationMethod"),
                    ("integration_subtype", "IntegrationSubtype"),
                    ("payload_format_version", "PayloadFormatVersion"),
                    ("timeout_milliseconds", "TimeoutInMillis"),
                    ("request_parameters", "RequestParameters"),
                    ("connection_type", "ConnectionType"),
                    ("connection_id", "ConnectionId"),
                    ("credentials_arn", "CredentialsArn"),
                    ("description", "Description"),
                ],
            )?;
            if !props.contains_key("PayloadFormatVersion") {
                props.set(
                    "PayloadFormatVersion",
                    at,
                    Node::string(PROVIDER_PAYLOAD_FORMAT_VERSION, at.clone()),
                );
            }
            if let Some(block) = body.block("response_parameters") {
                t.warn(&block.location, format!("{owner}: response_parameters (HTTP API response mapping) are not applied locally yet; responses reach the client unmapped"));
            }
            "AWS::ApiGatewayV2::Integration"
        }
        "aws_apigatewayv2_authorizer" => {
            t.link(&mut props, instance, "api_id", "ApiId", API)?;
            copy(
                &mut props,
                body,
                owner,
                &[
                    ("authorizer_type", "AuthorizerType"),
                    ("name", "Name"),
                    ("authorizer_uri", "AuthorizerUri"),
                    ("identity_sources", "IdentitySource"),
                    (
                        "authorizer_payload_format_version",
                        "AuthorizerPayloadFormatVersion",
                    ),
                    ("enable_simple_responses", "EnableSimpleResponses"),
                    (
                        "authorizer_result_ttl_in_seconds",
                        "AuthorizerResultTtlInSeconds",
                    ),
                ],
            )?;
            if let Some(jwt) = body.block("jwt_configuration") {
                let mut j = Map::default();
                copy(
                    &mut j,
                    &jwt.body,
                    owner,
                    &[("audience", "Audience"), ("issuer", "Issuer")],
                )?;
                props.set(
                    "JwtConfiguration",
                    &jwt.location,
                    Node::new(NodeValue::Map(j), jwt.location.clone()),
                );
            }
            "AWS::ApiGatewayV2::Authorizer"
        }
        "aws_apigatewayv2_stage" => {
            t.link(&mut props, instance, "api_id", "ApiId", API)?;
            copy(
                &mut props,
                body,
                owner,
                &[
                    ("name", "StageName"),
                    ("auto_deploy", "AutoDeploy"),
                    ("stage_variables", "StageVariables"),
                ],
            )?;
            "AWS::ApiGatewayV2::Stage"
        }
        _ => {
            t.warn(
                at,
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

/// `integrations/<id>` with the id turned back into the integration's address (the form the
/// route reader looks up).
fn route_target(
    t: &Translator<'_>,
    instance: &Instance,
    target: &str,
    at: &SourceLocation,
) -> Result<String, LoadError> {
    let id = target.strip_prefix("integrations/").unwrap_or(target);
    match t.links.get(id) {
        Some(super::Link::Ref(address, kind)) if kind == "aws_apigatewayv2_integration" => {
            Ok(format!("integrations/{address}"))
        }
        _ => Err(LoadError::new(
            at.clone(),
            format!(
                "{}: target = \"{target}\" must be \"integrations/${{aws_apigatewayv2_integration.NAME.id}}\" of an integration in this configuration",
                instance.address
            ),
        )),
    }
}
