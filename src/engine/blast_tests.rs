//! Blast radius: what goes with a deleted or replaced container, how it is shown, and the
//! order apply does it in. Containers and children are told apart by their ARM ids only.

use super::apply::{ApplyContext, ApplyOptions, apply};
use super::blast::add_unmanaged;
use super::model::{Action, Plan};
use super::plan::{PlanError, PlanInput, PlanOptions, plan};
use super::providers::ProviderSet;
use super::testkit::{desired, key, props, record, state_with};
use crate::state::State;
use infra_provider_core::provider::plan_from_schema;
use infra_provider_core::{
    BoxFuture, Cancel, CreateRequest, DesiredResource, ObjectState, OpContext, PlanRequest,
    PlannedObject, PropertySchema, Props, Provider, ProviderResult, ResourceSchema, Type,
    UpdateRequest, Value,
};
use std::sync::{Arc, Mutex};

const RG: &str = "/subscriptions/s/resourceGroups/g";
const VAULT: &str = "/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/v";
const SECRET: &str =
    "/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/v/secrets/db";
const OTHER: &str = "/subscriptions/s/resourceGroups/g2/providers/Microsoft.KeyVault/vaults/o";
const PG: &str =
    "/subscriptions/s/resourceGroups/g/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg";
const DB: &str = "/subscriptions/s/resourceGroups/g/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg/databases/app";

/// `test.arm`: an object at the ARM id given as `id` (create-only); `location` forces
/// replacement too. Every cloud call is logged as `verb id`.
#[derive(Default)]
struct ArmLike {
    log: Mutex<Vec<String>>,
}

fn schema() -> ResourceSchema {
    ResourceSchema::new("test.arm", "an ARM-like object")
        .prop("id", PropertySchema::input(Type::String).create_only())
        .prop(
            "location",
            PropertySchema::input(Type::String).create_only(),
        )
        .prop("size", PropertySchema::input(Type::Int))
        .prop(
            "host",
            PropertySchema::input(Type::Resource("test.arm".into())).create_only(),
        )
}

impl ArmLike {
    fn note(&self, s: String) {
        self.log.lock().unwrap().push(s);
    }
}

impl Provider for ArmLike {
    fn name(&self) -> &str {
        "test"
    }
    fn schemas(&self) -> Vec<ResourceSchema> {
        vec![schema()]
    }
    fn plan(&self, req: PlanRequest<'_>) -> ProviderResult<PlannedObject> {
        Ok(plan_from_schema(&schema(), req))
    }
    fn read<'a>(
        &'a self,
        _: &'a str,
        prior: &'a ObjectState,
        _: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<Option<ObjectState>>> {
        Box::pin(async move { Ok(Some(prior.clone())) })
    }
    fn create<'a>(
        &'a self,
        req: CreateRequest<'a>,
        _: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<ObjectState>> {
        Box::pin(async move {
            let id = match req.inputs.get("id") {
                Some(Value::String(s)) => s.clone(),
                _ => String::new(),
            };
            self.note(format!("create {id}"));
            Ok(ObjectState {
                id,
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
        Box::pin(async move {
            self.note(format!("update {}", req.prior.id));
            Ok(ObjectState {
                inputs: req.inputs.clone(),
                ..req.prior.clone()
            })
        })
    }
    fn delete<'a>(
        &'a self,
        _: &'a str,
        prior: &'a ObjectState,
        _: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<()>> {
        Box::pin(async move {
            self.note(format!("delete {}", prior.id));
            Ok(())
        })
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

fn arm(id: &str, location: &str) -> Props {
    props(&[
        ("id", Value::str(id)),
        ("location", Value::str(location)),
        ("size", Value::Int(1)),
    ])
}

fn rec(id: &str, location: &str, deps: &[&str]) -> crate::state::ResourceRecord {
    let mut r = record("test.arm", id, arm(id, location), Props::new());
    r.dependencies = deps.iter().map(|d| d.to_string()).collect();
    r
}

/// A group with a vault and its secret, and a vault in another group; all in westeurope.
fn recorded() -> State {
    state_with(vec![
        ("rg", rec(RG, "westeurope", &[])),
        ("vault", rec(VAULT, "westeurope", &["rg"])),
        ("secret", rec(SECRET, "westeurope", &["vault"])),
        ("other", rec(OTHER, "westeurope", &[])),
    ])
}

fn want(address: &str, id: &str, location: &str, deps: &[&str]) -> DesiredResource {
    desired(address, "test.arm", arm(id, location), deps)
}

fn configured(rg_location: &str) -> Vec<DesiredResource> {
    vec![
        want("rg", RG, rg_location, &[]),
        want("vault", VAULT, "westeurope", &["rg"]),
        want("secret", SECRET, "westeurope", &["vault"]),
        want("other", OTHER, "westeurope", &[]),
    ]
}

fn make(
    desired: &[DesiredResource],
    state: &State,
    provider: &Arc<ArmLike>,
    options: PlanOptions,
) -> Result<Plan, PlanError> {
    let providers = ProviderSet::new().with(provider.clone());
    plan(&PlanInput {
        desired,
        state,
        live: None,
        providers: &providers,
        key: &key(),
        reevaluate: None,
        options,
    })
}

fn change<'p>(p: &'p Plan, address: &str) -> &'p super::ResourceChange {
    p.changes.iter().find(|c| c.address == address).unwrap()
}

fn run(p: &Plan, state: State, provider: &Arc<ArmLike>) -> State {
    let providers = ProviderSet::new().with(provider.clone());
    let never = Cancel::never();
    let k = key();
    let cx = ApplyContext {
        providers: &providers,
        key: &k,
        store: None,
        reevaluate: None,
        progress: &|_| {},
        cancel: &never,
        abort: &never,
        options: ApplyOptions { parallelism: 8 },
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let (state, report) = rt.block_on(apply(p, state, &cx)).unwrap();
    assert!(report.is_success(), "{report:?}");
    state
}

#[test]
fn replacing_a_group_replaces_what_is_in_it_with_the_reason_and_the_parent() {
    let provider = Arc::new(ArmLike::default());
    let p = make(
        &configured("northeurope"),
        &recorded(),
        &provider,
        PlanOptions::default(),
    )
    .unwrap();
    assert_eq!(change(&p, "rg").action, Action::Replace);
    for child in ["vault", "secret"] {
        let c = change(&p, child);
        assert_eq!(c.action, Action::Replace, "{child}");
        assert_eq!(c.parent.as_deref(), Some("rg"), "{child}");
        assert_eq!(
            c.reason.as_deref(),
            Some("replaced because its parent rg is replaced")
        );
    }
    assert_eq!(change(&p, "other").action, Action::NoOp);
    let s = p.summary();
    assert_eq!((s.replace, s.with_parent), (3, 2));
}

#[test]
fn apply_of_a_replaced_group_recreates_its_content_after_it_and_replans_empty() {
    let provider = Arc::new(ArmLike::default());
    let desired = configured("northeurope");
    let p = make(&desired, &recorded(), &provider, PlanOptions::default()).unwrap();
    let state = run(&p, recorded(), &provider);
    let log = provider.log.lock().unwrap().clone();
    let at = |s: String| log.iter().position(|l| *l == s).unwrap();
    assert!(at(format!("delete {RG}")) < at(format!("create {RG}")));
    assert!(at(format!("create {RG}")) < at(format!("create {VAULT}")));
    assert!(at(format!("create {VAULT}")) < at(format!("create {SECRET}")));
    assert!(!log.contains(&format!("delete {OTHER}")), "{log:?}");
    let again = make(&desired, &state, &provider, PlanOptions::default()).unwrap();
    assert!(again.is_empty(), "{:?}", again.changes);
}

#[test]
fn deleting_a_group_takes_its_content_in_one_call_and_forgets_it() {
    let provider = Arc::new(ArmLike::default());
    let desired = vec![want("other", OTHER, "westeurope", &[])];
    let p = make(&desired, &recorded(), &provider, PlanOptions::default()).unwrap();
    for child in ["vault", "secret"] {
        let c = change(&p, child);
        assert_eq!(c.action, Action::Delete);
        assert_eq!(c.reason.as_deref(), Some("deleted with rg"));
        assert_eq!(c.parent.as_deref(), Some("rg"));
    }
    assert_eq!(change(&p, "rg").parent, None);
    assert_eq!(p.summary().with_parent, 2);
    let state = run(&p, recorded(), &provider);
    assert_eq!(
        *provider.log.lock().unwrap(),
        vec![format!("delete {RG}")],
        "the group's delete takes its content: no call per child"
    );
    assert_eq!(state.resources.keys().collect::<Vec<_>>(), vec!["other"]);
}

#[test]
fn a_child_still_configured_under_a_deleted_parent_is_shown_deleted_with_it() {
    let provider = Arc::new(ArmLike::default());
    let mut desired = configured("westeurope");
    desired.retain(|d| d.address != "rg");
    for d in &mut desired {
        d.depends_on.remove("rg");
    }
    let p = make(&desired, &recorded(), &provider, PlanOptions::default()).unwrap();
    assert_eq!(change(&p, "vault").action, Action::Delete);
    assert_eq!(
        change(&p, "vault").reason.as_deref(),
        Some("deleted with rg")
    );
    assert_eq!(change(&p, "other").action, Action::NoOp);
}

#[test]
fn children_of_a_deleted_server_are_deleted_before_it() {
    let provider = Arc::new(ArmLike::default());
    let state = state_with(vec![
        ("rg", rec(RG, "westeurope", &[])),
        ("pg", rec(PG, "westeurope", &["rg"])),
        // Recorded without a dependency on its server: only the id says it is inside.
        ("db", rec(DB, "westeurope", &[])),
    ]);
    let desired = vec![want("rg", RG, "westeurope", &[])];
    let p = make(&desired, &state, &provider, PlanOptions::default()).unwrap();
    assert_eq!(change(&p, "db").reason.as_deref(), Some("deleted with pg"));
    let after = run(&p, state, &provider);
    assert_eq!(
        *provider.log.lock().unwrap(),
        vec![format!("delete {DB}"), format!("delete {PG}")]
    );
    assert_eq!(after.resources.keys().collect::<Vec<_>>(), vec!["rg"]);
}

#[test]
fn a_child_planned_before_its_parent_is_still_replaced_after_it() {
    let provider = Arc::new(ArmLike::default());
    // No dependency between them in the configuration: only the ids relate them.
    let desired = vec![
        want("a_vault", VAULT, "westeurope", &[]),
        want("rg", RG, "northeurope", &[]),
    ];
    let state = state_with(vec![
        ("rg", rec(RG, "westeurope", &[])),
        ("a_vault", rec(VAULT, "westeurope", &[])),
    ]);
    let p = make(&desired, &state, &provider, PlanOptions::default()).unwrap();
    assert_eq!(change(&p, "a_vault").action, Action::Replace);
    assert_eq!(change(&p, "a_vault").parent.as_deref(), Some("rg"));
    run(&p, state, &provider);
    let log = provider.log.lock().unwrap().clone();
    let at = |s: String| log.iter().position(|l| *l == s).unwrap();
    assert!(
        at(format!("create {RG}")) < at(format!("create {VAULT}")),
        "{log:?}"
    );
}

#[test]
fn a_protected_child_stops_the_replacement_of_its_parent() {
    let provider = Arc::new(ArmLike::default());
    let mut desired = configured("northeurope");
    desired[2].lifecycle.protect = true;
    let err = make(&desired, &recorded(), &provider, PlanOptions::default()).unwrap_err();
    assert!(
        matches!(&err, PlanError::Protected { address, .. } if address == "secret"),
        "{err}"
    );
    let allowed = PlanOptions {
        allow_destroy: true,
        ..Default::default()
    };
    assert!(make(&desired, &recorded(), &provider, allowed).is_ok());
}

#[test]
fn destroy_deletes_the_group_once() {
    let provider = Arc::new(ArmLike::default());
    let options = PlanOptions {
        destroy: true,
        ..Default::default()
    };
    let p = make(&configured("westeurope"), &recorded(), &provider, options).unwrap();
    run(&p, recorded(), &provider);
    let mut log = provider.log.lock().unwrap().clone();
    log.sort();
    assert_eq!(log, vec![format!("delete {RG}"), format!("delete {OTHER}")]);
}

#[test]
fn unmanaged_objects_in_a_deleted_group_refuse_the_plan_unless_allowed() {
    let provider = Arc::new(ArmLike::default());
    let desired = vec![want("other", OTHER, "westeurope", &[])];
    let state = recorded();
    let p = make(&desired, &state, &provider, PlanOptions::default()).unwrap();
    assert_eq!(
        super::blast::containers_to_inspect(&p)
            .into_iter()
            .map(|(a, _, id)| (a, id))
            .collect::<Vec<_>>(),
        vec![("rg".to_string(), RG.to_string())],
        "only the group is asked about, not the children going with it"
    );
    let portal = format!("{RG}/providers/Microsoft.Web/sites/by-hand");
    // ARM lists the managed vault too (another casing): it is not reported as unmanaged.
    let found = vec![("rg".to_string(), vec![VAULT.to_uppercase(), portal.clone()])];
    let err = add_unmanaged(&mut p.clone(), &state, &found, false).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains(&portal) && msg.contains("--allow-destroy"),
        "{msg}"
    );
    assert!(!msg.to_lowercase().contains("vaults/v;"), "{msg}");
    let mut allowed = p.clone();
    add_unmanaged(&mut allowed, &state, &found, true).unwrap();
    assert_eq!(allowed.unmanaged.len(), 1);
    assert_eq!(allowed.unmanaged[0].id, portal);
    assert_eq!(allowed.unmanaged[0].parent, "rg");
    assert_eq!(allowed.summary().unmanaged, 1);
}

#[test]
fn a_child_of_a_targeted_group_comes_along() {
    let provider = Arc::new(ArmLike::default());
    let options = PlanOptions {
        targets: vec!["rg".into()],
        ..Default::default()
    };
    let p = make(&configured("northeurope"), &recorded(), &provider, options).unwrap();
    let addresses: Vec<&str> = p.changes.iter().map(|c| c.address.as_str()).collect();
    assert_eq!(addresses, vec!["rg", "secret", "vault"]);
}

const ENV: &str =
    "/subscriptions/s/resourceGroups/g/providers/Microsoft.App/managedEnvironments/env";
const APP: &str = "/subscriptions/s/resourceGroups/g/providers/Microsoft.App/containerApps/api";

/// An app lives in its environment without its id being below the environment's: the
/// reference it cannot change (`host`) says so.
#[test]
fn an_app_in_a_replaced_environment_is_deleted_before_it_and_made_again_after_it() {
    let provider = Arc::new(ArmLike::default());
    let mut app = arm(APP, "westeurope");
    app.insert("host".into(), Value::str(ENV));
    let state = state_with(vec![
        ("env", rec(ENV, "westeurope", &[])),
        ("app", {
            let mut r = record("test.arm", APP, app.clone(), Props::new());
            r.dependencies.insert("env".into());
            r
        }),
    ]);
    let desired = vec![
        want("env", ENV, "northeurope", &[]),
        desired("app", "test.arm", app, &["env"]),
    ];
    let p = make(&desired, &state, &provider, PlanOptions::default()).unwrap();
    assert_eq!(change(&p, "app").action, Action::Replace);
    assert_eq!(
        change(&p, "app").reason.as_deref(),
        Some("replaced because its parent env is replaced")
    );
    run(&p, state, &provider);
    let log = provider.log.lock().unwrap().clone();
    let at = |s: String| log.iter().position(|l| *l == s).unwrap();
    assert!(
        at(format!("delete {APP}")) < at(format!("delete {ENV}")),
        "{log:?}"
    );
    assert!(
        at(format!("create {ENV}")) < at(format!("create {APP}")),
        "{log:?}"
    );
}

#[test]
fn an_app_in_a_deleted_environment_is_deleted_before_it() {
    let provider = Arc::new(ArmLike::default());
    let mut app = arm(APP, "westeurope");
    app.insert("host".into(), Value::str(ENV));
    let state = state_with(vec![
        ("env", rec(ENV, "westeurope", &[])),
        ("app", record("test.arm", APP, app, Props::new())),
    ]);
    let p = make(&[], &state, &provider, PlanOptions::default()).unwrap();
    assert_eq!(
        change(&p, "app").reason.as_deref(),
        Some("deleted with env")
    );
    run(&p, state, &provider);
    assert_eq!(
        *provider.log.lock().unwrap(),
        vec![format!("delete {APP}"), format!("delete {ENV}")]
    );
}
