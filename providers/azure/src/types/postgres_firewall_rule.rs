//! `azure.postgres_firewall_rule` — flexibleServers/firewallRules @2025-08-01.

use super::common::child;
use infra_provider_core::{PropertySchema as P, ResourceSchema, Type};

pub fn schema() -> ResourceSchema {
    child(
        "azure.postgres_firewall_rule",
        "An allowed IPv4 range on a flexible server.",
        "server",
        "azure.postgres_flexible_server",
    )
    .prop(
        "start_ip",
        P::input(Type::String).required().doc("First address."),
    )
    .prop(
        "end_ip",
        P::input(Type::String).required().doc("Last address."),
    )
}

use super::common::child_inputs;
use super::postgres_flexible_server::API_VERSION;
use crate::kind::AzureType;
use crate::mapping::{jstr, put, s};
use crate::provider::AzureConfig;
use infra_provider_core::{Props, ProviderError, ProviderResult};
use serde_json::{Value as J, json};

pub struct PostgresFirewallRule;
pub static KIND: PostgresFirewallRule = PostgresFirewallRule;

impl AzureType for PostgresFirewallRule {
    fn adopts_on_create(&self) -> bool {
        true
    }
    fn schema(&self) -> ResourceSchema {
        schema()
    }
    fn api_version(&self) -> &'static str {
        API_VERSION
    }
    fn arm_id(&self, _sub: &str, p: &Props) -> Option<String> {
        Some(format!(
            "{}/firewallRules/{}",
            s(p, "server")?,
            s(p, "name")?
        ))
    }
    fn to_body(&self, p: &Props, _: &AzureConfig) -> ProviderResult<J> {
        let ip = |k: &str| {
            s(p, k).ok_or_else(|| {
                ProviderError::Invalid(format!("azure.postgres_firewall_rule: `{k}` is unknown"))
            })
        };
        Ok(json!({"properties": {
            "startIpAddress": ip("start_ip")?,
            "endIpAddress": ip("end_ip")?,
        }}))
    }
    fn read_body(&self, body: &J, _prior: &Props) -> ProviderResult<(Props, Props)> {
        let mut p = child_inputs(body, "server");
        put(&mut p, "start_ip", jstr(body, "/properties/startIpAddress"));
        put(&mut p, "end_ip", jstr(body, "/properties/endIpAddress"));
        Ok((p, Props::new()))
    }
}
