//! The checker's diagnostics as LSP diagnostics, grouped by the file they are in. A file of
//! the project without any still gets an (empty) entry, so that the editor clears what it
//! showed before.

use super::analysis::Analysis;
use super::position::LineIndex;
use infra_lang::diag::{Diagnostic, Severity};
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
    let sources = &analysis.project.sources;
    let mut indexes: BTreeMap<infra_lang::FileId, LineIndex<'_>> = BTreeMap::new();
    for d in diags {
        let (target, range) = match (
            analysis.uris.get(&d.span.file),
            sources.try_get(d.span.file),
        ) {
            (Some(u), Some(file)) => {
                let idx = indexes
                    .entry(d.span.file)
                    .or_insert_with(|| LineIndex::new(&file.text));
                (
                    u.clone(),
                    idx.range(d.span.start as usize, d.span.end as usize),
                )
            }
            // In a bundled module (no file the editor can show) or in no file at all.
            _ => (
                fallback.clone(),
                Range::new(Position::new(0, 0), Position::new(0, 0)),
            ),
        };
        out.entry(target)
            .or_default()
            .push(convert(d, range, analysis));
    }
    out
}

fn convert(d: &Diagnostic, range: Range, analysis: &Analysis) -> lsp_types::Diagnostic {
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
            let uri = analysis.uris.get(&l.span.file)?;
            let file = analysis.project.sources.try_get(l.span.file)?;
            let idx = LineIndex::new(&file.text);
            Some(DiagnosticRelatedInformation {
                location: Location::new(
                    uri.clone(),
                    idx.range(l.span.start as usize, l.span.end as usize),
                ),
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
