//! The checker's diagnostics as LSP diagnostics, grouped by the file they are in. A file of
//! the project without any still gets an (empty) entry, so that the editor clears what it
//! showed before.

use super::analysis::Analysis;
use super::position::LineIndex;
use infra_lang::diag::{Diagnostic, Severity};
use infra_lang::span::Span;
use lsp_types::{
    DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Position, Range,
    Uri,
};
use std::collections::BTreeMap;

/// Diagnostics per file of the project. One in no file (`Span::NOWHERE`) goes to the start of
/// `fallback`, the document being edited.
pub fn by_file(
    diags: &[Diagnostic],
    analysis: &Analysis,
    fallback: &Uri,
) -> BTreeMap<Uri, Vec<lsp_types::Diagnostic>> {
    let mut out: BTreeMap<Uri, Vec<lsp_types::Diagnostic>> = analysis
        .uris
        .values()
        .map(|u| (u.clone(), Vec::new()))
        .collect();
    // One line index per file, shared by every diagnostic and label in it: a renamed `let`
    // leaves thousands of errors in one file.
    let mut indexes = Indexes {
        analysis,
        lines: BTreeMap::new(),
    };
    for d in diags {
        let (target, range) = match indexes.range(d.span) {
            Some((u, range)) => (u.clone(), range),
            // In a bundled module (no file the editor can show) or in no file at all.
            None => (
                fallback.clone(),
                Range::new(Position::new(0, 0), Position::new(0, 0)),
            ),
        };
        let converted = convert(d, range, &mut indexes);
        out.entry(target).or_default().push(converted);
    }
    out
}

/// The editor's file and line index of each file diagnostics are in, built on first use.
struct Indexes<'a> {
    analysis: &'a Analysis,
    lines: BTreeMap<infra_lang::FileId, LineIndex<'a>>,
}

impl<'a> Indexes<'a> {
    /// The URI and range of a span, when it is in a file the editor can open.
    fn range(&mut self, span: Span) -> Option<(&'a Uri, Range)> {
        let analysis = self.analysis;
        let uri = analysis.uris.get(&span.file)?;
        let file = analysis.project.sources.try_get(span.file)?;
        let idx = self
            .lines
            .entry(span.file)
            .or_insert_with(|| LineIndex::new(&file.text));
        Some((uri, idx.range(span.start as usize, span.end as usize)))
    }
}

fn convert(d: &Diagnostic, range: Range, indexes: &mut Indexes<'_>) -> lsp_types::Diagnostic {
    let mut message = d.message.clone();
    if let Some(label) = &d.label {
        message.push_str(&format!(" ({label})"));
    }
    if let Some(help) = &d.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .filter_map(|l| {
            let (uri, range) = indexes.range(l.span)?;
            Some(DiagnosticRelatedInformation {
                location: Location::new(uri.clone(), range),
                message: l.message.clone(),
            })
        })
        .collect();
    lsp_types::Diagnostic {
        range,
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.to_string())),
        source: Some("infra".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..Default::default()
    }
}
