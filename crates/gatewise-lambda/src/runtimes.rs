//! How each runtime family is started on this machine, and the static checks that can fail
//! before anything runs (missing `bootstrap`, no `node` on `PATH`…), reported as
//! [`HostError`]s that name the function and say what to do.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use gatewise_model::{Function, FunctionCode, RuntimeFamily};
use tempfile::TempDir;

use crate::HostError;
use crate::runtime_api::pipe::CHILD_FD;

/// The Node.js runtime client, run as `node index.mjs 3` (its Runtime API pipe's descriptor).
const NODE_CLIENT: &str = include_str!("../../../runtimes/node/index.mjs");
/// The Python runtime client, run as `python3 -u bootstrap.py 3`.
const PYTHON_CLIENT: &str = include_str!("../../../runtimes/python/bootstrap.py");

/// The command that starts one instance of a function.
#[derive(Debug, Clone)]
pub(crate) struct Launch {
    pub program: PathBuf,
    pub args: Vec<OsString>,
    /// `LAMBDA_TASK_ROOT` and the working directory.
    pub task_root: PathBuf,
    pub transport: Transport,
}

/// How the process speaks the Runtime API.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Transport {
    /// Over HTTP at `AWS_LAMBDA_RUNTIME_API`, as every Lambda runtime client can.
    Http,
    /// Over the pipe gatewise's own runtime clients inherit ([`crate::runtime_api::pipe`]).
    Pipe,
}

/// A private directory holding the bundled runtime clients (`LAMBDA_RUNTIME_DIR`) and the
/// code of inline functions; removed when the host goes away.
pub(crate) struct RuntimeFiles {
    /// Absolute even under a relative `TMPDIR`: processes run elsewhere.
    path: PathBuf,
    _dir: TempDir,
}

impl RuntimeFiles {
    pub fn create() -> std::io::Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("gatewise-runtime-")
            .tempdir()?;
        // Inline code and the clients are nobody else's business (the default mode follows
        // the umask, often 0755).
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700))?;
        let path = std::path::absolute(dir.path())?;
        std::fs::write(path.join("index.mjs"), NODE_CLIENT)?;
        std::fs::write(path.join("bootstrap.py"), PYTHON_CLIENT)?;
        Ok(Self { path, _dir: dir })
    }

    pub fn runtime_dir(&self) -> &Path {
        &self.path
    }
}

/// Finds the interpreters functions need, once per host start.
pub(crate) struct Interpreters {
    path: Option<String>,
    /// Families whose version note has been printed.
    noted: BTreeSet<&'static str>,
}

impl Interpreters {
    /// Looks programs up on `path` (gatewise's `PATH`, which functions also get).
    pub fn new(path: Option<String>) -> Self {
        Self {
            path,
            noted: BTreeSet::new(),
        }
    }

    /// Decides how to start `function`, writing inline code to `files` if needed. Must run
    /// inside the tokio runtime (the version note is written by a task of its own).
    pub fn launch(
        &mut self,
        function: &Function,
        index: usize,
        files: &RuntimeFiles,
    ) -> Result<Launch, HostError> {
        check_layers(function)?;
        let (program, script) = match function.runtime.family {
            RuntimeFamily::Provided => return provided_launch(function),
            RuntimeFamily::Node => ("node", "index.mjs"),
            RuntimeFamily::Python => ("python3", "bootstrap.py"),
        };
        let task_root = code_directory(function, index, files)?;
        let Some(interpreter) = find_program(program, self.path.as_deref()) else {
            return Err(fail(
                function,
                &format!(
                    "has Runtime {}, which gatewise runs with the local `{program}`, but there is no `{program}` on PATH; install {} and make sure `{program}` is on PATH",
                    function.runtime,
                    if program == "node" {
                        "Node.js (https://nodejs.org)"
                    } else {
                        "Python 3 (https://www.python.org)"
                    }
                ),
            ));
        };
        if self.noted.insert(program) {
            // In the background: `python3 --version` through a pyenv shim alone takes tens of
            // milliseconds, which startup (`Listening on`) does not wait for.
            tokio::spawn(note_version(interpreter.clone(), program));
        }
        let mut args = Vec::new();
        if program == "python3" {
            // Unbuffered, like the Lambda runtime: print() shows up while the handler runs.
            args.push("-u".into());
        }
        if program == "node" {
            args.extend(node_heap_args(function.memory_mb).map(OsString::from));
        }
        args.push(files.runtime_dir().join(script).into_os_string());
        args.push(CHILD_FD.to_string().into());
        Ok(Launch {
            program: interpreter,
            args,
            task_root,
            transport: Transport::Pipe,
        })
    }
}

/// The V8 flags Lambda's Node.js bootstrap passes, sized from `MemorySize` as it sizes them: a
/// tenth of the memory for the young generation (two semi-spaces), the rest for the old one,
/// plus `--expose-gc` (handlers may call `global.gc()`) and the runtime's header size. Without
/// them V8 sizes its heap for a machine, not a 128 MB function: the young generation alone
/// grows to tens of MB under load, and a handler that fits on Lambda looks different locally.
fn node_heap_args(memory_mb: u32) -> [String; 4] {
    let young = memory_mb / 10;
    [
        "--expose-gc".to_owned(),
        "--max-http-header-size=81920".to_owned(),
        format!("--max-semi-space-size={}", (young / 2).max(1)),
        format!("--max-old-space-size={}", memory_mb - young),
    ]
}

fn provided_launch(function: &Function) -> Result<Launch, HostError> {
    let FunctionCode::Directory(code_uri) = &function.code else {
        return Err(fail(
            function,
            &format!(
                "has Runtime {} with inline code; a provided runtime needs a CodeUri directory with an executable named bootstrap",
                function.runtime
            ),
        ));
    };
    let dir = absolute_directory(function, code_uri)?;
    let bootstrap = dir.join("bootstrap");
    let metadata = match std::fs::metadata(&bootstrap) {
        Ok(metadata) if metadata.is_file() => metadata,
        _ => {
            return Err(fail(
                function,
                &format!(
                    "has Runtime {} but {} does not exist; build the function so that its CodeUri contains an executable named bootstrap (Rust: `cargo lambda build`, Go: `GOOS=linux go build -o bootstrap`)",
                    function.runtime,
                    bootstrap.display()
                ),
            ));
        }
    };
    if metadata.permissions().mode() & 0o111 == 0 {
        return Err(fail(
            function,
            &format!(
                "has Runtime {} but {} is not executable; run `chmod +x {}`",
                function.runtime,
                bootstrap.display(),
                bootstrap.display()
            ),
        ));
    }
    Ok(Launch {
        program: bootstrap,
        args: Vec::new(),
        task_root: dir,
        transport: Transport::Http,
    })
}

/// `CodeUri` made absolute: the process runs in it, so a relative path would be resolved
/// twice (and `LAMBDA_TASK_ROOT` is absolute on Lambda, `/var/task`).
fn absolute_directory(function: &Function, code_uri: &Path) -> Result<PathBuf, HostError> {
    match std::fs::canonicalize(code_uri) {
        Ok(dir) if dir.is_dir() => Ok(dir),
        _ => Err(fail(
            function,
            &format!(
                "has CodeUri {}, which is not a directory; point CodeUri at the folder holding the function's code",
                code_uri.display()
            ),
        )),
    }
}

/// Every layer folder is still there (the template was read a moment ago, but a folder that
/// went since would only show as a module-not-found error inside the function).
fn check_layers(function: &Function) -> Result<(), HostError> {
    match function.layers.iter().find(|layer| !layer.dir.is_dir()) {
        None => Ok(()),
        Some(layer) => Err(fail(
            function,
            &format!(
                "uses layer {} ({}), whose folder {} is gone; restore it, or take the layer out of the function's Layers",
                layer.logical_id,
                layer.location,
                layer.dir.display()
            ),
        )),
    }
}

/// The task root: `CodeUri` as is, or a private directory with the inline code written the way
/// Lambda unpacks `ZipFile` code (`index.js` / `index.py`).
fn code_directory(
    function: &Function,
    index: usize,
    files: &RuntimeFiles,
) -> Result<PathBuf, HostError> {
    match &function.code {
        FunctionCode::Directory(dir) => absolute_directory(function, dir),
        FunctionCode::Inline(source) => {
            let dir = files.runtime_dir().join(format!("inline-{index}"));
            let file = match function.runtime.family {
                RuntimeFamily::Python => "index.py",
                _ => "index.js",
            };
            std::fs::create_dir_all(&dir)
                .and_then(|()| std::fs::write(dir.join(file), source))
                .map_err(|err| {
                    fail(
                        function,
                        &format!(
                            "has inline code that could not be written to {}: {err}",
                            dir.display()
                        ),
                    )
                })?;
            Ok(dir)
        }
    }
}

/// An executable named `name` in one of `path`'s directories.
fn find_program(name: &str, path: Option<&str>) -> Option<PathBuf> {
    std::env::split_paths(path?)
        .map(|dir| dir.join(name))
        .find(|candidate| {
            std::fs::metadata(candidate)
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// Says once which local interpreter stands in for the template's runtime version.
async fn note_version(interpreter: PathBuf, program: &str) {
    let version = tokio::process::Command::new(&interpreter)
        .arg("--version")
        .output()
        .await
        .ok()
        .map(|out| {
            let text = if out.stdout.is_empty() {
                out.stderr
            } else {
                out.stdout
            };
            String::from_utf8_lossy(&text).trim().to_owned()
        })
        .unwrap_or_default();
    eprintln!(
        "gatewise: {program} functions run under the local {} ({version}), whatever version their Runtime names",
        interpreter.display()
    );
}

fn fail(function: &Function, problem: &str) -> HostError {
    HostError {
        message: format!(
            "function {} ({}) {problem}",
            function.logical_id, function.location
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_gets_lambda_s_heap_flags_for_its_memory_size() {
        assert_eq!(
            node_heap_args(128),
            [
                "--expose-gc",
                "--max-http-header-size=81920",
                "--max-semi-space-size=6",
                "--max-old-space-size=116"
            ]
        );
        assert_eq!(
            node_heap_args(1024)[2..],
            ["--max-semi-space-size=51", "--max-old-space-size=922"]
        );
    }

    #[tokio::test]
    async fn a_missing_interpreter_names_the_function_and_what_to_install() {
        use std::sync::Arc;
        use std::time::Duration;

        let code = tempfile::tempdir().unwrap();
        let files = RuntimeFiles::create().unwrap();
        let cases = [
            ("nodejs20.x", "install Node.js"),
            ("python3.12", "install Python 3"),
        ];
        for (runtime, want) in cases {
            let function = Function {
                logical_id: "HelloFunction".into(),
                name: "hello".into(),
                runtime: runtime.parse().unwrap(),
                handler: "app.handler".into(),
                code: FunctionCode::Directory(code.path().to_path_buf()),
                timeout: Duration::from_secs(3),
                memory_mb: 128,
                environment: Default::default(),
                reserved_concurrency: None,
                layers: Vec::new(),
                location: gatewise_model::SourceLocation::new(
                    Arc::from(Path::new("template.yaml")),
                    12,
                    3,
                ),
            };
            let empty_path = tempfile::tempdir().unwrap();
            let mut interpreters = Interpreters::new(Some(empty_path.path().display().to_string()));
            let err = interpreters.launch(&function, 0, &files).unwrap_err();
            assert!(
                err.message
                    .starts_with("function HelloFunction (template.yaml:12:3)")
                    && err.message.contains(want),
                "{}",
                err.message
            );
        }
    }

    #[tokio::test]
    async fn a_layer_folder_that_is_gone_names_the_layer_and_where_it_is_used() {
        use std::sync::Arc;
        use std::time::Duration;

        let code = tempfile::tempdir().unwrap();
        let files = RuntimeFiles::create().unwrap();
        let at = |line| {
            gatewise_model::SourceLocation::new(Arc::from(Path::new("template.yaml")), line, 9)
        };
        let function = Function {
            logical_id: "HelloFunction".into(),
            name: "hello".into(),
            runtime: "provided.al2023".parse().unwrap(),
            handler: String::new(),
            code: FunctionCode::Directory(code.path().to_path_buf()),
            timeout: Duration::from_secs(3),
            memory_mb: 128,
            environment: Default::default(),
            reserved_concurrency: None,
            layers: vec![gatewise_model::Layer {
                logical_id: "Shared".into(),
                dir: code.path().join("gone"),
                location: at(20),
            }],
            location: at(12),
        };
        let err = Interpreters::new(None)
            .launch(&function, 0, &files)
            .unwrap_err();
        assert!(
            err.message.starts_with(
                "function HelloFunction (template.yaml:12:9) uses layer Shared (template.yaml:20:9), whose folder"
            ) && err.message.contains("is gone; restore it"),
            "{}",
            err.message
        );
    }

    #[test]
    fn the_runtime_directory_is_private() {
        let files = RuntimeFiles::create().unwrap();
        let mode = std::fs::metadata(files.runtime_dir())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700);
    }

    #[test]
    fn programs_are_found_only_when_executable() {
        let dir = tempfile::tempdir().unwrap();
        let exe = dir.path().join("tool");
        let plain = dir.path().join("plain");
        std::fs::write(&exe, "#!/bin/sh\n").unwrap();
        std::fs::write(&plain, "").unwrap();
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = dir.path().display().to_string();
        assert_eq!(find_program("tool", Some(&path)), Some(exe));
        assert_eq!(find_program("plain", Some(&path)), None);
        assert_eq!(find_program("missing", Some(&path)), None);
        assert_eq!(find_program("tool", None), None);
    }
}
