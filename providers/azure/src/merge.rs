//! Read-modify-write for updates: the body of a PUT is the live object with the fields this
//! configuration manages laid over it, so settings made elsewhere (a portal edit, a policy,
//! another tool) survive an unrelated change.
//!
//! Three bodies take part: `live` (a GET just now), `new` (what the configuration wants,
//! built by the type's mapping) and `old` (the same mapping applied to the recorded inputs:
//! what infra managed until now). The rules:
//! - an object infra models is merged key by key; anything infra does not model stays as live;
//! - a list infra manages replaces the live list wholesale, except the containers of an app
//!   (`containers`, `initContainers`): items named alike are merged, so per-container
//!   settings made elsewhere (probes, volume mounts) stay while infra decides which
//!   containers exist and in what order;
//! - a key infra managed before (`old`) and no longer sets is removed, so the RP resets it to
//!   its default: the plan showed it going away, and it does;
//! - a `null` infra sends for an optional value it does not set leaves the live value alone;
//! - server-owned fields (`id`, `etag`, `systemData`, `provisioningState`, an identity's ids...)
//!   are dropped, as ARM refuses or ignores them on a PUT.

use serde_json::{Map, Value as J};

/// Fields no RP accepts back on a PUT (ARM's read-only envelope).
const SERVER_OWNED: &[&str] = &["id", "name", "type", "etag", "systemData"];
/// Read-only fields under `properties` that every RP reports.
const SERVER_OWNED_PROPERTIES: &[&str] = &["provisioningState"];

/// Lists whose items are merged by `name` rather than replaced.
const MERGED_BY_NAME: &[&str] = &["containers", "initContainers"];

/// `live` with `new` laid over it (see the module comment for the rules).
pub fn overlay(live: &J, new: &J, old: Option<&J>) -> J {
    overlay_at("", live, new, old)
}

fn overlay_at(key: &str, live: &J, new: &J, old: Option<&J>) -> J {
    match (live, new) {
        (J::Object(l), J::Object(n)) => J::Object(merge_objects(l, n, old.and_then(J::as_object))),
        (J::Array(l), J::Array(n)) if MERGED_BY_NAME.contains(&key) && named(n) && named(l) => {
            J::Array(merge_named(l, n, old))
        }
        (_, J::Null) => live.clone(),
        _ => new.clone(),
    }
}

fn merge_objects(
    live: &Map<String, J>,
    new: &Map<String, J>,
    old: Option<&Map<String, J>>,
) -> Map<String, J> {
    let mut out = live.clone();
    for (k, v) in new {
        let was = old.and_then(|o| o.get(k));
        if v.is_null() {
            // Not set now: reset only what infra set before.
            if was.is_some_and(|w| !w.is_null()) {
                out.remove(k);
            }
            continue;
        }
        let merged = match out.get(k) {
            Some(l) => overlay_at(k, l, v, was),
            None => v.clone(),
        };
        out.insert(k.clone(), merged);
    }
    if let Some(old) = old {
        for (k, w) in old {
            if !w.is_null() && !new.contains_key(k) {
                reset(&mut out, k, w);
            }
        }
    }
    out
}

/// Removes what infra set under `key` (`was`), keeping what was set there by others: a
/// block no longer configured takes its managed fields with it, not its neighbours'.
fn reset(out: &mut Map<String, J>, key: &str, was: &J) {
    if let (Some(J::Object(live)), J::Object(was)) = (out.get_mut(key), was) {
        for (k, w) in was {
            if !w.is_null() {
                reset(live, k, w);
            }
        }
        if !live.is_empty() {
            return;
        }
    }
    out.remove(key);
}

fn item_name(v: &J) -> Option<&str> {
    v.get("name").and_then(J::as_str)
}

/// A list of objects that each carry a `name` (containers, secrets, rules).
fn named(list: &[J]) -> bool {
    list.iter().all(|v| item_name(v).is_some())
}

fn merge_named(live: &[J], new: &[J], old: Option<&J>) -> Vec<J> {
    let find = |list: &[J], name: &str| -> Option<J> {
        list.iter()
            .find(|v| item_name(v).is_some_and(|n| n.eq_ignore_ascii_case(name)))
            .cloned()
    };
    let old_list = old.and_then(J::as_array).map(Vec::as_slice).unwrap_or(&[]);
    new.iter()
        .map(|n| {
            let name = item_name(n).unwrap_or_default();
            match find(live, name) {
                Some(l) => overlay(&l, n, find(old_list, name).as_ref()),
                None => n.clone(),
            }
        })
        .collect()
}

/// Drops the server-owned fields from a body about to be PUT back, plus the type's own
/// read-only `pointers` (JSON pointers such as `/properties/fqdn`).
pub fn strip_server_owned(body: &mut J, pointers: &[&str]) {
    let Some(top) = body.as_object_mut() else {
        return;
    };
    for k in SERVER_OWNED {
        top.remove(*k);
    }
    if let Some(props) = top.get_mut("properties").and_then(J::as_object_mut) {
        for k in SERVER_OWNED_PROPERTIES {
            props.remove(*k);
        }
    }
    // A managed identity's ids are assigned by ARM, never sent.
    if let Some(identity) = top.get_mut("identity").and_then(J::as_object_mut) {
        identity.remove("principalId");
        identity.remove("tenantId");
        if let Some(J::Object(uais)) = identity.get_mut("userAssignedIdentities") {
            for v in uais.values_mut() {
                *v = J::Object(Map::new());
            }
        }
    }
    for p in pointers {
        let Some((parent, key)) = p.rsplit_once('/') else {
            continue;
        };
        let target = if parent.is_empty() {
            Some(&mut *body)
        } else {
            body.pointer_mut(parent)
        };
        if let Some(J::Object(m)) = target {
            m.remove(key);
        }
    }
}

/// The ETag of a live body, if the RP gives one.
pub fn etag(live: &J) -> Option<String> {
    live.get("etag")
        .and_then(J::as_str)
        .filter(|e| !e.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unmanaged_settings_survive_and_managed_ones_land() {
        let live = json!({"id": "x", "etag": "e1", "location": "westeurope",
            "properties": {"provisioningState": "Succeeded", "sku": {"name": "Basic", "capacity": 0},
                "redisConfiguration": {"maxmemory-policy": "allkeys-lru", "maxclients": "256"}}});
        let new = json!({"location": "westeurope",
            "properties": {"sku": {"name": "Basic", "capacity": 1}, "redisConfiguration": {}}});
        let mut out = overlay(&live, &new, Some(&new));
        strip_server_owned(&mut out, &[]);
        assert_eq!(out["properties"]["sku"]["capacity"], 1);
        assert_eq!(
            out["properties"]["redisConfiguration"]["maxmemory-policy"],
            "allkeys-lru"
        );
        assert!(out.get("id").is_none() && out.get("etag").is_none());
        assert!(out["properties"].get("provisioningState").is_none());
    }

    #[test]
    fn a_managed_key_removed_from_the_configuration_is_reset() {
        let live = json!({"tags": {"a": "1", "portal": "x"}, "properties": {"minimumTlsVersion": "1.2", "other": 1}});
        let old = json!({"tags": {"a": "1"}, "properties": {"minimumTlsVersion": "1.2"}});
        let new = json!({"tags": {}, "properties": {"minimumTlsVersion": null}});
        let out = overlay(&live, &new, Some(&old));
        assert_eq!(out["tags"], json!({"portal": "x"}));
        assert_eq!(out["properties"], json!({"other": 1}));
        // A whole block no longer configured: its managed fields go, the rest stays.
        let live =
            json!({"scale": {"minReplicas": 1, "maxReplicas": 3, "rules": [{"name": "http"}]}});
        let old = json!({"scale": {"minReplicas": 1, "maxReplicas": 3}});
        let out = overlay(&live, &json!({}), Some(&old));
        assert_eq!(out, json!({"scale": {"rules": [{"name": "http"}]}}));
        let out = overlay(
            &json!({"scale": {"minReplicas": 1}}),
            &json!({}),
            Some(&old),
        );
        assert_eq!(out, json!({}));
    }

    #[test]
    fn named_list_items_keep_their_unmanaged_settings() {
        let live = json!([{"name": "api", "image": "v1", "probes": [{"type": "Liveness"}]},
                          {"name": "gone", "image": "x"}]);
        let new = json!([{"name": "api", "image": "v2"}, {"name": "new", "image": "n"}]);
        let out = overlay(
            &json!({"containers": live}),
            &json!({"containers": new}),
            None,
        );
        assert_eq!(
            out["containers"],
            json!([{"name": "api", "image": "v2", "probes": [{"type": "Liveness"}]},
                   {"name": "new", "image": "n"}])
        );
        // Other named lists (env entries: value or secretRef) are replaced.
        let env = overlay(
            &json!({"env": [{"name": "A", "secretRef": "s"}]}),
            &json!({"env": [{"name": "A", "value": "v"}]}),
            None,
        );
        assert_eq!(env["env"], json!([{"name": "A", "value": "v"}]));
        // Plain lists are replaced.
        assert_eq!(overlay(&json!([1, 2]), &json!([3]), None), json!([3]));
    }

    #[test]
    fn identity_ids_are_not_sent_back() {
        let mut b = json!({"identity": {"type": "SystemAssigned, UserAssigned", "principalId": "p",
            "tenantId": "t", "userAssignedIdentities": {"/x": {"principalId": "q", "clientId": "c"}}}});
        strip_server_owned(&mut b, &[]);
        assert_eq!(
            b,
            json!({"identity": {"type": "SystemAssigned, UserAssigned", "userAssignedIdentities": {"/x": {}}}})
        );
    }

    #[test]
    fn type_pointers_are_dropped() {
        let mut b = json!({"properties": {"fqdn": "a.", "TTL": 1}});
        strip_server_owned(&mut b, &["/properties/fqdn"]);
        assert_eq!(b, json!({"properties": {"TTL": 1}}));
    }
}
