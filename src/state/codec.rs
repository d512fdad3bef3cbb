//! Reading and writing the state file. The reader never panics: whatever the bytes, it returns a
//! state or an error naming the file and what is wrong. `format_version` picks what the file may
//! hold: version 1 (pretty-printed, every output written out) is read and upgraded in memory;
//! version 2 is what is written (one resource per line, outputs that repeat the id or an input
//! written once, see docs/state.md). The records are read straight from the bytes into typed
//! records, never through a whole-document `serde_json::Value`.

use super::StateError;
use super::fields::Fields;
use super::model::{self, ResourceRecord, Source, State};
use super::strict::{Strict, UniqueMap};
use infra_provider_core::NameSet;
use serde::Serialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;
use std::borrow::Cow;
use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::path::Path;
use std::sync::Arc;

pub const CURRENT_FORMAT_VERSION: u64 = 2;

fn corrupt(path: &Path, message: impl Into<String>) -> StateError {
    StateError::Corrupt {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Largest serial a state may hold: every JSON reader (2^53 − 1 is exact in a double) reads
/// it exactly, and adding one can never wrap.
pub const MAX_SERIAL: u64 = (1 << 53) - 1;

/// How to get going again after a refusal, added to every reader error.
const FIX: &str = "fix the file by hand, or restore the previous version (`.bak` beside it)";

/// Where a derived output takes its value from: the record's id.
const FROM_ID: &str = "id";
/// ... or one of its inputs: `inputs.NAME`.
const FROM_INPUT: &str = "inputs.";

pub fn read_state(bytes: &[u8], path: &Path) -> Result<State, StateError> {
    // The version as soon as it is read, so that a newer file is refused as such even when
    // the rest of it does not decode.
    let version = Cell::new(None);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let doc = DocSeed { version: &version }
        .deserialize(&mut de)
        .and_then(|doc| de.end().map(|()| doc));
    if let Some(found) = version.get().filter(|v| *v > CURRENT_FORMAT_VERSION) {
        return Err(StateError::TooNew {
            path: path.to_path_buf(),
            found,
            supported: CURRENT_FORMAT_VERSION,
        });
    }
    match doc {
        Ok(doc) => doc
            .finish()
            .map_err(|m| corrupt(path, format!("{m}; {FIX}"))),
        Err(e) if e.classify() == serde_json::error::Category::Data => {
            Err(corrupt(path, format!("{e}; {FIX}")))
        }
        Err(e) => Err(corrupt(path, format!("not JSON: {e}; {FIX}"))),
    }
}

/// An address as the engine writes it: no control characters (a NUL or a line break would be
/// printed raw by every command that lists the state).
pub fn address_problem(address: &str) -> Option<String> {
    if address.is_empty() {
        return Some("a resource has an empty address".to_string());
    }
    address
        .chars()
        .find(|c| c.is_control())
        .map(|c| format!("the address {address:?} holds the control character {c:?}"))
}

/// A record as a file holds it: `derived_outputs` is its own derivation when it differs from
/// its type's (format_version 2).
#[derive(serde::Deserialize)]
struct RecordIn {
    #[serde(rename = "type")]
    type_name: String,
    id: String,
    #[serde(default)]
    inputs: UniqueMap<Strict, Value>,
    #[serde(default)]
    secret_inputs: UniqueMap<String>,
    #[serde(default)]
    outputs: UniqueMap<Strict, Value>,
    #[serde(default)]
    secret_outputs: BTreeSet<String>,
    #[serde(default)]
    dependencies: NameSet,
    #[serde(default)]
    protect: bool,
    #[serde(default)]
    derived_outputs: Option<UniqueMap<String>>,
}

type Derivation = BTreeMap<String, String>;

/// The top-level fields as read, checked in [`Doc::finish`] once all are known (a hand-edited
/// file may hold them in any order).
#[derive(Default)]
struct Doc {
    version: Option<u64>,
    lineage: Option<Value>,
    serial: Option<Value>,
    outputs: Option<Value>,
    resources: BTreeMap<String, ResourceRecord>,
    /// Records with a derivation of their own.
    own_derived: BTreeMap<String, Derivation>,
    /// By type: the derivation of the type's records that name none.
    derived: Option<BTreeMap<String, Derivation>>,
}

struct DocSeed<'a> {
    version: &'a Cell<Option<u64>>,
}

impl<'de> DeserializeSeed<'de> for DocSeed<'_> {
    type Value = Doc;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Doc, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DocSeed<'_> {
    type Value = Doc;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a state (a JSON object with format_version, lineage, serial, resources)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Doc, A::Error> {
        let mut doc = Doc::default();
        let mut seen = BTreeSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(de::Error::custom(format!("duplicate key `{key}`")));
            }
            match key.as_str() {
                "format_version" => {
                    let Strict(v) = map.next_value()?;
                    let n = v.as_u64().ok_or_else(|| {
                        de::Error::custom(format!(
                            "format_version must be a number (like {CURRENT_FORMAT_VERSION}), found {v}"
                        ))
                    })?;
                    self.version.set(Some(n));
                    if n > CURRENT_FORMAT_VERSION {
                        return Err(de::Error::custom("format_version is too new"));
                    }
                    doc.version = Some(n);
                }
                "lineage" => doc.lineage = Some(map.next_value::<Strict>()?.0),
                "serial" => doc.serial = Some(map.next_value::<Strict>()?.0),
                "outputs" => doc.outputs = Some(map.next_value::<Strict>()?.0),
                "derived_outputs" => {
                    let m: UniqueMap<UniqueMap<String>, Derivation> = map.next_value()?;
                    doc.derived = Some(m.0);
                }
                "resources" => map.next_value_seed(ResourcesSeed { doc: &mut doc })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(doc)
    }
}

impl From<UniqueMap<String>> for Derivation {
    fn from(m: UniqueMap<String>) -> Derivation {
        m.0
    }
}

struct ResourcesSeed<'a> {
    doc: &'a mut Doc,
}

impl<'de> DeserializeSeed<'de> for ResourcesSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ResourcesSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("resources as an object of records by address")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(address) = map.next_key::<String>()? {
            if let Some(problem) = address_problem(&address) {
                return Err(de::Error::custom(problem));
            }
            if self.doc.resources.contains_key(&address) {
                return Err(de::Error::custom(format!("duplicate key `{address}`")));
            }
            let r: RecordIn = map.next_value().map_err(|e| {
                // The position is added again to the wrapped error: keep it once.
                let e = e.to_string();
                let e = e.split(" at line ").next().unwrap_or_default();
                de::Error::custom(format!("resource `{address}`: {e}"))
            })?;
            if r.type_name.is_empty() {
                return Err(de::Error::custom(format!(
                    "resource `{address}` has no type"
                )));
            }
            if let Some(d) = r.derived_outputs {
                self.doc.own_derived.insert(address.clone(), d.0);
            }
            let record = ResourceRecord {
                type_name: r.type_name,
                id: r.id,
                inputs: r.inputs.0.into(),
                secret_inputs: r.secret_inputs.0,
                outputs: r.outputs.0,
                derived: None,
                secret_outputs: r.secret_outputs,
                dependencies: r.dependencies,
                protect: r.protect,
            };
            self.doc.resources.insert(address, record);
        }
        Ok(())
    }
}

impl Doc {
    /// The state the fields make, or what is wrong with them.
    fn finish(self) -> Result<State, String> {
        let version = match self.version {
            Some(0) => return Err("format_version 0 does not exist".into()),
            Some(v) => v,
            None => return Err("no format_version field".into()),
        };
        let lineage = match self.lineage {
            Some(Value::String(s)) if !s.trim().is_empty() => s,
            Some(Value::String(_)) => return Err("lineage is empty".into()),
            _ => return Err("lineage is missing or not a string".into()),
        };
        let serial = self
            .serial
            .as_ref()
            .and_then(Value::as_u64)
            .ok_or("serial is missing or not a non-negative integer")?;
        if serial > MAX_SERIAL {
            return Err(format!(
                "serial {serial} is above the largest allowed ({MAX_SERIAL}) and would overflow \
                 at the next save"
            ));
        }
        let outputs = match self.outputs {
            None => BTreeMap::new(),
            Some(Value::Object(map)) => map.into_iter().collect(),
            Some(_) => return Err("outputs is not an object".into()),
        };
        if version == 1 && (self.derived.is_some() || !self.own_derived.is_empty()) {
            return Err("derived_outputs is a field of format_version 2, not 1".into());
        }
        let mut resources = self.resources;
        let by_type = self.derived.unwrap_or_default();
        // One derivation per type, shared by its records (and one per record that states its own).
        let mut shared: BTreeMap<&str, Arc<model::Derivation>> = BTreeMap::new();
        for (address, record) in resources.iter_mut() {
            let derivation = match self.own_derived.get(address) {
                Some(own) => Arc::new(sources(address, own)?),
                None => match shared.get(record.type_name.as_str()) {
                    Some(d) => d.clone(),
                    None => match by_type.get_key_value(&record.type_name) {
                        Some((t, d)) => {
                            let d = Arc::new(sources(address, d)?);
                            shared.insert(t, d.clone());
                            d
                        }
                        None => continue,
                    },
                },
            };
            check_derived(address, record, &derivation)?;
            if !derivation.is_empty() {
                record.derived = Some(derivation);
            }
        }
        Ok(State {
            format_version: CURRENT_FORMAT_VERSION,
            lineage,
            serial,
            resources,
            outputs,
        })
    }
}

/// A derivation as the file states it (`id` or `inputs.NAME`), read.
fn sources(address: &str, derivation: &Derivation) -> Result<model::Derivation, String> {
    derivation
        .iter()
        .map(|(name, source)| {
            let s = if source == FROM_ID {
                Source::Id
            } else {
                let input = source.strip_prefix(FROM_INPUT).ok_or_else(|| {
                    format!(
                        "resource `{address}`: the derived output `{name}` comes from \
                         `{source}`, which is neither `{FROM_ID}` nor `{FROM_INPUT}NAME`"
                    )
                })?;
                Source::Input(input.to_string())
            };
            Ok((name.clone(), s))
        })
        .collect()
}

/// Whether the outputs a derivation names can be taken from the record's id or inputs. They
/// are kept unexpanded (see [`ResourceRecord::derived`]).
fn check_derived(
    address: &str,
    record: &ResourceRecord,
    derivation: &model::Derivation,
) -> Result<(), String> {
    for (name, source) in derivation {
        if let Source::Input(input) = source
            && !record.inputs.contains_key(input)
        {
            return Err(format!(
                "resource `{address}`: the derived output `{name}` comes from the input \
                 `{input}`, which it does not have"
            ));
        }
        if record.outputs.contains_key(name) {
            return Err(format!(
                "resource `{address}`: the output `{name}` is both written out and derived"
            ));
        }
    }
    Ok(())
}

/// Whether an output equal to an input is worth writing as a reference to it: a short scalar
/// equal to some input by chance (`true`, `3`) reads better written out.
fn worth_deriving(v: &Value) -> bool {
    match v {
        Value::Object(m) => !m.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::String(s) => s.len() >= 16,
        _ => false,
    }
}

/// Outputs of a record that repeat its id or one of its inputs: (output, `id` or `inputs.NAME`).
type Derived<'a> = Vec<(&'a str, String)>;

/// The outputs of a record that repeat its id or one of its inputs, with where from.
fn derivation_of(r: &ResourceRecord) -> Derived<'_> {
    let mut out = Vec::new();
    for (name, v) in r.all_outputs() {
        if v.as_str().is_some_and(|s| !s.is_empty() && s == r.id) {
            out.push((name, FROM_ID.to_string()));
        } else if worth_deriving(&v)
            && let Some((input, _)) = r.inputs.iter().find(|(_, i)| **i == *v)
        {
            out.push((name, format!("{FROM_INPUT}{input}")));
        }
    }
    out
}

fn no_fields(f: &&Fields) -> bool {
    f.is_empty()
}
fn no_map<K, V>(m: &&BTreeMap<K, V>) -> bool {
    m.is_empty()
}
fn no_set<T>(s: &&BTreeSet<T>) -> bool {
    s.is_empty()
}
fn no_names(s: &&NameSet) -> bool {
    s.is_empty()
}

#[derive(Serialize)]
struct RecordOut<'a> {
    #[serde(rename = "type")]
    type_name: &'a str,
    id: &'a str,
    #[serde(skip_serializing_if = "no_fields")]
    inputs: &'a Fields,
    #[serde(skip_serializing_if = "no_map")]
    secret_inputs: &'a BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    outputs: BTreeMap<&'a str, Cow<'a, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    derived_outputs: Option<BTreeMap<&'a str, &'a str>>,
    #[serde(skip_serializing_if = "no_set")]
    secret_outputs: &'a BTreeSet<String>,
    #[serde(skip_serializing_if = "no_names")]
    dependencies: &'a NameSet,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    protect: bool,
}

/// Appends `v` as compact JSON. Writing into memory fails only for maps with non-string keys,
/// which no state type has.
fn put<T: Serialize + ?Sized>(out: &mut Vec<u8>, v: &T) {
    let _ = serde_json::to_writer(&mut *out, v);
}

/// Format version 2: one resource per line (and one root output per line), so that `git diff`
/// shows a changed resource as a changed line; no indentation; keys in a stable order. An
/// output that repeats the record's id or one of its inputs is written once: the derivation
/// most records of a type share is stated once at the top (`derived_outputs`), a record that
/// differs states its own.
pub fn write_state(state: &State) -> Vec<u8> {
    let derivations: Vec<Derived> = state.resources.values().map(derivation_of).collect();
    // By type, the most common derivation (ties: the first in order), if any is not empty.
    let mut counts: HashMap<(&str, &Derived), usize> = HashMap::new();
    for (r, d) in state.resources.values().zip(&derivations) {
        *counts.entry((r.type_name.as_str(), d)).or_default() += 1;
    }
    let mut by_type: BTreeMap<&str, (&Derived, usize)> = BTreeMap::new();
    for ((t, d), n) in counts {
        let e = by_type.entry(t).or_insert((d, n));
        if n > e.1 || (n == e.1 && d < e.0) {
            *e = (d, n);
        }
    }
    let header: BTreeMap<&str, BTreeMap<&str, &str>> = by_type
        .iter()
        .filter(|(_, (d, _))| !d.is_empty())
        .map(|(t, (d, _))| (*t, d.iter().map(|(k, s)| (*k, s.as_str())).collect()))
        .collect();

    let mut out = Vec::with_capacity(256 * state.resources.len() + 256);
    out.extend_from_slice(
        format!("{{\"format_version\":{CURRENT_FORMAT_VERSION},\"lineage\":").as_bytes(),
    );
    put(&mut out, &state.lineage);
    out.extend_from_slice(format!(",\"serial\":{}", state.serial).as_bytes());
    if !header.is_empty() {
        out.extend_from_slice(b",\"derived_outputs\":");
        put(&mut out, &header);
    }
    if !state.outputs.is_empty() {
        out.extend_from_slice(b",\n\"outputs\":{");
        for (i, (name, v)) in state.outputs.iter().enumerate() {
            out.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
            put(&mut out, name);
            out.push(b':');
            put(&mut out, v);
        }
        out.extend_from_slice(b"\n}");
    }
    out.extend_from_slice(b",\n\"resources\":{");
    for (i, ((address, r), d)) in state.resources.iter().zip(&derivations).enumerate() {
        let typical = by_type
            .get(r.type_name.as_str())
            .is_some_and(|(t, _)| *t == d);
        let derived: BTreeSet<&str> = d.iter().map(|(k, _)| *k).collect();
        let record = RecordOut {
            type_name: &r.type_name,
            id: &r.id,
            inputs: &r.inputs,
            secret_inputs: &r.secret_inputs,
            outputs: r
                .all_outputs()
                .filter(|(k, _)| !derived.contains(k))
                .collect(),
            derived_outputs: (!typical).then(|| d.iter().map(|(k, s)| (*k, s.as_str())).collect()),
            secret_outputs: &r.secret_outputs,
            dependencies: &r.dependencies,
            protect: r.protect,
        };
        out.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
        put(&mut out, address);
        out.push(b':');
        put(&mut out, &record);
    }
    if !state.resources.is_empty() {
        out.push(b'\n');
    }
    out.extend_from_slice(b"}}\n");
    out
}

#[cfg(test)]
#[path = "codec_tests.rs"]
mod tests;
