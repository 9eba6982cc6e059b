//! Lambda layers, found where the runtimes look for them.
//!
//! On Lambda a function's layers are extracted into `/opt` in the function's order, a later
//! layer overwriting an earlier one's files, and each runtime's search paths already name the
//! `/opt` folders (AWS, "Layer paths for each Lambda runtime", `packaging-layers.html`; the
//! Node bootstrap's `NODE_PATH`; the Python runtime's `sys.path`):
//!
//! | variable | on Lambda |
//! | --- | --- |
//! | `NODE_PATH` (Node) | `/opt/nodejs/node<major>/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules:/var/runtime:/var/task` |
//! | `sys.path` (Python) | `/var/task`, `/opt/python/lib/python3.<minor>/site-packages`, `/opt/python`, then the runtime's own |
//! | `PATH` (all) | `…:/usr/bin:/bin:/opt/bin` |
//! | `LD_LIBRARY_PATH` (all) | `…:/var/task:/var/task/lib:/opt/lib` |
//!
//! gatewise cannot write `/opt` (nor share one between functions with different layers), so
//! each of those `/opt` folders becomes that folder of every layer, the last layer first (it
//! would have overwritten the others), in the same place of the same list:
//! `NODE_PATH=<L2>/nodejs/node20/node_modules:<L1>/nodejs/node20/node_modules:<L2>/nodejs/node_modules:<L1>/nodejs/node_modules:<task root>`;
//! Python gets `PYTHONPATH`, which Python puts right after the task root (the runtime client
//! sets `sys.path[0]`) and before its own library — where Lambda has the `/opt` entries.
//! `/var/runtime` has no counterpart here (Lambda's bundled SDK is not on this machine).

use std::path::{Path, PathBuf};

use gatewise_model::{Function, RuntimeFamily};

/// The variables a function's layers (and, for Node, its task root) add, for an environment
/// whose `PATH` is `host_path` so far. Functions without layers get Node's `NODE_PATH` only
/// (Lambda sets it for every Node function; without layers it is the task root).
pub(crate) fn variables(
    function: &Function,
    task_root: &Path,
    host_path: Option<&str>,
) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    // The last layer first: on Lambda its files overwrite the earlier layers' ones.
    // Absolute: the process runs in its task root, not in gatewise's directory.
    let layers: Vec<PathBuf> = function
        .layers
        .iter()
        .rev()
        .map(|l| std::path::absolute(&l.dir).unwrap_or_else(|_| l.dir.clone()))
        .collect();
    let under =
        |relative: &str| -> Vec<PathBuf> { layers.iter().map(|dir| dir.join(relative)).collect() };
    match function.runtime.family {
        RuntimeFamily::Node => {
            let mut paths: Vec<PathBuf> = Vec::new();
            if let Some(major) = node_major(&function.runtime.id) {
                paths.extend(under(&format!("nodejs/node{major}/node_modules")));
            }
            paths.extend(under("nodejs/node_modules"));
            paths.push(task_root.to_path_buf());
            out.push(("NODE_PATH", join(paths)));
        }
        RuntimeFamily::Python if !layers.is_empty() => {
            let mut paths: Vec<PathBuf> = Vec::new();
            if let Some(version) = python_version(&function.runtime.id) {
                paths.extend(under(&format!("python/lib/{version}/site-packages")));
            }
            paths.extend(under("python"));
            out.push(("PYTHONPATH", join(paths)));
        }
        RuntimeFamily::Python | RuntimeFamily::Provided => {}
    }
    if !layers.is_empty() {
        // Lambda's /opt/bin and /opt/lib come after the system's folders.
        let bins = join(under("bin"));
        out.push((
            "PATH",
            match host_path {
                Some(path) if !path.is_empty() => format!("{path}:{bins}"),
                _ => bins,
            },
        ));
        out.push(("LD_LIBRARY_PATH", join(under("lib"))));
    }
    out
}

/// `nodejs20.x` → `20`.
fn node_major(runtime: &str) -> Option<&str> {
    runtime.strip_prefix("nodejs")?.strip_suffix(".x")
}

/// `python3.12` → `python3.12` (the folder name under `python/lib/`).
fn python_version(runtime: &str) -> Option<&str> {
    runtime.starts_with("python3.").then_some(runtime)
}

fn join(paths: impl IntoIterator<Item = PathBuf>) -> String {
    paths
        .into_iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(":")
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use gatewise_model::{FunctionCode, Layer, SourceLocation};

    use super::*;

    fn function(runtime: &str, layers: &[&str]) -> Function {
        let at = SourceLocation::new(Arc::from(Path::new("template.yaml")), 1, 1);
        Function {
            logical_id: "F".into(),
            name: "F".into(),
            runtime: runtime.parse().unwrap(),
            handler: "app.handler".into(),
            code: FunctionCode::Directory(PathBuf::from("/code")),
            timeout: Duration::from_secs(3),
            memory_mb: 128,
            environment: Default::default(),
            reserved_concurrency: None,
            layers: layers
                .iter()
                .map(|dir| Layer {
                    logical_id: dir.to_string(),
                    dir: PathBuf::from(dir),
                    location: at.clone(),
                })
                .collect(),
            location: at,
        }
    }

    #[test]
    fn layer_folders_take_the_place_of_opt_in_lambda_s_order() {
        // (runtime, layers, host PATH, expected variables)
        type Case = (
            &'static str,
            &'static [&'static str],
            Option<&'static str>,
            &'static [(&'static str, &'static str)],
        );
        let cases: &[Case] = &[
            (
                "nodejs20.x",
                &[],
                Some("/usr/bin"),
                &[("NODE_PATH", "/code")],
            ),
            ("python3.12", &[], Some("/usr/bin"), &[]),
            ("provided.al2023", &[], None, &[]),
            (
                "nodejs20.x",
                &["/a", "/b"],
                Some("/usr/bin:/bin"),
                &[
                    (
                        "NODE_PATH",
                        "/b/nodejs/node20/node_modules:/a/nodejs/node20/node_modules:/b/nodejs/node_modules:/a/nodejs/node_modules:/code",
                    ),
                    ("PATH", "/usr/bin:/bin:/b/bin:/a/bin"),
                    ("LD_LIBRARY_PATH", "/b/lib:/a/lib"),
                ],
            ),
            (
                "python3.12",
                &["/a", "/b"],
                Some("/usr/bin"),
                &[
                    (
                        "PYTHONPATH",
                        "/b/python/lib/python3.12/site-packages:/a/python/lib/python3.12/site-packages:/b/python:/a/python",
                    ),
                    ("PATH", "/usr/bin:/b/bin:/a/bin"),
                    ("LD_LIBRARY_PATH", "/b/lib:/a/lib"),
                ],
            ),
            (
                "provided.al2",
                &["/a"],
                None,
                &[("PATH", "/a/bin"), ("LD_LIBRARY_PATH", "/a/lib")],
            ),
        ];
        for (runtime, layers, host_path, want) in cases {
            let got = variables(&function(runtime, layers), Path::new("/code"), *host_path);
            let got: Vec<(&str, &str)> = got.iter().map(|(k, v)| (*k, v.as_str())).collect();
            assert_eq!(&got, want, "{runtime} {layers:?}");
        }
    }
}
