//! Type inference for expressions: a [`Type`] and a secret flag for each. Reference shapes
//! (`pg.fqdn`, `record["www"]`, `m.out`) are in `places.rs`; checking against an expected
//! type in `expected.rs`.

use super::module::ModuleChecker;
use super::names::MAX_DEPTH;
use crate::diag;
use crate::span::Span;
use crate::syntax::ast::{self, BinaryOp, Comprehension, Expr, ExprKind, StrPart, UnaryOp};
use infra_provider_core::{Field, Type};
use std::collections::HashMap;

/// The type of an expression and whether its value is (or contains) a secret.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ty {
    pub ty: Type,
    pub secret: bool,
}

impl Ty {
    pub fn any() -> Ty {
        Ty {
            ty: Type::Any,
            secret: false,
        }
    }
    pub fn plain(ty: Type) -> Ty {
        Ty { ty, secret: false }
    }
    /// A declared type: secret when it mentions `secret` anywhere.
    pub fn of(ty: Type) -> Ty {
        let secret = contains_secret_type(&ty);
        Ty { ty, secret }
    }
}

pub(crate) fn contains_secret_type(t: &Type) -> bool {
    match t {
        Type::Secret => true,
        Type::List(x) | Type::Map(x) => contains_secret_type(x),
        Type::Object(fields) => fields.iter().any(|f| contains_secret_type(&f.ty)),
        _ => false,
    }
}

/// The narrowest type both `a` and `b` fit in; `any` when they have nothing in common.
pub(crate) fn unify(a: &Type, b: &Type) -> Type {
    match (a, b) {
        _ if a == b => a.clone(),
        (Type::Null, x) | (x, Type::Null) => x.clone(),
        (Type::Int, Type::Float) | (Type::Float, Type::Int) => Type::Float,
        (Type::List(x), Type::List(y)) => Type::list(unify(x, y)),
        (Type::Map(x), Type::Map(y)) => Type::map(unify(x, y)),
        _ if is_stringish(a) && is_stringish(b) => Type::String,
        _ => Type::Any,
    }
}

pub(crate) fn is_stringish(t: &Type) -> bool {
    matches!(
        t,
        Type::String | Type::Secret | Type::Enum(_) | Type::Resource(_)
    )
}

fn is_number(t: &Type) -> bool {
    matches!(t, Type::Int | Type::Float)
}

const BUILTIN_TYPES: [&str; 6] = ["string", "int", "float", "bool", "any", "secret"];

impl ModuleChecker<'_> {
    pub(crate) fn infer(&mut self, e: &Expr) -> Ty {
        if self.depth >= MAX_DEPTH {
            self.diags.push(diag::types::type_error(
                "expression nested too deeply",
                e.span,
                "too deep",
            ));
            return Ty::any();
        }
        self.depth += 1;
        // Literal objects and lists pass on that their type is not asked; any other
        // expression asks its operands' types.
        let discarded = self.discarded.get();
        let passes = matches!(
            e.kind,
            ExprKind::Object(_) | ExprKind::List(_) | ExprKind::Paren(_) | ExprKind::Ref(_)
        );
        self.discarded.set(discarded && passes);
        let t = self.infer_inner(e);
        self.discarded.set(discarded);
        self.depth -= 1;
        t
    }

    fn infer_inner(&mut self, e: &Expr) -> Ty {
        match &e.kind {
            ExprKind::Null => Ty::plain(Type::Null),
            ExprKind::Bool(_) => Ty::plain(Type::Bool),
            ExprKind::Int(_) => Ty::plain(Type::Int),
            ExprKind::Float(_) => Ty::plain(Type::Float),
            ExprKind::Str { parts, .. } => self.infer_string(parts),
            ExprKind::List(items) => {
                let mut elem: Option<Type> = None;
                let mut secret = false;
                for x in items {
                    let t = self.infer(x);
                    secret |= t.secret;
                    elem = Some(match elem {
                        None => t.ty,
                        Some(prev) => unify(&prev, &t.ty),
                    });
                }
                Ty {
                    ty: Type::list(elem.unwrap_or(Type::Any)),
                    secret,
                }
            }
            ExprKind::Object(entries) => self.infer_object(entries),
            ExprKind::Ref(_) | ExprKind::Member(..) | ExprKind::Index(..) => {
                let place = self.infer_place(e);
                self.place_type(place)
            }
            ExprKind::Call { name, args } => self.infer_call(name, args, e.span),
            ExprKind::Unary(op, x) => self.infer_unary(*op, x),
            ExprKind::Binary(op, a, b) => self.infer_binary(*op, a, b),
            ExprKind::Cond(c, a, b) => {
                let tc = self.expect_bool(c);
                let ta = self.infer(a);
                let tb = self.infer(b);
                Ty {
                    ty: unify(&ta.ty, &tb.ty),
                    secret: tc.secret || ta.secret || tb.secret,
                }
            }
            ExprKind::ListFor(c) => {
                let (body, _) = self.infer_comprehension(c);
                Ty {
                    ty: Type::list(body.ty),
                    secret: body.secret,
                }
            }
            ExprKind::ObjectFor(c) => {
                let (body, key_secret) = self.infer_comprehension(c);
                Ty {
                    ty: Type::map(body.ty),
                    secret: body.secret || key_secret,
                }
            }
            ExprKind::Tagged { tag, entries } => {
                self.diags.push(diag::types::type_error(
                    format!(
                        "`{} {{ ... }}` is only valid as an environment's `target` or `state`",
                        tag.name
                    ),
                    e.span,
                    "not valid here",
                ));
                for en in entries {
                    self.infer(&en.value);
                }
                Ty::any()
            }
            ExprKind::Paren(x) => self.infer(x),
        }
    }

    fn infer_string(&mut self, parts: &[StrPart]) -> Ty {
        let mut secret = false;
        for p in parts {
            if let StrPart::Interp(x) = p {
                // A bare name here is read only for whether it is a collection and secret:
                // the kept check of the declaration says so (memo.rs).
                self.interpolated.set(matches!(x.kind, ExprKind::Ref(_)));
                let t = self.infer(x);
                self.interpolated.set(false);
                secret |= t.secret;
                if matches!(t.ty, Type::List(_) | Type::Map(_) | Type::Object(_)) {
                    self.diags.push(diag::types::type_error(
                        format!("cannot interpolate {} into a string", t.ty),
                        x.span,
                        "not a string, number or bool",
                    ));
                }
            }
        }
        Ty {
            ty: Type::String,
            secret,
        }
    }

    fn infer_object(&mut self, entries: &[ast::ObjectEntry]) -> Ty {
        // Most objects have a few keys: looking back costs less than a table for those.
        let mut seen: Option<HashMap<&str, Span>> = (entries.len() > 16).then(HashMap::new);
        let mut fields = Vec::with_capacity(entries.len());
        let mut secret = false;
        for (i, en) in entries.iter().enumerate() {
            let t = self.infer(&en.value);
            secret |= t.secret;
            let name = en.key.name.as_str();
            let earlier = match &mut seen {
                Some(seen) => seen.get(name).copied(),
                None => entries
                    .get(..i)
                    .unwrap_or_default()
                    .iter()
                    .find(|e| e.key.name == name)
                    .map(|e| e.key.span),
            };
            if let Some(first) = earlier {
                self.diags.push(diag::types::duplicate_property(
                    &en.key.name,
                    en.key.span,
                    first,
                ));
                continue;
            }
            if let Some(seen) = &mut seen {
                seen.insert(name, en.key.span);
            }
            fields.push(Field::required(&en.key.name, t.ty));
        }
        Ty {
            ty: Type::Object(fields),
            secret,
        }
    }

    pub(crate) fn expect_bool(&mut self, e: &Expr) -> Ty {
        let t = self.infer(e);
        if !t.ty.assignable_to(&Type::Bool) {
            self.diags
                .push(diag::types::type_mismatch(&Type::Bool, &t.ty, e.span));
        }
        t
    }

    fn infer_unary(&mut self, op: UnaryOp, x: &Expr) -> Ty {
        match op {
            UnaryOp::Not => {
                let t = self.expect_bool(x);
                Ty {
                    ty: Type::Bool,
                    secret: t.secret,
                }
            }
            UnaryOp::Neg => {
                let t = self.infer(x);
                if !(is_number(&t.ty) || t.ty == Type::Any) {
                    self.diags.push(diag::types::type_error(
                        format!("`-` expects a number, found {}", t.ty),
                        x.span,
                        "not a number",
                    ));
                    return Ty {
                        ty: Type::Any,
                        secret: t.secret,
                    };
                }
                t
            }
        }
    }

    fn infer_binary(&mut self, op: BinaryOp, a: &Expr, b: &Expr) -> Ty {
        let ta = self.infer(a);
        let tb = self.infer(b);
        let secret = ta.secret || tb.secret;
        let (x, y) = (&ta.ty, &tb.ty);
        let any = *x == Type::Any || *y == Type::Any;
        let ty = match op {
            BinaryOp::Eq | BinaryOp::Ne => Some(Type::Bool),
            BinaryOp::And | BinaryOp::Or => {
                let ok = |t: &Type| t.assignable_to(&Type::Bool) && *t != Type::Null;
                (ok(x) && ok(y)).then_some(Type::Bool)
            }
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                let ok =
                    any || (is_number(x) && is_number(y)) || (is_stringish(x) && is_stringish(y));
                ok.then_some(Type::Bool)
            }
            BinaryOp::Add => match (x, y) {
                _ if any => Some(Type::Any),
                (Type::Int, Type::Int) => Some(Type::Int),
                _ if is_number(x) && is_number(y) => Some(Type::Float),
                (Type::List(p), Type::List(q)) => Some(Type::list(unify(p, q))),
                _ if is_stringish(x) && is_stringish(y) => Some(Type::String),
                _ => None,
            },
            BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => match (x, y) {
                _ if any => Some(Type::Any),
                (Type::Int, Type::Int) => Some(Type::Int),
                _ if is_number(x) && is_number(y) => Some(Type::Float),
                _ => None,
            },
        };
        match ty {
            Some(ty) => Ty { ty, secret },
            None => {
                let what = match op {
                    BinaryOp::And | BinaryOp::Or => "two bools",
                    BinaryOp::Add => "two numbers, two strings or two lists",
                    BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                        "two numbers or two strings"
                    }
                    _ => "two numbers",
                };
                // Blame the operand that cannot fit: the right one when the left one could.
                let left_fits = match op {
                    BinaryOp::And | BinaryOp::Or => x.assignable_to(&Type::Bool),
                    BinaryOp::Add => is_number(x) || is_stringish(x) || matches!(x, Type::List(_)),
                    BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                        is_number(x) || is_stringish(x)
                    }
                    _ => is_number(x),
                };
                let span = if left_fits { b.span } else { a.span };
                self.diags.push(diag::types::type_error(
                    format!("`{}` expects {what}, found {x} and {y}", op.symbol()),
                    span,
                    "wrong operand type",
                ));
                Ty {
                    ty: Type::Any,
                    secret,
                }
            }
        }
    }

    /// Infers a comprehension's body with its variables bound; returns the body's type and
    /// whether the key expression (object comprehensions) is secret.
    fn infer_comprehension(&mut self, c: &Comprehension) -> (Ty, bool) {
        let coll = self.infer(&c.collection);
        let (key_ty, value_ty) =
            self.iteration_types(&coll.ty, c.collection.span, "a comprehension");
        let mark = self.locals.len();
        if let Some(k) = &c.key {
            let t = Ty {
                ty: key_ty,
                secret: coll.secret,
            };
            self.locals.push((k.name.clone(), t, false));
        }
        let is_ref = self.reference_collection(&c.collection).is_some();
        let t = Ty {
            ty: value_ty,
            secret: coll.secret,
        };
        self.locals.push((c.value.name.clone(), t, is_ref));
        let mut key_secret = false;
        if let Some(k) = &c.key_expr {
            let t = self.infer(k);
            key_secret = t.secret;
            if !is_stringish(&t.ty) && t.ty != Type::Any {
                self.diags
                    .push(diag::types::type_mismatch(&Type::String, &t.ty, k.span));
            }
        }
        let mut body = self.infer(&c.body);
        if let Some(cond) = &c.cond {
            body.secret |= self.expect_bool(cond).secret;
        }
        body.secret |= coll.secret;
        self.locals.truncate(mark);
        (body, key_secret)
    }

    /// Key and element types when iterating over a collection of type `t`.
    pub(crate) fn iteration_types(&mut self, t: &Type, span: Span, what: &str) -> (Type, Type) {
        match t {
            Type::List(x) => (Type::Int, (**x).clone()),
            Type::Map(x) => (Type::String, (**x).clone()),
            Type::Object(fields) => {
                let v = fields
                    .iter()
                    .map(|f| f.ty.clone())
                    .reduce(|a, b| unify(&a, &b));
                (Type::String, v.unwrap_or(Type::Any))
            }
            Type::Any => (Type::Any, Type::Any),
            other => {
                self.diags.push(diag::types::type_error(
                    format!("{what} iterates over a list or a map, found {other}"),
                    span,
                    "not a collection",
                ));
                (Type::Any, Type::Any)
            }
        }
    }

    fn infer_call(&mut self, name: &ast::Ident, args: &[Expr], span: Span) -> Ty {
        if let Some(t) = self.infer_user_call(name, args, span) {
            return t;
        }
        let Some(sig) = infra_stdlib::signature(&name.name) else {
            self.note_untracked();
            let own: Vec<String> = self.functions.keys().cloned().collect();
            let names = infra_stdlib::signatures()
                .iter()
                .map(|s| s.name)
                .chain(own.iter().map(String::as_str));
            let suggestion = diag::did_you_mean(&name.name, names);
            self.diags.push(diag::functions::unknown_function(
                &name.name, name.span, suggestion,
            ));
            let mut secret = false;
            for a in args {
                secret |= self.infer(a).secret;
            }
            return Ty {
                ty: Type::Any,
                secret,
            };
        };
        self.refuse_impure(sig, span);
        if !sig.accepts(args.len()) {
            self.diags.push(diag::functions::arg_count(
                sig.name,
                &sig.arity_text(),
                args.len(),
                span,
                &sig.synopsis(),
            ));
        }
        let mut secret = false;
        for (i, arg) in args.iter().enumerate() {
            let t = self.infer(arg);
            secret |= t.secret;
            if let Some(expected) = sig.param_type(i)
                && !t.ty.assignable_to(expected)
            {
                let (exp, found) = (expected.to_string(), t.ty.to_string());
                self.diags.push(diag::functions::arg_type(
                    sig.name,
                    i + 1,
                    &exp,
                    &found,
                    arg.span,
                ));
            }
        }
        if sig.returns == Type::Secret && self.secret_origin.is_none() {
            self.secret_origin = Some((span, format!("`{}(...)`", sig.name)));
        }
        Ty {
            ty: sig.returns.clone(),
            secret: secret || sig.returns == Type::Secret,
        }
    }

    /// Converts a written type; unknown names are E0306, unknown resource types E0202.
    pub(crate) fn convert_type(&mut self, t: &ast::TypeExpr) -> Type {
        match &t.kind {
            ast::TypeExprKind::Named(n) => match n.as_str() {
                "string" => Type::String,
                "int" => Type::Int,
                "float" => Type::Float,
                "bool" => Type::Bool,
                "any" => Type::Any,
                "secret" => Type::Secret,
                dotted if dotted.contains('.') => {
                    if self.schemas.get(dotted).is_some() {
                        self.use_type(dotted);
                        Type::Resource(dotted.to_string())
                    } else {
                        let suggestion = diag::did_you_mean(dotted, self.schemas.names());
                        self.diags.push(diag::names::unknown_resource_type(
                            dotted, t.span, suggestion,
                        ));
                        Type::Any
                    }
                }
                other => {
                    let suggestion = diag::did_you_mean(other, BUILTIN_TYPES);
                    self.diags
                        .push(diag::types::unknown_type(other, t.span, suggestion));
                    Type::Any
                }
            },
            ast::TypeExprKind::List(x) => Type::list(self.convert_type(x)),
            ast::TypeExprKind::Map(x) => Type::map(self.convert_type(x)),
            ast::TypeExprKind::Object(fields) => Type::Object(
                fields
                    .iter()
                    .map(|f| Field {
                        name: f.name.name.clone(),
                        ty: self.convert_type(&f.ty),
                        optional: f.optional,
                    })
                    .collect(),
            ),
            ast::TypeExprKind::Enum(values) => Type::Enum(values.clone()),
        }
    }
}
