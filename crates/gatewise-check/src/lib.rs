//! `gatewise check`: the static CORS doctor.
//!
//! It reads the [`Stack`] a template loads into (with `--stub-functions`, so unbuilt code
//! does not stop it) and finds what will make a browser refuse the API's responses once it is
//! deployed — each [`Finding`] with a stable rule id, the `file:line:column` of the key to
//! change, what goes wrong in the browser (or at deploy), and the YAML that fixes it.
//!
//! - [`rules`]: the catalogue of rule ids and severities (SARIF needs it up front);
//! - [`source`]: the template text, to point findings at the exact key and to read handler
//!   source for the proxy rule;
//! - [`rest`] and [`http`]: the rules for REST APIs (v1) and HTTP APIs (v2);
//! - [`matrix`]: `--origin`: will a browser's simple, JSON and credentialed calls succeed,
//!   simulated with the same `gatewise-cors` code the gateway and `probe` use.

mod handler_module;
pub mod http;
pub mod matrix;
pub mod rest;
pub mod rules;
pub mod source;

use gatewise_model::{SourceLocation, Stack};

pub use rules::{RULES, Rule, Severity};
pub use source::Sources;

/// One problem found in the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static Rule,
    /// Usually the rule's; the handler rule drops to info when the code is not available.
    pub severity: Severity,
    /// The key or value to change.
    pub location: SourceLocation,
    /// One sentence: what goes wrong in the browser or at deploy, and why.
    pub message: String,
    /// A YAML snippet that fixes it.
    pub fix: String,
}

impl Finding {
    pub fn new(
        rule: &'static Rule,
        location: SourceLocation,
        message: String,
        fix: impl Into<String>,
    ) -> Self {
        Self {
            rule,
            severity: rule.severity,
            location,
            message,
            fix: fix.into(),
        }
    }
}

/// Runs every rule over `stack`; findings come sorted by position, one per rule and location
/// (SAM's `Cors` makes one OPTIONS method per path from the same few lines, and those lines
/// need changing once).
pub fn check(stack: &Stack, sources: &Sources) -> Vec<Finding> {
    let mut findings = Vec::new();
    rest::check(stack, sources, &mut findings);
    http::check(stack, sources, &mut findings);
    findings.sort_by(|a, b| {
        (
            a.location.file.as_ref(),
            a.location.line,
            a.location.column,
            a.rule.id,
        )
            .cmp(&(
                b.location.file.as_ref(),
                b.location.line,
                b.location.column,
                b.rule.id,
            ))
    });
    findings.dedup_by(|a, b| a.rule.id == b.rule.id && a.location == b.location);
    findings
}

/// How many findings of each severity, for the summary line and the exit status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

impl Counts {
    pub fn of(findings: &[Finding]) -> Self {
        let mut counts = Counts::default();
        for finding in findings {
            match finding.severity {
                Severity::Error => counts.errors += 1,
                Severity::Warning => counts.warnings += 1,
                Severity::Info => counts.notes += 1,
            }
        }
        counts
    }
}

#[cfg(test)]
mod test_support;
