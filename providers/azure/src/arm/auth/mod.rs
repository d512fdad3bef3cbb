//! Credentials: an explicit, ordered chain chosen from the environment, each link an
//! `azure_identity` 1.x credential. The first link that yields a token is kept for later
//! scopes; tokens are cached per scope in memory until shortly before they expire.
//!
//! Order (docs/credentials.md has the variables in full):
//!   1. workload identity:  AZURE_FEDERATED_TOKEN_FILE + AZURE_CLIENT_ID + AZURE_TENANT_ID
//!   2. GitHub Actions:     ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN + AZURE_CLIENT_ID + AZURE_TENANT_ID
//!   3. Azure Pipelines:    SYSTEM_OIDCREQUESTURI + AZURESUBSCRIPTION_SERVICE_CONNECTION_ID + ...
//!   4. client secret:      AZURE_CLIENT_SECRET + AZURE_CLIENT_ID + AZURE_TENANT_ID
//!   5. managed identity:   IDENTITY_ENDPOINT or MSI_ENDPOINT set, or pinned
//!   6. Azure CLI:          `az account get-access-token`
//!
//! `INFRA_AZURE_CREDENTIAL` pins one link by name. Not `DefaultAzureCredential`: its order
//! and probing are not ours to document, and IMDS probing costs seconds on every laptop.
//! No credential, assertion or token ever reaches an error, a log or a `Debug` output.

mod build;
mod chain;
mod github;
mod source;

pub use chain::{Credential, chain_from, chain_from_env};
pub use source::{TokenSource, TokenSourceOptions};
