//! Reading typed inputs out of property maps, with errors that name the property.

use infra_provider_core::{Map, ProviderError, ProviderResult, Value};

fn leaf(key: &str) -> &str {
    key.rsplit('.').next().unwrap_or(key)
}

fn bad(key: &str, want: &str, got: &Value) -> ProviderError {
    ProviderError::Invalid(format!("{key} must be {want}, not {}", got.kind()))
}

pub fn opt_str(map: &Map, key: &str) -> ProviderResult<Option<String>> {
    match map.get(leaf(key)).map(|v| v.unwrap_secret().0) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(bad(key, "a string", other)),
    }
}

pub fn req_str(map: &Map, key: &str) -> ProviderResult<String> {
    opt_str(map, key)?.ok_or_else(|| ProviderError::Invalid(format!("{key} is required")))
}

pub fn opt_int(map: &Map, key: &str) -> ProviderResult<Option<i64>> {
    match map.get(leaf(key)).map(|v| v.unwrap_secret().0) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Int(i)) => Ok(Some(*i)),
        Some(other) => Err(bad(key, "an int", other)),
    }
}

pub fn opt_bool(map: &Map, key: &str) -> ProviderResult<Option<bool>> {
    match map.get(leaf(key)).map(|v| v.unwrap_secret().0) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(bad(key, "a bool", other)),
    }
}

pub fn str_list(map: &Map, key: &str) -> ProviderResult<Vec<String>> {
    match map.get(leaf(key)).map(|v| v.unwrap_secret().0) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::List(items)) => items
            .iter()
            .map(|v| match v.unwrap_secret().0 {
                Value::String(s) => Ok(s.clone()),
                other => Err(bad(key, "a list of strings", other)),
            })
            .collect(),
        Some(other) => Err(bad(key, "a list of strings", other)),
    }
}

pub fn list_value(items: &[String]) -> Value {
    Value::List(items.iter().map(Value::str).collect())
}

/// Whether any of these inputs is only known after apply (then plan-time checks wait).
pub fn any_unknown(map: &Map, keys: &[&str]) -> bool {
    keys.iter()
        .any(|k| map.get(k).is_some_and(Value::contains_unknown))
}
