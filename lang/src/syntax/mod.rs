//! Parsing `.infra` source into the tree in [`ast`].

pub mod ast;
mod build;
mod build_expr;
mod depth;
mod grammar;
pub mod incremental;
mod lexer;
mod parser;
mod recover;
mod strings;

pub use parser::{MAX_DEPTH, parse};
