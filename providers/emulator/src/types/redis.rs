//! Microsoft.Cache/Redis (recorded: azure-cli test_redis_cache_with_mandatory_args;
//! example RedisCacheCreate 2024-11-01). Ids and type say `Redis`; the location comes
//! back as a display name; `sku.family` is upper-cased; the PUT response carries the
//! access keys but GET shows `accessKeys: null`.

use serde_json::{Map, Value, json};

use super::{Kind, Prepared, PutCtx, copy, create_only, default, properties, set_state};
use crate::error::ArmError;
use crate::lro::{DeleteLro, Lro};
use crate::store::{Entry, State, StatusStyle};
use crate::util::{base64_std, region_display};

pub(crate) struct Redis;
pub(crate) static REDIS: Redis = Redis;

fn redis_version(sent: Option<&str>) -> &'static str {
    match sent.map(|s| s.split('.').next().unwrap_or(s)) {
        Some("4") => "4.0.14",
        _ => "6.0",
    }
}

fn instances(sku: &str, shards: u64, replicas: u64, ready: bool, zones: &Value) -> Value {
    let per_shard = match sku {
        "premium" => 1 + replicas,
        "standard" => 2,
        _ => 1,
    };
    let zone = zones.get(0).cloned();
    let mut out = Vec::new();
    for shard in 0..shards.max(1) {
        for i in 0..per_shard {
            let n = shard * per_shard + i;
            let primary = ready && i == 0;
            let mut m = Map::new();
            m.insert("sslPort".into(), json!(15000 + n));
            if sku == "premium" {
                m.insert("nonSslPort".into(), json!(13000 + n));
                m.insert("shardId".into(), json!(shard));
            }
            m.insert("isMaster".into(), json!(primary));
            m.insert("isPrimary".into(), json!(primary));
            if let Some(z) = &zone {
                m.insert("zone".into(), z.clone());
            }
            out.push(Value::Object(m));
        }
    }
    Value::Array(out)
}

impl Kind for Redis {
    fn put(&self, ctx: &PutCtx<'_>, _st: &mut State, body: Value) -> Result<Prepared, ArmError> {
        let location = ctx.location(&body, true)?;
        let mut p = properties(&body)?;
        let old = ctx.existing_body();
        for ptr in ["/properties/staticIP", "/properties/subnetId", "/zones"] {
            create_only(ctx, &body, ptr, old.and_then(|o| o.pointer(ptr)))?;
        }
        let sku = p.get("sku").cloned().unwrap_or(Value::Null);
        let sku_name = sku
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_ascii_lowercase();
        if !matches!(sku_name.as_str(), "basic" | "standard" | "premium") {
            return Err(ArmError::bad_request(
                "InvalidRequestBody",
                "The 'sku.name' property must be Basic, Standard or Premium.",
            ));
        }
        let family = sku
            .get("family")
            .and_then(Value::as_str)
            .unwrap_or("C")
            .to_ascii_uppercase();
        let capacity = sku.get("capacity").cloned().unwrap_or(json!(0));
        p.insert(
            "sku".into(),
            json!({"name": sku.get("name").cloned().unwrap_or(Value::Null), "family": family, "capacity": capacity}),
        );
        p.insert("provisioningState".into(), json!("Succeeded"));
        p.insert(
            "redisVersion".into(),
            json!(redis_version(p.get("redisVersion").and_then(Value::as_str))),
        );
        default(&mut p, "enableNonSslPort", json!(false));
        default(&mut p, "publicNetworkAccess", json!("Enabled"));
        let zones = body.get("zones").cloned().unwrap_or(Value::Null);
        // Absent in the 2023-04-01 recording, present in the 2024-11-01 example.
        if ctx.api_version.as_str() >= "2024" {
            default(&mut p, "minimumTlsVersion", json!("1.2"));
            default(&mut p, "updateChannel", json!("Stable"));
            let zonal = if zones.as_array().is_some_and(|z| !z.is_empty()) {
                "UserDefined"
            } else {
                "Automatic"
            };
            default(&mut p, "zonalAllocationPolicy", json!(zonal));
        }
        let replicas = p
            .get("replicasPerPrimary")
            .or(p.get("replicasPerMaster"))
            .and_then(Value::as_u64)
            .unwrap_or(1);
        if sku_name == "premium" {
            p.insert("replicasPerMaster".into(), json!(replicas));
            p.insert("replicasPerPrimary".into(), json!(replicas));
        }
        let shards = p.get("shardCount").and_then(Value::as_u64).unwrap_or(1);
        let big = capacity.as_u64().unwrap_or(0) > 0 || family == "P";
        let mut conf = match p.get("redisConfiguration") {
            Some(Value::Object(m)) => m.clone(),
            _ => Map::new(),
        };
        let reserved = if big { "50" } else { "30" };
        default(
            &mut conf,
            "maxclients",
            json!(if big { "1000" } else { "256" }),
        );
        default(&mut conf, "maxmemory-reserved", json!(reserved));
        default(
            &mut conf,
            "maxfragmentationmemory-reserved",
            json!(reserved),
        );
        default(&mut conf, "maxmemory-delta", json!(reserved));
        p.insert("redisConfiguration".into(), Value::Object(conf));
        p.insert(
            "instances".into(),
            instances(&sku_name, shards, replicas, true, &zones),
        );
        p.insert("accessKeys".into(), Value::Null);
        p.insert(
            "hostName".into(),
            json!(format!("{}.redis.cache.windows.net", ctx.name())),
        );
        p.insert("port".into(), json!(6379));
        p.insert("sslPort".into(), json!(6380));
        p.insert("linkedServers".into(), json!([]));
        let mut out = ctx.shell();
        out.insert("location".into(), json!(location));
        out.insert("tags".into(), super::tags_or_empty(&body));
        copy(&body, &mut out, &["zones", "identity"]);
        super::fill_identity(&mut out, &ctx.id);
        out.insert("properties".into(), Value::Object(p));
        let mut prepared = Prepared::new(out);
        prepared.private = match ctx.existing.as_ref().map(|e| &e.private) {
            Some(k) if !k.is_null() => k.clone(),
            _ => ctx.app.with_rng(|r| {
                json!({"primaryKey": base64_std(r.b64(32).as_bytes()), "secondaryKey": base64_std(r.b64(32).as_bytes())})
            }),
        };
        Ok(prepared)
    }
    fn lro(&self, _ctx: &PutCtx<'_>) -> Lro {
        Lro::Redis
    }
    fn status_style(&self) -> StatusStyle {
        StatusStyle::Redis
    }
    fn delete_lro(&self) -> DeleteLro {
        DeleteLro::Location {
            results: "operationResults",
        }
    }
    /// Redis puts the display name in its operation URLs (`West%20US`).
    fn op_location(&self, entry: &Entry, _st: &State) -> String {
        let loc = entry
            .body
            .get("location")
            .and_then(Value::as_str)
            .unwrap_or("");
        region_display(loc).unwrap_or(loc).to_string()
    }
    fn pending(&self, body: &mut Value, create: bool) {
        set_state(
            body,
            "/properties/provisioningState",
            if create { "Creating" } else { "Updating" },
        );
        if let Some(Value::Array(list)) = body.pointer_mut("/properties/instances") {
            for i in list.iter_mut().filter_map(Value::as_object_mut) {
                i.insert("isMaster".into(), json!(false));
                i.insert("isPrimary".into(), json!(false));
            }
        }
    }
    fn finish(&self, entry: &mut Entry, ok: bool) -> bool {
        set_state(
            &mut entry.body,
            "/properties/provisioningState",
            if ok { "Succeeded" } else { "Failed" },
        );
        let sku = entry
            .body
            .pointer("/properties/sku/name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_ascii_lowercase();
        let shards = entry
            .body
            .pointer("/properties/shardCount")
            .and_then(Value::as_u64)
            .unwrap_or(1);
        let replicas = entry
            .body
            .pointer("/properties/replicasPerPrimary")
            .and_then(Value::as_u64)
            .unwrap_or(1);
        let zones = entry.body.get("zones").cloned().unwrap_or(Value::Null);
        if let Some(p) = entry
            .body
            .get_mut("properties")
            .and_then(Value::as_object_mut)
        {
            p.insert(
                "instances".into(),
                instances(&sku, shards, replicas, ok, &zones),
            );
        }
        true
    }
    fn view(&self, entry: &Entry, after_put: bool) -> Value {
        let mut body = entry.body.clone();
        if after_put
            && !entry.private.is_null()
            && let Some(p) = body.get_mut("properties").and_then(Value::as_object_mut)
        {
            p.insert("accessKeys".into(), entry.private.clone());
        }
        body
    }
    fn action(
        &self,
        action: &str,
        entry: &Entry,
        _st: &mut State,
    ) -> Result<Option<Value>, ArmError> {
        match action.to_ascii_lowercase().as_str() {
            "listkeys" => Ok(Some(entry.private.clone())),
            _ => super::generic::GENERIC.action(action, entry, _st),
        }
    }
}
