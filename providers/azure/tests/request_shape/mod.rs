//! Comparing a request body the provider sent with a real request body from the vectors:
//! every property sent must sit at a path the real request has, with the same JSON type,
//! and none may be one ARM owns (read-only in the bicep-types flags, or server-set).

use std::path::PathBuf;

use serde_json::Value;

/// Paths ARM always owns, on every type.
const SERVER_OWNED: &[&str] = &[
    "id",
    "name",
    "type",
    "etag",
    "systemData",
    "properties.provisioningState",
];

fn vectors(rel: &str) -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let emulator = here.join("../emulator/tests/vectors").join(rel);
    if emulator.exists() {
        emulator
    } else {
        here.join("tests/vectors").join(rel)
    }
}

fn read_json(rel: &str) -> Value {
    let path = vectors(rel);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// The request body and api-version of a spec example (`parameters.<body>`).
pub fn example_request(rel: &str) -> (Value, String) {
    let v = read_json(rel);
    let params = v["parameters"].as_object().expect("example parameters");
    let api = params["api-version"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let body = params
        .iter()
        .find(|(k, v)| v.is_object() && *k != "api-version")
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| panic!("{rel}: no request body"));
    (body, api)
}

/// The body of the first recorded request with this method in a converted recording.
pub fn recorded_request(rel: &str, method: &str) -> Value {
    let v = read_json(rel);
    let it = v["interactions"]
        .as_array()
        .expect("interactions")
        .iter()
        .find(|i| i["request"]["method"] == method)
        .unwrap_or_else(|| panic!("{rel}: no {method}"));
    match &it["request"]["body"] {
        Value::String(s) => serde_json::from_str(s).expect("recorded body is JSON"),
        other => other.clone(),
    }
}

/// Two real requests of one type seen as one: every path either has (objects merged,
/// arrays merged element-wise into their first element; `a` wins on a type clash).
pub fn union(a: &Value, b: &Value) -> Value {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut m = x.clone();
            for (k, v) in y {
                let merged = match x.get(k) {
                    Some(mine) => union(mine, v),
                    None => v.clone(),
                };
                m.insert(k.clone(), merged);
            }
            Value::Object(m)
        }
        (Value::Array(x), Value::Array(y)) => {
            let first = match (x.first(), y.first()) {
                (Some(p), Some(q)) => Some(union(p, q)),
                (p, q) => p.or(q).cloned(),
            };
            Value::Array(first.into_iter().collect())
        }
        _ => a.clone(),
    }
}

/// Read-only paths of `type@version` in the bicep-types flags (`a.b[].c` form).
pub fn read_only(family: &str, type_at_version: &str) -> Vec<String> {
    let flags = read_json(&format!("{family}/DERIVED_bicep-types-flags.json"));
    flags[type_at_version]["ReadOnly"]
        .as_array()
        .unwrap_or_else(|| panic!("no flags for {type_at_version}"))
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// What a test expects of one request body.
pub struct Expect<'a> {
    pub real: &'a Value,
    /// Objects whose keys are the user's (tags, app settings): any key, values compared
    /// with the real request's first value (strings when the real request has none).
    pub maps: &'a [&'a str],
    pub read_only: &'a [String],
}

/// Every problem found, as `path: what`; empty when the body matches.
pub fn mismatches(sent: &Value, want: &Expect<'_>) -> Vec<String> {
    let mut out = Vec::new();
    walk(sent, Some(want.real), "", want, &mut out);
    out
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn walk(sent: &Value, real: Option<&Value>, path: &str, want: &Expect<'_>, out: &mut Vec<String>) {
    if SERVER_OWNED.contains(&path)
        || want
            .read_only
            .iter()
            .any(|ro| path == ro || path.starts_with(&format!("{ro}.")))
    {
        out.push(format!("{path}: read-only, ARM would reject or ignore it"));
        return;
    }
    // A tracked resource's `tags` are part of ARM's envelope, valid whether or not an
    // example shows them; values are strings.
    if real.is_none() && want.maps.contains(&path) {
        let all_strings = sent
            .as_object()
            .is_some_and(|m| m.values().all(Value::is_string));
        if !all_strings {
            out.push(format!("{path}: a map of strings expected, sent {sent}"));
        }
        return;
    }
    let Some(real) = real else {
        out.push(format!(
            "{path}: sent ({}) but not in the real request",
            kind(sent)
        ));
        return;
    };
    if kind(sent) != kind(real) {
        out.push(format!(
            "{path}: sent {} where the real request has {}",
            kind(sent),
            kind(real)
        ));
        return;
    }
    match (sent, real) {
        (Value::Object(s), Value::Object(r)) => {
            let is_map = want.maps.contains(&path);
            for (k, v) in s {
                let real_v = if is_map { r.values().next() } else { r.get(k) };
                let child = if is_map {
                    join(path, "*")
                } else {
                    join(path, k)
                };
                match real_v {
                    None if is_map => {}
                    other => walk(v, other, &child, want, out),
                }
            }
        }
        (Value::Array(s), Value::Array(r)) => {
            for v in s {
                walk(v, r.first(), &format!("{path}[]"), want, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn extra_paths_wrong_types_and_read_only_fields_are_reported() {
        let real =
            json!({"location": "x", "tags": {"a": "b"}, "properties": {"n": 1, "l": [{"v": "s"}]}});
        let ro = vec!["properties.fqdn".to_string()];
        let want = Expect {
            real: &real,
            maps: &["tags"],
            read_only: &ro,
        };
        let good =
            json!({"location": "y", "tags": {"k": "v"}, "properties": {"n": 2, "l": [{"v": "t"}]}});
        assert!(mismatches(&good, &want).is_empty());
        let bad = json!({"location": 1, "tags": {"k": 2}, "properties": {"extra": true, "fqdn": "f",
            "provisioningState": "Succeeded", "l": [{"v": 3}]}});
        let found = mismatches(&bad, &want);
        for p in [
            "location: sent number",
            "tags.*: sent number",
            "properties.extra: sent (bool) but not in the real request",
            "properties.fqdn: read-only",
            "properties.provisioningState: read-only",
            "properties.l[].v: sent number",
        ] {
            assert!(found.iter().any(|f| f.starts_with(p)), "{p} in {found:?}");
        }
    }
}
