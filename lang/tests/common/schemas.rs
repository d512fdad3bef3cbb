//! Small stubs of the resource types used in LANGUAGE.md, plus `core.data`, for the checker
//! and evaluator tests. Not the real provider schemas: just enough shape to exercise every rule.

#![allow(dead_code)]

use infra_provider_core::{Field, PropertySchema as P, ResourceSchema, SchemaSet, Type};

#[path = "typed_fixture.rs"]
mod typed_fixture;

fn res(t: &str) -> Type {
    Type::Resource(t.to_string())
}

fn s() -> Type {
    Type::String
}

pub fn schemas() -> SchemaSet {
    let mut set = SchemaSet::new();
    set.set_resolver(std::sync::Arc::new(typed_fixture::Fixture));
    let tags = Type::map(Type::String);
    set.add(
        ResourceSchema::new("azure.resource_group", "A resource group")
            .prop("name", P::input(s()).required().create_only())
            .prop("location", P::input(s()).required())
            .prop("tags", P::input(tags.clone())),
    );
    set.add(
        ResourceSchema::new("azure.log_analytics_workspace", "Log Analytics")
            .prop("name", P::input(s()).required())
            .prop(
                "resource_group",
                P::input(res("azure.resource_group")).required(),
            )
            .prop("retention_days", P::input(Type::Int))
            .prop("workspace_id", P::output(s()))
            .prop("primary_shared_key", P::output(s()).secret()),
    );
    set.add(
        ResourceSchema::new(
            "azure.container_app_environment",
            "Container Apps environment",
        )
        .prop("name", P::input(s()).required())
        .prop(
            "resource_group",
            P::input(res("azure.resource_group")).required(),
        )
        .prop("logs", P::input(res("azure.log_analytics_workspace")))
        .prop("default_domain", P::output(s())),
    );
    set.add(
        ResourceSchema::new(
            "azure.postgres_flexible_server",
            "PostgreSQL Flexible Server",
        )
        .prop("name", P::input(s()).required())
        .prop(
            "resource_group",
            P::input(res("azure.resource_group")).required(),
        )
        .prop(
            "version",
            P::input(Type::enumeration(&["14", "15", "16"])).required(),
        )
        .prop("sku", P::input(s()).required())
        .prop("storage_gb", P::input(Type::Int))
        .prop("admin_login", P::input(s()).required())
        .prop("admin_password", P::input(s()).required().secret())
        .prop("extensions", P::input(Type::list(s())))
        .prop(
            "backup",
            P::input(Type::Object(vec![
                Field::optional("retention_days", Type::Int),
                Field::optional("geo_redundant", Type::Bool),
            ])),
        )
        .prop(
            "high_availability",
            P::input(Type::enumeration(&[
                "disabled",
                "zone_redundant",
                "same_zone",
            ])),
        )
        .prop("fqdn", P::output(s())),
    );
    set.add(
        ResourceSchema::new("azure.postgres_database", "A database")
            .prop(
                "server",
                P::input(res("azure.postgres_flexible_server")).required(),
            )
            .prop("name", P::input(s()).required()),
    );
    set.add(
        ResourceSchema::new("postgres.extension", "An extension in a database")
            .prop("name", P::input(s()).required())
            .prop("database", P::input(s()))
            .prop(
                "connection",
                P::input(Type::Object(vec![
                    Field::required("host", s()),
                    Field::optional("password", Type::Secret),
                ])),
            )
            .prop(
                "server",
                P::input(res("azure.postgres_flexible_server"))
                    .carries(&["fqdn", "admin_login", "admin_password"])
                    .instead_of("connection"),
            ),
    );
    set.add(
        ResourceSchema::new("azure.key_vault", "Key Vault")
            .prop("name", P::input(s()).required())
            .prop(
                "resource_group",
                P::input(res("azure.resource_group")).required(),
            )
            .prop("rbac", P::input(Type::Bool))
            .prop("uri", P::output(s())),
    );
    set.add(
        ResourceSchema::new("azure.key_vault_secret", "A Key Vault secret")
            .prop("vault", P::input(res("azure.key_vault")).required())
            .prop("name", P::input(s()).required())
            .prop("value", P::input(s()).required().secret())
            .prop("version", P::output(s())),
    );
    set.add(
        ResourceSchema::new("azure.redis_cache", "Azure Cache for Redis")
            .prop("name", P::input(s()).required())
            .prop(
                "resource_group",
                P::input(res("azure.resource_group")).required(),
            )
            .prop(
                "sku",
                P::input(Type::enumeration(&["Basic", "Standard", "Premium"])).required(),
            )
            .prop("capacity", P::input(Type::Int))
            .prop("hostname", P::output(s()))
            .prop("primary_key", P::output(s()).secret()),
    );
    let replicas = Type::Object(vec![
        Field::required("min_replicas", Type::Int),
        Field::required("max_replicas", Type::Int),
    ]);
    let ingress = Type::Object(vec![
        Field::required("external", Type::Bool),
        Field::required("target_port", Type::Int),
    ]);
    let identity = Type::Object(vec![
        Field::required("principal_id", s()),
        Field::required("tenant_id", s()),
    ]);
    set.add(
        ResourceSchema::new("azure.container_app", "A container app")
            .prop("name", P::input(s()).required())
            .prop(
                "environment",
                P::input(res("azure.container_app_environment")).required(),
            )
            .prop("image", P::input(s()).required())
            .prop("cpu", P::input(Type::Float))
            .prop("memory", P::input(s()))
            .prop("replicas", P::input(replicas))
            .prop("ingress", P::input(ingress))
            .prop(
                "identity",
                P::input(Type::enumeration(&["system", "none"])).reads_as(identity),
            )
            .prop("env", P::input(Type::map(s())))
            .prop(
                "secrets",
                P::input(Type::map(res("azure.key_vault_secret"))),
            )
            .prop("fqdn", P::output(s())),
    );
    set.add(
        ResourceSchema::new("azure.role_assignment", "A role assignment")
            .prop("scope", P::input(s()).required())
            .prop("principal", P::input(s()).required())
            .prop("role", P::input(s()).required()),
    );
    set.add(
        ResourceSchema::new("azure.dns_zone", "A DNS zone")
            .prop("name", P::input(s()).required())
            .prop(
                "resource_group",
                P::input(res("azure.resource_group")).required(),
            )
            .prop("name_servers", P::output(Type::list(s()))),
    );
    for (t, extra, ty) in [
        ("azure.dns_a_record", "addresses", Type::list(s())),
        ("azure.dns_cname_record", "target", s()),
        ("azure.dns_txt_record", "values", Type::list(s())),
    ] {
        set.add(
            ResourceSchema::new(t, "A DNS record")
                .prop("zone", P::input(res("azure.dns_zone")).required())
                .prop("name", P::input(s()).required())
                .prop("ttl", P::input(Type::Int))
                .prop(extra, P::input(ty).required())
                .prop("fqdn", P::output(s())),
        );
    }
    set.add(
        ResourceSchema::new("azure.container_registry", "A container registry")
            .prop("name", P::input(s()).required())
            .prop(
                "resource_group",
                P::input(res("azure.resource_group")).required(),
            )
            .prop("login_server", P::output(s())),
    );
    set.add(
        ResourceSchema::new("core.data", "Holds a value; its output equals its input")
            .prop("input", P::input(Type::Any))
            .prop("output", P::output(Type::Any)),
    );
    set
}
