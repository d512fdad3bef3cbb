//! Error recovery and error wording: skipping trivia between statements, finding where the
//! next statement starts after an error, and turning pest's errors (which speak in rule
//! names) into messages for people.

use super::ast::Comment;
use super::grammar::Rule;
use super::lexer;
use super::parser::span_at;
use crate::diag::{self, Diagnostic};
use crate::span::{FileId, Span};

const STATEMENT_KEYWORDS: [&str; 8] = [
    "fn",
    "param",
    "let",
    "resource",
    "existing",
    "module",
    "output",
    "environment",
];

/// Skips whitespace, line breaks and comments from `pos`, collecting the comments.
pub(crate) fn skip_trivia(
    file: FileId,
    text: &str,
    mut pos: usize,
    comments: &mut Vec<Comment>,
    diags: &mut Vec<Diagnostic>,
) -> usize {
    let bytes = text.as_bytes();
    while let Some(&b) = bytes.get(pos) {
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => pos += 1,
            b'/' if bytes.get(pos + 1) == Some(&b'/') => {
                pos = push_line_comment(file, text, pos, comments)
            }
            b'#' => pos = push_line_comment(file, text, pos, comments),
            b'/' if bytes.get(pos + 1) == Some(&b'*') => {
                let end = match text.get(pos + 2..).and_then(|r| r.find("*/")) {
                    Some(i) => pos + 2 + i + 2,
                    None => {
                        diags.push(diag::syntax::unclosed_comment(span_at(
                            file,
                            text,
                            pos,
                            pos + 2,
                        )));
                        text.len()
                    }
                };
                comments.push(Comment {
                    text: text.get(pos..end).unwrap_or("").to_string(),
                    span: span_at(file, text, pos, end),
                });
                pos = end;
            }
            _ if text.get(pos..).is_some_and(|r| r.starts_with('\u{FEFF}')) => {
                pos += '\u{FEFF}'.len_utf8()
            }
            _ => break,
        }
    }
    pos
}

fn push_line_comment(file: FileId, text: &str, pos: usize, comments: &mut Vec<Comment>) -> usize {
    let end = lexer::line_end(text, pos);
    comments.push(Comment {
        text: text.get(pos..end).unwrap_or("").to_string(),
        span: span_at(file, text, pos, end),
    });
    end
}

fn line_end_of(text: &str, pos: usize) -> usize {
    text.get(pos..)
        .and_then(|r| r.find('\n'))
        .map_or(text.len(), |i| pos + i)
}

/// After a statement that ended at `pos`: Ok(position of the line break or EOF) when only
/// spaces and comments follow on its line, Err(position of the first stray token) otherwise.
pub(crate) fn line_end(text: &str, mut pos: usize) -> Result<usize, usize> {
    let bytes = text.as_bytes();
    loop {
        match bytes.get(pos) {
            None | Some(b'\n') => return Ok(pos),
            Some(b' ' | b'\t' | b'\r') => pos += 1,
            Some(b'#') => return Ok(line_end_of(text, pos)),
            Some(b'/') if bytes.get(pos + 1) == Some(&b'/') => return Ok(line_end_of(text, pos)),
            Some(b'/') if bytes.get(pos + 1) == Some(&b'*') => {
                match text.get(pos + 2..).and_then(|r| r.find("*/")) {
                    // A block comment that spans a line break ends the statement's line.
                    Some(i) if text.get(pos..pos + 2 + i).is_some_and(|c| c.contains('\n')) => {
                        return Ok(pos);
                    }
                    Some(i) => pos += 2 + i + 2,
                    None => return Ok(pos),
                }
            }
            Some(_) => return Err(pos),
        }
    }
}

/// Start of the first line after the line holding `pos` that starts (after indentation)
/// with a statement keyword followed by a name; the end of the text if there is none.
pub(crate) fn next_statement(text: &str, pos: usize) -> usize {
    let mut line = line_end_of(text, pos);
    while line < text.len() {
        let start = line + 1;
        if text.get(start..).is_some_and(starts_statement) {
            return start;
        }
        line = line_end_of(text, start);
    }
    text.len()
}

fn starts_statement(line: &str) -> bool {
    let line = line.trim_start_matches([' ', '\t']);
    STATEMENT_KEYWORDS.iter().any(|kw| {
        line.strip_prefix(kw).is_some_and(|rest| {
            let name = rest.trim_start_matches([' ', '\t']);
            let word: String = name
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let reserved = ["true", "false", "null", "for", "in", "if"].contains(&word.as_str());
            name.len() < rest.len()
                && !reserved
                && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        })
    })
}

/// Span and short description of the token at `pos`, for "found ..." in messages.
pub(crate) fn found_at(file: FileId, text: &str, pos: usize) -> (Span, String) {
    let rest = text.get(pos..).unwrap_or("");
    let Some(c) = rest.chars().next() else {
        return (span_at(file, text, pos, pos), "end of file".into());
    };
    if c == '\n' || rest.starts_with("\r\n") {
        return (span_at(file, text, pos, pos), "end of line".into());
    }
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let len = if is_word(c) {
        rest.find(|c| !is_word(c)).unwrap_or(rest.len())
    } else {
        c.len_utf8()
    };
    let token = rest.get(..len).unwrap_or("");
    let shown: String = token.chars().take(40).collect();
    let found = if c == '"' {
        "`\"`".to_string()
    } else {
        format!("`{shown}`")
    };
    (span_at(file, text, pos, pos + len), found)
}

/// Turns a pest error for the statement starting at `base` into a diagnostic.
pub(crate) fn describe(
    err: &pest::error::Error<Rule>,
    file: FileId,
    text: &str,
    base: usize,
) -> Diagnostic {
    let rel = match err.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    let pos = base + rel;
    let (span, found) = found_at(file, text, pos);
    let expected = match &err.variant {
        pest::error::ErrorVariant::ParsingError {
            positives,
            negatives,
        } => {
            let words = expected_words(positives);
            if words.is_empty() && negatives.contains(&Rule::stmt_start) {
                return diag::syntax::incomplete_before_statement(span, &found);
            }
            words
        }
        pest::error::ErrorVariant::CustomError { .. } => {
            return diag::syntax::too_deep(span, None);
        }
    };
    let mut d = diag::syntax::unexpected(span, &expected, &found);
    if let Some((open, opener, closer)) = innermost_open(text, base, pos) {
        let closer_expected = expected.iter().any(|e| e == &format!("`{closer}`"));
        let other_line = text.get(open..pos).is_some_and(|s| s.contains('\n'));
        if closer_expected && other_line {
            d = d.with_secondary(
                span_at(file, text, open, open + opener.len_utf8()),
                format!("`{opener}` opened here"),
            );
        }
    }
    d
}

/// Human wording of the rules pest expected. Operators and postfixes that could continue a
/// complete expression are only listed when nothing else could come next: otherwise every
/// message after a value would list them.
fn expected_words(positives: &[Rule]) -> Vec<String> {
    let mut words: Vec<&str> = Vec::new();
    let mut continuations = false;
    for r in positives {
        let w = match r {
            Rule::eq => "`=`",
            Rule::colon => "`:`",
            Rule::comma => "`,`",
            Rule::lbrace | Rule::body => "`{`",
            Rule::rbrace | Rule::interp_close | Rule::missing_close => "`}`",
            Rule::lbracket => "`[`",
            Rule::rbracket => "`]`",
            Rule::lparen => "`(`",
            Rule::rparen => "`)`",
            Rule::fat_arrow => "`=>`",
            Rule::langle => "`<`",
            Rule::rangle => "`>`",
            Rule::pipe => "`|`",
            Rule::str_close => "`\"`",
            Rule::nl => "a new line",
            Rule::kw_for | Rule::for_each => "`for`",
            Rule::kw_in => "`in`",
            Rule::kw_if | Rule::for_if => "`if`",
            Rule::ident | Rule::word | Rule::env_name | Rule::for_vars => "a name",
            Rule::attr => "an attribute (`name = value`)",
            Rule::entry => "an entry (`key = value`)",
            Rule::type_field => "a field (`name: type`)",
            Rule::heredoc_marker => "a heredoc marker",
            Rule::heredoc_end | Rule::heredoc_eof => "the heredoc's closing marker",
            Rule::type_expr
            | Rule::type_named
            | Rule::type_enum
            | Rule::type_list
            | Rule::type_map
            | Rule::type_generic
            | Rule::type_object => "a type",
            Rule::statement
            | Rule::kw_param
            | Rule::kw_let
            | Rule::kw_resource
            | Rule::kw_existing
            | Rule::kw_module
            | Rule::kw_output
            | Rule::kw_environment
            | Rule::kw_import
            | Rule::kw_fn
            | Rule::fn_stmt
            | Rule::import_stmt
            | Rule::param_stmt
            | Rule::let_stmt
            | Rule::resource_stmt
            | Rule::existing_stmt
            | Rule::module_stmt
            | Rule::output_stmt
            | Rule::env_stmt => {
                "a statement (`param`, `let`, `resource`, `existing`, `module`, `output` or `environment`)"
            }
            Rule::string => "a string",
            Rule::infix | Rule::member | Rule::index | Rule::ternary | Rule::question => {
                continuations = true;
                continue;
            }
            Rule::expr
            | Rule::operand
            | Rule::operand_nt
            | Rule::for_coll
            | Rule::number
            | Rule::bool_lit
            | Rule::null_lit
            | Rule::list
            | Rule::list_for
            | Rule::object
            | Rule::object_for
            | Rule::named
            | Rule::named_nt
            | Rule::paren
            | Rule::heredoc => "an expression",
            _ => continue,
        };
        if !words.contains(&w) {
            words.push(w);
        }
    }
    if words.is_empty() && continuations {
        words.push("an operator");
    }
    words.into_iter().map(String::from).collect()
}

/// The innermost bracket still open at `pos` in the statement starting at `base`:
/// (offset, opening char, closing char).
fn innermost_open(text: &str, base: usize, pos: usize) -> Option<(usize, char, char)> {
    let (at, c) = lexer::scan(text, base, pos).open.pop()?;
    let closer = match c {
        '{' => '}',
        '[' => ']',
        _ => ')',
    };
    Some((at, c, closer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_next_statement_line() {
        let t = "resource a: t {\n  environment = x\n  let y = 1\n}\n";
        assert_eq!(next_statement(t, 0), t.find("  let").unwrap());
        assert_eq!(next_statement(t, t.find("  let").unwrap()), t.len());
    }

    #[test]
    fn line_end_accepts_trailing_comments() {
        assert_eq!(line_end("x // c\ny", 1), Ok(6));
        assert_eq!(line_end("x /* c */ y", 1), Err(10));
    }

    #[test]
    fn innermost_open_skips_strings_and_comments() {
        let t = "let x = [\"[\", // [\n  f(1)\n";
        assert_eq!(innermost_open(t, 0, t.len()), Some((8, '[', ']')));
    }
}
