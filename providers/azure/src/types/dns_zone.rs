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

pub const API_VERSION: &str = "2018-05-01";

use crate::kind::AzureType;
use crate::mapping::{s, tags_json, tracked_id, tracked_inputs};
use crate::provider::AzureConfig;
use infra_provider_core::{Props, ProviderResult, Value};
use serde_json::{Value as J, json};

pub struct DnsZone;
pub static KIND: DnsZone = DnsZone;

/// Zones live in `global`; PUT is synchronous. The apex SOA and NS record sets are the
/// cloud's: no type here writes or deletes them.
impl AzureType for DnsZone {
    fn schema(&self) -> ResourceSchema {
        schema()
    }
    /// Read-only per the 2018-05-01 spec (FINDINGS §2.10).
    fn read_only(&self) -> &'static [&'static str] {
        &[
            "/properties/maxNumberOfRecordSets",
            "/properties/maxNumberOfRecordsPerRecordSet",
            "/properties/numberOfRecordSets",
            "/properties/nameServers",
        ]
    }
    fn api_version(&self) -> &'static str {
        API_VERSION
    }
    fn arm_id(&self, sub: &str, p: &Props) -> Option<String> {
        // Zone names are DNS names: ARM compares them case-insensitively, we keep them lower.
        let mut p = p.clone();
        let name = s(&p, "name")?.to_ascii_lowercase();
        p.insert("name".into(), Value::String(name));
        tracked_id(sub, &p, "Microsoft.Network/dnsZones")
    }
    fn normalise(&self, d: &mut Props, _prior: Option<&infra_provider_core::ObjectState>) {
        if let Some(n) = s(d, "name").map(|n| n.trim_end_matches('.').to_ascii_lowercase()) {
            d.insert("name".into(), Value::String(n));
        }
    }
    fn to_body(&self, p: &Props, _: &AzureConfig) -> ProviderResult<J> {
        Ok(
            json!({"location": "global", "tags": tags_json(p), "properties": {"zoneType": "Public"}}),
        )
    }
    fn read_body(&self, body: &J, _prior: &Props) -> ProviderResult<(Props, Props)> {
        let mut p = tracked_inputs(body);
        p.remove("location");
        if let Some(n) = s(&p, "name").map(str::to_ascii_lowercase) {
            p.insert("name".into(), Value::String(n));
        }
        let mut out = Props::new();
        let ns = body
            .pointer("/properties/nameServers")
            .and_then(J::as_array);
        let ns = ns
            .map(|l| l.iter().filter_map(J::as_str).map(Value::str).collect())
            .unwrap_or_default();
        out.insert("name_servers".into(), Value::List(ns));
        Ok((p, out))
    }
}
