//! Checking an expression against an expected type. Literals are checked part by part so
//! that an error points at the offending field or element, and string literals are checked
//! against enums by value.

use super::module::ModuleChecker;
use super::places::literal_str;
use super::types::Ty;
use crate::diag;
use crate::span::Span;
use crate::syntax::ast::{Expr, ExprKind, ObjectEntry};
use infra_provider_core::{Field, Type};
use std::collections::HashMap;

impl ModuleChecker<'_> {
    /// Checks `e` against `expected`, reporting E0301/E0303/E0300/E0302/E0305 at the most
    /// precise span; returns the inferred type (with its secret flag).
    pub(crate) fn check_value(&mut self, e: &Expr, expected: &Type) -> Ty {
        match (&e.kind, expected) {
            (_, Type::Any) => {
                let was = self.discarded.replace(true);
                let t = self.infer(e);
                self.discarded.set(was);
                t
            }
            (ExprKind::Paren(x), _) => self.check_value(x, expected),
            (ExprKind::Cond(c, a, b), _) => {
                let tc = self.expect_bool(c);
                let ta = self.check_value(a, expected);
                let tb = self.check_value(b, expected);
                Ty {
                    ty: expected.clone(),
                    secret: tc.secret || ta.secret || tb.secret,
                }
            }
            (ExprKind::Object(entries), Type::Object(fields)) => {
                self.check_object(entries, fields, e.span, expected)
            }
            (ExprKind::Object(entries), Type::Map(v)) => {
                let mut seen: HashMap<&str, Span> = HashMap::new();
                let mut secret = false;
                for en in entries {
                    if let Some(&first) = seen.get(en.key.name.as_str()) {
                        self.diags.push(diag::types::duplicate_property(
                            &en.key.name,
                            en.key.span,
                            first,
                        ));
                    }
                    seen.insert(&en.key.name, en.key.span);
                    secret |= self.check_value(&en.value, v).secret;
                }
                Ty {
                    ty: expected.clone(),
                    secret,
                }
            }
            (ExprKind::List(items), Type::List(v)) => {
                // Every element is checked (no short-circuit): each may carry its own error.
                let mut secret = false;
                for x in items {
                    secret |= self.check_value(x, v).secret;
                }
                Ty {
                    ty: expected.clone(),
                    secret,
                }
            }
            (ExprKind::Str { .. }, Type::Enum(allowed)) => {
                let t = self.infer(e);
                if let Some(value) = literal_str(e)
                    && !allowed.contains(&value)
                {
                    let suggestion = diag::did_you_mean(&value, allowed.iter().map(String::as_str));
                    self.diags.push(diag::types::unknown_enum_value(
                        &value, allowed, e.span, suggestion,
                    ));
                }
                t
            }
            _ => {
                let t = self.infer(e);
                if !t.ty.assignable_to(expected) {
                    self.diags
                        .push(diag::types::type_mismatch(expected, &t.ty, e.span));
                }
                t
            }
        }
    }

    fn check_object(
        &mut self,
        entries: &[ObjectEntry],
        fields: &[Field],
        span: Span,
        expected: &Type,
    ) -> Ty {
        let mut seen: HashMap<&str, Span> = HashMap::new();
        let mut secret = false;
        let owner = object_owner(expected);
        for en in entries {
            if let Some(&first) = seen.get(en.key.name.as_str()) {
                self.diags.push(diag::types::duplicate_property(
                    &en.key.name,
                    en.key.span,
                    first,
                ));
                continue;
            }
            seen.insert(&en.key.name, en.key.span);
            match fields.iter().find(|f| f.name == en.key.name) {
                Some(f) => secret |= self.check_value(&en.value, &f.ty).secret,
                None => {
                    let suggestion =
                        diag::did_you_mean(&en.key.name, fields.iter().map(|f| f.name.as_str()));
                    self.diags.push(diag::types::unknown_property(
                        &owner,
                        &en.key.name,
                        en.key.span,
                        suggestion,
                    ));
                    secret |= self.infer(&en.value).secret;
                }
            }
        }
        let missing: Vec<&str> = fields
            .iter()
            .filter(|f| !f.optional && !seen.contains_key(f.name.as_str()))
            .map(|f| f.name.as_str())
            .collect();
        if !missing.is_empty() {
            self.diags
                .push(diag::types::missing_properties(&owner, &missing, span));
        }
        Ty {
            ty: expected.clone(),
            secret,
        }
    }
}

/// How an object type is named in messages: written out when short.
fn object_owner(t: &Type) -> String {
    let text = t.to_string();
    if text.len() <= 60 {
        format!("the object `{text}`")
    } else {
        "the object".to_string()
    }
}
