//! `textDocument/formatting`: the canonical style of `infra fmt`, as one edit replacing the
//! whole text (none when already formatted). A file with syntax errors is refused: formatting
//! a partial tree would drop what did not parse.

use super::position::LineIndex;
use infra_lang::FileId;
use infra_lang::fmt::format_source;
use lsp_types::TextEdit;

#[derive(Debug, thiserror::Error)]
#[error(
    "cannot format: the file has {count} syntax error(s), the first at line {line}: {message}; \
     fix them and format again"
)]
pub struct SyntaxErrors {
    pub count: usize,
    pub line: usize,
    pub message: String,
}

pub fn format(text: &str) -> Result<Vec<TextEdit>, SyntaxErrors> {
    match format_source(FileId(0), text) {
        Ok(formatted) if formatted == text => Ok(Vec::new()),
        Ok(formatted) => Ok(vec![TextEdit::new(LineIndex::new(text).whole(), formatted)]),
        Err(diags) => {
            let errors: Vec<_> = diags.iter().filter(|d| d.is_error()).collect();
            let first = errors.first();
            let line = first.map_or(1, |d| {
                LineIndex::new(text).position(d.span.start as usize).line as usize + 1
            });
            Err(SyntaxErrors {
                count: errors.len(),
                line,
                message: first.map(|d| d.message.to_string()).unwrap_or_default(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_whole_text_with_the_canonical_style() {
        let edits = format("let   a=1\n").unwrap();
        assert_eq!(edits.len(), 1);
        assert_eq!(edits[0].new_text, "let a = 1\n");
        assert_eq!(edits[0].range.end, lsp_types::Position::new(1, 0));
        assert!(
            format("let a = 1\n").unwrap().is_empty(),
            "already formatted"
        );
    }

    #[test]
    fn refuses_a_file_with_syntax_errors() {
        let err = format("let a = 1\nresource {\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(
            err.to_string().contains("fix them and format again"),
            "{err}"
        );
    }
}
