//! The Lambda Invoke API, served locally: `POST /2015-03-31/functions/{name}/invocations`, as
//! `aws lambda invoke --endpoint-url …` and every SDK's `Invoke` call it.
//!
//! It runs on the same [`FunctionHost`] as the gateway, so an invoke and an API request share
//! warm instances and concurrency limits. Answers follow Lambda's wire contract (botocore's
//! `lambda` model, and Lambda's answers recorded on AWS): function errors are a 200 with
//! `X-Amz-Function-Error: Unhandled` and Lambda's error object, and the service's own errors
//! carry their modelled names (`ResourceNotFoundException`…) in `x-amzn-ErrorType`, so an SDK's
//! typed exceptions catch them. Request signatures are not checked (clients sign with whatever
//! credentials they have; unsigned requests work too).

mod answer;
mod name;

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use gatewise_lambda::{Dispatch, FunctionHost, Invocation, LogTail, MAX_INVOKE_PAYLOAD_BYTES};
use gatewise_model::{FunctionIndex, Stack};
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;

pub use answer::{ASYNC_PAYLOAD_LIMIT_BYTES, TAIL_LOG_BYTES};

use answer::ServiceError;

/// The path prefix of the Invoke operation (API version 2015-03-31).
const INVOKE_PREFIX: &str = "/2015-03-31/functions/";
const INVOKE_SUFFIX: &str = "/invocations";

/// How long shutdown waits for in-flight invocations.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// How long a client may take to send its request (head and payload).
const READ_TIMEOUT: Duration = Duration::from_secs(30);

/// The Invoke API of one stack's functions.
pub struct InvokeApi {
    functions: Vec<Target>,
    host: Arc<FunctionHost>,
}

/// What the Invoke API knows of a function: the names it answers to.
struct Target {
    index: FunctionIndex,
    logical_id: String,
    name: String,
}

/// `X-Amz-Invocation-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InvocationType {
    RequestResponse,
    Event,
    DryRun,
}

impl InvokeApi {
    pub fn new(stack: &Stack, host: Arc<FunctionHost>) -> Self {
        let functions = stack
            .functions
            .iter()
            .enumerate()
            .map(|(index, f)| Target {
                index,
                logical_id: f.logical_id.clone(),
                name: f.name.clone(),
            })
            .collect();
        InvokeApi { functions, host }
    }

    /// Serves HTTP/1 and HTTP/2 on `listener` until `shutdown` completes, then lets in-flight
    /// invocations finish (at most a few seconds).
    pub async fn serve(
        self: Arc<Self>,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send,
    ) -> std::io::Result<()> {
        let graceful = GracefulShutdown::new();
        let mut builder = auto::Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(READ_TIMEOUT);
        tokio::pin!(shutdown);
        loop {
            let stream = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => stream,
                    Err(error) => {
                        eprintln!("gatewise: Invoke API: accepting a connection failed: {error}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            let _ = stream.set_nodelay(true);
            let api = Arc::clone(&self);
            let service = service_fn(move |request: Request<hyper::body::Incoming>| {
                let api = Arc::clone(&api);
                async move { Ok::<_, Infallible>(api.handle(request).await) }
            });
            let connection = builder
                .serve_connection(TokioIo::new(stream), service)
                .into_owned();
            let watched = graceful.watch(connection);
            tokio::spawn(async move {
                let _ = watched.await;
            });
        }
        drop(listener);
        let _ = tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await;
        Ok(())
    }

    async fn handle<B>(&self, request: Request<B>) -> Response<Full<Bytes>>
    where
        B: hyper::body::Body<Data = Bytes> + Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let request_id = uuid::Uuid::new_v4().to_string();
        let started = Instant::now();
        let (status, described, response) = match self.invoke(request, &request_id).await {
            Ok((described, response)) => (response.status(), described, response),
            Err((described, error)) => {
                let response = error.response(&request_id);
                (response.status(), described, response)
            }
        };
        let line = format!(
            "INVOKE {described} -> {} ({}ms)\n",
            status.as_u16(),
            started.elapsed().as_millis()
        );
        gatewise_lambda::write_to_stderr(line.as_bytes());
        response
    }

    /// The answer to one request, and how to describe it in the log (`Fn (Event)`, or the
    /// path when no function was named).
    async fn invoke<B>(
        &self,
        request: Request<B>,
        request_id: &str,
    ) -> Result<(String, Response<Full<Bytes>>), (String, ServiceError)>
    where
        B: hyper::body::Body<Data = Bytes> + Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let path = request.uri().path().to_owned();
        let Some(raw_name) = path
            .strip_prefix(INVOKE_PREFIX)
            .and_then(|rest| rest.strip_suffix(INVOKE_SUFFIX))
            .filter(|name| !name.is_empty())
        else {
            return Err((path.clone(), ServiceError::unknown_operation(&path)));
        };
        if request.method() != Method::POST {
            return Err((path.clone(), ServiceError::unknown_operation(&path)));
        }
        let qualifier = request.uri().query().and_then(name::qualifier_from_query);
        let wanted = name::FunctionName::parse(raw_name, qualifier.as_deref());
        let Some(target) = self
            .functions
            .iter()
            .find(|t| t.name == wanted.name || t.logical_id == wanted.name)
        else {
            return Err((wanted.name.clone(), ServiceError::not_found(&wanted)));
        };
        let described = |kind: &str| format!("{} ({kind})", target.logical_id);
        let kind = match request
            .headers()
            .get("x-amz-invocation-type")
            .map(|v| v.to_str().unwrap_or_default())
        {
            None | Some("RequestResponse") => InvocationType::RequestResponse,
            Some("Event") => InvocationType::Event,
            Some("DryRun") => InvocationType::DryRun,
            Some(other) => {
                return Err((
                    described("?"),
                    ServiceError::invalid_parameter(&format!(
                        "1 validation error detected: Value '{other}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [RequestResponse, Event, DryRun]"
                    )),
                ));
            }
        };
        let described = described(match kind {
            InvocationType::RequestResponse => "RequestResponse",
            InvocationType::Event => "Event",
            InvocationType::DryRun => "DryRun",
        });
        let tail = match request
            .headers()
            .get("x-amz-log-type")
            .map(|v| v.to_str().unwrap_or_default())
        {
            None | Some("None") => false,
            Some("Tail") => true,
            Some(other) => {
                return Err((
                    described,
                    ServiceError::invalid_parameter(&format!(
                        "1 validation error detected: Value '{other}' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [Tail, None]"
                    )),
                ));
            }
        };
        let limit = match kind {
            InvocationType::Event => ASYNC_PAYLOAD_LIMIT_BYTES,
            _ => MAX_INVOKE_PAYLOAD_BYTES,
        };
        let body = Limited::new(request.into_body(), limit);
        let payload = match tokio::time::timeout(READ_TIMEOUT, body.collect()).await {
            Ok(Ok(collected)) => collected.to_bytes(),
            Ok(Err(error)) if error.is::<http_body_util::LengthLimitError>() => {
                return Err((
                    described,
                    ServiceError::too_large(kind == InvocationType::Event, limit),
                ));
            }
            Ok(Err(error)) => {
                return Err((
                    described,
                    ServiceError::invalid_content(&format!(
                        "the request body could not be read: {error}"
                    )),
                ));
            }
            Err(_) => {
                return Err((
                    described,
                    ServiceError::invalid_content("the request body did not arrive in time"),
                ));
            }
        };
        // Lambda's Invoke takes an empty payload as `{}`, and refuses what is not JSON.
        let payload = if payload.is_empty() {
            Bytes::from_static(b"{}")
        } else {
            if let Err(error) = serde_json::from_slice::<serde::de::IgnoredAny>(&payload) {
                return Err((
                    described,
                    ServiceError::invalid_content(&format!(
                        "Could not parse request body into json: Could not parse payload into json: {error}"
                    )),
                ));
            }
            payload
        };
        match kind {
            InvocationType::DryRun => {
                Ok((described, answer::empty(StatusCode::NO_CONTENT, request_id)))
            }
            InvocationType::Event => {
                let host = Arc::clone(&self.host);
                let index = target.index;
                let name = target.logical_id.clone();
                // Lambda returns no log for asynchronous invocations (`Tail` applies to
                // synchronous ones only).
                let invocation = Invocation {
                    request_id: request_id.to_owned(),
                    payload,
                    dispatch: Dispatch::default(),
                    log: None,
                };
                tokio::spawn(async move {
                    if let Err(error) = host.invoke(index, invocation).await {
                        let line = format!("INVOKE {name} (Event): {error}\n");
                        gatewise_lambda::write_to_stderr(line.as_bytes());
                    }
                });
                Ok((described, answer::empty(StatusCode::ACCEPTED, request_id)))
            }
            InvocationType::RequestResponse => {
                let log = tail.then(LogTail::complete);
                let invocation = Invocation {
                    request_id: request_id.to_owned(),
                    payload,
                    dispatch: Dispatch::default(),
                    log: log.clone(),
                };
                let result = self.host.invoke(target.index, invocation).await;
                let log = log.map(|l| l.contents());
                Ok((
                    described,
                    answer::result(result, request_id, log.as_deref()),
                ))
            }
        }
    }
}
