//! Loads a template text the way `gatewise check` does and runs the rules over it.

use crate::{Finding, Sources, check};

/// The findings for `template` (written to a temporary `template.yaml`, functions stubbed
/// when their code is missing).
pub fn findings_of(template: &str) -> Vec<Finding> {
    findings_with_code(template, &[])
}

/// The findings for `template` next to the code `files` (path relative to the template's
/// folder, text).
pub fn findings_with_code(template: &str, files: &[(&str, &str)]) -> Vec<Finding> {
    let dir = tempfile::tempdir().expect("temp dir");
    for (relative, text) in files {
        let file = dir.path().join(relative);
        std::fs::create_dir_all(file.parent().expect("a parent")).expect("code folder");
        std::fs::write(file, text).expect("write code");
    }
    let path = dir.path().join("template.yaml");
    std::fs::write(&path, template).expect("write template");
    let options = gatewise_template::LoadOptions {
        stub_functions: true,
        ..Default::default()
    };
    let stack = gatewise_template::load(&path, &options)
        .unwrap_or_else(|e| panic!("template does not load: {e}\n{template}"));
    check(&stack, &Sources::new(&stack))
}

/// The rule ids of `findings`, in order.
pub fn ids(findings: &[Finding]) -> Vec<&'static str> {
    findings.iter().map(|f| f.rule.id).collect()
}
