//! Which project a document belongs to, loaded with the editor's unsaved text: the folder
//! holding the file (its parent when the file sits in a project's `environments/`), or the
//! document alone when it is no file on disk.

use super::documents::Documents;
use super::uri;
use infra_lang::FileId;
use infra_lang::check::{CheckCache, CheckOptions, check_cached};
use infra_lang::diag::Diagnostic;
use infra_lang::project::{LoadError, Project};
use infra_provider_core::SchemaSet;
use lsp_types::Uri;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A loaded (parsed, not yet checked) project and where a document sits in it.
#[derive(Debug)]
pub struct Analysis {
    pub project: Project,
    /// The project folder; `None` for a document checked alone.
    pub root: Option<PathBuf>,
    /// The document the request is about.
    pub file: Option<FileId>,
    /// The URI of every file of the project an editor can open (bundled modules have none).
    pub uris: BTreeMap<FileId, Uri>,
}

#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    #[error("`{0}` is not open in the language server; open it (textDocument/didOpen) first")]
    NotOpen(String),
    #[error("cannot load the project: {0}; check that the folder is readable")]
    Load(#[from] LoadError),
}

impl Analysis {
    /// Loads the project of an open document.
    pub fn load(doc: &Uri, docs: &Documents) -> Result<Analysis, AnalysisError> {
        let open = docs
            .get(doc)
            .ok_or_else(|| AnalysisError::NotOpen(doc.as_str().to_string()))?;
        let Some(path) = uri::to_path(doc) else {
            let project =
                Project::from_sources(vec![(PathBuf::from("document.infra"), open.text.clone())])?;
            let file = project.sources.files().next().map(|(id, _)| id);
            let uris = file.map(|id| (id, doc.clone())).into_iter().collect();
            return Ok(Analysis {
                project,
                root: None,
                file,
                uris,
            });
        };
        let root = project_root(&path, &docs.paths());
        Analysis::load_root(&root, doc, docs)
    }

    /// The project a document belongs to as a module, when a folder above uses its folder
    /// as a module (`module x = "./modules/web"`): rename and references must reach the
    /// callers too. Otherwise the document's own project, as [`Analysis::load`].
    pub fn load_enclosing(doc: &Uri, docs: &Documents) -> Result<Analysis, AnalysisError> {
        let own = Analysis::load(doc, docs)?;
        let Some(mut dir) = own.root.clone() else {
            return Ok(own);
        };
        let open = docs.paths();
        // Modules sit a few folders below their caller (`modules/web`); look that far up.
        for _ in 0..4 {
            let Some(above) = dir.parent() else { break };
            dir = above.to_path_buf();
            if !has_sources(&dir, &open) {
                continue;
            }
            let Ok(mut outer) = Analysis::load_root(&dir, doc, docs) else {
                continue;
            };
            if outer.file.is_some() && outer.module_of_file() != 0 {
                outer.root = Some(dir);
                return Ok(outer);
            }
        }
        Ok(own)
    }

    fn load_root(root: &Path, doc: &Uri, docs: &Documents) -> Result<Analysis, AnalysisError> {
        let path = uri::to_path(doc).ok_or_else(|| AnalysisError::NotOpen(doc.as_str().into()))?;
        let project = {
            let mut parses = docs.parses.borrow_mut();
            parses.begin_load();
            Project::load_with_overrides_using(root, &docs.overrides(), &mut *parses)?
        };
        let mut uris = BTreeMap::new();
        let mut file = None;
        for (id, source) in project.sources.files() {
            if source.path == path {
                file = Some(id);
            }
            let known = docs.uri_of(&source.path).cloned();
            if let Some(u) = known.or_else(|| uri::from_path(&source.path)) {
                uris.insert(id, u);
            }
        }
        Ok(Analysis {
            project,
            root: Some(root.to_path_buf()),
            file,
            uris,
        })
    }

    /// Every diagnostic of the project, as `infra validate` reports it, reusing the checks
    /// of declarations `cache` holds from the last check of this project.
    pub fn check(&self, schemas: &SchemaSet, cache: &mut CheckCache) -> Vec<Diagnostic> {
        check_cached(&self.project, schemas, &CheckOptions::default(), cache).diagnostics
    }

    /// The index of the module holding the document (`0`, the root, when unknown).
    pub fn module_of_file(&self) -> usize {
        self.file
            .and_then(|f| {
                self.project
                    .modules
                    .iter()
                    .position(|m| m.files.iter().any(|(id, _)| *id == f))
            })
            .unwrap_or(0)
    }
}

/// The project folder of a file: its folder, or the folder above for a file in
/// `environments/` when that folder holds sources too.
pub fn project_root(file: &Path, open: &BTreeSet<PathBuf>) -> PathBuf {
    let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
    if dir.file_name().is_some_and(|n| n == "environments")
        && let Some(above) = dir.parent()
        && has_sources(above, open)
    {
        return above.to_path_buf();
    }
    dir
}

fn has_sources(dir: &Path, open: &BTreeSet<PathBuf>) -> bool {
    let on_disk = std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.path().extension().is_some_and(|x| x == "infra"))
    });
    on_disk || open.iter().any(|p| p.parent() == Some(dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_environment_file_belongs_to_the_folder_above_when_it_has_sources() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("environments")).unwrap();
        let env = dir.path().join("environments/dev.infra");
        let none = BTreeSet::new();
        assert_eq!(project_root(&env, &none), dir.path().join("environments"));
        let open = BTreeSet::from([dir.path().join("main.infra")]);
        assert_eq!(project_root(&env, &open), dir.path());
        std::fs::write(dir.path().join("main.infra"), "let a = 1\n").unwrap();
        assert_eq!(project_root(&env, &none), dir.path());
    }
}
