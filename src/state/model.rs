//! The in-memory form of state. Values are kept as JSON because state never holds unknowns or
//! secrets: secret inputs become keyed hashes and secret outputs are withheld.

use super::fields::Fields;
use super::secrets::SecretKey;
use infra_provider_core::{NameSet, ObjectState, Props, Value};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub format_version: u64,
    /// Fixed when the state is first created; a plan or journal from another lineage is refused.
    pub lineage: String,
    /// Increases by one with every save that changes resources.
    pub serial: u64,
    pub resources: BTreeMap<String, ResourceRecord>,
    /// The root outputs as the last apply left them (plain, fully known values only; secret
    /// outputs are never stored), so that a plan can show an output whose expression changed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub outputs: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ResourceRecord {
    #[serde(rename = "type")]
    pub type_name: String,
    pub id: String,
    /// Inputs without secrets, as last applied or refreshed.
    #[serde(default)]
    pub inputs: Fields,
    /// Secret inputs: name → `hmac-sha256:<hex>` of the value under the state's key.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub secret_inputs: BTreeMap<String, String>,
    /// Outputs held as values; those that repeat the id or an input are in `derived` instead.
    /// Read them all with [`ResourceRecord::output`] and [`ResourceRecord::all_outputs`].
    #[serde(default)]
    pub outputs: BTreeMap<String, serde_json::Value>,
    /// Outputs that repeat the record's id or one of its inputs, as a state file states them
    /// (`derived_outputs`): kept as where they come from, shared by the records of a type, so
    /// that a loaded state holds no second copy of those values.
    #[serde(skip)]
    pub derived: Option<Arc<Derivation>>,
    /// Names of outputs that were secret and therefore not stored.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub secret_outputs: BTreeSet<String>,
    #[serde(default)]
    pub dependencies: NameSet,
    /// The configuration last applied said `protect`: kept so that removing the resource's
    /// block (and with it the `protect` line) cannot delete it without --allow-destroy.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub protect: bool,
}

/// Where a derived output takes its value from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    /// The record's id.
    Id,
    /// The input of that name.
    Input(String),
}

/// Derived outputs by name.
pub type Derivation = BTreeMap<String, Source>;

/// What the journal holds: a record with its derived outputs written out.
#[derive(Serialize)]
struct RecordOut<'a> {
    #[serde(rename = "type")]
    type_name: &'a str,
    id: &'a str,
    inputs: &'a Fields,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    secret_inputs: &'a BTreeMap<String, String>,
    outputs: BTreeMap<&'a str, Cow<'a, serde_json::Value>>,
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    secret_outputs: &'a BTreeSet<String>,
    dependencies: &'a NameSet,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    protect: bool,
}

impl Serialize for ResourceRecord {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        RecordOut {
            type_name: &self.type_name,
            id: &self.id,
            inputs: &self.inputs,
            secret_inputs: &self.secret_inputs,
            outputs: self.all_outputs().collect(),
            secret_outputs: &self.secret_outputs,
            dependencies: &self.dependencies,
            protect: self.protect,
        }
        .serialize(s)
    }
}

/// Two records are equal when they hold the same values, however their outputs are kept.
impl PartialEq for ResourceRecord {
    fn eq(&self, other: &ResourceRecord) -> bool {
        self.type_name == other.type_name
            && self.id == other.id
            && self.inputs == other.inputs
            && self.secret_inputs == other.secret_inputs
            && self.secret_outputs == other.secret_outputs
            && self.dependencies == other.dependencies
            && self.protect == other.protect
            && if self.derived == other.derived {
                self.outputs == other.outputs
            } else {
                self.all_outputs().eq(other.all_outputs())
            }
    }
}

impl State {
    pub fn new(lineage: String) -> State {
        State {
            format_version: super::CURRENT_FORMAT_VERSION,
            lineage,
            serial: 0,
            resources: BTreeMap::new(),
            outputs: BTreeMap::new(),
        }
    }
}

/// A lineage that will not collide with another state's: a hash of the time, the process and a
/// counter, formatted like a UUID.
pub fn new_lineage() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let seed = format!(
        "{now}/{}/{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let h: String = Sha256::digest(seed.as_bytes())
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

fn plain(map: &Fields) -> Props {
    map.iter()
        .map(|(k, v)| (k.clone(), Value::from_json(v)))
        .collect()
}

impl ResourceRecord {
    /// Records what the provider reported, with secret inputs hashed from what was sent.
    pub fn from_object(
        type_name: &str,
        obj: &ObjectState,
        sent: &Props,
        dependencies: NameSet,
        key: &SecretKey,
    ) -> ResourceRecord {
        let mut inputs = BTreeMap::new();
        let mut secret_inputs = BTreeMap::new();
        for (k, v) in sent {
            if v.contains_secret() {
                secret_inputs.insert(k.clone(), key.hash(v));
            }
        }
        for (k, v) in &obj.inputs {
            if !v.contains_secret() && !v.contains_unknown() && !secret_inputs.contains_key(k) {
                inputs.insert(k.clone(), v.to_redacted_json());
            }
        }
        let mut outputs = BTreeMap::new();
        let mut secret_outputs = BTreeSet::new();
        for (k, v) in &obj.outputs {
            if v.contains_secret() {
                secret_outputs.insert(k.clone());
            } else if !v.contains_unknown() {
                outputs.insert(k.clone(), v.to_redacted_json());
            }
        }
        ResourceRecord {
            type_name: type_name.to_string(),
            id: obj.id.clone(),
            inputs: inputs.into(),
            secret_inputs,
            outputs,
            derived: None,
            secret_outputs,
            dependencies,
            protect: false,
        }
    }

    /// This record as the cloud now has it (drift accepted): id, inputs and outputs from
    /// `live`; secret-input hashes, dependencies and flags kept (a read never returns secrets).
    pub fn with_live(&self, live: &ObjectState) -> ResourceRecord {
        let keep = |v: &Value| !v.contains_secret() && !v.contains_unknown();
        ResourceRecord {
            id: live.id.clone(),
            inputs: live
                .inputs
                .iter()
                .filter(|(k, v)| keep(v) && !self.secret_inputs.contains_key(*k))
                .map(|(k, v)| (k.clone(), v.to_redacted_json()))
                .collect(),
            outputs: live
                .outputs
                .iter()
                .filter(|(_, v)| keep(v))
                .map(|(k, v)| (k.clone(), v.to_redacted_json()))
                .collect(),
            derived: None,
            ..self.clone()
        }
    }

    /// The provider's view of the record (secret inputs absent, withheld outputs absent).
    pub fn object_state(&self) -> ObjectState {
        ObjectState {
            id: self.id.clone(),
            inputs: plain(&self.inputs),
            outputs: self.recorded_outputs(),
        }
    }

    /// The outputs of [`ResourceRecord::object_state`] (withheld outputs absent).
    pub fn recorded_outputs(&self) -> Props {
        self.all_outputs()
            .map(|(k, v)| (k.to_string(), Value::from_json(&v)))
            .collect()
    }

    /// The output of that name, derived or held (withheld secret outputs absent).
    pub fn output(&self, name: &str) -> Option<Cow<'_, serde_json::Value>> {
        if let Some(v) = self.outputs.get(name) {
            return Some(Cow::Borrowed(v));
        }
        self.resolve(self.derived.as_deref()?.get(name)?)
    }

    /// Every output (withheld secret outputs absent), derived ones resolved, in name order.
    pub fn all_outputs(&self) -> impl Iterator<Item = (&str, Cow<'_, serde_json::Value>)> {
        let held = self
            .outputs
            .iter()
            .map(|(k, v)| (k.as_str(), Some(Cow::Borrowed(v))));
        let derived = self
            .derived
            .iter()
            .flat_map(|d| d.iter())
            .map(|(k, s)| (k.as_str(), self.resolve(s)));
        merge_by_name(held, derived).filter_map(|(k, v)| Some((k, v?)))
    }

    fn resolve(&self, source: &Source) -> Option<Cow<'_, serde_json::Value>> {
        match source {
            Source::Id => Some(Cow::Owned(serde_json::Value::String(self.id.clone()))),
            Source::Input(name) => self.inputs.get(name).map(Cow::Borrowed),
        }
    }

    /// Outputs as values, withheld secret outputs as a secret unknown so that references to them
    /// stay secret and are recomputed rather than read from state.
    pub fn output_values(&self) -> Props {
        let mut out = self.recorded_outputs();
        for k in &self.secret_outputs {
            out.insert(k.clone(), Value::secret(Value::Unknown));
        }
        out
    }
}

/// Two name-ordered sequences as one (the reader refuses a name in both).
fn merge_by_name<'a, T>(
    a: impl Iterator<Item = (&'a str, T)>,
    b: impl Iterator<Item = (&'a str, T)>,
) -> impl Iterator<Item = (&'a str, T)> {
    let mut a = a.peekable();
    let mut b = b.peekable();
    std::iter::from_fn(move || match (a.peek(), b.peek()) {
        (Some((x, _)), Some((y, _))) if y < x => b.next(),
        (Some(_), _) => a.next(),
        (None, _) => b.next(),
    })
}
