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
        Hit::Ref(name) => names::find(analysis, name)?.1.name().span,
        // A module's output opens in the module; anything else goes to the name before the dot.
        Hit::Member { base, name } => match names::module_output(analysis, base, name) {
            Some((_, output)) => output.name().span,
            None => names::find(analysis, base)?.1.name().span,
        },
        Hit::ModuleSource(source) => module_start(analysis, source)?,
        Hit::Call(name) => names::function(analysis, name)?.1.name().span,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lsp::documents::Documents;
    use crate::lsp::uri;

    #[test]
    fn goes_to_lets_module_outputs_and_module_folders() {
        let dir = tempfile::tempdir().unwrap();
        let web = dir.path().join("modules/web");
        std::fs::create_dir_all(&web).unwrap();
        std::fs::write(
            web.join("main.infra"),
            "param n: string\noutput url = \"https://${n}\"\n",
        )
        .unwrap();
        let main = dir.path().join("main.infra");
        let text = "let n = \"a\"\nmodule web = \"./modules/web\" { n = n }\noutput u = web.url\n";
        let doc = uri::from_path(&main).unwrap();
        let mut docs = Documents::default();
        docs.open(doc.clone(), text.to_string(), 1);
        let analysis = Analysis::load(&doc, &docs).unwrap();
        let at = |needle: &str| text.rfind(needle).unwrap() + 1;

        let to_let = definition(&analysis, at("n }")).unwrap();
        assert_eq!(to_let.uri, doc);
        assert_eq!(to_let.range.start, lsp_types::Position::new(0, 4));

        let to_output = definition(&analysis, at("url")).unwrap();
        assert_eq!(
            to_output.uri,
            uri::from_path(&web.join("main.infra")).unwrap()
        );
        assert_eq!(to_output.range.start, lsp_types::Position::new(1, 7));

        let to_module = definition(&analysis, at("./modules")).unwrap();
        assert_eq!(to_module.uri, to_output.uri);
        assert_eq!(to_module.range.start, lsp_types::Position::new(0, 0));

        assert!(
            definition(&analysis, at("\"a\"")).is_none(),
            "a string goes nowhere"
        );
    }
}
