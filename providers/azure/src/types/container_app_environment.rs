//! `azure.container_app_environment` — Microsoft.App/managedEnvironments @2026-01-01.

use super::common::tracked;
use infra_provider_core::{PropertySchema as P, ResourceSchema, Type};

pub fn schema() -> ResourceSchema {
    tracked(
        "azure.container_app_environment",
        "A Container Apps environment: the network and log boundary of apps.",
    )
    .prop(
        "logs",
        P::input(Type::Resource("azure.log_analytics_workspace".into()))
            .doc("Workspace receiving the apps' logs (its shared key is passed, never stored)."),
    )
    .prop(
        "zone_redundant",
        P::input(Type::Bool)
            .create_only()
            .doc("Spread replicas across zones."),
    )
    .prop(
        "infrastructure_subnet_id",
        P::input(Type::String)
            .create_only()
            .doc("Subnet for a VNet-integrated environment."),
    )
    .prop(
        "internal",
        P::input(Type::Bool)
            .create_only()
            .doc("Only reachable inside the VNet."),
    )
    .prop(
        "default_domain",
        P::output(Type::String).doc("Domain apps get their FQDNs under."),
    )
    .prop(
        "static_ip",
        P::output(Type::String).doc("Public (or internal) static IP."),
    )
}

pub const API_VERSION: &str = "2026-01-01";
/// Read-only per the 2026-01-01 spec (FINDINGS §2.2).
const READ_ONLY: &[&str] = &[
    "/properties/defaultDomain",
    "/properties/staticIp",
    "/properties/eventStreamEndpoint",
    "/properties/deploymentErrors",
    "/properties/customDomainConfiguration/customDomainVerificationId",
];
const PROVIDER_TYPE: &str = "Microsoft.App/managedEnvironments";

use super::log_analytics_workspace::API_VERSION as WORKSPACE_API;
use crate::kind::{
    AzureType, Cx, ensure_absent, mark_created, preserving_put, state_from, unknown_id,
    with_group_location,
};
use crate::mapping::{b, jbool, jstr, obj, put, s, tracked_body, tracked_id, tracked_inputs};
use crate::provider::AzureConfig;
use infra_provider_core::{BoxFuture, ObjectState, Props, ProviderError, ProviderResult, Value};
use reqwest::Method;
use serde_json::{Map, Value as J, json};

pub struct ManagedEnvironment;
pub static KIND: ManagedEnvironment = ManagedEnvironment;

const CUSTOMER_ID: &str = "/properties/appLogsConfiguration/logAnalyticsConfiguration/customerId";

fn invalid(msg: String) -> ProviderError {
    ProviderError::Invalid(format!("azure.container_app_environment: {msg}"))
}

async fn customer_id(cx: &Cx<'_>, workspace: &str) -> ProviderResult<Option<String>> {
    let ws = cx.client.get(workspace, WORKSPACE_API, cx.cancel).await?;
    Ok(ws
        .as_ref()
        .and_then(|w| w.pointer("/properties/customerId"))
        .and_then(J::as_str)
        .map(str::to_string))
}

/// `appLogsConfiguration` for a workspace: its customer id from GET and its key from POST
/// sharedKeys (GET never shows keys). The key goes into the request and nowhere else.
async fn logs_config(cx: &Cx<'_>, workspace: &str) -> ProviderResult<J> {
    let id = customer_id(cx, workspace)
        .await?
        .ok_or_else(|| invalid(format!("log analytics workspace `{workspace}` not found")))?;
    let keys = cx
        .client
        .post(
            &format!("{workspace}/sharedKeys"),
            WORKSPACE_API,
            None,
            cx.cancel,
        )
        .await?;
    let key = keys
        .get("primarySharedKey")
        .and_then(J::as_str)
        .ok_or_else(|| invalid(format!("workspace `{workspace}` returned no shared key")))?;
    Ok(json!({
        "destination": "log-analytics",
        "logAnalyticsConfiguration": {"customerId": id, "sharedKey": key},
    }))
}

fn properties(p: &Props, logs: Option<J>) -> ProviderResult<Map<String, J>> {
    let subnet = s(p, "infrastructure_subnet_id");
    if subnet.is_none() && b(p, "internal") == Some(true) {
        return Err(invalid(
            "`internal = true` needs `infrastructure_subnet_id` (an internal environment lives in a VNet)".into(),
        ));
    }
    // The RP answers `vnetConfiguration: null` to a block without a subnet (FINDINGS §2.2).
    let vnet = subnet.map(
        |id| json!({"infrastructureSubnetId": id, "internal": b(p, "internal").unwrap_or(false)}),
    );
    Ok(obj(vec![
        ("appLogsConfiguration", logs),
        ("zoneRedundant", b(p, "zone_redundant").map(J::Bool)),
        ("vnetConfiguration", vnet),
    ]))
}

impl ManagedEnvironment {
    async fn write(
        &self,
        cx: &Cx<'_>,
        prior: Option<&ObjectState>,
        inputs: &Props,
    ) -> ProviderResult<ObjectState> {
        let id = prior.map(|p| p.id.as_str());
        let inputs = with_group_location(self, cx, inputs).await?;
        let id = match id {
            Some(id) => id.to_string(),
            None => {
                let id = self
                    .arm_id(&cx.config.subscription_id, &inputs)
                    .ok_or_else(|| unknown_id(&self.schema()))?;
                ensure_absent(cx, &id, API_VERSION).await?;
                id
            }
        };
        let logs = match s(&inputs, "logs") {
            Some(ws) => Some(logs_config(cx, ws).await?),
            None => None,
        };
        let mut body = tracked_body(&inputs, properties(&inputs, logs)?);
        let answer = match prior {
            Some(prior) => {
                // Only whether logs were managed matters for what to reset, not their key.
                let was_logs = s(&prior.inputs, "logs").map(|_| serde_json::json!({}));
                let old = properties(&prior.inputs, was_logs)
                    .ok()
                    .map(|p| tracked_body(&prior.inputs, p));
                preserving_put(cx, &id, API_VERSION, &body, old.as_ref(), READ_ONLY).await?
            }
            None => {
                mark_created(cx, &mut body);
                cx.client
                    .write(Method::PUT, &id, API_VERSION, &body, cx.cancel)
                    .await?
            }
        };
        let mut st = state_from(self, &answer, &inputs, &id)?;
        self.resolve_logs(cx, &answer, &mut st, s(&inputs, "logs"))
            .await?;
        Ok(st)
    }

    /// `logs` from the customer id the environment reports: the workspace recorded before
    /// when it still has that id (one GET), else a search of the subscription's workspaces
    /// (import, or a workspace swapped outside the tool). Unmatched leaves `logs` unset.
    async fn resolve_logs(
        &self,
        cx: &Cx<'_>,
        body: &J,
        st: &mut ObjectState,
        known: Option<&str>,
    ) -> ProviderResult<()> {
        let Some(cid) = body.pointer(CUSTOMER_ID).and_then(J::as_str) else {
            return Ok(());
        };
        if let Some(ws) = known
            && customer_id(cx, ws).await?.as_deref() == Some(cid)
        {
            st.inputs.insert("logs".into(), Value::str(ws));
            return Ok(());
        }
        let sub = crate::mapping::subscription_of(&st.id)
            .unwrap_or_else(|| cx.config.subscription_id.clone());
        let all = cx
            .client
            .get(
                &format!("/subscriptions/{sub}/providers/Microsoft.OperationalInsights/workspaces"),
                WORKSPACE_API,
                cx.cancel,
            )
            .await?;
        let found = all
            .as_ref()
            .and_then(|l| l.get("value"))
            .and_then(J::as_array)
            .and_then(|ws| {
                ws.iter()
                    .find(|w| w.pointer("/properties/customerId").and_then(J::as_str) == Some(cid))
            })
            .and_then(|w| w.get("id"))
            .and_then(J::as_str);
        if let Some(ws) = found {
            st.inputs.insert("logs".into(), Value::str(ws));
        }
        Ok(())
    }
}

/// PUT answers 201 `Waiting` with Azure-AsyncOperation and Retry-After (FINDINGS §2.2).
impl AzureType for ManagedEnvironment {
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
        &["location", "zone_redundant"]
    }
    fn location_from_group(&self) -> bool {
        true
    }
    fn normalise(&self, d: &mut Props, _prior: Option<&ObjectState>) {
        // Without a subnet there is no VNet to be internal to; the RP reports nothing.
        if s(d, "infrastructure_subnet_id").is_none() && b(d, "internal") == Some(false) {
            d.remove("internal");
        }
    }
    fn to_body(&self, p: &Props, _: &AzureConfig) -> ProviderResult<J> {
        // Only reached without the async workspace lookup: logs need `write`.
        Ok(tracked_body(p, properties(p, None)?))
    }
    fn read_body(&self, body: &J, _prior: &Props) -> ProviderResult<(Props, Props)> {
        let mut p = tracked_inputs(body);
        put(
            &mut p,
            "zone_redundant",
            jbool(body, "/properties/zoneRedundant"),
        );
        let vnet = body.pointer("/properties/vnetConfiguration");
        if let Some(subnet) = vnet
            .and_then(|v| v.get("infrastructureSubnetId"))
            .and_then(J::as_str)
        {
            p.insert("infrastructure_subnet_id".into(), Value::str(subnet));
            put(&mut p, "internal", vnet.and_then(|v| jbool(v, "/internal")));
        }
        let mut out = Props::new();
        put(
            &mut out,
            "default_domain",
            jstr(body, "/properties/defaultDomain"),
        );
        put(&mut out, "static_ip", jstr(body, "/properties/staticIp"));
        Ok((p, out))
    }
    fn create<'a>(
        &'a self,
        cx: &'a Cx<'a>,
        inputs: &'a Props,
    ) -> BoxFuture<'a, ProviderResult<ObjectState>> {
        Box::pin(self.write(cx, None, inputs))
    }
    fn update<'a>(
        &'a self,
        cx: &'a Cx<'a>,
        prior: &'a ObjectState,
        inputs: &'a Props,
    ) -> BoxFuture<'a, ProviderResult<ObjectState>> {
        Box::pin(self.write(cx, Some(prior), inputs))
    }
    fn after_read<'a>(
        &'a self,
        cx: &'a Cx<'a>,
        body: &'a J,
        st: &'a mut ObjectState,
        prior: Option<&'a Props>,
    ) -> BoxFuture<'a, ProviderResult<()>> {
        Box::pin(self.resolve_logs(cx, body, st, prior.and_then(|p| s(p, "logs"))))
    }
}
