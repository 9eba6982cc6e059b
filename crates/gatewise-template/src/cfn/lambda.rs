//! Plain CloudFormation `AWS::Lambda::Function` and `AWS::Lambda::LayerVersion` (as written by
//! hand or synthesised by CDK).
//!
//! Code comes from `Code.ZipFile` (inline) or, for CDK output, the `aws:asset:path` metadata
//! that names the local asset folder next to the template; `Code` in S3 alone is an error.

use std::path::Path;

use gatewise_model::{Function, FunctionCode, SourceLocation};

use crate::LoadError;
use crate::document::intrinsics::Resolver;
use crate::document::value::{Map, Node};
use crate::function::layers::{self, TemplateLayer};
use crate::function::{code, lambda_function, refuse_image, stub};
use crate::properties::{self, properties_of};

/// `AWS::Lambda::Function` (its `props`, read by the caller, which also attaches its
/// layers) → [`Function`]; with `stub`, a function whose code cannot run here becomes a stub
/// (see [`crate::function::stub`]).
pub fn function(
    resolver: &mut Resolver<'_>,
    logical_id: &str,
    location: &SourceLocation,
    resource: &Map,
    props: &Map,
    template_dir: &Path,
    stub: bool,
) -> Result<Function, LoadError> {
    match runnable(
        resolver,
        logical_id,
        location,
        resource,
        props,
        template_dir,
    ) {
        Err(e) if stub => stub::function(resolver, logical_id, location, props, &e),
        Err(e) => Err(stub::hinted(e)),
        ok => ok,
    }
}

fn runnable(
    resolver: &mut Resolver<'_>,
    logical_id: &str,
    location: &SourceLocation,
    resource: &Map,
    props: &Map,
    template_dir: &Path,
) -> Result<Function, LoadError> {
    let props = props.clone();
    let metadata = resource.get("Metadata").and_then(Node::as_map);
    // The Terraform reader says in Terraform's words why the code is not here.
    if let Some(why) = metadata.and_then(|m| m.get(crate::terraform::NO_LOCAL_CODE)) {
        return Err(LoadError::new(
            why.location.clone(),
            why.as_str().unwrap_or_default().to_owned(),
        ));
    }
    refuse_image(resolver, &props, logical_id)?;
    let asset = metadata.and_then(|m| m.get("aws:asset:path"));
    // Only `Code.ZipFile` is read: CDK's `S3Bucket` / `S3Key` pick apart asset parameters a
    // synthesised template may not declare, and the asset path says where the code is anyway.
    let raw_code = props.get("Code");
    let inline = match raw_code {
        Some(code) if code.intrinsic().is_none() => match code.as_map() {
            Some(map) => resolver.property(map, "ZipFile")?,
            None => None,
        },
        Some(_) => resolver
            .property(&props, "Code")?
            .and_then(|code| code.as_map().and_then(|m| m.get("ZipFile")).cloned()),
        None => None,
    };
    let code_node = raw_code.cloned();
    let code = match (inline.as_ref(), asset) {
        (Some(zip_file), _) => FunctionCode::Inline(properties::text(
            zip_file,
            &format!("Function '{logical_id}': Code.ZipFile"),
        )?),
        (None, Some(asset)) => {
            let relative =
                properties::text(asset, &format!("Function '{logical_id}': aws:asset:path"))?;
            code::directory(asset, &relative, template_dir, logical_id, "aws:asset:path")?
        }
        (None, None) => {
            let at = code_node.map_or_else(|| location.clone(), |n| n.location);
            return Err(LoadError::new(
                at,
                format!(
                    "Function '{logical_id}': Code is not on this machine (only Code.ZipFile or CDK's aws:asset:path metadata are); use a SAM function with a local CodeUri, or inline the code in Code.ZipFile"
                ),
            ));
        }
    };
    lambda_function(resolver, &props, logical_id, location, code)
}

/// `AWS::Lambda::LayerVersion` → a [`TemplateLayer`]: its content is CDK's `aws:asset:path`
/// folder (or, from Terraform, the `archive_file` source folder); `Content` in S3 alone is not
/// on this machine (reported when a function uses the layer).
pub fn layer_version(
    resolver: &mut Resolver<'_>,
    logical_id: &str,
    location: &SourceLocation,
    resource: &Map,
    template_dir: &Path,
) -> Result<TemplateLayer, LoadError> {
    let props = properties_of(resource, logical_id)?;
    let metadata = resource.get("Metadata").and_then(Node::as_map);
    let found = if let Some(why) = metadata.and_then(|m| m.get(crate::terraform::NO_LOCAL_CODE)) {
        Err(LoadError::new(
            why.location.clone(),
            why.as_str().unwrap_or_default().to_owned(),
        ))
    } else if let Some(asset) = metadata.and_then(|m| m.get("aws:asset:path")) {
        let relative = properties::text(asset, &format!("Layer '{logical_id}': aws:asset:path"))?;
        layers::folder(asset, &relative, template_dir, logical_id, "aws:asset:path")
    } else {
        let content = resolver.property(&props, "Content")?;
        let at = content.as_ref().map_or(location, |c| &c.location).clone();
        let part = |key: &str| {
            content
                .as_ref()
                .and_then(Node::as_map)
                .and_then(|m| m.get(key))
                .and_then(Node::scalar_text)
                .unwrap_or_default()
        };
        Err(layers::in_s3(
            &at,
            logical_id,
            &format!("s3://{}/{}", part("S3Bucket"), part("S3Key")),
            "CDK's aws:asset:path metadata (or a SAM AWS::Serverless::LayerVersion's ContentUri)",
        ))
    };
    Ok(TemplateLayer {
        logical_id: logical_id.to_owned(),
        arn: resolver.layer_arn(logical_id)?,
        dir: found,
        compatible_runtimes: layers::compatible_runtimes(resolver, logical_id, &props)?,
    })
}
