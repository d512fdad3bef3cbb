//! `azure.redis_cache` — Microsoft.Cache/redis @2024-11-01.

use super::common::tracked;
use infra_provider_core::{PropertySchema as P, ResourceSchema, Type};

pub fn schema() -> ResourceSchema {
    tracked("azure.redis_cache", "Azure Cache for Redis.")
        .prop(
            "sku",
            P::input(Type::enumeration(&["Basic", "Standard", "Premium"]))
                .required()
                .doc("Tier."),
        )
        .prop(
            "capacity",
            P::input(Type::Int)
                .required()
                .doc("Size within the family (0 to 6)."),
        )
        .prop(
            "non_ssl_port",
            P::input(Type::Bool).doc("Open port 6379 (off by default)."),
        )
        .prop(
            "minimum_tls_version",
            P::input(Type::enumeration(&["1.2"])).doc("Minimum TLS version."),
        )
        .prop(
            "redis_version",
            P::input(Type::String).doc("Major version, e.g. \"6\"."),
        )
        .prop("hostname", P::output(Type::String).doc("Host name."))
        .prop("ssl_port", P::output(Type::Int).doc("TLS port."))
        .prop(
            "primary_key",
            P::output(Type::Secret).secret().doc("Access key."),
        )
}
