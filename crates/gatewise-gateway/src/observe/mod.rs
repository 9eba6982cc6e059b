//! Phase 8, **observe**: one access-log line per request on stderr, plus, for a gateway
//! error, one line saying why — the explanation AWS keeps in execution logs, which local
//! users should not have to dig for.
//!
//! The CORS half of this phase lives in `cors_verdict`; the pipeline appends its line to the
//! entry, so one request's lines are written together. What produced the response comes as
//! a [`ResponseSource`] (`source`, `http_source`, `gateway_response_type`). Both pipelines
//! report here; nothing here knows either of them.

pub(crate) mod cors_verdict;
pub(crate) mod gateway_response_type;
pub(crate) mod http_source;
mod inspect;
pub(crate) mod source;

use std::fmt::Write as _;
use std::time::Duration;

use gatewise_lambda::LogTail;
use http::StatusCode;

use crate::inspector::Inspector;
use crate::observe::cors_verdict::{Observed, explanation};
use crate::observe::source::ResponseSource;

/// One finished request, as the access log sees it.
pub(crate) struct Exchange<'e, 'a> {
    pub method: &'e str,
    pub path: &'e str,
    pub status: StatusCode,
    pub elapsed: Duration,
    pub source: &'e ResponseSource<'a>,
    /// Why the gateway answered itself (never sent to the client, as on AWS).
    pub reason: Option<&'e str>,
}

/// `METHOD PATH -> STATUS (Xms) [function NAME | mock METHOD RESOURCE | gateway: TYPE]`, and
/// for gateway errors a second line `  STATUS because REASON`. Both lines end with a newline
/// so they can be written with one call (lines of concurrent requests do not interleave).
/// The entry is appended to `line`.
fn write_access_log(line: &mut String, exchange: &Exchange<'_, '_>) {
    let _ = write!(
        line,
        "{} {} -> {} ({}ms) ",
        exchange.method,
        exchange.path,
        exchange.status.as_u16(),
        exchange.elapsed.as_millis()
    );
    write_source(line, exchange.source);
    if let Some(reason) = exchange.reason {
        let _ = writeln!(line, "  {} because {reason}", exchange.status.as_u16());
    }
}

/// What answered, `[function NAME]` and the like, with the lines that explain a failed
/// function behind an `AWS` integration.
fn write_source(line: &mut String, source: &ResponseSource<'_>) {
    let _ = match source {
        ResponseSource::Function { function } => {
            writeln!(line, "[function {}]", function.logical_id)
        }
        ResponseSource::Mock {
            resource, method, ..
        } => writeln!(line, "[mock {} {}]", method.http_method, resource.path),
        ResponseSource::LambdaIntegration {
            function,
            resource,
            method,
            selected,
            function_error,
        } => {
            let _ = writeln!(
                line,
                "[function {} via AWS integration {} {}, integration response {}]",
                function.logical_id, method.http_method, resource.path, selected.status_code
            );
            match (function_error, &selected.selection_pattern) {
                (None, _) => Ok(()),
                (Some(error), Some(pattern)) => writeln!(
                    line,
                    "  the function failed ({error}); selection pattern {pattern:?} matched its \
                     errorMessage"
                ),
                (Some(error), None) => writeln!(
                    line,
                    "  the function failed ({error}); no selection pattern matched its \
                     errorMessage, so the default integration response answered with the error \
                     document as its body"
                ),
            }
        }
        ResponseSource::Backend {
            backend,
            url,
            selected,
            ..
        } => match selected {
            None => writeln!(line, "[HTTP_PROXY {} {url}]", backend.http_method),
            Some(selected) => writeln!(
                line,
                "[HTTP {} {url}, integration response {}]",
                backend.http_method, selected.status_code
            ),
        },
        ResponseSource::Gateway {
            response_type,
            configured: Some(config),
            ..
        } => writeln!(
            line,
            "[gateway: {response_type}, shaped by the configured {} ({})]",
            config.response_type, config.location
        ),
        ResponseSource::Gateway { response_type, .. } => {
            writeln!(line, "[gateway: {response_type}]")
        }
        ResponseSource::Http(http) => writeln!(line, "[{http}]"),
    };
}

thread_local! {
    /// Each runtime thread formats its entries in one buffer that keeps its capacity, so a
    /// request's log entry costs no allocation (the log queue copies it).
    static ENTRY: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// Phase 8 for one finished request: the access line, plus the CORS explanation when a
/// browser would refuse (or Firefox and Safari would refuse) the response, written together;
/// and the inspector's record of it, with `function_log`, when an inspector page is (or was)
/// open.
pub(crate) fn record(
    exchange: &Exchange<'_, '_>,
    observed: &Observed<'_, '_>,
    inspector: Option<&Inspector>,
    function_log: Option<&LogTail>,
) {
    ENTRY.with_borrow_mut(|entry| {
        entry.clear();
        write_access_log(entry, exchange);
        let explained = explanation(observed);
        if let Some(explained) = &explained {
            entry.push_str("  ");
            entry.push_str(&explained.line);
            entry.push('\n');
        }
        emit(entry);
        if let Some(inspector) = inspector
            && inspector.admit(explained.is_some())
        {
            let record = inspect::inspector_record(exchange, observed, explained);
            inspector.publish(record, function_log.cloned());
        }
        // An exceptional entry (a long reason) does not keep its memory for good.
        if entry.capacity() > ENTRY_CAPACITY_KEPT {
            *entry = String::new();
        }
    });
}

/// The largest log-entry buffer a runtime thread keeps between requests.
const ENTRY_CAPACITY_KEPT: usize = 16 * 1024;

/// Writes a finished log entry to stderr in one call, without blocking the request on a
/// stderr nobody reads (`gatewise_lambda::write_to_stderr`).
pub(crate) fn emit(entry: &str) {
    gatewise_lambda::write_to_stderr(entry.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::gateway_response_type::GatewayResponseType;
    use crate::observe::source::GatewayCause;
    use crate::test_support::{api, function};

    fn access_log(exchange: &Exchange<'_, '_>) -> String {
        let mut line = String::new();
        write_access_log(&mut line, exchange);
        line
    }

    #[test]
    fn access_log_lines() {
        let hello = function("HelloFunction", 3);
        let ok = access_log(&Exchange {
            method: "GET",
            path: "/hello",
            status: StatusCode::OK,
            elapsed: Duration::from_millis(12),
            source: &ResponseSource::Function { function: &hello },
            reason: None,
        });
        assert_eq!(ok, "GET /hello -> 200 (12ms) [function HelloFunction]\n");
        let err = access_log(&Exchange {
            method: "POST",
            path: "/x",
            status: StatusCode::BAD_GATEWAY,
            elapsed: Duration::from_micros(300),
            source: &ResponseSource::Gateway {
                response_type: GatewayResponseType::Default5xx,
                configured: None,
                cause: GatewayCause::FunctionFailed { function: &hello },
            },
            reason: Some("the function's response is malformed: key 'wrongValue' is not allowed"),
        });
        assert_eq!(
            err,
            "POST /x -> 502 (0ms) [gateway: DEFAULT_5XX]\n  502 because the function's response is malformed: key 'wrongValue' is not allowed\n"
        );
        let rest_api = api("Api", "Prod", &[("/items", &["OPTIONS"])], 0, 10);
        let mock = access_log(&Exchange {
            method: "OPTIONS",
            path: "/items",
            status: StatusCode::OK,
            elapsed: Duration::ZERO,
            source: &ResponseSource::Mock {
                resource: &rest_api.resources[0],
                method: &rest_api.resources[0].methods[0],
            },
            reason: None,
        });
        assert_eq!(mock, "OPTIONS /items -> 200 (0ms) [mock OPTIONS /items]\n");
    }
}
