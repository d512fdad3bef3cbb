//! What a resource group holds, managed by infra or not: ARM's list of a group's resources
//! (`GET {group}/resources`, every page). Only groups are asked: ARM lists no other
//! container's content in one call, and a group's delete takes everything in it.

use infra_provider_core::{Cancel, ProviderError, ProviderResult};
use reqwest::{Method, Url};
use serde_json::Value;

use crate::arm::{ArmClient, ArmError};

/// The api-version of `Microsoft.Resources` that lists a group's resources.
const LIST_API_VERSION: &str = "2021-04-01";

/// A limit on pages followed, so that a server handing out `nextLink`s forever cannot hold
/// a plan: 1,000 pages of ARM's default 1,000 items.
const MAX_PAGES: usize = 1_000;

/// True for `/subscriptions/{s}/resourceGroups/{g}` (any casing, no trailing parts).
pub(crate) fn is_group_id(id: &str) -> bool {
    let parts: Vec<&str> = id.trim_end_matches('/').split('/').collect();
    parts.len() == 5
        && parts[0].is_empty()
        && parts[1].eq_ignore_ascii_case("subscriptions")
        && parts[3].eq_ignore_ascii_case("resourceGroups")
        && !parts[2].is_empty()
        && !parts[4].is_empty()
}

/// The ids of the resources ARM lists in the group `id`; empty when the group is gone.
pub(crate) async fn group_resources(
    client: &ArmClient,
    id: &str,
    cancel: &Cancel,
) -> ProviderResult<Vec<String>> {
    let first = format!("{}/resources", id.trim_end_matches('/'));
    let Some(mut page) = client
        .get(&first, LIST_API_VERSION, cancel)
        .await
        .map_err(ProviderError::from)?
    else {
        return Ok(Vec::new());
    };
    let mut ids = Vec::new();
    for _ in 0..MAX_PAGES {
        ids.extend(
            page.get("value")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|r| r.get("id").and_then(Value::as_str))
                .map(str::to_string),
        );
        let Some(next) = page.get("nextLink").and_then(Value::as_str) else {
            return Ok(ids);
        };
        page = next_page(client, next, cancel).await?;
    }
    Err(ProviderError::Cloud {
        code: "TooManyPages".into(),
        message: format!("the list of {id}'s resources did not end after {MAX_PAGES} pages"),
        retryable: false,
    })
}

/// A `nextLink` is followed only on the endpoint the client talks to: a link elsewhere
/// would send the token to another host.
async fn next_page(client: &ArmClient, next: &str, cancel: &Cancel) -> ProviderResult<Value> {
    let url = Url::parse(next).map_err(|e| {
        ProviderError::from(ArmError::Protocol(format!("bad nextLink `{next}`: {e}")))
    })?;
    if !next.starts_with(client.endpoint()) {
        return Err(ArmError::Protocol(format!(
            "nextLink `{next}` leaves the endpoint {}",
            client.endpoint()
        ))
        .into());
    }
    let scope = format!("{}/.default", client.endpoint());
    let resp = client
        .send(Method::GET, url, None, &scope, true, cancel)
        .await
        .map_err(ProviderError::from)?;
    Ok(resp.body)
}

#[cfg(test)]
mod tests {
    use super::is_group_id;

    #[test]
    fn only_a_group_id_is_a_group() {
        assert!(is_group_id("/subscriptions/s/resourceGroups/g"));
        assert!(is_group_id("/subscriptions/s/resourcegroups/g"));
        assert!(!is_group_id("/subscriptions/s"));
        assert!(!is_group_id(
            "/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/v"
        ));
    }
}
