//! `azure.resource` — any ARM resource by type and api-version, for what has no dedicated type.

use infra_provider_core::{PropertySchema as P, ResourceSchema, Type};

pub fn schema() -> ResourceSchema {
    ResourceSchema::new(
        "azure.resource",
        "Any ARM resource: PUT of `body` at the id made of the parent, type and name.",
    )
    .prop(
        "type",
        P::input(Type::String)
            .required()
            .create_only()
            .doc("e.g. Microsoft.Storage/storageAccounts"),
    )
    .prop(
        "api_version",
        P::input(Type::String).required().doc("e.g. 2024-01-01"),
    )
    .prop(
        "name",
        P::input(Type::String)
            .required()
            .create_only()
            .doc("Resource name."),
    )
    .prop(
        "resource_group",
        P::input(Type::Resource("azure.resource_group".into()))
            .create_only()
            .doc("Group (or use parent_id)."),
    )
    .prop(
        "parent_id",
        P::input(Type::String)
            .create_only()
            .doc("Parent resource id for child types."),
    )
    .prop(
        "location",
        P::input(Type::String)
            .create_only()
            .doc("Region, for tracked types."),
    )
    .prop(
        "body",
        P::input(Type::Any).doc("The rest of the request body (properties, sku, ...)."),
    )
    .prop("id", P::output(Type::String).doc("ARM resource id."))
    .prop(
        "output",
        P::output(Type::Any).doc("The resource as the cloud answered GET."),
    )
}

use crate::kind::AzureType;
use crate::mapping::{group_scope, norm_location, put, s, tags_value};
use crate::provider::AzureConfig;
use infra_provider_core::{Props, ProviderError, ProviderResult, Value};
use serde_json::Value as J;

pub struct Generic;
pub static KIND: Generic = Generic;

/// `live` cut down to the shape of `mine`: the keys the user wrote, at every depth. The RP
/// adds defaults and read-only fields nobody asked for; comparing only what was written
/// shows real drift on those keys without false changes from the rest.
fn project(live: &Value, mine: &Value) -> Value {
    match (live, mine) {
        (Value::Object(l), Value::Object(m)) => Value::Object(
            m.iter()
                .filter_map(|(k, mv)| l.get(k).map(|lv| (k.clone(), project(lv, mv))))
                .collect(),
        ),
        _ => live.clone(),
    }
}

/// Any ARM resource: the `api_version` is the user's, the api path is built from `type`.
impl AzureType for Generic {
    fn schema(&self) -> ResourceSchema {
        schema()
    }
    fn api_version(&self) -> &'static str {
        // Unused: every call passes the resource's own `api_version`.
        ""
    }
    fn arm_id(&self, sub: &str, p: &Props) -> Option<String> {
        let ty = s(p, "type")?;
        let name = s(p, "name")?;
        if let Some(parent) = s(p, "parent_id") {
            let last = ty.rsplit('/').next()?;
            return Some(format!("{}/{last}/{name}", parent.trim_end_matches('/')));
        }
        Some(format!(
            "{}/providers/{ty}/{name}",
            group_scope(sub, s(p, "resource_group")?)
        ))
    }
    fn computed(&self) -> &'static [&'static str] {
        &["location"]
    }
    /// A vault's `ipRules` come back normalised (`1.2.3.4` as `1.2.3.4/32`): the desired body
    /// is compared the same way, so the read-back is no false change.
    fn normalise(&self, d: &mut Props, _prior: Option<&infra_provider_core::ObjectState>) {
        if !s(d, "type").is_some_and(|t| t.eq_ignore_ascii_case("Microsoft.KeyVault/vaults")) {
            return;
        }
        let rules = match d.get_mut("body") {
            Some(Value::Object(b)) => match b.get_mut("properties") {
                Some(Value::Object(p)) => match p.get_mut("networkAcls") {
                    Some(Value::Object(acls)) => acls.get_mut("ipRules"),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        };
        if let Some(Value::List(rules)) = rules {
            for r in rules {
                if let Value::Object(rule) = r
                    && let Some(Value::String(v)) = rule.get_mut("value")
                {
                    *v = crate::mapping::ip_rule(v);
                }
            }
        }
    }
    fn to_body(&self, p: &Props, _: &AzureConfig) -> ProviderResult<J> {
        let mut body = match p.get("body").map(plain_json) {
            None | Some(J::Null) => J::Object(Default::default()),
            Some(b @ J::Object(_)) => b,
            Some(_) => {
                return Err(ProviderError::Invalid(
                    "azure.resource: `body` must be an object".into(),
                ));
            }
        };
        if let (Some(l), Some(obj)) = (s(p, "location"), body.as_object_mut()) {
            obj.insert("location".into(), J::String(l.to_string()));
        }
        Ok(body)
    }
    fn read_body(&self, body: &J, prior: &Props) -> ProviderResult<(Props, Props)> {
        let mut p = Props::new();
        for k in ["type", "api_version", "name", "resource_group", "parent_id"] {
            put(&mut p, k, prior.get(k).cloned());
        }
        if prior.get("name").is_none() {
            put(
                &mut p,
                "name",
                body.get("name").and_then(J::as_str).map(Value::str),
            );
            put(
                &mut p,
                "type",
                body.get("type").and_then(J::as_str).map(Value::str),
            );
        }
        put(
            &mut p,
            "location",
            body.get("location")
                .and_then(J::as_str)
                .map(|l| Value::String(norm_location(l))),
        );
        let live = Value::from_json(body);
        let mine = prior
            .get("body")
            .cloned()
            .unwrap_or(Value::Object(Default::default()));
        let mut projected = project(&live, &mine);
        if let (Value::Object(m), Value::Object(written)) = (&mut projected, &mine)
            && written.contains_key("tags")
        {
            m.insert("tags".into(), tags_value(body));
        }
        p.insert("body".into(), projected);
        let mut out = Props::new();
        out.insert("output".into(), live);
        Ok((p, out))
    }
    fn read<'a>(
        &'a self,
        cx: &'a crate::kind::Cx<'a>,
        prior: &'a infra_provider_core::ObjectState,
    ) -> infra_provider_core::BoxFuture<'a, ProviderResult<Option<infra_provider_core::ObjectState>>>
    {
        Box::pin(async move {
            let api = s(&prior.inputs, "api_version").unwrap_or_default();
            match cx.client.get(&prior.id, api, cx.cancel).await? {
                Some(body) => Ok(Some(crate::kind::state_from(
                    self,
                    &body,
                    &prior.inputs,
                    &prior.id,
                )?)),
                None => Ok(None),
            }
        })
    }
    fn create<'a>(
        &'a self,
        cx: &'a crate::kind::Cx<'a>,
        inputs: &'a Props,
    ) -> infra_provider_core::BoxFuture<'a, ProviderResult<infra_provider_core::ObjectState>> {
        Box::pin(async move {
            let id = self
                .arm_id(&cx.config.subscription_id, inputs)
                .ok_or_else(|| crate::kind::unknown_id(&self.schema()))?;
            let api = s(inputs, "api_version").unwrap_or_default();
            crate::kind::ensure_absent(cx, &id, api).await?;
            self.put(cx, &id, inputs).await
        })
    }
    fn update<'a>(
        &'a self,
        cx: &'a crate::kind::Cx<'a>,
        prior: &'a infra_provider_core::ObjectState,
        inputs: &'a Props,
    ) -> infra_provider_core::BoxFuture<'a, ProviderResult<infra_provider_core::ObjectState>> {
        Box::pin(async move {
            let api = s(inputs, "api_version").ok_or_else(|| {
                ProviderError::Invalid("azure.resource: `api_version` is required".into())
            })?;
            let new = self.to_body(inputs, cx.config)?;
            let old = self.to_body(&prior.inputs, cx.config).ok();
            let answer =
                crate::kind::preserving_put(cx, &prior.id, api, &new, old.as_ref(), &[]).await?;
            crate::kind::state_from(self, &answer, inputs, &prior.id)
        })
    }
    fn delete<'a>(
        &'a self,
        cx: &'a crate::kind::Cx<'a>,
        prior: &'a infra_provider_core::ObjectState,
    ) -> infra_provider_core::BoxFuture<'a, ProviderResult<()>> {
        Box::pin(async move {
            Ok(cx
                .client
                .delete(
                    &prior.id,
                    s(&prior.inputs, "api_version").unwrap_or_default(),
                    cx.cancel,
                )
                .await?)
        })
    }
    fn import<'a>(
        &'a self,
        _cx: &'a crate::kind::Cx<'a>,
        id: &'a str,
    ) -> infra_provider_core::BoxFuture<'a, ProviderResult<Option<infra_provider_core::ObjectState>>>
    {
        let msg = format!(
            "azure.resource cannot be imported by id alone ({id}): its api_version is unknown; declare it and run apply, which adopts it"
        );
        Box::pin(async move { Err(ProviderError::Unsupported(msg)) })
    }
}

impl Generic {
    async fn put(
        &self,
        cx: &crate::kind::Cx<'_>,
        id: &str,
        inputs: &Props,
    ) -> ProviderResult<infra_provider_core::ObjectState> {
        let api = s(inputs, "api_version").ok_or_else(|| {
            ProviderError::Invalid("azure.resource: `api_version` is required".into())
        })?;
        let mut body = self.to_body(inputs, cx.config)?;
        // The create marker needs tags: a tracked resource (one with a location) takes
        // them; other types may refuse them, so they are left as written.
        if let Some(obj) = body.as_object_mut()
            && !cx.create_key.is_empty()
            && obj.contains_key("location")
        {
            obj.entry("tags")
                .or_insert_with(|| J::Object(Default::default()));
        }
        crate::kind::mark_created(cx, &mut body);
        let answer = cx
            .client
            .write(reqwest::Method::PUT, id, api, &body, cx.cancel)
            .await?;
        crate::kind::state_from(self, &answer, inputs, id)
    }
}

/// JSON with secret values in clear: only ever used as a request body to the cloud.
pub(crate) fn plain_json(v: &Value) -> J {
    match v {
        Value::Secret(inner) => plain_json(inner),
        Value::List(l) => J::Array(l.iter().map(plain_json).collect()),
        Value::Object(m) => J::Object(m.iter().map(|(k, v)| (k.clone(), plain_json(v))).collect()),
        other => other.to_redacted_json(),
    }
}
