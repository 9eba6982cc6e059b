//! The benchmark's `provided` function: AWS's official Rust runtime client answering a tiny
//! proxy response, so the benchmark measures gatewise and the Runtime API round trip.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::{Value, json};

async fn hello(_: LambdaEvent<Value>) -> Result<Value, Error> {
    Ok(json!({"statusCode": 200, "body": "hello"}))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(hello)).await
}
