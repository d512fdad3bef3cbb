//! `textDocument/semanticTokens/full`: what each name is (a param, a let, a resource, a module,
//! a loop variable, a property, a function, a resource type), which a TextMate grammar cannot
//! know. Keywords, strings, numbers and comments are left to the grammar.

use super::analysis::Analysis;
use super::names;
use super::position::LineIndex;
use infra_lang::Span;
use infra_lang::syntax::ast::{self, Expr, ExprKind, Item, StrPart};
use lsp_types::{
    SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokens, SemanticTokensLegend,
};
use std::collections::HashMap;

const NAMESPACE: u32 = 0;
const TYPE: u32 = 1;
const PARAMETER: u32 = 2;
const VARIABLE: u32 = 3;
const PROPERTY: u32 = 4;
const FUNCTION: u32 = 5;

const DECLARATION: u32 = 1;
const READONLY: u32 = 2;

pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: vec![
            SemanticTokenType::NAMESPACE,
            SemanticTokenType::TYPE,
            SemanticTokenType::PARAMETER,
            SemanticTokenType::VARIABLE,
            SemanticTokenType::PROPERTY,
            SemanticTokenType::FUNCTION,
        ],
        token_modifiers: vec![
            SemanticTokenModifier::DECLARATION,
            SemanticTokenModifier::READONLY,
        ],
    }
}

/// The token type of a name declared by an item.
fn kind_of(item: &Item) -> Option<(u32, u32)> {
    match item {
        Item::Param(_) => Some((PARAMETER, READONLY)),
        Item::Let(_) => Some((VARIABLE, READONLY)),
        Item::Resource(_) => Some((VARIABLE, 0)),
        Item::Module(_) => Some((NAMESPACE, 0)),
        Item::Output(_) => Some((PROPERTY, 0)),
        Item::Environment(_) => Some((NAMESPACE, 0)),
        Item::Import(_) => None,
        Item::Function(_) => Some((FUNCTION, 0)),
    }
}

pub fn tokens(analysis: &Analysis, text: &str) -> SemanticTokens {
    let Some(file) = names::document_tree(analysis) else {
        return SemanticTokens::default();
    };
    let kinds: HashMap<&str, (u32, u32)> = names::items(analysis)
        .into_iter()
        .filter(|(_, i)| !matches!(i, Item::Output(_) | Item::Environment(_)))
        .filter_map(|(_, i)| Some((i.name().name.as_str(), kind_of(i)?)))
        .collect();
    let mut collect = Collect {
        kinds: &kinds,
        loop_vars: Vec::new(),
        out: Vec::new(),
    };
    collect.file(file);
    let mut raw = collect.out;
    raw.sort_by_key(|(span, _, _)| span.start);
    encode(&raw, text)
}

struct Collect<'a> {
    kinds: &'a HashMap<&'a str, (u32, u32)>,
    loop_vars: Vec<String>,
    out: Vec<(Span, u32, u32)>,
}

impl Collect<'_> {
    fn push(&mut self, span: Span, kind: u32, mods: u32) {
        if span.end > span.start {
            self.out.push((span, kind, mods));
        }
    }

    fn file(&mut self, file: &ast::File) {
        for item in &file.items {
            if let Some((kind, mods)) = kind_of(item) {
                self.push(item.name().span, kind, mods | DECLARATION);
            }
            match item {
                Item::Param(p) => {
                    if let ast::TypeExprKind::Named(n) = &p.ty.kind
                        && n.contains('.')
                    {
                        self.push(p.ty.span, TYPE, 0);
                    }
                    if let Some(d) = &p.default {
                        self.expr(d);
                    }
                }
                Item::Let(l) => self.expr(&l.value),
                Item::Output(o) => self.expr(&o.value),
                Item::Resource(r) => {
                    // A quoted ARM reference's span covers its quotes: colour the text only.
                    let t = r.type_name.span;
                    let t = if r.type_ref && t.end > t.start + 1 {
                        Span::new(t.file, t.start as usize + 1, t.end as usize - 1)
                    } else {
                        t
                    };
                    self.push(t, TYPE, 0);
                    let mut vars = Vec::new();
                    if let Some(f) = &r.for_each {
                        for v in f.key.iter().chain([&f.value]) {
                            self.push(v.span, VARIABLE, DECLARATION);
                            vars.push(v.name.clone());
                        }
                        self.expr(&f.collection);
                    }
                    let before = self.loop_vars.len();
                    self.loop_vars.extend(vars);
                    self.attrs(&r.body);
                    self.loop_vars.truncate(before);
                }
                Item::Module(m) => self.attrs(&m.body),
                Item::Environment(e) => self.attrs(&e.body),
                Item::Import(i) => self.attrs(&i.body),
                Item::Function(f) => {
                    let before = self.loop_vars.len();
                    for p in &f.params {
                        self.push(p.name.span, PARAMETER, DECLARATION);
                        self.loop_vars.push(p.name.name.clone());
                    }
                    self.expr(&f.body);
                    self.loop_vars.truncate(before);
                }
            }
        }
    }

    fn attrs(&mut self, attrs: &[ast::Attribute]) {
        for a in attrs {
            self.push(a.name.span, PROPERTY, 0);
            self.expr(&a.value);
        }
    }

    fn expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Ref(id) => {
                let kind = if self.loop_vars.contains(&id.name) {
                    Some((VARIABLE, 0))
                } else {
                    self.kinds.get(id.name.as_str()).copied()
                };
                if let Some((k, m)) = kind {
                    self.push(id.span, k, m);
                }
            }
            ExprKind::Member(base, field) => {
                self.expr(base);
                self.push(field.span, PROPERTY, 0);
            }
            ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => {
                self.expr(a);
                self.expr(b);
            }
            ExprKind::Call { name, args } => {
                self.push(name.span, FUNCTION, 0);
                args.iter().for_each(|x| self.expr(x));
            }
            ExprKind::List(items) => items.iter().for_each(|x| self.expr(x)),
            ExprKind::Str { parts, .. } => {
                for p in parts {
                    if let StrPart::Interp(x) = p {
                        self.expr(x);
                    }
                }
            }
            ExprKind::Object(entries) | ExprKind::Tagged { entries, .. } => {
                for en in entries {
                    if !en.quoted {
                        self.push(en.key.span, PROPERTY, 0);
                    }
                    self.expr(&en.value);
                }
            }
            ExprKind::Unary(_, x) | ExprKind::Paren(x) => self.expr(x),
            ExprKind::Cond(c, a, b) => {
                self.expr(c);
                self.expr(a);
                self.expr(b);
            }
            ExprKind::ListFor(c) | ExprKind::ObjectFor(c) => {
                self.expr(&c.collection);
                let before = self.loop_vars.len();
                for v in c.key.iter().chain([&c.value]) {
                    self.push(v.span, VARIABLE, DECLARATION);
                    self.loop_vars.push(v.name.clone());
                }
                for x in [c.key_expr.as_ref(), Some(&c.body), c.cond.as_ref()]
                    .into_iter()
                    .flatten()
                {
                    self.expr(x);
                }
                self.loop_vars.truncate(before);
            }
            ExprKind::Null | ExprKind::Bool(_) | ExprKind::Int(_) | ExprKind::Float(_) => {}
        }
    }
}

/// LSP's relative encoding: each token's line and start from the previous one, in UTF-16.
fn encode(raw: &[(Span, u32, u32)], text: &str) -> SemanticTokens {
    let idx = LineIndex::new(text);
    let mut data = Vec::with_capacity(raw.len());
    let (mut line, mut start) = (0u32, 0u32);
    let mut last_end = 0usize;
    for (span, kind, mods) in raw {
        let (s, e) = (span.start as usize, span.end as usize);
        // Overlapping tokens are not allowed; the first one wins.
        if s < last_end {
            continue;
        }
        let from = idx.position(s);
        let to = idx.position(e);
        if to.line != from.line {
            continue;
        }
        let delta_line = from.line - line;
        let delta_start = if delta_line == 0 {
            from.character - start
        } else {
            from.character
        };
        data.push(SemanticToken {
            delta_line,
            delta_start,
            length: to.character - from.character,
            token_type: *kind,
            token_modifiers_bitset: *mods,
        });
        line = from.line;
        start = from.character;
        last_end = e;
    }
    SemanticTokens {
        result_id: None,
        data,
    }
}
