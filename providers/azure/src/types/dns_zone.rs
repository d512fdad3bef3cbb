//! `azure.dns_zone` — Microsoft.Network/dnsZones @2018-05-01. Its apex SOA and NS records are
//! the cloud's and are never touched.

use infra_provider_core::{PropertySchema as P, ResourceSchema, Type};

pub fn schema() -> ResourceSchema {
    ResourceSchema::new("azure.dns_zone", "A public DNS zone.")
        .prop(
            "name",
            P::input(Type::String)
                .required()
                .create_only()
                .doc("Zone name, e.g. example.com."),
        )
        .prop(
            "resource_group",
            P::input(Type::Resource("azure.resource_group".into()))
                .required()
                .create_only()
                .doc("Resource group."),
        )
        .prop("tags", P::input(Type::map(Type::String)).doc("Tags."))
        .prop("id", P::output(Type::String).doc("ARM resource id."))
        .prop(
            "name_servers",
            P::output(Type::list(Type::String)).doc("Name servers to delegate to."),
        )
}
