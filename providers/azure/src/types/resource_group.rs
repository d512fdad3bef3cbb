//! `azure.resource_group` — Microsoft.Resources/resourceGroups @2025-04-01.

use infra_provider_core::{PropertySchema as P, ResourceSchema, Type};

pub fn schema() -> ResourceSchema {
    ResourceSchema::new(
        "azure.resource_group",
        "A resource group: the container every other Azure resource lives in.",
    )
    .prop(
        "name",
        P::input(Type::String)
            .required()
            .create_only()
            .doc("Group name (case-insensitive)."),
    )
    .prop(
        "location",
        P::input(Type::String)
            .required()
            .create_only()
            .doc("Azure region; never changes."),
    )
    .prop("tags", P::input(Type::map(Type::String)).doc("Tags."))
    .prop("id", P::output(Type::String).doc("ARM resource id."))
}
