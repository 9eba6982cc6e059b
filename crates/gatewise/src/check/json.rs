//! The JSON report, stable for scripts: `{"template", "findings": [{"rule", "severity",
//! "file", "line", "column", "message", "fix"}], "matrix": [...], "assumptions", "summary"}`.

use gatewise_check::Counts;
use gatewise_check::matrix::ASSUMPTIONS;
use serde_json::{Value, json};

use super::Outcome;

pub fn render(outcome: &Outcome<'_>) -> String {
    let findings: Vec<Value> = outcome
        .findings
        .iter()
        .map(|f| {
            json!({
                "rule": f.rule.id,
                "severity": f.severity.as_str(),
                "file": f.location.file.display().to_string(),
                "line": f.location.line,
                "column": f.location.column,
                "message": f.message,
                "fix": f.fix,
            })
        })
        .collect();
    let matrix: Vec<Value> = outcome
        .matrix
        .iter()
        .map(|row| {
            json!({
                "api": row.api,
                "route": row.route,
                "origin": row.origin,
                "call": row.call.as_str(),
                "verdict": row.verdict.as_str(),
                "reason": row.reason,
            })
        })
        .collect();
    let counts = Counts::of(&outcome.findings);
    let assumptions: &[&str] = if matrix.is_empty() { &[] } else { ASSUMPTIONS };
    json!({
        "template": outcome.template.display().to_string(),
        "findings": findings,
        "matrix": matrix,
        "assumptions": assumptions,
        "summary": {
            "errors": counts.errors,
            "warnings": counts.warnings,
            "notes": counts.notes,
        },
    })
    .to_string()
}
