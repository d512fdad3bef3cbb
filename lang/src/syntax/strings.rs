//! Quoted strings and heredocs: unescaping, interpolation, `<<-` indentation stripping, and
//! the errors that belong to them (bad escape, unclosed string, heredoc without its end).

use super::ast::*;
use super::build::{Builder, P, Res};
use super::build_expr::Built;
use super::grammar::Rule;
use crate::diag;
use crate::span::Span;

impl Builder {
    /// A `string` or `heredoc` pair as an expression.
    pub fn string(&mut self, p: P) -> Res<Built> {
        let span = self.span(&p);
        if p.as_rule() == Rule::heredoc {
            return self.heredoc(p, span);
        }
        let mut parts = Vec::new();
        let mut h = 0;
        for c in self.children(p) {
            match c.as_rule() {
                Rule::str_text => push_lit(&mut parts, c.as_str()),
                Rule::str_dollar => push_lit(&mut parts, "${"),
                Rule::str_escape => {
                    let text = c.as_str();
                    match unescape(text) {
                        Some(ch) => push_lit(&mut parts, ch.encode_utf8(&mut [0; 4])),
                        None => {
                            let s = self.span(&c);
                            self.diags.push(diag::syntax::bad_escape(s, text));
                        }
                    }
                }
                Rule::interp => h = h.max(self.interp(c, &mut parts)?),
                Rule::str_close if c.as_str().is_empty() => {
                    self.diags.push(diag::syntax::unclosed_string(span));
                }
                _ => {}
            }
        }
        parts.shrink_to_fit();
        Ok((
            Expr {
                kind: ExprKind::Str {
                    parts,
                    style: StrStyle::Quoted,
                },
                span,
            },
            h + 1,
        ))
    }

    fn interp(&mut self, p: P, parts: &mut Vec<StrPart>) -> Res<usize> {
        let span = self.span(&p);
        let Some(e) = self.children(p).find(|c| c.as_rule() == Rule::expr) else {
            return Err(self.malformed(span, "interpolation"));
        };
        let (e, h) = self.expr(e)?;
        parts.push(StrPart::Interp(e));
        Ok(h)
    }

    /// A string that must not interpolate (module source, quoted key, enum value).
    pub fn plain_string(&mut self, p: P, what: &str) -> Res<(String, Span)> {
        let (e, _) = self.string(p)?;
        let ExprKind::Str { parts, .. } = e.kind else {
            return Err(self.malformed(e.span, "string"));
        };
        let mut out = String::new();
        for part in parts {
            match part {
                StrPart::Lit(s) => out.push_str(&s),
                StrPart::Interp(_) => {
                    self.diags
                        .push(diag::syntax::interpolation_not_allowed(e.span, what));
                    break;
                }
            }
        }
        Ok((out, e.span))
    }

    fn heredoc(&mut self, p: P, span: Span) -> Res<Built> {
        let mut strip_indent = false;
        let mut marker = String::new();
        let mut marker_span = span;
        // Each line: its parts, and whether it ends with a line break.
        let mut lines: Vec<(Vec<StrPart>, bool)> = Vec::new();
        let mut h = 0;
        for c in self.children(p) {
            match c.as_rule() {
                Rule::heredoc_strip => strip_indent = true,
                Rule::heredoc_marker => {
                    marker = c.as_str().to_string();
                    marker_span = Span {
                        end: self.span(&c).end,
                        ..span
                    };
                }
                Rule::heredoc_line => {
                    let newline = c.as_str().ends_with('\n');
                    let mut parts = Vec::new();
                    for seg in self.children(c) {
                        match seg.as_rule() {
                            Rule::heredoc_text => {
                                push_lit(&mut parts, seg.as_str().trim_end_matches('\r'))
                            }
                            Rule::str_dollar => push_lit(&mut parts, "${"),
                            Rule::interp => h = h.max(self.interp(seg, &mut parts)?),
                            _ => {}
                        }
                    }
                    lines.push((parts, newline));
                }
                Rule::heredoc_eof => {
                    self.diags
                        .push(diag::syntax::unterminated_heredoc(marker_span, &marker));
                    self.note_unterminated_heredoc();
                }
                _ => {}
            }
        }
        if strip_indent {
            strip_common_indent(&mut lines);
        }
        let mut parts = Vec::new();
        for (line, newline) in lines {
            for part in line {
                match part {
                    StrPart::Lit(s) => push_lit(&mut parts, &s),
                    interp => parts.push(interp),
                }
            }
            if newline {
                push_lit(&mut parts, "\n");
            }
        }
        let style = StrStyle::Heredoc {
            marker,
            strip_indent,
        };
        Ok((
            Expr {
                kind: ExprKind::Str { parts, style },
                span,
            },
            h + 1,
        ))
    }
}

fn push_lit(parts: &mut Vec<StrPart>, s: &str) {
    if s.is_empty() {
        return;
    }
    if let Some(StrPart::Lit(last)) = parts.last_mut() {
        last.push_str(s);
    } else {
        parts.push(StrPart::Lit(s.to_string()));
    }
}

/// The character an escape (`\n`, `\u{1F600}`, ...) stands for; None when it is invalid.
fn unescape(esc: &str) -> Option<char> {
    let body = esc.strip_prefix('\\')?;
    match body {
        "n" => Some('\n'),
        "t" => Some('\t'),
        "r" => Some('\r'),
        "\"" => Some('"'),
        "\\" => Some('\\'),
        _ => {
            let hex = body.strip_prefix("u{")?.strip_suffix('}')?;
            if hex.is_empty() || hex.len() > 6 {
                return None;
            }
            u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
        }
    }
}

/// `<<-`: removes the indentation common to all lines that hold something, as HCL does.
/// A line that starts with an interpolation has no indentation; blank lines do not count.
fn strip_common_indent(lines: &mut [(Vec<StrPart>, bool)]) {
    let indent_of = |parts: &[StrPart]| -> Option<usize> {
        match parts.first() {
            None => None,
            Some(StrPart::Interp(_)) => Some(0),
            Some(StrPart::Lit(s)) => {
                let n = s.len() - s.trim_start_matches([' ', '\t']).len();
                if n == s.len() && parts.len() == 1 {
                    None
                } else {
                    Some(n)
                }
            }
        }
    };
    let Some(min) = lines.iter().filter_map(|(parts, _)| indent_of(parts)).min() else {
        return;
    };
    for (parts, _) in lines.iter_mut() {
        if let Some(StrPart::Lit(s)) = parts.first_mut() {
            let ws = s.len() - s.trim_start_matches([' ', '\t']).len();
            s.drain(..ws.min(min));
            if s.is_empty() {
                parts.remove(0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescapes_the_documented_escapes() {
        assert_eq!(unescape("\\n"), Some('\n'));
        assert_eq!(unescape("\\u{1F600}"), Some('😀'));
        assert_eq!(unescape("\\u{D800}"), None);
        assert_eq!(unescape("\\u{}"), None);
        assert_eq!(unescape("\\q"), None);
        assert_eq!(unescape("\\"), None);
    }
}
