//! Diagnostics about user-defined functions (`fn name(a: T): T = expr`, E10xx). Calls with
//! the wrong number or types of arguments use the call diagnostics every function shares
//! (E0601, E0602).

use super::{Diagnostic, codes};
use crate::span::Span;

/// `cycle` lists the functions in call order, starting and ending with the same one.
pub fn recursion(cycle: &[&str], span: Span) -> Diagnostic {
    let path = cycle
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(" -> ");
    let message = match cycle {
        [only, _] => format!("function `{only}` calls itself"),
        _ => format!("functions call each other in a cycle: {path}"),
    };
    Diagnostic::error(codes::FUNCTION_RECURSION, message, span)
        .with_label(format!("this call closes the cycle {path}"))
        .with_help(
            "functions may not recurse (every evaluation must end): use a comprehension or \
             stdlib functions over lists instead",
        )
}

pub fn shadows_builtin(name: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        codes::FUNCTION_SHADOWS_BUILTIN,
        format!("function `{name}` has the name of a standard library function"),
        span,
    )
    .with_label("already a standard library function")
    .with_help("choose another name: a call must never depend on which of the two it means")
}

pub fn outside_name(function: &str, name: &str, span: Span, params: &[String]) -> Diagnostic {
    let d = Diagnostic::error(
        codes::FUNCTION_OUTSIDE_NAME,
        format!("function `{function}` can only use its parameters, not `{name}`"),
        span,
    )
    .with_label("not a parameter of this function");
    match super::did_you_mean(name, params.iter().map(String::as_str)) {
        Some(s) => d.with_help(format!("did you mean `{s}`?")),
        None => d.with_help(format!("pass `{name}` as an argument: add a parameter")),
    }
}

pub fn impure_call(function: &str, called: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        codes::FUNCTION_IMPURE,
        format!("function `{function}` cannot call `{called}`: functions are pure"),
        span,
    )
    .with_label("reads the environment or a file")
    .with_help(format!(
        "call `{called}(...)` outside and pass its value as an argument"
    ))
}

pub fn duplicate_param(name: &str, span: Span, first: Span) -> Diagnostic {
    Diagnostic::error(
        codes::FUNCTION_DUPLICATE_PARAM,
        format!("parameter `{name}` is declared twice"),
        span,
    )
    .with_label("declared again here")
    .with_secondary(first, format!("`{name}` first declared here"))
}

pub fn duplicate_function(name: &str, span: Span, first: Span) -> Diagnostic {
    Diagnostic::error(
        codes::DUPLICATE_NAME,
        format!("function `{name}` is declared twice"),
        span,
    )
    .with_label("declared again here")
    .with_secondary(first, format!("`{name}` first declared here"))
}
