//! The report for people (`text`: one section per step, then the verdict) and for scripts
//! (`json`: a fixed shape, documented in the README, keys present whatever the verdict).

use std::fmt::Write as _;

use gatewise_cors::fetch::MaxAgeHeader;
use serde_json::{Map, Value, json};

use super::report::{Kind, Passed, Redirect, Refusal, Report, Step};

/// The report as text, ending with the verdict line.
pub fn text(report: &Report) -> String {
    let mut out = String::new();
    let mode = if report.credentials {
        "include"
    } else {
        "same-origin"
    };
    let _ = writeln!(
        out,
        "Probing a cross-origin fetch() of {} from a page on {} (credentials: '{mode}')",
        report.url, report.origin
    );
    if report.preflight_reason.is_none() {
        let _ = writeln!(
            out,
            "\nNo preflight: the method is GET, HEAD or POST and every header is CORS-safelisted, \
             so the browser sends the request directly."
        );
    }
    for (number, step) in report.steps.iter().enumerate() {
        out.push('\n');
        let title = match step.kind {
            Kind::Preflight => format!(
                "preflight, because {}",
                report.preflight_reason.as_deref().unwrap_or_default()
            ),
            Kind::Request => "request".to_owned(),
        };
        let _ = writeln!(out, "{}. {title}", number + 1);
        write_exchange(&mut out, step);
        write_outcome(&mut out, step);
    }
    out.push('\n');
    out.push_str(&verdict_line(report));
    out
}

fn write_exchange(out: &mut String, step: &Step) {
    let _ = writeln!(out, "   > {} {}", step.method, step.url);
    for (name, value) in &step.sent {
        let _ = writeln!(out, "   > {name}: {value}");
    }
    let _ = writeln!(
        out,
        "   < {} {}",
        step.status.as_u16(),
        step.status.canonical_reason().unwrap_or_default()
    );
    if step.deciding.is_empty() {
        let _ = writeln!(out, "   < (no access-control-* or vary headers)");
    }
    for (name, value) in &step.deciding {
        let _ = writeln!(out, "   < {name}: {value}");
    }
}

fn write_outcome(out: &mut String, step: &Step) {
    match &step.outcome {
        Err(refusal) => {
            let _ = writeln!(out, "   blocked [{}]: {}", refusal.rule, refusal.message);
            if step.kind == Kind::Preflight {
                let _ = writeln!(out, "   The browser never sends the request itself.");
            }
        }
        Ok(Passed::Preflight(result)) => {
            let _ = writeln!(
                out,
                "   passed: the browser may send the request; it caches this preflight for {} s{}",
                result.max_age.as_secs(),
                match result.max_age_header {
                    MaxAgeHeader::Absent => " (no Access-Control-Max-Age)".to_owned(),
                    MaxAgeHeader::Invalid => {
                        " (Access-Control-Max-Age is not a number of seconds)".to_owned()
                    }
                    MaxAgeHeader::Seconds(secs) if secs > result.max_age.as_secs() => {
                        format!(" (Access-Control-Max-Age {secs}, capped by Chromium)")
                    }
                    MaxAgeHeader::Seconds(_) => String::new(),
                }
            );
            if let Some(refused) = &result.standard_block {
                let _ = writeln!(
                    out,
                    "   but Firefox and Safari (the Fetch standard) refuse it [{}]: {}",
                    refused.rule,
                    gatewise_cors::explain::reason(refused)
                );
            }
        }
        Ok(Passed::Request {
            redirect: Some(next),
            ..
        }) => {
            let _ = writeln!(
                out,
                "   passed the CORS check, and the browser follows this redirect: {} {} with \
                 Origin: {}{}. probe follows no redirects; to check that hop run\n   \
                 gatewise probe '{}' --origin {}",
                next.method,
                next.url,
                next.origin,
                if next.origin == "null" {
                    " (the redirect left the URL's origin)"
                } else {
                    ""
                },
                next.url,
                next.origin
            );
        }
        Ok(Passed::Request {
            readable, hidden, ..
        }) => {
            let headers = if readable.is_empty() {
                "no header".to_owned()
            } else {
                format!("the headers {}", readable.join(", "))
            };
            let _ = writeln!(
                out,
                "   allowed: the page reads the status, the body and {headers}"
            );
            if !hidden.is_empty() {
                let _ = writeln!(
                    out,
                    "   Hidden from the page (not in Access-Control-Expose-Headers): {}",
                    hidden.join(", ")
                );
            }
        }
    }
}

fn verdict_line(report: &Report) -> String {
    match (report.refusal(), redirect(report)) {
        (Some(refusal), _) => format!(
            "Verdict: BLOCKED [{}] by the {} — fetch() rejects with a TypeError (\"Failed to \
             fetch\"); the page cannot read the response, not even its status.\n",
            refusal.rule,
            match report.steps.last().map(|step| step.kind) {
                Some(Kind::Preflight) => "preflight",
                _ => "response",
            }
        ),
        (None, Some(next)) => format!(
            "Verdict: ALLOWED so far — the browser follows the redirect to {}; probe that URL \
             for the final answer.\n",
            next.url
        ),
        (None, None) => {
            "Verdict: ALLOWED — fetch() resolves and the page can read the response.\n".to_owned()
        }
    }
}

fn redirect(report: &Report) -> Option<&Redirect> {
    report.steps.iter().find_map(|step| match &step.outcome {
        Ok(Passed::Request { redirect, .. }) => redirect.as_ref(),
        _ => None,
    })
}

/// The report as one JSON object:
/// `{url, origin, credentials, steps: [{kind, method, url, request_headers, status, headers,
/// verdict, rule, message, …}], verdict, rule?, message?}`.
pub fn json(report: &Report) -> String {
    let mut top = Map::new();
    top.insert("url".into(), json!(report.url.as_str()));
    top.insert("origin".into(), json!(report.origin));
    top.insert(
        "credentials".into(),
        json!(if report.credentials {
            "include"
        } else {
            "same-origin"
        }),
    );
    top.insert(
        "steps".into(),
        Value::Array(report.steps.iter().map(step_json).collect()),
    );
    verdict_fields(&mut top, report.refusal());
    Value::Object(top).to_string()
}

fn step_json(step: &Step) -> Value {
    let mut object = Map::new();
    object.insert(
        "kind".into(),
        json!(match step.kind {
            Kind::Preflight => "preflight",
            Kind::Request => "request",
        }),
    );
    object.insert("method".into(), json!(step.method.as_str()));
    object.insert("url".into(), json!(step.url.as_str()));
    object.insert("request_headers".into(), headers_json(&step.sent));
    object.insert("status".into(), json!(step.status.as_u16()));
    object.insert("headers".into(), headers_json(&step.deciding));
    verdict_fields(&mut object, step.outcome.as_ref().err());
    if object.get("rule").is_none() {
        object.insert("rule".into(), Value::Null);
        object.insert("message".into(), Value::Null);
    }
    match (&step.kind, &step.outcome) {
        (Kind::Preflight, outcome) => {
            let (max_age, other_browsers) = match outcome {
                Ok(Passed::Preflight(result)) => (
                    json!(result.max_age.as_secs()),
                    result.standard_block.as_ref().map(
                        |refused| json!({"rule": refused.rule.id(), "message": refused.message}),
                    ),
                ),
                _ => (Value::Null, None),
            };
            object.insert("max_age_seconds".into(), max_age);
            // What Firefox and Safari decide when they differ from Chromium's verdict.
            object.insert(
                "firefox_safari_block".into(),
                other_browsers.unwrap_or(Value::Null),
            );
        }
        (Kind::Request, outcome) => {
            let (readable, redirect) = match outcome {
                Ok(Passed::Request {
                    readable, redirect, ..
                }) => (json!(readable), redirect.as_ref().map(redirect_json)),
                _ => (json!([]), None),
            };
            object.insert("readable".into(), readable);
            object.insert("redirect".into(), redirect.unwrap_or(Value::Null));
        }
    }
    Value::Object(object)
}

/// `verdict`, and `rule` + `message` when blocked.
fn verdict_fields(object: &mut Map<String, Value>, refusal: Option<&Refusal>) {
    match refusal {
        None => {
            object.insert("verdict".into(), json!("allowed"));
        }
        Some(refusal) => {
            object.insert("verdict".into(), json!("blocked"));
            object.insert("rule".into(), json!(refusal.rule));
            object.insert("message".into(), json!(refusal.message));
        }
    }
}

/// Header lines as an object; repeated names are combined with `, ` as Fetch's "get" does.
fn headers_json(lines: &[(String, String)]) -> Value {
    let mut object = Map::new();
    for (name, value) in lines {
        match object.get_mut(name) {
            Some(Value::String(joined)) => {
                joined.push_str(", ");
                joined.push_str(value);
            }
            _ => {
                object.insert(name.clone(), json!(value));
            }
        }
    }
    Value::Object(object)
}

fn redirect_json(next: &Redirect) -> Value {
    json!({
        "method": next.method.as_str(),
        "url": next.url.as_str(),
        "origin": next.origin,
    })
}
