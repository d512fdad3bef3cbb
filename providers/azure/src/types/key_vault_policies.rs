//! Key Vault access policies (`access_policies` of `azure.key_vault`), for vaults with
//! `rbac = false`: the request shape, and one canonical form shared by plan and read so
//! that what ARM echoes back (case, order, the vault's tenant filled in) is no change.

use infra_provider_core::{Props, ProviderError, ProviderResult, Value};
use serde_json::{Value as J, json};

/// Permission families of a policy, as the language names them (and ARM does).
pub const PERMISSION_KINDS: &[&str] = &["secrets", "keys", "certificates"];

/// The canonical form: GUIDs and permissions lower-case (ARM compares them so),
/// permissions sorted and unique, empty families left out, the tenant left out when it is
/// the vault's, policies sorted by object then tenant.
fn canonical(policy: &Value, vault_tenant: Option<&str>) -> Value {
    let Value::Object(m) = policy else {
        return policy.clone();
    };
    let mut out = infra_provider_core::Map::new();
    if let Some(Value::String(o)) = m.get("object_id") {
        out.insert(
            "object_id".to_string(),
            Value::String(o.to_ascii_lowercase()),
        );
    }
    if let Some(Value::String(t)) = m.get("tenant_id")
        && !vault_tenant.is_some_and(|v| v.eq_ignore_ascii_case(t))
    {
        out.insert(
            "tenant_id".to_string(),
            Value::String(t.to_ascii_lowercase()),
        );
    }
    for kind in PERMISSION_KINDS {
        let Some(Value::List(l)) = m.get(kind) else {
            continue;
        };
        let mut perms: Vec<String> = l
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_ascii_lowercase)
            .collect();
        perms.sort();
        perms.dedup();
        if !perms.is_empty() {
            out.insert(
                kind.to_string(),
                Value::List(perms.into_iter().map(Value::String).collect()),
            );
        }
    }
    Value::Object(out)
}

fn sort_key(v: &Value) -> (String, String) {
    let field = |k: &str| match v {
        Value::Object(m) => m.get(k).and_then(Value::as_str).unwrap_or("").to_string(),
        _ => String::new(),
    };
    (field("object_id"), field("tenant_id"))
}

fn canonical_list(list: &[Value], vault_tenant: Option<&str>) -> Value {
    let mut l: Vec<Value> = list.iter().map(|p| canonical(p, vault_tenant)).collect();
    l.sort_by_key(sort_key);
    Value::List(l)
}

/// Desired `access_policies` in canonical form; an empty list is no policies.
pub fn normalise(d: &mut Props, vault_tenant: Option<&str>) {
    match d.get("access_policies") {
        Some(Value::List(l)) if l.is_empty() => {
            d.remove("access_policies");
        }
        Some(Value::List(l)) if !l.iter().any(Value::contains_unknown) => {
            let c = canonical_list(l, vault_tenant);
            d.insert("access_policies".into(), c);
        }
        _ => {}
    }
}

/// `accessPolicies` as read back, in canonical form (none when the list is empty).
pub fn read(body: &J, p: &mut Props) {
    let vault_tenant = body.pointer("/properties/tenantId").and_then(J::as_str);
    let Some(list) = body
        .pointer("/properties/accessPolicies")
        .and_then(J::as_array)
        .filter(|l| !l.is_empty())
    else {
        return;
    };
    let policies: Vec<Value> = list
        .iter()
        .map(|a| {
            let mut m = infra_provider_core::Map::new();
            for (k, ptr) in [("object_id", "/objectId"), ("tenant_id", "/tenantId")] {
                if let Some(v) = a.pointer(ptr).and_then(J::as_str) {
                    m.insert(k.to_string(), Value::str(v));
                }
            }
            for kind in PERMISSION_KINDS {
                if let Some(perms) = a.pointer(&format!("/permissions/{kind}")) {
                    m.insert(kind.to_string(), Value::from_json(perms));
                }
            }
            Value::Object(m)
        })
        .collect();
    p.insert(
        "access_policies".into(),
        canonical_list(&policies, vault_tenant),
    );
}

/// `accessPolicies` for the request: `[]` on an RBAC vault (where policies would be
/// ignored, so setting them is refused), the policies otherwise, each with a tenant.
pub fn to_json(p: &Props, vault_tenant: &str) -> ProviderResult<J> {
    let list = match p.get("access_policies") {
        Some(Value::List(l)) => l.as_slice(),
        _ => &[],
    };
    let rbac = !matches!(p.get("rbac"), Some(Value::Bool(false)));
    if rbac && !list.is_empty() {
        return Err(ProviderError::Invalid(
            "azure.key_vault: `access_policies` only apply with `rbac = false` (an RBAC vault ignores them); set `rbac = false` or grant roles with azure.role_assignment".into(),
        ));
    }
    let mut out = Vec::new();
    for policy in list {
        let Value::Object(m) = policy else {
            continue;
        };
        let get = |k: &str| {
            m.get(k)
                .map(|v| v.unwrap_secret().0)
                .and_then(Value::as_str)
        };
        let object = get("object_id").ok_or_else(|| {
            ProviderError::Invalid(
                "azure.key_vault: every access policy needs a known `object_id`".into(),
            )
        })?;
        let mut permissions = serde_json::Map::new();
        for kind in PERMISSION_KINDS {
            let perms: Vec<&str> = match m.get(kind) {
                Some(Value::List(l)) => l.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            permissions.insert(kind.to_string(), json!(perms));
        }
        out.push(json!({
            "tenantId": get("tenant_id").unwrap_or(vault_tenant),
            "objectId": object,
            "permissions": permissions,
        }));
    }
    Ok(J::Array(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(object: &str, tenant: Option<&str>, secrets: &[&str]) -> Value {
        let mut m = infra_provider_core::Map::new();
        m.insert("object_id".to_string(), Value::str(object));
        if let Some(t) = tenant {
            m.insert("tenant_id".to_string(), Value::str(t));
        }
        m.insert(
            "secrets".to_string(),
            Value::List(secrets.iter().map(|s| Value::str(*s)).collect()),
        );
        Value::Object(m)
    }

    #[test]
    fn what_arm_echoes_back_reads_as_what_was_written() {
        let mut desired = Props::new();
        desired.insert(
            "access_policies".into(),
            Value::List(vec![
                policy("BBBB", None, &["Get", "List", "get"]),
                policy("aaaa", Some("T1"), &["set"]),
            ]),
        );
        normalise(&mut desired, Some("t1"));
        let echoed = json!({"properties": {"tenantId": "t1", "accessPolicies": [
            {"tenantId": "t1", "objectId": "aaaa", "permissions": {"secrets": ["Set"], "keys": []}},
            {"tenantId": "t1", "objectId": "bbbb", "permissions": {"secrets": ["list", "get"]}},
        ]}});
        let mut read_back = Props::new();
        read(&echoed, &mut read_back);
        assert_eq!(desired["access_policies"], read_back["access_policies"]);
    }

    #[test]
    fn policies_on_an_rbac_vault_are_refused_and_tenants_filled_in() {
        let mut p = Props::new();
        p.insert(
            "access_policies".into(),
            Value::List(vec![policy("o", None, &["get"])]),
        );
        let err = to_json(&p, "t").expect_err("rbac is the default");
        assert!(err.to_string().contains("rbac = false"), "{err}");
        p.insert("rbac".into(), Value::Bool(false));
        let body = to_json(&p, "t").expect("policies");
        assert_eq!(body[0]["tenantId"], "t");
        assert_eq!(body[0]["permissions"]["secrets"], json!(["get"]));
        assert_eq!(body[0]["permissions"]["keys"], json!([]));
    }
}
