//! The apply journal: one JSON line per finished resource, appended beside the state, so that
//! persisting after every resource costs O(1) instead of rewriting the whole state (O(N²) over
//! an apply). It is folded into the state at the end of apply, or on the next load after a
//! crash. A torn last line (the process died mid-write) is expected and ignored.

use super::StateError;
use super::model::{ResourceRecord, State};
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// First line of a journal: which state it applies to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JournalHeader {
    pub journal_version: u64,
    pub lineage: String,
    pub base_serial: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum JournalEntry {
    Put {
        address: String,
        resource: ResourceRecord,
    },
    Remove {
        address: String,
    },
}

/// Group commit: records are written at once (safe against a killed process, as the kernel
/// keeps them) and flushed to disk at most this often (safe against power loss up to it).
const SYNC_EVERY: Duration = Duration::from_millis(50);

pub struct JournalWriter {
    path: PathBuf,
    file: File,
    last_sync: Instant,
    dirty: bool,
}

impl JournalWriter {
    pub fn create(path: &Path, state: &State) -> Result<JournalWriter, StateError> {
        let io = |e| StateError::io(path, e);
        let mut file = File::create(path).map_err(io)?;
        let header = JournalHeader {
            journal_version: 1,
            lineage: state.lineage.clone(),
            base_serial: state.serial,
        };
        let mut line = serde_json::to_vec(&header).unwrap_or_default();
        line.push(b'\n');
        file.write_all(&line).map_err(io)?;
        file.sync_data().map_err(io)?;
        Ok(JournalWriter {
            path: path.to_path_buf(),
            file,
            last_sync: Instant::now(),
            dirty: false,
        })
    }

    pub fn append(&mut self, entry: &JournalEntry) -> Result<(), StateError> {
        let mut line = serde_json::to_vec(entry).unwrap_or_default();
        line.push(b'\n');
        // One write call per record so that a kill leaves at most one torn line.
        self.file
            .write_all(&line)
            .map_err(|e| StateError::io(&self.path, e))?;
        self.dirty = true;
        if self.last_sync.elapsed() >= SYNC_EVERY {
            self.sync()?;
        }
        Ok(())
    }

    pub fn sync(&mut self) -> Result<(), StateError> {
        if self.dirty {
            self.file
                .sync_data()
                .map_err(|e| StateError::io(&self.path, e))?;
            self.dirty = false;
        }
        self.last_sync = Instant::now();
        Ok(())
    }
}

/// A journal as read back: the header, the entries that parsed, and how many trailing lines
/// were unreadable (a torn write).
#[derive(Debug, Clone, PartialEq)]
pub struct JournalContents {
    pub header: JournalHeader,
    pub entries: Vec<JournalEntry>,
    pub dropped_lines: usize,
}

/// Reads a journal, stopping at the first damaged line: what follows a damaged line cannot be
/// trusted to be in order. Returns `Ok(None)` for an empty or headerless journal (nothing was
/// recorded before the crash).
pub fn read_journal(bytes: &[u8], path: &Path) -> Result<Option<JournalContents>, StateError> {
    let mut lines = bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace));
    let header: JournalHeader = match lines.next().map(serde_json::from_slice) {
        Some(Ok(h)) => h,
        _ => return Ok(None),
    };
    if header.journal_version != 1 {
        return Err(StateError::Corrupt {
            path: path.to_path_buf(),
            message: format!(
                "journal_version {} is not supported",
                header.journal_version
            ),
        });
    }
    let mut entries = Vec::new();
    let mut dropped_lines = 0;
    for line in lines {
        if dropped_lines > 0 {
            dropped_lines += 1;
            continue;
        }
        match serde_json::from_slice::<JournalEntry>(line) {
            Ok(e) => entries.push(e),
            Err(_) => dropped_lines = 1,
        }
    }
    Ok(Some(JournalContents {
        header,
        entries,
        dropped_lines,
    }))
}

pub fn apply_entry(state: &mut State, entry: JournalEntry) {
    match entry {
        JournalEntry::Put { address, resource } => {
            state.resources.insert(address, resource);
        }
        JournalEntry::Remove { address } => {
            state.resources.remove(&address);
        }
    }
}
