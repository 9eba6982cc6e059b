//! `gatewise serve` watches the functions' code folders and their layers' folders, and restarts
//! a function's instances when its code or one of its layers changes, so an edited handler takes effect on the next request (as SAM CLI
//! rebuilds its warm containers). Routes and settings are not reloaded: a change to the
//! template only earns a line saying that a restart applies it.
//!
//! Events come from notify through notify-debouncer-full (which joins the rename pairs editors
//! produce on atomic save), in batches ~200 ms after the last change. A batch restarts every
//! function whose code folder contains a changed path (several functions often share one
//! folder); paths that are not code (caches, VCS data, editor swap files) are ignored, as are
//! mere reads (`node` opening the handler it loads).

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use gatewise_lambda::FunctionHost;
use gatewise_model::{FunctionCode, FunctionIndex, Stack};
use notify::event::{AccessKind, AccessMode, MetadataKind, ModifyKind};
use notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Quiet time after the last event before a batch is reported.
const DEBOUNCE: Duration = Duration::from_millis(200);

/// A running watcher; [`CodeWatcher::stop`] ends its threads and its task.
pub struct CodeWatcher {
    debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    dispatch: JoinHandle<()>,
}

impl CodeWatcher {
    /// Starts watching; `None` (after one warning line on stderr) when nothing can be
    /// watched, or when no function has a code folder and the template cannot be located.
    pub fn start(stack: &Stack, host: Arc<FunctionHost>) -> Option<CodeWatcher> {
        let plan = WatchPlan::new(stack);
        if plan.roots.is_empty() {
            return None;
        }
        let (tx, rx) = mpsc::unbounded_channel();
        let mut debouncer = match new_debouncer(DEBOUNCE, None, move |batch| {
            // The receiver is gone only during shutdown.
            let _ = tx.send(batch);
        }) {
            Ok(debouncer) => debouncer,
            Err(err) => {
                eprintln!("{}", startup_warning("code folders", &err));
                return None;
            }
        };
        let mut failed: Vec<(&Path, notify::Error)> = Vec::new();
        for (root, mode) in &plan.roots {
            if let Err(err) = debouncer.watch(root, *mode) {
                failed.push((root, err));
            }
        }
        if let Some((first, err)) = failed.first() {
            let what = match failed.len() - 1 {
                0 => first.display().to_string(),
                more => format!("{} and {more} more folder(s)", first.display()),
            };
            eprintln!("{}", startup_warning(&what, err));
            if failed.len() == plan.roots.len() {
                debouncer.stop_nonblocking();
                return None;
            }
        }
        let dispatch = tokio::spawn(dispatch(plan, rx, host));
        Some(CodeWatcher {
            debouncer,
            dispatch,
        })
    }

    /// Stops the watcher: the inotify and debouncer threads end (the debouncer's within one
    /// tick, ~50 ms, which this waits for) and no further restart is started.
    pub fn stop(self) {
        self.dispatch.abort();
        self.debouncer.stop();
    }
}

/// Applies each batch of events: restarts the functions whose code changed, and says that a
/// template change needs a restart.
async fn dispatch(
    plan: WatchPlan,
    mut batches: mpsc::UnboundedReceiver<DebounceEventResult>,
    host: Arc<FunctionHost>,
) {
    while let Some(batch) = batches.recv().await {
        let events = match batch {
            Ok(events) => events,
            Err(errors) => {
                for err in errors {
                    eprintln!("gatewise: warning: watching code folders: {err}");
                }
                continue;
            }
        };
        let changes = plan.classify(events.iter().map(|event| &event.event));
        if changes.template {
            eprintln!(
                "gatewise: {} changed; routes and settings are read at startup: restart gatewise to apply the change",
                plan.template_shown.display()
            );
        }
        for function in changes.functions {
            let host = Arc::clone(&host);
            tokio::spawn(async move { host.recycle(function).await });
        }
    }
}

/// The one line printed when watching cannot start; serving goes on without it.
fn startup_warning(what: &str, err: &notify::Error) -> String {
    let hint = match err.kind {
        notify::ErrorKind::MaxFilesWatch => {
            " (raise the limit, e.g. `sudo sysctl fs.inotify.max_user_watches=524288`)"
        }
        _ => "",
    };
    format!(
        "gatewise: warning: cannot watch {what} for code changes: {err}{hint}; serving continues, restart gatewise after editing code there (--no-watch silences this)"
    )
}

/// What to watch, and which functions each changed path concerns.
struct WatchPlan {
    /// Canonical code and layer folders, each with the functions whose `CodeUri` (or layer) it
    /// is.
    folders: Vec<(PathBuf, Vec<FunctionIndex>)>,
    /// The template file, canonical.
    template: Option<PathBuf>,
    /// The template as the command line named it, for the message.
    template_shown: PathBuf,
    /// Outermost code folders (recursive) and the template's folder (non-recursive, unless a
    /// code folder already covers it). A folder inside another is not watched twice.
    roots: Vec<(PathBuf, RecursiveMode)>,
}

/// What one batch of events changed.
#[derive(Debug, Default, PartialEq, Eq)]
struct Changes {
    functions: BTreeSet<FunctionIndex>,
    template: bool,
}

impl WatchPlan {
    fn new(stack: &Stack) -> WatchPlan {
        let mut folders: Vec<(PathBuf, Vec<FunctionIndex>)> = Vec::new();
        for (index, function) in stack.functions.iter().enumerate() {
            // Inline code never changes, but its layers may.
            let code = match &function.code {
                FunctionCode::Directory(dir) => Some(dir),
                FunctionCode::Inline(_) => None,
            };
            // A layer's files are the function's code as much as its own folder's are.
            for dir in code
                .into_iter()
                .chain(function.layers.iter().map(|l| &l.dir))
            {
                // The host has checked the folder; one gone since is simply not watched.
                let Ok(dir) = std::fs::canonicalize(dir) else {
                    continue;
                };
                match folders.iter_mut().find(|(known, _)| *known == dir) {
                    Some((_, functions)) if functions.contains(&index) => {}
                    Some((_, functions)) => functions.push(index),
                    None => folders.push((dir, vec![index])),
                }
            }
        }
        let template = std::fs::canonicalize(&stack.template_path).ok();

        let mut by_depth: Vec<&PathBuf> = folders.iter().map(|(dir, _)| dir).collect();
        by_depth.sort_by_key(|dir| dir.components().count());
        let mut roots: Vec<(PathBuf, RecursiveMode)> = Vec::new();
        for dir in by_depth {
            if !roots.iter().any(|(root, _)| dir.starts_with(root)) {
                roots.push((dir.clone(), RecursiveMode::Recursive));
            }
        }
        // The folder, not the file: an editor's atomic save replaces the file's inode. A
        // Terraform configuration is a folder already.
        let template_folder = template
            .as_deref()
            .and_then(|t| if t.is_dir() { Some(t) } else { t.parent() });
        if let Some(folder) = template_folder
            && !roots.iter().any(|(root, _)| folder.starts_with(root))
        {
            roots.push((folder.to_path_buf(), RecursiveMode::NonRecursive));
        }
        WatchPlan {
            folders,
            template,
            template_shown: stack.template_path.clone(),
            roots,
        }
    }

    /// A `.tf` or `.tfvars` file directly in the Terraform folder being served.
    fn is_terraform_source(&self, path: &Path) -> bool {
        self.template.as_deref().is_some_and(|folder| {
            path.parent() == Some(folder)
                && path.extension().is_some_and(|e| e == "tf" || e == "tfvars")
        })
    }

    fn classify<'e>(&self, events: impl IntoIterator<Item = &'e notify::Event>) -> Changes {
        let mut changes = Changes::default();
        for event in events {
            if event.need_rescan() {
                // Events were lost: any code may have changed.
                for (_, functions) in &self.folders {
                    changes.functions.extend(functions);
                }
                continue;
            }
            if !is_change(&event.kind) {
                continue;
            }
            for path in &event.paths {
                if self.template.as_ref() == Some(path) || self.is_terraform_source(path) {
                    changes.template = true;
                    continue;
                }
                for (dir, functions) in &self.folders {
                    if let Ok(relative) = path.strip_prefix(dir)
                        && !is_noise(relative)
                    {
                        changes.functions.extend(functions);
                    }
                }
            }
        }
        changes
    }
}

/// Whether an event can change what a process loads: reads (inotify reports every open) and
/// access-time updates cannot; anything else (writes, creates, removes, renames, modes) can.
fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)) => false,
        _ => true,
    }
}

/// Paths inside a code folder that are not code: tool caches (`node_modules/.cache`, Python's
/// `__pycache__`, which the Python runtime itself writes), `.git`, and editor swap and backup
/// files (`*.swp`, `*~`, Emacs `.#*` locks, JetBrains safe-write temporaries).
fn is_noise(relative: &Path) -> bool {
    let parts: Vec<&OsStr> = relative
        .components()
        .filter_map(|part| match part {
            Component::Normal(name) => Some(name),
            _ => None,
        })
        .collect();
    if parts
        .iter()
        .any(|part| *part == "__pycache__" || *part == ".git")
    {
        return true;
    }
    if parts
        .windows(2)
        .any(|pair| pair[0] == "node_modules" && pair[1] == ".cache")
    {
        return true;
    }
    let Some(name) = parts.last().and_then(|name| name.to_str()) else {
        return false;
    };
    [".swp", ".swo", ".swx", "~", "___jb_tmp___", "___jb_old___"]
        .iter()
        .any(|suffix| name.ends_with(suffix))
        || name.starts_with(".#")
}

#[cfg(test)]
mod tests {
    use super::*;
    use gatewise_model::{Function, SourceLocation};
    use notify::event::{CreateKind, DataChange, Event, RemoveKind};

    fn function(code: FunctionCode) -> Function {
        Function {
            logical_id: "F".into(),
            name: "F".into(),
            runtime: "nodejs20.x".parse().unwrap(),
            handler: "app.handler".into(),
            code,
            timeout: Duration::from_secs(3),
            memory_mb: 128,
            environment: Default::default(),
            reserved_concurrency: None,
            layers: Vec::new(),
            location: SourceLocation::new(Arc::from(Path::new("template.yaml")), 1, 1),
        }
    }

    /// A project: template.yaml, a/, a/lib/, b/; functions 0 and 2 share a/, 1 is in b/,
    /// 3 in a/lib/, 4 is inline.
    fn project() -> (tempfile::TempDir, WatchPlan) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("a/lib")).unwrap();
        std::fs::create_dir_all(root.join("b")).unwrap();
        std::fs::write(root.join("template.yaml"), "").unwrap();
        let stack = Stack {
            template_path: root.join("template.yaml"),
            functions: vec![
                function(FunctionCode::Directory(root.join("a"))),
                function(FunctionCode::Directory(root.join("b/"))),
                function(FunctionCode::Directory(root.join("a/."))),
                function(FunctionCode::Directory(root.join("a/lib"))),
                function(FunctionCode::Inline("exports.handler = 1".into())),
            ],
            ..Stack::default()
        };
        let plan = WatchPlan::new(&stack);
        (dir, plan)
    }

    fn event(kind: EventKind, paths: &[PathBuf]) -> Event {
        let mut event = Event::new(kind);
        for path in paths {
            event = event.add_path(path.clone());
        }
        event
    }

    fn write(path: PathBuf) -> Event {
        event(
            EventKind::Modify(ModifyKind::Data(DataChange::Any)),
            &[path],
        )
    }

    #[test]
    fn roots_are_the_outermost_code_folders_and_the_template_folder() {
        let (dir, plan) = project();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        assert_eq!(
            plan.roots,
            vec![
                (root.join("a"), RecursiveMode::Recursive),
                (root.join("b"), RecursiveMode::Recursive),
                (root.clone(), RecursiveMode::NonRecursive),
            ]
        );
        assert_eq!(plan.folders.len(), 3, "a/ and a/. are one folder");
    }

    #[test]
    fn a_template_inside_a_code_folder_is_not_watched_twice() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("template.yaml"), "").unwrap();
        let stack = Stack {
            template_path: dir.path().join("template.yaml"),
            functions: vec![function(FunctionCode::Directory(dir.path().into()))],
            ..Stack::default()
        };
        let plan = WatchPlan::new(&stack);
        let root = std::fs::canonicalize(dir.path()).unwrap();
        assert_eq!(plan.roots, vec![(root.clone(), RecursiveMode::Recursive)]);
        // Editing the template is a template change, not a code change.
        let changes = plan.classify([&write(root.join("template.yaml"))]);
        assert_eq!(
            changes,
            Changes {
                functions: BTreeSet::new(),
                template: true
            }
        );
        let changes = plan.classify([&write(root.join("app.js"))]);
        assert_eq!(changes.functions, BTreeSet::from([0]));
    }

    #[test]
    fn a_terraform_folder_is_watched_for_tf_and_tfvars_changes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("src")).unwrap();
        let stack = Stack {
            template_path: dir.path().into(),
            functions: vec![function(FunctionCode::Directory(dir.path().join("src")))],
            ..Stack::default()
        };
        let plan = WatchPlan::new(&stack);
        let root = std::fs::canonicalize(dir.path()).unwrap();
        assert_eq!(
            plan.roots,
            vec![
                (root.join("src"), RecursiveMode::Recursive),
                (root.clone(), RecursiveMode::NonRecursive),
            ]
        );
        let cases: [(PathBuf, &[FunctionIndex], bool); 4] = [
            (root.join("main.tf"), &[], true),
            (root.join("terraform.tfvars"), &[], true),
            (root.join("README.md"), &[], false),
            (root.join("src/index.js"), &[0], false),
        ];
        for (path, functions, template) in cases {
            let changes = plan.classify([&write(path.clone())]);
            assert_eq!(
                changes,
                Changes {
                    functions: functions.iter().copied().collect(),
                    template
                },
                "{}",
                path.display()
            );
        }
    }

    #[test]
    fn a_change_restarts_every_function_whose_folder_contains_it() {
        let (dir, plan) = project();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let cases: Vec<(Event, &[FunctionIndex], bool)> = vec![
            (write(root.join("a/app.js")), &[0, 2], false),
            (write(root.join("a/lib/util.js")), &[0, 2, 3], false),
            (write(root.join("b/app.py")), &[1], false),
            (
                event(
                    EventKind::Create(CreateKind::File),
                    &[root.join("b/new.js")],
                ),
                &[1],
                false,
            ),
            (
                event(
                    EventKind::Remove(RemoveKind::File),
                    &[root.join("a/old.js")],
                ),
                &[0, 2],
                false,
            ),
            (
                event(
                    EventKind::Modify(ModifyKind::Name(notify::event::RenameMode::Both)),
                    &[root.join("b/.app.js.tmp"), root.join("b/app.js")],
                ),
                &[1],
                false,
            ),
            (
                event(
                    EventKind::Access(AccessKind::Close(AccessMode::Write)),
                    &[root.join("b/app.js")],
                ),
                &[1],
                false,
            ),
            (write(root.join("template.yaml")), &[], true),
            (write(root.join("README.md")), &[], false),
        ];
        for (event, functions, template) in cases {
            let changes = plan.classify([&event]);
            assert_eq!(
                changes,
                Changes {
                    functions: functions.iter().copied().collect(),
                    template
                },
                "{event:?}"
            );
        }
    }

    #[test]
    fn reads_caches_and_editor_files_are_not_changes() {
        let (dir, plan) = project();
        let a = std::fs::canonicalize(dir.path()).unwrap().join("a");
        let quiet = [
            event(
                EventKind::Access(AccessKind::Open(AccessMode::Any)),
                &[a.join("app.js")],
            ),
            event(
                EventKind::Access(AccessKind::Close(AccessMode::Read)),
                &[a.join("app.js")],
            ),
            event(
                EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)),
                &[a.join("app.js")],
            ),
            write(a.join("node_modules/.cache/babel/x.json")),
            write(a.join("__pycache__/app.cpython-312.pyc")),
            write(a.join("lib/__pycache__")),
            write(a.join(".git/index")),
            write(a.join(".app.js.swp")),
            write(a.join("app.js~")),
            write(a.join(".#app.js")),
            write(a.join("app.js___jb_tmp___")),
        ];
        for event in &quiet {
            assert_eq!(plan.classify([event]), Changes::default(), "{event:?}");
        }
        // node_modules itself is code; only its cache is not.
        let changes = plan.classify([&write(a.join("node_modules/left-pad/index.js"))]);
        assert_eq!(changes.functions, BTreeSet::from([0, 2]));
    }

    #[test]
    fn the_startup_warning_is_one_line_with_a_hint_for_the_inotify_limit() {
        let limit = notify::Error::new(notify::ErrorKind::MaxFilesWatch);
        let line = startup_warning("/code/a and 2 more folder(s)", &limit);
        assert!(
            line.starts_with(
                "gatewise: warning: cannot watch /code/a and 2 more folder(s) for code changes: "
            ) && line.contains("fs.inotify.max_user_watches")
                && line.contains("serving continues")
                && !line.contains('\n'),
            "{line}"
        );
        let other = notify::Error::generic("boom");
        assert!(!startup_warning("x", &other).contains("sysctl"));
    }

    #[test]
    fn a_change_in_a_layer_restarts_the_functions_that_use_it() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for folder in ["f", "g", "layers/common", "layers/node"] {
            std::fs::create_dir_all(root.join(folder)).unwrap();
        }
        std::fs::write(root.join("template.yaml"), "").unwrap();
        let layer = |name: &str| gatewise_model::Layer {
            logical_id: name.into(),
            dir: root.join("layers").join(name),
            location: SourceLocation::new(Arc::from(Path::new("template.yaml")), 1, 1),
        };
        let with_layers = |code: FunctionCode, layers: &[&str]| Function {
            layers: layers.iter().map(|name| layer(name)).collect(),
            ..function(code)
        };
        // 0 and 1 share `common`; 1 also has `node`; 2 is inline with `node`; 3 has none.
        let stack = Stack {
            template_path: root.join("template.yaml"),
            functions: vec![
                with_layers(FunctionCode::Directory(root.join("f")), &["common"]),
                with_layers(FunctionCode::Directory(root.join("g")), &["common", "node"]),
                with_layers(FunctionCode::Inline("x".into()), &["node"]),
                function(FunctionCode::Directory(root.join("g"))),
            ],
            ..Stack::default()
        };
        let plan = WatchPlan::new(&stack);
        let root = std::fs::canonicalize(root).unwrap();
        assert!(
            plan.roots
                .contains(&(root.join("layers/common"), RecursiveMode::Recursive))
                && plan
                    .roots
                    .contains(&(root.join("layers/node"), RecursiveMode::Recursive)),
            "{:?}",
            plan.roots
        );
        let cases: [(PathBuf, &[FunctionIndex]); 5] = [
            (
                root.join("layers/common/nodejs/node_modules/shared/index.js"),
                &[0, 1],
            ),
            (root.join("layers/node/python/shared.py"), &[1, 2]),
            (root.join("layers/node/python/__pycache__/shared.pyc"), &[]),
            (root.join("g/app.js"), &[1, 3]),
            (root.join("f/app.js"), &[0]),
        ];
        for (path, functions) in cases {
            assert_eq!(
                plan.classify([&write(path.clone())]).functions,
                functions.iter().copied().collect(),
                "{}",
                path.display()
            );
        }
    }

    #[test]
    fn a_rescan_restarts_every_watched_function() {
        let (_dir, plan) = project();
        let rescan = Event::new(EventKind::Other).set_flag(notify::event::Flag::Rescan);
        assert_eq!(
            plan.classify([&rescan]).functions,
            BTreeSet::from([0, 1, 2, 3])
        );
    }
}
