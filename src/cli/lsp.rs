//! `infra lsp`: the language server on stdio, for editors (see docs/editors.md).

use super::schemas;

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> u8 {
    match infra::lsp::run_stdio(schemas::all()) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}
