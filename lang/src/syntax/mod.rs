//! Parsing `.infra` source into the tree in [`ast`].

pub mod ast;
mod build;
mod build_expr;
mod depth;
mod grammar;
mod hostile;
pub mod incremental;
mod lexer;
mod parser;
mod recover;
mod strings;

pub use hostile::NESTING_FRAGMENTS;
pub use parser::{MAX_DEPTH, parse};
