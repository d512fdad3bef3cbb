//! References at run time: declarations, resource attributes, `for` instances by key, module
//! outputs; and re-evaluation, which recomputes only the cached values that held unknowns.

use super::build::{Deps, Slot};
use super::expr::{Cx, Fail, Local, Locals, R, to_diag};
use super::ops::{self, taint};
use crate::check::{DeclKind, is_secret_type};
use crate::diag::{self, Diagnostic};
use crate::span::Span;
use crate::syntax::ast::{self, Expr, ExprKind};
use infra_provider_core::{Map, Value};
use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};

/// What a reference denotes before it becomes a value.
pub(crate) enum Place {
    Inst(usize),
    /// All instances of a `for` resource: (scope, declaration).
    Insts(usize, usize),
    /// A module instance (its scope).
    Module(usize),
    Val(Value),
    /// A path into an attribute of a typed (ARM type reference) resource: what the
    /// configuration sets is known at plan time, the rest comes from the cloud.
    Path(usize, Vec<String>),
}

/// Memo of one re-evaluation: recomputed values and what the resolver answered.
#[derive(Default)]
pub(crate) struct Reeval {
    values: RefCell<HashMap<(usize, usize), Value>>,
    attrs: RefCell<HashMap<usize, Option<Map>>>,
}

fn internal(message: &str) -> Fail {
    Fail::Diag(diag::eval::eval_error(
        format!("internal: {message}"),
        Span::NOWHERE,
        "internal",
    ))
}

impl<'a> Cx<'a> {
    fn lookup(&self, sc: usize, name: &str) -> Option<usize> {
        let module = self.data.modules.get(self.scopes.get(sc)?.module)?;
        module.by_name.get(name).copied()
    }

    /// An output of the module of scope `sc` (outputs have their own namespace).
    fn lookup_output(&self, sc: usize, name: &str) -> Option<usize> {
        let module = self.data.modules.get(self.scopes.get(sc)?.module)?;
        module.outputs_by_name.get(name).copied()
    }

    pub fn place<'e>(
        &self,
        e: &'e Expr,
        sc: usize,
        locals: &mut Locals<'e>,
        deps: &mut BTreeSet<usize>,
    ) -> R<Place> {
        match &e.kind {
            ExprKind::Ref(id) => {
                if let Some((_, local)) = locals.iter().rev().find(|(n, _)| *n == id.name) {
                    return Ok(match local {
                        Local::Val(v) => Place::Val(v.clone()),
                        Local::Inst(i) => {
                            deps.insert(*i);
                            Place::Inst(*i)
                        }
                    });
                }
                let Some(d) = self.lookup(sc, &id.name) else {
                    return Err(diag::eval::eval_error(
                        format!("unknown reference `{}`", id.name),
                        id.span,
                        "unknown",
                    )
                    .into());
                };
                self.decl_place(sc, d, deps)
            }
            ExprKind::Member(base, name) => match self.place(base, sc, locals, deps)? {
                Place::Inst(i) if self.is_typed(i) => Ok(Place::Path(i, vec![name.name.clone()])),
                Place::Inst(i) => Ok(Place::Val(self.attribute(i, &name.name))),
                Place::Path(i, mut path) => {
                    path.push(name.name.clone());
                    Ok(Place::Path(i, path))
                }
                Place::Insts(s, d) => self.instance_by_key(s, d, &name.name, name.span, deps),
                Place::Module(ms) => match self.lookup_output(ms, &name.name) {
                    Some(d) => {
                        let (v, dd) = self.slot_value(ms, d)?;
                        deps.extend(dd.iter().copied());
                        Ok(Place::Val(v))
                    }
                    None => Err(diag::eval::eval_error(
                        format!("module has no output `{}`", name.name),
                        name.span,
                        "unknown",
                    )
                    .into()),
                },
                Place::Val(v) => Ok(Place::Val(ops::member(v, &name.name, name.span)?)),
            },
            ExprKind::Index(base, key) => match self.place(base, sc, locals, deps)? {
                Place::Insts(s, d) => {
                    let k = self.eval(key, sc, locals, deps)?;
                    match k.unwrap_secret().0 {
                        Value::String(text) => self.instance_by_key(s, d, text, key.span, deps),
                        Value::Unknown => {
                            deps.extend(self.all_instances(s, d));
                            Ok(Place::Val(Value::Unknown))
                        }
                        other => Err(diag::eval::eval_error(
                            format!(
                                "instances are indexed by string keys, found a {}",
                                other.kind()
                            ),
                            key.span,
                            "not a string",
                        )
                        .into()),
                    }
                }
                Place::Val(v) => {
                    let k = self.eval(key, sc, locals, deps)?;
                    Ok(Place::Val(ops::index(v, k, key.span)?))
                }
                Place::Path(i, mut path) => {
                    let k = self.eval(key, sc, locals, deps)?;
                    match k.unwrap_secret().0 {
                        Value::String(text) => {
                            path.push(text.clone());
                            Ok(Place::Path(i, path))
                        }
                        _ => Ok(Place::Val(ops::index(
                            self.typed_path(i, &path),
                            k,
                            key.span,
                        )?)),
                    }
                }
                Place::Inst(_) | Place::Module(_) => Err(diag::eval::eval_error(
                    "only `for` resources, lists and maps are indexed",
                    key.span,
                    "cannot index",
                )
                .into()),
            },
            ExprKind::Paren(x) => self.place(x, sc, locals, deps),
            _ => Ok(Place::Val(self.eval(e, sc, locals, deps)?)),
        }
    }

    fn decl_place(&self, sc: usize, d: usize, deps: &mut BTreeSet<usize>) -> R<Place> {
        let slot = self
            .scopes
            .get(sc)
            .and_then(|s| s.slots.get(d))
            .ok_or_else(|| internal("missing slot"))?;
        match slot {
            Slot::Val(..) => {
                let (v, dd) = self.slot_value(sc, d)?;
                deps.extend(dd.iter().copied());
                Ok(Place::Val(v))
            }
            Slot::One(i) => {
                deps.insert(*i);
                Ok(Place::Inst(*i))
            }
            Slot::Many(_) => Ok(Place::Insts(sc, d)),
            Slot::Module(s) => Ok(Place::Module(*s)),
            Slot::Pending => Err(internal("value used before it was evaluated")),
        }
    }

    fn instance_by_key(
        &self,
        sc: usize,
        d: usize,
        key: &str,
        span: Span,
        deps: &mut BTreeSet<usize>,
    ) -> R<Place> {
        let Some(Slot::Many(map)) = self.scopes.get(sc).and_then(|s| s.slots.get(d)) else {
            return Err(internal("not a `for` resource"));
        };
        match map.get(key) {
            Some(&i) => {
                deps.insert(i);
                Ok(Place::Inst(i))
            }
            None => {
                let suggestion = diag::did_you_mean(key, map.keys().map(String::as_str));
                Err(diag::eval::missing_key(key, span, suggestion).into())
            }
        }
    }

    pub fn all_instances(&self, sc: usize, d: usize) -> Vec<usize> {
        match self.scopes.get(sc).and_then(|s| s.slots.get(d)) {
            Some(Slot::Many(map)) => map.values().copied().collect(),
            Some(Slot::One(i)) => vec![*i],
            _ => Vec::new(),
        }
    }

    fn is_typed(&self, i: usize) -> bool {
        self.resource_of(i)
            .and_then(|r| self.data.schemas.get(&r.type_name))
            .is_some_and(|s| s.typed.is_some())
    }

    /// A value inside a typed resource's attribute: the configuration's own value when it sets
    /// the path, else what the cloud last answered, else unknown until apply.
    fn typed_path(&self, i: usize, path: &[String]) -> Value {
        let Some((head, rest)) = path.split_first() else {
            return Value::Unknown;
        };
        let top = self.attribute(i, head);
        if let Some(v) = descend(&top, rest)
            && v != Value::Null
            && !v.contains_unknown()
        {
            return v;
        }
        match self.known_attribute(i, infra_provider_core::typed::LIVE_OUTPUT) {
            Some(Value::Unknown) | None => Value::Unknown,
            Some(live) => descend(&live, path).unwrap_or(Value::Null),
        }
    }

    pub fn place_value(&self, p: Place, deps: &mut BTreeSet<usize>) -> R<Value> {
        Ok(match p {
            Place::Path(i, path) => self.typed_path(i, &path),
            Place::Inst(i) => self.attribute(i, "id"),
            Place::Insts(s, d) => {
                let Some(Slot::Many(map)) = self.scopes.get(s).and_then(|x| x.slots.get(d)) else {
                    return Err(internal("not a `for` resource"));
                };
                let mut out = Map::new();
                for (k, &i) in map {
                    deps.insert(i);
                    out.insert(k.clone(), self.attribute(i, "id"));
                }
                Value::Object(out)
            }
            Place::Module(ms) => {
                let module = self
                    .scopes
                    .get(ms)
                    .and_then(|s| self.data.modules.get(s.module));
                let mut out = Map::new();
                for (d, decl) in module.iter().flat_map(|m| m.decls.iter().enumerate()) {
                    if decl.kind == DeclKind::Output {
                        let (v, dd) = self.slot_value(ms, d)?;
                        deps.extend(dd.iter().copied());
                        out.insert(decl.name.clone(), v);
                    }
                }
                Value::Object(out)
            }
            Place::Val(v) => v,
        })
    }

    /// What a reference given to an input that carries attributes passes: the referenced
    /// instance's `id` and those attributes (secrets stay secret), instead of the id alone.
    pub(crate) fn carried(
        &self,
        p: Place,
        attributes: &[String],
        deps: &mut BTreeSet<usize>,
    ) -> R<Value> {
        let Place::Inst(i) = p else {
            // The checker refused anything else; pass it on for the provider to refuse too.
            return self.place_value(p, deps);
        };
        let mut out = Map::new();
        out.insert("id".to_string(), self.attribute(i, "id"));
        for a in attributes {
            out.insert(a.clone(), self.attribute(i, a));
        }
        Ok(Value::Object(out))
    }

    /// An attribute of a resource instance: inputs from its evaluated body, everything the
    /// cloud sets from the resolver, `Unknown` when nothing is known.
    fn attribute(&self, i: usize, name: &str) -> Value {
        let Some(res) = self.resource_of(i) else {
            return Value::Unknown;
        };
        let prop = self
            .data
            .schemas
            .get(&res.type_name)
            .and_then(|s| s.properties.get(name));
        let v = match prop {
            Some(p) if !p.output && p.read_as.is_none() => match res.properties.get(name) {
                // During re-evaluation the engine may know what an unknown input became.
                Some(v) if self.reeval.is_some() && v.contains_unknown() => {
                    self.known_attribute(i, name).unwrap_or_else(|| v.clone())
                }
                Some(v) => v.clone(),
                None => self.known_attribute(i, name).unwrap_or(Value::Null),
            },
            _ => self.known_attribute(i, name).unwrap_or(Value::Unknown),
        };
        taint(v, prop.is_some_and(|p| p.secret))
    }

    fn known_attribute(&self, i: usize, name: &str) -> Option<Value> {
        let Some(reeval) = self.reeval else {
            return self.instances.get(i)?.attrs.as_ref()?.get(name).cloned();
        };
        if let Some(known) = reeval.attrs.borrow().get(&i) {
            return known.as_ref()?.get(name).cloned();
        }
        let res = self.resource_of(i)?;
        let known = self
            .resolver
            .attributes(&res.address, &res.type_name, &res.properties);
        let v = known.as_ref().and_then(|k| k.get(name).cloned());
        reeval.attrs.borrow_mut().insert(i, known);
        v
    }

    /// The cached value of a param, let or output; during re-evaluation a value holding
    /// unknowns, or read from a resource (whose attributes may have changed since, e.g. a
    /// secret's versioned id on update), is recomputed first (signalled with `Fail::Need`).
    pub fn slot_value(&self, sc: usize, d: usize) -> R<(Value, Deps)> {
        match self.scopes.get(sc).and_then(|s| s.slots.get(d)) {
            Some(Slot::Val(v, deps)) => {
                if let Some(reeval) = self.reeval
                    && (v.contains_unknown() || !deps.is_empty())
                {
                    return match reeval.values.borrow().get(&(sc, d)) {
                        Some(fresh) => Ok((fresh.clone(), deps.clone())),
                        None => Err(Fail::Need(sc, d)),
                    };
                }
                Ok((v.clone(), deps.clone()))
            }
            _ => Err(internal("not a value")),
        }
    }

    /// Runs `f`, recomputing whatever cached values it needs, each at most once, without
    /// recursion (a long chain of lets must not exhaust the stack).
    pub fn with_needs<T>(&self, f: impl Fn(&Self) -> R<T>) -> Result<T, Diagnostic> {
        let Some(reeval) = self.reeval else {
            return f(self).map_err(to_diag);
        };
        loop {
            match f(self) {
                Ok(t) => return Ok(t),
                Err(Fail::Diag(d)) => return Err(d),
                Err(Fail::Need(s, d)) => self.satisfy(reeval, s, d)?,
            }
        }
    }

    fn satisfy(&self, reeval: &Reeval, s: usize, d: usize) -> Result<(), Diagnostic> {
        let mut stack = vec![(s, d)];
        let mut active: HashSet<(usize, usize)> = HashSet::from([(s, d)]);
        while let Some(&(s, d)) = stack.last() {
            match self.recompute(s, d) {
                Ok(v) => {
                    reeval.values.borrow_mut().insert((s, d), v);
                    stack.pop();
                    active.remove(&(s, d));
                }
                Err(Fail::Diag(x)) => return Err(x),
                Err(Fail::Need(s2, d2)) => {
                    if !active.insert((s2, d2)) {
                        return Err(to_diag(internal("cycle while re-evaluating")));
                    }
                    stack.push((s2, d2));
                }
            }
        }
        Ok(())
    }

    fn recompute(&self, sc: usize, d: usize) -> R<Value> {
        let scope = self
            .scopes
            .get(sc)
            .ok_or_else(|| internal("missing scope"))?;
        let module = self
            .data
            .modules
            .get(scope.module)
            .ok_or_else(|| internal("missing module"))?;
        let decl = module
            .decls
            .get(d)
            .ok_or_else(|| internal("missing declaration"))?;
        let mut deps = BTreeSet::new();
        match &*decl.item {
            ast::Item::Let(l) => self.eval(&l.value, sc, &mut Vec::new(), &mut deps),
            ast::Item::Output(o) => {
                let v = self.eval(&o.value, sc, &mut Vec::new(), &mut deps)?;
                Ok(taint(v, decl.declared_secret_output()))
            }
            ast::Item::Param(p) => {
                let given = scope.parent.and_then(|(ps, pd)| {
                    let parent = self.scopes.get(ps)?;
                    let block = self.data.modules.get(parent.module)?.decls.get(pd)?;
                    match &*block.item {
                        ast::Item::Module(b) => b
                            .body
                            .iter()
                            .find(|a| a.name.name == decl.name)
                            .map(|a| (ps, &a.value)),
                        _ => None,
                    }
                });
                let v = match (given, &p.default) {
                    (Some((ps, e)), _) => self.eval(e, ps, &mut Vec::new(), &mut deps)?,
                    (None, Some(e)) => self.eval(e, sc, &mut Vec::new(), &mut deps)?,
                    (None, None) => return Err(internal("param without value")),
                };
                Ok(taint(v, is_secret_type(&decl.ty.ty)))
            }
            _ => Err(internal("not a value")),
        }
    }

    /// The properties of one instance, evaluated afresh (re-evaluation).
    pub fn instance_properties(&self, inst: usize) -> R<Map> {
        let instance = self
            .instances
            .get(inst)
            .ok_or_else(|| internal("missing instance"))?;
        let scope = self
            .scopes
            .get(instance.scope)
            .ok_or_else(|| internal("missing scope"))?;
        let decl = self
            .data
            .modules
            .get(scope.module)
            .and_then(|m| m.decls.get(instance.decl))
            .ok_or_else(|| internal("missing declaration"))?;
        let r = decl.resource().ok_or_else(|| internal("not a resource"))?;
        let mut deps = BTreeSet::new();
        self.resource_body(instance.scope, r, instance.each.as_ref(), &mut deps, false)
            .map(|(p, _)| p)
    }
}

/// The value at `path` below `v`, through objects (secrets stay wrapped).
fn descend(v: &Value, path: &[String]) -> Option<Value> {
    let mut cur = v.clone();
    for key in path {
        let (inner, secret) = cur.unwrap_secret();
        let next = match inner {
            Value::Object(m) => m.get(key)?.clone(),
            Value::Unknown => return Some(Value::Unknown),
            _ => return None,
        };
        cur = taint(next, secret);
    }
    Some(cur)
}
