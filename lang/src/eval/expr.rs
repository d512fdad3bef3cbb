//! Expression evaluation in one scope (module instance), with loop variables as locals.

use super::Resolver;
use super::build::{Instance, Scope};
use super::ops::{self, taint};
use super::place::{Place, Reeval};
use crate::check::ProgramData;
use crate::check::{META, parse_duration};
use crate::diag::{self, Diagnostic};
use crate::span::Span;
use crate::syntax::ast::{self, BinaryOp, Comprehension, Expr, ExprKind, StrPart};
use infra_provider_core::{DesiredResource, Lifecycle, Map, Value};
use infra_stdlib::Host;
use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};

/// Deeper nesting is refused rather than risking the stack.
const MAX_DEPTH: u32 = 256;

/// Why an evaluation step stopped: an error, or (re-evaluation only) a cached value that
/// must be recomputed first.
pub(crate) enum Fail {
    Diag(Diagnostic),
    Need(usize, usize),
}

impl From<Diagnostic> for Fail {
    fn from(d: Diagnostic) -> Fail {
        Fail::Diag(d)
    }
}

pub(crate) type R<T> = Result<T, Fail>;

pub(crate) fn to_diag(f: Fail) -> Diagnostic {
    match f {
        Fail::Diag(d) => d,
        Fail::Need(..) => diag::eval::eval_error(
            "value needed before it was evaluated",
            Span::NOWHERE,
            "internal",
        ),
    }
}

/// A loop variable: a value, or a resource instance when iterating over a literal collection
/// of resources (so that `app.identity` reads the attribute, not a field of an id).
#[derive(Clone)]
pub(crate) enum Local {
    Val(Value),
    Inst(usize),
}

pub(crate) type Locals<'e> = Vec<(&'e str, Local)>;

/// Elements of a literal collection of resources: key (map key or list index) and instance.
pub(crate) type RefItems = Vec<(Value, usize)>;

/// What a comprehension iterates over.
enum Iterated {
    Value(Value),
    Items(Vec<(Value, Local)>),
}

/// Read-only view of an evaluation in progress (or finished, for re-evaluation).
pub(crate) struct Cx<'a> {
    pub data: &'a ProgramData,
    pub scopes: &'a [Scope],
    pub instances: &'a [Instance],
    /// Indexed by instance while building; by `pos[instance]` once finished.
    pub resources: &'a [DesiredResource],
    pub pos: Option<&'a [usize]>,
    pub host: &'a dyn Host,
    pub resolver: &'a dyn Resolver,
    pub reeval: Option<&'a Reeval>,
    pub depth: Cell<u32>,
}

impl<'a> Cx<'a> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        data: &'a ProgramData,
        scopes: &'a [Scope],
        instances: &'a [Instance],
        resources: &'a [DesiredResource],
        pos: Option<&'a [usize]>,
        host: &'a dyn Host,
        resolver: &'a dyn Resolver,
        reeval: Option<&'a Reeval>,
    ) -> Self {
        Cx {
            data,
            scopes,
            instances,
            resources,
            pos,
            host,
            resolver,
            reeval,
            depth: Cell::new(0),
        }
    }

    /// The user-defined function `name` of the module scope `sc` evaluates in (the root
    /// module's for environment blocks, which are evaluated without scopes).
    fn user_function(&self, sc: usize, name: &str) -> Option<&'a ast::Function> {
        let data: &'a ProgramData = self.data;
        let module = data
            .modules
            .get(self.scopes.get(sc).map_or(0, |s| s.module))?;
        module.functions.get(name).map(|f| &**f)
    }

    pub fn resource_of(&self, inst: usize) -> Option<&'a DesiredResource> {
        let p = match self.pos {
            Some(pos) => *pos.get(inst)?,
            None => inst,
        };
        self.resources.get(p)
    }

    /// Evaluates outside re-evaluation, where nothing is ever missing.
    pub fn eval_top<'e>(
        &self,
        e: &'e Expr,
        sc: usize,
        locals: &mut Locals<'e>,
        deps: &mut BTreeSet<usize>,
    ) -> Result<Value, Diagnostic> {
        self.eval(e, sc, locals, deps).map_err(to_diag)
    }

    pub fn eval<'e>(
        &self,
        e: &'e Expr,
        sc: usize,
        locals: &mut Locals<'e>,
        deps: &mut BTreeSet<usize>,
    ) -> R<Value> {
        let depth = self.depth.get();
        if depth >= MAX_DEPTH {
            return Err(
                diag::eval::eval_error("expression nested too deeply", e.span, "too deep").into(),
            );
        }
        self.depth.set(depth + 1);
        let v = self.eval_inner(e, sc, locals, deps);
        self.depth.set(depth);
        v
    }

    /// One small function per kind of node, and loops for chains: in debug builds a single
    /// large match gives every level of nesting the stack frame of all its arms, and a
    /// chain of operators or of `? :` arms (up to the parser's 200 levels) would otherwise
    /// cost one such level per link.
    fn eval_inner<'e>(
        &self,
        e: &'e Expr,
        sc: usize,
        locals: &mut Locals<'e>,
        deps: &mut BTreeSet<usize>,
    ) -> R<Value> {
        Ok(match &e.kind {
            ExprKind::Null => Value::Null,
            ExprKind::Bool(b) => Value::Bool(*b),
            ExprKind::Int(i) => Value::Int(*i),
            ExprKind::Float(f) => Value::Float(*f),
            ExprKind::Str { parts, .. } => self.string(parts, sc, locals, deps)?,
            ExprKind::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for x in items {
                    out.push(self.eval(x, sc, locals, deps)?);
                }
                Value::List(out)
            }
            ExprKind::Object(entries) => {
                // Collected, then sorted once: a literal's keys come in the author's order.
                let mut out = Vec::with_capacity(entries.len());
                for en in entries {
                    out.push((en.key.name.clone(), self.eval(&en.value, sc, locals, deps)?));
                }
                Value::Object(Map::from_pairs(out))
            }
            ExprKind::Ref(_) | ExprKind::Member(..) | ExprKind::Index(..) => {
                let p = self.place(e, sc, locals, deps)?;
                self.place_value(p, deps)?
            }
            ExprKind::Call { name, args } => self.call(name, args, e.span, sc, locals, deps)?,
            ExprKind::Unary(..) => self.unary_chain(e, sc, locals, deps)?,
            ExprKind::Binary(..) => self.binary_chain(e, sc, locals, deps)?,
            ExprKind::Cond(..) | ExprKind::Paren(_) => self.cond_chain(e, sc, locals, deps)?,
            ExprKind::ListFor(c) => self.comprehension(c, false, sc, locals, deps)?,
            ExprKind::ObjectFor(c) => self.comprehension(c, true, sc, locals, deps)?,
            ExprKind::Tagged { .. } => {
                return Err(diag::eval::eval_error(
                    "a tagged value is only valid in an environment",
                    e.span,
                    "not valid here",
                )
                .into());
            }
        })
    }

    #[inline(never)]
    fn string<'e>(
        &self,
        parts: &'e [StrPart],
        sc: usize,
        locals: &mut Locals<'e>,
        deps: &mut BTreeSet<usize>,
    ) -> R<Value> {
        let mut out = String::new();
        let (mut secret, mut unknown) = (false, false);
        for p in parts {
            match p {
                StrPart::Lit(s) => out.push_str(s),
                StrPart::Interp(x) => {
                    let v = self.eval(x, sc, locals, deps)?;
                    secret |= v.contains_secret();
                    match ops::to_text(&v, x.span)? {
                        Some(text) => out.push_str(&text),
                        None => unknown = true,
                    }
                }
            }
        }
        Ok(taint(
            if unknown {
                Value::Unknown
            } else {
                Value::String(out)
            },
            secret,
        ))
    }

    #[inline(never)]
    fn call<'e>(
        &self,
        name: &'e ast::Ident,
        args: &'e [Expr],
        span: Span,
        sc: usize,
        locals: &mut Locals<'e>,
        deps: &mut BTreeSet<usize>,
    ) -> R<Value> {
        let mut values = Vec::with_capacity(args.len());
        for x in args {
            values.push(self.eval(x, sc, locals, deps)?);
        }
        if let Some(f) = self.user_function(sc, &name.name) {
            // The body sees its parameters only (the checker made sure), so a fresh set of
            // locals; secrets and unknowns flow through the values themselves, and a value
            // given to a parameter declared secret becomes one, as the checker assumes.
            let mut own: Locals<'a> = f
                .params
                .iter()
                .zip(values)
                .map(|(p, v)| {
                    (
                        p.name.name.as_str(),
                        Local::Val(taint(v, mentions_secret(&p.ty))),
                    )
                })
                .collect();
            return self.eval(&f.body, sc, &mut own, deps);
        }
        infra_stdlib::call(&name.name, &values, self.host).map_err(|err| {
            diag::functions::function_failed(&name.name, &err.to_string(), span).into()
        })
    }

    /// `!!!x`, `--x`: the operators down the spine, then the operand, in a loop.
    #[inline(never)]
    fn unary_chain<'e>(
        &self,
        e: &'e Expr,
        sc: usize,
        locals: &mut Locals<'e>,
        deps: &mut BTreeSet<usize>,
    ) -> R<Value> {
        let mut spine = Vec::new();
        let mut cur = e;
        while let ExprKind::Unary(op, x) = &cur.kind {
            spine.push((*op, cur.span));
            cur = x;
        }
        let mut v = self.eval(cur, sc, locals, deps)?;
        for (op, span) in spine.into_iter().rev() {
            v = ops::unary(op, v, span)?;
        }
        Ok(v)
    }

    /// A left-leaning operator chain (`a + b + c` is `(a + b) + c`): the left spine is
    /// walked in a loop and the right operands evaluated from the innermost out.
    #[inline(never)]
    fn binary_chain<'e>(
        &self,
        e: &'e Expr,
        sc: usize,
        locals: &mut Locals<'e>,
        deps: &mut BTreeSet<usize>,
    ) -> R<Value> {
        let mut spine = Vec::new();
        let mut cur = e;
        while let ExprKind::Binary(op, a, b) = &cur.kind {
            spine.push((*op, a.span, &**b, cur.span));
            cur = a;
        }
        let mut l = self.eval(cur, sc, locals, deps)?;
        for (op, a_span, b, span) in spine.into_iter().rev() {
            if !matches!(op, BinaryOp::And | BinaryOp::Or) {
                let r = self.eval(b, sc, locals, deps)?;
                l = ops::binary(op, l, r, span, b.span)?;
                continue;
            }
            let (inner, secret) = l.unwrap_secret();
            // Short-circuit, so that `length(xs) > 0 && xs[0] == "a"` never indexes an empty list.
            l = match (op, inner) {
                (BinaryOp::And, Value::Bool(false)) | (BinaryOp::Or, Value::Bool(true)) => l,
                (_, Value::Bool(_)) => {
                    let r = self.eval(b, sc, locals, deps)?;
                    ops::binary(op, l, r, span, b.span)?
                }
                (_, Value::Unknown) => taint(Value::Unknown, secret),
                (_, other) => {
                    return Err(diag::eval::eval_error(
                        format!("`{}` expects bools, found {}", op.symbol(), other.kind()),
                        a_span,
                        "not a bool",
                    )
                    .into());
                }
            };
        }
        Ok(l)
    }

    /// `c1 ? a : c2 ? b : d` and parentheses: the chosen branch is followed in a loop, each
    /// condition's secrecy carried to the result.
    #[inline(never)]
    fn cond_chain<'e>(
        &self,
        e: &'e Expr,
        sc: usize,
        locals: &mut Locals<'e>,
        deps: &mut BTreeSet<usize>,
    ) -> R<Value> {
        let mut cur = e;
        let mut secret = false;
        loop {
            match &cur.kind {
                ExprKind::Paren(x) => cur = x,
                ExprKind::Cond(c, a, b) => {
                    let cond = self.eval(c, sc, locals, deps)?;
                    let (inner, s) = cond.unwrap_secret();
                    secret |= s;
                    cur = match inner {
                        Value::Bool(true) => a,
                        Value::Bool(false) => b,
                        Value::Unknown => return Ok(taint(Value::Unknown, secret)),
                        other => {
                            return Err(diag::eval::eval_error(
                                format!("a condition must be a bool, found {}", other.kind()),
                                c.span,
                                "not a bool",
                            )
                            .into());
                        }
                    };
                }
                _ => return Ok(taint(self.eval(cur, sc, locals, deps)?, secret)),
            }
        }
    }

    fn comprehension<'e>(
        &self,
        c: &'e Comprehension,
        object: bool,
        sc: usize,
        locals: &mut Locals<'e>,
        deps: &mut BTreeSet<usize>,
    ) -> R<Value> {
        let (coll, mut secret) = match self.reference_items(&c.collection, sc, locals, deps)? {
            Some(refs) => {
                let items = refs.into_iter().map(|(k, i)| (k, Local::Inst(i))).collect();
                (Iterated::Items(items), false)
            }
            None => match self.eval(&c.collection, sc, locals, deps)? {
                Value::Secret(inner) => (Iterated::Value(*inner), true),
                other => (Iterated::Value(other), false),
            },
        };
        let items: Vec<(Value, Local)> = match coll {
            Iterated::Items(items) => items,
            Iterated::Value(Value::Unknown) => return Ok(taint(Value::Unknown, secret)),
            Iterated::Value(Value::List(xs)) => xs
                .into_iter()
                .enumerate()
                .map(|(i, x)| {
                    (
                        Value::Int(i64::try_from(i).unwrap_or(i64::MAX)),
                        Local::Val(x),
                    )
                })
                .collect(),
            Iterated::Value(Value::Object(m)) => m
                .into_iter()
                .map(|(k, v)| (Value::String(k), Local::Val(v)))
                .collect(),
            Iterated::Value(other) => {
                return Err(diag::eval::eval_error(
                    format!("cannot iterate over a {}", other.kind()),
                    c.collection.span,
                    "not a list or a map",
                )
                .into());
            }
        };
        let mut list = Vec::new();
        let mut map = BTreeMap::new();
        let mark = locals.len();
        for (k, v) in items {
            locals.truncate(mark);
            if let Some(key) = &c.key {
                locals.push((key.name.as_str(), Local::Val(taint(k, secret))));
            }
            let v = match v {
                Local::Val(v) => Local::Val(taint(v, secret)),
                inst => inst,
            };
            locals.push((c.value.name.as_str(), v));
            if let Some(cond) = &c.cond {
                let cv = self.eval(cond, sc, locals, deps)?;
                let (inner, s) = cv.unwrap_secret();
                secret |= s;
                match inner {
                    Value::Bool(true) => {}
                    Value::Bool(false) => continue,
                    Value::Unknown => {
                        locals.truncate(mark);
                        return Ok(taint(Value::Unknown, secret));
                    }
                    other => {
                        locals.truncate(mark);
                        let msg = format!(
                            "a comprehension's `if` must be a bool, found {}",
                            other.kind()
                        );
                        return Err(diag::eval::eval_error(msg, cond.span, "not a bool").into());
                    }
                }
            }
            let body = self.eval(&c.body, sc, locals, deps)?;
            if !object {
                list.push(body);
                continue;
            }
            let Some(key_expr) = &c.key_expr else {
                continue;
            };
            let key = self.eval(key_expr, sc, locals, deps)?;
            let (key, s) = key.unwrap_secret();
            secret |= s;
            let key = match key {
                Value::String(s) => s.clone(),
                Value::Unknown => {
                    locals.truncate(mark);
                    return Ok(taint(Value::Unknown, secret));
                }
                other => {
                    locals.truncate(mark);
                    let msg = format!("object keys must be strings, found {}", other.kind());
                    return Err(diag::eval::eval_error(msg, key_expr.span, "not a string").into());
                }
            };
            if map.contains_key(&key) {
                locals.truncate(mark);
                let shown = if s { "(secret)" } else { key.as_str() };
                return Err(diag::eval::duplicate_key(
                    shown,
                    key_expr.span,
                    "an object comprehension",
                )
                .into());
            }
            map.insert(key, body);
        }
        locals.truncate(mark);
        Ok(taint(
            if object {
                // Built as a tree (keys arrive in any order, duplicates refused on the way).
                Value::Object(Map::from(map))
            } else {
                Value::List(list)
            },
            secret,
        ))
    }

    /// The elements of a literal collection that all stand for resource instances
    /// (`{ api = api, admin = admin }`, `[a, b]`), with their keys (map key or list index);
    /// `None` for any other collection. Mirrors the checker's `reference_collection`.
    pub fn reference_items<'e>(
        &self,
        e: &'e Expr,
        sc: usize,
        locals: &mut Locals<'e>,
        deps: &mut BTreeSet<usize>,
    ) -> R<Option<RefItems>> {
        let elements: Vec<(Value, &'e Expr)> = match &e.kind {
            ExprKind::Paren(x) => return self.reference_items(x, sc, locals, deps),
            ExprKind::Object(entries) => entries
                .iter()
                .map(|en| (Value::String(en.key.name.clone()), &en.value))
                .collect(),
            ExprKind::List(items) => items
                .iter()
                .enumerate()
                .map(|(i, x)| (Value::Int(i64::try_from(i).unwrap_or(i64::MAX)), x))
                .collect(),
            _ => return Ok(None),
        };
        if elements.is_empty() {
            return Ok(None);
        }
        let mut out = Vec::with_capacity(elements.len());
        for (key, el) in elements {
            if !matches!(
                el.kind,
                ExprKind::Ref(_) | ExprKind::Index(..) | ExprKind::Paren(_)
            ) {
                return Ok(None);
            }
            let mut own = BTreeSet::new();
            match self.place(el, sc, locals, &mut own)? {
                Place::Inst(i) => {
                    deps.extend(own);
                    out.push((key, i));
                }
                _ => return Ok(None),
            }
        }
        Ok(Some(out))
    }

    /// A resource body: properties (null means unset; secret properties are wrapped) and,
    /// with `with_meta`, the lifecycle and explicit dependencies.
    pub fn resource_body<'e>(
        &self,
        sc: usize,
        r: &'e ast::Resource,
        each: Option<&(Value, Local)>,
        deps: &mut BTreeSet<usize>,
        with_meta: bool,
    ) -> R<(Map, Lifecycle)> {
        let schema = self.data.schemas.get(&r.type_name.name);
        let mut locals: Locals<'e> = Vec::new();
        if let (Some(fe), Some((k, v))) = (&r.for_each, each) {
            if let Some(key) = &fe.key {
                locals.push((key.name.as_str(), Local::Val(k.clone())));
            }
            locals.push((fe.value.name.as_str(), v.clone()));
        }
        let mut props = Map::new();
        let mut lifecycle = Lifecycle::default();
        for a in &r.body {
            if META.contains(&a.name.name.as_str()) {
                if with_meta {
                    self.meta(a, sc, &mut locals, deps, &mut lifecycle)?;
                }
                continue;
            }
            let prop = schema.and_then(|s| s.properties.get(&a.name.name));
            let v = match prop {
                Some(p) if !p.carries.is_empty() => {
                    let place = self.place(&a.value, sc, &mut locals, deps)?;
                    self.carried(place, &p.carries, deps)?
                }
                _ => self.eval(&a.value, sc, &mut locals, deps)?,
            };
            if v == Value::Null {
                continue;
            }
            let secret = prop.is_some_and(|p| p.secret);
            props.insert(a.name.name.clone(), taint(v, secret));
        }
        Ok((props, lifecycle))
    }

    fn meta<'e>(
        &self,
        a: &'e ast::Attribute,
        sc: usize,
        locals: &mut Locals<'e>,
        deps: &mut BTreeSet<usize>,
        lifecycle: &mut Lifecycle,
    ) -> R<()> {
        let name = a.name.name.as_str();
        if name == "depends_on" {
            if let ExprKind::List(items) = &a.value.kind {
                for item in items {
                    match self.place(item, sc, locals, deps)? {
                        Place::Inst(i) => {
                            deps.insert(i);
                        }
                        Place::Insts(s, d) => deps.extend(self.all_instances(s, d)),
                        _ => {}
                    }
                }
            }
            return Ok(());
        }
        let v = self.eval(&a.value, sc, locals, deps)?;
        let known = |what: &str| {
            diag::eval::eval_error(
                format!("`{name}` must be {what} known before apply"),
                a.value.span,
                "not known before apply",
            )
        };
        let (v, _) = v.unwrap_secret();
        match (name, v) {
            ("protect", Value::Bool(b)) => lifecycle.protect = *b,
            ("create_before_destroy", Value::Bool(b)) => lifecycle.create_before_destroy = *b,
            ("delete_unmanaged", Value::Bool(b)) => lifecycle.delete_unmanaged = *b,
            ("ignore_changes", Value::List(items)) => {
                for item in items {
                    match item.unwrap_secret().0 {
                        Value::String(s) => lifecycle.ignore_changes.push(s.clone()),
                        _ => return Err(known("a list of strings").into()),
                    }
                }
            }
            ("timeouts", Value::Object(map)) => {
                for (op, d) in map {
                    let secs = d.unwrap_secret().0.as_str().and_then(parse_duration);
                    match secs {
                        Some(s) => {
                            lifecycle.timeouts.insert(op.clone(), s);
                        }
                        None => return Err(known("durations like \"45m\"").into()),
                    }
                }
            }
            ("protect" | "create_before_destroy" | "delete_unmanaged", _) => {
                return Err(known("a bool").into());
            }
            ("ignore_changes", _) => return Err(known("a list of strings").into()),
            _ => return Err(known("an object of durations").into()),
        }
        Ok(())
    }
}

/// Whether a written type is or contains `secret`.
fn mentions_secret(t: &ast::TypeExpr) -> bool {
    match &t.kind {
        ast::TypeExprKind::Named(n) => n == "secret",
        ast::TypeExprKind::List(x) | ast::TypeExprKind::Map(x) => mentions_secret(x),
        ast::TypeExprKind::Object(fields) => fields.iter().any(|f| mentions_secret(&f.ty)),
        ast::TypeExprKind::Enum(_) => false,
    }
}
