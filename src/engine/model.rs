//! The plan as data: what the renderers show and what apply carries out. The displayed part
//! holds only redacted values (secrets as `(secret)`), so it can be printed and saved; what apply
//! needs with real values is kept apart and never serialised.

use infra_provider_core::{Lifecycle, NameSet, ObjectState, Props};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

pub type Json = serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    Create,
    Update,
    Replace,
    Delete,
    NoOp,
    Read,
    /// Adopt an existing object (an `import` block), then update it if the configuration
    /// says otherwise.
    Import,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Replace => "replace",
            Action::Delete => "delete",
            Action::NoOp => "no-op",
            Action::Read => "read",
            Action::Import => "import",
        }
    }
    /// Replace and delete lose data or cause downtime: flagged in reviews, refused on `protect`.
    pub fn is_risky(self) -> bool {
        matches!(self, Action::Replace | Action::Delete)
    }
}

/// One attribute's change. `before`/`after` are redacted display values; `None` means absent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttrChange {
    pub path: String,
    pub before: Option<Json>,
    pub after: Option<Json>,
    /// `forces_replacement` in the JSON plan, read back by `infra show`.
    #[serde(
        default,
        skip_serializing_if = "is_false",
        alias = "forces_replacement"
    )]
    pub forces_replace: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub unknown: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub secret: bool,
    /// An output rather than an input.
    #[serde(default, skip_serializing_if = "is_false")]
    pub output: bool,
    /// A managed input no longer set: the update resets it to the cloud's default.
    #[serde(default, skip_serializing_if = "is_false")]
    pub reset: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ResourceChange {
    pub address: String,
    #[serde(rename = "type")]
    pub type_name: String,
    pub action: Action,
    pub reason: Option<String>,
    pub before: Option<BTreeMap<String, Json>>,
    /// Read through [`ResourceChange::after`]: empty while `created` holds the values.
    pub(super) after: Option<BTreeMap<String, Json>>,
    /// The attributes that change (for create: all set ones; for delete: all recorded ones).
    /// Read through [`ResourceChange::attributes`]: empty while `created` holds the values.
    pub(super) attributes: Vec<AttrChange>,
    /// A create (or read) planned in this run: its typed values, shared with what apply
    /// carries out, shown (redacted) only when the plan is rendered or saved. Holding display
    /// copies of every value instead would double a large plan's memory.
    #[serde(skip)]
    pub(super) created: Option<Created>,
    pub unknown: Vec<String>,
    pub secret: Vec<String>,
    /// The container whose delete or replace takes this object with it (blast radius): the
    /// reason says how.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
}

/// The values of an object that did not exist before: inputs and predicted outputs. Every
/// attribute is shown as set.
#[derive(Clone, PartialEq)]
pub struct Created {
    pub inputs: Arc<Props>,
    pub outputs: Arc<Props>,
}

impl Created {
    /// Inputs and outputs by name, redacted (an output wins over an input of the same name).
    fn shown(&self) -> BTreeMap<String, Json> {
        merged(&self.inputs, &self.outputs)
    }

    fn attributes(&self) -> Vec<AttrChange> {
        let mut attrs = super::diff::all_set(&self.inputs, false);
        attrs.extend(super::diff::all_set(&self.outputs, true));
        attrs
    }
}

/// Values are never printed by `Debug`: only their redacted form.
impl std::fmt::Debug for Created {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Created").field(&self.shown()).finish()
    }
}

/// Inputs and outputs of one object as display values (secrets and unknowns redacted).
pub(super) fn merged(inputs: &Props, outputs: &Props) -> BTreeMap<String, Json> {
    inputs
        .iter()
        .chain(outputs.iter())
        .map(|(k, v)| (k.clone(), super::diff::shown(v)))
        .collect()
}

impl ResourceChange {
    /// The object's values after the change, as display values (`None`: deleted).
    pub fn after(&self) -> Option<Cow<'_, BTreeMap<String, Json>>> {
        match &self.created {
            Some(c) => Some(Cow::Owned(c.shown())),
            None => self.after.as_ref().map(Cow::Borrowed),
        }
    }

    /// The attributes that change (for create: all set ones; for delete: all recorded ones).
    pub fn attributes(&self) -> Cow<'_, [AttrChange]> {
        match &self.created {
            Some(c) => Cow::Owned(c.attributes()),
            None => Cow::Borrowed(&self.attributes),
        }
    }

    /// Turns values kept typed into display values, before the change is rewritten.
    pub(super) fn materialize(&mut self) {
        if let Some(c) = self.created.take() {
            self.after = Some(c.shown());
            self.attributes = c.attributes();
        }
    }
}

/// Outputs a plan predicts for one resource, shared rather than copied: its own prediction, an
/// unchanged object's outputs read from its prior object, or, for an object found exactly as
/// the state records it, nothing held at all (the state answers).
#[derive(Clone)]
pub enum Predicted {
    Own(Arc<Props>),
    Prior(Arc<ObjectState>),
    Recorded,
}

impl Predicted {
    /// The outputs held, `None` for [`Predicted::Recorded`].
    pub fn held(&self) -> Option<&Props> {
        match self {
            Predicted::Own(p) => Some(p),
            Predicted::Prior(o) => Some(&o.outputs),
            Predicted::Recorded => None,
        }
    }

    /// The outputs of `address`, from `state` for an object found as recorded.
    pub fn get(&self, address: &str, state: &crate::state::State) -> Option<Props> {
        match self.held() {
            Some(p) => Some(p.clone()),
            None => state.resources.get(address).map(|r| r.recorded_outputs()),
        }
    }
}

/// An object infra does not manage that lives in a container the plan deletes or replaces,
/// as the cloud listed it: it goes with the container.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unmanaged {
    pub id: String,
    /// Address of the container.
    pub parent: String,
    pub reason: String,
}

/// A root output whose value the plan changes (Terraform's "Changes to Outputs"). Values
/// are redacted display values; `None` means absent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputChange {
    pub name: String,
    pub before: Option<Json>,
    pub after: Option<Json>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub unknown: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub secret: bool,
}

impl OutputChange {
    /// `create` (a new output), `update`, `delete`.
    pub fn action(&self) -> &'static str {
        match (&self.before, &self.after) {
            (None, _) => "create",
            (Some(_), None) => "delete",
            _ => "update",
        }
    }
}

/// A difference between what infra recorded and what the cloud has now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Drift {
    pub address: String,
    #[serde(rename = "type")]
    pub type_name: String,
    /// The object no longer exists.
    pub deleted: bool,
    pub attributes: Vec<AttrChange>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Summary {
    pub add: usize,
    pub change: usize,
    pub replace: usize,
    pub destroy: usize,
    /// Objects adopted by `import` blocks.
    pub import: usize,
    /// Of the above, changes that happen because a container they are in is deleted or
    /// replaced.
    pub with_parent: usize,
    /// Objects infra does not manage that go with a deleted or replaced container.
    pub unmanaged: usize,
}

/// What apply needs for one resource, with real values (secrets included): never serialised,
/// never printed (no `Debug` of values).
#[derive(Clone)]
pub struct PlannedOp {
    pub address: String,
    pub type_name: String,
    pub action: Action,
    /// Normalised desired inputs; may still hold unknowns to be re-evaluated during apply.
    /// Shared with the plan's display of a create.
    pub inputs: Arc<Props>,
    /// Shared with the refresh's live object (no copy per resource on a re-plan).
    pub prior: Option<Arc<ObjectState>>,
    /// Dependencies in the configuration (for ordering creates/updates).
    pub depends_on: NameSet,
    /// Dependencies recorded in state (for ordering deletes).
    pub recorded_deps: NameSet,
    pub lifecycle: Lifecycle,
    pub existing: bool,
    /// The container that takes this object with it (see [`ResourceChange::parent`]).
    pub parent: Option<String>,
    /// A delete carried out by the parent's delete (a resource group's content): no call of
    /// its own; the state forgets it once the parent is gone.
    pub cascaded: bool,
    /// Addresses the state forgets as soon as this object's delete succeeds (its delete or the
    /// delete half of its replace takes them with it).
    pub cascades: Vec<String>,
    /// Objects inside this one that its replacement deletes before deleting it (type, object);
    /// they are made again after it by their own operations.
    pub delete_first: Vec<(String, ObjectState)>,
    /// An import whose object differs from the configuration: updated once adopted.
    pub update_after_import: bool,
}

impl std::fmt::Debug for PlannedOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlannedOp")
            .field("address", &self.address)
            .field("action", &self.action)
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Default, Deserialize)]
pub struct Plan {
    /// State the plan was made against.
    pub lineage: String,
    pub serial: u64,
    pub drift: Vec<Drift>,
    /// Every resource in the configuration or the state, including no-ops, in address order.
    pub changes: Vec<ResourceChange>,
    /// Objects infra does not manage in containers the plan deletes or replaces.
    #[serde(default)]
    pub unmanaged: Vec<Unmanaged>,
    /// Root outputs that change, by name.
    #[serde(default)]
    pub output_changes: Vec<OutputChange>,
    /// Made with `--refresh-only`: drift is all there is to show.
    #[serde(default)]
    pub refresh_only: bool,
    /// Outputs by address as predicted by the plan, real values (secrets included): what the
    /// root outputs are re-evaluated with. Never serialised or printed.
    #[serde(skip)]
    pub predicted: std::collections::HashMap<String, Predicted>,
    #[serde(skip)]
    pub ops: Vec<PlannedOp>,
    /// Addresses the configuration marks `protect`; apply records the flag in state.
    #[serde(skip)]
    pub protected: BTreeSet<String>,
}

impl std::fmt::Debug for Plan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plan")
            .field("lineage", &self.lineage)
            .field("serial", &self.serial)
            .field("drift", &self.drift)
            .field("changes", &self.changes)
            .finish_non_exhaustive()
    }
}

impl Plan {
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for c in &self.changes {
            match c.action {
                Action::Create => s.add += 1,
                Action::Update => s.change += 1,
                Action::Replace => s.replace += 1,
                Action::Delete => s.destroy += 1,
                Action::Import => s.import += 1,
                Action::NoOp | Action::Read => {}
            }
            if c.parent.is_some() && c.action != Action::NoOp {
                s.with_parent += 1;
            }
        }
        s.unmanaged = self.unmanaged.len();
        s
    }

    /// True when applying would change nothing (reads of `existing` objects do not count).
    pub fn is_empty(&self) -> bool {
        self.changes
            .iter()
            .all(|c| matches!(c.action, Action::NoOp | Action::Read))
    }

    pub fn pending(&self) -> impl Iterator<Item = &ResourceChange> {
        self.changes.iter().filter(|c| c.action != Action::NoOp)
    }
}
