//! Constructors for syntax diagnostics (E01xx). The parser builds every syntax diagnostic
//! through these so that wording stays consistent across the parser and its tests.

use super::{Diagnostic, codes};
use crate::span::Span;

/// A token the grammar did not allow at `span`; `expected` is already human wording
/// ("`=`", "an expression"), `found` a short description of what is there.
pub fn unexpected(span: Span, expected: &[String], found: &str) -> Diagnostic {
    let message = if expected.is_empty() {
        format!("unexpected {found}")
    } else {
        format!("expected {}, found {found}", join_or(expected))
    };
    Diagnostic::error(codes::SYNTAX, message, span)
}

/// A `{`, `[` or `(` without its closing counterpart: `open` is the opening token.
pub fn unclosed(at: Span, open: Span, opener: char, closer: char, what: &str) -> Diagnostic {
    Diagnostic::error(
        codes::SYNTAX,
        format!("expected `{closer}` to close this {what}"),
        at,
    )
    .with_label(format!("`{closer}` missing here"))
    .with_secondary(open, format!("`{opener}` opened here"))
}

/// A statement keyword and name where the previous statement still needed something.
pub fn incomplete_before_statement(span: Span, found: &str) -> Diagnostic {
    Diagnostic::error(
        codes::SYNTAX,
        format!("unexpected {found}: the statement before it is incomplete"),
        span,
    )
    .with_label("a new statement starts here")
}

pub fn unclosed_string(span: Span) -> Diagnostic {
    Diagnostic::error(codes::SYNTAX, "unclosed string: missing `\"` before the end of the line", span)
        .with_help("quoted strings end on the line they start on; use a heredoc (`<<EOT`) for text on several lines")
}

pub fn unclosed_comment(span: Span) -> Diagnostic {
    Diagnostic::error(codes::SYNTAX, "unclosed block comment: missing `*/`", span)
}

pub fn newline_expected(span: Span, found: &str) -> Diagnostic {
    Diagnostic::error(
        codes::SYNTAX,
        format!("expected a new line after the statement, found {found}"),
        span,
    )
    .with_help("put each statement on its own line")
}

pub fn interpolation_not_allowed(span: Span, what: &str) -> Diagnostic {
    Diagnostic::error(
        codes::SYNTAX,
        format!("{what} must be a plain string, without `${{...}}`"),
        span,
    )
}

/// Nesting past [`crate::syntax::MAX_DEPTH`] (`limit`), or past what the stack of the
/// current thread allows (`None`).
pub fn too_deep(span: Span, limit: Option<usize>) -> Diagnostic {
    let message = match limit {
        Some(limit) => format!("expression nested too deeply (more than {limit} levels)"),
        None => "expression nested too deeply for the parser's stack".to_string(),
    };
    Diagnostic::error(codes::SYNTAX, message, span).with_help("split it with `let` bindings")
}

pub fn bad_number(span: Span, text: &str, float: bool) -> Diagnostic {
    let d = Diagnostic::error(
        codes::BAD_NUMBER,
        format!("number `{text}` is out of range"),
        span,
    );
    if float {
        d.with_help("floats must be finite 64-bit numbers")
    } else {
        d.with_help(format!("integers range from {} to {}", i64::MIN, i64::MAX))
    }
}

pub fn bad_escape(span: Span, escape: &str) -> Diagnostic {
    Diagnostic::error(
        codes::BAD_ESCAPE,
        format!("invalid escape `{escape}` in a string"),
        span,
    )
    .with_help("valid escapes: \\n \\t \\r \\\" \\\\ \\u{HEX}, and $${ for a literal ${")
}

pub fn unterminated_heredoc(span: Span, marker: &str) -> Diagnostic {
    Diagnostic::error(
        codes::UNTERMINATED_HEREDOC,
        format!("heredoc `{marker}` has no closing line"),
        span,
    )
    .with_label("heredoc starts here")
    .with_help(format!("end it with a line that holds only `{marker}`"))
}

fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

pub fn not_utf8(span: Span) -> Diagnostic {
    Diagnostic::error(codes::SYNTAX, "this file is not valid UTF-8", span)
        .with_label("first invalid byte")
        .with_help("save the file as UTF-8; .infra files are text")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_alternatives_in_prose() {
        let d = unexpected(
            Span::default(),
            &["`=`".into(), "`,`".into(), "`}`".into()],
            "`x`",
        );
        assert_eq!(&*d.message, "expected `=`, `,` or `}`, found `x`");
        assert_eq!(d.code, codes::SYNTAX);
    }
}
