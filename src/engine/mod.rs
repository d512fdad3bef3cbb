//! The engine: graph, diff, plan and apply. Knows providers only through the trait.

pub mod accept;
pub mod apply;
pub mod blast;
pub mod contained;
pub mod diff;
pub mod graph;
pub mod model;
pub mod outputs;
pub mod plan;
pub mod providers;
pub mod refresh;
pub mod saved;
pub mod walk;

#[cfg(test)]
mod apply_tests;
#[cfg(test)]
mod blast_tests;
#[cfg(test)]
mod import_tests;
#[cfg(test)]
pub(crate) mod plan_tests;
#[cfg(test)]
pub(crate) mod testkit;

pub use accept::accept_drift;
pub use apply::{
    ApplyContext, ApplyError, ApplyOptions, ApplyReport, Failure, ProgressEvent, Skipped, apply,
};
pub use graph::{Graph, GraphError};
pub use model::{
    Action, AttrChange, Drift, OutputChange, Plan, PlannedOp, ResourceChange, Summary, Unmanaged,
};
pub use plan::{PlanError, PlanInput, PlanOptions, Reevaluate, plan};
pub use providers::ProviderSet;
pub use refresh::{Live, RefreshError, refresh, refresh_count, refresh_counted};
pub use saved::{PlanToSave, SavedPlan, SavedPlanError, config_hash};
