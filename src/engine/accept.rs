//! `infra apply --refresh-only`: the state takes what the cloud has now for the resources that
//! drifted; nothing in the cloud changes. Pure: the live objects come from a refresh.

use crate::state::State;
use std::collections::BTreeSet;

/// The state with the live view of each address in `accept` (a drift the user reviewed): an
/// object deleted outside infra leaves the state, a changed one is recorded as it is now.
/// Returns the new state (serial bumped when anything changed) and the addresses changed.
pub fn accept_drift(
    state: &State,
    live: &super::Live,
    accept: &BTreeSet<String>,
) -> (State, Vec<String>) {
    let mut next = state.clone();
    let mut changed = Vec::new();
    for address in accept {
        let Some(now) = live.get(address) else {
            continue;
        };
        match now {
            None => {
                if next.resources.remove(address).is_some() {
                    changed.push(address.clone());
                }
            }
            Some(obj) => {
                if let Some(rec) = next.resources.get_mut(address) {
                    let updated = rec.with_live(obj);
                    if updated != *rec {
                        *rec = updated;
                        changed.push(address.clone());
                    }
                }
            }
        }
    }
    if !changed.is_empty() {
        next.serial += 1;
    }
    (next, changed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::diff;
    use crate::engine::testkit::*;
    use infra_provider_core::Value;

    #[test]
    fn accepted_drift_is_no_drift_and_only_reviewed_addresses_change() {
        let a = record(
            "test.thing",
            "id-a",
            props(&[("name", Value::str("a")), ("size", Value::Int(1))]),
            props(&[("fqdn", Value::str("a.example"))]),
        );
        let b = record(
            "test.thing",
            "id-b",
            props(&[("size", Value::Int(2))]),
            props(&[]),
        );
        let c = record(
            "test.thing",
            "id-c",
            props(&[("size", Value::Int(3))]),
            props(&[]),
        );
        let state = state_with(vec![("a", a.clone()), ("b", b.clone()), ("c", c.clone())]);
        let mut live_a = a.object_state();
        live_a.inputs.insert("size".into(), Value::Int(5));
        let mut live_c = c.object_state();
        live_c.inputs.insert("size".into(), Value::Int(9));
        let live: super::super::Live = [
            ("a".to_string(), Some(live_a.clone().into())),
            ("b".to_string(), None),
            ("c".to_string(), Some(live_c.into())),
        ]
        .into_iter()
        .collect();
        let reviewed: BTreeSet<String> = ["a".to_string(), "b".to_string()].into();
        let (next, changed) = accept_drift(&state, &live, &reviewed);
        assert_eq!(changed, ["a", "b"]);
        assert_eq!(next.serial, state.serial + 1);
        assert!(diff::drift(&next.resources["a"].object_state(), &live_a).is_empty());
        assert!(!next.resources.contains_key("b"));
        // Not reviewed: left as recorded.
        assert_eq!(next.resources["c"], c);
        // Nothing to accept: the same state, serial unchanged.
        let (same, none) = accept_drift(&next, &live, &["a".to_string()].into());
        assert!(none.is_empty());
        assert_eq!(same, next);
    }
}
