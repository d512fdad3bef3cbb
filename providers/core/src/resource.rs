//! The hand-off between the language and the engine: one desired resource instance, as
//! evaluation produced it. Plain data, so that the engine never depends on the language.

use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq)]
pub struct DesiredResource {
    /// `name`, `name["key"]` for `for` instances, `module.m.name` inside modules.
    pub address: String,
    /// `provider.kind`, e.g. `core.data`, `azure.key_vault`.
    pub type_name: String,
    /// Input properties as evaluated (meta properties removed). May contain `Unknown` and
    /// `Secret` values. Shared (`Arc`) so that a plan whose provider leaves them as they are
    /// holds them once.
    pub properties: Arc<crate::Map>,
    /// Addresses of the instances this one depends on (from references and `depends_on`).
    pub depends_on: crate::NameSet,
    pub lifecycle: Lifecycle,
    /// Declared with `existing`: read, never written.
    pub existing: bool,
}

/// Meta properties that steer the engine rather than the cloud.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Lifecycle {
    /// Refuse delete or replace unless the user passes `--allow-destroy`.
    pub protect: bool,
    /// Property paths (`tags`, `tags.owner`) whose changes are not planned.
    pub ignore_changes: Vec<String>,
    pub create_before_destroy: bool,
    /// Operation (`create`, `update`, `delete`) to timeout in seconds.
    pub timeouts: BTreeMap<String, u64>,
    /// A container (resource group) whose delete or replacement may take objects infra does
    /// not manage with it, without `--allow-destroy`.
    pub delete_unmanaged: bool,
}
