//! Diagnostics about function calls (E06xx). Messages of failed calls never quote a secret:
//! the standard library already withholds details when an argument is secret.

use super::{Diagnostic, codes};
use crate::span::Span;

pub fn unknown_function(name: &str, span: Span, suggestion: Option<&str>) -> Diagnostic {
    let d = Diagnostic::error(
        codes::UNKNOWN_FUNCTION,
        format!("unknown function `{name}`"),
        span,
    )
    .with_label("not a standard library function");
    match suggestion {
        Some(s) => d.with_help(format!("did you mean `{s}`?")),
        None => d.with_help("`docs/stdlib.md` lists the functions"),
    }
}

pub fn arg_count(
    name: &str,
    expected: &str,
    found: usize,
    span: Span,
    synopsis: &str,
) -> Diagnostic {
    Diagnostic::error(
        codes::ARG_COUNT,
        format!("`{name}` takes {expected} argument(s), {found} given"),
        span,
    )
    .with_label(format!("{found} argument(s)"))
    .with_help(format!("signature: {synopsis}"))
}

pub fn arg_type(name: &str, index: usize, expected: &str, found: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        codes::ARG_TYPE,
        format!("argument {index} of `{name}` must be {expected}, found {found}"),
        span,
    )
    .with_label(format!("expected {expected}"))
}

pub fn function_failed(name: &str, message: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        codes::FUNCTION_FAILED,
        format!("`{name}` failed: {message}"),
        span,
    )
    .with_label("this call failed")
}
