//! Non-proxy integrations (`AWS` Lambda custom integrations, `MOCK` methods other than the
//! preflight) get their response headers only from the integration response API Gateway
//! selects (spec 4.5). A method whose 2xx response maps Access-Control-Allow-Origin while its
//! error responses do not is the classic "OPTIONS and 200 work, errors are blocked by the
//! browser": the page sees an opaque CORS failure instead of the 400 or 500 the function meant.
//! `GatewayResponses` do not help: they only shape errors API Gateway raises itself, never an
//! integration response.
//!
//! An error the function raises that matches no selection pattern comes back through the
//! default response (200 on AWS), which this rule does not judge.

use gatewise_model::{Integration, IntegrationResponse, Method, Resource, RestApi};

use super::{RESPONSE_HEADER, is_sam_api};
use crate::rules::REST_INTEGRATION_ERROR_NO_CORS;
use crate::{Finding, Sources};

const ALLOW_ORIGIN: &str = "Access-Control-Allow-Origin";

/// `rest-integration-error-no-cors`: one finding per error integration response lacking the
/// header, on a method whose 2xx integration response maps it.
pub fn check(api: &RestApi, sources: &Sources, findings: &mut Vec<Finding>) {
    for resource in &api.resources {
        for method in &resource.methods {
            let (responses, lambda) = match &method.integration {
                Integration::Lambda { mapping, .. } => (&mapping.responses, true),
                Integration::Mock(mapping) if method.http_method != "OPTIONS" => {
                    (&mapping.responses, false)
                }
                _ => continue,
            };
            let is_error = |r: &IntegrationResponse| is_error_response(r, lambda);
            let Some(witness) = responses
                .iter()
                .find(|r| r.status_code.starts_with('2') && !is_error(r) && maps_origin(r))
            else {
                continue;
            };
            let missing: Vec<&IntegrationResponse> = responses
                .iter()
                .filter(|r| is_error(r) && !maps_origin(r))
                .collect();
            for response in &missing {
                findings.push(finding(
                    api, resource, method, lambda, witness, response, &missing, sources,
                ));
            }
        }
    }
}

/// An integration response that answers an error: for a Lambda custom integration, one
/// selected by a pattern over the function's error message, or one with a 4xx/5xx status;
/// for a MOCK, whose selection pattern matches the status code the request template yields,
/// only a 4xx/5xx status says so.
fn is_error_response(response: &IntegrationResponse, lambda: bool) -> bool {
    let pattern = response
        .selection_pattern
        .as_deref()
        .is_some_and(|p| !p.is_empty());
    (lambda && pattern) || response.status_code.starts_with(['4', '5'])
}

/// Whether the response sends Access-Control-Allow-Origin: mapped in its
/// `ResponseParameters`, or set by `$context.responseOverride.header.…` in a response
/// template (CDK's style for several origins).
fn maps_origin(response: &IntegrationResponse) -> bool {
    super::mapped_header(&response.response_parameters, RESPONSE_HEADER, ALLOW_ORIGIN).is_some()
        || response.response_templates.values().any(|t| {
            t.text
                .to_ascii_lowercase()
                .contains("responseoverride.header.access-control-allow-origin")
        })
}

/// `SelectionPattern '.*Bad.*' → 400` or `default → 500`.
fn describe(response: &IntegrationResponse) -> String {
    match response
        .selection_pattern
        .as_deref()
        .filter(|p| !p.is_empty())
    {
        Some(pattern) => format!("SelectionPattern '{pattern}' → {}", response.status_code),
        None => format!("default → {}", response.status_code),
    }
}

#[allow(clippy::too_many_arguments)]
fn finding(
    api: &RestApi,
    resource: &Resource,
    method: &Method,
    lambda: bool,
    witness: &IntegrationResponse,
    response: &IntegrationResponse,
    missing: &[&IntegrationResponse],
    sources: &Sources,
) -> Finding {
    let kind = if lambda {
        "AWS Lambda custom integration"
    } else {
        "MOCK integration"
    };
    let others: Vec<String> = missing
        .iter()
        .filter(|r| r.location != response.location)
        .map(|r| describe(r))
        .collect();
    let others = if others.is_empty() {
        String::new()
    } else {
        format!("; also missing: {}", others.join(", "))
    };
    let message = format!(
        "{} {} ({kind}) maps {ALLOW_ORIGIN} in its 2xx integration response ({}) but not in its error response ({}{others}), so when {} the browser blocks the {} and the page sees an opaque CORS failure (successes get through, errors do not); DEFAULT_4XX / DEFAULT_5XX gateway responses do not cover it, since they only apply to errors API Gateway raises itself",
        method.http_method,
        resource.path,
        describe(witness),
        describe(response),
        if lambda {
            "the function fails that way"
        } else {
            "that response is selected"
        },
        response.status_code,
    );
    let origin = super::mapped_header(&witness.response_parameters, RESPONSE_HEADER, ALLOW_ORIGIN)
        .map(|o| {
            if o.is_static {
                format!("'{}'", o.text)
            } else {
                o.text
            }
        })
        .unwrap_or_else(|| "'*'".to_owned());
    Finding::new(
        &REST_INTEGRATION_ERROR_NO_CORS,
        response.location.clone(),
        message,
        fix(api, response, &origin, sources),
    )
}

/// The integration response with the header mapped and the method response declaring it, in
/// the template's language: OpenAPI `x-amazon-apigateway-integration.responses` (SAM
/// `DefinitionBody`, a `Body`) or CloudFormation `IntegrationResponses` / `MethodResponses`.
fn fix(api: &RestApi, response: &IntegrationResponse, origin: &str, sources: &Sources) -> String {
    let status = &response.status_code;
    let pattern = response
        .selection_pattern
        .as_deref()
        .filter(|p| !p.is_empty());
    let cloudformation = if sources
        .locate_text(&response.location, "StatusCode")
        .is_some()
    {
        true
    } else if sources
        .locate_text(&response.location, "statusCode")
        .is_some()
    {
        false
    } else {
        !is_sam_api(api, sources)
    };
    let note = "# GatewayResponses DEFAULT_4XX / DEFAULT_5XX do not cover this: they only apply to errors\n# API Gateway raises itself (auth, throttling, a failing integration), never to an\n# integration response";
    if cloudformation {
        let pattern = pattern
            .map(|p| format!("\n      SelectionPattern: \"{}\"", yaml_escape(p)))
            .unwrap_or_default();
        format!(
            "Integration:\n  IntegrationResponses:\n    - StatusCode: \"{status}\"{pattern}\n      ResponseParameters:\n        {RESPONSE_HEADER}{ALLOW_ORIGIN}: \"{origin}\"\nMethodResponses:\n  - StatusCode: \"{status}\"\n    ResponseParameters:\n      {RESPONSE_HEADER}{ALLOW_ORIGIN}: true\n{note}"
        )
    } else {
        let key = pattern.map_or_else(
            || "default".to_owned(),
            |p| format!("\"{}\"", yaml_escape(p)),
        );
        format!(
            "x-amazon-apigateway-integration:\n  responses:\n    {key}:\n      statusCode: \"{status}\"\n      responseParameters:\n        {RESPONSE_HEADER}{ALLOW_ORIGIN}: \"{origin}\"\nresponses:  # the operation's method responses\n  \"{status}\":\n    description: error\n    headers:\n      {ALLOW_ORIGIN}: {{type: string}}  # OpenAPI 3: {{schema: {{type: string}}}}\n{note}"
        )
    }
}

/// A selection pattern inside a double-quoted YAML string.
fn yaml_escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

#[cfg(test)]
mod tests {
    use crate::test_support::{findings_of, ids};

    const ORIGIN: &str = "method.response.header.Access-Control-Allow-Origin: \"'https://a.com'\"";
    const RULE: &str = "rest-integration-error-no-cors";

    /// Raw CloudFormation: an `AWS` Lambda custom integration whose default 200 maps the
    /// origin, and two error responses selected by pattern, with `bad` / `fail` parameters.
    fn cloudformation(bad: &str, fail: &str) -> String {
        let params = |p: &str| {
            if p.is_empty() {
                String::new()
            } else {
                format!("            ResponseParameters:\n              {p}\n")
            }
        };
        format!(
            "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties: {{Runtime: nodejs20.x, Handler: index.handler, Code: {{ZipFile: x}}}}\n  Api:\n    Type: AWS::ApiGateway::RestApi\n    Properties: {{Name: x}}\n  Get:\n    Type: AWS::ApiGateway::Method\n    Properties:\n      RestApiId: !Ref Api\n      ResourceId: !GetAtt Api.RootResourceId\n      HttpMethod: GET\n      AuthorizationType: NONE\n      Integration:\n        Type: AWS\n        IntegrationHttpMethod: POST\n        Uri: !Sub arn:aws:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/${{Fn.Arn}}/invocations\n        IntegrationResponses:\n          - StatusCode: \"200\"\n            ResponseParameters:\n              {ORIGIN}\n          - StatusCode: \"400\"\n            SelectionPattern: \".*Bad.*\"\n{}          - StatusCode: \"500\"\n            SelectionPattern: \".*Fail.*\"\n{}  Stage:\n    Type: AWS::ApiGateway::Stage\n    Properties: {{RestApiId: !Ref Api, StageName: prod}}\n",
            params(bad),
            params(fail)
        )
    }

    /// A SAM `DefinitionBody` with an OpenAPI `aws` integration; `error` is the `.*Bad.*`
    /// response's extra keys.
    fn openapi(error: &str) -> String {
        format!(
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: prod\n      DefinitionBody:\n        swagger: '2.0'\n        paths:\n          /items:\n            post:\n              x-amazon-apigateway-integration:\n                type: aws\n                httpMethod: POST\n                uri: !Sub 'arn:aws:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/${{Fn.Arn}}/invocations'\n                responses:\n                  default:\n                    statusCode: '200'\n                    responseParameters:\n                      {ORIGIN}\n                  '.*Bad.*':\n                    statusCode: '400'\n{error}  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: nodejs20.x\n      Handler: index.handler\n      CodeUri: s3://b/k\n"
        )
    }

    const MAPPED_CFN: &str = ORIGIN;
    const OPENAPI_MAPPED: &str = "                    responseParameters:\n                      method.response.header.Access-Control-Allow-Origin: \"'https://a.com'\"\n";
    const OPENAPI_OVERRIDE: &str = "                    responseTemplates:\n                      application/json: |\n                        #set($context.responseOverride.header.Access-Control-Allow-Origin = $input.params('origin'))\n                        {\"message\": \"bad\"}\n";

    /// (case, template, the patterns the findings name, in order).
    fn cases() -> Vec<(&'static str, String, Vec<&'static str>)> {
        vec![
            (
                "cloudformation: only 200 mapped",
                cloudformation("", ""),
                vec![".*Bad.*", ".*Fail.*"],
            ),
            (
                "cloudformation: one error mapped",
                cloudformation(MAPPED_CFN, ""),
                vec![".*Fail.*"],
            ),
            (
                "cloudformation: all mapped",
                cloudformation(MAPPED_CFN, MAPPED_CFN),
                vec![],
            ),
            ("openapi: only default mapped", openapi(""), vec![".*Bad.*"]),
            ("openapi: all mapped", openapi(OPENAPI_MAPPED), vec![]),
            (
                "openapi: responseOverride in the template",
                openapi(OPENAPI_OVERRIDE),
                vec![],
            ),
            (
                "cloudformation: no 2xx maps it either",
                cloudformation("", "").replace(
                    &format!("              {ORIGIN}\n"),
                    "              method.response.header.X: \"'y'\"\n",
                ),
                vec![],
            ),
        ]
    }

    #[test]
    fn error_integration_responses_without_allow_origin() {
        for (case, template, patterns) in cases() {
            let f: Vec<_> = findings_of(&template)
                .into_iter()
                .filter(|f| f.rule.id == RULE)
                .collect();
            assert_eq!(f.len(), patterns.len(), "{case}: {f:#?}");
            for (finding, pattern) in f.iter().zip(&patterns) {
                assert!(
                    finding
                        .message
                        .contains(&format!("error response (SelectionPattern '{pattern}'")),
                    "{case}: {}",
                    finding.message
                );
                assert!(
                    finding.fix.contains(
                        "method.response.header.Access-Control-Allow-Origin: \"'https://a.com'\""
                    ) && finding
                        .fix
                        .contains("DEFAULT_4XX / DEFAULT_5XX do not cover"),
                    "{case}: {}",
                    finding.fix
                );
            }
        }
    }

    #[test]
    fn cloudformation_finding_is_at_the_response_with_a_cloudformation_fix() {
        let f = findings_of(&cloudformation("", ""));
        assert_eq!(ids(&f), [RULE, RULE], "{f:#?}");
        assert_eq!((f[0].location.line, f[1].location.line), (23, 25));
        assert!(
            f[0].message.starts_with(
                "GET / (AWS Lambda custom integration) maps Access-Control-Allow-Origin in its 2xx integration response (default → 200) but not in its error response (SelectionPattern '.*Bad.*' → 400; also missing: SelectionPattern '.*Fail.*' → 500), so when the function fails that way the browser blocks the 400"
            ),
            "{}",
            f[0].message
        );
        assert!(
            f[0].fix.contains("- StatusCode: \"400\"\n      SelectionPattern: \".*Bad.*\"\n      ResponseParameters:")
                && f[0].fix.contains("MethodResponses:"),
            "{}",
            f[0].fix
        );
    }

    #[test]
    fn openapi_fix_is_in_openapi_terms() {
        let f = findings_of(&openapi(""));
        let f: Vec<_> = f.iter().filter(|f| f.rule.id == RULE).collect();
        assert_eq!(f.len(), 1, "{f:#?}");
        assert!(f[0].message.starts_with("POST /items"), "{}", f[0].message);
        assert!(
            f[0].fix
                .contains("    \".*Bad.*\":\n      statusCode: \"400\"\n      responseParameters:")
                && f[0].fix.contains("headers:"),
            "{}",
            f[0].fix
        );
    }

    /// A MOCK other than the preflight: its 500 response counts; the OPTIONS MOCK never does.
    #[test]
    fn mock_methods_but_not_the_preflight() {
        let mock = |method: &str| {
            format!(
                "Resources:\n  Api:\n    Type: AWS::ApiGateway::RestApi\n    Properties: {{Name: x}}\n  M:\n    Type: AWS::ApiGateway::Method\n    Properties:\n      RestApiId: !Ref Api\n      ResourceId: !GetAtt Api.RootResourceId\n      HttpMethod: {method}\n      AuthorizationType: NONE\n      Integration:\n        Type: MOCK\n        RequestTemplates: {{application/json: '{{\"statusCode\": 200}}'}}\n        IntegrationResponses:\n          - StatusCode: \"200\"\n            ResponseParameters:\n              {ORIGIN}\n              method.response.header.Access-Control-Allow-Headers: \"'Content-Type'\"\n          - StatusCode: \"500\"\n            SelectionPattern: \"5\\\\d{{2}}\"\n  Stage:\n    Type: AWS::ApiGateway::Stage\n    Properties: {{RestApiId: !Ref Api, StageName: prod}}\n"
            )
        };
        let get = findings_of(&mock("GET"));
        assert!(get.iter().any(|f| f.rule.id == RULE), "{get:#?}");
        let options = findings_of(&mock("OPTIONS"));
        assert!(options.iter().all(|f| f.rule.id != RULE), "{options:#?}");
    }
}
