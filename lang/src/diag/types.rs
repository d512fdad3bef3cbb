//! Diagnostics about properties and types (E03xx).

use super::{Diagnostic, codes};
use crate::span::Span;
use infra_provider_core::Type;

fn suggest(d: Diagnostic, suggestion: Option<&str>) -> Diagnostic {
    match suggestion {
        Some(s) => d.with_help(format!("did you mean `{s}`?")),
        None => d,
    }
}

/// `owner` reads like "`azure.key_vault`" or "module `api`" or "the object type".
pub fn unknown_property(
    owner: &str,
    name: &str,
    span: Span,
    suggestion: Option<&str>,
) -> Diagnostic {
    let d = Diagnostic::error(
        codes::UNKNOWN_PROPERTY,
        format!("{owner} has no property `{name}`"),
        span,
    )
    .with_label("unknown property");
    suggest(d, suggestion)
}

pub fn type_mismatch(expected: &Type, found: &Type, span: Span) -> Diagnostic {
    Diagnostic::error(
        codes::TYPE_MISMATCH,
        format!("expected {expected}, found {found}"),
        span,
    )
    .with_label(format!("expected {expected}"))
}

/// Any other type error, e.g. an operator applied to the wrong kind of operand.
pub fn type_error(message: impl Into<super::Text>, span: Span, label: &str) -> Diagnostic {
    Diagnostic::error(codes::TYPE_MISMATCH, message, span).with_label(label.to_string())
}

pub fn missing_properties(owner: &str, missing: &[&str], span: Span) -> Diagnostic {
    let list = missing
        .iter()
        .map(|m| format!("`{m}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let noun = if missing.len() == 1 {
        "property"
    } else {
        "properties"
    };
    Diagnostic::error(
        codes::MISSING_PROPERTY,
        format!("{owner} is missing required {noun} {list}"),
        span,
    )
    .with_label(format!("missing {list}"))
}

pub fn unknown_enum_value(
    value: &str,
    allowed: &[String],
    span: Span,
    suggestion: Option<&str>,
) -> Diagnostic {
    let list = allowed
        .iter()
        .map(|a| format!("\"{a}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let d = Diagnostic::error(
        codes::UNKNOWN_ENUM_VALUE,
        format!("\"{value}\" is not one of the allowed values"),
        span,
    )
    .with_label("not allowed");
    match suggestion {
        Some(s) => d.with_help(format!("did you mean \"{s}\"? allowed: {list}")),
        None => d.with_help(format!("allowed: {list}")),
    }
}

pub fn read_only_property(type_name: &str, name: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        codes::READ_ONLY_PROPERTY,
        format!("`{name}` of `{type_name}` is set by the cloud"),
        span,
    )
    .with_label("cannot be set")
    .with_help(format!(
        "remove it; read it elsewhere as `<resource>.{name}`"
    ))
}

pub fn duplicate_property(name: &str, span: Span, first: Span) -> Diagnostic {
    Diagnostic::error(
        codes::DUPLICATE_PROPERTY,
        format!("`{name}` is set twice"),
        span,
    )
    .with_label("set again here")
    .with_secondary(first, "first set here")
}

pub fn unknown_type(name: &str, span: Span, suggestion: Option<&str>) -> Diagnostic {
    let d = Diagnostic::error(codes::UNKNOWN_TYPE, format!("unknown type `{name}`"), span)
        .with_label("unknown type");
    match suggestion {
        Some(s) => d.with_help(format!("did you mean `{s}`?")),
        None => d.with_help("types are string, int, float, bool, any, secret, list<T>, map<T>, { a: T }, enums and resource types"),
    }
}

pub fn bad_environment(
    message: impl Into<super::Text>,
    span: Span,
    help: Option<String>,
) -> Diagnostic {
    let d = Diagnostic::error(codes::BAD_ENVIRONMENT, message, span).with_label("invalid here");
    match help {
        Some(h) => d.with_help(h),
        None => d,
    }
}

pub fn missing_params(environment: Option<&str>, missing: &[&str], span: Span) -> Diagnostic {
    let list = missing
        .iter()
        .map(|m| format!("`{m}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let noun = if missing.len() == 1 {
        "param"
    } else {
        "params"
    };
    let (message, help) = match environment {
        Some(env) => (
            format!("environment `{env}` gives no value for {noun} {list}"),
            format!(
                "add {list} to the `params` of environment `{env}`, or give the param a default"
            ),
        ),
        None => (
            format!("no value for {noun} {list}"),
            "choose an environment that gives it, or give the param a default".to_string(),
        ),
    };
    Diagnostic::error(codes::MISSING_PARAM, message, span)
        .with_label("needs a value")
        .with_help(help)
}

/// An environment gives a param the project does not declare.
pub fn unknown_param(name: &str, span: Span, suggestion: Option<&str>) -> Diagnostic {
    let d = Diagnostic::error(
        codes::UNKNOWN_PROPERTY,
        format!("the project declares no param `{name}`"),
        span,
    )
    .with_label("unknown param");
    suggest(d, suggestion)
}
