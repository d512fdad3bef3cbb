//! Every place a name occurs, across the project: what find references, rename and semantic
//! tokens share. A name is a top-level item of one module (param, let, resource, module
//! block) or an output of one module; loop variables shadow items inside their loop.

use super::analysis::Analysis;
use super::cursor::{self, Hit};
use super::names;
use infra_lang::syntax::ast::{self, Expr, ExprKind, Item, StrPart};
use infra_lang::{FileId, Span};

/// A declared name that can be looked up across the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A param, let, resource or module block of module `module`.
    Item { module: usize, name: String },
    /// An output of module `module`, used as `block.name` by the modules that instantiate it.
    Output { module: usize, name: String },
    /// A user-defined function of module `module`, named only by calls inside that module.
    Function { module: usize, name: String },
}

impl Target {
    pub fn name(&self) -> &str {
        match self {
            Target::Item { name, .. }
            | Target::Output { name, .. }
            | Target::Function { name, .. } => name,
        }
    }
}

/// What the cursor names, if it is a name rename and references understand.
pub fn target_at(analysis: &Analysis, offset: usize) -> Option<Target> {
    let file = names::document_tree(analysis)?;
    let module = analysis.module_of_file();
    match cursor::hit_at(file, offset)? {
        Hit::Decl(Item::Output(o)) => Some(Target::Output {
            module,
            name: o.name.name.clone(),
        }),
        Hit::Decl(Item::Function(f)) => Some(Target::Function {
            module,
            name: f.name.name.clone(),
        }),
        Hit::Decl(Item::Environment(_) | Item::Import(_)) => None,
        Hit::Call(name) => names::function(analysis, name).map(|_| Target::Function {
            module,
            name: name.to_string(),
        }),
        Hit::Decl(item) => Some(Target::Item {
            module,
            name: item.name().name.clone(),
        }),
        Hit::Ref(name) => names::find(analysis, name).map(|_| Target::Item {
            module,
            name: name.to_string(),
        }),
        Hit::Member { base, name } => match child_of_block(analysis, module, base) {
            Some(child) if names::module_output(analysis, base, name).is_some() => {
                Some(Target::Output {
                    module: child,
                    name: name.to_string(),
                })
            }
            _ => names::find(analysis, base).map(|_| Target::Item {
                module,
                name: base.to_string(),
            }),
        },
        _ => None,
    }
}

/// The module a `module` block named `block` of module `module` instantiates.
pub fn child_of_block(analysis: &Analysis, module: usize, block: &str) -> Option<usize> {
    let here = analysis.project.modules.get(module)?;
    here.files.iter().find_map(|(_, f)| {
        f.items.iter().find_map(|i| match i {
            Item::Module(m) if m.name.name == block => here.imports.get(&m.source).copied(),
            _ => None,
        })
    })
}

/// Every occurrence of `target` (its declaration first), as (file, span of the name).
pub fn occurrences(analysis: &Analysis, target: &Target) -> Vec<(FileId, Span)> {
    let mut out = Vec::new();
    let (module, name) = match target {
        Target::Item { module, name } | Target::Output { module, name } => (*module, name),
        Target::Function { module, name } => return function_occurrences(analysis, *module, name),
    };
    let Some(home) = analysis.project.modules.get(module) else {
        return out;
    };
    let is_output = matches!(target, Target::Output { .. });
    let mut is_param = false;
    for (id, file) in &home.files {
        for item in &file.items {
            let declares = match item {
                Item::Output(o) => is_output && o.name.name == *name,
                Item::Environment(_) | Item::Import(_) | Item::Function(_) => false,
                other => !is_output && other.name().name == *name,
            };
            if declares {
                is_param = matches!(item, Item::Param(_));
                out.push((*id, item.name().span));
            }
        }
    }
    if out.is_empty() {
        return out;
    }
    if !is_output {
        for (id, file) in &home.files {
            let mut walk = Walk {
                name,
                file: *id,
                found: &mut out,
                shadow: Vec::new(),
                member_of: None,
                calls: false,
            };
            walk.file(file);
        }
    }
    // Uses from the modules that instantiate this one: `block.output` and, for a param, the
    // attribute that sets it in the `module` block (or in an environment, for the root).
    for (parent_index, parent) in analysis.project.modules.iter().enumerate() {
        for (id, file) in &parent.files {
            for item in &file.items {
                match item {
                    Item::Module(m) if parent.imports.get(&m.source) == Some(&module) => {
                        if is_param {
                            out.extend(
                                m.body
                                    .iter()
                                    .filter(|a| a.name.name == *name)
                                    .map(|a| (*id, a.name.span)),
                            );
                        }
                        if is_output {
                            let mut walk = Walk {
                                name,
                                file: *id,
                                found: &mut out,
                                shadow: Vec::new(),
                                member_of: Some(&m.name.name),
                                calls: false,
                            };
                            walk.file(file);
                        }
                    }
                    Item::Environment(e) if is_param && module == 0 && parent_index == 0 => {
                        out.extend(
                            e.body
                                .iter()
                                .filter(|a| a.name.name == *name)
                                .map(|a| (*id, a.name.span)),
                        );
                    }
                    _ => {}
                }
            }
        }
    }
    out.sort_by_key(|(f, s)| (*f, s.start));
    out.dedup();
    out
}

/// A function's declaration and every call to it: in its own module only (functions are not
/// exported).
fn function_occurrences(analysis: &Analysis, module: usize, name: &str) -> Vec<(FileId, Span)> {
    let Some(home) = analysis.project.modules.get(module) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (id, file) in &home.files {
        for item in &file.items {
            if let Item::Function(f) = item
                && f.name.name == name
            {
                out.push((*id, f.name.span));
            }
        }
    }
    if out.is_empty() {
        return out;
    }
    for (id, file) in &home.files {
        let mut walk = Walk {
            name,
            file: *id,
            found: &mut out,
            shadow: Vec::new(),
            member_of: None,
            calls: true,
        };
        walk.file(file);
    }
    out.sort_by_key(|(f, s)| (*f, s.start));
    out.dedup();
    out
}

/// Finds `name` used as a name (or, with `member_of`, as `member_of.name`; or, with `calls`,
/// as the function of a call) in one file.
struct Walk<'a> {
    name: &'a str,
    file: FileId,
    found: &'a mut Vec<(FileId, Span)>,
    /// Loop variables in scope.
    shadow: Vec<String>,
    member_of: Option<&'a str>,
    calls: bool,
}

impl Walk<'_> {
    fn file(&mut self, file: &ast::File) {
        for item in &file.items {
            match item {
                Item::Param(p) => {
                    if let Some(d) = &p.default {
                        self.expr(d);
                    }
                }
                Item::Let(l) => self.expr(&l.value),
                Item::Output(o) => self.expr(&o.value),
                Item::Resource(r) => {
                    let mut vars = Vec::new();
                    if let Some(f) = &r.for_each {
                        self.expr(&f.collection);
                        vars.extend(f.key.iter().map(|k| k.name.clone()));
                        vars.push(f.value.name.clone());
                    }
                    self.scoped(vars, |w| w.attrs(&r.body));
                }
                Item::Module(m) => self.attrs(&m.body),
                Item::Environment(e) => self.attrs(&e.body),
                Item::Import(i) => self.attrs(&i.body),
                Item::Function(f) => {
                    let params = f.params.iter().map(|p| p.name.name.clone()).collect();
                    self.scoped(params, |w| w.expr(&f.body));
                }
            }
        }
    }

    fn attrs(&mut self, attrs: &[ast::Attribute]) {
        for a in attrs {
            self.expr(&a.value);
        }
    }

    fn scoped(&mut self, vars: Vec<String>, f: impl FnOnce(&mut Self)) {
        let before = self.shadow.len();
        self.shadow.extend(vars);
        f(self);
        self.shadow.truncate(before);
    }

    fn visible(&self, name: &str) -> bool {
        !self.shadow.iter().any(|s| s == name)
    }

    fn expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Ref(id) => {
                if self.member_of.is_none()
                    && !self.calls
                    && id.name == self.name
                    && self.visible(&id.name)
                {
                    self.found.push((self.file, id.span));
                }
            }
            ExprKind::Member(base, field) => {
                if let (Some(block), ExprKind::Ref(b)) = (self.member_of, &base.kind)
                    && b.name == block
                    && field.name == self.name
                    && self.visible(block)
                {
                    self.found.push((self.file, field.span));
                }
                self.expr(base);
            }
            ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => {
                self.expr(a);
                self.expr(b);
            }
            ExprKind::Call { name, args } => {
                if self.calls && name.name == self.name {
                    self.found.push((self.file, name.span));
                }
                args.iter().for_each(|x| self.expr(x));
            }
            ExprKind::List(args) => args.iter().for_each(|x| self.expr(x)),
            ExprKind::Str { parts, .. } => {
                for p in parts {
                    if let StrPart::Interp(x) = p {
                        self.expr(x);
                    }
                }
            }
            ExprKind::Object(entries) | ExprKind::Tagged { entries, .. } => {
                entries.iter().for_each(|en| self.expr(&en.value));
            }
            ExprKind::Unary(_, x) | ExprKind::Paren(x) => self.expr(x),
            ExprKind::Cond(c, a, b) => {
                self.expr(c);
                self.expr(a);
                self.expr(b);
            }
            ExprKind::ListFor(c) | ExprKind::ObjectFor(c) => {
                self.expr(&c.collection);
                let mut vars: Vec<String> = c.key.iter().map(|k| k.name.clone()).collect();
                vars.push(c.value.name.clone());
                self.scoped(vars, |w| {
                    for x in [c.key_expr.as_ref(), Some(&c.body), c.cond.as_ref()]
                        .into_iter()
                        .flatten()
                    {
                        w.expr(x);
                    }
                });
            }
            ExprKind::Null | ExprKind::Bool(_) | ExprKind::Int(_) | ExprKind::Float(_) => {}
        }
    }
}
