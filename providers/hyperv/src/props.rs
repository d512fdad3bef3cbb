//! Reading typed inputs out of property maps and live JSON, with errors that name the property.

use infra_provider_core::{Props, ProviderError, ProviderResult, Value};
use serde_json::Value as Json;

fn bad(key: &str, want: &str, got: &Value) -> ProviderError {
    ProviderError::Invalid(format!("{key} must be {want}, not {}", got.kind()))
}

pub fn opt_str(map: &Props, key: &str) -> ProviderResult<Option<String>> {
    match map.get(key).map(|v| v.unwrap_secret().0) {
        None | Some(Value::Null) | Some(Value::Unknown) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(bad(key, "a string", other)),
    }
}

pub fn req_str(map: &Props, key: &str) -> ProviderResult<String> {
    opt_str(map, key)?.ok_or_else(|| ProviderError::Invalid(format!("{key} is required")))
}

pub fn opt_int(map: &Props, key: &str) -> ProviderResult<Option<i64>> {
    match map.get(key).map(|v| v.unwrap_secret().0) {
        None | Some(Value::Null) | Some(Value::Unknown) => Ok(None),
        Some(Value::Int(i)) => Ok(Some(*i)),
        Some(other) => Err(bad(key, "an int", other)),
    }
}

pub fn opt_bool(map: &Props, key: &str) -> ProviderResult<Option<bool>> {
    match map.get(key).map(|v| v.unwrap_secret().0) {
        None | Some(Value::Null) | Some(Value::Unknown) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(bad(key, "a bool", other)),
    }
}

/// Whether the value is still unknown at plan time (then checks on it wait for apply).
pub fn unknown(map: &Props, key: &str) -> bool {
    map.get(key).is_some_and(Value::contains_unknown)
}

/// Sets `key` to `default` when the user left it out.
pub fn default(map: &mut Props, key: &str, default: Value) {
    if matches!(map.get(key), None | Some(Value::Null)) {
        map.insert(key.to_string(), default);
    }
}

/// The plain JSON of a known value (secrets unwrapped: scripts need them; never logged).
pub fn to_json(v: &Value) -> Json {
    match v.unwrap_secret().0 {
        Value::Null | Value::Unknown => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
        Value::String(s) => Json::String(s.clone()),
        Value::List(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Object(m) => Json::Object(m.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
        Value::Secret(_) => Json::Null,
    }
}

// ---- live JSON

pub fn j_str(o: &Json, key: &str) -> Option<String> {
    o.get(key).and_then(Json::as_str).map(str::to_string)
}

pub fn j_int(o: &Json, key: &str) -> Option<i64> {
    o.get(key).and_then(Json::as_i64)
}

pub fn j_bool(o: &Json, key: &str) -> Option<bool> {
    o.get(key).and_then(Json::as_bool)
}

/// A list property: `[...]`, or one object where PowerShell unrolled a single element,
/// or nothing (`null`, `""`).
pub fn j_list<'a>(o: &'a Json, key: &str) -> Vec<&'a Json> {
    match o.get(key) {
        Some(Json::Array(a)) => a.iter().collect(),
        Some(Json::Object(_)) => o.get(key).into_iter().collect(),
        _ => Vec::new(),
    }
}

/// A string list property, in any of the shapes PowerShell writes it (array, one string,
/// space-joined when collapsed by depth, empty).
pub fn j_strings(o: &Json, key: &str) -> Vec<String> {
    match o.get(key) {
        Some(Json::Array(a)) => a
            .iter()
            .filter_map(Json::as_str)
            .map(str::to_string)
            .collect(),
        Some(Json::String(s)) => s.split_whitespace().map(str::to_string).collect(),
        _ => Vec::new(),
    }
}

/// `live` spelled as `known` when they differ only in case: Hyper-V answers paths as stored
/// on disk, not as given (FINDINGS §8.1).
pub fn same_path(live: &str, known: Option<&str>) -> String {
    match known {
        Some(k) if k.eq_ignore_ascii_case(live) => k.to_string(),
        _ => live.to_string(),
    }
}

/// The line a create appends to an object's notes, so that a create repeated after a crash
/// finds the object it made instead of refusing it (or making another).
pub const CREATE_MARK: &str = "infra-create: ";

/// `notes` with the create mark line, if any, taken out.
pub fn without_mark(notes: &str) -> String {
    match notes.rfind(CREATE_MARK) {
        Some(i) if !notes[i..].contains('\n') => notes[..i].trim_end_matches('\n').to_string(),
        _ => notes.to_string(),
    }
}

/// Whether `notes` carry the mark of this create.
pub fn has_mark(notes: &str, key: &str) -> bool {
    notes.ends_with(&format!("{CREATE_MARK}{key}"))
}

/// `notes` with the mark of this create appended.
pub fn with_mark(notes: &str, key: &str) -> String {
    if notes.is_empty() {
        format!("{CREATE_MARK}{key}")
    } else {
        format!("{notes}\n{CREATE_MARK}{key}")
    }
}

pub fn invalid(msg: impl Into<String>) -> ProviderError {
    ProviderError::Invalid(msg.into())
}
