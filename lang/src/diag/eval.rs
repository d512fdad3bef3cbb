//! Diagnostics raised while evaluating (E07xx): problems that depend on values.

use super::{Diagnostic, codes};
use crate::span::Span;

pub fn eval_error(message: impl Into<super::Text>, span: Span, label: &str) -> Diagnostic {
    Diagnostic::error(codes::EVAL, message, span).with_label(label.to_string())
}

pub fn duplicate_key(key: &str, span: Span, what: &str) -> Diagnostic {
    Diagnostic::error(
        codes::DUPLICATE_KEY,
        format!("duplicate key \"{key}\" in {what}"),
        span,
    )
    .with_label("produces the same key twice")
    .with_help("each instance needs its own key: make the collection's elements unique")
}

pub fn missing_key(key: &str, span: Span, suggestion: Option<&str>) -> Diagnostic {
    let d = Diagnostic::error(codes::INDEX_OUT_OF_RANGE, format!("no key \"{key}\""), span)
        .with_label("missing key");
    match suggestion {
        Some(s) => d.with_help(format!("did you mean \"{s}\"?")),
        None => d,
    }
}

pub fn out_of_range(index: i64, len: usize, span: Span) -> Diagnostic {
    Diagnostic::error(
        codes::INDEX_OUT_OF_RANGE,
        format!("index {index} is out of range for a list of {len}"),
        span,
    )
    .with_label("out of range")
}

pub fn division_by_zero(span: Span) -> Diagnostic {
    Diagnostic::error(codes::DIVISION_BY_ZERO, "division by zero", span)
        .with_label("this divisor is zero")
}
