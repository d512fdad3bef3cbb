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
        P::input(Type::String).required().create_only().doc(
            "Role name (\"Key Vault Secrets User\", looked up through ARM), definition GUID or id.",
        ),
    )
    .prop(
        "principal_type",
        P::input(Type::enumeration(&["ServicePrincipal", "User", "Group"]))
            .create_only()
            .doc("Kind of principal."),
    )
    .prop("id", P::output(Type::String).doc("ARM resource id."))
    .prop(
        "role_definition_id",
        P::output(Type::String).doc("The role definition the name resolved to."),
    )
}

pub const API_VERSION: &str = "2022-04-01";

use super::role_definitions::{self as roles, literal_id};
use crate::kind::{AzureType, Cx, state_from};
use crate::mapping::{put, s, subscription_of};
use crate::provider::AzureConfig;
use infra_provider_core::{BoxFuture, ObjectState, Props, ProviderError, ProviderResult, Value};
use reqwest::Method;
use serde_json::{Value as J, json};
use sha2::{Digest, Sha256};

pub struct RoleAssignment;
pub static KIND: RoleAssignment = RoleAssignment;

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

fn scope_of(p: &Props) -> Option<&str> {
    s(p, "scope").map(|x| x.trim_end_matches('/'))
}

/// The subscription the role is looked up in: the scope's, else the provider's.
fn sub_for(scope: &str, cfg: &AzureConfig) -> String {
    subscription_of(scope).unwrap_or_else(|| cfg.subscription_id.clone())
}

fn assignment_id(scope: &str, principal: &str, role_id: &str) -> String {
    let name = assignment_name(scope, principal, role_id);
    format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}")
}

fn guid_of(id: &str) -> &str {
    id.rsplit('/').next().unwrap_or(id)
}

/// Assignments cannot be updated: every input is create-only. A role given by name is
/// resolved through ARM at apply time, so its assignment id is only predicted at plan time
/// when the role is written as a GUID or an id.
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
        let scope = scope_of(p)?;
        let role = literal_id(
            &subscription_of(scope).unwrap_or_else(|| sub.to_string()),
            s(p, "role")?,
        )?;
        Some(assignment_id(scope, s(p, "principal")?, &role))
    }
    fn computed(&self) -> &'static [&'static str] {
        &["principal_type"]
    }
    /// The recorded spelling of the role wins when it names the same definition (a name in
    /// another case, or the GUID or id of the recorded definition).
    fn normalise(&self, d: &mut Props, prior: Option<&ObjectState>) {
        let (Some(prior), Some(want)) = (prior, s(d, "role")) else {
            return;
        };
        let Some(had) = s(&prior.inputs, "role") else {
            return;
        };
        let recorded = prior
            .outputs
            .get("role_definition_id")
            .and_then(Value::as_str)
            .map(guid_of);
        let same = want.eq_ignore_ascii_case(had)
            || recorded.is_some_and(|g| guid_of(want).eq_ignore_ascii_case(g));
        if same {
            d.insert("role".into(), Value::str(had));
        }
    }
    /// `role` must already be a definition id here (`create` resolves names first).
    fn to_body(&self, p: &Props, cfg: &AzureConfig) -> ProviderResult<J> {
        let scope = scope_of(p).unwrap_or_default();
        let role = s(p, "role").unwrap_or_default();
        let role_id = literal_id(&sub_for(scope, cfg), role).ok_or_else(|| {
            ProviderError::Invalid(format!(
                "azure.role_assignment: role `{role}` was not resolved to a definition id"
            ))
        })?;
        let mut props = json!({"roleDefinitionId": role_id, "principalId": s(p, "principal")});
        if let Some(t) = s(p, "principal_type") {
            props["principalType"] = json!(t);
        }
        Ok(json!({"properties": props}))
    }
    /// The role keeps the recorded spelling (`read` checks it still names the live
    /// definition); without one (import) it is the live definition id.
    fn read_body(&self, body: &J, prior: &Props) -> ProviderResult<(Props, Props)> {
        let mut p = Props::new();
        let get = |k: &str| {
            body.pointer(&format!("/properties/{k}"))
                .and_then(J::as_str)
                .map(str::to_string)
        };
        // Keep the user's spelling (a scope reference, a principal's case) when it is the same.
        let same = |k: &str, live: Option<String>, norm: &dyn Fn(&str) -> String| match (
            s(prior, k),
            live,
        ) {
            (Some(mine), Some(l)) if norm(mine).eq_ignore_ascii_case(&l) => Some(Value::str(mine)),
            (_, l) => l.map(Value::String),
        };
        put(
            &mut p,
            "scope",
            same("scope", get("scope"), &|x| {
                x.trim_end_matches('/').to_string()
            }),
        );
        put(
            &mut p,
            "principal",
            same("principal", get("principalId"), &|x| x.to_string()),
        );
        let live_role = get("roleDefinitionId");
        put(
            &mut p,
            "role",
            s(prior, "role")
                .map(Value::str)
                .or_else(|| live_role.clone().map(Value::String)),
        );
        put(
            &mut p,
            "principal_type",
            get("principalType").map(Value::String),
        );
        let mut out = Props::new();
        put(&mut out, "role_definition_id", live_role.map(Value::String));
        Ok((p, out))
    }
    fn create<'a>(
        &'a self,
        cx: &'a Cx<'a>,
        inputs: &'a Props,
    ) -> BoxFuture<'a, ProviderResult<ObjectState>> {
        Box::pin(async move {
            let (Some(scope), Some(principal), Some(role)) =
                (scope_of(inputs), s(inputs, "principal"), s(inputs, "role"))
            else {
                return Err(crate::kind::unknown_id(&self.schema()));
            };
            let role_id = roles::resolve(cx, &sub_for(scope, cx.config), scope, role).await?;
            let id = assignment_id(scope, principal, &role_id);
            let mut resolved = inputs.clone();
            resolved.insert("role".into(), Value::String(role_id));
            let body = self.to_body(&resolved, cx.config)?;
            let answer = cx
                .client
                .write(Method::PUT, &id, API_VERSION, &body, cx.cancel)
                .await?;
            state_from(self, &answer, inputs, &id)
        })
    }
    fn read<'a>(
        &'a self,
        cx: &'a Cx<'a>,
        prior: &'a ObjectState,
    ) -> BoxFuture<'a, ProviderResult<Option<ObjectState>>> {
        Box::pin(async move {
            let Some(body) = cx.client.get(&prior.id, API_VERSION, cx.cancel).await? else {
                return Ok(None);
            };
            let mut st = state_from(self, &body, &prior.inputs, &prior.id)?;
            let live = st.outputs.get("role_definition_id").and_then(Value::as_str);
            if let (Some(live), Some(mine), Some(scope)) =
                (live, s(&prior.inputs, "role"), scope_of(&prior.inputs))
            {
                // A name that no longer resolves, or resolves elsewhere, is drift; a lookup
                // that fails for another reason (network, throttling) is an error, not drift.
                let same = match roles::resolve(cx, &sub_for(scope, cx.config), scope, mine).await {
                    Ok(r) => guid_of(&r).eq_ignore_ascii_case(guid_of(live)),
                    Err(ProviderError::Invalid(_)) => false,
                    Err(e) => return Err(e),
                };
                if !same {
                    let live = Value::str(live);
                    st.inputs.insert("role".into(), live);
                }
            }
            Ok(Some(st))
        })
    }
    fn import<'a>(
        &'a self,
        cx: &'a Cx<'a>,
        id: &'a str,
    ) -> BoxFuture<'a, ProviderResult<Option<ObjectState>>> {
        Box::pin(async move {
            let Some(body) = cx.client.get(id, API_VERSION, cx.cancel).await? else {
                return Ok(None);
            };
            let mut st = state_from(self, &body, &Props::new(), id)?;
            let live = st
                .outputs
                .get("role_definition_id")
                .and_then(Value::as_str)
                .map(str::to_string);
            // Adopted assignments read back by role name, as configurations usually say it.
            if let Some(live) = live
                && let Some(name) = roles::name_of(cx, &live).await?
            {
                st.inputs.insert("role".into(), Value::String(name));
            }
            Ok(Some(st))
        })
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
        assert!(super::super::role_definitions::is_guid(&a));
        assert_ne!(
            a,
            assignment_name("/subscriptions/s/resourceGroups/rg", "p2", "r")
        );
    }
}
