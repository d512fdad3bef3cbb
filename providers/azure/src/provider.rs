//! `AzureProvider`: the `azure.*` types behind the engine's `Provider` trait. Planning is
//! pure (normalisation, replace reasons, predicted ids); everything else goes through one
//! shared ARM client so that all types draw on one request budget.

use std::collections::BTreeSet;
use std::sync::Arc;

use infra_provider_core::{
    BoxFuture, ConcurrencyHints, CreateRequest, ObjectState, OpContext, PlanRequest, PlannedObject,
    Props, Provider, ProviderError, ProviderResult, ResourceSchema, Type, UpdateRequest, Value,
};

use crate::arm::{ArmClient, ArmError, ClientOptions};
use crate::kind::{AzureType, Cx};

/// Configuration of the provider. `subscription_id` is required; the rest has defaults.
#[derive(Debug, Clone)]
pub struct AzureConfig {
    pub subscription_id: String,
    /// Tenant for Key Vaults that do not name one (`AZURE_TENANT_ID` by default).
    pub tenant_id: Option<String>,
    /// Recover a soft-deleted Key Vault of the same name on create instead of failing.
    pub recover_soft_deleted_key_vaults: bool,
    /// Recover a soft-deleted Key Vault secret of the same name on create.
    pub recover_soft_deleted_secrets: bool,
    /// Purge Key Vault secrets after deleting them (frees the name at once; not recoverable).
    pub purge_secrets_on_delete: bool,
    pub client: ClientOptions,
}

impl AzureConfig {
    pub fn new(subscription_id: impl Into<String>) -> Self {
        AzureConfig {
            subscription_id: subscription_id.into(),
            tenant_id: std::env::var("AZURE_TENANT_ID")
                .ok()
                .filter(|s| !s.is_empty()),
            recover_soft_deleted_key_vaults: true,
            recover_soft_deleted_secrets: true,
            purge_secrets_on_delete: false,
            client: ClientOptions::default(),
        }
    }

    /// From the environment: `AZURE_SUBSCRIPTION_ID` (required), `AZURE_TENANT_ID`,
    /// `INFRA_AZURE_ENDPOINT` (read by the client).
    pub fn from_env() -> Result<Self, ArmError> {
        let sub = std::env::var("AZURE_SUBSCRIPTION_ID")
            .ok()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ArmError::Auth("AZURE_SUBSCRIPTION_ID is not set".into()))?;
        Ok(Self::new(sub))
    }
}

pub struct AzureProvider {
    config: AzureConfig,
    client: Arc<ArmClient>,
    roles: crate::types::RoleCache,
}

impl AzureProvider {
    pub fn new(config: AzureConfig) -> Result<Self, ArmError> {
        let client = Arc::new(ArmClient::new(config.client.clone())?);
        Ok(AzureProvider {
            config,
            client,
            roles: Default::default(),
        })
    }

    pub fn client(&self) -> &ArmClient {
        &self.client
    }

    pub fn config(&self) -> &AzureConfig {
        &self.config
    }

    fn kind(&self, type_name: &str) -> ProviderResult<&'static dyn AzureType> {
        if let Some(typed) = crate::types::typed::kind(type_name) {
            return Ok(typed);
        }
        crate::types::kind(type_name).ok_or_else(|| {
            if crate::types::ALL.iter().any(|f| f().type_name == type_name) {
                ProviderError::Unsupported(format!(
                    "`{type_name}` has a schema but no ARM mapping yet"
                ))
            } else {
                ProviderError::UnknownType(type_name.to_string())
            }
        })
    }

    fn cx<'a>(&'a self, ctx: &'a OpContext) -> Cx<'a> {
        Cx {
            client: &self.client,
            config: &self.config,
            cancel: &ctx.cancel,
            address: &ctx.address,
            create_key: "",
            roles: &self.roles,
        }
    }
}

/// Inputs as the engine compares them (secrets never read back are left out).
pub(crate) fn comparable(p: &Props) -> Props {
    p.iter()
        .filter(|(_, v)| !v.contains_secret())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// One value as [`comparable`] sees it: secrets (never in the prior) and nulls count as absent.
fn comparable_value(v: Option<&Value>) -> Option<&Value> {
    v.filter(|v| !v.contains_secret() && **v != Value::Null)
}

/// Enum values in the schema's own spelling: ARM compares SKU enums case-insensitively.
fn canonical_enums(schema: &ResourceSchema, p: &mut Props) {
    for (k, v) in p.iter_mut() {
        if let (Some(Type::Enum(allowed)), Value::String(s)) =
            (schema.properties.get(k).map(|ps| &ps.ty), &*v)
            && let Some(c) = allowed.iter().find(|a| a.eq_ignore_ascii_case(s))
        {
            *v = Value::String(c.clone());
        }
    }
}

/// Names, groups and parent references are case-insensitive in ARM: a desired value equal
/// to the recorded one but for case is the recorded one.
fn identity_case(schema: &ResourceSchema, desired: &mut Props, prior: &ObjectState) {
    for (k, ps) in &schema.properties {
        let identity = k == "name" || matches!(ps.ty, Type::Resource(_));
        if !identity || ps.output {
            continue;
        }
        if let (Some(Value::String(d)), Some(Value::String(p))) =
            (desired.get(k), prior.inputs.get(k))
        {
            let same = d.eq_ignore_ascii_case(p)
                || (k == "resource_group" && crate::mapping::group_name(d).eq_ignore_ascii_case(p));
            if same {
                desired.insert(k.clone(), Value::String(p.clone()));
            }
        }
    }
}

pub(crate) fn plan_with(
    kind: &dyn AzureType,
    sub: &str,
    req: PlanRequest<'_>,
) -> ProviderResult<PlannedObject> {
    let schema = kind.schema();
    let mut desired: Props = req
        .desired
        .iter()
        .filter(|(_, v)| **v != Value::Null)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for k in desired.keys() {
        if schema.properties.get(k).is_none_or(|p| p.output) {
            return Err(ProviderError::Invalid(format!(
                "{}: unknown input `{k}`",
                schema.type_name
            )));
        }
    }
    if let Some(rg) = desired
        .get("resource_group")
        .and_then(Value::as_str)
        .map(crate::mapping::group_name)
    {
        desired.insert("resource_group".into(), Value::String(rg));
    }
    if let Some(Value::String(l)) = desired.get("location") {
        let l = crate::mapping::norm_location(l);
        desired.insert("location".into(), Value::String(l));
    }
    canonical_enums(&schema, &mut desired);
    if schema.properties.contains_key("tags") && !desired.contains_key("tags") {
        desired.insert("tags".into(), Value::Object(Default::default()));
    }
    kind.normalise(&mut desired, req.prior);
    if let Some(prior) = req.prior {
        identity_case(&schema, &mut desired, prior);
        for k in kind.computed() {
            if !desired.contains_key(k)
                && let Some(v) = prior.inputs.get(k)
            {
                desired.insert((*k).to_string(), v.clone());
            }
        }
        kind.check_change(&desired, prior)?;
    }
    let replace_on_change: BTreeSet<String> = schema
        .properties
        .iter()
        .filter(|(_, p)| p.create_only && !p.output)
        .map(|(k, _)| k.clone())
        .collect();
    let unchanged = req
        .prior
        .is_some_and(|p| comparable(&p.inputs) == comparable(&desired));
    // An in-place update keeps the object, and with it most of what the cloud assigned
    // (fqdn, principal id, keys): predicting those stops one changed input from marking
    // everything downstream "known after apply" (and from replacing what keys on them).
    let in_place = req.prior.filter(|p| {
        replace_on_change.iter().all(|k| {
            let want = desired.get(k);
            !want.is_some_and(Value::contains_unknown)
                && comparable_value(want) == comparable_value(p.inputs.get(k))
        })
    });
    let mut predicted = Props::new();
    // An input that `reads_as` another type is read back as an output under its own name.
    for (k, prop) in schema
        .properties
        .iter()
        .filter(|(_, p)| p.output || p.read_as.is_some())
    {
        let keeps = if unchanged {
            true
        } else if prop.read_as.is_some() {
            in_place.is_some_and(|p| {
                comparable_value(desired.get(k)) == comparable_value(p.inputs.get(k))
            })
        } else {
            in_place.is_some() && !prop.changes_on_update
        };
        let known = req
            .prior
            .filter(|_| keeps)
            .and_then(|p| p.outputs.get(k))
            .cloned();
        predicted.insert(k.clone(), known.unwrap_or(Value::Unknown));
    }
    // The id is known from the name and parents as soon as they are, which stops a change
    // elsewhere from rippling into everything that references this resource.
    if let Some(id) = kind.arm_id(sub, &desired) {
        let id = match req.prior {
            Some(p) if p.id.eq_ignore_ascii_case(&id) => p.id.clone(),
            _ => id,
        };
        predicted.insert("id".into(), Value::String(id));
    }
    Ok(PlannedObject {
        inputs: desired,
        replace_on_change,
        predicted_outputs: predicted,
    })
}

impl Provider for AzureProvider {
    fn name(&self) -> &str {
        "azure"
    }

    fn schemas(&self) -> Vec<ResourceSchema> {
        crate::schemas()
    }

    fn serves_type_refs(&self) -> bool {
        true
    }

    fn concurrency(&self) -> ConcurrencyHints {
        // The budget paces requests; this only bounds sockets and memory. ARM lets a burst of
        // 200 writes through: a lower cap would make a wide graph wait for nothing.
        ConcurrencyHints { max_in_flight: 200 }
    }

    fn plan(&self, req: PlanRequest<'_>) -> ProviderResult<PlannedObject> {
        plan_with(self.kind(req.type_name)?, &self.config.subscription_id, req)
    }

    fn read<'a>(
        &'a self,
        type_name: &'a str,
        prior: &'a ObjectState,
        ctx: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<Option<ObjectState>>> {
        Box::pin(async move {
            let kind = self.kind(type_name)?;
            let cx = self.cx(ctx);
            kind.read(&cx, prior).await
        })
    }

    fn create<'a>(
        &'a self,
        req: CreateRequest<'a>,
        ctx: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<ObjectState>> {
        Box::pin(async move {
            let kind = self.kind(req.type_name)?;
            let cx = Cx {
                create_key: req.idempotency_key,
                ..self.cx(ctx)
            };
            crate::adopt::refuse_takeover(kind, &cx, req.inputs).await?;
            kind.create(&cx, req.inputs).await
        })
    }

    fn update<'a>(
        &'a self,
        req: UpdateRequest<'a>,
        ctx: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<ObjectState>> {
        Box::pin(async move {
            let kind = self.kind(req.type_name)?;
            let cx = self.cx(ctx);
            kind.update(&cx, req.prior, req.inputs).await
        })
    }

    fn delete<'a>(
        &'a self,
        type_name: &'a str,
        prior: &'a ObjectState,
        ctx: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<()>> {
        Box::pin(async move {
            let kind = self.kind(type_name)?;
            let cx = self.cx(ctx);
            kind.delete(&cx, prior).await
        })
    }

    fn import<'a>(
        &'a self,
        type_name: &'a str,
        id: &'a str,
        ctx: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<Option<ObjectState>>> {
        Box::pin(async move {
            let kind = self.kind(type_name)?;
            let cx = self.cx(ctx);
            kind.import(&cx, id).await
        })
    }

    fn contained_objects<'a>(
        &'a self,
        _type_name: &'a str,
        id: &'a str,
        ctx: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<Vec<String>>> {
        Box::pin(async move {
            if !crate::contained::is_group_id(id) {
                return Ok(Vec::new());
            }
            crate::contained::group_resources(&self.client, id, &ctx.cancel).await
        })
    }

    fn read_existing<'a>(
        &'a self,
        type_name: &'a str,
        properties: &'a Props,
        ctx: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<Option<ObjectState>>> {
        Box::pin(async move {
            let kind = self.kind(type_name)?;
            let planned = plan_with(
                kind,
                &self.config.subscription_id,
                PlanRequest {
                    type_name,
                    address: &ctx.address,
                    desired: properties,
                    prior: None,
                },
            )?;
            let id = kind
                .arm_id(&self.config.subscription_id, &planned.inputs)
                .ok_or_else(|| crate::kind::unknown_id(&kind.schema()))?;
            let cx = self.cx(ctx);
            kind.import(&cx, &id).await
        })
    }
}
