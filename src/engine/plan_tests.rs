//! Unit tests of diff and plan: one per kind of change.

use super::model::Action;
use super::plan::{PlanError, PlanInput, PlanOptions, plan};
use super::testkit::*;
use crate::state::State;
use infra_provider_core::{DesiredResource, ObjectState, Value};
use std::collections::BTreeMap;

fn run(
    desired: &[DesiredResource],
    state: &State,
    options: PlanOptions,
) -> Result<super::Plan, PlanError> {
    run_live(desired, state, None, options)
}

/// The live map as a refresh returns it.
pub(crate) fn shared(live: &BTreeMap<String, Option<ObjectState>>) -> super::Live {
    live.iter()
        .map(|(a, o)| (a.clone(), o.clone().map(std::sync::Arc::new)))
        .collect()
}

fn run_live(
    desired: &[DesiredResource],
    state: &State,
    live: Option<&BTreeMap<String, Option<ObjectState>>>,
    options: PlanOptions,
) -> Result<super::Plan, PlanError> {
    let providers = providers();
    let key = key();
    let live = live.map(shared);
    plan(&PlanInput {
        desired,
        state,
        live: live.as_ref(),
        providers: &providers,
        key: &key,
        reevaluate: None,
        options,
    })
}

fn thing(name: &str, size: i64) -> infra_provider_core::Props {
    props(&[("name", Value::str(name)), ("size", Value::Int(size))])
}

fn fqdn() -> infra_provider_core::Props {
    props(&[("fqdn", Value::str("a.example"))])
}

fn recorded_thing(name: &str, size: i64) -> State {
    state_with(vec![(
        "a",
        record("test.thing", "id-a", thing(name, size), fqdn()),
    )])
}

#[test]
fn create_on_empty_state() {
    let p = run(
        &[desired("a", "test.thing", thing("x", 1), &[])],
        &State::new("l".into()),
        PlanOptions::default(),
    )
    .unwrap();
    let c = &p.changes[0];
    assert_eq!((c.action, c.reason.as_deref()), (Action::Create, None));
    assert_eq!(c.unknown, ["fqdn"]);
    assert_eq!(p.summary().add, 1);
    assert!(
        c.attributes()
            .iter()
            .any(|a| a.path == "size" && a.after == Some(serde_json::json!(1)))
    );
}

/// A create keeps its typed values (secrets included, for apply) and shows them only redacted:
/// in its attributes, every view and `Debug`.
#[test]
fn a_created_secret_is_shown_redacted_everywhere() {
    let mut want = thing("x", 1);
    want.insert(
        "password".into(),
        Value::secret(Value::str("canary-create-77")),
    );
    let p = run(
        &[desired("a", "test.thing", want, &[])],
        &State::new("l".into()),
        PlanOptions::default(),
    )
    .unwrap();
    let c = &p.changes[0];
    assert_eq!(c.action, Action::Create);
    let attributes = c.attributes();
    let pw = attributes.iter().find(|a| a.path == "password").unwrap();
    assert!(pw.secret && pw.before.is_none());
    assert_eq!(pw.after, Some("(secret)".into()));
    assert_eq!(c.after().unwrap()["password"], "(secret)");
    assert_eq!(c.secret, ["password"]);
    assert_eq!(
        p.ops[0].inputs["password"],
        Value::secret(Value::str("canary-create-77"))
    );
    let shown = crate::render::render_json(&p)
        + &crate::render::render_human(&p, &Default::default())
        + &crate::render::render_markdown(&p, &Default::default())
        + &format!("{p:?}");
    assert!(!shown.contains("canary"), "{shown}");
    assert!(shown.contains("(secret)"), "{shown}");
}

#[test]
fn unchanged_is_no_op() {
    let p = run(
        &[desired("a", "test.thing", thing("x", 1), &[])],
        &recorded_thing("x", 1),
        PlanOptions::default(),
    )
    .unwrap();
    assert_eq!(p.changes[0].action, Action::NoOp);
    assert!(p.is_empty());
}

#[test]
fn changed_property_is_update_with_before_and_after() {
    let p = run(
        &[desired("a", "test.thing", thing("x", 2), &[])],
        &recorded_thing("x", 1),
        PlanOptions::default(),
    )
    .unwrap();
    let c = &p.changes[0];
    assert_eq!(c.action, Action::Update);
    let attributes = c.attributes();
    let size = attributes.iter().find(|a| a.path == "size").unwrap();
    assert_eq!(
        (size.before.clone(), size.after.clone()),
        (Some(1.into()), Some(2.into()))
    );
}

#[test]
fn create_only_change_is_replace_with_reason() {
    let p = run(
        &[desired("a", "test.thing", thing("y", 1), &[])],
        &recorded_thing("x", 1),
        PlanOptions::default(),
    )
    .unwrap();
    let c = &p.changes[0];
    assert_eq!(c.action, Action::Replace);
    assert_eq!(c.reason.as_deref(), Some("`name` forces replacement"));
    assert!(
        c.attributes()
            .iter()
            .any(|a| a.path == "name" && a.forces_replace)
    );
    assert_eq!(p.summary().replace, 1);
}

#[test]
fn missing_from_configuration_is_delete() {
    let p = run(&[], &recorded_thing("x", 1), PlanOptions::default()).unwrap();
    let c = &p.changes[0];
    assert_eq!(
        (c.action, c.reason.as_deref()),
        (Action::Delete, Some("not in the configuration"))
    );
    assert_eq!(p.summary().destroy, 1);
}

#[test]
fn drift_is_reported_and_reverted() {
    let state = recorded_thing("x", 1);
    let mut live = BTreeMap::new();
    live.insert(
        "a".to_string(),
        Some(ObjectState {
            id: "id-a".into(),
            inputs: thing("x", 5),
            outputs: fqdn(),
        }),
    );
    let p = run_live(
        &[desired("a", "test.thing", thing("x", 1), &[])],
        &state,
        Some(&live),
        PlanOptions::default(),
    )
    .unwrap();
    assert_eq!(p.drift.len(), 1);
    assert_eq!(p.drift[0].attributes[0].path, "size");
    assert_eq!(p.changes[0].action, Action::Update);
    assert_eq!(
        p.changes[0].reason.as_deref(),
        Some("changed outside infra")
    );

    live.insert("a".to_string(), None);
    let p = run_live(
        &[desired("a", "test.thing", thing("x", 1), &[])],
        &state,
        Some(&live),
        PlanOptions::default(),
    )
    .unwrap();
    assert!(p.drift[0].deleted);
    assert_eq!(p.changes[0].action, Action::Create);
    assert_eq!(
        p.changes[0].reason.as_deref(),
        Some("deleted outside infra")
    );
}

#[test]
fn refresh_only_reports_drift_but_no_change() {
    let state = recorded_thing("x", 1);
    let mut live = BTreeMap::new();
    live.insert(
        "a".to_string(),
        Some(ObjectState {
            id: "id-a".into(),
            inputs: thing("x", 5),
            outputs: fqdn(),
        }),
    );
    let opts = PlanOptions {
        refresh_only: true,
        ..Default::default()
    };
    let p = run_live(
        &[desired("a", "test.thing", thing("x", 1), &[])],
        &state,
        Some(&live),
        opts,
    )
    .unwrap();
    assert_eq!(p.drift.len(), 1);
    assert!(p.changes.is_empty() && p.ops.is_empty());
}

#[test]
fn ignore_changes_top_level_and_nested() {
    let tags = |owner: &str, env: &str| {
        let mut m = infra_provider_core::Map::new();
        m.insert("owner".to_string(), Value::str(owner));
        m.insert("env".to_string(), Value::str(env));
        Value::Object(m)
    };
    let mut rec_inputs = thing("x", 1);
    rec_inputs.insert("tags".into(), tags("alice", "dev"));
    let state = state_with(vec![(
        "a",
        record("test.thing", "id-a", rec_inputs, fqdn()),
    )]);
    let mut want = thing("x", 9);
    want.insert("tags".into(), tags("bob", "dev"));
    let mut d = desired("a", "test.thing", want, &[]);
    d.lifecycle.ignore_changes = vec!["size".into(), "tags.owner".into()];
    let p = run(&[d.clone()], &state, PlanOptions::default()).unwrap();
    assert_eq!(p.changes[0].action, Action::NoOp);
    // A real change next to the ignored ones still shows, with the ignored parts kept as recorded.
    if let Some(Value::Object(t)) = std::sync::Arc::make_mut(&mut d.properties).get_mut("tags") {
        t.insert("env".into(), Value::str("prod"));
    }
    let p = run(&[d], &state, PlanOptions::default()).unwrap();
    assert_eq!(p.changes[0].action, Action::Update);
    assert_eq!(
        p.changes[0].attributes()[0].after,
        Some(serde_json::json!({"env": "prod", "owner": "alice"}))
    );
    assert_eq!(p.ops[0].inputs["size"], Value::Int(1));
}

#[test]
fn protect_refuses_replace_and_delete_unless_allowed() {
    let mut d = desired("a", "test.thing", thing("y", 1), &[]);
    d.lifecycle.protect = true;
    let err = run(
        &[d.clone()],
        &recorded_thing("x", 1),
        PlanOptions::default(),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            PlanError::Protected {
                action: "replace",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("--allow-destroy"));
    let allowed = PlanOptions {
        allow_destroy: true,
        ..Default::default()
    };
    assert_eq!(
        run(&[d.clone()], &recorded_thing("x", 1), allowed)
            .unwrap()
            .changes[0]
            .action,
        Action::Replace
    );
    let destroy = PlanOptions {
        destroy: true,
        ..Default::default()
    };
    let err = run(&[d], &recorded_thing("x", 1), destroy).unwrap_err();
    assert!(matches!(
        err,
        PlanError::Protected {
            action: "delete",
            ..
        }
    ));
}

#[test]
fn secret_change_is_detected_by_hash_and_never_shown() {
    let mut inputs = thing("x", 1);
    inputs.insert(
        "password".into(),
        Value::secret(Value::str("old-canary-123")),
    );
    let state = state_with(vec![(
        "a",
        record("test.thing", "id-a", inputs.clone(), fqdn()),
    )]);
    let same = run(
        &[desired("a", "test.thing", inputs.clone(), &[])],
        &state,
        PlanOptions::default(),
    )
    .unwrap();
    assert_eq!(same.changes[0].action, Action::NoOp);
    inputs.insert(
        "password".into(),
        Value::secret(Value::str("new-canary-456")),
    );
    let p = run(
        &[desired("a", "test.thing", inputs, &[])],
        &state,
        PlanOptions::default(),
    )
    .unwrap();
    let c = &p.changes[0];
    assert_eq!(c.action, Action::Update);
    let attributes = c.attributes();
    let pw = attributes.iter().find(|a| a.path == "password").unwrap();
    assert!(pw.secret);
    assert_eq!(pw.before, Some("(secret)".into()));
    assert_eq!(pw.after, Some("(secret)".into()));
    assert_eq!(c.secret, ["password"]);
    let shown = crate::render::render_json(&p) + &format!("{p:?}");
    assert!(!shown.contains("canary"), "{shown}");
}

#[test]
fn unknown_input_is_a_change_known_after_apply() {
    let mut want = thing("x", 1);
    want.insert("script".into(), Value::Unknown);
    let p = run(
        &[desired("a", "test.thing", want, &[])],
        &recorded_thing("x", 1),
        PlanOptions::default(),
    )
    .unwrap();
    let c = &p.changes[0];
    assert_eq!(c.action, Action::Update);
    assert!(c.unknown.contains(&"script".to_string()));
    assert!(
        c.attributes().iter().any(|a| a.path == "script"
            && a.unknown
            && a.after == Some("(known after apply)".into()))
    );
}

#[test]
fn predicted_outputs_stop_false_propagation() {
    // b's input is a's output; a is unchanged, so re-evaluation resolves b to a no-op.
    let a_inputs = props(&[("input", Value::str("v"))]);
    let a_out = props(&[("output", Value::str("v")), ("id", Value::str("data-1"))]);
    let b_inputs = props(&[("input", Value::str("v"))]);
    let b_out = props(&[("output", Value::str("v")), ("id", Value::str("data-2"))]);
    let state = state_with(vec![
        ("a", record("core.data", "data-1", a_inputs.clone(), a_out)),
        ("b", record("core.data", "data-2", b_inputs, b_out)),
    ]);
    let desired = [
        desired("a", "core.data", a_inputs, &[]),
        desired(
            "b",
            "core.data",
            props(&[("input", Value::Unknown)]),
            &["a"],
        ),
    ];
    let re = |addr: &str, outs: &dyn Fn(&str) -> Option<infra_provider_core::Props>| {
        assert_eq!(addr, "b");
        let o = outs("a").ok_or("a has no outputs")?;
        Ok(props(&[("input", o["output"].clone())]))
    };
    let providers = providers();
    let key = key();
    let p = plan(&PlanInput {
        desired: &desired,
        state: &state,
        live: None,
        providers: &providers,
        key: &key,
        reevaluate: Some(&re),
        options: PlanOptions::default(),
    })
    .unwrap();
    assert!(p.is_empty(), "{p:?}");
}

#[test]
fn targets_keep_dependencies_only() {
    let d = [
        desired("a", "core.data", props(&[("input", Value::Int(1))]), &[]),
        desired("b", "core.data", props(&[("input", Value::Int(2))]), &["a"]),
        desired("c", "core.data", props(&[("input", Value::Int(3))]), &[]),
    ];
    let opts = PlanOptions {
        targets: vec!["b".into()],
        ..Default::default()
    };
    let p = run(&d, &State::new("l".into()), opts).unwrap();
    let addrs: Vec<&str> = p.changes.iter().map(|c| c.address.as_str()).collect();
    assert_eq!(addrs, ["a", "b"]);
    let bad = PlanOptions {
        targets: vec!["zz".into()],
        ..Default::default()
    };
    assert!(matches!(
        run(&d, &State::new("l".into()), bad),
        Err(PlanError::UnknownTarget(_))
    ));
}

#[test]
fn cycles_are_plan_errors_with_the_path() {
    let d = [
        desired("a", "core.data", props(&[]), &["b"]),
        desired("b", "core.data", props(&[]), &["a"]),
    ];
    let err = run(&d, &State::new("l".into()), PlanOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("a -> b -> a"), "{err}");
}
