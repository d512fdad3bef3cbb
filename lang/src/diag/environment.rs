//! Diagnostics about environment targets (E12xx: Hyper-V hosts beside a cloud).

use super::{Diagnostic, codes};
use crate::span::Span;

pub fn duplicate_target(kind: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        codes::DUPLICATE_TARGET,
        format!("this environment already has a {kind} target"),
        span,
    )
    .with_label("a second one")
    .with_help("an environment has at most one cloud (`azure { ... }` or `emulator {}`) and one Hyper-V host (`hyperv { ... }`)")
}

pub fn bad_hyperv(message: impl Into<super::Text>, span: Span, help: &str) -> Diagnostic {
    Diagnostic::error(codes::BAD_HYPERV_TARGET, message, span)
        .with_label("invalid here")
        .with_help(help.to_string())
}
