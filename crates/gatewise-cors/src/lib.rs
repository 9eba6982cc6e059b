//! The pure CORS logic of gatewise: no I/O, no async, one implementation shared by the
//! gateway's per-request explanations, `gatewise probe` and `gatewise check`.
//!
//! - [`fetch`] — what a browser decides (WHATWG Fetch as Chromium implements it): whether a
//!   request needs a preflight, whether a preflight or a response passes, which headers the
//!   page may read. Every refusal is a [`fetch::Blocked`] with a stable rule id.
//! - [`observe`] — the same rules applied to one exchange the gateway served, where some of
//!   the browser's state (credentials mode) has to be inferred.
//! - [`explain`] — a blocked verdict turned into one log line naming the template location
//!   that produced the response and the change that fixes it.
//! - [`http_api`] — the other side: what an HTTP API (API Gateway v2) with
//!   `CorsConfiguration` does itself (spec §8): answering preflights and rewriting the CORS
//!   headers of responses.

pub mod explain;
pub mod fetch;
pub mod http_api;
pub mod observe;

#[cfg(test)]
mod allocation_tests;
