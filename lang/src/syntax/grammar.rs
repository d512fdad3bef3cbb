//! The pest parser generated from `grammar.pest`.

#[derive(pest_derive::Parser)]
#[grammar = "syntax/grammar.pest"]
pub(crate) struct InfraParser;
