//! `azure.role_assignment` — Microsoft.Authorization/roleAssignments.

use infra_provider_core::{PropertySchema as P, ResourceSchema, Type};

pub fn schema() -> ResourceSchema {
    ResourceSchema::new(
        "azure.role_assignment",
        "Grants a role to a principal at a scope.",
    )
    .prop(
        "scope",
        P::input(Type::String)
            .required()
            .create_only()
            .doc("A resource (reference) or scope id."),
    )
    .prop(
        "principal",
        P::input(Type::String)
            .required()
            .create_only()
            .doc("Object id of the principal."),
    )
    .prop(
        "role",
        P::input(Type::String)
            .required()
            .create_only()
            .doc("Role name (\"Key Vault Secrets User\") or definition id."),
    )
    .prop(
        "principal_type",
        P::input(Type::enumeration(&["ServicePrincipal", "User", "Group"]))
            .create_only()
            .doc("Kind of principal."),
    )
    .prop("id", P::output(Type::String).doc("ARM resource id."))
}
