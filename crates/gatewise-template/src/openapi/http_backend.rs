//! HTTP backends of both API types: REST `HTTP_PROXY` / `HTTP` integrations and HTTP API
//! `HTTP_PROXY` integrations, read the same way whether they come from an OpenAPI body
//! (`x-amazon-apigateway-integration`), raw CloudFormation (`AWS::ApiGateway::Method`
//! `Integration`, `AWS::ApiGatewayV2::Integration`) or Terraform (translated into the latter).
//! Only the property names differ ([`RestKeys`]); what API Gateway refuses at deploy is refused
//! here, at the key's `file:line:col` (rules H.2, H.10, H.13).

use std::time::Duration;

use gatewise_model::{
    HttpApiBackend, HttpBackend, HttpIntegration, IntegrationMapping, SourceLocation,
};
use indexmap::IndexMap;

use crate::LoadError;
use crate::document::intrinsics::Resolver;
use crate::document::value::{Map, Node, Value};
use crate::properties::{text, whole_number};

/// The property names of a REST HTTP integration in one input language.
pub struct RestKeys {
    pub http_method: &'static str,
    pub uri: &'static str,
    pub request_parameters: &'static str,
    pub timeout: &'static str,
}

/// `x-amazon-apigateway-integration` keys.
pub const OPENAPI_KEYS: RestKeys = RestKeys {
    http_method: "httpMethod",
    uri: "uri",
    request_parameters: "requestParameters",
    timeout: "timeoutInMillis",
};

/// `AWS::ApiGateway::Method` `Integration` keys.
pub const CFN_KEYS: RestKeys = RestKeys {
    http_method: "IntegrationHttpMethod",
    uri: "Uri",
    request_parameters: "RequestParameters",
    timeout: "TimeoutInMillis",
};

/// The property names of an HTTP API `HTTP_PROXY` integration in one input language.
pub struct HttpApiKeys {
    pub uri: &'static str,
    pub http_method: &'static str,
    pub request_parameters: &'static str,
    pub connection_type: &'static str,
}

/// `x-amazon-apigateway-integration` keys of an HTTP API.
pub const OPENAPI_HTTP_API_KEYS: HttpApiKeys = HttpApiKeys {
    uri: "uri",
    http_method: "httpMethod",
    request_parameters: "requestParameters",
    connection_type: "connectionType",
};

/// `AWS::ApiGatewayV2::Integration` keys.
pub const CFN_HTTP_API_KEYS: HttpApiKeys = HttpApiKeys {
    uri: "IntegrationUri",
    http_method: "IntegrationMethod",
    request_parameters: "RequestParameters",
    connection_type: "ConnectionType",
};

/// The method of an HTTP API `HTTP_PROXY` integration that names none: `ANY`, the client's
/// method (what CDK's `HttpUrlIntegration` and the console default to). UNCONFIRMED for a
/// template that omits it (rule H.13); test `rule_h_13_http_api_backends_from_each_reader`.
pub const HTTP_API_DEFAULT_INTEGRATION_METHOD: &str = "ANY";

/// REST integration timeout bounds, in milliseconds (spec 5.4, H.10).
pub const REST_TIMEOUT_RANGE_MS: std::ops::RangeInclusive<u32> = 50..=29_000;

/// Request headers a REST mapping may not set: API Gateway deploys the mapping and answers
/// every request with 500 (H.3, recorded), so loading warns at the mapping.
pub const REST_UNMAPPABLE_HEADERS: [&str; 2] = ["Content-Length", "Transfer-Encoding"];

/// Headers an HTTP API parameter mapping may not touch; CloudFormation refuses the
/// integration (H.13, documented). `*` ends a prefix.
pub const HTTP_API_RESERVED_HEADERS: [&str; 22] = [
    "access-control-*",
    "apigw-*",
    "authorization",
    "connection",
    "content-encoding",
    "content-length",
    "content-location",
    "forwarded",
    "keep-alive",
    "origin",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "x-amz-*",
    "x-amzn-*",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-proto",
    "via",
];

/// A REST `HTTP_PROXY` (`proxy`) or `HTTP` integration from its `map`; `mapping` is the
/// caller's reading of its templates and integration responses (empty for `HTTP_PROXY`).
pub fn rest_backend(
    resolver: &mut Resolver<'_>,
    map: &Map,
    at: &SourceLocation,
    proxy: bool,
    keys: &RestKeys,
    mapping: IntegrationMapping,
    what: &str,
) -> Result<HttpBackend, LoadError> {
    let kind = if proxy { "HTTP_PROXY" } else { "HTTP" };
    let uri_node = resolver.property(map, keys.uri)?.ok_or_else(|| {
        LoadError::new(
            at.clone(),
            format!(
                "{what}: an {kind} integration needs {} (the backend URL, e.g. http://localhost:8080/{{proxy}})",
                keys.uri
            ),
        )
    })?;
    let uri = backend_uri(resolver, &uri_node, &format!("{what}: {}", keys.uri))?;
    let http_method = match resolver.property(map, keys.http_method)? {
        Some(node) => text(&node, &format!("{what}: {}", keys.http_method))?.to_ascii_uppercase(),
        None => {
            return Err(LoadError::new(
                at.clone(),
                format!(
                    "{what}: an {kind} integration needs {} (the method sent to the backend, or ANY for the client's)",
                    keys.http_method
                ),
            ));
        }
    };
    let timeout = match resolver.property(map, keys.timeout)? {
        Some(ms) => Duration::from_millis(u64::from(whole_number(
            &ms,
            &format!("{what}: {}", keys.timeout),
            REST_TIMEOUT_RANGE_MS,
        )?)),
        None => gatewise_model::Integration::REST_DEFAULT_TIMEOUT,
    };
    let mut request_parameters = IndexMap::new();
    if let Some(node) = resolver.property(map, keys.request_parameters)? {
        for entry in entries(&node, &format!("{what}: {}", keys.request_parameters))? {
            let Some(value) = resolver.resolve(&entry.value)? else {
                continue;
            };
            let value = text(&value, &format!("{what}: {}", entry.key))?;
            let target = entry.key.strip_prefix("integration.request.");
            let valid = target.is_some_and(|t| {
                ["path.", "querystring.", "header."]
                    .iter()
                    .any(|p| t.strip_prefix(p).is_some_and(|name| !name.is_empty()))
            });
            if !valid {
                return Err(LoadError::new(
                    entry.key_location.clone(),
                    format!(
                        "{what}: request parameter '{}' is not integration.request.path|querystring|header.<name>; API Gateway refuses it at deploy",
                        entry.key
                    ),
                ));
            }
            if let Some(header) = entry.key.strip_prefix("integration.request.header.")
                && REST_UNMAPPABLE_HEADERS
                    .iter()
                    .any(|h| h.eq_ignore_ascii_case(header))
            {
                resolver.warn(
                    &entry.key_location,
                    format!("{what}: mapping the {header} header deploys, but API Gateway answers every request with 500 Internal server error, and so does gatewise; remove the mapping"),
                );
            }
            request_parameters.insert(entry.key.clone(), value);
        }
    }
    Ok(HttpBackend {
        proxy,
        http_method,
        uri,
        request_parameters,
        timeout,
        mapping,
        location: uri_node.location.clone(),
    })
}

/// An HTTP API `HTTP_PROXY` integration from its `map`: its URI, method, `RequestParameters`
/// (checked against [`HTTP_API_RESERVED_HEADERS`]) and connection type, named by `keys`, and
/// the timeout already read by the caller.
pub fn http_api_backend(
    resolver: &mut Resolver<'_>,
    map: &Map,
    keys: &HttpApiKeys,
    timeout: Duration,
    at: &SourceLocation,
    what: &str,
) -> Result<HttpIntegration, LoadError> {
    let uri_node = resolver.property(map, keys.uri)?;
    let method_node = resolver.property(map, keys.http_method)?;
    let parameters = resolver.property(map, keys.request_parameters)?;
    let connection_type = resolver.property(map, keys.connection_type)?;
    let uri_node = uri_node.ok_or_else(|| {
        LoadError::new(
            at.clone(),
            format!("{what}: an HTTP_PROXY integration needs IntegrationUri (the backend URL, e.g. http://localhost:8080/{{proxy}})"),
        )
    })?;
    // A private integration names a load balancer listener or Cloud Map service (an ARN), not
    // a URL gatewise could call.
    let private = connection_type
        .as_ref()
        .and_then(Node::scalar_text)
        .is_some_and(|t| t.eq_ignore_ascii_case("VPC_LINK"));
    if private
        && !uri_node
            .scalar_text()
            .is_some_and(|u| u.to_ascii_lowercase().starts_with("http"))
    {
        resolver.warn(
            &uri_node.location,
            format!("{what}: a VPC_LINK (private) integration to a load balancer or Cloud Map service is not run by gatewise; requests to its routes get 500 (write an http:// URL to call a local backend instead)"),
        );
        return Ok(HttpIntegration::NotServed {
            integration_type: "HTTP_PROXY (VPC link)".to_owned(),
        });
    }
    let uri = backend_uri(resolver, &uri_node, &format!("{what}: IntegrationUri"))?;
    let http_method = match method_node {
        Some(node) => text(&node, &format!("{what}: IntegrationMethod"))?.to_ascii_uppercase(),
        None => HTTP_API_DEFAULT_INTEGRATION_METHOD.to_owned(),
    };
    let mut request_parameters = IndexMap::new();
    if let Some(node) = parameters {
        for entry in entries(&node, &format!("{what}: RequestParameters"))? {
            let Some(value) = resolver.resolve(&entry.value)? else {
                continue;
            };
            let value = text(&value, &format!("{what}: {}", entry.key))?;
            check_http_api_parameter(&entry.key, &entry.key_location, what)?;
            request_parameters.insert(entry.key.clone(), value);
        }
    }
    Ok(HttpIntegration::HttpProxy(HttpApiBackend {
        http_method,
        uri,
        request_parameters,
        timeout,
        location: uri_node.location.clone(),
    }))
}

/// `append|overwrite|remove:header.<n>`, `…:querystring.<n>` or `overwrite:path`, with a
/// header name no mapping may touch refused (H.13).
fn check_http_api_parameter(key: &str, at: &SourceLocation, what: &str) -> Result<(), LoadError> {
    let refuse = |why: String| Err(LoadError::new(at.clone(), format!("{what}: {why}")));
    let Some((operation, target)) = key.split_once(':') else {
        return refuse(format!(
            "request parameter '{key}' is not `append|overwrite|remove:header.<name>`, `…:querystring.<name>` or `overwrite:path`"
        ));
    };
    let operation = operation.to_ascii_lowercase();
    if !matches!(operation.as_str(), "append" | "overwrite" | "remove") {
        return refuse(format!(
            "request parameter '{key}': the operation must be append, overwrite or remove"
        ));
    }
    if target == "path" {
        return if operation == "overwrite" {
            Ok(())
        } else {
            refuse(format!(
                "request parameter '{key}': the path can only be overwritten (overwrite:path)"
            ))
        };
    }
    if let Some(name) = target.strip_prefix("header.") {
        let lower = name.to_ascii_lowercase();
        let reserved = HTTP_API_RESERVED_HEADERS
            .iter()
            .any(|r| match r.strip_suffix('*') {
                Some(prefix) => lower.starts_with(prefix),
                None => lower == *r,
            });
        if reserved || name.is_empty() {
            return refuse(format!(
                "request parameter '{key}': API Gateway does not let mappings change the header '{name}' (reserved: {}), so CloudFormation refuses the integration; remove it",
                HTTP_API_RESERVED_HEADERS.join(", ")
            ));
        }
        return Ok(());
    }
    if target
        .strip_prefix("querystring.")
        .is_some_and(|n| !n.is_empty())
    {
        return Ok(());
    }
    refuse(format!(
        "request parameter '{key}' does not name header.<name>, querystring.<name> or path"
    ))
}

/// The backend URL: `http://` or `https://` (or a stage variable holding it), with a port API
/// Gateway accepts (80, 443, 1024–65535, H.2) — another port is a warning, since the
/// backend is local.
fn backend_uri(resolver: &mut Resolver<'_>, node: &Node, what: &str) -> Result<String, LoadError> {
    let uri = text(node, what)?;
    let lower = uri.to_ascii_lowercase();
    let scheme_len = if lower.starts_with("http://") {
        "http://".len()
    } else if lower.starts_with("https://") {
        "https://".len()
    } else if uri.starts_with("${stageVariables.") {
        return Ok(uri);
    } else {
        return Err(LoadError::new(
            node.location.clone(),
            format!(
                "{what}: '{uri}' is not an http:// or https:// URL; API Gateway refuses it (write the backend's URL, e.g. http://localhost:8080/{{proxy}})"
            ),
        ));
    };
    let authority = uri[scheme_len..]
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    if let Some((_, port)) = authority.rsplit_once(':')
        && !port.ends_with(']')
        && let Ok(port) = port.parse::<u32>()
        && !(port == 80 || port == 443 || (1024..=65_535).contains(&port))
    {
        resolver.warn(
            &node.location,
            format!("{what}: port {port} — API Gateway accepts only ports 80, 443 and 1024–65535 for HTTP integrations, so this does not deploy (gatewise calls it anyway)"),
        );
    }
    Ok(uri)
}

/// The entries of a map-valued property (`null` is empty).
fn entries<'n>(
    node: &'n Node,
    what: &str,
) -> Result<Vec<&'n crate::document::value::Entry>, LoadError> {
    if matches!(node.value, Value::Null) {
        return Ok(Vec::new());
    }
    let map = node.as_map().ok_or_else(|| {
        LoadError::new(
            node.location.clone(),
            format!("{what} must be a map, found {}", node.kind()),
        )
    })?;
    Ok(map.iter().collect())
}

#[cfg(test)]
#[path = "http_backend_tests.rs"]
mod tests;
