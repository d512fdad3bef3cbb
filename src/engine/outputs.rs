//! Changes to the root outputs: what they are with the recorded state against what they
//! will be once the plan is applied. Pure: the caller evaluates both sides.

use super::model::OutputChange;
use infra_provider_core::Value;
use std::collections::BTreeMap;

/// Root outputs by name: value and whether it is declared `secret`.
pub type Outputs = BTreeMap<String, (Value, bool)>;

/// Compares the outputs evaluated with the recorded state (`before`; `None` when nothing was
/// applied yet, so every output is new) with those evaluated with the plan's predictions.
/// An output whose recorded value is not fully known (it reads an output the state withholds,
/// like a secret) is listed only when its new value differs from that.
pub fn output_changes(before: Option<&Outputs>, after: &Outputs) -> Vec<OutputChange> {
    let shown = |v: &Value, secret: bool| {
        if secret {
            Value::secret(v.clone()).to_redacted_json()
        } else {
            v.to_redacted_json()
        }
    };
    let mut out = Vec::new();
    let names: std::collections::BTreeSet<&String> = after
        .keys()
        .chain(before.into_iter().flat_map(|b| b.keys()))
        .collect();
    for name in names {
        let was = before.and_then(|b| b.get(name));
        let will = after.get(name);
        if let (Some((b, _)), Some((a, _))) = (was, will)
            && a == b
        {
            continue;
        }
        let before_shown = was
            .filter(|(b, _)| !b.contains_unknown())
            .map(|(b, s)| shown(b, *s));
        let secret = will.or(was).is_some_and(|(v, s)| *s || v.contains_secret());
        out.push(OutputChange {
            name: name.clone(),
            before: before_shown,
            after: will.map(|(a, s)| shown(a, *s)),
            unknown: will.is_some_and(|(a, _)| a.contains_unknown()),
            secret,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outs(pairs: &[(&str, Value)]) -> Outputs {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), (v.clone(), false)))
            .collect()
    }

    #[test]
    fn first_plan_lists_every_output_as_new() {
        let after = outs(&[("url", Value::str("https://a")), ("host", Value::Unknown)]);
        let c = output_changes(None, &after);
        assert_eq!(c.len(), 2);
        assert!(c.iter().all(|o| o.action() == "create"));
        assert!(c.iter().any(|o| o.name == "host" && o.unknown));
    }

    #[test]
    fn only_what_changes_is_listed_and_secrets_stay_redacted() {
        let before = outs(&[("same", Value::Int(1)), ("moved", Value::str("a"))]);
        let mut after = outs(&[("same", Value::Int(1)), ("moved", Value::Unknown)]);
        after.insert("pw".into(), (Value::str("hunter2"), true));
        let c = output_changes(Some(&before), &after);
        let names: Vec<&str> = c.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(names, vec!["moved", "pw"]);
        assert_eq!(c[0].action(), "update");
        assert_eq!(c[1].after, Some(serde_json::json!("(secret)")));
    }

    #[test]
    fn a_removed_output_is_a_delete() {
        let before = outs(&[("gone", Value::Int(1))]);
        let c = output_changes(Some(&before), &Outputs::new());
        assert_eq!(c[0].action(), "delete");
    }
}
