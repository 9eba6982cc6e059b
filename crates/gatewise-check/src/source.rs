//! The text behind the model: template lines (to show the offending line, to find the exact
//! key a value was written under) and handler source (to see whether a proxy function ever
//! sets Access-Control-Allow-Origin).
//!
//! The model keeps one location per item (a method, a `Cors` key); the YAML key a fix has to
//! touch is found by reading the lines of that item's block, which works for block YAML,
//! flow YAML on one line and JSON alike because all three indent nested keys further.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use gatewise_model::{Function, FunctionCode, SourceLocation, Stack};

use crate::handler_module::{MAX_FILE_BYTES, handler_files};

/// Header every CORS-aware handler has to set (compared case-insensitively).
const ALLOW_ORIGIN: &str = "access-control-allow-origin";
/// Folders under a CodeUri that are not the handler's own source.
const SKIPPED_DIRS: [&str; 5] = ["node_modules", ".aws-sam", "__pycache__", "target", ".git"];
/// A handler folder with more files than this is read only this far (a vendored tree).
const MAX_FILES: usize = 2000;

/// Lazily read template files, keyed by the path locations carry.
#[derive(Debug)]
pub struct Sources {
    files: RefCell<HashMap<PathBuf, Option<Rc<[String]>>>>,
    sam: bool,
}

/// What a function's source says about CORS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandlerSource {
    /// Some file mentions Access-Control-Allow-Origin.
    MentionsAllowOrigin,
    /// The code was read and none of it does; what was read, for the message (e.g. "its
    /// handler module orders.py and the 2 local modules it imports").
    NeverMentions(String),
    /// The code is not here (stubbed with `--stub-functions`): nothing to judge.
    Unavailable,
}

impl Sources {
    /// The sources of `stack`, whose template is read now to know whether it is SAM.
    pub fn new(stack: &Stack) -> Self {
        let sources = Self {
            files: RefCell::new(HashMap::new()),
            sam: false,
        };
        let sam = sources.lines(&stack.template_path).is_some_and(|lines| {
            lines
                .iter()
                .any(|l| l.contains("AWS::Serverless-2016-10-31"))
        });
        Self { sam, ..sources }
    }

    /// Whether the template uses the SAM transform, so fixes can be written in SAM terms.
    pub fn is_sam(&self) -> bool {
        self.sam
    }

    fn lines(&self, file: &Path) -> Option<Rc<[String]>> {
        self.files
            .borrow_mut()
            .entry(file.to_path_buf())
            .or_insert_with(|| {
                std::fs::read_to_string(file)
                    .ok()
                    .map(|text| text.lines().map(str::to_owned).collect())
            })
            .clone()
    }

    /// The line `at` points into, without its line break.
    pub fn line(&self, at: &SourceLocation) -> Option<String> {
        let lines = self.lines(&at.file)?;
        lines.get(at.line.checked_sub(1)? as usize).cloned()
    }

    /// The scalar written at `at` (a key or a value), YAML/JSON quotes removed: what a fix
    /// quotes or replaces.
    pub fn scalar_at(&self, at: &SourceLocation) -> Option<String> {
        let line = self.line(at)?;
        let rest: String = line
            .chars()
            .skip(at.column.saturating_sub(1) as usize)
            .collect();
        let width = token_width(&rest);
        let token: String = rest.chars().take(width).collect();
        Some(unquote(&token).to_owned())
    }

    /// The key written on the same line before `at`, e.g. `AllowHeaders` for a location on
    /// the value of `AllowHeaders: "*"`.
    pub fn key_before(&self, at: &SourceLocation) -> Option<String> {
        let line = self.line(at)?;
        let before: String = line
            .chars()
            .take(at.column.saturating_sub(1) as usize)
            .collect();
        let before = before.trim_end().strip_suffix(':')?;
        let key = before
            .rsplit(['{', ',', ' ', '\t'])
            .find(|part| !part.is_empty())?;
        Some(unquote(key).to_owned())
    }

    /// How many characters of the line at `at` a caret should underline: the quoted scalar,
    /// the key up to its colon, or the plain scalar up to a comment or the line's end.
    pub fn width_at(&self, at: &SourceLocation) -> usize {
        self.line(at)
            .map(|line| {
                let rest: String = line
                    .chars()
                    .skip(at.column.saturating_sub(1) as usize)
                    .collect();
                token_width(&rest).max(1)
            })
            .unwrap_or(1)
    }

    /// Where `key` is written inside the block that starts at `anchor` (the lines after it
    /// that are indented further): the position of its value, or of the key when the value
    /// is on the next lines. The key is compared case-insensitively (`AllowOrigins` and
    /// OpenAPI's `allowOrigins`).
    pub fn locate_key(&self, anchor: &SourceLocation, key: &str) -> Option<SourceLocation> {
        let lines = self.lines(&anchor.file)?;
        let first = anchor.line.checked_sub(1)? as usize;
        let indent = indent_of(lines.get(first)?);
        for (index, line) in lines.iter().enumerate().skip(first) {
            let trimmed = line.trim_start();
            if index > first
                && !trimmed.is_empty()
                && !trimmed.starts_with('#')
                && indent_of(line) <= indent
            {
                break;
            }
            let start = if index == first {
                anchor.column.saturating_sub(1) as usize
            } else {
                0
            };
            if let Some(column) = key_value_column(line, key, start) {
                return Some(SourceLocation::new(
                    anchor.file.clone(),
                    index as u32 + 1,
                    column as u32 + 1,
                ));
            }
        }
        None
    }

    /// The first place `needle` is written in the block that starts at `anchor`.
    pub fn locate_text(&self, anchor: &SourceLocation, needle: &str) -> Option<SourceLocation> {
        let lines = self.lines(&anchor.file)?;
        let first = anchor.line.checked_sub(1)? as usize;
        let indent = indent_of(lines.get(first)?);
        for (index, line) in lines.iter().enumerate().skip(first) {
            if index > first && !line.trim().is_empty() && indent_of(line) <= indent {
                break;
            }
            if let Some(byte) = line.find(needle) {
                let column = line[..byte].chars().count();
                return Some(SourceLocation::new(
                    anchor.file.clone(),
                    index as u32 + 1,
                    column as u32 + 1,
                ));
            }
        }
        None
    }

    /// Whether `function`'s code ever mentions Access-Control-Allow-Origin: its handler
    /// module and the local modules that imports (functions sharing one CodeUri folder are
    /// judged each by its own code), or — when the handler module is not there to read, as
    /// for a `provided` bootstrap — every file under the folder (dependencies skipped); or
    /// its inline code.
    pub fn handler_source(&self, function: &Function) -> HandlerSource {
        if function.is_stub() {
            return HandlerSource::Unavailable;
        }
        let (mentions, read) = match &function.code {
            FunctionCode::Inline(code) => (
                mentions_allow_origin(code.as_bytes()),
                "its inline code".to_owned(),
            ),
            FunctionCode::Directory(dir) => {
                match handler_files(dir, &function.handler, function.runtime.family, MAX_FILES) {
                    Some(files) => (
                        files.iter().any(|file| file_mentions(file)),
                        handler_files_description(dir, &files),
                    ),
                    None => {
                        let mut budget = MAX_FILES;
                        (
                            directory_mentions(dir, &mut budget),
                            format!("its code under {}", folder_name(dir)),
                        )
                    }
                }
            }
        };
        if mentions {
            HandlerSource::MentionsAllowOrigin
        } else {
            HandlerSource::NeverMentions(read)
        }
    }
}

/// "its handler module src/app.js and the 2 local modules it imports".
fn handler_files_description(dir: &Path, files: &[PathBuf]) -> String {
    let module = files[0].strip_prefix(dir).unwrap_or(&files[0]).display();
    match files.len() - 1 {
        0 => format!("its handler module {module}"),
        1 => format!("its handler module {module} and the local module it imports"),
        n => format!("its handler module {module} and the {n} local modules it imports"),
    }
}

/// `src/` for a code folder, as the template names it.
fn folder_name(dir: &Path) -> String {
    dir.file_name().map_or_else(
        || dir.display().to_string(),
        |name| format!("{}/", name.to_string_lossy()),
    )
}

fn file_mentions(path: &Path) -> bool {
    gatewise_template::read_capped(path, MAX_FILE_BYTES, "a handler file")
        .is_ok_and(|bytes| mentions_allow_origin(&bytes))
}

fn directory_mentions(dir: &Path, budget: &mut usize) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        if *budget == 0 {
            return false;
        }
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            let name = entry.file_name();
            if SKIPPED_DIRS.iter().any(|s| name == *s) {
                continue;
            }
            if directory_mentions(&path, budget) {
                return true;
            }
        } else if kind.is_file() {
            *budget -= 1;
            if file_mentions(&path) {
                return true;
            }
        }
    }
    false
}

fn mentions_allow_origin(bytes: &[u8]) -> bool {
    bytes
        .windows(ALLOW_ORIGIN.len())
        .any(|w| w.eq_ignore_ascii_case(ALLOW_ORIGIN.as_bytes()))
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The character column (0-based) of the value of `key:` on `line` at or after character
/// `start`; the key's own column when nothing follows the colon.
fn key_value_column(line: &str, key: &str, start: usize) -> Option<usize> {
    let chars: Vec<char> = line.chars().collect();
    let key_chars: Vec<char> = key.chars().collect();
    let mut at = start;
    while at + key_chars.len() <= chars.len() {
        let matches = chars[at..at + key_chars.len()]
            .iter()
            .zip(&key_chars)
            .all(|(a, b)| a.eq_ignore_ascii_case(b));
        let boundary_before = at == 0 || !is_key_char(chars[at - 1]);
        if matches && boundary_before {
            let mut after = at + key_chars.len();
            if after < chars.len() && (chars[after] == '"' || chars[after] == '\'') {
                after += 1;
            }
            if after < chars.len() && chars[after] == ':' {
                let value = (after + 1..chars.len()).find(|&i| !chars[i].is_whitespace());
                return Some(match value {
                    Some(v) if chars[v] != '#' => v,
                    _ => at,
                });
            }
        }
        at += 1;
    }
    None
}

fn is_key_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// Width of the scalar at the start of `rest`: a quoted string with its quotes, a key up to
/// its colon, or a plain scalar up to a comment, a flow delimiter or the line's end.
fn token_width(rest: &str) -> usize {
    let chars: Vec<char> = rest.chars().collect();
    match chars.first() {
        Some(&q @ ('"' | '\'')) => chars[1..]
            .iter()
            .position(|&c| c == q)
            .map_or(chars.len(), |end| end + 2),
        Some(_) => {
            let mut end = chars.len();
            for (i, &c) in chars.iter().enumerate() {
                let next_is_space = chars.get(i + 1).is_none_or(|n| n.is_whitespace());
                if (c == ':' && next_is_space) || c == ',' || c == '}' || c == ']' {
                    end = i;
                    break;
                }
                if c == '#' && i > 0 && chars[i - 1].is_whitespace() {
                    end = i;
                    break;
                }
            }
            chars[..end]
                .iter()
                .rposition(|c| !c.is_whitespace())
                .map_or(0, |last| last + 1)
        }
        None => 0,
    }
}

fn unquote(token: &str) -> &str {
    let t = token.trim();
    for q in ['"', '\''] {
        if t.len() >= 2 && t.starts_with(q) && t.ends_with(q) {
            return &t[1..t.len() - 1];
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_value_column_table() {
        let cases: &[(&str, &str, Option<usize>)] = &[
            ("        AllowOrigin: \"'*'\"", "AllowOrigin", Some(21)),
            ("      Cors:", "Cors", Some(6)),
            ("  \"allowOrigins\": [\"a\"],", "allowOrigins", Some(18)),
            ("Properties: {RestApiId: x, Path: /a}", "Path", Some(33)),
            ("        XAllowOrigin: x", "AllowOrigin", None),
            ("        AllowOrigins: [a]", "allowORIGINS", Some(22)),
        ];
        for (line, key, want) in cases {
            assert_eq!(key_value_column(line, key, 0), *want, "{line}");
        }
    }

    #[test]
    fn token_width_table() {
        let cases: &[(&str, usize)] = &[
            ("\"'*'\"", 5),
            ("https://a.com  # comment", 13),
            ("AllowOrigin: x", 11),
            ("'GET, POST'", 11),
            ("a.com, b.com]", 5),
            ("", 0),
        ];
        for (rest, want) in cases {
            assert_eq!(token_width(rest), *want, "{rest}");
        }
    }
}
