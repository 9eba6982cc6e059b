//! `gatewise probe`: what Chromium does for a cross-origin `fetch()` of any URL — a local
//! `gatewise serve` or a deployed API — step by step, with the verdict and the reason.
//!
//! The decisions come from gatewise-cors, the code behind the gateway's own explanations, so
//! probe and `serve` cannot disagree about a response both see. Only the wire is probe's own:
//! - [`request`]: the command line turned into the `fetch()` call, checked as `fetch()` does;
//! - [`exchange`]: sending it like the browser's network stack (no redirects, no cookies);
//! - [`report`]: each answer judged; [`render`]: the report as text or JSON.

mod exchange;
mod render;
mod report;
mod request;

use std::process::ExitCode;
use std::time::Duration;

use gatewise_cors::fetch::{Credentials, preflight_for};
use reqwest::Method;

use crate::cli::{ProbeArgs, ProbeFormat};
use report::Report;
use request::Plan;

/// The page may read the response.
const EXIT_ALLOWED: u8 = 0;
/// The browser refuses the response (or the preflight).
const EXIT_BLOCKED: u8 = 1;
/// A usage or network error: no verdict. The same status clap gives usage errors.
const EXIT_ERROR: u8 = 2;

pub fn run(args: ProbeArgs) -> ExitCode {
    let plan = match Plan::from_args(&args) {
        Ok(plan) => plan,
        Err(message) => return fail(&message),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return fail(&format!("error: cannot start the async runtime: {e}")),
    };
    let report = match runtime.block_on(probe(&plan, args.timeout)) {
        Ok(report) => report,
        Err(message) => return fail(&message),
    };
    match args.format {
        ProbeFormat::Text => print!("{}", render::text(&report)),
        ProbeFormat::Json => println!("{}", render::json(&report)),
    }
    ExitCode::from(match report.refusal() {
        None => EXIT_ALLOWED,
        Some(_) => EXIT_BLOCKED,
    })
}

/// The preflight when the call needs one, then — unless the preflight failed, when a browser
/// stops too — the request itself.
async fn probe(plan: &Plan, timeout: Duration) -> Result<Report, String> {
    let network = exchange::network(&plan.url, timeout)?;
    let preflight = preflight_for(&plan.cors);
    let mut report = Report {
        url: plan.url.clone(),
        origin: plan.cors.origin.clone(),
        credentials: plan.cors.credentials == Credentials::Include,
        preflight_reason: preflight.as_ref().map(report::preflight_reason),
        steps: Vec::new(),
    };
    if let Some(preflight) = &preflight {
        let sent = plan.preflight_headers(preflight);
        let got = network
            .send("the preflight", Method::OPTIONS, &plan.url, &sent, None)
            .await?;
        report.steps.push(report::preflight_step(plan, sent, got));
        if report.refusal().is_some() {
            return Ok(report);
        }
    }
    let sent = plan.request_headers();
    let got = network
        .send(
            "the request",
            plan.method.clone(),
            &plan.url,
            &sent,
            plan.body.as_deref(),
        )
        .await?;
    report.steps.push(report::request_step(plan, sent, got));
    Ok(report)
}

fn fail(message: &str) -> ExitCode {
    eprintln!("{message}");
    ExitCode::from(EXIT_ERROR)
}
