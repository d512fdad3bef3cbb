//! Rendering diagnostics: as miette reports for people, and as the JSON documented in
//! CLI.md for tools (1-based lines and columns).

use super::window::Window;
use super::{Diagnostic, Severity};
use crate::span::SourceMap;
use miette::LabeledSpan;
use std::fmt;

/// A diagnostic joined with the excerpt of its file it shows, ready for a miette handler.
#[derive(Debug)]
pub struct Report {
    code: &'static str,
    message: String,
    severity: Severity,
    help: Option<String>,
    labels: Vec<LabeledSpan>,
    /// `None` for a diagnostic that is in no file (`Span::NOWHERE`).
    source: Option<Window>,
}

/// Secondary labels further than this many lines from the primary span become notes in the
/// help text: the excerpt stays small whatever the file.
const NEAR_LINES: usize = 8;

impl Report {
    /// Secondary labels in other files than the primary one (or far from it) are folded into
    /// the help text: miette shows one excerpt per report. Building a report costs the size
    /// of its excerpt, not of the file.
    pub fn new(diag: &Diagnostic, sources: &SourceMap) -> Report {
        let file = sources.try_get(diag.span.file);
        let mut help = diag.help.as_deref().map(str::to_string);
        let mut spans = Vec::new();
        let mut messages = Vec::new();
        if let Some(f) = file {
            let first = f.line_index(diag.span.start as usize);
            let last = f.line_index(diag.span.end as usize);
            spans.push(diag.span.range());
            messages.push(diag.label.as_deref().map(str::to_string));
            let (mut lo, mut hi) = (first, last);
            for l in &diag.labels {
                let Some(other) = sources.try_get(l.span.file) else {
                    continue;
                };
                let line = other.line_index(l.span.start as usize);
                let end = other.line_index(l.span.end as usize);
                if l.span.file == diag.span.file
                    && line + NEAR_LINES >= first
                    && end <= last + NEAR_LINES
                {
                    lo = lo.min(line);
                    hi = hi.max(end);
                    spans.push(l.span.range());
                    messages.push(Some(l.message.to_string()));
                } else {
                    help = Some(add_note(help, l, other));
                }
            }
            let window = Window::new(f, lo.saturating_sub(1)..hi + 2, &spans);
            let labels = spans
                .iter()
                .zip(messages)
                .enumerate()
                .map(|(i, (r, m))| {
                    let span = window.span(r.clone());
                    if i == 0 {
                        LabeledSpan::new_primary_with_span(m, span)
                    } else {
                        LabeledSpan::new_with_span(m, span)
                    }
                })
                .collect();
            return Report {
                code: diag.code,
                message: diag.message.to_string(),
                severity: diag.severity,
                help,
                labels,
                source: Some(window),
            };
        }
        for l in &diag.labels {
            if let Some(other) = sources.try_get(l.span.file) {
                help = Some(add_note(help, l, other));
            }
        }
        Report {
            code: diag.code,
            message: diag.message.to_string(),
            severity: diag.severity,
            help,
            labels: Vec::new(),
            source: None,
        }
    }
}

fn add_note(help: Option<String>, l: &super::Label, file: &crate::span::SourceFile) -> String {
    let (line, col) = file.line_col(l.span.start as usize);
    let note = format!("{} ({}:{line}:{col})", l.message, file.path.display());
    match help {
        Some(h) => format!("{h}\n{note}"),
        None => note,
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

/// The JSON form of diagnostics: `{"diagnostics":[{severity, code, message, file, line, column,
/// end_line, end_column, help}]}` with 1-based positions. Key order is stable.
pub fn to_json(diags: &[Diagnostic], sources: &SourceMap) -> serde_json::Value {
    let list: Vec<serde_json::Value> = diags
        .iter()
        .map(|d| {
            let severity = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let Some(file) = sources.try_get(d.span.file) else {
                // In no file (the command line): null location, same keys.
                return serde_json::json!({
                    "severity": severity,
                    "code": d.code,
                    "message": &*d.message,
                    "file": null,
                    "line": null,
                    "column": null,
                    "end_line": null,
                    "end_column": null,
                    "help": d.help.as_deref(),
                });
            };
            let (line, column) = file.line_col(d.span.start as usize);
            let (end_line, end_column) = file.line_col(d.span.end as usize);
            serde_json::json!({
                "severity": severity,
                "code": d.code,
                "message": &*d.message,
                "file": file.path.display().to_string(),
                "line": line,
                "column": column,
                "end_line": end_line,
                "end_column": end_column,
                "help": d.help.as_deref(),
            })
        })
        .collect();
    serde_json::json!({ "diagnostics": list })
}

/// A compact one-line-per-diagnostic form used by golden files:
/// `LINE:COL-LINE:COL CODE message` followed by indented help/labels.
pub fn to_golden(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let mut out = String::new();
    for d in diags {
        let location = match sources.try_get(d.span.file) {
            Some(file) => {
                let (l1, c1) = file.line_col(d.span.start as usize);
                let (l2, c2) = file.line_col(d.span.end as usize);
                let name = file
                    .path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                format!("{name}:{l1}:{c1}-{l2}:{c2}")
            }
            None => "<command line>".to_string(),
        };
        out.push_str(&format!("{location} {} {}\n", d.code, d.message));
        for l in &d.labels {
            let Some(f) = sources.try_get(l.span.file) else {
                continue;
            };
            let (l1, c1) = f.line_col(l.span.start as usize);
            out.push_str(&format!("  label {l1}:{c1}: {}\n", l.message));
        }
        if let Some(h) = &d.help {
            for line in h.lines() {
                out.push_str(&format!("  help: {line}\n"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::codes;
    use crate::span::Span;

    #[test]
    fn json_positions_are_one_based() {
        let mut sources = SourceMap::new();
        let f = sources.add("main.infra", "let a = 1\nlet b = zz\n");
        let d = Diagnostic::error(
            codes::UNKNOWN_NAME,
            "unknown reference `zz`",
            Span::new(f, 18, 20),
        )
        .with_help("declare it");
        let j = to_json(&[d], &sources);
        let d0 = &j["diagnostics"][0];
        assert_eq!(d0["line"], 2);
        assert_eq!(d0["column"], 9);
        assert_eq!(d0["end_column"], 11);
        assert_eq!(d0["code"], "E0200");
        assert_eq!(d0["file"], "main.infra");
        assert_eq!(d0["help"], "declare it");
    }

    #[test]
    fn a_diagnostic_in_no_file_has_no_location() {
        let mut sources = SourceMap::new();
        sources.add("main.infra", "let a = 1\n");
        let d = Diagnostic::error(
            codes::UNKNOWN_ENVIRONMENT,
            "unknown environment `x`",
            Span::NOWHERE,
        )
        .with_help("known environments: local");
        let j = to_json(std::slice::from_ref(&d), &sources);
        assert_eq!(j["diagnostics"][0]["file"], serde_json::Value::Null);
        assert_eq!(j["diagnostics"][0]["line"], serde_json::Value::Null);
        assert_eq!(j["diagnostics"][0]["code"], "E0205");
        let golden = to_golden(std::slice::from_ref(&d), &sources);
        assert!(golden.starts_with("<command line> E0205"), "{golden}");
        let report = Report::new(&d, &sources);
        assert!(miette::Diagnostic::source_code(&report).is_none());
        assert_eq!(
            miette::Diagnostic::labels(&report).map(|l| l.count()),
            Some(0)
        );
    }
}
