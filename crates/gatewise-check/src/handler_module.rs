//! The files a function's handler actually runs: its handler module and, transitively, the
//! local modules it imports. Many functions share one `CodeUri` folder, so judging a function
//! by "any file under the folder" lets one CORS-aware handler hide nine that are not.
//!
//! Imports are read from the text (no parser): Node `require('…')`, `import … from '…'`,
//! `import('…')` and `export … from '…'` with relative specifiers; Python `import a.b` and
//! `from .a import b` resolved against the code folder (Lambda's `sys.path` root) or the
//! importing module's package. Packages (`node_modules`, site-packages) are not followed:
//! they are dependencies, not the handler's own code.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use gatewise_model::RuntimeFamily;

/// Files larger than this are bundles or data, not handler source; they are skipped, as are
/// FIFOs and devices (a read of those might never end).
pub const MAX_FILE_BYTES: u64 = 1 << 20;

/// Extensions a Node handler module or a relative import may have; `.ts` for folders that
/// esbuild builds at deploy time.
const NODE_EXTENSIONS: [&str; 4] = ["js", "mjs", "cjs", "ts"];

/// The handler module of `handler` (`src/app.handler`, `pkg.mod.handler`) under `root` and
/// every local module it imports, at most `budget` files; `None` when the handler module is
/// not there (e.g. a `provided` bootstrap, or code built elsewhere), so the caller can fall
/// back to reading the whole folder.
pub fn handler_files(
    root: &Path,
    handler: &str,
    family: RuntimeFamily,
    budget: usize,
) -> Option<Vec<PathBuf>> {
    let entry = match family {
        RuntimeFamily::Node => node_handler_module(root, handler)?,
        RuntimeFamily::Python => python_handler_module(root, handler)?,
        RuntimeFamily::Provided => return None,
    };
    let mut seen = HashSet::from([entry.clone()]);
    let mut queue = vec![entry];
    let mut files = Vec::new();
    while let Some(file) = queue.pop() {
        if files.len() == budget {
            break;
        }
        let Ok(text) = gatewise_template::read_capped(&file, MAX_FILE_BYTES, "a handler module")
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        else {
            continue;
        };
        let imported = match family {
            RuntimeFamily::Node => node_imports(&text)
                .filter_map(|specifier| resolve_node(file.parent()?, specifier))
                .collect::<Vec<_>>(),
            _ => python_imports(&text)
                .flat_map(|import| resolve_python(root, &file, &import))
                .collect(),
        };
        for path in imported {
            if seen.insert(path.clone()) {
                queue.push(path);
            }
        }
        files.push(file);
    }
    Some(files)
}

/// `src/app.handler` → `src/app.{js,mjs,cjs,ts}`.
fn node_handler_module(root: &Path, handler: &str) -> Option<PathBuf> {
    let (module, _) = handler.rsplit_once('.')?;
    NODE_EXTENSIONS
        .iter()
        .map(|ext| root.join(format!("{module}.{ext}")))
        .find(|path| path.is_file())
}

/// `pkg.mod.handler` → `pkg/mod.py` (or `pkg/mod/__init__.py`); Lambda also accepts a
/// `dir/mod.handler` spelling.
fn python_handler_module(root: &Path, handler: &str) -> Option<PathBuf> {
    let (module, _) = handler.rsplit_once('.')?;
    python_module_file(root, &module.replace('.', "/"))
}

fn python_module_file(base: &Path, relative: &str) -> Option<PathBuf> {
    let file = base.join(format!("{relative}.py"));
    if file.is_file() {
        return Some(file);
    }
    let package = base.join(relative).join("__init__.py");
    package.is_file().then_some(package)
}

/// The module specifiers a Node source file names in `require`, `import` and `export … from`.
fn node_imports(text: &str) -> impl Iterator<Item = &str> {
    const OPENERS: [&str; 5] = ["require(", "import(", "from ", "from\t", "import "];
    OPENERS.iter().flat_map(move |opener| {
        text.match_indices(opener).filter_map(move |(at, _)| {
            let rest = text[at + opener.len()..].trim_start();
            let quote = rest
                .chars()
                .next()
                .filter(|c| matches!(c, '\'' | '"' | '`'))?;
            let inner = &rest[1..];
            Some(&inner[..inner.find(quote)?])
        })
    })
}

/// A relative Node specifier from `dir` to a file: as written, with an extension, or a
/// folder's `index`.
fn resolve_node(dir: &Path, specifier: &str) -> Option<PathBuf> {
    if !(specifier.starts_with("./") || specifier.starts_with("../")) {
        return None;
    }
    let base = lexically_normal(&dir.join(specifier));
    if base.is_file() {
        return Some(base);
    }
    NODE_EXTENSIONS
        .iter()
        .map(|ext| PathBuf::from(format!("{}.{ext}", base.display())))
        .chain(
            NODE_EXTENSIONS
                .iter()
                .map(|ext| base.join(format!("index.{ext}"))),
        )
        .find(|path| path.is_file())
}

/// `a/./b/../c` → `a/c`, without touching the file system, so one file reached by two
/// spellings is read once.
fn lexically_normal(path: &Path) -> PathBuf {
    let mut normal = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir if normal.file_name().is_some() => {
                normal.pop();
            }
            other => normal.push(other),
        }
    }
    normal
}

/// One Python import statement: `level` leading dots (0 = absolute), the dotted module, and
/// the names imported from it (which may be submodules).
#[derive(Debug, PartialEq, Eq)]
struct PythonImport {
    level: usize,
    module: String,
    names: Vec<String>,
}

fn python_imports(text: &str) -> impl Iterator<Item = PythonImport> + '_ {
    text.lines().flat_map(|line| {
        let line = line.split('#').next().unwrap_or("").trim();
        let mut found = Vec::new();
        if let Some(rest) = line.strip_prefix("import ") {
            for part in rest.split(',') {
                let module = part.split_whitespace().next().unwrap_or("");
                if !module.is_empty() {
                    found.push(PythonImport {
                        level: 0,
                        module: module.to_owned(),
                        names: Vec::new(),
                    });
                }
            }
        } else if let Some(rest) = line.strip_prefix("from ")
            && let Some((module, names)) = rest.split_once(" import ")
        {
            let module = module.trim();
            let level = module.len() - module.trim_start_matches('.').len();
            let names = names
                .trim_matches(|c: char| c == '(' || c == ')' || c.is_whitespace())
                .split(',')
                .filter_map(|name| name.split_whitespace().next())
                .map(str::to_owned)
                .collect();
            found.push(PythonImport {
                level,
                module: module.trim_start_matches('.').to_owned(),
                names,
            });
        }
        found
    })
}

/// The local files an import reaches: the module itself and any imported name that is a
/// submodule. Absolute imports resolve against the code folder, relative ones against the
/// importing file's package.
fn resolve_python(root: &Path, importer: &Path, import: &PythonImport) -> Vec<PathBuf> {
    let base = if import.level == 0 {
        root.to_path_buf()
    } else {
        let mut base = importer.parent().unwrap_or(root).to_path_buf();
        for _ in 1..import.level {
            base = base.parent().unwrap_or(root).to_path_buf();
        }
        base
    };
    let module = import.module.replace('.', "/");
    let mut files = Vec::new();
    if !module.is_empty() {
        files.extend(python_module_file(&base, &module));
    }
    for name in &import.names {
        let relative = if module.is_empty() {
            name.clone()
        } else {
            format!("{module}/{name}")
        };
        files.extend(python_module_file(&base, &relative));
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, files: &[(&str, &str)]) {
        for (path, text) in files {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
    }

    fn names(root: &Path, handler: &str, family: RuntimeFamily) -> Option<Vec<String>> {
        let mut files: Vec<String> = handler_files(root, handler, family, 100)?
            .iter()
            .map(|p| {
                p.strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        files.sort();
        Some(files)
    }

    #[test]
    fn node_follows_relative_imports_of_every_spelling() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                (
                    "src/app.js",
                    "const a = require('./lib/a');\nimport b from \"../common/b.mjs\";\nexport { c } from './c';\nconst d = await import('./d/index.js');\nconst aws = require('@aws-sdk/client-s3');",
                ),
                ("src/lib/a.js", "module.exports = require('./a2')"),
                ("src/lib/a2.cjs", ""),
                ("common/b.mjs", ""),
                ("src/c.ts", ""),
                ("src/d/index.js", ""),
                ("src/other.js", "unrelated"),
            ],
        );
        assert_eq!(
            names(dir.path(), "src/app.handler", RuntimeFamily::Node).unwrap(),
            [
                "common/b.mjs",
                "src/app.js",
                "src/c.ts",
                "src/d/index.js",
                "src/lib/a.js",
                "src/lib/a2.cjs"
            ]
        );
    }

    #[test]
    fn python_follows_absolute_relative_and_submodule_imports() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                (
                    "handlers/orders.py",
                    "import json, os\nfrom common import cors  # shared helper\nfrom . import util\nfrom .. import settings\nimport boto3",
                ),
                ("handlers/__init__.py", ""),
                (
                    "handlers/util.py",
                    "from common.http import (respond, error)",
                ),
                ("common/__init__.py", ""),
                ("common/cors.py", ""),
                ("common/http.py", ""),
                ("settings.py", ""),
                ("handlers/users.py", "unrelated"),
            ],
        );
        assert_eq!(
            names(dir.path(), "handlers.orders.handler", RuntimeFamily::Python).unwrap(),
            [
                "common/__init__.py",
                "common/cors.py",
                "common/http.py",
                "handlers/orders.py",
                "handlers/util.py",
                "settings.py"
            ]
        );
    }

    #[test]
    fn a_missing_handler_module_or_a_provided_runtime_has_no_answer() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(names(dir.path(), "app.handler", RuntimeFamily::Node), None);
        assert_eq!(
            names(dir.path(), "app.handler", RuntimeFamily::Python),
            None
        );
        assert_eq!(
            names(dir.path(), "bootstrap", RuntimeFamily::Provided),
            None
        );
    }

    #[test]
    fn import_cycles_end_and_the_budget_holds() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                ("a.py", "import b"),
                ("b.py", "import a\nimport c"),
                ("c.py", ""),
            ],
        );
        assert_eq!(
            names(dir.path(), "a.handler", RuntimeFamily::Python).unwrap(),
            ["a.py", "b.py", "c.py"]
        );
        assert_eq!(
            handler_files(dir.path(), "a.handler", RuntimeFamily::Python, 2)
                .unwrap()
                .len(),
            2
        );
    }
}
