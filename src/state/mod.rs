//! Recorded state: the format (versioned JSON), secrets as keyed hashes, the stores (a local
//! file, or a blob in Azure Storage) with their journal and lock. See docs/state.md.

pub mod backend;
pub mod blob;
pub mod codec;
pub mod envelope;
pub mod fields;
pub mod journal;
pub mod keysource;
pub mod keyvault;
pub mod lock;
pub mod model;
pub mod recover;
pub mod secrets;
pub mod store;
pub mod strict;

pub use backend::{Journal, StateStore, StoreLock};
pub use blob::{BlobError, BlobStore};
pub use codec::{CURRENT_FORMAT_VERSION, read_state, write_state};
pub use journal::{JournalEntry, JournalWriter};
pub use keysource::{FingerprintSource, FoundKey, KeyConfig, Wrapping};
pub use lock::{LockError, LockInfo, StateLock};
pub use model::{ResourceRecord, State, new_lineage};
pub use secrets::SecretKey;
pub use store::{Loaded, LocalStore};

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: the state is not valid: {message}")]
    Corrupt { path: PathBuf, message: String },
    #[error(
        "{path}: state format_version {found} is newer than this infra understands (up to {supported}); upgrade infra"
    )]
    TooNew {
        path: PathBuf,
        found: u64,
        supported: u64,
    },
    #[error(
        "{path}: the journal belongs to state lineage {journal}, but the state has lineage {state}"
    )]
    LineageMismatch {
        path: PathBuf,
        journal: String,
        state: String,
    },
    #[error("{what}: {message}")]
    Remote { what: String, message: String },
    /// The journal grew while it was being folded in: a run whose lock was broken is still
    /// writing to it. The fold is done again with what it holds now.
    #[error(
        "{path}: the journal kept changing while it was being recovered; a run whose lock was \
         broken may still be writing to it: stop that run, then try again"
    )]
    JournalChanged { path: PathBuf },
    /// The journal was started on a later state than the one stored: folding it in would
    /// apply records on top of a state they were not made from.
    #[error(
        "{path}: the journal was started from state serial {base}, but the state is at serial \
         {serial}: the state was replaced or restored after that apply began. Restore the state \
         that apply started from (serial {base}) and run again, or move the journal aside to go \
         on without its records"
    )]
    JournalAhead {
        path: PathBuf,
        base: u64,
        serial: u64,
    },
    /// No usable source for the key that fingerprints secrets; the message says how to set one.
    #[error("{path}: {message}")]
    KeySource { path: PathBuf, message: String },
    /// An encrypted file that cannot be opened (no key configured, key missing or wrong), or
    /// a data key that cannot be made; the message names the key and the fix.
    #[error("{path}: {message}")]
    Encryption { path: PathBuf, message: String },
    #[error("{path}: the secret key is not valid: {message}")]
    BadKey { path: PathBuf, message: String },
}

impl StateError {
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        StateError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
