//! `format`: printf-like formatting with the verbs `%s`, `%d`, `%v` and `%%`, and an optional
//! width (`%5s`, `%-5s`, `%03d`) because zero-padded numbers are common in resource names.

use infra_provider_core::{Type, Value};

use crate::CallError;
use crate::builtin::{Args, Def, invalid, literal, scalar_text};

/// Widths beyond this are surely mistakes, and would allocate without bound.
const MAX_WIDTH: usize = 1000;

pub(crate) fn defs() -> Vec<Def> {
    vec![
        Def::new("format", vec![("fmt", Type::String)], Type::String, format)
            .variadic(Type::Any)
            .reads_nested()
            .doc(
                "Formats the arguments after `fmt` into it, in order: `%s` writes a string, \
                 number or bool as is, `%d` an integer (a float only if it is whole), `%v` any \
                 value (strings as is, lists and objects as literals: `[1, \"a\"]`), `%%` a \
                 percent sign. A width may stand between `%` and the verb: `%3d` pads with \
                 spaces on the left, `%03d` with zeros, `%-8s` pads on the right. If any value \
                 is a secret, the result is a secret.",
            )
            .example(r#"format("%s-%03d", "web", 7)"#, r#""web-007""#)
            .error(
                "verbs and arguments differ in number",
                r#"format("%s-%s", "a")"#,
                r#"format string "%s-%s" has 2 verbs but 1 argument was given"#,
            )
            .error(
                "an unsupported verb",
                r#"format("ab%x", 1)"#,
                "unsupported verb `%x` at character 4 of the format string; use %s, %d, %v or %%",
            )
            .error(
                "a lone `%` at the end",
                r#"format("50%")"#,
                "the format string ends with a lone `%`; write %% for a percent sign",
            )
            .error(
                "a value of the wrong kind for its verb",
                r#"format("%s", [1])"#,
                "argument 2 of `format` must be string, number or bool (for %s), found list",
            )
            .error(
                "a width above 1000",
                r#"format("%5000s", "a")"#,
                "width 5000 in the format string is too large (at most 1000)",
            ),
    ]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verb {
    S,
    D,
    V,
}

#[derive(Debug)]
enum Piece {
    Text(String),
    Verb {
        verb: Verb,
        width: usize,
        left: bool,
        zero: bool,
    },
}

fn parse(fmt: &str) -> Result<Vec<Piece>, CallError> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = fmt.chars().enumerate().peekable();
    while let Some((_, c)) = chars.next() {
        if c != '%' {
            text.push(c);
            continue;
        }
        if chars.peek().is_some_and(|&(_, c)| c == '%') {
            chars.next();
            text.push('%');
            continue;
        }
        let (mut left, mut zero, mut width) = (false, false, 0usize);
        while let Some(&(_, flag)) = chars.peek() {
            match flag {
                '-' => left = true,
                '0' if width == 0 => zero = true,
                d if d.is_ascii_digit() => {
                    let digit = d.to_digit(10).map_or(0, |d| d as usize);
                    width = width.saturating_mul(10).saturating_add(digit);
                }
                _ => break,
            }
            chars.next();
        }
        if width > MAX_WIDTH {
            return Err(invalid(format!(
                "width {width} in the format string is too large (at most {MAX_WIDTH})"
            )));
        }
        let verb = match chars.next() {
            Some((_, 's')) => Verb::S,
            Some((_, 'd')) => Verb::D,
            Some((_, 'v')) => Verb::V,
            Some((at, other)) => {
                return Err(invalid(format!(
                    "unsupported verb `%{other}` at character {} of the format string; use %s, \
                     %d, %v or %%",
                    at + 1
                )));
            }
            None => {
                return Err(invalid(
                    "the format string ends with a lone `%`; write %% for a percent sign",
                ));
            }
        };
        if !text.is_empty() {
            pieces.push(Piece::Text(std::mem::take(&mut text)));
        }
        pieces.push(Piece::Verb {
            verb,
            width,
            left,
            zero,
        });
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Ok(pieces)
}

fn format(a: &Args) -> Result<Value, CallError> {
    let fmt = a.string(0)?;
    let pieces = parse(fmt)?;
    let verbs = pieces
        .iter()
        .filter(|p| matches!(p, Piece::Verb { .. }))
        .count();
    let given = a.len().saturating_sub(1);
    if verbs != given {
        return Err(invalid(format!(
            "format string {fmt:?} has {verbs} verb{} but {given} argument{} given",
            if verbs == 1 { "" } else { "s" },
            if given == 1 { " was" } else { "s were" },
        )));
    }
    let mut out = String::new();
    let mut next = 1;
    for piece in &pieces {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Verb {
                verb,
                width,
                left,
                zero,
            } => {
                let index = next;
                next += 1;
                let value = a.value(index)?;
                let text = match verb {
                    Verb::S => scalar_text(value).ok_or_else(|| {
                        a.type_error(index, "string, number or bool (for %s)", value.kind())
                    })?,
                    Verb::D => integer_text(value).ok_or_else(|| {
                        a.type_error(index, "whole number (for %d)", value.kind())
                    })?,
                    Verb::V => match value {
                        Value::String(s) => s.clone(),
                        other => literal(other),
                    },
                };
                pad(&mut out, &text, *width, *left, *zero && *verb == Verb::D);
            }
        }
    }
    Ok(Value::String(out))
}

fn integer_text(v: &Value) -> Option<String> {
    match v {
        Value::Int(i) => Some(i.to_string()),
        // Whole floats only, and only where the conversion to i64 is exact.
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some((*f as i64).to_string()),
        _ => None,
    }
}

fn pad(out: &mut String, text: &str, width: usize, left: bool, zero: bool) {
    let fill = width.saturating_sub(text.chars().count());
    if left {
        out.push_str(text);
        out.extend(std::iter::repeat_n(' ', fill));
    } else if zero {
        let digits = match text.strip_prefix('-') {
            Some(rest) => {
                out.push('-');
                rest
            }
            None => text,
        };
        out.extend(std::iter::repeat_n('0', fill));
        out.push_str(digits);
    } else {
        out.extend(std::iter::repeat_n(' ', fill));
        out.push_str(text);
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::{check, err};

    #[test]
    fn verbs() {
        check(
            r#"format("%s/%d/%v", "a", 3, [1, "x"])"#,
            r#""a/3/[1, \"x\"]""#,
        );
        check(
            r#"format("%v %v %v", "s", { b = 2.0, "a-b" = null }, {})"#,
            r#""s { \"a-b\" = null, b = 2.0 } {}""#,
        );
        check(r#"format("100%%")"#, r#""100%""#);
        check(r#"format("%s %s %s", 1.5, true, -2)"#, r#""1.5 true -2""#);
        check(r#"format("%d", 4.0)"#, r#""4""#);
        check(r#"format("no verbs")"#, r#""no verbs""#);
        check(r#"format("ü%sü", "é")"#, r#""üéü""#);
    }

    #[test]
    fn widths() {
        check(r#"format("%03d|%3d|%-3d|", 7, 7, 7)"#, r#""007|  7|7  |""#);
        check(r#"format("%04d", -7)"#, r#""-007""#);
        check(r#"format("%5s|%-5s|", "ab", "ab")"#, r#""   ab|ab   |""#);
        check(r#"format("%05s", "ab")"#, r#""   ab""#);
        check(r#"format("%1d", 123)"#, r#""123""#);
        assert_eq!(
            err(r#"format("%5000s", "a")"#),
            "width 5000 in the format string is too large (at most 1000)"
        );
        assert_eq!(
            err(r#"format("%99999999999999999999999s", "a")"#),
            "width 18446744073709551615 in the format string is too large (at most 1000)"
        );
    }

    #[test]
    fn count_mismatch_is_precise() {
        assert_eq!(
            err(r#"format("%s-%s", "a")"#),
            r#"format string "%s-%s" has 2 verbs but 1 argument was given"#
        );
        assert_eq!(
            err(r#"format("%s", "a", "b")"#),
            r#"format string "%s" has 1 verb but 2 arguments were given"#
        );
        assert_eq!(
            err(r#"format("x")"#.replace("x", "%d").as_str()),
            r#"format string "%d" has 1 verb but 0 arguments were given"#
        );
    }

    #[test]
    fn bad_verbs_and_kinds() {
        assert_eq!(
            err(r#"format("ab%x", 1)"#),
            "unsupported verb `%x` at character 4 of the format string; use %s, %d, %v or %%"
        );
        assert_eq!(
            err(r#"format("50%")"#),
            "the format string ends with a lone `%`; write %% for a percent sign"
        );
        assert_eq!(
            err(r#"format("%s", [1])"#),
            "argument 2 of `format` must be string, number or bool (for %s), found list"
        );
        assert_eq!(
            err(r#"format("%s %d", "a", 2.5)"#),
            "argument 3 of `format` must be whole number (for %d), found float"
        );
        assert_eq!(
            err(r#"format("%d", "7")"#),
            "argument 2 of `format` must be whole number (for %d), found string"
        );
        assert_eq!(
            err("format(1)"),
            "argument 1 of `format` must be string, found int"
        );
    }

    #[test]
    fn secrets_and_unknowns() {
        check(r#"format("%s:%s", "u", secret("pw"))"#, r#"secret("u:pw")"#);
        check(
            r#"format("%v", ["a", secret("pw")])"#,
            r#"secret("[\"a\", \"pw\"]")"#,
        );
        check(r#"format("%v", [unknown])"#, "unknown");
        let e = err(r#"format("%s %s", secret("hunter2"))"#);
        assert!(!e.contains("hunter2") && e.contains("secret"), "{e}");
    }
}
