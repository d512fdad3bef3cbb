//! `azure.key_vault_secret` — a secret in the Key Vault data plane (api-version 2025-07-01).

use infra_provider_core::{PropertySchema as P, ResourceSchema, Type};

pub fn schema() -> ResourceSchema {
    ResourceSchema::new(
        "azure.key_vault_secret",
        "A secret value in a Key Vault; the value is never read back or stored.",
    )
    .prop(
        "vault",
        P::input(Type::Resource("azure.key_vault".into()))
            .required()
            .create_only()
            .doc("The vault."),
    )
    .prop(
        "name",
        P::input(Type::String)
            .required()
            .create_only()
            .doc("Secret name."),
    )
    .prop(
        "value",
        P::input(Type::Secret)
            .required()
            .secret()
            .doc("The value; compared by keyed hash."),
    )
    .prop(
        "content_type",
        P::input(Type::String).doc("Content type hint."),
    )
    .prop("expires", P::input(Type::String).doc("Expiry (RFC 3339)."))
    .prop("tags", P::input(Type::map(Type::String)).doc("Tags."))
    .prop(
        "id",
        P::output(Type::String)
            .changes_on_update()
            .doc("Versioned secret id."),
    )
    .prop(
        "versionless_id",
        P::output(Type::String).doc("Secret id without version, for Key Vault references."),
    )
}

/// Data-plane api-version (FINDINGS §0: the newest stable after 7.6).
pub const API_VERSION: &str = "2025-07-01";

use crate::arm::client::VAULT_SCOPE;
use crate::kind::{AzureType, Cx};
use crate::mapping::{parent_of, put, s, tags_json, tags_value};
use crate::provider::AzureConfig;
use infra_provider_core::{BoxFuture, ObjectState, Props, ProviderError, ProviderResult, Value};
use reqwest::Method;
use serde_json::{Value as J, json};

pub struct KeyVaultSecret;
pub static KIND: KeyVaultSecret = KeyVaultSecret;

async fn vault_uri(cx: &Cx<'_>, vault_id: &str) -> ProviderResult<Option<String>> {
    let vault = cx
        .client
        .get(vault_id, super::key_vault::API_VERSION, cx.cancel)
        .await?;
    Ok(vault.and_then(|v| {
        v.pointer("/properties/vaultUri")
            .and_then(J::as_str)
            .map(|u| u.trim_end_matches('/').to_string())
    }))
}

fn url(uri: &str, path: &str) -> String {
    format!("{uri}/{path}?api-version={API_VERSION}")
}

/// Inputs and outputs from a secret bundle. The value in the bundle is dropped here, unread.
fn from_bundle(bundle: &J, vault_id: &str, name: &str) -> ObjectState {
    let mut inputs = Props::new();
    inputs.insert("vault".into(), Value::str(vault_id));
    inputs.insert("name".into(), Value::str(name));
    put(
        &mut inputs,
        "content_type",
        bundle
            .get("contentType")
            .and_then(J::as_str)
            .map(Value::str),
    );
    put(
        &mut inputs,
        "expires",
        bundle
            .pointer("/attributes/exp")
            .and_then(J::as_i64)
            .map(|t| Value::String(rfc3339(t))),
    );
    inputs.insert("tags".into(), tags_value(bundle));
    let mut outputs = Props::new();
    let versioned = bundle
        .get("id")
        .and_then(J::as_str)
        .unwrap_or_default()
        .to_string();
    let versionless = versioned
        .rsplit_once('/')
        .map(|(a, _)| a.to_string())
        .unwrap_or_else(|| versioned.clone());
    outputs.insert("id".into(), Value::String(versioned));
    outputs.insert("versionless_id".into(), Value::String(versionless));
    ObjectState {
        id: format!("{vault_id}/secrets/{name}"),
        inputs,
        outputs,
    }
}

fn body(p: &Props) -> ProviderResult<J> {
    let value = s(p, "value").ok_or_else(|| {
        ProviderError::Invalid("azure.key_vault_secret: `value` must be a known string".into())
    })?;
    let mut b = managed(p)?;
    b["value"] = json!(value);
    Ok(b)
}

/// What a Set sends besides the value: what the configuration manages.
fn managed(p: &Props) -> ProviderResult<J> {
    let mut b = json!({"tags": tags_json(p)});
    if let Some(ct) = s(p, "content_type") {
        b["contentType"] = json!(ct);
    }
    if let Some(exp) = s(p, "expires") {
        let t = parse_rfc3339(exp).ok_or_else(|| {
            ProviderError::Invalid(format!(
                "azure.key_vault_secret: `expires` is not an RFC 3339 time: {exp}"
            ))
        })?;
        b["attributes"] = json!({"exp": t});
    }
    Ok(b)
}

impl KeyVaultSecret {
    /// Set a new version. `creating`: the secret must not exist yet (see `ensure_absent`).
    async fn set(
        &self,
        cx: &Cx<'_>,
        p: &Props,
        creating: bool,
        prior: Option<&Props>,
    ) -> ProviderResult<ObjectState> {
        let vault_id = s(p, "vault").ok_or_else(|| {
            ProviderError::Invalid("azure.key_vault_secret: `vault` is unknown".into())
        })?;
        let name = s(p, "name").unwrap_or_default();
        let uri = vault_uri(cx, vault_id).await?.ok_or_else(|| {
            ProviderError::Invalid(format!(
                "azure.key_vault_secret: vault {vault_id} not found"
            ))
        })?;
        let mut payload = body(p)?;
        crate::kind::mark_created(cx, &mut payload);
        let secret_url = url(&uri, &format!("secrets/{name}"));
        if let Some(prior) = prior {
            // Every Set makes a new version from what it is sent: what was set on the current
            // version outside the configuration (disabled in the portal, a not-before date)
            // is carried over, as an update of an ARM resource keeps it.
            let current = cx
                .client
                .data_plane(Method::GET, &secret_url, None, VAULT_SCOPE, cx.cancel)
                .await?;
            if let Some(current) = current {
                let mut base = json!({});
                for k in ["contentType", "tags"] {
                    if let Some(v) = current.get(k) {
                        base[k] = v.clone();
                    }
                }
                for k in ["enabled", "nbf", "exp"] {
                    if let Some(v) = current.get("attributes").and_then(|a| a.get(k)) {
                        base["attributes"][k] = v.clone();
                    }
                }
                let old = managed(prior).ok();
                let mut merged = crate::merge::overlay(&base, &managed(p)?, old.as_ref());
                merged["value"] = payload["value"].take();
                crate::kind::drop_create_marker(&mut merged, &payload);
                payload = merged;
            }
        }
        if creating {
            let found = cx
                .client
                .data_plane(Method::GET, &secret_url, None, VAULT_SCOPE, cx.cancel)
                .await?;
            if found.is_some_and(|f| !crate::kind::made_by(cx, f.get("tags"))) {
                let id = format!("{vault_id}/secrets/{name}");
                return Err(crate::kind::already_exists(cx.address, &id));
            }
        }
        let put = || {
            cx.client.data_plane(
                Method::PUT,
                &secret_url,
                Some(&payload),
                VAULT_SCOPE,
                cx.cancel,
            )
        };
        let bundle = match put().await {
            Err(e) if e.status() == Some(409) && cx.config.recover_soft_deleted_secrets => {
                // A soft-deleted secret holds the name: recover it, then set the new value.
                cx.client
                    .data_plane(
                        Method::POST,
                        &url(&uri, &format!("deletedsecrets/{name}/recover")),
                        None,
                        VAULT_SCOPE,
                        cx.cancel,
                    )
                    .await?;
                put().await?
            }
            other => other?,
        };
        let bundle = bundle.ok_or_else(|| {
            ProviderError::Invalid(format!(
                "azure.key_vault_secret: vault {vault_id} not found"
            ))
        })?;
        Ok(from_bundle(&bundle, vault_id, name))
    }

    async fn get(&self, cx: &Cx<'_>, id: &str) -> ProviderResult<Option<ObjectState>> {
        let (Some(vault_id), Some(name)) = (parent_of(id), id.rsplit('/').next()) else {
            return Err(ProviderError::Invalid(format!(
                "azure.key_vault_secret: `{id}` is not a secret id"
            )));
        };
        let Some(uri) = vault_uri(cx, &vault_id).await? else {
            return Ok(None);
        };
        let bundle = cx
            .client
            .data_plane(
                Method::GET,
                &url(&uri, &format!("secrets/{name}")),
                None,
                VAULT_SCOPE,
                cx.cancel,
            )
            .await?;
        Ok(bundle.map(|b| from_bundle(&b, &vault_id, name)))
    }
}

/// A secret in the Key Vault data plane. Every set makes a new version; the value is never
/// read back (the engine compares its keyed hash).
impl AzureType for KeyVaultSecret {
    fn schema(&self) -> ResourceSchema {
        schema()
    }
    fn api_version(&self) -> &'static str {
        API_VERSION
    }
    /// The versioned `id` output is only known after a write: no prediction.
    fn arm_id(&self, _sub: &str, _p: &Props) -> Option<String> {
        None
    }
    fn normalise(&self, d: &mut Props, _prior: Option<&ObjectState>) {
        if let Some(t) = s(d, "expires").and_then(parse_rfc3339) {
            d.insert("expires".into(), Value::String(rfc3339(t)));
        }
    }
    fn to_body(&self, p: &Props, _: &AzureConfig) -> ProviderResult<J> {
        body(p)
    }
    fn read_body(&self, b: &J, prior: &Props) -> ProviderResult<(Props, Props)> {
        let st = from_bundle(
            b,
            s(prior, "vault").unwrap_or_default(),
            s(prior, "name").unwrap_or_default(),
        );
        Ok((st.inputs, st.outputs))
    }
    fn create<'a>(
        &'a self,
        cx: &'a Cx<'a>,
        inputs: &'a Props,
    ) -> BoxFuture<'a, ProviderResult<ObjectState>> {
        Box::pin(self.set(cx, inputs, true, None))
    }
    fn update<'a>(
        &'a self,
        cx: &'a Cx<'a>,
        prior: &'a ObjectState,
        inputs: &'a Props,
    ) -> BoxFuture<'a, ProviderResult<ObjectState>> {
        Box::pin(self.set(cx, inputs, false, Some(&prior.inputs)))
    }
    fn read<'a>(
        &'a self,
        cx: &'a Cx<'a>,
        prior: &'a ObjectState,
    ) -> BoxFuture<'a, ProviderResult<Option<ObjectState>>> {
        Box::pin(async move {
            let mut live = self.get(cx, &prior.id).await?;
            // Keep the user's spelling of the vault reference when it is the same vault.
            if let (Some(l), Some(v)) = (live.as_mut(), prior.inputs.get("vault"))
                && l.inputs
                    .get("vault")
                    .and_then(Value::as_str)
                    .zip(v.as_str())
                    .is_some_and(|(a, b)| a.eq_ignore_ascii_case(b))
            {
                l.inputs.insert("vault".into(), v.clone());
                l.id = prior.id.clone();
            }
            Ok(live)
        })
    }
    fn import<'a>(
        &'a self,
        cx: &'a Cx<'a>,
        id: &'a str,
    ) -> BoxFuture<'a, ProviderResult<Option<ObjectState>>> {
        Box::pin(self.get(cx, id))
    }
    fn delete<'a>(
        &'a self,
        cx: &'a Cx<'a>,
        prior: &'a ObjectState,
    ) -> BoxFuture<'a, ProviderResult<()>> {
        Box::pin(async move {
            let (Some(vault_id), Some(name)) = (parent_of(&prior.id), prior.id.rsplit('/').next())
            else {
                return Ok(());
            };
            let Some(uri) = vault_uri(cx, &vault_id).await? else {
                return Ok(());
            };
            let gone = cx
                .client
                .data_plane(
                    Method::DELETE,
                    &url(&uri, &format!("secrets/{name}")),
                    None,
                    VAULT_SCOPE,
                    cx.cancel,
                )
                .await?;
            if gone.is_some() && cx.config.purge_secrets_on_delete {
                cx.client
                    .data_plane(
                        Method::DELETE,
                        &url(&uri, &format!("deletedsecrets/{name}")),
                        None,
                        VAULT_SCOPE,
                        cx.cancel,
                    )
                    .await?;
            }
            Ok(())
        })
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

/// `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` to Unix seconds.
pub fn parse_rfc3339(t: &str) -> Option<i64> {
    let n = |r: std::ops::Range<usize>| t.get(r).and_then(|x| x.parse::<i64>().ok());
    let (y, mo, d, h, mi, se) = (
        n(0..4)?,
        n(5..7)?,
        n(8..10)?,
        n(11..13)?,
        n(14..16)?,
        n(17..19)?,
    );
    let mut rest = t.get(19..)?;
    if let Some(frac) = rest.strip_prefix('.') {
        rest = frac.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let offset = match rest {
        "Z" | "z" => 0,
        o if o.len() == 6 => {
            let sign = if o.starts_with('-') { -1 } else { 1 };
            sign * (o.get(1..3)?.parse::<i64>().ok()? * 3600
                + o.get(4..6)?.parse::<i64>().ok()? * 60)
        }
        _ => return None,
    };
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + se - offset)
}

pub fn rfc3339(t: i64) -> String {
    let (days, secs) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trips() {
        let t = parse_rfc3339("2030-02-28T12:34:56Z").unwrap();
        assert_eq!(rfc3339(t), "2030-02-28T12:34:56Z");
        assert_eq!(parse_rfc3339("2030-02-28T14:34:56+02:00"), Some(t));
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00.5Z"), Some(0));
        assert_eq!(parse_rfc3339("yesterday"), None);
    }
}
