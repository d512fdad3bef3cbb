//! Diagnostics about resources declared by an ARM type reference (E08xx, W08xx).

use super::{Diagnostic, codes};
use crate::span::Span;

fn list(items: &[String]) -> String {
    let shown: Vec<String> = items.iter().take(8).map(|s| format!("`{s}`")).collect();
    let more = if items.len() > 8 { ", ..." } else { "" };
    format!("{}{more}", shown.join(", "))
}

pub fn unknown_type(type_ref: &str, suggestions: &[String], span: Span) -> Diagnostic {
    let d = Diagnostic::error(
        codes::UNKNOWN_TYPE_REF,
        format!("unknown ARM resource type `{type_ref}`"),
        span,
    )
    .with_label("not in the type data");
    if suggestions.is_empty() {
        d.with_help("declare it as `azure.resource` with `type`, `api_version` and `body` if the type data does not know it")
    } else {
        d.with_help(format!("closest known types: {}", list(suggestions)))
    }
}

pub fn malformed_type(type_ref: &str, reason: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        codes::UNKNOWN_TYPE_REF,
        format!("`{type_ref}` is not an ARM type reference"),
        span,
    )
    .with_label("expected `Namespace/type@api-version`")
    .with_help(format!(
        "{reason} (e.g. `\"Microsoft.Web/sites@2025-03-01\"`)"
    ))
}

pub fn nearest_version(type_name: &str, requested: &str, used: &str, span: Span) -> Diagnostic {
    Diagnostic::warning(
        codes::NEAREST_API_VERSION,
        format!("api-version `{requested}` of `{type_name}` is not in the type data; checked against `{used}`"),
        span,
    )
    .with_label("unknown api-version")
    .with_help(format!("use `{type_name}@{used}` to be checked exactly"))
}

pub fn unknown_property(
    owner: &str,
    name: &str,
    span: Span,
    suggestion: Option<&str>,
) -> Diagnostic {
    let d = Diagnostic::error(
        codes::TYPED_UNKNOWN_PROPERTY,
        format!("{owner} has no property `{name}`"),
        span,
    )
    .with_label("unknown property");
    match suggestion {
        Some(s) => d.with_help(format!("did you mean `{s}`?")),
        None => d,
    }
}

pub fn wrong_type(at: &str, expected: &str, found: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        codes::TYPED_WRONG_TYPE,
        format!("`{at}` expects {expected}, found {found}"),
        span,
    )
    .with_label(format!("expected {expected}"))
}

pub fn not_allowed(
    at: &str,
    value: &str,
    allowed: &[String],
    open: bool,
    span: Span,
) -> Diagnostic {
    if open {
        Diagnostic::warning(
            codes::OPEN_ENUM_VALUE,
            format!("`{value}` is not a known value of `{at}`"),
            span,
        )
        .with_label("not a known value")
        .with_help(format!(
            "known values: {} (others are accepted)",
            list(allowed)
        ))
    } else {
        Diagnostic::error(
            codes::TYPED_NOT_ALLOWED,
            format!("`{value}` is not allowed for `{at}`"),
            span,
        )
        .with_label("not allowed")
        .with_help(format!("allowed: {}", list(allowed)))
    }
}

pub fn missing(owner: &str, missing: &[&str], span: Span) -> Diagnostic {
    let names: Vec<String> = missing.iter().map(|m| format!("`{m}`")).collect();
    Diagnostic::error(
        codes::TYPED_MISSING,
        format!("{owner} is missing required {}", names.join(", ")),
        span,
    )
    .with_label(format!("missing {}", names.join(", ")))
}

pub fn read_only(at: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        codes::TYPED_READ_ONLY,
        format!("`{at}` is read-only: the cloud sets it"),
        span,
    )
    .with_label("read-only")
    .with_help("remove it; read it back after apply as an attribute of the resource")
}

fn bounds<T: std::fmt::Display>(min: Option<T>, max: Option<T>) -> String {
    match (min, max) {
        (Some(a), Some(b)) => format!("between {a} and {b}"),
        (Some(a), None) => format!("at least {a}"),
        (None, Some(b)) => format!("at most {b}"),
        (None, None) => "any".into(),
    }
}

pub fn length(at: &str, len: u64, min: Option<u64>, max: Option<u64>, span: Span) -> Diagnostic {
    Diagnostic::error(
        codes::TYPED_LENGTH,
        format!("`{at}` has length {len}; it must be {}", bounds(min, max)),
        span,
    )
    .with_label(format!("length {len}"))
}

pub fn pattern(at: &str, value: &str, pattern: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        codes::TYPED_PATTERN,
        format!("`{value}` does not match the pattern of `{at}`"),
        span,
    )
    .with_label("does not match")
    .with_help(format!("the pattern is `{pattern}`"))
}

pub fn range(at: &str, value: i64, min: Option<i64>, max: Option<i64>, span: Span) -> Diagnostic {
    Diagnostic::error(
        codes::TYPED_RANGE,
        format!("`{at}` is {value}; it must be {}", bounds(min, max)),
        span,
    )
    .with_label("out of bounds")
}

pub fn unknown_variant(at: &str, value: &str, allowed: &[String], span: Span) -> Diagnostic {
    Diagnostic::error(
        codes::TYPED_DISCRIMINATOR,
        format!("`{value}` is not a variant of `{at}`"),
        span,
    )
    .with_label("unknown variant")
    .with_help(format!("variants: {}", list(allowed)))
}

pub fn placement(message: impl Into<super::Text>, span: Span, help: &str) -> Diagnostic {
    Diagnostic::error(codes::TYPED_PLACEMENT, message, span)
        .with_label("placement")
        .with_help(help.to_string())
}

pub fn write_only_not_secret(at: &str, span: Span) -> Diagnostic {
    Diagnostic::warning(
        codes::WRITE_ONLY_NOT_SECRET,
        format!("`{at}` is write-only or sensitive, but this value is not a secret"),
        span,
    )
    .with_label("shown in clear in plans and state")
    .with_help("pass a secret (a `secret` param, `secret(...)`, or a Key Vault secret's value)")
}
