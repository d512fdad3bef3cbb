//! The open documents: the editor's text of each, which overrides the file on disk; and the
//! parsed files of the projects they belong to, kept between edits.

use super::parses::ParseCache;
use super::position::offset_in;
use super::uri;
use lsp_types::{TextDocumentContentChangeEvent, Uri};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Document {
    pub text: String,
    pub version: i32,
}

#[derive(Debug, Default)]
pub struct Documents {
    open: BTreeMap<Uri, Document>,
    /// Trees of the files loaded so far (requests see the documents through `&`).
    pub parses: RefCell<ParseCache>,
}

impl Documents {
    pub fn open(&mut self, uri: Uri, text: String, version: i32) {
        self.open.insert(uri, Document { text, version });
    }

    /// Applies an editor's changes in order: a change with a range replaces that range
    /// (incremental sync), one without replaces the whole text.
    pub fn change(
        &mut self,
        uri: &Uri,
        changes: Vec<TextDocumentContentChangeEvent>,
        version: i32,
    ) {
        let Some(doc) = self.open.get_mut(uri) else {
            return;
        };
        for change in changes {
            match change.range {
                Some(range) => {
                    let start = offset_in(&doc.text, range.start);
                    let end = offset_in(&doc.text, range.end).max(start);
                    doc.text.replace_range(start..end, &change.text);
                }
                None => doc.text = change.text,
            }
        }
        doc.version = version;
    }

    pub fn close(&mut self, uri: &Uri) {
        self.open.remove(uri);
    }

    /// The URIs of the open documents.
    pub fn uris(&self) -> Vec<Uri> {
        self.open.keys().cloned().collect()
    }

    pub fn get(&self, uri: &Uri) -> Option<&Document> {
        self.open.get(uri)
    }

    /// Unsaved text of every open `file:` document, by path, for the project loader.
    pub fn overrides(&self) -> BTreeMap<PathBuf, String> {
        self.open
            .iter()
            .filter_map(|(u, d)| Some((uri::to_path(u)?, d.text.clone())))
            .collect()
    }

    /// The paths of the open `file:` documents: what finding a project needs, without a copy
    /// of every text (a 20,000-line file is almost a megabyte).
    pub fn paths(&self) -> BTreeSet<PathBuf> {
        self.open.keys().filter_map(uri::to_path).collect()
    }

    /// The URI the editor used for a path, if that file is open (editors compare URIs as
    /// strings, so a diagnostic must name the file exactly as they do).
    pub fn uri_of(&self, path: &std::path::Path) -> Option<&Uri> {
        self.open
            .keys()
            .find(|u| uri::to_path(u).is_some_and(|p| p == path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::{Position, Range};

    fn change(
        range: Option<((u32, u32), (u32, u32))>,
        text: &str,
    ) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: range
                .map(|((a, b), (c, d))| Range::new(Position::new(a, b), Position::new(c, d))),
            range_length: None,
            text: text.into(),
        }
    }

    #[test]
    fn ranged_changes_apply_in_order_at_utf16_positions() {
        let uri: Uri = "file:///p/main.infra".parse().unwrap();
        let mut docs = Documents::default();
        docs.open(uri.clone(), "let a = \"😀é\"\nlet b = 1\n".into(), 1);
        // After the emoji (two UTF-16 units) and the `é` (one): before the closing quote.
        docs.change(
            &uri,
            vec![
                change(Some(((0, 9), (0, 12))), "x"),
                change(Some(((1, 4), (1, 5))), "bb"),
            ],
            2,
        );
        let doc = docs.get(&uri).unwrap();
        assert_eq!(doc.text, "let a = \"x\"\nlet bb = 1\n");
        assert_eq!(doc.version, 2);
        docs.change(
            &uri,
            vec![
                change(None, "let c = 2\n"),
                change(Some(((0, 9), (0, 9))), "0"),
            ],
            3,
        );
        assert_eq!(docs.get(&uri).unwrap().text, "let c = 20\n");
    }
}
