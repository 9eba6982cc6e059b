//! Lambda layers: the template's layer resources (read by `sam::layer` and
//! `cfn::lambda::layer_version`; Terraform's `aws_lambda_layer_version` arrives translated into
//! the CloudFormation shape) collected in a [`LayerTable`], and a function's `Layers` list
//! turned into local folders ([`attach`]) — which the function host puts where each runtime
//! looks in `/opt` on Lambda.

use std::path::{Path, PathBuf};

use gatewise_model::{Function, Layer, SourceLocation};

use crate::LoadError;
use crate::document::intrinsics::Resolver;
use crate::document::value::{Map, Node, Value};

/// Lambda's limit on the layers of one function: more fail the deploy.
pub const MAX_LAYERS: usize = 5;

/// One layer resource of the template.
#[derive(Debug, Clone)]
pub struct TemplateLayer {
    pub logical_id: String,
    /// The ARN its `Ref` resolves to, so a layer named by ARN (a `!Sub`, a Terraform `.arn`) is
    /// found too.
    pub arn: String,
    /// Its content folder, or why it is not on this machine — reported only when a function
    /// uses the layer (an unused layer in S3 costs nothing locally).
    pub dir: Result<PathBuf, LoadError>,
    /// `CompatibleRuntimes`, when given.
    pub compatible_runtimes: Option<Vec<String>>,
}

/// The template's layers, in template order.
#[derive(Debug, Default)]
pub struct LayerTable {
    layers: Vec<TemplateLayer>,
}

impl LayerTable {
    pub fn add(&mut self, layer: TemplateLayer) {
        self.layers.push(layer);
    }

    fn by_logical_id(&self, logical_id: &str) -> Option<&TemplateLayer> {
        self.layers.iter().find(|l| l.logical_id == logical_id)
    }

    fn by_arn(&self, arn: &str) -> Option<&TemplateLayer> {
        self.layers.iter().find(|l| l.arn == arn)
    }
}

/// `CompatibleRuntimes`, resolved.
pub fn compatible_runtimes(
    resolver: &mut Resolver<'_>,
    logical_id: &str,
    props: &Map,
) -> Result<Option<Vec<String>>, LoadError> {
    let Some(node) = resolver.property(props, "CompatibleRuntimes")? else {
        return Ok(None);
    };
    crate::properties::string_list(&node, &format!("Layer '{logical_id}': CompatibleRuntimes"))
        .map(Some)
}

/// A layer's content folder named by `property` (`ContentUri`, `aws:asset:path`), relative to
/// the template; an error says why it cannot be used.
pub fn folder(
    node: &Node,
    relative: &str,
    template_dir: &Path,
    logical_id: &str,
    property: &str,
) -> Result<PathBuf, LoadError> {
    let lower = relative.to_ascii_lowercase();
    if lower.ends_with(".zip") {
        return Err(LoadError::new(
            node.location.clone(),
            format!(
                "Layer '{logical_id}': {property} '{relative}' is an archive; gatewise reads a layer from a folder — unzip it (it holds nodejs/, python/, bin/ or lib/) and point {property} at that folder"
            ),
        ));
    }
    let joined = template_dir.join(relative);
    if joined.is_dir() {
        return Ok(joined);
    }
    let problem = if joined.exists() {
        "is a file, not a folder"
    } else {
        "does not exist"
    };
    Err(LoadError::new(
        node.location.clone(),
        format!(
            "Layer '{logical_id}': {property} '{relative}' {problem} (looked in {}); build the layer first or fix {property}",
            std::path::absolute(&joined).unwrap_or(joined).display()
        ),
    ))
}

/// The error that a layer's content is in S3.
pub fn in_s3(at: &SourceLocation, logical_id: &str, uri: &str, property: &str) -> LoadError {
    LoadError::new(
        at.clone(),
        format!(
            "Layer '{logical_id}': its content is in S3 ({uri}); gatewise needs it on this machine — point {property} at the layer's folder (the one holding nodejs/, python/, bin/ or lib/)"
        ),
    )
}

/// A used layer's folder, or — with `--stub-functions` — `None` and a warning (once) that the
/// layer is left out; without it the error stands, with that way out added.
fn settle(
    resolver: &mut Resolver<'_>,
    found: &Result<PathBuf, LoadError>,
    stub: bool,
) -> Result<Option<PathBuf>, LoadError> {
    match found {
        Ok(dir) => Ok(Some(dir.clone())),
        Err(e) if stub => {
            resolver.warn(
                &e.location,
                format!(
                    "{}. Left out (--stub-functions): the functions that use it run without it",
                    e.message
                ),
            );
            Ok(None)
        }
        Err(e) => Err(LoadError::new(
            e.location.clone(),
            format!(
                "{}; or start gatewise with --stub-functions to serve without this layer",
                e.message
            ),
        )),
    }
}

/// The local folders of `function`'s `Layers` (already merged with `Globals`), in order: a
/// `Ref` to (or the ARN of) a template layer is its folder; an ARN from elsewhere is a warning
/// (not on this machine); more than [`MAX_LAYERS`] is an error, as on deploy. A used layer
/// whose content is not here is an error, or with `stub` (`--stub-functions`) left out.
/// A stub function (one whose code is not here) runs no code, so it gets no layers.
pub fn attach(
    resolver: &mut Resolver<'_>,
    props: &Map,
    function: &mut Function,
    table: &LayerTable,
    stub: bool,
) -> Result<(), LoadError> {
    if !function.is_stub() {
        function.layers = layers(resolver, props, function, table, stub)?;
    }
    Ok(())
}

fn layers(
    resolver: &mut Resolver<'_>,
    props: &Map,
    function: &Function,
    table: &LayerTable,
    stub: bool,
) -> Result<Vec<Layer>, LoadError> {
    let id = &function.logical_id;
    let Some(raw) = props.get("Layers") else {
        return Ok(Vec::new());
    };
    let Some(list) = resolver.resolve_shallow(raw)? else {
        return Ok(Vec::new());
    };
    let Value::List(items) = &list.value else {
        return Err(LoadError::new(
            list.location.clone(),
            format!(
                "Function '{id}': Layers must be a list of layer ARNs (e.g. `- !Ref MyLayer`), found {}",
                list.kind()
            ),
        ));
    };
    let mut named: Vec<(&TemplateLayer, SourceLocation)> = Vec::new();
    let mut count = 0;
    for item in items {
        let direct = match item.intrinsic() {
            Some(("Ref", target)) => target.as_str().and_then(|t| table.by_logical_id(t)),
            _ => None,
        };
        if let Some(layer) = direct {
            count += 1;
            named.push((layer, item.location.clone()));
            continue;
        }
        // `AWS::NoValue` drops the entry.
        let Some(resolved) = resolver.resolve(item)? else {
            continue;
        };
        count += 1;
        let Some(arn) = resolved.scalar_text() else {
            return Err(LoadError::new(
                item.location.clone(),
                format!(
                    "Function '{id}': each entry of Layers is a layer version ARN, found {}; write `!Ref` and the layer's logical id, or its ARN",
                    resolved.kind()
                ),
            ));
        };
        match table.by_arn(&arn) {
            Some(layer) => named.push((layer, item.location.clone())),
            None => resolver.warn(
                &item.location,
                format!(
                    "Function '{id}': layer {arn} is not declared in this template, so it is not available locally: what the function loads from it (modules under /opt/nodejs or /opt/python, programs in /opt/bin, libraries in /opt/lib) is missing and fails when used; put a copy of the layer's content in a folder and declare it as an AWS::Serverless::LayerVersion with that ContentUri, or vendor it into the function's code folder"
                ),
            ),
        }
    }
    if count > MAX_LAYERS {
        return Err(LoadError::new(
            list.location.clone(),
            format!(
                "Function '{id}' has {count} layers; Lambda allows at most {MAX_LAYERS} per function and the deploy fails — merge layers, or move what the function needs into its code folder"
            ),
        ));
    }
    let runtime = &function.runtime.id;
    let mut layers = Vec::new();
    for (layer, at) in named {
        if let Some(compatible) = &layer.compatible_runtimes
            && !compatible.iter().any(|r| r == runtime)
        {
            resolver.warn(
                &at,
                format!(
                    "Function '{id}' (Runtime {runtime}) uses layer '{}', whose CompatibleRuntimes ({}) do not include {runtime}: AWS tooling refuses the pairing (CDK at synth; the console does not offer the layer) and code built for another runtime may not load; add {runtime} to the layer's CompatibleRuntimes if it works with it, or use a layer built for {runtime}",
                    layer.logical_id,
                    compatible.join(", ")
                ),
            );
        }
        if let Some(dir) = settle(resolver, &layer.dir, stub)? {
            layers.push(Layer {
                logical_id: layer.logical_id.clone(),
                dir,
                location: at,
            });
        }
    }
    Ok(layers)
}

#[cfg(test)]
mod tests;
