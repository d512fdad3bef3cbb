//! `azure.postgres_flexible_server` — Microsoft.DBforPostgreSQL/flexibleServers @2025-08-01.

use super::common::tracked;
use infra_provider_core::{Field, PropertySchema as P, ResourceSchema, Type};

pub fn schema() -> ResourceSchema {
    let backup = Type::Object(vec![
        Field::optional("retention_days", Type::Int),
        Field::optional("geo_redundant", Type::Bool),
    ]);
    tracked("azure.postgres_flexible_server", "PostgreSQL Flexible Server, with TimescaleDB on request.")
        .prop("version", P::input(Type::enumeration(&["13", "14", "15", "16", "17"])).required().doc("Major version."))
        .prop("sku", P::input(Type::String).required().doc("Compute SKU, e.g. Standard_D2ds_v5 (tier derived)."))
        .prop("storage_gb", P::input(Type::Int).doc("Storage size in GiB (grow only)."))
        .prop("admin_login", P::input(Type::String).required().create_only().doc("Administrator login; set once for the server's life."))
        .prop("admin_password", P::input(Type::Secret).required().secret().doc("Administrator password; never read back, compared by keyed hash."))
        .prop(
            "extensions",
            P::input(Type::list(Type::String))
                .doc("Extensions to allow and preload (e.g. timescaledb): azure.extensions, shared_preload_libraries, restart."),
        )
        .prop("backup", P::input(backup).doc("Backup retention and geo-redundancy."))
        .prop(
            "high_availability",
            P::input(Type::enumeration(&["disabled", "zone_redundant", "same_zone"])).doc("High availability mode."),
        )
        .prop("availability_zone", P::input(Type::String).doc("Preferred zone; chosen by Azure when omitted."))
        .prop("delegated_subnet_id", P::input(Type::String).create_only().doc("VNet integration (create only)."))
        .prop("private_dns_zone_id", P::input(Type::String).create_only().doc("Private DNS zone (create only)."))
        .prop("fqdn", P::output(Type::String).doc("Fully qualified domain name."))
        .prop("state", P::output(Type::String).doc("Ready, Stopped, ..."))
}

pub const API_VERSION: &str = "2025-08-01";
const PROVIDER_TYPE: &str = "Microsoft.DBforPostgreSQL/flexibleServers";

use super::postgres_extensions as ext;
use crate::kind::{AzureType, Cx};
use crate::mapping::{b, i, jint, jstr, obj, put, s, tracked_body, tracked_id, tracked_inputs};
use crate::provider::AzureConfig;
use infra_provider_core::{BoxFuture, ObjectState, Props, ProviderError, ProviderResult, Value};
use serde_json::{Value as J, json};

pub struct PostgresServer;
pub static KIND: PostgresServer = PostgresServer;

/// The RP wants the tier next to the SKU name; it follows from the name's series.
pub fn tier(sku: &str) -> ProviderResult<&'static str> {
    let series = sku
        .strip_prefix("Standard_")
        .or_else(|| sku.strip_prefix("standard_"))
        .and_then(|r| r.chars().next())
        .map(|c| c.to_ascii_uppercase());
    match series {
        Some('B') => Ok("Burstable"),
        Some('D') => Ok("GeneralPurpose"),
        Some('E') => Ok("MemoryOptimized"),
        _ => Err(ProviderError::Invalid(format!(
            "azure.postgres_flexible_server: cannot tell the tier of sku `{sku}`: expected Standard_B* (Burstable), Standard_D* (GeneralPurpose) or Standard_E* (MemoryOptimized)"
        ))),
    }
}

const HA_MODES: &[(&str, &str)] = &[
    ("disabled", "Disabled"),
    ("zone_redundant", "ZoneRedundant"),
    ("same_zone", "SameZone"),
];

fn enabled(on: bool) -> J {
    json!(if on { "Enabled" } else { "Disabled" })
}

fn backup_json(p: &Props) -> Option<J> {
    let Some(Value::Object(bk)) = p.get("backup") else {
        return None;
    };
    let mut m = serde_json::Map::new();
    if let Some(d) = i(bk, "retention_days") {
        m.insert("backupRetentionDays".into(), json!(d));
    }
    if let Some(g) = b(bk, "geo_redundant") {
        m.insert("geoRedundantBackup".into(), enabled(g));
    }
    Some(J::Object(m))
}

fn network_json(p: &Props) -> Option<J> {
    let m = obj(vec![
        (
            "delegatedSubnetResourceId",
            s(p, "delegated_subnet_id").map(|v| json!(v)),
        ),
        (
            "privateDnsZoneArmResourceId",
            s(p, "private_dns_zone_id").map(|v| json!(v)),
        ),
    ]);
    (!m.is_empty()).then_some(J::Object(m))
}

/// A non-empty string at `pointer` (the RP answers null or "" for unset network fields).
fn jtext(body: &J, pointer: &str) -> Option<Value> {
    body.pointer(pointer)
        .and_then(J::as_str)
        .filter(|v| !v.is_empty())
        .map(Value::str)
}

impl PostgresServer {
    /// The state after a write: extensions applied once the server is ready, then read back.
    async fn finish(
        &self,
        cx: &Cx<'_>,
        mut st: ObjectState,
        inputs: &Props,
    ) -> ProviderResult<ObjectState> {
        let wanted = ext::wanted(inputs.get("extensions"));
        ext::apply(cx, &st.id, &wanted).await?;
        self.with_extensions(cx, &mut st, inputs.get("extensions"))
            .await?;
        Ok(st)
    }

    async fn with_extensions(
        &self,
        cx: &Cx<'_>,
        st: &mut ObjectState,
        tracked: Option<&Value>,
    ) -> ProviderResult<()> {
        let found = ext::read(cx, &st.id, tracked).await?;
        // Nothing tracked and nothing found: leave the input unset, as it was written.
        if tracked.is_some() || !found.is_empty() {
            st.inputs.insert(
                "extensions".into(),
                Value::List(found.into_iter().map(Value::String).collect()),
            );
        }
        Ok(())
    }
}

/// PUT answers 202 with a small body and signed operation URLs (FINDINGS §2.4); the client
/// follows them and GETs the server. The password is sent on every write, never read.
impl AzureType for PostgresServer {
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
        &[
            "location",
            "storage_gb",
            "backup",
            "high_availability",
            "availability_zone",
            "extensions",
        ]
    }
    /// Read-only per the 2025-08-01 spec (FINDINGS §2.4).
    fn read_only(&self) -> &'static [&'static str] {
        &[
            "/properties/fullyQualifiedDomainName",
            "/properties/state",
            "/properties/minorVersion",
            "/properties/replicaCapacity",
            "/properties/privateEndpointConnections",
        ]
    }
    fn location_from_group(&self) -> bool {
        true
    }
    fn normalise(&self, d: &mut Props, prior: Option<&ObjectState>) {
        if d.contains_key("extensions") {
            let w = ext::wanted(d.get("extensions"));
            d.insert(
                "extensions".into(),
                Value::List(w.into_iter().map(Value::String).collect()),
            );
        }
        // A partial backup block keeps the other field as it is (or Azure's default).
        if let Some(Value::Object(bk)) = d.get_mut("backup") {
            let known = match prior.and_then(|p| p.inputs.get("backup")) {
                Some(Value::Object(m)) => m.clone(),
                _ => [
                    ("retention_days".to_string(), Value::Int(7)),
                    ("geo_redundant".to_string(), Value::Bool(false)),
                ]
                .into(),
            };
            for (k, v) in known {
                bk.entry(k).or_insert(v);
            }
        }
    }
    fn check_change(&self, d: &Props, prior: &ObjectState) -> ProviderResult<()> {
        if let (Some(new), Some(old)) = (i(d, "storage_gb"), i(&prior.inputs, "storage_gb"))
            && new < old
        {
            return Err(ProviderError::Invalid(format!(
                "azure.postgres_flexible_server: storage cannot shrink ({old} GiB to {new} GiB); Azure only grows it"
            )));
        }
        Ok(())
    }
    fn to_body(&self, p: &Props, _: &AzureConfig) -> ProviderResult<J> {
        let sku = s(p, "sku").ok_or_else(|| {
            ProviderError::Invalid("azure.postgres_flexible_server: `sku` is unknown".into())
        })?;
        let ha = s(p, "high_availability").map(|m| {
            let mode = HA_MODES
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(m))
                .map_or(m, |(_, v)| v);
            json!({ "mode": mode })
        });
        let props = obj(vec![
            ("version", s(p, "version").map(|v| json!(v))),
            ("administratorLogin", s(p, "admin_login").map(|v| json!(v))),
            (
                "administratorLoginPassword",
                s(p, "admin_password").map(|v| json!(v)),
            ),
            (
                "storage",
                i(p, "storage_gb").map(|g| json!({ "storageSizeGB": g })),
            ),
            ("backup", backup_json(p)),
            ("highAvailability", ha),
            (
                "availabilityZone",
                s(p, "availability_zone").map(|v| json!(v)),
            ),
            ("network", network_json(p)),
        ]);
        let mut body = tracked_body(p, props);
        body["sku"] = json!({ "name": sku, "tier": tier(sku)? });
        Ok(body)
    }
    fn read_body(&self, body: &J, _prior: &Props) -> ProviderResult<(Props, Props)> {
        let mut p = tracked_inputs(body);
        put(&mut p, "sku", jstr(body, "/sku/name"));
        put(&mut p, "version", jstr(body, "/properties/version"));
        put(
            &mut p,
            "storage_gb",
            jint(body, "/properties/storage/storageSizeGB"),
        );
        put(
            &mut p,
            "admin_login",
            jstr(body, "/properties/administratorLogin"),
        );
        if let Some(bk) = body.pointer("/properties/backup") {
            let mut m = Props::new();
            put(&mut m, "retention_days", jint(bk, "/backupRetentionDays"));
            put(
                &mut m,
                "geo_redundant",
                bk.get("geoRedundantBackup")
                    .and_then(J::as_str)
                    .map(|v| Value::Bool(v.eq_ignore_ascii_case("Enabled"))),
            );
            p.insert("backup".into(), Value::Object(m));
        }
        let mode = body
            .pointer("/properties/highAvailability/mode")
            .and_then(J::as_str);
        put(
            &mut p,
            "high_availability",
            mode.map(|m| {
                let k = HA_MODES
                    .iter()
                    .find(|(_, v)| v.eq_ignore_ascii_case(m))
                    .map_or(m, |(k, _)| k);
                Value::str(k)
            }),
        );
        put(
            &mut p,
            "availability_zone",
            jtext(body, "/properties/availabilityZone"),
        );
        put(
            &mut p,
            "delegated_subnet_id",
            jtext(body, "/properties/network/delegatedSubnetResourceId"),
        );
        put(
            &mut p,
            "private_dns_zone_id",
            jtext(body, "/properties/network/privateDnsZoneArmResourceId"),
        );
        let mut out = Props::new();
        put(
            &mut out,
            "fqdn",
            jstr(body, "/properties/fullyQualifiedDomainName"),
        );
        put(&mut out, "state", jstr(body, "/properties/state"));
        Ok((p, out))
    }
    fn after_write<'a>(
        &'a self,
        cx: &'a Cx<'a>,
        st: ObjectState,
        inputs: &'a Props,
    ) -> BoxFuture<'a, ProviderResult<ObjectState>> {
        Box::pin(self.finish(cx, st, inputs))
    }
    fn after_read<'a>(
        &'a self,
        cx: &'a Cx<'a>,
        _body: &'a J,
        st: &'a mut ObjectState,
        prior: Option<&'a Props>,
    ) -> BoxFuture<'a, ProviderResult<()>> {
        Box::pin(self.with_extensions(cx, st, prior.and_then(|p| p.get("extensions"))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tier_follows_the_sku_series() {
        assert_eq!(tier("Standard_B1ms").ok(), Some("Burstable"));
        assert_eq!(tier("Standard_D2ds_v5").ok(), Some("GeneralPurpose"));
        assert_eq!(tier("Standard_E4ds_v5").ok(), Some("MemoryOptimized"));
        assert!(tier("GP_Gen5_2").is_err());
    }
}
