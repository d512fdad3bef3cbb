//! GitHub Actions OIDC as a client assertion: azure_identity has no credential for it, so
//! this fetches the job's ID token for Entra's exchange audience at every exchange (the
//! token lives minutes, so it is never kept).

use std::time::Duration;

use azure_core::error::ErrorKind;
use azure_core::http::ClientMethodOptions;
use azure_identity::ClientAssertion;
use serde_json::Value;

/// The audience Entra expects in a federated assertion.
pub const AUDIENCE: &str = "api://AzureADTokenExchange";

pub struct GitHubActionsAssertion {
    url: reqwest::Url,
    request_token: String,
    http: reqwest::Client,
}

// By hand: the request token is a secret and the URL may carry job identifiers.
impl std::fmt::Debug for GitHubActionsAssertion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GitHubActionsAssertion")
    }
}

/// The error and its causes on one line; the URL is already stripped (it names the job).
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

fn credential_error(message: String) -> azure_core::Error {
    azure_core::Error::with_message(ErrorKind::Credential, message)
}

impl GitHubActionsAssertion {
    pub fn new(
        request_url: &str,
        request_token: &str,
        http: reqwest::Client,
    ) -> azure_core::Result<Self> {
        let mut url = reqwest::Url::parse(request_url).map_err(|e| {
            credential_error(format!(
                "ACTIONS_ID_TOKEN_REQUEST_URL is not a URL ({e}); it is set by GitHub Actions, do not override it"
            ))
        })?;
        // The runner's URL already has a query (api-version); the audience is appended.
        url.query_pairs_mut().append_pair("audience", AUDIENCE);
        Ok(GitHubActionsAssertion {
            url,
            request_token: request_token.to_string(),
            http,
        })
    }

    async fn fetch_once(&self) -> Result<String, (String, bool)> {
        let resp = self
            .http
            .get(self.url.clone())
            .bearer_auth(&self.request_token)
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|e| {
                (
                    format!(
                        "GitHub's OIDC token endpoint is unreachable: {}",
                        with_causes(&e.without_url())
                    ),
                    true,
                )
            })?;
        let status = resp.status().as_u16();
        if status != 200 {
            return Err((
                format!(
                    "GitHub's OIDC token endpoint answered HTTP {status}; check that the job has `permissions: id-token: write`"
                ),
                status >= 500,
            ));
        }
        let body: Value = resp
            .json()
            .await
            .map_err(|e| (format!("GitHub's OIDC answer is not JSON: {e}"), false))?;
        body.get("value")
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .ok_or_else(|| ("GitHub's OIDC answer has no token".to_string(), false))
    }
}

#[async_trait::async_trait]
impl ClientAssertion for GitHubActionsAssertion {
    async fn secret(&self, _: Option<ClientMethodOptions<'_>>) -> azure_core::Result<String> {
        // One quick retry on a dropped connection or a 5xx, like the credentials' own policy.
        match self.fetch_once().await {
            Ok(token) => Ok(token),
            Err((_, true)) => {
                tokio::time::sleep(Duration::from_millis(300)).await;
                self.fetch_once()
                    .await
                    .map_err(|(message, _)| credential_error(message))
            }
            Err((message, false)) => Err(credential_error(message)),
        }
    }
}
