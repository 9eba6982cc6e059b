//! One function instance: a process in its own process group, its Runtime API (the HTTP
//! server, and for gatewise's own runtime clients the pipe they inherit), and the tasks that
//! forward its output and wait for it to exit.
//!
//! The process group matters because handlers spawn children (a shell, a headless browser):
//! killing the group on timeout, crash or shutdown leaves nothing behind; children that left
//! the group, and gatewise's own sudden death, are covered by [`crate::cleanup`].

use std::collections::HashMap;
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::process::ExitStatusExt;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use gatewise_model::Function;
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tokio::net::TcpListener;
use tokio::process::Command;
use tokio::sync::{mpsc, watch};

use crate::cleanup;
use crate::environment::{self, HostEnvironment, InstanceEnvironment};
use crate::log_tail::{LogTail, TailSlot};
use crate::memory::{self, ENFORCE_MEMORY_SIZE, MEMORY_POLL_INTERVAL};
use crate::runtime_api::pipe::CHILD_FD;
use crate::runtime_api::{self, ApiEvent, ErrorReport, PendingInvocation, RuntimeApi};
use crate::runtimes::{Launch, Transport};
use crate::{EnvOverrides, log};

/// How long an instance may take from spawn to its first `/next`: Lambda's limit on the init
/// phase of an on-demand function.
pub const INIT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long to wait for a killed process to be reaped before giving up on it (SIGKILL cannot
/// be ignored, so this only guards against a wedged kernel or a stopped reaper).
const KILL_WAIT: Duration = Duration::from_secs(5);

/// Everything needed to start instances of one function, prepared once.
pub(crate) struct FunctionSpec {
    pub function: Function,
    /// The function's name as log prefix.
    pub log_name: Arc<str>,
    pub launch: Launch,
    pub runtime_dir: std::path::PathBuf,
    pub host_env: Arc<HostEnvironment>,
    pub overrides: Arc<EnvOverrides>,
}

impl FunctionSpec {
    /// What init failures are about: the handler, or the bootstrap for `provided` runtimes.
    pub fn entry_point(&self) -> String {
        if self.function.handler.is_empty() {
            format!("bootstrap {}", self.launch.program.display())
        } else {
            format!("handler '{}'", self.function.handler)
        }
    }
}

/// The process groups of one pool's instances, so shutdown can reach the busy ones too.
#[derive(Default)]
pub(crate) struct ProcessRegistry {
    state: Mutex<RegistryState>,
}

#[derive(Default)]
struct RegistryState {
    closed: bool,
    /// By process id: the instance's environment marker and its exit.
    processes: HashMap<i32, (String, watch::Receiver<Option<String>>)>,
}

impl ProcessRegistry {
    fn state(&self) -> std::sync::MutexGuard<'_, RegistryState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records a new process; false once the registry is closed (the caller kills it).
    fn register(&self, pid: i32, marker: &str, exit: watch::Receiver<Option<String>>) -> bool {
        let mut state = self.state();
        if state.closed {
            return false;
        }
        state.processes.insert(pid, (marker.to_owned(), exit));
        true
    }

    fn remove(&self, pid: i32) {
        self.state().processes.remove(&pid);
    }

    /// Refuses new processes and kills every process group still registered.
    pub fn close_and_kill(&self) -> Vec<watch::Receiver<Option<String>>> {
        let mut state = self.state();
        state.closed = true;
        for (pid, (marker, _)) in &state.processes {
            kill_instance(*pid, marker);
        }
        state
            .processes
            .values()
            .map(|(_, exit)| exit.clone())
            .collect()
    }

    pub fn len(&self) -> usize {
        self.state().processes.len()
    }
}

/// How an invocation on an instance ended.
pub(crate) enum Outcome {
    Response(Bytes),
    Error(ErrorReport),
    /// The deadline passed; the process group has been killed.
    TimedOut,
    /// The process exited after receiving the event.
    Exited(String),
    /// The process went away before it took the event; another instance can take it.
    NotDelivered,
    /// The instance's processes held more than `MemorySize` (this many bytes); the process
    /// group has been killed.
    OutOfMemory(u64),
}

pub(crate) struct Instance {
    pid: i32,
    queue: mpsc::Sender<PendingInvocation>,
    events: mpsc::UnboundedReceiver<ApiEvent>,
    exit: watch::Receiver<Option<String>>,
    /// Reported once, on the instance's first invocation.
    init_duration: Option<Duration>,
    /// The pool's code generation when the instance was started; a code change makes it stale.
    generation: u64,
    /// The environment entry every process of this instance inherits ([`cleanup`]).
    marker: String,
    /// The log tail of the invocation in progress, fed by the output forwarders.
    tail: TailSlot,
    /// When the instance's memory is next read. Kept across invocations, so memory is read
    /// every [`MEMORY_POLL_INTERVAL`] of running time however short the invocations are,
    /// instead of at the start of each (which cost a sixth of gatewise's CPU under load).
    next_memory_read: tokio::time::Instant,
    _api: RuntimeApi,
}

impl Drop for Instance {
    fn drop(&mut self) {
        // Idle or broken, the instance is done: nothing it started may outlive it.
        kill_instance(self.pid, &self.marker);
    }
}

impl Instance {
    /// From now on, what the instance's processes print also goes to `tail` (`None` stops).
    pub(crate) fn log_to(&self, tail: Option<LogTail>) {
        self.tail.install(tail);
    }

    /// Starts a process and waits until it asks for its first invocation. The error is the
    /// cause of an init failure, for `InvokeError::InitFailed`. `generation` is the pool's code
    /// generation read before the process starts (so before it reads any code).
    pub async fn start(
        spec: &FunctionSpec,
        registry: &Arc<ProcessRegistry>,
        generation: u64,
    ) -> Result<Instance, String> {
        let started = Instant::now();
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|err| format!("could not open a Runtime API port: {err}"))?;
        let (owner_tx, owner) = watch::channel(None);
        let (mut api, queue, events) = runtime_api::serve(listener, &spec.function.name, owner)
            .map_err(|err| format!("could not open a Runtime API port: {err}"))?;
        let pipe = match spec.launch.transport {
            Transport::Http => None,
            Transport::Pipe => Some(
                runtime_pipe()
                    .map_err(|err| format!("could not open a Runtime API pipe: {err}"))?,
            ),
        };
        let runtime_api = api.address.to_string();
        let marker = cleanup::instance_marker(&runtime_api);
        let log_stream_name = environment::log_stream_name();
        let env = environment::function_environment(
            &spec.function,
            &spec.host_env,
            &InstanceEnvironment {
                runtime_api: &runtime_api,
                log_stream_name: &log_stream_name,
                task_root: &spec.launch.task_root,
                runtime_dir: &spec.runtime_dir,
            },
            &spec.overrides,
        );
        let mut command = Command::new(&spec.launch.program);
        command
            .args(&spec.launch.args)
            .env_clear()
            .envs(env)
            .current_dir(&spec.launch.task_root)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true);
        die_with_parent(&mut command);
        if let Some((_, theirs)) = &pipe {
            inherit_pipe(&mut command, theirs.as_raw_fd());
        }
        let mut child = command
            .spawn()
            .map_err(|err| format!("could not run {}: {err}", spec.launch.program.display()))?;
        let pid = child
            .id()
            .and_then(|pid| i32::try_from(pid).ok())
            .ok_or("the process exited as soon as it started")?;
        // The process is its own group's leader: the Runtime API serves that group only.
        let _ = owner_tx.send(Some(pid));
        if let Some((ours, theirs)) = pipe {
            // gatewise keeps no copy of the process's end, so it reads end-of-file once the
            // process has shut its side down or exited.
            drop(theirs);
            let marker = marker.clone();
            api.serve_pipe(ours, move || kill_instance(pid, &marker));
        }
        cleanup::spawn_keeper(pid, &spec.runtime_dir, &marker);
        let (exit_tx, exit) = watch::channel(None);
        if !registry.register(pid, &marker, exit.clone()) {
            kill_instance(pid, &marker);
            return Err("gatewise is shutting down".into());
        }
        let tail = TailSlot::default();
        if let Some(stdout) = child.stdout.take() {
            tokio::spawn(log::forward(spec.log_name.clone(), stdout, tail.clone()));
        }
        if let Some(stderr) = child.stderr.take() {
            tokio::spawn(log::forward(spec.log_name.clone(), stderr, tail.clone()));
        }
        let reaper_registry = Arc::clone(registry);
        tokio::spawn(async move {
            let status = match child.wait().await {
                Ok(status) => describe_exit(status),
                Err(err) => format!("lost track of the process: {err}"),
            };
            reaper_registry.remove(pid);
            let _ = exit_tx.send(Some(status));
        });
        let mut instance = Instance {
            pid,
            queue,
            events,
            exit,
            init_duration: None,
            generation,
            marker,
            tail,
            next_memory_read: tokio::time::Instant::now(),
            _api: api,
        };
        if let Err(cause) = instance.wait_until_ready().await {
            // Reaped before the slot is given back, so the pool never exceeds its ceiling.
            instance.kill_and_wait().await;
            return Err(cause);
        }
        instance.init_duration = Some(started.elapsed());
        Ok(instance)
    }

    async fn wait_until_ready(&mut self) -> Result<(), String> {
        let limit = tokio::time::sleep(INIT_TIMEOUT);
        tokio::pin!(limit);
        loop {
            tokio::select! {
                biased;
                event = self.events.recv() => match event {
                    Some(ApiEvent::Ready) => return Ok(()),
                    Some(ApiEvent::InitError(report)) => {
                        return Err(format!("{}: {}", report.error_type, report.error_message));
                    }
                    Some(_) => {}
                    None => return Err("its Runtime API stopped".into()),
                },
                status = self.exit.wait_for(Option::is_some) => {
                    let status = status.ok().and_then(|s| s.clone()).unwrap_or_default();
                    return Err(format!(
                        "the process exited ({status}) before asking for its first invocation; its output is above"
                    ));
                }
                () = &mut limit => {
                    return Err(format!(
                        "it did not ask for its first invocation within {} s (Lambda's init limit)",
                        INIT_TIMEOUT.as_secs()
                    ));
                }
            }
        }
    }

    pub fn pid(&self) -> i32 {
        self.pid
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn has_exited(&self) -> bool {
        self.exit.borrow().is_some()
    }

    pub fn take_init_duration(&mut self) -> Option<Duration> {
        self.init_duration.take()
    }

    /// Runs one invocation. On [`Outcome::TimedOut`] and [`Outcome::OutOfMemory`] the process
    /// group is already dead. `memory_limit` is `MemorySize` in bytes.
    pub async fn invoke(
        &mut self,
        request_id: String,
        payload: Bytes,
        timeout: Duration,
        memory_limit: u64,
    ) -> Outcome {
        let pending = PendingInvocation {
            request_id,
            payload,
            timeout,
        };
        if self.queue.try_send(pending).is_err() {
            return Outcome::NotDelivered;
        }
        let mut deadline: Option<Instant> = None;
        let mut out_of_memory = None;
        loop {
            let timer = tokio::time::sleep_until(deadline.unwrap_or_else(Instant::now).into());
            let memory_read = tokio::time::sleep_until(self.next_memory_read);
            tokio::select! {
                biased;
                event = self.events.recv() => match event {
                    Some(ApiEvent::Started { deadline: at }) => deadline = Some(at),
                    Some(ApiEvent::Response(body)) => return Outcome::Response(body),
                    Some(ApiEvent::Error(report)) => return Outcome::Error(report),
                    Some(ApiEvent::Ready | ApiEvent::InitError(_)) => {}
                    None => return Outcome::Exited("its Runtime API stopped".into()),
                },
                status = self.exit.wait_for(Option::is_some) => {
                    let status = status.ok().and_then(|s| s.clone()).unwrap_or_default();
                    return match deadline {
                        Some(_) => Outcome::Exited(status),
                        None => Outcome::NotDelivered,
                    };
                }
                () = timer, if deadline.is_some() => break,
                () = memory_read, if ENFORCE_MEMORY_SIZE && deadline.is_some() => {
                    self.next_memory_read = tokio::time::Instant::now() + MEMORY_POLL_INTERVAL;
                    if let Some(used) = memory::tree_rss_bytes(self.pid)
                        && used > memory_limit
                    {
                        out_of_memory = Some(used);
                        break;
                    }
                }
            }
        }
        self.kill_and_wait().await;
        match out_of_memory {
            Some(used) => Outcome::OutOfMemory(used),
            None => Outcome::TimedOut,
        }
    }

    /// Kills the process group and waits until the process has been reaped, so a pool never
    /// counts more live processes than its ceiling.
    pub async fn kill_and_wait(&mut self) {
        self.kill();
        self.wait_reaped().await;
    }

    /// Kills the process group and the instance's detached processes (SIGKILL), without
    /// waiting.
    pub fn kill(&self) {
        kill_instance(self.pid, &self.marker);
    }

    /// Waits (bounded) until the process has been reaped.
    pub async fn wait_reaped(&mut self) {
        let _ = tokio::time::timeout(KILL_WAIT, self.exit.wait_for(Option::is_some)).await;
    }
}

/// Kills the instance's process group, then every process that carries its marker.
fn kill_instance(pid: i32, marker: &str) {
    // ESRCH (already gone) is the usual and only expected error.
    let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
    cleanup::kill_marked(marker);
}

/// "exit status 1" / "killed by signal 9", the way Lambda words `Runtime exited with error`.
fn describe_exit(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit status {code}"),
        (None, Some(signal)) => format!("killed by signal {signal}"),
        (None, None) => "exited".into(),
    }
}

/// Linux: the process gets SIGKILL when the thread that spawned it dies, so a gatewise killed
/// with SIGKILL leaves no orphan. Instances are spawned from runtime worker threads, which
/// live as long as the runtime.
#[cfg(target_os = "linux")]
fn die_with_parent(command: &mut Command) {
    // SAFETY: the closure runs between fork and exec and only calls prctl(2), which is
    // async-signal-safe; it allocates nothing.
    unsafe {
        command.pre_exec(|| {
            nix::sys::prctl::set_pdeathsig(Signal::SIGKILL).map_err(std::io::Error::from)
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn die_with_parent(_command: &mut Command) {}

/// A socket pair for the Runtime API pipe: gatewise's end, ready for the runtime, and the
/// process's end (close-on-exec until [`inherit_pipe`] places it).
fn runtime_pipe() -> std::io::Result<(tokio::net::UnixStream, std::os::unix::net::UnixStream)> {
    let (ours, theirs) = std::os::unix::net::UnixStream::pair()?;
    ours.set_nonblocking(true)?;
    Ok((tokio::net::UnixStream::from_std(ours)?, theirs))
}

/// The process gets `fd`, its end of the Runtime API pipe, as descriptor [`CHILD_FD`], which
/// its runtime client is told to use.
fn inherit_pipe(command: &mut Command, fd: RawFd) {
    // SAFETY: the closure runs between fork and exec and only calls dup2(2) or fcntl(2), which
    // are async-signal-safe; it allocates nothing (the error is an OS error code).
    unsafe {
        command.pre_exec(move || {
            // dup2 onto itself would leave close-on-exec set, and the descriptor would close at
            // exec; dup2 to another number clears it on the copy.
            let result = if fd == CHILD_FD {
                nix::libc::fcntl(fd, nix::libc::F_SETFD, 0)
            } else {
                nix::libc::dup2(fd, CHILD_FD)
            };
            if result == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exits_are_worded_like_lambda() {
        let cases = [
            (ExitStatus::from_raw(0), "exit status 0"),
            (ExitStatus::from_raw(1 << 8), "exit status 1"),
            (ExitStatus::from_raw(9), "killed by signal 9"),
        ];
        for (status, want) in cases {
            assert_eq!(describe_exit(status), want);
        }
    }
}
