//! Where an API's OpenAPI document comes from: inline (`DefinitionBody`, `Body`), an
//! `Fn::Transform` `AWS::Include` of a local file, or a local file named by `DefinitionUri`.
//! S3 locations are errors: gatewise reads only this machine.

use std::path::Path;
use std::sync::Arc;

use crate::LoadError;
use crate::document::intrinsics::Resolver;
use crate::document::value::{self, Node, Value};
use crate::source_file::{MAX_TEMPLATE_FILE_BYTES, read_capped};

/// An inline body; an `AWS::Include` transform is replaced by the included file.
pub fn inline(
    resolver: &mut Resolver<'_>,
    node: &Node,
    template_dir: &Path,
    what: &str,
) -> Result<Node, LoadError> {
    if let Some(("Fn::Transform", argument)) = node.intrinsic() {
        let map = argument.as_map();
        let name = map.and_then(|m| m.get("Name")).and_then(Node::as_str);
        let location = map
            .and_then(|m| m.get("Parameters"))
            .and_then(Node::as_map)
            .and_then(|p| p.get("Location"));
        return match (name, location) {
            (Some("AWS::Include"), Some(location)) => {
                let path = resolver.text(location, &format!("{what}: AWS::Include Location"))?;
                file(
                    resolver,
                    location,
                    &path,
                    template_dir,
                    what,
                    "AWS::Include Location",
                )
            }
            _ => Err(LoadError::new(
                node.location.clone(),
                format!(
                    "{what}: only the AWS::Include transform (Name: AWS::Include, Parameters: {{Location: ./file}}) can be read locally"
                ),
            )),
        };
    }
    Ok(node.clone())
}

/// `DefinitionUri` / `BodyS3Location`: a local file path (string), never S3.
pub fn from_uri(
    resolver: &mut Resolver<'_>,
    node: &Node,
    template_dir: &Path,
    what: &str,
    property: &str,
) -> Result<Node, LoadError> {
    let resolved = resolver
        .resolve(node)?
        .unwrap_or_else(|| Node::new(Value::Null, node.location.clone()));
    match &resolved.value {
        Value::String(uri) if !uri.starts_with("s3://") => {
            file(resolver, node, uri, template_dir, what, property)
        }
        _ => Err(LoadError::new(
            node.location.clone(),
            format!(
                "{what}: {property} points at S3; gatewise needs the OpenAPI file on this machine — set {property} to a local path (relative to the template) or inline it in DefinitionBody / Body"
            ),
        )),
    }
}

/// Reads and parses a YAML or JSON document next to the template.
fn file(
    resolver: &mut Resolver<'_>,
    at: &Node,
    relative: &str,
    template_dir: &Path,
    what: &str,
    property: &str,
) -> Result<Node, LoadError> {
    if relative.starts_with("s3://") {
        return Err(LoadError::new(
            at.location.clone(),
            format!("{what}: {property} '{relative}' is in S3; point it at a local file"),
        ));
    }
    let path = template_dir.join(relative);
    let named = format!("{property} '{relative}'");
    let bytes = read_capped(&path, MAX_TEMPLATE_FILE_BYTES, &named).map_err(|e| {
        let fix = match e.io_kind {
            Some(_) => format!(
                " ({}); fix the path (it is relative to the template)",
                path.display()
            ),
            None => String::new(),
        };
        LoadError::new(at.location.clone(), format!("{what}: {}{fix}", e.message))
    })?;
    let content = String::from_utf8(bytes).map_err(|_| {
        LoadError::new(
            at.location.clone(),
            format!("{what}: {property} '{relative}' is not UTF-8 text"),
        )
    })?;
    let file: Arc<Path> = Arc::from(path.as_path());
    let mut warnings = Vec::new();
    let parsed = value::parse_reporting(&content, &file, &mut warnings)?;
    for warning in warnings {
        resolver.warn(&warning.location, warning.message);
    }
    Ok(parsed)
}
