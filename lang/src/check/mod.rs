//! Checking: names, types against provider schemas, the dependency graph and secret flow.
//! The result is every diagnostic plus, when there is no error, the [`Program`] the
//! evaluator runs.
//!
//! Each module is checked once, children before parents (a parent reads its children's
//! param and output types). Within a module: names, then references (which give the graph),
//! then types in topological order, so that inferring a declaration never recurses into
//! another one.

mod carries;
mod environment;
mod expected;
mod functions;
pub(crate) mod graph;
mod imports;
mod item_ref;
mod memo;
pub(crate) use item_ref::ItemRef;
pub use memo::CheckCache;
mod module;
mod names;
mod places;
mod properties;
mod secrets;
mod typed;
mod types;

use crate::diag::{self, Diagnostic};
use crate::project::Project;
use crate::span::Span;
use crate::syntax::ast;
use infra_provider_core::{ResourceSchema, SchemaSet, Type};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

pub use imports::ImportBlock;
pub(crate) use properties::{META, parse_duration};
pub(crate) use types::Ty;
pub(crate) use types::contains_secret_type as is_secret_type;

/// What to check beyond the files themselves.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// The environment that will be evaluated: its params must cover every param without a
    /// default (E0308), and it must exist (E0205).
    pub environment: Option<String>,
}

/// The outcome of [`check`].
#[derive(Debug, Clone)]
pub struct Checked {
    /// Syntax, load and check diagnostics, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
    /// Present when no diagnostic is an error.
    pub program: Option<Program>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// A checked program: declarations with their types and evaluation order, shared cheaply.
#[derive(Debug, Clone)]
pub struct Program {
    pub(crate) data: Arc<ProgramData>,
}

impl Program {
    /// The import blocks of the root module, checked.
    pub fn imports(&self) -> &[ImportBlock] {
        &self.data.imports
    }

    /// A stable outline of what the check found: per module, each declaration's kind and
    /// type, the evaluation order and the functions; then the resource types used. Tests
    /// compare checks with it (the program's tables are hash maps).
    pub fn outline(&self) -> String {
        let mut out = String::new();
        for (i, m) in self.data.modules.iter().enumerate() {
            out.push_str(&format!("module {i}, order {:?}\n", m.order));
            for d in &m.decls {
                out.push_str(&format!(
                    "  {:?} {} {:?} {:?} child {:?}\n",
                    d.kind, d.name, d.span, d.ty, d.child
                ));
            }
            let mut functions: Vec<&String> = m.functions.keys().collect();
            functions.sort();
            out.push_str(&format!("  functions {functions:?}\n"));
        }
        let mut types: Vec<&String> = self.data.schemas.keys().collect();
        types.sort();
        out.push_str(&format!("types {types:?}\n"));
        out
    }

    /// Names of the environments the project declares, in declaration order.
    pub fn environment_names(&self) -> Vec<&str> {
        self.data
            .environments
            .iter()
            .map(|e| e.name.name.as_str())
            .collect()
    }
}

#[derive(Debug)]
pub(crate) struct ProgramData {
    /// `modules[0]` is the root.
    pub modules: Vec<ModuleProgram>,
    /// Schemas of the resource types the program uses.
    pub schemas: HashMap<String, ResourceSchema>,
    pub environments: Vec<Arc<ast::Environment>>,
    /// The root module's import blocks.
    pub imports: Vec<ImportBlock>,
}

#[derive(Debug)]
pub(crate) struct ModuleProgram {
    pub decls: Vec<Decl>,
    pub by_name: memo::Names,
    /// Outputs by name: their own namespace.
    pub outputs_by_name: memo::Names,
    /// Declarations in dependency order (dependencies first, ties by name).
    pub order: Vec<usize>,
    /// User-defined functions, callable within the module only.
    pub functions: HashMap<String, Arc<ast::Function>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeclKind {
    Param,
    Let,
    Resource,
    Existing,
    Module,
    Output,
}

#[derive(Debug)]
pub(crate) struct Decl {
    pub name: String,
    pub span: Span,
    pub kind: DeclKind,
    pub item: ItemRef,
    /// For a module block: the module it instantiates.
    pub child: Option<usize>,
    /// Params: the declared type; outputs: declared or inferred; others: inferred.
    pub ty: Ty,
}

impl Decl {
    pub fn resource(&self) -> Option<&ast::Resource> {
        match &*self.item {
            ast::Item::Resource(r) => Some(r),
            _ => None,
        }
    }
    pub fn declared_secret_output(&self) -> bool {
        matches!(&*self.item, ast::Item::Output(o) if o.ty.as_ref().is_some_and(is_secret_annotation))
    }
}

pub(crate) fn is_secret_annotation(t: &ast::TypeExpr) -> bool {
    matches!(&t.kind, ast::TypeExprKind::Named(n) if n == "secret")
}

/// What a parent needs to know about a checked module.
#[derive(Debug, Clone, Default)]
pub(crate) struct ModuleSummary {
    /// Param name -> (type, has a default).
    pub params: BTreeMap<String, (Type, bool)>,
    pub outputs: BTreeMap<String, Ty>,
}

/// Checks a project against the given schemas, for no particular environment.
pub fn check(project: &Project, schemas: &SchemaSet) -> Checked {
    check_with(project, schemas, &CheckOptions::default())
}

/// Checks a project; with `options.environment`, also that this environment exists and gives
/// every param without a default.
pub fn check_with(project: &Project, schemas: &SchemaSet, options: &CheckOptions) -> Checked {
    run(project, schemas, options, None)
}

/// [`check_with`], reusing the checks of declarations that did not change since the last
/// call with this cache (the language server's check after an edit). The result is the
/// one [`check_with`] gives; the cache must always be used with the same schemas.
pub fn check_cached(
    project: &Project,
    schemas: &SchemaSet,
    options: &CheckOptions,
    cache: &mut CheckCache,
) -> Checked {
    run(project, schemas, options, Some(cache))
}

fn run(
    project: &Project,
    schemas: &SchemaSet,
    options: &CheckOptions,
    mut cache: Option<&mut CheckCache>,
) -> Checked {
    let mut diags: Vec<Diagnostic> = project.diagnostics.clone();
    let order = module::module_order(project, &mut diags);
    let count = project.modules.len();
    let mut summaries: Vec<Option<ModuleSummary>> = vec![None; count];
    let mut programs: Vec<Option<ModuleProgram>> = (0..count).map(|_| None).collect();
    let mut used_types: HashMap<String, ResourceSchema> = HashMap::new();
    let mut environments = Vec::new();
    let mut imports = Vec::new();
    if let Some(c) = cache.as_mut() {
        c.reused = 0;
    }
    for m in order {
        let mut cx = module::ModuleChecker::new(project, schemas, m, &summaries, &mut diags);
        cx.memo = cache.as_mut().map(|c| {
            let mut memo = c.modules.remove(&m).unwrap_or_default();
            memo.begin();
            memo
        });
        cx.run();
        if let (Some(c), Some(mut memo)) = (cache.as_mut(), cx.memo.take()) {
            memo.end();
            c.reused += memo.reused;
            c.modules.insert(m, memo);
        }
        if m == 0 {
            environments = cx.check_environments(options.environment.as_deref());
            imports = std::mem::take(&mut cx.checked_imports);
        }
        let (program, summary, types) = cx.finish();
        for t in types {
            if let Some(s) = schemas.get(&t) {
                used_types.entry(t).or_insert_with(|| s.clone());
            }
        }
        if let (Some(slot), Some(p)) = (summaries.get_mut(m), programs.get_mut(m)) {
            *slot = Some(summary);
            *p = Some(program);
        }
    }
    diag::sort(&mut diags);
    let has_errors = diags.iter().any(Diagnostic::is_error);
    let program = if has_errors {
        None
    } else {
        // Without errors every module was reached (no include cycle), so none is missing.
        let modules: Option<Vec<ModuleProgram>> = programs.into_iter().collect();
        modules.map(|modules| Program {
            data: Arc::new(ProgramData {
                modules,
                schemas: used_types,
                environments,
                imports,
            }),
        })
    };
    Checked {
        diagnostics: diags,
        program,
    }
}
