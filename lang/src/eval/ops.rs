//! Operators and value access. Two rules hold everywhere: an `Unknown` operand gives
//! `Unknown`, and a secret operand gives a secret. Messages name kinds, never values, so
//! that no secret reaches a diagnostic.

use crate::diag::{self, Diagnostic};
use crate::span::Span;
use crate::syntax::ast::{BinaryOp, UnaryOp};
use infra_provider_core::Value;

/// Wraps `v` as a secret when `secret` is set.
pub(crate) fn taint(v: Value, secret: bool) -> Value {
    if secret { Value::secret(v) } else { v }
}

fn kinds_error(op: BinaryOp, l: &Value, r: &Value, span: Span) -> Diagnostic {
    diag::eval::eval_error(
        format!(
            "`{}` cannot combine {} and {}",
            op.symbol(),
            l.kind(),
            r.kind()
        ),
        span,
        "wrong operand types",
    )
}

fn overflow(span: Span) -> Diagnostic {
    diag::eval::eval_error("integer overflow", span, "result does not fit in 64 bits")
}

/// Structural equality; ints and floats compare by value.
pub(crate) fn equal(l: &Value, r: &Value) -> bool {
    match (l, r) {
        (Value::Int(a), Value::Float(b)) | (Value::Float(b), Value::Int(a)) => (*a as f64) == *b,
        (Value::Secret(a), b) | (b, Value::Secret(a)) => equal(a, b),
        (Value::List(a), Value::List(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| equal(x, y))
        }
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .zip(b)
                    .all(|((ka, va), (kb, vb))| ka == kb && equal(va, vb))
        }
        _ => l == r,
    }
}

/// Every binary operator except `&&` and `||`, which the evaluator short-circuits.
pub(crate) fn binary(
    op: BinaryOp,
    l: Value,
    r: Value,
    span: Span,
    right_span: Span,
) -> Result<Value, Diagnostic> {
    let (l, ls) = l.unwrap_secret();
    let (r, rs) = r.unwrap_secret();
    let secret = ls || rs;
    if l.contains_unknown() || r.contains_unknown() {
        return Ok(taint(Value::Unknown, secret));
    }
    let v = match op {
        BinaryOp::Eq => Value::Bool(equal(l, r)),
        BinaryOp::Ne => Value::Bool(!equal(l, r)),
        BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
            let ord = match (l, r) {
                (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
                _ => match (number(l), number(r)) {
                    (Some(a), Some(b)) => a.partial_cmp(&b),
                    _ => return Err(kinds_error(op, l, r, span)),
                },
            };
            let Some(ord) = ord else {
                return Ok(taint(Value::Bool(false), secret));
            };
            Value::Bool(match op {
                BinaryOp::Lt => ord.is_lt(),
                BinaryOp::Le => ord.is_le(),
                BinaryOp::Gt => ord.is_gt(),
                _ => ord.is_ge(),
            })
        }
        BinaryOp::Add => match (l, r) {
            (Value::String(a), Value::String(b)) => Value::String(format!("{a}{b}")),
            (Value::List(a), Value::List(b)) => Value::List(a.iter().chain(b).cloned().collect()),
            _ => arithmetic(op, l, r, span, right_span)?,
        },
        BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => {
            arithmetic(op, l, r, span, right_span)?
        }
        BinaryOp::And | BinaryOp::Or => match (l, r) {
            (Value::Bool(a), Value::Bool(b)) => Value::Bool(if op == BinaryOp::And {
                *a && *b
            } else {
                *a || *b
            }),
            _ => return Err(kinds_error(op, l, r, span)),
        },
    };
    Ok(taint(v, secret))
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

fn arithmetic(
    op: BinaryOp,
    l: &Value,
    r: &Value,
    span: Span,
    right_span: Span,
) -> Result<Value, Diagnostic> {
    if let (Value::Int(a), Value::Int(b)) = (l, r) {
        let (a, b) = (*a, *b);
        if matches!(op, BinaryOp::Div | BinaryOp::Rem) && b == 0 {
            return Err(diag::eval::division_by_zero(right_span));
        }
        let v = match op {
            BinaryOp::Add => a.checked_add(b),
            BinaryOp::Sub => a.checked_sub(b),
            BinaryOp::Mul => a.checked_mul(b),
            BinaryOp::Div => a.checked_div(b),
            _ => a.checked_rem(b),
        };
        return v.map(Value::Int).ok_or_else(|| overflow(span));
    }
    let (Some(a), Some(b)) = (number(l), number(r)) else {
        return Err(kinds_error(op, l, r, span));
    };
    if matches!(op, BinaryOp::Div | BinaryOp::Rem) && b == 0.0 {
        return Err(diag::eval::division_by_zero(right_span));
    }
    Ok(Value::Float(match op {
        BinaryOp::Add => a + b,
        BinaryOp::Sub => a - b,
        BinaryOp::Mul => a * b,
        BinaryOp::Div => a / b,
        _ => a % b,
    }))
}

pub(crate) fn unary(op: UnaryOp, v: Value, span: Span) -> Result<Value, Diagnostic> {
    let (v, secret) = v.unwrap_secret();
    let out = match (op, v) {
        (_, Value::Unknown) => Value::Unknown,
        (UnaryOp::Not, Value::Bool(b)) => Value::Bool(!b),
        (UnaryOp::Neg, Value::Int(i)) => Value::Int(i.checked_neg().ok_or_else(|| overflow(span))?),
        (UnaryOp::Neg, Value::Float(f)) => Value::Float(-f),
        (UnaryOp::Not, other) => {
            return Err(diag::eval::eval_error(
                format!("`!` expects a bool, found {}", other.kind()),
                span,
                "not a bool",
            ));
        }
        (UnaryOp::Neg, other) => {
            return Err(diag::eval::eval_error(
                format!("`-` expects a number, found {}", other.kind()),
                span,
                "not a number",
            ));
        }
    };
    Ok(taint(out, secret))
}

/// The text a value contributes to an interpolated string; `None` when it is unknown.
pub(crate) fn to_text(v: &Value, span: Span) -> Result<Option<String>, Diagnostic> {
    Ok(Some(match v {
        Value::String(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => String::new(),
        Value::Unknown => return Ok(None),
        Value::Secret(inner) => return to_text(inner, span),
        Value::List(_) | Value::Object(_) => {
            return Err(diag::eval::eval_error(
                format!("cannot interpolate a {} into a string", v.kind()),
                span,
                "not a string, number or bool",
            ));
        }
    }))
}

/// `value.name`
pub(crate) fn member(v: Value, name: &str, span: Span) -> Result<Value, Diagnostic> {
    match v {
        // Keys of a secret object are not suggested: they are part of the secret.
        Value::Secret(inner) => member(*inner, name, span)
            .map(Value::secret)
            .map_err(|mut d| {
                d.help = None;
                d
            }),
        Value::Unknown => Ok(Value::Unknown),
        Value::Object(mut map) => match map.remove(name) {
            Some(x) => Ok(x),
            None => {
                let suggestion =
                    diag::did_you_mean(name, map.keys().map(String::as_str)).map(str::to_string);
                Err(diag::eval::missing_key(name, span, suggestion.as_deref()))
            }
        },
        other => Err(diag::eval::eval_error(
            format!("cannot read `{name}` of a {}", other.kind()),
            span,
            "not an object",
        )),
    }
}

/// `value[key]`
pub(crate) fn index(v: Value, key: Value, span: Span) -> Result<Value, Diagnostic> {
    let (k, ks) = key.unwrap_secret();
    let (container, cs) = match v {
        Value::Secret(inner) => (*inner, true),
        other => (other, false),
    };
    let secret = ks || cs;
    if matches!(container, Value::Unknown) || k.contains_unknown() {
        return Ok(taint(Value::Unknown, secret));
    }
    let out = match (container, k) {
        (Value::List(mut items), Value::Int(i)) => {
            let len = items.len();
            match usize::try_from(*i).ok().filter(|&i| i < len) {
                Some(i) => items.swap_remove(i),
                // A secret index or list is not described: the message would reveal part of it.
                None if secret => {
                    return Err(diag::eval::eval_error(
                        "index out of range",
                        span,
                        "out of range",
                    ));
                }
                None => return Err(diag::eval::out_of_range(*i, len, span)),
            }
        }
        (Value::Object(mut map), Value::String(s)) => match map.remove(s.as_str()) {
            Some(x) => x,
            None if secret => {
                return Err(diag::eval::eval_error("missing key", span, "missing key"));
            }
            None => {
                let suggestion =
                    diag::did_you_mean(s, map.keys().map(String::as_str)).map(str::to_string);
                return Err(diag::eval::missing_key(s, span, suggestion.as_deref()));
            }
        },
        (c, k) => {
            return Err(diag::eval::eval_error(
                format!("cannot index a {} with a {}", c.kind(), k.kind()),
                span,
                "wrong index type",
            ));
        }
    };
    Ok(taint(out, secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp() -> Span {
        Span::default()
    }

    #[test]
    fn unknown_and_secret_propagate() {
        let s = Value::secret(Value::Int(2));
        assert_eq!(
            binary(BinaryOp::Add, Value::Int(1), s, sp(), sp()),
            Ok(Value::secret(Value::Int(3)))
        );
        assert_eq!(
            binary(BinaryOp::Mul, Value::Unknown, Value::Int(1), sp(), sp()),
            Ok(Value::Unknown)
        );
        let su = binary(
            BinaryOp::Eq,
            Value::secret(Value::Unknown),
            Value::Int(1),
            sp(),
            sp(),
        );
        assert_eq!(su, Ok(Value::secret(Value::Unknown)));
    }

    #[test]
    fn division_by_zero_and_overflow_are_errors() {
        let e = binary(BinaryOp::Div, Value::Int(1), Value::Int(0), sp(), sp()).unwrap_err();
        assert_eq!(e.code, "E0703");
        let e = binary(
            BinaryOp::Add,
            Value::Int(i64::MAX),
            Value::Int(1),
            sp(),
            sp(),
        )
        .unwrap_err();
        assert_eq!(e.code, "E0700");
        assert_eq!(
            binary(BinaryOp::Div, Value::Int(7), Value::Int(2), sp(), sp()),
            Ok(Value::Int(3))
        );
    }

    #[test]
    fn numbers_compare_across_int_and_float() {
        assert_eq!(
            binary(BinaryOp::Eq, Value::Int(1), Value::Float(1.0), sp(), sp()),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            binary(BinaryOp::Lt, Value::Int(1), Value::Float(1.5), sp(), sp()),
            Ok(Value::Bool(true))
        );
    }

    #[test]
    fn index_errors_never_show_a_secret_key() {
        let map = Value::Object(Default::default());
        let e = index(map, Value::secret(Value::str("canary-1")), sp()).unwrap_err();
        assert!(!e.message.contains("canary"));
        let list = Value::List(vec![Value::Int(1)]);
        assert_eq!(index(list.clone(), Value::Int(0), sp()), Ok(Value::Int(1)));
        assert_eq!(index(list, Value::Int(-1), sp()).unwrap_err().code, "E0702");
    }
}
