//! Secrets are never stored: state keeps an HMAC-SHA256 of each secret input under a key that
//! lives outside the state, so a changed secret is detected without the value, and the hash
//! reveals nothing to someone who has the state but not the key.

use super::StateError;
use hmac::{Hmac, Mac};
use infra_provider_core::Value;
use sha2::Sha256;
use std::io::Write;
use std::path::Path;

const KEY_LEN: usize = 32;
pub const HASH_PREFIX: &str = "hmac-sha256:";

#[derive(Clone)]
pub struct SecretKey {
    bytes: [u8; KEY_LEN],
}

/// Never prints the key.
impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

/// The value with secret markers removed, for hashing only: never displayed or stored.
fn reveal(v: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Value::Secret(inner) => reveal(inner),
        Value::List(items) => J::Array(items.iter().map(reveal).collect()),
        Value::Object(map) => J::Object(map.iter().map(|(k, v)| (k.clone(), reveal(v))).collect()),
        // Hashes are only taken of known values; an unknown is given a fixed marker so that
        // the function stays total.
        Value::Unknown => J::String("\u{0}unknown".into()),
        other => other.to_redacted_json(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

impl SecretKey {
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> SecretKey {
        SecretKey { bytes }
    }

    /// A fresh key from the operating system's randomness (`/dev/urandom`), falling back to a
    /// hash of time and process when that is not available.
    pub fn generate() -> SecretKey {
        let mut bytes = [0u8; KEY_LEN];
        let ok = std::fs::File::open("/dev/urandom")
            .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut bytes))
            .is_ok();
        if !ok {
            let seed = super::new_lineage() + &super::new_lineage();
            let digest = <Sha256 as sha2::Digest>::digest(seed.as_bytes());
            bytes.copy_from_slice(&digest);
        }
        SecretKey { bytes }
    }

    /// Whether two keys are the same (compared without an early exit).
    pub fn same_as(&self, other: &SecretKey) -> bool {
        self.bytes
            .iter()
            .zip(other.bytes.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }

    /// The raw key, for wrapping a state's data key with a key file.
    pub(crate) fn bytes(&self) -> &[u8; KEY_LEN] {
        &self.bytes
    }

    /// For the remote key blob; never printed.
    pub(crate) fn to_base64(&self) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(self.bytes)
    }

    /// `hmac-sha256:<hex>` of the value's canonical JSON (object keys sorted).
    pub fn hash(&self, v: &Value) -> String {
        let canonical = reveal(v).to_string();
        // HMAC accepts keys of any length, so this cannot fail.
        let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(&self.bytes) {
            Ok(m) => m,
            Err(_) => return String::new(),
        };
        mac.update(canonical.as_bytes());
        format!("{HASH_PREFIX}{}", hex(&mac.finalize().into_bytes()))
    }

    /// Loads the key file, creating it (mode 0600) if it does not exist.
    pub fn load_or_create(path: &Path) -> Result<SecretKey, StateError> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let bad = |m: &str| StateError::BadKey {
                    path: path.into(),
                    message: m.into(),
                };
                let bytes = unhex(&text).ok_or_else(|| bad("expected hex digits"))?;
                let arr: [u8; KEY_LEN] = bytes
                    .try_into()
                    .map_err(|_| bad("expected 32 bytes (64 hex digits)"))?;
                Ok(SecretKey { bytes: arr })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = SecretKey::generate();
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(|e| StateError::io(dir, e))?;
                }
                let mut opts = std::fs::OpenOptions::new();
                opts.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
                let mut f = opts.open(path).map_err(|e| StateError::io(path, e))?;
                f.write_all(hex(&key.bytes).as_bytes())
                    .map_err(|e| StateError::io(path, e))?;
                f.sync_all().map_err(|e| StateError::io(path, e))?;
                Ok(key)
            }
            Err(e) => Err(StateError::io(path, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_keyed_and_detects_change() {
        let k1 = SecretKey::from_bytes([1; 32]);
        let k2 = SecretKey::from_bytes([2; 32]);
        let a = Value::secret(Value::str("hunter2"));
        let b = Value::secret(Value::str("hunter3"));
        assert_eq!(k1.hash(&a), k1.hash(&a.clone()));
        assert_ne!(k1.hash(&a), k1.hash(&b));
        assert_ne!(k1.hash(&a), k2.hash(&a));
        assert!(!k1.hash(&a).contains("hunter2"));
    }

    #[test]
    fn key_file_is_created_private_and_reloaded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dev.key");
        let k = SecretKey::load_or_create(&path).unwrap();
        let again = SecretKey::load_or_create(&path).unwrap();
        let v = Value::str("x");
        assert_eq!(k.hash(&v), again.hash(&v));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, "zz").unwrap();
        assert!(SecretKey::load_or_create(&path).is_err());
    }
}
