//! `azure.key_vault` — Microsoft.KeyVault/vaults @2026-02-01.

use super::common::tracked;
use infra_provider_core::{PropertySchema as P, ResourceSchema, Type};

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
        P::input(Type::Bool).doc("Authorise data access with Azure RBAC (recommended)."),
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
