//! Stable, plausible API Gateway ids.
//!
//! AWS makes up random ids; we derive them from logical ids and paths so that the same template
//! gives the same `apiId` / `resourceId` on every run (snapshots and URLs stay put).

/// `apiId` of a REST API: 10 lower-case alphanumerics from its logical id.
pub fn api_id(logical_id: &str) -> String {
    base36(fnv1a(&[logical_id.as_bytes()]), 10)
}

/// `resourceId` of a REST resource: 6 lower-case alphanumerics from API and path.
pub fn resource_id(api_logical_id: &str, path: &str) -> String {
    base36(
        fnv1a(&[api_logical_id.as_bytes(), b"\n", path.as_bytes()]),
        6,
    )
}

/// FNV-1a, 64 bit: tiny, stable across platforms and releases (unlike `DefaultHasher`).
fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in parts.iter().flat_map(|p| p.iter()) {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

fn base36(mut n: u64, len: usize) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    (0..len)
        .map(|_| {
            let d = DIGITS[(n % 36) as usize];
            n /= 36;
            char::from(d)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_shaped_like_aws_ones() {
        let id = api_id("ServerlessRestApi");
        assert_eq!(id, api_id("ServerlessRestApi"));
        assert_ne!(id, api_id("MyApi"));
        assert_eq!(id.len(), 10);
        assert!(
            id.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        );
        let r = resource_id("MyApi", "/items/{id}");
        assert_eq!(r.len(), 6);
        assert_ne!(r, resource_id("MyApi", "/items"));
    }
}
