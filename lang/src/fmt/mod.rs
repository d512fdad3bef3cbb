//! Canonical formatting of `.infra` source.
//!
//! Style: 2-space indentation; one attribute per line in multi-line blocks with `=` aligned
//! within runs of consecutive single-line attributes; a block, object, list or call the
//! author wrote on one line stays on one line when it fits in [`MAX_WIDTH`] columns (and
//! is broken one element per line otherwise); at most one blank line, kept where the author
//! had one; spaces around binary operators; comments kept (leading ones above their line,
//! trailing ones at its end); heredocs copied as written; one trailing newline.
//!
//! The formatter works from the tree and the source together: the source decides layout
//! (which containers the author broke, where blank lines were) and carries comments and
//! heredocs; the tree decides everything else. `format` is idempotent, and parsing its
//! output gives the same tree, spans aside.

mod expr;
mod items;
mod printer;

use crate::diag::Diagnostic;
use crate::span::FileId;
use crate::syntax::{self, ast};

/// Lines longer than this are broken where the syntax allows it.
pub const MAX_WIDTH: usize = 100;

/// Formats a parsed file. `source` must be the text `file` was parsed from.
pub fn format(file: &ast::File, source: &str) -> String {
    let mut p = printer::Printer::new(source, &file.comments);
    p.file(file);
    p.finish()
}

/// Parses and formats `text`; refuses (returning the syntax errors) when it does not parse
/// cleanly, since formatting a partial tree would drop what did not parse.
pub fn format_source(file: FileId, text: &str) -> Result<String, Vec<Diagnostic>> {
    let (tree, diags) = syntax::parse(file, text);
    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }
    Ok(format(&tree, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(text: &str) -> String {
        match format_source(FileId(0), text) {
            Ok(s) => s,
            Err(d) => panic!("{d:#?}"),
        }
    }

    #[test]
    fn aligns_runs_of_attributes() {
        let got = fmt(
            "resource rg: azure.resource_group {\n  name = \"x\"\n  location = l\n\n  tags = t\n}\n",
        );
        assert_eq!(
            got,
            "resource rg: azure.resource_group {\n  name     = \"x\"\n  location = l\n\n  tags = t\n}\n"
        );
    }

    #[test]
    fn keeps_short_one_line_blocks() {
        let src = "resource a: azure.postgres_database { server = pg, name = \"trading\" }\n";
        assert_eq!(fmt(src), src);
        assert_eq!(fmt("let  x=1+2*  3\n"), "let x = 1 + 2 * 3\n");
    }

    #[test]
    fn refuses_text_with_syntax_errors() {
        assert!(format_source(FileId(0), "let x = \n").is_err());
    }
}
