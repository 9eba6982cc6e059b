//! `aws_lambda_function` → `AWS::Lambda::Function`, with its code found on this machine;
//! `aws_lambda_layer_version` → `AWS::Lambda::LayerVersion`, its content found the same way.
//!
//! Terraform functions name a zip (`filename`, usually `data.archive_file.x.output_path`, or
//! `s3_bucket`/`s3_key` of an `aws_s3_object` whose `source` is that zip). gatewise runs from
//! source: the zip is traced back to the `archive_file`'s `source_dir` (or the folder of its
//! `source_file`), so no build step or zip is needed and a code change reloads. A zip built
//! elsewhere, and an `archive_file` of inline `source` blocks, run from a copy written to the
//! code cache ([`code_cache`]).

use std::path::{Path, PathBuf};

use gatewise_model::SourceLocation;

use hcl::Value;

use super::{Translator, argument, code_cache, copy, text_argument};
use crate::LoadError;
use crate::document::value::{Map, Node, Value as NodeValue, map_node};
use crate::function::code::tidy;
use crate::terraform::configuration::Instance;
use crate::terraform::resource_types::Mode;

/// The metadata key that carries why a function's code is not on this machine, so the Lambda
/// reader reports (or, with `--stub-functions`, stubs) it in Terraform's words.
pub const NO_LOCAL_CODE: &str = "gatewise:no-local-code";

/// Translates one function.
pub fn function(t: &mut Translator<'_>, instance: &Instance) -> Result<(), LoadError> {
    let owner = &instance.address;
    let mut props = Map::default();
    copy(
        &mut props,
        &instance.body,
        owner,
        &[
            ("function_name", "FunctionName"),
            ("handler", "Handler"),
            ("runtime", "Runtime"),
            ("timeout", "Timeout"),
            ("memory_size", "MemorySize"),
            ("architectures", "Architectures"),
            (
                "reserved_concurrent_executions",
                "ReservedConcurrentExecutions",
            ),
        ],
    )?;
    // The provider's -1 means "no reservation", CloudFormation's absence.
    if props
        .get("ReservedConcurrentExecutions")
        .and_then(Node::scalar_text)
        .is_some_and(|v| v.starts_with('-'))
    {
        props.remove("ReservedConcurrentExecutions");
    }
    if let Some(environment) = instance.body.block("environment") {
        let mut env = Map::default();
        copy(
            &mut env,
            &environment.body,
            owner,
            &[("variables", "Variables")],
        )?;
        if let Some(vars) = env.get("Variables").and_then(Node::as_map) {
            for entry in vars.iter() {
                if let Some(text) = entry.value.as_str()
                    && (text.contains("<known after apply:") || text.contains("<unresolved"))
                {
                    t.warn(
                        &entry.value.location,
                        format!("{owner}: environment variable {} is \"{text}\" locally: its value exists only after `terraform apply`; set it with --env-vars if the function needs it", entry.key),
                    );
                }
            }
        }
        props.set(
            "Environment",
            &environment.location,
            Node::new(NodeValue::Map(env), environment.location.clone()),
        );
    }
    if let Some((value, at)) = argument(instance, "layers")? {
        props.set("Layers", at, layers(t, value, at));
    }
    let mut metadata = Map::default();
    match code(t, instance, "serve the API with this function stubbed")? {
        Ok((dir, at)) => {
            metadata.set(
                "aws:asset:path",
                &at,
                Node::string(dir.to_string_lossy(), at.clone()),
            );
        }
        Err((why, at)) => {
            if argument(instance, "image_uri")?.is_some() {
                props.set("PackageType", &at, Node::string("Image", at.clone()));
            }
            metadata.set(NO_LOCAL_CODE, &at, Node::string(why, at.clone()));
        }
    }
    t.add(instance, "AWS::Lambda::Function", props, Some(metadata));
    Ok(())
}

/// `layers`: each ARN that is a layer of this configuration becomes a `Ref` to it (so the
/// Lambda reader finds its folder by name); others stay ARNs (layers from elsewhere, which
/// the reader reports as not on this machine).
fn layers(t: &Translator<'_>, value: &Value, at: &SourceLocation) -> Node {
    let Value::Array(items) = value else {
        // Not a list: the Lambda reader says so, at this argument.
        return super::node(value, at);
    };
    let entries = items
        .iter()
        .map(|item| {
            let layer = t.config.instances.iter().find(|i| {
                i.mode == Mode::Managed
                    && i.kind == "aws_lambda_layer_version"
                    && i.computed.get("arn") == Some(item)
            });
            match layer {
                Some(layer) => map_node(
                    at,
                    vec![("Ref", Node::string(layer.address.clone(), at.clone()))],
                ),
                None => super::node(item, at),
            }
        })
        .collect();
    Node::new(NodeValue::List(entries), at.clone())
}

/// `aws_lambda_layer_version` → `AWS::Lambda::LayerVersion`, its content folder found as a
/// function's code is (`filename` through `data "archive_file"` to `source_dir`).
pub fn layer_version(t: &mut Translator<'_>, instance: &Instance) -> Result<(), LoadError> {
    let mut props = Map::default();
    copy(
        &mut props,
        &instance.body,
        &instance.address,
        &[
            ("layer_name", "LayerName"),
            ("compatible_runtimes", "CompatibleRuntimes"),
        ],
    )?;
    let mut metadata = Map::default();
    match code(t, instance, "")? {
        Ok((dir, at)) => metadata.set(
            "aws:asset:path",
            &at,
            Node::string(dir.to_string_lossy(), at.clone()),
        ),
        Err((why, at)) => metadata.set(NO_LOCAL_CODE, &at, Node::string(why, at.clone())),
    }
    t.add(instance, "AWS::Lambda::LayerVersion", props, Some(metadata));
    Ok(())
}

type Located<T> = (T, SourceLocation);

/// The folder the function (or layer) runs from, or why there is none here; `stub_hint` says
/// what `--stub-functions` would do about it (empty: the reader says it).
fn code(
    t: &Translator<'_>,
    instance: &Instance,
    stub_hint: &str,
) -> Result<Result<Located<PathBuf>, Located<String>>, LoadError> {
    let owner = &instance.address;
    let hint = if t.stub_functions || stub_hint.is_empty() {
        String::new()
    } else {
        format!("; or start gatewise with --stub-functions to {stub_hint}")
    };
    if let Some((uri, at)) = text_argument(instance, "image_uri")? {
        return Ok(Err((
            format!("{owner} runs a container image ({uri}), which gatewise does not run{hint}"),
            at,
        )));
    }
    let (zip, at) = if let Some((filename, at)) = text_argument(instance, "filename")? {
        (filename, at)
    } else if let Some((key, at)) = text_argument(instance, "s3_key")? {
        let bucket = text_argument(instance, "s3_bucket")?.map(|(b, _)| b);
        match uploaded_archive(t, &key, bucket.as_deref())? {
            Some(source) => (source, at),
            None => {
                return Ok(Err((
                    format!(
                        "{owner}: its code is the S3 object {key}, and no aws_s3_object in this configuration uploads it from a local file; point `filename` at a local zip from `data \"archive_file\"`{hint}"
                    ),
                    at,
                )));
            }
        }
    } else {
        return Ok(Err((
            format!("{owner} has no local code (no filename, s3_key or image_uri){hint}"),
            instance.location.clone(),
        )));
    };
    let root = &t.config.root_dir;
    let shown = |path: &str| tidy(&t.config.shown_root.join(path)).display().to_string();
    let wanted = tidy(Path::new(&zip));
    for archive in t
        .config
        .instances
        .iter()
        .filter(|i| i.mode == Mode::Data && i.kind == "archive_file")
    {
        let Some((output, _)) = text_argument(archive, "output_path")? else {
            continue;
        };
        if tidy(Path::new(&output)) != wanted {
            continue;
        }
        if let Some((dir, dir_at)) = text_argument(archive, "source_dir")? {
            let full = root.join(&dir);
            if full.is_dir() {
                return Ok(Ok((full, dir_at)));
            }
            return Ok(Err((
                format!(
                    "{owner}: its code comes from {} (source_dir '{dir}' of {}), which does not exist{hint}",
                    shown(&dir),
                    archive.address
                ),
                dir_at,
            )));
        }
        if let Some((file, file_at)) = text_argument(archive, "source_file")? {
            let full = root.join(&file);
            if let (true, Some(dir)) = (full.is_file(), full.parent()) {
                return Ok(Ok((dir.to_path_buf(), file_at)));
            }
            return Ok(Err((
                format!(
                    "{owner}: its code is {} (source_file '{file}' of {}), which does not exist{hint}",
                    shown(&file),
                    archive.address
                ),
                file_at,
            )));
        }
        let mut files = Vec::new();
        for block in archive.body.blocks.iter().filter(|b| b.kind == "source") {
            let content = super::body_argument(&block.body, &archive.address, "content")?;
            let name = super::body_argument(&block.body, &archive.address, "filename")?;
            if let (Some((Value::String(content), _)), Some((Value::String(name), _))) =
                (content, name)
            {
                files.push((name.clone(), content.clone()));
            }
        }
        if files.is_empty() {
            return Ok(Err((
                format!(
                    "{owner}: {} has no source_dir, source_file or `source` blocks to build the function's code from{hint}",
                    archive.address
                ),
                archive.location.clone(),
            )));
        }
        return Ok(match code_cache::written(&files) {
            Ok(dir) => Ok((dir, archive.location.clone())),
            Err(e) => Err((
                format!(
                    "{owner}: the inline sources of {}: {e}{hint}",
                    archive.address
                ),
                archive.location.clone(),
            )),
        });
    }
    let full = root.join(&zip);
    if full.is_file() {
        // A zip built outside Terraform: run its extracted copy.
        return Ok(match code_cache::extracted(&full) {
            Ok(dir) => Ok((dir, at)),
            Err(e) => Err((format!("{owner}: filename '{zip}': {e}{hint}"), at)),
        });
    }
    let problem = format!(
        "does not exist (looked in {}); build it first, or build it with `data \"archive_file\"` from the source folder",
        shown(&zip)
    );
    Ok(Err((
        format!("{owner}: filename '{zip}' {problem}{hint}"),
        at,
    )))
}

/// The local file an `aws_s3_object` (or the older `aws_s3_bucket_object`) uploads as `key`.
fn uploaded_archive(
    t: &Translator<'_>,
    key: &str,
    bucket: Option<&str>,
) -> Result<Option<String>, LoadError> {
    for object in t.config.instances.iter().filter(|i| {
        i.mode == Mode::Managed
            && matches!(i.kind.as_str(), "aws_s3_object" | "aws_s3_bucket_object")
    }) {
        let same_key = text_argument(object, "key")?.is_some_and(|(k, _)| k == key);
        let same_bucket = match (bucket, text_argument(object, "bucket")?) {
            (Some(b), Some((ob, _))) => b == ob,
            _ => true,
        };
        if same_key && same_bucket {
            return Ok(text_argument(object, "source")?.map(|(s, _)| s));
        }
    }
    Ok(None)
}
