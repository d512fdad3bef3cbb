//! Checking one module: the order of the passes and the state they share.

use super::types::Ty;
use super::{Decl, DeclKind, ModuleProgram, ModuleSummary, graph};
use crate::diag::{self, Diagnostic};
use crate::project::Project;
use crate::span::Span;
use crate::syntax::ast;
use infra_provider_core::SchemaSet;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// A module being visited: its index, the modules it uses (with the source span and text),
/// and the next of those to visit.
type Frame = (usize, Vec<(usize, Span, String)>, usize);

/// Modules in check order (children before parents), reporting include cycles.
pub(crate) fn module_order(project: &Project, diags: &mut Vec<Diagnostic>) -> Vec<usize> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    let n = project.modules.len();
    let mut mark = vec![Mark::New; n];
    let mut order = Vec::with_capacity(n);
    if n == 0 {
        return order;
    }
    // Iterative depth-first search: (module, its children, next child to visit).
    let children = |m: usize| -> Vec<(usize, Span, String)> {
        let Some(module) = project.modules.get(m) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (_, file) in &module.files {
            for item in &file.items {
                if let ast::Item::Module(b) = item
                    && let Some(&c) = module.imports.get(&b.source)
                {
                    out.push((c, b.source_span, b.source.clone()));
                }
            }
        }
        out
    };
    let mut stack: Vec<Frame> = vec![(0, children(0), 0)];
    mark[0] = Mark::Active;
    while let Some((m, kids, next)) = stack.last_mut() {
        if let Some((c, span, source)) = kids.get(*next).cloned() {
            *next += 1;
            match mark.get(c).copied() {
                Some(Mark::New) => {
                    mark[c] = Mark::Active;
                    let k = children(c);
                    stack.push((c, k, 0));
                }
                Some(Mark::Active) => {
                    diags.push(diag::graph::module_includes_itself(&source, span))
                }
                _ => {}
            }
        } else {
            let m = *m;
            mark[m] = Mark::Done;
            order.push(m);
            stack.pop();
        }
    }
    order
}

/// The state shared by the passes over one module.
pub(crate) struct ModuleChecker<'a> {
    pub project: &'a Project,
    pub schemas: &'a SchemaSet,
    pub module: usize,
    pub summaries: &'a [Option<ModuleSummary>],
    pub diags: &'a mut Vec<Diagnostic>,
    pub decls: Vec<Decl>,
    pub by_name: super::memo::Names,
    /// Outputs, in their own namespace (read from outside the module only).
    pub outputs_by_name: super::memo::Names,
    pub environments: Vec<Arc<ast::Environment>>,
    /// Import blocks of the root module, checked after the names.
    pub imports: Vec<Arc<ast::Import>>,
    /// The checked import blocks (root module only).
    pub checked_imports: Vec<super::ImportBlock>,
    /// Per declaration: what it refers to, with the span of the first reference.
    pub edges: Vec<Vec<(usize, Span)>>,
    pub used: Vec<bool>,
    pub order: Vec<usize>,
    /// Loop variables in scope (innermost last); the flag marks a variable that stands for a
    /// resource (iterating over a literal collection of resources), not for its id.
    pub locals: Vec<(String, Ty, bool)>,
    /// Inside an environment block: no declaration is visible.
    pub in_environment: bool,
    /// Where the last secret seen while inferring came from, for E0500/E0501 labels.
    pub secret_origin: Option<(Span, String)>,
    pub depth: u32,
    pub types_used: BTreeSet<String>,
    /// User-defined functions of the module, by name.
    pub functions: HashMap<String, super::functions::FnSig>,
    /// Inside a function body: only its parameters are visible.
    pub in_function: Option<Arc<ast::Function>>,
    /// The error (E0200, with its "did you mean") for each unknown name referred to with no
    /// loop variable in scope: a renamed `let` leaves thousands of references to the same
    /// unknown name, and each search compares it with every declaration.
    pub unknown: HashMap<String, Diagnostic, super::memo::NameBuild>,
    /// Kept declaration checks of the last run and of this one (see [`super::memo`]).
    pub memo: Option<super::memo::ModuleMemo>,
    /// What the declaration being checked reads, while its result may be kept.
    pub reads: std::cell::RefCell<Option<super::memo::Reads>>,
    /// The name being resolved is a whole `${...}` part of a string (see [`Self::note_read`]).
    pub interpolated: std::cell::Cell<bool>,
    /// The value being inferred is checked against `any`, through object and list literals
    /// only: nothing asks its type, only whether it is secret (see [`Self::note_read`]).
    pub discarded: std::cell::Cell<bool>,
    /// The references the declaration being walked makes, while they may be kept.
    pub ref_log: Option<Vec<super::memo::Ref>>,
    /// Walking a `depends_on` list.
    pub in_depends_on: bool,
}

impl<'a> ModuleChecker<'a> {
    pub fn new(
        project: &'a Project,
        schemas: &'a SchemaSet,
        module: usize,
        summaries: &'a [Option<ModuleSummary>],
        diags: &'a mut Vec<Diagnostic>,
    ) -> Self {
        ModuleChecker {
            project,
            schemas,
            module,
            summaries,
            diags,
            decls: Vec::new(),
            by_name: Default::default(),
            outputs_by_name: Default::default(),
            environments: Vec::new(),
            imports: Vec::new(),
            checked_imports: Vec::new(),
            edges: Vec::new(),
            used: Vec::new(),
            order: Vec::new(),
            locals: Vec::new(),
            in_environment: false,
            secret_origin: None,
            depth: 0,
            types_used: BTreeSet::new(),
            functions: HashMap::new(),
            in_function: None,
            unknown: Default::default(),
            memo: None,
            reads: Default::default(),
            interpolated: Default::default(),
            discarded: Default::default(),
            ref_log: None,
            in_depends_on: false,
        }
    }

    pub fn run(&mut self) {
        self.declare();
        self.check_functions();
        self.collect_references();
        // An order kept from the last run was found without a cycle, from the same input.
        let kept = self
            .memo
            .as_ref()
            .and_then(|m| m.order(&self.decls, &self.edges));
        self.order = match kept {
            Some(order) => order,
            None => {
                let (order, cycles) = graph::analyse(&self.decls, &self.edges);
                match &mut self.memo {
                    Some(m) if cycles.is_empty() => m.keep_order(&self.decls, &self.edges, &order),
                    _ => {}
                }
                self.diags.extend(cycles);
                order
            }
        };
        for i in 0..self.order.len() {
            if let Some(&d) = self.order.get(i) {
                self.check_decl(d);
            }
        }
        if self.module == 0 {
            self.checked_imports = self.check_imports();
        }
        self.report_unused();
    }

    fn check_decl(&mut self, d: usize) {
        let Some(decl) = self.decls.get(d) else {
            return;
        };
        let item = decl.item.clone();
        if matches!(
            &*item,
            ast::Item::Environment(_) | ast::Item::Import(_) | ast::Item::Function(_)
        ) || self.reuse(d)
        {
            return;
        }
        let recording = self.begin_record();
        let ty = match &*item {
            ast::Item::Param(p) => self.check_param(p),
            ast::Item::Let(l) => self.infer(&l.value),
            ast::Item::Resource(r) => self.check_resource(r),
            ast::Item::Module(m) => self.check_module_block(m, d),
            ast::Item::Output(o) => self.check_output(o),
            ast::Item::Environment(_) | ast::Item::Import(_) | ast::Item::Function(_) => return,
        };
        if let Some(from) = recording {
            self.end_record(d, from, &ty);
        }
        if let Some(decl) = self.decls.get_mut(d) {
            decl.ty = ty;
        }
    }

    fn check_param(&mut self, p: &ast::Param) -> Ty {
        let ty = self.convert_type(&p.ty);
        let declared = Ty::of(ty.clone());
        if let Some(default) = &p.default {
            self.secret_origin = None;
            let got = self.check_value(default, &ty);
            if got.secret && !declared.secret {
                let origin = self.secret_origin.take();
                self.diags.push(diag::secrets::secret_to_plain(
                    &format!("param `{}`", p.name.name),
                    default.span,
                    origin,
                    &format!("declare the param as `param {}: secret`", p.name.name),
                ));
            }
        }
        declared
    }

    fn check_output(&mut self, o: &ast::Output) -> Ty {
        self.secret_origin = None;
        let declared_secret = o.ty.as_ref().is_some_and(super::is_secret_annotation);
        let got = match &o.ty {
            Some(t) if !declared_secret => {
                let ty = self.convert_type(t);
                let got = self.check_value(&o.value, &ty);
                Ty {
                    ty,
                    secret: got.secret,
                }
            }
            _ => self.infer(&o.value),
        };
        if got.secret && !declared_secret {
            let origin = self.secret_origin.take();
            self.diags.push(diag::secrets::secret_to_output(
                &o.name.name,
                o.value.span,
                origin,
            ));
        }
        Ty {
            ty: got.ty,
            secret: got.secret || declared_secret,
        }
    }

    fn report_unused(&mut self) {
        for (i, d) in self.decls.iter().enumerate() {
            if self.used.get(i).copied().unwrap_or(true) {
                continue;
            }
            match d.kind {
                DeclKind::Param => self.diags.push(diag::names::unused_param(&d.name, d.span)),
                DeclKind::Let => self.diags.push(diag::names::unused_let(&d.name, d.span)),
                _ => {}
            }
        }
    }

    pub fn finish(self) -> (ModuleProgram, ModuleSummary, BTreeSet<String>) {
        let mut summary = ModuleSummary::default();
        for d in &self.decls {
            match &*d.item {
                ast::Item::Param(p) => {
                    summary
                        .params
                        .insert(d.name.clone(), (d.ty.ty.clone(), p.default.is_some()));
                }
                ast::Item::Output(_) => {
                    summary.outputs.insert(d.name.clone(), d.ty.clone());
                }
                _ => {}
            }
        }
        let program = ModuleProgram {
            decls: self.decls,
            by_name: self.by_name,
            outputs_by_name: self.outputs_by_name,
            order: self.order,
            functions: self
                .functions
                .into_iter()
                .map(|(name, f)| (name, f.item))
                .collect(),
        };
        (program, summary, self.types_used)
    }
}
