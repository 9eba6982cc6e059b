//! `MemorySize`, enforced the way Lambda enforces it: an instance whose processes hold more
//! memory than the function's `MemorySize` is killed, and its invocation fails with
//! `Runtime.OutOfMemory` ("Runtime exited with error: signal: killed").
//!
//! Lambda caps the execution environment with a cgroup; gatewise cannot create cgroups
//! without privileges, and an address-space limit (`RLIMIT_AS`) breaks Node, whose V8 reserves
//! far more address space than it uses. So while an instance runs an invocation, gatewise
//! reads the resident memory (`VmRSS`) of the instance's process and of every process it
//! started, at most once every [`MEMORY_POLL_INTERVAL`] of the instance's life (the schedule
//! runs across invocations, so a stream of 1 ms invocations is read ten times a second, not a
//! thousand). A peak shorter than that interval can pass unnoticed; memory allocated during
//! init or between invocations is seen by the first invocation that runs when a read is due.
//! Linux only (`/proc`); elsewhere nothing is enforced.

use std::time::Duration;

/// Whether an instance over its function's `MemorySize` is killed (see the module docs).
pub const ENFORCE_MEMORY_SIZE: bool = cfg!(target_os = "linux");

/// How often a running invocation's memory is read: often enough to catch a handler that
/// allocates and keeps its memory for a moment, rarely enough that reading `/proc` costs
/// nothing measurable (a few system calls per process, ten times a second).
pub const MEMORY_POLL_INTERVAL: Duration = Duration::from_millis(100);

/// Resident memory, in bytes, of process `pid` and all its descendants; `None` when `pid` is
/// gone. Descendants are found through `/proc/PID/task/TID/children`, so processes that left
/// the tree (daemonised, reparented) are not counted.
pub(crate) fn tree_rss_bytes(pid: i32) -> Option<u64> {
    let mut total = rss_bytes(pid)?;
    let mut stack = children(pid);
    // Bounded: a fork bomb must not keep this loop going.
    let mut budget = 4096;
    while let Some(child) = stack.pop() {
        budget -= 1;
        if budget == 0 {
            break;
        }
        total += rss_bytes(child).unwrap_or(0);
        stack.extend(children(child));
    }
    Some(total)
}

fn rss_bytes(pid: i32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line
        .trim_start_matches("VmRSS:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

fn children(pid: i32) -> Vec<i32> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    tasks
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("children")).ok())
        .flat_map(|list| {
            list.split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect::<Vec<i32>>()
        })
        .collect()
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn a_process_tree_s_memory_includes_its_children() {
        // `sh` stays as the parent of `sleep` (the `:` after it keeps sh from exec-ing it).
        let mut shell = std::process::Command::new("sh")
            .args(["-c", "sleep 30; :"])
            .spawn()
            .unwrap();
        let pid = shell.id() as i32;
        let mut kids = Vec::new();
        for _ in 0..500 {
            kids = children(pid);
            if !kids.is_empty() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(kids.len(), 1, "sh never started sleep");
        // A process just started still maps pages: compare once both readings hold still.
        let mut readings = (0, 0, 0);
        for _ in 0..200 {
            let before = (rss_bytes(pid).unwrap(), rss_bytes(kids[0]).unwrap());
            let tree = tree_rss_bytes(pid).unwrap();
            let after = (rss_bytes(pid).unwrap(), rss_bytes(kids[0]).unwrap());
            readings = (tree, after.0, after.1);
            if before == after {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let (tree, sh, sleep) = readings;
        assert!(sh > 0 && sleep > 0);
        assert_eq!(tree, sh + sleep);
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(kids[0]),
            nix::sys::signal::Signal::SIGKILL,
        );
        let _ = shell.kill();
        let _ = shell.wait();
        assert_eq!(tree_rss_bytes(pid), None);
    }
}
