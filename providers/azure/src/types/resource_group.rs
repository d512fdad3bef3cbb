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

pub const API_VERSION: &str = "2025-04-01";

use crate::kind::AzureType;
use crate::mapping::{group_id, s, tags_json, tracked_inputs};
use infra_provider_core::{Props, ProviderResult};
use serde_json::{Value as J, json};

pub struct ResourceGroup;
pub static KIND: ResourceGroup = ResourceGroup;

/// PUT is synchronous (201/200); DELETE is 202 + Location. Location is create-only.
impl AzureType for ResourceGroup {
    fn schema(&self) -> ResourceSchema {
        schema()
    }
    fn api_version(&self) -> &'static str {
        API_VERSION
    }
    fn arm_id(&self, sub: &str, p: &Props) -> Option<String> {
        Some(group_id(sub, s(p, "name")?))
    }
    fn to_body(&self, p: &Props, _: &crate::provider::AzureConfig) -> ProviderResult<J> {
        Ok(json!({"location": s(p, "location"), "tags": tags_json(p)}))
    }
    fn read_body(&self, body: &J, _prior: &Props) -> ProviderResult<(Props, Props)> {
        let mut p = tracked_inputs(body);
        // A group's own id has no `resourceGroups/{name}` parent segment to read.
        p.remove("resource_group");
        Ok((p, Props::new()))
    }
}
