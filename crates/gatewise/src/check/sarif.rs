//! SARIF 2.1.0, for code-scanning tools: the rule catalogue in `tool.driver.rules`, one
//! result per finding. The fix goes in the result's property bag: SARIF `fixes` need exact
//! byte replacements, and a fix here is a snippet to adapt, not a patch.

use gatewise_check::{RULES, Severity};
use serde_json::{Value, json};

use super::Outcome;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A relative path as a URI reference: forward slashes, spaces and `%` escaped.
fn uri(path: &std::path::Path) -> String {
    path.display()
        .to_string()
        .replace('\\', "/")
        .replace('%', "%25")
        .replace(' ', "%20")
}

pub fn render(outcome: &Outcome<'_>) -> String {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|rule| {
            json!({
                "id": rule.id,
                "shortDescription": {"text": rule.summary},
                "defaultConfiguration": {"level": level(rule.severity)},
            })
        })
        .collect();
    let results: Vec<Value> = outcome
        .findings
        .iter()
        .map(|f| {
            json!({
                "ruleId": f.rule.id,
                "ruleIndex": RULES.iter().position(|r| r.id == f.rule.id),
                "level": level(f.severity),
                "message": {"text": f.message},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri(&f.location.file)},
                        "region": {
                            "startLine": f.location.line,
                            "startColumn": f.location.column,
                        },
                    },
                }],
                "properties": {"fix": f.fix},
            })
        })
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "gatewise",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                },
            },
            "results": results,
        }],
    })
    .to_string()
}
