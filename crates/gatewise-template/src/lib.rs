//! Loads a SAM / CloudFormation template (YAML or JSON) into the gatewise model.
//!
//! The steps, each in its own module:
//! - [`value`]: parse the text into a tree that keeps every node's `file:line:column`, with
//!   short-form tags (`!Ref`) already in long form (`{"Ref": ..}`);
//! - [`parameters`]: decide each parameter's value (command-line overrides, then `Default`);
//! - [`intrinsics`]: resolve `Ref`, `Fn::*` and conditions locally, lazily — only for the
//!   properties gatewise reads — with visible placeholders and warnings for what only AWS knows;
//! - [`globals`]: SAM's `Globals` merge (spec §2.2, §2.3);
//! - [`sam`] and [`cfn_lambda`]: functions and REST APIs into [`gatewise_model::Stack`].

mod cfn_lambda;
mod code;
mod globals;
mod ids;
mod intrinsics;
mod parameters;
mod properties;
mod sam;
mod template;
mod value;

use std::path::Path;
use std::sync::Arc;

use gatewise_model::{SourceLocation, Stack};
use indexmap::IndexMap;

/// What the command line adds to a template.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `--parameter-overrides Name=Value`: these win over each parameter's `Default`.
    pub parameter_overrides: IndexMap<String, String>,
    /// `AWS::StackName`; [`gatewise_model::pseudo::DEFAULT_STACK_NAME`] when `None`.
    pub stack_name: Option<String>,
}

/// Why a template could not be loaded, and where.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{location}: {message}")]
pub struct LoadError {
    pub location: SourceLocation,
    pub message: String,
}

impl LoadError {
    pub(crate) fn new(location: SourceLocation, message: String) -> Self {
        Self { location, message }
    }
}

/// Reads the template at `path` and builds the [`Stack`] `serve` runs.
///
/// Errors say what is wrong, where, and what to do next; things that load but only AWS could
/// resolve become [`Stack::warnings`].
pub fn load(path: &Path, options: &LoadOptions) -> Result<Stack, LoadError> {
    let file: Arc<Path> = Arc::from(path);
    let start = SourceLocation::new(file.clone(), 1, 1);
    let bytes = std::fs::read(path).map_err(|e| {
        let reason = match e.kind() {
            std::io::ErrorKind::NotFound => {
                "No such file or directory; check the path or run from the project directory"
                    .to_owned()
            }
            _ => e.to_string(),
        };
        LoadError::new(start.clone(), format!("cannot read template: {reason}"))
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        LoadError::new(
            start.clone(),
            format!(
                "cannot read template: it is not UTF-8 text (invalid byte at offset {}); save it as UTF-8",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    load_str(&text, &file, options)
}

/// [`load`] on text already read; `file` names it in locations and anchors relative `CodeUri`s.
fn load_str(text: &str, file: &Arc<Path>, options: &LoadOptions) -> Result<Stack, LoadError> {
    let root = value::parse(text, file)?;
    template::build_stack(&root, file, options)
}

#[cfg(test)]
mod tests;
