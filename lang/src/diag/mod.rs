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

/// A diagnostic's texts are shared, not copied: a renamed `let` leaves thousands of errors
/// with the same words, kept with each declaration's check and moved with it.
pub type Text = std::sync::Arc<str>;

#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub span: Span,
    pub message: Text,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable code: `E0xxx` for errors, `W0xxx` for warnings. Listed in [`codes::ALL`].
    pub code: &'static str,
    pub message: Text,
    pub span: Span,
    /// Text shown under the primary span.
    pub label: Option<Text>,
    /// Further spans, e.g. each step of a dependency cycle.
    pub labels: Vec<Label>,
    pub help: Option<Text>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<Text>, span: Span) -> Diagnostic {
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
    pub fn warning(code: &'static str, message: impl Into<Text>, span: Span) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message, span)
        }
    }
    pub fn with_label(mut self, text: impl Into<Text>) -> Diagnostic {
        self.label = Some(text.into());
        self
    }
    pub fn with_secondary(mut self, span: Span, text: impl Into<Text>) -> Diagnostic {
        self.labels.push(Label {
            span,
            message: text.into(),
        });
        self
    }
    pub fn with_help(mut self, text: impl Into<Text>) -> Diagnostic {
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
    let target: Vec<char> = name.chars().collect();
    let limit = (target.len() / 3).max(2);
    // One set of buffers for every candidate: a module can declare thousands of names.
    let mut scratch = Scratch::default();
    candidates
        .into_iter()
        .filter_map(|c| Some((scratch.distance_within(&target, c, limit)?, c)))
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

#[derive(Default)]
struct Scratch {
    chars: Vec<char>,
    prev: Vec<usize>,
    cur: Vec<usize>,
}

impl Scratch {
    /// The edit distance from `a` to `b` when it is at most `limit`.
    fn distance_within(&mut self, a: &[char], b: &str, limit: usize) -> Option<usize> {
        self.chars.clear();
        self.chars.extend(b.chars());
        let b = &self.chars;
        if a.len().abs_diff(b.len()) > limit {
            return None;
        }
        self.prev.clear();
        self.prev.extend(0..=b.len());
        self.cur.clear();
        self.cur.resize(b.len() + 1, 0);
        for (i, ca) in a.iter().enumerate() {
            self.cur[0] = i + 1;
            let mut row_min = self.cur[0];
            for (j, cb) in b.iter().enumerate() {
                let cost = usize::from(ca != cb);
                let d = (self.prev[j + 1] + 1)
                    .min(self.cur[j] + 1)
                    .min(self.prev[j] + cost);
                self.cur[j + 1] = d;
                row_min = row_min.min(d);
            }
            // Every later row is at least this row's minimum.
            if row_min > limit {
                return None;
            }
            std::mem::swap(&mut self.prev, &mut self.cur);
        }
        let d = self.prev[b.len()];
        (d <= limit).then_some(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The textbook distance, for comparison.
    fn edit_distance(a: &str, b: &str) -> usize {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.iter().enumerate() {
            let mut cur = vec![i + 1; b.len() + 1];
            for (j, cb) in b.iter().enumerate() {
                cur[j + 1] = (prev[j + 1] + 1)
                    .min(cur[j] + 1)
                    .min(prev[j] + usize::from(ca != cb));
            }
            prev = cur;
        }
        prev[b.len()]
    }

    proptest::proptest! {
        #[test]
        fn the_bounded_distance_is_the_distance_when_within_the_limit(
            a in "[ab\u{e9}]{0,8}",
            b in "[ab\u{e9}]{0,8}",
            limit in 0usize..5,
        ) {
            let target: Vec<char> = a.chars().collect();
            let d = edit_distance(&a, &b);
            let got = Scratch::default().distance_within(&target, &b, limit);
            proptest::prop_assert_eq!(got, (d <= limit).then_some(d));
        }
    }

    #[test]
    fn suggests_the_nearest_name() {
        let c = ["min_replicas", "max_replicas", "image"];
        assert_eq!(did_you_mean("max_replica", c), Some("max_replicas"));
        assert_eq!(did_you_mean("imgae", c), Some("image"));
        assert_eq!(did_you_mean("completely_else", c), None);
    }
}
