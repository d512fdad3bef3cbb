//! Folding a journal left by an apply that did not finish into the state it started from:
//! shared by every store, which only differ in where the bytes live.

use super::StateError;
use super::journal::{JournalContents, apply_entry};
use super::model::{State, new_lineage};
use std::path::Path;

/// What loading found, and what the store must do about the journal.
pub enum Folded {
    /// No journal: the state as stored (or a new one).
    Clean(State),
    /// The journal was already folded in before a crash: remove it, keep the state.
    Stale(State),
    /// Records were folded in: save the state (serial bumped), then remove the journal.
    Recovered {
        state: State,
        recovered: usize,
        dropped: usize,
    },
}

pub fn fold(
    existing: Option<State>,
    journal: Option<JournalContents>,
    journal_path: &Path,
) -> Result<Folded, StateError> {
    let Some(journal) = journal else {
        return Ok(Folded::Clean(
            existing.unwrap_or_else(|| State::new(new_lineage())),
        ));
    };
    let mut state = existing.unwrap_or_else(|| {
        let mut s = State::new(journal.header.lineage.clone());
        s.serial = journal.header.base_serial;
        s
    });
    if state.lineage != journal.header.lineage {
        return Err(StateError::LineageMismatch {
            path: journal_path.to_path_buf(),
            journal: journal.header.lineage,
            state: state.lineage,
        });
    }
    if state.serial > journal.header.base_serial {
        // The state was saved after this journal was written: it is already folded in.
        return Ok(Folded::Stale(state));
    }
    let recovered = journal.entries.len();
    for entry in journal.entries {
        apply_entry(&mut state, entry);
    }
    state.serial += 1;
    Ok(Folded::Recovered {
        state,
        recovered,
        dropped: journal.dropped_lines,
    })
}

/// The state with a journal of an apply still running folded in memory only (for commands
/// that only look).
pub fn peek(existing: Option<State>, journal: Option<JournalContents>) -> State {
    let mut state = match (existing, &journal) {
        (Some(s), _) => s,
        (None, Some(j)) => {
            let mut s = State::new(j.header.lineage.clone());
            s.serial = j.header.base_serial;
            s
        }
        (None, None) => State::new(new_lineage()),
    };
    if let Some(j) = journal
        && j.header.lineage == state.lineage
        && j.header.base_serial == state.serial
    {
        for entry in j.entries {
            apply_entry(&mut state, entry);
        }
    }
    state
}

/// Makes a fold durable: a recovered state is saved before its journal is removed (a crash in
/// between is a `Stale` journal next time), a stale journal is removed.
pub fn settle(
    folded: Folded,
    save: impl FnOnce(&State) -> Result<(), StateError>,
    remove_journal: impl Fn() -> Result<(), StateError>,
) -> Result<super::Loaded, StateError> {
    match folded {
        Folded::Clean(state) => Ok(super::Loaded::clean(state)),
        Folded::Stale(state) => {
            remove_journal()?;
            Ok(super::Loaded::clean(state))
        }
        Folded::Recovered {
            state,
            recovered,
            dropped,
        } => {
            save(&state)?;
            remove_journal()?;
            Ok(super::Loaded {
                state,
                recovered,
                dropped_journal_lines: dropped,
            })
        }
    }
}
