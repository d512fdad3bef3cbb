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
        !matches!(
            i,
            Item::Environment(_) | Item::Output(_) | Item::Import(_) | Item::Function(_)
        ) && i.name().name == name
    })
}

/// The user-defined function `name` of the document's module (functions have their own
/// namespace: only calls name them).
pub fn function<'a>(analysis: &'a Analysis, name: &str) -> Option<(FileId, &'a Item)> {
    items(analysis)
        .into_iter()
        .find(|(_, i)| matches!(i, Item::Function(f) if f.name.name == name))
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

/// The output `name` of the module a `module` block named `base` instantiates.
pub fn module_output<'a>(
    analysis: &'a Analysis,
    base: &str,
    name: &str,
) -> Option<(FileId, &'a Item)> {
    let (_, block) = find(analysis, base)?;
    let Item::Module(m) = block else {
        return None;
    };
    let here = analysis.project.modules.get(analysis.module_of_file())?;
    let child = analysis
        .project
        .modules
        .get(*here.imports.get(&m.source)?)?;
    child.files.iter().find_map(|(id, f)| {
        f.items
            .iter()
            .find(|i| matches!(i, Item::Output(o) if o.name.name == name))
            .map(|i| (*id, i))
    })
}

/// For each `module` block of the document's module: its name and its module's output names.
pub fn module_outputs(analysis: &Analysis) -> Vec<(String, Vec<String>)> {
    let Some(here) = analysis.project.modules.get(analysis.module_of_file()) else {
        return Vec::new();
    };
    items(analysis)
        .into_iter()
        .filter_map(|(_, item)| {
            let Item::Module(m) = item else {
                return None;
            };
            let child = analysis
                .project
                .modules
                .get(*here.imports.get(&m.source)?)?;
            let outputs = child
                .files
                .iter()
                .flat_map(|(_, f)| f.items.iter())
                .filter(|i| matches!(i, Item::Output(_)))
                .map(|i| i.name().name.clone())
                .collect();
            Some((m.name.name.clone(), outputs))
        })
        .collect()
}
