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
