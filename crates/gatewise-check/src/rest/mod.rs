//! Rules for REST APIs (API Gateway v1), where CORS is whatever the template spells out: the
//! OPTIONS MOCK (SAM generates one per path from `Cors`), the function's own headers (proxy
//! integrations, spec 1.11), the integration responses of non-proxy integrations (spec 4.5)
//! and gateway responses (spec 3). One module per rule family.

mod gateway_responses;
mod handlers;
mod integration_responses;
mod preflight_auth;
pub mod values;

use gatewise_model::{
    Authorization, Integration, IntegrationResponse, Method, Resource, RestApi, SourceLocation,
    Stack,
};

use crate::{Finding, Sources};

/// Runs the REST rules over every REST API of `stack`.
pub fn check(stack: &Stack, sources: &Sources, findings: &mut Vec<Finding>) {
    values::unquoted(stack, sources, findings);
    for api in &stack.rest_apis {
        values::check(api, sources, findings);
        preflight_auth::check(api, findings);
        handlers::check(api, stack, sources, findings);
        gateway_responses::check(api, sources, findings);
        integration_responses::check(api, sources, findings);
    }
}

/// Whether the API means to be called from browsers: SAM `Cors`, or any OPTIONS method.
pub fn has_cors(api: &RestApi) -> bool {
    api.cors_location.is_some() || options_methods(api).next().is_some()
}

/// Every OPTIONS method of the API with its resource.
pub fn options_methods(api: &RestApi) -> impl Iterator<Item = (&Resource, &Method)> {
    api.resources.iter().flat_map(|r| {
        r.methods
            .iter()
            .filter(|m| m.http_method == "OPTIONS")
            .map(move |m| (r, m))
    })
}

/// An OPTIONS MOCK and the integration response a preflight gets from it.
pub struct PreflightMock<'a> {
    pub resource: &'a Resource,
    pub method: &'a Method,
    pub response: &'a IntegrationResponse,
}

/// The OPTIONS methods answered by a MOCK, each with the response a preflight selects.
pub fn preflight_mocks(api: &RestApi) -> impl Iterator<Item = PreflightMock<'_>> {
    options_methods(api).filter_map(|(resource, method)| match &method.integration {
        Integration::Mock(mapping) => {
            selected_response(&mapping.responses).map(|response| PreflightMock {
                resource,
                method,
                response,
            })
        }
        _ => None,
    })
}

/// The integration response a request without a matching selection pattern gets: the one
/// without a pattern (`default`), else the first (spec 4.5; a MOCK's request template yields
/// a fixed status, which is what SAM and CDK map from their single response).
pub fn selected_response(responses: &[IntegrationResponse]) -> Option<&IntegrationResponse> {
    responses
        .iter()
        .find(|r| r.selection_pattern.is_none())
        .or_else(|| responses.first())
}

/// A header value an integration or gateway response maps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Literal {
    /// The text sent, single quotes removed (the raw text for an invalid expression, as
    /// gatewise serves it).
    pub text: String,
    /// Whether it is a static `'…'` literal (not a `method.request…` reference).
    pub is_static: bool,
}

/// The value mapped to response header `name` (case-insensitive) under `prefix`
/// (`method.response.header.` or `gatewayresponse.header.`).
pub fn mapped_header<'p>(
    parameters: impl IntoIterator<Item = (&'p String, &'p String)>,
    prefix: &str,
    name: &str,
) -> Option<Literal> {
    parameters.into_iter().find_map(|(key, value)| {
        let header = key.strip_prefix(prefix)?;
        header.eq_ignore_ascii_case(name).then(|| literal(value))
    })
}

/// Mapping expressions that read the request or context rather than state a value; an
/// unquoted value that is none of these is sent as raw text (spec 1.8).
const REFERENCE_PREFIXES: [&str; 4] = [
    "method.request.",
    "integration.response.",
    "context.",
    "stageVariables.",
];

fn literal(value: &str) -> Literal {
    match value
        .strip_prefix('\'')
        .and_then(|v| v.strip_suffix('\''))
        .filter(|_| value.len() >= 2)
    {
        Some(inner) => Literal {
            text: inner.to_owned(),
            is_static: true,
        },
        None => Literal {
            text: value.to_owned(),
            is_static: !REFERENCE_PREFIXES.iter().any(|p| value.starts_with(p)),
        },
    }
}

pub const RESPONSE_HEADER: &str = "method.response.header.";
pub const GATEWAY_RESPONSE_HEADER: &str = "gatewayresponse.header.";

/// The SAM `Cors` key that produces response header `name`.
fn sam_cors_key(name: &str) -> &'static str {
    match name {
        "Access-Control-Allow-Methods" => "AllowMethods",
        "Access-Control-Allow-Headers" => "AllowHeaders",
        "Access-Control-Max-Age" => "MaxAge",
        "Access-Control-Allow-Credentials" => "AllowCredentials",
        _ => "AllowOrigin",
    }
}

/// Where the value of response header `name` of an OPTIONS `method` is written: the SAM
/// `Cors` key (or the string form's value) for a generated method, else the
/// `method.response.header.<name>` key of the method's own block.
pub fn locate_header(sources: &Sources, method: &Method, name: &str) -> SourceLocation {
    match &method.provenance.generated_from_cors {
        Some(cors) => sources
            .locate_key(cors, sam_cors_key(name))
            .or_else(|| sources.locate_key(cors, "Cors"))
            .unwrap_or_else(|| cors.clone()),
        None => sources
            .locate_key(&method.location, &format!("{RESPONSE_HEADER}{name}"))
            .unwrap_or_else(|| method.location.clone()),
    }
}

/// Whether callers of this API send an `Authorization` header: an IAM-signed method or an
/// authorizer reading it.
pub fn sends_authorization(api: &RestApi) -> bool {
    api.resources
        .iter()
        .flat_map(|r| &r.methods)
        .any(|m| match &m.authorization {
            Authorization::None => false,
            Authorization::AwsIam => true,
            Authorization::Authorizer(a) => {
                a.identity_sources.is_empty()
                    || a.identity_sources
                        .iter()
                        .any(|s| s.to_ascii_lowercase().ends_with("header.authorization"))
            }
        })
}

/// Whether the API is a SAM `AWS::Serverless::Api` (explicit or implicit), so fixes can use
/// SAM properties rather than raw `AWS::ApiGateway::*` resources.
pub fn is_sam_api(api: &RestApi, sources: &Sources) -> bool {
    sources.is_sam()
        && (api.logical_id == "ServerlessRestApi"
            || api.cors_location.is_some()
            || sources
                .locate_text(&api.location, "AWS::Serverless::Api")
                .is_some())
}

/// `/a, /b and 3 more`, for messages about many paths.
pub fn path_list<'a>(paths: impl IntoIterator<Item = &'a str>) -> String {
    let paths: Vec<&str> = paths.into_iter().collect();
    match paths.len() {
        0..=3 => paths.join(", "),
        n => format!("{} and {} more", paths[..3].join(", "), n - 3),
    }
}
