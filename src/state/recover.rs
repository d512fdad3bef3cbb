//! Folding a journal left by an apply that did not finish into the state it started from:
//! shared by every store, which only differ in where the bytes live.

use super::StateError;
use super::journal::{JournalContents, SkippedLine, apply_entry};
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
        skipped: Vec<SkippedLine>,
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
    if journal.header.base_serial > super::codec::MAX_SERIAL {
        return Err(StateError::Corrupt {
            path: journal_path.to_path_buf(),
            message: format!(
                "the journal's base_serial {} is out of range; move the journal aside",
                journal.header.base_serial
            ),
        });
    }
    if state.serial < journal.header.base_serial {
        return Err(StateError::JournalAhead {
            path: journal_path.to_path_buf(),
            base: journal.header.base_serial,
            serial: state.serial,
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
        skipped: journal.skipped,
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

/// Makes a fold durable: the recovered state is saved (serial bumped), then the journal removed;
/// a crash in between leaves a stale journal, discarded by the next load. A journal that `may_grow`
/// while it is folded (a remote one whose writer's lock was broken, still appending) is safer
/// settled in three steps: the state is first saved at the journal's base serial, so that until
/// the journal is gone the next load folds all of it again (replaying records is idempotent:
/// each sets or removes one address) and nothing appended meanwhile is lost. A local journal
/// cannot grow (its writer holds the OS lock until it dies), and one save keeps the `.bak` the
/// state before recovery. A stale journal (the state was saved after it) is removed. A journal
/// with skipped lines is never deleted: `keep_journal` moves it aside (evidence of the damage)
/// and says where.
pub fn settle(
    folded: Folded,
    may_grow: bool,
    save: impl Fn(&State) -> Result<(), StateError>,
    remove_journal: impl Fn() -> Result<(), StateError>,
    keep_journal: impl Fn() -> Result<String, StateError>,
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
            skipped,
        } => {
            let mut kept = None;
            let mut end_journal = || -> Result<(), StateError> {
                if skipped.is_empty() {
                    remove_journal()
                } else {
                    kept = Some(keep_journal()?);
                    Ok(())
                }
            };
            if may_grow {
                let mut unsettled = state.clone();
                unsettled.serial = state.serial.saturating_sub(1);
                save(&unsettled)?;
                end_journal()?;
                save(&state)?;
            } else {
                save(&state)?;
                end_journal()?;
            }
            Ok(super::Loaded {
                state,
                recovered,
                skipped_journal_lines: skipped,
                journal_kept_as: kept,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    /// Until the journal is removed, what was saved keeps the journal's base serial, so that the
    /// next load folds the whole journal again rather than taking it as already folded.
    #[test]
    fn a_recovered_state_is_unsettled_until_its_journal_is_gone() {
        let mut state = State::new("l".into());
        state.serial = 4;
        let saved = RefCell::new(Vec::new());
        let save = |s: &State| {
            saved.borrow_mut().push(s.serial);
            Ok(())
        };
        let folded = || Folded::Recovered {
            state: state.clone(),
            recovered: 2,
            skipped: Vec::new(),
        };
        let refused = || Err(StateError::JournalChanged { path: "j".into() });
        let keep = || Ok(String::from("kept"));
        assert!(settle(folded(), true, save, refused, keep).is_err());
        assert_eq!(
            *saved.borrow(),
            [3],
            "only the unsettled state, at the base serial"
        );
        saved.borrow_mut().clear();
        let loaded = settle(folded(), true, save, || Ok(()), keep).expect("settles");
        assert_eq!(*saved.borrow(), [3, 4]);
        assert_eq!((loaded.recovered, loaded.state.serial), (2, 4));
        // A journal that cannot grow is settled with one save, at the bumped serial.
        saved.borrow_mut().clear();
        let loaded = settle(folded(), false, save, || Ok(()), keep).expect("settles");
        assert_eq!(*saved.borrow(), [4]);
        assert_eq!(loaded.state.serial, 4);
    }
}
