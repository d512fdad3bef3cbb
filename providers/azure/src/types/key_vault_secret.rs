//! `azure.key_vault_secret` — a secret in the Key Vault data plane (api-version 2025-07-01).

use infra_provider_core::{PropertySchema as P, ResourceSchema, Type};

pub fn schema() -> ResourceSchema {
    ResourceSchema::new(
        "azure.key_vault_secret",
        "A secret value in a Key Vault; the value is never read back or stored.",
    )
    .prop(
        "vault",
        P::input(Type::Resource("azure.key_vault".into()))
            .required()
            .create_only()
            .doc("The vault."),
    )
    .prop(
        "name",
        P::input(Type::String)
            .required()
            .create_only()
            .doc("Secret name."),
    )
    .prop(
        "value",
        P::input(Type::Secret)
            .required()
            .secret()
            .doc("The value; compared by keyed hash."),
    )
    .prop(
        "content_type",
        P::input(Type::String).doc("Content type hint."),
    )
    .prop("expires", P::input(Type::String).doc("Expiry (RFC 3339)."))
    .prop("tags", P::input(Type::map(Type::String)).doc("Tags."))
    .prop("id", P::output(Type::String).doc("Versioned secret id."))
    .prop(
        "versionless_id",
        P::output(Type::String).doc("Secret id without version, for Key Vault references."),
    )
}
