//! REST request validation end to end (rules V.1–V.10): the real `gatewise serve`, real
//! Python functions, a real HTTP client. The LocalStack case recorded on AWS is replayed
//! request by request against its snapshot; then a SAM API with `RequestParameters` /
//! `RequestModel`, an OpenAPI body with validators, CORS on the 400s through `DEFAULT_4XX`,
//! and a real-world template served with `--stub-functions`.

mod support;

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use support::*;

/// A Python function answering 200 with the request body it received.
const ECHO_BODY: &str = "import json\ndef handler(event, context):\n    return {'statusCode': 200, 'body': event['body'] or ''}\n";

fn write_template(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("template.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

/// The recorded responses of LocalStack's `test_api_gateway_request_validator`.
fn recorded() -> Value {
    let path = acceptance("localstack/snapshots/test_apigateway_common.snapshot.json");
    let snapshot: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    snapshot["tests/aws/services/apigateway/test_apigateway_common.py::TestApiGatewayCommon::test_api_gateway_request_validator"]["recorded-content"].clone()
}

/// LocalStack's API as CloudFormation: `/nested/{test}` with `GET` and `POST`, both
/// requiring `method.request.path.<POST_PATH>` (GET: `test`), `querystring.qs1` and
/// `header.x-header-param`, `application/json` → `testSchema`, validated by
/// `test-validator` with the given rules.
fn recorded_api(post_path: &str, validate: bool) -> String {
    let method = |verb: &str, path_parameter: &str| {
        format!(
            "  {verb}Method:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref Test
      HttpMethod: {verb}
      AuthorizationType: NONE
      RequestValidatorId: !Ref Validator
      RequestParameters:
        method.request.path.{path_parameter}: true
        method.request.querystring.qs1: true
        method.request.header.x-header-param: true
      RequestModels: {{application/json: !Ref TestSchema}}
      Integration:
        Type: AWS_PROXY
        IntegrationHttpMethod: POST
        Uri: !Sub arn:aws:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/${{Fn.Arn}}/invocations
"
        )
    };
    let code: String = ECHO_BODY
        .lines()
        .map(|l| format!("          {l}\n"))
        .collect();
    format!(
        "Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Code:
        ZipFile: |
{code}  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {{Name: aws lambda api}}
  Nested:
    Type: AWS::ApiGateway::Resource
    Properties: {{RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: nested}}
  Test:
    Type: AWS::ApiGateway::Resource
    Properties: {{RestApiId: !Ref Api, ParentId: !Ref Nested, PathPart: '{{test}}'}}
  Validator:
    Type: AWS::ApiGateway::RequestValidator
    Properties: {{RestApiId: !Ref Api, Name: test-validator, ValidateRequestBody: {validate}, ValidateRequestParameters: {validate}}}
  TestSchema:
    Type: AWS::ApiGateway::Model
    Properties:
      RestApiId: !Ref Api
      Name: testSchema
      ContentType: application/json
      Schema:
        $schema: http://json-schema.org/draft-04/schema#
        title: testSchema
        type: object
        properties: {{a: {{type: number}}, b: {{type: number}}}}
        required: [a, b]
{}{}  Stage:
    Type: AWS::ApiGateway::Stage
    Properties: {{RestApiId: !Ref Api, StageName: local}}
",
        method("GET", "test"),
        method("POST", post_path)
    )
}

async fn send(
    s: &Server,
    method: reqwest::Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> (u16, reqwest::header::HeaderMap, String) {
    let mut request = client().request(method, s.url(path));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request.body(body.to_owned());
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

const JSON: (&str, &str) = ("content-type", "application/json");
const PLAIN: (&str, &str) = ("content-type", "text/plain");
const XML: (&str, &str) = ("content-type", "application/xml");
const HEADER: (&str, &str) = ("x-header-param", "test");

/// LocalStack `TestApiGatewayCommon::test_api_gateway_request_validator` (recorded on AWS
/// 2024-01-10), request by request, each answer compared with the recording (rules V.1–V.5).
#[tokio::test]
async fn localstack_test_api_gateway_request_validator() {
    use reqwest::Method;
    let recorded = recorded();
    let dir = tempfile::tempdir().unwrap();

    // POST requires the path parameter `issuer`, which `/nested/{test}` does not have.
    let s = Server::start(
        &write_template(dir.path(), &recorded_api("issuer", true)),
        &["--warm", "lazy"],
    );
    let (status, headers, body) = send(
        &s,
        Method::POST,
        "/nested/value",
        &[JSON],
        Some(r#"{"test": "test"}"#),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        json_of(&body),
        recorded["missing-all-required-request-params-post"]
    );
    assert_eq!(headers["x-amzn-errortype"], "BadRequestException");
    let (status, _, body) = send(&s, Method::GET, "/nested/value?qs1=test", &[], None).await;
    assert_eq!(status, 400);
    assert_eq!(
        json_of(&body),
        recorded["missing-required-headers-request-params-get"]
    );
    let (status, _, body) = send(&s, Method::GET, "/nested/value", &[HEADER], None).await;
    assert_eq!(status, 400);
    assert_eq!(
        json_of(&body),
        recorded["missing-required-qs-request-params-get"]
    );
    // The log says which parameters are missing and where each is declared.
    let log = s.wait_for_log("requires header x-header-param (");
    assert!(
        log.contains("path parameter issuer (") && log.contains("query string parameter qs1 ("),
        "{log}"
    );
    drop(s);

    // Reverted: POST requires `test` again.
    let s = Server::start(
        &write_template(dir.path(), &recorded_api("test", true)),
        &["--warm", "lazy"],
    );
    let valid = r#"{"a": 1, "b": 2}"#;
    let (status, _, body) = send(
        &s,
        Method::POST,
        "/nested/value?qs1=test",
        &[JSON, HEADER],
        Some(valid),
    )
    .await;
    assert_eq!(status, 200, "{body}\n{}", s.stderr());
    assert_eq!(json_of(&body), json!({"a": 1, "b": 2}));
    let (status, _, body) = send(
        &s,
        Method::POST,
        "/nested/value?qs1=test",
        &[JSON, HEADER],
        Some(r#"{"test": "test"}"#),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(json_of(&body), recorded["invalid-request-body"]);
    // A GET without a body, with and without `Content-Type: application/json`.
    for headers in [&[HEADER][..], &[HEADER, JSON][..]] {
        let (status, _, body) =
            send(&s, Method::GET, "/nested/value?qs1=test", headers, None).await;
        assert_eq!(status, 400, "{headers:?}");
        assert_eq!(json_of(&body), json!({"message": "Invalid request body"}));
    }
    let log = s.wait_for_log("against model 'testSchema' (");
    assert!(log.contains("fails schema rule /required"), "{log}");
    drop(s);

    // The validator turned off: nothing is checked.
    let s = Server::start(
        &write_template(dir.path(), &recorded_api("test", false)),
        &["--warm", "lazy"],
    );
    let (status, _, body) = send(
        &s,
        Method::POST,
        "/nested/value",
        &[JSON],
        Some(r#"{"test": "test"}"#),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(json_of(&body), json!({"test": "test"}));
    let (status, _, _) = send(&s, Method::GET, "/nested/value", &[], None).await;
    assert_eq!(status, 200);
}

/// A SAM API: an `Api` event with `RequestParameters` and `RequestModel` (validated body and
/// parameters, rule V.9), `Models`, and a `DEFAULT_4XX` gateway response that adds
/// Allow-Origin — which applies to the validation 400s (rule V.7), so a browser can read
/// them and gatewise logs no CORS explanation.
const SAM_API: &str = "Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            return {'statusCode': 201, 'body': event['body']}
      Events:
        Create:
          Type: Api
          Properties:
            RestApiId: !Ref OrdersApi
            Path: /orders
            Method: post
            RequestParameters:
              - method.request.header.x-tenant-id: {Required: true}
              - method.request.querystring.dry-run
            RequestModel: {Model: Order, Required: true, ValidateBody: true, ValidateParameters: true}
  OrdersApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      Models:
        Order:
          type: object
          required: [item, quantity]
          properties:
            item: {type: string}
            quantity: {type: integer, minimum: 1}
      GatewayResponsesPLACEHOLDER
";

const DEFAULT_4XX: &str = "GatewayResponses:
        DEFAULT_4XX:
          ResponseParameters:
            Headers:
              Access-Control-Allow-Origin: \"'*'\"";

#[tokio::test]
async fn rule_v_9_sam_request_parameters_and_request_model() {
    use reqwest::Method;
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(
        &write_template(
            dir.path(),
            &SAM_API.replace("GatewayResponsesPLACEHOLDER", DEFAULT_4XX),
        ),
        &["--warm", "lazy"],
    );
    let origin = ("origin", PAGE_ORIGIN);
    let tenant = ("x-tenant-id", "t1");
    let order = r#"{"item": "book", "quantity": 2}"#;

    let (status, headers, body) =
        send(&s, Method::POST, "/orders", &[origin, JSON], Some(order)).await;
    assert_eq!(status, 400);
    assert_eq!(
        json_of(&body),
        json!({"message": "Missing required request parameters: [x-tenant-id]"})
    );
    assert_eq!(headers["access-control-allow-origin"], "*");

    let cases = [
        (r#"{"item": "book"}"#, 400),
        (r#"{"item": "book", "quantity": 0}"#, 400),
        ("item=book", 400),
        (order, 201),
    ];
    for (payload, want) in cases {
        // The function adds no CORS headers; only the gateway's 400s are sent cross-origin.
        let headers: &[(&str, &str)] = if want == 400 {
            &[origin, JSON, tenant]
        } else {
            &[JSON, tenant]
        };
        let (status, headers, body) =
            send(&s, Method::POST, "/orders", headers, Some(payload)).await;
        assert_eq!(status, want, "{payload}: {body}");
        if want == 400 {
            assert_eq!(json_of(&body), json!({"message": "Invalid request body"}));
            assert_eq!(headers["access-control-allow-origin"], "*");
        } else {
            assert_eq!(body, order);
        }
    }
    // The 400s carry Allow-Origin: the browser can read them.
    assert_not_explained(&s, "POST /orders");
    let log = s.stderr();
    assert!(
        log.contains("[gateway: BAD_REQUEST_BODY, shaped by the configured DEFAULT_4XX (")
            && log.contains("body /quantity fails schema rule /properties/quantity/minimum"),
        "{log}"
    );
}

/// Without a `DEFAULT_4XX` the validation 400 has no CORS headers: the browser blocks it, and
/// gatewise says so (rule V.7).
#[tokio::test]
async fn rule_v_7_validation_400_without_gateway_responses_is_blocked_by_browsers() {
    use reqwest::Method;
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(
        &write_template(
            dir.path(),
            &SAM_API.replace("GatewayResponsesPLACEHOLDER", ""),
        ),
        &["--warm", "lazy"],
    );
    let (status, headers, _) = send(
        &s,
        Method::POST,
        "/orders",
        &[("origin", PAGE_ORIGIN), JSON],
        Some("{}"),
    )
    .await;
    assert_eq!(status, 400);
    assert!(headers.get("access-control-allow-origin").is_none());
    let line = explanation(&s, "POST /orders");
    assert!(line.contains("BAD_REQUEST_PARAMETERS"), "{line}");
}

/// An OpenAPI 3 document with validators: a document-wide default, an operation override, a
/// `$default` model and a content type without a model (rule V.10, V.4).
const OPENAPI: &str = "Transform: AWS::Serverless-2016-10-31
Resources:
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            return {'statusCode': 200, 'body': event['body'] or ''}
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      DefinitionBody:
        openapi: 3.0.1
        info: {title: notes, version: '1'}
        x-amazon-apigateway-request-validators:
          all: {validateRequestBody: true, validateRequestParameters: true}
          body-only: {validateRequestBody: true, validateRequestParameters: false}
        x-amazon-apigateway-request-validator: all
        components:
          schemas:
            Note:
              type: object
              required: [text]
              properties:
                text: {type: string, maxLength: 10}
                tags: {type: array, items: {$ref: '#/components/schemas/Tag'}}
            Tag: {type: string, enum: [red, green]}
        paths:
          /notes:
            post:
              parameters:
                - {in: query, name: notebook, required: true, schema: {type: string}}
              requestBody:
                content:
                  application/json: {schema: {$ref: '#/components/schemas/Note'}}
                  $default: {schema: {type: string}}
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Echo.Arn}/invocations
            put:
              x-amazon-apigateway-request-validator: body-only
              parameters:
                - {in: query, name: notebook, required: true, schema: {type: string}}
              requestBody:
                content:
                  application/json: {schema: {$ref: '#/components/schemas/Note'}}
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Echo.Arn}/invocations
";

/// One request of a table and the status it must get: method, path, headers, body.
type Exchange = (
    reqwest::Method,
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
    u16,
);

#[tokio::test]
async fn rule_v_10_openapi_body_with_validators() {
    use reqwest::Method;
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(&write_template(dir.path(), OPENAPI), &["--warm", "lazy"]);
    let cases: &[Exchange] = &[
        (Method::POST, "/notes", &[JSON], r#"{"text": "hi"}"#, 400),
        (
            Method::POST,
            "/notes?notebook=a",
            &[JSON],
            r#"{"text": "hi", "tags": ["red"]}"#,
            200,
        ),
        (
            Method::POST,
            "/notes?notebook=a",
            &[JSON],
            r#"{"text": "hi", "tags": ["blue"]}"#,
            400,
        ),
        (
            Method::POST,
            "/notes?notebook=a",
            &[JSON],
            r#"{"text": "far too long a note"}"#,
            400,
        ),
        // `$default`: any other content type must be a JSON string.
        (
            Method::POST,
            "/notes?notebook=a",
            &[PLAIN],
            r#""a string""#,
            200,
        ),
        (
            Method::POST,
            "/notes?notebook=a",
            &[PLAIN],
            "free text",
            400,
        ),
        // PUT validates only the body, and only `application/json` has a model.
        (Method::PUT, "/notes", &[JSON], r#"{"text": "hi"}"#, 200),
        (Method::PUT, "/notes", &[JSON], r#"{"txt": "hi"}"#, 400),
        (Method::PUT, "/notes", &[XML], "<note/>", 200),
    ];
    for (method, path, headers, body, want) in cases {
        let (status, _, text) = send(&s, method.clone(), path, headers, Some(body)).await;
        assert_eq!(status, *want, "{method} {path} {headers:?} {body}: {text}");
        if *want == 200 {
            assert_eq!(text, *body);
        }
    }
}

/// serverless-patterns `apigw-lambda-tenant-isolation` (external §3 row 5), served with its
/// functions stubbed: `GET /isolated` requires `x-tenant-id` (rule V.1).
#[tokio::test]
async fn rule_v_1_real_world_tenant_isolation_requires_the_tenant_header() {
    use reqwest::Method;
    let template =
        acceptance("real-world/serverless-patterns/apigw-lambda-tenant-isolation/template.yaml");
    assert!(template.is_file(), "{} is missing", template.display());
    let s = Server::start(&template, &["--stub-functions", "--warm", "lazy"]);
    let (status, headers, body) = send(&s, Method::GET, "/isolated", &[], None).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        json_of(&body),
        json!({"message": "Missing required request parameters: [x-tenant-id]"})
    );
    assert_eq!(headers["x-amzn-errortype"], "BadRequestException");
    let (status, _, _) = send(&s, Method::GET, "/isolated", &[("x-tenant-id", "t1")], None).await;
    assert_eq!(status, 200);
    // `/standard` declares the header optional and has no validator.
    let (status, _, _) = send(&s, Method::GET, "/standard", &[], None).await;
    assert_eq!(status, 200);
    let log = s.wait_for_log("requires header x-tenant-id (");
    assert!(log.contains("template.yaml:224:9"), "{log}");
}
