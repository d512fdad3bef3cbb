//! Microsoft.Network/dnsZones and record sets @2018-05-01 (examples + azure-cli
//! test_dns). Synchronous. Creating a zone creates its apex SOA and NS record sets,
//! which cannot be deleted. The DNS RP's own errors are unwrapped `{code,message}`.
//! A zone name is unique within its resource group only: Azure DNS hosts the same public
//! zone in other groups and subscriptions, each on its own set of name servers.

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::{Kind, Prepared, PutCtx, properties};
use crate::error::ArmError;
use crate::path::ResPath;
use crate::store::{Entry, State};

pub(crate) struct Zone;
pub(crate) static ZONE: Zone = Zone;
pub(crate) struct RecordSet;
pub(crate) static RECORD_SET: RecordSet = RecordSet;

fn bad(message: String) -> ArmError {
    ArmError::bad_request("BadRequest", message).unwrapped()
}

fn name_servers(zone: &str) -> Vec<String> {
    let n = crate::util::fnv(zone) % 9 + 1;
    [
        "azure-dns.com",
        "azure-dns.net",
        "azure-dns.org",
        "azure-dns.info",
    ]
    .iter()
    .enumerate()
    .map(|(i, d)| format!("ns{}-0{n}.{d}.", i + 1))
    .collect()
}

fn etag(ctx: &PutCtx<'_>) -> Value {
    json!(ctx.app.guid())
}

impl Kind for Zone {
    fn put(&self, ctx: &PutCtx<'_>, st: &mut State, body: Value) -> Result<Prepared, ArmError> {
        let loc = body.get("location").and_then(Value::as_str).unwrap_or("");
        if !loc.eq_ignore_ascii_case("global") {
            return Err(bad(format!(
                "The location '{loc}' is not valid for a DNS zone; it must be 'global'."
            )));
        }
        let zone = ctx.name().to_ascii_lowercase();
        let mut p = properties(&body)?;
        let zone_type = p.get("zoneType").cloned().unwrap_or(json!("Public"));
        super::create_only(
            ctx,
            &body,
            "/properties/zoneType",
            ctx.existing_body()
                .and_then(|b| b.pointer("/properties/zoneType")),
        )?;
        p.insert("maxNumberOfRecordSets".into(), json!(10000));
        p.insert("maxNumberOfRecordsPerRecordSet".into(), Value::Null);
        p.insert("nameServers".into(), json!(name_servers(&zone)));
        p.insert("numberOfRecordSets".into(), json!(2));
        p.insert("serveRecordsBelowDelegation".into(), Value::Null);
        p.insert("zoneType".into(), zone_type);
        let mut out = ctx.shell();
        out.insert("etag".into(), etag(ctx));
        out.insert("location".into(), json!("global"));
        out.insert("tags".into(), super::tags_or_empty(&body));
        out.insert("properties".into(), Value::Object(p));
        if ctx.created() {
            for (ty, ttl, key, records) in [
                (
                    "SOA",
                    3600,
                    "SOARecord",
                    json!({
                        "email": "azuredns-hostmaster.microsoft.com", "expireTime": 2419200,
                        "host": name_servers(&zone)[0], "minimumTTL": 300, "refreshTime": 3600,
                        "retryTime": 300, "serialNumber": 1,
                    }),
                ),
                (
                    "NS",
                    172800,
                    "NSRecords",
                    json!(
                        name_servers(&zone)
                            .iter()
                            .map(|n| json!({"nsdname": n}))
                            .collect::<Vec<_>>()
                    ),
                ),
            ] {
                let mut props = Map::new();
                props.insert("TTL".into(), json!(ttl));
                props.insert("fqdn".into(), json!(format!("{}.", ctx.name())));
                props.insert("provisioningState".into(), json!("Succeeded"));
                props.insert(key.into(), records);
                st.insert(Entry::new(json!({
                    "id": format!("{}/{ty}/@", ctx.id), "name": "@", "type": format!("Microsoft.Network/dnsZones/{ty}"),
                    "etag": ctx.app.guid(), "properties": props,
                })));
            }
        }
        Ok(Prepared::new(out))
    }
    fn finish(&self, _entry: &mut Entry, _ok: bool) -> bool {
        true
    }
    fn view(&self, entry: &Entry, _after_put: bool) -> Value {
        entry.body.clone()
    }
    /// The recorded zone list spells the type `dnszones` in ids and `type`.
    fn list_view(&self, entry: &Entry) -> Value {
        let mut body = entry.body.clone();
        for key in ["id", "type"] {
            if let Some(Value::String(s)) = body.get_mut(key) {
                *s = s.replace("/dnsZones", "/dnszones");
            }
        }
        body
    }
}

/// Record-set keys have fixed capitalisation; this maps a type to its data key.
fn record_key(ty: &str) -> Option<&'static str> {
    Some(match ty.to_ascii_uppercase().as_str() {
        "A" => "ARecords",
        "AAAA" => "AAAARecords",
        "CNAME" => "CNAMERecord",
        "MX" => "MXRecords",
        "TXT" => "TXTRecords",
        "NS" => "NSRecords",
        "SOA" => "SOARecord",
        "SRV" => "SRVRecords",
        "CAA" => "caaRecords",
        "PTR" => "PTRRecords",
        _ => return None,
    })
}

impl Kind for RecordSet {
    fn put(&self, ctx: &PutCtx<'_>, st: &mut State, body: Value) -> Result<Prepared, ArmError> {
        let ty = ctx
            .path
            .types
            .get(1)
            .cloned()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let key = record_key(&ty)
            .ok_or_else(|| bad(format!("The record type '{ty}' is not supported.")))?;
        let p = properties(&body)?;
        if let Some(old) = ctx
            .existing_body()
            .and_then(|b| b.get("etag"))
            .and_then(Value::as_str)
            && body
                .get("etag")
                .and_then(Value::as_str)
                .is_some_and(|e| e != old)
        {
            return Err(ArmError::new(
                StatusCode::PRECONDITION_FAILED,
                "PreconditionFailed",
                "The etag does not match.",
            )
            .unwrapped());
        }
        let zone = ctx.path.names.first().cloned().unwrap_or_default();
        let name = ctx.name();
        let fqdn = if name == "@" {
            format!("{zone}.")
        } else {
            format!("{name}.{zone}.")
        };
        let mut props = Map::new();
        if let Some(m) = p.get("metadata") {
            props.insert("metadata".into(), m.clone());
        }
        props.insert("TTL".into(), p.get("TTL").cloned().unwrap_or(json!(3600)));
        props.insert("fqdn".into(), json!(fqdn));
        props.insert("provisioningState".into(), json!("Succeeded"));
        let data = p
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| {
                if key.ends_with("Record") {
                    Value::Null
                } else {
                    json!([])
                }
            });
        props.insert(key.into(), data);
        if let Some(t) = p.get("targetResource") {
            props.insert("targetResource".into(), t.clone());
        }
        let mut out = ctx.shell();
        out.insert("etag".into(), etag(ctx));
        out.insert("properties".into(), Value::Object(props));
        let zone_id = ctx.id.rsplitn(3, '/').nth(2).unwrap_or("").to_string();
        if ctx.created() {
            let count = st.under(&zone_id).count() + 1;
            if let Some(z) = st.resources.get_mut(&zone_id.to_ascii_lowercase())
                && let Some(p) = z.body.get_mut("properties").and_then(Value::as_object_mut)
            {
                p.insert("numberOfRecordSets".into(), json!(count));
            }
        }
        Ok(Prepared::new(out))
    }
    fn finish(&self, _entry: &mut Entry, _ok: bool) -> bool {
        true
    }
    fn before_delete(&self, entry: &Entry, _st: &State) -> Result<(), ArmError> {
        let name = entry.body.get("name").and_then(Value::as_str).unwrap_or("");
        let ty = entry.body.get("type").and_then(Value::as_str).unwrap_or("");
        if name == "@" && (ty.ends_with("/SOA") || ty.ends_with("/NS")) {
            return Err(bad(format!(
                "The {} record set at the zone apex cannot be deleted.",
                ty.rsplit('/').next().unwrap_or("")
            )));
        }
        Ok(())
    }
    fn after_delete(&self, entry: &Entry, st: &mut State) {
        let id = entry.id();
        let zone_id = id.rsplitn(3, '/').nth(2).unwrap_or("").to_string();
        let count = st.under(&zone_id).count();
        if let Some(z) = st.resources.get_mut(&zone_id.to_ascii_lowercase())
            && let Some(p) = z.body.get_mut("properties").and_then(Value::as_object_mut)
        {
            p.insert("numberOfRecordSets".into(), json!(count));
        }
    }
    fn not_found(&self, _type_name: &str, path: &ResPath) -> ArmError {
        ArmError::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!("The resource record '{}' does not exist in resource group '{}' of subscription '{}'.", path.name(), path.rg.as_deref().unwrap_or(""), path.sub),
        )
        .unwrapped()
    }
}
