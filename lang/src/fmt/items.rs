//! Statements, blocks of attributes (and objects, laid out the same way), and types.

use super::MAX_WIDTH;
use super::expr::{contains_heredoc, quote_plain};
use super::printer::{Line, Printer};
use crate::span::Span;
use crate::syntax::ast::*;

/// One `key = value` line of a block or an object.
pub(super) struct Entry<'e> {
    pub key: String,
    pub value: &'e Expr,
    pub span: Span,
}

impl Printer<'_> {
    pub fn item(&mut self, item: &Item) {
        match item {
            Item::Param(p) => {
                self.out.push_str(&format!("param {}: ", p.name.name));
                self.type_expr(&p.ty, 0);
                if let Some(d) = &p.default {
                    self.out.push_str(" = ");
                    self.value(d, 0);
                }
            }
            Item::Let(l) => {
                self.out.push_str(&format!("let {} = ", l.name.name));
                self.value(&l.value, 0);
            }
            Item::Resource(r) => {
                let kw = if r.existing { "existing" } else { "resource" };
                let ty = if r.type_ref {
                    quote_plain(&r.type_name.name)
                } else {
                    r.type_name.name.clone()
                };
                self.out.push_str(&format!("{kw} {}: {ty}", r.name.name));
                let mut after = r.type_name.span.end;
                if let Some(fe) = &r.for_each {
                    self.out.push_str(" for ");
                    if let Some(k) = &fe.key {
                        self.out.push_str(&format!("{}, ", k.name));
                    }
                    self.out.push_str(&format!("{} in ", fe.value.name));
                    self.value(&fe.collection, 0);
                    after = fe.span.end;
                }
                self.out.push(' ');
                self.body(&r.body, after, r.span.end, 0);
            }
            Item::Module(m) => {
                self.out.push_str(&format!(
                    "module {} = {} ",
                    m.name.name,
                    quote_plain(&m.source)
                ));
                self.body(&m.body, m.source_span.end, m.span.end, 0);
            }
            Item::Output(o) => {
                self.out.push_str(&format!("output {}", o.name.name));
                if let Some(t) = &o.ty {
                    self.out.push_str(": ");
                    self.type_expr(t, 0);
                }
                self.out.push_str(" = ");
                self.value(&o.value, 0);
            }
            Item::Environment(e) => {
                self.out.push_str(&format!("environment {} ", e.name.name));
                self.body(&e.body, e.name.span.end, e.span.end, 0);
            }
            Item::Import(i) => {
                self.out.push_str("import ");
                self.body(&i.body, i.keyword.span.end, i.span.end, 0);
            }
            Item::Function(f) => {
                self.out.push_str(&format!("fn {}(", f.name.name));
                for (i, p) in f.params.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.out.push_str(&format!("{}: ", p.name.name));
                    self.type_expr(&p.ty, 0);
                }
                self.out.push(')');
                if let Some(t) = &f.ret {
                    self.out.push_str(": ");
                    self.type_expr(t, 0);
                }
                self.out.push_str(" = ");
                self.value(&f.body, 0);
            }
        }
    }

    /// The `{ ... }` of a resource, module or environment: it starts at the first `{` after
    /// `after` and ends at `end` (the statement's end, just past its `}`).
    fn body(&mut self, attrs: &[Attribute], after: u32, end: u32, ind: usize) {
        let open = self.open_brace(after).unwrap_or(after);
        let span = Span {
            start: open,
            end,
            ..Span::default()
        };
        let entries: Vec<Entry> = attrs
            .iter()
            .map(|a| Entry {
                key: a.name.name.clone(),
                value: &a.value,
                span: a.span,
            })
            .collect();
        self.entries(&entries, span, ind);
    }

    /// Position of the `{` that opens a block, skipping whitespace and comments from `from`.
    pub fn open_brace(&self, from: u32) -> Option<u32> {
        let mut pos = from as usize;
        let bytes = self.src.as_bytes();
        loop {
            match bytes.get(pos)? {
                b' ' | b'\t' | b'\r' | b'\n' => pos += 1,
                b'{' => return Some(pos as u32),
                b'/' if bytes.get(pos + 1) == Some(&b'*') => {
                    pos += self.src.get(pos..)?.find("*/")? + 2
                }
                b'/' | b'#' => pos += self.src.get(pos..)?.find('\n')?,
                _ => return None,
            }
        }
    }

    /// `{ k = v, ... }` on one line when the author wrote it so and it fits, otherwise one
    /// entry per line with `=` aligned in runs. `span` runs from `{` to just past `}`.
    pub fn entries(&mut self, entries: &[Entry], span: Span, ind: usize) {
        if entries.is_empty() && !self.has_comments_in(span) {
            self.out.push_str("{}");
            return;
        }
        if !self.multiline(span) && !self.has_comments_in(span) {
            let parts: Option<Vec<String>> = entries
                .iter()
                .map(|e| {
                    self.flat(e.value, false)
                        .map(|v| format!("{} = {v}", e.key))
                })
                .collect();
            if let Some(parts) = parts {
                let line = format!("{{ {} }}", parts.join(", "));
                if self.column() + line.chars().count() <= MAX_WIDTH {
                    self.out.push_str(&line);
                    return;
                }
            }
        }
        let col = (ind + 1) * 2;
        let values: Vec<String> = entries
            .iter()
            .map(|e| {
                let start = col + e.key.chars().count() + 3;
                self.render_at(start, |p| p.value(e.value, ind + 1))
            })
            .collect();
        // Runs of consecutive single-line values, broken by blank lines, share a width.
        let mut widths = vec![0; entries.len()];
        let mut run_start = 0;
        for i in 0..=entries.len() {
            let ends_run = i == entries.len()
                || values.get(i).is_some_and(|v| v.contains('\n'))
                || (i > 0
                    && entries
                        .get(i)
                        .zip(entries.get(i - 1))
                        .is_some_and(|(e, prev)| self.blank_before(prev.span.end, e.span.start)));
            if ends_run {
                let w = (run_start..i)
                    .map(|j| entries.get(j).map_or(0, |e| e.key.chars().count()))
                    .max()
                    .unwrap_or(0);
                widths
                    .iter_mut()
                    .take(i)
                    .skip(run_start)
                    .for_each(|x| *x = w);
                run_start = if values.get(i).is_some_and(|v| v.contains('\n')) {
                    i + 1
                } else {
                    i
                };
            }
        }
        let lines: Vec<Line> = entries
            .iter()
            .zip(values)
            .zip(widths)
            .map(|((e, v), w)| {
                let pad = w.saturating_sub(e.key.chars().count());
                Line {
                    span: e.span,
                    text: format!("{}{} = {v}", e.key, " ".repeat(pad)),
                }
            })
            .collect();
        self.out.push('{');
        let last = self.vertical(&lines, span.start + 1, ind + 1, "");
        self.close(last, span.end.saturating_sub(1), ind, lines.is_empty());
        self.out.push('}');
    }

    pub fn type_expr(&mut self, t: &TypeExpr, ind: usize) {
        match &t.kind {
            TypeExprKind::Named(n) => self.out.push_str(n),
            TypeExprKind::List(x) | TypeExprKind::Map(x) => {
                self.out
                    .push_str(if matches!(t.kind, TypeExprKind::List(_)) {
                        "list<"
                    } else {
                        "map<"
                    });
                self.type_expr(x, ind);
                self.out.push('>');
            }
            TypeExprKind::Enum(values) => {
                let parts: Vec<String> = values.iter().map(|v| quote_plain(v)).collect();
                self.out.push_str(&parts.join(" | "));
            }
            TypeExprKind::Object(fields) if fields.is_empty() => self.out.push_str("{}"),
            TypeExprKind::Object(fields) => {
                if !self.multiline(t.span) && !self.has_comments_in(t.span) {
                    let parts: Vec<String> = fields
                        .iter()
                        .map(|f| self.render(|p| p.field(f, ind)))
                        .collect();
                    self.out.push_str(&format!("{{ {} }}", parts.join(", ")));
                    return;
                }
                let lines: Vec<Line> = fields
                    .iter()
                    .map(|f| {
                        let span = Span {
                            end: f.ty.span.end,
                            ..f.name.span
                        };
                        Line {
                            span,
                            text: self.render(|p| p.field(f, ind + 1)),
                        }
                    })
                    .collect();
                self.out.push('{');
                let last = self.vertical(&lines, t.span.start + 1, ind + 1, "");
                self.close(last, t.span.end.saturating_sub(1), ind, false);
                self.out.push('}');
            }
        }
    }

    fn field(&mut self, f: &TypeField, ind: usize) {
        let opt = if f.optional { "?" } else { "" };
        self.out.push_str(&format!("{}{opt}: ", f.name.name));
        self.type_expr(&f.ty, ind);
    }

    /// Writes `e` verbatim when it holds a heredoc (whose text must not move), else laid out.
    pub fn value(&mut self, e: &Expr, ind: usize) {
        if contains_heredoc(e) {
            let text = self.text(e.span);
            self.out.push_str(text);
            self.consume_comments_in(e.span);
            return;
        }
        self.expr(e, ind);
    }
}
