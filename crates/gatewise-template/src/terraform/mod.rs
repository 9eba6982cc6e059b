//! Reads a Terraform configuration (a folder of `.tf` files) into the same CloudFormation
//! document the SAM / CloudFormation reader builds the model from, so every behaviour gatewise
//! has (MOCK, gateway responses, API keys, authorizers, HTTP API CORS, explanations, `check`)
//! works unchanged for Terraform.
//!
//! The steps, each in its own module (lowest first):
//! - [`resource_types`]: resource or data block, and which resource types gatewise reads;
//! - [`source`]: the folder's `.tf` files parsed with hcl-edit, spans kept for `main.tf:42:7`;
//! - [`functions`]: the Terraform functions configurations call; [`expression`]: one
//!   expression's references and value;
//! - [`computed`]: the ids and ARNs only AWS knows, synthesised from addresses;
//! - [`variables`] and [`configuration`]: the whole configuration evaluated without the cloud —
//!   variables, `locals`, resources, data sources and local modules in dependency order,
//!   `count` / `for_each` expanded;
//! - [`translate`]: the resources gatewise serves → CloudFormation resources.

mod computed;
mod configuration;
mod expression;
mod functions;
mod resource_types;
mod source;
mod translate;
mod variables;

use std::path::{Path, PathBuf};

use gatewise_model::Diagnostic;

pub use translate::NO_LOCAL_CODE;

use crate::document::value::Node;
use crate::{LoadError, LoadOptions};

/// Whether `path` names a Terraform configuration: a folder (of `.tf` files) or a `.tf` file.
pub fn is_terraform(path: &Path) -> bool {
    path.is_dir() || path.extension().is_some_and(|e| e == "tf")
}

/// The folder a Terraform path stands for (`infra/main.tf` → `infra`).
pub fn module_dir(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.to_path_buf()
    } else {
        match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }
}

/// Whether the folder `dir` holds `.tf` files.
pub fn has_tf_files(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.path().extension().is_some_and(|x| x == "tf"))
    })
}

/// The configuration at `path` as a CloudFormation document, and the warnings found on the way.
pub fn load(path: &Path, options: &LoadOptions) -> Result<(Node, Vec<Diagnostic>), LoadError> {
    if !path.exists() {
        return Err(LoadError::new(
            gatewise_model::SourceLocation::new(std::sync::Arc::from(path), 1, 1),
            "cannot read the Terraform configuration: no such file or folder; check the path"
                .to_owned(),
        ));
    }
    let dir = module_dir(path);
    let config = configuration::evaluate(&dir, &dir, options)?;
    let (document, mut warnings) = translate::translate(&config, options.stub_functions)?;
    let mut all = config.warnings;
    all.append(&mut warnings);
    Ok((document, all))
}
#[cfg(test)]
mod tests;
