//! `azure.postgres_configuration` — flexibleServers/configurations @2025-08-01 (server parameters).

use super::common::child;
use infra_provider_core::{PropertySchema as P, ResourceSchema, Type};

pub fn schema() -> ResourceSchema {
    child(
        "azure.postgres_configuration",
        "A server parameter (e.g. max_connections).",
        "server",
        "azure.postgres_flexible_server",
    )
    .prop(
        "value",
        P::input(Type::String).required().doc("Parameter value."),
    )
}

use super::common::child_inputs;
use super::postgres_flexible_server::API_VERSION;
use crate::kind::{AzureType, Cx, state_from};
use crate::mapping::{jstr, put, s};
use crate::provider::AzureConfig;
use infra_provider_core::{BoxFuture, ObjectState, Props, ProviderError, ProviderResult};
use reqwest::Method;
use serde_json::{Value as J, json};

pub struct PostgresConfiguration;
pub static KIND: PostgresConfiguration = PostgresConfiguration;

/// The RP's answer for a parameter nobody has set.
fn is_default(body: &J) -> bool {
    body.pointer("/properties/source")
        .and_then(J::as_str)
        .is_some_and(|v| v.eq_ignore_ascii_case("system-default"))
}

/// Server parameters always exist and cannot be deleted (the RP answers 405): "created"
/// means overridden, "deleted" means back to the system default, and a parameter at its
/// default reads as absent so that a plan recreates the override.
impl AzureType for PostgresConfiguration {
    fn adopts_on_create(&self) -> bool {
        true
    }
    fn adopts_only_identical(&self) -> bool {
        false
    }
    fn schema(&self) -> ResourceSchema {
        schema()
    }
    fn api_version(&self) -> &'static str {
        API_VERSION
    }
    fn arm_id(&self, _sub: &str, p: &Props) -> Option<String> {
        Some(format!(
            "{}/configurations/{}",
            s(p, "server")?,
            s(p, "name")?
        ))
    }
    fn to_body(&self, p: &Props, _: &AzureConfig) -> ProviderResult<J> {
        let value = s(p, "value").ok_or_else(|| {
            ProviderError::Invalid("azure.postgres_configuration: `value` is unknown".into())
        })?;
        Ok(json!({"properties": {"value": value, "source": "user-override"}}))
    }
    fn read_body(&self, body: &J, _prior: &Props) -> ProviderResult<(Props, Props)> {
        let mut p = child_inputs(body, "server");
        put(&mut p, "value", jstr(body, "/properties/value"));
        Ok((p, Props::new()))
    }
    fn read<'a>(
        &'a self,
        cx: &'a Cx<'a>,
        prior: &'a ObjectState,
    ) -> BoxFuture<'a, ProviderResult<Option<ObjectState>>> {
        Box::pin(async move {
            match cx.client.get(&prior.id, API_VERSION, cx.cancel).await? {
                Some(body) if !is_default(&body) => {
                    Ok(Some(state_from(self, &body, &prior.inputs, &prior.id)?))
                }
                _ => Ok(None),
            }
        })
    }
    fn delete<'a>(
        &'a self,
        cx: &'a Cx<'a>,
        prior: &'a ObjectState,
    ) -> BoxFuture<'a, ProviderResult<()>> {
        Box::pin(async move {
            // A server already gone took its parameters with it.
            let Some(live) = cx.client.get(&prior.id, API_VERSION, cx.cancel).await? else {
                return Ok(());
            };
            if is_default(&live) {
                return Ok(());
            }
            let mut props = serde_json::Map::new();
            props.insert("source".into(), json!("system-default"));
            if let Some(d) = live.pointer("/properties/defaultValue") {
                props.insert("value".into(), d.clone());
            }
            let body = json!({ "properties": props });
            match cx
                .client
                .write(Method::PUT, &prior.id, API_VERSION, &body, cx.cancel)
                .await
            {
                Ok(_) => Ok(()),
                Err(e) if e.is_not_found() => Ok(()),
                Err(e) => Err(e.into()),
            }
        })
    }
}
