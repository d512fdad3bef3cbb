//! The machinery every family shares: the definition record of a function, typed access to
//! arguments with precise errors, and value helpers (equality, rendering).

use std::fmt::Write as _;

use infra_provider_core::{Map, Type, Value};

use crate::{CallError, Host, ParamSpec, Signature};

/// The implementation of a function, called after arity and the unknown/secret rules.
pub(crate) type Run = fn(&Args<'_>) -> Result<Value, CallError>;

/// How a function treats values nested inside lists and objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Nested {
    /// Nested values are moved around as they are (merge, concat, lookup): a nested secret
    /// stays a secret leaf, a nested unknown stays in place.
    Keep,
    /// Nested values are read into a new value (join, format, json_encode): a nested unknown
    /// makes the result unknown, a nested secret makes the whole result secret.
    Read,
}

pub(crate) struct Def {
    pub sig: Signature,
    pub run: Run,
    pub nested: Nested,
    /// The errors the function can raise besides arity and argument kinds, for the docs:
    /// (when, example call, exact message); a test checks each call gives its message.
    pub errors: Vec<(&'static str, &'static str, &'static str)>,
}

impl Def {
    pub fn new(
        name: &'static str,
        params: Vec<(&'static str, Type)>,
        returns: Type,
        run: Run,
    ) -> Def {
        Def {
            sig: Signature {
                name,
                family: "",
                params: params
                    .into_iter()
                    .map(|(name, ty)| ParamSpec { name, ty })
                    .collect(),
                optional: 0,
                variadic: None,
                returns,
                doc: "",
                example: ("", ""),
            },
            run,
            nested: Nested::Keep,
            errors: Vec::new(),
        }
    }

    pub fn optional(mut self, count: usize) -> Def {
        self.sig.optional = count;
        self
    }

    pub fn variadic(mut self, ty: Type) -> Def {
        self.sig.variadic = Some(ty);
        self
    }

    pub fn reads_nested(mut self) -> Def {
        self.nested = Nested::Read;
        self
    }

    pub fn doc(mut self, doc: &'static str) -> Def {
        self.sig.doc = doc;
        self
    }

    pub fn example(mut self, call: &'static str, result: &'static str) -> Def {
        self.sig.example = (call, result);
        self
    }

    pub fn error(mut self, when: &'static str, call: &'static str, message: &'static str) -> Def {
        self.errors.push((when, call, message));
        self
    }
}

/// A number argument: ints are accepted wherever a float is expected.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Num {
    Int(i64),
    Float(f64),
}

impl Num {
    pub fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }

    pub fn into_value(self) -> Value {
        match self {
            Num::Int(i) => Value::Int(i),
            Num::Float(f) => Value::Float(f),
        }
    }
}

/// The arguments of one call, already freed of top-level secrets (and of nested ones for
/// `Nested::Read` functions).
pub(crate) struct Args<'a> {
    pub name: &'static str,
    pub values: &'a [Value],
    pub host: &'a dyn Host,
}

impl<'a> Args<'a> {
    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn get(&self, i: usize) -> Option<&'a Value> {
        self.values.get(i)
    }

    /// The argument at `i` (0-based). Arity is checked before any function runs, so a missing
    /// argument is a bug in a signature; it still yields an error rather than a panic.
    pub fn value(&self, i: usize) -> Result<&'a Value, CallError> {
        self.values.get(i).ok_or_else(|| {
            CallError::Invalid(format!("`{}`: argument {} is missing", self.name, i + 1))
        })
    }

    /// A type error for the argument at `i` (0-based; reported 1-based).
    pub fn type_error(&self, i: usize, expected: &str, found: impl Into<String>) -> CallError {
        CallError::ArgType {
            function: self.name.to_string(),
            index: i + 1,
            expected: expected.to_string(),
            found: found.into(),
        }
    }

    pub fn string(&self, i: usize) -> Result<&'a str, CallError> {
        match self.value(i)? {
            Value::String(s) => Ok(s),
            other => Err(self.type_error(i, "string", other.kind())),
        }
    }

    pub fn int(&self, i: usize) -> Result<i64, CallError> {
        match self.value(i)? {
            Value::Int(n) => Ok(*n),
            other => Err(self.type_error(i, "int", other.kind())),
        }
    }

    pub fn number(&self, i: usize) -> Result<Num, CallError> {
        match self.value(i)? {
            Value::Int(n) => Ok(Num::Int(*n)),
            Value::Float(f) => Ok(Num::Float(*f)),
            other => Err(self.type_error(i, "number", other.kind())),
        }
    }

    pub fn list(&self, i: usize) -> Result<&'a [Value], CallError> {
        match self.value(i)? {
            Value::List(items) => Ok(items),
            other => Err(self.type_error(i, "list", other.kind())),
        }
    }

    pub fn object(&self, i: usize) -> Result<&'a Map, CallError> {
        match self.value(i)? {
            Value::Object(map) => Ok(map),
            other => Err(self.type_error(i, "object", other.kind())),
        }
    }
}

/// "list with int at index 2": the `found` part of an error about one element of a list.
pub(crate) fn element_kind(index: usize, value: &Value) -> String {
    format!("list with {} at index {index}", value.kind())
}

pub(crate) fn invalid(msg: impl Into<String>) -> CallError {
    CallError::Invalid(msg.into())
}

/// Removes secret markers at any depth; the caller taints the result instead.
pub(crate) fn strip_secrets(v: &Value) -> Value {
    match v {
        Value::Secret(inner) => strip_secrets(inner),
        Value::List(items) => Value::List(items.iter().map(strip_secrets).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), strip_secrets(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A canonical text of a value for equality and de-duplication: `1` and `1.0` are the same
/// number, as the language's `==` treats them.
pub(crate) fn canonical(v: &Value) -> String {
    let mut out = String::new();
    write_canonical(v, &mut out);
    out
}

fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
            let _ = write!(out, "{}", *f as i64);
        }
        Value::Float(f) => {
            let _ = write!(out, "{f:?}");
        }
        Value::String(s) => {
            let _ = write!(out, "{s:?}");
        }
        Value::List(items) => {
            out.push('[');
            for item in items {
                write_canonical(item, out);
                out.push(',');
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (k, item) in map {
                let _ = write!(out, "{k:?}=");
                write_canonical(item, out);
                out.push(',');
            }
            out.push('}');
        }
        Value::Secret(inner) => {
            out.push_str("secret:");
            write_canonical(inner, out);
        }
        Value::Null => out.push_str("null"),
        Value::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Unknown => out.push_str("unknown"),
    }
}

/// Equality as the language sees it (ints and floats compare by value).
pub(crate) fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => (*x as f64) == *y,
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((ka, va), (kb, vb))| ka == kb && same(va, vb))
        }
        _ => a == b,
    }
}

/// The text of a scalar as `to_string`, `join` and `%s` show it; `None` for other kinds.
pub(crate) fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::Float(f) => Some(f.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A value written as an `.infra` literal (`[1, "a"]`, `{ a = 1 }`), for `%v`. Secrets are
/// written in clear: callers only use this on values whose result is tainted.
pub(crate) fn literal(v: &Value) -> String {
    let mut out = String::new();
    write_literal(v, &mut out);
    out
}

fn write_literal(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => quote(s, out),
        Value::Float(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e16 => {
            let _ = write!(out, "{f:.1}");
        }
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_literal(item, out);
            }
            out.push(']');
        }
        Value::Object(map) if map.is_empty() => out.push_str("{}"),
        Value::Object(map) => {
            out.push_str("{ ");
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                if is_identifier(k) {
                    out.push_str(k);
                } else {
                    quote(k, out);
                }
                out.push_str(" = ");
                write_literal(item, out);
            }
            out.push_str(" }");
        }
        Value::Secret(inner) => write_literal(inner, out),
        other => {
            let _ = write!(out, "{other}");
        }
    }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn quote(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
}
