//! Where the state lives and how requests are authorized: the endpoint (Azure, or
//! `INFRA_BLOB_ENDPOINT` for Azurite), and Shared Key or a bearer token.

use super::BlobError;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use infra_provider_azure::arm::auth::{TokenSource, chain_from_env};
use infra_provider_azure::arm::is_loopback;
use reqwest::Url;

/// The storage emulator's published development key (the same in every Azurite), used only
/// for a loopback endpoint when no key is given.
pub const DEV_ACCOUNT_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

pub const STORAGE_SCOPE: &str = "https://storage.azure.com/.default";

pub enum Auth {
    SharedKey { account: String, key: Vec<u8> },
    Bearer(Box<TokenSource>),
}

/// Never prints the key.
impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::SharedKey { account, .. } => write!(f, "SharedKey({account})"),
            Auth::Bearer(_) => f.write_str("Bearer"),
        }
    }
}

/// The resolved endpoint: the container's URL and how to sign.
#[derive(Debug)]
pub struct Endpoint {
    /// `https://acct.blob.core.windows.net/container` or `http://127.0.0.1:10000/devstoreaccount1/container`.
    pub container_url: Url,
    pub account: String,
    pub container: String,
    pub auth: Auth,
}

/// Reads `INFRA_BLOB_ENDPOINT` and `AZURE_STORAGE_KEY` through `var` (the process environment
/// in production, a map in tests).
pub fn resolve(
    account: &str,
    container: &str,
    var: &dyn Fn(&str) -> Option<String>,
) -> Result<Endpoint, BlobError> {
    let raw = var("INFRA_BLOB_ENDPOINT")
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| format!("https://{account}.blob.core.windows.net"));
    let raw = raw.trim().trim_end_matches('/').to_string();
    let base = Url::parse(&raw).map_err(|e| BlobError::BadEndpoint {
        url: raw.clone(),
        message: e.to_string(),
    })?;
    match base.scheme() {
        "https" => {}
        "http" if is_loopback(&base) => {}
        "http" => return Err(BlobError::Insecure { url: raw }),
        other => {
            return Err(BlobError::BadEndpoint {
                url: raw.clone(),
                message: format!("scheme `{other}` is not http or https"),
            });
        }
    }
    // Path-style endpoints (Azurite, IP addresses) carry the account as the first segment:
    // that is the account the service signs for.
    let signing_account = base
        .path_segments()
        .and_then(|mut s| s.next().map(str::to_string))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| account.to_string());
    let container_url =
        Url::parse(&format!("{raw}/{container}")).map_err(|e| BlobError::BadEndpoint {
            url: raw.clone(),
            message: e.to_string(),
        })?;
    let key = match var("AZURE_STORAGE_KEY").filter(|k| !k.trim().is_empty()) {
        Some(k) => Some(
            STANDARD
                .decode(k.trim())
                .map_err(|e| BlobError::BadStorageKey {
                    message: e.to_string(),
                })?,
        ),
        None if is_loopback(&base) => STANDARD.decode(DEV_ACCOUNT_KEY).ok(),
        None => None,
    };
    let auth = match key {
        Some(key) => Auth::SharedKey {
            account: signing_account,
            key,
        },
        None => Auth::Bearer(Box::new(TokenSource::new(chain_from_env()).map_err(
            |e| BlobError::Auth {
                message: e.to_string(),
            },
        )?)),
    };
    Ok(Endpoint {
        container_url,
        account: account.to_string(),
        container: container.to_string(),
        auth,
    })
}

/// The URL of a blob in the container; the name's characters are percent-encoded except `/`.
pub fn blob_url(container_url: &Url, name: &str) -> Url {
    let mut url = container_url.clone();
    if let Ok(mut segments) = url.path_segments_mut() {
        for part in name.split('/') {
            segments.push(part);
        }
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn azurite_endpoint_signs_for_the_path_account_with_the_dev_key() {
        let e = resolve(
            "lwinfrastate",
            "state",
            &vars(&[(
                "INFRA_BLOB_ENDPOINT",
                "http://127.0.0.1:10000/devstoreaccount1/",
            )]),
        )
        .unwrap();
        assert_eq!(
            e.container_url.as_str(),
            "http://127.0.0.1:10000/devstoreaccount1/state"
        );
        assert!(
            matches!(&e.auth, Auth::SharedKey { account, .. } if account == "devstoreaccount1")
        );
        assert_eq!(
            blob_url(&e.container_url, "env/prod a.json").path(),
            "/devstoreaccount1/state/env/prod%20a.json"
        );
    }

    #[test]
    fn plain_http_to_another_host_is_refused() {
        let err = resolve(
            "a",
            "state",
            &vars(&[("INFRA_BLOB_ENDPOINT", "http://storage.example.com/a")]),
        )
        .unwrap_err();
        assert!(matches!(err, BlobError::Insecure { .. }), "{err}");
        assert!(err.to_string().contains("https"), "{err}");
    }

    #[test]
    fn default_endpoint_is_the_accounts_https_host_and_a_bad_key_is_named() {
        let e = resolve("acct", "c", &vars(&[("AZURE_STORAGE_KEY", "AAAA")])).unwrap();
        assert_eq!(
            e.container_url.as_str(),
            "https://acct.blob.core.windows.net/c"
        );
        let err = resolve("acct", "c", &vars(&[("AZURE_STORAGE_KEY", "not base64!")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("AZURE_STORAGE_KEY"), "{err}");
        assert!(!err.contains("not base64!"), "the key leaked: {err}");
    }
}
