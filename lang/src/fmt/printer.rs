//! The printer's state and its vertical layout: elements one per line, with the comments and
//! blank lines found between them in the source.

use crate::span::Span;
use crate::syntax::ast::{Comment, File};

pub(super) const INDENT: &str = "  ";

pub(crate) struct Printer<'a> {
    pub src: &'a str,
    comments: &'a [Comment],
    /// Comments already written. Elements may be rendered out of source order (values are
    /// rendered before their line is laid out), so this is a set, not a cursor.
    done: Vec<bool>,
    pub out: String,
}

/// One line-level element of a vertical layout: where it is in the source, and its text
/// (already rendered, possibly on several lines).
pub(super) struct Line {
    pub span: Span,
    pub text: String,
}

impl<'a> Printer<'a> {
    pub fn new(src: &'a str, comments: &'a [Comment]) -> Printer<'a> {
        Printer {
            src,
            comments,
            done: vec![false; comments.len()],
            out: String::new(),
        }
    }

    pub fn finish(mut self) -> String {
        let trimmed = self.out.trim_end().len();
        self.out.truncate(trimmed);
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        self.out
    }

    pub fn file(&mut self, file: &File) {
        let lines: Vec<Line> = file
            .items
            .iter()
            .map(|item| {
                let text = self.render(|p| p.item(item));
                Line {
                    span: item.span(),
                    text,
                }
            })
            .collect();
        let last = self.vertical(&lines, 0, 0, "");
        let _ = self.gap(last, self.src.len() as u32, 0, lines.is_empty());
    }

    /// Renders into a string with a scratch buffer, keeping comment bookkeeping.
    pub fn render(&mut self, f: impl FnOnce(&mut Self)) -> String {
        let saved = std::mem::take(&mut self.out);
        f(self);
        std::mem::replace(&mut self.out, saved)
    }

    pub fn text(&self, span: Span) -> &'a str {
        self.src.get(span.range()).unwrap_or("")
    }

    /// Whether the author wrote `span` over several lines.
    pub fn multiline(&self, span: Span) -> bool {
        self.text(span).contains('\n')
    }

    pub fn has_comments_in(&self, span: Span) -> bool {
        let first = self.comments.partition_point(|c| c.span.start < span.start);
        self.comments
            .get(first)
            .is_some_and(|c| c.span.start < span.end)
    }

    /// Marks the comments inside `span` as written: its text is being copied verbatim.
    pub fn consume_comments_in(&mut self, span: Span) {
        for (i, c) in self.comments.iter().enumerate() {
            if c.span.start >= span.start && c.span.end <= span.end {
                self.done[i] = true;
            }
        }
    }

    /// Column where the next character written to `out` lands, plus `base` for text that
    /// will be placed after a prefix not yet written.
    pub fn column(&self) -> usize {
        let line = self.out.rsplit('\n').next().unwrap_or("");
        line.chars().count()
    }

    /// Lays `lines` out one per line at indentation `ind`, each followed by `sep`, with the
    /// comments and blank lines the source has between them. `open` is where the enclosing
    /// construct's content starts. Returns where the last element ends in the source: the
    /// caller writes what is left before its closing bracket with [`Printer::close`].
    pub fn vertical(&mut self, lines: &[Line], open: u32, ind: usize, sep: &str) -> u32 {
        let mut prev = open;
        for (i, line) in lines.iter().enumerate() {
            // A blank line between a leading comment (a file header, say) and the first
            // element is the author's paragraph break: keep it.
            let wrote_comment = self.gap(prev, line.span.start, ind, i == 0);
            if !self.out.is_empty() && !self.out.ends_with('\n') {
                self.out.push('\n');
            }
            if (i > 0 || wrote_comment)
                && self.blank_before(prev, line.span.start)
                && !self.out.ends_with("\n\n")
            {
                self.out.push('\n');
            }
            self.indent(ind);
            self.out.push_str(&line.text);
            self.out.push_str(sep);
            self.orphans(line.span);
            prev = line.span.end;
        }
        prev
    }

    /// Whether the line right above `to` is blank and lies after `from` (the end of the
    /// previous element). Blank lines above a comment are handled with the comment, in
    /// [`Printer::gap`].
    pub fn blank_before(&self, from: u32, to: u32) -> bool {
        let gap = self.src.get(from as usize..to as usize).unwrap_or("");
        let lines: Vec<&str> = gap.split('\n').collect();
        lines.len() >= 3
            && lines
                .get(lines.len() - 2)
                .is_some_and(|l| l.trim().is_empty())
    }

    /// Writes the comments in `from..to` that are not written yet: a comment on the same
    /// source line as what precedes it goes at the end of the current line, the others
    /// each on their own line at indentation `ind` (after a blank line if the source has
    /// one). `first` suppresses a leading blank line at the start of a construct.
    /// Returns whether it wrote any comment.
    pub fn gap(&mut self, from: u32, to: u32, ind: usize, mut first: bool) -> bool {
        let mut wrote = false;
        let start = self.comments.partition_point(|c| c.span.start < from);
        let mut prev = from;
        let mut i = start;
        while let Some(c) = self.comments.get(i) {
            if c.span.start >= to {
                break;
            }
            if !self.done[i] {
                self.done[i] = true;
                let between = self
                    .src
                    .get(prev as usize..c.span.start as usize)
                    .unwrap_or("\n");
                let at_line_content = !self.out.is_empty() && !self.out.ends_with('\n');
                if !between.contains('\n') && at_line_content {
                    self.out.push(' ');
                    self.out.push_str(&c.text);
                } else {
                    if at_line_content {
                        self.out.push('\n');
                    }
                    let blank = between.matches('\n').count() >= 2;
                    if blank && !first && !self.out.is_empty() && !self.out.ends_with("\n\n") {
                        self.out.push('\n');
                    }
                    self.indent(ind);
                    self.out.push_str(&c.text);
                }
                prev = c.span.end;
                first = false;
                wrote = true;
            }
            i += 1;
        }
        wrote
    }

    /// Comments inside `span` not written by a nested layout (e.g. inside an expression
    /// printed on one line): appended to the current line.
    pub fn orphans(&mut self, span: Span) {
        let start = self.comments.partition_point(|c| c.span.start < span.start);
        let mut i = start;
        while let Some(c) = self.comments.get(i) {
            if c.span.start >= span.end {
                break;
            }
            if !self.done[i] {
                self.done[i] = true;
                self.out.push(' ');
                self.out.push_str(&c.text);
            }
            i += 1;
        }
    }

    /// Before a closing bracket: the comments left between the last element and `close`,
    /// then a new line at the bracket's indentation.
    pub fn close(&mut self, last_end: u32, close: u32, ind: usize, empty: bool) {
        let _ = self.gap(last_end, close, ind + 1, empty);
        self.out.push('\n');
        self.indent(ind);
    }

    pub fn indent(&mut self, ind: usize) {
        for _ in 0..ind {
            self.out.push_str(INDENT);
        }
    }
}
