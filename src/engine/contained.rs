//! Asks the providers what the containers a plan deletes or replaces hold, so that the plan
//! can show (and refuse to delete without consent) objects infra does not manage. One call
//! per container, and only for those: a plan that keeps every group asks nothing.

use super::blast::containers_to_inspect;
use super::model::Plan;
use super::providers::ProviderSet;
use super::refresh::RefreshError;
use infra_provider_core::{Cancel, OpContext};

/// `(container address, ids the cloud lists in it)`.
pub async fn inspect(
    plan: &Plan,
    providers: &ProviderSet,
    cancel: &Cancel,
) -> Result<Vec<(String, Vec<String>)>, RefreshError> {
    let mut found = Vec::new();
    let mut failures = Vec::new();
    for (address, type_name, id) in containers_to_inspect(plan) {
        let Some(provider) = providers.provider(&type_name) else {
            continue;
        };
        let ctx = OpContext {
            cancel: cancel.clone(),
            address: address.clone(),
        };
        match provider.contained_objects(&type_name, &id, &ctx).await {
            Ok(ids) => found.push((address, ids)),
            Err(e) => failures.push((address, e.to_string())),
        }
    }
    if failures.is_empty() {
        Ok(found)
    } else {
        Err(RefreshError { failures })
    }
}
