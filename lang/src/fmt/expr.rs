//! Expressions: on one line when the author wrote them so and they fit, otherwise with their
//! containers (objects, lists, call arguments) broken one element per line.

use super::MAX_WIDTH;
use super::items::Entry;
use super::printer::{Line, Printer};
use crate::span::Span;
use crate::syntax::ast::*;
use std::fmt::Write;

impl Printer<'_> {
    /// Renders into a scratch buffer whose first line will start at column `col`.
    pub fn render_at(&mut self, col: usize, f: impl FnOnce(&mut Self)) -> String {
        let pad = " ".repeat(col);
        let out = self.render(|p| {
            p.out.push_str(&pad);
            f(p);
        });
        out.get(col..).unwrap_or("").to_string()
    }

    /// Lays out `e` (which holds no heredoc) starting at the current column.
    pub fn expr(&mut self, e: &Expr, ind: usize) {
        if let Some(flat) = self.flat(e, false)
            && self.column() + flat.chars().count() <= MAX_WIDTH
        {
            self.out.push_str(&flat);
            return;
        }
        match &e.kind {
            ExprKind::Object(entries) => self.object(entries, e.span, ind),
            ExprKind::Tagged { tag, entries } => {
                self.out.push_str(&tag.name);
                self.out.push(' ');
                let open = self.open_brace(tag.span.end).unwrap_or(tag.span.end);
                self.object(
                    entries,
                    Span {
                        start: open,
                        ..e.span
                    },
                    ind,
                );
            }
            ExprKind::List(items) => self.list(items, e.span, ind),
            ExprKind::Call { name, args } => self.call(name, args, e.span, ind),
            ExprKind::Binary(op, a, b) => {
                self.expr(a, ind);
                let _ = write!(self.out, " {} ", op.symbol());
                self.expr(b, ind);
            }
            ExprKind::Cond(c, a, b) => {
                self.expr(c, ind);
                self.out.push_str(" ? ");
                self.expr(a, ind);
                self.out.push_str(" : ");
                self.expr(b, ind);
            }
            ExprKind::Unary(op, x) => {
                self.out.push_str(unary(*op));
                self.expr(x, ind);
            }
            ExprKind::Paren(x) => {
                self.out.push('(');
                self.expr(x, ind);
                self.out.push(')');
            }
            ExprKind::Member(x, name) => {
                self.expr(x, ind);
                self.out.push('.');
                self.out.push_str(&name.name);
            }
            ExprKind::Index(x, i) => {
                self.expr(x, ind);
                self.out.push('[');
                self.expr(i, ind);
                self.out.push(']');
            }
            ExprKind::ListFor(c) | ExprKind::ObjectFor(c) => {
                let list = matches!(e.kind, ExprKind::ListFor(_));
                self.out.push_str(if list { "[for " } else { "{for " });
                self.out.push_str(&for_vars(c));
                self.expr(&c.collection, ind);
                self.out.push_str(": ");
                if let Some(k) = &c.key_expr {
                    self.expr(k, ind);
                    self.out.push_str(" => ");
                }
                self.expr(&c.body, ind);
                if let Some(cond) = &c.cond {
                    self.out.push_str(" if ");
                    self.expr(cond, ind);
                }
                self.out.push(if list { ']' } else { '}' });
            }
            _ => {
                let text = self
                    .flat(e, true)
                    .unwrap_or_else(|| self.text(e.span).to_string());
                self.out.push_str(&text);
            }
        }
    }

    fn object(&mut self, entries: &[ObjectEntry], span: Span, ind: usize) {
        let entries: Vec<Entry> = entries
            .iter()
            .map(|e| Entry {
                key: key(e),
                value: &e.value,
                span: e.span,
            })
            .collect();
        self.entries(&entries, span, ind);
    }

    fn list(&mut self, items: &[Expr], span: Span, ind: usize) {
        if items.is_empty() && !self.has_comments_in(span) {
            self.out.push_str("[]");
            return;
        }
        let col = (ind + 1) * 2;
        let lines: Vec<Line> = items
            .iter()
            .map(|x| Line {
                span: x.span,
                text: self.render_at(col, |p| p.expr(x, ind + 1)),
            })
            .collect();
        self.out.push('[');
        let last = self.vertical(&lines, span.start + 1, ind + 1, ",");
        self.close(last, span.end.saturating_sub(1), ind, lines.is_empty());
        self.out.push(']');
    }

    fn call(&mut self, name: &Ident, args: &[Expr], span: Span, ind: usize) {
        self.out.push_str(&name.name);
        let close = span.end.saturating_sub(1);
        // `f(a, {` ... `})`: the last argument, a container, is broken in place when the
        // author kept everything before and after it on its lines.
        if let Some((last, init)) = args.split_last() {
            let open = name.span.end;
            let hug = matches!(
                last.kind,
                ExprKind::Object(_) | ExprKind::List(_) | ExprKind::Tagged { .. }
            ) && !self.multiline(Span {
                start: open,
                end: last.span.start,
                ..span
            }) && !self.multiline(Span {
                start: last.span.end,
                end: span.end,
                ..span
            }) && !self.has_comments_in(Span {
                start: open,
                end: last.span.start,
                ..span
            });
            let flat_init: Option<Vec<String>> = init.iter().map(|a| self.flat(a, false)).collect();
            if let (true, Some(flat_init)) = (hug, flat_init) {
                self.out.push('(');
                for a in flat_init {
                    self.out.push_str(&a);
                    self.out.push_str(", ");
                }
                self.expr(last, ind);
                self.out.push(')');
                return;
            }
        }
        if args.is_empty() {
            self.out.push_str("()");
            return;
        }
        let col = (ind + 1) * 2;
        let lines: Vec<Line> = args
            .iter()
            .map(|x| Line {
                span: x.span,
                text: self.render_at(col, |p| p.expr(x, ind + 1)),
            })
            .collect();
        self.out.push('(');
        let open = self
            .src
            .get(name.span.end as usize..)
            .and_then(|r| r.find('('))
            .map_or(name.span.end, |i| name.span.end + i as u32 + 1);
        let last = self.vertical(&lines, open, ind + 1, ",");
        self.close(last, close, ind, false);
        self.out.push(')');
    }

    /// `e` on one line, or None when it must not be: it holds a heredoc, or (unless
    /// `force`) a container the author broke over lines or that holds comments.
    pub fn flat(&self, e: &Expr, force: bool) -> Option<String> {
        let mut out = String::new();
        self.flat_into(e, force, &mut out)?;
        Some(out)
    }

    fn flat_into(&self, e: &Expr, force: bool, out: &mut String) -> Option<()> {
        let container = matches!(
            e.kind,
            ExprKind::List(_)
                | ExprKind::Object(_)
                | ExprKind::Tagged { .. }
                | ExprKind::Call { .. }
        );
        if container && !force && (self.multiline(e.span) || self.has_comments_in(e.span)) {
            return None;
        }
        match &e.kind {
            ExprKind::Null => out.push_str("null"),
            ExprKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            ExprKind::Int(i) => {
                let text = self.text(e.span);
                if text.parse::<i64>().ok() == Some(*i) {
                    out.push_str(text)
                } else {
                    out.push_str(&i.to_string())
                }
            }
            ExprKind::Float(f) => {
                let text = self.text(e.span);
                let literal = !text.is_empty()
                    && text
                        .chars()
                        .all(|c| c.is_ascii_digit() || ".eE+-".contains(c));
                if literal && text.parse::<f64>().ok() == Some(*f) {
                    out.push_str(text)
                } else {
                    out.push_str(&format!("{f:?}"))
                }
            }
            ExprKind::Str {
                style: StrStyle::Heredoc { .. },
                ..
            } => return None,
            ExprKind::Str {
                parts,
                style: StrStyle::Quoted,
            } => {
                out.push('"');
                for (i, part) in parts.iter().enumerate() {
                    match part {
                        StrPart::Lit(s) => {
                            let before_interp =
                                matches!(parts.get(i + 1), Some(StrPart::Interp(_)));
                            escape_into(s, before_interp, out);
                        }
                        StrPart::Interp(x) => {
                            out.push_str("${");
                            self.flat_into(x, true, out)?;
                            out.push('}');
                        }
                    }
                }
                out.push('"');
            }
            ExprKind::List(items) => {
                out.push('[');
                self.join(items, force, out)?;
                out.push(']');
            }
            ExprKind::Object(entries) => self.flat_entries(entries, force, out)?,
            ExprKind::Tagged { tag, entries } => {
                out.push_str(&tag.name);
                out.push(' ');
                self.flat_entries(entries, force, out)?;
            }
            ExprKind::Ref(i) => out.push_str(&i.name),
            ExprKind::Member(x, name) => {
                self.flat_into(x, force, out)?;
                out.push('.');
                out.push_str(&name.name);
            }
            ExprKind::Index(x, i) => {
                self.flat_into(x, force, out)?;
                out.push('[');
                self.flat_into(i, force, out)?;
                out.push(']');
            }
            ExprKind::Call { name, args } => {
                out.push_str(&name.name);
                out.push('(');
                self.join(args, force, out)?;
                out.push(')');
            }
            ExprKind::Unary(op, x) => {
                out.push_str(unary(*op));
                self.flat_into(x, force, out)?;
            }
            ExprKind::Binary(op, a, b) => {
                self.flat_into(a, force, out)?;
                let _ = write!(out, " {} ", op.symbol());
                self.flat_into(b, force, out)?;
            }
            ExprKind::Cond(c, a, b) => {
                self.flat_into(c, force, out)?;
                out.push_str(" ? ");
                self.flat_into(a, force, out)?;
                out.push_str(" : ");
                self.flat_into(b, force, out)?;
            }
            ExprKind::ListFor(c) | ExprKind::ObjectFor(c) => {
                let list = matches!(e.kind, ExprKind::ListFor(_));
                out.push_str(if list { "[for " } else { "{for " });
                out.push_str(&for_vars(c));
                self.flat_into(&c.collection, force, out)?;
                out.push_str(": ");
                if let Some(k) = &c.key_expr {
                    self.flat_into(k, force, out)?;
                    out.push_str(" => ");
                }
                self.flat_into(&c.body, force, out)?;
                if let Some(cond) = &c.cond {
                    out.push_str(" if ");
                    self.flat_into(cond, force, out)?;
                }
                out.push(if list { ']' } else { '}' });
            }
            ExprKind::Paren(x) => {
                out.push('(');
                self.flat_into(x, force, out)?;
                out.push(')');
            }
        }
        Some(())
    }

    fn join(&self, items: &[Expr], force: bool, out: &mut String) -> Option<()> {
        for (i, x) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            self.flat_into(x, force, out)?;
        }
        Some(())
    }

    fn flat_entries(&self, entries: &[ObjectEntry], force: bool, out: &mut String) -> Option<()> {
        if entries.is_empty() {
            out.push_str("{}");
            return Some(());
        }
        out.push_str("{ ");
        for (i, e) in entries.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(&key(e));
            out.push_str(" = ");
            self.flat_into(&e.value, force, out)?;
        }
        out.push_str(" }");
        Some(())
    }
}

fn unary(op: UnaryOp) -> &'static str {
    match op {
        UnaryOp::Not => "!",
        UnaryOp::Neg => "-",
    }
}

fn for_vars(c: &Comprehension) -> String {
    match &c.key {
        Some(k) => format!("{}, {} in ", k.name, c.value.name),
        None => format!("{} in ", c.value.name),
    }
}

fn key(e: &ObjectEntry) -> String {
    if e.quoted {
        quote_plain(&e.key.name)
    } else {
        e.key.name.clone()
    }
}

pub(super) fn contains_heredoc(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Str {
            style: StrStyle::Heredoc { .. },
            ..
        } => true,
        ExprKind::Str { parts, .. } => parts
            .iter()
            .any(|p| matches!(p, StrPart::Interp(x) if contains_heredoc(x))),
        ExprKind::Null
        | ExprKind::Bool(_)
        | ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Ref(_) => false,
        ExprKind::List(xs) | ExprKind::Call { args: xs, .. } => xs.iter().any(contains_heredoc),
        ExprKind::Object(es) | ExprKind::Tagged { entries: es, .. } => {
            es.iter().any(|e| contains_heredoc(&e.value))
        }
        ExprKind::Member(x, _) | ExprKind::Unary(_, x) | ExprKind::Paren(x) => contains_heredoc(x),
        ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => {
            contains_heredoc(a) || contains_heredoc(b)
        }
        ExprKind::Cond(a, b, c) => {
            contains_heredoc(a) || contains_heredoc(b) || contains_heredoc(c)
        }
        ExprKind::ListFor(c) | ExprKind::ObjectFor(c) => {
            contains_heredoc(&c.collection)
                || contains_heredoc(&c.body)
                || c.key_expr.as_ref().is_some_and(contains_heredoc)
                || c.cond.as_ref().is_some_and(contains_heredoc)
        }
    }
}

/// A string without interpolation, quoted and escaped.
pub(super) fn quote_plain(s: &str) -> String {
    let mut out = String::from("\"");
    escape_into(s, false, &mut out);
    out.push('"');
    out
}

/// Escapes literal text for a quoted string. `${` becomes `$${`; a `$` that ends the text
/// right before an interpolation is written `\u{24}` so that it does not join the `${`.
fn escape_into(s: &str, before_interp: bool, out: &mut String) {
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '$' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push_str("$${");
            }
            '$' if chars.peek().is_none() && before_interp => out.push_str("\\u{24}"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:X}}}", c as u32);
            }
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_round_trip_through_the_parser() {
        let mut out = String::new();
        escape_into("a\"b\\c\nd${e}$$ \u{7}", false, &mut out);
        assert_eq!(out, "a\\\"b\\\\c\\nd$${e}$$ \\u{7}");
        let mut out = String::new();
        escape_into("cost $", true, &mut out);
        assert_eq!(out, "cost \\u{24}");
    }
}
