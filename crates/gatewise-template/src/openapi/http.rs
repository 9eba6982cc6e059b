//! The OpenAPI document of an HTTP API (API Gateway v2) into model routes, CORS and authorizers.
//!
//! SAM's `AWS::Serverless::HttpApi` (its `DefinitionBody`, or the skeleton SAM starts from, plus
//! the function `HttpApi` events, `CorsConfiguration` and `Auth` written into it) and the `Body`
//! of a raw `AWS::ApiGatewayV2::Api` both end here, so the import rules live in one place: an
//! operation is a route `METHOD /path`, `x-amazon-apigateway-any-method` is `ANY`, and the
//! any-method of the path `$default` is the `$default` route.

use std::time::Duration;

use gatewise_model::{
    HttpAuthorization, HttpCors, HttpIntegration, HttpRoute, PayloadFormat, SourceLocation,
};
use indexmap::IndexMap;

use crate::LoadError;
use crate::document::intrinsics::Resolver;
use crate::document::value::{Map, Node, Value};
use crate::functions::Functions;
use crate::openapi::{
    self, UriTarget, X_AUTHORIZER, X_AUTHTYPE, X_GATEWISE_FUNCTION, X_INTEGRATION, http_backend,
    integration_type,
};
use crate::properties::{text, whole_number};

/// The root extension holding an HTTP API's CORS configuration (spec §8.1).
pub const X_CORS: &str = "x-amazon-apigateway-cors";
/// The catch-all route key, and the path whose any-method declares it.
pub const DEFAULT_ROUTE: &str = "$default";
/// UNCONFIRMED: SAM renames the `$default` path to `/$default` when `FailOnWarnings` is on
/// (SAM issue #2297); gatewise assumes API Gateway still imports it as the `$default` route.
/// Tested by `rule_6_10_events_without_path_are_the_default_route`.
pub const DEFAULT_ROUTE_PATHS: &[&str] = &[DEFAULT_ROUTE, "/$default"];
/// UNCONFIRMED: the payload format of an imported or CloudFormation Lambda integration that
/// names none (AWS documents the property as required; its API defaults to 1.0). SAM events
/// always write one (2.0 unless the event says otherwise, spec §6.10). Tested by
/// `raw_v2_integration_without_payload_version_uses_the_unconfirmed_default`.
pub const UNSPECIFIED_PAYLOAD_FORMAT: PayloadFormat = PayloadFormat::V1;
/// UNCONFIRMED: the identity source of a JWT authorizer that names none (SAM refuses that for its
/// own `Auth.Authorizers`; an imported document or raw `AWS::ApiGatewayV2::Authorizer` may omit
/// it). Tested by `raw_v2_resources_routes_integrations_and_authorizers`.
pub const JWT_DEFAULT_IDENTITY_SOURCE: &str = "$request.header.Authorization";
/// Integration timeout bounds of HTTP APIs, in milliseconds (spec 5.11).
pub const TIMEOUT_RANGE_MS: std::ops::RangeInclusive<u32> = 50..=30_000;

/// What a conversion needs besides the document.
pub struct Conversion<'a> {
    /// `HttpApi 'MyApi'`, for messages.
    pub what: String,
    pub functions: &'a Functions<'a>,
}

/// `"1.0"` / `"2.0"` (a number `1.0` too, as YAML reads it).
pub fn payload_format(node: &Node, what: &str) -> Result<PayloadFormat, LoadError> {
    match text(node, what)?.trim() {
        "1.0" | "1" => Ok(PayloadFormat::V1),
        "2.0" | "2" => Ok(PayloadFormat::V2),
        other => Err(LoadError::new(
            node.location.clone(),
            format!("{what} must be \"1.0\" or \"2.0\", found '{other}'"),
        )),
    }
}

/// `TimeoutInMillis` / `timeoutInMillis`, within API Gateway's 50–30000 ms.
pub fn timeout(node: &Node, what: &str) -> Result<Duration, LoadError> {
    whole_number(node, what, TIMEOUT_RANGE_MS).map(|ms| Duration::from_millis(u64::from(ms)))
}

/// The Lambda integration an invocation URI or function ARN names; a URI that is not a Lambda
/// function becomes a route gatewise does not serve (with a warning).
pub fn lambda_target(
    resolver: &mut Resolver<'_>,
    uri: &Node,
    functions: &Functions<'_>,
    payload_format: PayloadFormat,
    timeout: Duration,
    what: &str,
) -> Result<HttpIntegration, LoadError> {
    let text = text(uri, &format!("{what}: integration uri"))?;
    match openapi::function_for_uri(&text, functions) {
        UriTarget::Function(function) => Ok(HttpIntegration::Lambda {
            function,
            payload_format,
            timeout,
        }),
        UriTarget::Unknown(name) => Err(LoadError::new(
            uri.location.clone(),
            format!(
                "{what}: the integration invokes Lambda function '{name}', which this template does not declare; add the function or fix the uri"
            ),
        )),
        UriTarget::NotLambda => {
            resolver.warn(
                &uri.location,
                format!("{what}: '{text}' is not a Lambda function in this template; requests to this route get 500 (not served)"),
            );
            Ok(not_served("AWS_PROXY"))
        }
    }
}

/// An integration gatewise routes but does not run.
pub fn not_served(integration_type: &str) -> HttpIntegration {
    HttpIntegration::NotServed {
        integration_type: integration_type.to_ascii_uppercase(),
    }
}

/// An AWS service integration (`integrationSubtype` such as `SQS-SendMessage`): HTTP APIs call
/// the service themselves, which gatewise does not do yet — the route is listed as not served
/// and answers 500, with a warning at the subtype.
pub fn service_integration(
    resolver: &mut Resolver<'_>,
    subtype: &Node,
    description: &str,
) -> HttpIntegration {
    let name = subtype.scalar_text().unwrap_or_default();
    resolver.warn(
        &subtype.location,
        format!("{description}: the AWS service integration {name} is not run by gatewise yet (it would call AWS itself); requests to this route get 500"),
    );
    HttpIntegration::NotServed {
        integration_type: format!("AWS service {name}"),
    }
}

/// The route key of a path-item operation key; `None` for keys that are not operations.
pub fn route_key(path: &str, operation_key: &str) -> Option<String> {
    let method = openapi::http_method(operation_key)?;
    if method == "ANY" && DEFAULT_ROUTE_PATHS.contains(&path) {
        return Some(DEFAULT_ROUTE.to_owned());
    }
    Some(format!("{method} {path}"))
}

/// Every route of the document (already normalised with [`openapi::normalise_paths`]).
pub fn routes(
    resolver: &mut Resolver<'_>,
    doc: &Node,
    conversion: &Conversion<'_>,
) -> Result<Vec<HttpRoute>, LoadError> {
    let Some(root) = doc.as_map() else {
        return Ok(Vec::new());
    };
    let schemes = security_schemes(resolver, root, conversion)?;
    let mut out: Vec<HttpRoute> = Vec::new();
    let Some(paths) = openapi::paths(doc) else {
        return Ok(out);
    };
    for path in paths.iter() {
        let Some(item) = path.value.as_map() else {
            continue;
        };
        for operation in item.iter() {
            let Some(route_key) = route_key(&path.key, &operation.key) else {
                continue;
            };
            let description = format!("{} route '{route_key}'", conversion.what);
            let Some(op) = resolver.resolve_shallow(&operation.value)? else {
                continue;
            };
            let Some(op) = op.as_map() else {
                return Err(LoadError::new(
                    operation.key_location.clone(),
                    format!(
                        "{description}: an operation must be a map, found {}",
                        op.kind()
                    ),
                ));
            };
            if let Some(other) = out.iter().find(|r| r.route_key == route_key) {
                return Err(LoadError::new(
                    operation.key_location.clone(),
                    format!(
                        "{description} is declared twice (also at {}); API Gateway keeps one route per key — remove one",
                        other.location
                    ),
                ));
            }
            let integration = integration(
                resolver,
                op,
                &operation.key_location,
                conversion,
                &description,
            )?;
            let security = op.get("security").or(root.get("security"));
            let authorization = security_of(resolver, security, &schemes, &description)?;
            out.push(HttpRoute {
                route_key,
                integration,
                authorization,
                location: operation.key_location.clone(),
            });
        }
    }
    Ok(out)
}

fn integration(
    resolver: &mut Resolver<'_>,
    op: &Map,
    at: &SourceLocation,
    conversion: &Conversion<'_>,
    description: &str,
) -> Result<HttpIntegration, LoadError> {
    let resolved = match op.get(X_INTEGRATION) {
        Some(node) => resolver.resolve_shallow(node)?,
        None => None,
    };
    let Some(node) = resolved else {
        resolver.warn(
            at,
            format!("{description} has no {X_INTEGRATION}; API Gateway creates the route without an integration, and gatewise answers it with 500"),
        );
        return Ok(not_served("NONE"));
    };
    let (map, kind) = integration_type(resolver, &node, description, "aws_proxy, http_proxy")?;
    if kind == "http_proxy" {
        let timeout = match resolver.property(map, "timeoutInMillis")? {
            Some(ms) => timeout(&ms, &format!("{description}: timeoutInMillis"))?,
            None => HttpIntegration::DEFAULT_TIMEOUT,
        };
        return http_backend::http_api_backend(
            resolver,
            map,
            &http_backend::OPENAPI_HTTP_API_KEYS,
            timeout,
            &node.location,
            description,
        );
    }
    if kind != "aws_proxy" {
        resolver.warn(
            at,
            format!("{description}: {} integrations are not run by gatewise yet; requests to this route get 500", kind.to_ascii_uppercase()),
        );
        return Ok(not_served(&kind));
    }
    if let Some(subtype) = resolver.property(map, "integrationSubtype")? {
        return Ok(service_integration(resolver, &subtype, description));
    }
    let payload_format = match resolver.property(map, "payloadFormatVersion")? {
        Some(v) => payload_format(&v, &format!("{description}: payloadFormatVersion"))?,
        None => UNSPECIFIED_PAYLOAD_FORMAT,
    };
    let timeout = match resolver.property(map, "timeoutInMillis")? {
        Some(ms) => timeout(&ms, &format!("{description}: timeoutInMillis"))?,
        None => HttpIntegration::DEFAULT_TIMEOUT,
    };
    if let Some(id) = map.get(X_GATEWISE_FUNCTION).and_then(Node::as_str)
        && let Some(function) = conversion.functions.by_logical_id(id)
    {
        return Ok(HttpIntegration::Lambda {
            function,
            payload_format,
            timeout,
        });
    }
    let uri = resolver.property(map, "uri")?.ok_or_else(|| {
        LoadError::new(
            node.location.clone(),
            format!(
                "{description}: an aws_proxy integration needs a uri (the Lambda invocation ARN)"
            ),
        )
    })?;
    lambda_target(
        resolver,
        &uri,
        conversion.functions,
        payload_format,
        timeout,
        description,
    )
}

/// `components.securitySchemes` (OpenAPI 3) and `securityDefinitions` (swagger 2): the schemes
/// API Gateway understands, by name.
fn security_schemes(
    resolver: &mut Resolver<'_>,
    root: &Map,
    conversion: &Conversion<'_>,
) -> Result<IndexMap<String, HttpAuthorization>, LoadError> {
    let mut out = IndexMap::new();
    let v3 = root
        .get("components")
        .and_then(Node::as_map)
        .and_then(|c| c.get("securitySchemes"));
    for container in [v3, root.get("securityDefinitions")].into_iter().flatten() {
        let Some(schemes) = container.as_map() else {
            continue;
        };
        for entry in schemes.iter() {
            let Some(scheme) = resolver.resolve_shallow(&entry.value)? else {
                continue;
            };
            let Some(scheme) = scheme.as_map() else {
                continue;
            };
            let what = format!("{} security scheme '{}'", conversion.what, entry.key);
            if let Some(authorization) = scheme_authorization(
                resolver,
                &entry.key,
                &entry.key_location,
                scheme,
                conversion,
                &what,
            )? {
                out.insert(entry.key.clone(), authorization);
            }
        }
    }
    Ok(out)
}

fn scheme_authorization(
    resolver: &mut Resolver<'_>,
    name: &str,
    at: &SourceLocation,
    scheme: &Map,
    conversion: &Conversion<'_>,
    what: &str,
) -> Result<Option<HttpAuthorization>, LoadError> {
    let authtype = resolver
        .property(scheme, X_AUTHTYPE)?
        .and_then(|n| n.scalar_text());
    if authtype.is_some_and(|t| t.eq_ignore_ascii_case("awsSigv4")) {
        return Ok(Some(HttpAuthorization::AwsIam));
    }
    let Some(authorizer) = resolver.property(scheme, X_AUTHORIZER)? else {
        return Ok(None);
    };
    let Some(authorizer) = authorizer.as_map() else {
        return Ok(None);
    };
    let kind = resolver
        .property(authorizer, "type")?
        .and_then(|n| n.scalar_text())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let identity = match resolver.property(authorizer, "identitySource")? {
        Some(node) => identity_sources(&node, &format!("{what}: identitySource"))?,
        None => Vec::new(),
    };
    match kind.as_str() {
        "jwt" => Ok(Some(HttpAuthorization::Jwt {
            name: name.to_owned(),
            identity_source: identity
                .into_iter()
                .next()
                .unwrap_or_else(|| JWT_DEFAULT_IDENTITY_SOURCE.to_owned()),
            location: at.clone(),
        })),
        "request" => {
            let function = match authorizer.get(X_GATEWISE_FUNCTION).and_then(Node::as_str) {
                Some(id) => conversion.functions.by_logical_id(id),
                None => match resolver.property(authorizer, "authorizerUri")? {
                    Some(uri) => match openapi::function_for_uri(
                        &uri.scalar_text().unwrap_or_default(),
                        conversion.functions,
                    ) {
                        UriTarget::Function(f) => Some(f),
                        _ => None,
                    },
                    None => None,
                },
            };
            let payload_format = match resolver
                .property(authorizer, "authorizerPayloadFormatVersion")?
            {
                Some(v) => payload_format(&v, &format!("{what}: authorizerPayloadFormatVersion"))?,
                None => UNSPECIFIED_PAYLOAD_FORMAT,
            };
            let simple_responses = resolver
                .property(authorizer, "enableSimpleResponses")?
                .is_some_and(|n| is_true(&n));
            Ok(Some(HttpAuthorization::Lambda {
                name: name.to_owned(),
                function,
                identity_sources: identity,
                payload_format,
                simple_responses,
                location: at.clone(),
            }))
        }
        other => {
            resolver.warn(
                at,
                format!("{what}: authorizer type '{other}' is not one HTTP APIs know (jwt, request); routes using it are not protected here"),
            );
            Ok(None)
        }
    }
}

/// `true` or `"true"` (CloudFormation passes booleans as either).
pub fn is_true(node: &Node) -> bool {
    match &node.value {
        Value::Bool(b) => *b,
        Value::String(s) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// Identity sources as a list: a list of strings, or one string with comma-separated entries.
pub fn identity_sources(node: &Node, what: &str) -> Result<Vec<String>, LoadError> {
    let items: Vec<String> = match &node.value {
        Value::List(items) => items
            .iter()
            .map(|i| text(i, what))
            .collect::<Result<_, _>>()?,
        _ => text(node, what)?.split(',').map(str::to_owned).collect(),
    };
    Ok(items
        .into_iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect())
}

/// The authorization of an operation: its first security requirement that names a known
/// scheme. `NONE` (what SAM writes for `Authorizer: NONE`) and an empty list mean none.
fn security_of(
    resolver: &mut Resolver<'_>,
    security: Option<&Node>,
    schemes: &IndexMap<String, HttpAuthorization>,
    description: &str,
) -> Result<HttpAuthorization, LoadError> {
    let Some(security) = security else {
        return Ok(HttpAuthorization::None);
    };
    let Some(security) = resolver.resolve(security)? else {
        return Ok(HttpAuthorization::None);
    };
    let Some(items) = security.as_list() else {
        return Err(LoadError::new(
            security.location.clone(),
            format!(
                "{description}: security must be a list, found {}",
                security.kind()
            ),
        ));
    };
    for requirement in items.iter().filter_map(Node::as_map) {
        for entry in requirement.iter() {
            if entry.key == "NONE" {
                return Ok(HttpAuthorization::None);
            }
            match schemes.get(&entry.key) {
                Some(authorization) => return Ok(authorization.clone()),
                None => resolver.warn(
                    &entry.key_location,
                    format!("{description}: security '{}' names no authorizer of this API; API Gateway would reject the import — gatewise leaves the route unprotected", entry.key),
                ),
            }
        }
    }
    Ok(HttpAuthorization::None)
}

/// How the keys of a CORS configuration are spelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyStyle {
    /// `x-amazon-apigateway-cors`: `allowOrigins`, …
    Camel,
    /// CloudFormation's `CorsConfiguration`: `AllowOrigins`, …
    Pascal,
}

/// The six CORS keys (spec §8.1), camel-cased.
pub const CORS_KEYS: &[&str] = &[
    "allowOrigins",
    "allowHeaders",
    "allowMethods",
    "exposeHeaders",
    "maxAge",
    "allowCredentials",
];

/// `allowOrigins` → `AllowOrigins` for [`KeyStyle::Pascal`].
pub fn key_name(camel: &str, style: KeyStyle) -> String {
    match style {
        KeyStyle::Camel => camel.to_owned(),
        KeyStyle::Pascal => {
            let mut chars = camel.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        }
    }
}

/// A CORS configuration map into [`HttpCors`]; keys it does not know are warned about.
pub fn cors_from_map(
    resolver: &mut Resolver<'_>,
    map: &Map,
    style: KeyStyle,
    what: &str,
) -> Result<HttpCors, LoadError> {
    for entry in map.iter() {
        if !CORS_KEYS.iter().any(|k| key_name(k, style) == entry.key) {
            resolver.warn(
                &entry.key_location,
                format!(
                    "{what}: '{}' is not a CORS setting API Gateway knows ({}); it is ignored",
                    entry.key,
                    CORS_KEYS
                        .iter()
                        .map(|k| key_name(k, style))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
    }
    let list = |resolver: &mut Resolver<'_>, camel: &str| -> Result<Vec<String>, LoadError> {
        let key = key_name(camel, style);
        match resolver.property(map, &key)? {
            Some(node) => string_items(&node, &format!("{what}.{key}")),
            None => Ok(Vec::new()),
        }
    };
    let allow_origins = list(resolver, "allowOrigins")?;
    let allow_headers = list(resolver, "allowHeaders")?;
    let allow_methods = list(resolver, "allowMethods")?;
    let expose_headers = list(resolver, "exposeHeaders")?;
    let max_age_key = key_name("maxAge", style);
    let max_age = match resolver.property(map, &max_age_key)? {
        Some(node) => Some(
            node.scalar_text()
                .and_then(|t| t.trim().parse::<i64>().ok())
                .ok_or_else(|| {
                    LoadError::new(
                        node.location.clone(),
                        format!(
                            "{what}.{max_age_key} must be a whole number of seconds, found {}",
                            node.kind()
                        ),
                    )
                })?,
        ),
        None => None,
    };
    let allow_credentials = resolver
        .property(map, &key_name("allowCredentials", style))?
        .is_some_and(|n| is_true(&n));
    Ok(HttpCors {
        allow_origins,
        allow_methods,
        allow_headers,
        expose_headers,
        max_age,
        allow_credentials,
    })
}

/// A list of strings; a single string counts as a one-item list.
fn string_items(node: &Node, what: &str) -> Result<Vec<String>, LoadError> {
    match &node.value {
        Value::List(items) => items.iter().map(|i| text(i, what)).collect(),
        Value::Null => Ok(Vec::new()),
        _ => Ok(vec![text(node, what)?]),
    }
}

/// The document's `x-amazon-apigateway-cors`, with where it is written.
pub fn document_cors(
    resolver: &mut Resolver<'_>,
    doc: &Node,
    what: &str,
) -> Result<Option<(HttpCors, SourceLocation)>, LoadError> {
    let Some(entry) = doc.as_map().and_then(|m| m.entry(X_CORS)) else {
        return Ok(None);
    };
    let Some(resolved) = resolver.resolve_shallow(&entry.value)? else {
        return Ok(None);
    };
    let Some(map) = resolved.as_map() else {
        return Err(LoadError::new(
            entry.value.location.clone(),
            format!("{what}: {X_CORS} must be a map, found {}", resolved.kind()),
        ));
    };
    let cors = cors_from_map(resolver, map, KeyStyle::Camel, &format!("{what}: {X_CORS}"))?;
    Ok(Some((cors, entry.key_location.clone())))
}
