//! `azure.key_vault` — Microsoft.KeyVault/vaults @2026-02-01.

use super::common::tracked;
use super::key_vault_policies::{self as policies, PERMISSION_KINDS};
use infra_provider_core::{Field, PropertySchema as P, ResourceSchema, Type};

pub fn schema() -> ResourceSchema {
    tracked(
        "azure.key_vault",
        "A Key Vault holding every secret of the platform.",
    )
    .prop(
        "sku",
        P::input(Type::enumeration(&["standard", "premium"])).doc("Tier; standard when omitted."),
    )
    .prop(
        "tenant_id",
        P::input(Type::String).doc("Entra tenant; the caller's when omitted."),
    )
    .prop(
        "rbac",
        P::input(Type::Bool).doc(
            "Authorise data access with Azure RBAC (enableRbacAuthorization); true when omitted. \
             Set false to use `access_policies`.",
        ),
    )
    .prop(
        "access_policies",
        P::input(Type::list(policy_type())).doc(
            "Access policies (only with `rbac = false`): who (`object_id`, in `tenant_id`, the \
             vault's when omitted) may do what (`secrets`, `keys`, `certificates` permissions).",
        ),
    )
    .prop(
        "soft_delete_retention_days",
        P::input(Type::Int)
            .create_only()
            .doc("7 to 90 days; set at creation."),
    )
    .prop(
        "purge_protection",
        P::input(Type::Bool).doc("One-way switch: cannot be turned off once on."),
    )
    .prop(
        "public_network_access",
        P::input(Type::Bool).doc("Reachable from public networks."),
    )
    .prop(
        "uri",
        P::output(Type::String).doc("Vault URI, e.g. https://name.vault.azure.net/"),
    )
}

fn policy_type() -> Type {
    let mut fields = vec![
        Field::required("object_id", Type::String),
        Field::optional("tenant_id", Type::String),
    ];
    fields.extend(
        PERMISSION_KINDS
            .iter()
            .map(|k| Field::optional(k, Type::list(Type::String))),
    );
    Type::Object(fields)
}

pub const API_VERSION: &str = "2026-02-01";
const PROVIDER_TYPE: &str = "Microsoft.KeyVault/vaults";

use crate::kind::{
    AzureType, Cx, ensure_absent, mark_created, put_and_read, unknown_id, with_group_location,
};
use crate::mapping::{
    b, i, jbool, jint, jstr, obj, put, s, tracked_body, tracked_id, tracked_inputs,
};
use crate::provider::AzureConfig;
use infra_provider_core::{BoxFuture, ObjectState, Props, ProviderError, ProviderResult, Value};
use reqwest::Method;
use serde_json::{Value as J, json};

pub struct KeyVault;
pub static KIND: KeyVault = KeyVault;

/// The tenant of the provider's subscription, as ARM reports it (`GET /subscriptions/{id}`):
/// a vault's tenant when neither the vault nor the environment names one, as Bicep's
/// `subscription().tenantId`.
async fn subscription_tenant(cx: &Cx<'_>) -> ProviderResult<String> {
    let sub = format!("/subscriptions/{}", cx.config.subscription_id);
    let body = cx.client.get(&sub, SUBSCRIPTION_API, cx.cancel).await?;
    body.as_ref()
        .and_then(|b| b.get("tenantId"))
        .and_then(J::as_str)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .ok_or_else(|| {
            ProviderError::Invalid(format!(
                "azure.key_vault: `tenant_id` is not set, no tenant is configured (AZURE_TENANT_ID, or `tenant` in the target) and {sub} does not say its tenant"
            ))
        })
}

/// api-version of `GET /subscriptions/{id}`.
const SUBSCRIPTION_API: &str = "2022-12-01";

fn tenant(p: &Props, cfg: &AzureConfig) -> ProviderResult<String> {
    s(p, "tenant_id").map(str::to_string).or_else(|| cfg.tenant_id.clone()).ok_or_else(|| {
        ProviderError::Invalid("azure.key_vault: `tenant_id` is not set and no tenant is configured (AZURE_TENANT_ID)".into())
    })
}

fn properties(p: &Props, cfg: &AzureConfig) -> ProviderResult<serde_json::Map<String, J>> {
    let access = |on: bool| json!(if on { "Enabled" } else { "Disabled" });
    Ok(obj(vec![
        ("tenantId", Some(json!(tenant(p, cfg)?))),
        (
            "sku",
            Some(json!({"family": "A", "name": s(p, "sku").unwrap_or("standard")})),
        ),
        (
            "accessPolicies",
            Some(policies::to_json(p, &tenant(p, cfg)?)?),
        ),
        ("enableRbacAuthorization", Some(J::Bool(rbac(p)))),
        (
            "softDeleteRetentionInDays",
            i(p, "soft_delete_retention_days").map(|d| json!(d)),
        ),
        // ARM refuses `false` here (a one-way switch): off is said by leaving it out.
        (
            "enablePurgeProtection",
            b(p, "purge_protection").filter(|on| *on).map(J::Bool),
        ),
        (
            "publicNetworkAccess",
            b(p, "public_network_access").map(access),
        ),
    ]))
}

/// RBAC unless the configuration turns it off.
fn rbac(p: &Props) -> bool {
    b(p, "rbac").unwrap_or(true)
}

fn is_soft_deleted_conflict(e: &ProviderError) -> bool {
    matches!(e, ProviderError::Cloud { code, message, .. }
        if code.eq_ignore_ascii_case("ConflictError") && message.to_ascii_lowercase().contains("deleted state"))
}

/// Vaults are synchronous (PUT 200/201, DELETE 200) and soft-deleted on delete: the name
/// stays reserved, so create recovers a deleted vault of the same name when allowed.
impl AzureType for KeyVault {
    fn schema(&self) -> ResourceSchema {
        schema()
    }
    fn api_version(&self) -> &'static str {
        API_VERSION
    }
    fn arm_id(&self, sub: &str, p: &Props) -> Option<String> {
        tracked_id(sub, p, PROVIDER_TYPE)
    }
    fn computed(&self) -> &'static [&'static str] {
        &[
            "location",
            "sku",
            "tenant_id",
            "soft_delete_retention_days",
            "public_network_access",
        ]
    }
    /// Server-owned per FINDINGS §2.6.
    fn read_only(&self) -> &'static [&'static str] {
        &[
            "/properties/vaultUri",
            "/properties/hsmPoolResourceId",
            "/properties/privateEndpointConnections",
        ]
    }
    fn location_from_group(&self) -> bool {
        true
    }
    fn normalise(&self, d: &mut Props, prior: Option<&ObjectState>) {
        if d.get("purge_protection") == Some(&Value::Bool(false)) {
            d.remove("purge_protection");
        }
        d.insert("rbac".into(), Value::Bool(rbac(d)));
        let vault_tenant = s(d, "tenant_id")
            .or_else(|| prior.and_then(|p| s(&p.inputs, "tenant_id")))
            .map(str::to_string);
        policies::normalise(d, vault_tenant.as_deref());
    }
    fn check_change(&self, d: &Props, prior: &ObjectState) -> ProviderResult<()> {
        if b(&prior.inputs, "purge_protection") == Some(true)
            && b(d, "purge_protection") != Some(true)
        {
            return Err(ProviderError::Invalid(
                "azure.key_vault: purge_protection cannot be turned off once it is on (Azure refuses it); keep `purge_protection = true`".into(),
            ));
        }
        Ok(())
    }
    fn to_body(&self, p: &Props, cfg: &AzureConfig) -> ProviderResult<J> {
        Ok(tracked_body(p, properties(p, cfg)?))
    }
    fn read_body(&self, body: &J, _prior: &Props) -> ProviderResult<(Props, Props)> {
        let mut p = tracked_inputs(body);
        put(&mut p, "sku", jstr(body, "/properties/sku/name"));
        put(&mut p, "tenant_id", jstr(body, "/properties/tenantId"));
        // Omitted means the API's default, RBAC (FINDINGS §2.6: omitted when sent as null).
        put(
            &mut p,
            "rbac",
            Some(jbool(body, "/properties/enableRbacAuthorization").unwrap_or(Value::Bool(true))),
        );
        policies::read(body, &mut p);
        put(
            &mut p,
            "soft_delete_retention_days",
            jint(body, "/properties/softDeleteRetentionInDays"),
        );
        put(
            &mut p,
            "purge_protection",
            jbool(body, "/properties/enablePurgeProtection").filter(|v| *v == Value::Bool(true)),
        );
        let pna = body
            .pointer("/properties/publicNetworkAccess")
            .and_then(J::as_str);
        put(
            &mut p,
            "public_network_access",
            pna.map(|v| Value::Bool(!v.eq_ignore_ascii_case("Disabled"))),
        );
        let mut out = Props::new();
        put(&mut out, "uri", jstr(body, "/properties/vaultUri"));
        Ok((p, out))
    }

    fn create<'a>(
        &'a self,
        cx: &'a Cx<'a>,
        inputs: &'a Props,
    ) -> BoxFuture<'a, ProviderResult<ObjectState>> {
        Box::pin(async move {
            let mut inputs = with_group_location(self, cx, inputs).await?;
            if s(&inputs, "tenant_id").is_none() && cx.config.tenant_id.is_none() {
                let tenant = subscription_tenant(cx).await?;
                inputs.insert("tenant_id".into(), Value::String(tenant));
            }
            let id = self
                .arm_id(&cx.config.subscription_id, &inputs)
                .ok_or_else(|| unknown_id(&self.schema()))?;
            ensure_absent(cx, &id, API_VERSION).await?;
            match put_and_read(self, cx, &id, &inputs).await {
                Err(e) if is_soft_deleted_conflict(&e) => {
                    let name = s(&inputs, "name").unwrap_or_default();
                    if !cx.config.recover_soft_deleted_key_vaults {
                        return Err(ProviderError::Invalid(format!(
                            "azure.key_vault: a soft-deleted vault named `{name}` holds the name; recover it (enable recover_soft_deleted_key_vaults) or purge it (`az keyvault purge --name {name}`), or pick another name"
                        )));
                    }
                    let mut body = tracked_body(&inputs, properties(&inputs, cx.config)?);
                    mark_created(cx, &mut body);
                    if let Some(props) = body.get_mut("properties").and_then(J::as_object_mut) {
                        props.insert("createMode".into(), json!("recover"));
                    }
                    cx.client
                        .write(Method::PUT, &id, API_VERSION, &body, cx.cancel)
                        .await?;
                    // The recovered vault has its old settings: apply the desired ones.
                    put_and_read(self, cx, &id, &inputs).await
                }
                other => other,
            }
        })
    }
}
