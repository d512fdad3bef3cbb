//! Planning: desired resources + recorded state (+ refreshed live objects) → a plan. Pure: no
//! I/O, no clock; providers are asked only for their (pure) normalisation.

use super::blast;
use super::diff::{self, all_removed, apply_ignore_changes, diff_inputs, diff_outputs};
use super::graph::{Graph, GraphError};
use super::model::{
    Action, AttrChange, Created, Drift, Plan, PlannedOp, Predicted, ResourceChange, merged,
};
use super::providers::ProviderSet;
use crate::state::{ResourceRecord, SecretKey, State};
use infra_provider_core::{
    DesiredResource, NameSet, ObjectState, PlanRequest, Props, ProviderError, Value,
};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

/// Recomputes a resource's properties once more outputs are known; wired by the CLI to the
/// language's evaluator. `outputs(address)` gives the outputs known so far (values may still be
/// `Unknown`); `None` if that resource has none yet.
pub trait Reevaluate: Sync {
    fn reevaluate(
        &self,
        address: &str,
        outputs: &dyn Fn(&str) -> Option<Props>,
    ) -> Result<Props, String>;
}

impl<F> Reevaluate for F
where
    F: Fn(&str, &dyn Fn(&str) -> Option<Props>) -> Result<Props, String> + Sync,
{
    fn reevaluate(
        &self,
        address: &str,
        outputs: &dyn Fn(&str) -> Option<Props>,
    ) -> Result<Props, String> {
        self(address, outputs)
    }
}

#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// Plan the deletion of everything in state.
    pub destroy: bool,
    /// Allow delete/replace of resources marked `protect`.
    pub allow_destroy: bool,
    /// Report drift only; change nothing.
    pub refresh_only: bool,
    /// Limit the plan to these addresses and what they depend on.
    pub targets: Vec<String>,
    /// `import` blocks: the objects to adopt, read by their id, by the address they go to
    /// (only addresses the state does not hold yet).
    pub imports: BTreeMap<String, ObjectState>,
    /// `--replace ADDR`: replace these even if nothing forces it (a broken VM, a key to rotate).
    pub replace: Vec<String>,
}

pub struct PlanInput<'a> {
    pub desired: &'a [DesiredResource],
    pub state: &'a State,
    /// Refreshed live objects by address (`None` inside: gone). Absent: no refresh was done.
    pub live: Option<&'a super::Live>,
    pub providers: &'a ProviderSet,
    pub key: &'a SecretKey,
    pub reevaluate: Option<&'a dyn Reevaluate>,
    pub options: PlanOptions,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Graph(#[from] GraphError),
    #[error("{address}: no provider knows the type `{type_name}`")]
    UnknownType { address: String, type_name: String },
    #[error("{address}: {error}")]
    Provider {
        address: String,
        error: ProviderError,
    },
    #[error(
        "{address} is protected and the plan would {action} it ({reason}); remove `protect` or pass --allow-destroy"
    )]
    Protected {
        address: String,
        action: &'static str,
        reason: String,
    },
    #[error("{address}: re-evaluation failed: {message}")]
    Reevaluate { address: String, message: String },
    #[error(
        "{address} would be {verb} with {} object(s) in it that infra does not manage: {}; import them into the configuration, move them elsewhere, or pass --allow-destroy to let them go with it",
        .ids.len(),
        .ids.join(", ")
    )]
    Unmanaged {
        address: String,
        verb: &'static str,
        ids: Vec<String>,
    },
    #[error(
        "{address}: the object to import differs from the configuration in {reason}, which cannot change in place; make the configuration match the object (or remove the import block to create a new one)"
    )]
    ImportReplace { address: String, reason: String },
    #[error("--target {0} names no resource in the configuration or the state")]
    UnknownTarget(String),
    #[error(
        "--replace {0} names no resource infra manages here: it must be in the configuration \
         (not `existing`) and in the state (`infra state list` shows them)"
    )]
    UnknownReplace(String),
}

struct Planner<'a> {
    input: &'a PlanInput<'a>,
    /// Outputs known or predicted so far, for re-evaluation of dependents.
    outputs: HashMap<String, Predicted>,
    /// Addresses planned with an action other than no-op: their dependents are re-evaluated,
    /// since the values they were evaluated with (recorded outputs) may be about to change.
    changing: HashSet<String>,
    /// Containers planned for replacement so far: (id as compared, address).
    replaced: Vec<(String, String)>,
    plan: Plan,
}

pub fn plan(input: &PlanInput<'_>) -> Result<Plan, PlanError> {
    let graph = Graph::from_desired(input.desired)?;
    let order = graph.topo_order()?;
    for a in &input.options.replace {
        let managed = input.desired.iter().any(|r| &r.address == a && !r.existing);
        if !managed || !input.state.resources.contains_key(a) {
            return Err(PlanError::UnknownReplace(a.clone()));
        }
    }
    // One change and one op per resource: sized once rather than grown by doubling.
    let gone = input
        .state
        .resources
        .keys()
        .filter(|a| graph.index_of(a).is_none())
        .count();
    let n = input.desired.len() + gone;
    let mut p = Planner {
        input,
        outputs: HashMap::with_capacity(input.desired.len()),
        changing: HashSet::new(),
        replaced: Vec::new(),
        plan: Plan {
            lineage: input.state.lineage.clone(),
            serial: input.state.serial,
            changes: Vec::with_capacity(n),
            ops: Vec::with_capacity(n),
            ..Plan::default()
        },
    };
    for i in order {
        p.plan_desired(&input.desired[i])?;
    }
    p.plan_deletes()?;
    let mut plan = p.plan;
    plan.predicted = p.outputs;
    plan.refresh_only = input.options.refresh_only;
    blast::radius(
        &mut plan,
        input.state,
        input.providers,
        input.options.allow_destroy,
    )?;
    plan.protected = input
        .desired
        .iter()
        .filter(|r| r.lifecycle.protect)
        .map(|r| r.address.clone())
        .collect();
    if !input.options.targets.is_empty() {
        restrict_to_targets(&mut plan, &graph, &input.options.targets)?;
    }
    if input.options.refresh_only {
        plan.changes.clear();
        plan.ops.clear();
    }
    // Addresses are unique: an unstable sort gives the same order without a scratch copy.
    plan.changes
        .sort_unstable_by(|a, b| a.address.cmp(&b.address));
    plan.drift
        .sort_unstable_by(|a, b| a.address.cmp(&b.address));
    Ok(plan)
}

fn paths_where(values: &[&Props], pred: fn(&Value) -> bool) -> Vec<String> {
    let mut out: BTreeSet<String> = BTreeSet::new();
    for m in values {
        out.extend(m.iter().filter(|(_, v)| pred(v)).map(|(k, _)| k.clone()));
    }
    out.into_iter().collect()
}

impl<'a> Planner<'a> {
    fn plan_desired(&mut self, r: &DesiredResource) -> Result<(), PlanError> {
        let input = self.input;
        let record = input.state.resources.get(&r.address);
        if input.options.destroy {
            if let Some(rec) = record {
                self.delete(&r.address, rec, &r.lifecycle, "destroy requested")?;
            }
            return Ok(());
        }
        let provider =
            input
                .providers
                .provider(&r.type_name)
                .ok_or_else(|| PlanError::UnknownType {
                    address: r.address.clone(),
                    type_name: r.type_name.clone(),
                })?;
        let mut props = Arc::clone(&r.properties);
        let stale = props.values().any(Value::contains_unknown)
            || r.depends_on.iter().any(|d| self.changing.contains(d));
        if let Some(re) = input.reevaluate.filter(|_| stale) {
            let known = |a: &str| self.outputs.get(a)?.get(a, input.state);
            let fresh =
                re.reevaluate(&r.address, &known)
                    .map_err(|message| PlanError::Reevaluate {
                        address: r.address.clone(),
                        message,
                    })?;
            // Mostly the evaluation's own result (its dependencies' outputs were predicted
            // the same way then): the evaluation's copy is kept, the new one dropped.
            if fresh != *props {
                props = Arc::new(fresh);
            }
        }
        let (mut base, drifted, as_recorded) = self.base_and_drift(r, record);
        let importing = record.is_none() && !r.existing;
        let imported = input.options.imports.get(&r.address).filter(|_| importing);
        if let Some(obj) = imported {
            base = Some(Arc::new(obj.clone()));
        }
        let no_secrets = BTreeMap::new();
        let hashes = record.map(|x| &x.secret_inputs).unwrap_or(&no_secrets);
        let perr = |error| PlanError::Provider {
            address: r.address.clone(),
            error,
        };
        let req = PlanRequest {
            type_name: &r.type_name,
            address: &r.address,
            desired: &props,
            prior: base.as_deref(),
        };
        let planned = provider.plan(req).map_err(perr)?;
        // Inputs the provider leaves as they are stay shared with the evaluation: a plan
        // holds one copy of them, not two.
        let mut inputs = if planned.inputs == *props {
            Arc::clone(&props)
        } else {
            Arc::new(planned.inputs)
        };
        let (action, reason, attributes, outputs) = match &base {
            None => {
                let (action, reason) = if r.existing {
                    (Action::Read, None)
                } else if drifted {
                    (Action::Create, Some("deleted outside infra".to_string()))
                } else {
                    (Action::Create, None)
                };
                // Shown as all set, from the values themselves when rendered (`Created`).
                let outputs = Predicted::Own(Arc::new(planned.predicted_outputs));
                (action, reason, Vec::new(), outputs)
            }
            Some(prior) => {
                let ignored = if r.lifecycle.ignore_changes.is_empty() {
                    BTreeSet::new()
                } else {
                    let paths = &r.lifecycle.ignore_changes;
                    apply_ignore_changes(Arc::make_mut(&mut inputs), &prior.inputs, paths)
                };
                let d = diff_inputs(
                    &inputs,
                    &prior.inputs,
                    hashes,
                    input.key,
                    &planned.replace_on_change,
                    &ignored,
                );
                let forced: Vec<&String> =
                    d.changed.intersection(&planned.replace_on_change).collect();
                let requested = !r.existing && input.options.replace.contains(&r.address);
                if d.changed.is_empty() && !requested {
                    // Found as recorded: the state answers for its outputs, nothing is held.
                    let outputs = if as_recorded {
                        Predicted::Recorded
                    } else {
                        Predicted::Prior(Arc::clone(prior))
                    };
                    (Action::NoOp, None, Vec::new(), outputs)
                } else if r.existing {
                    let outputs = Predicted::Own(Arc::new(planned.predicted_outputs));
                    (Action::Read, None, d.attributes, outputs)
                } else if !forced.is_empty() || requested {
                    let names: Vec<String> = forced.iter().map(|f| format!("`{f}`")).collect();
                    let verb = if names.len() == 1 { "forces" } else { "force" };
                    let reason = match (names.is_empty(), requested) {
                        (true, _) => "replacement requested with --replace".to_string(),
                        (false, true) => format!(
                            "replacement requested with --replace; {} {verb} it too",
                            names.join(", ")
                        ),
                        (false, false) => format!("{} {verb} replacement", names.join(", ")),
                    };
                    // A replacement is a new object: predict as for a create.
                    let fresh = PlanRequest { prior: None, ..req };
                    let predicted = provider.plan(fresh).map_err(perr)?.predicted_outputs;
                    let mut attrs = d.attributes;
                    attrs.extend(diff_outputs(&predicted, &prior.outputs));
                    let outputs = Predicted::Own(Arc::new(predicted));
                    (Action::Replace, Some(reason), attrs, outputs)
                } else {
                    let reason = drifted.then(|| "changed outside infra".to_string());
                    // The engine, not the provider, sees a change of a secret input (it
                    // compares keyed hashes): whatever the provider predicted, an output that
                    // takes a new value on every update (a versioned id) is unknown now.
                    let mut predicted = planned.predicted_outputs;
                    if let Some(schema) = input.providers.schema(&r.type_name) {
                        for (name, _) in schema
                            .properties
                            .iter()
                            .filter(|(_, p)| p.changes_on_update)
                        {
                            if predicted.contains_key(name) {
                                predicted.insert(name.clone(), Value::Unknown);
                            }
                        }
                    }
                    let mut attrs = d.attributes;
                    attrs.extend(diff_outputs(&predicted, &prior.outputs));
                    (
                        Action::Update,
                        reason,
                        attrs,
                        Predicted::Own(Arc::new(predicted)),
                    )
                }
            }
        };
        let (action, reason, attributes, outputs, parent) =
            self.with_parent(r, &base, req, (action, reason, attributes, outputs))?;
        let mut update_after_import = false;
        let (action, reason) = match (imported, action) {
            (None, a) => (a, reason),
            (Some(_), Action::Replace) => {
                return Err(PlanError::ImportReplace {
                    address: r.address.clone(),
                    reason: reason
                        .unwrap_or_default()
                        .replace(" forces replacement", "")
                        .replace(" force replacement", ""),
                });
            }
            (Some(obj), a) => {
                update_after_import = a == Action::Update;
                let then = if update_after_import {
                    ", then updated in place"
                } else {
                    ""
                };
                (
                    Action::Import,
                    Some(format!("imported from {}{then}", obj.id)),
                )
            }
        };
        if action == Action::Replace && r.lifecycle.protect && !input.options.allow_destroy {
            return Err(PlanError::Protected {
                address: r.address.clone(),
                action: "replace",
                reason: reason.clone().unwrap_or_default(),
            });
        }
        if action == Action::Replace
            && let Some(prior) = &base
            && !prior.id.is_empty()
        {
            self.replaced
                .push((blast::key(&prior.id), r.address.clone()));
        }
        if action != Action::NoOp {
            self.changing.insert(r.address.clone());
        }
        // A no-op carries no values: on a full state they would double the plan's memory for
        // nothing anyone reads. A create keeps its typed values, shown when rendered.
        let noop = action == Action::NoOp;
        let created = match (&base, &outputs) {
            (None, Predicted::Own(p)) => Some(Created {
                inputs: Arc::clone(&inputs),
                outputs: Arc::clone(p),
            }),
            _ => None,
        };
        let before = base.as_ref().filter(|_| !noop).map(|b| {
            let mut m = merged(&b.inputs, &b.outputs);
            m.extend(
                hashes
                    .keys()
                    .map(|k| (k.clone(), serde_json::Value::String(diff::SECRET.into()))),
            );
            m
        });
        let no_outputs = Props::new();
        let outputs_now = match (outputs.held(), &base) {
            (Some(p), _) => p,
            (None, Some(b)) => &b.outputs,
            (None, None) => &no_outputs,
        };
        let after = (!noop && created.is_none()).then(|| merged(&inputs, outputs_now));
        self.plan.changes.push(ResourceChange {
            address: r.address.clone(),
            type_name: r.type_name.clone(),
            action,
            reason,
            before,
            after,
            attributes,
            created,
            unknown: paths_where(&[&*inputs, outputs_now], Value::contains_unknown),
            secret: paths_where(&[&*inputs, outputs_now], Value::contains_secret),
            parent: parent.clone(),
        });
        // An object found as recorded needs no prior: only a change is carried out (blast
        // radius reads the record again for one it turns into a change).
        let prior = base.filter(|_| !matches!(outputs, Predicted::Recorded));
        // Moved, not cloned: the dependents' re-evaluation reads them from here.
        self.outputs.insert(r.address.clone(), outputs);
        self.plan.ops.push(PlannedOp {
            address: r.address.clone(),
            type_name: r.type_name.clone(),
            action,
            inputs,
            prior,
            depends_on: r.depends_on.iter().chain(parent.iter()).cloned().collect(),
            recorded_deps: record.map(|x| x.dependencies.clone()).unwrap_or_default(),
            lifecycle: r.lifecycle.clone(),
            existing: r.existing,
            parent,
            cascaded: false,
            cascades: Vec::new(),
            delete_first: Vec::new(),
            update_after_import,
        });
        Ok(())
    }

    /// An object inside a container planned for replacement is replaced too, after it: the
    /// container's delete takes it along. Predicted as a create, so that its dependents are
    /// re-evaluated against the new object's outputs.
    #[allow(clippy::type_complexity)]
    fn with_parent(
        &self,
        r: &DesiredResource,
        base: &Option<Arc<ObjectState>>,
        req: PlanRequest<'_>,
        planned: (Action, Option<String>, Vec<AttrChange>, Predicted),
    ) -> Result<
        (
            Action,
            Option<String>,
            Vec<AttrChange>,
            Predicted,
            Option<String>,
        ),
        PlanError,
    > {
        let (action, reason, attributes, outputs) = planned;
        let unchanged = (action, reason, attributes, outputs, None);
        let Some(prior) = base.as_ref().filter(|p| !p.id.is_empty()) else {
            return Ok(unchanged);
        };
        if r.existing || !matches!(unchanged.0, Action::NoOp | Action::Update | Action::Replace) {
            return Ok(unchanged);
        }
        let id = blast::key(&prior.id);
        let hosts = blast::host_props(self.input.providers, &r.type_name);
        let named = |k: &str| match prior.inputs.get(k) {
            Some(Value::String(s)) => Some(s.clone()),
            _ => None,
        };
        let Some((_, parent)) = self
            .replaced
            .iter()
            .filter(|(cid, _)| blast::contained(&id, &named, &hosts, cid))
            .min_by_key(|(cid, _)| cid.len())
        else {
            return Ok(unchanged);
        };
        let provider =
            self.input
                .providers
                .provider(&r.type_name)
                .ok_or_else(|| PlanError::UnknownType {
                    address: r.address.clone(),
                    type_name: r.type_name.clone(),
                })?;
        let fresh = PlanRequest { prior: None, ..req };
        let predicted = provider
            .plan(fresh)
            .map_err(|error| PlanError::Provider {
                address: r.address.clone(),
                error,
            })?
            .predicted_outputs;
        let mut attrs = unchanged.2;
        attrs.retain(|a| !a.output);
        attrs.extend(diff_outputs(&predicted, &prior.outputs));
        Ok((
            Action::Replace,
            Some(blast::replaced_with(parent)),
            attrs,
            Predicted::Own(Arc::new(predicted)),
            Some(parent.clone()),
        ))
    }

    /// The object to diff against (live if refreshed, else recorded), whether it drifted, and
    /// whether it is the record itself (not refreshed, or read back exactly as recorded).
    fn base_and_drift(
        &mut self,
        r: &DesiredResource,
        record: Option<&ResourceRecord>,
    ) -> (Option<Arc<ObjectState>>, bool, bool) {
        let Some(rec) = record else {
            return (None, false, false);
        };
        let Some(live) = self.input.live.and_then(|l| l.get(&r.address)) else {
            return (Some(Arc::new(rec.object_state())), false, true);
        };
        match live {
            None => {
                self.plan.drift.push(Drift {
                    address: r.address.clone(),
                    type_name: rec.type_name.clone(),
                    deleted: true,
                    attributes: Vec::new(),
                });
                (None, true, false)
            }
            Some(live) => {
                let attrs = diff::drift(&rec.object_state(), live);
                let drifted = !attrs.is_empty();
                if drifted {
                    self.plan.drift.push(Drift {
                        address: r.address.clone(),
                        type_name: rec.type_name.clone(),
                        deleted: false,
                        attributes: attrs,
                    });
                }
                (Some(Arc::clone(live)), drifted, false)
            }
        }
    }

    fn plan_deletes(&mut self) -> Result<(), PlanError> {
        let input = self.input;
        let declared: BTreeSet<&str> = input.desired.iter().map(|r| r.address.as_str()).collect();
        for (address, rec) in &input.state.resources {
            if declared.contains(address.as_str()) {
                continue;
            }
            let reason = if input.options.destroy {
                "destroy requested"
            } else if rec.protect {
                "not in the configuration any more, and protected when last applied"
            } else {
                "not in the configuration"
            };
            let recorded = infra_provider_core::Lifecycle {
                protect: rec.protect,
                ..Default::default()
            };
            self.delete(address, rec, &recorded, reason)?;
        }
        Ok(())
    }

    fn delete(
        &mut self,
        address: &str,
        rec: &ResourceRecord,
        lifecycle: &infra_provider_core::Lifecycle,
        reason: &str,
    ) -> Result<(), PlanError> {
        if lifecycle.protect && !self.input.options.allow_destroy {
            return Err(PlanError::Protected {
                address: address.into(),
                action: "delete",
                reason: reason.into(),
            });
        }
        let obj = rec.object_state();
        let mut before = merged(&obj.inputs, &obj.outputs);
        before.extend(
            rec.secret_inputs
                .keys()
                .map(|k| (k.clone(), serde_json::Value::String(diff::SECRET.into()))),
        );
        self.plan.changes.push(ResourceChange {
            address: address.into(),
            type_name: rec.type_name.clone(),
            action: Action::Delete,
            reason: Some(reason.into()),
            before: Some(before),
            after: None,
            attributes: all_removed(&obj.inputs, rec.secret_inputs.keys().cloned()),
            created: None,
            unknown: Vec::new(),
            secret: rec.secret_inputs.keys().cloned().collect(),
            parent: None,
        });
        self.plan.ops.push(PlannedOp {
            address: address.into(),
            type_name: rec.type_name.clone(),
            action: Action::Delete,
            inputs: Arc::default(),
            prior: Some(Arc::new(obj)),
            depends_on: NameSet::new(),
            recorded_deps: rec.dependencies.clone(),
            lifecycle: lifecycle.clone(),
            existing: false,
            parent: None,
            cascaded: false,
            cascades: Vec::new(),
            delete_first: Vec::new(),
            update_after_import: false,
        });
        Ok(())
    }
}

/// Keeps the targets, what they depend on, and deletes that are targeted by name.
fn restrict_to_targets(
    plan: &mut Plan,
    graph: &Graph,
    targets: &[String],
) -> Result<(), PlanError> {
    let mut keep: BTreeSet<String> = BTreeSet::new();
    let mut stack = Vec::new();
    for t in targets {
        match graph.index_of(t) {
            Some(i) => stack.push(i),
            None if plan.changes.iter().any(|c| &c.address == t) => {
                keep.insert(t.clone());
            }
            None => return Err(PlanError::UnknownTarget(t.clone())),
        }
    }
    while let Some(i) = stack.pop() {
        if keep.insert(graph.address(i).to_string()) {
            stack.extend(graph.deps(i).iter().copied());
        }
    }
    // What goes with a kept container is kept: the container's delete takes it anyway.
    let taken: Vec<String> = plan
        .changes
        .iter()
        .filter(|c| c.parent.as_ref().is_some_and(|p| keep.contains(p)))
        .map(|c| c.address.clone())
        .collect();
    keep.extend(taken);
    plan.changes.retain(|c| keep.contains(&c.address));
    plan.ops.retain(|o| keep.contains(&o.address));
    for op in &mut plan.ops {
        if op.cascaded && op.parent.as_ref().is_none_or(|p| !keep.contains(p)) {
            op.cascaded = false;
        }
    }
    Ok(())
}
