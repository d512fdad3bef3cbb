//! Checks a request body (as sent in a PUT) against a resource type.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::Value;

use crate::model::{Prop, ResourceType, TypeDef, TypeIdx, flags};
use crate::suggest;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ViolationKind {
    UnknownProperty {
        name: String,
        suggestion: Option<String>,
    },
    WrongType {
        expected: String,
        found: String,
    },
    /// Strict enum: error; open enum (or a case-only difference): warning.
    NotAllowed {
        value: String,
        allowed: Vec<String>,
    },
    MissingRequired {
        name: String,
    },
    ReadOnly {
        name: String,
    },
    Length {
        len: u64,
        min: Option<u64>,
        max: Option<u64>,
    },
    Pattern {
        value: String,
        pattern: String,
    },
    Range {
        value: i64,
        min: Option<i64>,
        max: Option<i64>,
    },
    UnknownDiscriminator {
        value: String,
        allowed: Vec<String>,
    },
}

/// One finding. `path` is the segments from the body's root to the offending value
/// (for a missing or unknown property, the property's own path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub path: Vec<String>,
    pub kind: ViolationKind,
    pub severity: Severity,
}

impl Violation {
    /// "properties.siteConfig.ipSecurityRestrictions[0].action"
    pub fn path_string(&self) -> String {
        let mut out = String::new();
        for seg in &self.path {
            if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
                out.push_str(&format!("[{seg}]"));
            } else {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(seg);
            }
        }
        out
    }
}

/// Recursive types and deep bodies are checked to this depth; deeper values are accepted.
const MAX_DEPTH: usize = 64;

/// Validates a request body against the type. The top-level `name` is not required (it is
/// part of the URL), but it is checked when present: Azure's naming rules live there.
pub fn validate(ty: &ResourceType, body: &Value) -> Vec<Violation> {
    let mut cx = Checker {
        ty,
        out: Vec::new(),
        path: Vec::new(),
    };
    cx.check(ty.body, body, 0);
    cx.out
}

struct Checker<'a> {
    ty: &'a ResourceType,
    out: Vec<Violation>,
    path: Vec<String>,
}

impl Checker<'_> {
    fn push(&mut self, kind: ViolationKind, severity: Severity) {
        self.out.push(Violation {
            path: self.path.clone(),
            kind,
            severity,
        });
    }

    fn push_at(&mut self, seg: &str, kind: ViolationKind, severity: Severity) {
        self.path.push(seg.to_string());
        self.push(kind, severity);
        self.path.pop();
    }

    fn wrong_type(&mut self, idx: TypeIdx, value: &Value) {
        let expected = describe(self.ty, idx, 0);
        self.push(
            ViolationKind::WrongType {
                expected,
                found: kind_of(value).into(),
            },
            Severity::Error,
        );
    }

    fn check(&mut self, idx: TypeIdx, value: &Value, depth: usize) {
        if depth > MAX_DEPTH || value.is_null() {
            return;
        }
        let ty = self.ty;
        match ty.get(idx) {
            TypeDef::Any => {}
            TypeDef::Bool => {
                if !value.is_boolean() {
                    self.wrong_type(idx, value);
                }
            }
            // The data's integer also stands for the REST specs' `number` (Bicep has no
            // float type: a container's `cpu: 0.5` is an "integer" there), so any JSON number
            // is accepted and only the bounds are checked.
            TypeDef::Int { min, max } => match value.as_f64() {
                Some(v)
                    if min.is_some_and(|m| v < m as f64) || max.is_some_and(|m| v > m as f64) =>
                {
                    let value = value.as_i64().unwrap_or(v as i64);
                    let kind = ViolationKind::Range {
                        value,
                        min: *min,
                        max: *max,
                    };
                    self.push(kind, Severity::Error)
                }
                Some(_) => {}
                None => self.wrong_type(idx, value),
            },
            TypeDef::String {
                min_len,
                max_len,
                pattern,
                sensitive,
            } => {
                let Some(s) = value.as_str() else {
                    return self.wrong_type(idx, value);
                };
                let len = s.chars().count() as u64;
                if min_len.is_some_and(|m| len < m) || max_len.is_some_and(|m| len > m) {
                    self.push(
                        ViolationKind::Length {
                            len,
                            min: *min_len,
                            max: *max_len,
                        },
                        Severity::Error,
                    );
                }
                if let Some(p) = pattern
                    && let Some(re) = compiled(p)
                    && !re.is_match(s)
                {
                    let shown = if *sensitive {
                        "(secret)".to_string()
                    } else {
                        s.to_string()
                    };
                    self.push(
                        ViolationKind::Pattern {
                            value: shown,
                            pattern: p.clone(),
                        },
                        Severity::Error,
                    );
                }
            }
            TypeDef::Literal(lit) => match value.as_str() {
                Some(s) if s == lit => {}
                Some(s) => {
                    let severity = if s.eq_ignore_ascii_case(lit) {
                        Severity::Warning
                    } else {
                        Severity::Error
                    };
                    let kind = ViolationKind::NotAllowed {
                        value: s.into(),
                        allowed: vec![lit.clone()],
                    };
                    self.push(kind, severity);
                }
                None => self.wrong_type(idx, value),
            },
            TypeDef::Union(members) => self.check_union(idx, members, value, depth),
            TypeDef::Array {
                item,
                min_len,
                max_len,
            } => {
                let Some(items) = value.as_array() else {
                    return self.wrong_type(idx, value);
                };
                let len = items.len() as u64;
                if min_len.is_some_and(|m| len < m) || max_len.is_some_and(|m| len > m) {
                    self.push(
                        ViolationKind::Length {
                            len,
                            min: *min_len,
                            max: *max_len,
                        },
                        Severity::Error,
                    );
                }
                for (i, v) in items.iter().enumerate() {
                    self.path.push(i.to_string());
                    self.check(*item, v, depth + 1);
                    self.path.pop();
                }
            }
            TypeDef::Object {
                props, additional, ..
            } => {
                let Some(obj) = value.as_object() else {
                    return self.wrong_type(idx, value);
                };
                let props: Vec<&Prop> = props.iter().collect();
                self.check_object(&props, *additional, obj, depth);
            }
            TypeDef::Discriminated {
                discriminator,
                base,
                elements,
                ..
            } => {
                let Some(obj) = value.as_object() else {
                    return self.wrong_type(idx, value);
                };
                let tag = obj.get(discriminator).and_then(Value::as_str);
                let element = tag.and_then(|t| {
                    elements
                        .iter()
                        .find(|(v, _)| v == t)
                        .or_else(|| elements.iter().find(|(v, _)| v.eq_ignore_ascii_case(t)))
                });
                match (tag, element) {
                    (Some(_), Some((_, el))) => {
                        let mut props: Vec<&Prop> = base.iter().collect();
                        let TypeDef::Object {
                            props: own,
                            additional,
                            ..
                        } = ty.get(*el)
                        else {
                            return self.check(*el, value, depth + 1);
                        };
                        props.extend(own.iter());
                        self.check_object(&props, *additional, obj, depth);
                    }
                    (Some(t), None) => {
                        let allowed = elements.iter().map(|e| e.0.clone()).collect();
                        let kind = ViolationKind::UnknownDiscriminator {
                            value: t.into(),
                            allowed,
                        };
                        self.push_at(discriminator, kind, Severity::Error);
                    }
                    (None, _) if obj.contains_key(discriminator) => {
                        let expected = "string".to_string();
                        let found = kind_of(&obj[discriminator]).to_string();
                        self.push_at(
                            discriminator,
                            ViolationKind::WrongType { expected, found },
                            Severity::Error,
                        );
                    }
                    (None, _) => {
                        let kind = ViolationKind::MissingRequired {
                            name: discriminator.clone(),
                        };
                        self.push_at(discriminator, kind, Severity::Error);
                    }
                }
            }
        }
    }

    fn check_object(
        &mut self,
        props: &[&Prop],
        additional: Option<TypeIdx>,
        obj: &serde_json::Map<String, Value>,
        depth: usize,
    ) {
        for (key, v) in obj {
            match props.iter().rev().find(|p| p.name == *key) {
                Some(p) if p.has(flags::READ_ONLY) => {
                    self.push_at(
                        key,
                        ViolationKind::ReadOnly { name: key.clone() },
                        Severity::Error,
                    );
                }
                Some(p) => {
                    self.path.push(key.clone());
                    self.check(p.ty, v, depth + 1);
                    self.path.pop();
                }
                None => match additional {
                    Some(a) => {
                        self.path.push(key.clone());
                        self.check(a, v, depth + 1);
                        self.path.pop();
                    }
                    None => {
                        let suggestion = suggest::closest_name(
                            key,
                            props
                                .iter()
                                .filter(|p| !p.has(flags::READ_ONLY))
                                .map(|p| p.name.as_str()),
                        )
                        .map(str::to_string);
                        let kind = ViolationKind::UnknownProperty {
                            name: key.clone(),
                            suggestion,
                        };
                        self.push_at(key, kind, Severity::Error);
                    }
                },
            }
        }
        for p in props {
            let required = p.has(flags::REQUIRED) && !p.has(flags::READ_ONLY);
            // The top-level name travels in the URL, not necessarily in the body.
            let from_url = self.path.is_empty() && p.name == "name";
            if required && !from_url && obj.get(&p.name).is_none_or(Value::is_null) {
                let kind = ViolationKind::MissingRequired {
                    name: p.name.clone(),
                };
                self.push_at(&p.name, kind, Severity::Error);
            }
        }
    }

    fn check_union(&mut self, idx: TypeIdx, members: &[TypeIdx], value: &Value, depth: usize) {
        let ty = self.ty;
        let (literals, others) = ty.split_union(members);
        if let Some(s) = value.as_str() {
            if literals.contains(&s) {
                return;
            }
            let open = others
                .iter()
                .any(|m| matches!(ty.get(*m), TypeDef::String { .. } | TypeDef::Any));
            let case_only = literals.iter().any(|l| l.eq_ignore_ascii_case(s));
            if !literals.is_empty() && (open || case_only) {
                let allowed = literals.iter().map(|l| l.to_string()).collect();
                self.push(
                    ViolationKind::NotAllowed {
                        value: s.into(),
                        allowed,
                    },
                    Severity::Warning,
                );
            }
            if open || case_only {
                // An open enum still checks the string member's own constraints.
                if let Some(m) = others
                    .iter()
                    .find(|m| matches!(ty.get(**m), TypeDef::String { .. }))
                {
                    self.check(*m, value, depth + 1);
                }
                return;
            }
            if others.is_empty() {
                let allowed = literals.iter().map(|l| l.to_string()).collect();
                return self.push(
                    ViolationKind::NotAllowed {
                        value: s.into(),
                        allowed,
                    },
                    Severity::Error,
                );
            }
        }
        // Try each non-literal member: the first that fits without error wins; otherwise the
        // findings of the only member of the value's JSON kind, or a type mismatch.
        let mut candidates = Vec::new();
        for m in &others {
            let mut sub = Checker {
                ty,
                out: Vec::new(),
                path: self.path.clone(),
            };
            sub.check(*m, value, depth + 1);
            if sub.out.iter().all(|v| v.severity == Severity::Warning) {
                self.out.extend(sub.out);
                return;
            }
            if accepts_kind(ty.get(*m), value) {
                candidates.push(sub.out);
            }
        }
        if candidates.len() == 1 {
            self.out.extend(candidates.pop().unwrap_or_default());
        } else {
            self.wrong_type(idx, value);
        }
    }
}

fn accepts_kind(def: &TypeDef, value: &Value) -> bool {
    match def {
        TypeDef::Any => true,
        TypeDef::Bool => value.is_boolean(),
        TypeDef::Int { .. } => value.is_number(),
        TypeDef::String { .. } | TypeDef::Literal(_) => value.is_string(),
        TypeDef::Union(_) => true,
        TypeDef::Array { .. } => value.is_array(),
        TypeDef::Object { .. } | TypeDef::Discriminated { .. } => value.is_object(),
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A short description of a type for messages: "string", "'A' | 'B' | string", "object".
pub fn describe(ty: &ResourceType, idx: TypeIdx, depth: usize) -> String {
    match ty.get(idx) {
        TypeDef::Any => "any".into(),
        TypeDef::Bool => "boolean".into(),
        TypeDef::Int { .. } => "integer".into(),
        TypeDef::String { .. } => "string".into(),
        TypeDef::Literal(l) => format!("'{l}'"),
        TypeDef::Union(members) if depth < 3 => {
            let mut parts: Vec<String> = Vec::new();
            for m in members {
                let d = describe(ty, *m, depth + 1);
                if !parts.contains(&d) {
                    parts.push(d);
                }
            }
            if parts.len() > 8 {
                let n = parts.len();
                parts.truncate(8);
                parts.push(format!("... ({n} in all)"));
            }
            parts.join(" | ")
        }
        TypeDef::Union(_) => "one of several types".into(),
        TypeDef::Array { .. } => "array".into(),
        TypeDef::Object { .. } | TypeDef::Discriminated { .. } => "object".into(),
    }
}

/// Compiled patterns, shared by every check. ARM's patterns are .NET regular expressions;
/// the few that `regex-lite` cannot compile (look-arounds, ...) are not checked.
fn compiled(pattern: &str) -> Option<Arc<regex_lite::Regex>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<Arc<regex_lite::Regex>>>>> =
        OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
    map.entry(pattern.to_string())
        .or_insert_with(|| regex_lite::Regex::new(pattern).ok().map(Arc::new))
        .clone()
}

fn list(values: &[String]) -> String {
    let mut shown: Vec<String> = values.iter().take(10).map(|v| format!("'{v}'")).collect();
    if values.len() > 10 {
        shown.push(format!("... ({} in all)", values.len()));
    }
    shown.join(", ")
}

fn bounds<T: fmt::Display>(min: &Option<T>, max: &Option<T>) -> String {
    match (min, max) {
        (Some(a), Some(b)) => format!("between {a} and {b}"),
        (Some(a), None) => format!("at least {a}"),
        (None, Some(b)) => format!("at most {b}"),
        (None, None) => "unbounded".into(),
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path_string();
        let at = if path.is_empty() {
            String::new()
        } else {
            format!("{path}: ")
        };
        match &self.kind {
            ViolationKind::UnknownProperty { name, suggestion } => {
                write!(f, "{at}unknown property '{name}'")?;
                match suggestion {
                    Some(s) if s.eq_ignore_ascii_case(name) => {
                        write!(
                            f,
                            " (did you mean '{s}'? property names are case-sensitive)"
                        )
                    }
                    Some(s) => write!(f, " (did you mean '{s}'?)"),
                    None => Ok(()),
                }
            }
            ViolationKind::WrongType { expected, found } => {
                write!(f, "{at}expected {expected}, found {found}")
            }
            ViolationKind::NotAllowed { value, allowed } if self.severity == Severity::Warning => {
                write!(
                    f,
                    "{at}'{value}' is not one of the known values {}",
                    list(allowed)
                )
            }
            ViolationKind::NotAllowed { value, allowed } => {
                write!(
                    f,
                    "{at}'{value}' is not allowed; allowed values: {}",
                    list(allowed)
                )
            }
            ViolationKind::MissingRequired { name } => {
                write!(f, "{at}required property '{name}' is missing")
            }
            ViolationKind::ReadOnly { name } => {
                write!(
                    f,
                    "{at}'{name}' is read-only: Azure sets it, a request cannot"
                )
            }
            ViolationKind::Length { len, min, max } => {
                write!(f, "{at}length {len} is not {} ", bounds(min, max))?;
                write!(f, "(the length must be {})", bounds(min, max))
            }
            ViolationKind::Pattern { value, pattern } => {
                write!(f, "{at}'{value}' does not match the pattern {pattern}")
            }
            ViolationKind::Range { value, min, max } => {
                write!(
                    f,
                    "{at}{value} is out of range: the value must be {}",
                    bounds(min, max)
                )
            }
            ViolationKind::UnknownDiscriminator { value, allowed } => {
                write!(
                    f,
                    "{at}'{value}' is not a known variant; known: {}",
                    list(allowed)
                )
            }
        }
    }
}
