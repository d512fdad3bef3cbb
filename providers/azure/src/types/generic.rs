//! `azure.resource` — any ARM resource by type and api-version, for what has no dedicated type.

use infra_provider_core::{PropertySchema as P, ResourceSchema, Type};

pub fn schema() -> ResourceSchema {
    ResourceSchema::new(
        "azure.resource",
        "Any ARM resource: PUT of `body` at the id made of the parent, type and name.",
    )
    .prop(
        "type",
        P::input(Type::String)
            .required()
            .create_only()
            .doc("e.g. Microsoft.Storage/storageAccounts"),
    )
    .prop(
        "api_version",
        P::input(Type::String).required().doc("e.g. 2024-01-01"),
    )
    .prop(
        "name",
        P::input(Type::String)
            .required()
            .create_only()
            .doc("Resource name."),
    )
    .prop(
        "resource_group",
        P::input(Type::Resource("azure.resource_group".into()))
            .create_only()
            .doc("Group (or use parent_id)."),
    )
    .prop(
        "parent_id",
        P::input(Type::String)
            .create_only()
            .doc("Parent resource id for child types."),
    )
    .prop(
        "location",
        P::input(Type::String)
            .create_only()
            .doc("Region, for tracked types."),
    )
    .prop(
        "body",
        P::input(Type::Any).doc("The rest of the request body (properties, sku, ...)."),
    )
    .prop("id", P::output(Type::String).doc("ARM resource id."))
    .prop(
        "output",
        P::output(Type::Any).doc("The resource as the cloud answered GET."),
    )
}
