//! The statement-by-statement driver around the pest grammar. Each statement is parsed on
//! its own so that one bad statement costs only itself: the driver reports the error, skips
//! to the next line that starts a statement, and goes on. Trivia between statements
//! (blank lines, comments) is skipped here, not by pest, so comments are collected even in
//! regions the grammar never sees.

use super::ast;
use super::build::Builder;
use super::grammar::{InfraParser, Rule};
use super::{depth, lexer, recover};
use crate::diag::{self, Diagnostic};
use crate::span::{FileId, Span};
use pest::Parser;

/// Deepest expression or type tree the parser builds. Deeper input is reported (E0100)
/// instead of risking a stack overflow in the parser or in any pass that walks the tree.
pub const MAX_DEPTH: usize = 200;

/// Parses one file. Always returns a tree: every statement that parsed, even when others
/// did not; `Vec<Diagnostic>` holds every syntax error found, sorted by position.
pub fn parse(file: FileId, text: &str) -> (ast::File, Vec<Diagnostic>) {
    let mut out = Parts::default();
    let mut pos = 0;
    while let Some(next) = step(file, text, pos, &mut out) {
        pos = next;
    }
    out.finish()
}

/// What the statements parsed so far produced, in the order they produced it.
#[derive(Debug, Default)]
pub(crate) struct Parts {
    pub items: Vec<ast::Item>,
    pub comments: Vec<ast::Comment>,
    pub diags: Vec<Diagnostic>,
}

impl Parts {
    pub(crate) fn finish(mut self) -> (ast::File, Vec<Diagnostic>) {
        finish_sorting(&mut self.comments, &mut self.diags);
        // The tree lives as long as the project: no growth slack (up to half of `items`).
        self.items.shrink_to_fit();
        let file = ast::File {
            items: self.items,
            comments: self.comments,
        };
        (file, self.diags)
    }
}

/// The order [`parse`] returns comments and diagnostics in.
pub(crate) fn finish_sorting(comments: &mut Vec<ast::Comment>, diags: &mut [Diagnostic]) {
    comments.sort_by_key(|c: &ast::Comment| c.span.start);
    comments.dedup_by_key(|c| c.span.start);
    diag::sort(diags);
}

/// One step of [`parse`]: the trivia from `pos`, then one statement (or the recovery after
/// it). Returns where the next step starts, `None` at the end of the text. A step reads the
/// text from `pos` on only, which is what lets `incremental` re-run a few steps.
pub(crate) fn step(file: FileId, text: &str, pos: usize, out: &mut Parts) -> Option<usize> {
    let Parts {
        items,
        comments,
        diags,
    } = out;
    let pos = recover::skip_trivia(file, text, pos, comments, diags);
    let rest = text.get(pos..)?;
    if rest.is_empty() {
        return None;
    }
    match depth::guarded(rest, || statement(file, pos, rest)) {
        Ok(Ok(None)) => None,
        Ok(Ok(Some(st))) => {
            let end = st.end;
            let scanned = match text.get(pos..end) {
                Some(s) if no_comments(s) => Vec::new(),
                _ => lexer::scan(text, pos, end).comments,
            };
            for (start, end, closed) in scanned {
                let span = span_at(file, text, start, end);
                if !closed {
                    diags.push(diag::syntax::unclosed_comment(Span {
                        end: span.start + 2,
                        ..span
                    }));
                }
                comments.push(ast::Comment {
                    text: text.get(start..end).unwrap_or("").to_string(),
                    span,
                });
            }
            let mut built = st.diags;
            diags.append(&mut built);
            if let Some(item) = st.item {
                items.push(item);
            }
            match recover::line_end(text, end) {
                Ok(next) => Some(next.max(pos + 1)),
                Err(junk) => {
                    if !st.block_unclosed {
                        let (span, found) = recover::found_at(file, text, junk);
                        diags.push(diag::syntax::newline_expected(span, &found));
                    }
                    Some(recover::next_statement(text, junk))
                }
            }
        }
        Err(at) => {
            let at = pos + at;
            let span = span_at(file, text, at, at + 1);
            diags.push(diag::syntax::too_deep(span, Some(MAX_DEPTH)));
            Some(recover::next_statement(text, pos))
        }
        Ok(Err(err)) => {
            diags.push(recover::describe(&err, file, text, pos));
            Some(recover::next_statement(text, pos))
        }
    }
}

/// One statement, parsed and built: everything that recurses, so that [`depth::guarded`]
/// can run it on a thread with a larger stack.
struct Statement {
    /// End of the statement in the file.
    end: usize,
    item: Option<ast::Item>,
    block_unclosed: bool,
    diags: Vec<Diagnostic>,
}

fn statement(
    file: FileId,
    pos: usize,
    rest: &str,
) -> Result<Option<Statement>, pest::error::Error<Rule>> {
    let mut pairs = InfraParser::parse(Rule::statement, rest)?;
    let Some(pair) = pairs.next() else {
        return Ok(None);
    };
    let end = pos + pair.as_span().end();
    let mut b = Builder::new(file, pos);
    b.no_comments = no_comments(pair.as_str());
    let item = b.statement(pair).ok();
    Ok(Some(Statement {
        end,
        item,
        block_unclosed: b.block_unclosed,
        diags: b.diags,
    }))
}

/// Whether `text` cannot hold a comment (they all start with `#` or `/`).
fn no_comments(text: &str) -> bool {
    !text.bytes().any(|b| b == b'#' || b == b'/')
}

/// Span helper shared by the builder and recovery: clamps to the text length so a span
/// never points past the end even when computed from a marker at EOF.
pub(crate) fn span_at(file: FileId, text: &str, start: usize, end: usize) -> Span {
    let start = start.min(text.len());
    Span::new(file, start, end.clamp(start, text.len()))
}
