//! Ending every process an instance started, however it started it and however gatewise ends.
//!
//! An instance runs in a process group of its own, and killing the group ends the runtime and
//! every child that stayed in it. Two kinds of process escape that:
//!
//! - Detached children (`setsid`, Node's `detached: true`) leave the group. They keep the
//!   environment they were started with, which holds the instance's own
//!   `AWS_LAMBDA_RUNTIME_API=127.0.0.1:PORT` (a port no other live instance has), so
//!   [`kill_marked`] finds them in `/proc/PID/environ` whoever their parent is now. A child
//!   that both leaves the group and drops that variable is out of reach (documented).
//! - Everything, when gatewise itself is killed with SIGKILL: no code of gatewise runs then.
//!   The runtime process gets SIGKILL from the kernel (`PR_SET_PDEATHSIG`), and a *keeper*
//!   ([`spawn_keeper`]) — a `/bin/sh` in the instance's group, blocked reading a pipe whose
//!   only writer is gatewise — wakes up at gatewise's death (end of file), removes the
//!   runtime directory, kills the marked processes and then the group, itself included.
//!
//! Why not `PR_SET_CHILD_SUBREAPER`: it would make gatewise the parent of every orphan, so
//! gatewise would have to reap processes that tokio does not know about without stealing the
//! exit status of the ones it does; the environment marker finds the same processes without
//! taking over reaping.

use std::path::Path;
use std::process::Stdio;
use std::sync::OnceLock;

use nix::sys::signal::{Signal, kill, killpg};
use nix::unistd::Pid;

/// The environment entry that marks every process of one instance.
pub(crate) fn instance_marker(runtime_api: &str) -> String {
    format!("AWS_LAMBDA_RUNTIME_API={runtime_api}")
}

/// SIGKILLs every process (and the group it leads) whose environment holds `marker`.
#[cfg(target_os = "linux")]
pub(crate) fn kill_marked(marker: &str) {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return;
    };
    let own = std::process::id();
    for pid in entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| *pid != own)
    {
        // Only our own processes are readable; a process gone meanwhile is fine too.
        let Ok(environ) = std::fs::read(format!("/proc/{pid}/environ")) else {
            continue;
        };
        if environ
            .split(|b| *b == 0)
            .any(|entry| entry == marker.as_bytes())
            && let Ok(raw) = i32::try_from(pid)
        {
            let _ = killpg(Pid::from_raw(raw), Signal::SIGKILL);
            let _ = kill(Pid::from_raw(raw), Signal::SIGKILL);
        }
    }
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn kill_marked(_marker: &str) {}

/// The read end of the pipe every keeper waits on; its write end stays open (and unwritten)
/// for as long as this process lives.
fn death_pipe() -> Option<&'static std::io::PipeReader> {
    static PIPE: OnceLock<Option<(std::io::PipeReader, std::io::PipeWriter)>> = OnceLock::new();
    PIPE.get_or_init(|| std::io::pipe().ok())
        .as_ref()
        .map(|(reader, _writer)| reader)
}

/// What a keeper runs: `$1` the group, `$2` the runtime directory, `$3` the marker.
const KEEPER_SCRIPT: &str = r#"read _ignored
rm -rf -- "$2"
for environ in /proc/[0-9]*/environ; do
  pid=${environ#/proc/}; pid=${pid%/environ}
  if tr '\0' '\n' < "$environ" 2>/dev/null | grep -qxF -- "$3"; then kill -9 "$pid" 2>/dev/null; fi
done
kill -9 -- "-$1""#;

/// Starts the keeper of the instance whose runtime process is `group` (see the module docs).
/// Best effort: without one, only gatewise's own death is unguarded.
pub(crate) fn spawn_keeper(group: i32, runtime_dir: &Path, marker: &str) {
    let Some(stdin) = death_pipe().and_then(|reader| reader.try_clone().ok()) else {
        return;
    };
    let spawned = tokio::process::Command::new("/bin/sh")
        .arg("-c")
        .arg(KEEPER_SCRIPT)
        .arg("gatewise-keeper")
        .arg(group.to_string())
        .arg(runtime_dir)
        .arg(marker)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .stdin(Stdio::from(stdin))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(group)
        .spawn();
    if let Ok(mut keeper) = spawned {
        // It dies with the group; waiting reaps it. Not killed on drop: when gatewise exits
        // any other way than through its shutdown, the keeper's cleanup is what is left.
        tokio::spawn(async move {
            let _ = keeper.wait().await;
        });
    }
}
