//! Raw CloudFormation REST APIs, as `cdk synth` (or a hand-written template) declares them:
//! `AWS::ApiGateway::RestApi` (with an optional OpenAPI `Body`), `Resource` trees, `Method`s
//! with their integrations and authorizers, `Stage` / `Deployment`, `GatewayResponse`,
//! `ApiKey` (`UsagePlan` / `UsagePlanKey` are accepted: any enabled key is valid, spec §9.5),
//! and request validation (`RequestValidator`, `Model`; in [`request_validation`]).

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use gatewise_model::{
    ApiKey, Authorization, Authorizer, AuthorizerKind, GatewayResponseConfig, Integration,
    IntegrationMapping, IntegrationResponse, Method, MethodProvenance, RestApi, SourceLocation,
};
use indexmap::IndexMap;

use crate::document::intrinsics::Resolver;
use crate::document::value::{Map, Node, Value};
use crate::functions::Functions;
use crate::openapi::rest::{self, Routes, TemplateEnd};
use crate::openapi::{self, UriTarget, definition, http_backend};
use crate::properties::{properties_of, string_list, string_map, text, whole_number};
use crate::{LoadError, ids};

mod request_validation;

/// Stage used when neither a `Stage` nor a `Deployment` names one.
pub const DEFAULT_STAGE: &str = "prod";

/// An `AWS::ApiGateway::*` resource of the template (after its `Condition`).
pub struct ApiGatewayResource<'t> {
    pub logical_id: String,
    pub resource_type: String,
    pub location: SourceLocation,
    pub resource: &'t Map,
}

/// What a `ParentId` / `ResourceId` points at.
enum Parent {
    /// `!GetAtt Api.RootResourceId`.
    Root(String),
    /// `!Ref SomeResource`.
    Resource(String),
}

fn reference(node: &Node) -> Option<Parent> {
    match node.intrinsic()? {
        ("Ref", target) => target.as_str().map(|t| Parent::Resource(t.to_owned())),
        ("Fn::GetAtt", argument) => {
            let (resource, attribute) = match &argument.value {
                Value::String(s) => {
                    let (r, a) = s.split_once('.')?;
                    (r.to_owned(), a.to_owned())
                }
                Value::List(items) => (
                    items.first()?.as_str()?.to_owned(),
                    items.get(1)?.as_str()?.to_owned(),
                ),
                _ => return None,
            };
            (attribute == "RootResourceId").then_some(Parent::Root(resource))
        }
        _ => None,
    }
}

/// `!Ref X` → `X`.
fn ref_name(node: Option<&Node>) -> Option<String> {
    match node?.intrinsic()? {
        ("Ref", target) => target.as_str().map(str::to_owned),
        _ => None,
    }
}

/// Builds the raw CloudFormation REST APIs and API keys.
pub fn rest_apis(
    resolver: &mut Resolver<'_>,
    resources: &[ApiGatewayResource<'_>],
    functions: &Functions<'_>,
    template_dir: &Path,
) -> Result<(Vec<RestApi>, Vec<ApiKey>), LoadError> {
    let mut props: HashMap<&str, Map> = HashMap::new();
    for r in resources {
        props.insert(&r.logical_id, properties_of(r.resource, &r.logical_id)?);
    }
    let of_type = |t: &'static str| resources.iter().filter(move |r| r.resource_type == t);
    let mut apis: IndexMap<String, (RestApi, Routes)> = IndexMap::new();

    for r in of_type("AWS::ApiGateway::RestApi") {
        let p = &props[r.logical_id.as_str()];
        let what = format!("RestApi '{}'", r.logical_id);
        let mut api = RestApi {
            logical_id: r.logical_id.clone(),
            api_id: ids::api_id(&r.logical_id),
            stage: String::new(),
            stage_variables: IndexMap::new(),
            binary_media_types: match resolver.property(p, "BinaryMediaTypes")? {
                Some(n) => string_list(&n, &format!("{what}: BinaryMediaTypes"))?
                    .into_iter()
                    .map(|t| t.replace("~1", "/"))
                    .collect(),
                None => Vec::new(),
            },
            resources: Vec::new(),
            location: r.location.clone(),
            gateway_responses: Vec::new(),
            api_key_source: Default::default(),
            cors_location: None,
            models: Vec::new(),
        };
        if let Some(source) = resolver.property(p, "ApiKeySourceType")? {
            api.api_key_source = rest::api_key_source(&source, &what)?;
        }
        let body = if let Some(body) = p.get("Body") {
            Some(definition::inline(resolver, body, template_dir, &what)?)
        } else if let Some(uri) = p.get("BodyS3Location") {
            Some(definition::from_uri(
                resolver,
                uri,
                template_dir,
                &what,
                "BodyS3Location",
            )?)
        } else {
            None
        };
        if let Some(mut doc) = body {
            openapi::normalise_paths(resolver, &mut doc, &what)?;
            let conversion = rest::Conversion {
                what: what.clone(),
                api_logical_id: &r.logical_id,
                functions,
            };
            rest::to_model(resolver, &doc, &conversion, &mut api)?;
        }
        let routes = Routes::new(&r.logical_id, std::mem::take(&mut api.resources));
        apis.insert(r.logical_id.clone(), (api, routes));
    }

    // Resource paths, by walking parents.
    let resource_defs: HashMap<&str, &ApiGatewayResource<'_>> =
        of_type("AWS::ApiGateway::Resource")
            .map(|r| (r.logical_id.as_str(), r))
            .collect();
    let mut paths: HashMap<String, (String, String)> = HashMap::new();
    for r in resource_defs.values() {
        let mut chain = Vec::new();
        let (api, path) =
            resource_path(resolver, &r.logical_id, &resource_defs, &props, &mut chain)?;
        paths.insert(r.logical_id.clone(), (api, path));
    }

    let authorizers = authorizers(
        resolver,
        &of_type("AWS::ApiGateway::Authorizer").collect::<Vec<_>>(),
        &props,
        functions,
    )?;
    let validators = request_validation::validators(
        resolver,
        &of_type("AWS::ApiGateway::RequestValidator").collect::<Vec<_>>(),
        &props,
    )?;
    let model_names = request_validation::add_models(
        resolver,
        &of_type("AWS::ApiGateway::Model").collect::<Vec<_>>(),
        &props,
        &mut apis,
    )?;

    for r in of_type("AWS::ApiGateway::Method") {
        let p = &props[r.logical_id.as_str()];
        let what = format!("Method '{}'", r.logical_id);
        let resource_node = p
            .get("ResourceId")
            .ok_or_else(|| missing(r, "ResourceId"))?;
        let (api_id, path) = match reference(resource_node) {
            Some(Parent::Root(api)) => (api, "/".to_owned()),
            Some(Parent::Resource(id)) => paths.get(&id).cloned().ok_or_else(|| {
                LoadError::new(
                    resource_node.location.clone(),
                    format!("{what}: ResourceId names '{id}', which is not an AWS::ApiGateway::Resource of this template"),
                )
            })?,
            None => {
                return Err(LoadError::new(
                    resource_node.location.clone(),
                    format!("{what}: ResourceId must be !Ref to an AWS::ApiGateway::Resource or !GetAtt Api.RootResourceId"),
                ));
            }
        };
        let api_id = ref_name(p.get("RestApiId")).unwrap_or(api_id);
        let Some((api, routes)) = apis.get_mut(&api_id) else {
            return Err(LoadError::new(
                r.location.clone(),
                format!(
                    "{what}: RestApiId '{api_id}' is not an AWS::ApiGateway::RestApi of this template"
                ),
            ));
        };
        let http_method = match resolver.property(p, "HttpMethod")? {
            Some(n) => text(&n, &format!("{what}: HttpMethod"))?.to_ascii_uppercase(),
            None => return Err(missing(r, "HttpMethod")),
        };
        let api_key_required = match resolver.property(p, "ApiKeyRequired")? {
            Some(n) => n
                .scalar_text()
                .is_some_and(|t| t.eq_ignore_ascii_case("true")),
            None => false,
        };
        let (authorization, authorization_at) =
            method_authorization(resolver, p, &authorizers, &what)?;
        let route = format!("{http_method} {path}");
        let integration = integration(resolver, p, functions, &what, &route, &r.location)?;
        let validation =
            request_validation::method(resolver, p, &validators, &model_names, api, &what)?;
        let method = Method {
            http_method,
            integration,
            location: r.location.clone(),
            api_key_required,
            authorization,
            provenance: MethodProvenance {
                generated_from_cors: None,
                api_key_required_at: api_key_required
                    .then(|| p.entry("ApiKeyRequired").map(|e| e.key_location.clone()))
                    .flatten(),
                authorization_at,
            },
            validation,
        };
        routes.add(path, method, &what)?;
    }

    // Stages: a Stage resource, else a Deployment's StageName, else a warning and `prod`.
    for (id, (api, _)) in apis.iter_mut() {
        let stage = of_type("AWS::ApiGateway::Stage").find(|s| {
            ref_name(props[s.logical_id.as_str()].get("RestApiId")).as_deref() == Some(id)
        });
        if let Some(s) = stage {
            let p = &props[s.logical_id.as_str()];
            api.stage = match resolver.property(p, "StageName")? {
                Some(n) => text(&n, &format!("Stage '{}': StageName", s.logical_id))?,
                None => return Err(missing(s, "StageName")),
            };
            if let Some(vars) = resolver.property(p, "Variables")? {
                api.stage_variables =
                    string_map(&vars, &format!("Stage '{}': Variables", s.logical_id))?;
            }
            continue;
        }
        let deployment = of_type("AWS::ApiGateway::Deployment").find(|d| {
            let p = &props[d.logical_id.as_str()];
            ref_name(p.get("RestApiId")).as_deref() == Some(id) && p.contains_key("StageName")
        });
        api.stage = match deployment {
            Some(d) => text(
                &resolver
                    .property(&props[d.logical_id.as_str()], "StageName")?
                    .unwrap_or_else(|| Node::string(DEFAULT_STAGE, d.location.clone())),
                &format!("Deployment '{}': StageName", d.logical_id),
            )?,
            None => {
                resolver.warn(
                    &api.location,
                    format!("RestApi '{id}' has no AWS::ApiGateway::Stage or Deployment with a StageName; gatewise serves it under stage '{DEFAULT_STAGE}'"),
                );
                DEFAULT_STAGE.to_owned()
            }
        };
    }

    for r in of_type("AWS::ApiGateway::GatewayResponse") {
        let p = &props[r.logical_id.as_str()];
        let what = format!("GatewayResponse '{}'", r.logical_id);
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
        let response_type = match resolver.property(p, "ResponseType")? {
            Some(n) => text(&n, &format!("{what}: ResponseType"))?,
            None => return Err(missing(r, "ResponseType")),
        };
        let status_code = match resolver.property(p, "StatusCode")? {
            Some(n) => Some(rest::status_code(&n, &what)?),
            None => None,
        };
        let map_of = |resolver: &mut Resolver<'_>,
                      key: &str|
         -> Result<IndexMap<String, String>, LoadError> {
            match resolver.property(p, key)? {
                Some(n) => string_map(&n, &format!("{what}: {key}")),
                None => Ok(IndexMap::new()),
            }
        };
        api.gateway_responses.push(GatewayResponseConfig {
            response_type,
            status_code,
            response_parameters: map_of(resolver, "ResponseParameters")?,
            response_templates: map_of(resolver, "ResponseTemplates")?,
            location: r.location.clone(),
        });
    }

    let mut keys = Vec::new();
    for r in of_type("AWS::ApiGateway::ApiKey") {
        let p = &props[r.logical_id.as_str()];
        let what = format!("ApiKey '{}'", r.logical_id);
        let value = match resolver.property(p, "Value")? {
            Some(n) => Some(text(&n, &format!("{what}: Value"))?),
            None => None,
        };
        let enabled = match resolver.property(p, "Enabled")? {
            Some(n) => !n
                .scalar_text()
                .is_some_and(|t| t.eq_ignore_ascii_case("false")),
            None => true,
        };
        keys.push(ApiKey {
            logical_id: r.logical_id.clone(),
            generated: value.is_none(),
            value: value.unwrap_or_else(|| ids::api_key_value(&r.logical_id)),
            enabled,
            location: r.location.clone(),
        });
    }

    let apis: Vec<RestApi> = apis
        .into_values()
        .map(|(mut api, routes)| {
            api.resources = routes.resources;
            api
        })
        .collect();
    for api in &apis {
        openapi::request_validation::check_models(api)?;
    }
    Ok((apis, keys))
}

fn missing(r: &ApiGatewayResource<'_>, property: &str) -> LoadError {
    LoadError::new(
        r.location.clone(),
        format!(
            "'{}' ({}) has no {property}; add it",
            r.logical_id, r.resource_type
        ),
    )
}

/// `(api, path)` of a `Resource`, walking `ParentId`s; `chain` detects cycles.
fn resource_path(
    resolver: &mut Resolver<'_>,
    id: &str,
    defs: &HashMap<&str, &ApiGatewayResource<'_>>,
    props: &HashMap<&str, Map>,
    chain: &mut Vec<String>,
) -> Result<(String, String), LoadError> {
    let r = defs[id];
    if chain.iter().any(|c| c == id) {
        return Err(LoadError::new(
            r.location.clone(),
            format!(
                "Resource '{id}': its ParentId chain loops ({} → {id}); a resource tree cannot contain a cycle",
                chain.join(" → ")
            ),
        ));
    }
    chain.push(id.to_owned());
    let p = &props[id];
    let part = match resolver.property(p, "PathPart")? {
        Some(n) => text(&n, &format!("Resource '{id}': PathPart"))?,
        None => return Err(missing(r, "PathPart")),
    };
    let parent = p.get("ParentId").ok_or_else(|| missing(r, "ParentId"))?;
    let (api, parent_path) = match reference(parent) {
        Some(Parent::Root(api)) => (api, String::new()),
        Some(Parent::Resource(parent_id)) if defs.contains_key(parent_id.as_str()) => {
            resource_path(resolver, &parent_id, defs, props, chain)?
        }
        _ => {
            return Err(LoadError::new(
                parent.location.clone(),
                format!(
                    "Resource '{id}': ParentId must be !GetAtt <RestApi>.RootResourceId or !Ref to another AWS::ApiGateway::Resource of this template"
                ),
            ));
        }
    };
    let api = ref_name(p.get("RestApiId")).unwrap_or(api);
    Ok((api, format!("{parent_path}/{part}")))
}

/// `AWS::ApiGateway::Authorizer`s by logical id.
fn authorizers(
    resolver: &mut Resolver<'_>,
    resources: &[&ApiGatewayResource<'_>],
    props: &HashMap<&str, Map>,
    functions: &Functions<'_>,
) -> Result<HashMap<String, Authorizer>, LoadError> {
    let mut out = HashMap::new();
    for r in resources {
        let p = &props[r.logical_id.as_str()];
        let what = format!("Authorizer '{}'", r.logical_id);
        let kind = match resolver.property(p, "Type")? {
            Some(n) => match text(&n, &format!("{what}: Type"))?
                .to_ascii_uppercase()
                .as_str()
            {
                "TOKEN" => AuthorizerKind::Token,
                "REQUEST" => AuthorizerKind::Request,
                "COGNITO_USER_POOLS" => AuthorizerKind::CognitoUserPools,
                other => {
                    return Err(LoadError::new(
                        n.location.clone(),
                        format!(
                            "{what}: Type '{other}' is not TOKEN, REQUEST or COGNITO_USER_POOLS"
                        ),
                    ));
                }
            },
            None => return Err(missing(r, "Type")),
        };
        let identity_sources = match resolver.property(p, "IdentitySource")? {
            Some(n) => text(&n, &format!("{what}: IdentitySource"))?
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
            None => Vec::new(),
        };
        let function = match resolver.property(p, "AuthorizerUri")? {
            Some(uri) => match openapi::function_for_uri(
                &text(&uri, &format!("{what}: AuthorizerUri"))?,
                functions,
            ) {
                UriTarget::Function(f) => Some(f),
                _ => None,
            },
            None => None,
        };
        let name = match resolver.property(p, "Name")? {
            Some(n) => text(&n, &format!("{what}: Name"))?,
            None => r.logical_id.clone(),
        };
        out.insert(
            r.logical_id.clone(),
            Authorizer {
                name,
                kind,
                identity_sources,
                function,
                location: r.location.clone(),
            },
        );
    }
    Ok(out)
}

fn method_authorization(
    resolver: &mut Resolver<'_>,
    p: &Map,
    authorizers: &HashMap<String, Authorizer>,
    what: &str,
) -> Result<(Authorization, Option<SourceLocation>), LoadError> {
    let Some(entry) = p.entry("AuthorizationType") else {
        return Ok((Authorization::None, None));
    };
    let kind = resolver.text(&entry.value, &format!("{what}: AuthorizationType"))?;
    let at = Some(entry.key_location.clone());
    match kind.to_ascii_uppercase().as_str() {
        "NONE" => Ok((Authorization::None, None)),
        "AWS_IAM" => Ok((Authorization::AwsIam, at)),
        "CUSTOM" | "COGNITO_USER_POOLS" => {
            let id = ref_name(p.get("AuthorizerId"));
            match id.as_deref().and_then(|id| authorizers.get(id)) {
                Some(a) => Ok((Authorization::Authorizer(a.clone()), at)),
                None => Err(LoadError::new(
                    entry.key_location.clone(),
                    format!(
                        "{what}: AuthorizationType {kind} needs AuthorizerId: !Ref to an AWS::ApiGateway::Authorizer of this template"
                    ),
                )),
            }
        }
        other => Err(LoadError::new(
            entry.value.location.clone(),
            format!(
                "{what}: AuthorizationType '{other}' is not NONE, AWS_IAM, CUSTOM or COGNITO_USER_POOLS"
            ),
        )),
    }
}

/// A method's `Integration`; `route` (`GET /items`) names the method in template errors.
fn integration(
    resolver: &mut Resolver<'_>,
    p: &Map,
    functions: &Functions<'_>,
    what: &str,
    route: &str,
    at: &SourceLocation,
) -> Result<Integration, LoadError> {
    let Some(node) = p.get("Integration") else {
        resolver.warn(
            at,
            format!("{what} has no Integration; requests to it get 500 (not served)"),
        );
        return Ok(Integration::NotServed {
            integration_type: "NONE".to_owned(),
        });
    };
    let Some(map) = node.as_map() else {
        return Err(LoadError::new(
            node.location.clone(),
            format!("{what}: Integration must be a map, found {}", node.kind()),
        ));
    };
    let kind = match resolver.property(map, "Type")? {
        Some(t) => text(&t, &format!("{what}: Integration.Type"))?.to_ascii_uppercase(),
        None => {
            return Err(LoadError::new(
                node.location.clone(),
                format!("{what}: Integration needs a Type"),
            ));
        }
    };
    match kind.as_str() {
        "AWS_PROXY" | "AWS" => {
            let uri = resolver.property(map, "Uri")?.ok_or_else(|| {
                LoadError::new(
                    node.location.clone(),
                    format!("{what}: an {kind} integration needs a Uri"),
                )
            })?;
            let timeout = match resolver.property(map, "TimeoutInMillis")? {
                Some(ms) => Duration::from_millis(u64::from(whole_number(
                    &ms,
                    &format!("{what}: TimeoutInMillis"),
                    50..=29_000,
                )?)),
                None => Integration::REST_DEFAULT_TIMEOUT,
            };
            match openapi::function_for_uri(
                &text(&uri, &format!("{what}: Integration.Uri"))?,
                functions,
            ) {
                UriTarget::Function(function) if kind == "AWS" => Ok(Integration::Lambda {
                    function,
                    timeout,
                    mapping: mapping(resolver, map, what, route)?,
                }),
                UriTarget::Function(function) => Ok(Integration::LambdaProxy { function, timeout }),
                UriTarget::Unknown(name) => Err(LoadError::new(
                    uri.location.clone(),
                    format!(
                        "{what}: the integration invokes Lambda function '{name}', which this template does not declare; add the function or fix the Uri"
                    ),
                )),
                UriTarget::NotLambda => {
                    resolver.warn(&uri.location, format!("{what}: {kind} Uri is not a Lambda function of this template (AWS service integrations are not run by gatewise yet); requests get 500 (not served)"));
                    Ok(Integration::NotServed {
                        integration_type: kind,
                    })
                }
            }
        }
        "MOCK" => Ok(Integration::Mock(mapping(resolver, map, what, route)?)),
        "HTTP" | "HTTP_PROXY" => {
            let proxy = kind == "HTTP_PROXY";
            let mapping = if proxy {
                IntegrationMapping::default()
            } else {
                mapping(resolver, map, what, route)?
            };
            Ok(Integration::Http(http_backend::rest_backend(
                resolver,
                map,
                &node.location,
                proxy,
                &http_backend::CFN_KEYS,
                mapping,
                what,
            )?))
        }
        other => {
            resolver.warn(at, format!("{what}: {other} integrations are not run by gatewise yet; requests to this method get 500 (API_CONFIGURATION_ERROR)"));
            Ok(Integration::NotServed {
                integration_type: other.to_owned(),
            })
        }
    }
}

/// The templates and integration responses of a non-proxy (`MOCK`, `AWS`) integration:
/// `RequestTemplates`, `PassthroughBehavior`, `IntegrationResponses`.
fn mapping(
    resolver: &mut Resolver<'_>,
    map: &Map,
    what: &str,
    route: &str,
) -> Result<IntegrationMapping, LoadError> {
    let request_templates_node = resolver.property(map, "RequestTemplates")?;
    let request_templates = rest::mapping_templates(
        resolver,
        request_templates_node.as_ref(),
        TemplateEnd::Request,
        route,
        &format!("{what}: RequestTemplates"),
    )?;
    let passthrough_behavior = match resolver.property(map, "PassthroughBehavior")? {
        Some(n) => rest::passthrough(&n, what)?,
        None => Default::default(),
    };
    let mut responses = Vec::new();
    let list = match map.get("IntegrationResponses") {
        Some(list) => resolver.resolve(list)?,
        None => None,
    };
    for item in list.as_ref().and_then(Node::as_list).unwrap_or_default() {
        let Some(r) = item.as_map() else {
            return Err(LoadError::new(
                item.location.clone(),
                format!("{what}: each IntegrationResponses item must be a map"),
            ));
        };
        let status_code = match r.get("StatusCode") {
            Some(s) => text(s, &format!("{what}: IntegrationResponses StatusCode"))?,
            None => {
                return Err(LoadError::new(
                    item.location.clone(),
                    format!("{what}: an integration response needs a StatusCode"),
                ));
            }
        };
        let selection_pattern = match r.get("SelectionPattern") {
            Some(s) => Some(text(s, &format!("{what}: SelectionPattern"))?),
            None => None,
        };
        responses.push(IntegrationResponse {
            selection_pattern,
            status_code,
            response_parameters: rest::parameters(resolver, r.get("ResponseParameters"), what)?,
            response_templates: rest::mapping_templates(
                resolver,
                r.get("ResponseTemplates"),
                TemplateEnd::Response,
                route,
                &format!("{what}: ResponseTemplates"),
            )?,
            location: item.location.clone(),
        });
    }
    Ok(IntegrationMapping {
        request_templates,
        passthrough_behavior,
        responses,
    })
}

#[cfg(test)]
mod tests;
