//! Raw `AWS::ApiGateway::*` REST APIs end to end: the resource tree with its stage, methods and
//! their integrations (mock, Lambda proxy, non-proxy Lambda, AWS services), authorizers,
//! gateway responses and API keys.

use gatewise_model::{Authorization, AuthorizerKind, Integration, PassthroughBehavior, Stack};

use super::DEFAULT_STAGE;
use crate::test_support::rest_api::{api, load_text, method, ok};

const CFN: &str = r#"{
  "Resources": {
    "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "nodejs20.x", "Handler": "index.handler", "Code": {"ZipFile": "x"}}},
    "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "a", "BinaryMediaTypes": ["image/png"]}},
    "Items": {"Type": "AWS::ApiGateway::Resource", "Properties": {"ParentId": {"Fn::GetAtt": ["Api", "RootResourceId"]}, "PathPart": "items", "RestApiId": {"Ref": "Api"}}},
    "Cors": {"Type": "AWS::ApiGateway::Resource", "Properties": {"ParentId": {"Ref": "Items"}, "PathPart": "{cors+}", "RestApiId": {"Ref": "Api"}}},
    "Options": {"Type": "AWS::ApiGateway::Method", "Properties": {"HttpMethod": "OPTIONS", "ResourceId": {"Ref": "Cors"}, "RestApiId": {"Ref": "Api"}, "AuthorizationType": "NONE",
      "Integration": {"Type": "MOCK", "RequestTemplates": {"application/json": "{ statusCode: 200 }"}, "PassthroughBehavior": "WHEN_NO_MATCH",
        "IntegrationResponses": [{"StatusCode": "204", "ResponseParameters": {"method.response.header.Access-Control-Allow-Origin": "'*'"}}]}}},
    "Any": {"Type": "AWS::ApiGateway::Method", "Properties": {"HttpMethod": "ANY", "ResourceId": {"Fn::GetAtt": ["Api", "RootResourceId"]}, "RestApiId": {"Ref": "Api"},
      "AuthorizationType": "CUSTOM", "AuthorizerId": {"Ref": "Auth"}, "ApiKeyRequired": true,
      "Integration": {"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST", "Uri": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":apigateway:", {"Ref": "AWS::Region"}, ":lambda:path/2015-03-31/functions/", {"Fn::GetAtt": ["Fn", "Arn"]}, "/invocations"]]}}}},
    "Auth": {"Type": "AWS::ApiGateway::Authorizer", "Properties": {"Type": "TOKEN", "IdentitySource": "method.request.header.Authorization", "RestApiId": {"Ref": "Api"},
      "AuthorizerUri": {"Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"}}},
    "Deploy": {"Type": "AWS::ApiGateway::Deployment", "Properties": {"RestApiId": {"Ref": "Api"}}},
    "Stage": {"Type": "AWS::ApiGateway::Stage", "Properties": {"StageName": "v1", "RestApiId": {"Ref": "Api"}, "DeploymentId": {"Ref": "Deploy"}, "Variables": {"a": "b"}}},
    "R4": {"Type": "AWS::ApiGateway::GatewayResponse", "Properties": {"ResponseType": "DEFAULT_4XX", "RestApiId": {"Ref": "Api"},
      "ResponseParameters": {"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"}, "ResponseTemplates": {"application/json": "{\"message\":$context.error.messageString}"}}},
    "Key": {"Type": "AWS::ApiGateway::ApiKey", "Properties": {"Value": "abcdefghijklmnopqrst", "Enabled": false}},
    "Key2": {"Type": "AWS::ApiGateway::ApiKey", "Properties": {}},
    "Plan": {"Type": "AWS::ApiGateway::UsagePlan", "Properties": {}}
  }
}"#;

#[test]
fn cloudformation_resource_tree_cors_greedy_and_mock_integration_responses() {
    let stack = ok(CFN);
    let api = api(&stack, "Api");
    assert_eq!(api.stage, "v1");
    assert_eq!(api.stage_variables["a"], "b");
    assert_eq!(api.binary_media_types, ["image/png"]);
    let options = method(api, "/items/{cors+}", "OPTIONS");
    let Integration::Mock(mock) = &options.integration else {
        panic!()
    };
    assert_eq!(
        mock.request_templates["application/json"].text,
        "{ statusCode: 200 }"
    );
    assert_eq!(mock.responses[0].status_code, "204");
    assert_eq!(
        mock.responses[0].response_parameters["method.response.header.Access-Control-Allow-Origin"],
        "'*'"
    );
    let any = method(api, "/", "ANY");
    assert!(matches!(
        any.integration,
        Integration::LambdaProxy { function: 0, .. }
    ));
    assert!(any.api_key_required && any.provenance.api_key_required_at.is_some());
    let Authorization::Authorizer(auth) = &any.authorization else {
        panic!()
    };
    assert_eq!((auth.kind, auth.function), (AuthorizerKind::Token, Some(0)));
    assert_eq!(
        api.gateway_responses[0].response_parameters["gatewayresponse.header.Access-Control-Allow-Origin"],
        "'*'"
    );
    assert_eq!(stack.api_keys.len(), 2);
    assert!(!stack.api_keys[0].enabled && !stack.api_keys[0].generated);
    assert!(stack.api_keys[1].generated && stack.api_keys[1].enabled);

    // Deployment stage, then the default with a warning.
    let no_stage = CFN
        .replace(r#""StageName": "v1", "#, r#""Ignored": "x", "#)
        .replace(
            r#""Stage": {"Type": "AWS::ApiGateway::Stage""#,
            r#""Stage": {"Type": "AWS::S3::Bucket""#,
        );
    let stack = ok(&no_stage);
    assert_eq!(api_stage(&stack), DEFAULT_STAGE);
    assert!(
        stack
            .warnings
            .iter()
            .any(|w| w.message.contains("no AWS::ApiGateway::Stage"))
    );
    let deployment = no_stage.replace(
        r#""Properties": {"RestApiId": {"Ref": "Api"}}}"#,
        r#""Properties": {"RestApiId": {"Ref": "Api"}, "StageName": "dep"}}"#,
    );
    assert_eq!(api_stage(&ok(&deployment)), "dep");

    // A cycle and a missing parent are located errors.
    let cycle = CFN.replace(
        r#""ParentId": {"Fn::GetAtt": ["Api", "RootResourceId"]}, "PathPart": "items""#,
        r#""ParentId": {"Ref": "Cors"}, "PathPart": "items""#,
    );
    let err = load_text(&cycle, &[]).expect_err("cycle");
    assert!(err.message.contains("loops"), "{err}");
    let missing = CFN.replace(
        r#""ParentId": {"Ref": "Items"}"#,
        r#""ParentId": {"Ref": "Nope"}"#,
    );
    let err = load_text(&missing, &[]).expect_err("missing");
    assert!(err.message.contains("ParentId must be"), "{err}");
}

fn api_stage(stack: &Stack) -> &str {
    &api(stack, "Api").stage
}

/// `Type: AWS` with a Lambda `Uri` is a non-proxy Lambda integration carrying its templates
/// and integration responses; other `AWS` service integrations stay not served.
#[test]
fn cloudformation_aws_lambda_integration_keeps_its_mapping() {
    let lambda_uri = r#"{"Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"}"#;
    let template = CFN.replace(
        r#""Deploy": {"#,
        &format!(
            r#""Custom": {{"Type": "AWS::ApiGateway::Method", "Properties": {{"HttpMethod": "POST", "ResourceId": {{"Ref": "Items"}}, "RestApiId": {{"Ref": "Api"}}, "AuthorizationType": "NONE",
      "Integration": {{"Type": "AWS", "IntegrationHttpMethod": "POST", "Uri": {lambda_uri}, "TimeoutInMillis": 5000, "PassthroughBehavior": "NEVER",
        "RequestTemplates": {{"application/json": "{{\"statusCode\": 200}}"}},
        "IntegrationResponses": [
          {{"StatusCode": "200", "ResponseParameters": {{"method.response.header.Access-Control-Allow-Origin": "'*'"}}, "ResponseTemplates": {{"application/json": "$input.body"}}}},
          {{"StatusCode": "400", "SelectionPattern": ".*Bad.*"}}]}}}}}},
    "Queue": {{"Type": "AWS::ApiGateway::Method", "Properties": {{"HttpMethod": "PUT", "ResourceId": {{"Ref": "Items"}}, "RestApiId": {{"Ref": "Api"}}, "AuthorizationType": "NONE",
      "Integration": {{"Type": "AWS", "IntegrationHttpMethod": "POST", "Uri": "arn:aws:apigateway:us-east-1:sqs:path/123456789012/queue"}}}}}},
    "Deploy": {{"#
        ),
    );
    let stack = ok(&template);
    let api = api(&stack, "Api");
    let Integration::Lambda {
        function,
        timeout,
        mapping,
    } = &method(api, "/items", "POST").integration
    else {
        panic!("{:?}", method(api, "/items", "POST").integration)
    };
    assert_eq!((*function, timeout.as_millis()), (0, 5000));
    assert_eq!(mapping.passthrough_behavior, PassthroughBehavior::Never);
    assert_eq!(
        mapping.request_templates["application/json"].text,
        "{\"statusCode\": 200}"
    );
    assert_eq!(mapping.responses.len(), 2);
    assert_eq!(mapping.responses[0].selection_pattern, None);
    assert_eq!(
        mapping.responses[0].response_templates["application/json"].text,
        "$input.body"
    );
    assert_eq!(
        mapping.responses[1].selection_pattern.as_deref(),
        Some(".*Bad.*")
    );
    assert_eq!(mapping.responses[1].status_code, "400");
    assert_eq!(
        method(api, "/items", "PUT").integration,
        Integration::NotServed {
            integration_type: "AWS".to_owned()
        }
    );
    assert!(
        stack
            .warnings
            .iter()
            .any(|w| w.message.contains("AWS service integrations are not run"))
    );
}

/// Rule M.2: a template API Gateway deploys but cannot run loads with a warning at its file
/// position, with the position inside the template (the gateway answers its requests 500). A
/// literal block (`|`) maps template lines onto file lines; a string with escapes cannot, so
/// the string's own position is named. A template over 300 KB does not deploy: an error.
#[test]
fn mapping_template_parse_errors_name_the_file_and_the_template_position() {
    const YAML: &str = "Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: a}
  Get:
    Type: AWS::ApiGateway::Method
    Properties:
      HttpMethod: GET
      ResourceId: !GetAtt Api.RootResourceId
      RestApiId: !Ref Api
      Integration:
        Type: MOCK
        RequestTemplates:
          application/json: |
            {\"statusCode\": 200}
            #foreach($x in [1, 2])
              $x
        IntegrationResponses:
          - StatusCode: '200'
            ResponseTemplates:
              application/json: \"#include('x')\"
";
    // The missing `#end` is reported where the template ends: its line 4.
    let warning = |yaml: &str| {
        let stack = load_text(yaml, &[]).expect("templates that deploy load");
        let warning = stack
            .warnings
            .iter()
            .find(|w| w.message.contains("of the template"))
            .expect("a warning for the template")
            .clone();
        (
            warning.location.line,
            warning.location.column,
            warning.message,
        )
    };
    let (line, column, message) = warning(YAML);
    assert_eq!((line, column), (18, 13));
    assert!(
        message.starts_with(
            "the application/json request template of GET /: line 4, column 1 of the template: \
             #foreach is never closed: add #end"
        ),
        "{message}"
    );
    let fixed = YAML.replace("              $x\n", "              $x\n            #end\n");
    let (line, column, message) = warning(&fixed);
    assert_eq!((line, column), (22, 34));
    assert!(
        message.starts_with(
            "the application/json response template of GET /: line 1, column 1 of the template: "
        ),
        "{message}"
    );
    let escaped = fixed.replace("\"#include('x')\"", "\"\\\"#include('x')\"");
    let (line, column, message) = warning(&escaped);
    assert_eq!((line, column), (22, 33));
    assert!(
        message.contains("line 1, column 2 of the template"),
        "{message}"
    );
    let oversized = fixed.replace(
        "\"#include('x')\"",
        &format!("'{}'", "x".repeat(gatewise_vtl::MAX_TEMPLATE_BYTES + 1)),
    );
    let error = load_text(&oversized, &[]).expect_err("over 300 KB");
    assert!(
        error
            .message
            .contains("API Gateway refuses mapping templates over"),
        "{error}"
    );
}
