//! Turning a chain link into an azure_identity credential that shares our HTTP client, a
//! short retry policy and, when given, a custom authority host.

use std::sync::Arc;

use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use azure_core::credentials::{Secret, TokenCredential};
use azure_core::http::{ClientOptions, ExponentialRetryOptions, RetryOptions, Transport};
use azure_core::time::Duration;
use azure_identity::{
    AzureCliCredential, AzurePipelinesCredential, AzurePipelinesCredentialOptions,
    ClientAssertionCredential, ClientAssertionCredentialOptions, ClientSecretCredential,
    ClientSecretCredentialOptions, ManagedIdentityCredential, ManagedIdentityCredentialOptions,
    UserAssignedId, WorkloadIdentityCredential, WorkloadIdentityCredentialOptions,
};

use super::chain::Credential;
use super::github::GitHubActionsAssertion;

/// azure_core's default retry waits up to a minute per attempt series: a refused token
/// endpoint took 82 s to fail. Two quick retries keep a real blip survivable and a
/// misconfiguration fast.
fn short_retry() -> RetryOptions {
    RetryOptions::exponential(ExponentialRetryOptions {
        initial_delay: Duration::milliseconds(200),
        max_retries: 2,
        max_total_elapsed: Duration::seconds(5),
        max_delay: Duration::seconds(1),
    })
}

pub(super) struct Shared {
    pub http: reqwest::Client,
    pub authority_host: Option<String>,
}

impl Shared {
    fn client_options(&self) -> ClientOptions {
        let mut options = ClientOptions {
            retry: short_retry(),
            transport: Some(Transport::new(Arc::new(self.http.clone()))),
            ..Default::default()
        };
        if let Some(host) = &self.authority_host {
            let mut custom = CustomConfiguration::default();
            custom.authority_host = host.clone();
            options.cloud = Some(Arc::new(CloudConfiguration::Custom(custom)));
        }
        options
    }

    fn assertion_options(&self) -> ClientAssertionCredentialOptions {
        ClientAssertionCredentialOptions {
            client_options: self.client_options(),
        }
    }
}

/// `Err` carries why the link cannot even be built (already free of secrets: the
/// constructors validate identifiers and URLs, never echo a secret).
pub(super) fn build(
    cred: &Credential,
    shared: &Shared,
) -> Result<Arc<dyn TokenCredential>, String> {
    let built: azure_core::Result<Arc<dyn TokenCredential>> = match cred {
        Credential::WorkloadIdentity {
            tenant,
            client_id,
            token_file,
        } => WorkloadIdentityCredential::new(Some(WorkloadIdentityCredentialOptions {
            credential_options: shared.assertion_options(),
            client_id: Some(client_id.clone()),
            tenant_id: Some(tenant.clone()),
            token_file_path: Some(token_file.clone()),
        }))
        .map(|c| c as Arc<dyn TokenCredential>),
        Credential::GitHubActions {
            tenant,
            client_id,
            request_url,
            request_token,
        } => GitHubActionsAssertion::new(request_url, request_token, shared.http.clone())
            .and_then(|assertion| {
                ClientAssertionCredential::new(
                    tenant.clone(),
                    client_id.clone(),
                    assertion,
                    Some(shared.assertion_options()),
                )
            })
            .map(|c| c as Arc<dyn TokenCredential>),
        Credential::AzurePipelines {
            tenant,
            client_id,
            service_connection_id,
            system_access_token,
        } => AzurePipelinesCredential::new(
            tenant.clone(),
            client_id.clone(),
            service_connection_id,
            Secret::new(system_access_token.clone()),
            Some(AzurePipelinesCredentialOptions {
                credential_options: shared.assertion_options(),
            }),
        )
        .map(|c| c as Arc<dyn TokenCredential>),
        Credential::ClientSecret {
            tenant,
            client_id,
            secret,
        } => ClientSecretCredential::new(
            tenant,
            client_id.clone(),
            Secret::new(secret.clone()),
            Some(ClientSecretCredentialOptions {
                client_options: shared.client_options(),
            }),
        )
        .map(|c| c as Arc<dyn TokenCredential>),
        Credential::ManagedIdentity { client_id } => {
            ManagedIdentityCredential::new(Some(ManagedIdentityCredentialOptions {
                user_assigned_id: client_id.clone().map(UserAssignedId::ClientId),
                client_options: shared.client_options(),
            }))
            .map(|c| c as Arc<dyn TokenCredential>)
        }
        Credential::AzureCli => {
            AzureCliCredential::new(None).map(|c| c as Arc<dyn TokenCredential>)
        }
        Credential::Unavailable { reason, .. } => return Err(format!("skipped: {reason}")),
    };
    built.map_err(|e| format!("not usable: {}", super::source::describe(&e)))
}
