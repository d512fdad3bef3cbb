//! The `.infra` language: syntax (parser with statement-level recovery), check (names,
//! types against provider schemas, cycles, secret flow), eval (values, unknowns, secrets)
//! and fmt. Pure: no network, no clock, no I/O beyond reading source files.

// pest_derive without its `std` feature names `::alloc::boxed::Box` in the generated parser
// (see the pest entry in the workspace Cargo.toml).
extern crate alloc;

pub mod check;
pub mod diag;
pub mod eval;
pub mod fmt;
pub mod project;
pub mod span;
pub mod syntax;

pub use diag::{Diagnostic, Severity};
pub use span::{FileId, SourceMap, Span};
