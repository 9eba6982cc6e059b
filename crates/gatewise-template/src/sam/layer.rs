//! `AWS::Serverless::LayerVersion`: a layer whose `ContentUri` is a local folder (laid out as
//! it is extracted into `/opt`: `nodejs/node_modules/…`, `python/…`, `bin/…`, `lib/…`).

use std::path::Path;

use gatewise_model::SourceLocation;

use crate::LoadError;
use crate::document::intrinsics::Resolver;
use crate::document::value::{Map, Node, Value};
use crate::function::layers::{self, TemplateLayer};
use crate::properties::properties_of;

/// Reads one SAM layer (content that is not on this machine is reported when a function uses
/// the layer).
pub fn layer_version(
    resolver: &mut Resolver<'_>,
    logical_id: &str,
    location: &SourceLocation,
    resource: &Map,
    template_dir: &Path,
) -> Result<TemplateLayer, LoadError> {
    let props = properties_of(resource, logical_id)?;
    let found = content(resolver, logical_id, location, &props, template_dir)?;
    if let Some(build) = resource
        .get("Metadata")
        .and_then(Node::as_map)
        .and_then(|m| m.get("BuildMethod"))
        && found.is_ok()
    {
        resolver.warn(
            &build.location,
            format!(
                "Layer '{logical_id}' is built by `sam build` (BuildMethod {}): Lambda gets the build's output (nodejs/node_modules/…, python/…) while gatewise reads ContentUri's folder as it is; run `sam build` and serve .aws-sam/build/template.yaml, or lay the folder out as /opt is laid out",
                build.scalar_text().unwrap_or_default()
            ),
        );
    }
    Ok(TemplateLayer {
        logical_id: logical_id.to_owned(),
        arn: resolver.layer_arn(logical_id)?,
        dir: found,
        compatible_runtimes: layers::compatible_runtimes(resolver, logical_id, &props)?,
    })
}

/// The folder `ContentUri` names, or why it cannot be used (the outer error is a malformed
/// template, the inner one content that is not here).
fn content(
    resolver: &mut Resolver<'_>,
    logical_id: &str,
    location: &SourceLocation,
    props: &Map,
    template_dir: &Path,
) -> Result<Result<std::path::PathBuf, LoadError>, LoadError> {
    let Some(uri) = resolver.property(props, "ContentUri")? else {
        return Err(LoadError::new(
            location.clone(),
            format!(
                "Layer '{logical_id}' has no ContentUri; add the folder that holds the layer's content (nodejs/, python/, bin/ or lib/), e.g. `ContentUri: layers/shared`"
            ),
        ));
    };
    Ok(match &uri.value {
        Value::String(s) if s.starts_with("s3://") => {
            Err(layers::in_s3(&uri.location, logical_id, s, "ContentUri"))
        }
        Value::String(s) => layers::folder(&uri, s, template_dir, logical_id, "ContentUri"),
        Value::Map(map) if map.get("Bucket").is_some() => {
            let part = |k: &str| map.get(k).and_then(Node::scalar_text).unwrap_or_default();
            Err(layers::in_s3(
                &uri.location,
                logical_id,
                &format!("s3://{}/{}", part("Bucket"), part("Key")),
                "ContentUri",
            ))
        }
        _ => {
            return Err(LoadError::new(
                uri.location.clone(),
                format!(
                    "Layer '{logical_id}': ContentUri must be a folder path or an S3 location, found {}",
                    uri.kind()
                ),
            ));
        }
    })
}
