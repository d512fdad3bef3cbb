//! `workspace/symbol`: the names declared in the projects of the open documents (every
//! module they use), matched by a case-insensitive substring of the query.

use super::analysis::Analysis;
use super::documents::Documents;
use super::position::LineIndex;
use infra_lang::syntax::ast::Item;
use lsp_types::{Location, SymbolInformation, SymbolKind, Uri};
use std::collections::BTreeSet;

pub fn symbols(docs: &Documents, open: &[Uri], query: &str) -> Vec<SymbolInformation> {
    let query = query.to_lowercase();
    let mut seen_roots = BTreeSet::new();
    let mut seen_files = BTreeSet::new();
    let mut out = Vec::new();
    for doc in open {
        let Ok(analysis) = Analysis::load(doc, docs) else {
            continue;
        };
        if let Some(root) = &analysis.root
            && !seen_roots.insert(root.clone())
        {
            continue;
        }
        for module in &analysis.project.modules {
            for (id, file) in &module.files {
                let (Some(uri), Some(source)) =
                    (analysis.uris.get(id), analysis.project.sources.try_get(*id))
                else {
                    continue;
                };
                // A module used by two projects is listed once.
                if !seen_files.insert(uri.as_str().to_string()) {
                    continue;
                }
                let idx = LineIndex::new(&source.text);
                for item in &file.items {
                    let kind = match item {
                        Item::Param(_) | Item::Let(_) => SymbolKind::VARIABLE,
                        Item::Resource(_) => SymbolKind::OBJECT,
                        Item::Module(_) => SymbolKind::MODULE,
                        Item::Output(_) => SymbolKind::PROPERTY,
                        Item::Environment(_) => SymbolKind::NAMESPACE,
                        Item::Import(_) => continue,
                        Item::Function(_) => SymbolKind::FUNCTION,
                    };
                    let name = item.name();
                    if !name.name.to_lowercase().contains(&query) {
                        continue;
                    }
                    #[allow(deprecated)] // a required field of the struct, replaced by tags
                    out.push(SymbolInformation {
                        name: name.name.clone(),
                        kind,
                        tags: None,
                        deprecated: None,
                        location: Location::new(
                            uri.clone(),
                            idx.range(name.span.start as usize, name.span.end as usize),
                        ),
                        container_name: None,
                    });
                }
            }
        }
    }
    out
}
