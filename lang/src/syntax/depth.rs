//! The nesting bound enforced before pest recurses. pest is built without its `std` feature
//! (see the workspace Cargo.toml): that drops its native stack probe on every rule call,
//! about a fifth of `infra validate`, and with it the only thing that stopped a deeply
//! nested statement from overflowing the stack inside pest. So each statement is scanned
//! first, with a byte loop that knows the grammar's lexical structure (strings,
//! interpolation, heredocs, comments), for how deep pest could recurse in it:
//!
//! - every way the grammar recurses passes an opening token: `[`, `(`, `{`, `${`, the `?`
//!   of a `? :` (its then-branch), the `<` of a generic type; the scan counts those still
//!   open, which bounds pest's recursion from above (a `<` that is a comparison is counted
//!   too, so the bound is loose, never short);
//! - a statement cannot reach past a line that starts another statement, nor past a line
//!   break outside brackets unless an operator, `?`, `:`, `|` or `,` ends the line: the scan
//!   stops there, so scanning costs one pass over the statement.
//!
//! Shallow statements (almost all) are parsed on the caller's thread; deeper ones on a
//! thread whose stack fits the deepest statement accepted; deeper still are refused with
//! E0100 without calling pest. Measured cost of one level (pest and the tree builder): about
//! 5 KiB in release builds and 13 KiB in debug builds.

use super::parser::MAX_DEPTH;

/// Deepest scan accepted. Above [`MAX_DEPTH`] so that what the scan over-counts (a `<`
/// comparison) does not refuse a statement the builder would accept: the builder still
/// refuses real nesting past [`MAX_DEPTH`], with the exact span.
pub(crate) const SCAN_LIMIT: usize = 2 * MAX_DEPTH;

/// Statements up to this deep are parsed on the caller's thread: at most ~100 KiB of stack
/// in a debug build, which any thread has.
const INLINE_LIMIT: usize = 8;

/// Stack for a deep statement's thread: four times the largest measured cost per level.
const DEEP_STACK: usize = SCAN_LIMIT * (64 << 10) + (1 << 20);

/// How a statement may be parsed.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Shallow: on the caller's thread.
    Inline,
    /// Deep but within [`SCAN_LIMIT`]: on a thread with a large stack.
    Deep,
    /// Too deep: the offset (in the scanned text) of the opening token past the limit.
    Refuse(usize),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Frame {
    /// `[`, `(` or `{`.
    Open(u8),
    /// `${`, closed by `}`.
    Interp,
    /// The then-branch of `?`, closed by `:`.
    Then,
    /// `<` (type argument or comparison), closed by `>`.
    Angle,
    /// A quoted string; not a level (its `${` is).
    Str,
    /// A heredoc: the offset and length of its marker.
    Heredoc(usize, usize),
}

/// Runs `parse` for the statement at the start of `text` where its nesting allows, or
/// returns the offset of the opening token that made it too deep (relative to `text`).
/// `parse` must do all the recursive work (pest and the tree builder) itself.
pub(crate) fn guarded<T: Send>(text: &str, parse: impl FnOnce() -> T + Send) -> Result<T, usize> {
    match scan(text) {
        Verdict::Inline => Ok(parse()),
        Verdict::Deep => std::thread::scope(|s| {
            let worker = std::thread::Builder::new()
                .name("infra-parse-deep".into())
                .stack_size(DEEP_STACK)
                .spawn_scoped(s, parse);
            // No thread (a process limit): refusing is safe, overflowing is not.
            match worker {
                Ok(w) => w.join().map_err(|e| std::panic::resume_unwind(e)),
                Err(_) => Err(0),
            }
        }),
        Verdict::Refuse(at) => Err(at),
    }
}

/// The nesting verdict for the statement at the start of `text`.
pub(crate) fn scan(text: &str) -> Verdict {
    let b = text.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    // Levels on the stack (every frame but strings and heredocs).
    let mut levels = 0usize;
    let mut max = 0usize;
    // The last byte of code that was not whitespace or a comment.
    let mut last = 0u8;
    let mut i = 0;
    let push = |stack: &mut Vec<Frame>, levels: &mut usize, f: Frame| {
        if !matches!(f, Frame::Str | Frame::Heredoc(..)) {
            *levels += 1;
        }
        stack.push(f);
    };
    let pop = |stack: &mut Vec<Frame>, levels: &mut usize| {
        if let Some(f) = stack.pop()
            && !matches!(f, Frame::Str | Frame::Heredoc(..))
        {
            *levels -= 1;
        }
    };
    while i < b.len() {
        if levels > max {
            max = levels;
            if max > SCAN_LIMIT {
                // The opening token that went past the limit is the one just read.
                return Verdict::Refuse(opener_before(b, i));
            }
        }
        let c = b[i];
        match stack.last() {
            Some(Frame::Str) => {
                match c {
                    b'\\' if b.get(i + 1).is_some_and(|&n| n != b'\n') => i += 1,
                    b'"' => pop(&mut stack, &mut levels),
                    // An unclosed string ends at the line end; the code around sees the break.
                    b'\n' => {
                        pop(&mut stack, &mut levels);
                        continue;
                    }
                    b'$' if b[i..].starts_with(b"$${") => i += 2,
                    b'$' if b[i..].starts_with(b"${") => {
                        push(&mut stack, &mut levels, Frame::Interp);
                        i += 1;
                    }
                    _ => {}
                }
                i += 1;
                continue;
            }
            Some(&Frame::Heredoc(at, len)) => {
                match c {
                    b'\n' => {
                        i += 1;
                        if heredoc_ends(b, i, &b[at..at + len]) {
                            pop(&mut stack, &mut levels);
                            last = b'a';
                        }
                        continue;
                    }
                    b'$' if b[i..].starts_with(b"$${") => i += 2,
                    b'$' if b[i..].starts_with(b"${") => {
                        push(&mut stack, &mut levels, Frame::Interp);
                        i += 1;
                    }
                    _ => {}
                }
                i += 1;
                continue;
            }
            _ => {}
        }
        // A `<` left open by a byte no type argument holds was a comparison.
        if matches!(
            c,
            b'&' | b'|'
                | b'?'
                | b':'
                | b'+'
                | b'*'
                | b'%'
                | b'='
                | b'!'
                | b'-'
                | b','
                | b'('
                | b')'
                | b'['
                | b']'
        ) {
            while stack.last() == Some(&Frame::Angle) {
                pop(&mut stack, &mut levels);
            }
        }
        match c {
            b' ' | b'\t' | b'\r' => {}
            b'\n' => {
                let open = stack
                    .iter()
                    .any(|f| matches!(f, Frame::Open(_) | Frame::Interp));
                if !open
                    && !matches!(last, b'+' | b'-' | b'*' | b'/' | b'%' | b'<' | b'>')
                    && !matches!(last, b'=' | b'!' | b'&' | b'|' | b'?' | b':' | b',')
                {
                    break;
                }
                if starts_statement(b, i + 1) {
                    break;
                }
            }
            b'#' => {
                i = line_end(b, i);
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i = line_end(b, i);
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = b[i + 2..]
                    .windows(2)
                    .position(|w| w == b"*/")
                    .map_or(b.len(), |p| i + 2 + p + 2);
                continue;
            }
            b'"' => push(&mut stack, &mut levels, Frame::Str),
            b'[' | b'(' | b'{' => push(&mut stack, &mut levels, Frame::Open(c)),
            b']' | b')' | b'}' => {
                while matches!(stack.last(), Some(Frame::Then | Frame::Angle)) {
                    pop(&mut stack, &mut levels);
                }
                let opener = match c {
                    b']' => Frame::Open(b'['),
                    b')' => Frame::Open(b'('),
                    _ => Frame::Open(b'{'),
                };
                if stack.last() == Some(&opener)
                    || (c == b'}' && stack.last() == Some(&Frame::Interp))
                {
                    pop(&mut stack, &mut levels);
                }
            }
            b'?' => push(&mut stack, &mut levels, Frame::Then),
            b':' if stack.last() == Some(&Frame::Then) => pop(&mut stack, &mut levels),
            b'<' if b.get(i + 1) == Some(&b'<') => {
                if let Some((marker, body)) = heredoc_head(b, i) {
                    push(&mut stack, &mut levels, Frame::Heredoc(marker.0, marker.1));
                    i = body;
                    if heredoc_ends(b, i, &b[marker.0..marker.0 + marker.1]) {
                        pop(&mut stack, &mut levels);
                    }
                    last = b'a';
                    continue;
                }
                push(&mut stack, &mut levels, Frame::Angle);
            }
            b'<' if b.get(i + 1) != Some(&b'=') => push(&mut stack, &mut levels, Frame::Angle),
            b'>' if b.get(i + 1) != Some(&b'=')
                && last != b'='
                && stack.last() == Some(&Frame::Angle) =>
            {
                pop(&mut stack, &mut levels)
            }
            _ => {}
        }
        if !matches!(c, b' ' | b'\t' | b'\r' | b'\n') {
            last = c;
        }
        i += 1;
    }
    if levels > max {
        max = levels;
    }
    if max > SCAN_LIMIT {
        Verdict::Refuse(opener_before(b, b.len()))
    } else if max > INLINE_LIMIT {
        Verdict::Deep
    } else {
        Verdict::Inline
    }
}

/// The offset of the byte read just before `i` (the opening token that was pushed last);
/// `${` is reported from its `$`.
fn opener_before(b: &[u8], i: usize) -> usize {
    let at = i.saturating_sub(1);
    if b.get(at) == Some(&b'{') && at > 0 && b.get(at - 1) == Some(&b'$') {
        at - 1
    } else {
        at
    }
}

fn line_end(b: &[u8], i: usize) -> usize {
    b[i..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |p| i + p)
}

/// `<<MARKER` or `<<-MARKER` at `i`, then blanks and a line break: the marker's (offset,
/// length) and the offset of the heredoc's first line. The grammar's `heredoc` rule.
fn heredoc_head(b: &[u8], i: usize) -> Option<((usize, usize), usize)> {
    let mut j = i + 2;
    if b.get(j) == Some(&b'-') {
        j += 1;
    }
    let start = j;
    if !b
        .get(j)
        .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
    {
        return None;
    }
    while b
        .get(j)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
    {
        j += 1;
    }
    let marker = (start, j - start);
    while matches!(b.get(j), Some(b' ' | b'\t' | b'\r')) {
        j += 1;
    }
    (b.get(j) == Some(&b'\n')).then_some((marker, j + 1))
}

/// Whether the line at `i` closes a heredoc with `marker` (the grammar's `heredoc_end_line`).
fn heredoc_ends(b: &[u8], i: usize, marker: &[u8]) -> bool {
    let mut j = i;
    while matches!(b.get(j), Some(b' ' | b'\t')) {
        j += 1;
    }
    if !b[j.min(b.len())..].starts_with(marker) {
        return false;
    }
    j += marker.len();
    while matches!(b.get(j), Some(b' ' | b'\t' | b'\r')) {
        j += 1;
    }
    matches!(b.get(j), None | Some(b'\n'))
}

/// Whether the line at `i` starts with a statement keyword and a name (the grammar's
/// `stmt_start`): no rule of a statement can read past one (`!stmt_start` guards them).
fn starts_statement(b: &[u8], i: usize) -> bool {
    let mut j = i;
    while matches!(b.get(j), Some(b' ' | b'\t')) {
        j += 1;
    }
    let rest = &b[j.min(b.len())..];
    const KEYWORDS: [&[u8]; 8] = [
        b"resource",
        b"let",
        b"param",
        b"output",
        b"module",
        b"existing",
        b"environment",
        b"fn",
    ];
    const RESERVED: [&[u8]; 6] = [b"true", b"false", b"null", b"for", b"in", b"if"];
    KEYWORDS.iter().any(|kw| {
        rest.strip_prefix(*kw).is_some_and(|after| {
            let blanks = after
                .iter()
                .take_while(|c| matches!(c, b' ' | b'\t'))
                .count();
            let name = &after[blanks..];
            let word = name
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                .count();
            blanks > 0
                && name
                    .first()
                    .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
                && !RESERVED.contains(&&name[..word])
        })
    })
}

#[cfg(test)]
#[path = "depth_tests.rs"]
mod tests;
