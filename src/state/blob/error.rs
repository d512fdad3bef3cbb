//! What can go wrong talking to Azure Blob Storage, each with the next step. Messages name
//! blobs and endpoints, never a key or a token.

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error(
        "INFRA_BLOB_ENDPOINT `{url}` is not a valid URL ({message}); set it like \
         `http://127.0.0.1:10000/devstoreaccount1` (no trailing slash) or unset it to use \
         https://ACCOUNT.blob.core.windows.net"
    )]
    BadEndpoint { url: String, message: String },
    #[error(
        "`{url}` uses plain http to a host that is not this machine; remote state must use \
         https (plain http is allowed only to 127.0.0.1/localhost, e.g. Azurite)"
    )]
    Insecure { url: String },
    #[error(
        "AZURE_STORAGE_KEY is not valid base64 ({message}); copy the key again from the storage \
         account's \"Access keys\" page, or unset it to sign in with the Azure credential chain"
    )]
    BadStorageKey { message: String },
    #[error(
        "INFRA_STATE_KEY is not valid: {message}; it must be the base64 of 32 random bytes \
         (e.g. `openssl rand -base64 32`), or unset it to keep the key in a blob beside the state"
    )]
    BadStateKey { message: String },
    #[error(
        "cannot reach Azure Blob Storage at {endpoint}: {message}; check the network, the \
         account name in the environment's `state` setting, and INFRA_BLOB_ENDPOINT if set"
    )]
    Unreachable { endpoint: String, message: String },
    #[error(
        "cannot get a token for Azure Blob Storage: {message}; sign in (`az login`), set the \
         AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET variables, or set AZURE_STORAGE_KEY"
    )]
    Auth { message: String },
    #[error(
        "container `{container}` does not exist in storage account `{account}`; create it \
         (`az storage container create --account-name {account} --name {container} --auth-mode \
         login`) or fix `container` in the environment's `state` setting"
    )]
    ContainerNotFound { account: String, container: String },
    #[error(
        "access to {blob} was denied ({status} {code}); give your identity the \"Storage Blob \
         Data Contributor\" role on the account, or set AZURE_STORAGE_KEY to the account key"
    )]
    Denied {
        blob: String,
        status: u16,
        code: String,
    },
    #[error(
        "{blob} was changed by someone else since this run read it (its ETag no longer \
         matches); nothing was written. Run the command again to work from the current state"
    )]
    StaleEtag { blob: String },
    #[error(
        "the lock on {blob} was lost (its lease was broken, e.g. by `infra state unlock`, or \
         expired); nothing was written. Check who holds it now, then run the command again"
    )]
    LeaseLost { blob: String },
    #[error("{what} {blob}: Azure Blob Storage answered {status} {code}{message}")]
    Status {
        what: &'static str,
        blob: String,
        status: u16,
        code: String,
        message: String,
    },
}
