//! Helpers shared by the syntax and fmt tests (included with `#[path]`).

#![allow(dead_code)]

use infra_lang::syntax::ast::*;
use infra_lang::{FileId, Span};

/// Parses `text`, failing the test with the diagnostics if there are any.
pub fn parse_ok(text: &str) -> File {
    let (file, diags) = infra_lang::syntax::parse(FileId(0), text);
    assert!(
        diags.is_empty(),
        "unexpected diagnostics for:\n{text}\n{diags:#?}"
    );
    file
}

/// The tree with every span zeroed and comments dropped, for comparing trees of
/// differently laid out sources.
pub fn without_spans(file: &File) -> File {
    let mut f = file.clone();
    f.comments.clear();
    for item in &mut f.items {
        match item {
            Item::Param(p) => {
                p.span = Span::default();
                ident(&mut p.name);
                ty(&mut p.ty);
                p.default.iter_mut().for_each(expr);
            }
            Item::Let(l) => {
                l.span = Span::default();
                ident(&mut l.name);
                expr(&mut l.value);
            }
            Item::Resource(r) => {
                r.span = Span::default();
                ident(&mut r.name);
                ident(&mut r.type_name);
                if let Some(fe) = &mut r.for_each {
                    fe.span = Span::default();
                    fe.key.iter_mut().for_each(ident);
                    ident(&mut fe.value);
                    expr(&mut fe.collection);
                }
                r.body.iter_mut().for_each(attr);
            }
            Item::Module(m) => {
                m.span = Span::default();
                m.source_span = Span::default();
                ident(&mut m.name);
                m.body.iter_mut().for_each(attr);
            }
            Item::Output(o) => {
                o.span = Span::default();
                ident(&mut o.name);
                o.ty.iter_mut().for_each(ty);
                expr(&mut o.value);
            }
            Item::Environment(e) => {
                e.span = Span::default();
                ident(&mut e.name);
                e.body.iter_mut().for_each(attr);
            }
            Item::Import(i) => {
                i.span = Span::default();
                ident(&mut i.keyword);
                i.body.iter_mut().for_each(attr);
            }
            Item::Function(f) => {
                f.span = Span::default();
                ident(&mut f.name);
                for p in &mut f.params {
                    ident(&mut p.name);
                    ty(&mut p.ty);
                }
                f.ret.iter_mut().for_each(ty);
                expr(&mut f.body);
            }
        }
    }
    f
}

fn ident(i: &mut Ident) {
    i.span = Span::default();
}

fn attr(a: &mut Attribute) {
    a.span = Span::default();
    ident(&mut a.name);
    expr(&mut a.value);
}

fn ty(t: &mut TypeExpr) {
    t.span = Span::default();
    match &mut t.kind {
        TypeExprKind::List(x) | TypeExprKind::Map(x) => ty(x),
        TypeExprKind::Object(fields) => {
            for f in fields {
                ident(&mut f.name);
                ty(&mut f.ty);
            }
        }
        TypeExprKind::Named(_) | TypeExprKind::Enum(_) => {}
    }
}

fn entry(e: &mut ObjectEntry) {
    e.span = Span::default();
    ident(&mut e.key);
    expr(&mut e.value);
}

pub fn expr(e: &mut Expr) {
    e.span = Span::default();
    match &mut e.kind {
        ExprKind::Null | ExprKind::Bool(_) | ExprKind::Int(_) | ExprKind::Float(_) => {}
        ExprKind::Str { parts, .. } => {
            for p in parts {
                if let StrPart::Interp(x) = p {
                    expr(x);
                }
            }
        }
        ExprKind::List(xs) => xs.iter_mut().for_each(expr),
        ExprKind::Object(es) => es.iter_mut().for_each(entry),
        ExprKind::Ref(i) => ident(i),
        ExprKind::Member(x, i) => {
            expr(x);
            ident(i);
        }
        ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => {
            expr(a);
            expr(b);
        }
        ExprKind::Call { name, args } => {
            ident(name);
            args.iter_mut().for_each(expr);
        }
        ExprKind::Unary(_, x) | ExprKind::Paren(x) => expr(x),
        ExprKind::Cond(a, b, c) => {
            expr(a);
            expr(b);
            expr(c);
        }
        ExprKind::ListFor(c) | ExprKind::ObjectFor(c) => {
            c.key.iter_mut().for_each(ident);
            ident(&mut c.value);
            expr(&mut c.collection);
            c.key_expr.iter_mut().for_each(expr);
            expr(&mut c.body);
            c.cond.iter_mut().for_each(expr);
        }
        ExprKind::Tagged { tag, entries } => {
            ident(tag);
            entries.iter_mut().for_each(entry);
        }
    }
}
