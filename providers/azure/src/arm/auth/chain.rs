//! Which credentials the environment selects, in which order, and why the others are not
//! in play (so that a final failure can say what to set).

use std::path::PathBuf;

/// The variable that pins one credential by name.
pub const PIN_VAR: &str = "INFRA_AZURE_CREDENTIAL";

/// Pin names, in chain order.
pub const NAMES: [&str; 6] = [
    "workload_identity",
    "github_actions",
    "azure_pipelines",
    "client_secret",
    "managed_identity",
    "azure_cli",
];

/// One link of the chain: what to authenticate with, or why this kind is not available.
#[derive(Clone)]
pub enum Credential {
    WorkloadIdentity {
        tenant: String,
        client_id: String,
        token_file: PathBuf,
    },
    /// The job's OIDC token is fetched for `api://AzureADTokenExchange` at each exchange.
    GitHubActions {
        tenant: String,
        client_id: String,
        request_url: String,
        request_token: String,
    },
    /// azure_identity reads SYSTEM_OIDCREQUESTURI itself.
    AzurePipelines {
        tenant: String,
        client_id: String,
        service_connection_id: String,
        system_access_token: String,
    },
    ClientSecret {
        tenant: String,
        client_id: String,
        secret: String,
    },
    /// `client_id` picks a user-assigned identity.
    ManagedIdentity {
        client_id: Option<String>,
    },
    AzureCli,
    /// Listed so that the final error says what was skipped and what it would need.
    Unavailable {
        name: &'static str,
        reason: String,
    },
}

// By hand: a derived Debug would print the client secret and the request tokens.
impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Credential {
    /// The name shown in errors and accepted by INFRA_AZURE_CREDENTIAL.
    pub fn name(&self) -> &'static str {
        match self {
            Credential::WorkloadIdentity { .. } => NAMES[0],
            Credential::GitHubActions { .. } => NAMES[1],
            Credential::AzurePipelines { .. } => NAMES[2],
            Credential::ClientSecret { .. } => NAMES[3],
            Credential::ManagedIdentity { .. } => NAMES[4],
            Credential::AzureCli => NAMES[5],
            Credential::Unavailable { name, .. } => name,
        }
    }

    /// Values that must never appear in a message about this credential.
    pub(crate) fn secrets(&self) -> Vec<&str> {
        match self {
            Credential::GitHubActions { request_token, .. } => vec![request_token],
            Credential::AzurePipelines {
                system_access_token,
                ..
            } => vec![system_access_token],
            Credential::ClientSecret { secret, .. } => vec![secret],
            _ => Vec::new(),
        }
    }
}

/// The chain as the process environment defines it.
pub fn chain_from_env() -> Vec<Credential> {
    chain_from(&|k| std::env::var(k).ok())
}

/// The chain as `env` defines it; empty values count as unset.
pub fn chain_from(env: &dyn Fn(&str) -> Option<String>) -> Vec<Credential> {
    let var = |k: &str| env(k).filter(|v| !v.trim().is_empty());
    let all: Vec<Credential> = NAMES.iter().map(|n| select(n, &var)).collect();
    match var(PIN_VAR) {
        None => all,
        Some(pin) => {
            let pin = pin.trim().to_ascii_lowercase().replace('-', "_");
            match all.into_iter().find(|c| c.name() == pin) {
                Some(c) => vec![c],
                None => vec![Credential::Unavailable {
                    name: PIN_VAR,
                    reason: format!(
                        "`{pin}` is not a credential name; use one of {}",
                        NAMES.join(", ")
                    ),
                }],
            }
        }
    }
}

fn unavailable(name: &'static str, reason: impl Into<String>) -> Credential {
    Credential::Unavailable {
        name,
        reason: reason.into(),
    }
}

/// Names the first of `keys` that is unset, for the "skipped" reason.
fn missing(var: &dyn Fn(&str) -> Option<String>, keys: &[&str]) -> Option<String> {
    let unset: Vec<&str> = keys.iter().copied().filter(|k| var(k).is_none()).collect();
    (!unset.is_empty()).then(|| format!("{} not set", unset.join(", ")))
}

fn select(name: &'static str, var: &dyn Fn(&str) -> Option<String>) -> Credential {
    let get = |k: &str| var(k).unwrap_or_default();
    match name {
        "workload_identity" => {
            let keys = [
                "AZURE_FEDERATED_TOKEN_FILE",
                "AZURE_CLIENT_ID",
                "AZURE_TENANT_ID",
            ];
            match missing(var, &keys) {
                Some(why) => unavailable(name, why),
                None => Credential::WorkloadIdentity {
                    tenant: get("AZURE_TENANT_ID"),
                    client_id: get("AZURE_CLIENT_ID"),
                    token_file: PathBuf::from(get("AZURE_FEDERATED_TOKEN_FILE")),
                },
            }
        }
        "github_actions" => {
            let keys = [
                "ACTIONS_ID_TOKEN_REQUEST_URL",
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
                "AZURE_CLIENT_ID",
                "AZURE_TENANT_ID",
            ];
            match missing(var, &keys) {
                Some(why) => unavailable(
                    name,
                    format!("{why} (the job needs `permissions: id-token: write`)"),
                ),
                None => Credential::GitHubActions {
                    tenant: get("AZURE_TENANT_ID"),
                    client_id: get("AZURE_CLIENT_ID"),
                    request_url: get("ACTIONS_ID_TOKEN_REQUEST_URL"),
                    request_token: get("ACTIONS_ID_TOKEN_REQUEST_TOKEN"),
                },
            }
        }
        "azure_pipelines" => {
            // The AzureCLI@2 task names them AZURESUBSCRIPTION_*; a plain script may map them
            // to the generic names.
            let pick = |a: &str, b: &str| var(a).or_else(|| var(b));
            let client_id = pick("AZURESUBSCRIPTION_CLIENT_ID", "AZURE_CLIENT_ID");
            let tenant = pick("AZURESUBSCRIPTION_TENANT_ID", "AZURE_TENANT_ID");
            let keys = [
                "SYSTEM_OIDCREQUESTURI",
                "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID",
                "SYSTEM_ACCESSTOKEN",
            ];
            match (missing(var, &keys), client_id, tenant) {
                (None, Some(client_id), Some(tenant)) => Credential::AzurePipelines {
                    tenant,
                    client_id,
                    service_connection_id: get("AZURESUBSCRIPTION_SERVICE_CONNECTION_ID"),
                    system_access_token: get("SYSTEM_ACCESSTOKEN"),
                },
                (Some(why), _, _) => unavailable(name, why),
                _ => unavailable(
                    name,
                    "AZURESUBSCRIPTION_CLIENT_ID/AZURE_CLIENT_ID or AZURESUBSCRIPTION_TENANT_ID/AZURE_TENANT_ID not set",
                ),
            }
        }
        "client_secret" => {
            let keys = ["AZURE_CLIENT_SECRET", "AZURE_CLIENT_ID", "AZURE_TENANT_ID"];
            match missing(var, &keys) {
                Some(why) => unavailable(name, why),
                None => Credential::ClientSecret {
                    tenant: get("AZURE_TENANT_ID"),
                    client_id: get("AZURE_CLIENT_ID"),
                    secret: get("AZURE_CLIENT_SECRET"),
                },
            }
        }
        "managed_identity" => {
            let hosted = var("IDENTITY_ENDPOINT").is_some() || var("MSI_ENDPOINT").is_some();
            let pinned = var(PIN_VAR).is_some();
            if hosted || pinned {
                Credential::ManagedIdentity {
                    client_id: var("AZURE_CLIENT_ID"),
                }
            } else {
                // Probing IMDS on a machine without it costs seconds; on a VM, pin it.
                unavailable(
                    name,
                    "IDENTITY_ENDPOINT and MSI_ENDPOINT not set (on a VM, set INFRA_AZURE_CREDENTIAL=managed_identity)",
                )
            }
        }
        _ => Credential::AzureCli,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn chain(pairs: &[(&str, &str)]) -> Vec<String> {
        let env: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        chain_from(&|k| env.get(k).cloned())
            .iter()
            .map(|c| match c {
                Credential::Unavailable { name, .. } => format!("-{name}"),
                c => c.name().to_string(),
            })
            .collect()
    }

    #[test]
    fn an_empty_environment_leaves_only_the_azure_cli() {
        assert_eq!(
            chain(&[]),
            [
                "-workload_identity",
                "-github_actions",
                "-azure_pipelines",
                "-client_secret",
                "-managed_identity",
                "azure_cli"
            ]
        );
    }

    #[test]
    fn a_github_job_with_a_secret_tries_oidc_before_the_secret() {
        let got = chain(&[
            ("AZURE_CLIENT_ID", "c"),
            ("AZURE_TENANT_ID", "t"),
            ("AZURE_CLIENT_SECRET", "s"),
            ("ACTIONS_ID_TOKEN_REQUEST_URL", "https://x"),
            ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "r"),
        ]);
        assert_eq!(
            got,
            [
                "-workload_identity",
                "github_actions",
                "-azure_pipelines",
                "client_secret",
                "-managed_identity",
                "azure_cli"
            ]
        );
    }

    #[test]
    fn pipelines_take_the_service_connection_variables() {
        let env = [
            ("SYSTEM_OIDCREQUESTURI", "https://dev.azure.com/o/_apis"),
            ("AZURESUBSCRIPTION_SERVICE_CONNECTION_ID", "sc"),
            ("AZURESUBSCRIPTION_CLIENT_ID", "c"),
            ("AZURESUBSCRIPTION_TENANT_ID", "t"),
            ("SYSTEM_ACCESSTOKEN", "tok"),
        ];
        assert_eq!(chain(&env)[2], "azure_pipelines");
    }

    #[test]
    fn a_pin_keeps_one_link_and_managed_identity_needs_no_endpoint_when_pinned() {
        assert_eq!(
            chain(&[("INFRA_AZURE_CREDENTIAL", "managed-identity")]),
            ["managed_identity"]
        );
        assert_eq!(
            chain(&[("INFRA_AZURE_CREDENTIAL", "client_secret")]),
            ["-client_secret"]
        );
        assert_eq!(
            chain(&[("MSI_ENDPOINT", "http://x")])[4],
            "managed_identity"
        );
    }

    #[test]
    fn an_unknown_pin_names_the_valid_ones() {
        let env: HashMap<&str, &str> = [("INFRA_AZURE_CREDENTIAL", "magic")].into();
        let c = chain_from(&|k| env.get(k).map(|v| v.to_string()));
        let Credential::Unavailable { reason, .. } = &c[0] else {
            panic!("expected an unavailable link, got {c:?}");
        };
        assert!(
            reason.contains("`magic`") && reason.contains("azure_cli"),
            "{reason}"
        );
    }

    #[test]
    fn debug_never_shows_a_secret() {
        let c = Credential::ClientSecret {
            tenant: "t".into(),
            client_id: "c".into(),
            secret: "hunter2".into(),
        };
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
