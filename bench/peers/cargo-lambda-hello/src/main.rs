//! cargo-lambda's side of the warm Rust rows in bench/run.sh: AWS's lambda_http answering
//! 200 "hello" to any request (gatewise's side is crates/gatewise/examples/lambda_runtime_hello.rs).

use lambda_http::{Body, Error, Request, Response, run, service_fn};

async fn hello(_: Request) -> Result<Response<Body>, Error> {
    Ok(Response::builder().status(200).body(Body::from("hello"))?)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    run(service_fn(hello)).await
}
