//! Property builders shared by most ARM resource types.

use infra_provider_core::{PropertySchema as P, ResourceSchema, Type};

/// `name`, `resource_group`, `location`, `tags` and the `id` output: the ARM envelope that
/// nearly every tracked resource has. Name, group and location cannot change in place.
pub fn tracked(type_name: &str, description: &str) -> ResourceSchema {
    ResourceSchema::new(type_name, description)
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
                .required()
                .create_only()
                .doc("The resource group (a reference, or a group name)."),
        )
        .prop(
            "location",
            P::input(Type::String)
                .create_only()
                .doc("Azure region; defaults to the resource group's."),
        )
        .prop("tags", P::input(Type::map(Type::String)).doc("Tags."))
        .prop("id", P::output(Type::String).doc("ARM resource id."))
}

/// A child resource addressed under a parent reference (`server`, `vault`, `zone`).
pub fn child(
    type_name: &str,
    description: &str,
    parent: &str,
    parent_type: &str,
) -> ResourceSchema {
    ResourceSchema::new(type_name, description)
        .prop(
            parent,
            P::input(Type::Resource(parent_type.into()))
                .required()
                .create_only()
                .doc("The parent resource."),
        )
        .prop(
            "name",
            P::input(Type::String)
                .required()
                .create_only()
                .doc("Name under the parent."),
        )
        .prop("id", P::output(Type::String).doc("ARM resource id."))
}
