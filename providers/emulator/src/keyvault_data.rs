//! Key Vault secrets data plane, served at `/kv/{vault}/...` because the emulator
//! cannot own `*.vault.azure.net`; the vault resource's `vaultUri` points here.
//! Shapes follow key-vault/data-plane/*.json. Values live in the state file (the
//! emulator's cloud) and are never logged.

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::app::App;
use crate::arm::parse_body;
use crate::error::ArmError;
use crate::lro::json_response;
use crate::router::query_param;
use crate::store::{SecretVersion, State};
use crate::util::{Rng, decode_segment, now_secs};

const RECOVERABLE_DAYS: u64 = 90;

pub(crate) fn vault_uri(base_url: &str, vault: &str) -> String {
    format!("{base_url}/kv/{vault}/")
}

pub(crate) fn kv_error(status: StatusCode, code: &str, message: impl Into<String>) -> ArmError {
    ArmError::new(status, code, message)
}

fn not_found(name: &str) -> ArmError {
    kv_error(
        StatusCode::NOT_FOUND,
        "SecretNotFound",
        format!(
            "A secret with (name/id) {name} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command."
        ),
    )
}

/// Store a new version of a secret (data plane Set, or a management-plane PUT).
pub(crate) fn set_secret(
    st: &mut State,
    rng: &mut Rng,
    vault: &str,
    name: &str,
    body: &Value,
) -> Result<SecretVersion, ArmError> {
    let value = body.get("value").and_then(Value::as_str).ok_or_else(|| {
        kv_error(
            StatusCode::BAD_REQUEST,
            "BadParameter",
            "The parameter 'value' is required.",
        )
    })?;
    let (vault, name_lc) = (vault.to_ascii_lowercase(), name.to_ascii_lowercase());
    if st
        .deleted_secrets
        .get(&vault)
        .is_some_and(|m| m.contains_key(&name_lc))
    {
        return Err(kv_error(
            StatusCode::CONFLICT,
            "Conflict",
            format!(
                "Secret {name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged."
            ),
        ));
    }
    let now = now_secs();
    let version = SecretVersion {
        version: rng.hex(32),
        value: value.to_string(),
        content_type: body
            .get("contentType")
            .and_then(Value::as_str)
            .map(str::to_string),
        tags: body.get("tags").filter(|t| t.is_object()).cloned(),
        enabled: body
            .pointer("/attributes/enabled")
            .and_then(Value::as_bool)
            .unwrap_or(true),
        created: now,
        updated: now,
    };
    st.secrets
        .entry(vault)
        .or_default()
        .entry(name_lc)
        .or_default()
        .push(version.clone());
    Ok(version)
}

fn attributes(v: &SecretVersion) -> Value {
    json!({"enabled": v.enabled, "created": v.created, "updated": v.updated,
           "recoveryLevel": "Recoverable+Purgeable", "recoverableDays": RECOVERABLE_DAYS})
}

/// A secret bundle; `with_value` is false for lists and deleted bundles.
fn bundle(
    base: &str,
    vault: &str,
    name: &str,
    v: &SecretVersion,
    with_value: bool,
    versioned: bool,
) -> Map<String, Value> {
    let mut m = Map::new();
    if with_value {
        m.insert("value".into(), json!(v.value));
    }
    if let Some(ct) = &v.content_type {
        m.insert("contentType".into(), json!(ct));
    }
    let id = if versioned {
        format!("{}secrets/{name}/{}", vault_uri(base, vault), v.version)
    } else {
        format!("{}secrets/{name}", vault_uri(base, vault))
    };
    m.insert("id".into(), json!(id));
    m.insert("attributes".into(), attributes(v));
    if let Some(t) = &v.tags {
        m.insert("tags".into(), t.clone());
    }
    m
}

pub(crate) fn handle(app: &App, method: &Method, path: &str, query: &str, body: &[u8]) -> Response {
    match route(app, method, path, query, body) {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

fn route(
    app: &App,
    method: &Method,
    path: &str,
    query: &str,
    body: &[u8],
) -> Result<Response, ArmError> {
    if query_param(query, "api-version").is_none_or(|v| v.is_empty()) {
        return Err(kv_error(
            StatusCode::BAD_REQUEST,
            "BadParameter",
            "The request URI contains an invalid or missing api-version",
        ));
    }
    let segs: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .skip(1)
        .map(decode_segment)
        .collect();
    let mut st = app.state();
    let Some(vault) = segs.first().and_then(|v| vault_name(&st, v)) else {
        return Err(kv_error(
            StatusCode::NOT_FOUND,
            "VaultNotFound",
            "The vault could not be found.",
        ));
    };
    let base = app.base_url.as_str();
    let rest: Vec<&str> = segs[1..].iter().map(String::as_str).collect();
    let vkey = vault.to_ascii_lowercase();
    if rest.first() == Some(&"keys") {
        return crate::keyvault_keys::route(app, st, method, &vault, &rest[1..], body);
    }
    match (method.as_str(), rest.as_slice()) {
        ("PUT", ["secrets", name]) => {
            let req = parse_body(body)?;
            let v = app.with_rng(|r| set_secret(&mut st, r, &vault, name, &req))?;
            drop(st);
            app.changed();
            Ok(json_response(
                StatusCode::OK,
                Value::Object(bundle(base, &vault, name, &v, true, true)),
            ))
        }
        ("GET", ["secrets"]) => {
            let value: Vec<Value> = st
                .secrets
                .get(&vkey)
                .into_iter()
                .flat_map(|m| m.iter())
                .filter_map(|(n, vs)| {
                    vs.last()
                        .map(|v| Value::Object(bundle(base, &vault, n, v, false, false)))
                })
                .collect();
            Ok(json_response(
                StatusCode::OK,
                json!({"value": value, "nextLink": null}),
            ))
        }
        ("GET", ["secrets", name, "versions"]) => {
            let versions = st
                .secrets
                .get(&vkey)
                .and_then(|m| m.get(&name.to_ascii_lowercase()))
                .ok_or_else(|| not_found(name))?;
            let value: Vec<Value> = versions
                .iter()
                .map(|v| Value::Object(bundle(base, &vault, name, v, false, true)))
                .collect();
            Ok(json_response(
                StatusCode::OK,
                json!({"value": value, "nextLink": null}),
            ))
        }
        ("GET", ["secrets", name]) | ("GET", ["secrets", name, ""]) => {
            let v = latest(&st, &vkey, name)?;
            Ok(json_response(
                StatusCode::OK,
                Value::Object(bundle(base, &vault, name, &v, true, true)),
            ))
        }
        ("GET", ["secrets", name, version]) => {
            let v = st
                .secrets
                .get(&vkey)
                .and_then(|m| m.get(&name.to_ascii_lowercase()))
                .and_then(|vs| vs.iter().find(|v| v.version.eq_ignore_ascii_case(version)))
                .cloned()
                .ok_or_else(|| not_found(&format!("{name}/{version}")))?;
            Ok(json_response(
                StatusCode::OK,
                Value::Object(bundle(base, &vault, name, &v, true, true)),
            ))
        }
        ("DELETE", ["secrets", name]) => {
            let versions = st
                .secrets
                .get_mut(&vkey)
                .and_then(|m| m.remove(&name.to_ascii_lowercase()))
                .ok_or_else(|| not_found(name))?;
            let last = versions.last().cloned().ok_or_else(|| not_found(name))?;
            st.deleted_secrets
                .entry(vkey)
                .or_default()
                .insert(name.to_ascii_lowercase(), versions);
            drop(st);
            app.changed();
            Ok(json_response(
                StatusCode::OK,
                deleted_bundle(base, &vault, name, &last),
            ))
        }
        ("GET", ["deletedsecrets", name]) => {
            let last = st
                .deleted_secrets
                .get(&vkey)
                .and_then(|m| m.get(&name.to_ascii_lowercase()))
                .and_then(|vs| vs.last())
                .cloned()
                .ok_or_else(|| not_found(name))?;
            Ok(json_response(
                StatusCode::OK,
                deleted_bundle(base, &vault, name, &last),
            ))
        }
        ("DELETE", ["deletedsecrets", name]) => {
            st.deleted_secrets
                .get_mut(&vkey)
                .and_then(|m| m.remove(&name.to_ascii_lowercase()))
                .ok_or_else(|| not_found(name))?;
            drop(st);
            app.changed();
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        ("POST", ["deletedsecrets", name, "recover"]) => {
            let versions = st
                .deleted_secrets
                .get_mut(&vkey)
                .and_then(|m| m.remove(&name.to_ascii_lowercase()))
                .ok_or_else(|| not_found(name))?;
            let last = versions.last().cloned().ok_or_else(|| not_found(name))?;
            st.secrets
                .entry(vkey)
                .or_default()
                .insert(name.to_ascii_lowercase(), versions);
            drop(st);
            app.changed();
            Ok(json_response(
                StatusCode::OK,
                Value::Object(bundle(base, &vault, name, &last, false, true)),
            ))
        }
        _ => Err(kv_error(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!("No Key Vault operation {method} {path}."),
        )),
    }
}

fn latest(st: &State, vkey: &str, name: &str) -> Result<SecretVersion, ArmError> {
    st.secrets
        .get(vkey)
        .and_then(|m| m.get(&name.to_ascii_lowercase()))
        .and_then(|vs| vs.last())
        .cloned()
        .ok_or_else(|| not_found(name))
}

fn deleted_bundle(base: &str, vault: &str, name: &str, v: &SecretVersion) -> Value {
    let now = now_secs();
    let mut m = bundle(base, vault, name, v, false, true);
    m.insert(
        "recoveryId".into(),
        json!(format!("{}deletedsecrets/{name}", vault_uri(base, vault))),
    );
    m.insert("deletedDate".into(), json!(now));
    m.insert(
        "scheduledPurgeDate".into(),
        json!(now + RECOVERABLE_DAYS * 86_400),
    );
    Value::Object(m)
}

/// The stored casing of an existing (not soft-deleted) vault's name.
fn vault_name(st: &State, wanted: &str) -> Option<String> {
    st.resources.values().find_map(|e| {
        let ty = e.body.get("type").and_then(Value::as_str)?;
        let name = e.body.get("name").and_then(Value::as_str)?;
        (ty.eq_ignore_ascii_case("Microsoft.KeyVault/vaults") && name.eq_ignore_ascii_case(wanted))
            .then(|| name.to_string())
    })
}
