//! Microsoft.Authorization/roleDefinitions: the built-in roles, read-only, at any scope.
//! `GET {scope}/providers/Microsoft.Authorization/roleDefinitions[?$filter=roleName eq 'X']`
//! lists them (the filter compares names case-insensitively, as ARM does), and
//! `GET .../roleDefinitions/{guid}` reads one. Built-in role ids are the same GUIDs in every
//! tenant; ARM reports them under the subscription of the request.

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use crate::error::ArmError;
use crate::lro::json_response;
use crate::path::ResPath;
use crate::router::query_param;

/// The seed data: name, GUID and a one-line description of each built-in role served.
const BUILT_IN: &[(&str, &str, &str)] = &[
    (
        "Owner",
        "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
        "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.",
    ),
    (
        "Contributor",
        "b24988ac-6180-42a0-ab88-20f7382dd24c",
        "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC.",
    ),
    (
        "Reader",
        "acdd72a7-3385-48ef-bd42-f606fba81ae7",
        "View all resources, but does not allow you to make any changes.",
    ),
    (
        "AcrPull",
        "7f951dda-4ed3-4680-a7ca-43fe172d538d",
        "acr pull",
    ),
    (
        "Key Vault Administrator",
        "00482a5a-887f-4fb3-b363-3b7fe8e74483",
        "Perform all data plane operations on a key vault and all objects in it.",
    ),
    (
        "Key Vault Secrets User",
        "4633458b-17de-408a-b874-0445c86b69e6",
        "Read secret contents.",
    ),
    (
        "Key Vault Secrets Officer",
        "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
        "Perform any action on the secrets of a key vault, except manage permissions.",
    ),
    (
        "Storage Blob Data Contributor",
        "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
        "Read, write, and delete Azure Storage containers and blobs.",
    ),
    (
        "Monitoring Metrics Publisher",
        "3913510d-42f4-4e42-8a64-420c390055eb",
        "Enables publishing metrics against Azure resources.",
    ),
];

/// Whether a role definition id (`.../roleDefinitions/<guid>`, any scope) names a role the
/// emulator knows, as ARM checks on every role assignment write.
pub(crate) fn exists(role_definition_id: &str) -> bool {
    let guid = role_definition_id.rsplit('/').next().unwrap_or("");
    BUILT_IN
        .iter()
        .any(|(_, g, _)| g.eq_ignore_ascii_case(guid))
}

fn view(sub: &str, (name, guid, description): &(&str, &str, &str)) -> Value {
    json!({
        "properties": {
            "roleName": name,
            "type": "BuiltInRole",
            "description": description,
            "assignableScopes": ["/"],
            "permissions": [{"actions": [], "notActions": [], "dataActions": [], "notDataActions": []}],
            "createdOn": "2015-02-02T21:55:09.8806423Z",
            "updatedOn": "2021-11-11T20:13:47.8628684Z",
            "createdBy": null,
            "updatedBy": null
        },
        "id": format!("/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{guid}"),
        "type": "Microsoft.Authorization/roleDefinitions",
        "name": guid
    })
}

/// `roleName eq 'Key Vault Secrets User'` → the name (OData doubles a quote inside).
fn role_name_filter(filter: &str) -> Option<String> {
    let rest = filter.trim().strip_prefix("roleName")?.trim_start();
    let rest = rest.strip_prefix("eq")?.trim();
    let inner = rest.strip_prefix('\'')?.strip_suffix('\'')?;
    Some(inner.replace("''", "'"))
}

pub(crate) fn handle(
    method: &axum::http::Method,
    p: &ResPath,
    query: &str,
) -> Result<Response, ArmError> {
    if method != Method::GET {
        return Err(ArmError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "Built-in role definitions cannot be changed.",
        ));
    }
    if p.is_item() {
        let guid = p.name();
        return BUILT_IN
            .iter()
            .find(|r| r.1.eq_ignore_ascii_case(guid))
            .map(|r| json_response(StatusCode::OK, view(&p.sub, r)))
            .ok_or_else(|| {
                ArmError::new(
                    StatusCode::NOT_FOUND,
                    "RoleDefinitionDoesNotExist",
                    format!("The specified role definition with ID '{guid}' does not exist."),
                )
            });
    }
    let wanted = match query_param(query, "$filter") {
        Some(f) => Some(role_name_filter(&f).ok_or_else(|| {
            ArmError::bad_request(
                "InvalidFilterInQueryString",
                format!(
                    "The filter '{f}' is not supported. Supported filters: roleName eq '{{name}}'."
                ),
            )
        })?),
        None => None,
    };
    let value: Vec<Value> = BUILT_IN
        .iter()
        .filter(|r| {
            wanted
                .as_deref()
                .is_none_or(|w| r.0.eq_ignore_ascii_case(w))
        })
        .map(|r| view(&p.sub, r))
        .collect();
    Ok(json_response(StatusCode::OK, json!({ "value": value })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_name_filters_parse_as_odata() {
        assert_eq!(
            role_name_filter("roleName eq 'Key Vault Secrets User'").as_deref(),
            Some("Key Vault Secrets User")
        );
        assert_eq!(
            role_name_filter("roleName eq 'O''Brien'").as_deref(),
            Some("O'Brien")
        );
        assert_eq!(role_name_filter("type eq 'BuiltInRole'"), None);
    }
}
