//! Apply tests: convergence (property test over random DAGs), failure summary, cancellation,
//! reverse-order deletes, crash idempotency, and the secret canary in the state file.

use super::apply::{ApplyContext, ApplyOptions, ProgressEvent, apply};
use super::model::{Action, Plan};
use super::plan::{PlanInput, PlanOptions, Reevaluate, plan};
use super::testkit::*;
use crate::state::{LocalStore, State, StateStore};
use infra_provider_core::{
    BoxFuture, Cancel, CreateRequest, DesiredResource, ObjectState, OpContext, PlanRequest,
    PlannedObject, Props, Provider, ProviderError, ProviderResult, ResourceSchema, UpdateRequest,
    Value,
};
use proptest::prelude::*;
use std::sync::{Arc, Mutex};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
}

/// A random DAG of core.data: node i has a seed and reads the outputs of some earlier nodes.
#[derive(Debug, Clone)]
struct Dag {
    seeds: Vec<i64>,
    deps: Vec<Vec<usize>>,
}

fn addr(i: usize) -> String {
    format!("d[\"{i}\"]")
}

impl Dag {
    /// What the language's evaluator would compute: unknown where an upstream output is.
    fn input(&self, i: usize, outputs: &dyn Fn(&str) -> Option<Props>) -> Value {
        let deps = self.deps[i]
            .iter()
            .map(|&j| {
                outputs(&addr(j))
                    .and_then(|o| o.get("output").cloned())
                    .unwrap_or(Value::Unknown)
            })
            .collect();
        let mut m = infra_provider_core::Map::new();
        m.insert("own".to_string(), Value::Int(self.seeds[i]));
        m.insert("deps".to_string(), Value::List(deps));
        Value::Object(m)
    }

    fn desired(&self, state: &State) -> Vec<DesiredResource> {
        let outs = |a: &str| state.resources.get(a).map(|r| r.output_values());
        (0..self.seeds.len())
            .map(|i| {
                let deps: Vec<String> = self.deps[i].iter().map(|&j| addr(j)).collect();
                let deps: Vec<&str> = deps.iter().map(String::as_str).collect();
                desired(
                    &addr(i),
                    "core.data",
                    props(&[("input", self.input(i, &outs))]),
                    &deps,
                )
            })
            .collect()
    }

    fn index(address: &str) -> Option<usize> {
        address
            .trim_start_matches("d[\"")
            .trim_end_matches("\"]")
            .parse()
            .ok()
    }
}

fn dag() -> impl Strategy<Value = Dag> {
    (1usize..20).prop_flat_map(|n| {
        (
            prop::collection::vec(-5i64..5, n),
            prop::collection::vec(prop::collection::vec(any::<prop::sample::Index>(), 0..3), n),
        )
            .prop_map(|(seeds, picks)| {
                let deps = picks
                    .iter()
                    .enumerate()
                    .map(|(i, p)| {
                        let mut d: Vec<usize> = if i == 0 {
                            vec![]
                        } else {
                            p.iter().map(|x| x.index(i)).collect()
                        };
                        d.sort();
                        d.dedup();
                        d
                    })
                    .collect();
                Dag { seeds, deps }
            })
    })
}

struct Harness {
    providers: super::ProviderSet,
    key: crate::state::SecretKey,
    store: Option<StateStore>,
}

impl Harness {
    fn new(store: Option<LocalStore>) -> Harness {
        let store = store.map(StateStore::Local);
        Harness {
            providers: providers(),
            key: key(),
            store,
        }
    }

    fn plan(
        &self,
        desired: &[DesiredResource],
        state: &State,
        re: Option<&dyn Reevaluate>,
    ) -> Plan {
        let input = PlanInput {
            desired,
            state,
            live: None,
            providers: &self.providers,
            key: &self.key,
            reevaluate: re,
            options: PlanOptions::default(),
        };
        plan(&input).unwrap()
    }

    fn apply(
        &self,
        p: &Plan,
        state: State,
        re: Option<&dyn Reevaluate>,
        cancel: &Cancel,
        events: &Mutex<Vec<ProgressEvent>>,
    ) -> (State, super::ApplyReport) {
        let progress = |e: ProgressEvent| events.lock().unwrap().push(e);
        let never = Cancel::never();
        let cx = ApplyContext {
            providers: &self.providers,
            key: &self.key,
            store: self.store.as_ref(),
            reevaluate: re,
            progress: &progress,
            cancel,
            abort: &never,
            options: ApplyOptions { parallelism: 4 },
        };
        rt().block_on(apply(p, state, &cx)).unwrap()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn apply_then_plan_is_empty(mut g in dag(), bump in any::<prop::sample::Index>()) {
        let dir = tempfile::tempdir().unwrap();
        let h = Harness::new(Some(LocalStore::new(dir.path(), "t")));
        for round in 0..2 {
            let state = h.store.as_ref().unwrap().load().unwrap().state;
            let re = |a: &str, outs: &dyn Fn(&str) -> Option<Props>| {
                let i = Dag::index(a).ok_or("bad address")?;
                Ok(props(&[("input", g.input(i, outs))]))
            };
            let p = h.plan(&g.desired(&state), &state, Some(&re));
            let events = Mutex::new(Vec::new());
            let (_, report) = h.apply(&p, state, Some(&re), &Cancel::never(), &events);
            prop_assert!(report.is_success(), "{:?}", report);
            let state = h.store.as_ref().unwrap().load().unwrap().state;
            let again = h.plan(&g.desired(&state), &state, Some(&re));
            prop_assert!(again.is_empty(), "round {}: {:?}", round, again.pending().collect::<Vec<_>>());
            let i = bump.index(g.seeds.len());
            g.seeds[i] += 100;
        }
    }
}

/// `fail.thing`: create fails with a cloud error for inputs with `fail = true`.
struct Failing;

impl Provider for Failing {
    fn name(&self) -> &str {
        "fail"
    }
    fn schemas(&self) -> Vec<ResourceSchema> {
        vec![ResourceSchema::new("fail.thing", "fails on demand")]
    }
    fn plan(&self, req: PlanRequest<'_>) -> ProviderResult<PlannedObject> {
        Ok(PlannedObject {
            inputs: req.desired.clone(),
            ..Default::default()
        })
    }
    fn read<'a>(
        &'a self,
        _: &'a str,
        p: &'a ObjectState,
        _: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<Option<ObjectState>>> {
        Box::pin(async move { Ok(Some(p.clone())) })
    }
    fn create<'a>(
        &'a self,
        req: CreateRequest<'a>,
        _: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<ObjectState>> {
        Box::pin(async move {
            if req.inputs.get("fail") == Some(&Value::Bool(true)) {
                return Err(ProviderError::Cloud {
                    code: "Conflict".into(),
                    message: "name taken".into(),
                    retryable: false,
                });
            }
            Ok(ObjectState {
                id: "f".into(),
                inputs: req.inputs.clone(),
                outputs: Props::new(),
            })
        })
    }
    fn update<'a>(
        &'a self,
        req: UpdateRequest<'a>,
        _: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<ObjectState>> {
        Box::pin(async move { Ok(req.prior.clone()) })
    }
    fn delete<'a>(
        &'a self,
        _: &'a str,
        _: &'a ObjectState,
        _: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<()>> {
        Box::pin(async { Ok(()) })
    }
    fn import<'a>(
        &'a self,
        _: &'a str,
        _: &'a str,
        _: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<Option<ObjectState>>> {
        Box::pin(async { Ok(None) })
    }
}

#[test]
fn failure_reports_done_failed_and_skipped() {
    let mut h = Harness::new(None);
    h.providers.add(Arc::new(Failing));
    let d = [
        desired(
            "bad",
            "fail.thing",
            props(&[("fail", Value::Bool(true))]),
            &[],
        ),
        desired(
            "after_bad",
            "core.data",
            props(&[("input", Value::Int(1))]),
            &["bad"],
        ),
        desired(
            "later",
            "core.data",
            props(&[("input", Value::Int(1))]),
            &["after_bad"],
        ),
        desired("fine", "core.data", props(&[("input", Value::Int(2))]), &[]),
    ];
    let state = State::new("l".into());
    let p = h.plan(&d, &state, None);
    let (state, report) = h.apply(&p, state, None, &Cancel::never(), &Mutex::new(Vec::new()));
    assert_eq!(report.done, [("fine".to_string(), Action::Create)]);
    assert_eq!(report.failed.len(), 1);
    assert_eq!(report.failed[0].error, "Conflict: name taken");
    let mut skipped: Vec<(&str, &str)> = report
        .skipped
        .iter()
        .map(|s| (s.address.as_str(), s.because.as_str()))
        .collect();
    skipped.sort();
    assert_eq!(skipped, [("after_bad", "bad"), ("later", "bad")]);
    assert_eq!(state.resources.keys().collect::<Vec<_>>(), ["fine"]);
}

#[test]
fn cancel_lets_in_flight_finish_and_keeps_what_was_done() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::new(Some(LocalStore::new(dir.path(), "t")));
    let slow = |v: i64| props(&[("input", Value::Int(v)), ("delay_ms", Value::Int(30))]);
    let d = [
        desired("a", "core.data", slow(1), &[]),
        desired("b", "core.data", slow(2), &["a"]),
        desired("c", "core.data", slow(3), &["b"]),
    ];
    let state = State::new("l".into());
    let p = h.plan(&d, &state, None);
    let (handle, token) = Cancel::new();
    let events = Mutex::new(Vec::new());
    let progress = |e: ProgressEvent| {
        if matches!(e, ProgressEvent::Started { .. }) {
            handle.cancel();
        }
        events.lock().unwrap().push(e);
    };
    let never = Cancel::never();
    let cx = ApplyContext {
        providers: &h.providers,
        key: &h.key,
        store: h.store.as_ref(),
        reevaluate: None,
        progress: &progress,
        cancel: &token,
        abort: &never,
        options: ApplyOptions::default(),
    };
    let (_, report) = rt().block_on(apply(&p, state, &cx)).unwrap();
    assert_eq!(report.done, [("a".to_string(), Action::Create)]);
    assert_eq!(report.cancelled, ["b", "c"]);
    let saved = h.store.as_ref().unwrap().load().unwrap().state;
    assert_eq!(saved.resources.keys().collect::<Vec<_>>(), ["a"]);
    assert_eq!(events.lock().unwrap().len(), 2);
}

#[test]
fn deletes_run_in_reverse_dependency_order() {
    let h = Harness::new(None);
    let d = [
        desired("a", "core.data", props(&[("input", Value::Int(1))]), &[]),
        desired("b", "core.data", props(&[("input", Value::Int(2))]), &["a"]),
        desired("c", "core.data", props(&[("input", Value::Int(3))]), &["b"]),
    ];
    let state = State::new("l".into());
    let p = h.plan(&d, &state, None);
    let (state, _) = h.apply(&p, state, None, &Cancel::never(), &Mutex::new(Vec::new()));
    let p = h.plan(&[], &state, None);
    assert_eq!(p.summary().destroy, 3);
    let events = Mutex::new(Vec::new());
    let (state, report) = h.apply(&p, state, None, &Cancel::never(), &events);
    assert!(report.is_success() && state.resources.is_empty());
    let finished: Vec<String> = events
        .into_inner()
        .unwrap()
        .into_iter()
        .filter_map(|e| match e {
            ProgressEvent::Finished { address, .. } => Some(address),
            _ => None,
        })
        .collect();
    assert_eq!(finished, ["c", "b", "a"]);
}

#[test]
fn re_create_after_lost_record_yields_the_same_object() {
    // A crash after the cloud made the object but before it was journaled: the next apply
    // creates again with the same idempotency key and gets the same id, not a duplicate.
    let h = Harness::new(None);
    let d = [desired(
        "a",
        "core.data",
        props(&[("input", Value::Int(1))]),
        &[],
    )];
    let empty = State::new("lin-x".into());
    let p = h.plan(&d, &empty, None);
    let (first, _) = h.apply(
        &p,
        empty.clone(),
        None,
        &Cancel::never(),
        &Mutex::new(Vec::new()),
    );
    let p = h.plan(&d, &empty, None);
    let (second, _) = h.apply(&p, empty, None, &Cancel::never(), &Mutex::new(Vec::new()));
    assert_eq!(first.resources["a"].id, second.resources["a"].id);
}

#[test]
fn secret_canary_never_in_state_file() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::new(Some(LocalStore::new(dir.path(), "t")));
    let canary = "canary-in-state-5e1f";
    let d = [
        desired(
            "s",
            "test.thing",
            props(&[
                ("name", Value::str("n")),
                ("password", Value::secret(Value::str(canary))),
            ]),
            &[],
        ),
        desired(
            "c",
            "core.data",
            props(&[("input", Value::secret(Value::str(canary)))]),
            &[],
        ),
    ];
    let state = h.store.as_ref().unwrap().load().unwrap().state;
    let p = h.plan(&d, &state, None);
    let (state, report) = h.apply(&p, state, None, &Cancel::never(), &Mutex::new(Vec::new()));
    assert!(report.is_success());
    assert!(state.resources["s"].secret_inputs.contains_key("password"));
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).to_string();
        assert!(
            !text.contains(canary),
            "{} holds the secret",
            path.display()
        );
    }
    // The same secret plans as no change; a new one as an update.
    let loaded = h.store.as_ref().unwrap().load().unwrap().state;
    assert!(h.plan(&d, &loaded, None).is_empty());
}

#[test]
fn stale_plan_is_refused_by_apply() {
    let h = Harness::new(None);
    let mut state = State::new("l".into());
    let p = h.plan(&[], &state, None);
    state.serial = 9;
    let never = Cancel::never();
    let progress = |_e: ProgressEvent| {};
    let cx = ApplyContext {
        providers: &h.providers,
        key: &h.key,
        store: None,
        reevaluate: None,
        progress: &progress,
        cancel: &never,
        abort: &never,
        options: ApplyOptions::default(),
    };
    let err = rt()
        .block_on(apply(&p, state, &cx))
        .unwrap_err()
        .to_string();
    assert!(err.contains("serial 9"), "{err}");
}

#[test]
fn existing_is_read_and_replace_can_create_first() {
    let h = Harness::new(None);
    let mut lookup = desired(
        "lookup",
        "core.data",
        props(&[("input", Value::str("k"))]),
        &[],
    );
    lookup.existing = true;
    let mut t = desired("t", "test.thing", props(&[("name", Value::str("a"))]), &[]);
    t.lifecycle.create_before_destroy = true;
    let state = State::new("l".into());
    let p = h.plan(&[lookup.clone(), t.clone()], &state, None);
    let (state, report) = h.apply(&p, state, None, &Cancel::never(), &Mutex::new(Vec::new()));
    assert!(report.is_success(), "{report:?}");
    assert_eq!(
        state.resources["lookup"].output("output").as_deref(),
        Some(&serde_json::json!("k"))
    );
    let old_id = state.resources["t"].id.clone();
    std::sync::Arc::make_mut(&mut t.properties).insert("name".into(), Value::str("b"));
    let p = h.plan(&[lookup, t], &state, None);
    assert_eq!(p.summary().replace, 1);
    let (state, report) = h.apply(&p, state, None, &Cancel::never(), &Mutex::new(Vec::new()));
    assert!(report.is_success(), "{report:?}");
    assert_ne!(state.resources["t"].id, old_id);
}

#[test]
fn refresh_reads_every_object_and_sees_deletions() {
    let h = Harness::new(None);
    let d = [
        desired("a", "core.data", props(&[("input", Value::Int(1))]), &[]),
        desired("b", "core.data", props(&[("input", Value::Int(2))]), &[]),
    ];
    let state = State::new("l".into());
    let p = h.plan(&d, &state, None);
    let (state, _) = h.apply(&p, state, None, &Cancel::never(), &Mutex::new(Vec::new()));
    let core = h.providers.provider("core.data").unwrap().clone();
    let obj = state.resources["b"].object_state();
    let ctx = OpContext {
        cancel: Cancel::never(),
        address: "b".into(),
    };
    rt().block_on(core.delete("core.data", &obj, &ctx)).unwrap();
    let reads = std::sync::atomic::AtomicUsize::new(0);
    let live = rt()
        .block_on(super::refresh_counted(
            &state,
            &h.providers,
            8,
            &Cancel::never(),
            None,
            &reads,
        ))
        .unwrap();
    assert_eq!(reads.into_inner(), 2);
    // `a` was read back exactly as recorded: the state says it all, nothing is kept for it.
    assert!(!live.contains_key("a") && live["b"].is_none());
    let input = PlanInput {
        desired: &d,
        state: &state,
        live: Some(&live),
        providers: &h.providers,
        key: &h.key,
        reevaluate: None,
        options: PlanOptions::default(),
    };
    let p = plan(&input).unwrap();
    assert!(p.drift.iter().any(|x| x.address == "b" && x.deleted));
    assert_eq!(p.summary().add, 1);
}

/// `protect` is recorded in state, also for a resource with nothing to change, so that deleting
/// its block from the configuration cannot delete the object without --allow-destroy.
#[test]
fn protect_is_recorded_and_guards_a_resource_removed_from_the_configuration() {
    let h = Harness::new(None);
    let a = desired("a", "core.data", props(&[("input", Value::Int(1))]), &[]);
    let state = State::new("l".into());
    let p = h.plan(std::slice::from_ref(&a), &state, None);
    let (state, _) = h.apply(&p, state, None, &Cancel::never(), &Mutex::new(Vec::new()));
    assert!(!state.resources["a"].protect);
    // Only `protect` is added: no change to make, but the flag reaches the state.
    let mut protected = a.clone();
    protected.lifecycle.protect = true;
    let p = h.plan(std::slice::from_ref(&protected), &state, None);
    assert!(p.is_empty());
    let serial = state.serial;
    let (state, _) = h.apply(&p, state, None, &Cancel::never(), &Mutex::new(Vec::new()));
    assert!(state.resources["a"].protect);
    assert_eq!(state.serial, serial + 1);
    // The block (and its protect line) is removed: the plan refuses, naming the reason.
    let input = PlanInput {
        desired: &[],
        state: &state,
        live: None,
        providers: &h.providers,
        key: &h.key,
        reevaluate: None,
        options: PlanOptions::default(),
    };
    let err = plan(&input).unwrap_err().to_string();
    assert!(
        err.contains("protected when last applied") && err.contains("--allow-destroy"),
        "{err}"
    );
    let allowed = PlanInput {
        options: PlanOptions {
            allow_destroy: true,
            ..Default::default()
        },
        ..input
    };
    assert_eq!(plan(&allowed).unwrap().summary().destroy, 1);
    // Removing `protect` (the block kept) clears the flag again.
    let p = h.plan(std::slice::from_ref(&a), &state, None);
    let (state, _) = h.apply(&p, state, None, &Cancel::never(), &Mutex::new(Vec::new()));
    assert!(!state.resources["a"].protect);
}
