//! The `.tf` files of one module folder, parsed with byte spans kept, and the spans turned into
//! `file:line:column` locations.
//!
//! Terraform's unit is the folder: every `*.tf` file in it (not in sub-folders) is one module,
//! in lexical order of file name, as `terraform` reads them.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use gatewise_model::SourceLocation;
use hcl::edit::Span;
use hcl::edit::structure::{Block, Body};

use crate::{LoadError, source_file};

/// A declaration and the file it is in.
pub struct Declared {
    pub file: usize,
    pub block: Block,
    pub location: SourceLocation,
}

/// One parsed file: its text (for positions) and its HCL body.
pub struct SourceFile {
    pub path: Arc<Path>,
    pub body: Body,
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// Reads and parses `path` as HCL; `shown` is how locations name it.
    pub fn read(path: &Path, shown: &Arc<Path>) -> Result<Self, LoadError> {
        let text = read_text(
            path,
            shown,
            &SourceLocation::new(shown.clone(), 1, 1),
            "file",
        )?;
        Self::parse(text, shown)
    }

    /// Parses `text` written in the file `shown`.
    pub fn parse(text: String, shown: &Arc<Path>) -> Result<Self, LoadError> {
        let body = hcl::edit::parser::parse_body(&text).map_err(|e| {
            let at = e.location();
            let location = SourceLocation::new(
                shown.clone(),
                u32::try_from(at.line()).unwrap_or(u32::MAX),
                u32::try_from(at.column()).unwrap_or(u32::MAX),
            );
            let mut message = format!("cannot parse this Terraform file: {}", e.message());
            if looks_like_terraform_0_11(e.line()) {
                message.push_str(
                    "; this is Terraform 0.11 syntax (a quoted key in a block) — gatewise reads Terraform ≥ 0.12 syntax: write it as an argument, `name = { \"key\" = value }` (`terraform 0.12upgrade` does this)",
                );
            } else {
                message.push_str("; fix the syntax (`terraform validate` shows the same error)");
            }
            LoadError::new(location, message)
        })?;
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Ok(Self {
            path: shown.clone(),
            body,
            line_starts,
        })
    }

    /// Where byte `offset` of the file is (1-based line and column, columns in characters).
    pub fn location_of_offset(&self, offset: usize) -> SourceLocation {
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let start = self.line_starts[line.saturating_sub(1)];
        let column = offset.saturating_sub(start) + 1;
        SourceLocation::new(
            self.path.clone(),
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(column).unwrap_or(u32::MAX),
        )
    }

    /// Where `node` starts, or the file's start when the parser kept no span for it.
    pub fn location(&self, node: &impl Span) -> SourceLocation {
        self.location_of_span(node.span())
    }

    pub fn location_of_span(&self, span: Option<Range<usize>>) -> SourceLocation {
        span.map_or_else(
            || SourceLocation::new(self.path.clone(), 1, 1),
            |s| self.location_of_offset(s.start),
        )
    }
}

/// Terraform 0.11 wrote maps as blocks with quoted keys (`response_models { "application/json" =
/// "Empty" }`), which HCL2 rejects; a quoted key at the start of the failing line is the sign.
fn looks_like_terraform_0_11(line: &str) -> bool {
    let trimmed = line.trim_start();
    trimmed.starts_with('"')
        && trimmed[1..]
            .split_once('"')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('='))
}

/// The `.tf` files of `dir`, sorted by name; `*.tf.json` is reported, not read.
pub fn module_files(dir: &Path, at: &SourceLocation) -> Result<Vec<PathBuf>, LoadError> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        LoadError::new(
            at.clone(),
            format!(
                "cannot read the Terraform folder {}: {e}; check the path",
                dir.display()
            ),
        )
    })?;
    let mut files = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.ends_with(".tf") && path.is_file() {
            files.push(path);
        } else if name.ends_with(".tf.json") {
            return Err(LoadError::new(
                SourceLocation::new(Arc::from(path.as_path()), 1, 1),
                "Terraform JSON syntax (*.tf.json) is not read yet; write the configuration in HCL (*.tf), or use `terraform show -json` output with a SAM template".to_owned(),
            ));
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(LoadError::new(
            at.clone(),
            format!(
                "{} has no .tf files and no template.yaml; point gatewise at your template, or at the folder of your Terraform configuration",
                dir.display()
            ),
        ));
    }
    Ok(files)
}

/// Reads a text file the configuration names, refusing what is not a regular file or is larger
/// than the template cap ([`crate::source_file`]); errors point at `at` (the argument that
/// names the file).
pub fn read_text(
    path: &Path,
    shown: &Arc<Path>,
    at: &SourceLocation,
    what: &str,
) -> Result<String, LoadError> {
    let what = format!("{what} {}", shown.display());
    let bytes = source_file::read_capped(path, source_file::MAX_TEMPLATE_FILE_BYTES, &what)
        .map_err(|e| LoadError::new(at.clone(), e.message))?;
    String::from_utf8(bytes).map_err(|e| {
        LoadError::new(
            at.clone(),
            format!(
                "cannot read {what}: it is not UTF-8 text (invalid byte at offset {}); save it as UTF-8",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_become_lines_and_columns() {
        let file: Arc<Path> = Arc::from(Path::new("main.tf"));
        let source = SourceFile::parse(
            "variable \"a\" {}\n\nresource \"x\" \"y\" {\n  name = \"n\"\n}\n".to_owned(),
            &file,
        )
        .unwrap();
        let block = source.body.get_blocks("resource").next().unwrap();
        let attribute = block.body.get_attribute("name").unwrap();
        assert_eq!(source.location(block).to_string(), "main.tf:3:1");
        assert_eq!(source.location(attribute).to_string(), "main.tf:4:3");
    }

    #[test]
    fn terraform_0_11_block_maps_are_named() {
        let file: Arc<Path> = Arc::from(Path::new("api.tf"));
        let error = SourceFile::parse(
            "resource \"aws_api_gateway_method_response\" \"r\" {\n  response_models {\n    \"application/json\" = \"Empty\"\n  }\n}\n".to_owned(),
            &file,
        )
        .err()
        .unwrap();
        assert!(error.to_string().starts_with("api.tf:3:"), "{error}");
        assert!(error.message.contains("Terraform 0.11 syntax"), "{error}");
    }
}
