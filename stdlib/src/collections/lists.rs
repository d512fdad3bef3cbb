//! List-shaping functions: flatten, distinct, sort, reverse, range.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use infra_provider_core::{Type, Value};

use crate::CallError;
use crate::builtin::{Args, Def, canonical, element_kind, invalid};

/// `range` refuses to build more elements than this: a bigger list is surely a mistake and
/// would exhaust memory.
const MAX_RANGE: i128 = 1_000_000;

pub(crate) fn defs() -> Vec<Def> {
    vec![
        Def::new("flatten", vec![("list", Type::list(Type::Any))], Type::list(Type::Any), flatten)
            .doc(
                "Replaces every element that is itself a list by its elements, at any depth. An \
                 element that is a secret list gives secret elements. If an element is only \
                 known after apply, so is the result.",
            )
            .example(r#"flatten([["a", "b"], [], ["c", ["d"]]])"#, r#"["a", "b", "c", "d"]"#),
        Def::new("distinct", vec![("list", Type::list(Type::Any))], Type::list(Type::Any), distinct)
            .reads_nested()
            .doc(
                "Removes repeated elements, keeping the first of each (`1` and `1.0` are the \
                 same). The result is a secret if any element is.",
            )
            .example(r#"distinct(["a", "b", "a", "c", "b"])"#, r#"["a", "b", "c"]"#),
        Def::new("sort", vec![("list", Type::list(Type::Any))], Type::list(Type::Any), sort)
            .reads_nested()
            .doc(
                "Sorts a list of strings (by Unicode code point, so `\"B\"` before `\"a\"`) or a \
                 list of numbers (by value). The result is a secret if any element is, because \
                 the order reveals something about it.",
            )
            .example(r#"sort(["b", "c", "a"])"#, r#"["a", "b", "c"]"#)
            .error("strings and numbers mixed", r#"sort(["a", "b", 1])"#, "`sort` needs only strings or only numbers, found string at index 0 and int at index 2")
            .error("an element neither a string nor a number", r#"sort(["a", true])"#, "argument 1 of `sort` must be list of strings or numbers, found list with bool at index 1"),
        Def::new("reverse", vec![("list", Type::list(Type::Any))], Type::list(Type::Any), reverse)
            .doc("The elements of `list` in the opposite order.")
            .example("reverse([1, 2, 3])", "[3, 2, 1]"),
        Def::new("range", vec![("start_or_end", Type::Int), ("end", Type::Int)], Type::list(Type::Int), range)
            .optional(1)
            .doc(
                "`range(n)` gives the integers from 0 up to but excluding `n`; `range(n, m)` \
                 those from `n` up to but excluding `m`. It counts down when the end is below \
                 the start (`range(3, 0)` is `[3, 2, 1]`), as in Terraform.",
            )
            .example("range(1, 4)", "[1, 2, 3]")
            .error("more than 1000000 elements", "range(0, 5000000)", "range(0, 5000000) would have 5000000 elements; at most 1000000 are allowed"),
    ]
}

fn flatten(a: &Args) -> Result<Value, CallError> {
    let mut out = Vec::new();
    if flatten_into(a.list(0)?, false, &mut out) {
        Ok(Value::List(out))
    } else {
        Ok(Value::Unknown)
    }
}

/// Returns false when an element is unknown: it might be a list, so the shape is unknown.
fn flatten_into(items: &[Value], secret: bool, out: &mut Vec<Value>) -> bool {
    for item in items {
        let ok = match item {
            Value::List(inner) => flatten_into(inner, secret, out),
            Value::Secret(inner) => match inner.as_ref() {
                Value::List(inner) => flatten_into(inner, true, out),
                Value::Unknown => false,
                _ => {
                    out.push(item.clone());
                    true
                }
            },
            Value::Unknown => false,
            other => {
                out.push(if secret {
                    Value::secret(other.clone())
                } else {
                    other.clone()
                });
                true
            }
        };
        if !ok {
            return false;
        }
    }
    true
}

fn distinct(a: &Args) -> Result<Value, CallError> {
    let mut seen = BTreeSet::new();
    let out = a
        .list(0)?
        .iter()
        .filter(|item| seen.insert(canonical(item)))
        .cloned()
        .collect();
    Ok(Value::List(out))
}

fn sort(a: &Args) -> Result<Value, CallError> {
    let items = a.list(0)?;
    let mut first_string = None;
    let mut first_number = None;
    for (i, item) in items.iter().enumerate() {
        match item {
            Value::String(_) => {
                first_string.get_or_insert((i, item.kind()));
            }
            Value::Int(_) | Value::Float(_) => {
                first_number.get_or_insert((i, item.kind()));
            }
            other => {
                return Err(a.type_error(0, "list of strings or numbers", element_kind(i, other)));
            }
        }
    }
    if let (Some((si, sk)), Some((ni, nk))) = (first_string, first_number) {
        let ((i, k), (j, l)) = if si < ni {
            ((si, sk), (ni, nk))
        } else {
            ((ni, nk), (si, sk))
        };
        return Err(invalid(format!(
            "`sort` needs only strings or only numbers, found {k} at index {i} and {l} at index {j}"
        )));
    }
    let mut out = items.to_vec();
    out.sort_by(compare);
    Ok(Value::List(out))
}

fn compare(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Int(x), Value::Int(y)) => x.cmp(y),
        (Value::Int(x), Value::Float(y)) => (*x as f64).total_cmp(y),
        (Value::Float(x), Value::Int(y)) => x.total_cmp(&(*y as f64)),
        (Value::Float(x), Value::Float(y)) => x.total_cmp(y),
        _ => Ordering::Equal,
    }
}

fn reverse(a: &Args) -> Result<Value, CallError> {
    Ok(Value::List(a.list(0)?.iter().rev().cloned().collect()))
}

fn range(a: &Args) -> Result<Value, CallError> {
    let (start, end) = if a.len() > 1 {
        (a.int(0)?, a.int(1)?)
    } else {
        (0, a.int(0)?)
    };
    let count = (i128::from(end) - i128::from(start)).abs();
    if count > MAX_RANGE {
        return Err(invalid(format!(
            "range({start}, {end}) would have {count} elements; at most {MAX_RANGE} are allowed"
        )));
    }
    let out: Vec<Value> = if start <= end {
        (start..end).map(Value::Int).collect()
    } else {
        ((end + 1)..=start).rev().map(Value::Int).collect()
    };
    Ok(Value::List(out))
}

#[cfg(test)]
mod tests {
    use crate::testutil::{check, err};

    #[test]
    fn flatten_any_depth() {
        check("flatten([])", "[]");
        check("flatten([1, [2, [3, [4]]], {}])", "[1, 2, 3, 4, {}]");
        check(
            r#"flatten([secret(["a", "b"]), "c"])"#,
            r#"[secret("a"), secret("b"), "c"]"#,
        );
        check(r#"flatten([secret("a")])"#, r#"[secret("a")]"#);
        check("flatten([[1], unknown])", "unknown");
        check("flatten([secret(unknown)])", "unknown");
        assert_eq!(
            err("flatten(1)"),
            "argument 1 of `flatten` must be list, found int"
        );
    }

    #[test]
    fn distinct_and_reverse() {
        check("distinct([1, 1.0, 2, [1], [1.0]])", "[1, 2, [1]]");
        check(r#"distinct(["a", secret("a")])"#, r#"secret(["a"])"#);
        check("distinct([1, unknown])", "unknown");
        check("reverse([])", "[]");
        check(r#"reverse(["a", secret("b")])"#, r#"[secret("b"), "a"]"#);
        assert_eq!(
            err(r#"distinct("ab")"#),
            "argument 1 of `distinct` must be list, found string"
        );
    }

    #[test]
    fn sort_strings_or_numbers() {
        check(r#"sort(["b", "B", "a"])"#, r#"["B", "a", "b"]"#);
        check("sort([3, 1.5, -2, 10])", "[-2, 1.5, 3, 10]");
        check("sort([])", "[]");
        check(r#"sort(["b", secret("a")])"#, r#"secret(["a", "b"])"#);
        assert_eq!(
            err(r#"sort(["a", "b", 1])"#),
            "`sort` needs only strings or only numbers, found string at index 0 and int at index 2"
        );
        assert_eq!(
            err(r#"sort([1, "a"])"#),
            "`sort` needs only strings or only numbers, found int at index 0 and string at index 1"
        );
        assert_eq!(
            err(r#"sort(["a", true])"#),
            "argument 1 of `sort` must be list of strings or numbers, found list with bool at index 1"
        );
    }

    #[test]
    fn ranges() {
        check("range(3)", "[0, 1, 2]");
        check("range(0)", "[]");
        check("range(-2)", "[0, -1]");
        check("range(2, 5)", "[2, 3, 4]");
        check("range(3, 0)", "[3, 2, 1]");
        check(
            "range(9223372036854775806, 9223372036854775807)",
            "[9223372036854775806]",
        );
        check(
            "range(-9223372036854775807, -9223372036854775806)",
            "[-9223372036854775807]",
        );
        assert_eq!(
            err("range(0, 5000000)"),
            "range(0, 5000000) would have 5000000 elements; at most 1000000 are allowed"
        );
        assert_eq!(
            err("range(-9223372036854775807, 9223372036854775807)"),
            "range(-9223372036854775807, 9223372036854775807) would have 18446744073709551614 \
             elements; at most 1000000 are allowed"
        );
        assert_eq!(
            err("range(1.5)"),
            "argument 1 of `range` must be int, found float"
        );
    }
}
