//! The swagger / OpenAPI document of a REST API into model resources and methods, in one place.
//!
//! SAM builds a swagger document per `AWS::Serverless::Api` (from `DefinitionBody`, or an empty
//! one, plus the paths of function `Api` events), then edits it: `Cors` adds `options`
//! operations, `Auth` adds `security` entries, `GatewayResponses` adds an extension. gatewise
//! does the same, on the positioned [`Node`] tree, so that every rule applies exactly where SAM
//! applies it (a path that already has `options` is skipped, the computed AllowMethods reads the
//! path item's keys, …). The finished document — or a hand-written `DefinitionBody`,
//! `DefinitionUri` file or `AWS::ApiGateway::RestApi` `Body` — then becomes resources and
//! methods here ([`to_model`]). Raw `AWS::ApiGateway::*` resources reuse its pieces: routes
//! with the duplicate check, integration mappings, gateway responses, mapping expressions.

use std::collections::HashMap;
use std::time::Duration;

use gatewise_model::{
    ApiKeySource, Authorization, Authorizer, AuthorizerKind, GatewayResponseConfig, Integration,
    IntegrationMapping, IntegrationResponse, MappingTemplate, Method, MethodProvenance,
    PassthroughBehavior, Resource, RestApi, SourceLocation,
};
use indexmap::IndexMap;

use crate::document::intrinsics::Resolver;
use crate::document::value::{Map, Node, Value};
use crate::functions::Functions;
use crate::openapi::{
    UriTarget, X_ANY_METHOD, X_AUTHORIZER, X_AUTHTYPE, X_GATEWISE_FUNCTION, X_INTEGRATION,
    function_for_uri, http_backend, http_method, integration_type, paths, request_validation,
};
use crate::properties::{string_map, text};
use crate::{INVALID_MAPPING_EXPRESSION, InvalidMappingExpression, LoadError, ids};

pub const X_GATEWAY_RESPONSES: &str = "x-amazon-apigateway-gateway-responses";
pub const X_BINARY_MEDIA_TYPES: &str = "x-amazon-apigateway-binary-media-types";
pub const X_API_KEY_SOURCE: &str = "x-amazon-apigateway-api-key-source";
/// gatewise-private: marks an `options` operation SAM generated from `Cors`; its location is
/// the `Cors` key. Operation-level, so it never shows in a path item's keys (AllowMethods).
pub const X_GATEWISE_CORS: &str = "x-gatewise-cors";

/// The path-item key of an upper-case method (`ANY` is SAM's `x-amazon-apigateway-any-method`).
pub fn method_key(method: &str) -> String {
    if method.eq_ignore_ascii_case("ANY") {
        X_ANY_METHOD.to_owned()
    } else {
        method.to_ascii_lowercase()
    }
}

/// An empty swagger 2.0 document, what SAM starts from when an API has no `DefinitionBody`.
pub fn empty_document(location: &SourceLocation) -> Node {
    let mut root = Map::default();
    root.set("swagger", location, Node::string("2.0", location.clone()));
    root.set("paths", location, Node::empty_map(location.clone()));
    Node::new(Value::Map(root), location.clone())
}

/// Whether the document routes `method` on `path` (trailing-slash twins count as one path;
/// an `x-amazon-apigateway-any-method` operation routes every method).
pub fn declares_operation(doc: &Node, path: &str, method: &str) -> bool {
    let wanted = normalise_path(path);
    let key = method_key(method);
    paths(doc).is_some_and(|paths| {
        paths.iter().any(|entry| {
            normalise_path(&entry.key) == wanted
                && entry
                    .value
                    .as_map()
                    .is_some_and(|item| item.contains_key(&key) || item.contains_key(X_ANY_METHOD))
        })
    })
}

/// Whether `value` is a mapping expression API Gateway accepts for a response parameter: a
/// quoted literal or a reference to the request, the integration response, the context or a
/// stage variable.
pub fn is_valid_mapping_expression(value: &str) -> bool {
    (value.len() >= 2 && value.starts_with('\'') && value.ends_with('\''))
        || [
            "method.request.",
            "integration.response.",
            "context.",
            "stageVariables.",
        ]
        .iter()
        .any(|p| value.starts_with(p))
}

/// Checks one `method.response.header.*` value (spec §1.8) and applies
/// [`INVALID_MAPPING_EXPRESSION`]: today a warning at the value, keeping the raw text.
pub fn check_mapping_expression(
    resolver: &mut Resolver<'_>,
    key: &str,
    value: &str,
    location: &SourceLocation,
) -> Result<(), LoadError> {
    if is_valid_mapping_expression(value) {
        return Ok(());
    }
    // SAM writes an integer MaxAge unquoted (fixture api_with_cors_and_only_maxage); what AWS
    // does with it is UNCONFIRMED — see `INTEGER_MAX_AGE`.
    if key.ends_with("Access-Control-Max-Age")
        && !value.is_empty()
        && value.bytes().all(|b| b.is_ascii_digit())
        && crate::INTEGER_MAX_AGE == crate::IntegerMaxAge::DecimalString
    {
        return Ok(());
    }
    let header = key.rsplit('.').next().unwrap_or(key);
    let message = format!(
        "{header} value `{value}` is not an API Gateway mapping expression: deploying fails with \"{}\"; write the literal in single quotes inside the string, e.g. \"'{value}'\"",
        crate::DEPLOY_ERROR_INVALID_MAPPING_EXPRESSION
    );
    match INVALID_MAPPING_EXPRESSION {
        InvalidMappingExpression::WarnAndUseRawText => {
            resolver.warn(
                location,
                format!("{message} (gatewise sends the raw text as the header value)"),
            );
            Ok(())
        }
        InvalidMappingExpression::Error => Err(LoadError::new(location.clone(), message)),
    }
}

/// Resources of one API being assembled, with the duplicate-route check.
pub struct Routes {
    api_logical_id: String,
    pub resources: Vec<Resource>,
    paths: HashMap<String, usize>,
    routes: HashMap<(String, String), SourceLocation>,
}

impl Routes {
    pub fn new(api_logical_id: &str, resources: Vec<Resource>) -> Self {
        let paths = resources
            .iter()
            .enumerate()
            .map(|(i, r)| (r.path.clone(), i))
            .collect();
        let routes = resources
            .iter()
            .flat_map(|r| {
                r.methods
                    .iter()
                    .map(|m| ((r.path.clone(), m.http_method.clone()), m.location.clone()))
            })
            .collect();
        Self {
            api_logical_id: api_logical_id.to_owned(),
            resources,
            paths,
            routes,
        }
    }

    /// Adds `method` on `path` (already normalised); the same path and method twice is an error.
    pub fn add(
        &mut self,
        path: String,
        method: Method,
        description: &str,
    ) -> Result<(), LoadError> {
        let key = (path.clone(), method.http_method.clone());
        if let Some(first) = self.routes.get(&key) {
            return Err(LoadError::new(
                method.location.clone(),
                format!(
                    "{description}: {} {path} is already declared on API '{}' at {first}; SAM rejects duplicate routes — remove one of them",
                    method.http_method, self.api_logical_id
                ),
            ));
        }
        self.routes.insert(key, method.location.clone());
        let index = self.resource(&path);
        self.resources[index].methods.push(method);
        Ok(())
    }

    /// The index of the resource at `path`, created (without methods) if new.
    pub fn resource(&mut self, path: &str) -> usize {
        if let Some(index) = self.paths.get(path) {
            return *index;
        }
        self.resources.push(Resource {
            resource_id: ids::resource_id(&self.api_logical_id, path),
            path: path.to_owned(),
            methods: Vec::new(),
        });
        self.paths.insert(path.to_owned(), self.resources.len() - 1);
        self.resources.len() - 1
    }
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

/// What a security requirement name stands for.
#[derive(Debug, Clone)]
enum Scheme {
    ApiKey,
    AwsIam,
    Authorizer(Authorizer),
}

/// What the conversion needs besides the document.
pub struct Conversion<'a> {
    /// `Api 'MyApi'`, for messages.
    pub what: String,
    pub api_logical_id: &'a str,
    pub functions: &'a Functions<'a>,
}

/// Adds the document's paths, security, request validation and models, gateway responses,
/// binary media types and API key source to `api`.
pub fn to_model(
    resolver: &mut Resolver<'_>,
    doc: &Node,
    conversion: &Conversion<'_>,
    api: &mut RestApi,
) -> Result<(), LoadError> {
    let Some(root) = doc.as_map() else {
        return Ok(());
    };
    let schemes = security_schemes(resolver, root, conversion)?;
    let root_security = root.get("security");
    let declared = request_validation::document(resolver, root, api, &conversion.what)?;
    let mut routes = Routes::new(
        conversion.api_logical_id,
        std::mem::take(&mut api.resources),
    );
    if let Some(paths) = paths(doc) {
        for path in paths.iter() {
            let Some(item) = path.value.as_map() else {
                continue;
            };
            let normalised = normalise_path(&path.key);
            for operation in item.iter() {
                let Some(http_method) = http_method(&operation.key) else {
                    continue;
                };
                let description = format!("{} {http_method} {}", conversion.what, path.key);
                let Some(op) = operation.value.as_map() else {
                    return Err(LoadError::new(
                        operation.key_location.clone(),
                        format!(
                            "{description}: an operation must be a map, found {}",
                            operation.value.kind()
                        ),
                    ));
                };
                let route = format!("{http_method} {}", path.key);
                let Some(integration) = integration(
                    resolver,
                    op,
                    &operation.key_location,
                    conversion,
                    &description,
                    &route,
                )?
                else {
                    continue;
                };
                let security = op.get("security").or(root_security);
                let (api_key, authorization) = security_of(resolver, security, &schemes)?;
                let validation = request_validation::operation(
                    resolver,
                    root,
                    &declared,
                    item,
                    op,
                    api,
                    &description,
                )?;
                let method = Method {
                    http_method,
                    integration,
                    location: operation.key_location.clone(),
                    api_key_required: api_key.is_some(),
                    authorization: authorization
                        .as_ref()
                        .map(|(a, _)| a.clone())
                        .unwrap_or_default(),
                    provenance: MethodProvenance {
                        generated_from_cors: op.get(X_GATEWISE_CORS).map(|n| n.location.clone()),
                        api_key_required_at: api_key,
                        authorization_at: authorization.map(|(_, at)| at),
                    },
                    validation,
                };
                routes.add(normalised.clone(), method, &description)?;
            }
        }
    }
    api.resources = routes.resources;

    if let Some(types) = resolver.property(root, X_BINARY_MEDIA_TYPES)? {
        for t in crate::properties::string_list(
            &types,
            &format!("{}: {X_BINARY_MEDIA_TYPES}", conversion.what),
        )? {
            let t = t.replace("~1", "/");
            if !api.binary_media_types.contains(&t) {
                api.binary_media_types.push(t);
            }
        }
    }
    if let Some(source) = resolver.property(root, X_API_KEY_SOURCE)? {
        api.api_key_source = api_key_source(&source, &conversion.what)?;
    }
    if let Some(responses) = resolver.property(root, X_GATEWAY_RESPONSES)? {
        api.gateway_responses
            .extend(gateway_responses(&responses, &conversion.what)?);
    }
    Ok(())
}

/// `HEADER` / `AUTHORIZER` (`ApiKeySourceType`, `x-amazon-apigateway-api-key-source`).
pub fn api_key_source(node: &Node, what: &str) -> Result<ApiKeySource, LoadError> {
    match text(node, &format!("{what}: API key source"))?
        .to_ascii_uppercase()
        .as_str()
    {
        "HEADER" => Ok(ApiKeySource::Header),
        "AUTHORIZER" => Ok(ApiKeySource::Authorizer),
        other => Err(LoadError::new(
            node.location.clone(),
            format!("{what}: API key source '{other}' is not HEADER or AUTHORIZER"),
        )),
    }
}

/// `x-amazon-apigateway-gateway-responses` (resolved) → configs.
pub fn gateway_responses(node: &Node, what: &str) -> Result<Vec<GatewayResponseConfig>, LoadError> {
    let map = node.as_map().ok_or_else(|| {
        LoadError::new(
            node.location.clone(),
            format!(
                "{what}: {X_GATEWAY_RESPONSES} must be a map, found {}",
                node.kind()
            ),
        )
    })?;
    let mut out = Vec::new();
    for entry in map.iter() {
        let what = format!("{what}: gateway response {}", entry.key);
        let Some(response) = entry.value.as_map() else {
            return Err(LoadError::new(
                entry.value.location.clone(),
                format!("{what} must be a map, found {}", entry.value.kind()),
            ));
        };
        let status_code = match response.get("statusCode") {
            Some(code) => Some(status_code(code, &what)?),
            None => None,
        };
        out.push(GatewayResponseConfig {
            response_type: entry.key.clone(),
            status_code,
            response_parameters: optional_string_map(response.get("responseParameters"), &what)?,
            response_templates: optional_string_map(response.get("responseTemplates"), &what)?,
            location: entry.key_location.clone(),
        });
    }
    Ok(out)
}

/// A status code `^[0-9]{1,3}$` as a number.
pub fn status_code(node: &Node, what: &str) -> Result<u16, LoadError> {
    let code = text(node, &format!("{what}: statusCode"))?;
    if (1..=3).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit()) {
        code.parse().map_err(|_| unreachable_status(node))
    } else {
        Err(LoadError::new(
            node.location.clone(),
            format!(
                "{what}: Property 'StatusCode' must be numeric (1 to 3 digits), found '{code}'"
            ),
        ))
    }
}

fn unreachable_status(node: &Node) -> LoadError {
    LoadError::new(node.location.clone(), "invalid status code".to_owned())
}

fn optional_string_map(
    node: Option<&Node>,
    what: &str,
) -> Result<IndexMap<String, String>, LoadError> {
    match node {
        None => Ok(IndexMap::new()),
        Some(n) if matches!(n.value, Value::Null) => Ok(IndexMap::new()),
        Some(n) => string_map(n, what),
    }
}

/// The integration of an operation; `None` (with a warning) when it has none. `route`
/// (`GET /items`) names the method in template errors.
fn integration(
    resolver: &mut Resolver<'_>,
    op: &Map,
    at: &SourceLocation,
    conversion: &Conversion<'_>,
    description: &str,
    route: &str,
) -> Result<Option<Integration>, LoadError> {
    let Some(node) = op.get(X_INTEGRATION) else {
        resolver.warn(
            at,
            format!("{description} has no {X_INTEGRATION}; API Gateway cannot import it, so gatewise skips this method"),
        );
        return Ok(None);
    };
    let node = match resolver.resolve_shallow(node)? {
        Some(n) => n,
        None => return Ok(None),
    };
    let (map, kind) = integration_type(
        resolver,
        &node,
        description,
        "aws_proxy, mock, aws, http, http_proxy",
    )?;
    let integration = match kind.as_str() {
        "aws_proxy" | "aws" => {
            let function = match map.get(X_GATEWISE_FUNCTION).and_then(Node::as_str) {
                Some(id) => conversion.functions.by_logical_id(id),
                None => None,
            };
            let timeout = match resolver.property(map, "timeoutInMillis")? {
                Some(ms) => Duration::from_millis(u64::from(crate::properties::whole_number(
                    &ms,
                    &format!("{description}: timeoutInMillis"),
                    50..=29_000,
                )?)),
                None => Integration::REST_DEFAULT_TIMEOUT,
            };
            let function = match function {
                Some(f) => f,
                None => {
                    let uri_node = resolver.property(map, "uri")?.ok_or_else(|| {
                        LoadError::new(
                            node.location.clone(),
                            format!("{description}: an {kind} integration needs a uri"),
                        )
                    })?;
                    let uri = text(&uri_node, &format!("{description}: uri"))?;
                    match function_for_uri(&uri, conversion.functions) {
                        UriTarget::Function(f) => f,
                        UriTarget::Unknown(name) => {
                            return Err(LoadError::new(
                                uri_node.location.clone(),
                                format!(
                                    "{description}: the integration invokes Lambda function '{name}', which this template does not declare; add the function or fix the uri"
                                ),
                            ));
                        }
                        UriTarget::NotLambda => {
                            resolver.warn(
                                &uri_node.location,
                                format!("{description}: {kind} uri '{uri}' is not a Lambda function in this template (AWS service integrations are not run by gatewise yet); gatewise answers this method with 500 (not served)"),
                            );
                            return Ok(Some(Integration::NotServed {
                                integration_type: kind.to_ascii_uppercase(),
                            }));
                        }
                    }
                }
            };
            if kind == "aws" {
                Integration::Lambda {
                    function,
                    timeout,
                    mapping: mapping(resolver, map, description, route)?,
                }
            } else {
                Integration::LambdaProxy { function, timeout }
            }
        }
        "mock" => Integration::Mock(mapping(resolver, map, description, route)?),
        "http" | "http_proxy" => {
            let proxy = kind == "http_proxy";
            let mapping = if proxy {
                IntegrationMapping::default()
            } else {
                mapping(resolver, map, description, route)?
            };
            Integration::Http(http_backend::rest_backend(
                resolver,
                map,
                &node.location,
                proxy,
                &http_backend::OPENAPI_KEYS,
                mapping,
                description,
            )?)
        }
        other => {
            resolver.warn(
                at,
                format!("{description}: {} integrations are not run by gatewise yet; requests to this method get 500 (API_CONFIGURATION_ERROR)", other.to_ascii_uppercase()),
            );
            Integration::NotServed {
                integration_type: other.to_ascii_uppercase(),
            }
        }
    };
    Ok(Some(integration))
}

/// The templates and responses of a non-proxy (`mock`, `aws`) integration: request templates,
/// passthrough behavior, responses keyed by selection pattern (`default` = none).
fn mapping(
    resolver: &mut Resolver<'_>,
    map: &Map,
    description: &str,
    route: &str,
) -> Result<IntegrationMapping, LoadError> {
    let request_templates_node = resolver.property(map, "requestTemplates")?;
    let request_templates = mapping_templates(
        resolver,
        request_templates_node.as_ref(),
        TemplateEnd::Request,
        route,
        &format!("{description}: requestTemplates"),
    )?;
    let passthrough_behavior = match resolver.property(map, "passthroughBehavior")? {
        Some(n) => passthrough(&n, description)?,
        None => PassthroughBehavior::default(),
    };
    let mut responses = Vec::new();
    if let Some(node) = resolver.property(map, "responses")? {
        let Some(list) = node.as_map() else {
            return Err(LoadError::new(
                node.location.clone(),
                format!(
                    "{description}: integration responses must be a map, found {}",
                    node.kind()
                ),
            ));
        };
        for entry in list.iter() {
            let what = format!("{description}: integration response '{}'", entry.key);
            let Some(response) = entry.value.as_map() else {
                return Err(LoadError::new(
                    entry.value.location.clone(),
                    format!("{what} must be a map, found {}", entry.value.kind()),
                ));
            };
            let status_code = match response.get("statusCode") {
                Some(s) => text(s, &format!("{what}: statusCode"))?,
                None => {
                    return Err(LoadError::new(
                        entry.key_location.clone(),
                        format!("{what} needs a statusCode"),
                    ));
                }
            };
            let response_parameters =
                parameters(resolver, response.get("responseParameters"), &what)?;
            responses.push(IntegrationResponse {
                selection_pattern: (entry.key != "default").then(|| entry.key.clone()),
                status_code,
                response_parameters,
                response_templates: mapping_templates(
                    resolver,
                    response.get("responseTemplates"),
                    TemplateEnd::Response,
                    route,
                    &format!("{what}: responseTemplates"),
                )?,
                location: entry.key_location.clone(),
            });
        }
    }
    Ok(IntegrationMapping {
        request_templates,
        passthrough_behavior,
        responses,
    })
}

/// Which end of a non-proxy integration a mapping template shapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateEnd {
    Request,
    Response,
}

/// `requestTemplates` / `responseTemplates` (resolved): content type → template. Each is
/// parsed as the Velocity API Gateway runs (rules M.1, M.2, M.11). A template over 300 KB does
/// not deploy, so it stops loading; one that deploys but cannot run — a `#foreach` without
/// `#end`, an `#include` — is a warning at the file position of the problem (with the position
/// inside the template), and the gateway answers the requests that render it as AWS does.
/// `route` (`GET /items`) names the method; `what` prefixes other errors.
pub fn mapping_templates(
    resolver: &mut Resolver<'_>,
    node: Option<&Node>,
    end: TemplateEnd,
    route: &str,
    what: &str,
) -> Result<IndexMap<String, MappingTemplate>, LoadError> {
    let Some(node) = node.filter(|n| !matches!(n.value, Value::Null)) else {
        return Ok(IndexMap::new());
    };
    let Some(map) = node.as_map() else {
        return Err(LoadError::new(
            node.location.clone(),
            format!("{what} must be a map, found {}", node.kind()),
        ));
    };
    let end = match end {
        TemplateEnd::Request => "request",
        TemplateEnd::Response => "response",
    };
    let mut templates = IndexMap::new();
    for entry in map.iter() {
        let template = MappingTemplate {
            text: match entry.value.value {
                Value::Null => String::new(),
                _ => text(&entry.value, &format!("{what}.{}", entry.key))?,
            },
            location: entry.value.location.clone(),
            text_at: entry.value.verbatim_at.clone(),
        };
        if template.text.len() > gatewise_vtl::MAX_TEMPLATE_BYTES {
            return Err(LoadError::new(
                template.location.clone(),
                format!(
                    "the {} {end} template of {route} is {} bytes; API Gateway refuses mapping templates over {} bytes at deploy",
                    entry.key,
                    template.text.len(),
                    gatewise_vtl::MAX_TEMPLATE_BYTES
                ),
            ));
        }
        if let Err(error) = gatewise_vtl::Template::parse(&template.text) {
            resolver.warn(
                &template.file_location(error.line, error.column),
                format!(
                    "the {} {end} template of {route}: line {}, column {} of the template: {}; API Gateway deploys it and answers every request that renders it with 500 Internal server error, and so does gatewise",
                    entry.key, error.line, error.column, error.message
                ),
            );
        }
        templates.insert(entry.key.clone(), template);
    }
    Ok(templates)
}

/// `passthroughBehavior` / `PassthroughBehavior`, any case.
pub fn passthrough(node: &Node, description: &str) -> Result<PassthroughBehavior, LoadError> {
    match text(node, &format!("{description}: passthroughBehavior"))?
        .to_ascii_lowercase()
        .as_str()
    {
        "when_no_match" => Ok(PassthroughBehavior::WhenNoMatch),
        "when_no_templates" => Ok(PassthroughBehavior::WhenNoTemplates),
        "never" => Ok(PassthroughBehavior::Never),
        other => Err(LoadError::new(
            node.location.clone(),
            format!(
                "{description}: passthroughBehavior '{other}' is not when_no_match, when_no_templates or never"
            ),
        )),
    }
}

/// Response parameters, each value checked as a mapping expression at its own location.
pub fn parameters(
    resolver: &mut Resolver<'_>,
    node: Option<&Node>,
    what: &str,
) -> Result<IndexMap<String, String>, LoadError> {
    let Some(node) = node else {
        return Ok(IndexMap::new());
    };
    let Some(map) = node.as_map() else {
        if matches!(node.value, Value::Null) {
            return Ok(IndexMap::new());
        }
        return Err(LoadError::new(
            node.location.clone(),
            format!(
                "{what}: responseParameters must be a map, found {}",
                node.kind()
            ),
        ));
    };
    let mut out = IndexMap::new();
    for entry in map.iter() {
        let Some(value) = resolver.resolve(&entry.value)? else {
            continue;
        };
        let value_text = text(&value, &format!("{what}: {}", entry.key))?;
        check_mapping_expression(resolver, &entry.key, &value_text, &entry.value.location)?;
        out.insert(entry.key.clone(), value_text);
    }
    Ok(out)
}

/// Security schemes of the document (`securityDefinitions` in swagger 2,
/// `components.securitySchemes` in OpenAPI 3).
fn security_schemes(
    resolver: &mut Resolver<'_>,
    root: &Map,
    conversion: &Conversion<'_>,
) -> Result<IndexMap<String, Scheme>, LoadError> {
    let mut out = IndexMap::new();
    let definitions = root
        .get("securityDefinitions")
        .and_then(Node::as_map)
        .into_iter()
        .chain(
            root.get("components")
                .and_then(Node::as_map)
                .and_then(|c| c.get("securitySchemes"))
                .and_then(Node::as_map),
        );
    for map in definitions {
        for entry in map.iter() {
            let Some(scheme) = entry.value.as_map() else {
                continue;
            };
            let what = format!("{}: security scheme '{}'", conversion.what, entry.key);
            if let Some(authorizer) = scheme.get(X_AUTHORIZER) {
                let authorizer = authorizer_of(
                    resolver,
                    &entry.key,
                    scheme,
                    authorizer,
                    &entry.key_location,
                    conversion,
                    &what,
                )?;
                out.insert(entry.key.clone(), Scheme::Authorizer(authorizer));
            } else if scheme
                .get(X_AUTHTYPE)
                .and_then(Node::as_str)
                .is_some_and(|t| t.eq_ignore_ascii_case("awsSigv4"))
            {
                out.insert(entry.key.clone(), Scheme::AwsIam);
            } else if scheme.get("type").and_then(Node::as_str) == Some("apiKey")
                && scheme
                    .get("name")
                    .and_then(Node::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case("x-api-key"))
            {
                out.insert(entry.key.clone(), Scheme::ApiKey);
            }
        }
    }
    Ok(out)
}

fn authorizer_of(
    resolver: &mut Resolver<'_>,
    name: &str,
    scheme: &Map,
    node: &Node,
    location: &SourceLocation,
    conversion: &Conversion<'_>,
    what: &str,
) -> Result<Authorizer, LoadError> {
    let map = node.as_map().ok_or_else(|| {
        LoadError::new(
            node.location.clone(),
            format!(
                "{what}: {X_AUTHORIZER} must be a map, found {}",
                node.kind()
            ),
        )
    })?;
    let kind_text = match resolver.property(map, "type")? {
        Some(t) => text(&t, &format!("{what}: type"))?.to_ascii_lowercase(),
        None => "token".to_owned(),
    };
    let kind = match kind_text.as_str() {
        "token" => AuthorizerKind::Token,
        "request" => AuthorizerKind::Request,
        "cognito_user_pools" => AuthorizerKind::CognitoUserPools,
        other => {
            return Err(LoadError::new(
                node.location.clone(),
                format!(
                    "{what}: authorizer type '{other}' is not token, request or cognito_user_pools"
                ),
            ));
        }
    };
    let identity_sources = match resolver.property(map, "identitySource")? {
        Some(source) => text(&source, &format!("{what}: identitySource"))?
            .split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect(),
        None if kind == AuthorizerKind::Request => Vec::new(),
        None => {
            let header = scheme
                .get("name")
                .and_then(Node::scalar_text)
                .unwrap_or_else(|| "Authorization".to_owned());
            vec![format!("method.request.header.{header}")]
        }
    };
    let function = match map.get(X_GATEWISE_FUNCTION).and_then(Node::as_str) {
        Some(id) => conversion.functions.by_logical_id(id),
        None => match resolver.property(map, "authorizerUri")? {
            Some(uri) => match function_for_uri(
                &text(&uri, &format!("{what}: authorizerUri"))?,
                conversion.functions,
            ) {
                UriTarget::Function(f) => Some(f),
                _ => {
                    resolver.warn(
                        &uri.location,
                        format!("{what}: the authorizer function is not in this template; requests to methods it protects get 500 (authorizer configuration error)"),
                    );
                    None
                }
            },
            None => None,
        },
    };
    Ok(Authorizer {
        name: name.to_owned(),
        kind,
        identity_sources,
        function,
        location: location.clone(),
    })
}

/// Reads an operation's `security` list: where an API key requirement and an authorization
/// come from (each entry's own location).
#[allow(clippy::type_complexity)]
fn security_of(
    resolver: &mut Resolver<'_>,
    security: Option<&Node>,
    schemes: &IndexMap<String, Scheme>,
) -> Result<
    (
        Option<SourceLocation>,
        Option<(Authorization, SourceLocation)>,
    ),
    LoadError,
> {
    let mut api_key = None;
    let mut authorization = None;
    let Some(security) = security else {
        return Ok((None, None));
    };
    let Some(security) = resolver.resolve_shallow(security)? else {
        return Ok((None, None));
    };
    for item in security.as_list().unwrap_or_default() {
        let Some(map) = item.as_map() else {
            continue;
        };
        for requirement in map.iter() {
            match schemes.get(&requirement.key) {
                Some(Scheme::ApiKey) => api_key = Some(item.location.clone()),
                Some(Scheme::AwsIam) => {
                    authorization.get_or_insert((Authorization::AwsIam, item.location.clone()));
                }
                Some(Scheme::Authorizer(a)) => {
                    authorization.get_or_insert((
                        Authorization::Authorizer(a.clone()),
                        item.location.clone(),
                    ));
                }
                None if requirement.key == "AWS_IAM" => {
                    authorization.get_or_insert((Authorization::AwsIam, item.location.clone()));
                }
                None if requirement.key == "api_key" => api_key = Some(item.location.clone()),
                // `NONE` / `api_key_false` are SAM's markers; other names are not enforced.
                None => {}
            }
        }
    }
    Ok((api_key, authorization))
}
