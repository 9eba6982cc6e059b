//! The whole template: sections, resource conditions, and the order in which the model is
//! assembled (layers, then the functions that use them, then the APIs whose methods point at
//! them — SAM's order too).

use std::path::Path;
use std::sync::Arc;

use gatewise_model::{SourceLocation, Stack, pseudo};

use crate::document::intrinsics::Resolver;
use crate::document::parameters;
use crate::document::value::{Map, Node, Value};
use crate::function::layers::{self, LayerTable};
use crate::functions::Functions;
use crate::properties::properties_of;
use crate::sam::ApiInputs;
use crate::sam::{ExplicitApi, SamFunction};
use crate::{LoadError, LoadOptions, cfn, sam};

/// Whether the readers below take resources of this type.
fn is_read(resource_type: &str) -> bool {
    resource_type.starts_with("AWS::Serverless::")
        || resource_type.starts_with("AWS::ApiGateway::")
        || resource_type.starts_with("AWS::ApiGatewayV2::")
        || resource_type.starts_with("AWS::Lambda::")
}

/// The transform that makes `AWS::Serverless::*` resources valid.
const SAM_TRANSFORM: &str = "AWS::Serverless-2016-10-31";

/// Builds the [`Stack`] from a parsed template: parameters, resource conditions, functions,
/// then REST APIs, then HTTP APIs.
pub fn build_stack(
    root: &Node,
    file: &Arc<Path>,
    options: &LoadOptions,
) -> Result<Stack, LoadError> {
    let start = SourceLocation::new(file.clone(), 1, 1);
    let top = root.as_map().ok_or_else(|| {
        LoadError::new(
            root.location.clone(),
            format!(
                "a template must be a map with a Resources section, found {}",
                root.kind()
            ),
        )
    })?;
    let resources = section(top, "Resources")?.ok_or_else(|| {
        LoadError::new(
            start.clone(),
            "the template has no Resources section; add one with your functions".to_owned(),
        )
    })?;
    for name in ["Mappings", "Conditions", "Globals"] {
        section(top, name)?;
    }
    let mut warnings = Vec::new();
    let parameters = parameters::read(top.get("Parameters"), options, &start, &mut warnings)?;
    let stack_name = options
        .stack_name
        .clone()
        .unwrap_or_else(|| pseudo::DEFAULT_STACK_NAME.to_owned());
    let mut resolver = Resolver::new(top, parameters, stack_name, warnings);

    let globals = section(top, "Globals")?;
    let function_globals = globals
        .map(|g| section(g, "Function"))
        .transpose()?
        .flatten();
    let api_globals = globals.map(|g| section(g, "Api")).transpose()?.flatten();
    let http_api_globals = globals
        .map(|g| section(g, "HttpApi"))
        .transpose()?
        .flatten();
    // A Terraform configuration is a folder; a template is a file in one.
    let template_dir = match file.parent() {
        _ if file.is_dir() => file.as_ref(),
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };

    let mut stack = Stack {
        template_path: file.to_path_buf(),
        ..Stack::default()
    };
    let mut sam_functions = Vec::new();
    let mut explicit_apis = Vec::new();
    let mut api_gateway = Vec::new();
    let mut explicit_http_apis = Vec::new();
    let mut api_gateway_v2 = Vec::new();
    // Warn once, at the first serverless resource, when the SAM transform is missing.
    let mut transform_checked = uses_sam_transform(top);

    // Layers first: a function may name one declared after it.
    let mut layers = LayerTable::default();
    for entry in resources.iter() {
        let Some(resource) = entry.value.as_map() else {
            continue;
        };
        let logical_id = entry.key.as_str();
        let read = match resource.get("Type").and_then(Node::as_str) {
            Some("AWS::Serverless::LayerVersion") => sam::layer::layer_version,
            Some("AWS::Lambda::LayerVersion") => cfn::lambda::layer_version,
            _ => continue,
        };
        if !included(&mut resolver, logical_id, resource)? {
            continue;
        }
        layers.add(read(
            &mut resolver,
            logical_id,
            &entry.key_location,
            resource,
            template_dir,
        )?);
    }

    for entry in resources.iter() {
        let logical_id = entry.key.as_str();
        let resource = entry.value.as_map().ok_or_else(|| {
            LoadError::new(
                entry.value.location.clone(),
                format!(
                    "Resource '{logical_id}' must be a map with Type and Properties, found {}",
                    entry.value.kind()
                ),
            )
        })?;
        let resource_type = resource.get("Type").and_then(Node::as_str).ok_or_else(|| {
            LoadError::new(
                entry.key_location.clone(),
                format!("Resource '{logical_id}' has no Type (a string such as AWS::Serverless::Function); add one"),
            )
        })?;
        if !included(&mut resolver, logical_id, resource)? {
            continue;
        }
        if resource_type.starts_with("AWS::Serverless::") && !transform_checked {
            transform_checked = true;
            resolver.warn(
                &entry.key_location,
                format!("'{logical_id}' is an {resource_type} but the template has no `Transform: {SAM_TRANSFORM}`; CloudFormation will reject it — add that line at the top level"),
            );
        }
        let location = &entry.key_location;
        match resource_type {
            "AWS::Serverless::Function" | "AWS::Lambda::Function" => {
                let sam = resource_type == "AWS::Serverless::Function";
                let (mut function, properties) = if sam {
                    sam::function(
                        &mut resolver,
                        logical_id,
                        location,
                        resource,
                        function_globals,
                        template_dir,
                        options.stub_functions,
                    )?
                } else {
                    let properties = properties_of(resource, logical_id)?;
                    let function = cfn::lambda::function(
                        &mut resolver,
                        logical_id,
                        location,
                        resource,
                        &properties,
                        template_dir,
                        options.stub_functions,
                    )?;
                    (function, properties)
                };
                layers::attach(
                    &mut resolver,
                    &properties,
                    &mut function,
                    &layers,
                    options.stub_functions,
                )?;
                if sam {
                    sam_functions.push(SamFunction {
                        index: stack.functions.len(),
                        logical_id: logical_id.to_owned(),
                        properties,
                    });
                }
                stack.functions.push(function);
            }
            "AWS::Serverless::Api" => explicit_apis.push(ExplicitApi {
                logical_id: logical_id.to_owned(),
                location: location.clone(),
                resource,
            }),
            other if other.starts_with("AWS::ApiGateway::") => {
                api_gateway.push(cfn::apigateway::ApiGatewayResource {
                    logical_id: logical_id.to_owned(),
                    resource_type: other.to_owned(),
                    location: location.clone(),
                    resource,
                });
            }
            "AWS::Serverless::HttpApi" => explicit_http_apis.push(ExplicitApi {
                logical_id: logical_id.to_owned(),
                location: location.clone(),
                resource,
            }),
            other if other.starts_with("AWS::ApiGatewayV2::") => {
                api_gateway_v2.push(cfn::apigatewayv2::ApiGatewayV2Resource {
                    logical_id: logical_id.to_owned(),
                    resource_type: other.to_owned(),
                    location: location.clone(),
                    resource,
                });
            }
            _ => {}
        }
    }

    let functions = Functions::new(&stack.functions);
    let inputs = ApiInputs {
        explicit: &explicit_apis,
        sam_functions: &sam_functions,
        functions: &functions,
        globals: api_globals,
        template_dir,
    };
    let mut api_keys = Vec::new();
    let mut rest_apis = sam::rest_api::rest_apis(&mut resolver, &inputs, &mut api_keys)?;
    let (cfn_apis, cfn_keys) =
        cfn::apigateway::rest_apis(&mut resolver, &api_gateway, &functions, template_dir)?;
    // Template order: raw CloudFormation APIs are explicit resources, before SAM's implicit one.
    let implicit = rest_apis.iter().position(|a| {
        a.logical_id == sam::rest_api::IMPLICIT_API
            && !explicit_apis
                .iter()
                .any(|e| e.logical_id == sam::rest_api::IMPLICIT_API)
    });
    let at = implicit.unwrap_or(rest_apis.len());
    rest_apis.splice(at..at, cfn_apis);
    api_keys.extend(cfn_keys);
    stack.rest_apis = rest_apis;
    stack.http_apis = http_apis(
        &mut resolver,
        &ApiInputs {
            explicit: &explicit_http_apis,
            sam_functions: &sam_functions,
            functions: &functions,
            globals: http_api_globals,
            template_dir,
        },
        &api_gateway_v2,
    )?;
    stack.api_keys = api_keys;
    stack.warnings = resolver.into_warnings();
    // In file order, as a reader scans the template (events are read after all resources).
    stack
        .warnings
        .sort_by_key(|w| (w.location.line, w.location.column));
    Ok(stack)
}

/// SAM's HTTP APIs and the raw `AWS::ApiGatewayV2::Api`s in template order, then SAM's
/// implicit `ServerlessHttpApi` (as SAM adds it, after the resources the template declares).
fn http_apis(
    resolver: &mut Resolver<'_>,
    inputs: &ApiInputs<'_>,
    v2: &[cfn::apigatewayv2::ApiGatewayV2Resource<'_>],
) -> Result<Vec<gatewise_model::HttpApi>, LoadError> {
    let mut apis = sam::http_api::http_apis(resolver, inputs)?;
    let implicit = apis
        .last()
        .filter(|a| {
            a.logical_id == sam::http_api::IMPLICIT_HTTP_API
                && !inputs.explicit.iter().any(|e| e.logical_id == a.logical_id)
        })
        .is_some();
    let implicit = if implicit { apis.pop() } else { None };
    apis.extend(cfn::apigatewayv2::http_apis(
        resolver,
        v2,
        inputs.functions,
        inputs.template_dir,
    )?);
    apis.sort_by_key(|a| (a.location.line, a.location.column));
    apis.extend(implicit);
    Ok(apis)
}

/// Whether the resource's `Condition` (if any) holds.
fn included(
    resolver: &mut Resolver<'_>,
    logical_id: &str,
    resource: &Map,
) -> Result<bool, LoadError> {
    let Some(condition) = resource.get("Condition") else {
        return Ok(true);
    };
    // A resource gatewise does not read cannot change what is served, so its Condition is not
    // evaluated (CDK's `AWS::CDK::Metadata` names a condition trimmed templates lack).
    if !resource
        .get("Type")
        .and_then(Node::as_str)
        .is_some_and(is_read)
    {
        return Ok(true);
    }
    let name = condition.as_str().ok_or_else(|| {
        LoadError::new(
            condition.location.clone(),
            format!(
                "Resource '{logical_id}': Condition must name a condition, found {}",
                condition.kind()
            ),
        )
    })?;
    resolver.condition(name, &condition.location)
}

/// A section (top-level, or under `Globals`) that must be a map when present (`Resources:` with nothing under it
/// counts as absent).
fn section<'t>(top: &'t Map, name: &str) -> Result<Option<&'t Map>, LoadError> {
    match top.get(name).map(|n| (n, &n.value)) {
        None | Some((_, Value::Null)) => Ok(None),
        Some((_, Value::Map(map))) => Ok(Some(map)),
        Some((node, _)) => Err(LoadError::new(
            node.location.clone(),
            format!("{name} must be a map, found {}", node.kind()),
        )),
    }
}

/// `Transform` is a string or a list that includes the SAM transform.
fn uses_sam_transform(top: &Map) -> bool {
    match top.get("Transform").map(|n| &n.value) {
        Some(Value::String(s)) => s == SAM_TRANSFORM,
        Some(Value::List(items)) => items.iter().any(|i| i.as_str() == Some(SAM_TRANSFORM)),
        _ => false,
    }
}

#[cfg(test)]
mod fuzz_tests;
#[cfg(test)]
mod tests;
