//! Secret flow rules. Taint is computed with the types (`Ty::secret`); this file decides where
//! a secret may go: secret properties, `secret`-typed params of modules and of the project
//! (through environments), lets (taint propagates), and outputs declared `secret`.

use super::module::ModuleChecker;
use super::types::{Ty, contains_secret_type};
use crate::diag;
use crate::span::Span;
use infra_provider_core::{PropertySchema, Type};

/// Whether a secret may flow into this property.
pub(crate) fn property_accepts_secret(p: &PropertySchema) -> bool {
    p.secret || contains_secret_type(&p.ty)
}

/// Whether a secret may flow into a param (or module input) of this type.
pub(crate) fn param_accepts_secret(t: &Type) -> bool {
    contains_secret_type(t)
}

impl ModuleChecker<'_> {
    /// E0501 for a secret into a resource property whose schema is not secret.
    pub(crate) fn secret_into_property(
        &mut self,
        got: &Ty,
        p: &PropertySchema,
        type_name: &str,
        property: &str,
        span: Span,
    ) {
        if got.secret && !property_accepts_secret(p) {
            let origin = self.secret_origin.take();
            self.diags.push(diag::secrets::secret_to_property(
                type_name, property, span, origin,
            ));
        }
    }

    /// E0501 for a secret into a param that is not typed `secret` (module inputs and
    /// environment params). `help` says what the user can change.
    pub(crate) fn secret_into_param(
        &mut self,
        got: &Ty,
        param_ty: &Type,
        what: &str,
        span: Span,
        help: &str,
    ) {
        if got.secret && !param_accepts_secret(param_ty) {
            let origin = self.secret_origin.take();
            self.diags
                .push(diag::secrets::secret_to_plain(what, span, origin, help));
        }
    }

    /// E0501 for a secret in a place that is always shown in clear.
    pub(crate) fn secret_into_plain(&mut self, got: &Ty, what: &str, span: Span, help: &str) {
        if got.secret {
            let origin = self.secret_origin.take();
            self.diags
                .push(diag::secrets::secret_to_plain(what, span, origin, help));
        }
    }
}
