//! `import` blocks in the plan: adopted as they are, or adopted then updated; never replaced.

use super::apply::{ApplyContext, ApplyOptions, apply};
use super::model::Action;
use super::plan::{PlanError, PlanInput, PlanOptions, plan};
use super::testkit::*;
use crate::state::State;
use infra_provider_core::{Cancel, ObjectState, Value};

const ID: &str = "/subscriptions/s/resourceGroups/made-by-hand";

fn found(name: &str, size: i64) -> ObjectState {
    ObjectState {
        id: ID.into(),
        inputs: props(&[("name", Value::str(name)), ("size", Value::Int(size))]),
        outputs: props(&[("fqdn", Value::str("hand.example"))]),
    }
}

fn planned(name: &str, size: i64, obj: ObjectState) -> Result<super::Plan, PlanError> {
    let providers = providers();
    let key = key();
    let desired = [desired(
        "rg",
        "test.thing",
        props(&[("name", Value::str(name)), ("size", Value::Int(size))]),
        &[],
    )];
    let mut options = PlanOptions::default();
    options.imports.insert("rg".into(), obj);
    plan(&PlanInput {
        desired: &desired,
        state: &State::new("l".into()),
        live: None,
        providers: &providers,
        key: &key,
        reevaluate: None,
        options,
    })
}

#[test]
fn an_object_matching_the_configuration_is_imported_as_it_is() {
    let p = planned("hand", 1, found("hand", 1)).unwrap();
    let c = &p.changes[0];
    assert_eq!(c.action, Action::Import);
    assert_eq!(
        c.reason.as_deref(),
        Some(format!("imported from {ID}").as_str())
    );
    assert!(c.attributes().is_empty());
    assert_eq!((p.summary().import, p.summary().add), (1, 0));
    assert!(!p.is_empty());
}

#[test]
fn an_object_differing_in_place_is_imported_then_updated() {
    let p = planned("hand", 3, found("hand", 1)).unwrap();
    let c = &p.changes[0];
    assert_eq!(c.action, Action::Import);
    assert!(
        c.reason
            .as_deref()
            .unwrap()
            .ends_with("then updated in place")
    );
    let attributes = c.attributes();
    let inputs: Vec<&str> = attributes
        .iter()
        .filter(|a| !a.output)
        .map(|a| a.path.as_str())
        .collect();
    assert_eq!(inputs, vec!["size"]);
    assert!(p.ops[0].update_after_import);
}

#[test]
fn an_object_that_would_need_replacing_is_refused() {
    let err = planned("other", 1, found("hand", 1)).unwrap_err();
    assert!(
        matches!(&err, PlanError::ImportReplace { reason, .. } if reason.contains("`name`")),
        "{err}"
    );
}

#[test]
fn apply_records_the_imported_object_and_the_next_plan_is_empty() {
    let p = planned("hand", 3, found("hand", 1)).unwrap();
    let providers = providers();
    let k = key();
    let never = Cancel::never();
    let cx = ApplyContext {
        providers: &providers,
        key: &k,
        store: None,
        reevaluate: None,
        progress: &|_| {},
        cancel: &never,
        abort: &never,
        options: ApplyOptions::default(),
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let (state, report) = rt.block_on(apply(&p, State::new("l".into()), &cx)).unwrap();
    assert!(report.is_success(), "{report:?}");
    assert_eq!(report.done, vec![("rg".to_string(), Action::Import)]);
    let rec = &state.resources["rg"];
    assert_eq!(rec.id, ID, "the object found, not a new one");
    assert_eq!(
        rec.inputs.get("size"),
        Some(&serde_json::json!(3)),
        "then updated"
    );
    let desired = [desired(
        "rg",
        "test.thing",
        props(&[("name", Value::str("hand")), ("size", Value::Int(3))]),
        &[],
    )];
    let again = plan(&PlanInput {
        desired: &desired,
        state: &state,
        live: None,
        providers: &providers,
        key: &k,
        reevaluate: None,
        options: PlanOptions::default(),
    })
    .unwrap();
    assert!(again.is_empty(), "{:?}", again.changes);
}
