//! Helpers shared by the per-type mappings: reading inputs, building ids exactly as ARM
//! does, and the normalisations ARM forces on every type (FINDINGS §1: case-insensitive ids,
//! types and names; locations compared lower-case without spaces; `tags: {}` when none).

use infra_provider_core::{Props, Value};
use serde_json::{Map, Value as J, json};

/// A string input (a secret is unwrapped: the caller decides where it may go).
pub fn s<'a>(p: &'a Props, k: &str) -> Option<&'a str> {
    p.get(k)
        .map(|v| v.unwrap_secret().0)
        .and_then(Value::as_str)
}

pub fn b(p: &Props, k: &str) -> Option<bool> {
    match p.get(k).map(|v| v.unwrap_secret().0) {
        Some(Value::Bool(x)) => Some(*x),
        _ => None,
    }
}

pub fn i(p: &Props, k: &str) -> Option<i64> {
    match p.get(k).map(|v| v.unwrap_secret().0) {
        Some(Value::Int(x)) => Some(*x),
        Some(Value::Float(x)) if x.fract() == 0.0 => Some(*x as i64),
        _ => None,
    }
}

/// An IP rule as the Key Vault RP stores it: a bare IPv4 address becomes its /32 range
/// (`1.2.3.4` -> `1.2.3.4/32`); ranges and anything else are kept.
pub fn ip_rule(v: &str) -> String {
    if !v.contains('/') && v.parse::<std::net::Ipv4Addr>().is_ok() {
        format!("{v}/32")
    } else {
        v.to_string()
    }
}

/// `westeurope` from `West Europe`, `WestEurope` or `westeurope`.
pub fn norm_location(loc: &str) -> String {
    loc.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// The value of the id segment that follows `key` (case-insensitive), e.g. the group name
/// after `resourceGroups`.
pub fn id_segment(id: &str, key: &str) -> Option<String> {
    let mut parts = id.split('/');
    while let Some(p) = parts.next() {
        if p.eq_ignore_ascii_case(key) {
            return parts.next().filter(|s| !s.is_empty()).map(str::to_string);
        }
    }
    None
}

/// The id without its last `type/name` pair: the parent of a child resource.
pub fn parent_of(id: &str) -> Option<String> {
    let trimmed = id.trim_end_matches('/');
    let (rest, _) = trimmed.rsplit_once('/')?;
    let (parent, _) = rest.rsplit_once('/')?;
    Some(parent.to_string())
}

/// A resource group named directly or by its id (a reference stands for the id).
pub fn group_name(v: &str) -> String {
    if v.starts_with('/') {
        id_segment(v, "resourceGroups").unwrap_or_else(|| v.to_string())
    } else {
        v.to_string()
    }
}

/// The subscription of an id, if it names one.
pub fn subscription_of(id: &str) -> Option<String> {
    id_segment(id, "subscriptions")
}

pub fn group_id(sub: &str, rg: &str) -> String {
    format!("/subscriptions/{sub}/resourceGroups/{rg}")
}

/// `resource_group` may be an id in another subscription; otherwise the provider's.
pub fn group_scope(sub: &str, rg_input: &str) -> String {
    let sub = if rg_input.starts_with('/') {
        subscription_of(rg_input).unwrap_or_else(|| sub.to_string())
    } else {
        sub.to_string()
    };
    group_id(&sub, &group_name(rg_input))
}

/// `{group}/providers/{type}/{name}` for a tracked resource, with known parts only.
pub fn tracked_id(sub: &str, p: &Props, provider_type: &str) -> Option<String> {
    let rg = s(p, "resource_group")?;
    let name = s(p, "name")?;
    Some(format!(
        "{}/providers/{provider_type}/{name}",
        group_scope(sub, rg)
    ))
}

/// Tags as ARM takes them; none -> `{}` which is what ARM echoes for "no tags".
pub fn tags_json(p: &Props) -> J {
    match p.get("tags") {
        Some(Value::Object(m)) => J::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), v.unwrap_secret().0.to_redacted_json()))
                .collect(),
        ),
        _ => json!({}),
    }
}

/// Tags as read back: absent or null (PostgreSQL omits them) -> `{}`; the create marker
/// (`kind::CREATE_TAG`) is the provider's, not the user's, and never shows.
pub fn tags_value(body: &J) -> Value {
    match body.get("tags") {
        Some(J::Object(m)) => Value::Object(
            m.iter()
                .filter(|(k, _)| k.as_str() != crate::kind::CREATE_TAG)
                .map(|(k, v)| (k.clone(), Value::from_json(v)))
                .collect(),
        ),
        _ => Value::Object(Default::default()),
    }
}

/// Insert when present (reads leave out what the cloud does not report).
pub fn put(p: &mut Props, k: &str, v: Option<Value>) {
    if let Some(v) = v.filter(|v| *v != Value::Null) {
        p.insert(k.to_string(), v);
    }
}

pub fn jstr(body: &J, pointer: &str) -> Option<Value> {
    body.pointer(pointer).and_then(J::as_str).map(Value::str)
}

pub fn jbool(body: &J, pointer: &str) -> Option<Value> {
    body.pointer(pointer).and_then(J::as_bool).map(Value::Bool)
}

pub fn jint(body: &J, pointer: &str) -> Option<Value> {
    body.pointer(pointer).and_then(J::as_i64).map(Value::Int)
}

/// name, resource_group, location, tags: the envelope of a tracked resource as read back.
pub fn tracked_inputs(body: &J) -> Props {
    let mut p = Props::new();
    let id = body.get("id").and_then(J::as_str).unwrap_or("");
    put(&mut p, "name", jstr(body, "/name"));
    put(
        &mut p,
        "resource_group",
        id_segment(id, "resourceGroups").map(Value::String),
    );
    put(
        &mut p,
        "location",
        body.get("location")
            .and_then(J::as_str)
            .map(|l| Value::String(norm_location(l))),
    );
    p.insert("tags".into(), tags_value(body));
    p
}

/// The envelope of a tracked resource as ARM takes it.
pub fn tracked_body(p: &Props, properties: Map<String, J>) -> J {
    let mut m = Map::new();
    if let Some(l) = s(p, "location") {
        m.insert("location".into(), json!(l));
    }
    m.insert("tags".into(), tags_json(p));
    m.insert("properties".into(), J::Object(properties));
    J::Object(m)
}

/// Object from a list of optional entries.
pub fn obj(entries: Vec<(&str, Option<J>)>) -> Map<String, J> {
    entries
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
        .collect()
}

/// The id, with the id ARM reported preferred when it names the same object.
pub fn body_id(body: &J, fallback: &str) -> String {
    match body.get("id").and_then(J::as_str) {
        Some(id) if id.eq_ignore_ascii_case(fallback) || fallback.is_empty() => id.to_string(),
        _ => fallback.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_ipv4_rules_become_single_address_ranges() {
        assert_eq!(ip_rule("1.2.3.4"), "1.2.3.4/32");
        assert_eq!(ip_rule("10.0.0.0/24"), "10.0.0.0/24");
        assert_eq!(ip_rule("not-an-ip"), "not-an-ip");
    }

    #[test]
    fn ids_and_groups() {
        let id =
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/dnszones/z.com/A/www";
        assert_eq!(id_segment(id, "resourcegroups").as_deref(), Some("rg"));
        assert_eq!(
            parent_of(id).as_deref(),
            Some("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/dnszones/z.com")
        );
        assert_eq!(group_name("/subscriptions/s/resourceGroups/RG1"), "RG1");
        assert_eq!(
            group_scope("mine", "/subscriptions/other/resourceGroups/x"),
            "/subscriptions/other/resourceGroups/x"
        );
        assert_eq!(norm_location("West Europe"), "westeurope");
    }
}
