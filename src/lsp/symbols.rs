//! `textDocument/documentSymbol`: the outline of a file: its params, lets, resources, modules,
//! outputs and environments, with the attributes of blocks as children.

use super::position::LineIndex;
use infra_lang::syntax::ast::{self, Item};
use lsp_types::{DocumentSymbol, SymbolKind};

pub fn symbols(file: &ast::File, text: &str) -> Vec<DocumentSymbol> {
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
}
