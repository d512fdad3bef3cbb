//! `sidecars` of `azure.container_app`: the template's containers after the main one
//! (which the app's top-level `image`, `cpu`, `env`... describe).

use infra_provider_core::{ObjectState, Props, Value};
use serde_json::{Map, Value as J, json};

use super::container_app::{float, map_of, str_list};
use crate::mapping::{jstr, put, s};

pub(super) fn list_of<'a>(p: &'a Props, k: &str) -> &'a [Value] {
    match p.get(k) {
        Some(Value::List(l)) => l,
        _ => &[],
    }
}

/// One more container of the template, from a `sidecars` entry.
pub(super) fn sidecar_json(v: &Value) -> J {
    let Value::Object(m) = v else {
        return J::Null;
    };
    let mut c = json!({"name": s(m, "name"), "image": s(m, "image")});
    let env: Vec<J> = map_of(m, "env")
        .into_iter()
        .map(|(k, v)| json!({"name": k, "value": v}))
        .collect();
    if !env.is_empty() {
        c["env"] = J::Array(env);
    }
    let mut resources = Map::new();
    if let Some(cpu) = float(m.get("cpu")) {
        resources.insert("cpu".into(), json!(cpu));
    }
    if let Some(mem) = s(m, "memory") {
        resources.insert("memory".into(), json!(mem));
    }
    if !resources.is_empty() {
        c["resources"] = J::Object(resources);
    }
    for k in ["command", "args"] {
        if let Some(v) = m.get(k) {
            c[k] = v.to_redacted_json();
        }
    }
    c
}

/// A `sidecars` entry from a template container.
pub(super) fn read_sidecar(c: &J) -> Value {
    let mut m = Props::new();
    put(&mut m, "name", jstr(c, "/name"));
    put(&mut m, "image", jstr(c, "/image"));
    put(
        &mut m,
        "cpu",
        c.pointer("/resources/cpu")
            .and_then(J::as_f64)
            .map(Value::Float),
    );
    put(&mut m, "memory", jstr(c, "/resources/memory"));
    put(&mut m, "command", str_list(c.get("command")));
    put(&mut m, "args", str_list(c.get("args")));
    let env: Props = c
        .get("env")
        .and_then(J::as_array)
        .into_iter()
        .flatten()
        .filter_map(|e| {
            Some((
                e.get("name")?.as_str()?.to_string(),
                Value::str(e.get("value")?.as_str()?),
            ))
        })
        .collect();
    if !env.is_empty() {
        m.insert("env".into(), Value::Object(env));
    }
    Value::Object(m)
}

/// Desired sidecars as the cloud reports them: cpu as a float, no empty env, and the
/// resources the cloud chose (recorded for the same sidecar) where none are written.
pub(super) fn normalise_sidecars(d: &mut Props, prior: Option<&ObjectState>) {
    let recorded = prior.map(|p| list_of(&p.inputs, "sidecars")).unwrap_or(&[]);
    let Some(Value::List(list)) = d.get_mut("sidecars") else {
        return;
    };
    for v in list.iter_mut() {
        let Value::Object(m) = v else { continue };
        if let Some(c) = float(m.get("cpu")) {
            m.insert("cpu".into(), Value::Float(c));
        }
        if matches!(m.get("env"), Some(Value::Object(e)) if e.is_empty()) {
            m.remove("env");
        }
        let same = recorded.iter().find_map(|r| match r {
            Value::Object(r) if s(r, "name").is_some() && s(r, "name") == s(m, "name") => Some(r),
            _ => None,
        });
        for k in ["cpu", "memory"] {
            if !m.contains_key(k)
                && let Some(v) = same.and_then(|r| r.get(k))
            {
                m.insert(k.to_string(), v.clone());
            }
        }
    }
    if list.is_empty() {
        d.remove("sidecars");
    }
}
