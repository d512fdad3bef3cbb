//! The checker's diagnostics as LSP diagnostics, grouped by the file they are in. A file of
//! the project without any still gets an (empty) entry, so that the editor clears what it
//! showed before.

use super::analysis::Analysis;
use super::position::LineIndex;
use infra_lang::diag::{Diagnostic, Severity};
use infra_lang::span::Span;
use lsp_types::{DiagnosticRelatedInformation, DiagnosticSeverity, Location, Position, Range, Uri};
use serde::{Serialize, Serializer};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// An LSP `Diagnostic` (the fields infra sends, serialized as lsp-types does), whose text is
/// shared with every other one of the same text: a renamed `let` leaves thousands of
/// identical errors, and building each message apart cost as much as finding them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EditorDiagnostic {
    pub range: Range,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<DiagnosticSeverity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'static str>,
    pub source: &'static str,
    #[serde(serialize_with = "shared_str")]
    pub message: Arc<str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related_information: Option<Vec<DiagnosticRelatedInformation>>,
}

impl EditorDiagnostic {
    /// An error at the start of a file, for what is wrong with the project as a whole.
    pub fn at_start(message: String) -> EditorDiagnostic {
        EditorDiagnostic {
            range: Range::default(),
            severity: None,
            code: None,
            source: "infra",
            message: message.into(),
            related_information: None,
        }
    }
}

fn shared_str<S: Serializer>(s: &Arc<str>, out: S) -> Result<S::Ok, S::Error> {
    out.serialize_str(s)
}

/// Diagnostics per file of the project. One in no file (`Span::NOWHERE`) goes to the start of
/// `fallback`, the document being edited.
pub fn by_file(
    diags: &[Diagnostic],
    analysis: &Analysis,
    fallback: &Uri,
) -> BTreeMap<Uri, Vec<EditorDiagnostic>> {
    let mut out: BTreeMap<Uri, Vec<EditorDiagnostic>> = analysis
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
    let mut texts = Texts::default();
    for d in diags {
        let (target, range) = match indexes.range(d.span) {
            Some((u, range)) => (u.clone(), range),
            // In a bundled module (no file the editor can show) or in no file at all.
            None => (
                fallback.clone(),
                Range::new(Position::new(0, 0), Position::new(0, 0)),
            ),
        };
        let converted = convert(d, range, &mut indexes, &mut texts);
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

/// Message, label and help of a diagnostic: what its editor text is made of.
type TextKey<'d> = (&'d str, Option<&'d str>, Option<&'d str>);

/// The editor texts made so far, and the last one (the checker's diagnostics come sorted, so
/// the thousands of errors of a renamed `let` follow each other: no hashing for those).
#[derive(Default)]
struct Texts<'d> {
    made: HashMap<TextKey<'d>, Arc<str>>,
    last: Option<(TextKey<'d>, Arc<str>)>,
}

impl<'d> Texts<'d> {
    fn get(&mut self, d: &'d Diagnostic) -> Arc<str> {
        let key = (&*d.message, d.label.as_deref(), d.help.as_deref());
        if let Some((k, text)) = &self.last
            && *k == key
        {
            return Arc::clone(text);
        }
        let text = Arc::clone(self.made.entry(key).or_insert_with(|| {
            // Alone, the message is the diagnostic's own text, shared.
            if d.label.is_none() && d.help.is_none() {
                return Arc::clone(&d.message);
            }
            let mut message = d.message.to_string();
            if let Some(label) = &d.label {
                message.push_str(&format!(" ({label})"));
            }
            if let Some(help) = &d.help {
                message.push_str(&format!("\nhelp: {help}"));
            }
            message.into()
        }));
        self.last = Some((key, Arc::clone(&text)));
        text
    }
}

fn convert<'d>(
    d: &'d Diagnostic,
    range: Range,
    indexes: &mut Indexes<'_>,
    texts: &mut Texts<'d>,
) -> EditorDiagnostic {
    let message = texts.get(d);
    let related: Vec<DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .filter_map(|l| {
            let (uri, range) = indexes.range(l.span)?;
            Some(DiagnosticRelatedInformation {
                location: Location::new(uri.clone(), range),
                message: l.message.to_string(),
            })
        })
        .collect();
    EditorDiagnostic {
        range,
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(d.code),
        source: "infra",
        message,
        related_information: (!related.is_empty()).then_some(related),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_editor_diagnostic_serializes_as_the_lsp_type_does() {
        let range = Range::new(Position::new(3, 4), Position::new(3, 9));
        let mine = EditorDiagnostic {
            range,
            severity: Some(DiagnosticSeverity::ERROR),
            code: Some("E0200"),
            source: "infra",
            message: Arc::from("unknown reference `p`\nhelp: did you mean `q`?"),
            related_information: Some(vec![DiagnosticRelatedInformation {
                location: Location::new("file:///a.infra".parse().unwrap(), range),
                message: "here".into(),
            }]),
        };
        let theirs = lsp_types::Diagnostic {
            range,
            severity: Some(DiagnosticSeverity::ERROR),
            code: Some(lsp_types::NumberOrString::String("E0200".into())),
            source: Some("infra".into()),
            message: "unknown reference `p`\nhelp: did you mean `q`?".into(),
            related_information: mine.related_information.clone(),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_string(&mine).unwrap(),
            serde_json::to_string(&theirs).unwrap()
        );
        let bare = EditorDiagnostic::at_start("cannot load".into());
        let theirs = lsp_types::Diagnostic {
            message: "cannot load".into(),
            source: Some("infra".into()),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_string(&bare).unwrap(),
            serde_json::to_string(&theirs).unwrap()
        );
    }
}
