//! Numeric functions. Ints stay ints where the result is exact; any float makes a float.
//! Overflow is an error, never a wrap-around or a panic.

use infra_provider_core::{Type, Value};

use crate::CallError;
use crate::builtin::{Args, Def, Num, invalid};

pub(crate) fn defs() -> Vec<Def> {
    vec![
        Def::new("min", vec![("first", Type::Float)], Type::Any, min)
            .variadic(Type::Float)
            .doc(
                "The smallest of the numbers given. The result is an int when every argument is \
                 an int, a float otherwise.",
            )
            .example("min(3, 1, 2)", "1"),
        Def::new("max", vec![("first", Type::Float)], Type::Any, max)
            .variadic(Type::Float)
            .doc(
                "The largest of the numbers given. The result is an int when every argument is \
                 an int, a float otherwise.",
            )
            .example("max(3, 1.5, 2)", "3.0"),
        Def::new("abs", vec![("n", Type::Float)], Type::Any, abs)
            .doc("The absolute value of `n`, of the same kind as `n` (int or float).")
            .example("abs(-4)", "4")
            .error(
                "the smallest int, whose absolute value is no int",
                r#"abs(to_int("-9223372036854775808"))"#,
                "abs(-9223372036854775808) does not fit in an int",
            ),
        Def::new("floor", vec![("n", Type::Float)], Type::Int, floor)
            .doc("The largest int not above `n`.")
            .example("floor(2.7)", "2")
            .error(
                "a float beyond the int range, NaN or an infinity",
                "floor(1e300)",
                "floor(1e300) does not fit in an int",
            ),
        Def::new("ceil", vec![("n", Type::Float)], Type::Int, ceil)
            .doc("The smallest int not below `n`.")
            .example("ceil(2.1)", "3")
            .error(
                "a float beyond the int range, NaN or an infinity",
                "ceil(-1e300)",
                "ceil(-1e300) does not fit in an int",
            ),
    ]
}

fn numbers(a: &Args) -> Result<Vec<Num>, CallError> {
    (0..a.len()).map(|i| a.number(i)).collect()
}

/// Picks the number that `better` prefers; ints compare exactly, mixed kinds as floats.
fn pick(
    a: &Args,
    better: fn(f64, f64) -> bool,
    better_int: fn(i64, i64) -> bool,
) -> Result<Value, CallError> {
    let nums = numbers(a)?;
    let mut best: Option<Num> = None;
    for n in nums {
        best = Some(match best {
            None => n,
            Some(Num::Int(b)) => match n {
                Num::Int(x) if better_int(x, b) => n,
                Num::Float(x) if better(x, b as f64) => n,
                _ => Num::Int(b),
            },
            Some(b) => {
                if better(n.as_f64(), b.as_f64()) {
                    n
                } else {
                    b
                }
            }
        });
    }
    let all_ints = (0..a.len()).all(|i| matches!(a.get(i), Some(Value::Int(_))));
    match best {
        Some(n) if all_ints => Ok(n.into_value()),
        Some(n) => Ok(Value::Float(n.as_f64())),
        None => Err(invalid(format!("`{}` needs at least one number", a.name))),
    }
}

fn min(a: &Args) -> Result<Value, CallError> {
    pick(a, |x, b| x < b, |x, b| x < b)
}

fn max(a: &Args) -> Result<Value, CallError> {
    pick(a, |x, b| x > b, |x, b| x > b)
}

fn abs(a: &Args) -> Result<Value, CallError> {
    match a.number(0)? {
        Num::Int(i) => i
            .checked_abs()
            .map(Value::Int)
            .ok_or_else(|| invalid(format!("abs({i}) does not fit in an int"))),
        Num::Float(f) => Ok(Value::Float(f.abs())),
    }
}

fn to_int(name: &str, f: f64) -> Result<Value, CallError> {
    // 2^63 is exactly representable; every float strictly below it (and at or above -2^63)
    // converts without loss of range.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if f.is_finite() && (-LIMIT..LIMIT).contains(&f) {
        Ok(Value::Int(f as i64))
    } else {
        Err(invalid(format!("{name}({f:?}) does not fit in an int")))
    }
}

fn floor(a: &Args) -> Result<Value, CallError> {
    match a.number(0)? {
        Num::Int(i) => Ok(Value::Int(i)),
        Num::Float(f) => to_int("floor", f.floor()),
    }
}

fn ceil(a: &Args) -> Result<Value, CallError> {
    match a.number(0)? {
        Num::Int(i) => Ok(Value::Int(i)),
        Num::Float(f) => to_int("ceil", f.ceil()),
    }
}

#[cfg(test)]
mod tests {
    use infra_provider_core::Value;

    use crate::call;
    use crate::testutil::{check, err, host};

    #[test]
    fn min_max_keep_ints() {
        check("min(3, -1, 2)", "-1");
        check("max(3, -1, 2)", "3");
        check("min(3, 1.5)", "1.5");
        check("max(3, 1.5)", "3.0");
        check("min(7)", "7");
        check(
            "max(9223372036854775807, 9223372036854775806)",
            "9223372036854775807",
        );
        check("min(2.5, secret(1))", "secret(1.0)");
        assert_eq!(
            err(r#"min(1, "2")"#),
            "argument 2 of `min` must be number, found string"
        );
        assert_eq!(err("max()"), "`max` takes at least 1 argument(s), 0 given");
    }

    #[test]
    fn abs_floor_ceil() {
        check("abs(-4)", "4");
        check("abs(-4.5)", "4.5");
        check("abs(0)", "0");
        check("floor(-2.5)", "-3");
        check("ceil(-2.5)", "-2");
        check("floor(7)", "7");
        check("ceil(2.0)", "2");
        check("abs(-9223372036854775807)", "9223372036854775807");
        assert_eq!(
            err(r#"abs("1")"#),
            "argument 1 of `abs` must be number, found string"
        );
    }

    #[test]
    fn overflow_is_an_error() {
        let h = host();
        let e = call("abs", &[Value::Int(i64::MIN)], &h).map_err(|e| e.to_string());
        assert_eq!(
            e,
            Err("abs(-9223372036854775808) does not fit in an int".to_string())
        );
        assert_eq!(err("floor(1e300)"), "floor(1e300) does not fit in an int");
        assert_eq!(err("ceil(-1e300)"), "ceil(-1e300) does not fit in an int");
        let nan = call("floor", &[Value::Float(f64::NAN)], &h).map_err(|e| e.to_string());
        assert_eq!(nan, Err("floor(NaN) does not fit in an int".to_string()));
        let inf = call("ceil", &[Value::Float(f64::INFINITY)], &h).map_err(|e| e.to_string());
        assert_eq!(inf, Err("ceil(inf) does not fit in an int".to_string()));
        assert_eq!(err("floor(9.3e18)"), "floor(9.3e18) does not fit in an int");
        check("floor(-9.223372036854775808e18)", "-9223372036854775808");
    }
}
