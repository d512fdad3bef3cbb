//! The engine: graph, diff, plan and apply. Knows providers only through the trait.

pub mod graph;
pub mod walk;
