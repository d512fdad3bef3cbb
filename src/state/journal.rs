//! The apply journal: one JSON line per finished resource, appended beside the state, so that
//! persisting after every resource costs O(1) instead of rewriting the whole state (O(N²) over
//! an apply). It is folded into the state at the end of apply, or on the next load after a
//! crash. A damaged line (a torn last write) is skipped and reported; the others are folded.

use super::StateError;
use super::envelope::{DataKey, Kind, journal_line};
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
    /// Encryption at rest: each line sealed with the state's data key.
    sealer: Option<DataKey>,
    file: File,
    last_sync: Instant,
    dirty: bool,
}

impl JournalWriter {
    pub fn create(
        path: &Path,
        state: &State,
        sealer: Option<DataKey>,
    ) -> Result<JournalWriter, StateError> {
        let io = |e| StateError::io(path, e);
        let mut file = File::create(path).map_err(io)?;
        let header = JournalHeader {
            journal_version: 1,
            lineage: state.lineage.clone(),
            base_serial: state.serial,
        };
        let mut line = serde_json::to_vec(&header).unwrap_or_default();
        line.push(b'\n');
        if let Some(k) = &sealer {
            let mut first = k.header(Kind::Journal, None);
            first.extend(journal_line(k, &line, path)?);
            line = first;
        }
        file.write_all(&line).map_err(io)?;
        file.sync_data().map_err(io)?;
        Ok(JournalWriter {
            path: path.to_path_buf(),
            sealer,
            file,
            last_sync: Instant::now(),
            dirty: false,
        })
    }

    pub fn append(&mut self, entry: &JournalEntry) -> Result<(), StateError> {
        let mut line = serde_json::to_vec(entry).unwrap_or_default();
        line.push(b'\n');
        if let Some(k) = &self.sealer {
            line = journal_line(k, &line, &self.path)?;
        }
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

/// A journal line that was not folded in, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct SkippedLine {
    /// 1-based line number in the journal.
    pub line: usize,
    pub reason: String,
}

/// A journal as read back: the header, every entry that parsed, and the lines that did not.
#[derive(Debug, Clone, PartialEq)]
pub struct JournalContents {
    pub header: JournalHeader,
    pub entries: Vec<JournalEntry>,
    pub skipped: Vec<SkippedLine>,
}

/// Reads a journal, keeping every record that parses: each line is written whole by one
/// call and sets or removes one address, so a damaged line (a torn last write, or a line
/// damaged on disk) costs only itself. Returns `Ok(None)` for an empty journal or one whose
/// only line is a torn header (nothing was recorded before the crash).
pub fn read_journal(bytes: &[u8], path: &Path) -> Result<Option<JournalContents>, StateError> {
    let mut lines = bytes
        .split(|b| *b == b'\n')
        .enumerate()
        .filter(|(_, l)| !l.iter().all(u8::is_ascii_whitespace));
    let Some((_, first)) = lines.next() else {
        return Ok(None);
    };
    let header: JournalHeader = match serde_json::from_slice(first) {
        Ok(h) => h,
        Err(_) if lines.clone().next().is_none() => return Ok(None),
        Err(e) => {
            return Err(StateError::Corrupt {
                path: path.to_path_buf(),
                message: format!(
                    "the journal's first line is not a journal header ({e}), so it cannot be \
                     matched to the state; move it aside (rename it) to go on without its records"
                ),
            });
        }
    };
    if header.journal_version != 1 {
        return Err(StateError::Corrupt {
            path: path.to_path_buf(),
            message: format!(
                "journal_version {} is not supported; upgrade infra, or move the journal aside",
                header.journal_version
            ),
        });
    }
    let mut entries = Vec::new();
    let mut skipped = Vec::new();
    for (i, line) in lines {
        let reason = match serde_json::from_slice::<JournalEntry>(line) {
            Ok(e) => match super::codec::address_problem(e.address()) {
                None => {
                    entries.push(e);
                    continue;
                }
                Some(problem) => problem,
            },
            Err(e) => format!("not a journal record: {e}"),
        };
        skipped.push(SkippedLine {
            line: i + 1,
            reason,
        });
    }
    Ok(Some(JournalContents {
        header,
        entries,
        skipped,
    }))
}

impl JournalEntry {
    pub fn address(&self) -> &str {
        match self {
            JournalEntry::Put { address, .. } | JournalEntry::Remove { address } => address,
        }
    }
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
