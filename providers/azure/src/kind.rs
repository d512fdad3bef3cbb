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

/// What an operation needs: the client, the provider's configuration, cancellation, and
/// the address of the resource in the configuration (for messages that say what to run).
pub struct Cx<'a> {
    pub client: &'a ArmClient,
    pub config: &'a AzureConfig,
    pub cancel: &'a Cancel,
    pub address: &'a str,
    /// The engine's idempotency key during a create (empty otherwise): stable across a
    /// crash and the re-run, so the re-run can recognise the object it made.
    pub create_key: &'a str,
    /// Role definition ids by name, looked up once per run.
    pub roles: &'a crate::types::RoleCache,
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
            if !self.adopts_on_create() {
                ensure_absent(cx, &id, self.api_version()).await?;
            }
            let st = put_and_read(self, cx, &id, &inputs).await?;
            self.after_write(cx, st, &inputs).await
        })
    }

    /// Types without tags to carry the creation marker (children such as a server's
    /// databases or a zone's record sets, whose identity lies inside a parent this
    /// configuration manages, and role assignments, whose name is derived from what they
    /// grant): a create of an existing one takes it over, as ARM's PUT does.
    fn adopts_on_create(&self) -> bool {
        false
    }

    /// Of the types that adopt on create, those that adopt only an object that already is
    /// what the create would write (see `adopt.rs`); server parameters, which always exist,
    /// say no.
    fn adopts_only_identical(&self) -> bool {
        true
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
                        if let Some(v) = prior.outputs.get(k) {
                            st.outputs.insert((*k).to_string(), v.clone());
                        }
                    }
                    self.after_read(cx, &body, &mut st, Some(&prior.inputs))
                        .await?;
                    Ok(Some(st))
                }
                None => Ok(None),
            }
        })
    }

    /// Completes what a GET gave, on a read and on an import: what the body alone does not
    /// say (another object's id by name, a server parameter). `prior` holds the recorded
    /// inputs on a read and is `None` on an import.
    fn after_read<'a>(
        &'a self,
        _cx: &'a Cx<'a>,
        _body: &'a J,
        _st: &'a mut ObjectState,
        _prior: Option<&'a Props>,
    ) -> BoxFuture<'a, ProviderResult<()>> {
        Box::pin(async { Ok(()) })
    }

    /// Outputs a GET never returns (keys only a POST gives, fetched in `after_write`): a read
    /// keeps their recorded value instead of dropping them.
    fn kept_on_read(&self) -> &'static [&'static str] {
        &[]
    }

    /// Read-only fields of this type (JSON pointers) beyond ARM's common envelope, dropped
    /// from the live body before it is PUT back (see `merge`).
    fn read_only(&self) -> &'static [&'static str] {
        &[]
    }

    /// Read-modify-write (see `merge`): only what the configuration manages changes.
    fn update<'a>(
        &'a self,
        cx: &'a Cx<'a>,
        prior: &'a ObjectState,
        inputs: &'a Props,
    ) -> BoxFuture<'a, ProviderResult<ObjectState>> {
        Box::pin(async move {
            let inputs = with_group_location(self, cx, inputs).await?;
            let new = self.to_body(&inputs, cx.config)?;
            let old = self.to_body(&prior.inputs, cx.config).ok();
            let answer = preserving_put(
                cx,
                &prior.id,
                self.api_version(),
                &new,
                old.as_ref(),
                self.read_only(),
            )
            .await?;
            let st = state_from(self, &answer, &inputs, &prior.id)?;
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
            let Some(body) = cx.client.get(id, self.api_version(), cx.cancel).await? else {
                return Ok(None);
            };
            let mut st = state_from(self, &body, &Props::new(), id)?;
            self.after_read(cx, &body, &mut st, None).await?;
            Ok(Some(st))
        })
    }
}

pub fn unknown_id(schema: &ResourceSchema) -> ProviderError {
    ProviderError::Invalid(format!(
        "{}: the id cannot be built: name or parent is unknown or missing",
        schema.type_name
    ))
}

/// ARM's PUT creates or overwrites alike, so a create whose target already exists would
/// silently take over (and rewrite) an object this configuration never made. One GET
/// first turns that into an error that says how to adopt it deliberately, unless the
/// object carries this create's marker (see [`mark_created`]): then it is the one an
/// interrupted run of the same apply made, and the create carries on. (`If-None-Match: *`
/// would save the GET, but not every resource provider honours it.)
///
/// An object of this create still provisioning (the run that made it was killed while the
/// cloud worked) is waited for first: a PUT now would only meet ARM's 409
/// `AnotherOperationInProgress`.
pub async fn ensure_absent(cx: &Cx<'_>, id: &str, api_version: &str) -> ProviderResult<()> {
    match cx.client.get(id, api_version, cx.cancel).await? {
        Some(live) if !made_by(cx, live.get("tags")) => {
            Err(already_exists(cx.address, &body_id(&live, id)))
        }
        Some(live) if crate::arm::lro::is_in_progress(&live) => {
            infra_provider_core::notice::notice(&format!(
                "waiting for {} (made by an interrupted run) to finish provisioning",
                body_id(&live, id)
            ));
            // Whatever it ends in, the PUT that follows makes the object as configured.
            match cx.client.settle(id, api_version, cx.cancel).await {
                Err(crate::arm::ArmError::Cancelled) => Err(ProviderError::Cancelled),
                _ => Ok(()),
            }
        }
        _ => Ok(()),
    }
}

/// The tag a create writes: a digest of the engine's idempotency key (which names the
/// state lineage and the address), so nothing about the configuration leaks into it.
/// Reads drop it (`mapping::tags_value`) and the first update's tags replace it.
pub const CREATE_TAG: &str = "infra-create";

fn create_marker(key: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(key.as_bytes())[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether these live tags carry this create's marker.
pub fn made_by(cx: &Cx<'_>, tags: Option<&J>) -> bool {
    !cx.create_key.is_empty()
        && tags
            .and_then(|t| t.get(CREATE_TAG))
            .and_then(J::as_str)
            .is_some_and(|m| m == create_marker(cx.create_key))
}

/// Add this create's marker to a request body that has `tags` (nothing outside a create).
pub fn mark_created(cx: &Cx<'_>, body: &mut J) {
    if cx.create_key.is_empty() {
        return;
    }
    if let Some(tags) = body.get_mut("tags").and_then(J::as_object_mut) {
        tags.insert(CREATE_TAG.into(), J::String(create_marker(cx.create_key)));
    }
}

/// The error for a create whose object already exists, with the command that adopts it.
pub fn already_exists(address: &str, id: &str) -> ProviderError {
    ProviderError::Cloud {
        code: "AlreadyExists".into(),
        message: format!(
            "{id} already exists but is not in the state (made outside this configuration, or by an apply that stopped before recording it); nothing was changed. Adopt it with `infra import --env <ENV> {address} {id}`, or give the resource another name"
        ),
        retryable: false,
    }
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
    let mut body = t.to_body(inputs, cx.config)?;
    mark_created(cx, &mut body);
    let answer = cx
        .client
        .write(Method::PUT, id, t.api_version(), &body, cx.cancel)
        .await?;
    state_from(t, &answer, inputs, id)
}

/// The PUT of an update, made from the live object: GET it, lay `new` over it (`old` says
/// what infra managed until now, so what it no longer sets is reset), drop server-owned
/// fields, and PUT it with `If-Match` on the ETag read when the RP gives one. A 412 means
/// someone wrote in between: the whole read-modify-write is done once more from a fresh
/// GET. An object gone meanwhile is written from `new` alone.
pub async fn preserving_put(
    cx: &Cx<'_>,
    id: &str,
    api_version: &str,
    new: &J,
    old: Option<&J>,
    read_only: &[&str],
) -> ProviderResult<J> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let live = cx.client.get(id, api_version, cx.cancel).await?;
        let (body, etag) = match &live {
            Some(live) => {
                let mut body = crate::merge::overlay(live, new, old);
                crate::merge::strip_server_owned(&mut body, read_only);
                drop_create_marker(&mut body, new);
                (body, crate::merge::etag(live))
            }
            None => (new.clone(), None),
        };
        match cx
            .client
            .write_if(
                Method::PUT,
                id,
                api_version,
                &body,
                etag.as_deref(),
                cx.cancel,
            )
            .await
        {
            Err(e) if e.status() == Some(412) && attempt < 2 => continue,
            other => return Ok(other?),
        }
    }
}

/// The create marker has done its job once the object is recorded: the first update drops
/// it (unless the configuration itself sets such a tag).
pub(crate) fn drop_create_marker(body: &mut J, new: &J) {
    if new.pointer(&format!("/tags/{CREATE_TAG}")).is_some() {
        return;
    }
    if let Some(tags) = body.get_mut("tags").and_then(J::as_object_mut) {
        tags.remove(CREATE_TAG);
    }
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
