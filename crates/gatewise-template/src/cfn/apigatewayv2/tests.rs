//! Raw `AWS::ApiGatewayV2::*` HTTP APIs end to end: routes, integrations, authorizers, stages
//! and CORS from the resources, quick create, and an OpenAPI `Body`.

use std::time::Duration;

use gatewise_model::{HttpAuthorization, HttpIntegration, PayloadFormat};

use crate::ids;
use crate::openapi::http::{JWT_DEFAULT_IDENTITY_SOURCE, UNSPECIFIED_PAYLOAD_FORMAT};
use crate::test_support::http_api::{http_api, lambda, ok, route, route_keys};

const RAW_FUNCTION: &str = "  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: nodejs20.x\n      Handler: index.handler\n      Code:\n        ZipFile: x\n";

#[test]
fn raw_v2_resources_routes_integrations_and_authorizers() {
    let text = format!(
        "Resources:\n{RAW_FUNCTION}  Api:\n    Type: AWS::ApiGatewayV2::Api\n    Properties:\n      Name: a\n      ProtocolType: HTTP\n      CorsConfiguration:\n        AllowOrigins: [https://a.com]\n        AllowMethods: [GET, POST]\n        ExposeHeaders: [x-e]\n        MaxAge: 300\n        AllowCredentials: true\n  Get:\n    Type: AWS::ApiGatewayV2::Route\n    Properties:\n      ApiId: !Ref Api\n      RouteKey: GET /items\n      Target: !Join [/, [integrations, !Ref Integ]]\n      AuthorizationType: JWT\n      AuthorizerId: !Ref Jwt\n  Post:\n    Type: AWS::ApiGatewayV2::Route\n    Properties:\n      ApiId: !Ref Api\n      RouteKey: POST /items\n      Target: !Sub integrations/${{Integ}}\n      AuthorizationType: CUSTOM\n      AuthorizerId: !Ref Lam\n  Proxy:\n    Type: AWS::ApiGatewayV2::Route\n    Properties:\n      ApiId: !Ref Api\n      RouteKey: $default\n      Target: !Sub integrations/${{Http}}\n      AuthorizationType: AWS_IAM\n  Integ:\n    Type: AWS::ApiGatewayV2::Integration\n    Properties:\n      ApiId: !Ref Api\n      IntegrationType: AWS_PROXY\n      IntegrationUri: !GetAtt Fn.Arn\n      PayloadFormatVersion: '2.0'\n      TimeoutInMillis: 7000\n  Http:\n    Type: AWS::ApiGatewayV2::Integration\n    Properties:\n      ApiId: !Ref Api\n      IntegrationType: HTTP_PROXY\n      IntegrationUri: https://example.com\n  Jwt:\n    Type: AWS::ApiGatewayV2::Authorizer\n    Properties:\n      ApiId: !Ref Api\n      AuthorizerType: JWT\n      Name: JwtAuth\n      JwtConfiguration: {{Issuer: https://i}}\n  Lam:\n    Type: AWS::ApiGatewayV2::Authorizer\n    Properties:\n      ApiId: !Ref Api\n      AuthorizerType: REQUEST\n      AuthorizerUri: !Sub arn:aws:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/${{Fn.Arn}}/invocations\n      AuthorizerPayloadFormatVersion: '1.0'\n      IdentitySource: [$request.header.Authorization]\n  Stage:\n    Type: AWS::ApiGatewayV2::Stage\n    Properties:\n      ApiId: !Ref Api\n      StageName: dev\n      StageVariables: {{A: b}}\n  Ws:\n    Type: AWS::ApiGatewayV2::Api\n    Properties:\n      ProtocolType: WEBSOCKET\n"
    );
    let stack = ok(&text);
    assert_eq!(stack.http_apis.len(), 1, "the WebSocket API is not served");
    assert!(
        stack
            .warnings
            .iter()
            .any(|w| w.message.contains("WEBSOCKET")),
        "{:?}",
        stack.warnings
    );
    let api = http_api(&stack, "Api");
    assert_eq!(route_keys(api), ["GET /items", "POST /items", "$default"]);
    assert_eq!(
        lambda(route(api, "GET /items")),
        (PayloadFormat::V2, Duration::from_millis(7000))
    );
    assert!(matches!(
        &route(api, "GET /items").authorization,
        HttpAuthorization::Jwt { name, identity_source, .. }
            if name == "JwtAuth" && identity_source == JWT_DEFAULT_IDENTITY_SOURCE
    ));
    assert!(matches!(
        &route(api, "POST /items").authorization,
        HttpAuthorization::Lambda {
            function: Some(0),
            payload_format: PayloadFormat::V1,
            ..
        }
    ));
    assert_eq!(
        route(api, "$default").authorization,
        HttpAuthorization::AwsIam
    );
    assert!(matches!(
        &route(api, "$default").integration,
        HttpIntegration::HttpProxy(backend)
            if backend.uri == "https://example.com" && backend.http_method == "ANY"
    ));
    assert_eq!(api.stage, "dev");
    assert_eq!(api.stage_variables.get("A").map(String::as_str), Some("b"));
    let cors = api.cors.as_ref().expect("cors");
    assert_eq!(
        (
            cors.allow_origins.clone(),
            cors.max_age,
            cors.allow_credentials
        ),
        (vec!["https://a.com".to_owned()], Some(300), true)
    );
    assert_eq!(cors.expose_headers, ["x-e"]);
    assert!(api.cors_location.is_some());
}

#[test]
fn raw_v2_quick_create_and_body() {
    let text = format!(
        "Resources:\n{RAW_FUNCTION}  Quick:\n    Type: AWS::ApiGatewayV2::Api\n    Properties:\n      ProtocolType: HTTP\n      Target: !GetAtt Fn.Arn\n  Keyed:\n    Type: AWS::ApiGatewayV2::Api\n    Properties:\n      ProtocolType: HTTP\n      RouteKey: GET /only\n      Target: !Sub arn:aws:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/${{Fn.Arn}}/invocations\n  Body:\n    Type: AWS::ApiGatewayV2::Api\n    Properties:\n      Body:\n        openapi: 3.0.1\n        x-amazon-apigateway-cors: {{allowOrigins: ['*'], allowHeaders: [content-type]}}\n        paths:\n          /b:\n            get:\n              x-amazon-apigateway-integration: {{type: AWS_PROXY, uri: !GetAtt Fn.Arn, payloadFormatVersion: '2.0'}}\n"
    );
    let stack = ok(&text);
    let quick = http_api(&stack, "Quick");
    assert_eq!(route_keys(quick), ["$default"]);
    assert_eq!(quick.stage, "$default");
    assert_eq!(
        lambda(&quick.routes[0]),
        (PayloadFormat::V2, HttpIntegration::DEFAULT_TIMEOUT)
    );
    assert_eq!(route_keys(http_api(&stack, "Keyed")), ["GET /only"]);
    let body = http_api(&stack, "Body");
    assert_eq!(route_keys(body), ["GET /b"]);
    assert_eq!(
        body.cors.as_ref().map(|c| c.allow_headers.clone()),
        Some(vec!["content-type".to_owned()])
    );
    // Ref to an HTTP API is its id, as for REST APIs.
    assert_eq!(quick.api_id, ids::api_id("Quick"));
}

#[test]
fn raw_v2_integration_without_payload_version_uses_the_unconfirmed_default() {
    let text = format!(
        "Resources:\n{RAW_FUNCTION}  Api:\n    Type: AWS::ApiGatewayV2::Api\n    Properties:\n      ProtocolType: HTTP\n  R:\n    Type: AWS::ApiGatewayV2::Route\n    Properties:\n      ApiId: !Ref Api\n      RouteKey: ANY /{{proxy+}}\n      Target: !Join ['', [integrations/, !Ref I]]\n  I:\n    Type: AWS::ApiGatewayV2::Integration\n    Properties:\n      ApiId: !Ref Api\n      IntegrationType: AWS_PROXY\n      IntegrationUri: !GetAtt Fn.Arn\n"
    );
    let stack = ok(&text);
    let api = http_api(&stack, "Api");
    assert_eq!(
        lambda(route(api, "ANY /{proxy+}")).0,
        UNSPECIFIED_PAYLOAD_FORMAT
    );
}
