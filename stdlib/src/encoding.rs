//! Conversions between values and text: base64, JSON, and the scalar conversions
//! `to_string`, `to_int`, `to_float`.

use infra_provider_core::{Type, Value};

use crate::CallError;
use crate::builtin::{Args, Def, invalid, scalar_text};
use crate::codec;

pub(crate) fn defs() -> Vec<Def> {
    vec![
        Def::new(
            "base64_encode",
            vec![("s", Type::String)],
            Type::String,
            base64_encode,
        )
        .doc("Encodes the UTF-8 bytes of `s` as standard base64 (RFC 4648, with `=` padding).")
        .example(r#"base64_encode("hello")"#, r#""aGVsbG8=""#),
        Def::new(
            "base64_decode",
            vec![("s", Type::String)],
            Type::String,
            base64_decode,
        )
        .doc(
            "Decodes standard base64 (padding optional) into a string. The decoded bytes \
                 must be UTF-8 text.",
        )
        .example(r#"base64_decode("aGVsbG8=")"#, r#""hello""#)
        .error(
            "a character outside the alphabet",
            r#"base64_decode("Zm9v!")"#,
            "invalid base64: '!' at character 5 is not in the base64 alphabet",
        )
        .error(
            "a cut-off text",
            r#"base64_decode("Zm9vY")"#,
            "invalid base64: 5 characters cannot end a base64 text (a group of 4 is cut after 1)",
        )
        .error(
            "bytes that are not UTF-8",
            r#"base64_decode("/w==")"#,
            "the decoded bytes are not UTF-8 text (invalid byte at offset 0)",
        ),
        Def::new(
            "json_encode",
            vec![("value", Type::Any)],
            Type::String,
            json_encode,
        )
        .reads_nested()
        .doc(
            "The compact JSON text of `value`, object keys sorted. The result is a secret \
                 if `value` holds one. NaN and infinite floats have no JSON form: an error.",
        )
        .example(
            r#"json_encode({ b = [1, true], a = null })"#,
            r#""{\"a\":null,\"b\":[1,true]}""#,
        ),
        Def::new(
            "json_decode",
            vec![("s", Type::String)],
            Type::Any,
            json_decode,
        )
        .doc(
            "The value of the JSON text `s`. Whole numbers become ints (floats when beyond \
                 the int range), other numbers floats.",
        )
        .example(r#"json_decode("{\"a\": [1, 2.5]}")"#, "{ a = [1, 2.5] }")
        .error(
            "text that is not JSON",
            r#"json_decode("{")"#,
            "invalid JSON: EOF while parsing an object at line 1 column 1",
        ),
        Def::new(
            "to_string",
            vec![("value", Type::Any)],
            Type::String,
            to_string,
        )
        .doc(
            "Writes a string, number or bool as a string (`2.0` is written `2`). Lists and \
                 objects have no single text form: use `json_encode` or `format(\"%v\", ...)`.",
        )
        .example("to_string(42)", r#""42""#),
        Def::new("to_int", vec![("value", Type::Any)], Type::Int, to_int)
            .doc(
                "Converts to an int: an int as is, a whole float, or a string of decimal \
                 digits with an optional sign.",
            )
            .example(r#"to_int("42")"#, "42")
            .error(
                "a string that is not a whole number",
                r#"to_int("4.5")"#,
                r#""4.5" is not a whole number"#,
            )
            .error(
                "a float with a fraction",
                "to_int(4.5)",
                "4.5 is not a whole number; use floor or ceil",
            )
            .error(
                "a number beyond the int range",
                r#"to_int("99999999999999999999")"#,
                r#""99999999999999999999" is out of the range of int"#,
            ),
        Def::new(
            "to_float",
            vec![("value", Type::Any)],
            Type::Float,
            to_float,
        )
        .doc("Converts an int, a float or a numeric string (`\"2.5\"`, `\"1e3\"`) to a float.")
        .example(r#"to_float("2.5")"#, "2.5")
        .error(
            "a string that is not a number",
            r#"to_float("abc")"#,
            r#""abc" is not a number"#,
        ),
    ]
}

fn base64_encode(a: &Args) -> Result<Value, CallError> {
    Ok(Value::String(codec::base64_encode(a.string(0)?.as_bytes())))
}

fn base64_decode(a: &Args) -> Result<Value, CallError> {
    let bytes = codec::base64_decode(a.string(0)?).map_err(invalid)?;
    String::from_utf8(bytes).map(Value::String).map_err(|e| {
        invalid(format!(
            "the decoded bytes are not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })
}

fn to_json(v: &Value) -> Result<serde_json::Value, CallError> {
    use serde_json::Value as J;
    Ok(match v {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => J::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f)
            .map(J::Number)
            .ok_or_else(|| invalid(format!("{f} cannot be written as JSON")))?,
        Value::String(s) => J::String(s.clone()),
        Value::List(items) => J::Array(items.iter().map(to_json).collect::<Result<_, _>>()?),
        Value::Object(map) => J::Object(
            map.iter()
                .map(|(k, v)| Ok((k.clone(), to_json(v)?)))
                .collect::<Result<_, CallError>>()?,
        ),
        // `call` answers Unknown before a reading function runs, and strips secrets.
        Value::Unknown | Value::Secret(_) => {
            return Err(invalid(
                "internal: json_encode reached an unknown or secret value",
            ));
        }
    })
}

fn json_encode(a: &Args) -> Result<Value, CallError> {
    let json = to_json(a.value(0)?)?;
    serde_json::to_string(&json)
        .map(Value::String)
        .map_err(|e| invalid(format!("cannot write JSON: {e}")))
}

fn json_decode(a: &Args) -> Result<Value, CallError> {
    let json: serde_json::Value =
        serde_json::from_str(a.string(0)?).map_err(|e| invalid(format!("invalid JSON: {e}")))?;
    Ok(Value::from_json(&json))
}

fn to_string(a: &Args) -> Result<Value, CallError> {
    let v = a.value(0)?;
    scalar_text(v)
        .map(Value::String)
        .ok_or_else(|| a.type_error(0, "string, number or bool", v.kind()))
}

fn to_int(a: &Args) -> Result<Value, CallError> {
    match a.value(0)? {
        Value::Int(i) => Ok(Value::Int(*i)),
        Value::Float(f) if f.fract() != 0.0 || !f.is_finite() => Err(invalid(format!(
            "{f} is not a whole number; use floor or ceil"
        ))),
        Value::Float(f) => {
            const LIMIT: f64 = 9_223_372_036_854_775_808.0;
            if (-LIMIT..LIMIT).contains(f) {
                Ok(Value::Int(*f as i64))
            } else {
                Err(invalid(format!("{f:?} is out of the range of int")))
            }
        }
        Value::String(s) => {
            let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid(format!("{s:?} is not a whole number")));
            }
            s.parse::<i64>()
                .map(Value::Int)
                .map_err(|_| invalid(format!("{s:?} is out of the range of int")))
        }
        other => Err(a.type_error(0, "int, float or string", other.kind())),
    }
}

fn to_float(a: &Args) -> Result<Value, CallError> {
    match a.value(0)? {
        Value::Int(i) => Ok(Value::Float(*i as f64)),
        Value::Float(f) => Ok(Value::Float(*f)),
        Value::String(s) => {
            // Rust also reads "inf" and "NaN"; neither is a number a configuration means.
            let numeric = s
                .bytes()
                .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b));
            match s.parse::<f64>() {
                Ok(f) if numeric && f.is_finite() => Ok(Value::Float(f)),
                _ => Err(invalid(format!("{s:?} is not a number"))),
            }
        }
        other => Err(a.type_error(0, "int, float or string", other.kind())),
    }
}

#[cfg(test)]
mod tests {
    use infra_provider_core::Value;

    use crate::call;
    use crate::testutil::{check, err, host};

    #[test]
    fn base64_round_trip() {
        check(r#"base64_encode("")"#, r#""""#);
        check(r#"base64_encode("é")"#, r#""w6k=""#);
        check(r#"base64_decode("w6k")"#, r#""é""#);
        check(
            r#"base64_decode(base64_encode("any text ✓"))"#,
            r#""any text ✓""#,
        );
        assert_eq!(
            err(r#"base64_decode("Zm9v!")"#),
            "invalid base64: '!' at character 5 is not in the base64 alphabet"
        );
        assert_eq!(
            err(r#"base64_decode("/w==")"#),
            "the decoded bytes are not UTF-8 text (invalid byte at offset 0)"
        );
        let e = err(r#"base64_decode(secret("hunter2!"))"#);
        assert!(!e.contains("hunter2") && !e.contains('!'), "{e}");
    }

    #[test]
    fn json_both_ways() {
        check(r#"json_encode("a\"b")"#, r#""\"a\\\"b\"""#);
        check(
            r#"json_encode([1, 2.5, { z = 1, a = [] }])"#,
            r#""[1,2.5,{\"a\":[],\"z\":1}]""#,
        );
        check(
            r#"json_encode({ pw = secret("x") })"#,
            r#"secret("{\"pw\":\"x\"}")"#,
        );
        check(r#"json_encode([unknown])"#, "unknown");
        let h = host();
        let nan = call("json_encode", &[Value::Float(f64::NAN)], &h).map_err(|e| e.to_string());
        assert_eq!(nan, Err("NaN cannot be written as JSON".to_string()));
        check(
            r#"json_decode("[1, -2, 2.5, null, true, \"s\", {}]")"#,
            r#"[1, -2, 2.5, null, true, "s", {}]"#,
        );
        check(
            r#"json_decode("18446744073709551615")"#,
            "18446744073709551615.0",
        );
        assert_eq!(
            err(r#"json_decode("{")"#),
            "invalid JSON: EOF while parsing an object at line 1 column 1"
        );
        assert_eq!(
            err(r#"json_decode("")"#),
            "invalid JSON: EOF while parsing a value at line 1 column 0"
        );
        check(
            r#"json_decode(json_encode({ a = [1, "x"] }))"#,
            r#"{ a = [1, "x"] }"#,
        );
    }

    #[test]
    fn scalar_conversions() {
        check("to_string(2.0)", r#""2""#);
        check("to_string(-1.5)", r#""-1.5""#);
        check("to_string(false)", r#""false""#);
        check(r#"to_string("x")"#, r#""x""#);
        assert_eq!(
            err("to_string([1])"),
            "argument 1 of `to_string` must be string, number or bool, found list"
        );
        assert_eq!(
            err("to_string(null)"),
            "argument 1 of `to_string` must be string, number or bool, found null"
        );
        check(r#"to_int("-42")"#, "-42");
        check(r#"to_int("+7")"#, "7");
        check("to_int(3.0)", "3");
        assert_eq!(err(r#"to_int("4.5")"#), r#""4.5" is not a whole number"#);
        assert_eq!(err(r#"to_int("-")"#), r#""-" is not a whole number"#);
        assert_eq!(err(r#"to_int(" 1")"#), r#"" 1" is not a whole number"#);
        assert_eq!(
            err("to_int(4.5)"),
            "4.5 is not a whole number; use floor or ceil"
        );
        assert_eq!(err("to_int(1e19)"), "1e19 is out of the range of int");
        assert_eq!(
            err(r#"to_int("99999999999999999999")"#),
            r#""99999999999999999999" is out of the range of int"#
        );
        assert_eq!(
            err("to_int(true)"),
            "argument 1 of `to_int` must be int, float or string, found bool"
        );
        let e = err(r#"to_int(secret("abc"))"#);
        assert!(!e.contains("abc"), "{e}");
        check("to_float(2)", "2.0");
        check(r#"to_float("1e3")"#, "1000.0");
        assert_eq!(err(r#"to_float("inf")"#), r#""inf" is not a number"#);
        assert_eq!(err(r#"to_float("")"#), r#""" is not a number"#);
        assert_eq!(
            err("to_float(null)"),
            "argument 1 of `to_float` must be int, float or string, found null"
        );
    }
}
