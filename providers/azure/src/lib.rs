//! The Azure provider: an ARM client (`arm`) and one file per resource type under `types/`,
//! each giving the schema the checker validates against (property names are the language's)
//! and its mapping to ARM.

pub mod arm;
mod contained;
mod kind;
mod mapping;
mod merge;
mod provider;
pub mod typed_schema;
pub mod types;

pub use arm::{ArmClient, ArmError, BucketSpec, BudgetConfig, ClientOptions, RetryPolicy};
pub use provider::{AzureConfig, AzureProvider};

use infra_provider_core::{ResourceSchema, SchemaSet};

/// Every Azure resource type this provider knows.
pub fn schemas() -> Vec<ResourceSchema> {
    types::ALL.iter().map(|f| f()).collect()
}

/// Adds the Azure types to a schema set, and the resolver of ARM type references
/// (`"Microsoft.Web/sites@2025-03-01"`), which loads a type's data on first use.
pub fn register(set: &mut SchemaSet) {
    for s in schemas() {
        set.add(s);
    }
    set.set_resolver(std::sync::Arc::new(typed_schema::ArmTypes));
}
