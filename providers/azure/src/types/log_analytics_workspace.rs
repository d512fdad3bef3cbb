//! `azure.log_analytics_workspace` — Microsoft.OperationalInsights/workspaces.

use super::common::tracked;
use infra_provider_core::{PropertySchema as P, ResourceSchema, Type};

pub fn schema() -> ResourceSchema {
    tracked(
        "azure.log_analytics_workspace",
        "A Log Analytics workspace collecting logs of container apps.",
    )
    .prop(
        "retention_days",
        P::input(Type::Int).doc("Days logs are kept (30 to 730)."),
    )
    .prop(
        "sku",
        P::input(Type::enumeration(&[
            "PerGB2018",
            "Free",
            "Standalone",
            "CapacityReservation",
        ]))
        .doc("Pricing tier; PerGB2018 when omitted."),
    )
    .prop(
        "customer_id",
        P::output(Type::String).doc("Workspace id used by agents."),
    )
    .prop(
        "primary_shared_key",
        P::output(Type::Secret)
            .secret()
            .doc("Shared key agents use to send logs."),
    )
}

pub const API_VERSION: &str = "2023-09-01";

use crate::kind::{AzureType, Cx};
use crate::mapping::{i, jint, jstr, obj, put, s, tracked_body, tracked_id, tracked_inputs};
use crate::provider::AzureConfig;
use infra_provider_core::{BoxFuture, ObjectState, Props, ProviderResult, Value};
use serde_json::{Value as J, json};

pub struct Workspace;
pub static KIND: Workspace = Workspace;

impl Workspace {
    /// Shared keys come from POST sharedKeys only; fetched after writes, kept on reads.
    async fn with_key(&self, cx: &Cx<'_>, mut st: ObjectState) -> ProviderResult<ObjectState> {
        let keys = cx
            .client
            .post(
                &format!("{}/sharedKeys", st.id),
                API_VERSION,
                None,
                cx.cancel,
            )
            .await?;
        if let Some(k) = keys.get("primarySharedKey").and_then(J::as_str) {
            st.outputs
                .insert("primary_shared_key".into(), Value::secret(Value::str(k)));
        }
        Ok(st)
    }
}

/// Synchronous PUT; the RP fills sku PerGB2018 and 30 days of retention when unset.
impl AzureType for Workspace {
    fn schema(&self) -> ResourceSchema {
        schema()
    }
    fn api_version(&self) -> &'static str {
        API_VERSION
    }
    fn arm_id(&self, sub: &str, p: &Props) -> Option<String> {
        tracked_id(sub, p, "Microsoft.OperationalInsights/workspaces")
    }
    fn computed(&self) -> &'static [&'static str] {
        &["location", "sku", "retention_days"]
    }
    /// Assigned by the RP.
    fn read_only(&self) -> &'static [&'static str] {
        &[
            "/properties/customerId",
            "/properties/createdDate",
            "/properties/modifiedDate",
        ]
    }
    fn location_from_group(&self) -> bool {
        true
    }
    fn to_body(&self, p: &Props, _: &AzureConfig) -> ProviderResult<J> {
        let props = obj(vec![
            ("sku", s(p, "sku").map(|n| json!({"name": n}))),
            ("retentionInDays", i(p, "retention_days").map(|d| json!(d))),
        ]);
        Ok(tracked_body(p, props))
    }
    fn read_body(&self, body: &J, _prior: &Props) -> ProviderResult<(Props, Props)> {
        let mut p = tracked_inputs(body);
        put(&mut p, "sku", jstr(body, "/properties/sku/name"));
        put(
            &mut p,
            "retention_days",
            jint(body, "/properties/retentionInDays"),
        );
        let mut out = Props::new();
        put(
            &mut out,
            "customer_id",
            jstr(body, "/properties/customerId"),
        );
        Ok((p, out))
    }
    fn after_write<'a>(
        &'a self,
        cx: &'a Cx<'a>,
        st: ObjectState,
        _inputs: &'a Props,
    ) -> BoxFuture<'a, ProviderResult<ObjectState>> {
        Box::pin(self.with_key(cx, st))
    }
    fn kept_on_read(&self) -> &'static [&'static str] {
        &["primary_shared_key"]
    }
}
