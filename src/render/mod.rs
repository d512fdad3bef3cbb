//! Plan views: human (terminal), markdown (pull-request comments), JSON (machines). All three
//! take the redacted plan only, so none of them can show a secret.

pub mod human;
pub mod json;
pub mod markdown;
pub mod text;

#[cfg(test)]
mod golden_tests;

pub use human::{HumanOptions, color_enabled, render_human, write_human, write_human_io};
pub use json::{PlanJson, plan_json, render_json, write_json};
pub use markdown::{MarkdownOptions, render_markdown};
