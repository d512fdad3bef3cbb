//! Types without a recorded RP quirk: any unknown type (stored and echoed with
//! id/name/type/provisioningState), Log Analytics workspaces, role assignments.

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::{Kind, Prepared, PutCtx, default, properties};
use crate::error::ArmError;
use crate::store::{Entry, State};
use crate::util::{base64_std, fnv};

pub(crate) struct Generic;
pub(crate) static GENERIC: Generic = Generic;

impl Kind for Generic {
    fn put(&self, ctx: &PutCtx<'_>, _st: &mut State, body: Value) -> Result<Prepared, ArmError> {
        let mut out = ctx.shell();
        if let Value::Object(m) = &body {
            for (k, v) in m {
                if !matches!(
                    k.as_str(),
                    "id" | "name" | "type" | "properties" | "systemData"
                ) {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
        let mut props = properties(&body)?;
        props.insert("provisioningState".into(), json!("Succeeded"));
        out.insert("properties".into(), Value::Object(props));
        out.insert("systemData".into(), ctx.system_data());
        Ok(Prepared::new(out))
    }
}

/// Microsoft.OperationalInsights/workspaces: synchronous; the shared keys a managed
/// environment needs come from POST `sharedKeys`, never from GET.
pub(crate) struct Workspace;
pub(crate) static WORKSPACE: Workspace = Workspace;

impl Kind for Workspace {
    fn put(&self, ctx: &PutCtx<'_>, _st: &mut State, body: Value) -> Result<Prepared, ArmError> {
        let mut out = ctx.shell();
        out.insert("location".into(), json!(ctx.location(&body, false)?));
        out.insert("tags".into(), super::tags_or_empty(&body));
        let mut p = properties(&body)?;
        let old = ctx.existing_body().and_then(|b| b.get("properties"));
        let keep = |k: &str| old.and_then(|o| o.get(k)).cloned();
        let h = fnv(&ctx.id);
        let customer_id = keep("customerId").unwrap_or_else(|| {
            json!(format!(
                "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
                h >> 32,
                (h >> 16) & 0xffff,
                h & 0xfff,
                (h >> 4) & 0xfff,
                h & 0xffff_ffff_ffff
            ))
        });
        p.insert("customerId".into(), customer_id);
        p.insert("provisioningState".into(), json!("Succeeded"));
        default(&mut p, "sku", json!({"name": "PerGB2018"}));
        default(&mut p, "retentionInDays", json!(30));
        default(
            &mut p,
            "features",
            json!({"enableLogAccessUsingOnlyResourcePermissions": true}),
        );
        default(&mut p, "workspaceCapping", json!({"dailyQuotaGb": -1.0}));
        default(&mut p, "publicNetworkAccessForIngestion", json!("Enabled"));
        default(&mut p, "publicNetworkAccessForQuery", json!("Enabled"));
        p.insert(
            "createdDate".into(),
            keep("createdDate").unwrap_or_else(|| json!(ctx.now)),
        );
        p.insert("modifiedDate".into(), json!(ctx.now));
        out.insert("properties".into(), Value::Object(p));
        out.insert("systemData".into(), ctx.system_data());
        let mut prepared = Prepared::new(out);
        prepared.private = ctx
            .existing
            .as_ref()
            .map(|e| e.private.clone())
            .filter(|p| !p.is_null())
            .unwrap_or_else(|| {
                ctx.app.with_rng(|r| {
                    let mut key = |_| {
                        base64_std(r.b64(64).as_bytes())
                            .chars()
                            .take(88)
                            .collect::<String>()
                    };
                    json!({"primarySharedKey": key(0), "secondarySharedKey": key(1)})
                })
            });
        Ok(prepared)
    }
    fn action(
        &self,
        action: &str,
        entry: &Entry,
        _st: &mut State,
    ) -> Result<Option<Value>, ArmError> {
        if action.eq_ignore_ascii_case("sharedKeys") {
            return Ok(Some(entry.private.clone()));
        }
        GENERIC.action(action, entry, _st)
    }
}

/// Microsoft.Authorization/roleAssignments at any scope. Assignments cannot be
/// updated, and one principal can hold one role only once per scope.
pub(crate) struct RoleAssignment;
pub(crate) static ROLE_ASSIGNMENT: RoleAssignment = RoleAssignment;

fn is_guid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

impl Kind for RoleAssignment {
    fn put(&self, ctx: &PutCtx<'_>, st: &mut State, body: Value) -> Result<Prepared, ArmError> {
        if !is_guid(ctx.name()) {
            return Err(ArmError::bad_request(
                "InvalidRoleAssignmentId",
                format!(
                    "The role assignment ID '{}' is not valid. The role assignment ID must be a GUID.",
                    ctx.name()
                ),
            ));
        }
        let p = properties(&body)?;
        let get = |k: &str| p.get(k).and_then(Value::as_str).map(str::to_string);
        let (Some(role), Some(principal)) = (get("roleDefinitionId"), get("principalId")) else {
            return Err(ArmError::bad_request(
                "InvalidRequestContent",
                "roleDefinitionId and principalId are required.",
            ));
        };
        if !super::role_definitions::exists(&role) {
            return Err(ArmError::bad_request(
                "RoleDefinitionDoesNotExist",
                format!("The specified role definition with ID '{role}' does not exist."),
            ));
        }
        let scope = ctx
            .id
            .rsplit_once("/providers/Microsoft.Authorization/")
            .map(|(s, _)| s)
            .unwrap_or("")
            .to_string();
        if let Some(old) = ctx.existing_body() {
            let same = |k: &str| {
                old.pointer(&format!("/properties/{k}"))
                    .and_then(Value::as_str)
                    .map(str::to_ascii_lowercase)
                    == get(k).map(|v| v.to_ascii_lowercase())
            };
            if !(same("roleDefinitionId") && same("principalId")) {
                return Err(ArmError::bad_request(
                    "RoleAssignmentUpdateNotPermitted",
                    "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
                ));
            }
        }
        let duplicate = st.resources.values().any(|e| {
            let pr = |k: &str| {
                e.body
                    .pointer(&format!("/properties/{k}"))
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_ascii_lowercase()
            };
            e.body.get("type").and_then(Value::as_str)
                == Some("Microsoft.Authorization/roleAssignments")
                && !e.id().eq_ignore_ascii_case(&ctx.id)
                && pr("scope") == scope.to_ascii_lowercase()
                && pr("roleDefinitionId") == role.to_ascii_lowercase()
                && pr("principalId") == principal.to_ascii_lowercase()
        });
        if duplicate {
            return Err(ArmError::new(
                StatusCode::CONFLICT,
                "RoleAssignmentExists",
                "The role assignment already exists.",
            ));
        }
        let mut props = Map::new();
        props.insert("roleDefinitionId".into(), json!(role));
        props.insert("principalId".into(), json!(principal));
        props.insert(
            "principalType".into(),
            json!(get("principalType").unwrap_or_else(|| "User".into())),
        );
        props.insert("scope".into(), json!(scope));
        props.insert(
            "condition".into(),
            p.get("condition").cloned().unwrap_or(Value::Null),
        );
        props.insert(
            "conditionVersion".into(),
            p.get("conditionVersion").cloned().unwrap_or(Value::Null),
        );
        let created = ctx
            .existing_body()
            .and_then(|b| b.pointer("/properties/createdOn"))
            .cloned();
        props.insert(
            "createdOn".into(),
            created.unwrap_or_else(|| json!(ctx.now)),
        );
        props.insert("updatedOn".into(), json!(ctx.now));
        props.insert("createdBy".into(), Value::Null);
        props.insert(
            "updatedBy".into(),
            json!("00000000-0000-0000-0000-000000000000"),
        );
        props.insert("delegatedManagedIdentityResourceId".into(), Value::Null);
        props.insert(
            "description".into(),
            p.get("description").cloned().unwrap_or(Value::Null),
        );
        let mut out = ctx.shell();
        out.insert("properties".into(), Value::Object(props));
        Ok(Prepared::new(out))
    }
}
