//! The wire: a client that sends the two requests the way the browser's network stack does —
//! no redirects followed, no cookies, no decompression, the browser's own `Sec-Fetch-Mode` —
//! and hands back the status and every response header line.

use std::net::IpAddr;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::redirect::Policy;
use reqwest::{Client, Method, StatusCode, Url};

/// What one step got back; the body is read but not kept (no verdict depends on it).
#[derive(Debug)]
pub struct Exchange {
    pub status: StatusCode,
    pub headers: HeaderMap,
}

/// The browser's network stack, as far as CORS can tell: one client for both steps.
pub struct Network {
    client: Client,
    timeout: Duration,
}

/// Builds the [`Network`] for `url`.
///
/// - Redirects are never followed: a browser refuses a redirected preflight, and for the
///   actual request the report says where the browser would go next.
/// - TLS is rustls with the platform's roots (reqwest's `rustls` feature), so https works
///   against deployed APIs as it does in a browser on this machine.
/// - Loopback URLs bypass any `HTTP_PROXY`, as Chromium never proxies loopback; other URLs
///   honour the proxy variables, as a browser on the same machine would.
pub fn network(url: &Url, timeout: Duration) -> Result<Network, String> {
    let mut browser_headers = HeaderMap::new();
    browser_headers.insert("sec-fetch-mode", HeaderValue::from_static("cors"));
    let mut builder = Client::builder()
        .redirect(Policy::none())
        .timeout(timeout)
        .user_agent(concat!("gatewise-probe/", env!("CARGO_PKG_VERSION")))
        .default_headers(browser_headers);
    if is_loopback(url) {
        builder = builder.no_proxy();
    }
    let client = builder
        .build()
        .map_err(|e| format!("error: cannot set up the HTTP client: {}", cause(&e)))?;
    Ok(Network { client, timeout })
}

fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || host.ends_with(".localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

impl Network {
    /// Sends one request and waits for its whole answer. `step` names it in the error message
    /// ("the preflight", "the request").
    pub async fn send(
        &self,
        step: &str,
        method: Method,
        url: &Url,
        headers: &[(String, String)],
        body: Option<&str>,
    ) -> Result<Exchange, String> {
        let mut request = self.client.request(method.clone(), url.clone());
        for (name, value) in headers {
            request = request.header(name, value);
        }
        if let Some(body) = body {
            request = request.body(body.to_owned());
        }
        let response = request.send().await.map_err(|e| {
            let why = if e.is_timeout() {
                format!(
                    "no answer within {} s (raise --timeout)",
                    self.timeout.as_secs_f64()
                )
            } else {
                cause(&e)
            };
            format!("error: {step} ({method} {url}) failed: {why}")
        })?;
        let status = response.status();
        let headers = response.headers().clone();
        // Read the body as the browser does, so the server sees a complete exchange. A body
        // that breaks off does not change what the headers decided.
        let _ = response.bytes().await;
        Ok(Exchange { status, headers })
    }
}

/// The reason behind a reqwest error, without its "error sending request for url (…)"
/// wrapper (the message names the URL already): the chain of causes, most specific last.
fn cause(error: &reqwest::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        let text = inner.to_string();
        // hyper-util's "client error (Connect)" only says which stage failed; the next cause
        // says it better.
        if !text.starts_with("client error (") && !parts.iter().any(|part| part == &text) {
            parts.push(text);
        }
        source = inner.source();
    }
    if parts.is_empty() {
        error.to_string()
    } else {
        parts.join(": ")
    }
}
