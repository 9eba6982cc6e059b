//! Template `Parameters`: the value each one has for this run.
//!
//! CloudFormation refuses to deploy while a parameter without `Default` has no value, so we
//! refuse too (eagerly, like a deploy) and say how to pass one.

use gatewise_model::{Diagnostic, SourceLocation};
use indexmap::IndexMap;

use crate::document::value::{Node, Value};
use crate::{LoadError, LoadOptions};

/// The value of one parameter.
#[derive(Debug, Clone)]
pub struct Parameter {
    /// A string, or a list of strings for `CommaDelimitedList` / `List<...>` types.
    pub value: Node,
    /// `AWS::SSM::Parameter::Value<...>` without a command-line value: the value is the *name*
    /// of an SSM parameter, whose content only AWS can read. A `--parameter-overrides` value
    /// for such a parameter is taken as the parameter's content, as SAM CLI does locally.
    pub from_ssm: bool,
}

/// Reads the `Parameters` section; overrides for unknown names become warnings.
pub fn read(
    section: Option<&Node>,
    options: &LoadOptions,
    template_start: &SourceLocation,
    warnings: &mut Vec<Diagnostic>,
) -> Result<IndexMap<String, Parameter>, LoadError> {
    let mut out = IndexMap::new();
    let declared = match section.map(|n| (n, &n.value)) {
        None | Some((_, Value::Null)) => None,
        Some((_, Value::Map(map))) => Some(map),
        Some((node, _)) => {
            return Err(LoadError::new(
                node.location.clone(),
                format!(
                    "Parameters must be a map of parameter names, found {}",
                    node.kind()
                ),
            ));
        }
    };
    for entry in declared.into_iter().flat_map(|m| m.iter()) {
        let name = &entry.key;
        let Some(decl) = entry.value.as_map() else {
            return Err(LoadError::new(
                entry.value.location.clone(),
                format!(
                    "Parameter '{name}' must be a map (Type, Default, ...), found {}",
                    entry.value.kind()
                ),
            ));
        };
        let ty = decl
            .get("Type")
            .and_then(Node::scalar_text)
            .unwrap_or_else(|| "String".to_owned());
        let (text, location) = if let Some(given) = options.parameter_overrides.get(name) {
            (given.clone(), entry.key_location.clone())
        } else if let Some(default) = decl.get("Default") {
            let text = match &default.value {
                Value::Null => String::new(),
                Value::List(items) => items
                    .iter()
                    .filter_map(Node::scalar_text)
                    .collect::<Vec<_>>()
                    .join(","),
                _ => default.scalar_text().ok_or_else(|| {
                    LoadError::new(
                        default.location.clone(),
                        format!(
                            "Parameter '{name}': Default must be a string, found {}",
                            default.kind()
                        ),
                    )
                })?,
            };
            (text, default.location.clone())
        } else {
            return Err(LoadError::new(
                entry.key_location.clone(),
                format!(
                    "Parameter '{name}' has no Default and no value was given; pass --parameter-overrides {name}=<value>"
                ),
            ));
        };
        if let Some(Value::List(allowed)) = decl.get("AllowedValues").map(|n| &n.value) {
            let allowed: Vec<String> = allowed.iter().filter_map(Node::scalar_text).collect();
            if !allowed.is_empty() && !allowed.contains(&text) {
                return Err(LoadError::new(
                    entry.key_location.clone(),
                    format!(
                        "Parameter '{name}' is '{text}', which is not one of its AllowedValues ({}); pass --parameter-overrides {name}=<one of them>",
                        allowed.join(", ")
                    ),
                ));
            }
        }
        let overridden = options.parameter_overrides.contains_key(name);
        let from_ssm = ty.starts_with("AWS::SSM::Parameter::Value<") && !overridden;
        let is_list = !from_ssm && (ty == "CommaDelimitedList" || ty.starts_with("List<"));
        let value = if is_list {
            let items = text
                .split(',')
                .map(|item| Node::string(item, location.clone()))
                .collect();
            Node::new(Value::List(items), location)
        } else {
            Node::string(text, location)
        };
        out.insert(name.clone(), Parameter { value, from_ssm });
    }
    for name in options.parameter_overrides.keys() {
        if !out.contains_key(name) {
            warnings.push(Diagnostic {
                location: template_start.clone(),
                message: format!(
                    "--parameter-overrides names '{name}', which is not a parameter of this template; check the spelling"
                ),
            });
        }
    }
    Ok(out)
}
