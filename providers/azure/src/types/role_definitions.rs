//! Role definitions by name, looked up through ARM
//! (`GET {scope}/providers/Microsoft.Authorization/roleDefinitions?$filter=roleName eq '...'`)
//! and cached for the provider's life (one run), so many assignments of one role cost one
//! request. Ids and GUIDs need no lookup.

use std::collections::HashMap;
use std::sync::Mutex;

use infra_provider_core::{ProviderError, ProviderResult};
use serde_json::Value as J;

use crate::kind::Cx;

/// Microsoft.Authorization/roleDefinitions, latest stable.
pub const API_VERSION: &str = "2022-04-01";

/// Role definition ids by `subscription|lower-case name`.
#[derive(Default)]
pub struct RoleCache(Mutex<HashMap<String, String>>);

impl RoleCache {
    fn get(&self, key: &str) -> Option<String> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
            .cloned()
    }
    fn put(&self, key: String, id: String) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, id);
    }
}

pub fn is_guid(s: &str) -> bool {
    s.len() == 36
        && s.chars().enumerate().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// The definition id when the role is written as an id or a GUID (no lookup needed).
pub fn literal_id(sub: &str, role: &str) -> Option<String> {
    if role.starts_with('/') {
        return Some(role.to_string());
    }
    is_guid(role).then(|| {
        format!(
            "/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{}",
            role.to_ascii_lowercase()
        )
    })
}

fn collection(scope: &str) -> String {
    format!(
        "{}/providers/Microsoft.Authorization/roleDefinitions",
        scope.trim_end_matches('/')
    )
}

fn names(list: &J) -> Vec<String> {
    list.get("value")
        .and_then(J::as_array)
        .map(|l| {
            l.iter()
                .filter_map(|d| d.pointer("/properties/roleName").and_then(J::as_str))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The definition id of `role` (a name, a GUID or an id) for an assignment at `scope`.
pub async fn resolve(cx: &Cx<'_>, sub: &str, scope: &str, role: &str) -> ProviderResult<String> {
    if let Some(id) = literal_id(sub, role) {
        return Ok(id);
    }
    let key = format!("{sub}|{}", role.to_ascii_lowercase());
    if let Some(id) = cx.roles.get(&key) {
        return Ok(id);
    }
    // OData string literal: a quote inside is doubled.
    let filter = format!("roleName eq '{}'", role.replace('\'', "''"));
    let query = format!("{}?$filter={}", collection(scope), filter);
    let found = cx.client.get(&query, API_VERSION, cx.cancel).await?;
    let id = found
        .as_ref()
        .and_then(|l| l.get("value"))
        .and_then(J::as_array)
        .and_then(|l| {
            l.iter().find(|d| {
                d.pointer("/properties/roleName")
                    .and_then(J::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case(role))
            })
        })
        .and_then(|d| d.get("id"))
        .and_then(J::as_str)
        .map(str::to_string);
    match id {
        Some(id) => {
            cx.roles.put(key, id.clone());
            Ok(id)
        }
        None => Err(unknown_role(cx, scope, role).await),
    }
}

/// The error for a role name ARM does not know, with the closest names it does.
async fn unknown_role(cx: &Cx<'_>, scope: &str, role: &str) -> ProviderError {
    let all = cx
        .client
        .get(&collection(scope), API_VERSION, cx.cancel)
        .await
        .ok()
        .flatten()
        .map(|l| names(&l))
        .unwrap_or_default();
    let close = close_matches(role, &all);
    let hint = if close.is_empty() {
        "`az role definition list --query [].roleName` lists the roles".to_string()
    } else {
        format!(
            "did you mean {}?",
            close
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    ProviderError::Invalid(format!(
        "azure.role_assignment: no role named `{role}` is assignable at {scope}; {hint} (a role definition id or GUID also works)"
    ))
}

/// The role's name, from its definition id (`None` when ARM does not know the id).
pub async fn name_of(cx: &Cx<'_>, id: &str) -> ProviderResult<Option<String>> {
    let def = cx.client.get(id, API_VERSION, cx.cancel).await?;
    Ok(def.and_then(|d| {
        d.pointer("/properties/roleName")
            .and_then(J::as_str)
            .map(str::to_string)
    }))
}

/// Up to three names within a few edits of `wanted` (or containing it), closest first.
pub fn close_matches(wanted: &str, names: &[String]) -> Vec<String> {
    let w = wanted.to_ascii_lowercase();
    let limit = (w.chars().count() / 3).max(2);
    let mut scored: Vec<(usize, &String)> = names
        .iter()
        .filter_map(|n| {
            let l = n.to_ascii_lowercase();
            let d = infra_azure_types::distance(&w, &l);
            (d <= limit || l.contains(&w) || (w.len() > 3 && w.contains(&l))).then_some((d, n))
        })
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, n)| n.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_names_are_suggested_closest_first() {
        let names: Vec<String> = [
            "Key Vault Secrets User",
            "Key Vault Secrets Officer",
            "Reader",
            "Owner",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            close_matches("Key Vault Secret User", &names)[0],
            "Key Vault Secrets User"
        );
        assert_eq!(close_matches("reder", &names), ["Reader"]);
        assert!(close_matches("Storage Queue Thing", &names).is_empty());
    }

    #[test]
    fn ids_and_guids_need_no_lookup() {
        let g = "4633458B-17de-408a-b874-0445c86b69e6";
        assert_eq!(
            literal_id("s", g).as_deref(),
            Some(
                "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6"
            )
        );
        assert_eq!(literal_id("s", "/x/y").as_deref(), Some("/x/y"));
        assert_eq!(literal_id("s", "Reader"), None);
    }
}
