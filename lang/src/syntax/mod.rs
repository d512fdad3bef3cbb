//! Parsing `.infra` source into the tree in [`ast`].

pub mod ast;
