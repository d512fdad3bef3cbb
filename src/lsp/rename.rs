//! `textDocument/rename` and `textDocument/references`. A rename edits every occurrence in
//! every file of the project (and the modules that use a module's params and outputs). Renaming
//! a resource also changes its state address: without `infra state mv OLD NEW` the next plan
//! destroys the old object and creates a new one, so the rename reports the exact commands
//! (the server shows them in a `window/showMessage` warning; see docs/editors.md).

use super::analysis::Analysis;
use super::position::LineIndex;
use super::refs::{self, Target};
use infra_lang::syntax::ast::Item;
use infra_lang::{FileId, Span};
use lsp_types::{Location, TextEdit, Uri, WorkspaceEdit};
use std::collections::HashMap;

/// A rename's edits and the state moves it implies (old address, new address).
#[derive(Debug)]
pub struct Renamed {
    pub edit: WorkspaceEdit,
    pub state_moves: Vec<(String, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum RenameError {
    #[error("there is no param, let, resource, module, output or function name here to rename")]
    NothingHere,
    #[error(
        "`{0}` is not a valid name: use letters, digits and `_`, starting with a letter or `_`"
    )]
    InvalidName(String),
    #[error("`{0}` is already declared in this module; choose another name")]
    Taken(String),
    #[error("`{0}` is used in a bundled module, which cannot be edited")]
    Bundled(String),
}

const RESERVED: [&str; 6] = ["true", "false", "null", "for", "in", "if"];

pub fn rename(analysis: &Analysis, offset: usize, new_name: &str) -> Result<Renamed, RenameError> {
    let target = refs::target_at(analysis, offset).ok_or(RenameError::NothingHere)?;
    let valid = new_name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && new_name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !RESERVED.contains(&new_name);
    if !valid {
        return Err(RenameError::InvalidName(new_name.to_string()));
    }
    if new_name == target.name() {
        return Ok(Renamed {
            edit: WorkspaceEdit::default(),
            state_moves: Vec::new(),
        });
    }
    if declared(analysis, &target, new_name) {
        return Err(RenameError::Taken(new_name.to_string()));
    }
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for (file, span) in refs::occurrences(analysis, &target) {
        let location = location(analysis, file, span)
            .ok_or_else(|| RenameError::Bundled(target.name().into()))?;
        changes
            .entry(location.uri)
            .or_default()
            .push(TextEdit::new(location.range, new_name.to_string()));
    }
    let state_moves = match &target {
        Target::Item { module, name } => match managed_resource(analysis, *module, name) {
            // A `for` resource has one address per instance: `web["key"]`.
            Some(repeated) => {
                let key = if repeated { "[\"<KEY>\"]" } else { "" };
                prefixes(analysis, *module, 0)
                    .into_iter()
                    .map(|p| (format!("{p}{name}{key}"), format!("{p}{new_name}{key}")))
                    .collect()
            }
            None => Vec::new(),
        },
        _ => Vec::new(),
    };
    Ok(Renamed {
        edit: WorkspaceEdit::new(changes),
        state_moves,
    })
}

/// The message a resource rename shows: the state moves to run before the next apply.
pub fn state_move_message(moves: &[(String, String)]) -> String {
    let commands: Vec<String> = moves
        .iter()
        .map(|(from, to)| format!("infra state mv '{from}' '{to}' --env <ENV>"))
        .collect();
    format!(
        "Renamed a resource: its state address changes too. Run, for each environment, before \
         the next apply (or the plan destroys the old object and creates a new one){}:\n{}",
        if moves.iter().any(|(f, _)| f.contains("<KEY>")) {
            ", once per instance key"
        } else {
            ""
        },
        commands.join("\n")
    )
}

pub fn references(analysis: &Analysis, offset: usize, include_declaration: bool) -> Vec<Location> {
    let Some(target) = refs::target_at(analysis, offset) else {
        return Vec::new();
    };
    let decls = declaration_spans(analysis, &target);
    // One line index per file, not per occurrence: a name used 400 times in a 5,000-line
    // file would otherwise index the file 400 times.
    let mut indexes: HashMap<FileId, LineIndex<'_>> = HashMap::new();
    refs::occurrences(analysis, &target)
        .into_iter()
        .filter(|o| include_declaration || !decls.contains(o))
        .filter_map(|(file, span)| {
            let uri = analysis.uris.get(&file)?;
            let text = &analysis.project.sources.try_get(file)?.text;
            let idx = indexes.entry(file).or_insert_with(|| LineIndex::new(text));
            Some(Location::new(
                uri.clone(),
                idx.range(span.start as usize, span.end as usize),
            ))
        })
        .collect()
}

fn declaration_spans(analysis: &Analysis, target: &Target) -> Vec<(FileId, Span)> {
    let (module, name, output) = match target {
        Target::Item { module, name } => (*module, name, false),
        Target::Output { module, name } => (*module, name, true),
        Target::Function { module, name } => {
            let Some(m) = analysis.project.modules.get(*module) else {
                return Vec::new();
            };
            return m
                .files
                .iter()
                .flat_map(|(id, f)| f.items.iter().map(move |i| (*id, i)))
                .filter(|(_, i)| matches!(i, Item::Function(f) if f.name.name == *name))
                .map(|(id, i)| (id, i.name().span))
                .collect();
        }
    };
    let Some(m) = analysis.project.modules.get(module) else {
        return Vec::new();
    };
    m.files
        .iter()
        .flat_map(|(id, f)| f.items.iter().map(move |i| (*id, i)))
        .filter(|(_, i)| match i {
            Item::Output(o) => output && o.name.name == *name,
            Item::Environment(_) | Item::Import(_) | Item::Function(_) => false,
            other => !output && other.name().name == *name,
        })
        .map(|(id, i)| (id, i.name().span))
        .collect()
}

fn declared(analysis: &Analysis, target: &Target, name: &str) -> bool {
    let other = match target {
        Target::Item { module, .. } => Target::Item {
            module: *module,
            name: name.to_string(),
        },
        Target::Output { module, .. } => Target::Output {
            module: *module,
            name: name.to_string(),
        },
        // A function may not take a standard library function's name either (E1001).
        Target::Function { module, .. } => {
            if infra_stdlib::signature(name).is_some() {
                return true;
            }
            Target::Function {
                module: *module,
                name: name.to_string(),
            }
        }
    };
    !declaration_spans(analysis, &other).is_empty()
}

/// For a resource infra manages (not `existing`): whether it is repeated with `for`.
fn managed_resource(analysis: &Analysis, module: usize, name: &str) -> Option<bool> {
    analysis
        .project
        .modules
        .get(module)?
        .files
        .iter()
        .find_map(|(_, f)| {
            f.items.iter().find_map(|i| match i {
                Item::Resource(r) if !r.existing && r.name.name == name => {
                    Some(r.for_each.is_some())
                }
                _ => None,
            })
        })
}

/// The address prefixes of a module's resources: `""` for the root, `module.web.` for a
/// module instantiated by a block `web` of the root, and so on.
fn prefixes(analysis: &Analysis, module: usize, depth: usize) -> Vec<String> {
    if module == 0 {
        return vec![String::new()];
    }
    // Modules cannot form cycles (E0204 family), but a broken project must not loop.
    if depth > 16 {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (parent_index, parent) in analysis.project.modules.iter().enumerate() {
        for (_, f) in &parent.files {
            for item in &f.items {
                if let Item::Module(m) = item
                    && parent.imports.get(&m.source) == Some(&module)
                {
                    for p in prefixes(analysis, parent_index, depth + 1) {
                        out.push(format!("{p}module.{}.", m.name.name));
                    }
                }
            }
        }
    }
    out
}

fn location(analysis: &Analysis, file: FileId, span: Span) -> Option<Location> {
    let uri = analysis.uris.get(&file)?;
    let text = &analysis.project.sources.try_get(file)?.text;
    let idx = LineIndex::new(text);
    Some(Location::new(
        uri.clone(),
        idx.range(span.start as usize, span.end as usize),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lsp::documents::Documents;
    use std::str::FromStr;

    #[test]
    fn rename_references_and_tokens_answer_at_every_position_without_panicking() {
        let src = "param r\u{e9}gion: string = \"\u{1F511}\"\nlet a = [for k, v in {x = 1}: \"${k}${r\u{e9}gion}\" if v > 0]\n\
                   resource v: test.vault {\n  name = a[0]\n  tags = { t = v.id }\n}\noutput o = upper(v.name, \n\
                   resource broken: x {\n  = \n";
        let uri = Uri::from_str("untitled:Untitled-3").unwrap();
        let mut docs = Documents::default();
        docs.open(uri.clone(), src.to_string(), 1);
        let analysis = Analysis::load(&uri, &docs).unwrap();
        let mut renamed = 0;
        for offset in 0..=src.len() + 2 {
            renamed += usize::from(rename(&analysis, offset, "b").is_ok());
            let _ = references(&analysis, offset, true);
            let _ = crate::lsp::signature::signature_help(src, offset);
        }
        assert!(renamed > 0);
        let tokens = crate::lsp::semantic::tokens(&analysis, src);
        assert!(!tokens.data.is_empty());
        let (file, _) = infra_lang::syntax::parse(infra_lang::FileId(0), src);
        let outline = crate::lsp::symbols::symbols(&file, src);
        assert!(outline.iter().any(|s| s.name == "broken"), "{outline:?}");
    }

    #[test]
    fn a_function_renames_at_its_declaration_and_every_call_but_not_a_let_of_that_name() {
        let src = "let slug = 1\nfn slug(s: string): string = lower(s)\nfn twice(s: string) = slug(slug(s))\noutput o = [slug(\"A\"), slug]\n";
        let uri = Uri::from_str("untitled:Untitled-4").unwrap();
        let mut docs = Documents::default();
        docs.open(uri.clone(), src.to_string(), 1);
        let analysis = Analysis::load(&uri, &docs).unwrap();
        let at = src.find("slug(\"").unwrap();
        let renamed = rename(&analysis, at, "kebab").unwrap();
        let edits: Vec<(u32, u32)> = renamed
            .edit
            .changes
            .unwrap()
            .into_values()
            .flatten()
            .map(|e| (e.range.start.line, e.range.start.character))
            .collect();
        let mut edits = edits;
        edits.sort();
        assert_eq!(edits, vec![(1, 3), (2, 22), (2, 27), (3, 12)]);
        assert_eq!(references(&analysis, at, false).len(), 3);
        assert!(matches!(
            rename(&analysis, at, "upper"),
            Err(RenameError::Taken(_))
        ));
    }

    #[test]
    fn a_resource_in_a_module_and_in_a_loop_moves_every_instance_under_the_module_prefix() {
        let dir = tempfile::tempdir().unwrap();
        let web = dir.path().join("modules/web");
        std::fs::create_dir_all(&web).unwrap();
        let module_text = "param names: list<string>\nresource site: test.vault for n in names {\n  name = n\n}\n";
        std::fs::write(web.join("main.infra"), module_text).unwrap();
        std::fs::write(
            dir.path().join("main.infra"),
            "module app = \"./modules/web\" {\n  names = [\"a\"]\n}\n",
        )
        .unwrap();
        let doc = crate::lsp::uri::from_path(&web.join("main.infra")).unwrap();
        let mut docs = Documents::default();
        docs.open(doc.clone(), module_text.to_string(), 1);
        let analysis = Analysis::load_enclosing(&doc, &docs).unwrap();
        let at = module_text.find("site").unwrap();
        let renamed = rename(&analysis, at, "page").unwrap();
        assert_eq!(
            renamed.state_moves,
            vec![(
                "module.app.site[\"<KEY>\"]".to_string(),
                "module.app.page[\"<KEY>\"]".to_string()
            )]
        );
        assert!(state_move_message(&renamed.state_moves).contains("once per instance key"));
    }
}
