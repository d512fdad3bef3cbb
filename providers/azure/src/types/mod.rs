//! Resource types, one file each. Shared property builders live in `common.rs`.

mod common;
pub mod container_app;
pub mod container_app_environment;
mod container_app_sidecars;
pub mod container_registry;
pub mod dns_records;
pub mod dns_zone;
pub mod generic;
pub mod key_vault;
mod key_vault_policies;
pub mod key_vault_secret;
pub mod log_analytics_workspace;
pub mod postgres_configuration;
pub mod postgres_database;
mod postgres_extensions;
pub mod postgres_firewall_rule;
pub mod postgres_flexible_server;
pub mod redis_cache;
pub mod resource_group;
pub mod role_assignment;
mod role_definitions;
pub mod typed;

use infra_provider_core::ResourceSchema;

pub(crate) use role_definitions::RoleCache;

pub const ALL: &[fn() -> ResourceSchema] = &[
    resource_group::schema,
    log_analytics_workspace::schema,
    container_app_environment::schema,
    container_app::schema,
    container_registry::schema,
    postgres_flexible_server::schema,
    postgres_database::schema,
    postgres_firewall_rule::schema,
    postgres_configuration::schema,
    key_vault::schema,
    key_vault_secret::schema,
    redis_cache::schema,
    role_assignment::schema,
    dns_zone::schema,
    dns_records::a_schema,
    dns_records::cname_schema,
    dns_records::txt_schema,
    dns_records::mx_schema,
    generic::schema,
];

/// The ARM mapping of a type, if it has one.
pub fn kind(type_name: &str) -> Option<&'static dyn crate::kind::AzureType> {
    Some(match type_name {
        "azure.resource_group" => &resource_group::KIND,
        "azure.key_vault" => &key_vault::KIND,
        "azure.key_vault_secret" => &key_vault_secret::KIND,
        "azure.redis_cache" => &redis_cache::KIND,
        "azure.dns_zone" => &dns_zone::KIND,
        "azure.dns_a_record" => &dns_records::A,
        "azure.dns_cname_record" => &dns_records::CNAME,
        "azure.dns_txt_record" => &dns_records::TXT,
        "azure.dns_mx_record" => &dns_records::MX,
        "azure.log_analytics_workspace" => &log_analytics_workspace::KIND,
        "azure.role_assignment" => &role_assignment::KIND,
        "azure.postgres_flexible_server" => &postgres_flexible_server::KIND,
        "azure.postgres_database" => &postgres_database::KIND,
        "azure.postgres_firewall_rule" => &postgres_firewall_rule::KIND,
        "azure.postgres_configuration" => &postgres_configuration::KIND,
        "azure.container_app_environment" => &container_app_environment::KIND,
        "azure.container_app" => &container_app::KIND,
        "azure.container_registry" => &container_registry::KIND,
        "azure.resource" => &generic::KIND,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_has_an_id_output_and_a_unique_name() {
        let mut seen = std::collections::HashSet::new();
        for f in ALL {
            let s = f();
            assert!(seen.insert(s.type_name.clone()), "{} twice", s.type_name);
            assert!(s.type_name.starts_with("azure."), "{}", s.type_name);
            let id = s
                .properties
                .get("id")
                .unwrap_or_else(|| panic!("{} has no id", s.type_name));
            assert!(id.output, "{}: id must be an output", s.type_name);
            assert!(
                !s.description.is_empty(),
                "{} has no description",
                s.type_name
            );
        }
    }

    #[test]
    fn secret_inputs_are_marked_secret() {
        let pg = postgres_flexible_server::schema();
        assert!(pg.properties["admin_password"].secret);
        assert!(key_vault_secret::schema().properties["value"].secret);
        assert!(!pg.properties["admin_login"].secret);
    }
}
