//! Microsoft.KeyVault/vaults and vaults/secrets @2026-02-01 (examples + azure-cli
//! test_keyvault_creation). Synchronous PUT and DELETE; a deleted vault moves to
//! `deletedVaults` and keeps its (global) name reserved until purged or recovered
//! with `createMode: recover`. `vaultUri` points at the emulator's data plane.

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::{Kind, Prepared, PutCtx, default, properties};
use crate::error::ArmError;
use crate::keyvault_data::{set_secret, vault_uri};
use crate::lro::{empty, json_response};
use crate::store::{Entry, State};
use crate::util::{now_ms, region_short, rfc3339};

pub(crate) struct Vault;
pub(crate) static VAULT: Vault = Vault;
pub(crate) struct Secret;
pub(crate) static SECRET: Secret = Secret;

fn vault_named<'a>(st: &'a State, name: &str) -> Option<&'a Entry> {
    st.resources.values().find(|e| {
        e.body.get("type").and_then(Value::as_str) == Some("Microsoft.KeyVault/vaults")
            && e.body
                .get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
    })
}

impl Kind for Vault {
    fn put(&self, ctx: &PutCtx<'_>, st: &mut State, body: Value) -> Result<Prepared, ArmError> {
        let name = ctx.name().to_string();
        let mut p = properties(&body)?;
        let recover = p
            .get("createMode")
            .and_then(Value::as_str)
            .is_some_and(|m| m.eq_ignore_ascii_case("recover"));
        p.remove("createMode");
        if let Some(other) = vault_named(st, &name)
            && !other.id().eq_ignore_ascii_case(&ctx.id)
        {
            return Err(ArmError::conflict(
                "VaultAlreadyExists",
                format!("The vault name '{name}' is already in use."),
            ));
        }
        let deleted = st.deleted_vaults.get(&name.to_ascii_lowercase()).cloned();
        if ctx.created() {
            match (recover, deleted) {
                (true, Some(d)) => {
                    st.deleted_vaults.remove(&name.to_ascii_lowercase());
                    if let Some(old) = d.get("_vault").cloned() {
                        let mut body = old;
                        if let Some(obj) = body.as_object_mut() {
                            obj.insert("id".into(), json!(ctx.id));
                        }
                        return Ok(Prepared {
                            body,
                            private: Value::Null,
                        });
                    }
                }
                (true, None) => {
                    return Err(ArmError::new(
                        StatusCode::NOT_FOUND,
                        "DeletedVaultNotFound",
                        format!("A deleted vault named '{name}' was not found."),
                    ));
                }
                (false, Some(_)) => {
                    return Err(ArmError::conflict(
                        "ConflictError",
                        format!(
                            "A vault with the same name already exists in deleted state. You need to either recover or purge existing key vault. Vault name: {name}."
                        ),
                    ));
                }
                (false, None) => {}
            }
        }
        let location = ctx.location(&body, false)?;
        if p.get("tenantId").and_then(Value::as_str).is_none()
            || p.get("sku").and_then(|s| s.get("name")).is_none()
        {
            return Err(ArmError::bad_request(
                "BadRequest",
                "The parameters 'properties.tenantId' and 'properties.sku' are required.",
            ));
        }
        let old = |k: &str| {
            ctx.existing_body()
                .and_then(|b| b.pointer(&format!("/properties/{k}")))
                .cloned()
        };
        if old("enableSoftDelete") == Some(json!(true))
            && p.get("enableSoftDelete") == Some(&json!(false))
        {
            return Err(ArmError::bad_request(
                "BadRequest",
                "The property \"enableSoftDelete\" cannot be set to false.",
            ));
        }
        if old("enablePurgeProtection") == Some(json!(true))
            && p.get("enablePurgeProtection") == Some(&json!(false))
        {
            return Err(ArmError::bad_request(
                "BadRequest",
                "The property \"enablePurgeProtection\" cannot be set to false.",
            ));
        }
        default(&mut p, "accessPolicies", json!([]));
        default(&mut p, "enableSoftDelete", json!(true));
        default(&mut p, "softDeleteRetentionInDays", json!(90));
        p.insert(
            "vaultUri".into(),
            json!(vault_uri(&ctx.app.base_url, &name)),
        );
        p.insert("provisioningState".into(), json!("Succeeded"));
        if p.get("publicNetworkAccess")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            p.insert("publicNetworkAccess".into(), json!("Enabled"));
        }
        // Recorded: null flags are omitted, and an allow-all networkAcls is not echoed.
        p.retain(|_, v| !v.is_null());
        // The RP stores a bare IPv4 rule as its /32 range.
        if let Some(Value::Array(rules)) =
            p.get_mut("networkAcls").and_then(|a| a.get_mut("ipRules"))
        {
            for rule in rules.iter_mut().filter_map(Value::as_object_mut) {
                if let Some(Value::String(v)) = rule.get_mut("value")
                    && !v.contains('/')
                    && v.parse::<std::net::Ipv4Addr>().is_ok()
                {
                    v.push_str("/32");
                }
            }
        }
        let open_acls = p.get("networkAcls").is_some_and(|a| {
            a.get("defaultAction")
                .and_then(Value::as_str)
                .is_some_and(|d| d.eq_ignore_ascii_case("Allow"))
                && a.get("ipRules")
                    .and_then(Value::as_array)
                    .is_none_or(Vec::is_empty)
                && a.get("virtualNetworkRules")
                    .and_then(Value::as_array)
                    .is_none_or(Vec::is_empty)
        });
        if open_acls {
            p.remove("networkAcls");
        }
        let mut out = ctx.shell();
        out.insert("location".into(), json!(location));
        out.insert("tags".into(), super::tags_or_empty(&body));
        out.insert("systemData".into(), ctx.system_data());
        out.insert("properties".into(), Value::Object(p));
        Ok(Prepared::new(out))
    }
    fn after_delete(&self, entry: &Entry, st: &mut State) {
        let soft = entry
            .body
            .pointer("/properties/enableSoftDelete")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        let name = entry
            .body
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if !soft {
            st.secrets.remove(&name.to_ascii_lowercase());
            return;
        }
        let loc = entry
            .body
            .get("location")
            .and_then(Value::as_str)
            .unwrap_or("");
        let loc = region_short(loc).unwrap_or(loc).to_string();
        let sub = entry.id().split('/').nth(2).unwrap_or("").to_string();
        let days = entry
            .body
            .pointer("/properties/softDeleteRetentionInDays")
            .and_then(Value::as_u64)
            .unwrap_or(90);
        let now = now_ms();
        st.deleted_vaults.insert(
            name.to_ascii_lowercase(),
            json!({
                "id": format!("/subscriptions/{sub}/providers/Microsoft.KeyVault/locations/{loc}/deletedVaults/{name}"),
                "name": name,
                "type": "Microsoft.KeyVault/deletedVaults",
                "properties": {
                    "vaultId": entry.id(),
                    "location": loc,
                    "deletionDate": rfc3339(now),
                    "scheduledPurgeDate": rfc3339(now + days * 86_400_000),
                    "tags": entry.body.get("tags").cloned().unwrap_or(json!({})),
                    "purgeProtectionEnabled": entry.body.pointer("/properties/enablePurgeProtection").cloned().unwrap_or(json!(false)),
                },
                "_vault": entry.body,
            }),
        );
    }
}

/// GET `.../locations/{loc}/deletedVaults/{name}` and POST `.../purge`.
pub(crate) fn deleted_vaults(
    st: &mut State,
    method: &Method,
    _sub: &str,
    _location: &str,
    name: &str,
    tail: &[String],
) -> Result<Response, ArmError> {
    let key = name.to_ascii_lowercase();
    let missing = || ArmError::not_found("Microsoft.KeyVault/deletedVaults", name, None);
    let purge = tail
        .first()
        .is_some_and(|t| t.eq_ignore_ascii_case("purge"));
    match (method.as_str(), purge) {
        ("GET", false) => {
            let mut v = st.deleted_vaults.get(&key).cloned().ok_or_else(missing)?;
            if let Some(obj) = v.as_object_mut() {
                obj.remove("_vault");
            }
            Ok(json_response(StatusCode::OK, v))
        }
        ("POST", true) => {
            let v = st.deleted_vaults.get(&key).ok_or_else(missing)?;
            if v.pointer("/properties/purgeProtectionEnabled") == Some(&json!(true)) {
                return Err(ArmError::conflict(
                    "MethodNotAllowed",
                    "Operation 'DeletedVaultPurge' is not allowed: the vault has purge protection enabled.",
                ));
            }
            st.deleted_vaults.remove(&key);
            st.secrets.remove(&key);
            st.deleted_secrets.remove(&key);
            Ok(empty(StatusCode::OK))
        }
        _ => Err(ArmError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "Unsupported deleted-vault operation.",
        )),
    }
}

impl Kind for Secret {
    /// Management-plane secret: the value becomes a data-plane version; it is never
    /// returned here.
    fn put(&self, ctx: &PutCtx<'_>, st: &mut State, body: Value) -> Result<Prepared, ArmError> {
        let vault = ctx.path.names.first().cloned().unwrap_or_default();
        let name = ctx.name().to_string();
        let p = properties(&body)?;
        let location = ctx
            .id
            .rsplitn(3, '/')
            .nth(2)
            .and_then(|vid| st.get(vid))
            .and_then(|v| v.body.get("location").cloned())
            .unwrap_or(Value::Null);
        let mut plane = json!({"value": p.get("value").cloned().unwrap_or(Value::Null)});
        if let (Some(obj), Some(ct)) = (plane.as_object_mut(), p.get("contentType")) {
            obj.insert("contentType".into(), ct.clone());
        }
        let version = ctx
            .app
            .with_rng(|r| set_secret(st, r, &vault, &name, &plane))?;
        let uri = vault_uri(&ctx.app.base_url, &vault);
        let mut props = serde_json::Map::new();
        if let Some(ct) = p.get("contentType") {
            props.insert("contentType".into(), ct.clone());
        }
        props.insert(
            "attributes".into(),
            json!({"enabled": version.enabled, "created": version.created, "updated": version.updated}),
        );
        props.insert("secretUri".into(), json!(format!("{uri}secrets/{name}")));
        props.insert(
            "secretUriWithVersion".into(),
            json!(format!("{uri}secrets/{name}/{}", version.version)),
        );
        let mut out = ctx.shell();
        out.insert("location".into(), location);
        if let Some(t) = body.get("tags") {
            out.insert("tags".into(), t.clone());
        }
        out.insert("properties".into(), Value::Object(props));
        Ok(Prepared::new(out))
    }
}
