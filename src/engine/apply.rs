//! Apply: walk the plan's operations in dependency order (deletes in reverse), call the
//! providers, record every finished resource at once (journal) and the whole state at the end.
//! On failure the dependents are skipped and everything that was done is kept.

use super::diff::{apply_ignore_changes, diff_inputs};
use super::graph::{Graph, GraphError};
use super::model::{Action, Plan, PlannedOp};
use super::plan::Reevaluate;
use super::providers::ProviderSet;
use super::walk::{NodeOutcome, walk};
use crate::state::{
    Journal, JournalEntry, ResourceRecord, SecretKey, State, StateError, StateStore,
};
use infra_provider_core::{
    Cancel, CreateRequest, ObjectState, OpContext, PlanRequest, Props, Provider, UpdateRequest,
    Value,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// At most this many operations in flight (`--parallelism`).
    pub parallelism: usize,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions { parallelism: 256 }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ProgressEvent {
    Started {
        address: String,
        action: Action,
    },
    Finished {
        address: String,
        action: Action,
        elapsed: Duration,
        error: Option<String>,
    },
    /// The operation waits for something outside it (another operation still running on
    /// the object, e.g. one a killed run left behind); said by the provider.
    Waiting {
        address: String,
        /// Conflict, throttle, retry or another wait.
        kind: infra_provider_core::notice::NoticeKind,
        /// The cloud's error code, when the wait is for one.
        code: Option<String>,
        message: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub address: String,
    pub action: Action,
    /// The provider's error (the cloud's code and message).
    pub error: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    pub address: String,
    /// The failed resource it depends on.
    pub because: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ApplyReport {
    pub done: Vec<(String, Action)>,
    pub failed: Vec<Failure>,
    pub skipped: Vec<Skipped>,
    /// Not started because the run was interrupted.
    pub cancelled: Vec<String>,
}

impl ApplyReport {
    pub fn is_success(&self) -> bool {
        self.failed.is_empty() && self.skipped.is_empty() && self.cancelled.is_empty()
    }
}

/// What apply works with besides the plan and the state.
pub struct ApplyContext<'a> {
    pub providers: &'a ProviderSet,
    pub key: &'a SecretKey,
    /// Where to persist; `None` keeps the state in memory only (tests, dry runs).
    pub store: Option<&'a StateStore>,
    pub reevaluate: Option<&'a dyn Reevaluate>,
    pub progress: &'a (dyn Fn(ProgressEvent) + Sync),
    /// Stop scheduling new operations (first Ctrl-C).
    pub cancel: &'a Cancel,
    /// Abort in-flight operations too (passed to providers; a second Ctrl-C).
    pub abort: &'a Cancel,
    pub options: ApplyOptions,
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error(
        "the plan was made against state {plan_lineage} serial {plan_serial}, but the state is {state_lineage} serial {state_serial}; plan again"
    )]
    Stale {
        plan_lineage: String,
        plan_serial: u64,
        state_lineage: String,
        state_serial: u64,
    },
    #[error(transparent)]
    Graph(#[from] GraphError),
    #[error(transparent)]
    State(#[from] StateError),
}

/// The operations' graph: creates/updates after what they depend on; deletes before the
/// deletes of what they depended on.
fn op_graph(ops: &[PlannedOp]) -> Result<Graph, GraphError> {
    let mut g = Graph::new();
    for op in ops {
        g.add_node(&op.address)?;
    }
    let idx: HashMap<&str, usize> = ops
        .iter()
        .enumerate()
        .map(|(i, o)| (o.address.as_str(), i))
        .collect();
    for (i, op) in ops.iter().enumerate() {
        // Blast radius: a delete its container carries out waits for it; a child deleted on
        // its own goes before its container.
        if op.action == Action::Delete
            && let Some(&p) = op.parent.as_deref().and_then(|p| idx.get(p))
        {
            if op.cascaded {
                g.add_edge(i, p);
                continue;
            }
            g.add_edge(p, i);
        }
        if op.action == Action::Delete {
            for d in &op.recorded_deps {
                if let Some(&j) = idx
                    .get(d.as_str())
                    .filter(|&&j| ops[j].action == Action::Delete)
                {
                    g.add_edge(j, i);
                    // What depended on an object its container deletes (a database role on a
                    // server in a deleted group) goes before the container, not only before
                    // the object's record.
                    if ops[j].cascaded
                        && let Some(&p) = ops[j].parent.as_deref().and_then(|p| idx.get(p))
                        && op.parent.as_deref() != ops[j].parent.as_deref()
                        && p != i
                    {
                        g.add_edge(p, i);
                    }
                }
            }
        } else {
            for d in &op.depends_on {
                if let Some(&j) = idx
                    .get(d.as_str())
                    .filter(|&&j| ops[j].action != Action::Delete)
                {
                    g.add_edge(i, j);
                }
            }
        }
    }
    g.topo_order()?;
    Ok(g)
}

struct Run<'a, 'c> {
    cx: &'c ApplyContext<'a>,
    lineage: String,
    state: Mutex<State>,
    journal: Mutex<Option<Journal>>,
    /// Outputs as the provider returned them in this run, secrets included (state withholds
    /// secret outputs), so that dependents re-evaluated later in the run see their values.
    fresh: Mutex<HashMap<String, Props>>,
}

impl Run<'_, '_> {
    fn record(&self, op: &PlannedOp, obj: &ObjectState, sent: &Props) -> Result<(), String> {
        if let Ok(mut f) = self.fresh.lock() {
            f.insert(op.address.clone(), obj.outputs.clone());
        }
        let rec = ResourceRecord::from_object(
            &op.type_name,
            obj,
            sent,
            op.depends_on.clone(),
            self.cx.key,
        );
        self.persist(JournalEntry::Put {
            address: op.address.clone(),
            resource: rec,
        })
    }

    fn persist(&self, entry: JournalEntry) -> Result<(), String> {
        if let Ok(mut j) = self.journal.lock()
            && let Some(j) = j.as_mut()
        {
            j.append(&entry)
                .map_err(|e| format!("done, but could not be recorded: {e}"))?;
        }
        if let Ok(mut s) = self.state.lock() {
            crate::state::journal::apply_entry(&mut s, entry);
        }
        Ok(())
    }

    fn outputs_of(&self, address: &str) -> Option<Props> {
        if let Some(o) = self.fresh.lock().ok()?.get(address) {
            return Some(o.clone());
        }
        self.state
            .lock()
            .ok()?
            .resources
            .get(address)
            .map(ResourceRecord::output_values)
    }

    /// The objects this op's delete took with it are gone: the state forgets them now, so
    /// that a failure later in the run does not leave them recorded.
    fn forget_cascaded(&self, op: &PlannedOp) -> Result<(), String> {
        for address in &op.cascades {
            self.persist(JournalEntry::Remove {
                address: address.clone(),
            })?;
        }
        Ok(())
    }

    /// Re-evaluates inputs that were unknown at plan time. `None`: nothing left to change.
    fn resolve(&self, op: &PlannedOp, provider: &dyn Provider) -> Result<Option<Props>, String> {
        // An object replaced with its container is made anew after it: what it reads from
        // objects replaced before it (a secret's version) is only known now.
        let with_parent = op.action == Action::Replace && op.parent.is_some();
        if !with_parent && !op.inputs.values().any(Value::contains_unknown) {
            return Ok(Some(Props::clone(&op.inputs)));
        }
        let Some(re) = self.cx.reevaluate else {
            if with_parent && !op.inputs.values().any(Value::contains_unknown) {
                return Ok(Some(Props::clone(&op.inputs)));
            }
            return Err("values unknown at plan time, and no evaluator to compute them".into());
        };
        let fresh = re.reevaluate(&op.address, &|a| self.outputs_of(a))?;
        let req = PlanRequest {
            type_name: &op.type_name,
            address: &op.address,
            desired: &fresh,
            prior: op.prior.as_deref(),
        };
        let planned = provider.plan(req).map_err(|e| e.to_string())?;
        let mut inputs = planned.inputs;
        let unknown: Vec<&String> = inputs
            .iter()
            .filter(|(_, v)| v.contains_unknown())
            .map(|(k, _)| k)
            .collect();
        if !unknown.is_empty() {
            return Err(format!(
                "still unknown after its dependencies were applied: {unknown:?}"
            ));
        }
        if let (Action::Update, Some(prior)) = (op.action, &op.prior) {
            let ignored =
                apply_ignore_changes(&mut inputs, &prior.inputs, &op.lifecycle.ignore_changes);
            let hashes = self.state.lock().ok().and_then(|s| {
                s.resources
                    .get(&op.address)
                    .map(|r| r.secret_inputs.clone())
            });
            let d = diff_inputs(
                &inputs,
                &prior.inputs,
                &hashes.unwrap_or_default(),
                self.cx.key,
                &BTreeSet::new(),
                &ignored,
            );
            if d.changed.is_empty() {
                return Ok(None);
            }
            if d.changed
                .iter()
                .any(|c| planned.replace_on_change.contains(c))
            {
                return Err(
                    "a value known only now forces replacement, which was not planned; plan again"
                        .into(),
                );
            }
        }
        Ok(Some(inputs))
    }

    async fn execute(&self, op: &PlannedOp) -> Result<(), String> {
        let provider = self
            .cx
            .providers
            .provider(&op.type_name)
            .ok_or_else(|| format!("no provider for `{}`", op.type_name))?;
        let ctx = OpContext {
            cancel: self.cx.abort.clone(),
            address: op.address.clone(),
        };
        let t = op.type_name.as_str();
        if op.action == Action::Delete {
            if !op.cascaded {
                let prior = op.prior.as_ref().ok_or("nothing recorded to delete")?;
                provider
                    .delete(t, prior, &ctx)
                    .await
                    .map_err(|e| e.to_string())?;
            }
            self.persist(JournalEntry::Remove {
                address: op.address.clone(),
            })?;
            return self.forget_cascaded(op);
        }
        let Some(inputs) = self.resolve(op, provider.as_ref())? else {
            return Ok(());
        };
        let key_for = |replacing: &str| format!("{}/{}/{replacing}", self.lineage, op.address);
        match (op.action, op.prior.as_deref()) {
            (Action::Import, Some(prior)) => {
                let obj = if op.update_after_import {
                    let req = UpdateRequest {
                        type_name: t,
                        prior,
                        inputs: &inputs,
                    };
                    provider
                        .update(req, &ctx)
                        .await
                        .map_err(|e| format!("imported, but not updated: {e}"))?
                } else {
                    prior.clone()
                };
                self.record(op, &obj, &inputs)
            }
            (Action::Read, _) => {
                let obj = provider
                    .read_existing(t, &inputs, &ctx)
                    .await
                    .map_err(|e| e.to_string())?;
                let obj = obj.ok_or("the existing object was not found")?;
                self.record(op, &obj, &inputs)
            }
            (Action::Update, Some(prior)) => {
                let req = UpdateRequest {
                    type_name: t,
                    prior,
                    inputs: &inputs,
                };
                let obj = provider
                    .update(req, &ctx)
                    .await
                    .map_err(|e| e.to_string())?;
                self.record(op, &obj, &inputs)
            }
            (Action::Replace, Some(prior)) => {
                let key = key_for(&prior.id);
                let create = CreateRequest {
                    type_name: t,
                    inputs: &inputs,
                    idempotency_key: &key,
                };
                if op.lifecycle.create_before_destroy {
                    let obj = provider
                        .create(create, &ctx)
                        .await
                        .map_err(|e| e.to_string())?;
                    self.record(op, &obj, &inputs)?;
                    provider
                        .delete(t, prior, &ctx)
                        .await
                        .map_err(|e| format!("replacement created, old object not deleted: {e}"))?;
                    self.forget_cascaded(op)
                } else {
                    for (child_type, child) in &op.delete_first {
                        let p = self
                            .cx
                            .providers
                            .provider(child_type)
                            .ok_or_else(|| format!("no provider for `{child_type}`"))?;
                        p.delete(child_type, child, &ctx)
                            .await
                            .map_err(|e| format!("deleting what it holds first: {e}"))?;
                    }
                    provider
                        .delete(t, prior, &ctx)
                        .await
                        .map_err(|e| e.to_string())?;
                    self.persist(JournalEntry::Remove {
                        address: op.address.clone(),
                    })?;
                    self.forget_cascaded(op)?;
                    let obj = provider
                        .create(create, &ctx)
                        .await
                        .map_err(|e| e.to_string())?;
                    self.record(op, &obj, &inputs)
                }
            }
            _ => {
                let key = key_for("");
                let create = CreateRequest {
                    type_name: t,
                    inputs: &inputs,
                    idempotency_key: &key,
                };
                let obj = provider
                    .create(create, &ctx)
                    .await
                    .map_err(|e| e.to_string())?;
                self.record(op, &obj, &inputs)
            }
        }
    }

    /// Runs the operation (within its timeout), turning the provider's notices into
    /// `Waiting` events as they come.
    async fn with_notices(&self, op: &PlannedOp, kind: &str) -> Result<(), String> {
        let (tx, mut rx) =
            tokio::sync::mpsc::unbounded_channel::<infra_provider_core::notice::Notice>();
        let sink: infra_provider_core::notice::NoticeSink =
            std::sync::Arc::new(move |m: &infra_provider_core::notice::Notice| {
                let _ = tx.send(m.clone());
            });
        let work = async {
            match op.lifecycle.timeouts.get(kind) {
                Some(&secs) => tokio::time::timeout(Duration::from_secs(secs), self.execute(op))
                    .await
                    .unwrap_or_else(|_| Err(format!("timed out after {secs}s"))),
                None => self.execute(op).await,
            }
        };
        let work = infra_provider_core::notice::scope(sink, work);
        tokio::pin!(work);
        loop {
            tokio::select! {
                r = &mut work => return r,
                Some(n) = rx.recv() => (self.cx.progress)(ProgressEvent::Waiting {
                    address: op.address.clone(),
                    kind: n.kind,
                    code: n.code,
                    message: n.message,
                }),
            }
        }
    }

    async fn run_op(&self, op: &PlannedOp) -> Result<(), String> {
        if op.action == Action::NoOp {
            return Ok(());
        }
        let started = Instant::now();
        (self.cx.progress)(ProgressEvent::Started {
            address: op.address.clone(),
            action: op.action,
        });
        let kind = match op.action {
            Action::Delete => "delete",
            Action::Update => "update",
            _ => "create",
        };
        let result = self.with_notices(op, kind).await;
        (self.cx.progress)(ProgressEvent::Finished {
            address: op.address.clone(),
            action: op.action,
            elapsed: started.elapsed(),
            error: result.as_ref().err().cloned(),
        });
        result
    }
}

/// Carries out `plan` on top of `state` (the state it was made against). Returns the new state
/// and what happened; an `Err` only for problems before anything was done or when the state
/// could not be saved.
pub async fn apply(
    plan: &Plan,
    state: State,
    cx: &ApplyContext<'_>,
) -> Result<(State, ApplyReport), ApplyError> {
    if plan.lineage != state.lineage || plan.serial != state.serial {
        return Err(ApplyError::Stale {
            plan_lineage: plan.lineage.clone(),
            plan_serial: plan.serial,
            state_lineage: state.lineage.clone(),
            state_serial: state.serial,
        });
    }
    let graph = op_graph(&plan.ops)?;
    let journal = match cx.store {
        Some(store) => {
            if !store.is_saved() {
                store.save(&state)?;
            }
            Some(store.open_journal(&state)?)
        }
        None => None,
    };
    let run = Run {
        cx,
        lineage: state.lineage.clone(),
        state: Mutex::new(state),
        journal: Mutex::new(journal),
        fresh: Mutex::new(HashMap::new()),
    };
    let outcomes = walk(
        &graph,
        cx.options.parallelism,
        |i| cx.providers.limiter(&plan.ops[i].type_name),
        cx.cancel,
        |i| Box::pin(run.run_op(&plan.ops[i])),
    )
    .await;

    let mut report = ApplyReport::default();
    for (i, o) in outcomes.into_iter().enumerate() {
        let op = &plan.ops[i];
        match o {
            NodeOutcome::Done if op.action != Action::NoOp => {
                report.done.push((op.address.clone(), op.action))
            }
            NodeOutcome::Done => {}
            NodeOutcome::Failed(error) => report.failed.push(Failure {
                address: op.address.clone(),
                action: op.action,
                error,
            }),
            NodeOutcome::Skipped(j) => report.skipped.push(Skipped {
                address: op.address.clone(),
                because: plan.ops[j].address.clone(),
            }),
            NodeOutcome::Cancelled if op.action != Action::NoOp => {
                report.cancelled.push(op.address.clone())
            }
            NodeOutcome::Cancelled => {}
        }
    }
    let Run { state, journal, .. } = run;
    let mut state = state.into_inner().unwrap_or_else(|p| p.into_inner());
    let journal = journal.into_inner().unwrap_or_else(|p| p.into_inner());
    // `protect` follows the configuration applied, including resources with nothing to change.
    let mut flags_changed = false;
    for (address, rec) in state.resources.iter_mut() {
        let protect = plan.protected.contains(address);
        if rec.protect != protect {
            rec.protect = protect;
            flags_changed = true;
        }
    }
    // A run that changed nothing leaves the serial alone, so saved plans stay valid.
    if !report.done.is_empty() || flags_changed {
        state.serial += 1;
    }
    if let Some(store) = cx.store {
        store.commit(&state, journal)?;
    }
    Ok((state, report))
}

/// Outputs by address from a state, for the evaluator.
pub fn outputs_by_address(state: &State) -> BTreeMap<String, Props> {
    state
        .resources
        .iter()
        .map(|(a, r)| (a.clone(), r.output_values()))
        .collect()
}

#[cfg(test)]
mod order_tests {
    use super::*;

    fn delete(address: &str, parent: Option<&str>, cascaded: bool, deps: &[&str]) -> PlannedOp {
        PlannedOp {
            address: address.into(),
            type_name: "t".into(),
            action: Action::Delete,
            inputs: Default::default(),
            prior: None,
            depends_on: Default::default(),
            recorded_deps: deps.iter().map(|d| d.to_string()).collect(),
            lifecycle: Default::default(),
            existing: false,
            parent: parent.map(str::to_string),
            cascaded,
            cascades: Vec::new(),
            delete_first: Vec::new(),
            update_after_import: false,
        }
    }

    /// A database role on a server inside a deleted group: the group's delete (which takes
    /// the server and its cluster along) waits for the role's own delete.
    #[test]
    fn a_container_waits_for_what_depended_on_its_content() {
        let ops = vec![
            delete("rg", None, false, &[]),
            delete("pg", Some("rg"), true, &["rg"]),
            delete("role", None, false, &["pg"]),
        ];
        let g = op_graph(&ops).unwrap();
        let order: Vec<&str> = g
            .topo_order()
            .unwrap()
            .into_iter()
            .map(|i| g.address(i))
            .collect();
        let at = |a: &str| order.iter().position(|x| *x == a).unwrap();
        assert!(at("role") < at("rg"), "{order:?}");
        assert!(at("rg") < at("pg"), "{order:?}");
    }
}
