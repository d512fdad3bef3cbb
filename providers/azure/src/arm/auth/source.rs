//! The token source the ARM and Blob clients ask: walks the chain once, keeps the link that
//! worked, caches tokens per scope, and turns a total failure into one error that lists
//! every link and ends with the next step.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use azure_core::credentials::TokenCredential;
use azure_core::time::{Duration, OffsetDateTime};
use tokio::sync::Mutex;

use super::build::{Shared, build};
use super::chain::Credential;
use crate::arm::error::ArmError;

/// A cached token is replaced this long before it expires, so a request never leaves with
/// a token that dies in flight.
const REFRESH_MARGIN_SECS: i64 = 300;

const NEXT_STEP: &str = "next step: run `az login`, or set AZURE_CLIENT_ID and AZURE_TENANT_ID \
with AZURE_FEDERATED_TOKEN_FILE (workload identity) or AZURE_CLIENT_SECRET; in CI see \
docs/credentials.md";

/// How token requests travel.
#[derive(Default, Clone)]
pub struct TokenSourceOptions {
    /// Entra's authority host, `https://` only (a sovereign cloud, a private endpoint).
    /// `None`: AZURE_AUTHORITY_HOST, else the public cloud.
    pub authority_host: Option<String>,
    /// The HTTP client for token requests, e.g. one trusting a private CA. `None`: a
    /// client with short connect and request timeouts.
    pub http_client: Option<reqwest::Client>,
}

struct Link {
    name: &'static str,
    credential: Result<Arc<dyn TokenCredential>, String>,
    /// Redacted from every message about this link, whatever produced the message.
    secrets: Vec<String>,
}

struct Cached {
    token: String,
    expires_on: OffsetDateTime,
}

pub struct TokenSource {
    links: Vec<Link>,
    /// Which link worked, so later scopes do not walk the chain again.
    chosen: Mutex<Option<usize>>,
    cache: Mutex<HashMap<String, Cached>>,
}

impl TokenSource {
    pub fn new(chain: Vec<Credential>) -> Result<Self, ArmError> {
        Self::with_options(chain, TokenSourceOptions::default())
    }

    pub fn with_options(
        chain: Vec<Credential>,
        options: TokenSourceOptions,
    ) -> Result<Self, ArmError> {
        crate::arm::install_crypto_provider();
        let http = match options.http_client {
            Some(http) => http,
            None => reqwest::Client::builder()
                .connect_timeout(StdDuration::from_secs(5))
                .timeout(StdDuration::from_secs(30))
                .build()
                .map_err(|e| {
                    ArmError::Auth(format!(
                        "cannot build the HTTP client for token requests ({e}); check the system's TLS setup"
                    ))
                })?,
        };
        let shared = Shared {
            http,
            authority_host: options.authority_host,
        };
        let links = chain
            .iter()
            .map(|cred| {
                let secrets: Vec<String> = cred.secrets().into_iter().map(String::from).collect();
                let credential = build(cred, &shared).map_err(|m| redact(&m, &secrets));
                Link {
                    name: cred.name(),
                    credential,
                    secrets,
                }
            })
            .collect();
        Ok(TokenSource {
            links,
            chosen: Mutex::new(None),
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// A bearer token for `scope` (e.g. `https://management.azure.com/.default`).
    pub async fn token(&self, scope: &str) -> Result<String, ArmError> {
        // Held across the fetch on purpose: concurrent requests for a cold scope wait for
        // one token request instead of each sending their own.
        let mut cache = self.cache.lock().await;
        let fresh_until = OffsetDateTime::now_utc() + Duration::seconds(REFRESH_MARGIN_SECS);
        if let Some(c) = cache.get(scope)
            && c.expires_on > fresh_until
        {
            return Ok(c.token.clone());
        }
        let mut chosen = self.chosen.lock().await;
        let order: Vec<usize> = match *chosen {
            Some(i) => vec![i],
            None => (0..self.links.len()).collect(),
        };
        let mut report = Vec::new();
        for i in order {
            let link = &self.links[i];
            let credential = match &link.credential {
                Ok(c) => c,
                Err(why) => {
                    report.push(format!("{}: {why}", link.name));
                    continue;
                }
            };
            match credential.get_token(&[scope], None).await {
                Ok(token) => {
                    *chosen = Some(i);
                    let secret = token.token.secret().to_string();
                    cache.insert(
                        scope.to_string(),
                        Cached {
                            token: secret.clone(),
                            expires_on: token.expires_on,
                        },
                    );
                    return Ok(secret);
                }
                Err(e) => {
                    report.push(format!(
                        "{}: failed: {}",
                        link.name,
                        redact(&describe(&e), &link.secrets)
                    ));
                    // A credential the environment configured and that failed is not replaced
                    // by the next one: that would apply as another identity (a developer's
                    // `az login`) than the one the pipeline was set up with.
                    if i + 1 < self.links.len() {
                        report.push(format!(
                            "not trying the credentials after {}: it is configured, so its \
                             failure is the one to fix (or pin another with \
                             INFRA_AZURE_CREDENTIAL)",
                            link.name
                        ));
                    }
                    break;
                }
            }
        }
        if report.is_empty() {
            report.push("the credential chain is empty".to_string());
        }
        Err(ArmError::Auth(format!(
            "no Azure credential produced a token for {scope}:\n  - {}\n{NEXT_STEP}",
            report.join("\n  - ")
        )))
    }
}

/// An azure_core error with its causes, on one line (causes already in the message are
/// not repeated).
pub(super) fn describe(e: &azure_core::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts
        .join(": ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Belt and braces: Entra and azure_identity do not echo secrets, but a proxy or a future
/// version might, and a secret in an error ends up in CI logs.
fn redact(message: &str, secrets: &[String]) -> String {
    secrets
        .iter()
        // Shorter "secrets" are placeholders; replacing them would shred the message.
        .filter(|s| s.len() >= 4)
        .fold(message.to_string(), |m, s| {
            m.replace(s.as_str(), "(redacted)")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_hides_every_occurrence() {
        let got = redact(
            "bad secret hunter22 (was hunter22)",
            &["hunter22".to_string()],
        );
        assert_eq!(got, "bad secret (redacted) (was (redacted))");
    }

    #[tokio::test]
    async fn a_skipped_chain_lists_each_link_and_the_next_step() {
        let chain = vec![
            Credential::Unavailable {
                name: "workload_identity",
                reason: "AZURE_FEDERATED_TOKEN_FILE not set".into(),
            },
            Credential::Unavailable {
                name: "client_secret",
                reason: "AZURE_CLIENT_SECRET not set".into(),
            },
        ];
        let source = TokenSource::new(chain).unwrap();
        let err = source
            .token("https://management.azure.com/.default")
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("workload_identity: skipped: AZURE_FEDERATED_TOKEN_FILE not set"),
            "{err}"
        );
        assert!(err.contains("client_secret: skipped"), "{err}");
        assert!(err.contains("run `az login`"), "{err}");
    }

    #[tokio::test]
    async fn a_plain_http_authority_is_reported_not_used() {
        let chain = vec![Credential::ClientSecret {
            tenant: "contoso".into(),
            client_id: "app".into(),
            secret: "not-a-real-secret".into(),
        }];
        let options = TokenSourceOptions {
            authority_host: Some("http://127.0.0.1:9".into()),
            http_client: None,
        };
        let err = TokenSource::with_options(chain, options)
            .unwrap()
            .token("https://management.azure.com/.default")
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("client_secret: not usable"), "{err}");
        assert!(err.contains("HTTPS"), "{err}");
        assert!(!err.contains("not-a-real-secret"), "{err}");
    }
}
