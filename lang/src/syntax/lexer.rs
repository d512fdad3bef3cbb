//! A light lexer over statement text, for what pest does not give back: the comments
//! (skipped as whitespace by the grammar) and the brackets still open at an error. It knows
//! strings, interpolation, comments and heredocs, so brackets and `//` inside them do not
//! count.

/// What one scan found.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    /// Comments as (start, end, closed); `closed` is false for a `/*` without `*/`.
    pub comments: Vec<(usize, usize, bool)>,
    /// Brackets open at the end of the scan, outermost first: (offset, char).
    pub open: Vec<(usize, char)>,
}

enum Frame {
    Open(usize, char),
    Str,
    /// `${` inside a string: `}` returns to the string.
    Interp(usize),
}

/// Scans `text[start..end]`, which must begin outside any string or comment.
pub(crate) fn scan(text: &str, start: usize, end: usize) -> Scan {
    let mut out = Scan::default();
    let src = text.get(..end.min(text.len())).unwrap_or("");
    let bytes = src.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = start;
    while let Some(&b) = bytes.get(i) {
        let rest = src.get(i..).unwrap_or("");
        if let Some(Frame::Str) = stack.last() {
            match b {
                b'\\' => i += 1,
                b'"' | b'\n' => {
                    stack.pop();
                }
                b'$' if rest.starts_with("$${") => i += 2,
                b'$' if rest.starts_with("${") => {
                    stack.push(Frame::Interp(i + 1));
                    i += 1;
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        match b {
            b'"' => stack.push(Frame::Str),
            b'{' | b'[' | b'(' => stack.push(Frame::Open(i, b as char)),
            b'}' | b']' | b')' => {
                if let Some(Frame::Open(..) | Frame::Interp(_)) = stack.last() {
                    stack.pop();
                }
            }
            b'#' => {
                let e = line_end(src, i);
                out.comments.push((i, e, true));
                i = e;
                continue;
            }
            b'/' if rest.starts_with("//") => {
                let e = line_end(src, i);
                out.comments.push((i, e, true));
                i = e;
                continue;
            }
            b'/' if rest.starts_with("/*") => {
                let (e, closed) = rest
                    .get(2..)
                    .and_then(|r| r.find("*/"))
                    .map_or((src.len(), false), |j| (i + 2 + j + 2, true));
                out.comments.push((i, e, closed));
                i = e;
                continue;
            }
            b'<' if rest.starts_with("<<") => {
                i = skip_heredoc(src, i);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out.open = stack
        .iter()
        .filter_map(|f| match f {
            Frame::Open(at, c) => Some((*at, *c)),
            Frame::Interp(at) => Some((*at, '{')),
            Frame::Str => None,
        })
        .collect();
    out
}

/// Offset of the line break ending the line that holds `pos` (or the end of `text`), with
/// a `\r` before it excluded.
pub(crate) fn line_end(text: &str, pos: usize) -> usize {
    let e = text
        .get(pos..)
        .and_then(|r| r.find('\n'))
        .map_or(text.len(), |i| pos + i);
    if e > pos && text.as_bytes().get(e - 1) == Some(&b'\r') {
        e - 1
    } else {
        e
    }
}

/// From `<<` at `at`: the offset just after the heredoc's closing line (or the end).
/// Without a marker after `<<`, just past the `<<`.
fn skip_heredoc(src: &str, at: usize) -> usize {
    let head = src.get(at + 2..).unwrap_or("");
    let head = head.strip_prefix('-').unwrap_or(head);
    let marker: String = head
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if marker.is_empty() {
        return at + 2;
    }
    let mut pos = src
        .get(at..)
        .and_then(|r| r.find('\n'))
        .map_or(src.len(), |i| at + i);
    while pos < src.len() {
        let start = pos + 1;
        let end = src
            .get(start..)
            .and_then(|r| r.find('\n'))
            .map_or(src.len(), |i| start + i);
        if src.get(start..end).is_some_and(|l| l.trim() == marker) {
            return end;
        }
        pos = end;
    }
    src.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_outside_strings_and_heredocs_only() {
        let t = "let a = \"// no ${f(\"#\")}\" # yes\nlet b = <<EOT\n// no\nEOT\n/* yes */ /* open";
        let s = scan(t, 0, t.len());
        let found: Vec<&str> = s.comments.iter().map(|(a, b, _)| &t[*a..*b]).collect();
        assert_eq!(found, ["# yes", "/* yes */", "/* open"]);
        assert_eq!(
            s.comments.iter().map(|c| c.2).collect::<Vec<_>>(),
            [true, true, false]
        );
    }

    #[test]
    fn reports_open_brackets_innermost_last() {
        let t = "let x = [\"[\", // [\n  f(1), {";
        let s = scan(t, 0, t.len());
        assert_eq!(s.open, [(8, '['), (t.len() - 1, '{')]);
    }
}
