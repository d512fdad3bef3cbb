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

/// The parent reference and name of a child resource as read back: the parent is the id
/// ARM reports, less its last `type/name` pair.
pub fn child_inputs(body: &serde_json::Value, parent: &str) -> infra_provider_core::Props {
    use crate::mapping::{parent_of, put};
    use infra_provider_core::Value;
    let mut p = infra_provider_core::Props::new();
    let id = body
        .get("id")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default();
    put(&mut p, parent, parent_of(id).map(Value::String));
    put(
        &mut p,
        "name",
        body.get("name")
            .and_then(serde_json::Value::as_str)
            .map(Value::str),
    );
    p
}
