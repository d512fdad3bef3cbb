//! `azure.container_registry` — Microsoft.ContainerRegistry/registries, mostly read as `existing`.

use super::common::tracked;
use infra_provider_core::{PropertySchema as P, ResourceSchema, Type};

pub fn schema() -> ResourceSchema {
    tracked(
        "azure.container_registry",
        "A container registry holding the apps' images.",
    )
    .prop(
        "sku",
        P::input(Type::enumeration(&["Basic", "Standard", "Premium"])).doc("Tier."),
    )
    .prop(
        "admin_enabled",
        P::input(Type::Bool).doc("Admin user (prefer managed identity)."),
    )
    .prop(
        "login_server",
        P::output(Type::String).doc("e.g. lwacr.azurecr.io"),
    )
}
