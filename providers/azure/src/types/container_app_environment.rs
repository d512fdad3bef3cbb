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
