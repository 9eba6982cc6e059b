//! Protections that reach the preflight: an API key (spec 9.2) or an authorizer (9.1, 9.6)
//! on an OPTIONS method. Browsers send neither `x-api-key` nor credentials on a preflight,
//! so the OPTIONS gets 401/403 without CORS headers and the real request is never sent (9.4).

use std::collections::BTreeMap;

use gatewise_model::{Authorization, RestApi, SourceLocation};

use super::{options_methods, path_list};
use crate::Finding;
use crate::rules::{REST_PREFLIGHT_API_KEY, REST_PREFLIGHT_AUTHORIZER};

/// Both rules over the OPTIONS methods of `api`, one finding per place the protection is set
/// (SAM's `Auth` applies to every generated OPTIONS from the same lines).
pub fn check(api: &RestApi, findings: &mut Vec<Finding>) {
    let mut keyed: BTreeMap<Place, Vec<&str>> = BTreeMap::new();
    let mut authorized: BTreeMap<Place, (Vec<&str>, String)> = BTreeMap::new();
    for (resource, method) in options_methods(api) {
        let generated = method.provenance.generated_from_cors.is_some();
        if method.api_key_required {
            let at = method
                .provenance
                .api_key_required_at
                .clone()
                .unwrap_or_else(|| method.location.clone());
            keyed
                .entry(Place { at, generated })
                .or_default()
                .push(&resource.path);
        }
        let name = match &method.authorization {
            Authorization::None => continue,
            Authorization::AwsIam => "AWS_IAM".to_owned(),
            Authorization::Authorizer(a) => a.name.clone(),
        };
        let at = method
            .provenance
            .authorization_at
            .clone()
            .unwrap_or_else(|| method.location.clone());
        authorized
            .entry(Place { at, generated })
            .or_insert_with(|| (Vec::new(), name))
            .0
            .push(&resource.path);
    }
    for (place, paths) in keyed {
        findings.push(Finding::new(
            &REST_PREFLIGHT_API_KEY,
            place.at,
            format!(
                "the OPTIONS preflight of {} requires an API key, but browsers never send x-api-key on a preflight, so it gets 403 Forbidden without CORS headers and the browser never sends the real request",
                path_list(paths)
            ),
            if place.generated {
                "Auth:\n  ApiKeyRequired: true\n  AddApiKeyRequiredToCorsPreflight: false"
            } else {
                "ApiKeyRequired: false  # on the OPTIONS method"
            },
        ));
    }
    for (place, (paths, name)) in authorized {
        findings.push(Finding::new(
            &REST_PREFLIGHT_AUTHORIZER,
            place.at,
            format!(
                "the OPTIONS preflight of {} is protected by {name}, but browsers send no Authorization or cookies on a preflight, so it gets 401/403 without CORS headers and the browser never sends the real request",
                path_list(paths)
            ),
            if place.generated {
                format!("Auth:\n  DefaultAuthorizer: {name}\n  AddDefaultAuthorizerToCorsPreflight: false")
            } else {
                "AuthorizationType: NONE  # on the OPTIONS method".to_owned()
            },
        ));
    }
}

/// Where a protection is set, and whether SAM put it on a generated OPTIONS.
#[derive(Debug, PartialEq, Eq)]
struct Place {
    at: SourceLocation,
    generated: bool,
}

impl Ord for Place {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (&self.at.file, self.at.line, self.at.column, self.generated).cmp(&(
            &other.at.file,
            other.at.line,
            other.at.column,
            other.generated,
        ))
    }
}

impl PartialOrd for Place {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::{findings_of, ids};

    fn sam(auth: &str) -> String {
        format!(
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: prod\n      Cors:\n        AllowOrigin: \"'*'\"\n        AllowHeaders: \"'Content-Type,X-Api-Key,Authorization'\"\n      GatewayResponses:\n        DEFAULT_4XX: {{ResponseParameters: {{Headers: {{Access-Control-Allow-Origin: \"'*'\"}}}}}}\n        DEFAULT_5XX: {{ResponseParameters: {{Headers: {{Access-Control-Allow-Origin: \"'*'\"}}}}}}\n{auth}  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: nodejs20.x\n      Handler: index.handler\n      InlineCode: \"exports.handler = async () => ({{headers: {{'Access-Control-Allow-Origin': '*'}}}})\"\n      Events:\n        Get: {{Type: Api, Properties: {{RestApiId: !Ref Api, Path: /items, Method: get}}}}\n        Post: {{Type: Api, Properties: {{RestApiId: !Ref Api, Path: /other, Method: post}}}}\n"
        )
    }

    #[test]
    fn api_key_on_the_generated_preflight() {
        let f = findings_of(&sam("      Auth:\n        ApiKeyRequired: true\n"));
        assert_eq!(ids(&f), ["rest-preflight-api-key"]);
        assert!(f[0].fix.contains("AddApiKeyRequiredToCorsPreflight: false"));
        assert!(f[0].message.contains("/items, /other"), "{}", f[0].message);
        let fixed = sam(
            "      Auth:\n        ApiKeyRequired: true\n        AddApiKeyRequiredToCorsPreflight: false\n",
        );
        assert!(findings_of(&fixed).is_empty());
    }

    #[test]
    fn default_authorizer_on_the_generated_preflight() {
        let f = findings_of(&sam("      Auth:\n        DefaultAuthorizer: AWS_IAM\n"));
        assert_eq!(ids(&f), ["rest-preflight-authorizer"]);
        assert!(
            f[0].fix
                .contains("AddDefaultAuthorizerToCorsPreflight: false")
        );
        let fixed = sam(
            "      Auth:\n        DefaultAuthorizer: AWS_IAM\n        AddDefaultAuthorizerToCorsPreflight: false\n",
        );
        assert!(findings_of(&fixed).is_empty());
    }

    #[test]
    fn api_key_on_a_cloudformation_options_method() {
        let template = "Resources:\n  Api:\n    Type: AWS::ApiGateway::RestApi\n    Properties: {Name: x}\n  Options:\n    Type: AWS::ApiGateway::Method\n    Properties:\n      RestApiId: !Ref Api\n      ResourceId: !GetAtt Api.RootResourceId\n      HttpMethod: OPTIONS\n      AuthorizationType: NONE\n      ApiKeyRequired: true\n      Integration:\n        Type: MOCK\n        IntegrationResponses:\n          - StatusCode: \"200\"\n            ResponseParameters:\n              method.response.header.Access-Control-Allow-Origin: \"'*'\"\n              method.response.header.Access-Control-Allow-Headers: \"'Content-Type'\"\n  R4:\n    Type: AWS::ApiGateway::GatewayResponse\n    Properties: {RestApiId: !Ref Api, ResponseType: DEFAULT_4XX, ResponseParameters: {gatewayresponse.header.Access-Control-Allow-Origin: \"'*'\"}}\n  R5:\n    Type: AWS::ApiGateway::GatewayResponse\n    Properties: {RestApiId: !Ref Api, ResponseType: DEFAULT_5XX, ResponseParameters: {gatewayresponse.header.Access-Control-Allow-Origin: \"'*'\"}}\n  Stage:\n    Type: AWS::ApiGateway::Stage\n    Properties: {RestApiId: !Ref Api, StageName: prod}\n";
        let f = findings_of(template);
        assert_eq!(ids(&f), ["rest-preflight-api-key"]);
        assert_eq!((f[0].location.line, f[0].location.column), (12, 7));
        assert!(f[0].fix.starts_with("ApiKeyRequired: false"));
    }
}
