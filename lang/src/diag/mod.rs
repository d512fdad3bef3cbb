//! Diagnostics: one type for every error and warning the language reports, each with a stable
//! code (documented in `codes.rs`), a primary span, optional secondary labels and help text.
//! Constructors live in one file per family (syntax, names, types, graph, secrets, functions,
//! evaluation); rendering (miette, JSON) lives in `render.rs`, the excerpt shown in `window.rs`.

pub mod codes;
pub mod environment;
pub mod eval;
pub mod functions;
pub mod graph;
pub mod imports;
pub mod inputs;
pub mod names;
pub mod render;
pub mod secrets;
pub mod syntax;
pub mod typed;
pub mod types;
pub mod user_functions;
pub mod window;

use crate::span::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable code: `E0xxx` for errors, `W0xxx` for warnings. Listed in [`codes::ALL`].
    pub code: &'static str,
    pub message: String,
    pub span: Span,
    /// Text shown under the primary span.
    pub label: Option<String>,
    /// Further spans, e.g. each step of a dependency cycle.
    pub labels: Vec<Label>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            span,
            label: None,
            labels: Vec::new(),
            help: None,
        }
    }
    pub fn warning(code: &'static str, message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message, span)
        }
    }
    pub fn with_label(mut self, text: impl Into<String>) -> Diagnostic {
        self.label = Some(text.into());
        self
    }
    pub fn with_secondary(mut self, span: Span, text: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            message: text.into(),
        });
        self
    }
    pub fn with_help(mut self, text: impl Into<String>) -> Diagnostic {
        self.help = Some(text.into());
        self
    }
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sorts diagnostics by file and position so that output is deterministic.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by_key(|d| (d.span.file, d.span.start, d.span.end, d.code));
}

/// Closest candidate by edit distance, for "did you mean ...?" help.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_nearest_name() {
        let c = ["min_replicas", "max_replicas", "image"];
        assert_eq!(did_you_mean("max_replica", c), Some("max_replicas"));
        assert_eq!(did_you_mean("imgae", c), Some("image"));
        assert_eq!(did_you_mean("completely_else", c), None);
    }
}
