//! REST `HTTP_PROXY` / `HTTP` and HTTP API `HTTP_PROXY` integrations end to end (rules
//! H.1–H.13): a real local HTTP backend (axum on a free port) records every request it gets,
//! the real `gatewise serve` sits in front of it, and a real client checks what came back —
//! from an OpenAPI body, raw CloudFormation and Terraform.

mod support;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use serde_json::{Value, json};
use support::*;

/// What the backend received.
#[derive(Debug, Clone)]
struct Received {
    method: String,
    /// Path and query as sent.
    target: String,
    /// `(lower-case name, value)` in order.
    headers: Vec<(String, String)>,
    body: String,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<Received>>>);

impl Log {
    fn last(&self) -> Received {
        self.0
            .lock()
            .unwrap()
            .last()
            .cloned()
            .expect("the backend got a request")
    }

    fn count(&self) -> usize {
        self.0.lock().unwrap().len()
    }
}

/// The backend: records the request, then answers by path — `/status/N` with status N,
/// `/redirect` with a 302, `/slow` after 2 s, paths containing `cors` with
/// `Access-Control-Allow-Origin: *`, anything else 200 with a JSON echo of the request.
async fn backend(State(log): State<Log>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let received = Received {
        method: parts.method.to_string(),
        target: parts
            .uri
            .path_and_query()
            .map_or_else(String::new, |p| p.to_string()),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("?").to_owned()))
            .collect(),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    log.0.lock().unwrap().push(received.clone());
    let path = parts.uri.path();
    let mut response = Response::builder()
        .header("content-type", "application/json")
        .header("server", "tiny-backend")
        .header("x-amzn-requestid", "backend-id")
        .header("x-backend", "v1");
    if path.contains("cors") {
        response = response.header("access-control-allow-origin", "*");
    }
    if let Some(status) = path.strip_prefix("/status/") {
        return response
            .status(status.parse::<u16>().unwrap_or(500))
            .body(Body::from(r#"{"error":"from the backend"}"#))
            .unwrap();
    }
    if path == "/redirect" {
        return response
            .status(302)
            .header("location", "/elsewhere")
            .body(Body::empty())
            .unwrap();
    }
    if path == "/big" {
        return response
            .body(Body::from(vec![b'a'; 10 * 1024 * 1024 + 1]))
            .unwrap();
    }
    if path == "/slow" {
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    let echo = json!({"method": received.method, "target": received.target, "body": received.body});
    response.body(Body::from(echo.to_string())).unwrap()
}

/// Starts the backend on a free loopback port.
async fn start_backend() -> (SocketAddr, Log) {
    let log = Log::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let app = axum::Router::new()
        .fallback(backend)
        .with_state(log.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (address, log)
}

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn write_template(dir: &Path, text: &str) -> std::path::PathBuf {
    let path = dir.join("template.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

/// A SAM REST API whose OpenAPI body declares every REST behaviour under test.
fn rest_template(backend: SocketAddr, closed: u16) -> String {
    r#"Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      Variables:
        backend: "BACKEND"
      DefinitionBody:
        swagger: "2.0"
        info: {title: http, version: "1"}
        paths:
          /pets/{proxy+}:
            x-amazon-apigateway-any-method:
              x-amazon-apigateway-integration:
                type: http_proxy
                httpMethod: ANY
                uri: http://BACKEND/echo/{proxy}
                passthroughBehavior: when_no_match
                requestParameters:
                  integration.request.path.proxy: method.request.path.proxy
                  integration.request.header.Accept: "'text/html'"
          /query/{pathVar}:
            get:
              x-amazon-apigateway-integration:
                type: http_proxy
                httpMethod: POST
                uri: http://BACKEND/echo/query
                requestParameters:
                  integration.request.querystring.testVar: method.request.path.pathVar
                  integration.request.header.X-From-Absent: method.request.header.X-Absent
          /stage:
            get:
              x-amazon-apigateway-integration:
                type: http_proxy
                httpMethod: GET
                uri: http://${stageVariables.backend}/echo/stage
          /slow:
            get:
              x-amazon-apigateway-integration:
                type: http_proxy
                httpMethod: GET
                uri: http://BACKEND/slow
                timeoutInMillis: 300
          /refused:
            get:
              x-amazon-apigateway-integration:
                type: http_proxy
                httpMethod: GET
                uri: http://127.0.0.1:CLOSED/x
          /redirect:
            get:
              x-amazon-apigateway-integration:
                type: http_proxy
                httpMethod: GET
                uri: http://BACKEND/redirect
          /status:
            get:
              x-amazon-apigateway-integration:
                type: http_proxy
                httpMethod: GET
                uri: http://BACKEND/status/400
          /unmapped/{id}:
            get:
              x-amazon-apigateway-integration:
                type: http_proxy
                httpMethod: GET
                uri: http://BACKEND/echo/u/{id}
          /big:
            get:
              x-amazon-apigateway-integration:
                type: http_proxy
                httpMethod: GET
                uri: http://BACKEND/big
          /cors:
            get:
              x-amazon-apigateway-integration:
                type: http_proxy
                httpMethod: GET
                uri: http://BACKEND/cors
          /nocors:
            get:
              x-amazon-apigateway-integration:
                type: http_proxy
                httpMethod: GET
                uri: http://BACKEND/plain
          /bad-header:
            get:
              x-amazon-apigateway-integration:
                type: http_proxy
                httpMethod: GET
                uri: http://BACKEND/x
                requestParameters:
                  integration.request.header.Content-Length: "'5'"
          /custom/{id}:
            post:
              x-amazon-apigateway-integration:
                type: http
                httpMethod: PUT
                uri: http://BACKEND/echo/custom/{id}
                requestParameters:
                  integration.request.path.id: method.request.path.id
                  integration.request.header.X-Mapped: "'yes'"
                  integration.request.header.Via: "'dropped'"
                requestTemplates:
                  application/json: '#set($context.requestOverride.header.X-Override = ''set'')#set($context.requestOverride.querystring.q = ''a b''){"id": "$input.params(''id'')", "got": $input.json(''$.item'')}'
                responses:
                  default:
                    statusCode: "201"
                    responseParameters:
                      method.response.header.X-Backend-Version: integration.response.header.x-backend
                      method.response.header.Server: "'mapped'"
                    responseTemplates:
                      application/json: '{"backendSaw": $input.json(''$.method''), "target": $input.json(''$.target'')}'
          /custom-fail:
            post:
              x-amazon-apigateway-integration:
                type: http
                httpMethod: GET
                uri: http://BACKEND/status/404
                responses:
                  "4\\d{2}":
                    statusCode: "400"
                    responseTemplates:
                      application/json: '{"failed": true}'
                  default:
                    statusCode: "200"
          /custom-default:
            get:
              x-amazon-apigateway-integration:
                type: http
                httpMethod: GET
                uri: http://BACKEND/status/400
                responses:
                  default:
                    statusCode: "200"
"#
    .replace("BACKEND", &backend.to_string())
    .replace("CLOSED", &closed.to_string())
}

async fn rest_server() -> (Running, Log) {
    let (running, log, _) = rest_server_at().await;
    (running, log)
}

/// [`rest_server`], with the backend's address.
async fn rest_server_at() -> (Running, Log, SocketAddr) {
    let (backend, log) = start_backend().await;
    let dir = tempfile::tempdir().unwrap();
    let template = write_template(dir.path(), &rest_template(backend, closed_port()));
    let server = Server::start(&template, &[]);
    (Running { server, dir }, log, backend)
}

#[tokio::test]
async fn rule_h_1_to_h_5_rest_http_proxy_forwards_the_request_and_passes_the_response() {
    let (s, log, backend) = rest_server_at().await;
    let response = client()
        .post(s.url("/pets/dogs/1?x=1&x=2"))
        .header("Accept", "application/json")
        .header("Authorization", "Bearer t")
        .header("User-Agent", "client-agent")
        .header("X-Custom", "kept")
        .header("Via", "1.1 proxy")
        .header("Max-Forwards", "3")
        .header("Content-Type", "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let got = log.last();
    // H.4: ANY forwards the client's method; H.2: {proxy} filled from the path mapping,
    // the client's query passes.
    assert_eq!(got.method, "POST");
    assert_eq!(got.target, "/echo/dogs/1?x=1&x=2");
    assert_eq!(got.body, "hello");
    // H.3: end-to-end headers pass, a mapping overrides the client's, hop-by-hop ones are
    // dropped, API Gateway's own are added, no X-Forwarded-*.
    assert_eq!(got.header("accept"), Some("text/html"));
    assert_eq!(got.header("authorization"), Some("Bearer t"));
    assert_eq!(got.header("user-agent"), Some("client-agent"));
    assert_eq!(got.header("x-custom"), Some("kept"));
    assert_eq!(got.header("content-type"), Some("text/plain"));
    assert_eq!(got.header("content-length"), Some("5"));
    assert_eq!(got.header("host"), Some(&*backend.to_string()));
    assert_eq!(got.header("via"), None);
    assert_eq!(got.header("max-forwards"), None);
    assert!(
        got.header("x-amzn-apigateway-api-id")
            .is_some_and(|id| id.len() == 10)
    );
    assert!(
        got.header("x-amzn-trace-id")
            .is_some_and(|t| t.starts_with("Root=1-"))
    );
    assert!(
        got.headers
            .iter()
            .all(|(n, _)| !n.starts_with("x-forwarded-")),
        "{got:?}"
    );
    // H.5: status, body and headers pass; the recorded ones are renamed.
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(headers["x-backend"], "v1");
    assert_eq!(headers["x-amzn-remapped-server"], "tiny-backend");
    assert_eq!(headers["x-amzn-remapped-x-amzn-requestid"], "backend-id");
    assert!(headers.contains_key("x-amzn-remapped-date"));
    assert!(headers.contains_key("x-amzn-remapped-content-length"));
    assert_ne!(headers["x-amzn-requestid"], "backend-id");
    assert!(headers.contains_key("x-amz-apigw-id"));
    assert!(headers.get("server").is_none());
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["target"], "/echo/dogs/1?x=1&x=2");
    s.server.wait_for_log("[HTTP_PROXY ANY http://");
}

#[tokio::test]
async fn rule_h_3_and_h_4_query_mappings_append_and_the_integration_method_is_sent() {
    let (s, log) = rest_server().await;
    let response = client()
        .get(s.url("/query/foobar?testVar=bar"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let got = log.last();
    assert_eq!(got.method, "POST", "H.4: the integration's httpMethod");
    // Mapped value first, then the client's: a backend reading both sees `foobar,bar`.
    assert_eq!(got.target, "/echo/query?testVar=foobar&testVar=bar");
    assert_eq!(
        got.header("x-from-absent"),
        None,
        "a mapping from an absent header is omitted"
    );

    // H.2: the URI's stage variable.
    let response = client().get(s.url("/stage")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(log.last().target, "/echo/stage");
}

#[tokio::test]
async fn rule_h_3_mapping_content_length_is_500_and_warned_at_load() {
    let (s, log) = rest_server().await;
    assert!(
        s.server
            .stderr()
            .contains("mapping the Content-Length header deploys"),
        "{}",
        s.server.stderr()
    );
    let before = log.count();
    let response = client().get(s.url("/bad-header")).send().await.unwrap();
    assert_eq!(response.status(), 500);
    assert_eq!(
        response.headers()["x-amzn-errortype"],
        "InternalServerErrorException"
    );
    assert_eq!(
        response.text().await.unwrap(),
        r#"{"message": "Internal server error"}"#
    );
    assert_eq!(log.count(), before, "nothing reaches the backend");
}

#[tokio::test]
async fn rule_h_5_and_h_11_status_passes_and_redirects_are_not_followed() {
    let (s, log) = rest_server().await;
    let response = client().get(s.url("/status")).send().await.unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.text().await.unwrap(),
        r#"{"error":"from the backend"}"#
    );
    let before = log.count();
    let response = client().get(s.url("/redirect")).send().await.unwrap();
    assert_eq!(response.status(), 302);
    assert_eq!(response.headers()["location"], "/elsewhere");
    assert_eq!(
        log.count(),
        before + 1,
        "gatewise did not follow the redirect"
    );
}

#[tokio::test]
async fn rule_h_2_unmapped_uri_parameter_takes_the_path_parameter() {
    let (s, log) = rest_server().await;
    let response = client().get(s.url("/unmapped/7")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(log.last().target, "/echo/u/7");
}

#[tokio::test]
async fn rule_h_12_a_response_over_10_mb_fails() {
    let (s, _log) = rest_server().await;
    let response = client().get(s.url("/big")).send().await.unwrap();
    assert_eq!(response.status(), 504);
    assert_eq!(
        response.headers()["x-amzn-errortype"],
        "IntegrationFailureException"
    );
    s.server.wait_for_log("payload limit");
}

#[tokio::test]
async fn rule_h_10_timeout_is_504_on_rest() {
    let (s, _log) = rest_server().await;
    let response = client().get(s.url("/slow")).send().await.unwrap();
    assert_eq!(response.status(), 504);
    assert_eq!(
        response.text().await.unwrap(),
        r#"{"message": "Endpoint request timed out"}"#
    );
    s.server
        .wait_for_log("did not answer within the integration timeout of 300ms");
}

#[tokio::test]
async fn rule_h_12_connection_refused_is_500_on_rest_and_on_http_apis() {
    let (s, _log) = rest_server().await;
    let response = client().get(s.url("/refused")).send().await.unwrap();
    assert_eq!(response.status(), 500);
    assert_eq!(
        response.text().await.unwrap(),
        r#"{"message": "Internal server error"}"#
    );
    s.server.wait_for_log("refused the connection");

    let (h, _log) = http_api_server().await;
    let response = client().get(h.url("/refused")).send().await.unwrap();
    assert_eq!(response.status(), 500);
    assert_eq!(
        response.text().await.unwrap(),
        r#"{"message":"Internal Server Error"}"#
    );
    h.server.wait_for_log("refused the connection");
}

#[tokio::test]
async fn rule_h_6_rest_adds_no_cors_and_the_explanation_names_the_backend() {
    let (s, _log) = rest_server().await;
    let response = client()
        .get(s.url("/cors"))
        .header("Origin", PAGE_ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    assert_not_explained(&s.server, "GET /cors");

    let response = client()
        .get(s.url("/nocors"))
        .header("Origin", PAGE_ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    let line = explanation(&s.server, "GET /nocors");
    assert!(
        line.contains("the HTTP_PROXY backend http://127.0.0.1:"),
        "{line}"
    );
    assert!(line.contains("/plain (integration uri at "), "{line}");
    assert!(line.contains("template.yaml:"), "{line}");
}

#[tokio::test]
async fn rule_h_7_and_h_8_http_custom_integration_maps_both_ends() {
    let (s, log) = rest_server().await;
    let response = client()
        .post(s.url("/custom/42?ignored=1"))
        .header("Content-Type", "application/json")
        .header("X-Client", "not forwarded")
        .body(r#"{"item": "book"}"#)
        .send()
        .await
        .unwrap();
    let got = log.last();
    assert_eq!(got.method, "PUT");
    // Only mapped query parameters, and the request template's overrides (H.9).
    assert_eq!(got.target, "/echo/custom/42?q=a%20b");
    assert_eq!(got.header("x-override"), Some("set"));
    assert_eq!(got.body, r#"{"id": "42", "got": "book"}"#);
    assert_eq!(got.header("x-client"), None);
    assert_eq!(got.header("x-mapped"), Some("yes"));
    assert_eq!(got.header("via"), None, "mapped Via is dropped");
    assert_eq!(got.header("accept"), Some("application/json"));
    assert!(
        got.header("user-agent")
            .is_some_and(|a| a.starts_with("AmazonAPIGateway_"))
    );
    assert_eq!(got.header("content-type"), Some("application/json"));
    assert!(got.header("x-amzn-apigateway-api-id").is_some());

    assert_eq!(response.status(), 201);
    let headers = response.headers().clone();
    assert_eq!(headers["x-backend-version"], "v1");
    assert_eq!(headers["x-amzn-remapped-server"], "mapped");
    assert!(
        headers.get("x-backend").is_none(),
        "backend headers are not passed"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({"backendSaw": "PUT", "target": "/echo/custom/42?q=a%20b"})
    );

    // Selection pattern on the backend status; no match → the default response.
    let response = client().post(s.url("/custom-fail")).send().await.unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(response.text().await.unwrap(), r#"{"failed": true}"#);
    let response = client().get(s.url("/custom-default")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.text().await.unwrap(),
        r#"{"error":"from the backend"}"#
    );
}

/// Raw CloudFormation: `AWS::ApiGateway::Method` with an `HTTP_PROXY` integration.
#[tokio::test]
async fn rule_h_1_raw_cloudformation_http_proxy() {
    let (backend, log) = start_backend().await;
    let dir = tempfile::tempdir().unwrap();
    let template = write_template(
        dir.path(),
        &r#"Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: raw}
  Proxy:
    Type: AWS::ApiGateway::Resource
    Properties:
      RestApiId: !Ref Api
      ParentId: !GetAtt Api.RootResourceId
      PathPart: "{proxy+}"
  Any:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref Proxy
      HttpMethod: ANY
      AuthorizationType: NONE
      RequestParameters:
        method.request.path.proxy: true
      Integration:
        Type: HTTP_PROXY
        IntegrationHttpMethod: ANY
        Uri: http://BACKEND/raw/{proxy}
        TimeoutInMillis: 5000
        RequestParameters:
          integration.request.path.proxy: method.request.path.proxy
          integration.request.header.X-Stage: "'literal'"
  Stage:
    Type: AWS::ApiGateway::Stage
    Properties: {RestApiId: !Ref Api, StageName: dev, DeploymentId: !Ref Deployment}
  Deployment:
    Type: AWS::ApiGateway::Deployment
    Properties: {RestApiId: !Ref Api}
"#
        .replace("BACKEND", &backend.to_string()),
    );
    let s = Server::start(&template, &[]);
    assert!(
        s.stdout_head.contains("HTTP_PROXY ANY http://"),
        "{}",
        s.stdout_head
    );
    let response = client().delete(s.url("/a/b%2Fc")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let got = log.last();
    assert_eq!(got.method, "DELETE");
    assert_eq!(got.target, "/raw/a/b%2Fc");
    assert_eq!(got.header("x-stage"), Some("literal"));
}

fn http_api_template(backend: SocketAddr, closed: u16) -> String {
    r#"Resources:
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: plain, ProtocolType: HTTP}
  Echo:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: HTTP_PROXY
      IntegrationMethod: ANY
      IntegrationUri: http://BACKEND/echo/{proxy}
      PayloadFormatVersion: "1.0"
      RequestParameters:
        "append:header.X-User-Copy": "$request.header.X-User"
        "overwrite:querystring.mode": "fixed-$context.stage"
        "remove:header.X-Secret": "''"
  EchoRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Api
      RouteKey: ANY /v2/{proxy+}
      Target: !Join [/, [integrations, !Ref Echo]]
  Slow:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: HTTP_PROXY
      IntegrationMethod: GET
      IntegrationUri: http://BACKEND/slow
      PayloadFormatVersion: "1.0"
      TimeoutInMillis: 300
  SlowRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Api
      RouteKey: GET /slow
      Target: !Join [/, [integrations, !Ref Slow]]
  Refused:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: HTTP_PROXY
      IntegrationMethod: GET
      IntegrationUri: http://127.0.0.1:CLOSED/
      PayloadFormatVersion: "1.0"
  RefusedRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Api
      RouteKey: GET /refused
      Target: !Join [/, [integrations, !Ref Refused]]
  CorsApi:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: with-cors
      ProtocolType: HTTP
      CorsConfiguration:
        AllowOrigins: ["http://localhost:5173"]
        AllowMethods: [GET]
  CorsEcho:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref CorsApi
      IntegrationType: HTTP_PROXY
      IntegrationMethod: GET
      IntegrationUri: http://BACKEND/cors
      PayloadFormatVersion: "1.0"
  CorsRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref CorsApi
      RouteKey: GET /with-cors
      Target: !Join [/, [integrations, !Ref CorsEcho]]
"#
    .replace("BACKEND", &backend.to_string())
    .replace("CLOSED", &closed.to_string())
}

async fn http_api_server() -> (Running, Log) {
    let (backend, log) = start_backend().await;
    let dir = tempfile::tempdir().unwrap();
    let template = write_template(dir.path(), &http_api_template(backend, closed_port()));
    let server = Server::start(&template, &[]);
    (Running { server, dir }, log)
}

#[tokio::test]
async fn rule_h_13_http_api_proxy_forwards_with_forwarded_headers() {
    let (s, log) = http_api_server().await;
    let response = client()
        .patch(s.url("/v2/a/b?mode=client&keep=1"))
        .header("X-User", "ann")
        .header("X-Secret", "s3cret")
        .body("patch")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let got = log.last();
    assert_eq!(got.method, "PATCH");
    assert_eq!(got.target, "/echo/a/b?keep=1&mode=fixed-$default");
    assert_eq!(got.body, "patch");
    assert_eq!(got.header("x-user-copy"), Some("ann"));
    assert_eq!(got.header("x-secret"), None);
    assert!(got.header("x-amzn-apigateway-api-id").is_some());
    assert_eq!(got.header("x-forwarded-for"), Some("127.0.0.1"));
    assert_eq!(got.header("x-forwarded-proto"), Some("http"));
    assert!(
        got.header("forwarded")
            .is_some_and(|f| f.starts_with("for=127.0.0.1;host="))
    );
    // The backend's headers pass as they are (no remapping on HTTP APIs).
    assert_eq!(response.headers()["server"], "tiny-backend");
    assert!(response.headers().contains_key("apigw-requestid"));

    // Without `CorsConfiguration` the backend's headers decide, and the explanation names it.
    let response = client()
        .get(s.url("/v2/plain"))
        .header("Origin", PAGE_ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let line = explanation(&s.server, "GET /v2/plain");
    assert!(
        line.contains("the HTTP_PROXY backend http://127.0.0.1:"),
        "{line}"
    );
    assert!(line.contains("/echo/plain"), "{line}");
    assert!(line.contains("has no `CorsConfiguration`"), "{line}");
}

#[tokio::test]
async fn rule_h_13_http_api_timeout_is_503_and_cors_configuration_replaces_the_backend() {
    let (s, _log) = http_api_server().await;
    let response = client().get(s.url("/slow")).send().await.unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(
        response.text().await.unwrap(),
        r#"{"message":"Service Unavailable"}"#
    );

    // The backend says `*`; the configuration echoes the allowed origin instead (spec 8.10).
    let response = client()
        .get(s.url("/with-cors"))
        .header("Origin", PAGE_ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        PAGE_ORIGIN
    );
    let response = client()
        .get(s.url("/with-cors"))
        .header("Origin", "http://elsewhere.test")
        .send()
        .await
        .unwrap();
    assert!(
        response
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}

/// aws-samples/serverless-patterns apigw-rest-api-http-integration-terraform, its URI pointed
/// at the local backend: Terraform's `aws_api_gateway_integration` `type = "HTTP_PROXY"`.
#[tokio::test]
async fn rule_h_1_terraform_http_proxy_serves_the_serverless_pattern() {
    let (backend, log) = start_backend().await;
    let dir = tempfile::tempdir().unwrap();
    let source = repo_root().join("tests/data/external/terraform/sp-rest-http-proxy");
    for file in ["main.tf", "output.tf"] {
        let text = std::fs::read_to_string(source.join(file)).unwrap();
        let text = text.replace(
            "http://petstore-demo-endpoint.execute-api.com",
            &format!("http://{backend}"),
        );
        std::fs::write(dir.path().join(file), text).unwrap();
    }
    let s = Server::start(dir.path(), &[]);
    let response = client().get(s.url("/")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let got = log.last();
    assert_eq!(
        (got.method.as_str(), got.target.as_str()),
        ("GET", "/petstore/pets")
    );
}
