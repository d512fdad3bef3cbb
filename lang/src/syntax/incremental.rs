//! Parsing again after an edit without parsing the whole file: the language server's path.
//!
//! [`parse`](super::parse) runs one step per statement (trivia, statement, recovery), and a
//! step reads the text from where it starts only. So after an edit, every step that read
//! nothing at or after the edit keeps its result; parsing restarts at the first step that
//! did, and stops as soon as a step starts where an old step started after the edit: from
//! there on the text is the old one shifted, and so is the result. The outcome is exactly
//! what a full parse of the new text gives (property-tested below), which is what keeps the
//! editor from showing anything `infra validate` would not say.

use super::ast::{self, Expr, ExprKind, Item, StrPart, TypeExpr, TypeExprKind};
use super::parser::{self, Parts};
use crate::diag::Diagnostic;
use crate::span::{FileId, Span};
use std::sync::Arc;

/// How far past what a step consumed or reported it may have looked (a keyword or a token
/// pest tried and rejected). Generous: a larger margin only re-parses a little more.
const LOOKAHEAD: usize = 64;

#[derive(Debug, Clone)]
struct Step {
    /// Where the step started.
    pos: usize,
    /// The last byte the step may have read (inclusive).
    reach: usize,
    /// How many items, comments and diagnostics the steps before it produced.
    items: usize,
    comments: usize,
    diags: usize,
}

/// A parsed file that can be updated to a new text.
#[derive(Debug, Clone)]
pub struct Reparsable {
    file: FileId,
    text: String,
    steps: Vec<Step>,
    tree: Arc<ast::File>,
    /// Comments and diagnostics in the order the steps produced them (the tree's comments
    /// and [`Reparsable::diagnostics`] are these sorted, as `parse` sorts them).
    raw_comments: Vec<ast::Comment>,
    raw_diags: Vec<Diagnostic>,
    diags: Vec<Diagnostic>,
    /// How many steps the last parse or update ran (tests check that an edit re-runs few).
    ran: usize,
}

impl Reparsable {
    /// Parses `text` in full.
    pub fn new(file: FileId, text: &str) -> Reparsable {
        let mut r = Reparsable {
            file,
            text: String::new(),
            steps: Vec::new(),
            tree: Arc::new(ast::File {
                items: Vec::new(),
                comments: Vec::new(),
            }),
            raw_comments: Vec::new(),
            raw_diags: Vec::new(),
            diags: Vec::new(),
            ran: 0,
        };
        r.run(text, 0, Parts::default(), None);
        r
    }

    pub fn file(&self) -> FileId {
        self.file
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The tree, as [`parse`](super::parse) returns it for the current text.
    pub fn tree(&self) -> &Arc<ast::File> {
        &self.tree
    }

    /// The syntax errors, as [`parse`](super::parse) returns them for the current text.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diags
    }

    /// Moves to a new text, re-parsing only the statements around what changed.
    pub fn update(&mut self, text: &str) {
        if text == self.text {
            return;
        }
        let old = self.text.as_bytes();
        let new = text.as_bytes();
        let prefix = common_prefix(old, new);
        let room = old.len().min(new.len()) - prefix;
        let suffix = common_suffix(
            old.get(prefix..).unwrap_or_default(),
            new.get(prefix..).unwrap_or_default(),
        )
        .min(room);
        let old_end = old.len() - suffix;
        // The first step that read the changed bytes (or, for an insertion, the byte after).
        let Some(first) = self.steps.iter().position(|s| s.reach >= prefix) else {
            *self = Reparsable::new(self.file, text);
            return;
        };
        let start = &self.steps[first];
        let (pos, items, comments, diags) = (start.pos, start.items, start.comments, start.diags);
        let mut tree = std::mem::replace(
            &mut self.tree,
            Arc::new(ast::File {
                items: Vec::new(),
                comments: Vec::new(),
            }),
        );
        let all_items = std::mem::take(&mut Arc::make_mut(&mut tree).items);
        let old_steps = std::mem::take(&mut self.steps);
        let old_comments = std::mem::take(&mut self.raw_comments);
        let old_diags = std::mem::take(&mut self.raw_diags);
        let mut kept_items = all_items;
        let tail_items = kept_items.split_off(items);
        let mut kept_comments = old_comments;
        let tail_comments = kept_comments.split_off(comments);
        let mut kept_diags = old_diags;
        let tail_diags = kept_diags.split_off(diags);
        let mut steps = old_steps;
        let tail_steps = steps.split_off(first);
        self.steps = steps;
        let parts = Parts {
            items: kept_items,
            comments: kept_comments,
            diags: kept_diags,
        };
        let old_tail = OldTail {
            steps: tail_steps,
            items: tail_items,
            comments: tail_comments,
            diags: tail_diags,
            edit_end: old_end,
            delta: text.len() as i64 - self.text.len() as i64,
        };
        self.run(text, pos, parts, Some(old_tail));
    }

    /// Runs steps from `pos` (where `parts` holds what the steps before produced) until the
    /// end of the text, or until a step starts where an old step after the edit started.
    fn run(&mut self, text: &str, mut pos: usize, mut parts: Parts, mut old: Option<OldTail>) {
        let mut next_old = 0;
        self.ran = 0;
        loop {
            let resume = old.as_ref().and_then(|old| {
                // Old steps are in order: skip those the new steps have passed.
                while let Some(s) = old.steps.get(next_old) {
                    if (s.pos as i64 + old.delta) < pos as i64 {
                        next_old += 1;
                    } else {
                        break;
                    }
                }
                let s = old.steps.get(next_old)?;
                (s.pos >= old.edit_end && s.pos as i64 + old.delta == pos as i64)
                    .then_some(next_old)
            });
            if let Some(k) = resume
                && let Some(old) = old.take()
            {
                self.append_shifted(&mut parts, old, k);
                break;
            }
            let before = (parts.items.len(), parts.comments.len(), parts.diags.len());
            let next = parser::step(self.file, text, pos, &mut parts);
            self.ran += 1;
            let mut reach = match next {
                Some(n) => next_token(text, n).saturating_add(LOOKAHEAD),
                None => usize::MAX,
            };
            let produced = parts.items[before.0..]
                .iter()
                .map(Item::span)
                .chain(parts.comments[before.1..].iter().map(|c| c.span))
                .chain(parts.diags[before.2..].iter().map(|d| d.span));
            for span in produced {
                reach = reach.max((span.end as usize).saturating_add(LOOKAHEAD));
            }
            self.steps.push(Step {
                pos,
                reach,
                items: before.0,
                comments: before.1,
                diags: before.2,
            });
            match next {
                Some(n) => pos = n,
                None => break,
            }
        }
        text.clone_into(&mut self.text);
        let Parts {
            items,
            comments,
            diags,
        } = parts;
        let mut sorted_comments = comments.clone();
        let mut sorted_diags = diags.clone();
        parser::finish_sorting(&mut sorted_comments, &mut sorted_diags);
        self.tree = Arc::new(ast::File {
            items,
            comments: sorted_comments,
        });
        self.raw_comments = comments;
        self.raw_diags = diags;
        self.diags = sorted_diags;
    }

    /// Appends the results of the old steps from the `k`th on, moved by the edit's change
    /// in length.
    fn append_shifted(&mut self, parts: &mut Parts, old: OldTail, k: usize) {
        let (file, delta) = (self.file, old.delta);
        let (Some(first), Some(resumed)) = (old.steps.first(), old.steps.get(k)) else {
            return;
        };
        let skip = (
            resumed.items - first.items,
            resumed.comments - first.comments,
            resumed.diags - first.diags,
        );
        let base = (
            parts.items.len() as i64 - resumed.items as i64,
            parts.comments.len() as i64 - resumed.comments as i64,
            parts.diags.len() as i64 - resumed.diags as i64,
        );
        for s in old.steps.into_iter().skip(k) {
            self.steps.push(Step {
                pos: (s.pos as i64 + delta) as usize,
                reach: if s.reach == usize::MAX {
                    usize::MAX
                } else {
                    (s.reach as i64 + delta).max(0) as usize
                },
                items: (s.items as i64 + base.0) as usize,
                comments: (s.comments as i64 + base.1) as usize,
                diags: (s.diags as i64 + base.2) as usize,
            });
        }
        let mut shift = Shift { file, delta };
        let start = parts.items.len();
        parts.items.extend(old.items.into_iter().skip(skip.0));
        shift.items(parts.items.get_mut(start..).unwrap_or_default());
        for mut c in old.comments.into_iter().skip(skip.1) {
            shift.span(&mut c.span);
            parts.comments.push(c);
        }
        for mut d in old.diags.into_iter().skip(skip.2) {
            shift.span(&mut d.span);
            for l in &mut d.labels {
                shift.span(&mut l.span);
            }
            parts.diags.push(d);
        }
    }
}

/// The old steps from the edit on, and what they produced.
struct OldTail {
    steps: Vec<Step>,
    items: Vec<Item>,
    comments: Vec<ast::Comment>,
    diags: Vec<Diagnostic>,
    /// Where the edit ended in the old text.
    edit_end: usize,
    /// New length minus old length.
    delta: i64,
}

/// How many bytes two texts share at their start. Compared a block at a time (a slice
/// comparison is a `memcmp`): the edit can be anywhere in a file of megabytes.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 256;
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + BLOCK <= n && a[i..i + BLOCK] == b[i..i + BLOCK] {
        i += BLOCK;
    }
    i + a[i..n]
        .iter()
        .zip(&b[i..n])
        .take_while(|(x, y)| x == y)
        .count()
}

/// How many bytes two texts share at their end.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 256;
    let n = a.len().min(b.len());
    let (a, b) = (&a[a.len() - n..], &b[b.len() - n..]);
    let mut k = 0;
    while k + BLOCK <= n && a[n - k - BLOCK..n - k] == b[n - k - BLOCK..n - k] {
        k += BLOCK;
    }
    k + a[..n - k]
        .iter()
        .rev()
        .zip(b[..n - k].iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

/// The first byte at or after `pos` that is not whitespace or a comment.
fn next_token(text: &str, mut pos: usize) -> usize {
    let b = text.as_bytes();
    while let Some(&c) = b.get(pos) {
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => pos += 1,
            b'#' => pos = line_end(b, pos),
            b'/' if b.get(pos + 1) == Some(&b'/') => pos = line_end(b, pos),
            b'/' if b.get(pos + 1) == Some(&b'*') => {
                pos = text
                    .get(pos + 2..)
                    .and_then(|r| r.find("*/"))
                    .map_or(text.len(), |i| pos + 2 + i + 2)
            }
            _ => break,
        }
    }
    pos
}

fn line_end(b: &[u8], pos: usize) -> usize {
    b[pos..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |i| pos + i)
}

/// Moves every span of a tree by the same number of bytes.
struct Shift {
    file: FileId,
    delta: i64,
}

impl Shift {
    fn span(&mut self, s: &mut Span) {
        if s.file == self.file {
            s.start = (s.start as i64 + self.delta) as u32;
            s.end = (s.end as i64 + self.delta) as u32;
        }
    }

    fn items(&mut self, items: &mut [Item]) {
        // Nothing moves when the edit kept the length (a letter replaced).
        if self.delta != 0 {
            items.iter_mut().for_each(|i| self.item(i));
        }
    }

    fn ident(&mut self, i: &mut ast::Ident) {
        self.span(&mut i.span);
    }

    fn attrs(&mut self, attrs: &mut [ast::Attribute]) {
        for a in attrs {
            self.ident(&mut a.name);
            self.expr(&mut a.value);
            self.span(&mut a.span);
        }
    }

    fn item(&mut self, item: &mut Item) {
        match item {
            Item::Param(p) => {
                self.ident(&mut p.name);
                self.ty(&mut p.ty);
                if let Some(e) = &mut p.default {
                    self.expr(e);
                }
                self.span(&mut p.span);
            }
            Item::Let(l) => {
                self.ident(&mut l.name);
                self.expr(&mut l.value);
                self.span(&mut l.span);
            }
            Item::Resource(r) => {
                self.ident(&mut r.name);
                self.ident(&mut r.type_name);
                if let Some(f) = &mut r.for_each {
                    if let Some(k) = &mut f.key {
                        self.ident(k);
                    }
                    self.ident(&mut f.value);
                    self.expr(&mut f.collection);
                    self.span(&mut f.span);
                }
                self.attrs(&mut r.body);
                self.span(&mut r.span);
            }
            Item::Module(m) => {
                self.ident(&mut m.name);
                self.span(&mut m.source_span);
                self.attrs(&mut m.body);
                self.span(&mut m.span);
            }
            Item::Output(o) => {
                self.ident(&mut o.name);
                if let Some(t) = &mut o.ty {
                    self.ty(t);
                }
                self.expr(&mut o.value);
                self.span(&mut o.span);
            }
            Item::Environment(e) => {
                self.ident(&mut e.name);
                self.attrs(&mut e.body);
                self.span(&mut e.span);
            }
            Item::Import(i) => {
                self.ident(&mut i.keyword);
                self.attrs(&mut i.body);
                self.span(&mut i.span);
            }
            Item::Function(f) => {
                self.ident(&mut f.name);
                for p in &mut f.params {
                    self.ident(&mut p.name);
                    self.ty(&mut p.ty);
                }
                if let Some(t) = &mut f.ret {
                    self.ty(t);
                }
                self.expr(&mut f.body);
                self.span(&mut f.span);
            }
        }
    }

    fn ty(&mut self, t: &mut TypeExpr) {
        match &mut t.kind {
            TypeExprKind::Named(_) | TypeExprKind::Enum(_) => {}
            TypeExprKind::List(x) | TypeExprKind::Map(x) => self.ty(x),
            TypeExprKind::Object(fields) => {
                for f in fields {
                    self.ident(&mut f.name);
                    self.ty(&mut f.ty);
                }
            }
        }
        self.span(&mut t.span);
    }

    fn entries(&mut self, entries: &mut [ast::ObjectEntry]) {
        for en in entries {
            self.ident(&mut en.key);
            self.expr(&mut en.value);
            self.span(&mut en.span);
        }
    }

    fn expr(&mut self, e: &mut Expr) {
        match &mut e.kind {
            ExprKind::Null | ExprKind::Bool(_) | ExprKind::Int(_) | ExprKind::Float(_) => {}
            ExprKind::Str { parts, .. } => {
                for p in parts {
                    if let StrPart::Interp(x) = p {
                        self.expr(x);
                    }
                }
            }
            ExprKind::List(items) => {
                for x in items {
                    self.expr(x);
                }
            }
            ExprKind::Object(entries) => self.entries(entries),
            ExprKind::Tagged { tag, entries } => {
                self.ident(tag);
                self.entries(entries);
            }
            ExprKind::Ref(id) => self.ident(id),
            ExprKind::Member(b, id) => {
                self.expr(b);
                self.ident(id);
            }
            ExprKind::Unary(_, b) | ExprKind::Paren(b) => self.expr(b),
            ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => {
                self.expr(a);
                self.expr(b);
            }
            ExprKind::Call { name, args } => {
                self.ident(name);
                for x in args {
                    self.expr(x);
                }
            }
            ExprKind::Cond(a, b, c) => {
                self.expr(a);
                self.expr(b);
                self.expr(c);
            }
            ExprKind::ListFor(c) | ExprKind::ObjectFor(c) => {
                if let Some(k) = &mut c.key {
                    self.ident(k);
                }
                self.ident(&mut c.value);
                self.expr(&mut c.collection);
                if let Some(k) = &mut c.key_expr {
                    self.expr(k);
                }
                self.expr(&mut c.body);
                if let Some(x) = &mut c.cond {
                    self.expr(x);
                }
            }
        }
        self.span(&mut e.span);
    }
}

#[cfg(test)]
#[path = "incremental_tests.rs"]
mod tests;
