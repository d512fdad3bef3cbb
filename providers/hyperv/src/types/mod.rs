//! One file per resource type: its schema, plan-time normalisation, the script arguments it
//! sends and how it reads the live object back.

pub mod switch;
pub mod vhd;
pub mod vm;

use crate::scripts::Script;
use crate::transport::Shell;
use infra_provider_core::{Cancel, ProviderResult};
use serde_json::Value as Json;

/// Runs one script; a PowerShell error record becomes a provider error with its
/// FullyQualifiedErrorId as the code.
pub async fn call(
    shell: &Shell,
    script: Script,
    args: &Json,
    cancel: &Cancel,
) -> ProviderResult<Json> {
    shell.run(script, args, cancel).await.map_err(Into::into)
}

/// The answer, or `None` for `null` (the object is not on the host).
pub fn some(j: Json) -> Option<Json> {
    (!j.is_null()).then_some(j)
}
