//! `azure.container_registry` — Microsoft.ContainerRegistry/registries, mostly read as `existing`.

use super::common::tracked;
use infra_provider_core::{PropertySchema as P, ResourceSchema, Type};

pub fn schema() -> ResourceSchema {
    tracked(
        "azure.container_registry",
        "A container registry holding the apps' images.",
    )
    .prop(
        "sku",
        P::input(Type::enumeration(&["Basic", "Standard", "Premium"])).doc("Tier."),
    )
    .prop(
        "admin_enabled",
        P::input(Type::Bool).doc("Admin user (prefer managed identity)."),
    )
    .prop(
        "login_server",
        P::output(Type::String).doc("e.g. lwacr.azurecr.io"),
    )
}

/// Not covered by the recorded vectors; the long-standing stable version.
pub const API_VERSION: &str = "2023-07-01";
const PROVIDER_TYPE: &str = "Microsoft.ContainerRegistry/registries";

use crate::kind::AzureType;
use crate::mapping::{b, jbool, jstr, obj, put, s, tracked_body, tracked_id, tracked_inputs};
use crate::provider::AzureConfig;
use infra_provider_core::{Props, ProviderResult};
use serde_json::{Value as J, json};

pub struct ContainerRegistry;
pub static KIND: ContainerRegistry = ContainerRegistry;

/// A plain tracked resource; mostly read through `existing` for its login server.
impl AzureType for ContainerRegistry {
    fn schema(&self) -> ResourceSchema {
        schema()
    }
    fn api_version(&self) -> &'static str {
        API_VERSION
    }
    fn arm_id(&self, sub: &str, p: &Props) -> Option<String> {
        tracked_id(sub, p, PROVIDER_TYPE)
    }
    fn computed(&self) -> &'static [&'static str] {
        &["location", "sku", "admin_enabled"]
    }
    /// Assigned by the RP.
    fn read_only(&self) -> &'static [&'static str] {
        &["/properties/loginServer", "/properties/creationDate"]
    }
    fn location_from_group(&self) -> bool {
        true
    }
    fn to_body(&self, p: &Props, _: &AzureConfig) -> ProviderResult<J> {
        let props = obj(vec![(
            "adminUserEnabled",
            b(p, "admin_enabled").map(J::Bool),
        )]);
        let mut body = tracked_body(p, props);
        // The RP requires a SKU; Basic is the cheapest that works for pulls.
        body["sku"] = json!({"name": s(p, "sku").unwrap_or("Basic")});
        Ok(body)
    }
    fn read_body(&self, body: &J, _prior: &Props) -> ProviderResult<(Props, Props)> {
        let mut p = tracked_inputs(body);
        put(&mut p, "sku", jstr(body, "/sku/name"));
        put(
            &mut p,
            "admin_enabled",
            jbool(body, "/properties/adminUserEnabled"),
        );
        let mut out = Props::new();
        put(
            &mut out,
            "login_server",
            jstr(body, "/properties/loginServer"),
        );
        Ok((p, out))
    }
}
