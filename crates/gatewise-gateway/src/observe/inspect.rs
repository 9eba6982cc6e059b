//! Phase 8, **observe**, for the inspector page: one finished exchange as a
//! [`Record`], built only while the inspector records (see `inspector`), with the
//! `gatewise probe` command line that sends the same request from the same origin.

use gatewise_cors::fetch::request_header_names;
use gatewise_cors::http_api::is_preflight;
use gatewise_model::RestApi;
use http::{HeaderMap, header};

use crate::inspector::{Record, Verdict};
use crate::observe::Exchange;
use crate::observe::cors_verdict::{Explanation, Observed};
use crate::observe::http_source::HttpSource;
use crate::observe::source::ResponseSource;

/// Request headers a page does not set itself: the browser adds them (or forbids setting
/// them), so a `probe` reproducing the request leaves them out.
const BROWSER_HEADERS: &[&str] = &[
    "accept",
    "accept-encoding",
    "accept-language",
    "access-control-request-headers",
    "access-control-request-method",
    "cache-control",
    "connection",
    "content-length",
    "cookie",
    "dnt",
    "host",
    "origin",
    "pragma",
    "priority",
    "referer",
    "te",
    "user-agent",
];

pub(super) fn inspector_record(
    exchange: &Exchange<'_, '_>,
    observed: &Observed<'_, '_>,
    explained: Option<Explanation>,
) -> Record {
    let headers = &observed.parts.headers;
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let origin = text(header::ORIGIN.as_str()).map(str::to_owned);
    let preflight_for = is_preflight(exchange.method, headers)
        .then(|| text("access-control-request-method"))
        .flatten()
        .map(str::to_owned);
    let verdict = match (&origin, &explained) {
        (None, _) => Verdict::NotCors,
        (Some(_), None) => Verdict::Allowed,
        (Some(_), Some(e)) if e.everywhere => Verdict::Blocked,
        (Some(_), Some(_)) => Verdict::OtherBrowsers,
    };
    let path = observed
        .parts
        .uri
        .path_and_query()
        .map_or(exchange.path, |p| p.as_str());
    let mut target = String::new();
    super::write_source(&mut target, exchange.source);
    let (api, route) = reached(observed);
    let probe = origin.as_deref().map(|origin| {
        probe_command(
            headers,
            path,
            origin,
            preflight_for.as_deref().unwrap_or(exchange.method),
            preflight_for.is_some(),
        )
    });
    Record {
        id: 0,
        time: jiff::Timestamp::now().to_string(),
        method: exchange.method.to_owned(),
        path: path.to_owned(),
        status: exchange.status.as_u16(),
        millis: exchange.elapsed.as_secs_f64() * 1000.0,
        api,
        route,
        target: target.trim().to_owned(),
        reason: exchange.reason.map(str::to_owned),
        origin,
        preflight_for,
        verdict,
        explanation: explained.map(|e| e.line),
        probe,
        preflight_id: None,
        log: None,
    }
}

/// The API reached and the route that matched, as the route table names them.
fn reached(observed: &Observed<'_, '_>) -> (Option<String>, Option<String>) {
    if let ResponseSource::Http(HttpSource { api, route, .. }) = observed.source {
        let api = api.map(|a| format!("{} (HTTP API)", a.logical_id));
        return (api, route.map(|r| r.route_key.clone()));
    }
    let api = observed
        .api
        .map(|a: &RestApi| format!("{} / {}", a.logical_id, a.stage));
    let route = observed
        .reached
        .map(|(resource, method)| format!("{} {}", method.http_method, resource.path));
    (api, route)
}

/// `gatewise probe 'http://HOST/PATH' --origin ORIGIN -X METHOD -H 'Name: value'…`: the
/// `fetch()` the page made. For a preflight, the request it announced, with its headers
/// named in `Access-Control-Request-Headers` (their values are not sent in a preflight, so
/// `VALUE` stands for them, and JSON for a `Content-Type`).
fn probe_command(
    headers: &HeaderMap,
    path: &str,
    origin: &str,
    method: &str,
    preflight: bool,
) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1:3000");
    let mut command = format!(
        "gatewise probe {} --origin {}",
        quote(&format!("http://{host}{path}")),
        quote(origin)
    );
    if method != "GET" {
        command.push_str(" -X ");
        command.push_str(&quote(method));
    }
    if preflight {
        let named = headers
            .get("access-control-request-headers")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        for name in request_header_names(named) {
            let value = if name.eq_ignore_ascii_case("content-type") {
                "application/json"
            } else {
                "VALUE"
            };
            command.push_str(" -H ");
            command.push_str(&quote(&format!("{name}: {value}")));
        }
    } else {
        for (name, value) in headers {
            let name = name.as_str();
            if BROWSER_HEADERS.contains(&name) || name.starts_with("sec-") {
                continue;
            }
            let value = String::from_utf8_lossy(value.as_bytes());
            command.push_str(" -H ");
            command.push_str(&quote(&format!("{name}: {value}")));
        }
    }
    if headers.contains_key(header::COOKIE) {
        command.push_str(" --credentials");
    }
    command
}

/// Quotes `text` for a POSIX shell when it needs it.
fn quote(text: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:=@,+%".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        return text.to_owned();
    }
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::header_map as headers;

    #[test]
    fn probe_reproduces_the_request_a_preflight_announced() {
        let preflight = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "http://localhost:5173"),
            ("access-control-request-method", "PUT"),
            ("access-control-request-headers", "content-type,x-api-key"),
        ]);
        assert_eq!(
            probe_command(
                &preflight,
                "/items/1?q=a b",
                "http://localhost:5173",
                "PUT",
                true
            ),
            "gatewise probe 'http://127.0.0.1:3000/items/1?q=a b' --origin http://localhost:5173 \
             -X PUT -H 'content-type: application/json' -H 'x-api-key: VALUE'"
        );
    }

    #[test]
    fn probe_keeps_the_headers_the_page_set() {
        let request = headers(&[
            ("host", "localhost:3000"),
            ("origin", "http://localhost:5173"),
            ("accept", "*/*"),
            ("sec-fetch-mode", "cors"),
            ("content-type", "application/json"),
            ("authorization", "it's me"),
            ("cookie", "a=b"),
        ]);
        assert_eq!(
            probe_command(&request, "/orders", "http://localhost:5173", "POST", false),
            "gatewise probe http://localhost:3000/orders --origin http://localhost:5173 -X POST \
             -H 'content-type: application/json' -H 'authorization: it'\\''s me' --credentials"
        );
    }
}
