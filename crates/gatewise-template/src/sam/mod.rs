//! SAM (`AWS::Serverless::*`) resources into the model: `AWS::Serverless::Function` here, its
//! properties merged with `Globals` first ([`globals`]); `AWS::Serverless::LayerVersion` in
//! [`layer`]; the REST APIs its `Api` events build in
//! [`rest_api`], the HTTP APIs its `HttpApi` events build in [`http_api`]; and what both API
//! kinds share.

pub mod globals;
pub mod http_api;
pub mod layer;
pub mod rest_api;

use std::path::Path;

use gatewise_model::{Function, FunctionCode, SourceLocation};

use crate::LoadError;
use crate::document::intrinsics::Resolver;
use crate::document::value::{Map, Node, Value};
use crate::function::{code, lambda_function, refuse_image, stub};
use crate::functions::Functions;
use crate::openapi::{self, UriTarget};
use crate::properties::{properties_of, text};

/// A SAM function, with its properties after the Globals merge (events are read from them
/// once every function exists).
pub struct SamFunction {
    pub index: gatewise_model::FunctionIndex,
    pub logical_id: String,
    pub properties: Map,
}

/// `AWS::Serverless::Function` → [`Function`] plus its merged properties; with `stub`, a
/// function whose code cannot run here becomes a stub (see [`crate::function::stub`]).
pub fn function(
    resolver: &mut Resolver<'_>,
    logical_id: &str,
    location: &SourceLocation,
    resource: &Map,
    globals: Option<&Map>,
    template_dir: &Path,
    stub: bool,
) -> Result<(Function, Map), LoadError> {
    let own = properties_of(resource, logical_id)?;
    let props = globals::apply(globals, resource, &own)?;
    match runnable(resolver, logical_id, location, &props, template_dir) {
        Ok(function) => Ok((function, props)),
        Err(e) if stub => Ok((
            stub::function(resolver, logical_id, location, &props, &e)?,
            props,
        )),
        Err(e) => Err(stub::hinted(e)),
    }
}

fn runnable(
    resolver: &mut Resolver<'_>,
    logical_id: &str,
    location: &SourceLocation,
    props: &Map,
    template_dir: &Path,
) -> Result<Function, LoadError> {
    refuse_image(resolver, props, logical_id)?;
    let code = if let Some(inline) = resolver.property(props, "InlineCode")? {
        FunctionCode::Inline(text(
            &inline,
            &format!("Function '{logical_id}': InlineCode"),
        )?)
    } else if let Some(uri) = resolver.property(props, "CodeUri")? {
        code::from_code_uri(&uri, template_dir, logical_id)?
    } else {
        // SAM CLI runs a function without CodeUri from the template's directory.
        FunctionCode::Directory(template_dir.to_path_buf())
    };
    lambda_function(resolver, props, logical_id, location, code)
}

/// What building one kind of SAM API (REST or HTTP) needs from the rest of the template.
pub struct ApiInputs<'a> {
    /// The explicit `AWS::Serverless::Api` / `AWS::Serverless::HttpApi` resources of that kind.
    pub explicit: &'a [ExplicitApi<'a>],
    pub sam_functions: &'a [SamFunction],
    pub functions: &'a Functions<'a>,
    /// `Globals.Api` or `Globals.HttpApi`.
    pub globals: Option<&'a Map>,
    pub template_dir: &'a Path,
}

/// An explicit `AWS::Serverless::Api` or `AWS::Serverless::HttpApi` as found in the template.
pub struct ExplicitApi<'t> {
    pub logical_id: String,
    pub location: SourceLocation,
    pub resource: &'t Map,
}

/// The logical id behind `!GetAtt Fn.Arn` / `!Ref Fn` / an ARN naming a template function (a
/// SAM `Auth` authorizer's `FunctionArn`, on REST and HTTP APIs alike).
pub fn function_of_arn(
    resolver: &mut Resolver<'_>,
    arn: &Node,
    functions: &Functions<'_>,
) -> Result<Option<String>, LoadError> {
    let known = |id: &str| {
        functions
            .iter()
            .any(|f| f.logical_id == id)
            .then(|| id.to_owned())
    };
    match arn.intrinsic() {
        Some(("Fn::GetAtt", argument)) => {
            let target = match &argument.value {
                Value::String(s) => s.split('.').next().map(str::to_owned),
                Value::List(items) => items.first().and_then(Node::as_str).map(str::to_owned),
                _ => None,
            };
            if let Some(id) = target.as_deref().and_then(known) {
                return Ok(Some(id));
            }
        }
        Some(("Ref", argument)) => {
            if let Some(id) = argument.as_str().and_then(known) {
                return Ok(Some(id));
            }
        }
        _ => {}
    }
    let Some(resolved) = resolver.resolve(arn)? else {
        return Ok(None);
    };
    let text = resolved.scalar_text().unwrap_or_default();
    Ok(match openapi::function_for_uri(&text, functions) {
        UriTarget::Function(index) => Some(functions[index].logical_id.clone()),
        _ => None,
    })
}
