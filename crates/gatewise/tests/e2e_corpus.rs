//! The template corpus end to end (tests/data/external/corpus/CATALOGUE.md): 30 real public
//! SAM / CloudFormation / CDK templates, one test each. Every test loads its template with
//! `gatewise routes`, checks the route table, then serves it (stubbed, or with tiny handlers of
//! our own where the answer depends on the handler; no upstream handler source is copied) and
//! sends the catalogue's requests with a real HTTP client, expecting what AWS answers (rule
//! numbers are those of docs/aws-rules.md). REST routes are served at the root, so AWS's
//! `GET /Prod/hello` is `GET /hello` here.

mod support;

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use support::*;

/// A copy of the real template `name` from tests/data/external/corpus.
fn corpus(name: &str) -> tempfile::TempDir {
    copy_external(&format!("corpus/{name}"))
}

/// `gatewise routes TEMPLATE EXTRA…`, run in the template's folder.
fn routes(template: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["routes", template.to_str().unwrap()];
    args.extend_from_slice(extra);
    run_gatewise(&args, template.parent().unwrap())
}

/// The METHOD / PATH pairs of a route table (header and `port +N:` lines skipped).
fn pairs(stdout: &str) -> Vec<(String, String)> {
    stdout
        .lines()
        .filter(|l| !l.starts_with("METHOD") && !l.starts_with("port +") && !l.trim().is_empty())
        .map(|l| {
            let mut columns = l.split_whitespace();
            (
                columns.next().unwrap().to_owned(),
                columns.next().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// Asserts `routes` exits 0 and lists exactly `expected` (in any order); returns stdout.
fn assert_routes(template: &Path, extra: &[&str], expected: &[(&str, &str)]) -> String {
    let (code, stdout, stderr) = routes(template, extra);
    assert_eq!(code, 0, "routes failed:\n{stderr}");
    let mut got = pairs(&stdout);
    got.sort();
    let mut want: Vec<(String, String)> = expected
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    want.sort();
    assert_eq!(got, want, "{stdout}");
    stdout
}

/// Asserts `routes` refuses the template (exit 2) with an error located in `file` at `line`,
/// whose text contains every needle.
fn assert_load_error(template: &Path, extra: &[&str], file: &str, line: usize, needles: &[&str]) {
    let (code, stdout, stderr) = routes(template, extra);
    assert_eq!(
        code, 2,
        "expected a load error; stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    let located = format!("{file}:{line}:");
    assert!(
        stderr
            .lines()
            .any(|l| l.contains(&located) && l.contains("error")),
        "no error located at {located}:\n{stderr}"
    );
    for needle in needles {
        assert!(stderr.contains(needle), "{needle:?} not in:\n{stderr}");
    }
}

fn serve(template: &Path, extra: &[&str]) -> Server {
    let mut args = vec!["--warm", "lazy"];
    args.extend_from_slice(extra);
    Server::start(template, &args)
}

async fn send(
    request: reqwest::RequestBuilder,
) -> (reqwest::StatusCode, reqwest::header::HeaderMap, String) {
    let response = request.send().await.expect("request");
    let status = response.status();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

fn json_of(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

fn value<'h>(headers: &'h reqwest::header::HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).map(|v| v.to_str().unwrap())
}

fn access_control(headers: &reqwest::header::HeaderMap) -> Vec<String> {
    headers
        .keys()
        .filter(|n| n.as_str().starts_with("access-control-"))
        .map(|n| n.to_string())
        .collect()
}

/// Asserts a REST "no such route" answer: 403 Missing Authentication Token (rule 5.1).
async fn assert_missing_token(s: &Server, method: reqwest::Method, path: &str) {
    let (status, headers, body) = send(client().request(method.clone(), s.url(path))).await;
    assert_eq!(status, 403, "{method} {path}: {body}");
    assert_eq!(
        json_of(&body),
        json!({"message": "Missing Authentication Token"}),
        "{method} {path}"
    );
    assert_eq!(
        value(&headers, "x-amzn-errortype"),
        Some("MissingAuthenticationTokenException")
    );
}

/// Asserts an HTTP API "no such route" answer: 404 Not Found (rule 5.9).
async fn assert_not_found(base: &str, method: reqwest::Method, path: &str) {
    let (status, _, body) = send(client().request(method.clone(), format!("{base}{path}"))).await;
    assert_eq!(status, 404, "{method} {path}: {body}");
    assert_eq!(
        json_of(&body),
        json!({"message": "Not Found"}),
        "{method} {path}"
    );
}

/// The API key `name` that serve generated for a key the template declares without a value.
fn generated_key(s: &Server, name: &str) -> String {
    let prefix = format!("API key {name} ");
    let line = s
        .stdout_head
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no `{prefix}…` line in:\n{}", s.stdout_head));
    line.rsplit(": ").next().unwrap().trim().to_owned()
}

// --- Handlers of our own (the upstream handler source is not copied) -------------------------

/// SAM CLI's lambda_authorizers `app.py`: the function answers the authorizer's `passed`
/// context value; the authorizers allow (`auth_handler`, `simple_handler`) or deny (`unauth`,
/// `unauthv2`).
const PY_SAMCLI_AUTH: &str = r#"import json

CONTEXT = {"number": 1, "bool": True, "passed": "from authorizer"}


def lambda_handler(event, context):
    auth = (event.get("requestContext") or {}).get("authorizer") or {}
    passed = auth.get("passed") or (auth.get("lambda") or {}).get("passed")
    return {"statusCode": 200, "body": json.dumps({"message": passed})}


def _policy(effect):
    return {
        "principalId": "user",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": "*"}],
        },
        "context": CONTEXT,
    }


def auth_handler(event, context):
    return _policy("Allow")


def unauth(event, context):
    return _policy("Deny")


def simple_handler(event, context):
    return {"isAuthorized": True, "context": CONTEXT}


def unauthv2(event, context):
    return {"isAuthorized": False, "context": CONTEXT}
"#;

/// SAM CLI's `main.py`: `handler` answers 200 `{"hello": "world"}`.
const PY_HELLO_WORLD: &str = "import json\n\n\ndef handler(event, context):\n    return {\"statusCode\": 200, \"body\": json.dumps({\"hello\": \"world\"})}\n";

/// A Node.js proxy handler answering 200 with the event as its JSON body.
const JS_ECHO_EVENT: &str =
    "exports.handler = async (event) => ({statusCode: 200, body: JSON.stringify(event)});\n";

const DENY_MESSAGE: &str = "User is not authorized to access this resource with an explicit deny";

// --- SAM CLI's own fixtures (aws/aws-sam-cli) -------------------------------------------------

/// Raw `AWS::ApiGateway::*` REST API with a TOKEN authorizer on a header literally named
/// `header` and a REQUEST authorizer on that header plus `?query=` (one comma-separated
/// IdentitySource): an allowing authorizer's context reaches the function, a missing identity
/// source is 401 and a Deny policy 403 with AWS's explicit-deny body (rule 5.6; SAM CLI's own
/// test expects a different, SAM-CLI-only text). Origin: `samcli-authorizers-rest-cfn`.
#[tokio::test]
async fn corpus_samcli_authorizers_rest_cfn() {
    let dir = corpus("samcli-authorizers-rest-cfn");
    write_file(&dir.path().join("app.py"), PY_SAMCLI_AUTH);
    let template = dir.path().join("cfn-apigw-v1.yaml");
    assert_routes(
        &template,
        &[],
        &[
            ("GET", "/requestauthorizertoken"),
            ("GET", "/requestauthorizerrequest"),
        ],
    );

    let s = serve(&template, &[]);
    let (status, _, body) = send(
        client()
            .get(s.url("/requestauthorizertoken"))
            .header("header", "myheader"),
    )
    .await;
    assert_eq!(status, 200, "{body}\n{}", s.stderr());
    assert_eq!(json_of(&body), json!({"message": "from authorizer"}));
    // Request authorizer: the query string is part of the identity; without it, 401.
    let (status, _, body) = send(
        client()
            .get(s.url("/requestauthorizerrequest"))
            .header("header", "myheader"),
    )
    .await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(json_of(&body), json!({"message": "Unauthorized"}));
    let (status, _, body) = send(
        client()
            .get(s.url("/requestauthorizerrequest?query=myquery"))
            .header("header", "myheader"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(json_of(&body), json!({"message": "from authorizer"}));
    assert_missing_token(&s, reqwest::Method::GET, "/nope").await;
    drop(s);

    // AuthHandler=app.unauth: the authorizer denies, 403 with the explicit-deny body.
    let s = serve(
        &template,
        &["--parameter-overrides", "AuthHandler=app.unauth"],
    );
    for (path, query) in [
        ("/requestauthorizertoken", ""),
        ("/requestauthorizerrequest", "?query=q"),
    ] {
        let (status, headers, body) = send(
            client()
                .get(s.url(&format!("{path}{query}")))
                .header("header", "myheader"),
        )
        .await;
        assert_eq!(status, 403, "{path}: {body}");
        assert_eq!(json_of(&body), json!({"Message": DENY_MESSAGE}), "{path}");
        assert_eq!(
            value(&headers, "x-amzn-errortype"),
            Some("AccessDeniedException")
        );
    }
}

/// Raw `AWS::ApiGatewayV2::*` HTTP API on a named stage with three REQUEST authorizers (payload
/// 1.0 and 2.0 policy responses, 2.0 simple responses): the context arrives under
/// `requestContext.authorizer.lambda`, a missing identity is 401, a simple `isAuthorized:
/// false` is 403 Forbidden (rule 5.12) and an unknown route 404 (5.9). Origin:
/// `samcli-authorizers-http-cfn`.
#[tokio::test]
async fn corpus_samcli_authorizers_http_cfn() {
    let dir = corpus("samcli-authorizers-http-cfn");
    write_file(&dir.path().join("app.py"), PY_SAMCLI_AUTH);
    let template = dir.path().join("cfn-apigw-v2.yaml");
    assert_routes(
        &template,
        &[],
        &[
            ("GET", "/requestauthorizerv2"),
            ("GET", "/requestauthorizerv2simple"),
            ("GET", "/requestauthorizerv1"),
        ],
    );

    let s = serve(&template, &[]);
    let (status, _, body) = send(
        client()
            .get(s.url("/requestauthorizerv2?query=myquery"))
            .header("header", "myheader"),
    )
    .await;
    assert_eq!(status, 200, "{body}\n{}", s.stderr());
    assert_eq!(json_of(&body), json!({"message": "from authorizer"}));
    let (status, _, body) = send(client().get(s.url("/requestauthorizerv1"))).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(json_of(&body), json!({"message": "Unauthorized"}));
    assert_not_found(&s.base, reqwest::Method::GET, "/other").await;
    drop(s);

    let s = serve(
        &template,
        &["--parameter-overrides", "AuthHandler=app.unauthv2"],
    );
    let (status, _, body) = send(
        client()
            .get(s.url("/requestauthorizerv2simple?query=q"))
            .header("header", "myheader"),
    )
    .await;
    assert_eq!(status, 403, "{body}\n{}", s.stderr());
    assert_eq!(json_of(&body), json!({"message": "Forbidden"}));
}

/// `Auth.Authorizer: !Ref AuthOverride` on a SAM `Api` event: SAM CLI resolves the parameter
/// locally, but AWS's SAM transform rejects the template ("Unable to set Authorizer
/// [{'Ref': 'AuthOverride'}] on API method [get] for path [/requestauthorizer]. The method
/// authorizer must be a string …", checked with samtranslator 1.110.0), so it cannot be
/// deployed: a faithful load refuses it at the event's `Authorizer`. Origin:
/// `samcli-authorizers-rest-sam`.
#[test]
fn corpus_samcli_authorizers_rest_sam() {
    let dir = corpus("samcli-authorizers-rest-sam");
    let template = dir.path().join("serverless-api-props.yaml");
    let line = authorizer_ref_line(&template);
    assert_load_error(
        &template,
        &["--stub-functions"],
        "serverless-api-props.yaml",
        line,
        &["Authorizer"],
    );
}

/// The HTTP API flavour of `samcli_authorizers_rest_sam`: `Auth.Authorizer: !Ref
/// AuthOverride` on an `HttpApi` event is the same transform error on AWS. Origin:
/// `samcli-authorizers-http-sam`.
#[test]
fn corpus_samcli_authorizers_http_sam() {
    let dir = corpus("samcli-authorizers-http-sam");
    let template = dir.path().join("serverless-http-props.yaml");
    let line = authorizer_ref_line(&template);
    assert_load_error(
        &template,
        &["--stub-functions"],
        "serverless-http-props.yaml",
        line,
        &["Authorizer"],
    );
}

/// The 1-based line of `Authorizer: !Ref AuthOverride` in a template.
fn authorizer_ref_line(template: &Path) -> usize {
    let text = std::fs::read_to_string(template).unwrap();
    1 + text
        .lines()
        .position(|l| l.contains("Authorizer: !Ref AuthOverride"))
        .expect("the Authorizer: !Ref line")
}

/// A hand-edited quick-create HTTP API (no `Transform`, `Code: '.'` as SAM CLI allows) with a
/// `$default` route, an explicit `GET /echoeventbody` route and `CorsConfiguration` with
/// credentials: `Code: '.'` (a string, which CloudFormation refuses) is a located load error
/// unless stubbed; both routes answer; an OPTIONS preflight matches `$default` (rule 8.5, whose
/// outcome is UNCONFIRMED: gatewise runs the route and adds the configured preflight headers,
/// `ROUTED_PREFLIGHT_RUNS_INTEGRATION` in docs/aws-fidelity.md). Functions are stubbed:
/// `Code: '.'` is not code on this machine. Origin: `samcli-http-normal-and-default-routes`.
#[tokio::test]
async fn corpus_samcli_http_normal_and_default_routes() {
    let dir = corpus("samcli-http-normal-and-default-routes");
    let template = dir
        .path()
        .join("cfn-http-api-with-normal-and-default-routes.yaml");
    // `Code: '.'` is SAM CLI's local shorthand; CloudFormation needs a map: without a stand-in
    // the load fails, located at the first function's `Code`.
    assert_load_error(
        &template,
        &[],
        "cfn-http-api-with-normal-and-default-routes.yaml",
        11,
        &["HelloWorldFunction", "Code"],
    );
    assert_routes(
        &template,
        &["--stub-functions"],
        &[("ANY", "$default"), ("GET", "/echoeventbody")],
    );

    let s = serve(&template, &["--stub-functions"]);
    for path in ["/echoeventbody", "/anything/else"] {
        let (status, headers, body) = send(client().get(s.url(path))).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert_eq!(value(&headers, "content-type"), Some("application/json"));
        assert_eq!(json_of(&body), json!({}));
    }
    // An actual request from the allowed origin gets allow-origin and allow-credentials (8.9).
    let (status, headers, _) = send(
        client()
            .get(s.url("/echoeventbody"))
            .header("Origin", "https://example.com"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        value(&headers, "access-control-allow-origin"),
        Some("https://example.com")
    );
    assert_eq!(
        value(&headers, "access-control-allow-credentials"),
        Some("true")
    );
    // The preflight is routed to $default (8.5) and carries the configured preflight set (8.7).
    let (status, headers, body) = send(
        client()
            .request(reqwest::Method::OPTIONS, s.url("/echoeventbody"))
            .header("Origin", "https://example.com")
            .header("Access-Control-Request-Method", "GET"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        value(&headers, "access-control-allow-origin"),
        Some("https://example.com")
    );
    assert_eq!(
        value(&headers, "access-control-allow-credentials"),
        Some("true")
    );
    assert_eq!(value(&headers, "access-control-allow-methods"), Some("GET"));
    assert_eq!(
        value(&headers, "access-control-allow-headers"),
        Some("x-apigateway-header")
    );
    assert_eq!(value(&headers, "access-control-max-age"), Some("600"));
}

/// One function behind an implicit REST API and an implicit HTTP API, with
/// `Globals.Api.Cors: "'*''"` (a malformed quote): each API serves its own route; the REST
/// proxy answer gets no CORS headers (rule 1.11); the REST path is unknown to the HTTP API and
/// the other way round. Origin: `samcli-rest-and-http-apis`.
#[tokio::test]
async fn corpus_samcli_rest_and_http_apis() {
    let dir = corpus("samcli-rest-and-http-apis");
    write_file(&dir.path().join("main.py"), PY_HELLO_WORLD);
    let template = dir.path().join("template-rest-and-http-apis.yaml");
    assert_routes(
        &template,
        &[],
        &[
            ("GET", "/rest-api"),
            ("OPTIONS", "/rest-api"),
            ("GET", "/http-api"),
        ],
    );

    let s = serve(&template, &[]);
    let (status, headers, body) = send(
        client()
            .get(s.url("/rest-api"))
            .header("Origin", PAGE_ORIGIN),
    )
    .await;
    assert_eq!(status, 200, "{body}\n{}", s.stderr());
    assert_eq!(json_of(&body), json!({"hello": "world"}));
    assert!(access_control(&headers).is_empty(), "{headers:?}");
    let (status, headers, body) = send(client().get(s.url("/http-api"))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(json_of(&body), json!({"hello": "world"}));
    // Payload 2.0 output without a content type: text/plain (rule 7.10).
    assert_eq!(
        value(&headers, "content-type"),
        Some("text/plain; charset=utf-8")
    );
    // SAM's OPTIONS MOCK (rules 1.6, 1.7): Allow-Methods computed, no Allow-Headers for the
    // string form. Whether API Gateway accepts the malformed literal `'*''` is UNCONFIRMED
    // (rule 1.8); gatewise strips the outer quotes and sends `*'`.
    let (status, headers, body) = send(
        client()
            .request(reqwest::Method::OPTIONS, s.url("/rest-api"))
            .header("Origin", PAGE_ORIGIN)
            .header("Access-Control-Request-Method", "GET"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(json_of(&body), json!({}));
    assert_eq!(
        value(&headers, "access-control-allow-methods"),
        Some("GET,OPTIONS")
    );
    assert_eq!(value(&headers, "access-control-allow-origin"), Some("*'"));
    assert_eq!(value(&headers, "access-control-allow-headers"), None);
    // POST matches neither API: the REST API's answer for a known path without that method.
    assert_missing_token(&s, reqwest::Method::POST, "/rest-api").await;
    assert_not_found(&s.base, reqwest::Method::POST, "/http-api").await;
}

/// A SAM `Api` whose `DefinitionBody` is an `AWS::Include` of a Swagger file (with a `Ref`
/// inside it) and whose function has no `Events`: `ANY /anyandall` runs the function; the
/// explicit OPTIONS MOCK from the `Cors` map beats ANY (rule 4.2) and answers 200 with the
/// literals (1.6, 1.7), Max-Age `'510'` included. Origin: `samcli-included-swagger`.
#[tokio::test]
async fn corpus_samcli_included_swagger() {
    let dir = corpus("samcli-included-swagger");
    write_file(&dir.path().join("main.py"), PY_HELLO_WORLD);
    let template = dir.path().join("template-with-included-swagger.yaml");
    assert_routes(
        &template,
        &[],
        &[("ANY", "/anyandall"), ("OPTIONS", "/anyandall")],
    );

    let s = serve(&template, &[]);
    let (status, headers, body) = send(
        client()
            .get(s.url("/anyandall"))
            .header("Origin", PAGE_ORIGIN),
    )
    .await;
    assert_eq!(status, 200, "{body}\n{}", s.stderr());
    assert_eq!(json_of(&body), json!({"hello": "world"}));
    assert!(access_control(&headers).is_empty(), "{headers:?}");
    let (status, headers, body) = send(
        client()
            .request(reqwest::Method::OPTIONS, s.url("/anyandall"))
            .header("Origin", PAGE_ORIGIN)
            .header("Access-Control-Request-Method", "GET"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(value(&headers, "access-control-allow-methods"), Some("GET"));
    assert_eq!(
        value(&headers, "access-control-allow-headers"),
        Some("origin, x-requested-with")
    );
    assert_eq!(value(&headers, "access-control-max-age"), Some("510"));
    // The malformed `'*''` literal: UNCONFIRMED on AWS (rule 1.8); gatewise sends `*'`.
    assert_eq!(value(&headers, "access-control-allow-origin"), Some("*'"));
    assert_missing_token(&s, reqwest::Method::GET, "/other").await;
}

/// A `cdk synth` (CDK v1) REST API whose function code is found through
/// `Metadata.aws:asset:path: ../` (the template's parent folder), with `Code` built from
/// undeclared `AssetParameters*` through `Fn::Select` / `Fn::Split "||"`: the function runs;
/// GET-only, ANY and greedy-proxy resources route as on AWS (rules 4.2, 5.1, 6.4). The
/// template sits one folder below the code, as in SAM CLI's fixture. Origin:
/// `samcli-cdk-rest-api`.
#[tokio::test]
async fn corpus_samcli_cdk_rest_api() {
    let root = tempfile::tempdir().unwrap();
    copy_tree(
        &acceptance("corpus/samcli-cdk-rest-api"),
        &root.path().join("cdk"),
    );
    write_file(&root.path().join("main.py"), PY_HELLO_WORLD);
    let template = root.path().join("cdk/template-rest-api.yaml");
    assert_routes(
        &template,
        &[],
        &[
            ("GET", "/v1"),
            ("ANY", "/anyandall"),
            ("GET", "/proxypath/{proxy+}"),
        ],
    );

    let s = serve(&template, &[]);
    let (status, _, body) = send(client().get(s.url("/v1"))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(json_of(&body), json!({"hello": "world"}));
    assert_missing_token(&s, reqwest::Method::POST, "/v1").await;
    let (status, _, _) = send(client().delete(s.url("/anyandall"))).await;
    assert_eq!(status, 200);
    let (status, _, _) = send(client().get(s.url("/proxypath/a/b"))).await;
    assert_eq!(status, 200);
    assert_missing_token(&s, reqwest::Method::GET, "/proxypath").await;
}

/// The HTTP API twin of `samcli_cdk_rest_api` (CDK v1, `aws:asset:path: ../`, undeclared
/// asset parameters): the function runs; `ANY` matches PATCH; a greedy path needs a segment,
/// so `GET /proxypath` is 404 (rule 5.9) as is `POST /get-info`. Origin: `samcli-cdk-http-api`.
#[tokio::test]
async fn corpus_samcli_cdk_http_api() {
    let root = tempfile::tempdir().unwrap();
    copy_tree(
        &acceptance("corpus/samcli-cdk-http-api"),
        &root.path().join("cdk"),
    );
    write_file(&root.path().join("main.py"), PY_HELLO_WORLD);
    let template = root.path().join("cdk/template-http-api.yaml");
    assert_routes(
        &template,
        &[],
        &[
            ("GET", "/get-info"),
            ("ANY", "/anyandall"),
            ("GET", "/proxypath/{proxy+}"),
        ],
    );

    let s = serve(&template, &[]);
    let (status, _, body) = send(client().get(s.url("/get-info"))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(json_of(&body), json!({"hello": "world"}));
    let (status, _, _) = send(client().patch(s.url("/anyandall"))).await;
    assert_eq!(status, 200);
    assert_not_found(&s.base, reqwest::Method::GET, "/proxypath").await;
    assert_not_found(&s.base, reqwest::Method::POST, "/get-info").await;
}

/// `sam list endpoints`' fixture: an implicit REST API with two routes and an explicit
/// `HttpApi` with no routes at all (and a Lambda function URL, outside API Gateway): both REST
/// routes answer; the empty HTTP API serves nothing. Origin: `samcli-list-endpoints`.
#[tokio::test]
async fn corpus_samcli_list_endpoints() {
    let dir = corpus("samcli-list-endpoints");
    write_file(
        &dir.path().join("hello_world/app.py"),
        "import json\n\n\ndef lambda_handler(event, context):\n    return {\"statusCode\": 200, \"body\": json.dumps({\"message\": \"hello world\"})}\n",
    );
    let template = dir.path().join("test_endpoints_template.yaml");
    assert_routes(&template, &[], &[("GET", "/hello"), ("GET", "/hello2")]);

    let s = serve(&template, &[]);
    for path in ["/hello", "/hello2"] {
        let (status, _, body) = send(client().get(s.url(path))).await;
        assert_eq!(status, 200, "{path}: {body}\n{}", s.stderr());
        assert_eq!(json_of(&body), json!({"message": "hello world"}));
    }
    assert_missing_token(&s, reqwest::Method::POST, "/hello").await;
}

// --- aws-samples/serverless-patterns --------------------------------------------------------

/// Raw REST API whose root `GET /` requires an API key declared without a `Value` (AWS
/// generates one; serve prints it): no key is 403 Forbidden (rule 5.5), the generated key (and
/// one added with `--api-key`) runs the function with the payload 1.0 event, and other methods and paths are 403 Missing
/// Authentication Token (5.1). Origin: `sp-apigw-api-key`.
#[tokio::test]
async fn corpus_sp_apigw_api_key() {
    let dir = corpus("sp-apigw-api-key");
    write_file(&dir.path().join("src/app.js"), JS_ECHO_EVENT);
    let template = dir.path().join("template.yaml");
    assert_routes(&template, &[], &[("GET", "/")]);

    let s = serve(&template, &["--api-key", OWN_API_KEY]);
    let (status, headers, body) = send(client().get(s.url("/"))).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(json_of(&body), json!({"message": "Forbidden"}));
    assert_eq!(
        value(&headers, "x-amzn-errortype"),
        Some("ForbiddenException")
    );
    let (status, _, body) = send(client().get(s.url("/")).header("x-api-key", "not-the-key")).await;
    assert_eq!(status, 403, "{body}");
    let key = generated_key(&s, "ApiKey");
    let (status, _, body) = send(client().get(s.url("/")).header("x-api-key", &key)).await;
    assert_eq!(status, 200, "{body}\n{}", s.stderr());
    let event = json_of(&body);
    assert_eq!(event["httpMethod"], "GET");
    assert_eq!(event["resource"], "/");
    // A key added with --api-key is valid too (docs/aws-rules.md 9.5, gatewise's simplification).
    let (status, _, body) = send(client().get(s.url("/")).header("X-API-Key", OWN_API_KEY)).await;
    assert_eq!(status, 200, "{body}");
    assert_missing_token(&s, reqwest::Method::POST, "/").await;
    assert_missing_token(&s, reqwest::Method::GET, "/x").await;
}

const OWN_API_KEY: &str = "corpus-own-key-0123456789";

/// A TOKEN Lambda authorizer on the `authorizationToken` header, with an authorizer of our own
/// reproducing the upstream logic: no token 401, `Bearer allow` runs the function with the
/// principal, `Bearer deny` 403 explicit deny, a failure `Unauthorized` 401, any other failure
/// 500 `{"message": null}` (rule 5.6). Origin: `sp-apigw-lambda-authorizer`.
#[tokio::test]
async fn corpus_sp_apigw_lambda_authorizer() {
    let dir = corpus("sp-apigw-lambda-authorizer");
    write_file(&dir.path().join("src/app.js"), JS_ECHO_EVENT);
    write_file(
        &dir.path().join("src/tokenauthorizer.js"),
        r#"const policy = (effect, resource) => ({
  principalId: 'user',
  policyDocument: {Version: '2012-10-17', Statement: [{Action: 'execute-api:Invoke', Effect: effect, Resource: resource}]},
});
exports.handler = async (event) => {
  switch (event.authorizationToken) {
    case 'Bearer allow': return policy('Allow', event.methodArn);
    case 'Bearer deny': return policy('Deny', event.methodArn);
    case 'unauthorized': throw new Error('Unauthorized');
    default: throw new Error('Error: Invalid token');
  }
};
"#,
    );
    let template = dir.path().join("template.yaml");
    assert_routes(&template, &[], &[("GET", "/")]);

    let s = serve(&template, &[]);
    let get = |token: Option<&str>| {
        let mut request = client().get(s.url("/"));
        if let Some(token) = token {
            request = request.header("authorizationToken", token);
        }
        send(request)
    };
    let (status, _, body) = get(None).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(json_of(&body), json!({"message": "Unauthorized"}));
    let (status, _, body) = get(Some("Bearer allow")).await;
    assert_eq!(status, 200, "{body}\n{}", s.stderr());
    assert_eq!(
        json_of(&body)["requestContext"]["authorizer"]["principalId"],
        "user"
    );
    let (status, _, body) = get(Some("Bearer deny")).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(json_of(&body), json!({"Message": DENY_MESSAGE}));
    let (status, _, body) = get(Some("unauthorized")).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(json_of(&body), json!({"message": "Unauthorized"}));
    let (status, headers, body) = get(Some("foo")).await;
    assert_eq!(status, 500, "{body}");
    assert_eq!(json_of(&body), json!({"message": null}));
    assert_eq!(
        value(&headers, "x-amzn-errortype"),
        Some("AuthorizerConfigurationException")
    );
}

/// A Cognito user-pool authorizer whose pool ARN is a parameter without default: the template
/// needs `--parameter-overrides`; without a token, 401 (rule 5.6); a token is let through
/// unverified, with a warning (AWS would answer 401 for one that is not a pool JWT: a
/// documented difference); an unknown path 403 Missing Authentication Token. Origin:
/// `sp-cognito-restapi`.
#[tokio::test]
async fn corpus_sp_cognito_restapi() {
    let dir = corpus("sp-cognito-restapi");
    let template = dir.path().join("template.yaml");
    let (code, _, stderr) = routes(&template, &["--stub-functions"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("template.yaml:11:") && stderr.contains("CognitoUserPoolArn"),
        "{stderr}"
    );
    let params = [
        "--stub-functions",
        "--parameter-overrides",
        "CognitoUserPoolArn=arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_TEST",
    ];
    assert_routes(&template, &params, &[("GET", "/")]);

    let s = serve(&template, &params);
    let (status, _, body) = send(client().get(s.url("/"))).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(json_of(&body), json!({"message": "Unauthorized"}));
    let (status, _, body) = send(
        client()
            .get(s.url("/"))
            .header("authorizationToken", "not-a-jwt"),
    )
    .await;
    // AWS verifies the token against the pool (401 for one that is not a pool JWT); gatewise
    // checks presence only and says so, a documented difference (docs/aws-fidelity.md, known
    // differences: "Cognito / AWS_IAM").
    assert_eq!(status, 200, "{body}");
    s.wait_for_log("tokens are not verified locally");
    assert_missing_token(&s, reqwest::Method::GET, "/x").await;
}

/// A CRLF template without a `Transform` line (SAM types used anyway, as SAM CLI accepts; gatewise
/// warns at the function) with a request validator: required header and query string, and a
/// `$default` body model written as a flow mapping. A good request runs the function; missing
/// parameters are 400 naming both, header first (rules V.1–V.3); a body missing a required
/// property 400 `Invalid request body` (V.5); `GET /` 403 (5.1). Origin:
/// `sp-apigw-lambda-request-validator`.
#[tokio::test]
async fn corpus_sp_apigw_lambda_request_validator() {
    let dir = corpus("sp-apigw-lambda-request-validator");
    write_file(
        &dir.path().join("src/app.js"),
        "exports.handler = async (event) => {\n  const body = JSON.parse(event.body);\n  return {statusCode: 200, body: JSON.stringify({queryString: event.queryStringParameters.myQueryString, header: event.headers.myheader, message: `Hello ${body.firstName} ${body.lastName}, from AWS Lambda!`}, null, 2)};\n};\n",
    );
    let template = dir.path().join("template.yaml");
    let (code, _, stderr) = routes(&template, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("template.yaml:23:3: warning:") && stderr.contains("Transform"),
        "{stderr}"
    );
    assert_routes(&template, &[], &[("POST", "/")]);

    let s = serve(&template, &[]);
    let (status, _, body) = send(
        client()
            .post(s.url("/?myQueryString=a"))
            .header("myHeader", "b")
            .header("Content-Type", "application/json")
            .body(r#"{"firstName":"A","lastName":"B"}"#),
    )
    .await;
    assert_eq!(status, 200, "{body}\n{}", s.stderr());
    assert_eq!(
        json_of(&body),
        json!({"queryString": "a", "header": "b", "message": "Hello A B, from AWS Lambda!"})
    );
    let (status, headers, body) = send(
        client()
            .post(s.url("/"))
            .header("Content-Type", "application/json")
            .body(r#"{"firstName":"A","lastName":"B"}"#),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        json_of(&body),
        json!({"message": "Missing required request parameters: [myHeader, myQueryString]"})
    );
    assert_eq!(
        value(&headers, "x-amzn-errortype"),
        Some("BadRequestException")
    );
    let (status, _, body) = send(
        client()
            .post(s.url("/?myQueryString=a"))
            .header("myHeader", "b")
            .header("Content-Type", "application/json")
            .body(r#"{"firstName":"A"}"#),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(json_of(&body), json!({"message": "Invalid request body"}));
    assert_missing_token(&s, reqwest::Method::GET, "/").await;
}

/// A SAM `Api` whose OpenAPI 3 body is included from `api.yaml`: `ANY /` is a non-proxy
/// (`aws`) Lambda integration whose response template, a YAML double-quoted scalar folded with
/// `\` continuations, sets `$context.responseOverride.status = 400` when the output contains
/// `error` (rule M.7) and renders `$input.json("$")`. The function's `Api` event adds no
/// integration of its own. Origin: `sp-apigw-mappingtemplate-lambda`.
#[tokio::test]
async fn corpus_sp_apigw_mappingtemplate_lambda() {
    let dir = corpus("sp-apigw-mappingtemplate-lambda");
    write_file(
        &dir.path().join("src/lambda_function4.py"),
        "def lambda_handler(event, context):\n    if isinstance(event, dict) and event.get(\"ok\"):\n        return {\"ok\": True}\n    return {\"statuscode\": 200, \"body\": \"error1\"}\n",
    );
    let template = dir.path().join("template.yaml");
    let stdout = assert_routes(&template, &[], &[("ANY", "/")]);
    assert!(stdout.contains("via AWS integration"), "{stdout}");

    let s = serve(&template, &[]);
    let (status, headers, body) = send(client().get(s.url("/"))).await;
    assert_eq!(status, 400, "{body}\n{}", s.stderr());
    assert_eq!(value(&headers, "content-type"), Some("application/json"));
    assert_eq!(json_of(&body), json!({"statuscode": 200, "body": "error1"}));
    let (status, _, body) = send(
        client()
            .post(s.url("/"))
            .header("Content-Type", "application/json")
            .body(r#"{"ok": true}"#),
    )
    .await;
    assert_eq!(status, 200, "{body}\n{}", s.stderr());
    assert_eq!(json_of(&body), json!({"ok": true}));
    assert_missing_token(&s, reqwest::Method::GET, "/x").await;
}

/// Inline Swagger with a non-proxy Lambda integration whose response template turns the
/// function's JSON body into XML (`$util.parseJson`, `#foreach`, `keySet()`,
/// `$util.escapeJavaScript`, `##` joins): 200 with the template's content type and the XML;
/// other methods and paths 403 (rule 5.1). Origin: `sp-apigw-json-xml-vtl`.
#[tokio::test]
async fn corpus_sp_apigw_json_xml_vtl() {
    let dir = corpus("sp-apigw-json-xml-vtl");
    write_file(
        &dir.path().join("src/app.js"),
        "exports.handler = async () => ({statusCode: 200, body: JSON.stringify({petDetails: {action: 'RETRIEVE', status: 'available'}, category: {id: 0, name: 'string'}, tags: [{name: 'doggie'}, {name: 'photoUrls', value: 'string'}, {name: 'location', value: 'string'}]})});\n",
    );
    let template = dir.path().join("template.yaml");
    assert_routes(&template, &[], &[("GET", "/details")]);

    let s = serve(&template, &[]);
    let (status, headers, body) = send(client().get(s.url("/details"))).await;
    assert_eq!(status, 200, "{body}\n{}", s.stderr());
    assert_eq!(value(&headers, "content-type"), Some("application/json"));
    assert!(
        body.trim_start()
            .starts_with(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#),
        "{body}"
    );
    for part in [
        "<getPetDetails>",
        r#" action="RETRIEVE""#,
        r#" status="available""#,
        r#"<category name="string"/>"#,
        "<tags>",
        r#"<tag name = "doggie"></tag>"#,
        r#"<tag name = "photoUrls">string</tag>"#,
        r#"<tag name = "location">string</tag>"#,
        "</tags>",
        "</getPetDetails>",
    ] {
        assert!(body.contains(part), "{part:?} not in:\n{body}");
    }
    assert_missing_token(&s, reqwest::Method::POST, "/details").await;
    assert_missing_token(&s, reqwest::Method::GET, "/details/1").await;
}

/// The Lambda handler of `sp-apigw-rest-apigw-rest`: its `LOCATION` environment variable.
const JS_LOCATION: &str = "exports.handler = async () => ({statusCode: 200, body: JSON.stringify({message: process.env.LOCATION})});\n";

const API_KEY_VALUE: &str = "corpus-test-key-0123456789";

fn rest_apigw_rest() -> (tempfile::TempDir, PathBuf, Vec<String>) {
    let dir = corpus("sp-apigw-rest-apigw-rest");
    write_file(&dir.path().join("src/app.js"), JS_LOCATION);
    let template = dir.path().join("template.yaml");
    let params = vec![
        "--parameter-overrides".to_owned(),
        format!("ApiKeyValue={API_KEY_VALUE}"),
    ];
    (dir, template, params)
}

/// Three SAM `Api`s (one from an included OpenAPI file) whose routes collide, so they get a
/// port each as they have a host each on AWS; the key's value is a parameter without default.
/// The key-protected APIs answer 403 Forbidden without the key (rule 5.5) and run their
/// function with it; unknown paths are 403 (5.1). Origin: `sp-apigw-rest-apigw-rest`.
#[tokio::test]
async fn corpus_sp_apigw_rest_apigw_rest() {
    let (_dir, template, params) = rest_apigw_rest();
    let (code, _, stderr) = routes(&template, &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("template.yaml:6:") && stderr.contains("ApiKeyValue"),
        "{stderr}"
    );
    let params: Vec<&str> = params.iter().map(String::as_str).collect();
    let stdout = assert_routes(
        &template,
        &params,
        &[
            ("GET", "/admin/reports"),
            ("GET", "/admin/users"),
            ("GET", "/"),
            ("GET", "/"),
        ],
    );
    assert!(stdout.contains("port +1: UserManagementApi"), "{stdout}");

    let s = serve(&template, &params);
    let primary = s.listener(0);
    let users = s.listener(1);
    let (status, _, body) = send(client().get(format!("{primary}/"))).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(json_of(&body), json!({"message": "Forbidden"}));
    let (status, _, body) = send(
        client()
            .get(format!("{primary}/"))
            .header("x-api-key", API_KEY_VALUE),
    )
    .await;
    assert_eq!(status, 200, "{body}\n{}", s.stderr());
    assert_eq!(
        json_of(&body),
        json!({"message": "Response from reporting application"})
    );
    let (status, _, body) = send(
        client()
            .get(format!("{users}/"))
            .header("x-api-key", API_KEY_VALUE),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        json_of(&body),
        json!({"message": "Response from user management application"})
    );
    let (status, _, body) = send(client().get(format!("{primary}/admin"))).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(
        json_of(&body),
        json!({"message": "Missing Authentication Token"})
    );
}

/// `GET /admin/users` on the primary API is an `http_proxy` integration to the user management
/// API's public `execute-api` URL with the key injected as a static `x-api-key` header. On AWS
/// that answers 200 with the other API's answer; locally that host does not exist, so the call
/// fails as an integration failure (504, rule H.12) and the log names the URL it tried — the
/// documented difference (an HTTP integration calls the URL it names, even one of the same
/// template's APIs). Origin: `sp-apigw-rest-apigw-rest`.
#[tokio::test]
async fn corpus_sp_apigw_rest_apigw_rest_http_proxy() {
    let (_dir, template, params) = rest_apigw_rest();
    let params: Vec<&str> = params.iter().map(String::as_str).collect();
    let s = serve(&template, &params);
    let (status, _, body) = send(client().get(format!("{}/admin/users", s.listener(0)))).await;
    assert_eq!(status, 504, "{body}");
    s.wait_for_log(".execute-api.us-east-1.amazonaws.com");
}

/// A SAM `Api` with a mutual-TLS custom domain (its parameters have no defaults), a REQUEST
/// Lambda authorizer as `DefaultAuthorizer` on `Authorization`, a local layer with
/// `ContentUri: ./`, and a function with both `CodeUri` and `InlineCode` (SAM keeps
/// `InlineCode`): no `Authorization` is 401 (rule 5.6); with an allowing authorizer of our own
/// the inline function answers; `GET /` is 403 (5.1). Origin: `sp-apigw-cognito-cert-bound`.
#[tokio::test]
async fn corpus_sp_apigw_cognito_cert_bound() {
    let dir = corpus("sp-apigw-cognito-cert-bound");
    write_file(
        &dir.path().join("handlers/authorizer.py"),
        "def lambda_handler(event, context):\n    return {\"principalId\": \"user\", \"policyDocument\": {\"Version\": \"2012-10-17\", \"Statement\": [{\"Action\": \"execute-api:Invoke\", \"Effect\": \"Allow\", \"Resource\": event[\"methodArn\"]}]}}\n",
    );
    write_file(&dir.path().join("handlers/__init__.py"), "");
    write_file(
        &dir.path().join("handlers/pre_token_gen_lambda.py"),
        "def lambda_handler(event, context):\n    return event\n",
    );
    let template = dir.path().join("template.yaml");
    let (code, _, stderr) = routes(&template, &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("template.yaml:19:") && stderr.contains("BucketName"),
        "{stderr}"
    );
    let params = [
        "--parameter-overrides",
        "BucketName=certs",
        "CACertKey=ca.pem",
        "ClientCertKey=client.pem",
        "CustomDomainCertArn=arn:aws:acm:us-east-1:123456789012:certificate/test",
        "CustomDomainName=api.example.com",
    ];
    assert_routes(&template, &params, &[("GET", "/example")]);

    let s = serve(&template, &params);
    let (status, _, body) = send(client().get(s.url("/example"))).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(json_of(&body), json!({"message": "Unauthorized"}));
    let (status, _, body) =
        send(client().get(s.url("/example")).header("Authorization", "x")).await;
    assert_eq!(status, 200, "{body}\n{}", s.stderr());
    assert_eq!(
        json_of(&body)["message"],
        "Hello from the example function!"
    );
    assert_missing_token(&s, reqwest::Method::GET, "/").await;
}

/// A CRLF quick-create HTTP API without a `Transform` line whose `Target` builds the function
/// ARN from the function's name (`${LambdaFunction}`), with `CorsConfiguration` `*`: the
/// `$default` route runs the function with payload 2.0; a preflight matches `$default` (rule
/// 8.5: gatewise runs the route and sends the configured preflight headers, an UNCONFIRMED
/// choice, `ROUTED_PREFLIGHT_RUNS_INTEGRATION`); an actual request gets `*` (8.9). Origin:
/// `sp-apigw-mutualtls-lambda`.
#[tokio::test]
async fn corpus_sp_apigw_mutualtls_lambda() {
    let dir = corpus("sp-apigw-mutualtls-lambda");
    write_file(
        &dir.path().join("src/app.js"),
        "exports.handler = async (event, context) => ({statusCode: 200, headers: {'content-type': 'application/json'}, body: JSON.stringify({functionName: context.functionName, method: event.requestContext.http.method, rawPath: event.rawPath, queryString: event.queryStringParameters, body: event.body}, null, 2)});\n",
    );
    let template = dir.path().join("template.yaml");
    let (code, _, stderr) = routes(&template, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("template.yaml:84:3: warning:"), "{stderr}");
    assert_routes(&template, &[], &[("ANY", "$default")]);

    let s = serve(&template, &[]);
    let (status, _, body) = send(client().get(s.url("/any/path?x=1"))).await;
    assert_eq!(status, 200, "{body}\n{}", s.stderr());
    let answer = json_of(&body);
    assert_eq!(answer["method"], "GET");
    assert_eq!(answer["rawPath"], "/any/path");
    assert_eq!(answer["queryString"], json!({"x": "1"}));
    assert_eq!(answer["functionName"], "apigw-mutualtls-lambda-function");
    // The catalogue expects 204, but the preflight matches `$default` (rule 8.5, UNCONFIRMED
    // beyond "the route is used"): gatewise runs the route, keeping the function's status and
    // body, with the configured preflight headers (ROUTED_PREFLIGHT_RUNS_INTEGRATION).
    let (status, headers, body) = send(
        client()
            .request(reqwest::Method::OPTIONS, s.url("/any/path"))
            .header("Origin", "https://example.com")
            .header("Access-Control-Request-Method", "POST"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(json_of(&body)["method"], "OPTIONS");
    assert_eq!(value(&headers, "access-control-allow-origin"), Some("*"));
    assert_eq!(
        value(&headers, "access-control-allow-methods"),
        Some("GET,HEAD,OPTIONS,POST")
    );
    let (status, headers, _) = send(
        client()
            .get(s.url("/x"))
            .header("Origin", "https://example.com"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(value(&headers, "access-control-allow-origin"), Some("*"));
}

/// A SAM `HttpApi` with a JWT `DefaultAuthorizer` and `CorsConfiguration` that omits POST,
/// in a template with a duplicate YAML key elsewhere (`CachePolicyConfig.Name`; YAML loaders
/// keep the last): `POST /api` without a token is 401 (rule 5.12); a preflight is answered by
/// the gateway with 204 and the configured lists (8.4, 8.7), without running the authorizer;
/// `GET /api` is 404 (5.9). Origin: `sp-sam-webapp-cognito`.
#[tokio::test]
async fn corpus_sp_sam_webapp_cognito() {
    let dir = corpus("sp-sam-webapp-cognito");
    let template = dir.path().join("template.yaml");
    assert_routes(&template, &["--stub-functions"], &[("POST", "/api")]);

    let s = serve(&template, &["--stub-functions"]);
    let (status, _, body) = send(client().post(s.url("/api"))).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(json_of(&body), json!({"message": "Unauthorized"}));
    let (status, headers, body) = send(
        client()
            .request(reqwest::Method::OPTIONS, s.url("/api"))
            .header("Origin", "https://app.example")
            .header("Access-Control-Request-Method", "POST"),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    assert!(body.is_empty());
    assert_eq!(value(&headers, "access-control-allow-origin"), Some("*"));
    assert_eq!(
        value(&headers, "access-control-allow-methods"),
        Some("GET,HEAD,OPTIONS")
    );
    assert_eq!(value(&headers, "access-control-allow-headers"), Some("*"));
    assert_not_found(&s.base, reqwest::Method::GET, "/api").await;
}

/// A SAM `HttpApi` with inline OpenAPI: `POST /submit` is an SQS `SendMessage` service
/// integration behind a simple-response Lambda authorizer with no identity source (so it runs
/// on every request), and `x-amazon-apigateway-cors` at the root. An authorizer of our own
/// answering `isAuthorized: false` gives 403 Forbidden (rule 5.12); the gateway answers the
/// preflight with 204 (8.4, 8.7); `GET /submit` is 404 (5.9); an allowed POST needs SQS, which a
/// local gateway says it does not run (500 with a log line). Origin: `sp-apigw-sqs-lambda-ddb`.
#[tokio::test]
async fn corpus_sp_apigw_sqs_lambda_ddb() {
    let dir = corpus("sp-apigw-sqs-lambda-ddb");
    let authorizer = dir.path().join("lambda/authorizer/index.py");
    write_file(
        &authorizer,
        "def lambda_handler(event, context):\n    return {\"isAuthorized\": event.get(\"headers\", {}).get(\"authorization\") == \"Basic ok\"}\n",
    );
    write_file(
        &dir.path().join("lambda/sqs-handler/index.py"),
        "def lambda_handler(event, context):\n    return None\n",
    );
    let template = dir.path().join("template.yaml");
    let stdout = assert_routes(&template, &[], &[("POST", "/submit")]);
    assert!(stdout.contains("SQS-SendMessage"), "{stdout}");

    let s = serve(&template, &[]);
    let (status, _, body) = send(client().post(s.url("/submit")).body("hello")).await;
    assert_eq!(status, 403, "{body}\n{}", s.stderr());
    assert_eq!(json_of(&body), json!({"message": "Forbidden"}));
    let (status, headers, body) = send(
        client()
            .request(reqwest::Method::OPTIONS, s.url("/submit"))
            .header("Origin", "https://x.example")
            .header("Access-Control-Request-Method", "POST"),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(value(&headers, "access-control-allow-origin"), Some("*"));
    assert_eq!(value(&headers, "access-control-allow-methods"), Some("*"));
    assert_eq!(value(&headers, "access-control-max-age"), Some("0"));
    assert_not_found(&s.base, reqwest::Method::GET, "/submit").await;
    // Allowed: the SQS integration is not run locally; 500, and the log says why.
    let (status, _, _) = send(
        client()
            .post(s.url("/submit"))
            .header("Authorization", "Basic ok")
            .body("hello"),
    )
    .await;
    assert_eq!(status, 500);
    let log = s.wait_for_log("POST /submit -> 500");
    assert!(log.contains("SQS-SendMessage"), "{log}");
}

// --- aws-samples/sessions-with-aws-sam ------------------------------------------------------

fn safe_deploy() -> (tempfile::TempDir, PathBuf) {
    let dir = corpus("sws-safe-deploy");
    // No CodeUri anywhere: `sam build` takes the template's folder as the code.
    write_file(
        &dir.path().join("src/base.js"),
        "exports.lambdaHandler = async () => ({statusCode: 200, body: 'base'});\n",
    );
    for hook in ["basepre", "basepost"] {
        write_file(
            &dir.path().join(format!("src/hooks/{hook}.js")),
            "exports.lambdaHandler = async () => ({});\n",
        );
    }
    // The global layer's `ContentUri: layer/`: its content is the upstream project's own.
    write_file(
        &dir.path().join("layer/nodejs/node_modules/shared/index.js"),
        "module.exports = {};\n",
    );
    let template = dir.path().join("template.yaml");
    (dir, template)
}

/// A SAM `HttpApi` whose `AllowOrigins` is a `CommaDelimitedList` parameter without default,
/// with functions without `CodeUri` (code in the template's folder), `AutoPublishAlias` and a
/// global local layer: the parameter is required; a preflight from a listed origin gets 204
/// with that origin (rules 8.6, 8.7), from another origin 204 without CORS headers (8.8); an
/// actual request gets its origin echoed (8.9); an unknown path is 404 (5.9). Origin:
/// `sws-safe-deploy`.
#[tokio::test]
async fn corpus_sws_safe_deploy() {
    let (_dir, template) = safe_deploy();
    let (code, _, stderr) = routes(&template, &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("template.yaml:6:") && stderr.contains("ClientDomains"),
        "{stderr}"
    );
    let params = [
        "--parameter-overrides",
        "ClientDomains=https://a.example,https://b.example",
    ];
    assert_routes(&template, &params, &[("GET", "/")]);

    let s = serve(&template, &params);
    let preflight = |origin: &'static str| {
        send(
            client()
                .request(reqwest::Method::OPTIONS, s.url("/"))
                .header("Origin", origin)
                .header("Access-Control-Request-Method", "GET"),
        )
    };
    let (status, headers, body) = preflight("https://a.example").await;
    assert_eq!(status, 204, "{body}\n{}", s.stderr());
    assert_eq!(
        value(&headers, "access-control-allow-origin"),
        Some("https://a.example")
    );
    assert_eq!(value(&headers, "access-control-allow-methods"), Some("GET"));
    let (status, headers, _) = preflight("https://evil.example").await;
    assert_eq!(status, 204);
    assert!(access_control(&headers).is_empty(), "{headers:?}");
    let (status, headers, body) = send(
        client()
            .get(s.url("/"))
            .header("Origin", "https://b.example"),
    )
    .await;
    assert_eq!(status, 200, "{body}\n{}", s.stderr());
    assert_eq!(body, "base");
    assert_eq!(
        value(&headers, "access-control-allow-origin"),
        Some("https://b.example")
    );
    assert_not_found(&s.base, reqwest::Method::GET, "/x").await;
}

/// An implicit REST API whose functions get global `Layers` that are placeholder strings plus
/// a local layer (`ContentUri: layer/`): the template loads and `GET /` runs the function;
/// other paths and methods are 403 (rule 5.1). Origin: `sws-lambda-layers-demo`.
#[tokio::test]
async fn corpus_sws_lambda_layers_demo() {
    let dir = corpus("sws-lambda-layers-demo");
    write_file(
        &dir.path().join("hello-world/app.js"),
        "exports.lambdaHandler = async () => ({statusCode: 200, body: JSON.stringify({message: 'hello world'})});\n",
    );
    write_file(&dir.path().join("layer/nodejs/package.json"), "{}\n");
    let template = dir.path().join("template.yaml");
    assert_routes(&template, &[], &[("GET", "/")]);

    let s = serve(&template, &[]);
    let (status, headers, body) = send(client().get(s.url("/"))).await;
    assert_eq!(status, 200, "{body}\n{}", s.stderr());
    assert_eq!(json_of(&body), json!({"message": "hello world"}));
    assert_eq!(value(&headers, "content-type"), Some("application/json"));
    assert_missing_token(&s, reqwest::Method::GET, "/hello").await;
    assert_missing_token(&s, reqwest::Method::POST, "/").await;
}

/// A "functionless" URL shortener: a SAM `Api` whose OpenAPI 3 body is included from
/// `api.yaml` (with `Fn::If` on a condition inside it, `securityDefinitions` in OpenAPI 3, and
/// double-quoted scalars continued with `\` over many lines), DynamoDB service integrations,
/// hand-written MOCK preflights and a Cognito authorizer; the only Lambda is not behind the
/// API. The MOCK OPTIONS answers 200 with its mapped headers (rule 4.6); `GET /app` without
/// `Authorization` is 401 (5.6); `GET /` is 403 (5.1); the DynamoDB route is not run locally
/// (500, and the log says so). Origin: `sws-s12d-functionless`.
#[tokio::test]
async fn corpus_sws_s12d_functionless() {
    let dir = corpus("sws-s12d-functionless");
    let template = dir.path().join("template.yaml");
    let params = [
        "--stub-functions",
        "--parameter-overrides",
        "ClientAddress=client.example.com",
        "CustomDomain=s12d.example",
    ];
    assert_routes(
        &template,
        &params,
        &[
            ("GET", "/{linkId}"),
            ("GET", "/app"),
            ("POST", "/app"),
            ("OPTIONS", "/app"),
            ("PUT", "/app/{linkId}"),
            ("DELETE", "/app/{linkId}"),
            ("OPTIONS", "/app/{linkId}"),
        ],
    );

    let s = serve(&template, &params);
    let (status, headers, body) =
        send(client().request(reqwest::Method::OPTIONS, s.url("/app"))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        value(&headers, "access-control-allow-origin"),
        Some("https://s12d.example")
    );
    assert_eq!(
        value(&headers, "access-control-allow-methods"),
        Some("POST, GET, OPTIONS")
    );
    assert_eq!(
        value(&headers, "access-control-allow-headers"),
        Some("authorization, content-type")
    );
    let (status, _, body) = send(client().get(s.url("/app"))).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(json_of(&body), json!({"message": "Unauthorized"}));
    assert_missing_token(&s, reqwest::Method::GET, "/").await;
    let (status, _, _) = send(client().get(s.url("/abc"))).await;
    assert_eq!(status, 500);
    let log = s.wait_for_log("GET /abc -> 500");
    assert!(log.contains("not served by gatewise yet"), "{log}");
}

// --- aws-samples/serverless-samples ---------------------------------------------------------

/// A SAM `Api` with inline OpenAPI 3: `POST /` is an EventBridge `PutEvents` service
/// integration with a body validator whose schema only requires `detail-type` and `source`,
/// and a `BAD_REQUEST_BODY` gateway response template using
/// `$context.error.validationErrorString` (rules V.5, V.7, 3.4). A body without `detail-type`
/// is 400 with the custom template (the error string left empty, a documented difference); `GET /` is 403 (5.1, 3.5); a valid body reaches the
/// EventBridge integration, which a local gateway does not run (500, the log says so). Origin:
/// `ss-eventbridge-schema-validation`.
#[tokio::test]
async fn corpus_ss_eventbridge_schema_validation() {
    let dir = corpus("ss-eventbridge-schema-validation");
    let template = dir.path().join("template.yaml");
    let stdout = assert_routes(&template, &["--stub-functions"], &[("POST", "/")]);
    assert!(stdout.contains("not served yet"), "{stdout}");

    let s = serve(&template, &["--stub-functions"]);
    let (status, _, body) = send(
        client()
            .post(s.url("/"))
            .header("Content-Type", "application/json")
            .body(r#"{"source": "x"}"#),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    // AWS substitutes its validator's message (e.g. `[object has missing required properties
    // (["detail-type"])]`); gatewise renders `validationErrorString` empty and names the failed
    // rule in its log, a documented difference (docs/aws-fidelity.md, "request validation
    // details").
    assert_eq!(body, r#"{ "message": ""}"#);
    let log = s.wait_for_log("POST / -> 400");
    let after = &log[log.find("POST / -> 400").unwrap()..];
    assert!(after.contains("detail-type"), "{log}");
    assert_missing_token(&s, reqwest::Method::GET, "/").await;
    let (status, _, _) = send(
        client()
            .post(s.url("/"))
            .header("Content-Type", "application/json")
            .body(r#"{"detail-type": "t", "source": "s", "detail": {}}"#),
    )
    .await;
    assert_eq!(status, 500);
    let log = s.wait_for_log("POST / -> 500");
    assert!(log.contains("not served"), "{log}");
}

/// `Cors` written inside an `Api` event's `Properties`: not a property of SAM `Api` events,
/// so AWS's SAM transform fails (`Resource with id [VTLProcessorFunctionProcessVTL] is
/// invalid. property Cors not defined for resource of type Api`, checked with samtranslator
/// 1.110.0); a faithful load refuses it at the `Cors` key (even with the jar stubbed). Origin:
/// `ss-vtl-editor`.
#[test]
fn corpus_ss_vtl_editor() {
    let dir = corpus("ss-vtl-editor");
    let template = dir.path().join("template.yaml");
    assert_load_error(
        &template,
        &["--stub-functions"],
        "template.yaml",
        22,
        &["Cors"],
    );
}

// --- aws-samples/serverless-test-samples ----------------------------------------------------

fn lambda_layer_sample(handler: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = corpus("sts-apigw-lambda-layer");
    write_file(&dir.path().join("src/sampleLambda/app.py"), handler);
    write_file(
        &dir.path().join("src/sampleCodeLayer/python/layer_code.py"),
        "GREETING = 'from the code layer'\n",
    );
    write_file(
        &dir.path()
            .join("src/sampleSchemaLayer/python/layer_schema.py"),
        "SCHEMA = {}\n",
    );
    let template = dir.path().join("template.yaml");
    (dir, template)
}

/// An implicit REST API with Globals indented by 6 spaces and a function with two local
/// layers: `GET /hello/lambda/layers` runs the function; its parent path is 403 (rule 5.1).
/// Origin: `sts-apigw-lambda-layer`.
#[tokio::test]
async fn corpus_sts_apigw_lambda_layer() {
    let (_dir, template) = lambda_layer_sample(
        "import json\n\n\ndef lambda_handler(event, context):\n    return {\"statusCode\": 200, \"body\": json.dumps({\"path\": event[\"path\"]})}\n",
    );
    assert_routes(&template, &[], &[("GET", "/hello/lambda/layers")]);

    let s = serve(&template, &[]);
    let (status, _, body) = send(client().get(s.url("/hello/lambda/layers"))).await;
    assert_eq!(status, 200, "{body}\n{}", s.stderr());
    assert_eq!(json_of(&body), json!({"path": "/hello/lambda/layers"}));
    assert_missing_token(&s, reqwest::Method::GET, "/hello/lambda").await;
}

/// The function of `sts-apigw-lambda-layer` imports a module from its code layer
/// (`ContentUri: src/sampleCodeLayer`, `python/` inside it), as on Lambda. Origin:
/// `sts-apigw-lambda-layer`.
#[tokio::test]
async fn corpus_sts_apigw_lambda_layer_layers() {
    let (_dir, template) = lambda_layer_sample(
        "import json\nimport layer_code\n\n\ndef lambda_handler(event, context):\n    return {\"statusCode\": 200, \"body\": json.dumps({\"greeting\": layer_code.GREETING})}\n",
    );
    let s = serve(&template, &[]);
    let (status, _, body) = send(client().get(s.url("/hello/lambda/layers"))).await;
    assert_eq!(status, 200, "{body}\n{}", s.stderr());
    assert_eq!(json_of(&body), json!({"greeting": "from the code layer"}));
}

// --- aws/aws-cdk integration snapshots ------------------------------------------------------

/// A CDK REST API whose `OPTIONS /twitch` is a MOCK answering **204** with a static
/// Allow-Origin, `Vary: Origin`, and a response template that overrides Allow-Origin through
/// `$context.responseOverride.header` when the request's `Origin` is the second allowed one
/// (rules 4.4, 4.6, M.7); the CDK request template `{ statusCode: 200 }` is accepted. The
/// function (an S3 asset, not on this machine) is stubbed; its answer gets no CORS headers
/// (4.1); PUT, only listed in Allow-Methods, is 403 (5.1). Origin: `cdk-rest-cors`.
#[tokio::test]
async fn corpus_cdk_rest_cors() {
    let dir = corpus("cdk-rest-cors");
    let template = dir.path().join("cors-twitch-test.template.json");
    assert_routes(
        &template,
        &["--stub-functions"],
        &[
            ("GET", "/twitch"),
            ("POST", "/twitch"),
            ("DELETE", "/twitch"),
            ("OPTIONS", "/twitch"),
        ],
    );

    let s = serve(&template, &["--stub-functions"]);
    let preflight = |origin: &'static str| {
        send(
            client()
                .request(reqwest::Method::OPTIONS, s.url("/twitch"))
                .header("Origin", origin)
                .header("Access-Control-Request-Method", "GET"),
        )
    };
    let (status, headers, body) = preflight("https://www.test-cors.org").await;
    assert_eq!(status, 204, "{body}\n{}", s.stderr());
    assert!(body.is_empty(), "{body:?}");
    assert_eq!(
        value(&headers, "access-control-allow-origin"),
        Some("https://www.test-cors.org")
    );
    assert_eq!(value(&headers, "vary"), Some("Origin"));
    assert_eq!(
        value(&headers, "access-control-allow-headers"),
        Some(
            "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,X-Amz-User-Agent"
        )
    );
    assert_eq!(
        value(&headers, "access-control-allow-methods"),
        Some("OPTIONS,GET,PUT,POST,DELETE,PATCH,HEAD")
    );
    for origin in ["https://google.com", "https://other.example"] {
        let (status, headers, _) = preflight(origin).await;
        assert_eq!(status, 204, "{origin}");
        assert_eq!(
            value(&headers, "access-control-allow-origin"),
            Some("https://google.com"),
            "{origin}"
        );
    }
    let (status, headers, body) = send(
        client()
            .get(s.url("/twitch"))
            .header("Origin", "https://google.com"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(json_of(&body), json!({}));
    assert!(access_control(&headers).is_empty(), "{headers:?}");
    assert_missing_token(&s, reqwest::Method::PUT, "/twitch").await;
}

/// A CDK REST API whose `ANY /` and `ANY /{proxy+}` use a non-proxy (`AWS`) Lambda integration
/// with a single default integration response and a static template: the function (inline
/// `ZipFile: "foo"`, not a working handler) never reaches the client, since a Lambda error
/// matches no selection pattern and falls to the default response (rule 4.5): every request is
/// 200 `{"message":"Hello, word"}` with `Content-Type: application/json`, a JSON body being
/// passed through unchanged (WHEN_NO_MATCH). Origin: `cdk-rest-lambda-nonproxy`.
#[tokio::test]
async fn corpus_cdk_rest_lambda_nonproxy() {
    let dir = corpus("cdk-rest-lambda-nonproxy");
    let template = dir
        .path()
        .join("LambdaApiIntegrationOptionsNonProxyIntegrationStack.template.json");
    assert_routes(&template, &[], &[("ANY", "/"), ("ANY", "/{proxy+}")]);

    let s = serve(&template, &[]);
    let requests = [
        client().get(s.url("/")),
        client().post(s.url("/a/b/c")),
        client()
            .put(s.url("/x"))
            .header("Content-Type", "application/json")
            .body(r#"{"passed": "through"}"#),
    ];
    for request in requests {
        let (status, headers, body) = send(request).await;
        assert_eq!(status, 200, "{body}\n{}", s.stderr());
        assert_eq!(value(&headers, "content-type"), Some("application/json"));
        assert_eq!(json_of(&body), json!({"message": "Hello, word"}));
    }
}

/// A CDK HTTP API whose only route is `$default` to an inline (`ZipFile`) function given by its
/// plain ARN: every method and path runs it (payload 2.0, a string body served as is); with no
/// CORS configuration an OPTIONS request from a browser is just another `$default` request and
/// gets no `access-control-*` headers (rule 8.11). Origin: `cdk-http-lambda-proxy`.
#[tokio::test]
async fn corpus_cdk_http_lambda_proxy() {
    let dir = corpus("cdk-http-lambda-proxy");
    let template = dir.path().join("integ-lambda-proxy.template.json");
    assert_routes(&template, &[], &[("ANY", "$default")]);

    let s = serve(&template, &[]);
    let requests = [
        client().get(s.url("/")),
        client().delete(s.url("/any/path?q=1")),
        client()
            .request(reqwest::Method::OPTIONS, s.url("/x"))
            .header("Origin", PAGE_ORIGIN)
            .header("Access-Control-Request-Method", "GET"),
    ];
    for request in requests {
        let (status, headers, body) = send(request).await;
        assert_eq!(status, 200, "{body}\n{}", s.stderr());
        assert_eq!(body, "success");
        assert!(access_control(&headers).is_empty(), "{headers:?}");
    }
}
