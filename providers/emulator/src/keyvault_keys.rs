//! Key Vault keys data plane: create (RSA), get (latest or a version), and the wrapKey /
//! unwrapKey operations with RSA-OAEP-256 (or RSA-OAEP), as Key Vault answers them: a
//! KeyBundle with the public JWK (`n`, `e`), a KeyOperationResult `{kid, value}` in base64url.
//! Real RSA (the pure-Rust `rsa` crate), so a key wrapped here cannot be unwrapped with another
//! key or version. The private key is stored as PKCS#8 DER.

use axum::http::{Method, StatusCode};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rsa::PrivateKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rsa::sha2::Sha256;
use rsa::traits::PublicKeyParts;
use serde_json::{Map, Value, json};
use sha1::Sha1;
use std::sync::MutexGuard;

use crate::app::App;
use crate::arm::parse_body;
use crate::error::ArmError;
use crate::keyvault_data::{kv_error, vault_uri};
use crate::lro::json_response;
use crate::store::{KeyVersion, State};
use crate::util::now_secs;

const ALL_OPS: [&str; 6] = [
    "encrypt",
    "decrypt",
    "sign",
    "verify",
    "wrapKey",
    "unwrapKey",
];

fn not_found(name: &str) -> ArmError {
    kv_error(
        StatusCode::NOT_FOUND,
        "KeyNotFound",
        format!(
            "A key with (name/id) {name} was not found in this key vault. If you recently deleted this key you may be able to recover it using the correct recovery command."
        ),
    )
}

fn bad(message: impl Into<String>) -> ArmError {
    kv_error(StatusCode::BAD_REQUEST, "BadParameter", message)
}

/// `/kv/{vault}/keys/...`: `rest` is what follows `keys`.
pub(crate) fn route(
    app: &App,
    mut st: MutexGuard<'_, State>,
    method: &Method,
    vault: &str,
    rest: &[&str],
    body: &[u8],
) -> Result<Response, ArmError> {
    let base = app.base_url.as_str();
    let vkey = vault.to_ascii_lowercase();
    match (method.as_str(), rest) {
        ("POST", [name, "create"]) => {
            let req = parse_body(body)?;
            let version = app.with_rng(|r| r.hex(32));
            let v = new_version(&req, version)?;
            st.keys
                .entry(vkey)
                .or_default()
                .entry(name.to_ascii_lowercase())
                .or_default()
                .push(v.clone());
            drop(st);
            app.changed();
            Ok(json_response(StatusCode::OK, bundle(base, vault, name, &v)))
        }
        ("GET", [name]) | ("GET", [name, ""]) => {
            let v = find(&st, &vkey, name, None)?;
            Ok(json_response(StatusCode::OK, bundle(base, vault, name, &v)))
        }
        ("GET", [name, version]) => {
            let v = find(&st, &vkey, name, Some(version))?;
            Ok(json_response(StatusCode::OK, bundle(base, vault, name, &v)))
        }
        ("POST", [name, op]) | ("POST", [name, _, op])
            if *op == "wrapkey" || *op == "unwrapkey" =>
        {
            let version = match rest {
                [_, v, _] => Some(*v),
                _ => None,
            };
            let v = find(&st, &vkey, name, version)?;
            drop(st);
            let req = parse_body(body)?;
            let out = key_operation(&v, op, &req)?;
            let kid = format!("{}keys/{name}/{}", vault_uri(base, vault), v.version);
            Ok(json_response(
                StatusCode::OK,
                json!({"kid": kid, "value": URL_SAFE_NO_PAD.encode(out)}),
            ))
        }
        _ => Err(kv_error(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!(
                "No Key Vault key operation {method} keys/{}.",
                rest.join("/")
            ),
        )),
    }
}

fn find(st: &State, vkey: &str, name: &str, version: Option<&str>) -> Result<KeyVersion, ArmError> {
    let versions = st
        .keys
        .get(vkey)
        .and_then(|m| m.get(&name.to_ascii_lowercase()))
        .ok_or_else(|| not_found(name))?;
    match version {
        None => versions.last().cloned().ok_or_else(|| not_found(name)),
        Some(ver) => versions
            .iter()
            .find(|v| v.version.eq_ignore_ascii_case(ver))
            .cloned()
            .ok_or_else(|| not_found(&format!("{name}/{ver}"))),
    }
}

fn new_version(req: &Value, version: String) -> Result<KeyVersion, ArmError> {
    let kty = req.get("kty").and_then(Value::as_str).unwrap_or("");
    if kty != "RSA" && kty != "RSA-HSM" {
        return Err(bad(format!(
            "The parameter 'kty' is invalid: `{kty}` (this emulator makes RSA and RSA-HSM keys)."
        )));
    }
    let size = match req.get("key_size").and_then(Value::as_u64).unwrap_or(2048) {
        bits @ (2048 | 3072 | 4096) => bits as usize,
        other => return Err(bad(format!("The key size {other} is not supported."))),
    };
    let key_ops: Vec<String> = match req.get("key_ops").and_then(Value::as_array) {
        Some(ops) => ops
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        None => ALL_OPS.iter().map(|s| s.to_string()).collect(),
    };
    let internal = |m: &str| {
        kv_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            m.to_string(),
        )
    };
    let private =
        PrivateKey::new(&mut getrandom::SysRng, size).map_err(|_| internal("key generation"))?;
    let pkcs8 = private
        .to_pkcs8_der()
        .map_err(|_| internal("key encoding"))?
        .as_bytes()
        .to_vec();
    let public = private.to_public_key();
    let (n, e) = (unsigned(&public.n_bytes()), unsigned(&public.e_bytes()));
    let now = now_secs();
    Ok(KeyVersion {
        version,
        kty: kty.to_string(),
        key_ops,
        pkcs8: STANDARD.encode(pkcs8),
        n: URL_SAFE_NO_PAD.encode(n),
        e: URL_SAFE_NO_PAD.encode(e),
        enabled: req
            .pointer("/attributes/enabled")
            .and_then(Value::as_bool)
            .unwrap_or(true),
        created: now,
        updated: now,
        tags: req.get("tags").filter(|t| t.is_object()).cloned(),
    })
}

fn bundle(base: &str, vault: &str, name: &str, v: &KeyVersion) -> Value {
    let mut m = Map::new();
    m.insert(
        "key".into(),
        json!({
            "kid": format!("{}keys/{name}/{}", vault_uri(base, vault), v.version),
            "kty": v.kty, "key_ops": v.key_ops, "n": v.n, "e": v.e,
        }),
    );
    m.insert(
        "attributes".into(),
        json!({"enabled": v.enabled, "created": v.created, "updated": v.updated,
               "recoveryLevel": "Recoverable+Purgeable", "recoverableDays": 90,
               "exportable": false}),
    );
    if let Some(t) = &v.tags {
        m.insert("tags".into(), t.clone());
    }
    Value::Object(m)
}

fn key_operation(v: &KeyVersion, op: &str, req: &Value) -> Result<Vec<u8>, ArmError> {
    let needed = if op == "wrapkey" {
        "wrapKey"
    } else {
        "unwrapKey"
    };
    if !v.enabled {
        return Err(kv_error(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "Operation is not allowed on a disabled key.",
        ));
    }
    if !v.key_ops.iter().any(|o| o == needed) {
        return Err(bad(format!(
            "Operation {needed} is not allowed on this key."
        )));
    }
    // RSA-OAEP-256: SHA-256 for the label hash and MGF1; RSA-OAEP: SHA-1 for both.
    let sha256 = match req.get("alg").and_then(Value::as_str) {
        Some("RSA-OAEP-256") => true,
        Some("RSA-OAEP") => false,
        other => {
            return Err(bad(format!(
                "The parameter 'alg' is invalid: {} (this emulator wraps with RSA-OAEP-256 or RSA-OAEP).",
                other.unwrap_or("missing")
            )));
        }
    };
    let value = req
        .get("value")
        .and_then(Value::as_str)
        .and_then(|t| URL_SAFE_NO_PAD.decode(t.trim_end_matches('=')).ok())
        .ok_or_else(|| bad("The parameter 'value' is required and must be base64url."))?;
    let private = STANDARD
        .decode(&v.pkcs8)
        .ok()
        .and_then(|der| PrivateKey::from_pkcs8_der(&der).ok())
        .ok_or_else(|| {
            kv_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalError",
                "stored key",
            )
        })?;
    if op == "wrapkey" {
        let public = private.to_public_key();
        // OAEP's limit: the modulus size less two hashes and two bytes.
        let hash = if sha256 { 32 } else { 20 };
        if value.len() + 2 * hash + 2 > public.size() {
            return Err(bad("The value is too long for this key."));
        }
        let wrapped = if sha256 {
            public.oaep_encrypt::<Sha256>(&value)
        } else {
            public.oaep_encrypt::<Sha1>(&value)
        };
        wrapped.map_err(|_| bad("Unable to encrypt the specified value."))
    } else {
        let plain = if sha256 {
            private.oaep_decrypt::<Sha256>(&value)
        } else {
            private.oaep_decrypt::<Sha1>(&value)
        };
        plain.map_err(|_| bad("Unable to decrypt the specified value."))
    }
}

/// A big-endian integer without its leading zero bytes, as a JWK's `n` and `e` are written.
fn unsigned(b: &[u8]) -> Vec<u8> {
    b.iter().skip_while(|x| **x == 0).copied().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrapped_key_unwraps_only_with_its_own_key() {
        let req = json!({"kty": "RSA"});
        let a = new_version(&req, "v1".into()).unwrap();
        let b = new_version(&req, "v2".into()).unwrap();
        assert_eq!(a.e, "AQAB");
        assert_eq!(URL_SAFE_NO_PAD.decode(&a.n).unwrap().len(), 256);
        let secret = [7u8; 32];
        let wrap = json!({"alg": "RSA-OAEP-256", "value": URL_SAFE_NO_PAD.encode(secret)});
        let wrapped = key_operation(&a, "wrapkey", &wrap).unwrap();
        assert_eq!(wrapped.len(), 256);
        let unwrap = json!({"alg": "RSA-OAEP-256", "value": URL_SAFE_NO_PAD.encode(&wrapped)});
        assert_eq!(key_operation(&a, "unwrapkey", &unwrap).unwrap(), secret);
        let err = key_operation(&b, "unwrapkey", &unwrap).unwrap_err();
        assert_eq!(err.status, StatusCode::BAD_REQUEST);
        let rsa15 = json!({"alg": "RSA1_5", "value": "AA"});
        assert!(key_operation(&a, "wrapkey", &rsa15).is_err());
        let limited =
            new_version(&json!({"kty": "RSA", "key_ops": ["sign"]}), "v3".into()).unwrap();
        assert!(key_operation(&limited, "wrapkey", &wrap).is_err());
        assert!(new_version(&json!({"kty": "EC"}), "v4".into()).is_err());
    }
}
