//! Building the evaluation: module instances (scopes), declarations in dependency order,
//! resource instances (one per `for` key), and the final order of the resources.

use super::Resolver;
use super::expr::{Cx, Local, to_diag};
use super::host::HostCache;
use super::ops::taint;
use super::place::Reeval;
use crate::check::graph::topo_order;
use crate::check::{DeclKind, Program};
use crate::diag::{self, Diagnostic};
use crate::syntax::ast;
use infra_provider_core::{DesiredResource, Map, Value};
use infra_stdlib::Host;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// The resource instances a value was computed from (instance indices, sorted).
pub(crate) type Deps = Arc<[usize]>;

pub(crate) fn to_deps(set: BTreeSet<usize>) -> Deps {
    set.into_iter().collect()
}

/// One instance of a module (the root is scope 0).
pub(crate) struct Scope {
    pub module: usize,
    /// Address prefix of its resources: `""` or `module.a.module.b.`.
    pub prefix: String,
    /// The scope and module block that instantiated it.
    pub parent: Option<(usize, usize)>,
    /// One per declaration of the module.
    pub slots: Vec<Slot>,
}

pub(crate) enum Slot {
    Pending,
    Val(Value, Deps),
    One(usize),
    Many(BTreeMap<String, usize>),
    Module(usize),
}

pub(crate) struct Instance {
    pub scope: usize,
    pub decl: usize,
    /// Values of the `for` variables (key, value), if any.
    pub each: Option<(Value, Local)>,
    /// What the resolver knew when the instance was evaluated.
    pub attrs: Option<Map>,
}

/// Everything re-evaluation needs, kept inside the [`super::Evaluation`].
pub(crate) struct State {
    pub program: Program,
    pub scopes: Vec<Scope>,
    pub instances: Vec<Instance>,
    /// Instance index -> position in `Evaluation::resources`.
    pub pos: Vec<usize>,
    pub by_address: HashMap<String, usize>,
    pub host_cache: HostCache,
}

impl State {
    pub fn cx<'a>(
        &'a self,
        resources: &'a [DesiredResource],
        host: &'a dyn Host,
        resolver: &'a dyn Resolver,
        reeval: Option<&'a Reeval>,
    ) -> Cx<'a> {
        Cx::new(
            &self.program.data,
            &self.scopes,
            &self.instances,
            resources,
            Some(&self.pos),
            host,
            resolver,
            reeval,
        )
    }

    /// Root outputs: (name, declaration, declared secret).
    pub fn root_outputs(&self) -> Vec<(&str, usize, bool)> {
        let Some(root) = self.program.data.modules.first() else {
            return Vec::new();
        };
        let mut out: Vec<(&str, usize, bool)> = root
            .decls
            .iter()
            .enumerate()
            .filter(|(_, d)| d.kind == DeclKind::Output)
            .map(|(i, d)| (d.name.as_str(), i, d.declared_secret_output()))
            .collect();
        out.sort();
        out
    }
}

pub(crate) struct Builder<'a> {
    program: Program,
    host: &'a dyn Host,
    resolver: &'a dyn Resolver,
    protect_all: bool,
    scopes: Vec<Scope>,
    instances: Vec<Instance>,
    /// Indexed like `instances` until `finish` orders them.
    resources: Vec<DesiredResource>,
    deps: Vec<Deps>,
    by_address: HashMap<String, usize>,
    diags: Vec<Diagnostic>,
}

type Finished = (
    Vec<DesiredResource>,
    BTreeMap<String, (Value, bool)>,
    State,
    Vec<Diagnostic>,
);

impl<'a> Builder<'a> {
    pub fn new(
        program: Program,
        host: &'a dyn Host,
        resolver: &'a dyn Resolver,
        protect_all: bool,
    ) -> Self {
        Builder {
            program,
            host,
            resolver,
            protect_all,
            scopes: Vec::new(),
            instances: Vec::new(),
            resources: Vec::new(),
            deps: Vec::new(),
            by_address: HashMap::new(),
            diags: Vec::new(),
        }
    }

    fn cx(&self) -> Cx<'_> {
        Cx::new(
            &self.program.data,
            &self.scopes,
            &self.instances,
            &self.resources,
            None,
            self.host,
            self.resolver,
            None,
        )
    }

    pub fn run_root(&mut self, inputs: HashMap<String, (Value, Deps)>, env: Option<&str>) {
        self.run_module(0, String::new(), None, inputs, env);
    }

    /// Evaluates one module instance; returns its scope.
    fn run_module(
        &mut self,
        module: usize,
        prefix: String,
        parent: Option<(usize, usize)>,
        mut inputs: HashMap<String, (Value, Deps)>,
        env: Option<&str>,
    ) -> usize {
        let program = self.program.clone();
        let Some(m) = program.data.modules.get(module) else {
            return 0;
        };
        let sc = self.scopes.len();
        // One instance per resource without `for`: the lists kept for the whole run grow
        // once here instead of doubling (up to twice the memory at the peak).
        let resources = m
            .decls
            .iter()
            .filter(|d| matches!(d.kind, DeclKind::Resource | DeclKind::Existing))
            .count();
        self.instances.reserve(resources);
        self.resources.reserve(resources);
        self.deps.reserve(resources);
        self.by_address.reserve(resources);
        let slots = m.decls.iter().map(|_| Slot::Pending).collect();
        self.scopes.push(Scope {
            module,
            prefix,
            parent,
            slots,
        });
        for &d in &m.order {
            let Some(decl) = m.decls.get(d) else { continue };
            let slot = match (&*decl.item, decl.kind) {
                (ast::Item::Param(p), _) => {
                    let given = inputs.remove(&decl.name);
                    let secret = crate::check::is_secret_type(&decl.ty.ty);
                    match given {
                        Some((v, deps)) => Ok(Slot::Val(taint(v, secret), deps)),
                        None => match &p.default {
                            Some(e) => self
                                .value(e, sc)
                                .map(|(v, deps)| Slot::Val(taint(v, secret), deps)),
                            None => Err(diag::types::missing_params(
                                env,
                                &[decl.name.as_str()],
                                decl.span,
                            )),
                        },
                    }
                }
                (ast::Item::Let(l), _) => {
                    self.value(&l.value, sc).map(|(v, deps)| Slot::Val(v, deps))
                }
                (ast::Item::Output(o), _) => self.value(&o.value, sc).and_then(|(v, deps)| {
                    if decl.declared_secret_output() {
                        Ok(Slot::Val(Value::secret(v), deps))
                    } else if v.contains_secret() {
                        Err(diag::secrets::secret_to_output(
                            &decl.name,
                            o.value.span,
                            None,
                        ))
                    } else {
                        Ok(Slot::Val(v, deps))
                    }
                }),
                (ast::Item::Resource(r), DeclKind::Resource | DeclKind::Existing) => {
                    self.resource(sc, d, r)
                }
                (ast::Item::Module(b), _) => self.module_block(sc, d, b, decl.child, env),
                _ => Ok(Slot::Val(Value::Unknown, Deps::default())),
            };
            let slot = slot.unwrap_or_else(|e| {
                self.diags.push(e);
                Slot::Val(Value::Unknown, Deps::default())
            });
            if let Some(s) = self.scopes.get_mut(sc).and_then(|s| s.slots.get_mut(d)) {
                *s = slot;
            }
        }
        sc
    }

    fn value(&self, e: &ast::Expr, sc: usize) -> Result<(Value, Deps), Diagnostic> {
        let cx = self.cx();
        let mut deps = BTreeSet::new();
        let v = cx.eval_top(e, sc, &mut Vec::new(), &mut deps)?;
        Ok((v, to_deps(deps)))
    }

    fn module_block(
        &mut self,
        sc: usize,
        d: usize,
        b: &ast::Module,
        child: Option<usize>,
        env: Option<&str>,
    ) -> Result<Slot, Diagnostic> {
        let mut inputs = HashMap::new();
        for a in &b.body {
            let value = self.value(&a.value, sc)?;
            inputs.insert(a.name.name.clone(), value);
        }
        let Some(child) = child else {
            return Err(diag::eval::eval_error(
                "module was not loaded",
                b.source_span,
                "missing module",
            ));
        };
        let prefix = format!(
            "{}module.{}.",
            self.scopes.get(sc).map(|s| s.prefix.as_str()).unwrap_or(""),
            b.name.name
        );
        let child_scope = self.run_module(child, prefix, Some((sc, d)), inputs, env);
        Ok(Slot::Module(child_scope))
    }

    fn resource(&mut self, sc: usize, d: usize, r: &ast::Resource) -> Result<Slot, Diagnostic> {
        let prefix = self
            .scopes
            .get(sc)
            .map(|s| s.prefix.clone())
            .unwrap_or_default();
        let Some(fe) = &r.for_each else {
            let address = format!("{prefix}{}", r.name.name);
            let i = self.instance(sc, d, r, address, None, BTreeSet::new())?;
            return Ok(Slot::One(i));
        };
        let mut coll_deps = BTreeSet::new();
        let items = {
            let cx = self.cx();
            // Over a map literal of resources each instance binds (and depends on) its own.
            let refs = match &fe.collection.kind {
                ast::ExprKind::Object(_) => cx
                    .reference_items(&fe.collection, sc, &mut Vec::new(), &mut BTreeSet::new())
                    .map_err(to_diag)?,
                _ => None,
            };
            match refs {
                Some(refs) => refs
                    .into_iter()
                    .filter_map(|(k, i)| {
                        let key = k.as_str()?.to_string();
                        Some((key, (k, Local::Inst(i))))
                    })
                    .collect(),
                None => {
                    let coll = cx.eval_top(&fe.collection, sc, &mut Vec::new(), &mut coll_deps)?;
                    instance_keys(coll, fe)?
                }
            }
        };
        let mut map = BTreeMap::new();
        for (key, each) in items {
            let address = format!("{prefix}{}[{}]", r.name.name, quote_key(&key));
            let mut deps = coll_deps.clone();
            if let (_, Local::Inst(i)) = &each {
                deps.insert(*i);
            }
            let i = self.instance(sc, d, r, address, Some(each), deps)?;
            map.insert(key, i);
        }
        Ok(Slot::Many(map))
    }

    fn instance(
        &mut self,
        sc: usize,
        d: usize,
        r: &ast::Resource,
        address: String,
        each: Option<(Value, Local)>,
        mut deps: BTreeSet<usize>,
    ) -> Result<usize, Diagnostic> {
        let (properties, mut lifecycle) = {
            let cx = self.cx();
            cx.resource_body(sc, r, each.as_ref(), &mut deps, true)
                .map_err(to_diag)?
        };
        lifecycle.protect |= self.protect_all;
        let attrs = self
            .resolver
            .attributes(&address, &r.type_name.name, &properties);
        let i = self.instances.len();
        self.instances.push(Instance {
            scope: sc,
            decl: d,
            each,
            attrs,
        });
        self.by_address.insert(address.clone(), i);
        self.deps.push(to_deps(deps));
        self.resources.push(DesiredResource {
            address,
            type_name: r.type_name.name.clone(),
            properties: properties.into(),
            depends_on: infra_provider_core::NameSet::new(),
            lifecycle,
            existing: r.existing,
        });
        Ok(i)
    }

    /// Orders the resources (dependencies first, ties by address) and collects the outputs.
    pub fn finish(self) -> Finished {
        let adj: Vec<Vec<usize>> = self.deps.iter().map(|d| d.to_vec()).collect();
        let order = topo_order(&adj, |i| {
            self.resources
                .get(i)
                .map(|r| r.address.clone())
                .unwrap_or_default()
        });
        let mut pos = vec![0; self.resources.len()];
        for (p, &i) in order.iter().enumerate() {
            if let Some(slot) = pos.get_mut(i) {
                *slot = p;
            }
        }
        let addresses: Vec<String> = self.resources.iter().map(|r| r.address.clone()).collect();
        let mut slots: Vec<Option<DesiredResource>> =
            self.resources.into_iter().map(Some).collect();
        let mut resources = Vec::with_capacity(slots.len());
        for &i in &order {
            let Some(mut r) = slots.get_mut(i).and_then(Option::take) else {
                continue;
            };
            if let Some(deps) = self.deps.get(i) {
                r.depends_on = deps
                    .iter()
                    .filter(|&&j| j != i)
                    .filter_map(|&j| addresses.get(j).cloned())
                    .collect();
            }
            resources.push(r);
        }
        let state = State {
            program: self.program,
            scopes: self.scopes,
            instances: self.instances,
            pos,
            by_address: self.by_address,
            host_cache: HostCache::default(),
        };
        let mut outputs = BTreeMap::new();
        for (name, d, secret) in state.root_outputs() {
            if let Some(Slot::Val(v, _)) = state.scopes.first().and_then(|s| s.slots.get(d)) {
                outputs.insert(name.to_string(), (v.clone(), secret));
            }
        }
        (resources, outputs, state, self.diags)
    }
}

/// `"www"` -> `"www"` quoted for an address, escaping quotes and backslashes.
fn quote_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 2);
    out.push('"');
    for c in key.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// An instance key with the values of the `for` variables (key, value).
type Keyed = (String, (Value, Local));

/// The instances of a `for` resource: key and the values of its variables, sorted by key.
fn instance_keys(coll: Value, fe: &ast::ForEach) -> Result<Vec<Keyed>, Diagnostic> {
    let span = fe.collection.span;
    let coll = match coll {
        Value::Secret(_) => {
            return Err(diag::secrets::secret_to_plain(
                "the collection of a `for` resource",
                span,
                None,
                "instance keys become addresses, shown in every plan",
            ));
        }
        v if v.contains_unknown() => {
            return Err(diag::eval::eval_error(
                "the collection of a `for` resource must be known before apply",
                span,
                "depends on values known only after apply",
            ));
        }
        v => v,
    };
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    match coll {
        Value::Object(map) => {
            for (k, v) in map {
                out.push((k.clone(), (Value::String(k), Local::Val(v))));
            }
        }
        Value::List(items) => {
            for (i, item) in items.into_iter().enumerate() {
                let key = match &item {
                    Value::String(s) => s.clone(),
                    other => {
                        return Err(diag::eval::eval_error(
                            format!(
                                "a `for` resource over a list needs strings as keys, found a {}",
                                other.kind()
                            ),
                            span,
                            "elements become instance keys",
                        ));
                    }
                };
                if !seen.insert(key.clone()) {
                    return Err(diag::eval::duplicate_key(
                        &key,
                        span,
                        "the collection of a `for` resource",
                    ));
                }
                let index = Value::Int(i64::try_from(i).unwrap_or(i64::MAX));
                out.push((key, (index, Local::Val(item))));
            }
        }
        other => {
            return Err(diag::eval::eval_error(
                format!(
                    "a `for` resource iterates over a map or a list of strings, found a {}",
                    other.kind()
                ),
                span,
                "not a collection",
            ));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::quote_key;

    #[test]
    fn keys_are_quoted_in_addresses() {
        assert_eq!(quote_key("www"), "\"www\"");
        assert_eq!(quote_key("a\"b\\c"), "\"a\\\"b\\\\c\"");
    }
}
