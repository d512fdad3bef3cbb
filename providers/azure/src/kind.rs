//! What each resource type file implements: its ARM mapping. The default operations are
//! ARM's common shape (PUT the whole body at the id, GET it back, DELETE it); types with a
//! different life (Key Vault's soft delete, data-plane secrets, PostgreSQL extensions)
//! override the operations they need.

use infra_provider_core::{
    BoxFuture, Cancel, ObjectState, Props, ProviderError, ProviderResult, ResourceSchema,
};
use reqwest::Method;
use serde_json::Value as J;

use crate::arm::ArmClient;
use crate::mapping::{body_id, group_scope, s};
use crate::provider::AzureConfig;

/// What an operation needs: the client, the provider's configuration, cancellation.
pub struct Cx<'a> {
    pub client: &'a ArmClient,
    pub config: &'a AzureConfig,
    pub cancel: &'a Cancel,
}

pub trait AzureType: Sync {
    fn schema(&self) -> ResourceSchema;
    fn api_version(&self) -> &'static str;

    /// The ARM id, built exactly as ARM builds it; `None` while a part is unknown.
    fn arm_id(&self, sub: &str, inputs: &Props) -> Option<String>;

    /// The request body for a PUT.
    fn to_body(&self, inputs: &Props, cfg: &AzureConfig) -> ProviderResult<J>;

    /// Inputs (as the language names them, normalised) and outputs from a GET. `prior` holds
    /// what cannot be read back (secrets are never copied).
    fn read_body(&self, body: &J, prior: &Props) -> ProviderResult<(Props, Props)>;

    /// Optional inputs the cloud fills in when unset: leaving them out means "whatever the
    /// cloud chose", so plan takes the recorded value instead of showing a false change.
    fn computed(&self) -> &'static [&'static str] {
        &[]
    }

    /// Type-specific normalisation of desired inputs at plan time (pure).
    fn normalise(&self, _desired: &mut Props, _prior: Option<&ObjectState>) {}

    /// Changes the cloud refuses (one-way switches): an error at plan time names them.
    fn check_change(&self, _desired: &Props, _prior: &ObjectState) -> ProviderResult<()> {
        Ok(())
    }

    /// Whether the location may be left out and comes from the resource group.
    fn location_from_group(&self) -> bool {
        false
    }

    fn create<'a>(
        &'a self,
        cx: &'a Cx<'a>,
        inputs: &'a Props,
    ) -> BoxFuture<'a, ProviderResult<ObjectState>> {
        Box::pin(async move {
            let inputs = with_group_location(self, cx, inputs).await?;
            let id = self
                .arm_id(&cx.config.subscription_id, &inputs)
                .ok_or_else(|| unknown_id(&self.schema()))?;
            let st = put_and_read(self, cx, &id, &inputs).await?;
            self.after_write(cx, st, &inputs).await
        })
    }

    /// Work a type does after every create or update, given what the cloud answered (fetch
    /// keys that only a POST returns, enable extensions...). Nothing by default.
    fn after_write<'a>(
        &'a self,
        _cx: &'a Cx<'a>,
        st: ObjectState,
        _inputs: &'a Props,
    ) -> BoxFuture<'a, ProviderResult<ObjectState>> {
        Box::pin(async move { Ok(st) })
    }

    fn read<'a>(
        &'a self,
        cx: &'a Cx<'a>,
        prior: &'a ObjectState,
    ) -> BoxFuture<'a, ProviderResult<Option<ObjectState>>> {
        Box::pin(async move {
            match cx
                .client
                .get(&prior.id, self.api_version(), cx.cancel)
                .await?
            {
                Some(body) => {
                    let mut st = state_from(self, &body, &prior.inputs, &prior.id)?;
                    for k in self.kept_on_read() {
                        if let Some(v) = prior.outputs.get(*k) {
                            st.outputs.insert((*k).to_string(), v.clone());
                        }
                    }
                    Ok(Some(st))
                }
                None => Ok(None),
            }
        })
    }

    /// Outputs a GET never returns (keys only a POST gives, fetched in `after_write`): a read
    /// keeps their recorded value instead of dropping them.
    fn kept_on_read(&self) -> &'static [&'static str] {
        &[]
    }

    fn update<'a>(
        &'a self,
        cx: &'a Cx<'a>,
        prior: &'a ObjectState,
        inputs: &'a Props,
    ) -> BoxFuture<'a, ProviderResult<ObjectState>> {
        Box::pin(async move {
            let inputs = with_group_location(self, cx, inputs).await?;
            let st = put_and_read(self, cx, &prior.id, &inputs).await?;
            self.after_write(cx, st, &inputs).await
        })
    }

    fn delete<'a>(
        &'a self,
        cx: &'a Cx<'a>,
        prior: &'a ObjectState,
    ) -> BoxFuture<'a, ProviderResult<()>> {
        Box::pin(async move {
            Ok(cx
                .client
                .delete(&prior.id, self.api_version(), cx.cancel)
                .await?)
        })
    }

    fn import<'a>(
        &'a self,
        cx: &'a Cx<'a>,
        id: &'a str,
    ) -> BoxFuture<'a, ProviderResult<Option<ObjectState>>> {
        Box::pin(async move {
            match cx.client.get(id, self.api_version(), cx.cancel).await? {
                Some(body) => Ok(Some(state_from(self, &body, &Props::new(), id)?)),
                None => Ok(None),
            }
        })
    }
}

pub fn unknown_id(schema: &ResourceSchema) -> ProviderError {
    ProviderError::Invalid(format!(
        "{}: the id cannot be built: name or parent is unknown or missing",
        schema.type_name
    ))
}

/// ObjectState from a GET body: the id as ARM reports it, outputs with `id`.
pub fn state_from<T: AzureType + ?Sized>(
    t: &T,
    body: &J,
    prior: &Props,
    id: &str,
) -> ProviderResult<ObjectState> {
    let (inputs, mut outputs) = t.read_body(body, prior)?;
    let id = body_id(body, id);
    outputs.insert("id".into(), infra_provider_core::Value::String(id.clone()));
    Ok(ObjectState {
        id,
        inputs,
        outputs,
    })
}

pub async fn put_and_read<T: AzureType + ?Sized>(
    t: &T,
    cx: &Cx<'_>,
    id: &str,
    inputs: &Props,
) -> ProviderResult<ObjectState> {
    let body = t.to_body(inputs, cx.config)?;
    let answer = cx
        .client
        .write(Method::PUT, id, t.api_version(), &body, cx.cancel)
        .await?;
    state_from(t, &answer, inputs, id)
}

/// Fill `location` from the resource group when the type allows leaving it out.
pub async fn with_group_location<T: AzureType + ?Sized>(
    t: &T,
    cx: &Cx<'_>,
    inputs: &Props,
) -> ProviderResult<Props> {
    let mut inputs = inputs.clone();
    if t.location_from_group()
        && s(&inputs, "location").is_none()
        && let Some(rg) = s(&inputs, "resource_group")
    {
        let gid = group_scope(&cx.config.subscription_id, rg);
        let group = cx
            .client
            .get(&gid, crate::types::resource_group::API_VERSION, cx.cancel)
            .await?;
        let loc = group
            .as_ref()
            .and_then(|g| g.get("location"))
            .and_then(J::as_str)
            .ok_or_else(|| {
                ProviderError::Invalid(format!(
                    "resource group `{rg}` not found: cannot default the location"
                ))
            })?;
        inputs.insert(
            "location".into(),
            infra_provider_core::Value::str(crate::mapping::norm_location(loc)),
        );
    }
    Ok(inputs)
}
