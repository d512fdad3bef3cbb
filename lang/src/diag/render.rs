//! Rendering diagnostics: as miette reports for people, and as the JSON documented in
//! CLI.md for tools (1-based lines and columns).

use super::{Diagnostic, Severity};
use crate::span::SourceMap;
use miette::{LabeledSpan, NamedSource, SourceSpan};
use std::fmt;

/// A diagnostic joined with its source text, ready for a miette handler.
#[derive(Debug)]
pub struct Report {
    code: &'static str,
    message: String,
    severity: Severity,
    help: Option<String>,
    labels: Vec<LabeledSpan>,
    source: NamedSource<String>,
}

impl Report {
    /// Secondary labels in other files than the primary one are folded into the help text:
    /// miette shows one source per report.
    pub fn new(diag: &Diagnostic, sources: &SourceMap) -> Report {
        let file = sources.get(diag.span.file);
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            diag.label.clone(),
            to_source_span(diag.span.range()),
        )];
        let mut help = diag.help.clone();
        for l in &diag.labels {
            if l.span.file == diag.span.file {
                labels.push(LabeledSpan::new_with_span(
                    Some(l.message.clone()),
                    to_source_span(l.span.range()),
                ));
            } else {
                let other = sources.get(l.span.file);
                let (line, col) = other.line_col(l.span.start as usize);
                let note = format!("{} ({}:{line}:{col})", l.message, other.path.display());
                help = Some(match help {
                    Some(h) => format!("{h}\n{note}"),
                    None => note,
                });
            }
        }
        Report {
            code: diag.code,
            message: diag.message.clone(),
            severity: diag.severity,
            help,
            labels,
            source: NamedSource::new(file.path.display().to_string(), file.text.clone()),
        }
    }
}

fn to_source_span(r: std::ops::Range<usize>) -> SourceSpan {
    SourceSpan::new(r.start.into(), r.end.saturating_sub(r.start))
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
        Some(&self.source)
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
            let file = sources.get(d.span.file);
            let (line, column) = file.line_col(d.span.start as usize);
            let (end_line, end_column) = file.line_col(d.span.end as usize);
            serde_json::json!({
                "severity": match d.severity { Severity::Error => "error", Severity::Warning => "warning" },
                "code": d.code,
                "message": d.message,
                "file": file.path.display().to_string(),
                "line": line,
                "column": column,
                "end_line": end_line,
                "end_column": end_column,
                "help": d.help,
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
        let file = sources.get(d.span.file);
        let (l1, c1) = file.line_col(d.span.start as usize);
        let (l2, c2) = file.line_col(d.span.end as usize);
        let name = file
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push_str(&format!(
            "{name}:{l1}:{c1}-{l2}:{c2} {} {}\n",
            d.code, d.message
        ));
        for l in &d.labels {
            let f = sources.get(l.span.file);
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
}
