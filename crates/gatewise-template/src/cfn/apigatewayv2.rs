//! Raw CloudFormation HTTP APIs: `AWS::ApiGatewayV2::Api` (an OpenAPI `Body`, or "quick create"
//! with `Target`), with its `Route`, `Integration`, `Authorizer` and `Stage` resources — what
//! `cdk synth` and hand-written templates declare instead of SAM's `HttpApi`.
//!
//! Resources are read in two passes because a route may be declared before the API, the
//! integration or the authorizer it points at.

use std::collections::HashMap;
use std::path::Path;

use gatewise_model::{
    HttpApi, HttpAuthorization, HttpIntegration, HttpRoute, PayloadFormat, SourceLocation,
};
use indexmap::IndexMap;

use crate::document::intrinsics::Resolver;
use crate::document::value::{Map, Node};
use crate::functions::Functions;
use crate::openapi::http::{self, Conversion, DEFAULT_ROUTE, KeyStyle, UNSPECIFIED_PAYLOAD_FORMAT};
use crate::openapi::{self, UriTarget, definition, http_backend};
use crate::properties::{properties_of, string_map, text};
use crate::{LoadError, ids};

/// The payload format of the Lambda integration quick create makes from `Target`.
pub const QUICK_CREATE_PAYLOAD_FORMAT: PayloadFormat = PayloadFormat::V2;

/// One `AWS::ApiGatewayV2::*` resource as found in the template.
pub struct ApiGatewayV2Resource<'t> {
    pub logical_id: String,
    pub resource_type: String,
    pub location: SourceLocation,
    pub resource: &'t Map,
}

/// The logical id a `!Ref X` (or a plain `X`) names.
fn ref_name(node: Option<&Node>) -> Option<String> {
    let node = node?;
    match node.intrinsic() {
        Some(("Ref", name)) => name.as_str().map(str::to_owned),
        _ => node.as_str().map(str::to_owned),
    }
}

/// Every HTTP API the raw resources declare, in template order.
pub fn http_apis(
    resolver: &mut Resolver<'_>,
    resources: &[ApiGatewayV2Resource<'_>],
    functions: &Functions<'_>,
    template_dir: &Path,
) -> Result<Vec<HttpApi>, LoadError> {
    let mut apis: IndexMap<String, HttpApi> = IndexMap::new();
    let mut by_id: HashMap<&str, (&ApiGatewayV2Resource<'_>, Map)> = HashMap::new();
    for r in resources {
        let props = properties_of(r.resource, &r.logical_id)?;
        if r.resource_type == "AWS::ApiGatewayV2::Api" {
            if let Some(api) = api(resolver, r, &props, functions, template_dir)? {
                apis.insert(r.logical_id.clone(), api);
            }
        } else {
            by_id.insert(r.logical_id.as_str(), (r, props));
        }
    }
    let mut staged: Vec<String> = Vec::new();
    for r in resources {
        let Some((_, props)) = by_id.get(r.logical_id.as_str()) else {
            continue;
        };
        let Some(api) = ref_name(props.get("ApiId")).and_then(|id| apis.get_mut(&id)) else {
            continue;
        };
        match r.resource_type.as_str() {
            "AWS::ApiGatewayV2::Stage" => {
                if staged.contains(&api.logical_id) {
                    resolver.warn(
                        &r.location,
                        format!("Stage '{}': gatewise serves one stage per HTTP API ('{}' already); this one is ignored", r.logical_id, api.stage),
                    );
                    continue;
                }
                staged.push(api.logical_id.clone());
                stage(resolver, r, props, api)?;
            }
            "AWS::ApiGatewayV2::Route" => {
                let route = route(resolver, r, props, &by_id, functions)?;
                api.routes.push(route);
            }
            _ => {}
        }
    }
    Ok(apis.into_values().collect())
}

/// `AWS::ApiGatewayV2::Api`: its `Body` routes and CORS, or quick create's `$default` route.
fn api(
    resolver: &mut Resolver<'_>,
    r: &ApiGatewayV2Resource<'_>,
    props: &Map,
    functions: &Functions<'_>,
    template_dir: &Path,
) -> Result<Option<HttpApi>, LoadError> {
    let what = format!("HTTP API '{}'", r.logical_id);
    let protocol = match resolver.property(props, "ProtocolType")? {
        Some(node) => text(&node, &format!("{what}: ProtocolType"))?.to_ascii_uppercase(),
        None => "HTTP".to_owned(),
    };
    if protocol != "HTTP" {
        resolver.warn(
            &r.location,
            format!("'{}' is a {protocol} API (AWS::ApiGatewayV2::Api); gatewise serves HTTP APIs only, so it is not served", r.logical_id),
        );
        return Ok(None);
    }
    let conversion = Conversion {
        what: what.clone(),
        functions,
    };
    let doc = if let Some(body) = props.get("Body") {
        Some(definition::inline(resolver, body, template_dir, &what)?)
    } else if let Some(location) = props.get("BodyS3Location") {
        Some(definition::from_uri(
            resolver,
            location,
            template_dir,
            &what,
            "BodyS3Location",
        )?)
    } else {
        None
    };
    let mut api = HttpApi {
        logical_id: r.logical_id.clone(),
        api_id: ids::api_id(&r.logical_id),
        stage: DEFAULT_ROUTE.to_owned(),
        stage_variables: IndexMap::new(),
        routes: Vec::new(),
        cors: None,
        cors_location: None,
        location: r.location.clone(),
    };
    if let Some(mut doc) = doc {
        openapi::normalise_paths(resolver, &mut doc, &what)?;
        api.routes = http::routes(resolver, &doc, &conversion)?;
        if let Some((cors, at)) = http::document_cors(resolver, &doc, &what)? {
            api.cors = Some(cors);
            api.cors_location = Some(at);
        }
    }
    // The property replaces the Body's configuration (CloudFormation properties win over Body).
    if let Some(entry) = props.entry("CorsConfiguration")
        && let Some(node) = resolver.resolve_shallow(&entry.value)?
    {
        let map = node.as_map().ok_or_else(|| {
            LoadError::new(
                node.location.clone(),
                format!(
                    "{what}: CorsConfiguration must be a map, found {}",
                    node.kind()
                ),
            )
        })?;
        let cors = http::cors_from_map(
            resolver,
            map,
            KeyStyle::Pascal,
            &format!("{what}: CorsConfiguration"),
        )?;
        if cors.allow_credentials && cors.allow_origins.iter().any(|o| o == "*") {
            resolver.warn(
                &entry.key_location,
                format!("{what}: AllowCredentials with AllowOrigins '*' — browsers refuse credentialed responses with a wildcard origin"),
            );
        }
        api.cors = Some(cors);
        api.cors_location = Some(entry.key_location.clone());
    }
    if let Some(target) = resolver.property(props, "Target")? {
        let route_key = match resolver.property(props, "RouteKey")? {
            Some(node) => text(&node, &format!("{what}: RouteKey"))?,
            None => DEFAULT_ROUTE.to_owned(),
        };
        let integration = http::lambda_target(
            resolver,
            &target,
            functions,
            QUICK_CREATE_PAYLOAD_FORMAT,
            HttpIntegration::DEFAULT_TIMEOUT,
            &format!("{what}: Target"),
        )?;
        api.routes.push(HttpRoute {
            route_key,
            integration,
            authorization: HttpAuthorization::None,
            location: props
                .entry("Target")
                .map_or_else(|| r.location.clone(), |e| e.key_location.clone()),
        });
    }
    Ok(Some(api))
}

fn stage(
    resolver: &mut Resolver<'_>,
    r: &ApiGatewayV2Resource<'_>,
    props: &Map,
    api: &mut HttpApi,
) -> Result<(), LoadError> {
    let what = format!("Stage '{}'", r.logical_id);
    if let Some(name) = resolver.property(props, "StageName")? {
        api.stage = text(&name, &format!("{what}: StageName"))?;
    }
    if let Some(vars) = resolver.property(props, "StageVariables")? {
        api.stage_variables = string_map(&vars, &format!("{what}: StageVariables"))?;
    }
    Ok(())
}

type Others<'a, 't> = HashMap<&'a str, (&'a ApiGatewayV2Resource<'t>, Map)>;

/// `AWS::ApiGatewayV2::Route`: `RouteKey`, `Target: integrations/<id>`, authorization.
fn route(
    resolver: &mut Resolver<'_>,
    r: &ApiGatewayV2Resource<'_>,
    props: &Map,
    others: &Others<'_, '_>,
    functions: &Functions<'_>,
) -> Result<HttpRoute, LoadError> {
    let what = format!("Route '{}'", r.logical_id);
    let route_key = match resolver.property(props, "RouteKey")? {
        Some(node) => text(&node, &format!("{what}: RouteKey"))?,
        None => {
            return Err(LoadError::new(
                r.location.clone(),
                format!(
                    "{what} has no RouteKey; add one such as `RouteKey: GET /items` or `$default`"
                ),
            ));
        }
    };
    let integration = match resolver.property(props, "Target")? {
        Some(target) => {
            let target_text = text(&target, &format!("{what}: Target"))?;
            let id = target_text
                .strip_prefix("integrations/")
                .unwrap_or(&target_text);
            match others.get(id) {
                Some((ir, iprops)) if ir.resource_type == "AWS::ApiGatewayV2::Integration" => {
                    integration(resolver, ir, iprops, functions)?
                }
                _ => {
                    return Err(LoadError::new(
                        target.location.clone(),
                        format!(
                            "{what}: Target '{target_text}' must be `integrations/<id>` of an AWS::ApiGatewayV2::Integration in this template (e.g. !Join ['/', [integrations, !Ref MyIntegration]])"
                        ),
                    ));
                }
            }
        }
        None => {
            resolver.warn(
                &r.location,
                format!("{what} has no Target; API Gateway answers it without an integration, and gatewise answers it with 500"),
            );
            http::not_served("NONE")
        }
    };
    let kind = match resolver.property(props, "AuthorizationType")? {
        Some(node) => text(&node, &format!("{what}: AuthorizationType"))?.to_ascii_uppercase(),
        None => "NONE".to_owned(),
    };
    let authorization = match kind.as_str() {
        "NONE" => HttpAuthorization::None,
        "AWS_IAM" => HttpAuthorization::AwsIam,
        "JWT" | "CUSTOM" => {
            let id = ref_name(props.get("AuthorizerId"));
            match id.as_deref().and_then(|id| others.get(id)) {
                Some((ar, aprops)) if ar.resource_type == "AWS::ApiGatewayV2::Authorizer" => {
                    authorizer(resolver, ar, aprops, functions)?
                }
                _ => {
                    return Err(LoadError::new(
                        props
                            .get("AuthorizerId")
                            .map_or_else(|| r.location.clone(), |n| n.location.clone()),
                        format!(
                            "{what}: AuthorizationType {kind} needs AuthorizerId: !Ref to an AWS::ApiGatewayV2::Authorizer in this template"
                        ),
                    ));
                }
            }
        }
        other => {
            return Err(LoadError::new(
                props
                    .get("AuthorizationType")
                    .map_or_else(|| r.location.clone(), |n| n.location.clone()),
                format!(
                    "{what}: AuthorizationType '{other}' is not one of NONE, AWS_IAM, JWT, CUSTOM"
                ),
            ));
        }
    };
    Ok(HttpRoute {
        route_key,
        integration,
        authorization,
        location: r.location.clone(),
    })
}

/// `AWS::ApiGatewayV2::Integration`: `AWS_PROXY` to a Lambda function; other types are routed
/// but not served.
fn integration(
    resolver: &mut Resolver<'_>,
    r: &ApiGatewayV2Resource<'_>,
    props: &Map,
    functions: &Functions<'_>,
) -> Result<HttpIntegration, LoadError> {
    let what = format!("Integration '{}'", r.logical_id);
    let kind = match resolver.property(props, "IntegrationType")? {
        Some(node) => text(&node, &format!("{what}: IntegrationType"))?.to_ascii_uppercase(),
        None => {
            return Err(LoadError::new(
                r.location.clone(),
                format!("{what} has no IntegrationType (AWS_PROXY, HTTP_PROXY)"),
            ));
        }
    };
    if kind == "HTTP_PROXY" {
        let timeout = match resolver.property(props, "TimeoutInMillis")? {
            Some(node) => http::timeout(&node, &format!("{what}: TimeoutInMillis"))?,
            None => HttpIntegration::DEFAULT_TIMEOUT,
        };
        return http_backend::http_api_backend(
            resolver,
            props,
            &http_backend::CFN_HTTP_API_KEYS,
            timeout,
            &r.location,
            &what,
        );
    }
    if kind != "AWS_PROXY" {
        resolver.warn(
            &r.location,
            format!("{what}: {kind} integrations are not run by gatewise yet; requests to its routes get 500"),
        );
        return Ok(http::not_served(&kind));
    }
    if let Some(subtype) = resolver.property(props, "IntegrationSubtype")? {
        return Ok(http::service_integration(resolver, &subtype, &what));
    }
    let payload_format = match resolver.property(props, "PayloadFormatVersion")? {
        Some(node) => http::payload_format(&node, &format!("{what}: PayloadFormatVersion"))?,
        None => UNSPECIFIED_PAYLOAD_FORMAT,
    };
    let timeout = match resolver.property(props, "TimeoutInMillis")? {
        Some(node) => http::timeout(&node, &format!("{what}: TimeoutInMillis"))?,
        None => HttpIntegration::DEFAULT_TIMEOUT,
    };
    let uri = resolver.property(props, "IntegrationUri")?.ok_or_else(|| {
        LoadError::new(
            r.location.clone(),
            format!("{what}: an AWS_PROXY integration needs IntegrationUri (the function ARN)"),
        )
    })?;
    http::lambda_target(resolver, &uri, functions, payload_format, timeout, &what)
}

/// `AWS::ApiGatewayV2::Authorizer`: `JWT` or `REQUEST` (a Lambda authorizer).
fn authorizer(
    resolver: &mut Resolver<'_>,
    r: &ApiGatewayV2Resource<'_>,
    props: &Map,
    functions: &Functions<'_>,
) -> Result<HttpAuthorization, LoadError> {
    let what = format!("Authorizer '{}'", r.logical_id);
    let name = match resolver.property(props, "Name")? {
        Some(node) => text(&node, &format!("{what}: Name"))?,
        None => r.logical_id.clone(),
    };
    let identity = match resolver.property(props, "IdentitySource")? {
        Some(node) => http::identity_sources(&node, &format!("{what}: IdentitySource"))?,
        None => Vec::new(),
    };
    let kind = match resolver.property(props, "AuthorizerType")? {
        Some(node) => text(&node, &format!("{what}: AuthorizerType"))?.to_ascii_uppercase(),
        None => String::new(),
    };
    match kind.as_str() {
        "JWT" => Ok(HttpAuthorization::Jwt {
            name,
            identity_source: identity
                .into_iter()
                .next()
                .unwrap_or_else(|| http::JWT_DEFAULT_IDENTITY_SOURCE.to_owned()),
            location: r.location.clone(),
        }),
        "REQUEST" => {
            let function = match resolver.property(props, "AuthorizerUri")? {
                Some(uri) => match openapi::function_for_uri(
                    &uri.scalar_text().unwrap_or_default(),
                    functions,
                ) {
                    UriTarget::Function(f) => Some(f),
                    _ => None,
                },
                None => None,
            };
            let payload_format = match resolver.property(props, "AuthorizerPayloadFormatVersion")? {
                Some(node) => {
                    http::payload_format(&node, &format!("{what}: AuthorizerPayloadFormatVersion"))?
                }
                None => UNSPECIFIED_PAYLOAD_FORMAT,
            };
            let simple_responses = resolver
                .property(props, "EnableSimpleResponses")?
                .is_some_and(|n| http::is_true(&n));
            Ok(HttpAuthorization::Lambda {
                name,
                function,
                identity_sources: identity,
                payload_format,
                simple_responses,
                location: r.location.clone(),
            })
        }
        other => Err(LoadError::new(
            r.location.clone(),
            format!("{what}: AuthorizerType '{other}' is not one HTTP APIs use (JWT, REQUEST)"),
        )),
    }
}

#[cfg(test)]
mod tests;
