//! The contract shared by the language, the engine and every provider: the value model
//! ([`Value`]), the type model ([`Type`]) and resource schemas ([`ResourceSchema`]).
//!
//! Providers depend on this crate only; they never see the language or the engine.

pub mod builtin;
pub mod cancel;
pub mod conformance;
pub mod map;
pub mod names;
pub mod notice;
pub mod provider;
pub mod resource;
pub mod schema;
pub mod typed;
pub mod types;
pub mod value;

pub use builtin::CoreProvider;
pub use cancel::{Cancel, CancelHandle};
pub use map::Map;
pub use names::NameSet;
pub use provider::{
    BoxFuture, ConcurrencyHints, CreateRequest, ObjectState, OpContext, PlanRequest, PlannedObject,
    Props, Provider, ProviderError, ProviderResult, UpdateRequest,
};
pub use resource::{DesiredResource, Lifecycle};
pub use schema::{PropertySchema, ResourceSchema, SchemaSet};
pub use types::{Field, Type};
pub use value::Value;
