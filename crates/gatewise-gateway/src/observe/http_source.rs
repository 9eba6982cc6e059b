//! Phase 8, **observe**, what the HTTP API pipeline tells it: what produced an HTTP API
//! response, for the access log and the CORS explanation — the HTTP API counterpart of the
//! REST sources in `source`, borrowed from the stack like them.

use std::fmt;

use gatewise_cors::explain::{HttpApiAnswer, HttpApiCause, HttpApiProducer, Producer};
use gatewise_model::{Function, HttpApi, HttpApiBackend, HttpRoute, SourceLocation};

/// Who answered an HTTP API request.
#[derive(Debug)]
pub(crate) struct HttpSource<'a> {
    /// The API the request reached (or whose 404 / CORS answered it).
    pub api: Option<&'a HttpApi>,
    /// The route that matched, when one did.
    pub route: Option<&'a HttpRoute>,
    pub answer: HttpAnswer<'a>,
}

#[derive(Debug)]
pub(crate) enum HttpAnswer<'a> {
    /// The route's function.
    Function(&'a Function),
    /// The route's `HTTP_PROXY` backend, at the URL called (rule H.13).
    Backend {
        backend: &'a HttpApiBackend,
        url: String,
    },
    /// The gateway answered an OPTIONS request from `CorsConfiguration` (spec 8.4).
    Cors,
    /// A gateway error (spec 5.9-5.12).
    Error {
        message: &'static str,
        cause: HttpCause<'a>,
    },
}

/// Why the HTTP API answered with an error; the log line carries the details.
#[derive(Debug, Clone, Copy)]
pub(crate) enum HttpCause<'a> {
    NoRoute,
    /// A JWT or Lambda authorizer refused: missing identity (401) or a denial (403).
    Authorizer {
        name: &'a str,
        location: &'a SourceLocation,
    },
    AwsIamUnsigned,
    /// The Lambda authorizer failed or answered something unusable (500).
    AuthorizerFailed,
    /// The function failed, answered garbage, or timed out.
    FunctionFailed(&'a Function),
    /// The `HTTP_PROXY` backend was not reached or did not answer in time.
    BackendFailed,
    NotServed,
    BadRequestBody,
}

impl fmt::Display for HttpSource<'_> {
    /// The access log's bracket: `function NAME`, `cors API`, `gateway: MESSAGE`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.answer {
            HttpAnswer::Function(function) => write!(f, "function {}", function.logical_id),
            HttpAnswer::Backend { backend, url } => {
                write!(f, "HTTP_PROXY {} {url}", backend.http_method)
            }
            HttpAnswer::Cors => write!(
                f,
                "CorsConfiguration of HTTP API {}",
                self.api.map_or("?", |a| &a.logical_id)
            ),
            HttpAnswer::Error { message, .. } => write!(f, "HTTP API gateway: {message}"),
        }
    }
}

impl<'a> HttpSource<'a> {
    /// The explanation's description of who answered, `None` without an API to name.
    pub(crate) fn producer(&self, status: u16) -> Option<Producer<'a>> {
        let api = self.api?;
        // Without a CORS configuration the function's headers decide; a stub's say nothing.
        if let HttpAnswer::Function(function) = &self.answer
            && function.is_stub()
            && api.cors.is_none()
        {
            return Some(Producer::StubFunction {
                name: &function.logical_id,
                location: &function.location,
            });
        }
        let answer = match &self.answer {
            HttpAnswer::Function(function) => HttpApiAnswer::Function {
                name: &function.logical_id,
                location: &function.location,
            },
            HttpAnswer::Cors => HttpApiAnswer::Cors,
            // With `CorsConfiguration` the gateway writes the CORS headers (what the
            // configuration says decides); without it `cors_verdict` names the backend.
            HttpAnswer::Backend { .. } if api.cors.is_some() => HttpApiAnswer::Cors,
            HttpAnswer::Backend { .. } => return None,
            HttpAnswer::Error { cause, .. } => HttpApiAnswer::Gateway {
                status,
                cause: match *cause {
                    HttpCause::NoRoute => HttpApiCause::NoRoute,
                    HttpCause::Authorizer { name, location } => {
                        HttpApiCause::Authorizer { name, location }
                    }
                    HttpCause::AwsIamUnsigned => HttpApiCause::AwsIam,
                    HttpCause::FunctionFailed(function) => HttpApiCause::FunctionFailed {
                        name: &function.logical_id,
                        location: &function.location,
                    },
                    HttpCause::AuthorizerFailed
                    | HttpCause::BackendFailed
                    | HttpCause::NotServed
                    | HttpCause::BadRequestBody => HttpApiCause::Other,
                },
            },
        };
        Some(Producer::HttpApi(HttpApiProducer {
            api_name: &api.logical_id,
            api_location: &api.location,
            cors: api
                .cors
                .as_ref()
                .map(|c| (c, api.cors_location.as_ref().unwrap_or(&api.location))),
            route: self.route.map(|r| (r.route_key.as_str(), &r.location)),
            answer,
        }))
    }
}
