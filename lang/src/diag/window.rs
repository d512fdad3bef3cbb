//! The excerpt of a file a rendered diagnostic shows. miette's graphical handler scans its
//! source from the start for every label and panics on columns past 65,535, so each report
//! gets only the lines around its labels, each long line cut to a window around the spans
//! (marked with `…`). Line and column numbers are those of the whole file.

use crate::span::SourceFile;
use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};
use std::ops::Range;

/// Longest line shown whole; longer lines are cut around the labels on them.
pub const MAX_LINE: usize = 240;
/// Characters of a cut line kept before the first label and after the last.
const MARGIN: usize = 60;
/// Widest stretch between labels kept on one cut line.
const MAX_KEPT: usize = 160;
const MARK: &str = "…";

#[derive(Debug)]
struct Piece {
    /// The kept part of the original line (bytes of the file).
    kept: Range<usize>,
    /// Where the kept part starts in `Window::text` (after any leading mark).
    at: usize,
    /// Characters of the original line before `kept`.
    col: usize,
}

/// A contiguous run of lines of one file, possibly cut; a miette [`SourceCode`].
#[derive(Debug)]
pub struct Window {
    name: String,
    text: String,
    /// 0-based line of the file the window starts at.
    first_line: usize,
    pieces: Vec<Piece>,
}

impl Window {
    /// The lines `lines` of `file` (0-based, inclusive), each long one cut around the
    /// `spans` that touch it.
    pub fn new(file: &SourceFile, lines: Range<usize>, spans: &[Range<usize>]) -> Window {
        let mut text = String::new();
        let mut pieces = Vec::new();
        for line in lines.clone() {
            let Some(range) = file.line_range(line) else {
                break;
            };
            let kept = keep(file, &range, spans);
            if line > lines.start {
                text.push('\n');
            }
            if kept.start > range.start {
                text.push_str(MARK);
            }
            let at = text.len();
            text.push_str(file.text.get(kept.clone()).unwrap_or(""));
            if kept.end < range.end {
                text.push_str(MARK);
            }
            let col = file
                .text
                .get(range.start..kept.start)
                .map_or(0, |s| s.chars().count());
            pieces.push(Piece { kept, at, col });
        }
        Window {
            name: file.path.display().to_string(),
            text,
            first_line: lines.start,
            pieces,
        }
    }

    /// Where a byte offset of the file falls in the window (clamped to it).
    pub fn map(&self, offset: usize) -> usize {
        let i = self.pieces.partition_point(|p| p.kept.start <= offset);
        let Some(p) = i.checked_sub(1).and_then(|i| self.pieces.get(i)) else {
            return 0;
        };
        let within = offset.clamp(p.kept.start, p.kept.end) - p.kept.start;
        if offset > p.kept.end && i == self.pieces.len() {
            return self.text.len();
        }
        p.at + within
    }

    pub fn span(&self, r: Range<usize>) -> SourceSpan {
        let start = self.map(r.start);
        let end = self.map(r.end).max(start);
        SourceSpan::new(start.into(), end - start)
    }

    /// Column (0-based, in characters of the file) of a window offset.
    fn column(&self, offset: usize) -> usize {
        let i = self.pieces.partition_point(|p| p.at <= offset);
        let Some(p) = i.checked_sub(1).and_then(|i| self.pieces.get(i)) else {
            return 0;
        };
        let end = offset.min(p.at + p.kept.len());
        p.col + self.text.get(p.at..end).map_or(0, |s| s.chars().count())
    }
}

/// The part of a line to show: all of it when short, else a window around the spans on it.
fn keep(file: &SourceFile, line: &Range<usize>, spans: &[Range<usize>]) -> Range<usize> {
    if line.len() <= MAX_LINE {
        return line.clone();
    }
    let mut marks = spans
        .iter()
        .flat_map(|s| [s.start, s.end])
        .filter(|o| line.contains(o) || *o == line.end);
    let (lo, hi) = match marks.next() {
        Some(first) => marks.fold((first, first), |(lo, hi), o| (lo.min(o), hi.max(o))),
        // A line only crossed by a span: its start.
        None => (line.start, line.start),
    };
    let hi = hi.min(lo + MAX_KEPT);
    let start = floor_char(&file.text, lo.saturating_sub(MARGIN).max(line.start));
    let end = ceil_char(&file.text, (hi + MARGIN).min(line.end));
    start..end.max(start)
}

fn floor_char(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char(text: &str, mut i: usize) -> usize {
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

impl SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.text.read_span(span, before, after)?;
        let start = inner.span().offset();
        let column = if inner.column() == 0 {
            0
        } else {
            self.column(start)
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            column,
            inner.line_count(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_is_cut_around_the_span_and_keeps_file_positions() {
        let line = format!("let x = {}}}", " ".repeat(70_000));
        let file = SourceFile::new("main.infra", format!("let a = 1\n{line}\nlet b = 2\n"));
        let at = 10 + line.len() - 1;
        let span_of_brace = Range {
            start: at,
            end: at + 1,
        };
        let w = Window::new(&file, 0..3, std::slice::from_ref(&span_of_brace));
        assert!(w.text.len() < 3 * MAX_LINE, "{}", w.text.len());
        let span = w.span(at..at + 1);
        assert_eq!(&w.text[span.offset()..span.offset() + 1], "}");
        let c = w.read_span(&span, 0, 0).unwrap();
        assert_eq!((c.line(), c.column()), (1, 70_008));
        assert_eq!(file.line_col(at), (2, 70_009));
    }

    #[test]
    fn offsets_outside_the_window_clamp_to_its_ends() {
        let file = SourceFile::new("m.infra", "a\nb\nc\nd\n");
        let w = Window::new(&file, 1..3, &[]);
        assert_eq!(w.text, "b\nc");
        assert_eq!(w.map(0), 0);
        assert_eq!(w.map(4), 2);
        assert_eq!(w.map(7), 3);
    }
}
