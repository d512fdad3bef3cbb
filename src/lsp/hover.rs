//! `textDocument/hover`: the type and docs of what is under the cursor: a resource type, a
//! property, a built-in function, or a name declared in the module.

use super::analysis::Analysis;
use super::cursor::{self, Hit};
use super::describe;
use super::names;
use infra_lang::syntax::ast::Item;
use infra_provider_core::SchemaSet;
use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind};

pub fn hover(analysis: &Analysis, offset: usize, schemas: &SchemaSet) -> Option<Hover> {
    let file = names::document_tree(analysis)?;
    let text = match cursor::hit_at(file, offset)? {
        Hit::ResourceType(t) => match &schemas.get(t)?.typed {
            Some(typed) => super::typed::type_doc(typed),
            None => describe::resource_type(schemas.get(t)?),
        },
        Hit::Property {
            resource_type,
            path,
        } => {
            let schema = schemas.get(resource_type)?;
            if let Some(t) = &schema.typed {
                return Some(markdown(super::typed::path_doc(t, &path)?));
            }
            match path.as_slice() {
                [name] => describe::property(resource_type, name, schema.properties.get(*name)?),
                _ => describe::field(
                    resource_type,
                    &path,
                    describe::property_type(schema, &path)?,
                ),
            }
        }
        Hit::Call(name) => match names::function(analysis, name) {
            Some((id, item)) => declaration(analysis, id, item, schemas),
            None => describe::function(infra_stdlib::signature(name)?),
        },
        Hit::Ref(name) => {
            let (id, item) = names::find(analysis, name)?;
            declaration(analysis, id, item, schemas)
        }
        Hit::Decl(item) => declaration(analysis, analysis.file?, item, schemas),
        Hit::Member { base, name } => {
            if let Some((id, output)) = names::module_output(analysis, base, name) {
                return Some(markdown(declaration(analysis, id, output, schemas)));
            }
            let (_, item) = names::find(analysis, base)?;
            let type_name = names::resource_type_of(item)?;
            let schema = schemas.get(type_name)?;
            if let Some(t) = &schema.typed
                && let Some(doc) = super::typed::path_doc(t, &[name])
            {
                return Some(markdown(doc));
            }
            describe::property(type_name, name, schema.properties.get(name)?)
        }
        Hit::ModuleSource(source) => format!("Module `{source}`"),
    };
    Some(markdown(text))
}

fn markdown(value: String) -> Hover {
    Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: None,
    }
}

/// The declaration as written (its first line), and for a resource its type's description.
fn declaration(
    analysis: &Analysis,
    file: infra_lang::FileId,
    item: &Item,
    schemas: &SchemaSet,
) -> String {
    let source = analysis.project.sources.text(item.span());
    let first_line = source.lines().next().unwrap_or_default();
    let head = first_line.trim_end_matches('{').trim_end();
    let mut text = format!("```infra\n{head}\n```");
    if let Some(schema) = names::resource_type_of(item).and_then(|t| schemas.get(t)) {
        text.push_str(&format!("\n\n{}", schema.description));
    }
    let path = analysis.project.sources.path(file);
    if let Some(name) = path.file_name() {
        text.push_str(&format!("\n\nDeclared in `{}`.", name.to_string_lossy()));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lsp::documents::Documents;
    use infra_provider_core::{PropertySchema as P, ResourceSchema, Type};
    use lsp_types::Uri;
    use std::str::FromStr;

    fn hover_text(src: &str, needle: &str) -> Option<String> {
        let mut set = SchemaSet::new();
        set.add(
            ResourceSchema::new("test.vault", "A vault for tests.").prop(
                "name",
                P::input(Type::String).required().doc("The vault's name."),
            ),
        );
        let uri = Uri::from_str("untitled:Untitled-1").unwrap();
        let mut docs = Documents::default();
        docs.open(uri.clone(), src.to_string(), 1);
        let analysis = Analysis::load(&uri, &docs).unwrap();
        let offset = src.find(needle).unwrap() + 1;
        hover(&analysis, offset, &set).map(|h| match h.contents {
            HoverContents::Markup(m) => m.value,
            other => panic!("{other:?}"),
        })
    }

    #[test]
    fn shows_property_docs_functions_and_declarations() {
        let src = "param region: string = \"x\"\n\
                   resource v: test.vault {\n  name = upper(region)\n}\n";
        let prop = hover_text(src, "name =").unwrap();
        assert!(prop.contains("name: string (required)") && prop.contains("The vault's name."));
        let call = hover_text(src, "upper").unwrap();
        assert!(
            call.contains("upper(") && call.contains("-> string"),
            "{call}"
        );
        let param = hover_text(src, "region)").unwrap();
        assert!(param.contains("param region: string"), "{param}");
        let ty = hover_text(src, "test.vault").unwrap();
        assert!(ty.contains("A vault for tests.") && ty.contains("Required: `name`"));
        assert_eq!(hover_text(src, "\"x\""), None);
    }

    #[test]
    fn user_functions_hover_with_their_signature_and_go_to_their_definition() {
        let src = "let s = 1\nfn slug(s: string): string = lower(s)\noutput o = slug(\"A B\")\n";
        let call = hover_text(src, "slug(\"").unwrap();
        assert!(call.contains("fn slug(s: string): string"), "{call}");
        // The parameter `s` in the body is not the let `s`.
        assert_eq!(hover_text(src, "s)\n"), None);
        let uri = Uri::from_str("untitled:Untitled-3").unwrap();
        let mut docs = Documents::default();
        docs.open(uri.clone(), src.to_string(), 1);
        let analysis = Analysis::load(&uri, &docs).unwrap();
        let at = src.find("slug(\"").unwrap() + 1;
        let loc = crate::lsp::definition::definition(&analysis, at).unwrap();
        assert_eq!((loc.range.start.line, loc.range.start.character), (1, 3));
    }

    #[test]
    fn hover_and_definition_answer_at_every_position_without_panicking() {
        let src = "param r\u{e9}gion: string = \"\u{1F511}\"\nlet a = [for k, v in {x = 1}: \"${k}${r\u{e9}gion}\" if v > 0]\n\
                   resource v: test.vault {\n  name = a[0]\n  tags = { t = v.id }\n}\noutput o = upper(v.name)\n";
        let set = SchemaSet::new();
        let uri = Uri::from_str("untitled:Untitled-2").unwrap();
        let mut docs = Documents::default();
        docs.open(uri.clone(), src.to_string(), 1);
        let analysis = Analysis::load(&uri, &docs).unwrap();
        let mut answered = 0;
        for offset in 0..=src.len() + 2 {
            answered += usize::from(hover(&analysis, offset, &set).is_some());
            let _ = crate::lsp::definition::definition(&analysis, offset);
        }
        assert!(answered > 0);
    }
}
