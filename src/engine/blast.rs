//! Blast radius: what goes with a container the plan deletes or replaces. Containment comes
//! from ARM ids alone (a child's id starts with its container's id and `/`; a resource group
//! holds every id under it), so it is known from the recorded ids without asking the cloud.
//! Pure: no I/O. Objects infra does not manage are found by the caller (see
//! [`super::contained`]) and handed to [`add_unmanaged`].

use super::diff::all_removed;
use super::model::{Action, Plan, Unmanaged};
use super::plan::PlanError;
use super::providers::ProviderSet;
use crate::state::State;
use infra_provider_core::{Props, Type};
use std::collections::{BTreeMap, HashMap};

/// ARM compares ids case-insensitively.
pub(crate) fn key(id: &str) -> String {
    id.trim_end_matches('/').to_ascii_lowercase()
}

/// `child` is inside `container` (both already [`key`]ed).
pub(crate) fn inside(child: &str, container: &str) -> bool {
    !container.is_empty()
        && child.len() > container.len() + 1
        && child.starts_with(container)
        && child.as_bytes()[container.len()] == b'/'
}

/// Property names of `type_name` that hold the object it lives in and cannot leave: a
/// reference to another resource that forces replacement (a container app's `environment`).
pub(crate) fn host_props(providers: &ProviderSet, type_name: &str) -> Vec<String> {
    providers
        .schema(type_name)
        .map(|s| {
            s.properties
                .iter()
                .filter(|(_, p)| p.create_only && !p.output && matches!(p.ty, Type::Resource(_)))
                .map(|(k, _)| k.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// `child` (its id and recorded inputs) lives in the container `cid` (both [`key`]ed): its
/// id is below the container's, or it names the container in a property it cannot change.
pub(crate) fn contained(
    id: &str,
    inputs: &dyn Fn(&str) -> Option<String>,
    hosts: &[String],
    cid: &str,
) -> bool {
    inside(id, cid)
        || hosts
            .iter()
            .any(|h| inputs(h).is_some_and(|v| key(&v) == cid && id != cid))
}

/// `/subscriptions/{s}/resourceGroups/{g}`: its delete takes its content with it in one call.
pub fn is_group_id(id: &str) -> bool {
    let parts: Vec<&str> = id.trim_end_matches('/').split('/').collect();
    parts.len() == 5
        && parts[0].is_empty()
        && parts[1].eq_ignore_ascii_case("subscriptions")
        && parts[3].eq_ignore_ascii_case("resourceGroups")
        && !parts[2].is_empty()
        && !parts[4].is_empty()
}

pub fn deleted_with(parent: &str) -> String {
    format!("deleted with {parent}")
}

pub fn replaced_with(parent: &str) -> String {
    format!("replaced because its parent {parent} is replaced")
}

fn merged(p: &Props) -> BTreeMap<String, serde_json::Value> {
    p.iter()
        .map(|(k, v)| (k.clone(), v.to_redacted_json()))
        .collect()
}

/// Marks every managed object inside a deleted or replaced container: deleted with it, or
/// replaced after it; and tells each container which addresses its delete takes along.
/// Children the planner already replaced because of their parent keep what it decided.
pub(crate) fn radius(
    plan: &mut Plan,
    state: &State,
    providers: &ProviderSet,
    allow_destroy: bool,
) -> Result<(), PlanError> {
    let mut containers: Vec<(usize, String)> = plan
        .ops
        .iter()
        .enumerate()
        .filter(|(_, o)| matches!(o.action, Action::Delete | Action::Replace))
        .filter_map(|(i, o)| {
            let rec = state.resources.get(&o.address)?;
            (!rec.id.is_empty()).then(|| (i, key(&rec.id)))
        })
        .collect();
    if containers.is_empty() {
        // The usual plan: nothing deleted or replaced, so no index of every object is built.
        return Ok(());
    }
    let ids: Vec<(&String, String, Vec<String>)> = state
        .resources
        .iter()
        .filter(|(_, r)| !r.id.is_empty())
        .map(|(a, r)| (a, key(&r.id), host_props(providers, &r.type_name)))
        .collect();
    let op_at: HashMap<String, usize> = plan
        .ops
        .iter()
        .enumerate()
        .map(|(i, o)| (o.address.clone(), i))
        .collect();
    let change_at: HashMap<String, usize> = plan
        .changes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.address.clone(), i))
        .collect();
    // Outermost first: a group's content is its, not its server's.
    containers.sort_by_key(|(_, id)| id.len());
    for (c, cid) in containers {
        let parent = plan.ops[c].address.clone();
        if change_at
            .get(&parent)
            .is_some_and(|&j| plan.changes[j].parent.is_some())
        {
            continue;
        }
        let deleting = plan.ops[c].action == Action::Delete;
        let group = state
            .resources
            .get(&parent)
            .is_some_and(|r| is_group_id(&r.id));
        let mut taken = Vec::new();
        for (address, id, hosts) in &ids {
            let rec_inputs = |k: &str| {
                state
                    .resources
                    .get(*address)
                    .and_then(|r| r.inputs.get(k))
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            };
            if !contained(id, &rec_inputs, hosts, &cid) {
                continue;
            }
            let (Some(&i), Some(&j)) = (op_at.get(*address), change_at.get(*address)) else {
                continue;
            };
            let Some(rec) = state.resources.get(*address) else {
                continue;
            };
            let action = plan.ops[i].action;
            if action == Action::Create || plan.changes[j].parent.is_some() {
                // Gone already and made anew, or already placed under its container.
                if plan.changes[j].parent.is_some() {
                    taken.push((*address).clone());
                }
                continue;
            }
            // An `existing` object is read, not managed: it goes with its container like any
            // object infra does not manage, so only with consent.
            if plan.ops[i].existing {
                if !allow_destroy {
                    return Err(PlanError::Unmanaged {
                        address: parent.clone(),
                        verb: if deleting { "deleted" } else { "replaced" },
                        ids: vec![rec.id.clone()],
                    });
                }
                if !deleting {
                    plan.ops[i].depends_on.insert(parent.clone());
                    continue;
                }
            }
            taken.push((*address).clone());
            let protected = plan.ops[i].lifecycle.protect || rec.protect;
            if deleting {
                if action != Action::Delete && protected && !allow_destroy {
                    return Err(PlanError::Protected {
                        address: (*address).clone(),
                        action: "delete",
                        reason: deleted_with(&parent),
                    });
                }
                let obj = rec.object_state();
                let op = &mut plan.ops[i];
                op.action = Action::Delete;
                op.inputs = Default::default();
                op.depends_on.clear();
                op.recorded_deps = rec.dependencies.clone();
                op.parent = Some(parent.clone());
                op.cascaded = group;
                let ch = &mut plan.changes[j];
                ch.materialize();
                if ch.action != Action::Delete {
                    let mut before = merged(&obj.inputs);
                    before.extend(merged(&obj.outputs));
                    ch.before = Some(before);
                    ch.after = None;
                    ch.attributes = all_removed(&obj.inputs, rec.secret_inputs.keys().cloned());
                    ch.unknown.clear();
                    ch.action = Action::Delete;
                }
                op.prior = Some(obj.into());
                ch.reason = Some(deleted_with(&parent));
                ch.parent = Some(parent.clone());
            } else if action == Action::Delete {
                // Not in the configuration: deleted on its own account, before its parent.
                plan.ops[i].parent = Some(parent.clone());
            } else {
                // Planned before its parent (no dependency on it): replaced after it.
                if protected && !allow_destroy {
                    return Err(PlanError::Protected {
                        address: (*address).clone(),
                        action: "replace",
                        reason: replaced_with(&parent),
                    });
                }
                let op = &mut plan.ops[i];
                op.action = Action::Replace;
                op.parent = Some(parent.clone());
                op.depends_on.insert(parent.clone());
                if op.prior.is_none() {
                    op.prior = Some(rec.object_state().into());
                }
                let ch = &mut plan.changes[j];
                ch.materialize();
                ch.action = Action::Replace;
                ch.reason = Some(replaced_with(&parent));
                ch.parent = Some(parent.clone());
                if ch.before.is_none() {
                    let obj = rec.object_state();
                    let mut before = merged(&obj.inputs);
                    before.extend(merged(&obj.outputs));
                    ch.before = Some(before.clone());
                    ch.after = Some(before);
                }
            }
        }
        // A container that is not a group deletes what is in it first, itself, then is made
        // again: what only names it (an app in its environment) would stop its delete.
        if !deleting && !group {
            let first: Vec<(String, infra_provider_core::ObjectState)> = taken
                .iter()
                .filter_map(|a| plan.ops.get(*op_at.get(a)?))
                .filter(|o| o.action == Action::Replace)
                .filter_map(|o| Some((o.type_name.clone(), o.prior.as_deref()?.clone())))
                .collect();
            plan.ops[c].delete_first = first;
        }
        plan.ops[c].cascades = taken;
    }
    Ok(())
}

/// Containers the plan deletes or replaces that a provider may be asked about: resource
/// groups, by their recorded id. `(address, type, id)`.
pub fn containers_to_inspect(plan: &Plan) -> Vec<(String, String, String)> {
    plan.ops
        .iter()
        .filter(|o| matches!(o.action, Action::Delete | Action::Replace) && !o.cascaded)
        .filter(|o| o.parent.is_none())
        .filter_map(|o| {
            let id = &o.prior.as_ref()?.id;
            is_group_id(id).then(|| (o.address.clone(), o.type_name.clone(), id.clone()))
        })
        .collect()
}

/// Adds what the cloud listed in each container (`found`: address -> ids) that infra does not
/// manage. A plan that would delete such objects is refused unless `allow_destroy`.
pub fn add_unmanaged(
    plan: &mut Plan,
    state: &State,
    found: &[(String, Vec<String>)],
    allow_destroy: bool,
) -> Result<(), PlanError> {
    let managed: std::collections::HashSet<String> =
        state.resources.values().map(|r| key(&r.id)).collect();
    for (address, ids) in found {
        let Some(op) = plan.ops.iter().find(|o| &o.address == address) else {
            continue;
        };
        let verb = if op.action == Action::Delete {
            "deleted"
        } else {
            "replaced"
        };
        let mut foreign: Vec<String> = ids
            .iter()
            .filter(|id| !managed.contains(&key(id)))
            .cloned()
            .collect();
        foreign.sort_by_key(|id| key(id));
        foreign.dedup_by_key(|id| key(id));
        if foreign.is_empty() {
            continue;
        }
        if !allow_destroy && !op.lifecycle.delete_unmanaged {
            return Err(PlanError::Unmanaged {
                address: address.clone(),
                verb,
                ids: foreign,
            });
        }
        plan.unmanaged
            .extend(foreign.into_iter().map(|id| Unmanaged {
                id,
                parent: address.clone(),
                reason: format!("not managed by infra; deleted with {address}"),
            }));
    }
    plan.unmanaged
        .sort_by(|a, b| (&a.parent, &a.id).cmp(&(&b.parent, &b.id)));
    Ok(())
}
