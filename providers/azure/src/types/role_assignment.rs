//! `azure.role_assignment` — Microsoft.Authorization/roleAssignments.

use infra_provider_core::{PropertySchema as P, ResourceSchema, Type};

pub fn schema() -> ResourceSchema {
    ResourceSchema::new(
        "azure.role_assignment",
        "Grants a role to a principal at a scope.",
    )
    .prop(
        "scope",
        P::input(Type::String)
            .required()
            .create_only()
            .doc("A resource (reference) or scope id."),
    )
    .prop(
        "principal",
        P::input(Type::String)
            .required()
            .create_only()
            .doc("Object id of the principal."),
    )
    .prop(
        "role",
        P::input(Type::String)
            .required()
            .create_only()
            .doc("Role name (\"Key Vault Secrets User\") or definition id."),
    )
    .prop(
        "principal_type",
        P::input(Type::enumeration(&["ServicePrincipal", "User", "Group"]))
            .create_only()
            .doc("Kind of principal."),
    )
    .prop("id", P::output(Type::String).doc("ARM resource id."))
}

pub const API_VERSION: &str = "2022-04-01";

use crate::kind::AzureType;
use crate::mapping::{put, s};
use crate::provider::AzureConfig;
use infra_provider_core::{Props, ProviderError, ProviderResult, Value};
use serde_json::{Value as J, json};
use sha2::{Digest, Sha256};

pub struct RoleAssignment;
pub static KIND: RoleAssignment = RoleAssignment;

/// Built-in roles by name (their ids are the same in every tenant).
const BUILT_IN: &[(&str, &str)] = &[
    ("Owner", "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"),
    ("Contributor", "b24988ac-6180-42a0-ab88-20f7382dd24c"),
    ("Reader", "acdd72a7-3385-48ef-bd42-f606fba81ae7"),
    ("AcrPull", "7f951dda-4ed3-4680-a7ca-43fe172d538d"),
    (
        "Key Vault Administrator",
        "00482a5a-887f-4fb3-b363-3b7fe8e74483",
    ),
    (
        "Key Vault Secrets User",
        "4633458b-17de-408a-b874-0445c86b69e6",
    ),
    (
        "Key Vault Secrets Officer",
        "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
    ),
    (
        "Storage Blob Data Contributor",
        "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    ),
    (
        "Monitoring Metrics Publisher",
        "3913510d-42f4-4e42-8a64-420c390055eb",
    ),
];

fn is_guid(s: &str) -> bool {
    s.len() == 36
        && s.chars().enumerate().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// The role definition id for a role name, GUID or id.
pub fn role_definition_id(sub: &str, role: &str) -> Option<String> {
    if role.starts_with('/') {
        return Some(role.to_string());
    }
    let guid = if is_guid(role) {
        role.to_ascii_lowercase()
    } else {
        BUILT_IN
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(role))?
            .1
            .to_string()
    };
    Some(format!(
        "/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{guid}"
    ))
}

/// A name-based GUID (version 5 layout, SHA-256 based) of scope + principal + role, all
/// lower-cased: the same assignment always gets the same name, so a repeated create finds
/// it instead of failing with RoleAssignmentExists.
pub fn assignment_name(scope: &str, principal: &str, role_id: &str) -> String {
    let seed = format!(
        "{}|{}|{}",
        scope.to_ascii_lowercase(),
        principal.to_ascii_lowercase(),
        role_id.to_ascii_lowercase()
    );
    let h = Sha256::digest(seed.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Assignments cannot be updated: every input is create-only.
impl AzureType for RoleAssignment {
    fn adopts_on_create(&self) -> bool {
        true
    }
    fn schema(&self) -> ResourceSchema {
        schema()
    }
    fn api_version(&self) -> &'static str {
        API_VERSION
    }
    fn arm_id(&self, sub: &str, p: &Props) -> Option<String> {
        let scope = s(p, "scope")?.trim_end_matches('/');
        let role = role_definition_id(sub, s(p, "role")?)?;
        let name = assignment_name(scope, s(p, "principal")?, &role);
        Some(format!(
            "{scope}/providers/Microsoft.Authorization/roleAssignments/{name}"
        ))
    }
    fn computed(&self) -> &'static [&'static str] {
        &["principal_type"]
    }
    fn to_body(&self, p: &Props, cfg: &AzureConfig) -> ProviderResult<J> {
        let role = s(p, "role").unwrap_or_default();
        let role_id = role_definition_id(&cfg.subscription_id, role)
            .ok_or_else(|| ProviderError::Invalid(format!("azure.role_assignment: unknown role `{role}`: use a built-in role name or a role definition id")))?;
        let mut props = json!({"roleDefinitionId": role_id, "principalId": s(p, "principal")});
        if let Some(t) = s(p, "principal_type") {
            props["principalType"] = json!(t);
        }
        Ok(json!({"properties": props}))
    }
    fn read_body(&self, body: &J, prior: &Props) -> ProviderResult<(Props, Props)> {
        let mut p = Props::new();
        let get = |k: &str| {
            body.pointer(&format!("/properties/{k}"))
                .and_then(J::as_str)
                .map(str::to_string)
        };
        // Keep the user's spelling (a role name, a scope reference) when it means the same.
        let same = |k: &str, live: Option<String>, resolve: &dyn Fn(&str) -> Option<String>| match (
            s(prior, k),
            live,
        ) {
            (Some(mine), Some(l)) if resolve(mine).is_some_and(|r| r.eq_ignore_ascii_case(&l)) => {
                Some(Value::str(mine))
            }
            (_, l) => l.map(Value::String),
        };
        let sub = body
            .get("id")
            .and_then(J::as_str)
            .and_then(crate::mapping::subscription_of)
            .unwrap_or_default();
        put(
            &mut p,
            "scope",
            same("scope", get("scope"), &|x| {
                Some(x.trim_end_matches('/').to_string())
            }),
        );
        put(
            &mut p,
            "principal",
            same("principal", get("principalId"), &|x| Some(x.to_string())),
        );
        let role = same("role", get("roleDefinitionId"), &|x| {
            role_definition_id(&sub, x)
        });
        // Without a prior spelling (import), a built-in role reads back by its name.
        let role = match (s(prior, "role"), role) {
            (None, Some(Value::String(id))) => Some(
                BUILT_IN
                    .iter()
                    .find(|(_, g)| id.to_ascii_lowercase().ends_with(g))
                    .map(|(n, _)| Value::str(*n))
                    .unwrap_or(Value::String(id)),
            ),
            (_, r) => r,
        };
        put(&mut p, "role", role);
        put(
            &mut p,
            "principal_type",
            get("principalType").map(Value::String),
        );
        Ok((p, Props::new()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_deterministic_guids() {
        let a = assignment_name("/subscriptions/s/resourceGroups/rg", "p", "r");
        assert_eq!(
            a,
            assignment_name("/SUBSCRIPTIONS/s/resourcegroups/RG", "P", "R")
        );
        assert!(is_guid(&a));
        assert_ne!(
            a,
            assignment_name("/subscriptions/s/resourceGroups/rg", "p2", "r")
        );
    }
}
