//! Errors the gateway makes itself (403 Missing Authentication Token, 403 Forbidden, 502 from
//! a crashing function…) carry CORS headers only through `GatewayResponses` (spec 1.12, 3):
//! without them a page cannot even read why its call failed.

use gatewise_model::RestApi;

use super::{
    GATEWAY_RESPONSE_HEADER, RESPONSE_HEADER, has_cors, is_sam_api, mapped_header, options_methods,
    preflight_mocks,
};
use crate::rules::REST_GATEWAY_RESPONSES_NO_CORS;
use crate::{Finding, Sources};

/// The response types whose headers every gateway error falls back to (spec 3.5).
const FAMILIES: [&str; 2] = ["DEFAULT_4XX", "DEFAULT_5XX"];

/// `rest-gateway-responses-no-cors` for an API meant for browsers.
pub fn check(api: &RestApi, sources: &Sources, findings: &mut Vec<Finding>) {
    if !has_cors(api) {
        return;
    }
    let missing: Vec<&str> = FAMILIES
        .into_iter()
        .filter(|family| {
            !api.gateway_responses.iter().any(|r| {
                r.response_type == *family
                    && mapped_header(
                        &r.response_parameters,
                        GATEWAY_RESPONSE_HEADER,
                        "Access-Control-Allow-Origin",
                    )
                    .is_some()
            })
        })
        .collect();
    if missing.is_empty() {
        return;
    }
    let location = api
        .cors_location
        .clone()
        .or_else(|| options_methods(api).next().map(|(_, m)| m.location.clone()))
        .unwrap_or_else(|| api.location.clone());
    let origin = preflight_mocks(api)
        .find_map(|m| {
            mapped_header(
                &m.response.response_parameters,
                RESPONSE_HEADER,
                "Access-Control-Allow-Origin",
            )
        })
        .filter(|o| o.is_static && !o.text.trim().contains([',', ' ', '\t']))
        .map_or_else(|| "*".to_owned(), |o| o.text);
    let fix = if is_sam_api(api, sources) {
        let mut fix = "GatewayResponses:".to_owned();
        for family in &missing {
            fix.push_str(&format!(
                "\n  {family}:\n    ResponseParameters:\n      Headers:\n        Access-Control-Allow-Origin: \"'{origin}'\""
            ));
        }
        fix
    } else {
        missing
            .iter()
            .map(|family| {
                let suffix = family.trim_start_matches("DEFAULT_").to_ascii_lowercase();
                format!(
                    "Default{suffix}:\n  Type: AWS::ApiGateway::GatewayResponse\n  Properties:\n    RestApiId: !Ref {}\n    ResponseType: {family}\n    ResponseParameters:\n      {GATEWAY_RESPONSE_HEADER}Access-Control-Allow-Origin: \"'{origin}'\"",
                    api.logical_id
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    findings.push(Finding::new(
        &REST_GATEWAY_RESPONSES_NO_CORS,
        location,
        format!(
            "API {} is called from browsers but no {} gateway response adds Access-Control-Allow-Origin, so errors API Gateway generates itself (403 Missing Authentication Token or Forbidden, 401, 429, 502/504 when the function fails) reach the page as opaque CORS failures",
            api.logical_id,
            missing.join(" / ")
        ),
        fix,
    ));
}

#[cfg(test)]
mod tests {
    use crate::test_support::{findings_of, ids};

    fn template(responses: &str) -> String {
        format!(
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: prod\n      Cors: {{AllowOrigin: \"'https://a.com'\", AllowHeaders: \"'Content-Type'\"}}\n{responses}  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: nodejs20.x\n      Handler: index.handler\n      InlineCode: \"exports.handler = async () => ({{headers: {{'Access-Control-Allow-Origin': '*'}}}})\"\n      Events:\n        Get: {{Type: Api, Properties: {{RestApiId: !Ref Api, Path: /a, Method: get}}}}\n"
        )
    }

    #[test]
    fn no_gateway_responses() {
        let f = findings_of(&template(""));
        assert_eq!(ids(&f), ["rest-gateway-responses-no-cors"]);
        assert!(f[0].message.contains("DEFAULT_4XX / DEFAULT_5XX"));
        assert!(
            f[0].fix
                .contains("Access-Control-Allow-Origin: \"'https://a.com'\""),
            "{}",
            f[0].fix
        );
    }

    #[test]
    fn only_4xx_configured() {
        let f = findings_of(&template(
            "      GatewayResponses:\n        DEFAULT_4XX: {ResponseParameters: {Headers: {Access-Control-Allow-Origin: \"'*'\"}}}\n",
        ));
        assert_eq!(ids(&f), ["rest-gateway-responses-no-cors"]);
        assert!(f[0].fix.contains("DEFAULT_5XX") && !f[0].fix.contains("DEFAULT_4XX"));
    }

    #[test]
    fn both_configured() {
        let f = findings_of(&template(
            "      GatewayResponses:\n        DEFAULT_4XX: {ResponseParameters: {Headers: {Access-Control-Allow-Origin: \"'*'\"}}}\n        DEFAULT_5XX: {ResponseParameters: {Headers: {Access-Control-Allow-Origin: \"'*'\"}}}\n",
        ));
        assert!(f.is_empty(), "{f:?}");
    }
}
