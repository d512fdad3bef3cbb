//! Resource bodies against their schemas (including meta properties and `for`), and module
//! blocks against the params of the module they use.

use super::module::ModuleChecker;
use super::places::literal_str;
use super::types::{Ty, is_stringish};
use super::{DeclKind, ModuleSummary};
use crate::diag;
use crate::span::Span;
use crate::syntax::ast::{self, Attribute, Expr, ExprKind};
use infra_provider_core::{Field, ResourceSchema, Type};
use std::collections::HashMap;

/// Properties every resource accepts; they steer the engine and never reach the provider.
pub(crate) const META: [&str; 6] = [
    "depends_on",
    "protect",
    "ignore_changes",
    "create_before_destroy",
    "timeouts",
    "delete_unmanaged",
];
const TIMEOUT_KEYS: [&str; 3] = ["create", "update", "delete"];

/// Parses a duration such as `"45m"`, `"2h"`, `"30s"` or `"1h30m"` into seconds.
pub(crate) fn parse_duration(text: &str) -> Option<u64> {
    let mut total: u64 = 0;
    let mut number: Option<u64> = None;
    for c in text.trim().chars() {
        if let Some(d) = c.to_digit(10) {
            number = Some(
                number
                    .unwrap_or(0)
                    .checked_mul(10)?
                    .checked_add(u64::from(d))?,
            );
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            _ => return None,
        };
        total = total.checked_add(number.take()?.checked_mul(unit)?)?;
    }
    if number.is_some() || total == 0 {
        None
    } else {
        Some(total)
    }
}

impl ModuleChecker<'_> {
    pub(crate) fn check_resource(&mut self, r: &ast::Resource) -> Ty {
        let type_name = r.type_name.name.clone();
        self.use_type(&type_name);
        let schemas = self.schemas;
        let schema = schemas.get(&type_name);
        let typed = if r.type_ref {
            self.resolve_type_ref(r)
        } else {
            None
        };
        if r.type_ref && schemas.resolver().is_some() {
            // Reported by `resolve_type_ref`.
        } else if schema.is_none() {
            let suggestion = diag::did_you_mean(&type_name, schemas.names());
            self.diags.push(diag::names::unknown_resource_type(
                &type_name,
                r.type_name.span,
                suggestion,
            ));
        }
        let mark = self.locals.len();
        if let Some(fe) = &r.for_each {
            self.bind_for_each(fe);
        }
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for a in &r.body {
            if let Some(&first) = seen.get(a.name.name.as_str()) {
                self.diags.push(diag::types::duplicate_property(
                    &a.name.name,
                    a.name.span,
                    first,
                ));
                self.infer(&a.value);
                continue;
            }
            seen.insert(&a.name.name, a.name.span);
            if META.contains(&a.name.name.as_str()) {
                self.check_meta(a, schema);
                continue;
            }
            if typed.is_some() {
                // The body is checked against the rich type below, and so is a placement
                // attribute the type does not take.
                if !super::typed::PLACEMENT.contains(&a.name.name.as_str()) {
                    continue;
                }
                if schema.is_none_or(|s| !s.properties.contains_key(&a.name.name)) {
                    self.infer(&a.value);
                    continue;
                }
            }
            let Some(schema) = schema else {
                self.infer(&a.value);
                continue;
            };
            match schema.properties.get(&a.name.name) {
                None => {
                    let inputs = schema.inputs().map(|(k, _)| k.as_str());
                    let suggestion = diag::did_you_mean(&a.name.name, inputs);
                    let owner = format!("`{type_name}`");
                    self.diags.push(diag::types::unknown_property(
                        &owner,
                        &a.name.name,
                        a.name.span,
                        suggestion,
                    ));
                    self.infer(&a.value);
                }
                Some(p) if p.output => {
                    self.diags.push(diag::types::read_only_property(
                        &type_name,
                        &a.name.name,
                        a.name.span,
                    ));
                    self.infer(&a.value);
                }
                Some(p) if !p.carries.is_empty() => self.check_carried_reference(a, p),
                Some(p) => {
                    self.secret_origin = None;
                    let got = self.check_value(&a.value, &p.ty);
                    self.secret_into_property(&got, p, &type_name, &a.name.name, a.value.span);
                }
            }
        }
        if let Some(schema) = schema
            && typed.is_none()
        {
            self.check_alternatives(r, schema, &seen);
        }
        if let Some(t) = &typed {
            self.check_typed_body(t, r);
        } else if let Some(schema) = schema
            && !r.existing
        {
            let missing: Vec<&str> = schema
                .inputs()
                .filter(|(k, p)| p.required && !seen.contains_key(k.as_str()))
                .map(|(k, _)| k.as_str())
                .collect();
            if !missing.is_empty() {
                let owner = format!("resource `{}`", r.name.name);
                self.diags.push(diag::types::missing_properties(
                    &owner,
                    &missing,
                    r.name.span,
                ));
            }
        }
        self.locals.truncate(mark);
        let one = Type::Resource(type_name);
        Ty::plain(if r.for_each.is_some() {
            Type::map(one)
        } else {
            one
        })
    }

    /// Binds a `for` resource's variables: over a map, key and value; over a list of strings,
    /// the string (and, with two variables, its index first).
    fn bind_for_each(&mut self, fe: &ast::ForEach) {
        self.secret_origin = None;
        let coll = self.infer(&fe.collection);
        self.secret_into_plain(
            &coll,
            "the collection of a `for` resource",
            fe.collection.span,
            "instance keys become addresses, shown in every plan: iterate over plain keys and look the secrets up inside the body",
        );
        let (key, value) = match &coll.ty {
            Type::List(x) if !is_stringish(x) && **x != Type::Any => {
                self.diags.push(diag::types::type_error(
                    format!(
                        "a `for` resource iterates over a map or a list of strings, found {}",
                        coll.ty
                    ),
                    fe.collection.span,
                    "elements become instance keys: they must be strings",
                ));
                (Type::Int, Type::Any)
            }
            t => {
                let t = t.clone();
                self.iteration_types(&t, fe.collection.span, "a `for` resource")
            }
        };
        if let Some(k) = &fe.key {
            self.locals.push((k.name.clone(), Ty::plain(key), false));
        }
        let is_ref = self.reference_collection(&fe.collection).is_some();
        self.locals
            .push((fe.value.name.clone(), Ty::plain(value), is_ref));
    }

    fn check_meta(&mut self, a: &Attribute, schema: Option<&ResourceSchema>) {
        match a.name.name.as_str() {
            "depends_on" => self.check_depends_on(&a.value),
            "protect" | "create_before_destroy" | "delete_unmanaged" => {
                self.check_value(&a.value, &Type::Bool);
            }
            "ignore_changes" => {
                self.check_value(&a.value, &Type::list(Type::String));
                if let (ExprKind::List(items), Some(schema)) = (&a.value.kind, schema) {
                    for item in items {
                        let Some(path) = literal_str(item) else {
                            continue;
                        };
                        let head = path.split('.').next().unwrap_or("");
                        if schema.inputs().all(|(k, _)| k != head) {
                            let suggestion =
                                diag::did_you_mean(head, schema.inputs().map(|(k, _)| k.as_str()));
                            let owner = format!("`{}`", schema.type_name);
                            self.diags.push(diag::types::unknown_property(
                                &owner, head, item.span, suggestion,
                            ));
                        }
                    }
                }
            }
            _ => self.check_timeouts(&a.value),
        }
    }

    fn check_depends_on(&mut self, value: &Expr) {
        let ExprKind::List(items) = &value.kind else {
            self.infer(value);
            self.diags.push(diag::graph::bad_depends_on(value.span));
            return;
        };
        for item in items {
            let target = match &item.kind {
                ExprKind::Ref(id) => Some((id, false)),
                ExprKind::Index(base, key) => match &base.kind {
                    ExprKind::Ref(id) => {
                        self.infer(key);
                        Some((id, true))
                    }
                    _ => None,
                },
                _ => None,
            };
            if let Some((id, _)) = target {
                self.note_read(&id.name);
            }
            let ok = target.is_some_and(|(id, indexed)| {
                let local = self.locals.iter().any(|(n, _, _)| *n == id.name);
                let decl = self.by_name.get(&id.name).and_then(|&d| self.decls.get(d));
                match decl {
                    // Unknown names were reported already.
                    None => !local,
                    Some(d) => {
                        let is_resource = matches!(d.kind, DeclKind::Resource | DeclKind::Existing);
                        let is_for = d.resource().is_some_and(|r| r.for_each.is_some());
                        !local && is_resource && (!indexed || is_for)
                    }
                }
            });
            if !ok {
                self.diags.push(diag::graph::bad_depends_on(item.span));
            }
        }
    }

    fn check_timeouts(&mut self, value: &Expr) {
        let ExprKind::Object(entries) = &value.kind else {
            let t = Type::Object(
                TIMEOUT_KEYS
                    .iter()
                    .map(|k| Field::optional(k, Type::String))
                    .collect(),
            );
            self.check_value(value, &t);
            return;
        };
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for en in entries {
            if let Some(&first) = seen.get(en.key.name.as_str()) {
                self.diags.push(diag::types::duplicate_property(
                    &en.key.name,
                    en.key.span,
                    first,
                ));
            }
            seen.insert(&en.key.name, en.key.span);
            if !TIMEOUT_KEYS.contains(&en.key.name.as_str()) {
                let suggestion = diag::did_you_mean(&en.key.name, TIMEOUT_KEYS);
                self.diags.push(diag::types::unknown_property(
                    "`timeouts`",
                    &en.key.name,
                    en.key.span,
                    suggestion,
                ));
            }
            self.check_value(&en.value, &Type::String);
            if let Some(text) = literal_str(&en.value)
                && parse_duration(&text).is_none()
            {
                self.diags.push(diag::types::type_error(
                    format!("\"{text}\" is not a duration"),
                    en.value.span,
                    "expected a duration like \"45m\", \"2h\" or \"30s\"",
                ));
            }
        }
    }

    /// A module block: inputs against the module's params; its type lists the outputs.
    pub(crate) fn check_module_block(&mut self, m: &ast::Module, d: usize) -> Ty {
        // Which module a block instantiates comes from the project's folders, not its text.
        self.note_untracked();
        let child = self.decls.get(d).and_then(|x| x.child);
        let summary: Option<&ModuleSummary> = child.and_then(|c| self.note_summary(c));
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for a in &m.body {
            if let Some(&first) = seen.get(a.name.name.as_str()) {
                self.diags.push(diag::types::duplicate_property(
                    &a.name.name,
                    a.name.span,
                    first,
                ));
                self.infer(&a.value);
                continue;
            }
            seen.insert(&a.name.name, a.name.span);
            let Some(summary) = summary else {
                self.infer(&a.value);
                continue;
            };
            match summary.params.get(&a.name.name) {
                None => {
                    let suggestion =
                        diag::did_you_mean(&a.name.name, summary.params.keys().map(String::as_str));
                    let owner = format!("module `{}`", m.name.name);
                    self.diags.push(diag::types::unknown_property(
                        &owner,
                        &a.name.name,
                        a.name.span,
                        suggestion,
                    ));
                    self.infer(&a.value);
                }
                Some((ty, _)) => {
                    self.secret_origin = None;
                    let got = self.check_value(&a.value, ty);
                    let what = format!("param `{}` of module `{}`", a.name.name, m.name.name);
                    // A bundled module cannot be edited: say what the caller can do instead.
                    let help = if m.source.starts_with("std/") {
                        format!(
                            "`{}` is a bundled module whose param `{}` is not secret: keep the \
                             value in Key Vault (an `azure.key_vault_secret`) and pass that \
                             resource where the module takes one (`secrets` for \
                             std/azure/container-api)",
                            m.source, a.name.name
                        )
                    } else {
                        format!(
                            "declare the param as `param {}: secret` in the module",
                            a.name.name
                        )
                    };
                    self.secret_into_param(&got, ty, &what, a.value.span, &help);
                }
            }
        }
        let Some(summary) = summary else {
            return Ty::any();
        };
        let missing: Vec<&str> = summary
            .params
            .iter()
            .filter(|(k, (_, has_default))| !has_default && !seen.contains_key(k.as_str()))
            .map(|(k, _)| k.as_str())
            .collect();
        if !missing.is_empty() {
            let owner = format!("module `{}`", m.name.name);
            self.diags.push(diag::types::missing_properties(
                &owner,
                &missing,
                m.name.span,
            ));
        }
        Ty {
            ty: Type::Object(
                summary
                    .outputs
                    .iter()
                    .map(|(k, t)| Field::required(k, t.ty.clone()))
                    .collect(),
            ),
            secret: summary.outputs.values().any(|t| t.secret),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_duration;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("45m"), Some(2700));
        assert_eq!(parse_duration("2h"), Some(7200));
        assert_eq!(parse_duration("1h30m"), Some(5400));
        assert_eq!(parse_duration("30s"), Some(30));
        assert_eq!(parse_duration("30"), None);
        assert_eq!(parse_duration("m"), None);
        assert_eq!(parse_duration("0s"), None);
        assert_eq!(parse_duration("5d"), None);
        assert_eq!(parse_duration("99999999999999999999h"), None);
    }
}
