//! The message loop: documents in, diagnostics out, and one handler per request. Diagnostics
//! are computed once the queue of incoming messages is empty, so a burst of keystrokes costs
//! one check of the project, not one per keystroke.

use super::LspError;
use super::analysis::{self, Analysis};
use super::completion::{self, Scope};
use super::documents::Documents;
use super::position::LineIndex;
use super::transport::{Link, Polled};
use super::{
    actions, definition, diagnostics, formatting, hover, names, publish, rename, semantic,
    semantic_delta::SemanticCache, signature, symbols, uri, workspace,
};
use infra_lang::check::CheckCache;
use infra_provider_core::SchemaSet;
use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{self as notif, Notification as _};
use lsp_types::request::{self as req, Request as _};
use lsp_types::{TextDocumentPositionParams, Uri};
use serde::de::DeserializeOwned;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::panic::{AssertUnwindSafe, catch_unwind};

pub struct Server<'c> {
    link: &'c Link,
    schemas: SchemaSet,
    docs: Documents,
    /// The diagnostics last sent, per project (its folder, or a lone document's URI) and file,
    /// so that files no longer in the project get cleared and unchanged files are not sent
    /// again on every keystroke.
    published: HashMap<String, BTreeMap<Uri, Vec<diagnostics::EditorDiagnostic>>>,
    /// Per project, the checks of its declarations kept for the next check (one schema set
    /// for the server's lifetime, as the cache requires).
    checks: HashMap<String, CheckCache>,
    /// Documents whose project must be checked again once no message is waiting.
    dirty: BTreeSet<Uri>,
    /// The semantic tokens last sent per document, for delta requests (requests are answered
    /// through `&self`).
    semantic: RefCell<SemanticCache>,
}

/// A request's failure, sent back as its error response.
struct Failure {
    code: ErrorCode,
    message: String,
}

impl Failure {
    fn new(code: ErrorCode, message: impl Into<String>) -> Failure {
        Failure {
            code,
            message: message.into(),
        }
    }
}

impl<'c> Server<'c> {
    pub fn new(link: &'c Link, schemas: SchemaSet) -> Server<'c> {
        Server {
            link,
            schemas,
            docs: Documents::default(),
            published: HashMap::new(),
            checks: HashMap::new(),
            dirty: BTreeSet::new(),
            semantic: RefCell::default(),
        }
    }

    /// Runs until `shutdown` + `exit` (Ok) or the client goes away.
    pub fn run(mut self) -> Result<(), LspError> {
        loop {
            let msg = if self.dirty.is_empty() {
                match self.link.recv() {
                    Some(m) => m,
                    None => return Ok(()),
                }
            } else {
                match self.link.try_recv() {
                    Polled::Message(m) => m,
                    Polled::Empty => {
                        self.publish_dirty()?;
                        continue;
                    }
                    Polled::Gone => return Ok(()),
                }
            };
            match msg {
                Message::Request(r) => {
                    if self.link.handle_shutdown(&r)? {
                        return Ok(());
                    }
                    // Editors ask for semantic tokens right after each edit; computing them
                    // must not hold back the diagnostics of that edit.
                    if !self.dirty.is_empty()
                        && (r.method == req::SemanticTokensFullRequest::METHOD
                            || r.method == req::SemanticTokensFullDeltaRequest::METHOD)
                    {
                        self.publish_dirty()?;
                    }
                    self.request(r)?;
                }
                Message::Notification(n) if n.method == notif::Exit::METHOD => {
                    return Err(LspError::ExitWithoutShutdown);
                }
                Message::Notification(n) => self.notification(n),
                Message::Response(_) => {}
            }
        }
    }

    fn notification(&mut self, n: Notification) {
        match n.method.as_str() {
            notif::DidOpenTextDocument::METHOD => {
                if let Ok(p) = parse::<lsp_types::DidOpenTextDocumentParams>(n.params) {
                    let d = p.text_document;
                    self.docs.open(d.uri.clone(), d.text, d.version);
                    self.dirty.insert(d.uri);
                }
            }
            notif::DidChangeTextDocument::METHOD => {
                if let Ok(p) = parse::<lsp_types::DidChangeTextDocumentParams>(n.params) {
                    let d = p.text_document;
                    self.docs.change(&d.uri, p.content_changes, d.version);
                    self.dirty.insert(d.uri);
                }
            }
            notif::DidSaveTextDocument::METHOD => {
                if let Ok(p) = parse::<lsp_types::DidSaveTextDocumentParams>(n.params) {
                    self.dirty.insert(p.text_document.uri);
                }
            }
            // A file changed on disk (another editor, a `git checkout`): the open documents'
            // projects may read it, so they are checked again.
            notif::DidChangeWatchedFiles::METHOD => {
                self.dirty.extend(self.docs.uris());
            }
            notif::DidCloseTextDocument::METHOD => {
                if let Ok(p) = parse::<lsp_types::DidCloseTextDocumentParams>(n.params) {
                    self.docs.close(&p.text_document.uri);
                    self.semantic.borrow_mut().forget(&p.text_document.uri);
                    self.dirty.insert(p.text_document.uri);
                }
            }
            _ => {}
        }
    }

    /// The project key of a document: its folder, or the URI of a document checked alone.
    fn project_key(&self, doc: &Uri) -> String {
        match uri::to_path(doc) {
            Some(path) => analysis::project_root(&path, &self.docs.paths())
                .display()
                .to_string(),
            None => doc.as_str().to_string(),
        }
    }

    fn publish_dirty(&mut self) -> Result<(), LspError> {
        let edited = std::mem::take(&mut self.dirty);
        let mut done = BTreeSet::new();
        for doc in &edited {
            let key = self.project_key(doc);
            if !done.insert(key.clone()) {
                continue;
            }
            let fresh = match Analysis::load(doc, &self.docs) {
                Ok(a) => {
                    let schemas = &self.schemas;
                    let cache = self.checks.entry(key.clone()).or_default();
                    let checked = catch_unwind(AssertUnwindSafe(|| {
                        let diags = a.check(schemas, cache);
                        diagnostics::by_file(&diags, &a, doc)
                    }));
                    match checked {
                        Ok(by_file) => by_file,
                        // Keep what the editor shows; the next edit tries again, from scratch.
                        Err(_) => {
                            self.checks.remove(&key);
                            continue;
                        }
                    }
                }
                // A closed file whose project is gone (deleted, emptied): nothing to show.
                Err(_) if self.docs.get(doc).is_none() => {
                    self.checks.remove(&key);
                    Default::default()
                }
                Err(e) => {
                    let d = diagnostics::EditorDiagnostic::at_start(e.to_string());
                    [(doc.clone(), vec![d])].into_iter().collect()
                }
            };
            let previous = self.published.remove(&key).unwrap_or_default();
            for stale in previous.keys().filter(|u| !fresh.contains_key(*u)) {
                self.publish(stale, &[])?;
            }
            for (u, list) in &fresh {
                // The edited documents always get theirs: an editor may have dropped them
                // (on close, say) and expects an answer to the edit.
                if edited.contains(u) || previous.get(u) != Some(list) {
                    self.publish(u, list)?;
                }
            }
            self.published.insert(key, fresh);
        }
        Ok(())
    }

    /// Sends a file's diagnostics, serialized from the list kept in `published` (a renamed
    /// `let` can leave thousands: copying them for the message cost as much as the check).
    fn publish(
        &self,
        uri: &Uri,
        diagnostics: &[diagnostics::EditorDiagnostic],
    ) -> Result<(), LspError> {
        let version = self.docs.get(uri).map(|d| d.version);
        let params = publish::params_json(uri, diagnostics, version)?;
        self.link
            .notify_raw(notif::PublishDiagnostics::METHOD, &params)
    }

    fn request(&mut self, r: Request) -> Result<(), LspError> {
        let Request { id, method, params } = r;
        // A bug in one handler must cost one answer, not the editor's whole session.
        let result = catch_unwind(AssertUnwindSafe(|| self.dispatch(&method, params)))
            .unwrap_or_else(|_| {
                Err(Failure::new(
                    ErrorCode::InternalError,
                    format!("`{method}` failed inside infra lsp; please report it with the file"),
                ))
            });
        self.respond(id, result)
    }

    fn dispatch(
        &self,
        method: &str,
        params: serde_json::Value,
    ) -> Result<serde_json::Value, Failure> {
        match method {
            req::Completion::METHOD => self.completion(params),
            req::HoverRequest::METHOD => self.hover(params),
            req::GotoDefinition::METHOD => self.definition(params),
            req::Formatting::METHOD => self.formatting(params),
            req::DocumentSymbolRequest::METHOD => self.symbols(params),
            req::Rename::METHOD => self.rename(params),
            req::References::METHOD => self.references(params),
            req::SemanticTokensFullRequest::METHOD => self.semantic_tokens(params),
            req::SemanticTokensFullDeltaRequest::METHOD => self.semantic_tokens_delta(params),
            req::CodeActionRequest::METHOD => self.code_actions(params),
            req::SignatureHelpRequest::METHOD => self.signature_help(params),
            req::WorkspaceSymbolRequest::METHOD => self.workspace_symbols(params),
            other => Err(Failure::new(
                ErrorCode::MethodNotFound,
                format!("`{other}` is not supported by infra lsp"),
            )),
        }
    }

    fn respond(
        &self,
        id: RequestId,
        result: Result<serde_json::Value, Failure>,
    ) -> Result<(), LspError> {
        let response = match result {
            Ok(value) => Response {
                id,
                response_result: Ok(value),
            },
            Err(f) => Response::new_err(id, f.code as i32, f.message),
        };
        self.link.send(response.into())
    }

    fn text(&self, doc: &Uri) -> Result<&str, Failure> {
        self.docs.get(doc).map(|d| d.text.as_str()).ok_or_else(|| {
            Failure::new(
                ErrorCode::InvalidParams,
                format!(
                    "`{}` is not open; send textDocument/didOpen first",
                    doc.as_str()
                ),
            )
        })
    }

    /// The project of a document and the byte offset of a position in it.
    fn locate(&self, at: &TextDocumentPositionParams) -> Result<(Analysis, usize), Failure> {
        let text = self.text(&at.text_document.uri)?;
        let offset = LineIndex::new(text).offset(at.position);
        let analysis = Analysis::load(&at.text_document.uri, &self.docs)
            .map_err(|e| Failure::new(ErrorCode::RequestFailed, e.to_string()))?;
        Ok((analysis, offset))
    }

    /// As [`Server::locate`], in the project that uses the document's folder as a module.
    fn locate_enclosing(
        &self,
        at: &TextDocumentPositionParams,
    ) -> Result<(Analysis, usize), Failure> {
        let text = self.text(&at.text_document.uri)?;
        let offset = LineIndex::new(text).offset(at.position);
        let analysis = Analysis::load_enclosing(&at.text_document.uri, &self.docs)
            .map_err(|e| Failure::new(ErrorCode::RequestFailed, e.to_string()))?;
        Ok((analysis, offset))
    }

    fn completion(&self, params: serde_json::Value) -> Result<serde_json::Value, Failure> {
        let p: lsp_types::CompletionParams = parse(params)?;
        let at = &p.text_document_position;
        let text = self.text(&at.text_document.uri)?;
        let analysis = Analysis::load(&at.text_document.uri, &self.docs)
            .map_err(|e| Failure::new(ErrorCode::RequestFailed, e.to_string()))?;
        let scope = Scope {
            schemas: &self.schemas,
            items: names::items(&analysis)
                .into_iter()
                .map(|(_, i)| i)
                .collect(),
            module_outputs: names::module_outputs(&analysis),
        };
        let items = completion::complete(text, at.position, &scope);
        to_json(lsp_types::CompletionResponse::Array(items))
    }

    fn hover(&self, params: serde_json::Value) -> Result<serde_json::Value, Failure> {
        let p: lsp_types::HoverParams = parse(params)?;
        let (analysis, offset) = self.locate(&p.text_document_position_params)?;
        to_json(hover::hover(&analysis, offset, &self.schemas))
    }

    fn definition(&self, params: serde_json::Value) -> Result<serde_json::Value, Failure> {
        let p: lsp_types::GotoDefinitionParams = parse(params)?;
        let (analysis, offset) = self.locate(&p.text_document_position_params)?;
        to_json(
            definition::definition(&analysis, offset)
                .map(lsp_types::GotoDefinitionResponse::Scalar),
        )
    }

    fn formatting(&self, params: serde_json::Value) -> Result<serde_json::Value, Failure> {
        let p: lsp_types::DocumentFormattingParams = parse(params)?;
        let text = self.text(&p.text_document.uri)?;
        let edits = formatting::format(text)
            .map_err(|e| Failure::new(ErrorCode::RequestFailed, e.to_string()))?;
        to_json(edits)
    }

    fn rename(&self, params: serde_json::Value) -> Result<serde_json::Value, Failure> {
        let p: lsp_types::RenameParams = parse(params)?;
        let (analysis, offset) = self.locate_enclosing(&p.text_document_position)?;
        let renamed = rename::rename(&analysis, offset, &p.new_name)
            .map_err(|e| Failure::new(ErrorCode::RequestFailed, e.to_string()))?;
        if !renamed.state_moves.is_empty() {
            let message = rename::state_move_message(&renamed.state_moves);
            self.show_message(lsp_types::MessageType::WARNING, message)
                .map_err(|_| Failure::new(ErrorCode::InternalError, "the editor went away"))?;
        }
        to_json(renamed.edit)
    }

    fn references(&self, params: serde_json::Value) -> Result<serde_json::Value, Failure> {
        let p: lsp_types::ReferenceParams = parse(params)?;
        let (analysis, offset) = self.locate_enclosing(&p.text_document_position)?;
        to_json(rename::references(
            &analysis,
            offset,
            p.context.include_declaration,
        ))
    }

    fn semantic_tokens(&self, params: serde_json::Value) -> Result<serde_json::Value, Failure> {
        let p: lsp_types::SemanticTokensParams = parse(params)?;
        let uri = &p.text_document.uri;
        let tokens = self.fresh_semantic_tokens(uri)?;
        to_json(lsp_types::SemanticTokensResult::Tokens(
            self.semantic.borrow_mut().full(uri, tokens),
        ))
    }

    fn semantic_tokens_delta(
        &self,
        params: serde_json::Value,
    ) -> Result<serde_json::Value, Failure> {
        let p: lsp_types::SemanticTokensDeltaParams = parse(params)?;
        let uri = &p.text_document.uri;
        let tokens = self.fresh_semantic_tokens(uri)?;
        to_json(
            self.semantic
                .borrow_mut()
                .delta(uri, &p.previous_result_id, tokens),
        )
    }

    fn fresh_semantic_tokens(&self, uri: &Uri) -> Result<lsp_types::SemanticTokens, Failure> {
        let text = self.text(uri)?;
        let analysis = Analysis::load(uri, &self.docs)
            .map_err(|e| Failure::new(ErrorCode::RequestFailed, e.to_string()))?;
        Ok(semantic::tokens(&analysis, text))
    }

    fn code_actions(&self, params: serde_json::Value) -> Result<serde_json::Value, Failure> {
        let p: lsp_types::CodeActionParams = parse(params)?;
        let uri = &p.text_document.uri;
        let text = self.text(uri)?;
        let analysis = Analysis::load(uri, &self.docs)
            .map_err(|e| Failure::new(ErrorCode::RequestFailed, e.to_string()))?;
        to_json(actions::actions(
            &analysis,
            uri,
            text,
            p.range,
            &p.context.diagnostics,
            &self.schemas,
        ))
    }

    fn signature_help(&self, params: serde_json::Value) -> Result<serde_json::Value, Failure> {
        let p: lsp_types::SignatureHelpParams = parse(params)?;
        let at = &p.text_document_position_params;
        let text = self.text(&at.text_document.uri)?;
        let offset = LineIndex::new(text).offset(at.position);
        to_json(signature::signature_help(text, offset))
    }

    fn workspace_symbols(&self, params: serde_json::Value) -> Result<serde_json::Value, Failure> {
        let p: lsp_types::WorkspaceSymbolParams = parse(params)?;
        to_json(lsp_types::WorkspaceSymbolResponse::Flat(
            workspace::symbols(&self.docs, &self.docs.uris(), &p.query),
        ))
    }

    fn show_message(&self, typ: lsp_types::MessageType, message: String) -> Result<(), LspError> {
        let params = lsp_types::ShowMessageParams { typ, message };
        self.link.notify(notif::ShowMessage::METHOD, &params)
    }

    fn symbols(&self, params: serde_json::Value) -> Result<serde_json::Value, Failure> {
        let p: lsp_types::DocumentSymbolParams = parse(params)?;
        let text = self.text(&p.text_document.uri)?;
        let (file, _) = infra_lang::syntax::parse(infra_lang::FileId(0), text);
        to_json(lsp_types::DocumentSymbolResponse::Nested(symbols::symbols(
            &file, text,
        )))
    }
}

fn parse<T: DeserializeOwned>(params: serde_json::Value) -> Result<T, Failure> {
    serde_json::from_value(params).map_err(|e| {
        Failure::new(
            ErrorCode::InvalidParams,
            format!("invalid parameters: {e}; send them as the LSP specification describes"),
        )
    })
}

fn to_json<T: serde::Serialize>(value: T) -> Result<serde_json::Value, Failure> {
    serde_json::to_value(value).map_err(|e| {
        Failure::new(
            ErrorCode::InternalError,
            format!("cannot encode the result: {e}"),
        )
    })
}
