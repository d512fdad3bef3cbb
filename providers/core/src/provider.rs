//! The provider contract: what the engine may ask of a provider, and nothing more.
//!
//! Planning is synchronous and pure (the engine's plan must be reproducible and free of I/O);
//! everything that touches the cloud is async, cancellable and returns boxed futures so that the
//! trait stays object-safe (`Arc<dyn Provider>`) without a macro crate.

use crate::cancel::Cancel;
use crate::resource::DesiredResource;
use crate::schema::ResourceSchema;
use crate::value::Value;
use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;

/// A boxed, sendable future borrowing from the provider.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Properties by name.
pub type Props = crate::Map;

/// What the provider knows about one object: the id the cloud uses, the inputs as the cloud
/// reports them (secret inputs are never read back) and the outputs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ObjectState {
    pub id: String,
    pub inputs: Props,
    pub outputs: Props,
}

/// The context of one operation.
#[derive(Debug, Clone)]
pub struct OpContext {
    pub cancel: Cancel,
    /// Address of the instance, for messages and idempotency.
    pub address: String,
}

/// Everything a provider needs to plan one resource. `desired` may contain `Unknown` and
/// `Secret` values; `prior` is the recorded (or refreshed) object, secret inputs absent.
#[derive(Debug, Clone, Copy)]
pub struct PlanRequest<'a> {
    pub type_name: &'a str,
    pub address: &'a str,
    pub desired: &'a Props,
    pub prior: Option<&'a ObjectState>,
}

/// The provider's answer to a plan request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PlannedObject {
    /// Desired inputs after the provider's normalisation (defaults the cloud fills in, casing
    /// the cloud does not preserve...), so that the engine's comparison shows no false change.
    pub inputs: Props,
    /// Input names whose change forces a replacement, whether or not they changed; the engine
    /// intersects this with what really changed.
    pub replace_on_change: BTreeSet<String>,
    /// Outputs as far as they can be known before apply; `Unknown` for the rest. A prediction
    /// that equals the recorded output lets the change stop propagating downstream.
    pub predicted_outputs: Props,
}

/// A create request. `idempotency_key` is stable across retries of the same logical create
/// (derived by the engine from the state lineage, the address and the object it replaces), so
/// that a create repeated after a crash finds the object it made instead of making another.
#[derive(Debug, Clone)]
pub struct CreateRequest<'a> {
    pub type_name: &'a str,
    pub inputs: &'a Props,
    pub idempotency_key: &'a str,
}

#[derive(Debug, Clone)]
pub struct UpdateRequest<'a> {
    pub type_name: &'a str,
    pub prior: &'a ObjectState,
    pub inputs: &'a Props,
}

/// How many operations the engine may have in flight with this provider at once. The engine
/// also applies its own global bound; the lower wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConcurrencyHints {
    pub max_in_flight: usize,
}

impl Default for ConcurrencyHints {
    fn default() -> Self {
        ConcurrencyHints { max_in_flight: 64 }
    }
}

/// A provider error: the cloud's code and message when there is one. Messages must never
/// contain secret values.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProviderError {
    #[error("{code}: {message}")]
    Cloud {
        code: String,
        message: String,
        retryable: bool,
    },
    #[error("unknown resource type `{0}`")]
    UnknownType(String),
    #[error("invalid input: {0}")]
    Invalid(String),
    #[error("not supported: {0}")]
    Unsupported(String),
    #[error("cancelled")]
    Cancelled,
}

pub type ProviderResult<T> = Result<T, ProviderError>;

/// One provider: a family of resource types (`core.*`, `azure.*`...).
pub trait Provider: Send + Sync {
    /// The prefix of the type names it serves, e.g. `core`.
    fn name(&self) -> &str;

    fn schemas(&self) -> Vec<ResourceSchema>;

    /// Whether it serves type references (`"Microsoft.Web/sites@2025-03-01"`), which carry
    /// no provider prefix.
    fn serves_type_refs(&self) -> bool {
        false
    }

    fn concurrency(&self) -> ConcurrencyHints {
        ConcurrencyHints::default()
    }

    /// Sees the run's desired resources before any read. A provider whose objects are reached
    /// with credentials from the configuration (which state keeps only as fingerprints) takes
    /// them from here, so that refresh and delete can reach the objects too.
    fn prepare(&self, desired: &[DesiredResource]) {
        let _ = desired;
    }

    /// Normalise desired against prior, say what forces replacement and predict outputs.
    /// Pure: no I/O, no clock.
    fn plan(&self, req: PlanRequest<'_>) -> ProviderResult<PlannedObject>;

    /// The live object, or `None` if it is gone. `prior` lets types that live only in state
    /// (like `core.data`) answer without a cloud.
    fn read<'a>(
        &'a self,
        type_name: &'a str,
        prior: &'a ObjectState,
        ctx: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<Option<ObjectState>>>;

    fn create<'a>(
        &'a self,
        req: CreateRequest<'a>,
        ctx: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<ObjectState>>;

    fn update<'a>(
        &'a self,
        req: UpdateRequest<'a>,
        ctx: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<ObjectState>>;

    /// Deleting an object that is already gone is a success.
    fn delete<'a>(
        &'a self,
        type_name: &'a str,
        prior: &'a ObjectState,
        ctx: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<()>>;

    /// Adopt an existing object by its cloud id; `None` if there is no such object.
    fn import<'a>(
        &'a self,
        type_name: &'a str,
        id: &'a str,
        ctx: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<Option<ObjectState>>>;

    /// The ids of every object the cloud holds inside the container `id` (of type
    /// `type_name`), managed or not, as far as the cloud lists them; empty for types that
    /// contain nothing. Asked only for containers a plan would delete or replace, so that
    /// objects infra does not manage are shown before they go with their container.
    fn contained_objects<'a>(
        &'a self,
        type_name: &'a str,
        id: &'a str,
        ctx: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<Vec<String>>> {
        let _ = (type_name, id, ctx);
        Box::pin(async { Ok(Vec::new()) })
    }

    /// Read an object declared with `existing`, identified by its desired properties.
    fn read_existing<'a>(
        &'a self,
        type_name: &'a str,
        properties: &'a Props,
        ctx: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<Option<ObjectState>>> {
        let _ = (properties, ctx);
        let msg = format!("`{type_name}` cannot be declared `existing`");
        Box::pin(async move { Err(ProviderError::Unsupported(msg)) })
    }
}

/// The plan every provider gets unless it knows better: inputs as given, schema
/// `create_only` properties force replacement; outputs are the recorded ones while the inputs
/// do not change, unknown until apply otherwise.
pub fn plan_from_schema(schema: &ResourceSchema, req: PlanRequest<'_>) -> PlannedObject {
    let replace_on_change = schema
        .properties
        .iter()
        .filter(|(_, p)| p.create_only && !p.output)
        .map(|(k, _)| k.clone())
        .collect();
    let predicted_outputs = schema
        .properties
        .iter()
        .filter(|(_, p)| p.output)
        .map(|(k, _)| {
            let known = req
                .prior
                .filter(|p| &p.inputs == req.desired)
                .and_then(|p| p.outputs.get(k))
                .cloned();
            (k.clone(), known.unwrap_or(Value::Unknown))
        })
        .collect();
    PlannedObject {
        inputs: req.desired.clone(),
        replace_on_change,
        predicted_outputs,
    }
}
