//! Tests over every function at once: the registry, the documented examples, the central
//! unknown/secret rules, arity, robustness on odd inputs, and the docs.

use std::collections::BTreeSet;

use infra_provider_core::{Map, Value};

use crate::testutil::{check, host, matches, ok, parse_call};
use crate::{CallError, FAMILIES, call, signature, signatures};

#[test]
fn signatures_are_sorted_unique_and_complete() {
    let names: Vec<&str> = signatures().iter().map(|s| s.name).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(names, sorted, "sorted and without duplicates");
    for required in [
        "lower",
        "upper",
        "trim",
        "replace",
        "starts_with",
        "ends_with",
        "format",
        "join",
        "split",
        "substr",
        "merge",
        "concat",
        "length",
        "contains",
        "keys",
        "values",
        "lookup",
        "coalesce",
        "flatten",
        "distinct",
        "sort",
        "range",
        "zipmap",
        "min",
        "max",
        "abs",
        "floor",
        "ceil",
        "base64_encode",
        "base64_decode",
        "json_encode",
        "json_decode",
        "to_string",
        "to_int",
        "sha256",
        "unique_string",
        "cidr_subnet",
        "cidr_host",
        "env",
        "env_secret",
        "file",
    ] {
        assert!(signature(required).is_some(), "missing {required}");
    }
    assert!(signature("nope").is_none());
    for sig in signatures() {
        assert!(
            FAMILIES.contains(&sig.family),
            "{}: family {:?}",
            sig.name,
            sig.family
        );
        assert!(sig.doc.len() > 20, "{}: doc", sig.name);
        assert!(
            sig.example.0.starts_with(&format!("{}(", sig.name)),
            "{}: example",
            sig.name
        );
        assert!(!sig.example.1.is_empty(), "{}: example result", sig.name);
        assert!(sig.optional <= sig.params.len(), "{}", sig.name);
        assert!(sig.min_args() > 0 || sig.variadic.is_some(), "{}", sig.name);
        let ptr: *const _ = signature(sig.name).map_or(std::ptr::null(), |s| s as *const _);
        assert_eq!(
            ptr, sig as *const _,
            "signature() returns the same static entry"
        );
    }
}

#[test]
fn every_example_evaluates_to_its_documented_result() {
    for sig in signatures() {
        let (src, expected) = sig.example;
        check(src, expected);
    }
}

#[test]
fn every_documented_error_is_the_real_message() {
    for def in &crate::REGISTRY.defs {
        for (when, src, message) in &def.errors {
            assert!(
                src.starts_with(&format!("{}(", def.sig.name)),
                "{src}: {when}"
            );
            assert_eq!(crate::testutil::err(src), *message, "{src}: {when}");
            assert!(
                !message.contains("``"),
                "{src}: breaks the markdown code span"
            );
        }
    }
}

#[test]
fn arity_is_checked_before_anything_else() {
    let h = host();
    for sig in signatures() {
        let min = sig.min_args();
        if min > 0 {
            let args = vec![Value::Unknown; min - 1];
            match call(sig.name, &args, &h) {
                Err(CallError::Arity {
                    function,
                    expected,
                    found,
                }) => {
                    assert_eq!((function.as_str(), found), (sig.name, min - 1));
                    assert_eq!(expected, sig.arity_text());
                }
                other => panic!("{}: {other:?}", sig.name),
            }
        }
        if let Some(max) = sig.max_args() {
            let args = vec![Value::Unknown; max + 1];
            assert!(
                matches!(call(sig.name, &args, &h), Err(CallError::Arity { .. })),
                "{}",
                sig.name
            );
        }
    }
    let e = call("lookup", &[], &h).map_err(|e| e.to_string());
    assert_eq!(
        e,
        Err("`lookup` takes 2 or 3 argument(s), 0 given".to_string())
    );
}

#[test]
fn unknown_functions_are_an_error_not_a_panic() {
    let e = call("lowercase", &[Value::str("A")], &host());
    assert_eq!(
        e,
        Err(CallError::Invalid(
            "unknown function `lowercase`".to_string()
        ))
    );
    assert!(call("", &[], &host()).is_err());
}

#[test]
fn an_unknown_argument_makes_every_result_unknown() {
    let h = host();
    for sig in signatures() {
        let count = sig.min_args().max(1);
        let mut args = vec![Value::Null; count];
        if let Some(first) = args.first_mut() {
            *first = Value::Unknown;
        }
        assert_eq!(
            call(sig.name, &args, &h),
            Ok(Value::Unknown),
            "{}",
            sig.name
        );
        // The taint survives until the value is known.
        let mut tainted = args.clone();
        tainted.push(Value::secret(Value::str("s")));
        if sig.accepts(tainted.len()) {
            let r = call(sig.name, &tainted, &h);
            assert_eq!(r, Ok(Value::secret(Value::Unknown)), "{}", sig.name);
        }
    }
}

#[test]
fn a_secret_argument_makes_every_result_secret() {
    let h = host();
    for sig in signatures() {
        let (name, args) = parse_call(sig.example.0);
        let expected = ok(sig.example.1);
        for i in 0..args.len() {
            let mut secret_args = args.clone();
            if let Some(arg) = secret_args.get_mut(i) {
                *arg = Value::secret(arg.clone());
            }
            let got = call(&name, &secret_args, &h);
            let want = Value::secret(expected.clone());
            assert!(
                got.as_ref().is_ok_and(|v| matches(&want, v)),
                "{name} with secret argument {}: {got:?}",
                i + 1
            );
        }
    }
}

const LEAK: &str = "hunter2";

/// Values that carry the marker in every shape a function might quote.
fn leaky_values() -> Vec<Value> {
    let texts = [
        LEAK.to_string(),
        format!("{LEAK}/33"),
        format!("10.0.0.0/{LEAK}"),
        format!("%{LEAK}"),
        format!("{LEAK}%"),
        format!("{{\"{LEAK}\""),
        format!("{LEAK}!"),
    ];
    let mut out = Vec::new();
    for t in texts {
        let s = Value::str(t);
        out.push(Value::secret(s.clone()));
        out.push(Value::List(vec![Value::secret(s.clone())]));
        out.push(Value::List(vec![Value::str("a"), Value::secret(s.clone())]));
        let mut m = Map::new();
        m.insert("k".to_string(), Value::secret(s.clone()));
        out.push(Value::Object(m));
        out.push(Value::secret(Value::List(vec![s])));
    }
    out
}

#[test]
fn a_secret_never_appears_in_an_error_message() {
    let h = host();
    for sig in signatures() {
        let (name, args) = parse_call(sig.example.0);
        for i in 0..args.len().max(1) {
            for leak in leaky_values() {
                let mut try_args = args.clone();
                match try_args.get_mut(i) {
                    Some(arg) => *arg = leak,
                    None => try_args.push(leak),
                }
                if let Err(e) = call(&name, &try_args, &h) {
                    let text = e.to_string();
                    assert!(!text.contains(LEAK), "{name} leaks: {text}");
                }
            }
        }
    }
}

/// Awkward values of every kind, for the no-panic sweep.
fn odd_values() -> Vec<Value> {
    let mut obj = Map::new();
    obj.insert("a".to_string(), Value::Int(1));
    vec![
        Value::Null,
        Value::Bool(true),
        Value::Int(i64::MIN),
        Value::Int(-1),
        Value::Int(0),
        Value::Int(3),
        Value::Int(i64::MAX),
        Value::Float(f64::NAN),
        Value::Float(f64::NEG_INFINITY),
        Value::Float(-0.5),
        Value::Float(1e300),
        Value::str(""),
        Value::str("10.0.0.0/8"),
        Value::str("::/0"),
        Value::str("%-0999d%"),
        Value::str("é,\u{0}"),
        Value::List(vec![]),
        Value::List(vec![
            Value::Int(1),
            Value::str("a"),
            Value::List(vec![Value::Null]),
        ]),
        Value::Object(Map::new()),
        Value::Object(obj),
        Value::secret(Value::List(vec![Value::Unknown])),
    ]
}

#[test]
fn no_function_panics_on_odd_arguments() {
    let h = host();
    let pool = odd_values();
    let (mut calls, mut successes) = (0usize, 0usize);
    for sig in signatures() {
        for count in 0..=3usize {
            if !sig.accepts(count) {
                continue;
            }
            let total = pool.len().pow(count as u32);
            for mut n in 0..total {
                let mut args = Vec::with_capacity(count);
                for _ in 0..count {
                    args.push(pool[n % pool.len()].clone());
                    n /= pool.len();
                }
                calls += 1;
                successes += usize::from(call(sig.name, &args, &h).is_ok());
            }
        }
    }
    assert!(
        calls > 100_000 && successes > 1_000,
        "{calls} calls, {successes} ok"
    );
}

#[test]
fn family_names_match_the_docs_order() {
    let used: BTreeSet<&str> = signatures().iter().map(|s| s.family).collect();
    let listed: BTreeSet<&str> = FAMILIES.iter().copied().collect();
    assert_eq!(used, listed);
}

#[test]
fn synopsis_reads_like_the_language() {
    let show = |n: &str| signature(n).map(|s| s.synopsis()).unwrap_or_default();
    assert_eq!(
        show("lookup"),
        "lookup(map: map<any>, key: string, default?: any) -> any"
    );
    assert_eq!(show("format"), "format(fmt: string, ...any) -> string");
    assert_eq!(show("merge"), "merge(...map<any>) -> map<any>");
    assert_eq!(
        signature("range").map(|s| s.arity_text()),
        Some("1 or 2".to_string())
    );
    assert_eq!(
        signature("format").map(|s| s.arity_text()),
        Some("at least 1".to_string())
    );
    assert_eq!(
        signature("cidr_subnet").map(|s| s.arity_text()),
        Some("3".to_string())
    );
}

fn docs_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/stdlib.md")
}

#[test]
fn docs_have_a_heading_for_every_function_and_no_other() {
    let text = std::fs::read_to_string(docs_path()).unwrap_or_default();
    let headings: BTreeSet<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("### "))
        .map(str::trim)
        .collect();
    let names: BTreeSet<&str> = signatures().iter().map(|s| s.name).collect();
    assert_eq!(headings, names, "docs/stdlib.md headings vs signatures()");
    for sig in signatures() {
        assert!(
            text.contains(&format!("`{}`", sig.synopsis())),
            "{}: synopsis",
            sig.name
        );
    }
}

#[test]
fn docs_are_generated_from_the_signatures() {
    let generated = crate::docgen::render();
    // Test-only switch to regenerate the reference after a change; the library never reads
    // the environment.
    if std::env::var_os("INFRA_UPDATE_DOCS").is_some() {
        std::fs::write(docs_path(), &generated).unwrap_or_else(|e| panic!("write docs: {e}"));
    }
    let text = std::fs::read_to_string(docs_path()).unwrap_or_default();
    assert!(
        text == generated,
        "docs/stdlib.md is out of date: run INFRA_UPDATE_DOCS=1 cargo test -p infra-stdlib docs_"
    );
}
