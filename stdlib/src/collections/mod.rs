//! Functions over lists and objects (maps). Object keys are kept sorted by `Value`, so every
//! result here is deterministic.

mod lists;

use infra_provider_core::{Map, Type, Value};

use crate::CallError;
use crate::builtin::{Args, Def, element_kind, invalid, same};

/// How many keys a "not found" message lists before it cuts the list short.
const KEYS_SHOWN: usize = 10;

pub(crate) fn defs() -> Vec<Def> {
    let mut defs = vec![
        Def::new("merge", vec![], Type::map(Type::Any), merge)
            .variadic(Type::map(Type::Any))
            .doc(
                "Merges objects into one, shallowly: when a key is in several, the last one \
                 wins. `null` arguments are skipped. Secret values stay secret where they are.",
            )
            .example(r#"merge({ env = "dev", owner = "a" }, { owner = "b" })"#, r#"{ env = "dev", owner = "b" }"#),
        Def::new("concat", vec![], Type::list(Type::Any), concat)
            .variadic(Type::list(Type::Any))
            .doc("Joins lists end to end into one list. `null` arguments are skipped.")
            .example(r#"concat(["a"], ["b", "c"], [])"#, r#"["a", "b", "c"]"#),
        Def::new("length", vec![("value", Type::Any)], Type::Int, length)
            .doc(
                "The number of elements of a list, of keys of an object, or of characters \
                 (Unicode scalar values, not bytes) of a string.",
            )
            .example(r#"length(["a", "b"])"#, "2"),
        Def::new("contains", vec![("list", Type::list(Type::Any)), ("value", Type::Any)], Type::Bool, contains)
            .reads_nested()
            .doc(
                "Whether `list` has an element equal to `value` (`1` equals `1.0`). The result \
                 is a secret if the list or the value holds one.",
            )
            .example(r#"contains(["westeurope", "northeurope"], "westeurope")"#, "true"),
        Def::new("keys", vec![("map", Type::map(Type::Any))], Type::list(Type::String), keys)
            .doc("The keys of an object, sorted.")
            .example(r#"keys({ b = 1, a = 2 })"#, r#"["a", "b"]"#),
        Def::new("values", vec![("map", Type::map(Type::Any))], Type::list(Type::Any), values)
            .doc("The values of an object, in the order of its sorted keys.")
            .example(r#"values({ b = 1, a = 2 })"#, "[2, 1]"),
        Def::new(
            "lookup",
            vec![("map", Type::map(Type::Any)), ("key", Type::String), ("default", Type::Any)],
            Type::Any,
            lookup,
        )
        .optional(1)
        .doc("The value of `key` in `map`; `default` when the key is missing, if given.")
        .example(r#"lookup({ dev = 1, prod = 3 }, "test", 1)"#, "1")
        .error("the key is missing and no default is given", r#"lookup({ dev = 1, prod = 3 }, "test")"#, r#"key "test" is not in the map (its keys: dev, prod); give a default: lookup(map, "test", default)"#),
        Def::new("coalesce", vec![("first", Type::Any)], Type::Any, coalesce)
            .variadic(Type::Any)
            .doc("The first argument that is neither `null` nor an empty string.")
            .example(r#"coalesce(null, "", "fallback")"#, r#""fallback""#)
            .error("every argument is null or an empty string", r#"coalesce(null, "")"#, "every argument of `coalesce` is null or an empty string"),
        Def::new(
            "zipmap",
            vec![("keys", Type::list(Type::String)), ("values", Type::list(Type::Any))],
            Type::map(Type::Any),
            zipmap,
        )
        .doc(
            "Builds an object from a list of keys and a list of values of the same length. When \
             a key repeats, the last value wins (as in Terraform).",
        )
        .example(r#"zipmap(["a", "b"], [1, 2])"#, "{ a = 1, b = 2 }")
        .error("the lists differ in length", r#"zipmap(["a", "b"], [1, 2, 3])"#, "`zipmap` got 2 keys but 3 values; both lists must have the same length")
        .error("a key is a secret", r#"zipmap([env_secret("KEY", "k")], [1])"#, "key at index 0 is a secret; object keys are shown in plans, so they cannot be secret"),
    ];
    defs.extend(lists::defs());
    defs
}

fn merge(a: &Args) -> Result<Value, CallError> {
    let mut out = Map::new();
    for (i, arg) in a.values.iter().enumerate() {
        match arg {
            Value::Object(map) => out.extend(map.iter().map(|(k, v)| (k.clone(), v.clone()))),
            Value::Null => {}
            other => return Err(a.type_error(i, "object", other.kind())),
        }
    }
    Ok(Value::Object(out))
}

fn concat(a: &Args) -> Result<Value, CallError> {
    let mut out = Vec::new();
    for (i, arg) in a.values.iter().enumerate() {
        match arg {
            Value::List(items) => out.extend(items.iter().cloned()),
            Value::Null => {}
            other => return Err(a.type_error(i, "list", other.kind())),
        }
    }
    Ok(Value::List(out))
}

fn length(a: &Args) -> Result<Value, CallError> {
    let n = match a.value(0)? {
        Value::List(items) => items.len(),
        Value::Object(map) => map.len(),
        Value::String(s) => s.chars().count(),
        other => return Err(a.type_error(0, "list, object or string", other.kind())),
    };
    i64::try_from(n)
        .map(Value::Int)
        .map_err(|_| invalid("length does not fit in an int"))
}

fn contains(a: &Args) -> Result<Value, CallError> {
    let items = a.list(0)?;
    let wanted = a.value(1)?;
    Ok(Value::Bool(items.iter().any(|item| same(item, wanted))))
}

fn keys(a: &Args) -> Result<Value, CallError> {
    Ok(Value::List(a.object(0)?.keys().map(Value::str).collect()))
}

fn values(a: &Args) -> Result<Value, CallError> {
    Ok(Value::List(a.object(0)?.values().cloned().collect()))
}

fn lookup(a: &Args) -> Result<Value, CallError> {
    let map = a.object(0)?;
    let key = a.string(1)?;
    if let Some(v) = map.get(key) {
        return Ok(v.clone());
    }
    if let Some(default) = a.get(2) {
        return Ok(default.clone());
    }
    let known = if map.is_empty() {
        "the map is empty".to_string()
    } else {
        let mut shown: Vec<&str> = map.keys().take(KEYS_SHOWN).map(String::as_str).collect();
        if map.len() > KEYS_SHOWN {
            shown.push("...");
        }
        format!("its keys: {}", shown.join(", "))
    };
    Err(invalid(format!(
        "key {key:?} is not in the map ({known}); give a default: lookup(map, {key:?}, default)"
    )))
}

fn coalesce(a: &Args) -> Result<Value, CallError> {
    a.values
        .iter()
        .find(|v| match v {
            Value::Null => false,
            Value::String(s) => !s.is_empty(),
            _ => true,
        })
        .cloned()
        .ok_or_else(|| invalid("every argument of `coalesce` is null or an empty string"))
}

fn zipmap(a: &Args) -> Result<Value, CallError> {
    let (keys, values) = (a.list(0)?, a.list(1)?);
    if keys.len() != values.len() {
        return Err(invalid(format!(
            "`zipmap` got {} keys but {} values; both lists must have the same length",
            keys.len(),
            values.len()
        )));
    }
    // Collected, then sorted once: keys arrive in the user's order.
    let mut out = Vec::with_capacity(keys.len());
    for (i, (k, v)) in keys.iter().zip(values).enumerate() {
        match k {
            Value::String(s) => {
                out.push((s.clone(), v.clone()));
            }
            // The whole object's shape depends on a key known only after apply.
            Value::Unknown => return Ok(Value::Unknown),
            Value::Secret(_) => {
                return Err(invalid(format!(
                    "key at index {i} is a secret; object keys are shown in plans, so they \
                     cannot be secret"
                )));
            }
            other => return Err(a.type_error(0, "list<string>", element_kind(i, other))),
        }
    }
    Ok(Value::Object(Map::from_pairs(out)))
}

#[cfg(test)]
mod tests {
    use crate::testutil::{check, err};

    #[test]
    fn merge_and_concat() {
        check("merge()", "{}");
        check(
            "merge({ a = 1 }, null, { b = { c = 2 } })",
            "{ a = 1, b = { c = 2 } }",
        );
        check(
            r#"merge({ a = 1, pw = secret("x") }, { b = 2 })"#,
            r#"{ a = 1, b = 2, pw = secret("x") }"#,
        );
        check(
            r#"merge({ a = unknown }, { b = 2 })"#,
            "{ a = unknown, b = 2 }",
        );
        check(
            "merge(secret({ a = 1 }), { b = 2 })",
            "secret({ a = 1, b = 2 })",
        );
        assert_eq!(
            err("merge({}, [1])"),
            "argument 2 of `merge` must be object, found list"
        );
        check("concat()", "[]");
        check(
            r#"concat([1], null, [secret("s"), [2]])"#,
            r#"[1, secret("s"), [2]]"#,
        );
        assert_eq!(
            err("concat([1], 2)"),
            "argument 2 of `concat` must be list, found int"
        );
    }

    #[test]
    fn length_contains_keys_values() {
        check("length([])", "0");
        check("length({ a = 1, b = 2 })", "2");
        check(r#"length("héllo")"#, "5");
        check(r#"length([secret("x"), unknown])"#, "2");
        assert_eq!(
            err("length(3)"),
            "argument 1 of `length` must be list, object or string, found int"
        );
        check("contains([1, 2], 2.0)", "true");
        check(r#"contains([[1], { a = "x" }], { a = "x" })"#, "true");
        check(r#"contains(["a"], "b")"#, "false");
        check(r#"contains([secret("a")], "a")"#, "secret(true)");
        check(r#"contains(["a", unknown], "a")"#, "unknown");
        assert_eq!(
            err(r#"contains("abc", "a")"#),
            "argument 1 of `contains` must be list, found string"
        );
        check("keys({})", "[]");
        check(
            r#"values({ b = secret("x"), a = 1 })"#,
            r#"[1, secret("x")]"#,
        );
        assert_eq!(
            err("keys([1])"),
            "argument 1 of `keys` must be object, found list"
        );
        assert_eq!(
            err("values(null)"),
            "argument 1 of `values` must be object, found null"
        );
    }

    #[test]
    fn lookup_and_coalesce() {
        check(r#"lookup({ a = 1 }, "a")"#, "1");
        check(r#"lookup({ a = 1 }, "a", 2)"#, "1");
        check(r#"lookup({ a = secret("s") }, "a")"#, r#"secret("s")"#);
        check(r#"lookup({}, "a", null)"#, "null");
        assert_eq!(
            err(r#"lookup({ dev = 1, prod = 3 }, "test")"#),
            r#"key "test" is not in the map (its keys: dev, prod); give a default: lookup(map, "test", default)"#
        );
        assert_eq!(
            err(r#"lookup({}, "x")"#),
            r#"key "x" is not in the map (the map is empty); give a default: lookup(map, "x", default)"#
        );
        let many = "lookup({ a=1, b=1, c=1, d=1, e=1, f=1, g=1, h=1, i=1, j=1, k=1 }, \"z\")";
        assert!(err(many).contains("(its keys: a, b, c, d, e, f, g, h, i, j, ...)"));
        assert_eq!(
            err(r#"lookup({}, 1)"#),
            "argument 2 of `lookup` must be string, found int"
        );
        check(r#"coalesce(null, "", 0)"#, "0");
        check(r#"coalesce(false)"#, "false");
        check(r#"coalesce("", secret("s"))"#, r#"secret("s")"#);
        assert_eq!(
            err(r#"coalesce(null, "")"#),
            "every argument of `coalesce` is null or an empty string"
        );
        assert_eq!(
            err("coalesce()"),
            "`coalesce` takes at least 1 argument(s), 0 given"
        );
    }

    #[test]
    fn zipmap_pairs_keys_and_values() {
        check(r#"zipmap(["a", "b", "a"], [1, 2, 3])"#, "{ a = 3, b = 2 }");
        check(r#"zipmap(["a"], [secret("s")])"#, r#"{ a = secret("s") }"#);
        check(r#"zipmap(["a", unknown], [1, 2])"#, "unknown");
        assert_eq!(
            err(r#"zipmap(["a", "b"], [1, 2, 3])"#),
            "`zipmap` got 2 keys but 3 values; both lists must have the same length"
        );
        assert_eq!(
            err(r#"zipmap([secret("k")], [1])"#),
            "key at index 0 is a secret; object keys are shown in plans, so they cannot be secret"
        );
        assert_eq!(
            err(r#"zipmap(["a", 1], [1, 2])"#),
            "argument 1 of `zipmap` must be list<string>, found list with int at index 1"
        );
    }
}
