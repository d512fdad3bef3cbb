//! Inputs whose reference carries the referenced resource's attributes (`server = pg` on the
//! PostgreSQL types), and inputs that stand in for each other (`server` or `connection`).

use super::module::ModuleChecker;
use crate::diag;
use crate::span::Span;
use crate::syntax::ast::{self, Attribute};
use infra_provider_core::{PropertySchema, ResourceSchema, Type};
use std::collections::HashMap;

impl ModuleChecker<'_> {
    /// Only a reference to a resource of the input's type will do: a string id would not
    /// carry the attributes the provider needs.
    pub(crate) fn check_carried_reference(&mut self, a: &Attribute, p: &PropertySchema) {
        let Type::Resource(want) = &p.ty else {
            self.check_value(&a.value, &p.ty);
            return;
        };
        let found = self.reference_type(&a.value);
        self.infer(&a.value);
        if found.as_deref() != Some(want.as_str()) {
            self.diags.push(diag::inputs::not_a_carried_reference(
                &a.name.name,
                want,
                found.as_deref(),
                a.value.span,
            ));
        }
    }

    /// Exactly one of an input and the one it stands in for.
    pub(crate) fn check_alternatives(
        &mut self,
        r: &ast::Resource,
        schema: &ResourceSchema,
        seen: &HashMap<&str, Span>,
    ) {
        for (name, p) in schema.inputs() {
            let Some(other) = &p.instead_of else {
                continue;
            };
            match (seen.get(name.as_str()), seen.get(other.as_str())) {
                (Some(&mine), Some(&theirs)) => {
                    let (late, early, late_name, early_name) = if mine.start > theirs.start {
                        (mine, theirs, name.as_str(), other.as_str())
                    } else {
                        (theirs, mine, other.as_str(), name.as_str())
                    };
                    self.diags.push(diag::inputs::both_alternatives(
                        late_name, early_name, late, early,
                    ));
                }
                (None, None) if !r.existing => {
                    let owner = format!("resource `{}`", r.name.name);
                    self.diags.push(diag::inputs::neither_alternative(
                        &owner,
                        name,
                        other,
                        r.name.span,
                    ));
                }
                _ => {}
            }
        }
    }
}
