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
