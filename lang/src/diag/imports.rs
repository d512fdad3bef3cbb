//! Diagnostics about `import` blocks (E08xx).

use super::{Diagnostic, codes};
use crate::span::Span;

pub fn unknown_target(
    message: impl Into<super::Text>,
    span: Span,
    help: Option<String>,
) -> Diagnostic {
    let d = Diagnostic::error(codes::UNKNOWN_IMPORT_TARGET, message, span)
        .with_label("not a resource this configuration declares");
    match help {
        Some(h) => d.with_help(h),
        None => d,
    }
}

pub fn duplicate(address: &str, span: Span, first: Span) -> Diagnostic {
    Diagnostic::error(
        codes::DUPLICATE_IMPORT,
        format!("`{address}` is imported twice"),
        span,
    )
    .with_label("imported again here")
    .with_secondary(first, "first imported here")
    .with_help("one object per resource: keep one of the two blocks")
}

pub fn id_not_string(span: Span) -> Diagnostic {
    Diagnostic::error(
        codes::IMPORT_ID_NOT_STRING,
        "the `id` of an import must be a string",
        span,
    )
    .with_label("not a string known before apply")
    .with_help(
        "write the cloud id in quotes, e.g. `id = \"/subscriptions/.../resourceGroups/app\"`",
    )
}

pub fn bad_import(message: impl Into<super::Text>, span: Span, help: &str) -> Diagnostic {
    Diagnostic::error(codes::BAD_IMPORT, message, span).with_help(help.to_string())
}
