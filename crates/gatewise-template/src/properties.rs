//! Reading typed properties from resolved nodes, and the Lambda settings SAM and plain
//! CloudFormation functions share.
//!
//! YAML typing is not CloudFormation typing: `Timeout: "10"` and `Timeout: 10` are both fine,
//! and an environment variable `PORT: 8080` is the string `"8080"`. So each property coerces
//! its own value here instead of trusting the parser's types.

use std::time::Duration;

use gatewise_model::{Function, FunctionCode, Runtime, RuntimeFamily, SourceLocation};
use indexmap::IndexMap;

use crate::LoadError;
use crate::intrinsics::Resolver;
use crate::value::{Map, Node, Value};

/// A string, number or boolean as text.
pub fn text(node: &Node, what: &str) -> Result<String, LoadError> {
    node.scalar_text().ok_or_else(|| {
        LoadError::new(
            node.location.clone(),
            format!("{what} must be a string, found {}", node.kind()),
        )
    })
}

/// A whole number within `range`, written as a number or a numeric string.
pub fn whole_number(
    node: &Node,
    what: &str,
    range: std::ops::RangeInclusive<u32>,
) -> Result<u32, LoadError> {
    let parsed = match &node.value {
        Value::Number(n) | Value::String(n) => n.trim().parse::<u32>().ok(),
        _ => None,
    };
    match parsed {
        Some(n) if range.contains(&n) => Ok(n),
        _ => Err(LoadError::new(
            node.location.clone(),
            format!(
                "{what} must be a whole number from {} to {}, found {}",
                range.start(),
                range.end(),
                node.scalar_text()
                    .map_or_else(|| node.kind().to_owned(), |t| format!("'{t}'"))
            ),
        )),
    }
}

/// A map of names to strings (numbers and booleans stringified; null is the empty string).
pub fn string_map(node: &Node, what: &str) -> Result<IndexMap<String, String>, LoadError> {
    let map = node.as_map().ok_or_else(|| {
        LoadError::new(
            node.location.clone(),
            format!("{what} must be a map, found {}", node.kind()),
        )
    })?;
    map.iter()
        .map(|e| {
            let value = match e.value.value {
                Value::Null => String::new(),
                _ => text(&e.value, &format!("{what}.{}", e.key))?,
            };
            Ok((e.key.clone(), value))
        })
        .collect()
}

/// A list of strings.
pub fn string_list(node: &Node, what: &str) -> Result<Vec<String>, LoadError> {
    let items = node.as_list().ok_or_else(|| {
        LoadError::new(
            node.location.clone(),
            format!("{what} must be a list, found {}", node.kind()),
        )
    })?;
    items.iter().map(|item| text(item, what)).collect()
}

/// The `Properties` map of a resource (absent means empty).
pub fn properties_of(resource: &Map, logical_id: &str) -> Result<Map, LoadError> {
    match resource.get("Properties") {
        None => Ok(Map::default()),
        Some(node) => match &node.value {
            Value::Map(map) => Ok(map.clone()),
            Value::Null => Ok(Map::default()),
            _ => Err(LoadError::new(
                node.location.clone(),
                format!(
                    "Resource '{logical_id}': Properties must be a map, found {}",
                    node.kind()
                ),
            )),
        },
    }
}

/// Refuses container-image functions, which gatewise cannot run.
pub fn refuse_image(
    resolver: &mut Resolver<'_>,
    properties: &Map,
    logical_id: &str,
) -> Result<(), LoadError> {
    if let Some(package_type) = resolver.property(properties, "PackageType")?
        && package_type.scalar_text().as_deref() == Some("Image")
    {
        return Err(LoadError::new(
            package_type.location,
            format!(
                "Function '{logical_id}': PackageType Image (container image functions) is not supported by gatewise; use a zip function with CodeUri and Runtime"
            ),
        ));
    }
    Ok(())
}

/// Builds a [`Function`] from the properties both function types share: Runtime, Handler,
/// Timeout, MemorySize, Environment, ReservedConcurrentExecutions, FunctionName.
pub fn lambda_function(
    resolver: &mut Resolver<'_>,
    properties: &Map,
    logical_id: &str,
    location: &SourceLocation,
    code: FunctionCode,
) -> Result<Function, LoadError> {
    let what = |property: &str| format!("Function '{logical_id}': {property}");

    let Some(runtime_node) = resolver.property(properties, "Runtime")? else {
        return Err(LoadError::new(
            location.clone(),
            format!(
                "Function '{logical_id}' has no Runtime; add one such as `Runtime: nodejs20.x` (or set it in Globals.Function)"
            ),
        ));
    };
    let runtime: Runtime = text(&runtime_node, &what("Runtime"))?
        .parse()
        .map_err(|e| {
            LoadError::new(
                runtime_node.location.clone(),
                format!("Function '{logical_id}': {e}"),
            )
        })?;

    let handler = match resolver.property(properties, "Handler")? {
        Some(node) => text(&node, &what("Handler"))?,
        None if runtime.family == RuntimeFamily::Provided => String::new(),
        None => {
            return Err(LoadError::new(
                location.clone(),
                format!(
                    "Function '{logical_id}' has no Handler; add one such as `Handler: app.handler` (file.function)"
                ),
            ));
        }
    };

    let timeout = match resolver.property(properties, "Timeout")? {
        Some(node) => u64::from(whole_number(&node, &what("Timeout"), 1..=900)?),
        None => Function::DEFAULT_TIMEOUT_SECS,
    };
    let memory_mb = match resolver.property(properties, "MemorySize")? {
        Some(node) => whole_number(&node, &what("MemorySize"), 128..=10240)?,
        None => Function::DEFAULT_MEMORY_MB,
    };
    let environment = match resolver.property(properties, "Environment")? {
        None => IndexMap::new(),
        Some(node) => {
            let map = node.as_map().ok_or_else(|| {
                LoadError::new(
                    node.location.clone(),
                    format!(
                        "{} must be a map with Variables, found {}",
                        what("Environment"),
                        node.kind()
                    ),
                )
            })?;
            match map.get("Variables") {
                Some(vars) => string_map(vars, &what("Environment.Variables"))?,
                None => IndexMap::new(),
            }
        }
    };
    let reserved_concurrency = resolver
        .property(properties, "ReservedConcurrentExecutions")?
        .map(|node| whole_number(&node, &what("ReservedConcurrentExecutions"), 0..=u32::MAX))
        .transpose()?;
    let name = match resolver.property(properties, "FunctionName")? {
        Some(node) => text(&node, &what("FunctionName"))?,
        None => logical_id.to_owned(),
    };

    Ok(Function {
        logical_id: logical_id.to_owned(),
        name,
        runtime,
        handler,
        code,
        timeout: Duration::from_secs(timeout),
        memory_mb,
        environment,
        reserved_concurrency,
        location: location.clone(),
    })
}
