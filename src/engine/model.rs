//! The plan as data: what the renderers show and what apply carries out. The displayed part
//! holds only redacted values (secrets as `(secret)`), so it can be printed and saved; what apply
//! needs with real values is kept apart and never serialised.

use infra_provider_core::{Lifecycle, ObjectState, Props};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

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
    #[serde(default, skip_serializing_if = "is_false")]
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceChange {
    pub address: String,
    #[serde(rename = "type")]
    pub type_name: String,
    pub action: Action,
    pub reason: Option<String>,
    pub before: Option<BTreeMap<String, Json>>,
    pub after: Option<BTreeMap<String, Json>>,
    /// The attributes that change (for create: all set ones; for delete: all recorded ones).
    pub attributes: Vec<AttrChange>,
    pub unknown: Vec<String>,
    pub secret: Vec<String>,
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
}

/// What apply needs for one resource, with real values (secrets included): never serialised,
/// never printed (no `Debug` of values).
#[derive(Clone)]
pub struct PlannedOp {
    pub address: String,
    pub type_name: String,
    pub action: Action,
    /// Normalised desired inputs; may still hold unknowns to be re-evaluated during apply.
    pub inputs: Props,
    pub prior: Option<ObjectState>,
    /// Dependencies in the configuration (for ordering creates/updates).
    pub depends_on: BTreeSet<String>,
    /// Dependencies recorded in state (for ordering deletes).
    pub recorded_deps: BTreeSet<String>,
    pub lifecycle: Lifecycle,
    pub existing: bool,
}

impl std::fmt::Debug for PlannedOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlannedOp")
            .field("address", &self.address)
            .field("action", &self.action)
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Default, Serialize, Deserialize)]
pub struct Plan {
    /// State the plan was made against.
    pub lineage: String,
    pub serial: u64,
    pub drift: Vec<Drift>,
    /// Every resource in the configuration or the state, including no-ops, in address order.
    pub changes: Vec<ResourceChange>,
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
                Action::NoOp | Action::Read => {}
            }
        }
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
