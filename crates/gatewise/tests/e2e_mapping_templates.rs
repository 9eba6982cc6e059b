//! Mapping templates as API Gateway runs them (docs/aws-rules.md M.1–M.11), end to end: real
//! functions behind `AWS` (non-proxy) integrations, MOCKs, a real HTTP client. Scenario 4b;
//! CDK's multi-origin preflight; every template → output pair LocalStack recorded on AWS
//! (M.10), named after its LocalStack test; a SAM OpenAPI API with selection patterns; and
//! templates that cannot run, refused at startup or answered 500 with their position.
//!
//! Recorded outputs are the ones in `tests/data/external/localstack/snapshots/`; pairs recorded
//! through HTTP, SQS or Kinesis integrations (not served by gatewise yet) run their template
//! logic through MOCKs (see the fixture `mapping-templates/localstack-recorded.yaml`).

mod support;

use serde_json::{Value, json};
use support::*;

/// Serves `fixtures/mapping-templates/<file>` (copied) with lazily started functions.
fn serve_templates(file: &str) -> Running {
    let dir = copy_fixture("mapping-templates");
    let server = Server::start(&dir.path().join(file), &["--warm", "lazy"]);
    Running { server, dir }
}

fn recorded() -> Running {
    serve_templates("localstack-recorded.yaml")
}

async fn get(s: &Server, path: &str) -> reqwest::Response {
    client().get(s.url(path)).send().await.unwrap()
}

async fn post_json(s: &Server, path: &str, body: &str) -> reqwest::Response {
    client()
        .post(s.url(path))
        .header("Content-Type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}

async fn json_of(response: reqwest::Response) -> Value {
    let text = response.text().await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text:?}"))
}

/// Scenario 4b: `cdk synth`'s custom Lambda integration. The request template is the event,
/// the function returns its `input`, and the response template wraps it; the CORS header
/// comes from the integration response.
#[tokio::test]
async fn scenario_4b_cdk_rest_custom_integration() {
    let s = serve_scenario("4b-cdk-rest-custom", &[]);
    let response = client()
        .get(s.url("/"))
        .header("Origin", PAGE_ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "access-control-allow-origin"), Some("*"));
    assert_eq!(header(&response, "content-type"), Some("application/json"));
    assert_eq!(
        response.text().await.unwrap(),
        r#"{"message":{"output":"this is the input"},"state":"ok"}"#
    );
    assert_not_explained(&s, "GET /");
    // PassthroughBehavior NEVER: a content type without a template is refused.
    let refused = client()
        .post(s.url("/"))
        .header("Content-Type", "text/plain")
        .body("hi")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403, "POST is not declared");
    let refused = client()
        .get(s.url("/"))
        .header("Content-Type", "text/plain")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 415);
}

/// CDK's `defaultCorsPreflightOptions` with several origins: the preflight maps the first
/// origin, and its response template echoes any other allowed one through a response
/// override (M.8). Each allowed origin reads its own origin back, so gatewise explains
/// nothing; an origin CDK does not allow gets the first one, which the browser refuses, as on
/// AWS.
#[tokio::test]
async fn cdk_multi_origin_preflight_echoes_each_allowed_origin() {
    let s = serve_templates("cdk-multi-origin-preflight.yaml");
    for (origin, allowed) in [
        ("https://a.example", "https://a.example"),
        ("https://b.example", "https://b.example"),
        ("https://c.example", "https://c.example"),
        ("https://evil.example", "https://a.example"),
    ] {
        let response = client()
            .request(reqwest::Method::OPTIONS, s.url("/"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "GET")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 204, "{origin}");
        assert_eq!(
            header(&response, "access-control-allow-origin"),
            Some(allowed),
            "{origin}"
        );
        assert_eq!(header(&response, "vary"), Some("Origin"));
        assert_eq!(
            header(&response, "access-control-allow-methods"),
            Some("OPTIONS,GET,PUT,POST,DELETE,PATCH,HEAD")
        );
    }
    // The template reads `Origin` as the client wrote it, then `origin`: both casings work.
    let raw = raw_request(
        &s.base,
        "OPTIONS / HTTP/1.1\r\nOrigin: https://c.example\r\nAccess-Control-Request-Method: GET",
        b"",
    );
    assert_eq!(raw.status, 204);
    assert_eq!(
        raw.header_values("access-control-allow-origin"),
        ["https://c.example"]
    );
    let log = s.wait_for_log("block GET / from https://evil.example");
    assert!(
        !log.contains("from https://b.example") && !log.contains("from https://c.example"),
        "an allowed origin was explained:\n{log}"
    );
    assert!(!log.contains("block GET / from https://a.example"), "{log}");
}

/// LocalStack `test_integration_mock_with_vtl_map_assignation` (recorded 2025-05-29): bracket,
/// `put` and nested bracket assignments to `$context.requestOverride.querystring` reach the
/// response template.
#[tokio::test]
async fn test_integration_mock_with_vtl_map_assignation() {
    let s = recorded();
    let response = get(&s, "/vtl-map-assignation").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        json_of(response).await,
        json!({"value": "bar", "value2": "putBar", "value3": "nestedFoo"})
    );
}

/// LocalStack `test_integration_mock_with_response_override_in_request_template[True]` and
/// `[False]` (recorded 2025-05-16), rule M.8: status 444 and `foo: bar` set by the MOCK's
/// request template reach the client, with or without a response template.
#[tokio::test]
async fn test_integration_mock_with_response_override_in_request_template() {
    let s = recorded();
    let response = get(&s, "/response-override/with-template").await;
    assert_eq!(response.status(), 444);
    assert_eq!(header(&response, "foo"), Some("bar"));
    assert_eq!(
        json_of(response).await,
        json!({"custom": "is also passed around", "fooHeader": "bar", "statusOverride": "444"})
    );
    let response = get(&s, "/response-override/without-template").await;
    assert_eq!(response.status(), 444);
    assert_eq!(header(&response, "foo"), Some("bar"));
    assert_eq!(response.bytes().await.unwrap().len(), 0);
}

/// LocalStack `test_integration_mock_with_request_overrides_in_response_template` (recorded
/// 2024-11-06): a request override set from a base64 path parameter is read back, parsed as
/// JSON, by the response template's `#if` / `#elseif` / `#else`.
#[tokio::test]
async fn test_integration_mock_with_request_overrides_in_response_template() {
    let s = recorded();
    // base64 of {"message": "path1"}, {"message": "path2"}, {"message": "whatever"}
    for (segment, expected) in [
        ("eyJtZXNzYWdlIjogInBhdGgxIn0=", "path was path one"),
        ("eyJtZXNzYWdlIjogInBhdGgyIn0=", "path was path two"),
        (
            "eyJtZXNzYWdlIjogIndoYXRldmVyIn0=",
            "this is the else clause",
        ),
    ] {
        let response = get(&s, &format!("/request-overrides/{segment}")).await;
        assert_eq!(response.status(), 200);
        assert_eq!(json_of(response).await, json!({"response": expected}));
    }
}

/// LocalStack `test_integration_mock_with_path_param` (recorded 2024-11-29): the non-JSON
/// request template `{statusCode: 200}` selects the integration response whose pattern is
/// `2\d{2}`; without a response template the body is empty.
#[tokio::test]
async fn test_integration_mock_with_path_param() {
    let s = recorded();
    let response = get(&s, "/path-param/foobar").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.bytes().await.unwrap().len(), 0);
}

/// LocalStack `test_mock_integration_response` (recorded 2024-05-30; tests/data/external/
/// README.md §1 item 9): `$input.params().path.id` renders raw, for every passthrough
/// behavior, GET and POST with a JSON body.
#[tokio::test]
async fn test_mock_integration_response() {
    let s = recorded();
    for passthrough in ["never", "when-no-match", "when-no-templates"] {
        let path = format!("/mock-integration-response/{passthrough}/42");
        for response in [
            get(&s, &path).await,
            post_json(&s, &path, r#"{"some": "body"}"#).await,
        ] {
            assert_eq!(response.status(), 200, "{path}");
            assert_eq!(
                json_of(response).await,
                json!({"id": 42, "statusCode": 200})
            );
        }
    }
}

/// LocalStack `test_lambda_aws_integration_with_request_template` (recorded 2023-05-31): the
/// rendered request template is the event the (echoing) function returns.
#[tokio::test]
async fn test_lambda_aws_integration_with_request_template() {
    let s = recorded();
    for query in ["param1=foobar", "param1=foobar&Signature=1"] {
        let response = get(&s, &format!("/lambda-request-template?{query}")).await;
        assert_eq!(response.status(), 200);
        assert_eq!(json_of(response).await, json!({"param1": "foobar"}));
    }
}

/// LocalStack `test_lambda_selection_patterns` (recorded 2025-05-05): patterns match the
/// function's errorMessage (`200` never matches: it is not a status here); errors answer with
/// Lambda's error document.
#[tokio::test]
async fn test_lambda_selection_patterns() {
    let s = recorded();
    let pass = get(&s, "/selection-patterns/200").await;
    assert_eq!(pass.status(), 200);
    assert_eq!(json_of(pass).await, json!("Pass"));
    for (code, status, message) in [
        (
            "400",
            405,
            "Error: Raising four hundred from within the Lambda function",
        ),
        (
            "500",
            502,
            "Error: Raising five hundred from within the Lambda function",
        ),
    ] {
        let response = get(&s, &format!("/selection-patterns/{code}")).await;
        assert_eq!(response.status(), status, "{code}");
        let body = json_of(response).await;
        let keys: Vec<&str> = body
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            ["errorMessage", "errorType", "requestId", "stackTrace"]
        );
        assert_eq!(body["errorMessage"], message);
        assert_eq!(body["errorType"], "Exception");
    }
}

/// LocalStack `test_lambda_aws_integration_response_with_mapping_templates` (recorded
/// 2023-09-17), with its request-template.vm and response-template.vm: the event is built from
/// `$input.params()`, `$context` and the body; the response template sets the status from the
/// function's output (M.7).
#[tokio::test]
async fn test_lambda_aws_integration_response_with_mapping_templates() {
    let s = recorded();
    for (request, status, body) in [
        (r#"{"httpStatus": "200"}"#, 202, "noerror"),
        (
            r#"{"httpStatus": "400", "errorMessage": "Test Bad request"}"#,
            400,
            "customerror",
        ),
    ] {
        let response = post_json(&s, "/mapping-responses", request).await;
        assert_eq!(response.status(), status, "{request}");
        assert_eq!(
            json_of(response).await,
            json!({"body": body, "statusCode": 200})
        );
    }
}

/// LocalStack `test_apigateway_header_remapping_http[HTTP]` (recorded 2024-12-11; an HTTP
/// integration on AWS, its template read here by a MOCK response template), rule M.4: the
/// hop-by-hop and control headers are invisible to templates even when sent.
#[tokio::test]
async fn test_apigateway_header_remapping_http() {
    let s = recorded();
    let response = raw_request(
        &s.base,
        "POST /header-remapping HTTP/1.1\r\nContent-Type: application/json\r\nContent-MD5: md5\r\nMax-Forwards: 3\r\nProxy-Authenticate: pa\r\nServer: srv\r\nTrailer: tr\r\nWWW-Authenticate: wa\r\nAuthorization: token\r\nX-Custom: visible",
        b"{}",
    );
    assert_eq!(response.status, 200);
    assert_eq!(
        response.json(),
        json!({
            "Connection": "", "Content-Length": "", "Content-MD5": "", "Max-Forwards": "",
            "Proxy-Authenticate": "", "Server": "", "Trailer": "", "WWW-Authenticate": "",
            "Authorization": "token", "X-Custom": "visible"
        })
    );
}

/// Writes `template.yaml` in a fresh directory: one `GET /` MOCK whose response template is
/// `response_template` (YAML text after `application/json: `).
fn mock_template(dir: &std::path::Path, response_template: &str) -> std::path::PathBuf {
    let path = dir.join("template.yaml");
    std::fs::write(
        &path,
        format!(
            "Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {{Name: mock}}
  Get:
    Type: AWS::ApiGateway::Method
    Properties:
      HttpMethod: GET
      ResourceId: !GetAtt Api.RootResourceId
      RestApiId: !Ref Api
      AuthorizationType: NONE
      Integration:
        Type: MOCK
        RequestTemplates:
          application/json: '{{\"statusCode\": 200}}'
        IntegrationResponses:
          - StatusCode: '200'
            ResponseTemplates:
              application/json: {response_template}
"
        ),
    )
    .unwrap();
    path
}

/// Rule M.4: `$input.params().header` lists the headers in the client's order and casing,
/// named as REST events name them (`aUThorization` → `Authorization`, `user-agent` →
/// `User-Agent`); `Connection` is left out.
#[tokio::test]
async fn rule_m_4_templates_see_headers_in_client_order_and_casing() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(&mock_template(dir.path(), "$input.params().header"), &[]);
    let response = raw_request(
        &s.base,
        "GET / HTTP/1.1\r\nX-First: 1\r\nx-Second: 2\r\naUThorization: t\r\nuser-agent: probe/1",
        b"",
    );
    assert_eq!(response.status, 200);
    let host = s.base.trim_start_matches("http://");
    assert_eq!(
        String::from_utf8_lossy(&response.body),
        format!("{{X-First=1, x-Second=2, Authorization=t, User-Agent=probe/1, Host={host}}}")
    );
}

/// LocalStack `test_sqs_amz_json_protocol` (recorded 2025-05-20; an SQS integration on AWS,
/// its template read here by a MOCK response template), rule M.7: `$context` in AWS's order,
/// nested maps rendering empty, no authorizer keys.
#[tokio::test]
async fn test_sqs_amz_json_protocol() {
    let s = recorded();
    let response = client()
        .get(s.url("/context-enumeration"))
        .header("User-Agent", "python/requests/tests")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body = json_of(response).await;
    let keys: Vec<&str> = body["context"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "resourceId",
            "resourcePath",
            "httpMethod",
            "extendedRequestId",
            "requestTime",
            "path",
            "accountId",
            "protocol",
            "requestOverride",
            "stage",
            "domainPrefix",
            "requestTimeEpoch",
            "requestId",
            "identity",
            "domainName",
            "deploymentId",
            "responseOverride",
            "apiId",
        ]
    );
    let context = &body["context"];
    for hidden in ["identity", "requestOverride", "responseOverride"] {
        assert_eq!(context[hidden], "", "{hidden} renders empty");
    }
    assert_eq!(context["path"], "/dev/context-enumeration");
    assert_eq!(context["protocol"], "HTTP/1.1");
    assert_eq!(context["stage"], "dev");
    assert_eq!(context["httpMethod"], "GET");
    assert_eq!(context["resourcePath"], "/context-enumeration");
    assert_eq!(context["accountId"], "123456789012");
    assert!(
        context["requestTimeEpoch"]
            .as_str()
            .unwrap()
            .parse::<u64>()
            .is_ok()
    );
    assert_eq!(body["identity"]["userAgent"], "python/requests/tests");
    assert_eq!(body["identity"]["sourceIp"], "127.0.0.1");
    assert_eq!(body["identity"]["caller"], "");
    assert_eq!(
        body["requestOverride"],
        json!({"path": "", "header": "", "querystring": ""})
    );
    assert_eq!(body["responseOverride"], json!({"header": ""}));
    assert_eq!(body["authorizer_keys"], json!({}));
}

/// LocalStack `test_input_body_formatting` (recorded 2025-03-19; an HTTP integration to an
/// echo function on AWS): the request templates' renderings of an empty, a JSON and a raw
/// body, read back through MOCK probes. `body-attr-access` renders nothing, and its response
/// template reads the MOCK's empty body as `{}`.
#[tokio::test]
async fn test_input_body_formatting() {
    let s = recorded();
    let bodies = ["", r#"{"some": "value"}"#, "some raw data"];
    let routes: [(&str, [&str; 3]); 4] = [
        ("raw-body", ["{}", r#"{"some": "value"}"#, "some raw data"]),
        (
            "str-body-input",
            [
                "Action=SendMessage&MessageBody={}",
                r#"Action=SendMessage&MessageBody={"some": "value"}"#,
                "Action=SendMessage&MessageBody=some raw data",
            ],
        ),
        (
            "url-encode",
            [
                "EncodedBody=%7B%7D&EncodedBodyAccess=",
                "EncodedBody=%7B%22some%22%3A+%22value%22%7D&EncodedBodyAccess=",
                "EncodedBody=some+raw+data&EncodedBodyAccess=",
            ],
        ),
        ("body-attr-access", ["{}", "{}", "{}"]),
    ];
    for (route, expected) in routes {
        for (body, want) in bodies.iter().zip(expected) {
            let response = post_json(&s, &format!("/probe/input-body/{route}"), body).await;
            assert_eq!(response.status(), 200, "{route} {body:?}");
            assert_eq!(response.text().await.unwrap(), want, "{route} {body:?}");
        }
    }
}

/// LocalStack `test_input_path_template_formatting` (recorded 2025-06-18; an HTTP integration
/// to an echo backend on AWS), rule M.3: `$input.path` values render as Java maps, JSON lists,
/// and nothing for null, through MOCK probes that receive the echoed JSON as their body.
#[tokio::test]
async fn test_input_path_template_formatting() {
    let s = recorded();
    let cases = [
        ("path", r#"{"foo": "bar"}"#, "{foo=bar}"),
        ("path", r#"[{"foo": "bar"}]"#, r#"[{"foo":"bar"}]"#),
        ("nested", r#"{"nested": {"foo": "bar"}}"#, "{foo=bar}"),
        (
            "nested",
            r#"{"nested": [{"foo": "bar"}]}"#,
            r#"[{"foo":"bar"}]"#,
        ),
        ("list", r#"[{"foo": "bar"}]"#, "{foo=bar}"),
        ("list", r#"[[{"foo": "bar"}]]"#, r#"[{"foo":"bar"}]"#),
        (
            "path",
            r#"{"foo": [{"nested": "bar"}]}"#,
            r#"{foo=[{"nested":"bar"}]}"#,
        ),
        (
            "path",
            r#"{"bigger": "dict", "to": "test", "with": "separators"}"#,
            "{bigger=dict, to=test, with=separators}",
        ),
        ("to-string", r#"{"foo": "bar"}"#, "{foo=bar}"),
        (
            "to-string",
            r#"{"list": [{"foo": "bar"}]}"#,
            r#"{list=[{"foo":"bar"}]}"#,
        ),
        (
            "invalid-path",
            "null",
            r#"{"body": , "nested": , "isNull": "true", "isEmptyString": "true"}"#,
        ),
        (
            "nested-list",
            r#"{"listValue": []}"#,
            r#"{"body": [], "nested": , "isNull": "false", "isEmptyString": "false"}"#,
        ),
        (
            "nested-list",
            r#"{"listValue": null}"#,
            r#"{"body": , "nested": , "isNull": "true", "isEmptyString": "true"}"#,
        ),
    ];
    for (route, request_json, want) in cases {
        let echoed = format!(r#"{{"json": {request_json}}}"#);
        let response = post_json(&s, &format!("/probe/path-formatting/{route}"), &echoed).await;
        assert_eq!(response.status(), 200, "{route} {request_json}");
        assert_eq!(
            response.text().await.unwrap(),
            want,
            "{route} {request_json}"
        );
    }
}

/// LocalStack `test_apigateway_kinesis` (recorded 2024-11-20; a Kinesis integration on AWS):
/// the PutRecords template's `size()`, range `#foreach`, `base64Encode`, `.length()`, and an
/// undefined reference compared with `!= ''` (the else branch), through a MOCK probe.
#[tokio::test]
async fn test_apigateway_kinesis() {
    let s = recorded();
    let response = post_json(
        &s,
        "/probe/kinesis-put-records",
        r#"{"records": [{"data": "Test Data", "partitionKey": "pk"}, {"data": "Another", "partitionKey": "pk"}]}"#,
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        json_of(response).await,
        json!({
            "StreamName": "stream",
            "Records": [
                {"Data": "VGVzdCBEYXRh", "PartitionKey": "12"},
                {"Data": "QW5vdGhlcg==", "PartitionKey": "12"}
            ]
        })
    );
}

/// A SAM API with an OpenAPI `DefinitionBody` and `type: aws`: the request template builds
/// the event from parameters, selection patterns on the errorMessage choose 200 / 404 / 500,
/// response templates read the output, stage variables and `$context`, and
/// `integration.response.body.*` maps a header. Only the 200 and the 404 map
/// Access-Control-Allow-Origin, so a page cannot read the 500 and gatewise says why.
#[tokio::test]
async fn sam_openapi_aws_integration_selection_patterns_and_cors() {
    let s = serve_templates("sam-openapi-aws.yaml");
    let from_page = |path: &str| {
        client()
            .get(s.url(path))
            .header("Origin", PAGE_ORIGIN)
            .send()
    };

    let ok = from_page("/items/7?verbose=true").await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(header(&ok, "access-control-allow-origin"), Some("*"));
    assert_eq!(header(&ok, "x-item-name"), Some("item 7"));
    assert_eq!(
        json_of(ok).await,
        json!({"id": "7", "name": "item 7", "tags": ["a", "b"], "tagCount": 2, "owner": "shop", "stage": "v1"})
    );
    assert_not_explained(&s, "GET /items/7");

    let missing = from_page("/items/missing").await.unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(header(&missing, "access-control-allow-origin"), Some("*"));
    assert_eq!(
        json_of(missing).await,
        json!({"message": "Item missing not found"})
    );
    assert_not_explained(&s, "GET /items/missing");

    let broken = from_page("/items/broken").await.unwrap();
    assert_eq!(broken.status(), 500);
    assert_eq!(header(&broken, "access-control-allow-origin"), None);
    let body = json_of(broken).await;
    assert_eq!(body["message"], "something went wrong");
    assert_eq!(body["requestId"].as_str().map(str::len), Some(36));
    let line = explanation(&s, "GET /items/broken");
    assert!(
        line.contains("CORS: the browser will block GET /items/broken from")
            && line.contains(
                "integration response 500 (selection pattern \".*\") of GET /items/{id} (",
            )
            && line.contains("sam-openapi-aws.yaml:70:19)"),
        "{line}"
    );
}

/// Rule M.2: a template API Gateway deploys but cannot run (a `#foreach` never closed, an
/// `#include`) loads with a warning at its file position (and the position inside the
/// template), and each request that renders it gets 500 `{"message": "Internal server error"}`
/// with a log line naming it — what AWS answers, as such templates fail only at run time.
#[tokio::test]
async fn rule_m_2_unparsable_templates_load_with_a_warning_and_answer_500() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "|\n                {\"statusCode\": 200}\n                #foreach($item in [1, 2])\n                  $item\n",
            "template.yaml:23:17: warning: the application/json response template of GET /: line 4, column 1 of the template: #foreach is never closed",
        ),
        (
            "'{\"statusCode\": 200} #include(\"other.vm\")'",
            "template.yaml:19:54: warning: the application/json response template of GET /: line 1, column 21 of the template: #include is not supported",
        ),
    ];
    for (request_template, want) in cases {
        let template = mock_template(dir.path(), request_template);
        let s = Server::start(&template, &[]);
        // stderr is read on its own thread: the warning may land just after `Listening on`.
        s.wait_for_log(want);
        let response = get(&s, "/").await;
        assert_eq!(response.status(), 500);
        assert_eq!(
            response.text().await.unwrap(),
            r#"{"message": "Internal server error"}"#
        );
        let log = s.wait_for_log("cannot be parsed");
        assert!(
            log.contains("the application/json response template of GET /"),
            "{log}"
        );
    }
}

/// Rule M.2: a template that fails while rendering (here `$util.parseJson` of text that is
/// not JSON, Java's exception on AWS) is answered 500 `{"message": "Internal server error"}`
/// as an `API_CONFIGURATION_ERROR`; the log names the template, its file position and the
/// position inside it.
#[tokio::test]
async fn rule_m_2_render_failure_is_500_with_template_position() {
    let dir = tempfile::tempdir().unwrap();
    let template = mock_template(
        dir.path(),
        "|\n                {\n                  \"parsed\": $util.parseJson(\"not json\")\n                }",
    );
    let s = Server::start(&template, &[]);
    let response = get(&s, "/").await;
    assert_eq!(response.status(), 500);
    assert_eq!(
        header(&response, "x-amzn-errortype"),
        Some("InternalServerErrorException")
    );
    assert_eq!(
        response.text().await.unwrap(),
        r#"{"message": "Internal server error"}"#
    );
    let log = s.wait_for_log("500 because");
    assert!(
        log.contains("[gateway: API_CONFIGURATION_ERROR]")
            && log.contains("the application/json response template of GET / (")
            && log.contains(
                "template.yaml:21:35, line 2, column 19 of the template) failed: parseJson(): "
            ),
        "{log}"
    );
}
