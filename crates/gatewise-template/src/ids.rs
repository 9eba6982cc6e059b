//! Stable, plausible API Gateway ids, and the ARNs of template resources that have one.
//!
//! AWS makes up random ids; we derive them from logical ids and paths so that the same template
//! gives the same `apiId` / `resourceId` on every run (snapshots and URLs stay put).

/// `apiId` of a REST API: 10 lower-case alphanumerics from its logical id.
pub fn api_id(logical_id: &str) -> String {
    base36(fnv1a(&[logical_id.as_bytes()]), 10)
}

/// The ARN of version 1 of the layer named `name` (what a layer's `Ref` gives; Terraform's
/// `aws_lambda_layer_version.x.arn`).
pub fn layer_version_arn(name: &str) -> String {
    use gatewise_model::pseudo::{ACCOUNT_ID, PARTITION, REGION};
    format!("arn:{PARTITION}:lambda:{REGION}:{ACCOUNT_ID}:layer:{name}:1")
}

/// `resourceId` of a REST resource: 6 lower-case alphanumerics from API and path.
pub fn resource_id(api_logical_id: &str, path: &str) -> String {
    base36(
        fnv1a(&[api_logical_id.as_bytes(), b"\n", path.as_bytes()]),
        6,
    )
}

/// The value of an API key the template does not give one for: 40 characters of
/// `[A-Za-z0-9]` derived from its logical id, so it stays the same across runs (clients and
/// scripts keep working after a restart).
pub fn api_key_value(logical_id: &str) -> String {
    const DIGITS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(40);
    let mut round: u64 = 0;
    while out.len() < 40 {
        let mut n = fnv1a(&[
            b"gatewise-api-key\n",
            logical_id.as_bytes(),
            &round.to_le_bytes(),
        ]);
        // 7 digits of base 62 per hash keep every digit well mixed.
        for _ in 0..7 {
            if out.len() == 40 {
                break;
            }
            out.push(char::from(DIGITS[(n % 62) as usize]));
            n /= 62;
        }
        round += 1;
    }
    out
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
        let key = api_key_value("MyApiApiKey");
        assert_eq!(key, api_key_value("MyApiApiKey"));
        assert_ne!(key, api_key_value("ServerlessApiKey"));
        assert_eq!(key.len(), 40);
        assert!(key.chars().all(|c| c.is_ascii_alphanumeric()));
    }
}
