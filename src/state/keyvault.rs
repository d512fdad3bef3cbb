//! The Key Vault operations the state needs (read a secret; a key's current version; wrapKey
//! and unwrapKey with RSA-OAEP-256), over the Azure provider's data-plane client. Each call
//! runs on a thread of its own with a small runtime, so it can be made from anywhere (the
//! engine's current-thread runtime included), and the calls are few: one per run for the
//! fingerprint key, one per state load for the data key.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use infra_provider_azure::arm::client::VAULT_SCOPE;
use infra_provider_azure::arm::{ArmClient, ClientOptions, RetryPolicy, is_loopback};
use infra_provider_core::Cancel;
use reqwest::{Method, Url};
use serde_json::{Value, json};
use std::time::Duration;

/// The data-plane version the provider's `azure.key_vault_secret` uses (FINDINGS §2.8).
pub const API_VERSION: &str = "2025-07-01";
/// The key-wrapping algorithm: RSA-OAEP with SHA-256 (a Key Vault RSA key).
pub const WRAP_ALG: &str = "RSA-OAEP-256";

/// A secret or key in a vault, as configured (`{ vault = "...", name = "..." }`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaultRef {
    /// The vault's name or URI, as written.
    pub vault: String,
    pub name: String,
}

impl std::fmt::Display for VaultRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} in vault {}", self.name, self.vault)
    }
}

impl VaultRef {
    /// `https://<name>.vault.azure.net/` for a vault name; a URI as given (with a trailing
    /// slash). Plain http only to this machine (the emulator serves vaults at
    /// `http://127.0.0.1:PORT/kv/<name>/`).
    pub fn base_url(&self) -> Result<Url, String> {
        let raw = if self.vault.contains("://") {
            let mut s = self.vault.trim().to_string();
            if !s.ends_with('/') {
                s.push('/');
            }
            s
        } else {
            format!("https://{}.vault.azure.net/", self.vault.trim())
        };
        let url = Url::parse(&raw).map_err(|e| format!("vault `{}`: {e}", self.vault))?;
        match url.scheme() {
            "https" => Ok(url),
            "http" if is_loopback(&url) => Ok(url),
            _ => Err(format!(
                "vault `{}`: only https (or plain http to this machine, the emulator) is allowed",
                self.vault
            )),
        }
    }

    /// Whether the vault is at a Key Vault host (public or sovereign cloud) or on this machine.
    pub fn is_key_vault_host(&self) -> bool {
        let Ok(url) = self.base_url() else {
            return false;
        };
        let host = url.host_str().unwrap_or("").to_ascii_lowercase();
        is_loopback(&url)
            || [
                ".vault.azure.net",
                ".vault.azure.cn",
                ".vault.usgovcloudapi.net",
                ".vault.microsoftazure.de",
            ]
            .iter()
            .any(|suffix| host.ends_with(suffix))
    }

    /// Whether `other` names a key in the same vault (so a token for it goes nowhere else).
    pub fn same_vault(&self, other: &VaultRef) -> bool {
        match (self.base_url(), other.base_url()) {
            (Ok(a), Ok(b)) => a.as_str().eq_ignore_ascii_case(b.as_str()),
            _ => false,
        }
    }

    fn url(&self, path: &str) -> Result<Url, String> {
        let base = self.base_url()?;
        let mut url = base
            .join(path)
            .map_err(|e| format!("vault `{}`: {e}", self.vault))?;
        url.query_pairs_mut()
            .append_pair("api-version", API_VERSION);
        Ok(url)
    }
}

/// One data-plane request on its own thread; `Ok(None)` for 404.
fn call(method: Method, url: Url, body: Option<Value>) -> Result<Option<Value>, String> {
    let origin = url.origin().ascii_serialization();
    let worker = std::thread::Builder::new()
        .name("key-vault".into())
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| format!("cannot start the HTTP runtime: {e}"))?;
            rt.block_on(async move {
                let client = ArmClient::new(ClientOptions {
                    endpoint: Some(origin),
                    request_timeout: Duration::from_secs(30),
                    retry: RetryPolicy::default(),
                    conflict_wait: Some(Duration::from_secs(0)),
                    ..ClientOptions::default()
                })
                .map_err(|e| e.to_string())?;
                client
                    .data_plane(
                        method,
                        url.as_str(),
                        body.as_ref(),
                        VAULT_SCOPE,
                        &Cancel::never(),
                    )
                    .await
                    .map_err(|e| e.to_string())
            })
        })
        .map_err(|e| format!("cannot start the Key Vault thread: {e}"))?;
    worker
        .join()
        .map_err(|_| "the Key Vault request failed unexpectedly".to_string())?
}

/// The current value of a secret; `None` if the vault has no such secret.
pub fn get_secret(r: &VaultRef) -> Result<Option<String>, String> {
    let url = r.url(&format!("secrets/{}", r.name))?;
    Ok(call(Method::GET, url, None)?
        .and_then(|b| b.get("value").and_then(Value::as_str).map(str::to_string)))
}

/// The current version of a key (the last segment of its `kid`); `None` if there is no key.
pub fn current_key_version(r: &VaultRef) -> Result<Option<String>, String> {
    let url = r.url(&format!("keys/{}", r.name))?;
    let Some(bundle) = call(Method::GET, url, None)? else {
        return Ok(None);
    };
    bundle
        .pointer("/key/kid")
        .and_then(Value::as_str)
        .and_then(|kid| kid.trim_end_matches('/').rsplit('/').next())
        .map(|v| Some(v.to_string()))
        .ok_or_else(|| format!("key {r}: the answer has no key id"))
}

fn key_op(r: &VaultRef, version: &str, op: &str, value: &[u8]) -> Result<Vec<u8>, String> {
    let url = r.url(&format!("keys/{}/{version}/{op}", r.name))?;
    let body = json!({ "alg": WRAP_ALG, "value": URL_SAFE_NO_PAD.encode(value) });
    let answer = call(Method::POST, url, Some(body))?
        .ok_or_else(|| format!("key {r} (version {version}) was not found"))?;
    let text = answer
        .get("value")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("key {r}: the {op} answer has no value"))?;
    // base64url without padding is what Key Vault sends; tolerate padding and standard base64.
    let trimmed = text.trim_end_matches('=');
    URL_SAFE_NO_PAD
        .decode(trimmed)
        .or_else(|_| STANDARD.decode(text))
        .map_err(|e| format!("key {r}: the {op} answer is not base64url ({e})"))
}

/// Encrypts `key` with version `version` of the vault key (wrapKey).
pub fn wrap(r: &VaultRef, version: &str, key: &[u8]) -> Result<Vec<u8>, String> {
    key_op(r, version, "wrapkey", key)
}

/// Decrypts a key wrapped by [`wrap`] (unwrapKey).
pub fn unwrap(r: &VaultRef, version: &str, wrapped: &[u8]) -> Result<Vec<u8>, String> {
    key_op(r, version, "unwrapkey", wrapped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vault_is_named_or_given_by_uri_and_plain_http_only_reaches_this_machine() {
        let by_name = VaultRef {
            vault: "kv-prod".into(),
            name: "k".into(),
        };
        assert_eq!(
            by_name.base_url().unwrap().as_str(),
            "https://kv-prod.vault.azure.net/"
        );
        let local = VaultRef {
            vault: "http://127.0.0.1:4000/kv/kv-dev".into(),
            name: "k".into(),
        };
        assert_eq!(
            local.url("keys/k").unwrap().as_str(),
            "http://127.0.0.1:4000/kv/kv-dev/keys/k?api-version=2025-07-01"
        );
        let remote_http = VaultRef {
            vault: "http://example.com/kv/x".into(),
            name: "k".into(),
        };
        assert!(remote_http.base_url().unwrap_err().contains("https"));
        assert!(!by_name.same_vault(&local));
        assert!(by_name.is_key_vault_host() && local.is_key_vault_host());
        let elsewhere = VaultRef {
            vault: "https://attacker.example/kv".into(),
            name: "k".into(),
        };
        assert!(!elsewhere.is_key_vault_host());
        assert!(by_name.same_vault(&VaultRef {
            vault: "https://kv-prod.vault.azure.net".into(),
            name: "other".into()
        }));
    }
}
