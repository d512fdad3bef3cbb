//! The state store an environment uses, local or remote, behind one interface for the CLI and
//! the engine: lock, load (with journal recovery), peek, save, journal, secret key.

use super::StateError;
use super::blob::{BlobJournal, BlobLock, BlobStore};
use super::envelope::Crypt;
use super::journal::{JournalEntry, JournalWriter};
use super::keysource::FoundKey;
use super::lock::{LockError, LockInfo, StateLock};
use super::model::State;
use super::store::{Loaded, LocalStore};

#[derive(Debug, Clone)]
pub enum StateStore {
    Local(LocalStore),
    Blob(BlobStore),
}

/// Held while alive; dropping it releases the lock.
#[derive(Debug)]
pub enum StoreLock {
    Local(StateLock),
    Blob(Box<BlobLock>),
}

/// The journal of an apply in progress.
pub enum Journal {
    Local(JournalWriter),
    Blob(BlobJournal),
}

impl Journal {
    /// Records one finished resource; never waits for the network.
    pub fn append(&mut self, entry: &JournalEntry) -> Result<(), StateError> {
        match self {
            Journal::Local(j) => j.append(entry),
            Journal::Blob(j) => j.append(entry),
        }
    }

    /// Waits until everything appended is durable.
    pub fn sync(&mut self) -> Result<(), StateError> {
        match self {
            Journal::Local(j) => j.sync(),
            Journal::Blob(j) => j.sync(),
        }
    }
}

impl StateStore {
    /// Where the state lives, for people.
    pub fn location(&self) -> String {
        match self {
            StateStore::Local(s) => s.state_path().display().to_string(),
            StateStore::Blob(s) => s.location(),
        }
    }

    /// Encryption at rest of this store (state, journal, saved plans).
    pub fn crypt(&self) -> &Crypt {
        match self {
            StateStore::Local(s) => s.crypt(),
            StateStore::Blob(s) => s.crypt(),
        }
    }

    pub fn lock(&self, run_id: &str, operation: &str) -> Result<StoreLock, LockError> {
        match self {
            StateStore::Local(s) => s.lock(run_id, operation).map(StoreLock::Local),
            StateStore::Blob(s) => s
                .lock(run_id, operation)
                .map(|l| StoreLock::Blob(Box::new(l))),
        }
    }

    pub fn load(&self) -> Result<Loaded, StateError> {
        match self {
            StateStore::Local(s) => s.load(),
            StateStore::Blob(s) => s.load(),
        }
    }

    pub fn peek(&self) -> Result<State, StateError> {
        match self {
            StateStore::Local(s) => s.peek(),
            StateStore::Blob(s) => s.peek(),
        }
    }

    pub fn save(&self, state: &State) -> Result<(), StateError> {
        match self {
            StateStore::Local(s) => s.save(state),
            StateStore::Blob(s) => s.save(state),
        }
    }

    /// Whether a state has been written (not only held in memory since the first load).
    pub fn is_saved(&self) -> bool {
        match self {
            StateStore::Local(s) => s.state_path().exists(),
            StateStore::Blob(s) => s.is_saved(),
        }
    }

    pub fn open_journal(&self, state: &State) -> Result<Journal, StateError> {
        match self {
            StateStore::Local(s) => s.open_journal(state).map(Journal::Local),
            StateStore::Blob(s) => s.open_journal(state).map(Journal::Blob),
        }
    }

    /// Ends an apply: waits for the journal, saves the final state, removes the journal.
    pub fn commit(&self, state: &State, journal: Option<Journal>) -> Result<(), StateError> {
        if let Some(mut j) = journal {
            j.sync()?;
        }
        match self {
            StateStore::Local(s) => s.commit(state, None),
            StateStore::Blob(s) => s.commit(state, None),
        }
    }

    /// The secret-fingerprint key; `lineage` is the loaded state's (it names a local state's
    /// default key file).
    pub fn secret_key(&self, lineage: &str) -> Result<FoundKey, StateError> {
        match self {
            StateStore::Local(s) => s.secret_key(lineage),
            StateStore::Blob(s) => s.secret_key(),
        }
    }

    /// Breaks a remote lock now and says who held it; `None` for local state, whose OS lock
    /// is released by the kernel when its holder ends.
    pub fn unlock(&self) -> Result<Option<Option<LockInfo>>, StateError> {
        match self {
            StateStore::Local(_) => Ok(None),
            StateStore::Blob(s) => s.unlock().map(Some),
        }
    }
}

impl From<LocalStore> for StateStore {
    fn from(s: LocalStore) -> StateStore {
        StateStore::Local(s)
    }
}
