//! Names declared in the document's module (every file of its folder), for hover, go to
//! definition and completion.

use super::analysis::Analysis;
use infra_lang::FileId;
use infra_lang::syntax::ast::{self, Item};

/// The document's own syntax tree, as parsed in the project.
pub fn document_tree(analysis: &Analysis) -> Option<&ast::File> {
    let file = analysis.file?;
    analysis
        .project
        .modules
        .iter()
        .flat_map(|m| m.files.iter())
        .find(|(id, _)| *id == file)
        .map(|(_, tree)| tree.as_ref())
}

/// Every item of the document's module, with the file it is in.
pub fn items(analysis: &Analysis) -> Vec<(FileId, &Item)> {
    analysis
        .project
        .modules
        .get(analysis.module_of_file())
        .map(|m| {
            m.files
                .iter()
                .flat_map(|(id, f)| f.items.iter().map(move |i| (*id, i)))
                .collect()
        })
        .unwrap_or_default()
}

/// The declaration of `name` in the document's module (outputs and environments cannot be referenced).
pub fn find<'a>(analysis: &'a Analysis, name: &str) -> Option<(FileId, &'a Item)> {
    items(analysis).into_iter().find(|(_, i)| {
        !matches!(i, Item::Environment(_) | Item::Output(_)) && i.name().name == name
    })
}

/// The resource type a name stands for: a resource's, or a param typed with one.
pub fn resource_type_of(item: &Item) -> Option<&str> {
    match item {
        Item::Resource(r) => Some(&r.type_name.name),
        Item::Param(p) => match &p.ty.kind {
            ast::TypeExprKind::Named(n) if n.contains('.') => Some(n),
            _ => None,
        },
        _ => None,
    }
}
