//! `azure.postgres_database` — flexibleServers/databases @2025-08-01.

use super::common::child;
use infra_provider_core::{PropertySchema as P, ResourceSchema, Type};

pub fn schema() -> ResourceSchema {
    child(
        "azure.postgres_database",
        "A database on a flexible server.",
        "server",
        "azure.postgres_flexible_server",
    )
    .prop(
        "charset",
        P::input(Type::String)
            .create_only()
            .doc("Defaults to UTF8."),
    )
    .prop(
        "collation",
        P::input(Type::String)
            .create_only()
            .doc("Defaults to en_US.utf8."),
    )
}

use super::common::child_inputs;
use super::postgres_flexible_server::API_VERSION;
use crate::kind::AzureType;
use crate::mapping::{jstr, obj, put, s};
use crate::provider::AzureConfig;
use infra_provider_core::{Props, ProviderResult};
use serde_json::{Value as J, json};

pub struct PostgresDatabase;
pub static KIND: PostgresDatabase = PostgresDatabase;

/// PUT and DELETE answer 202 + operation URLs like the server's, without a body.
impl AzureType for PostgresDatabase {
    fn adopts_on_create(&self) -> bool {
        true
    }
    fn schema(&self) -> ResourceSchema {
        schema()
    }
    fn api_version(&self) -> &'static str {
        API_VERSION
    }
    fn arm_id(&self, _sub: &str, p: &Props) -> Option<String> {
        Some(format!("{}/databases/{}", s(p, "server")?, s(p, "name")?))
    }
    fn computed(&self) -> &'static [&'static str] {
        &["charset", "collation"]
    }
    fn to_body(&self, p: &Props, _: &AzureConfig) -> ProviderResult<J> {
        let props = obj(vec![
            ("charset", s(p, "charset").map(|v| json!(v))),
            ("collation", s(p, "collation").map(|v| json!(v))),
        ]);
        Ok(json!({ "properties": props }))
    }
    fn read_body(&self, body: &J, _prior: &Props) -> ProviderResult<(Props, Props)> {
        let mut p = child_inputs(body, "server");
        put(&mut p, "charset", jstr(body, "/properties/charset"));
        put(&mut p, "collation", jstr(body, "/properties/collation"));
        Ok((p, Props::new()))
    }
}
