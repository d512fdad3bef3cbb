//! Credentials: an explicit chain, tried in order, the first that yields a token is kept.
//!   1. workload identity: AZURE_FEDERATED_TOKEN_FILE + AZURE_CLIENT_ID + AZURE_TENANT_ID
//!   2. client secret:     AZURE_CLIENT_SECRET + AZURE_CLIENT_ID + AZURE_TENANT_ID
//!   3. managed identity:  IDENTITY_ENDPOINT/IDENTITY_HEADER (App Service, Container Apps) or IMDS
//!   4. Azure CLI:         `az account get-access-token`
//!
//! Why not azure_identity: it is not in this workspace's lock file yet, its build brings
//! azure_core's own HTTP stack (~1.5 min, aws-lc-sys) next to the reqwest we already use, and
//! the four flows are each one HTTP request (or one process). Each credential gets one quick
//! retry at most, because a refused token endpoint must fail in seconds, not minutes.
//! Tokens live in memory only; no credential or token is ever written anywhere or logged.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use tokio::sync::Mutex;

use super::error::ArmError;

#[derive(Clone)]
pub enum Credential {
    WorkloadIdentity {
        tenant: String,
        client_id: String,
        token_file: String,
    },
    ClientSecret {
        tenant: String,
        client_id: String,
        secret: String,
    },
    ManagedIdentity {
        client_id: Option<String>,
    },
    AzureCli,
}

// Debug by hand: a derived one would print the client secret.
impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Credential {
    pub fn name(&self) -> &'static str {
        match self {
            Credential::WorkloadIdentity { .. } => "workload identity",
            Credential::ClientSecret { .. } => "client secret",
            Credential::ManagedIdentity { .. } => "managed identity",
            Credential::AzureCli => "Azure CLI",
        }
    }
}

/// The chain as the environment defines it (CLI.md's variables).
pub fn chain_from_env() -> Vec<Credential> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let mut chain = Vec::new();
    if let (Some(tenant), Some(client_id)) = (var("AZURE_TENANT_ID"), var("AZURE_CLIENT_ID")) {
        if let Some(token_file) = var("AZURE_FEDERATED_TOKEN_FILE") {
            chain.push(Credential::WorkloadIdentity {
                tenant: tenant.clone(),
                client_id: client_id.clone(),
                token_file,
            });
        }
        if let Some(secret) = var("AZURE_CLIENT_SECRET") {
            chain.push(Credential::ClientSecret {
                tenant,
                client_id,
                secret,
            });
        }
    }
    chain.push(Credential::ManagedIdentity {
        client_id: var("AZURE_CLIENT_ID"),
    });
    chain.push(Credential::AzureCli);
    chain
}

struct Cached {
    token: String,
    expires_at: u64,
}

pub struct TokenSource {
    chain: Vec<Credential>,
    authority: String,
    http: reqwest::Client,
    /// Which credential worked, so later scopes do not walk the chain again.
    chosen: Mutex<Option<usize>>,
    cache: Mutex<HashMap<String, Cached>>,
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// application/x-www-form-urlencoded, by hand to avoid a feature for four fields.
fn form(pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

impl TokenSource {
    pub fn new(chain: Vec<Credential>) -> Result<Self, ArmError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(2))
            .timeout(Duration::from_secs(20))
            .build()
            .map_err(|e| ArmError::Auth(format!("cannot build HTTP client: {e}")))?;
        let authority = std::env::var("AZURE_AUTHORITY_HOST")
            .ok()
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| "https://login.microsoftonline.com".into());
        Ok(TokenSource {
            chain,
            authority: authority.trim_end_matches('/').to_string(),
            http,
            chosen: Mutex::new(None),
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// A bearer token for `scope` (e.g. `https://management.azure.com/.default`).
    pub async fn token(&self, scope: &str) -> Result<String, ArmError> {
        let mut cache = self.cache.lock().await;
        if let Some(c) = cache.get(scope)
            && c.expires_at > now_secs() + 300
        {
            return Ok(c.token.clone());
        }
        let mut chosen = self.chosen.lock().await;
        let order: Vec<usize> = match *chosen {
            Some(i) => vec![i],
            None => (0..self.chain.len()).collect(),
        };
        let mut failures = Vec::new();
        for i in order {
            let cred = &self.chain[i];
            let mut last = None;
            for attempt in 0..2 {
                match self.fetch(cred, scope).await {
                    Ok((token, expires_at)) => {
                        *chosen = Some(i);
                        cache.insert(
                            scope.to_string(),
                            Cached {
                                token: token.clone(),
                                expires_at,
                            },
                        );
                        return Ok(token);
                    }
                    Err((e, retry)) => {
                        last = Some(e);
                        if !retry || attempt == 1 {
                            break;
                        }
                        tokio::time::sleep(Duration::from_millis(300)).await;
                    }
                }
            }
            failures.push(format!("{}: {}", cred.name(), last.unwrap_or_default()));
        }
        Err(ArmError::Auth(format!(
            "no credential in the chain produced a token ({})",
            failures.join("; ")
        )))
    }

    /// `Err((message, worth_retrying))`.
    async fn fetch(&self, cred: &Credential, scope: &str) -> Result<(String, u64), (String, bool)> {
        match cred {
            Credential::ClientSecret {
                tenant,
                client_id,
                secret,
            } => {
                let body = form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", client_id),
                    ("client_secret", secret),
                    ("scope", scope),
                ]);
                self.oauth(tenant, body).await
            }
            Credential::WorkloadIdentity {
                tenant,
                client_id,
                token_file,
            } => {
                // Re-read each time: the federated token is rotated by the platform.
                let assertion = std::fs::read_to_string(token_file).map_err(|e| {
                    (
                        format!("cannot read AZURE_FEDERATED_TOKEN_FILE: {e}"),
                        false,
                    )
                })?;
                let body = form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", client_id),
                    (
                        "client_assertion_type",
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    ),
                    ("client_assertion", assertion.trim()),
                    ("scope", scope),
                ]);
                self.oauth(tenant, body).await
            }
            Credential::ManagedIdentity { client_id } => {
                self.managed_identity(client_id.as_deref(), scope).await
            }
            Credential::AzureCli => azure_cli(scope).await,
        }
    }

    async fn oauth(&self, tenant: &str, body: String) -> Result<(String, u64), (String, bool)> {
        let url = format!("{}/{tenant}/oauth2/v2.0/token", self.authority);
        let resp = self
            .http
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .map_err(|e| (format!("token endpoint unreachable: {e}"), true))?;
        let status = resp.status().as_u16();
        let json: Value = resp.json().await.unwrap_or(Value::Null);
        if status != 200 {
            let desc = json
                .get("error_description")
                .or_else(|| json.get("error"))
                .and_then(Value::as_str)
                .unwrap_or("");
            return Err((format!("HTTP {status}: {desc}"), status >= 500));
        }
        token_from(&json, "access_token", &["expires_in"], true)
    }

    async fn managed_identity(
        &self,
        client_id: Option<&str>,
        scope: &str,
    ) -> Result<(String, u64), (String, bool)> {
        let resource = scope.trim_end_matches("/.default");
        let mut query = vec![("resource", resource)];
        if let Some(c) = client_id {
            query.push(("client_id", c));
        }
        let req = match (
            std::env::var("IDENTITY_ENDPOINT"),
            std::env::var("IDENTITY_HEADER"),
        ) {
            (Ok(endpoint), Ok(header)) => {
                query.push(("api-version", "2019-08-01"));
                self.http
                    .get(format!("{endpoint}?{}", form(&query)))
                    .header("X-IDENTITY-HEADER", header)
            }
            _ => {
                query.push(("api-version", "2018-02-01"));
                let url = format!(
                    "http://169.254.169.254/metadata/identity/oauth2/token?{}",
                    form(&query)
                );
                self.http
                    .get(url)
                    .header("Metadata", "true")
                    .timeout(Duration::from_secs(3))
            }
        };
        let resp = req
            .send()
            .await
            .map_err(|e| (format!("no managed identity endpoint: {e}"), false))?;
        let status = resp.status().as_u16();
        let json: Value = resp.json().await.unwrap_or(Value::Null);
        if status != 200 {
            return Err((format!("HTTP {status}"), status >= 500));
        }
        token_from(&json, "access_token", &["expires_on", "expires_in"], false)
    }
}

async fn azure_cli(scope: &str) -> Result<(String, u64), (String, bool)> {
    let out = tokio::process::Command::new("az")
        .args([
            "account",
            "get-access-token",
            "--output",
            "json",
            "--scope",
            scope,
        ])
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(30), out)
        .await
        .map_err(|_| ("az timed out".to_string(), false))?
        .map_err(|e| (format!("az not runnable: {e}"), false))?;
    if !out.status.success() {
        let err: String = String::from_utf8_lossy(&out.stderr)
            .chars()
            .take(300)
            .collect();
        return Err((format!("az failed: {}", err.trim()), false));
    }
    let json: Value =
        serde_json::from_slice(&out.stdout).map_err(|e| (format!("az output: {e}"), false))?;
    token_from(&json, "accessToken", &["expires_on"], false)
}

/// Token and absolute expiry from a token response; `relative` says `expires_in`-style
/// fields count from now. Both number and string forms occur in the wild.
fn token_from(
    json: &Value,
    key: &str,
    expiry_keys: &[&str],
    relative: bool,
) -> Result<(String, u64), (String, bool)> {
    let token = json
        .get(key)
        .and_then(Value::as_str)
        .ok_or(("response has no token".to_string(), false))?;
    let num = |v: &Value| {
        v.as_u64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
    };
    let mut expires_at = now_secs() + 3000;
    for k in expiry_keys {
        if let Some(n) = json.get(*k).and_then(num) {
            expires_at = if relative || *k == "expires_in" {
                now_secs() + n
            } else {
                n
            };
            break;
        }
    }
    Ok((token.to_string(), expires_at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn form_encoding_escapes_reserved_bytes() {
        assert_eq!(form(&[("a b", "x&y=z/")]), "a%20b=x%26y%3Dz%2F");
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let c = Credential::ClientSecret {
            tenant: "t".into(),
            client_id: "c".into(),
            secret: "hunter2".into(),
        };
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    #[test]
    fn expiry_forms() {
        let (t, e) = token_from(
            &json!({"access_token": "x", "expires_on": "4000000000"}),
            "access_token",
            &["expires_on"],
            false,
        )
        .unwrap();
        assert_eq!((t.as_str(), e), ("x", 4_000_000_000));
        assert!(token_from(&json!({}), "access_token", &[], false).is_err());
    }
}
