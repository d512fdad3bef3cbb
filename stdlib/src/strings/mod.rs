//! String functions. Lengths and offsets count characters (Unicode scalar values), not bytes,
//! so that no function can cut a character in half.

mod format;

use infra_provider_core::{Type, Value};

use crate::CallError;
use crate::builtin::{Args, Def, element_kind, invalid, scalar_text};

pub(crate) fn defs() -> Vec<Def> {
    let mut defs = vec![
        Def::new("lower", vec![("s", Type::String)], Type::String, lower)
            .doc("Converts every letter of `s` to lower case (Unicode-aware).")
            .example(r#"lower("Web-API")"#, r#""web-api""#),
        Def::new("upper", vec![("s", Type::String)], Type::String, upper)
            .doc("Converts every letter of `s` to upper case (Unicode-aware).")
            .example(r#"upper("westeurope")"#, r#""WESTEUROPE""#),
        Def::new("trim", vec![("s", Type::String), ("chars", Type::String)], Type::String, trim)
            .optional(1)
            .doc(
                "Removes leading and trailing whitespace from `s`; with `chars`, removes any of \
                 those characters from both ends instead.",
            )
            .example(r#"trim("  api  ")"#, r#""api""#),
        Def::new(
            "trim_prefix",
            vec![("s", Type::String), ("prefix", Type::String)],
            Type::String,
            trim_prefix,
        )
        .doc("Removes `prefix` from the start of `s` once, if `s` starts with it.")
        .example(r#"trim_prefix("rg-core", "rg-")"#, r#""core""#),
        Def::new(
            "trim_suffix",
            vec![("s", Type::String), ("suffix", Type::String)],
            Type::String,
            trim_suffix,
        )
        .doc("Removes `suffix` from the end of `s` once, if `s` ends with it.")
        .example(r#"trim_suffix("api.example.com.", ".")"#, r#""api.example.com""#),
        Def::new(
            "replace",
            vec![("s", Type::String), ("from", Type::String), ("to", Type::String)],
            Type::String,
            replace,
        )
        .doc("Replaces every occurrence of the text `from` in `s` by `to` (plain text, not a pattern).")
        .example(r#"replace("my_app_name", "_", "-")"#, r#""my-app-name""#)
        .error("`from` is empty", r#"replace("abc", "", "x")"#, "the text to replace must not be empty"),
        Def::new(
            "starts_with",
            vec![("s", Type::String), ("prefix", Type::String)],
            Type::Bool,
            starts_with,
        )
        .doc("Whether `s` begins with `prefix` (case-sensitive).")
        .example(r#"starts_with("prod-eu", "prod")"#, "true"),
        Def::new(
            "ends_with",
            vec![("s", Type::String), ("suffix", Type::String)],
            Type::Bool,
            ends_with,
        )
        .doc("Whether `s` ends with `suffix` (case-sensitive).")
        .example(r#"ends_with("api.example.com", ".com")"#, "true"),
        Def::new("join", vec![("sep", Type::String), ("list", Type::list(Type::Any))], Type::String, join)
            .reads_nested()
            .doc(
                "Joins the elements of `list` with `sep` between them. Elements must be strings, \
                 numbers or bools (numbers and bools are written as `to_string` writes them). \
                 If an element is a secret, the result is a secret.",
            )
            .example(r#"join(", ", ["a", "b", "c"])"#, r#""a, b, c""#)
            .error("an element is not a string, number or bool", r#"join(",", ["a", null])"#, "argument 2 of `join` must be list of strings, numbers or bools, found list with null at index 1"),
        Def::new("split", vec![("sep", Type::String), ("s", Type::String)], Type::list(Type::String), split)
            .doc(
                "Splits `s` at every occurrence of `sep`. An empty `s` gives `[\"\"]`, as in \
                 Terraform.",
            )
            .example(r#"split(",", "a,b,,c")"#, r#"["a", "b", "", "c"]"#)
            .error("`sep` is empty", r#"split("", "abc")"#, "the separator of `split` must not be empty"),
        Def::new(
            "substr",
            vec![("s", Type::String), ("offset", Type::Int), ("length", Type::Int)],
            Type::String,
            substr,
        )
        .doc(
            "The part of `s` that starts at character `offset` and is `length` characters long. \
             A negative `offset` counts from the end; a `length` of -1 means \"to the end\"; a \
             `length` past the end stops at the end.",
        )
        .example(r#"substr("westeurope", 0, 4)"#, r#""west""#)
        .error("`offset` beyond the end", r#"substr("westeurope", 12, 2)"#, "offset 12 is beyond the end of the string (10 characters)")
        .error("a negative `offset` before the start", r#"substr("west", -5, 2)"#, "offset -5 is before the start of the string (4 characters)")
        .error("`length` below -1", r#"substr("west", 0, -2)"#, "length must be -1 (to the end) or at least 0, found -2"),
        Def::new("alphanumeric", vec![("s", Type::String)], Type::String, alphanumeric)
            .doc(
                "Keeps only the ASCII letters and digits of `s`: the characters every Azure \
                 resource name accepts (storage accounts accept nothing else).",
            )
            .example(r#"alphanumeric("My_App-01")"#, r#""MyApp01""#),
    ];
    defs.extend(format::defs());
    defs
}

fn lower(a: &Args) -> Result<Value, CallError> {
    Ok(Value::str(a.string(0)?.to_lowercase()))
}

fn upper(a: &Args) -> Result<Value, CallError> {
    Ok(Value::str(a.string(0)?.to_uppercase()))
}

fn trim(a: &Args) -> Result<Value, CallError> {
    let s = a.string(0)?;
    if a.len() > 1 {
        let chars: Vec<char> = a.string(1)?.chars().collect();
        Ok(Value::str(s.trim_matches(|c| chars.contains(&c))))
    } else {
        Ok(Value::str(s.trim()))
    }
}

fn trim_prefix(a: &Args) -> Result<Value, CallError> {
    let s = a.string(0)?;
    Ok(Value::str(s.strip_prefix(a.string(1)?).unwrap_or(s)))
}

fn trim_suffix(a: &Args) -> Result<Value, CallError> {
    let s = a.string(0)?;
    Ok(Value::str(s.strip_suffix(a.string(1)?).unwrap_or(s)))
}

fn replace(a: &Args) -> Result<Value, CallError> {
    let (s, from, to) = (a.string(0)?, a.string(1)?, a.string(2)?);
    // An empty pattern would insert `to` between every character: never what was meant.
    if from.is_empty() {
        return Err(invalid("the text to replace must not be empty"));
    }
    Ok(Value::str(s.replace(from, to)))
}

fn starts_with(a: &Args) -> Result<Value, CallError> {
    Ok(Value::Bool(a.string(0)?.starts_with(a.string(1)?)))
}

fn ends_with(a: &Args) -> Result<Value, CallError> {
    Ok(Value::Bool(a.string(0)?.ends_with(a.string(1)?)))
}

fn join(a: &Args) -> Result<Value, CallError> {
    let sep = a.string(0)?;
    let items = a.list(1)?;
    let mut parts = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match scalar_text(item) {
            Some(text) => parts.push(text),
            None => {
                return Err(a.type_error(
                    1,
                    "list of strings, numbers or bools",
                    element_kind(i, item),
                ));
            }
        }
    }
    Ok(Value::str(parts.join(sep)))
}

fn split(a: &Args) -> Result<Value, CallError> {
    let (sep, s) = (a.string(0)?, a.string(1)?);
    if sep.is_empty() {
        return Err(invalid("the separator of `split` must not be empty"));
    }
    Ok(Value::List(s.split(sep).map(Value::str).collect()))
}

fn substr(a: &Args) -> Result<Value, CallError> {
    let s = a.string(0)?;
    let (offset, length) = (a.int(1)?, a.int(2)?);
    let count = s.chars().count();
    let total = i64::try_from(count).unwrap_or(i64::MAX);
    let start = if offset < 0 {
        total.checked_add(offset)
    } else {
        Some(offset)
    };
    let start = match start {
        Some(start) if start < 0 => {
            return Err(invalid(format!(
                "offset {offset} is before the start of the string ({count} characters)"
            )));
        }
        Some(start) if start > total => {
            return Err(invalid(format!(
                "offset {offset} is beyond the end of the string ({count} characters)"
            )));
        }
        Some(start) => start,
        None => return Err(invalid(format!("offset {offset} is out of range"))),
    };
    let take = match length {
        -1 => total - start,
        n if n < -1 => {
            return Err(invalid(format!(
                "length must be -1 (to the end) or at least 0, found {length}"
            )));
        }
        n => n.min(total - start),
    };
    let skip = usize::try_from(start).unwrap_or(usize::MAX);
    let take = usize::try_from(take).unwrap_or(0);
    Ok(Value::str(
        s.chars().skip(skip).take(take).collect::<String>(),
    ))
}

fn alphanumeric(a: &Args) -> Result<Value, CallError> {
    Ok(Value::str(
        a.string(0)?
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>(),
    ))
}

#[cfg(test)]
mod tests {
    use crate::testutil::{check, err};

    #[test]
    fn case_and_trimming() {
        check(r#"lower("ÄBC")"#, r#""äbc""#);
        check(r#"upper("straße")"#, r#""STRASSE""#);
        check(r#"trim(" \t x y \n")"#, r#""x y""#);
        check(r#"trim("--a-b--", "-")"#, r#""a-b""#);
        check(r#"trim("", "-")"#, r#""""#);
        check(r#"trim_prefix("rg-rg-x", "rg-")"#, r#""rg-x""#);
        check(r#"trim_prefix("x", "rg-")"#, r#""x""#);
        check(r#"trim_suffix("a.b.", ".")"#, r#""a.b""#);
        check(r#"alphanumeric("é-1_ b")"#, r#""1b""#);
    }

    #[test]
    fn replace_and_predicates() {
        check(r#"replace("a.b.c", ".", "")"#, r#""abc""#);
        check(r#"replace("aaa", "aa", "b")"#, r#""ba""#);
        check(r#"starts_with("abc", "")"#, "true");
        check(r#"starts_with("abc", "b")"#, "false");
        check(r#"ends_with("abc", "bc")"#, "true");
        check(r#"ends_with("abc", "x")"#, "false");
        assert_eq!(
            err(r#"replace("abc", "", "x")"#),
            "the text to replace must not be empty"
        );
    }

    #[test]
    fn join_and_split() {
        check(r#"join("-", [])"#, r#""""#);
        check(r#"join("-", ["a", 1, 2.5, true])"#, r#""a-1-2.5-true""#);
        check(r#"join(",", ["a", secret("b")])"#, r#"secret("a,b")"#);
        check(r#"join(",", ["a", unknown])"#, "unknown");
        assert_eq!(
            err(r#"join(",", ["a", null])"#),
            "argument 2 of `join` must be list of strings, numbers or bools, found list with \
             null at index 1"
        );
        assert_eq!(
            err(r#"join(",", "abc")"#),
            "argument 2 of `join` must be list, found string"
        );
        check(r#"split(",", "")"#, r#"[""]"#);
        check(r#"split("::", "a::b")"#, r#"["a", "b"]"#);
        assert_eq!(
            err(r#"split("", "abc")"#),
            "the separator of `split` must not be empty"
        );
    }

    #[test]
    fn substr_counts_characters() {
        check(r#"substr("héllo", 1, 3)"#, r#""éll""#);
        check(r#"substr("hello", -3, -1)"#, r#""llo""#);
        check(r#"substr("hello", 2, 100)"#, r#""llo""#);
        check(r#"substr("hello", 5, 1)"#, r#""""#);
        check(r#"substr("hello", 0, 0)"#, r#""""#);
        assert_eq!(
            err(r#"substr("hello", 6, 1)"#),
            "offset 6 is beyond the end of the string (5 characters)"
        );
        assert_eq!(
            err(r#"substr("hello", -6, 1)"#),
            "offset -6 is before the start of the string (5 characters)"
        );
        assert_eq!(
            err(r#"substr("hello", -9223372036854775807, 1)"#),
            "offset -9223372036854775807 is before the start of the string (5 characters)"
        );
        assert_eq!(
            err(r#"substr("hello", 0, -2)"#),
            "length must be -1 (to the end) or at least 0, found -2"
        );
        assert_eq!(
            err(r#"substr("hello", 1.5, 1)"#),
            "argument 2 of `substr` must be int, found float"
        );
    }

    #[test]
    fn type_errors_name_the_argument() {
        assert_eq!(
            err("lower(1)"),
            "argument 1 of `lower` must be string, found int"
        );
        assert_eq!(
            err(r#"replace("a", "b", null)"#),
            "argument 3 of `replace` must be string, found null"
        );
        assert_eq!(
            err(r#"trim("a", "b", "c")"#),
            "`trim` takes 1 or 2 argument(s), 3 given"
        );
    }
}
