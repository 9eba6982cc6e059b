//! Request plumbing for every phase: identifiers API Gateway puts on every request and
//! response.

use std::fmt::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// The ids of one request: `requestContext.requestId` = `x-amzn-RequestId`, and
/// `extendedRequestId` = `x-amz-apigw-id` (on AWS the two carry the same value).
#[derive(Debug, Clone)]
pub(crate) struct RequestIds {
    pub request_id: String,
    pub apigw_id: String,
}

impl RequestIds {
    pub(crate) fn new() -> Self {
        let request_id = uuid::Uuid::new_v4();
        // 11 random bytes encode to 16 base64 characters ending in `=`, like `Y2G5nFEjIAMEJVw=`.
        let random = uuid::Uuid::new_v4();
        Self {
            request_id: request_id.to_string(),
            apigw_id: STANDARD.encode(&random.as_bytes()[..11]),
        }
    }
}

/// A fresh X-Ray trace header value, `Root=1-<8 hex epoch seconds>-<24 hex random>`.
pub(crate) fn trace_id(epoch_seconds: i64) -> String {
    let random = uuid::Uuid::new_v4();
    let mut trace = String::with_capacity("Root=1-".len() + 8 + 1 + 24);
    let _ = write!(
        trace,
        "Root=1-{:08x}-",
        epoch_seconds.max(0) as u64 & 0xffff_ffff
    );
    for byte in &random.as_bytes()[..12] {
        let _ = write!(trace, "{byte:02x}");
    }
    trace
}

/// A stable, plausible `deploymentId` (6 lower-case alphanumerics) derived from the API id,
/// so events do not change between runs of the same template.
pub(crate) fn deployment_id(api_id: &str) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    // FNV-1a: tiny, stable across Rust versions (unlike `DefaultHasher`).
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in api_id.bytes().chain(*b"deployment") {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    (0..6)
        .map(|i| ALPHABET[((hash >> (i * 8)) % ALPHABET.len() as u64) as usize] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_the_aws_shapes() {
        let ids = RequestIds::new();
        assert_eq!(ids.request_id.len(), 36);
        assert_eq!(ids.apigw_id.len(), 16);
        let trace = trace_id(0x6500_0000);
        assert!(trace.starts_with("Root=1-65000000-"), "{trace}");
        assert_eq!(trace.len(), "Root=1-".len() + 8 + 1 + 24);
        assert_eq!(deployment_id("abc"), deployment_id("abc"));
        assert_ne!(deployment_id("abc"), deployment_id("abd"));
        assert!(
            deployment_id("x")
                .bytes()
                .all(|b| b.is_ascii_alphanumeric())
        );
    }
}
