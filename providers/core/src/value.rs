//! Runtime values. Two markers travel with data instead of being side tables, so that no code
//! path can forget them: `Unknown` (only known after apply) and `Secret` (taint: anything
//! computed from a secret is a secret).

use std::fmt;

use crate::Map;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    List(Vec<Value>),
    /// Keys are kept sorted so that evaluation is deterministic byte for byte.
    Object(Map),
    /// A value that will only be known after apply (an id the cloud assigns, say).
    Unknown,
    /// A secret: the inner value must never be shown, logged or stored in clear.
    Secret(Box<Value>),
}

impl Value {
    pub fn str(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    pub fn secret(v: Value) -> Value {
        match v {
            Value::Secret(_) => v,
            other => Value::Secret(Box::new(other)),
        }
    }

    /// The name of the value's kind as shown in diagnostics.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Object(_) => "object",
            Value::Unknown => "unknown",
            Value::Secret(_) => "secret",
        }
    }

    /// True if this value, or anything inside it, is a secret.
    pub fn contains_secret(&self) -> bool {
        match self {
            Value::Secret(_) => true,
            Value::List(items) => items.iter().any(Value::contains_secret),
            Value::Object(map) => map.values().any(Value::contains_secret),
            _ => false,
        }
    }

    /// True if this value, or anything inside it, is unknown until apply.
    pub fn contains_unknown(&self) -> bool {
        match self {
            Value::Unknown => true,
            Value::Secret(inner) => inner.contains_unknown(),
            Value::List(items) => items.iter().any(Value::contains_unknown),
            Value::Object(map) => map.values().any(Value::contains_unknown),
            _ => false,
        }
    }

    /// Strips a top-level secret marker, returning the inner value and whether it was secret.
    pub fn unwrap_secret(&self) -> (&Value, bool) {
        match self {
            Value::Secret(inner) => (inner, true),
            other => (other, false),
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Converts to JSON with secrets redacted as `"(secret)"` and unknowns as
    /// `"(known after apply)"`: the only form in which values may leave the tool for display.
    pub fn to_redacted_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(J::Number)
                .unwrap_or(J::Null),
            Value::String(s) => J::String(s.clone()),
            Value::List(items) => J::Array(items.iter().map(Value::to_redacted_json).collect()),
            Value::Object(map) => J::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), v.to_redacted_json()))
                    .collect(),
            ),
            Value::Unknown => J::String("(known after apply)".into()),
            Value::Secret(_) => J::String("(secret)".into()),
        }
    }

    /// Builds a plain value from JSON (no unknowns, no secrets).
    pub fn from_json(json: &serde_json::Value) -> Value {
        use serde_json::Value as J;
        match json {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            J::String(s) => Value::String(s.clone()),
            J::Array(items) => Value::List(items.iter().map(Value::from_json).collect()),
            J::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
        }
    }
}

/// Display never reveals a secret: it prints `(secret)` in its place.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => write!(f, "null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x}"),
            Value::String(s) => write!(f, "{s:?}"),
            Value::List(items) => {
                write!(f, "[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{item}")?;
                }
                write!(f, "]")
            }
            Value::Object(map) => {
                write!(f, "{{")?;
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        write!(f, ",")?;
                    }
                    write!(f, " {k} = {v}")?;
                }
                if map.is_empty() {
                    write!(f, "}}")
                } else {
                    write!(f, " }}")
                }
            }
            Value::Unknown => write!(f, "(known after apply)"),
            Value::Secret(_) => write!(f, "(secret)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_hides_secrets_at_any_depth() {
        let mut m = Map::new();
        m.insert("pw".to_string(), Value::secret(Value::str("hunter2")));
        let v = Value::List(vec![Value::Object(m)]);
        let shown = v.to_string();
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("(secret)"));
        assert!(!v.to_redacted_json().to_string().contains("hunter2"));
        assert!(v.contains_secret());
    }

    #[test]
    fn secret_is_not_double_wrapped() {
        let s = Value::secret(Value::secret(Value::Int(1)));
        assert_eq!(s, Value::Secret(Box::new(Value::Int(1))));
    }

    #[test]
    fn json_round_trip_of_plain_values() {
        let j = serde_json::json!({"a": [1, 2.5, "x", null, true], "b": {}});
        assert_eq!(Value::from_json(&j).to_redacted_json(), j);
    }
}
