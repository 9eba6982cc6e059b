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
//! How (Linux), per accepted connection, in two steps:
//!
//! 1. The kernel is asked for exactly the socket on the other end: a `NETLINK_SOCK_DIAG`
//!    request (`inet_diag_req_v2`, as `ss` sends) naming the connection's 4-tuple answers with
//!    that socket's owning uid and inode in one round trip, whatever the number of sockets on
//!    the machine. Only where sock_diag is missing (a kernel without `inet_diag`) is the
//!    socket looked up in `/proc/net/tcp`, a table that holds every TCP socket of the network
//!    namespace and grows to thousands of lines under load.
//! 2. The inode is looked for among the open descriptors (`/proc/PID/fd`) of the group's
//!    processes: first the group leader and the members that held earlier connections
//!    ([`GroupMembers`] remembers them), and only when none of them holds it, every process
//!    of the group, found by a scan of `/proc`. The runtime client is almost always the leader
//!    or a process already seen, so a connection costs one netlink round trip and a read of
//!    one small descriptor table.
//!
//! Elsewhere there is no such lookup and every loopback connection is accepted (documented in
//! the crate docs).

use std::net::SocketAddr;

/// Whether the process on the other end of the connection `peer` → `local` belongs to the
/// process group `group` (the instance's process id).
#[cfg(all(test, target_os = "linux"))]
pub(crate) fn belongs_to_group(peer: SocketAddr, local: SocketAddr, group: i32) -> bool {
    GroupMembers::new(group).owns(peer, local)
}

/// The processes of one instance's process group known to talk to its Runtime API; kept by
/// the instance's listener across connections so that a runtime client that is not the group
/// leader (a `bootstrap` script's child) costs a `/proc` scan once, not per connection.
pub(crate) struct GroupMembers {
    group: i32,
    /// Members other than the leader that held a Runtime API connection.
    seen: Vec<i32>,
}

impl GroupMembers {
    pub(crate) fn new(group: i32) -> Self {
        Self {
            group,
            seen: Vec::new(),
        }
    }

    pub(crate) fn group(&self) -> i32 {
        self.group
    }

    /// Whether the process on the other end of the connection `peer` → `local` belongs to
    /// the group.
    #[cfg(target_os = "linux")]
    pub(crate) fn owns(&mut self, peer: SocketAddr, local: SocketAddr) -> bool {
        let Some((uid, inode)) = socket_of(peer, local) else {
            return false;
        };
        // A process of another user cannot be one of ours: no need to look further.
        if uid != nix::unistd::geteuid().as_raw() {
            return false;
        }
        let link = format!("socket:[{inode}]");
        if holds_socket(self.group, &link) {
            return true;
        }
        let group = self.group;
        // Members that left the group (or ended) are forgotten; their pids may be reused.
        self.seen.retain(|pid| process_group(*pid) == Some(group));
        if self.seen.iter().any(|pid| holds_socket(*pid, &link)) {
            return true;
        }
        let seen = &self.seen;
        let holder = group_members(group)
            .filter(|pid| *pid != group && !seen.contains(pid))
            .find(|pid| holds_socket(*pid, &link));
        if let Some(pid) = holder {
            self.seen.push(pid);
            return true;
        }
        false
    }

    #[cfg(not(target_os = "linux"))]
    pub(crate) fn owns(&mut self, _peer: SocketAddr, _local: SocketAddr) -> bool {
        true
    }
}

/// The uid and inode of the socket whose local address is `peer` and remote address `local`
/// (the client's end of the connection): from sock_diag, or from `/proc/net/tcp*` where
/// sock_diag cannot answer.
#[cfg(target_os = "linux")]
fn socket_of(peer: SocketAddr, local: SocketAddr) -> Option<(u32, u64)> {
    match sock_diag::socket_of(peer, local) {
        Ok(found) => found,
        Err(_) => socket_of_in_proc(peer, local),
    }
}

/// The exact-socket query of `NETLINK_SOCK_DIAG` (see `sock_diag(7)`): a request without
/// `NLM_F_DUMP` whose `inet_diag_req_v2` names one socket by its 4-tuple, with the cookie set
/// to `INET_DIAG_NOCOOKIE` (any socket with that 4-tuple), is answered by the kernel with one
/// `inet_diag_msg` for that socket (`idiag_uid`, `idiag_inode`), or with `ENOENT`.
#[cfg(target_os = "linux")]
mod sock_diag {
    use std::cell::RefCell;
    use std::io;
    use std::net::SocketAddr;

    use netlink_packet_core::{NLM_F_REQUEST, NetlinkHeader, NetlinkMessage, NetlinkPayload};
    use netlink_packet_sock_diag::inet::{ExtensionFlags, InetRequest, SocketId, StateFlags};
    use netlink_packet_sock_diag::{AF_INET, AF_INET6, IPPROTO_TCP, SockDiagMessage};
    use netlink_sys::protocols::NETLINK_SOCK_DIAG;
    use netlink_sys::{Socket, SocketAddr as NetlinkAddr};

    /// `INET_DIAG_NOCOOKIE`: match the socket by its addresses alone.
    const NO_COOKIE: [u8; 8] = [0xff; 8];

    thread_local! {
        /// One netlink socket per (blocking-pool) thread, opened on first use, and the
        /// sequence number of its last request.
        static SOCKET: RefCell<Option<(Socket, u32)>> = const { RefCell::new(None) };
    }

    /// `Ok(Some((uid, inode)))` for the socket, `Ok(None)` when the kernel knows no such
    /// socket (the connection is already gone), `Err` when sock_diag cannot answer here.
    pub(super) fn socket_of(peer: SocketAddr, local: SocketAddr) -> io::Result<Option<(u32, u64)>> {
        SOCKET.with(|cell| {
            let mut cell = cell.borrow_mut();
            if cell.is_none() {
                let mut socket = Socket::new(NETLINK_SOCK_DIAG)?;
                socket.bind_auto()?;
                socket.connect(&NetlinkAddr::new(0, 0))?;
                *cell = Some((socket, 0));
            }
            let Some((socket, sequence)) = cell.as_mut() else {
                return Err(io::ErrorKind::NotConnected.into());
            };
            *sequence = sequence.wrapping_add(1);
            let answer = query(socket, *sequence, peer, local);
            if answer.is_err() {
                // Start over with a fresh socket next time (nothing stale left to read).
                *cell = None;
            }
            answer
        })
    }

    fn query(
        socket: &Socket,
        sequence: u32,
        peer: SocketAddr,
        local: SocketAddr,
    ) -> io::Result<Option<(u32, u64)>> {
        let mut header = NetlinkHeader::default();
        header.flags = NLM_F_REQUEST;
        header.sequence_number = sequence;
        let family = if peer.is_ipv4() { AF_INET } else { AF_INET6 };
        let request = SockDiagMessage::InetRequest(InetRequest {
            family,
            protocol: IPPROTO_TCP,
            extensions: ExtensionFlags::empty(),
            states: StateFlags::all(),
            // The socket as its owner sees it: source is the client's address, destination
            // the Runtime API's.
            socket_id: SocketId {
                source_port: peer.port(),
                destination_port: local.port(),
                source_address: peer.ip(),
                destination_address: local.ip(),
                interface_id: 0,
                cookie: NO_COOKIE,
            },
        });
        let mut packet = NetlinkMessage::new(header, request.into());
        packet.finalize();
        let mut buffer = vec![0; packet.buffer_len()];
        packet.serialize(&mut buffer);
        socket.send(&buffer, 0)?;
        // The kernel answers sock_diag requests while handling the send, so the answer is
        // already queued: never wait for it (a missing answer falls back to /proc).
        let mut answer = Vec::with_capacity(8192);
        let received = socket.recv(&mut answer, nix::libc::MSG_DONTWAIT)?;
        answer.truncate(received);
        let mut offset = 0;
        while offset < answer.len() {
            let message = <NetlinkMessage<SockDiagMessage>>::deserialize(&answer[offset..])
                .map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error.to_string()))?;
            let length = message.header.length as usize;
            if message.header.sequence_number == sequence {
                match message.payload {
                    NetlinkPayload::InnerMessage(SockDiagMessage::InetResponse(response)) => {
                        let header = &response.header;
                        return Ok(Some((header.uid, u64::from(header.inode))));
                    }
                    NetlinkPayload::Error(error) if error.raw_code() == -nix::libc::ENOENT => {
                        return Ok(None);
                    }
                    NetlinkPayload::Error(error) => {
                        return Err(io::Error::from_raw_os_error(-error.raw_code()));
                    }
                    _ => {}
                }
            }
            if length == 0 {
                break;
            }
            offset += length;
        }
        Err(io::ErrorKind::InvalidData.into())
    }
}

/// [`socket_of`] from the socket tables in `/proc/net/tcp` or `/proc/net/tcp6`.
#[cfg(target_os = "linux")]
fn socket_of_in_proc(peer: SocketAddr, local: SocketAddr) -> Option<(u32, u64)> {
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
    fn the_kernel_and_proc_agree_on_a_connection_s_socket() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let local = listener.local_addr().unwrap();
        let client = std::net::TcpStream::connect(local).unwrap();
        let (_server, peer) = listener.accept().unwrap();
        let asked = sock_diag::socket_of(peer, local).expect("sock_diag answers");
        let uid = nix::unistd::geteuid().as_raw();
        assert!(asked.is_some_and(|(owner, _)| owner == uid), "{asked:?}");
        assert_eq!(asked, socket_of_in_proc(peer, local));
        // A 4-tuple no socket has.
        drop(client);
        let nobody: SocketAddr = "127.0.0.1:1".parse().unwrap();
        assert_eq!(sock_diag::socket_of(nobody, local).expect("answers"), None);
    }

    #[test]
    fn members_that_are_not_the_leader_are_remembered() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let local = listener.local_addr().unwrap();
        // A group led by `sh` whose child `bash` opens the connection.
        let script = format!(
            "bash -c 'exec 3<>/dev/tcp/127.0.0.1/{}; sleep 5' & wait",
            local.port()
        );
        let mut leader = std::process::Command::new("sh")
            .args(["-c", &script])
            .process_group(0)
            .spawn()
            .unwrap();
        let group = leader.id() as i32;
        let (_server, peer) = listener.accept().unwrap();
        let mut members = GroupMembers::new(group);
        assert!(members.owns(peer, local));
        assert_eq!(members.seen.len(), 1, "the child is remembered");
        assert_ne!(members.seen[0], group);
        assert!(members.owns(peer, local));
        assert_eq!(members.seen.len(), 1);
        let _ = nix::sys::signal::killpg(
            nix::unistd::Pid::from_raw(group),
            nix::sys::signal::Signal::SIGKILL,
        );
        let _ = leader.wait();
    }

    #[test]
    fn process_groups_are_read_past_odd_command_names() {
        let own = nix::unistd::getpid().as_raw();
        assert_eq!(process_group(own), Some(nix::unistd::getpgrp().as_raw()));
        assert_eq!(process_group(-1), None);
    }
}
