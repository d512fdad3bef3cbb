//! The trees of the files the server has loaded, kept across edits and requests: a file
//! whose text did not change is not parsed again, and an edited one is re-parsed around the
//! edit only ([`Reparsable`]). The result is what a full parse gives, so diagnostics are
//! the ones `infra validate` prints.

use infra_lang::FileId;
use infra_lang::diag::Diagnostic;
use infra_lang::project::FileParser;
use infra_lang::syntax::ast;
use infra_lang::syntax::incremental::Reparsable;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Loads after which a file no load asked for is forgotten (a closed project, a deleted
/// file).
const KEEP_UNUSED: u64 = 16;

#[derive(Debug, Default)]
pub struct ParseCache {
    files: HashMap<PathBuf, Entry>,
    /// Counts loads, to forget what no recent load used.
    loads: u64,
}

#[derive(Debug)]
struct Entry {
    parsed: Reparsable,
    used: u64,
}

impl ParseCache {
    /// Starts a project load: forgets the files that no recent load used.
    pub fn begin_load(&mut self) {
        self.loads += 1;
        let now = self.loads;
        self.files.retain(|_, e| now - e.used <= KEEP_UNUSED);
    }
}

impl FileParser for ParseCache {
    fn parse(&mut self, id: FileId, path: &Path, text: &str) -> (Arc<ast::File>, Vec<Diagnostic>) {
        let now = self.loads;
        let entry = match self.files.get_mut(path) {
            // Spans name the file by id: a tree made under another id cannot be reused.
            Some(e) if e.parsed.file() == id => {
                e.parsed.update(text);
                e
            }
            _ => {
                let parsed = Reparsable::new(id, text);
                self.files
                    .insert(path.to_path_buf(), Entry { parsed, used: now });
                match self.files.get_mut(path) {
                    Some(e) => e,
                    None => {
                        let (file, diags) = infra_lang::syntax::parse(id, text);
                        return (Arc::new(file), diags);
                    }
                }
            }
        };
        entry.used = now;
        (
            Arc::clone(entry.parsed.tree()),
            entry.parsed.diagnostics().to_vec(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edited_file_gets_the_tree_a_full_parse_gives() {
        let mut cache = ParseCache::default();
        let path = Path::new("/p/main.infra");
        cache.begin_load();
        let (first, _) = cache.parse(FileId(0), path, "let a = 1\nlet b = a\n");
        cache.begin_load();
        let (same, _) = cache.parse(FileId(0), path, "let a = 1\nlet b = a\n");
        assert!(
            Arc::ptr_eq(&first, &same),
            "an unchanged file is not parsed again"
        );
        drop((first, same));
        let edited = "let a = 1\nlet b = {\nlet c = é\n";
        cache.begin_load();
        let (tree, diags) = cache.parse(FileId(0), path, edited);
        let (full, full_diags) = infra_lang::syntax::parse(FileId(0), edited);
        assert_eq!(*tree, full);
        assert_eq!(diags, full_diags);
        // Under another id (the project's files changed), the spans must name the new id.
        cache.begin_load();
        let (moved, _) = cache.parse(FileId(1), path, edited);
        assert_eq!(*moved, infra_lang::syntax::parse(FileId(1), edited).0);
    }
}
