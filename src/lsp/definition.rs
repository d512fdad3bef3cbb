//! `textDocument/definition`: where a param, let, resource or module used in an expression is
//! declared (in any file of the module), and the folder a `module` block's source names.

use super::analysis::Analysis;
use super::cursor::{self, Hit};
use super::names;
use super::position::LineIndex;
use infra_lang::Span;
use lsp_types::Location;

pub fn definition(analysis: &Analysis, offset: usize) -> Option<Location> {
    let file = names::document_tree(analysis)?;
    let target = match cursor::hit_at(file, offset)? {
        Hit::Ref(name) | Hit::Member { base: name, .. } => {
            let (_, item) = names::find(analysis, name)?;
            item.name().span
        }
        Hit::ModuleSource(source) => module_start(analysis, source)?,
        _ => return None,
    };
    location(analysis, target)
}

/// The start of the first file of the module a `module` block names.
fn module_start(analysis: &Analysis, source: &str) -> Option<Span> {
    let module = analysis.project.modules.get(analysis.module_of_file())?;
    let index = *module.imports.get(source)?;
    let (id, _) = analysis.project.modules.get(index)?.files.first()?;
    Some(Span::new(*id, 0, 0))
}

fn location(analysis: &Analysis, span: Span) -> Option<Location> {
    let uri = analysis.uris.get(&span.file)?;
    let text = &analysis.project.sources.try_get(span.file)?.text;
    let idx = LineIndex::new(text);
    Some(Location::new(
        uri.clone(),
        idx.range(span.start as usize, span.end as usize),
    ))
}
