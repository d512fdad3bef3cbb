//! Remote state in Azure Blob Storage: `<key>` (the state, leased while locked), `<key>.bak`
//! (the previous version) and `<key>.journal` (an append blob while an apply runs); the
//! secret-hash key is never among them (`keysource.rs`). Every write of the state carries
//! the lease id and the ETag last seen, so a write behind our back is refused, not overwritten.

pub mod client;
pub mod endpoint;
pub mod error;
pub mod http;
pub mod journal;
pub mod lease;
pub mod signer;

pub use error::BlobError;
pub use journal::BlobJournal;
pub use lease::BlobLock;

use super::codec::{read_state, write_state};
use super::envelope::{self, Crypt, Kind};
use super::journal::read_journal;
use super::keysource::{self, FingerprintSource, FoundKey, KeyConfig};
use super::lock::{LockError, LockInfo};
use super::model::State;
use super::recover::{fold, peek, settle};
use super::secrets::SecretKey;
use super::{Loaded, StateError};
use base64::Engine;
use client::{Client, Write, Written};
use lease::SharedLease;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// What this process last read or wrote of the state blob.
#[derive(Debug, Default, Clone)]
struct Seen {
    etag: Option<String>,
    /// Empty while the blob is only the placeholder the lock created.
    bytes: Vec<u8>,
}

#[derive(Clone)]
pub struct BlobStore {
    client: Client,
    key: String,
    /// The command that breaks this state's lock, for whoever is refused it.
    unlock: String,
    lease: SharedLease,
    seen: Arc<Mutex<Seen>>,
    /// ETag of the journal as last read for recovery: it is removed only if unchanged, so that
    /// records appended meanwhile (by a run whose lock was broken) are folded in, not lost.
    journal_etag: Arc<Mutex<Option<String>>>,
    keys: KeyConfig,
    crypt: Crypt,
}

impl std::fmt::Debug for BlobStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BlobStore({})", self.location())
    }
}

fn remote(what: String) -> impl Fn(BlobError) -> StateError {
    move |e| StateError::Remote {
        what: what.clone(),
        message: e.to_string(),
    }
}

impl BlobStore {
    /// The store of `env` at `account/container/key`, with the endpoint and credentials from
    /// the process environment. Nothing is contacted yet.
    pub fn from_env(
        account: &str,
        container: &str,
        key: &str,
        env: &str,
    ) -> Result<BlobStore, BlobError> {
        let endpoint = endpoint::resolve(account, container, &|k| std::env::var(k).ok())?;
        BlobStore::new(endpoint, key, env)
    }

    /// The store of `env` at blob `key` of an already resolved endpoint.
    pub fn new(endpoint: endpoint::Endpoint, key: &str, env: &str) -> Result<BlobStore, BlobError> {
        Ok(BlobStore {
            client: Client::new(endpoint)?,
            key: key.to_string(),
            unlock: format!("infra state unlock --env {env}"),
            lease: Arc::default(),
            seen: Arc::default(),
            journal_etag: Arc::default(),
            keys: KeyConfig::default(),
            crypt: Crypt::default(),
        })
    }

    /// The environment's key settings (`key_vault`, `key_file`, `encryption`).
    pub fn with_keys(mut self, keys: KeyConfig) -> BlobStore {
        self.crypt = Crypt::new(keys.encryption.clone());
        self.keys = keys;
        self
    }

    /// Encryption at rest (a no-op unless configured).
    pub fn crypt(&self) -> &Crypt {
        &self.crypt
    }

    /// Names the project folder in the unlock command shown to a refused run, when it is not
    /// the current directory.
    pub fn with_unlock_command(mut self, command: String) -> BlobStore {
        self.unlock = command;
        self
    }

    fn name(&self, suffix: &str) -> String {
        format!("{}{suffix}", self.key)
    }

    /// `azure_blob account/container/key (endpoint)`, for people.
    pub fn location(&self) -> String {
        format!(
            "azure_blob {} ({})",
            self.client.display(&self.key),
            self.client.location()
        )
    }

    fn err(&self, suffix: &str) -> impl Fn(BlobError) -> StateError {
        remote(self.client.display(&self.name(suffix)))
    }

    pub fn lock(&self, run_id: &str, operation: &str) -> Result<BlobLock, LockError> {
        lease::acquire(
            &self.client,
            &self.key,
            &self.unlock,
            LockInfo::current(run_id, operation),
            &self.lease,
        )
    }

    /// Breaks the lease now; returns who held it.
    pub fn unlock(&self) -> Result<Option<LockInfo>, StateError> {
        lease::break_lease(&self.client, &self.key).map_err(self.err(""))
    }

    fn read(
        &self,
        record: bool,
    ) -> Result<(Option<State>, Option<super::journal::JournalContents>), StateError> {
        let got = self.client.get(&self.key).map_err(self.err(""))?;
        let path = PathBuf::from(self.client.display(&self.key));
        let existing = match &got {
            Some(f) if !f.body.is_empty() => Some(read_state(
                &self.crypt.open_file(&f.body, Kind::State, &path)?,
                &path,
            )?),
            _ => None,
        };
        if record && let Ok(mut seen) = self.seen.lock() {
            *seen = match got {
                Some(f) => Seen {
                    etag: Some(f.etag),
                    bytes: f.body,
                },
                None => Seen::default(),
            };
        }
        let journal = if record {
            self.read_journal_for_recovery()?
        } else {
            let jname = self.name(".journal");
            let jpath = PathBuf::from(self.client.display(&jname));
            match self.client.get(&jname).map_err(self.err(".journal"))? {
                Some(f) => self
                    .crypt
                    .open_journal(&f.body, &jpath)
                    .ok()
                    .and_then(|plain| read_journal(&plain, &jpath).ok().flatten()),
                None => None,
            }
        };
        Ok((existing, journal))
    }

    /// The journal, its ETag kept for the conditional removal after the fold.
    fn read_journal_for_recovery(
        &self,
    ) -> Result<Option<super::journal::JournalContents>, StateError> {
        let jname = self.name(".journal");
        let jpath = PathBuf::from(self.client.display(&jname));
        let got = self.client.get(&jname).map_err(self.err(".journal"))?;
        if let Ok(mut etag) = self.journal_etag.lock() {
            *etag = got.as_ref().map(|f| f.etag.clone());
        }
        match got {
            Some(f) => read_journal(&self.crypt.open_journal(&f.body, &jpath)?, &jpath),
            None => Ok(None),
        }
    }

    /// Loads the state, folding in (and saving) a journal left by an apply that died. If the
    /// journal grows meanwhile (a run whose lock was broken is still appending), the fold is
    /// redone from the same base with what the journal holds now, a few times at most.
    pub fn load(&self) -> Result<Loaded, StateError> {
        let (existing, mut journal) = self.read(true)?;
        let jpath = PathBuf::from(self.client.display(&self.name(".journal")));
        let mut attempts = 0;
        loop {
            let folded = fold(existing.clone(), journal, &jpath)?;
            match settle(
                folded,
                true,
                |state| self.save(state),
                || self.remove_journal(),
                || self.keep_journal(),
            ) {
                Err(StateError::JournalChanged { .. }) if attempts < 4 => {
                    attempts += 1;
                    journal = self.read_journal_for_recovery()?;
                }
                Ok(loaded) => {
                    self.upgrade_if_plain(&loaded.state)?;
                    return Ok(loaded);
                }
                other => return other,
            }
        }
    }

    /// Encryption just configured: a plain state blob is written encrypted at once (under the
    /// lease the loader holds), and `<key>.bak` too, so no plain copy stays beside it.
    fn upgrade_if_plain(&self, state: &State) -> Result<(), StateError> {
        let plain = self
            .seen
            .lock()
            .map(|s| !s.bytes.is_empty() && !envelope::is_encrypted(&s.bytes))
            .unwrap_or(false);
        if !plain || !self.crypt.enabled() {
            return Ok(());
        }
        self.save(state)?;
        let bytes = self
            .seen
            .lock()
            .map(|s| s.bytes.clone())
            .unwrap_or_default();
        self.client
            .put(&self.name(".bak"), bytes, &Write::default())
            .map_err(self.err(".bak"))?;
        Ok(())
    }

    /// Reads without writing, a running apply's journal folded in memory.
    pub fn peek(&self) -> Result<State, StateError> {
        let (existing, journal) = self.read(false)?;
        Ok(peek(existing, journal))
    }

    /// Whether a real state (not just the lock's placeholder) has been read or written.
    pub fn is_saved(&self) -> bool {
        self.seen
            .lock()
            .map(|s| !s.bytes.is_empty())
            .unwrap_or(false)
    }

    /// Writes the state if the blob is still the version this process last saw, under the
    /// lease if held (keeping the holder in the metadata); the previous version goes to
    /// `<key>.bak` first.
    pub fn save(&self, state: &State) -> Result<(), StateError> {
        let seen = self.seen.lock().map(|s| s.clone()).unwrap_or_default();
        if !seen.bytes.is_empty() {
            self.client
                .put(&self.name(".bak"), seen.bytes.clone(), &Write::default())
                .map_err(self.err(".bak"))?;
        }
        let held = self
            .lease
            .lock()
            .ok()
            .and_then(|l| l.as_ref().map(|h| (h.lease_id.clone(), h.metadata.clone())));
        let (lease_id, metadata) = match &held {
            Some((id, m)) => (Some(id.as_str()), m.as_slice()),
            None => (None, &[][..]),
        };
        let path = PathBuf::from(self.client.display(&self.key));
        let bytes = self
            .crypt
            .seal_file(write_state(state), Kind::State, None, &path)?;
        let w = Write {
            if_match: seen.etag.as_deref(),
            if_none_match_any: seen.etag.is_none(),
            lease_id,
            metadata,
        };
        match self
            .client
            .put(&self.key, bytes.clone(), &w)
            .map_err(self.err(""))?
        {
            Written::Done { etag } => {
                if let Ok(mut s) = self.seen.lock() {
                    *s = Seen {
                        etag: Some(etag),
                        bytes,
                    };
                }
                Ok(())
            }
            Written::ConditionFailed { .. } => Err(StateError::Remote {
                what: self.client.display(&self.key),
                message: BlobError::StaleEtag {
                    blob: self.client.display(&self.key),
                }
                .to_string(),
            }),
        }
    }

    pub fn open_journal(&self, state: &State) -> Result<BlobJournal, StateError> {
        let jpath = PathBuf::from(self.client.display(&self.name(".journal")));
        let sealer = self.crypt.data_key(&jpath)?;
        BlobJournal::create(&self.client, &self.name(".journal"), state, sealer)
            .map_err(self.err(".journal"))
    }

    /// Ends an apply: waits for the journal to be stored, saves the state, removes the journal.
    pub fn commit(&self, state: &State, journal: Option<BlobJournal>) -> Result<(), StateError> {
        if let Some(mut j) = journal {
            j.sync()?;
        }
        self.save(state)?;
        self.remove_journal()
    }

    /// Copies a damaged journal to `<key>.journal.damaged-<unix seconds>`, then removes it
    /// (only if unchanged since it was read, as for a clean fold).
    fn keep_journal(&self) -> Result<String, StateError> {
        let name = self.name(".journal");
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let kept = self.name(&format!(".journal.damaged-{secs}"));
        if let Some(f) = self.client.get(&name).map_err(self.err(".journal"))? {
            self.client
                .put(&kept, f.body, &Write::default())
                .map_err(self.err(".journal"))?;
        }
        self.remove_journal()?;
        Ok(self.client.display(&kept))
    }

    fn remove_journal(&self) -> Result<(), StateError> {
        let name = self.name(".journal");
        let etag = self.journal_etag.lock().ok().and_then(|mut e| e.take());
        let Some(etag) = etag else {
            return self.client.delete(&name).map_err(self.err(".journal"));
        };
        if self
            .client
            .delete_if_match(&name, &etag)
            .map_err(self.err(".journal"))?
        {
            Ok(())
        } else {
            Err(StateError::JournalChanged {
                path: PathBuf::from(self.client.display(&name)),
            })
        }
    }

    /// The key that fingerprints secrets, from the configured Key Vault secret or key file,
    /// else `INFRA_STATE_KEY`; never a blob beside the state (whoever reads the state could
    /// confirm a guessed secret with it). A remote state without one is refused with the
    /// set-up steps; one whose key still sits in the blob `<key>.key` (as infra once kept it)
    /// is refused with the migration steps.
    pub fn secret_key(&self) -> Result<FoundKey, StateError> {
        let refuse = |message: String| StateError::KeySource {
            path: PathBuf::from(self.client.display(&self.key)),
            message,
        };
        let configured = match &self.keys.fingerprint {
            FingerprintSource::Vault(r) => Some(keysource::from_vault(r).map_err(refuse)?),
            FingerprintSource::File(p) => Some(keysource::existing_file(p).map_err(refuse)?),
            FingerprintSource::Default => match std::env::var("INFRA_STATE_KEY") {
                Ok(text) if !text.trim().is_empty() => {
                    Some(key_from_base64(&text).map_err(self.err(""))?)
                }
                _ => None,
            },
        };
        let name = self.name(".key");
        let blob = self.client.display(&name);
        let beside = self.client.get(&name).map_err(self.err(".key"))?;
        let source = match &self.keys.fingerprint {
            FingerprintSource::Vault(r) => format!("Key Vault secret {r}"),
            FingerprintSource::File(p) => format!("key file {}", p.display()),
            FingerprintSource::Default => "INFRA_STATE_KEY".to_string(),
        };
        match (configured, beside) {
            (Some(key), None) => Ok(FoundKey { key, note: None }),
            (Some(key), Some(f)) => {
                let stored = String::from_utf8_lossy(&f.body).trim().to_string();
                Err(refuse(if stored == key.to_base64() {
                    format!(
                        "the secret-fingerprint key is still stored beside the state, in {blob}, \
                         although {source} holds it: delete that blob to finish the \
                         migration (docs/state.md, \"Secret-hash key\")"
                    )
                } else {
                    format!(
                        "{source} is not the key this state was written with (kept in \
                         {blob}): store that blob's content there, then delete the blob \
                         (docs/state.md, \"Secret-hash key\")"
                    )
                }))
            }
            (None, Some(_)) => Err(refuse(format!(
                "the key that fingerprints secrets is stored beside the state, in {blob}: anyone \
                 who can read the state can confirm a guessed secret with it. Move it: 1. store \
                 that blob's content in your secret store and set INFRA_STATE_KEY to it for \
                 every run (or put it in a Key Vault secret and set `key_vault = {{ vault = \
                 \"...\", name = \"...\" }}` in the state block); 2. delete the blob \
                 (docs/state.md, \"Secret-hash key\")"
            ))),
            (None, None) => Err(refuse(
                "a remote state needs a key for secret fingerprints that is not stored beside \
                 it: either keep it in a Key Vault secret and set `key_vault = { vault = \
                 \"<vault>\", name = \"<secret>\" }` in the state block (create it once with \
                 `az keyvault secret set --vault-name <vault> --name <secret> --value \
                 \"$(openssl rand -base64 32)\"`), or set INFRA_STATE_KEY to the base64 of 32 \
                 random bytes (`openssl rand -base64 32`), kept in your secret store and the \
                 same for every run (docs/state.md, \"Secret-hash key\")"
                    .to_string(),
            )),
        }
    }
}

/// `INFRA_STATE_KEY`: base64 of exactly 32 bytes.
pub fn key_from_base64(text: &str) -> Result<SecretKey, BlobError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|e| BlobError::BadStateKey {
            message: format!("not base64 ({e})"),
        })?;
    let n = bytes.len();
    let arr: [u8; 32] = bytes.try_into().map_err(|_| BlobError::BadStateKey {
        message: format!("it decodes to {n} bytes, not 32"),
    })?;
    Ok(SecretKey::from_bytes(arr))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_key_must_be_32_bytes_of_base64_and_is_never_echoed() {
        let good = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        assert!(key_from_base64(&good).is_ok());
        let short = base64::engine::general_purpose::STANDARD.encode([7u8; 16]);
        let err = key_from_base64(&short).unwrap_err().to_string();
        assert!(err.contains("16 bytes") && !err.contains(&short), "{err}");
        assert!(key_from_base64("%%%").is_err());
    }
}
