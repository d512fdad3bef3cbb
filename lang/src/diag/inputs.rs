//! Diagnostics about inputs that take a resource reference carrying its attributes, and about
//! inputs that stand in for each other (E11xx).

use super::{Diagnostic, codes};
use crate::span::Span;

pub fn not_a_carried_reference(
    property: &str,
    want: &str,
    found: Option<&str>,
    span: Span,
) -> Diagnostic {
    let label = match found {
        Some(t) => format!("a reference to a `{t}`"),
        None => "not a resource reference".to_string(),
    };
    Diagnostic::error(
        codes::NOT_A_CARRIED_REFERENCE,
        format!("`{property}` takes a reference to an `{want}` resource"),
        span,
    )
    .with_label(label)
    .with_help(format!(
        "name the `{want}` resource declared in this configuration (e.g. `{property} = pg`); \
         its address, login and password come from it"
    ))
}

pub fn both_alternatives(one: &str, other: &str, span: Span, first: Span) -> Diagnostic {
    Diagnostic::error(
        codes::BOTH_ALTERNATIVES,
        format!("`{one}` and `{other}` cannot both be set"),
        span,
    )
    .with_label(format!("`{one}` set here"))
    .with_secondary(first, format!("`{other}` set here"))
    .with_help(format!("keep one of them: `{one}` stands in for `{other}`"))
}

pub fn neither_alternative(owner: &str, one: &str, other: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        codes::NEITHER_ALTERNATIVE,
        format!("{owner} needs `{one}` or `{other}`"),
        span,
    )
    .with_label(format!("neither `{one}` nor `{other}` is set"))
    .with_help(format!("set one of them: `{one}` stands in for `{other}`"))
}
