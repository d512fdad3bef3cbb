//! Diagnostics about names: unknown and duplicate declarations, resource types, attributes,
//! module sources and environments (E02xx), and unused declarations (W0001, W0002).

use super::{Diagnostic, codes};
use crate::span::Span;

fn suggest(d: Diagnostic, suggestion: Option<&str>) -> Diagnostic {
    match suggestion {
        Some(s) => d.with_help(format!("did you mean `{s}`?")),
        None => d,
    }
}

pub fn unknown_name(name: &str, span: Span, suggestion: Option<&str>) -> Diagnostic {
    let d = Diagnostic::error(
        codes::UNKNOWN_NAME,
        format!("unknown reference `{name}`"),
        span,
    )
    .with_label("not declared in this module");
    suggest(d, suggestion)
}

/// A reference inside an environment block, which sees no declarations.
pub fn name_in_environment(name: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        codes::UNKNOWN_NAME,
        format!("unknown reference `{name}`"),
        span,
    )
    .with_label("environment blocks see no declarations")
    .with_help("use literals and functions such as `env(\"NAME\")` or `env_secret(\"NAME\")`")
}

pub fn duplicate_name(name: &str, span: Span, first: Span) -> Diagnostic {
    Diagnostic::error(codes::DUPLICATE_NAME, format!("`{name}` is declared twice"), span)
        .with_label("declared again here")
        .with_secondary(first, format!("`{name}` first declared here"))
        .with_help("params, lets, resources, existing resources and modules share one namespace per module; outputs have their own")
}

pub fn duplicate_environment(name: &str, span: Span, first: Span) -> Diagnostic {
    Diagnostic::error(
        codes::DUPLICATE_NAME,
        format!("environment `{name}` is declared twice"),
        span,
    )
    .with_label("declared again here")
    .with_secondary(first, format!("environment `{name}` first declared here"))
}

pub fn unknown_resource_type(name: &str, span: Span, suggestion: Option<&str>) -> Diagnostic {
    let d = Diagnostic::error(
        codes::UNKNOWN_RESOURCE_TYPE,
        format!("unknown resource type `{name}`"),
        span,
    )
    .with_label("no provider offers this type");
    match suggestion {
        Some(s) => d.with_help(format!("did you mean `{s}`?")),
        None => d.with_help("`infra schema` lists the known types"),
    }
}

/// `owner` is shown in backticks: a resource type, `module m`, or a value's type.
pub fn unknown_attribute(
    owner: &str,
    attr: &str,
    span: Span,
    suggestion: Option<&str>,
) -> Diagnostic {
    let d = Diagnostic::error(
        codes::UNKNOWN_ATTRIBUTE,
        format!("`{owner}` has no attribute `{attr}`"),
        span,
    )
    .with_label("no such attribute");
    suggest(d, suggestion)
}

pub fn module_not_found(source: &str, span: Span, looked_at: &str) -> Diagnostic {
    Diagnostic::error(codes::UNKNOWN_MODULE, format!("module source `{source}` not found"), span)
        .with_label("no module here")
        .with_help(format!(
            "looked for `.infra` files in `{looked_at}`; sources are a folder relative to this module (\"./modules/x\") or a bundled module (\"std/...\")"
        ))
}

pub fn unknown_environment(
    name: &str,
    span: Span,
    suggestion: Option<&str>,
    known: &[&str],
) -> Diagnostic {
    let d = Diagnostic::error(
        codes::UNKNOWN_ENVIRONMENT,
        format!("unknown environment `{name}`"),
        span,
    );
    match suggestion {
        Some(s) => d.with_help(format!("did you mean `{s}`?")),
        None if known.is_empty() => d.with_help("the project declares no `environment` block"),
        None => d.with_help(format!("known environments: {}", known.join(", "))),
    }
}

pub fn unused_param(name: &str, span: Span) -> Diagnostic {
    Diagnostic::warning(
        codes::UNUSED_PARAM,
        format!("param `{name}` is never used"),
        span,
    )
    .with_label("declared here")
    .with_help("remove it, or reference it")
}

pub fn unused_let(name: &str, span: Span) -> Diagnostic {
    Diagnostic::warning(
        codes::UNUSED_LET,
        format!("let `{name}` is never used"),
        span,
    )
    .with_label("declared here")
    .with_help("remove it, or reference it")
}

/// `.attr` on a value that is a resource's id (a loop variable over a `for` resource, a
/// param typed with a resource type).
pub fn attribute_of_id(type_name: &str, attr: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        codes::UNKNOWN_ATTRIBUTE,
        format!("this value is the id of a `{type_name}`, which has no attribute `{attr}`"),
        span,
    )
    .with_label("not a resource reference")
    .with_help("read attributes from the resource by name, e.g. `records[key].fqdn`")
}
