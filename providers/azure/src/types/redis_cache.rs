//! `azure.redis_cache` — Microsoft.Cache/redis @2024-11-01.

use super::common::tracked;
use infra_provider_core::{PropertySchema as P, ResourceSchema, Type};

pub fn schema() -> ResourceSchema {
    tracked("azure.redis_cache", "Azure Cache for Redis.")
        .prop(
            "sku",
            P::input(Type::enumeration(&["Basic", "Standard", "Premium"]))
                .required()
                .doc("Tier."),
        )
        .prop(
            "capacity",
            P::input(Type::Int)
                .required()
                .doc("Size within the family (0 to 6)."),
        )
        .prop(
            "non_ssl_port",
            P::input(Type::Bool).doc("Open port 6379 (off by default)."),
        )
        .prop(
            "minimum_tls_version",
            P::input(Type::enumeration(&["1.2"])).doc("Minimum TLS version."),
        )
        .prop(
            "redis_version",
            P::input(Type::String).doc("Major version, e.g. \"6\"."),
        )
        .prop("hostname", P::output(Type::String).doc("Host name."))
        .prop("ssl_port", P::output(Type::Int).doc("TLS port."))
        .prop(
            "primary_key",
            P::output(Type::Secret).secret().doc("Access key."),
        )
}

pub const API_VERSION: &str = "2024-11-01";
// The RP answers with `Redis`, not the documented `redis` (FINDINGS §1): build ids its way.
const PROVIDER_TYPE: &str = "Microsoft.Cache/Redis";

use crate::kind::{AzureType, Cx};
use crate::mapping::{
    b, i, jbool, jint, jstr, obj, put, s, tracked_body, tracked_id, tracked_inputs,
};
use crate::provider::AzureConfig;
use infra_provider_core::{BoxFuture, ObjectState, Props, ProviderResult, Value};
use serde_json::{Value as J, json};

pub struct RedisCache;
pub static KIND: RedisCache = RedisCache;

/// `6.0` and `6` are the same version to the RP (it answers `4.0.14` to `4`).
fn major(v: &str) -> String {
    v.split('.').next().unwrap_or(v).to_string()
}

impl RedisCache {
    /// The primary key comes from POST listKeys (GET answers `accessKeys: null`); fetched
    /// after writes only, so that a refresh costs no write tokens.
    async fn with_key(&self, cx: &Cx<'_>, mut st: ObjectState) -> ProviderResult<ObjectState> {
        let keys = cx
            .client
            .post(&format!("{}/listKeys", st.id), API_VERSION, None, cx.cancel)
            .await?;
        if let Some(k) = keys.get("primaryKey").and_then(J::as_str) {
            st.outputs
                .insert("primary_key".into(), Value::secret(Value::str(k)));
        }
        Ok(st)
    }
}

/// PUT 201 `Creating` + Azure-AsyncOperation; location comes back as a display name and
/// `sku.family` upper-cased: both normalised.
impl AzureType for RedisCache {
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
            "non_ssl_port",
            "minimum_tls_version",
            "redis_version",
        ]
    }
    /// Read-only per the 2024-11-01 spec (FINDINGS §2.9); the keys must never travel back.
    fn read_only(&self) -> &'static [&'static str] {
        &[
            "/properties/accessKeys",
            "/properties/hostName",
            "/properties/port",
            "/properties/sslPort",
            "/properties/instances",
            "/properties/linkedServers",
            "/properties/privateEndpointConnections",
        ]
    }
    fn location_from_group(&self) -> bool {
        true
    }
    fn normalise(&self, d: &mut Props, _prior: Option<&ObjectState>) {
        if let Some(v) = s(d, "redis_version").map(major) {
            d.insert("redis_version".into(), Value::String(v));
        }
    }
    fn to_body(&self, p: &Props, _: &AzureConfig) -> ProviderResult<J> {
        let sku = s(p, "sku").unwrap_or("Basic");
        let family = if sku.eq_ignore_ascii_case("Premium") {
            "P"
        } else {
            "C"
        };
        let props = obj(vec![
            (
                "sku",
                Some(
                    json!({"name": sku, "family": family, "capacity": i(p, "capacity").unwrap_or(0)}),
                ),
            ),
            ("enableNonSslPort", b(p, "non_ssl_port").map(J::Bool)),
            (
                "minimumTlsVersion",
                s(p, "minimum_tls_version").map(|v| json!(v)),
            ),
            ("redisVersion", s(p, "redis_version").map(|v| json!(v))),
            ("redisConfiguration", Some(json!({}))),
        ]);
        Ok(tracked_body(p, props))
    }
    fn read_body(&self, body: &J, _prior: &Props) -> ProviderResult<(Props, Props)> {
        let mut p = tracked_inputs(body);
        put(&mut p, "sku", jstr(body, "/properties/sku/name"));
        put(&mut p, "capacity", jint(body, "/properties/sku/capacity"));
        put(
            &mut p,
            "non_ssl_port",
            jbool(body, "/properties/enableNonSslPort"),
        );
        put(
            &mut p,
            "minimum_tls_version",
            jstr(body, "/properties/minimumTlsVersion"),
        );
        put(
            &mut p,
            "redis_version",
            body.pointer("/properties/redisVersion")
                .and_then(J::as_str)
                .map(|v| Value::String(major(v))),
        );
        let mut out = Props::new();
        put(&mut out, "hostname", jstr(body, "/properties/hostName"));
        put(&mut out, "ssl_port", jint(body, "/properties/sslPort"));
        Ok((p, out))
    }
    fn after_write<'a>(
        &'a self,
        cx: &'a Cx<'a>,
        st: ObjectState,
        _inputs: &'a Props,
    ) -> BoxFuture<'a, ProviderResult<ObjectState>> {
        Box::pin(self.with_key(cx, st))
    }
    fn kept_on_read(&self) -> &'static [&'static str] {
        &["primary_key"]
    }
}
