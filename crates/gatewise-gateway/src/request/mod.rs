//! Request plumbing both pipelines share, below every phase: the client's header casing
//! (`head_tap`), the ids API Gateway adds (`ids`), query strings (`query`), mapping-expression
//! parameters (`params`), `Content-Type` matching (`media_type`), the path trie both routers
//! match with (`path_trie`), the deadline on a request body (`read_deadline`), and the
//! connection and size limit of a request.

pub(crate) mod head_tap;
pub(crate) mod ids;
pub(crate) mod media_type;
pub(crate) mod params;
pub(crate) mod path_trie;
pub(crate) mod query;
pub(crate) mod read_deadline;

use std::net::SocketAddr;

/// API Gateway's maximum request payload (10 MB); larger bodies get `REQUEST_TOO_LARGE`.
pub const MAX_REQUEST_BODY_BYTES: usize = 10 * 1024 * 1024;

/// The two ends of the connection a request came on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConnectionInfo {
    pub peer: SocketAddr,
    pub local: SocketAddr,
}
