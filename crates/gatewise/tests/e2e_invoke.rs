//! The Lambda Invoke API with the clients people use: boto3 and the AWS CLI against `gatewise
//! serve`'s invoke port, and raw HTTP for the wire details (status codes, modelled error
//! names). The answers are Lambda's, as recorded on AWS (docs/aws-rules.md, rules I.*).

mod support;

use std::process::Command;

use serde_json::{Value, json};
use support::*;

fn invoke_server() -> (Running, String) {
    let dir = copy_fixture("invoke");
    let server = Server::start(
        &dir.path().join("template.yaml"),
        &["--warm", "lazy", "--invoke-port", "0"],
    );
    let line = server.announced("Lambda Invoke API");
    (Running { server, dir }, line)
}

/// Runs a Python script with boto3 pointed at `endpoint`; returns its stdout as JSON.
fn boto3(endpoint: &str, script: &str) -> Value {
    let program = format!(
        "import json, base64, boto3\nfrom botocore.config import Config\nclient = boto3.client('lambda', endpoint_url='{endpoint}', region_name='us-east-1', aws_access_key_id='x', aws_secret_access_key='x', config=Config(read_timeout=30, retries={{'max_attempts': 0}}))\n{script}"
    );
    let out = Command::new("python3")
        .arg("-c")
        .arg(&program)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "boto3 is needed for these tests (.ci/run installs it): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

/// Rules I.1, I.3: a synchronous invoke by name, logical id and ARN returns the function's
/// result; a function error is a 200 with `FunctionError: Unhandled` and Lambda's error object.
#[tokio::test]
async fn rule_i_1_boto3_invokes_by_name_logical_id_and_arn() {
    let (s, endpoint) = invoke_server();
    let result = boto3(
        &endpoint,
        "out = {}\nfor name in ['echo-function', 'Echo', 'arn:aws:lambda:us-east-1:123456789012:function:echo-function', 'echo-function:$LATEST']:\n    r = client.invoke(FunctionName=name, Payload=json.dumps({'n': name}))\n    out[name] = {'status': r['StatusCode'], 'version': r['ExecutedVersion'], 'payload': json.loads(r['Payload'].read())['event']}\nr = client.invoke(FunctionName='Fail', Payload=b'{}')\nout['fail'] = {'status': r['StatusCode'], 'error': r['FunctionError'], 'payload': json.loads(r['Payload'].read())}\nprint(json.dumps(out))",
    );
    for name in [
        "echo-function",
        "Echo",
        "arn:aws:lambda:us-east-1:123456789012:function:echo-function",
        "echo-function:$LATEST",
    ] {
        assert_eq!(
            result[name],
            json!({"status": 200, "version": "$LATEST", "payload": {"n": name}}),
            "{name}"
        );
    }
    assert_eq!(result["fail"]["status"], 200);
    assert_eq!(result["fail"]["error"], "Unhandled");
    assert_eq!(result["fail"]["payload"]["errorType"], "ValueError");
    assert_eq!(result["fail"]["payload"]["errorMessage"], "no good");
    drop(s);
}

/// Rule I.4: the service's own errors are modelled, so boto3's typed exceptions catch them.
#[tokio::test]
async fn rule_i_4_typed_exceptions_catch_service_errors() {
    let (_s, endpoint) = invoke_server();
    let result = boto3(
        &endpoint,
        "out = {}\ntry:\n    client.invoke(FunctionName='nope')\nexcept client.exceptions.ResourceNotFoundException as e:\n    out['missing'] = e.response['Error']['Message']\ntry:\n    client.invoke(FunctionName='Echo', Payload=b'not json')\nexcept client.exceptions.InvalidRequestContentException as e:\n    out['bad'] = e.response['Error']['Message']\ntry:\n    client.invoke(FunctionName='Echo', Payload=b'\"' + b'x' * (6 * 1024 * 1024) + b'\"')\nexcept client.exceptions.RequestTooLargeException as e:\n    out['big'] = e.response['Error']['Message']\nprint(json.dumps(out))",
    );
    assert_eq!(
        result["missing"],
        "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope:$LATEST"
    );
    assert!(
        result["bad"]
            .as_str()
            .unwrap()
            .starts_with("Could not parse request body into json"),
        "{result}"
    );
    assert!(
        result["big"].as_str().unwrap().contains("6291456"),
        "{result}"
    );
}

/// Rule I.2: `Event` answers 202 and runs in the background; `DryRun` answers 204; a timeout
/// is Lambda's `Sandbox.Timedout` object (not SAM CLI's empty 200).
#[tokio::test]
async fn rule_i_2_event_dry_run_and_timeout() {
    let (s, endpoint) = invoke_server();
    let result = boto3(
        &endpoint,
        "out = {}\nr = client.invoke(FunctionName='Echo', InvocationType='Event', Payload=b'{\"async\": true}')\nout['event'] = r['StatusCode']\nr = client.invoke(FunctionName='Echo', InvocationType='DryRun')\nout['dry'] = r['StatusCode']\nr = client.invoke(FunctionName='Slow')\nout['slow'] = {'error': r['FunctionError'], 'payload': json.loads(r['Payload'].read())}\nprint(json.dumps(out))",
    );
    assert_eq!(result["event"], 202);
    assert_eq!(result["dry"], 204);
    assert_eq!(result["slow"]["error"], "Unhandled");
    assert_eq!(result["slow"]["payload"]["errorType"], "Sandbox.Timedout");
    let message = result["slow"]["payload"]["errorMessage"].as_str().unwrap();
    assert!(
        message.starts_with("RequestId: ")
            && message.ends_with("Error: Task timed out after 1.00 seconds"),
        "{message}"
    );
    s.wait_for_log("echo got {'async': True}");
}

/// Rule I.1 with the AWS CLI: `aws lambda invoke --endpoint-url`.
#[tokio::test]
async fn rule_i_1_the_aws_cli_invokes() {
    let (s, endpoint) = invoke_server();
    let out_file = s.dir.path().join("out.json");
    let mut command = Command::new("aws");
    command
        .args([
            "lambda",
            "invoke",
            "--function-name",
            "Echo",
            "--endpoint-url",
            &endpoint,
            "--region",
            "us-east-1",
        ])
        .args(["--payload", "{\"from\": \"cli\"}"])
        .env("AWS_ACCESS_KEY_ID", "x")
        .env("AWS_SECRET_ACCESS_KEY", "x")
        .env("AWS_MAX_ATTEMPTS", "1")
        .arg(&out_file);
    // AWS CLI v2 reads --payload as base64 unless told otherwise; v1 has no such flag.
    let version = Command::new("aws")
        .arg("--version")
        .output()
        .expect("the AWS CLI (.ci/run installs it)");
    if String::from_utf8_lossy(&version.stdout).starts_with("aws-cli/2") {
        command.args(["--cli-binary-format", "raw-in-base64-out"]);
    }
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["StatusCode"], 200);
    let payload: Value = serde_json::from_slice(&std::fs::read(&out_file).unwrap()).unwrap();
    assert_eq!(payload["event"], json!({"from": "cli"}));
}

/// Rule I.4 on the wire: what an unknown path, a bad invocation type and an unknown function
/// answer, with `x-amzn-ErrorType`.
#[tokio::test]
async fn rule_i_4_errors_on_the_wire() {
    let (_s, endpoint) = invoke_server();
    type Headers = &'static [(&'static str, &'static str)];
    let cases: &[(&str, Headers, u16, &str)] = &[
        (
            "/2015-03-31/functions/nope/invocations",
            &[],
            404,
            "ResourceNotFoundException",
        ),
        (
            "/2015-03-31/functions/Echo/invocations",
            &[("X-Amz-Invocation-Type", "Later")],
            400,
            "InvalidParameterValueException",
        ),
        (
            "/2015-03-31/functions/Echo/invocations",
            &[("X-Amz-Log-Type", "Everything")],
            400,
            "InvalidParameterValueException",
        ),
        (
            "/2015-03-31/functions/Echo",
            &[],
            404,
            "UnknownOperationException",
        ),
    ];
    for (path, headers, status, error_type) in cases {
        let mut request = client().post(format!("{endpoint}{path}"));
        for (name, value) in *headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), *status, "{path} {headers:?}");
        assert_eq!(
            header(&response, "x-amzn-errortype"),
            Some(*error_type),
            "{path}"
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["Type"], "User");
    }
}

/// Rule I.5: `LogType="Tail"` returns the invocation's own log — `START`, what the function
/// printed, `END`, `REPORT` — base64-encoded in `LogResult` (what SAM CLI has never served).
#[tokio::test]
async fn rule_i_5_log_type_tail_returns_the_invocation_s_log() {
    let (_s, endpoint) = invoke_server();
    let result = boto3(
        &endpoint,
        "r = client.invoke(FunctionName='Echo', Payload=b'{\"tail\": 1}', LogType='Tail')\nlog = base64.b64decode(r['LogResult']).decode()\nrid = json.loads(r['Payload'].read())['requestId']\nr2 = client.invoke(FunctionName='Echo', Payload=b'{}')\nprint(json.dumps({'log': log, 'rid': rid, 'plain': 'LogResult' in r2}))",
    );
    let log = result["log"].as_str().unwrap();
    let rid = result["rid"].as_str().unwrap();
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(
        lines[0],
        format!("START RequestId: {rid} Version: $LATEST"),
        "{log}"
    );
    assert!(lines.contains(&"echo got {'tail': 1}"), "{log}");
    assert!(
        lines.contains(&format!("END RequestId: {rid}").as_str()),
        "{log}"
    );
    assert!(
        lines
            .last()
            .unwrap()
            .starts_with(&format!("REPORT RequestId: {rid}\tDuration: ")),
        "{log}"
    );
    assert_eq!(result["plain"], false, "no LogResult without LogType Tail");
}
