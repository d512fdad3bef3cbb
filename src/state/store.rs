//! The local state store: `<dir>/<env>.state.json` with `.bak` (previous version), `.journal`
//! (apply in progress) and `.lock`; the secret-hash key is kept elsewhere (`keysource.rs`).

use super::StateError;
use super::codec::{read_state, write_state};
use super::envelope::{self, Crypt, Kind};
use super::journal::{JournalWriter, read_journal};
use super::keysource::{FoundKey, KeyConfig, local_key};
use super::lock::{LockError, LockInfo, StateLock};
use super::model::State;
use super::recover::{fold, peek, settle};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct LocalStore {
    dir: PathBuf,
    env: String,
    keys: KeyConfig,
    crypt: Crypt,
}

/// A loaded state and what loading had to repair.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub state: State,
    /// Journal records folded in from an apply that did not finish.
    pub recovered: usize,
    /// Journal lines that could not be folded in (a torn final write, damage), and why.
    pub skipped_journal_lines: Vec<super::journal::SkippedLine>,
    /// Where a journal with skipped lines was moved (it is never deleted).
    pub journal_kept_as: Option<String>,
}

impl Loaded {
    pub fn clean(state: State) -> Loaded {
        Loaded {
            state,
            recovered: 0,
            skipped_journal_lines: Vec::new(),
            journal_kept_as: None,
        }
    }
}

impl LocalStore {
    /// `dir` is usually `<project>/.infra`.
    pub fn new(dir: impl Into<PathBuf>, env: &str) -> LocalStore {
        let dir = dir.into();
        let legacy = dir.join(format!("{env}.key"));
        LocalStore {
            dir,
            env: env.to_string(),
            keys: KeyConfig {
                legacy_file: Some(legacy),
                ..KeyConfig::default()
            },
            crypt: Crypt::default(),
        }
    }

    /// The environment's key settings (the legacy `.infra/<env>.key` is always looked for).
    pub fn with_keys(mut self, keys: KeyConfig) -> LocalStore {
        let legacy = self.keys.legacy_file.take();
        self.crypt = Crypt::new(keys.encryption.clone());
        self.keys = KeyConfig {
            legacy_file: legacy,
            ..keys
        };
        self
    }

    fn file(&self, suffix: &str) -> PathBuf {
        self.dir.join(format!("{}.{suffix}", self.env))
    }
    pub fn state_path(&self) -> PathBuf {
        self.file("state.json")
    }
    pub fn backup_path(&self) -> PathBuf {
        self.file("state.json.bak")
    }
    pub fn journal_path(&self) -> PathBuf {
        self.file("journal")
    }
    pub fn lock_path(&self) -> PathBuf {
        self.file("lock")
    }

    /// Encryption at rest (a no-op unless configured).
    pub fn crypt(&self) -> &Crypt {
        &self.crypt
    }

    pub fn lock(&self, run_id: &str, operation: &str) -> Result<StateLock, LockError> {
        StateLock::acquire(&self.lock_path(), LockInfo::current(run_id, operation))
    }

    /// The secret-fingerprint key from its configured source (docs/state.md, "Secret-hash
    /// key"), a key file beside the state moved away first; `lineage` (the loaded state's)
    /// names the default key file.
    pub fn secret_key(&self, lineage: &str) -> Result<FoundKey, StateError> {
        let env_key = std::env::var("INFRA_STATE_KEY").ok();
        local_key(&self.keys, env_key.as_deref(), lineage, &self.env).map_err(|message| {
            StateError::KeySource {
                path: self.state_path(),
                message,
            }
        })
    }

    /// Loads the state (a new empty one if there is none yet). A journal left by an apply that
    /// did not finish is folded in and the result saved, so that what was done is kept.
    pub fn load(&self) -> Result<Loaded, StateError> {
        let path = self.state_path();
        let mut plain_on_disk = false;
        let existing = match std::fs::read(&path) {
            Ok(bytes) => {
                plain_on_disk = !envelope::is_encrypted(&bytes);
                Some(read_state(
                    &self.crypt.open_file(&bytes, Kind::State, &path)?,
                    &path,
                )?)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(StateError::io(&path, e)),
        };
        let jpath = self.journal_path();
        let journal = match std::fs::read(&jpath) {
            Ok(bytes) => read_journal(&self.crypt.open_journal(&bytes, &jpath)?, &jpath)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(StateError::io(&jpath, e)),
        };
        let loaded = settle(
            fold(existing, journal, &jpath)?,
            false,
            |state| self.save(state),
            || self.remove_journal(),
            || self.keep_journal(),
        )?;
        if plain_on_disk && self.crypt.enabled() {
            self.upgrade(&loaded.state)?;
        }
        Ok(loaded)
    }

    /// Encryption just configured: the plain state is written encrypted at once (under the
    /// lock the loader holds), and its backup too, so no plain copy stays beside it.
    fn upgrade(&self, state: &State) -> Result<(), StateError> {
        self.save(state)?;
        let bak = self.backup_path();
        let _ = std::fs::remove_file(&bak);
        std::fs::copy(self.state_path(), &bak).map_err(|e| StateError::io(&bak, e))?;
        Ok(())
    }

    /// Reads the state without writing anything, with a leftover journal folded in memory only:
    /// for commands that only look (`state list`, `output`) and may run while an apply holds
    /// the lock and is still appending to the journal.
    pub fn peek(&self) -> Result<State, StateError> {
        let path = self.state_path();
        let existing = match std::fs::read(&path) {
            Ok(bytes) => Some(read_state(
                &self.crypt.open_file(&bytes, Kind::State, &path)?,
                &path,
            )?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(StateError::io(&path, e)),
        };
        let jpath = self.journal_path();
        let journal = match std::fs::read(&jpath) {
            Ok(bytes) => self
                .crypt
                .open_journal(&bytes, &jpath)
                .ok()
                .and_then(|plain| read_journal(&plain, &jpath).ok().flatten()),
            Err(_) => None,
        };
        Ok(peek(existing, journal))
    }

    /// Atomic replace: write a temporary file, flush it to disk, keep the previous state as
    /// `.bak`, rename the new one into place, flush the directory.
    pub fn save(&self, state: &State) -> Result<(), StateError> {
        let path = self.state_path();
        std::fs::create_dir_all(&self.dir).map_err(|e| StateError::io(&self.dir, e))?;
        let tmp = self.file(&format!("state.json.tmp{}", std::process::id()));
        let bytes = self
            .crypt
            .seal_file(write_state(state), Kind::State, None, &path)?;
        let io = |e| StateError::io(&tmp, e);
        let mut f = File::create(&tmp).map_err(io)?;
        f.write_all(&bytes).map_err(io)?;
        f.sync_all().map_err(io)?;
        drop(f);
        let bak = self.backup_path();
        if path.exists() {
            let _ = std::fs::remove_file(&bak);
            std::fs::hard_link(&path, &bak)
                .or_else(|_| std::fs::copy(&path, &bak).map(|_| ()))
                .map_err(|e| StateError::io(&bak, e))?;
        }
        std::fs::rename(&tmp, &path).map_err(|e| StateError::io(&path, e))?;
        sync_dir(&self.dir);
        Ok(())
    }

    /// Starts the journal of an apply on top of `state` (which must be saved first, so that a
    /// crash leaves a state the journal's base serial refers to).
    pub fn open_journal(&self, state: &State) -> Result<JournalWriter, StateError> {
        std::fs::create_dir_all(&self.dir).map_err(|e| StateError::io(&self.dir, e))?;
        let path = self.journal_path();
        JournalWriter::create(&path, state, self.crypt.data_key(&path)?)
    }

    /// Ends an apply: the final state (serial already bumped by the caller) is saved, then the
    /// journal is removed. A crash between the two is handled by `load` (serial check).
    pub fn commit(&self, state: &State, journal: Option<JournalWriter>) -> Result<(), StateError> {
        if let Some(mut j) = journal {
            j.sync()?;
        }
        self.save(state)?;
        self.remove_journal()
    }

    /// Moves a damaged journal aside as `<env>.journal.damaged-<unix seconds>`.
    fn keep_journal(&self) -> Result<String, StateError> {
        let from = self.journal_path();
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let to = self.file(&format!("journal.damaged-{secs}"));
        std::fs::rename(&from, &to).map_err(|e| StateError::io(&from, e))?;
        sync_dir(&self.dir);
        Ok(to.display().to_string())
    }

    fn remove_journal(&self) -> Result<(), StateError> {
        let p = self.journal_path();
        match std::fs::remove_file(&p) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(StateError::io(&p, e)),
        }
    }
}

fn sync_dir(dir: &Path) {
    // Makes the rename durable; not possible on every platform, and not fatal when it fails.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::journal::JournalEntry;
    use crate::state::model::ResourceRecord;
    use std::collections::{BTreeMap, BTreeSet};

    fn rec(id: &str) -> ResourceRecord {
        ResourceRecord {
            type_name: "core.data".into(),
            id: id.into(),
            inputs: Default::default(),
            secret_inputs: BTreeMap::new(),
            outputs: BTreeMap::new(),
            derived: None,
            secret_outputs: BTreeSet::new(),
            protect: false,
            dependencies: infra_provider_core::NameSet::new(),
        }
    }

    #[test]
    fn save_keeps_a_backup_and_load_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::new(dir.path(), "dev");
        let mut s = store.load().unwrap().state;
        store.save(&s).unwrap();
        s.serial = 1;
        s.resources.insert("a".into(), rec("data-1"));
        store.save(&s).unwrap();
        assert_eq!(store.load().unwrap().state, s);
        let bak = read_state(&std::fs::read(store.backup_path()).unwrap(), Path::new("b")).unwrap();
        assert_eq!(bak.serial, 0);
    }

    #[test]
    fn journal_survives_a_crash_with_a_torn_last_line() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::new(dir.path(), "dev");
        let s = store.load().unwrap().state;
        store.save(&s).unwrap();
        let mut j = store.open_journal(&s).unwrap();
        for (a, id) in [("a", "data-1"), ("b", "data-2")] {
            j.append(&JournalEntry::Put {
                address: a.into(),
                resource: rec(id),
            })
            .unwrap();
        }
        j.append(&JournalEntry::Remove {
            address: "a".into(),
        })
        .unwrap();
        drop(j);
        // A kill during the write of a fourth record leaves half a line.
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(store.journal_path())
            .unwrap();
        f.write_all(b"{\"op\":\"put\",\"address\":\"c\",\"reso")
            .unwrap();
        drop(f);
        let loaded = store.load().unwrap();
        assert_eq!(loaded.recovered, 3);
        assert_eq!(loaded.skipped_journal_lines.len(), 1);
        assert_eq!(loaded.skipped_journal_lines[0].line, 5);
        assert_eq!(loaded.state.resources.keys().collect::<Vec<_>>(), ["b"]);
        assert_eq!(loaded.state.serial, s.serial + 1);
        // The damaged journal is kept aside, not deleted.
        assert!(!store.journal_path().exists());
        let kept = loaded.journal_kept_as.clone().unwrap();
        assert!(std::fs::read(&kept).unwrap().ends_with(b"\"reso"), "{kept}");
        // The backup is the state from before the recovery.
        let bak = read_state(&std::fs::read(store.backup_path()).unwrap(), Path::new("b")).unwrap();
        assert_eq!((bak.serial, bak.resources.len()), (s.serial, 0));
        // The fold was saved: loading again gives the same state.
        assert_eq!(store.load().unwrap().state, loaded.state);
    }

    /// Eighteen records with two damaged lines among them: the sixteen good ones are folded,
    /// the two bad ones are named with their line numbers and reasons, the journal is kept.
    #[test]
    fn every_valid_journal_record_is_folded_around_damaged_lines() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::new(dir.path(), "dev");
        let s = store.load().unwrap().state;
        store.save(&s).unwrap();
        drop(store.open_journal(&s).unwrap());
        let mut text = std::fs::read_to_string(store.journal_path()).unwrap();
        for i in 0..18 {
            let line = match i {
                3 => "{\"op\":\"put\",\"addr".to_string(),
                9 => "{\"op\":\"remove\",\"address\":\"a\\u0000b\"}".to_string(),
                _ => serde_json::to_string(&JournalEntry::Put {
                    address: format!("r{i}"),
                    resource: rec(&format!("id-{i}")),
                })
                .unwrap(),
            };
            text.push_str(&line);
            text.push('\n');
        }
        std::fs::write(store.journal_path(), &text).unwrap();
        let loaded = store.load().unwrap();
        assert_eq!(loaded.recovered, 16);
        assert_eq!(loaded.state.resources.len(), 16);
        assert!(loaded.state.resources.contains_key("r17"));
        let skipped: Vec<_> = loaded
            .skipped_journal_lines
            .iter()
            .map(|l| (l.line, l.reason.contains("control character")))
            .collect();
        assert_eq!(skipped, [(5, false), (11, true)]);
        assert!(
            loaded.skipped_journal_lines[0]
                .reason
                .contains("not a journal record")
        );
        let kept = loaded.journal_kept_as.unwrap();
        assert_eq!(std::fs::read_to_string(kept).unwrap(), text);
    }

    /// A journal started from a later state than the stored one (the state was restored from
    /// an old copy meanwhile) is not folded onto it.
    #[test]
    fn a_journal_ahead_of_the_state_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::new(dir.path(), "dev");
        let mut s = store.load().unwrap().state;
        s.serial = 7;
        drop(store.open_journal(&s).unwrap());
        s.serial = 3;
        store.save(&s).unwrap();
        let e = store.load().unwrap_err().to_string();
        assert!(e.contains("dev.journal") && e.contains("serial 7"), "{e}");
        assert!(e.contains("move the journal aside"), "{e}");
        assert!(store.journal_path().exists(), "evidence kept");
    }

    /// With encryption configured, journal records are sealed one per line and folded back
    /// after a crash; nothing in the folder shows an address in clear.
    #[test]
    fn an_encrypted_journal_is_recovered_after_a_crash() {
        let dir = tempfile::tempdir().unwrap();
        let keys = crate::state::KeyConfig {
            encryption: Some(crate::state::Wrapping::KeyFile(dir.path().join("wrap.key"))),
            ..Default::default()
        };
        let store = LocalStore::new(dir.path().join("s"), "dev").with_keys(keys.clone());
        let s = store.load().unwrap().state;
        store.save(&s).unwrap();
        let mut j = store.open_journal(&s).unwrap();
        j.append(&JournalEntry::Put {
            address: "secretive-name".into(),
            resource: rec("data-1"),
        })
        .unwrap();
        drop(j);
        for f in [store.state_path(), store.journal_path()] {
            let bytes = std::fs::read(&f).unwrap();
            assert!(envelope::is_encrypted(&bytes), "{f:?}");
            assert!(!String::from_utf8_lossy(&bytes).contains("secretive-name"));
        }
        // Another process (nothing cached) folds it in.
        let again = LocalStore::new(dir.path().join("s"), "dev").with_keys(keys);
        let loaded = again.load().unwrap();
        assert_eq!(loaded.recovered, 1);
        assert!(loaded.state.resources.contains_key("secretive-name"));
        assert!(!again.journal_path().exists());
    }

    #[test]
    fn peek_folds_the_journal_without_writing() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::new(dir.path(), "dev");
        let s = store.load().unwrap().state;
        store.save(&s).unwrap();
        let mut j = store.open_journal(&s).unwrap();
        j.append(&JournalEntry::Put {
            address: "a".into(),
            resource: rec("data-1"),
        })
        .unwrap();
        let peeked = store.peek().unwrap();
        assert_eq!(peeked.resources.keys().collect::<Vec<_>>(), ["a"]);
        assert!(store.journal_path().exists());
        assert_eq!(store.load().unwrap().state.resources.len(), 1);
    }

    #[test]
    fn journal_already_folded_is_discarded() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::new(dir.path(), "dev");
        let mut s = store.load().unwrap().state;
        store.save(&s).unwrap();
        let mut j = store.open_journal(&s).unwrap();
        j.append(&JournalEntry::Put {
            address: "a".into(),
            resource: rec("data-1"),
        })
        .unwrap();
        s.resources.insert("a".into(), rec("data-1"));
        s.serial += 1;
        store.save(&s).unwrap(); // crash before the journal was removed
        let loaded = store.load().unwrap();
        assert_eq!((loaded.recovered, loaded.state), (0, s));
    }

    #[test]
    fn journal_of_another_lineage_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::new(dir.path(), "dev");
        let s = store.load().unwrap().state;
        store.save(&s).unwrap();
        let other = State::new("other".into());
        store.open_journal(&other).unwrap();
        let err = store.load().unwrap_err().to_string();
        assert!(err.contains("lineage"), "{err}");
    }
}
