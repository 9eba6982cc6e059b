//! A `provided.al2023` function written with AWS's own Rust runtime client (`lambda_runtime`).
//!
//! The end-to-end tests copy this binary into a code folder as `bootstrap`, which proves that
//! gatewise's Runtime API host speaks the protocol the official client expects. It answers a
//! REST proxy event with the event itself as the body, plus what the client saw in its context.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::{Value, json};

async fn echo(event: LambdaEvent<Value>) -> Result<Value, Error> {
    let (payload, context) = event.into_parts();
    if payload["queryStringParameters"]["fail"] == "yes" {
        return Err("asked to fail".into());
    }
    let body = json!({
        "event": payload,
        "context": {
            "requestId": context.request_id,
            "functionArn": context.invoked_function_arn,
            "deadlineMs": context.deadline,
            "functionName": context.env_config.function_name,
            "memoryMb": context.env_config.memory,
        },
    });
    Ok(json!({
        "statusCode": 200,
        "headers": {"content-type": "application/json", "x-runtime": "lambda_runtime"},
        "body": body.to_string(),
    }))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(echo)).await
}
