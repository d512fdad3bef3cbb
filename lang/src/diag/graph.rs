//! Diagnostics about the dependency graph (E04xx, W0003).

use super::{Diagnostic, codes};
use crate::span::Span;

/// One step of a cycle: `from` refers to `to` at `span`.
pub struct Step<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub span: Span,
}

/// A cycle, shown whole: the primary span at the first node's name and one label per step.
pub fn cycle(start: &str, start_span: Span, steps: &[Step<'_>]) -> Diagnostic {
    let mut path = vec![format!("`{start}`")];
    path.extend(steps.iter().map(|s| format!("`{}`", s.to)));
    let mut d = Diagnostic::error(
        codes::CYCLE,
        format!("dependency cycle: {}", path.join(" -> ")),
        start_span,
    )
    .with_label(format!("`{start}` is part of a cycle"))
    .with_help("a value cannot depend on itself; remove one of these references");
    for s in steps {
        d = d.with_secondary(s.span, format!("`{}` refers to `{}`", s.from, s.to));
    }
    d
}

pub fn module_includes_itself(source: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        codes::CYCLE,
        format!("module `{source}` includes itself"),
        span,
    )
    .with_label("this module is already being included")
    .with_help("modules must form a tree: a module cannot use itself, directly or through others")
}

pub fn bad_depends_on(span: Span) -> Diagnostic {
    Diagnostic::error(
        codes::BAD_DEPENDS_ON,
        "depends_on entry is not a resource",
        span,
    )
    .with_label("not a resource")
    .with_help(
        "write a list of resources: `depends_on = [a, b]` or `depends_on = [record[\"www\"]]`",
    )
}

pub fn redundant_depends_on(name: &str, span: Span) -> Diagnostic {
    Diagnostic::warning(
        codes::REDUNDANT_DEPENDS_ON,
        format!("depends_on `{name}` is already implied by a reference"),
        span,
    )
    .with_label("redundant")
    .with_help("remove it: references already order the resources")
}
