//! Findings as a compiler prints diagnostics: `file:line:col: severity[rule]: message`, the
//! source line with a caret under the value, the fix, then a summary line; the `--origin`
//! matrix and its assumptions after that.

use std::fmt::Write;

use gatewise_check::matrix::ASSUMPTIONS;
use gatewise_check::{Counts, Finding};

use super::Outcome;

pub fn render(outcome: &Outcome<'_>) -> String {
    let mut out = String::new();
    for finding in &outcome.findings {
        diagnostic(&mut out, outcome, finding);
    }
    if !outcome.matrix.is_empty() {
        matrix(&mut out, outcome);
    }
    let counts = Counts::of(&outcome.findings);
    let _ = writeln!(
        out,
        "{}: {}, {}, {}",
        outcome.template.display(),
        plural(counts.errors, "error"),
        plural(counts.warnings, "warning"),
        plural(counts.notes, "note")
    );
    out
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn diagnostic(out: &mut String, outcome: &Outcome<'_>, finding: &Finding) {
    let at = &finding.location;
    let _ = writeln!(
        out,
        "{at}: {}[{}]: {}",
        finding.severity, finding.rule.id, finding.message
    );
    if let Some(line) = outcome.sources.line(at) {
        let number = at.line.to_string();
        let gutter = " ".repeat(number.len());
        let lead: String = line
            .chars()
            .take(at.column.saturating_sub(1) as usize)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let _ = writeln!(out, " {number} | {line}");
        let _ = writeln!(
            out,
            " {gutter} | {lead}{}",
            "^".repeat(outcome.sources.width_at(at))
        );
    }
    let _ = writeln!(out, "  fix:");
    for line in finding.fix.lines() {
        let _ = writeln!(out, "    {line}");
    }
    out.push('\n');
}

fn matrix(out: &mut String, outcome: &Outcome<'_>) {
    let _ = writeln!(out, "browser matrix (simulated from the template):");
    let mut current = None;
    for row in &outcome.matrix {
        let group = (&row.api, &row.route, &row.origin);
        if current != Some(group) {
            current = Some(group);
            let _ = writeln!(out, "  {} {} from {}", row.api, row.route, row.origin);
        }
        let _ = writeln!(
            out,
            "    {:<13}{}: {}",
            row.call.as_str(),
            row.verdict.as_str(),
            row.reason
        );
    }
    let _ = writeln!(out, "  assumptions:");
    for assumption in ASSUMPTIONS {
        let _ = writeln!(out, "    - {assumption}");
    }
    out.push('\n');
}
