//! `textDocument/documentSymbol`: the outline of a file: its params, lets, resources, modules,
//! outputs and environments, with the attributes of blocks as children. A statement the parser
//! had to drop (a syntax error in it) is still listed, from its first line, so that the outline
//! does not lose a resource while it is being edited.

use super::position::LineIndex;
use infra_lang::syntax::ast::{self, Item};
use lsp_types::{DocumentSymbol, SymbolKind};

pub fn symbols(file: &ast::File, text: &str) -> Vec<DocumentSymbol> {
    let mut out = parsed(file, text);
    let idx = LineIndex::new(text);
    let starts = statement_starts(text);
    for (n, (at, keyword, name)) in starts.iter().enumerate() {
        let covered = file.items.iter().any(|i| {
            i.span().start as usize <= *at && *at < i.span().end.max(i.span().start + 1) as usize
        });
        if covered {
            continue;
        }
        let end = starts.get(n + 1).map_or(text.len(), |(next, _, _)| *next);
        let end = text[..end].trim_end().len().max(*at);
        let kind = match *keyword {
            "resource" | "existing" => SymbolKind::OBJECT,
            "module" => SymbolKind::MODULE,
            "output" => SymbolKind::PROPERTY,
            "environment" => SymbolKind::NAMESPACE,
            _ => SymbolKind::VARIABLE,
        };
        let name_at = at + text[*at..].find(name.as_str()).unwrap_or(0);
        out.push(symbol(
            name,
            kind,
            Some(format!("{keyword} (syntax error)")),
            idx.range(*at, end),
            idx.range(name_at, name_at + name.len()),
            None,
        ));
    }
    out.sort_by_key(|s| (s.range.start.line, s.range.start.character));
    out
}

/// Lines that start a statement (`resource name`, `let name`, ...): offset, keyword, name.
fn statement_starts(text: &str) -> Vec<(usize, &'static str, String)> {
    const KEYWORDS: [&str; 7] = [
        "resource",
        "existing",
        "param",
        "let",
        "module",
        "output",
        "environment",
    ];
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        // Statements start in the first column; indented lines are inside blocks or heredocs.
        for keyword in KEYWORDS {
            let Some(rest) = line.strip_prefix(keyword) else {
                continue;
            };
            let rest_trim = rest.trim_start_matches([' ', '\t']);
            if rest_trim.len() == rest.len() {
                continue;
            }
            let name: String = rest_trim
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if name
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            {
                out.push((start, keyword, name));
            }
        }
    }
    out
}

fn parsed(file: &ast::File, text: &str) -> Vec<DocumentSymbol> {
    let idx = LineIndex::new(text);
    let range = |s: infra_lang::Span| idx.range(s.start as usize, s.end as usize);
    file.items
        .iter()
        .map(|item| {
            let (kind, detail, body): (SymbolKind, Option<String>, &[ast::Attribute]) = match item {
                Item::Param(p) => (
                    SymbolKind::VARIABLE,
                    Some(format!(
                        "param: {}",
                        text.get(p.ty.span.range()).unwrap_or("?")
                    )),
                    &[],
                ),
                Item::Let(_) => (SymbolKind::VARIABLE, Some("let".into()), &[]),
                Item::Resource(r) => (SymbolKind::OBJECT, Some(r.type_name.name.clone()), &r.body),
                Item::Module(m) => (SymbolKind::MODULE, Some(m.source.clone()), &m.body),
                Item::Output(_) => (SymbolKind::PROPERTY, Some("output".into()), &[]),
                Item::Environment(e) => {
                    (SymbolKind::NAMESPACE, Some("environment".into()), &e.body)
                }
                Item::Import(i) => (SymbolKind::EVENT, Some("import".into()), &i.body),
                Item::Function(_) => (SymbolKind::FUNCTION, Some("fn".into()), &[]),
            };
            let children: Vec<DocumentSymbol> = body
                .iter()
                .map(|a| {
                    symbol(
                        &a.name.name,
                        SymbolKind::FIELD,
                        None,
                        range(a.span),
                        range(a.name.span),
                        None,
                    )
                })
                .collect();
            let name = item.name();
            symbol(
                &name.name,
                kind,
                detail,
                range(item.span()),
                range(name.span),
                (!children.is_empty()).then_some(children),
            )
        })
        .collect()
}

fn symbol(
    name: &str,
    kind: SymbolKind,
    detail: Option<String>,
    range: lsp_types::Range,
    selection_range: lsp_types::Range,
    children: Option<Vec<DocumentSymbol>>,
) -> DocumentSymbol {
    #[allow(deprecated)] // `deprecated` is a required field of the struct, replaced by tags.
    DocumentSymbol {
        name: name.to_string(),
        detail,
        kind,
        tags: None,
        deprecated: None,
        range,
        selection_range,
        children,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use infra_lang::FileId;

    #[test]
    fn lists_items_with_block_attributes_as_children() {
        let text = "param p: string\nresource rg: azure.resource_group {\n  name = p\n}\n";
        let (file, _) = infra_lang::syntax::parse(FileId(0), text);
        let got = symbols(&file, text);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].name, "p");
        assert_eq!(got[0].detail.as_deref(), Some("param: string"));
        assert_eq!(got[1].kind, SymbolKind::OBJECT);
        assert_eq!(got[1].range.end.line, 3);
        let children = got[1].children.as_ref().unwrap();
        assert_eq!(children[0].name, "name");
        assert_eq!(
            children[0].selection_range.start,
            lsp_types::Position::new(2, 2)
        );
    }

    #[test]
    fn a_resource_with_a_syntax_error_stays_in_the_outline() {
        let text = "let a = 1\nresource kv: azure.key_vault {\n  name = = \n}\nresource rg: azure.resource_group {\n  name = \"x\"\n}\n";
        let (file, diags) = infra_lang::syntax::parse(FileId(0), text);
        assert!(!diags.is_empty(), "the sample has a syntax error");
        assert_eq!(file.items.len(), 2, "the parser drops the broken statement");
        let got = symbols(&file, text);
        let names: Vec<&str> = got.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, vec!["a", "kv", "rg"]);
        assert_eq!(got[1].kind, SymbolKind::OBJECT);
        assert_eq!(got[1].selection_range.start, lsp_types::Position::new(1, 9));
    }
}
