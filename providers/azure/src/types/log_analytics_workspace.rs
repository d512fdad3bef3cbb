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
