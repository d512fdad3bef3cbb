//! The Azure provider: one file per resource type under `types/`, each giving the schema the
//! checker validates against (property names are the language's, mapped to ARM per type).

pub mod types;

use infra_provider_core::{ResourceSchema, SchemaSet};

/// Every Azure resource type this provider knows.
pub fn schemas() -> Vec<ResourceSchema> {
    types::ALL.iter().map(|f| f()).collect()
}

/// Adds the Azure types to a schema set.
pub fn register(set: &mut SchemaSet) {
    for s in schemas() {
        set.add(s);
    }
}
