//! `import` blocks: each names one resource instance of the root module (`to`) and the cloud
//! id of the object to adopt (`id`, a string). Checked here so that a mistake is a diagnostic
//! with a span, not a failure at plan time.

use super::DeclKind;
use super::module::ModuleChecker;
use crate::diag;
use crate::syntax::ast::{self, ExprKind, StrPart};
use std::collections::HashMap;

/// A checked import block.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportBlock {
    /// The instance address, e.g. `rg` or `site["www"]`.
    pub address: String,
    /// The resource declaration it names.
    pub resource: String,
    /// The id when written as a plain string (empty otherwise).
    pub id: String,
    /// The id when computed from params and lets (`"/subscriptions/${sub}/..."`), evaluated
    /// per environment ([`crate::eval::Evaluation::import_id`]).
    pub id_expr: Option<ast::Expr>,
    pub span: crate::span::Span,
}

fn literal(e: &ast::Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Str { parts, .. } => parts
            .iter()
            .map(|p| match p {
                StrPart::Lit(s) => Some(s.as_str()),
                StrPart::Interp(_) => None,
            })
            .collect::<Option<Vec<&str>>>()
            .map(|v| v.concat()),
        ExprKind::Paren(inner) => literal(inner),
        _ => None,
    }
}

fn quote_key(key: &str) -> String {
    let mut out = String::from("\"");
    for c in key.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

impl ModuleChecker<'_> {
    /// Checks the root module's import blocks (E0900-E0903) and returns the valid ones.
    pub(crate) fn check_imports(&mut self) -> Vec<ImportBlock> {
        let blocks = std::mem::take(&mut self.imports);
        let mut out: Vec<ImportBlock> = Vec::new();
        let mut seen: HashMap<String, crate::span::Span> = HashMap::new();
        for b in &blocks {
            let mut to = None;
            let mut id = None;
            for a in &b.body {
                let slot = match a.name.name.as_str() {
                    "to" => &mut to,
                    "id" => &mut id,
                    other => {
                        self.diags.push(diag::imports::bad_import(
                            format!("`{other}` is not part of an import block"),
                            a.name.span,
                            "an import block has `to` (the resource) and `id` (the cloud id)",
                        ));
                        continue;
                    }
                };
                if slot.is_some() {
                    self.diags.push(diag::imports::bad_import(
                        format!("`{}` is set twice", a.name.name),
                        a.name.span,
                        "keep one",
                    ));
                    continue;
                }
                *slot = Some(&a.value);
            }
            let (Some(to), Some(id)) = (to, id) else {
                self.diags.push(diag::imports::bad_import(
                    "an import block needs `to` and `id`",
                    b.keyword.span,
                    "e.g. `import { to = rg, id = \"/subscriptions/.../resourceGroups/app\" }`",
                ));
                continue;
            };
            let Some(address) = self.import_target(to) else {
                continue;
            };
            let (id_text, id_expr) = match literal(id) {
                Some(text) => (text, None),
                None if self.computed_id(id) => (String::new(), Some(id.clone())),
                None => continue,
            };
            if let Some(&first) = seen.get(&address.0) {
                self.diags
                    .push(diag::imports::duplicate(&address.0, to.span, first));
                continue;
            }
            seen.insert(address.0.clone(), to.span);
            out.push(ImportBlock {
                address: address.0,
                resource: address.1,
                id: id_text,
                id_expr,
                span: b.span,
            });
        }
        out
    }

    /// An id computed from params, lets and functions: a string known before apply (it reads
    /// no resource). Reports E0902 otherwise.
    fn computed_id(&mut self, id: &ast::Expr) -> bool {
        let mut found = Vec::new();
        self.walk(id, &mut Vec::new(), &mut found, 0);
        let mut ok = true;
        for (target, span) in found {
            if let Some(u) = self.used.get_mut(target) {
                *u = true;
            }
            let kind = self.decls.get(target).map(|d| d.kind);
            if !matches!(kind, Some(DeclKind::Param | DeclKind::Let)) {
                self.diags.push(
                    diag::imports::id_not_string(span)
                        .with_help("an import id is known before apply: it may use params, lets and functions, not resources or modules"),
                );
                ok = false;
            }
        }
        if !ok {
            return false;
        }
        let ty = self.infer(id);
        if ty.ty != infra_provider_core::Type::String || ty.secret {
            self.diags.push(diag::imports::id_not_string(id.span));
            return false;
        }
        true
    }

    /// `rg` or `rg["key"]` naming a `resource` (not `existing`) of this module, with or
    /// without a key as its `for` says. Returns (address, resource name).
    fn import_target(&mut self, to: &ast::Expr) -> Option<(String, String)> {
        let shape = "`to` names a resource: `rg`, or `rg[\"key\"]` for one instance of a `for`";
        let (name, key) = match &to.kind {
            ExprKind::Ref(n) => (n, None),
            ExprKind::Index(base, k) => match (&base.kind, &k.kind) {
                (ExprKind::Ref(n), ExprKind::Int(i)) => (n, Some(i.to_string())),
                (ExprKind::Ref(n), _) => match literal(k) {
                    Some(s) => (n, Some(s)),
                    None => {
                        self.diags.push(diag::imports::unknown_target(
                            "the instance key of an import must be a string",
                            k.span,
                            Some(shape.into()),
                        ));
                        return None;
                    }
                },
                _ => {
                    self.diags.push(diag::imports::unknown_target(
                        "an import's `to` must name a resource of this configuration",
                        to.span,
                        Some(shape.into()),
                    ));
                    return None;
                }
            },
            _ => {
                self.diags.push(diag::imports::unknown_target(
                    "an import's `to` must name a resource of this configuration",
                    to.span,
                    Some(shape.into()),
                ));
                return None;
            }
        };
        let decl = self
            .by_name
            .get(&name.name)
            .and_then(|&d| self.decls.get(d));
        let Some(decl) = decl.filter(|d| d.kind == DeclKind::Resource) else {
            let what = match decl.map(|d| d.kind) {
                Some(DeclKind::Existing) => {
                    format!(
                        "`{}` is declared `existing`: infra reads it, it does not manage it",
                        name.name
                    )
                }
                Some(_) => format!("`{}` is not a resource", name.name),
                None => format!("there is no resource `{}`", name.name),
            };
            self.diags
                .push(diag::imports::unknown_target(what, name.span, None));
            return None;
        };
        let has_for = decl.resource().is_some_and(|r| r.for_each.is_some());
        match (has_for, key) {
            (false, None) => Some((name.name.clone(), name.name.clone())),
            (true, Some(k)) => Some((
                format!("{}[{}]", name.name, quote_key(&k)),
                name.name.clone(),
            )),
            (true, None) => {
                self.diags.push(diag::imports::unknown_target(
                    format!("`{}` makes one instance per key of its `for`", name.name),
                    to.span,
                    Some(format!("import one instance: `{}[\"key\"]`", name.name)),
                ));
                None
            }
            (false, Some(_)) => {
                self.diags.push(diag::imports::unknown_target(
                    format!(
                        "`{}` has no `for`: it has one instance, without a key",
                        name.name
                    ),
                    to.span,
                    Some(format!("write `to = {}`", name.name)),
                ));
                None
            }
        }
    }
}
