//! What real templates do that gatewise must take as AWS takes it: `Api` events written only
//! for the Lambda permission, HTTP API AWS service integrations, and `--stub-functions` shown
//! for what it is (a stand-in, never judged as the user's code).

mod support;

use std::path::{Path, PathBuf};

use support::*;

fn project(template: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::write(
        dir.path().join("src/index.js"),
        "exports.handler = async () => ({statusCode: 200, body: 'ok'});\n",
    )
    .unwrap();
    let path = dir.path().join("template.yaml");
    std::fs::write(&path, template).unwrap();
    (dir, path)
}

fn routes(template: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["routes", template.to_str().unwrap()];
    args.extend_from_slice(extra);
    run_gatewise(&args, template.parent().unwrap())
}

/// An `Api` event with `Method: '*'` or `Path: '/*'` deploys on AWS (SAM only grants API
/// Gateway the invoke permission with it) and serves no route: the template loads, the other
/// routes are served, and a warning at the event says what it does.
#[tokio::test]
async fn star_api_events_load_and_serve_no_route() {
    let (_dir, template) = project(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: nodejs20.x\n      Handler: index.handler\n      CodeUri: src/\n      Events:\n        Permission:\n          Type: Api\n          Properties:\n            Path: /*\n            Method: '*'\n        Hello:\n          Type: Api\n          Properties:\n            Path: /hello\n            Method: get\n",
    );
    let (code, stdout, stderr) = routes(&template, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.lines().count(), 2, "only GET /hello: {stdout}");
    assert!(
        stderr.contains("template.yaml:13:19: warning:") && stderr.contains("serves no route"),
        "{stderr}"
    );
    let s = Server::start(&template, &["--warm", "lazy"]);
    assert_eq!(
        client().get(s.url("/hello")).send().await.unwrap().status(),
        200
    );
    let star = client().get(s.url("/anything")).send().await.unwrap();
    assert_eq!(
        star.status(),
        403,
        "no route: Missing Authentication Token (rule 5.1)"
    );
}

/// HTTP API first-class AWS service integrations (`integrationSubtype`, no `uri`) deploy; they
/// are listed as not served and answer 500 with a log line, in OpenAPI and in raw
/// `AWS::ApiGatewayV2::Integration` form.
#[tokio::test]
async fn http_api_service_integrations_are_listed_and_answer_500() {
    let (_dir, template) = project(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Queue:\n    Type: AWS::SQS::Queue\n  Api:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n      DefinitionBody:\n        openapi: 3.0.1\n        info: {title: q, version: '1'}\n        paths:\n          /send:\n            post:\n              x-amazon-apigateway-integration:\n                integrationSubtype: SQS-SendMessage\n                requestParameters: {QueueUrl: !Ref Queue, MessageBody: $request.body.message}\n                payloadFormatVersion: '1.0'\n                type: aws_proxy\n  Raw:\n    Type: AWS::ApiGatewayV2::Api\n    Properties: {Name: raw, ProtocolType: HTTP}\n  RawIntegration:\n    Type: AWS::ApiGatewayV2::Integration\n    Properties:\n      ApiId: !Ref Raw\n      IntegrationType: AWS_PROXY\n      IntegrationSubtype: EventBridge-PutEvents\n      PayloadFormatVersion: '1.0'\n  RawRoute:\n    Type: AWS::ApiGatewayV2::Route\n    Properties: {ApiId: !Ref Raw, RouteKey: POST /raw, Target: !Sub 'integrations/${RawIntegration}'}\n",
    );
    let (code, stdout, stderr) = routes(&template, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("AWS service SQS-SendMessage integration (not served yet)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("AWS service EventBridge-PutEvents integration (not served yet)"),
        "{stdout}"
    );
    assert!(stderr.contains("template.yaml:15:37: warning:"), "{stderr}");
    let s = Server::start(&template, &[]);
    let response = client()
        .post(s.url("/send"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    s.wait_for_log("SQS-SendMessage");
}

/// `--stub-functions`: a load error it would fix says so; the route table shows the stub as a
/// stub; a browser refusal of the stub's answer is not blamed on the function's code.
#[tokio::test]
async fn stub_functions_are_named_as_stubs() {
    let template_text = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      CodeUri: not-built-yet/\n      Events:\n        Hello:\n          Type: Api\n          Properties: {Path: /hello, Method: get}\n";
    let (_dir, template) = project(template_text);
    let (code, _, stderr) = routes(&template, &[]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("template.yaml:8:") && stderr.contains("--stub-functions"),
        "{stderr}"
    );
    let (code, stdout, _) = routes(&template, &["--stub-functions"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("function Fn (stub)"), "{stdout}");
    let s = Server::start(&template, &["--stub-functions"]);
    let response = client()
        .get(s.url("/hello"))
        .header("Origin", PAGE_ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let line = explanation(&s, "GET /hello");
    assert!(
        line.contains("--stub-functions stand-in")
            && !line.contains("return `Access-Control-Allow-Origin` from the function"),
        "{line}"
    );
}

/// Two APIs whose routes collide (on AWS each has its own host): each gets its own port and
/// `Listening on` line; `--api` narrows to one; routes within one API that collide are still
/// a located error.
#[tokio::test]
async fn colliding_apis_get_a_port_each() {
    let (_dir, template) = project(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  First:\n    Type: AWS::Serverless::HttpApi\n  Second:\n    Type: AWS::Serverless::HttpApi\n  One:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: nodejs20.x\n      Handler: index.handler\n      InlineCode: \"exports.handler = async () => ({statusCode: 200, body: 'one'});\"\n      Events:\n        All: {Type: HttpApi, Properties: {ApiId: !Ref First, Path: $default, Method: any}}\n  Two:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: nodejs20.x\n      Handler: index.handler\n      InlineCode: \"exports.handler = async () => ({statusCode: 200, body: 'two'});\"\n      Events:\n        All: {Type: HttpApi, Properties: {ApiId: !Ref Second, Path: $default, Method: any}}\n        Rest: {Type: Api, Properties: {Path: /rest, Method: get}}\n",
    );
    let (code, stdout, stderr) = routes(&template, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("port +1: Second"), "{stdout}");
    let s = Server::start(&template, &["--warm", "lazy"]);
    let first = s.listener(0);
    let second = s.listener(1);
    assert_ne!(first, second);
    assert!(
        s.stdout_head.contains("Listening on http://"),
        "{}",
        s.stdout_head
    );
    let text = |url: String| async move {
        client()
            .get(url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    assert_eq!(text(format!("{first}/anything")).await, "one");
    assert_eq!(text(format!("{second}/anything")).await, "two");
    // The REST API shares the first port (its routes collide with neither).
    assert_eq!(
        client()
            .get(format!("{first}/rest"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // --api narrows to one API, one port.
    let (code, stdout, _) = routes(&template, &["--api", "Second"]);
    assert_eq!(code, 0);
    assert!(!stdout.contains("port +1"), "{stdout}");
    // Two routes of one API that are the same route: a located error (AWS refuses it too).
    let (_dir2, same) = project(
        "Resources:\n  Api:\n    Type: AWS::ApiGatewayV2::Api\n    Properties: {Name: a, ProtocolType: HTTP}\n  R1:\n    Type: AWS::ApiGatewayV2::Route\n    Properties: {ApiId: !Ref Api, RouteKey: 'GET /items/{id}'}\n  R2:\n    Type: AWS::ApiGatewayV2::Route\n    Properties: {ApiId: !Ref Api, RouteKey: 'GET /items/{name}'}\n",
    );
    let (code, _, stderr) = routes(&same, &[]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with(&format!("{}:", same.display())) && stderr.contains("same route"),
        "{stderr}"
    );
}

/// YAML as CloudFormation and SAM CLI read it: a duplicate key loads with a located warning
/// (the last one wins), and a flow collection closed at the parent key's indentation loads.
#[tokio::test]
async fn yaml_that_cloudformation_accepts_loads() {
    let (_dir, template) = project(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: nodejs20.x\n      Handler: index.nothere\n      Handler: index.handler\n      CodeUri: src/\n      Architectures: [\n        x86_64\n    ]\n      Events:\n        Hello:\n          Type: Api\n          Properties: {Path: /hello, Method: get}\n",
    );
    let s = Server::start(&template, &["--warm", "lazy"]);
    // stderr is read on its own thread: wait for the warning rather than race it.
    s.wait_for_log("template.yaml:8:7: warning: duplicate key 'Handler'");
    let response = client().get(s.url("/hello")).send().await.unwrap();
    assert_eq!(response.status(), 200, "the last Handler runs");
    assert_eq!(response.text().await.unwrap(), "ok");
}
