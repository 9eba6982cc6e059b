//! Who is on the other end of a Runtime API connection.
//!
//! Threat model: the Runtime API of an instance listens on a loopback TCP port, and every
//! local process — of any user — can connect to loopback. Whoever calls `/next` first gets
//! the invocation (the event, with the request's headers and tokens) and whoever posts to
//! `/response` decides what the client gets. So each connection is accepted only when the
//! socket on the other end belongs to a process of the instance's own process group (the
//! runtime client, a `bootstrap` and the children it keeps in its group). Other users'
//! processes and the user's other processes are refused before a byte is read.
//!
//! Why not a secret: `AWS_LAMBDA_RUNTIME_API` is `host:port` and every runtime client (the
//! official `lambda_runtime` crate, awslambdaric, the Node runtime) builds
//! `http://{AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/...` itself, so there is no place for a
//! path prefix or token; a Unix socket is not supported by those clients either.
//!
//! How (Linux): the peer's address is looked up in `/proc/net/tcp` (its owning uid and socket
//! inode), then the inode among the open descriptors of the group's processes
//! (`/proc/PID/fd`). Elsewhere there is no such lookup and every loopback connection is
//! accepted (documented in the crate docs).

use std::net::SocketAddr;

/// Whether the process on the other end of the connection `peer` → `local` belongs to the
/// process group `group` (the instance's process id).
#[cfg(target_os = "linux")]
pub(crate) fn belongs_to_group(peer: SocketAddr, local: SocketAddr, group: i32) -> bool {
    let Some((uid, inode)) = socket_of(peer, local) else {
        return false;
    };
    // A process of another user cannot be one of ours: no need to look further.
    if uid != nix::unistd::geteuid().as_raw() {
        return false;
    }
    let link = format!("socket:[{inode}]");
    if holds_socket(group, &link) {
        return true;
    }
    group_members(group).any(|pid| pid != group && holds_socket(pid, &link))
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn belongs_to_group(_peer: SocketAddr, _local: SocketAddr, _group: i32) -> bool {
    true
}

/// The uid and inode of the socket whose local address is `peer` and remote address `local`
/// (the client's end of the connection), from `/proc/net/tcp` or `/proc/net/tcp6`.
#[cfg(target_os = "linux")]
fn socket_of(peer: SocketAddr, local: SocketAddr) -> Option<(u32, u64)> {
    let table = match peer {
        SocketAddr::V4(_) => "/proc/net/tcp",
        SocketAddr::V6(_) => "/proc/net/tcp6",
    };
    let text = std::fs::read_to_string(table).ok()?;
    let (want_local, want_remote) = (proc_address(peer), proc_address(local));
    text.lines().skip(1).find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (address, remote) = (*fields.get(1)?, *fields.get(2)?);
        if !address.eq_ignore_ascii_case(&want_local) || !remote.eq_ignore_ascii_case(&want_remote)
        {
            return None;
        }
        Some((fields.get(7)?.parse().ok()?, fields.get(9)?.parse().ok()?))
    })
}

/// An address as `/proc/net/tcp*` prints it: the address bytes as native-endian 32-bit words
/// in hex, then the port in hex.
#[cfg(target_os = "linux")]
fn proc_address(address: SocketAddr) -> String {
    let words: Vec<[u8; 4]> = match address {
        SocketAddr::V4(v4) => vec![v4.ip().octets()],
        SocketAddr::V6(v6) => v6
            .ip()
            .octets()
            .chunks_exact(4)
            .map(|word| [word[0], word[1], word[2], word[3]])
            .collect(),
    };
    let mut text = String::with_capacity(38);
    for word in words {
        text.push_str(&format!("{:08X}", u32::from_ne_bytes(word)));
    }
    text.push_str(&format!(":{:04X}", address.port()));
    text
}

/// Whether process `pid` has the socket `link` (`socket:[inode]`) open.
#[cfg(target_os = "linux")]
fn holds_socket(pid: i32, link: &str) -> bool {
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return false;
    };
    fds.flatten()
        .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|target| target.as_os_str() == link))
}

/// The processes whose process group is `group`.
#[cfg(target_os = "linux")]
fn group_members(group: i32) -> impl Iterator<Item = i32> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<i32>().ok())
        .filter(move |pid| process_group(*pid) == Some(group))
}

/// The process group of `pid`, from `/proc/PID/stat` (field 5; the command name before it
/// may hold spaces and parentheses, so fields are counted after its closing `)`).
#[cfg(target_os = "linux")]
pub(crate) fn process_group(pid: i32) -> Option<i32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, rest) = stat.rsplit_once(") ")?;
    rest.split_whitespace().nth(2)?.parse().ok()
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::io::{Read, Write};
    use std::os::unix::process::CommandExt;

    use super::*;

    #[test]
    fn proc_addresses_are_native_endian_words() {
        let loopback: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let want = if cfg!(target_endian = "little") {
            "0100007F:1F90"
        } else {
            "7F000001:1F90"
        };
        assert_eq!(proc_address(loopback), want);
    }

    #[test]
    fn connections_are_traced_to_the_process_group_that_opened_them() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let local = listener.local_addr().unwrap();
        let mut client = std::net::TcpStream::connect(local).unwrap();
        let (mut server, peer) = listener.accept().unwrap();
        let own_group = nix::unistd::getpgrp().as_raw();
        assert!(belongs_to_group(peer, local, own_group));
        // A group this test process is not in (a child in a group of its own).
        let mut other = std::process::Command::new("sleep")
            .arg("5")
            .process_group(0)
            .spawn()
            .unwrap();
        let other_group = other.id() as i32;
        assert!(!belongs_to_group(peer, local, other_group));
        let _ = other.kill();
        let _ = other.wait();
        client.write_all(b"x").unwrap();
        let mut byte = [0];
        server.read_exact(&mut byte).unwrap();
    }

    #[test]
    fn process_groups_are_read_past_odd_command_names() {
        let own = nix::unistd::getpid().as_raw();
        assert_eq!(process_group(own), Some(nix::unistd::getpgrp().as_raw()));
        assert_eq!(process_group(-1), None);
    }
}
