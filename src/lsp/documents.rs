//! The open documents: the editor's text of each, which overrides the file on disk.

use super::uri;
use lsp_types::Uri;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Document {
    pub text: String,
    pub version: i32,
}

#[derive(Debug, Default)]
pub struct Documents {
    open: BTreeMap<Uri, Document>,
}

impl Documents {
    pub fn open(&mut self, uri: Uri, text: String, version: i32) {
        self.open.insert(uri, Document { text, version });
    }

    /// Full-text sync: the last change holds the whole new text.
    pub fn change(&mut self, uri: &Uri, text: String, version: i32) {
        if let Some(doc) = self.open.get_mut(uri) {
            doc.text = text;
            doc.version = version;
        }
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

    /// The URI the editor used for a path, if that file is open (editors compare URIs as
    /// strings, so a diagnostic must name the file exactly as they do).
    pub fn uri_of(&self, path: &std::path::Path) -> Option<&Uri> {
        self.open
            .keys()
            .find(|u| uri::to_path(u).is_some_and(|p| p == path))
    }
}
