//! Request validation of REST API methods (spec V.1–V.11): which validator a method uses, the
//! request parameters it requires, and the models (JSON Schema draft 4) its body must match.
//!
//! The template reader fills these from `AWS::ApiGateway::RequestValidator` / `Model` /
//! `Method`, OpenAPI's `x-amazon-apigateway-request-validator(s)`, `parameters` and body
//! schemas, and SAM's `RequestParameters` / `RequestModel` / `Models`; the gateway compiles
//! them once at startup. HTTP APIs have no request validation.

use std::fmt;

use crate::SourceLocation;

/// A model of a REST API: `AWS::ApiGateway::Model`, an OpenAPI `definitions` /
/// `components.schemas` entry, a SAM `Models` entry, or a body schema written inline in an
/// operation. Kept per API, because one model's schema may `$ref` another (spec V.6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    /// The name methods use in `RequestModels`. An inline schema gets a name of gatewise's
    /// making that no user model has (see the template reader).
    pub name: String,
    /// The JSON Schema as JSON text. References to other models of the API are written as
    /// API Gateway stores them: [`Model::uri`] URLs.
    pub schema: String,
    /// Where the model (or the inline schema) is declared.
    pub location: SourceLocation,
}

impl Model {
    /// The URL by which API Gateway lets a schema `$ref` model `name` of the API `api_id`
    /// (recorded: LocalStack `test_api_gateway_request_validator_with_ref_models`).
    pub fn uri(api_id: &str, name: &str) -> String {
        format!("https://apigateway.amazonaws.com/restapis/{api_id}/models/{name}")
    }
}

/// What a method asks of a request before its integration runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestValidation {
    /// The request validator the method uses.
    pub validator: RequestValidator,
    /// The parameters the method marks required (`method.request.<source>.<name>: true`), in
    /// declaration order; only checked when the validator validates parameters.
    pub required_parameters: Vec<RequiredParameter>,
    /// Content type (`application/json`, `$default`, …) → model; only checked when the
    /// validator validates the body.
    pub body_models: Vec<BodyModel>,
}

/// `AWS::ApiGateway::RequestValidator`, an `x-amazon-apigateway-request-validators` entry, or
/// one SAM generates from `ValidateBody` / `ValidateParameters`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestValidator {
    /// `Name`, or the map key in OpenAPI (SAM's are `body-and-params`, `body-only`, …).
    pub name: String,
    pub validate_body: bool,
    pub validate_parameters: bool,
    /// Where the validator is declared.
    pub location: SourceLocation,
    /// Where the method picks it (`RequestValidatorId`, `x-amazon-apigateway-request-validator`
    /// of the operation or of the document, a SAM event's `RequestModel`).
    pub assigned_at: SourceLocation,
}

/// A request parameter the method requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequiredParameter {
    pub source: ParameterSource,
    /// The name as declared: a header name (matched case-insensitively), a query string or
    /// path parameter name (matched exactly).
    pub name: String,
    /// Where the parameter is declared.
    pub location: SourceLocation,
}

impl RequiredParameter {
    /// The mapping key API Gateway stores it under, e.g. `method.request.header.x-id`.
    pub fn mapping_key(&self) -> String {
        format!("method.request.{}.{}", self.source, self.name)
    }
}

/// Where a request parameter is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ParameterSource {
    Header,
    Path,
    QueryString,
}

impl fmt::Display for ParameterSource {
    /// The source as mapping expressions spell it (`header`, `path`, `querystring`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Header => "header",
            Self::Path => "path",
            Self::QueryString => "querystring",
        })
    }
}

/// The model a request body of one content type must match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyModel {
    /// The `RequestModels` key: a media type, or `$default` for any content type without a
    /// model of its own (spec V.4).
    pub content_type: String,
    /// The name of a [`Model`] of the same API.
    pub model: String,
    /// Where the method names the model.
    pub location: SourceLocation,
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use super::*;

    #[test]
    fn mapping_keys_spell_the_source_as_api_gateway_does() {
        let at = SourceLocation::new(Arc::from(Path::new("t.yaml")), 1, 1);
        let cases = [
            (
                ParameterSource::Header,
                "x-id",
                "method.request.header.x-id",
            ),
            (ParameterSource::Path, "id", "method.request.path.id"),
            (
                ParameterSource::QueryString,
                "q",
                "method.request.querystring.q",
            ),
        ];
        for (source, name, want) in cases {
            let parameter = RequiredParameter {
                source,
                name: name.to_owned(),
                location: at.clone(),
            };
            assert_eq!(parameter.mapping_key(), want);
        }
        assert_eq!(
            Model::uri("abc123", "User"),
            "https://apigateway.amazonaws.com/restapis/abc123/models/User"
        );
    }
}
