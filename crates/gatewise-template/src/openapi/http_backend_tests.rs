//! HTTP backends from each reader, table-driven: an OpenAPI body (SAM `DefinitionBody`), raw
//! `AWS::ApiGateway::Method`, raw `AWS::ApiGatewayV2::Integration` and an HTTP API OpenAPI body
//! (rules H.1, H.2, H.7, H.10, H.13), and what each refuses at its `file:line:col`.

use std::time::Duration;

use gatewise_model::{HttpIntegration, Integration};

use crate::test_support::{http_api, rest_api};

/// A SAM REST API whose `/x` GET operation has `integration` (YAML flow map).
fn openapi_rest(integration: &str) -> String {
    format!(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: Prod\n      DefinitionBody:\n        swagger: '2.0'\n        paths:\n          /x/{{id}}:\n            get:\n              x-amazon-apigateway-integration: {integration}\n"
    )
}

/// A raw REST API whose `/x/{id}` GET method has `Integration: integration`.
fn cfn_rest(integration: &str) -> String {
    format!(
        "Resources:\n  Api:\n    Type: AWS::ApiGateway::RestApi\n    Properties: {{Name: a}}\n  X:\n    Type: AWS::ApiGateway::Resource\n    Properties: {{RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: x}}\n  Id:\n    Type: AWS::ApiGateway::Resource\n    Properties: {{RestApiId: !Ref Api, ParentId: !Ref X, PathPart: '{{id}}'}}\n  Get:\n    Type: AWS::ApiGateway::Method\n    Properties:\n      RestApiId: !Ref Api\n      ResourceId: !Ref Id\n      HttpMethod: GET\n      AuthorizationType: NONE\n      Integration: {integration}\n  Stage:\n    Type: AWS::ApiGateway::Stage\n    Properties: {{RestApiId: !Ref Api, StageName: dev}}\n"
    )
}

#[test]
fn rule_h_1_to_h_10_rest_backends_from_openapi_and_cloudformation() {
    // (template, proxy, method, uri, timeout ms, request parameters)
    type Case<'a> = (String, bool, &'a str, &'a str, u64, Vec<(&'a str, &'a str)>);
    let cases: Vec<Case<'_>> = vec![
        (
            openapi_rest(
                "{type: http_proxy, httpMethod: any, uri: 'http://localhost:8080/pets/{id}', requestParameters: {integration.request.path.id: method.request.path.id}}",
            ),
            true,
            "ANY",
            "http://localhost:8080/pets/{id}",
            29_000,
            vec![("integration.request.path.id", "method.request.path.id")],
        ),
        (
            openapi_rest(
                "{type: HTTP, httpMethod: POST, uri: 'https://example.com/x', timeoutInMillis: 500, requestTemplates: {application/json: '{}'}, responses: {default: {statusCode: '200'}}}",
            ),
            false,
            "POST",
            "https://example.com/x",
            500,
            vec![],
        ),
        (
            cfn_rest(
                "{Type: HTTP_PROXY, IntegrationHttpMethod: GET, Uri: 'http://${stageVariables.host}/x', RequestParameters: {integration.request.header.X-A: \"'b'\"}}",
            ),
            true,
            "GET",
            "http://${stageVariables.host}/x",
            29_000,
            vec![("integration.request.header.X-A", "'b'")],
        ),
        (
            cfn_rest(
                "{Type: HTTP, IntegrationHttpMethod: PUT, Uri: 'http://localhost:3001/{id}', TimeoutInMillis: 1000, IntegrationResponses: [{StatusCode: '200'}, {StatusCode: '400', SelectionPattern: '4\\d{2}'}]}",
            ),
            false,
            "PUT",
            "http://localhost:3001/{id}",
            1000,
            vec![],
        ),
    ];
    for (template, proxy, method, uri, timeout, parameters) in cases {
        let stack = rest_api::ok(&template);
        let api = &stack.rest_apis[0];
        let Integration::Http(backend) = &rest_api::method(api, "/x/{id}", "GET").integration
        else {
            panic!("{template}");
        };
        assert_eq!(backend.proxy, proxy, "{template}");
        assert_eq!(backend.http_method, method, "{template}");
        assert_eq!(backend.uri, uri, "{template}");
        assert_eq!(
            backend.timeout,
            Duration::from_millis(timeout),
            "{template}"
        );
        let got: Vec<(&str, &str)> = backend
            .request_parameters
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(got, parameters, "{template}");
        assert_eq!(backend.mapping.responses.is_empty(), proxy, "{template}");
        assert!(backend.location.line > 1, "{template}");
    }
}

#[test]
fn rule_h_2_and_h_3_rest_backends_refused_or_warned_at_their_key() {
    let refused = [
        (
            openapi_rest("{type: http_proxy, uri: 'http://h/x'}"),
            "needs httpMethod",
        ),
        (
            openapi_rest("{type: http_proxy, httpMethod: GET}"),
            "needs uri",
        ),
        (
            openapi_rest("{type: http_proxy, httpMethod: GET, uri: 'ftp://h/x'}"),
            "is not an http:// or https:// URL",
        ),
        (
            openapi_rest("{type: http, httpMethod: GET, uri: 'http://h', timeoutInMillis: 30000}"),
            "timeoutInMillis",
        ),
        (
            cfn_rest(
                "{Type: HTTP_PROXY, IntegrationHttpMethod: GET, Uri: 'http://h', RequestParameters: {method.request.path.id: 'x'}}",
            ),
            "is not integration.request.path|querystring|header.<name>",
        ),
    ];
    for (template, message) in refused {
        let error = rest_api::load_text(&template, &[]).expect_err(message);
        assert!(error.message.contains(message), "{error}\nwant {message}");
        assert!(error.location.line > 1, "{error}");
    }
    let warned = [
        (
            openapi_rest(
                "{type: http_proxy, httpMethod: GET, uri: 'http://h/x', requestParameters: {integration.request.header.Content-Length: \"'1'\"}}",
            ),
            "mapping the Content-Length header deploys",
        ),
        (
            openapi_rest("{type: http_proxy, httpMethod: GET, uri: 'http://h:81/x'}"),
            "port 81",
        ),
    ];
    for (template, message) in warned {
        let stack = rest_api::ok(&template);
        assert!(
            stack.warnings.iter().any(|w| w.message.contains(message)),
            "{:?}\nwant {message}",
            stack.warnings
        );
    }
}

fn raw_http_api(integration: &str) -> String {
    format!(
        "Resources:\n  Api:\n    Type: AWS::ApiGatewayV2::Api\n    Properties: {{Name: a, ProtocolType: HTTP}}\n  Route:\n    Type: AWS::ApiGatewayV2::Route\n    Properties:\n      ApiId: !Ref Api\n      RouteKey: GET /x/{{id}}\n      Target: !Sub integrations/${{Integ}}\n  Integ:\n    Type: AWS::ApiGatewayV2::Integration\n    Properties: {integration}\n"
    )
}

fn openapi_http_api(integration: &str) -> String {
    format!(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Api:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n      DefinitionBody:\n        openapi: 3.0.1\n        paths:\n          /x/{{id}}:\n            get:\n              x-amazon-apigateway-integration: {integration}\n"
    )
}

#[test]
fn rule_h_13_http_api_backends_from_each_reader() {
    // (template, method, uri, timeout ms, parameters)
    type Case<'a> = (String, &'a str, &'a str, u64, Vec<(&'a str, &'a str)>);
    let cases: Vec<Case<'_>> = vec![
        (
            raw_http_api(
                "{ApiId: !Ref Api, IntegrationType: HTTP_PROXY, IntegrationMethod: post, IntegrationUri: 'http://localhost:8080/{id}', PayloadFormatVersion: '1.0', TimeoutInMillis: 1000, RequestParameters: {'append:header.X-A': '$request.header.x', 'overwrite:path': '/new'}}",
            ),
            "POST",
            "http://localhost:8080/{id}",
            1000,
            vec![
                ("append:header.X-A", "$request.header.x"),
                ("overwrite:path", "/new"),
            ],
        ),
        (
            // No IntegrationMethod: `HTTP_API_DEFAULT_INTEGRATION_METHOD`.
            raw_http_api(
                "{ApiId: !Ref Api, IntegrationType: HTTP_PROXY, IntegrationUri: 'https://example.com'}",
            ),
            super::HTTP_API_DEFAULT_INTEGRATION_METHOD,
            "https://example.com",
            30_000,
            vec![],
        ),
        (
            openapi_http_api(
                "{type: http_proxy, httpMethod: GET, uri: 'http://localhost:9/{id}', payloadFormatVersion: '1.0', requestParameters: {'remove:querystring.q': \"''\"}}",
            ),
            "GET",
            "http://localhost:9/{id}",
            30_000,
            vec![("remove:querystring.q", "''")],
        ),
    ];
    for (template, method, uri, timeout, parameters) in cases {
        let stack = http_api::ok(&template);
        let route = http_api::route(&stack.http_apis[0], "GET /x/{id}");
        let HttpIntegration::HttpProxy(backend) = &route.integration else {
            panic!("{template}: {:?}", route.integration);
        };
        assert_eq!(backend.http_method, method, "{template}");
        assert_eq!(backend.uri, uri, "{template}");
        assert_eq!(
            backend.timeout,
            Duration::from_millis(timeout),
            "{template}"
        );
        let got: Vec<(&str, &str)> = backend
            .request_parameters
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(got, parameters, "{template}");
    }
}

#[test]
fn rule_h_13_reserved_headers_and_bad_operations_are_refused() {
    let cases = [
        (
            "'overwrite:header.Authorization': x",
            "does not let mappings change the header 'Authorization'",
        ),
        ("'append:header.x-amz-date': x", "x-amz-date"),
        (
            "'append:header.Access-Control-Allow-Origin': x",
            "Access-Control-Allow-Origin",
        ),
        ("'append:path': x", "the path can only be overwritten"),
        ("'rename:header.a': x", "append, overwrite or remove"),
        (
            "'header.a': x",
            "is not `append|overwrite|remove:header.<name>`",
        ),
    ];
    for (parameter, message) in cases {
        let template = raw_http_api(&format!(
            "{{ApiId: !Ref Api, IntegrationType: HTTP_PROXY, IntegrationMethod: GET, IntegrationUri: 'http://h', RequestParameters: {{{parameter}}}}}"
        ));
        let error =
            http_api::load_text(&template, &crate::test_support::stubbed()).expect_err(message);
        assert!(error.message.contains(message), "{error}\nwant {message}");
    }
}

#[test]
fn rule_h_13_a_private_integration_to_a_listener_is_listed_not_served() {
    let template = raw_http_api(
        "{ApiId: !Ref Api, IntegrationType: HTTP_PROXY, IntegrationMethod: ANY, ConnectionType: VPC_LINK, ConnectionId: abc, IntegrationUri: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/a/b/c'}",
    );
    let stack = http_api::ok(&template);
    let route = http_api::route(&stack.http_apis[0], "GET /x/{id}");
    assert!(
        matches!(&route.integration, HttpIntegration::NotServed { integration_type } if integration_type.contains("VPC link")),
        "{:?}",
        route.integration
    );
    assert!(
        stack
            .warnings
            .iter()
            .any(|w| w.message.contains("VPC_LINK"))
    );
}
