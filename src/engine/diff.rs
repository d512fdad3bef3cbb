//! Attribute-level comparison of one resource. Pure: no I/O, no clock.

use super::model::{AttrChange, Json};
use crate::state::SecretKey;
use infra_provider_core::{Props, Value};
use std::collections::{BTreeMap, BTreeSet};

pub const SECRET: &str = "(secret)";

/// The display form of a value: secrets and unknowns redacted.
pub fn shown(v: &Value) -> Json {
    v.to_redacted_json()
}

/// The result of comparing desired inputs with the prior object's.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InputDiff {
    pub attributes: Vec<AttrChange>,
    /// Names of inputs that change.
    pub changed: BTreeSet<String>,
}

/// The previous secret state of an input, as far as it can be known without the value.
fn secret_changed(v: &Value, recorded_hash: Option<&String>, key: &SecretKey) -> bool {
    v.contains_unknown() || recorded_hash.is_none_or(|h| *h != key.hash(v))
}

/// Compares desired inputs (already normalised by the provider, `ignore_changes` applied) with
/// the prior inputs and the recorded hashes of secret inputs.
pub fn diff_inputs(
    desired: &Props,
    prior: &Props,
    secret_hashes: &BTreeMap<String, String>,
    key: &SecretKey,
    replace_on_change: &BTreeSet<String>,
    ignored: &BTreeSet<String>,
) -> InputDiff {
    let mut out = InputDiff::default();
    let names: BTreeSet<&String> = desired
        .keys()
        .chain(prior.keys())
        .chain(secret_hashes.keys())
        .collect();
    for name in names {
        if ignored.contains(name.as_str()) {
            continue;
        }
        let want = desired.get(name);
        let had_secret = secret_hashes.get(name);
        let before = match (prior.get(name), had_secret) {
            (Some(v), _) => Some(shown(v)),
            (None, Some(_)) => Some(Json::String(SECRET.into())),
            (None, None) => None,
        };
        let changed = match want {
            Some(v) if v.contains_secret() => secret_changed(v, had_secret, key),
            Some(v) if v.contains_unknown() => true,
            Some(v) => had_secret.is_some() || prior.get(name) != Some(v),
            None => before.is_some(),
        };
        if !changed {
            continue;
        }
        out.changed.insert(name.clone());
        out.attributes.push(AttrChange {
            path: name.clone(),
            reset: want.is_none() && before.is_some(),
            before,
            after: want.map(shown),
            forces_replace: replace_on_change.contains(name.as_str()),
            unknown: want.is_some_and(Value::contains_unknown),
            secret: want.is_some_and(Value::contains_secret) || had_secret.is_some(),
            output: false,
        });
    }
    out
}

/// Attributes for a resource that is created: everything that is set.
pub fn all_set(values: &Props, output: bool) -> Vec<AttrChange> {
    values
        .iter()
        .map(|(k, v)| AttrChange {
            path: k.clone(),
            before: None,
            after: Some(shown(v)),
            forces_replace: false,
            unknown: v.contains_unknown(),
            secret: v.contains_secret(),
            output,
            reset: false,
        })
        .collect()
}

/// Attributes for a resource that is deleted: everything recorded.
pub fn all_removed(values: &Props, secret_names: impl Iterator<Item = String>) -> Vec<AttrChange> {
    let mut out: Vec<AttrChange> = values
        .iter()
        .map(|(k, v)| AttrChange {
            path: k.clone(),
            before: Some(shown(v)),
            after: None,
            forces_replace: false,
            unknown: false,
            secret: false,
            output: false,
            reset: false,
        })
        .collect();
    for k in secret_names {
        out.push(AttrChange {
            path: k,
            before: Some(Json::String(SECRET.into())),
            after: None,
            forces_replace: false,
            unknown: false,
            secret: true,
            output: false,
            reset: false,
        });
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// Outputs whose predicted value differs from the recorded one.
pub fn diff_outputs(predicted: &Props, recorded: &Props) -> Vec<AttrChange> {
    predicted
        .iter()
        .filter(|(k, v)| recorded.get(k) != Some(*v))
        .map(|(k, v)| AttrChange {
            path: k.clone(),
            before: recorded.get(k).map(shown),
            after: Some(shown(v)),
            forces_replace: false,
            unknown: v.contains_unknown(),
            secret: v.contains_secret(),
            output: true,
            reset: false,
        })
        .collect()
}

/// Drift: what changed between the recorded object and the live one (inputs and outputs).
pub fn drift(
    recorded: &infra_provider_core::ObjectState,
    live: &infra_provider_core::ObjectState,
) -> Vec<AttrChange> {
    let mut out = Vec::new();
    for (values_then, values_now, output) in [
        (&recorded.inputs, &live.inputs, false),
        (&recorded.outputs, &live.outputs, true),
    ] {
        let names: BTreeSet<&String> = values_then.keys().chain(values_now.keys()).collect();
        for name in names {
            let (then, now) = (values_then.get(name), values_now.get(name));
            // Secrets are never read back, so their absence in the live object is not drift.
            if then == now || now.is_some_and(Value::contains_secret) {
                continue;
            }
            out.push(AttrChange {
                path: name.clone(),
                before: then.map(shown),
                after: now.map(shown),
                forces_replace: false,
                unknown: false,
                secret: false,
                output,
                reset: false,
            });
        }
    }
    out
}

/// `ignore_changes`: top-level names are skipped in the comparison; nested paths (`tags.owner`)
/// take the prior value into the desired object, so that apply does not undo them either.
pub fn apply_ignore_changes(
    desired: &mut Props,
    prior: &Props,
    paths: &[String],
) -> BTreeSet<String> {
    let mut ignored = BTreeSet::new();
    for path in paths {
        let mut parts = path.split('.');
        let Some(head) = parts.next() else { continue };
        let rest: Vec<&str> = parts.collect();
        if rest.is_empty() {
            ignored.insert(head.to_string());
            if let Some(v) = prior.get(head) {
                desired.insert(head.to_string(), v.clone());
            }
            continue;
        }
        let prior_leaf = prior.get(head).and_then(|v| lookup(v, &rest));
        if let Some(slot) = desired.get_mut(head) {
            set_path(slot, &rest, prior_leaf.cloned());
        }
    }
    ignored
}

fn lookup<'v>(v: &'v Value, path: &[&str]) -> Option<&'v Value> {
    match path.split_first() {
        None => Some(v),
        Some((k, rest)) => match v.unwrap_secret().0 {
            Value::Object(m) => m.get(k).and_then(|x| lookup(x, rest)),
            _ => None,
        },
    }
}

fn set_path(v: &mut Value, path: &[&str], new: Option<Value>) {
    let Value::Object(m) = v else { return };
    match path {
        [] => {}
        [k] => match new {
            Some(x) => {
                m.insert(k.to_string(), x);
            }
            None => {
                m.remove(k);
            }
        },
        [k, rest @ ..] => {
            if let Some(child) = m.get_mut(k) {
                set_path(child, rest, new);
            }
        }
    }
}

#[cfg(test)]
mod reset_tests {
    use super::*;

    #[test]
    fn an_input_removed_from_the_configuration_is_marked_reset() {
        let prior: Props = [
            ("ttl".to_string(), Value::Int(300)),
            ("name".to_string(), Value::str("www")),
        ]
        .into();
        let desired: Props = [("name".to_string(), Value::str("www"))].into();
        let key = SecretKey::from_bytes([7; 32]);
        let d = diff_inputs(
            &desired,
            &prior,
            &BTreeMap::new(),
            &key,
            &BTreeSet::new(),
            &BTreeSet::new(),
        );
        assert_eq!(d.attributes.len(), 1);
        assert!(d.attributes[0].reset && d.attributes[0].path == "ttl");
    }
}
