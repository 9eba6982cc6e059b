//! Where a function's code is on this machine.
//!
//! gatewise runs handlers from local directories only: an S3 location or a zip archive is an
//! error that says what to point at instead.

use std::path::Path;

use gatewise_model::FunctionCode;

use crate::LoadError;
use crate::document::value::{Node, Value};

/// A SAM `CodeUri` (already resolved): a directory relative to the template's directory.
pub fn from_code_uri(
    node: &Node,
    template_dir: &Path,
    logical_id: &str,
) -> Result<FunctionCode, LoadError> {
    match &node.value {
        Value::String(uri) if uri.starts_with("s3://") => Err(in_s3(node, logical_id, uri)),
        Value::String(uri) => directory(node, uri, template_dir, logical_id, "CodeUri"),
        Value::Map(map) if map.get("Bucket").is_some() => {
            let bucket = map
                .get("Bucket")
                .and_then(Node::scalar_text)
                .unwrap_or_default();
            let key = map
                .get("Key")
                .and_then(Node::scalar_text)
                .unwrap_or_default();
            Err(in_s3(node, logical_id, &format!("s3://{bucket}/{key}")))
        }
        _ => Err(LoadError::new(
            node.location.clone(),
            format!(
                "Function '{logical_id}': CodeUri must be a directory path, found {}",
                node.kind()
            ),
        )),
    }
}

fn in_s3(node: &Node, logical_id: &str, uri: &str) -> LoadError {
    LoadError::new(
        node.location.clone(),
        format!(
            "Function '{logical_id}': code is in S3 ({uri}); gatewise needs the code on this machine — point CodeUri at the function's source or build directory"
        ),
    )
}

/// A code directory named by `property` (`CodeUri`, `aws:asset:path`), relative to the template.
pub fn directory(
    node: &Node,
    relative: &str,
    template_dir: &Path,
    logical_id: &str,
    property: &str,
) -> Result<FunctionCode, LoadError> {
    let lower = relative.to_ascii_lowercase();
    if lower.ends_with(".zip") || lower.ends_with(".jar") {
        return Err(LoadError::new(
            node.location.clone(),
            format!(
                "Function '{logical_id}': {property} '{relative}' is an archive; gatewise runs code from a folder — unzip it and point {property} at that folder"
            ),
        ));
    }
    let joined = template_dir.join(relative);
    if joined.is_dir() {
        return Ok(FunctionCode::Directory(joined));
    }
    let shown = tidy(&std::path::absolute(&joined).unwrap_or_else(|_| joined.clone()));
    let problem = if joined.exists() {
        "is a file, not a directory"
    } else {
        "does not exist"
    };
    Err(LoadError::new(
        node.location.clone(),
        format!(
            "Function '{logical_id}': {property} '{relative}' {problem} (looked in {}); build the function first or fix {property}",
            shown.display()
        ),
    ))
}

/// `a/./b/../c` → `a/c`, lexically (`..` above the start is kept; nothing left is `.`), so a
/// path that may not exist — and so cannot be canonicalised — reads cleanly in messages and
/// compares by what it names.
pub(crate) fn tidy(path: &Path) -> std::path::PathBuf {
    let mut out = std::path::PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            // `file_name` is `None` after `..`, which is kept.
            std::path::Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}
