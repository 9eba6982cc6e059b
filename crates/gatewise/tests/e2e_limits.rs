//! Limits gatewise enforces, and how it reports running into them, against the real binary
//! and real function processes: requests queued behind a function's instance cap, and
//! functions that use more memory than their `MemorySize`.

mod support;

use std::path::PathBuf;

use support::*;

/// A Python function allowed one instance (`ReservedConcurrentExecutions: 1`) that takes 2 s,
/// behind a REST route and an HTTP API route that each give up after 1 s.
const QUEUED: &str = "Transform: AWS::Serverless-2016-10-31
Resources:
  Rest:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      DefinitionBody:
        swagger: '2.0'
        info: {title: queued, version: '1'}
        paths:
          /rest-slow:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Slow.Arn}/invocations
                timeoutInMillis: 1000
  Slow:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Timeout: 5
      ReservedConcurrentExecutions: 1
      InlineCode: |
        import time
        def handler(event, context):
            time.sleep(2)
            return {'statusCode': 200, 'body': 'slow'}
      Events:
        Http:
          Type: HttpApi
          Properties: {Path: /http-slow, Method: get, TimeoutInMillis: 1000}
";

fn write_template(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("template.yaml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

/// Sends two requests to `path` at once: one runs on the only instance, the other queues.
/// Returns both statuses.
async fn two_at_once(server: &Server, path: &str) -> [u16; 2] {
    let client = client();
    let get = || async {
        client
            .get(server.url(path))
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    };
    let (a, b) = tokio::join!(get(), get());
    [a, b]
}

const QUEUED_LOG: &str = "while the request was queued behind 1 busy instance of function Slow (its ReservedConcurrentExecutions is 1): it waited ";
const QUEUED_FIX: &str = "for a free instance and never got one. Fix: raise ReservedConcurrentExecutions of Slow (declared at ";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rest_request_queued_behind_the_instance_cap_is_logged_as_queued() {
    let (_dir, template) = write_template(QUEUED);
    let server = Server::start(&template, &[]);
    // API Gateway's integration timeout: 504 for both, the slow one and the queued one.
    assert_eq!(two_at_once(&server, "/rest-slow").await, [504, 504]);
    // Both requests' lines: the access log is written asynchronously, in either order.
    server.wait_for_log(QUEUED_FIX);
    let log =
        server.wait_for_log("timed out after 1s (API Gateway's integration timeout; function Slow");
    let queued = log
        .lines()
        .find(|l| l.contains(QUEUED_LOG))
        .unwrap_or_else(|| panic!("no queued line:\n{log}"));
    assert!(
        queued.contains("timed out after 1.0s (API Gateway's integration timeout)"),
        "{queued}"
    );
    // The request that did run is a plain integration timeout: the function was slow.
    let ran = log
        .lines()
        .filter(|l| {
            l.contains("timed out after 1s (API Gateway's integration timeout; function Slow")
        })
        .count();
    assert_eq!(ran, 1, "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http_api_request_queued_behind_the_instance_cap_is_logged_as_queued() {
    let (_dir, template) = write_template(QUEUED);
    let server = Server::start(&template, &[]);
    // The HTTP API's integration timeout: 503.
    assert_eq!(two_at_once(&server, "/http-slow").await, [503, 503]);
    let log = server.wait_for_log(QUEUED_FIX);
    assert!(
        log.lines().any(|l| l.contains(QUEUED_LOG)
            && l.contains("timed out after 1.0s (HTTP API integration timeout)")),
        "{log}"
    );
}

/// A Python and a Node function with `MemorySize: 128` that hold 256 MB for two seconds when
/// asked (`?mb=256`), and answer at once otherwise.
const HOGS: &str = "Transform: AWS::Serverless-2016-10-31
Globals:
  Function: {MemorySize: 128, Timeout: 10}
Resources:
  PyHog:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        import time
        def handler(event, context):
            mb = int((event.get('queryStringParameters') or {}).get('mb', '0'))
            held = b'x' * (mb * 1024 * 1024)
            if mb:
                time.sleep(2)
            return {'statusCode': 200, 'body': str(len(held))}
      Events:
        Get: {Type: Api, Properties: {Path: /py, Method: get}}
  NodeHog:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      InlineCode: |
        exports.handler = async (event) => {
          const mb = Number((event.queryStringParameters || {}).mb || 0);
          const held = Buffer.alloc(mb * 1024 * 1024, 1);
          if (mb) await new Promise((resolve) => setTimeout(resolve, 2000));
          return { statusCode: 200, body: String(held.length) };
        };
      Events:
        Get: {Type: Api, Properties: {Path: /node, Method: get}}
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_function_over_its_memory_size_is_killed_as_lambda_kills_it() {
    const { assert!(gatewise_lambda::ENFORCE_MEMORY_SIZE) };
    let (_dir, template) = write_template(HOGS);
    let server = Server::start(&template, &[]);
    let client = client();
    for (path, function, line) in [("/py", "PyHog", 5), ("/node", "NodeHog", 20)] {
        let response = client
            .get(server.url(&format!("{path}?mb=256")))
            .send()
            .await
            .unwrap();
        // A failed Lambda proxy invocation: API Gateway's 502 (spec 5.2).
        assert_eq!(response.status().as_u16(), 502, "{path}");
        assert_eq!(
            response.json::<serde_json::Value>().await.unwrap(),
            serde_json::json!({"message": "Internal server error"})
        );
        let log = server.wait_for_log(&format!("template.yaml:{line}:3) used "));
        assert!(
            log.contains(&format!(
                "MemorySize exceeded: function {function} (declared at "
            )),
            "{log}"
        );
        assert!(
            log.lines()
                .any(|l| l.starts_with(&format!("[{function}] RequestId: "))
                    && l.ends_with(
                        "Error: Runtime exited with error: signal: killed Runtime.OutOfMemory"
                    )),
            "{log}"
        );
        assert!(
            log.contains(&format!("over its MemorySize of 128 MB, so its instance was killed, as Lambda kills it. Fix: raise MemorySize of {function}")),
            "{log}"
        );
        // A fresh instance serves the next request.
        let small = client.get(server.url(path)).send().await.unwrap();
        assert_eq!(small.status().as_u16(), 200, "{path}");
    }
}

/// An HTTP API route to a Python function that answers with the size of the body it got.
const HTTP_ECHO: &str = "Transform: AWS::Serverless-2016-10-31
Resources:
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            return {'statusCode': 200, 'body': str(len(event.get('body') or ''))}
      Events:
        Post: {Type: HttpApi, Properties: {Path: /echo, Method: post}}
";

#[tokio::test]
async fn an_http_api_event_over_lambda_s_6_mb_is_a_lambda_failure_and_over_10_mb_a_413() {
    let (_dir, template) = write_template(HTTP_ECHO);
    let server = Server::start(&template, &[]);
    let post = |size: usize| {
        client()
            .post(server.url("/echo"))
            .header("content-type", "text/plain")
            .body(vec![b'a'; size])
            .send()
    };
    let small = post(1024).await.unwrap();
    assert_eq!(small.status(), 200);
    // Under the HTTP API's 10 MB payload limit, over Lambda's 6 MB invoke limit: the invoke
    // fails, which an HTTP API answers as every Lambda failure (spec 5.10).
    let over_lambda = post(7 * 1024 * 1024).await.unwrap();
    assert_eq!(over_lambda.status(), 500);
    assert_eq!(
        over_lambda.text().await.unwrap(),
        r#"{"message":"Internal Server Error"}"#
    );
    let log = server.wait_for_log("POST /echo -> 500");
    assert!(
        log.contains("byte payload is too large for the RequestResponse invocation type (limit 6291456 bytes)"),
        "{log}"
    );
    assert_eq!(
        log.matches("[Echo] START").count(),
        1,
        "the function ran:\n{log}"
    );
    // Over the API's own 10 MB limit: 413 before any function.
    let over_api = post(10 * 1024 * 1024 + 1).await.unwrap();
    assert_eq!(over_api.status(), 413);
}
