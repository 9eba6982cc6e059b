//! Input variable values, from lowest to highest precedence as Terraform takes them: the
//! `default`, `TF_VAR_<name>` in the environment, `terraform.tfvars`, `*.auto.tfvars` (in
//! lexical order), then `--var-file` files and `--var NAME=VALUE` in command-line order.

use std::path::Path;
use std::sync::Arc;

use gatewise_model::{Diagnostic, SourceLocation};
use hcl::Value;
use hcl::eval::Context;
use indexmap::IndexMap;

use super::expression;
use super::functions;
use super::source::{Declared, SourceFile};
use crate::{LoadError, LoadOptions, TerraformVariable};

/// The values of the root module's variables.
pub fn root_values(
    declared: &IndexMap<String, Declared>,
    root: &Path,
    shown_root: &Path,
    options: &LoadOptions,
    warnings: &mut Vec<Diagnostic>,
) -> Result<IndexMap<String, Value>, LoadError> {
    let mut given: IndexMap<String, Value> = IndexMap::new();
    for (name, value) in std::env::vars() {
        if let Some(name) = name.strip_prefix("TF_VAR_")
            && declared.contains_key(name)
        {
            given.insert(name.to_owned(), from_text(&value));
        }
    }
    let mut files: Vec<std::path::PathBuf> = Vec::new();
    if root.join("terraform.tfvars").is_file() {
        files.push("terraform.tfvars".into());
    }
    let mut auto: Vec<std::path::PathBuf> = std::fs::read_dir(root)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.to_string_lossy().ends_with(".auto.tfvars") && p.is_file())
                .filter_map(|p| p.file_name().map(std::path::PathBuf::from))
                .collect()
        })
        .unwrap_or_default();
    auto.sort();
    files.extend(auto);
    for file in files {
        read_tfvars(
            &root.join(&file),
            &shown_root.join(&file),
            declared,
            &mut given,
            warnings,
        )?;
    }
    for variable in &options.terraform_variables {
        match variable {
            TerraformVariable::File(path) => {
                read_tfvars(path, path, declared, &mut given, warnings)?;
            }
            TerraformVariable::Value { name, value } => {
                if !declared.contains_key(name) {
                    return Err(LoadError::new(
                        SourceLocation::new(Arc::from(shown_root), 1, 1),
                        format!(
                            "--var {name}=…: the configuration declares no variable \"{name}\"; check the name (declared: {})",
                            declared.keys().cloned().collect::<Vec<_>>().join(", ")
                        ),
                    ));
                }
                given.insert(name.clone(), from_text(value));
            }
        }
    }
    resolve(declared, given, |name, variable| {
        LoadError::new(
            variable.location.clone(),
            format!(
                "variable \"{name}\" has no value and no default; give it with `--var {name}=VALUE`, in terraform.tfvars or a --var-file, or as the environment variable TF_VAR_{name}"
            ),
        )
    })
}

/// The values of a child module's variables from the module block's arguments.
pub fn module_values(
    declared: &IndexMap<String, Declared>,
    given: IndexMap<String, Value>,
    name: &str,
    call: &SourceLocation,
) -> Result<IndexMap<String, Value>, LoadError> {
    resolve(declared, given, |variable, declared| {
        LoadError::new(
            call.clone(),
            format!(
                "module \"{name}\" needs a value for its variable \"{variable}\" (declared at {}, no default); add `{variable} = …` to the module block",
                declared.location
            ),
        )
    })
}

fn resolve(
    declared: &IndexMap<String, Declared>,
    mut given: IndexMap<String, Value>,
    missing: impl Fn(&str, &Declared) -> LoadError,
) -> Result<IndexMap<String, Value>, LoadError> {
    let mut out = IndexMap::new();
    let mut ctx = Context::new();
    functions::declare(&mut ctx);
    for (name, variable) in declared {
        let value = match given.shift_remove(name) {
            Some(v) => v,
            None => match variable.block.body.get_attribute("default") {
                Some(default) => expression::evaluate(&default.value, &ctx).map_err(|e| {
                    LoadError::new(
                        variable.location.clone(),
                        format!("variable \"{name}\": default: {e}"),
                    )
                })?,
                None => return Err(missing(name, variable)),
            },
        };
        out.insert(name.clone(), value);
    }
    Ok(out)
}

/// A value given as text (`--var`, `TF_VAR_`): a list, map or object is HCL, anything else is
/// the string itself (Terraform parses by the variable's type; strings are by far the common
/// case, and numbers and bools convert from their text where used).
fn from_text(text: &str) -> Value {
    let trimmed = text.trim_start();
    if (trimmed.starts_with('[') || trimmed.starts_with('{'))
        && let Ok(expr) = hcl::edit::parser::parse_expr(text)
        && let Ok(v) = expression::evaluate(&expr, &Context::new())
    {
        return v;
    }
    Value::String(text.to_owned())
}

fn read_tfvars(
    path: &Path,
    shown: &Path,
    declared: &IndexMap<String, Declared>,
    given: &mut IndexMap<String, Value>,
    warnings: &mut Vec<Diagnostic>,
) -> Result<(), LoadError> {
    let shown: Arc<Path> = Arc::from(shown);
    let file = SourceFile::read(path, &shown)?;
    let ctx = Context::new();
    for attribute in file.body.attributes() {
        let name = attribute.key.as_str();
        let at = file.location(attribute);
        if !declared.contains_key(name) {
            warnings.push(Diagnostic {
                location: at,
                message: format!("value for undeclared variable \"{name}\" ignored (Terraform warns about it too)"),
            });
            continue;
        }
        let value = expression::evaluate(&attribute.value, &ctx).map_err(|e| {
            LoadError::new(
                at,
                format!("{name}: {e} (a .tfvars file holds literal values only)"),
            )
        })?;
        given.insert(name.to_owned(), value);
    }
    Ok(())
}
