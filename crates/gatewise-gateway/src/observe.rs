//! Phase 8, **observe**: one access-log line per request on stderr, plus, for a gateway
//! error, one line saying why — the explanation AWS keeps in execution logs, which local
//! users should not have to dig for.

use std::fmt::Write as _;
use std::time::Duration;

use http::StatusCode;

use crate::gateway_response::GatewayResponseType;

/// Who produced the response.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Handler<'a> {
    /// A function's proxy response (its logical id).
    Function(&'a str),
    /// A gateway response of this type.
    Gateway(GatewayResponseType),
}

/// `METHOD PATH -> STATUS (Xms) [function NAME | gateway: TYPE]`, and for gateway errors a
/// second line `  STATUS because REASON`. Both lines end with a newline so they can be
/// written with one call (lines of concurrent requests do not interleave).
pub(crate) fn access_log(
    method: &str,
    path: &str,
    status: StatusCode,
    elapsed: Duration,
    handler: Handler<'_>,
    reason: Option<&str>,
) -> String {
    let mut line = format!(
        "{method} {path} -> {} ({}ms) ",
        status.as_u16(),
        elapsed.as_millis()
    );
    let _ = match handler {
        Handler::Function(name) => writeln!(line, "[function {name}]"),
        Handler::Gateway(kind) => writeln!(line, "[gateway: {kind}]"),
    };
    if let Some(reason) = reason {
        let _ = writeln!(line, "  {} because {reason}", status.as_u16());
    }
    line
}

/// Writes a finished log entry to stderr in one call.
pub(crate) fn emit(entry: &str) {
    use std::io::Write as _;
    // A closed stderr must not take the request down with it.
    let _ = std::io::stderr().lock().write_all(entry.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_log_lines() {
        let ok = access_log(
            "GET",
            "/hello",
            StatusCode::OK,
            Duration::from_millis(12),
            Handler::Function("HelloFunction"),
            None,
        );
        assert_eq!(ok, "GET /hello -> 200 (12ms) [function HelloFunction]\n");
        let err = access_log(
            "POST",
            "/x",
            StatusCode::BAD_GATEWAY,
            Duration::from_micros(300),
            Handler::Gateway(GatewayResponseType::Default5xx),
            Some("the function's response is malformed: key 'wrongValue' is not allowed"),
        );
        assert_eq!(
            err,
            "POST /x -> 502 (0ms) [gateway: DEFAULT_5XX]\n  502 because the function's response is malformed: key 'wrongValue' is not allowed\n"
        );
    }
}
