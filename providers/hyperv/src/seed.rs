//! The cloud-init NoCloud seed: `user-data`, `meta-data` (instance-id, local-hostname) and an
//! optional `network-config`, on an ISO 9660 volume labelled `cidata` (FINDINGS §7). The
//! instance-id follows the content, so cloud-init runs again when the user data changes.

use crate::iso::{self, File, IsoError};

/// A seed image's bytes.
pub fn build(
    hostname: &str,
    user_data: &str,
    network_config: Option<&str>,
) -> Result<Vec<u8>, IsoError> {
    let id = fingerprint(&[hostname, user_data, network_config.unwrap_or("")]);
    let meta = format!(
        "instance-id: iid-{id}\nlocal-hostname: {}\n",
        yaml_scalar(hostname)
    );
    let mut files = vec![
        File {
            name: "meta-data".into(),
            data: meta.into_bytes(),
        },
        File {
            name: "user-data".into(),
            data: user_data.as_bytes().to_vec(),
        },
    ];
    if let Some(n) = network_config {
        files.push(File {
            name: "network-config".into(),
            data: n.as_bytes().to_vec(),
        });
    }
    iso::build("cidata", &files)
}

/// A YAML double-quoted scalar (JSON's string syntax is a subset of it).
fn yaml_scalar(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

/// A short stable fingerprint (FNV-1a 64): an id, not a security measure.
fn fingerprint(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain([0u8]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_instance_id_follows_the_content() {
        let a = super::build("vm", "#cloud-config\n", None).expect("a");
        let b = super::build("vm", "#cloud-config\npackages: [docker.io]\n", None).expect("b");
        assert_ne!(a, b);
        assert_eq!(a, super::build("vm", "#cloud-config\n", None).expect("a"));
    }
}
