//! The emulator's "cloud": every resource, soft-deleted vault, secret version and
//! running operation. Persisted as one JSON file, written atomically (temp file +
//! rename): before a write is acknowledged (`App::save_acknowledged`, one rewrite covering
//! every write that arrived meanwhile), and by a background task shortly after other
//! changes (operations completing).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::Notify;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Entry {
    /// Exactly what a GET returns (before per-type views strip write-only values).
    pub body: Value,
    /// Values the RP keeps but never shows in a GET (access keys, app secret values).
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub private: Value,
}

impl Entry {
    pub(crate) fn new(body: Value) -> Self {
        Entry {
            body,
            private: Value::Null,
        }
    }
    pub(crate) fn id(&self) -> &str {
        self.body.get("id").and_then(Value::as_str).unwrap_or("")
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) enum OpKind {
    Put,
    Delete,
    Action,
}

/// How an operation's status body looks; each RP has its own (see FINDINGS §1).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub(crate) enum StatusStyle {
    Redis,
    Postgres,
    App,
    ResourceGroup,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Operation {
    pub id: String,
    pub sub: String,
    pub namespace: String,
    /// The location segment as it appears in the URL (display name for Redis).
    pub location: String,
    pub resource_key: String,
    pub kind: OpKind,
    pub style: StatusStyle,
    pub started_ms: u64,
    pub duration_ms: u64,
    pub start_time: String,
    /// `None` = succeeds; `Some((code, message))` = ends Failed.
    pub failure: Option<(String, String)>,
    pub done: bool,
    /// The resource before this operation, restored if an update fails.
    pub previous: Option<Entry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SecretVersion {
    pub version: String,
    pub value: String,
    #[serde(default)]
    pub content_type: Option<String>,
    #[serde(default)]
    pub tags: Option<Value>,
    pub enabled: bool,
    pub created: u64,
    pub updated: u64,
}

/// One version of a Key Vault key. The private key never leaves the emulator's data file
/// (mode 0600), as it never leaves a vault.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct KeyVersion {
    pub version: String,
    pub kty: String,
    pub key_ops: Vec<String>,
    /// PKCS#8 DER of the RSA private key, base64.
    pub pkcs8: String,
    /// The public modulus and exponent, base64url (the JWK's `n` and `e`).
    pub n: String,
    pub e: String,
    pub enabled: bool,
    pub created: u64,
    pub updated: u64,
    #[serde(default)]
    pub tags: Option<Value>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct State {
    /// Keyed by the lower-cased resource id (ARM ids are case-insensitive).
    pub resources: BTreeMap<String, Entry>,
    /// Soft-deleted vaults, keyed by lower-cased vault name (vault names are global).
    pub deleted_vaults: BTreeMap<String, Value>,
    /// vault name (lower) -> secret name (lower) -> versions, oldest first.
    pub secrets: BTreeMap<String, BTreeMap<String, Vec<SecretVersion>>>,
    /// Soft-deleted secrets, same keys; `deleted_ms` is kept in the last version's `updated`.
    #[serde(default)]
    pub deleted_secrets: BTreeMap<String, BTreeMap<String, Vec<SecretVersion>>>,
    /// vault name (lower) -> key name (lower) -> versions, oldest first.
    #[serde(default)]
    pub keys: BTreeMap<String, BTreeMap<String, Vec<KeyVersion>>>,
    pub operations: BTreeMap<String, Operation>,
}

impl State {
    pub(crate) fn get(&self, id: &str) -> Option<&Entry> {
        self.resources.get(&id.to_ascii_lowercase())
    }
    pub(crate) fn insert(&mut self, entry: Entry) {
        let key = entry.id().to_ascii_lowercase();
        self.resources.insert(key, entry);
    }
    /// Remove a resource and everything below it (children, extension resources).
    pub(crate) fn remove_tree(&mut self, id: &str) -> Option<Entry> {
        let key = id.to_ascii_lowercase();
        let prefix = format!("{key}/");
        let children: Vec<String> = self
            .resources
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| k.clone())
            .collect();
        for k in children {
            self.resources.remove(&k);
        }
        self.resources.remove(&key)
    }
    /// Entries whose id starts with `prefix/` (lower-cased comparison).
    pub(crate) fn under<'a>(&'a self, prefix: &str) -> impl Iterator<Item = &'a Entry> + 'a {
        let p = format!("{}/", prefix.to_ascii_lowercase());
        self.resources
            .range(p.clone()..)
            .take_while(move |(k, _)| k.starts_with(&p))
            .map(|(_, e)| e)
    }
}

pub(crate) fn state_file(dir: &Path) -> PathBuf {
    dir.join("emulator-state.json")
}

pub(crate) fn load(dir: &Path) -> Result<State, String> {
    let file = state_file(dir);
    match std::fs::read(&file) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", file.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
        Err(e) => Err(format!("{}: {e}", file.display())),
    }
}

/// The file holds Key Vault secrets in clear (as the real service stores them for its
/// callers), so it is readable by its owner only (0600), whatever the umask.
pub(crate) fn write_atomic(dir: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join("emulator-state.json.tmp");
    let _ = std::fs::remove_file(&tmp);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(&tmp)?;
    f.write_all(bytes)?;
    drop(f);
    std::fs::rename(&tmp, state_file(dir))
}

#[cfg(all(test, unix))]
mod mode_tests {
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn the_state_file_with_secrets_is_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        super::write_atomic(dir.path(), b"{}").unwrap();
        super::write_atomic(dir.path(), b"{\"a\":1}").unwrap();
        let meta = std::fs::metadata(super::state_file(dir.path())).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    }
}

/// Signals the persistence task; cheap to call on every change.
#[derive(Clone, Default)]
pub(crate) struct Dirty(Arc<Notify>);

impl Dirty {
    pub(crate) fn mark(&self) {
        self.0.notify_one();
    }
    pub(crate) async fn wait(&self) {
        self.0.notified().await;
    }
}

/// Coalescing window: changes within it are written together.
pub(crate) const PERSIST_DEBOUNCE: Duration = Duration::from_millis(20);
