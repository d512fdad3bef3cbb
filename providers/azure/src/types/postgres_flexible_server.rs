//! `azure.postgres_flexible_server` — Microsoft.DBforPostgreSQL/flexibleServers @2025-08-01.

use super::common::tracked;
use infra_provider_core::{Field, PropertySchema as P, ResourceSchema, Type};

pub fn schema() -> ResourceSchema {
    let backup = Type::Object(vec![
        Field::optional("retention_days", Type::Int),
        Field::optional("geo_redundant", Type::Bool),
    ]);
    tracked("azure.postgres_flexible_server", "PostgreSQL Flexible Server, with TimescaleDB on request.")
        .prop("version", P::input(Type::enumeration(&["13", "14", "15", "16", "17"])).required().doc("Major version."))
        .prop("sku", P::input(Type::String).required().doc("Compute SKU, e.g. Standard_D2ds_v5 (tier derived)."))
        .prop("storage_gb", P::input(Type::Int).doc("Storage size in GiB (grow only)."))
        .prop("admin_login", P::input(Type::String).required().create_only().doc("Administrator login; set once for the server's life."))
        .prop("admin_password", P::input(Type::Secret).required().secret().doc("Administrator password; never read back, compared by keyed hash."))
        .prop(
            "extensions",
            P::input(Type::list(Type::String))
                .doc("Extensions to allow and preload (e.g. timescaledb): azure.extensions, shared_preload_libraries, restart."),
        )
        .prop("backup", P::input(backup).doc("Backup retention and geo-redundancy."))
        .prop(
            "high_availability",
            P::input(Type::enumeration(&["disabled", "zone_redundant", "same_zone"])).doc("High availability mode."),
        )
        .prop("availability_zone", P::input(Type::String).doc("Preferred zone; chosen by Azure when omitted."))
        .prop("delegated_subnet_id", P::input(Type::String).create_only().doc("VNet integration (create only)."))
        .prop("private_dns_zone_id", P::input(Type::String).create_only().doc("Private DNS zone (create only)."))
        .prop("fqdn", P::output(Type::String).doc("Fully qualified domain name."))
        .prop("state", P::output(Type::String).doc("Ready, Stopped, ..."))
}
