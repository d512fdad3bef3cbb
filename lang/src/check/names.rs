//! Names: declaring every item of a module in its namespace, and resolving every reference,
//! which yields the edges of the dependency graph.

use super::module::ModuleChecker;
use super::types::Ty;
use super::{Decl, DeclKind, ItemRef};
use crate::diag;
use crate::span::Span;
use crate::syntax::ast::{self, Expr, ExprKind, StrPart};
use std::collections::HashMap;
use std::sync::Arc;

/// Deeper expressions are not walked (the type pass reports them).
pub(crate) const MAX_DEPTH: u32 = 256;

impl ModuleChecker<'_> {
    /// Fills the namespaces (one for outputs, one for everything else); reports duplicates
    /// (E0201) and misplaced environments (E0307).
    pub(crate) fn declare(&mut self) {
        let Some(module) = self.project.modules.get(self.module) else {
            return;
        };
        let mut env_spans: HashMap<String, Span> = HashMap::new();
        // Sized once: growing the tables item by item rehashed them a dozen times.
        let items: usize = module.files.iter().map(|(_, f)| f.items.len()).sum();
        self.decls.reserve(items);
        self.by_name.reserve(items);
        for (_, file) in &module.files {
            for (index, item) in file.items.iter().enumerate() {
                let name = item.name();
                let kind = match item {
                    ast::Item::Environment(e) => {
                        if self.module != 0 {
                            self.diags.push(diag::types::bad_environment(
                                "environment blocks belong in the project root, not in a module",
                                e.name.span,
                                Some("move it to the project folder or its `environments/` subfolder".into()),
                            ));
                        } else if let Some(&first) = env_spans.get(&name.name) {
                            self.diags.push(diag::names::duplicate_environment(
                                &name.name, name.span, first,
                            ));
                        } else {
                            env_spans.insert(name.name.clone(), name.span);
                            self.environments.push(Arc::new(e.clone()));
                        }
                        continue;
                    }
                    ast::Item::Import(i) => {
                        if self.module != 0 {
                            self.diags.push(diag::imports::bad_import(
                                "import blocks belong in the project root, not in a module",
                                i.keyword.span,
                                "move it to the project folder or its `environments/` subfolder, naming the resource the module makes",
                            ));
                        } else {
                            self.imports.push(Arc::new(i.clone()));
                        }
                        continue;
                    }
                    ast::Item::Function(f) => {
                        self.declare_function(f);
                        continue;
                    }
                    ast::Item::Param(_) => DeclKind::Param,
                    ast::Item::Let(_) => DeclKind::Let,
                    ast::Item::Resource(r) if r.existing => DeclKind::Existing,
                    ast::Item::Resource(_) => DeclKind::Resource,
                    ast::Item::Module(_) => DeclKind::Module,
                    ast::Item::Output(_) => DeclKind::Output,
                };
                // Outputs have their own namespace (as in Terraform and Bicep): `output db_host
                // = db_host` beside `let db_host` is the usual way to export a value, and an
                // output is read from outside the module only, never by name inside it.
                let namespace = if kind == DeclKind::Output {
                    &mut self.outputs_by_name
                } else {
                    &mut self.by_name
                };
                if let Some(&first) = namespace.get(&name.name) {
                    let first_span = self.decls.get(first).map(|d| d.span).unwrap_or(name.span);
                    self.diags.push(diag::names::duplicate_name(
                        &name.name, name.span, first_span,
                    ));
                    continue;
                }
                namespace.insert(name.name.clone(), self.decls.len());
                let child = match item {
                    ast::Item::Module(m) => module.imports.get(&m.source).copied(),
                    _ => None,
                };
                let Some(item) = ItemRef::new(file, index) else {
                    continue;
                };
                self.decls.push(Decl {
                    name: name.name.clone(),
                    span: name.span,
                    kind,
                    item,
                    child,
                    ty: Ty::any(),
                });
            }
        }
        self.used = vec![false; self.decls.len()];
        self.edges = vec![Vec::new(); self.decls.len()];
    }

    /// Resolves every reference of every declaration (E0200 for unknown names), recording the
    /// graph's edges, what is used, and redundant `depends_on` entries (W0003).
    pub(crate) fn collect_references(&mut self) {
        for d in 0..self.decls.len() {
            let Some(decl) = self.decls.get(d) else {
                continue;
            };
            let item = decl.item.clone();
            let mut found: Vec<(usize, Span)> = Vec::new();
            let mut explicit: Vec<(usize, Span)> = Vec::new();
            let mut locals: Vec<String> = Vec::new();
            let kept = self.kept_references(d);
            let recording = kept.is_none() && self.memo.is_some();
            if recording {
                self.ref_log = Some(Vec::new());
            }
            match (&*item, kept) {
                (_, Some((mut refs, at))) => {
                    for r in &mut refs {
                        let span = super::memo::shift(r.span, at.file, at.start);
                        let out = if r.explicit {
                            &mut explicit
                        } else {
                            &mut found
                        };
                        if let Some(target) = self.named(&r.name, r.hint) {
                            out.push((target, span));
                            r.hint = u32::try_from(target).unwrap_or(u32::MAX);
                            continue;
                        }
                        let locals = r.locals.as_deref().unwrap_or_default();
                        self.resolve_reference(&r.name, span, locals, out);
                    }
                    self.keep_references(d, refs);
                }
                (item, None) => match item {
                    ast::Item::Param(p) => {
                        if let Some(e) = &p.default {
                            self.walk(e, &mut locals, &mut found, 0);
                        }
                    }
                    ast::Item::Let(l) => self.walk(&l.value, &mut locals, &mut found, 0),
                    ast::Item::Output(o) => self.walk(&o.value, &mut locals, &mut found, 0),
                    ast::Item::Module(m) => {
                        for a in &m.body {
                            self.walk(&a.value, &mut locals, &mut found, 0);
                        }
                    }
                    ast::Item::Resource(r) => {
                        self.resource_references(r, &mut found, &mut explicit)
                    }
                    ast::Item::Environment(_) | ast::Item::Import(_) | ast::Item::Function(_) => {}
                },
            }
            if recording && let Some(log) = self.ref_log.take() {
                self.keep_logged_references(d, log);
            }
            self.redundant_depends_on(&mut found, explicit);
            for &(target, _) in &found {
                if let Some(u) = self.used.get_mut(target) {
                    *u = true;
                }
            }
            // One edge per target with its first reference's span (a stable sort keeps
            // references in order within a target).
            let mut edges = found;
            edges.sort_by_key(|(t, _)| *t);
            edges.dedup_by_key(|(t, _)| *t);
            if let Some(slot) = self.edges.get_mut(d) {
                *slot = edges;
            }
        }
    }

    fn resource_references(
        &mut self,
        r: &ast::Resource,
        found: &mut Vec<(usize, Span)>,
        explicit: &mut Vec<(usize, Span)>,
    ) {
        let mut locals: Vec<String> = Vec::new();
        if let Some(fe) = &r.for_each {
            self.walk(&fe.collection, &mut locals, found, 0);
            locals.extend(fe.key.iter().map(|k| k.name.clone()));
            locals.push(fe.value.name.clone());
        }
        for a in &r.body {
            if a.name.name == "depends_on" {
                self.in_depends_on = true;
                self.walk(&a.value, &mut locals, explicit, 0);
                self.in_depends_on = false;
            } else {
                self.walk(&a.value, &mut locals, found, 0);
            }
        }
    }

    /// Reports `depends_on` entries the references imply already (W0003), then adds them
    /// to the references.
    fn redundant_depends_on(
        &mut self,
        found: &mut Vec<(usize, Span)>,
        explicit: Vec<(usize, Span)>,
    ) {
        if explicit.is_empty() {
            return;
        }
        let implied: std::collections::HashSet<usize> = found.iter().map(|(t, _)| *t).collect();
        for (target, span) in explicit {
            if implied.contains(&target)
                && let Some(decl) = self.decls.get(target)
            {
                self.diags
                    .push(diag::graph::redundant_depends_on(&decl.name, span));
            }
            found.push((target, span));
        }
    }

    pub(crate) fn walk(
        &mut self,
        e: &Expr,
        locals: &mut Vec<String>,
        found: &mut Vec<(usize, Span)>,
        depth: u32,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        let depth = depth + 1;
        match &e.kind {
            ExprKind::Null | ExprKind::Bool(_) | ExprKind::Int(_) | ExprKind::Float(_) => {}
            ExprKind::Str { parts, .. } => {
                for p in parts {
                    if let StrPart::Interp(x) = p {
                        self.walk(x, locals, found, depth);
                    }
                }
            }
            ExprKind::List(items) => {
                for x in items {
                    self.walk(x, locals, found, depth);
                }
            }
            ExprKind::Object(entries) | ExprKind::Tagged { entries, .. } => {
                for en in entries {
                    self.walk(&en.value, locals, found, depth);
                }
            }
            ExprKind::Ref(id) => self.reference(id, locals, found),
            ExprKind::Member(b, _) | ExprKind::Unary(_, b) | ExprKind::Paren(b) => {
                self.walk(b, locals, found, depth)
            }
            ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => {
                self.walk(a, locals, found, depth);
                self.walk(b, locals, found, depth);
            }
            ExprKind::Call { args, .. } => {
                for x in args {
                    self.walk(x, locals, found, depth);
                }
            }
            ExprKind::Cond(a, b, c) => {
                self.walk(a, locals, found, depth);
                self.walk(b, locals, found, depth);
                self.walk(c, locals, found, depth);
            }
            ExprKind::ListFor(c) | ExprKind::ObjectFor(c) => {
                self.walk(&c.collection, locals, found, depth);
                let mark = locals.len();
                locals.extend(c.key.iter().map(|k| k.name.clone()));
                locals.push(c.value.name.clone());
                if let Some(k) = &c.key_expr {
                    self.walk(k, locals, found, depth);
                }
                self.walk(&c.body, locals, found, depth);
                if let Some(x) = &c.cond {
                    self.walk(x, locals, found, depth);
                }
                locals.truncate(mark);
            }
        }
    }

    fn reference(&mut self, id: &ast::Ident, locals: &[String], found: &mut Vec<(usize, Span)>) {
        if locals.contains(&id.name) {
            return;
        }
        if let Some(log) = &mut self.ref_log {
            log.push(super::memo::Ref {
                name: id.name.clone(),
                span: id.span,
                locals: (!locals.is_empty()).then(|| locals.into()),
                explicit: self.in_depends_on,
                hint: u32::MAX,
            });
        }
        self.resolve_reference(&id.name, id.span, locals, found);
    }

    /// A reference to `name` at `span`, outside the loop variables `locals`: an edge to the
    /// declaration, or E0200 with a suggestion among the declarations and `locals`.
    fn resolve_reference(
        &mut self,
        name: &str,
        span: Span,
        locals: &[String],
        found: &mut Vec<(usize, Span)>,
    ) {
        if let Some(&target) = self.by_name.get(name) {
            found.push((target, span));
            return;
        }
        let search = |by_name: &super::memo::Names| {
            let candidates = by_name
                .keys()
                .map(String::as_str)
                .chain(locals.iter().map(String::as_str));
            diag::did_you_mean(name, candidates).map(str::to_string)
        };
        if !locals.is_empty() {
            let suggestion = search(&self.by_name);
            self.diags
                .push(diag::names::unknown_name(name, span, suggestion.as_deref()));
            return;
        }
        // Every reference to the same unknown name gets the same error, moved.
        let d = match self.unknown.get(name) {
            Some(d) => d,
            None => {
                let suggestion = search(&self.by_name);
                let d = diag::names::unknown_name(name, span, suggestion.as_deref());
                self.unknown.entry(name.to_string()).or_insert(d)
            }
        };
        let mut d = d.clone();
        d.span = span;
        self.diags.push(d);
    }
}
