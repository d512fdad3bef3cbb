//! `azure.postgres_database` — flexibleServers/databases @2025-08-01.

use super::common::child;
use infra_provider_core::{PropertySchema as P, ResourceSchema, Type};

pub fn schema() -> ResourceSchema {
    child(
        "azure.postgres_database",
        "A database on a flexible server.",
        "server",
        "azure.postgres_flexible_server",
    )
    .prop(
        "charset",
        P::input(Type::String)
            .create_only()
            .doc("Defaults to UTF8."),
    )
    .prop(
        "collation",
        P::input(Type::String)
            .create_only()
            .doc("Defaults to en_US.utf8."),
    )
}
