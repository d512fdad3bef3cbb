//! `azure.container_app` — Microsoft.App/containerApps @2026-01-01.

use infra_provider_core::{Field, PropertySchema as P, ResourceSchema, Type};

pub fn schema() -> ResourceSchema {
    let replicas = Type::Object(vec![
        Field::required("min_replicas", Type::Int),
        Field::required("max_replicas", Type::Int),
    ]);
    let ingress = Type::Object(vec![
        Field::required("external", Type::Bool),
        Field::required("target_port", Type::Int),
        Field::optional(
            "transport",
            Type::enumeration(&["auto", "http", "http2", "tcp"]),
        ),
    ]);
    let identity_out = Type::Object(vec![
        Field::required("principal_id", Type::String),
        Field::required("tenant_id", Type::String),
    ]);
    ResourceSchema::new(
        "azure.container_app",
        "A containerised service on Azure Container Apps.",
    )
    .prop(
        "name",
        P::input(Type::String)
            .required()
            .create_only()
            .doc("App name."),
    )
    .prop(
        "environment",
        P::input(Type::Resource("azure.container_app_environment".into()))
            .required()
            .create_only()
            .doc("The environment the app runs in; an app cannot move."),
    )
    .prop(
        "resource_group",
        P::input(Type::Resource("azure.resource_group".into()))
            .create_only()
            .doc("Defaults to the environment's group."),
    )
    .prop(
        "location",
        P::input(Type::String)
            .create_only()
            .doc("Defaults to the environment's region."),
    )
    .prop(
        "image",
        P::input(Type::String).required().doc("Container image."),
    )
    .prop(
        "cpu",
        P::input(Type::Float).doc("vCPU per replica (0.25 steps)."),
    )
    .prop(
        "memory",
        P::input(Type::String).doc("Memory per replica, e.g. \"1Gi\"."),
    )
    .prop(
        "command",
        P::input(Type::list(Type::String)).doc("Entrypoint override."),
    )
    .prop("args", P::input(Type::list(Type::String)).doc("Arguments."))
    .prop("replicas", P::input(replicas).doc("Scale bounds."))
    .prop(
        "ingress",
        P::input(ingress).doc("HTTP ingress; none when omitted."),
    )
    .prop(
        "identity",
        P::input(Type::enumeration(&["none", "system"]))
            .reads_as(identity_out)
            .doc("Managed identity; read back as `{ principal_id, tenant_id }`."),
    )
    .prop(
        "env",
        P::input(Type::map(Type::String)).doc("Plain environment variables (no secrets)."),
    )
    .prop(
        "secrets",
        P::input(Type::map(Type::Resource("azure.key_vault_secret".into())))
            .doc("Environment variables read from Key Vault secrets through the app's identity."),
    )
    .prop(
        "revision_suffix",
        P::input(Type::String).doc("Suffix of the next revision's name."),
    )
    .prop("tags", P::input(Type::map(Type::String)).doc("Tags."))
    .prop("id", P::output(Type::String).doc("ARM resource id."))
    .prop("fqdn", P::output(Type::String).doc("Ingress FQDN."))
    .prop(
        "latest_revision_name",
        P::output(Type::String).doc("Latest revision."),
    )
    .prop(
        "outbound_ip_addresses",
        P::output(Type::list(Type::String)).doc("Outbound IPs."),
    )
}
