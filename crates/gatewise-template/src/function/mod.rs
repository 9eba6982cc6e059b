//! What SAM and plain CloudFormation functions share: the Lambda settings both read
//! ([`lambda_function`]), where the code is on this machine ([`code`]), their layers
//! ([`layers`]), and the stand-in for code that cannot run here ([`stub`]).

pub mod code;
pub mod layers;
pub mod stub;

use std::time::Duration;

use gatewise_model::{Function, FunctionCode, Runtime, RuntimeFamily, SourceLocation};
use indexmap::IndexMap;

use crate::LoadError;
use crate::document::intrinsics::Resolver;
use crate::document::value::Map;
use crate::properties::{string_map, text, whole_number};

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
    if runtime.deprecated {
        let local = match runtime.family {
            RuntimeFamily::Node => "node",
            _ => "python3",
        };
        resolver.warn(
            &runtime_node.location,
            format!(
                "Function '{logical_id}': Runtime {runtime} is deprecated by AWS Lambda (existing functions keep running, new ones cannot use it); gatewise runs it under the local `{local}`. Move to a supported runtime such as {} before your next deploy",
                match runtime.family {
                    RuntimeFamily::Node => "nodejs22.x",
                    _ => "python3.13",
                }
            ),
        );
    }

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
        layers: Vec::new(),
        location: location.clone(),
    })
}
