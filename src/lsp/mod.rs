//! `infra lsp`: the language server, on stdio. Diagnostics as you type (the whole project
//! folder is checked, open documents' unsaved text taking the place of the files on disk),
//! completion and hover from the provider schemas and the standard library, go to
//! definition, formatting and document symbols.
//!
//! One file per concern: `server.rs` (message loop), `documents.rs` (open documents),
//! `position.rs` + `uri.rs` (conversions), `analysis.rs` (which project a document belongs
//! to), and one file per request.

// `lsp_types::Uri` compares and hashes by its text; its only cell is a parse offset that
// mutation through `&Uri` never changes, so URIs are sound map keys.
#![allow(clippy::mutable_key_type)]

mod actions;
mod analysis;
mod completion;
mod context;
mod cursor;
mod definition;
mod describe;
mod diagnostics;
mod documents;
mod formatting;
mod hover;
mod names;
mod parses;
pub mod position;
mod publish;
mod refs;
mod rename;
mod semantic;
mod semantic_delta;
mod server;
mod signature;
mod symbols;
mod transport;
mod typed;
mod uri;
mod workspace;

pub use analysis::Analysis;
pub use documents::Documents;

use infra_provider_core::SchemaSet;
use lsp_types::{
    CompletionOptions, HoverProviderCapability, OneOf, ServerCapabilities,
    TextDocumentSyncCapability, TextDocumentSyncKind,
};

#[derive(Debug, thiserror::Error)]
pub enum LspError {
    #[error("language server protocol error: {0}; check that the editor speaks LSP on stdio")]
    Handshake(String),
    #[error("the editor closed the connection while the server was answering")]
    ClientGone,
    #[error("the editor sent `exit` without `shutdown` first")]
    ExitWithoutShutdown,
    #[error("stdio failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot encode a message for the editor: {0}")]
    Json(#[from] serde_json::Error),
}

/// What the server can do, sent in the `initialize` response.
pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(
            TextDocumentSyncKind::INCREMENTAL,
        )),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".into(), ":".into(), "=".into(), "\"".into()]),
            ..Default::default()
        }),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(lsp_types::CodeActionProviderCapability::Simple(true)),
        signature_help_provider: Some(lsp_types::SignatureHelpOptions {
            trigger_characters: Some(vec!["(".into(), ",".into()]),
            ..Default::default()
        }),
        semantic_tokens_provider: Some(
            lsp_types::SemanticTokensServerCapabilities::SemanticTokensOptions(
                lsp_types::SemanticTokensOptions {
                    legend: semantic::legend(),
                    full: Some(lsp_types::SemanticTokensFullOptions::Delta { delta: Some(true) }),
                    range: None,
                    ..Default::default()
                },
            ),
        ),
        ..Default::default()
    }
}

/// Serves one editor on stdin/stdout until it sends `shutdown` and `exit`.
pub fn run_stdio(schemas: SchemaSet) -> Result<(), LspError> {
    serve_over(
        std::io::BufReader::new(std::io::stdin()),
        std::io::stdout(),
        schemas,
    )
}

/// Serves one editor over any pair of byte streams (the latency example uses pipes).
pub fn serve_over(
    input: impl std::io::BufRead + Send + 'static,
    output: impl std::io::Write + Send + 'static,
    schemas: SchemaSet,
) -> Result<(), LspError> {
    let (link, io_threads) = transport::Link::over(input, output);
    let result = serve(&link, schemas);
    // The writer thread ends only when every sender is gone: drop the link before
    // joining, or the process never exits.
    drop(link);
    match result {
        Ok(()) => io_threads.join(),
        Err(e) => Err(io_threads.after_failure().unwrap_or(e)),
    }
}

fn serve(link: &transport::Link, schemas: SchemaSet) -> Result<(), LspError> {
    let caps = serde_json::to_value(capabilities())?;
    link.initialize(caps)?;
    server::Server::new(link, schemas).run()
}
