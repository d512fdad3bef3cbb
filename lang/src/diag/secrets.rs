//! Diagnostics about secret flow (E05xx). Messages name where the secret comes from, never
//! its value.

use super::{Diagnostic, codes};
use crate::span::Span;

fn with_origin(d: Diagnostic, value_span: Span, origin: Option<(Span, String)>) -> Diagnostic {
    match origin {
        Some((span, what)) if span != value_span => {
            d.with_secondary(span, format!("secret because of {what}"))
        }
        _ => d,
    }
}

pub fn secret_to_output(name: &str, span: Span, origin: Option<(Span, String)>) -> Diagnostic {
    let d = Diagnostic::error(codes::SECRET_TO_OUTPUT, format!("secret value flows into output `{name}`, which is not secret"), span)
        .with_label("this value is secret")
        .with_help(format!("declare the output as `output {name}: secret = ...`; it is then shown only with --show-secrets"));
    with_origin(d, span, origin)
}

/// A secret into a resource property whose schema is not secret.
pub fn secret_to_property(
    type_name: &str,
    property: &str,
    span: Span,
    origin: Option<(Span, String)>,
) -> Diagnostic {
    let d = Diagnostic::error(
        codes::SECRET_TO_PLAIN,
        format!("secret value flows into `{property}` of `{type_name}`, which is not a secret property"),
        span,
    )
    .with_label("this value is secret")
    .with_help(
        "store it in a Key Vault secret (`azure.key_vault_secret`) and reference that resource instead, or pass it to a secret property",
    );
    with_origin(d, span, origin)
}

/// A secret into any other place that is shown in clear: a param not typed `secret`, a `for`
/// collection (keys become addresses), environment settings.
pub fn secret_to_plain(
    what: &str,
    span: Span,
    origin: Option<(Span, String)>,
    help: &str,
) -> Diagnostic {
    let d = Diagnostic::error(
        codes::SECRET_TO_PLAIN,
        format!("secret value flows into {what}, which is not secret"),
        span,
    )
    .with_label("this value is secret")
    .with_help(help.to_string());
    with_origin(d, span, origin)
}
