//! The type model shared by the checker and the schemas.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    /// Accepts anything; also the type of expressions the checker cannot narrow.
    Any,
    Null,
    Bool,
    Int,
    Float,
    String,
    /// A secret string. Assignable where a string is expected, but taints what it flows into.
    Secret,
    List(Box<Type>),
    Map(Box<Type>),
    Object(Vec<Field>),
    /// One of a fixed set of strings, compared case-sensitively as written in the schema.
    Enum(Vec<String>),
    /// A reference to a resource of the named type (`azure.key_vault`); a resource used
    /// whole stands for its id.
    Resource(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub ty: Type,
    pub optional: bool,
}

impl Field {
    pub fn required(name: &str, ty: Type) -> Field {
        Field {
            name: name.into(),
            ty,
            optional: false,
        }
    }
    pub fn optional(name: &str, ty: Type) -> Field {
        Field {
            name: name.into(),
            ty,
            optional: true,
        }
    }
}

impl Type {
    pub fn list(t: Type) -> Type {
        Type::List(Box::new(t))
    }
    pub fn map(t: Type) -> Type {
        Type::Map(Box::new(t))
    }
    pub fn enumeration(values: &[&str]) -> Type {
        Type::Enum(values.iter().map(|s| s.to_string()).collect())
    }

    /// Whether a value of type `self` may be used where `expected` is required.
    /// Lenient where the checker cannot know (`Any`), strict everywhere else.
    pub fn assignable_to(&self, expected: &Type) -> bool {
        use Type::*;
        match (self, expected) {
            (Any, _) | (_, Any) => true,
            (Null, _) => true,
            (Int, Float) => true,
            (Secret, String) | (String, Secret) => true,
            (Enum(_), String) => true,
            (String, Enum(_)) => true, // checked by value when the string is a literal
            (Enum(a), Enum(b)) => a.iter().all(|x| b.contains(x)),
            (Resource(_), String) => true,
            // An id or name string may stand for a resource the project does not manage
            // (`resource_group = "shared-rg"`); it creates no dependency edge.
            (String, Resource(_)) => true,
            (Resource(a), Resource(b)) => a == b,
            (List(a), List(b)) => a.assignable_to(b),
            (Map(a), Map(b)) => a.assignable_to(b),
            (Object(fields), Map(v)) => fields.iter().all(|f| f.ty.assignable_to(v)),
            (Object(have), Object(want)) => {
                want.iter()
                    .all(|w| match have.iter().find(|h| h.name == w.name) {
                        Some(h) => h.ty.assignable_to(&w.ty),
                        None => w.optional,
                    })
                    && have.iter().all(|h| want.iter().any(|w| w.name == h.name))
            }
            (Map(v), Object(want)) => want.iter().all(|w| v.assignable_to(&w.ty)),
            (a, b) => a == b,
        }
    }

    pub fn field(&self, name: &str) -> Option<&Field> {
        match self {
            Type::Object(fields) => fields.iter().find(|f| f.name == name),
            _ => None,
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Any => write!(f, "any"),
            Type::Null => write!(f, "null"),
            Type::Bool => write!(f, "bool"),
            Type::Int => write!(f, "int"),
            Type::Float => write!(f, "float"),
            Type::String => write!(f, "string"),
            Type::Secret => write!(f, "secret"),
            Type::List(t) => write!(f, "list<{t}>"),
            Type::Map(t) => write!(f, "map<{t}>"),
            Type::Object(fields) => {
                write!(f, "{{ ")?;
                for (i, field) in fields.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    let q = if field.optional { "?" } else { "" };
                    write!(f, "{}{q}: {}", field.name, field.ty)?;
                }
                write!(f, " }}")
            }
            Type::Enum(values) => {
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        write!(f, " | ")?;
                    }
                    write!(f, "{v:?}")?;
                }
                Ok(())
            }
            Type::Resource(name) => write!(f, "{name}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_widens_to_float_but_not_back() {
        assert!(Type::Int.assignable_to(&Type::Float));
        assert!(!Type::Float.assignable_to(&Type::Int));
    }

    #[test]
    fn object_needs_required_fields_and_no_extras() {
        let want = Type::Object(vec![
            Field::required("min", Type::Int),
            Field::optional("max", Type::Int),
        ]);
        let ok = Type::Object(vec![Field::required("min", Type::Int)]);
        let missing = Type::Object(vec![Field::required("max", Type::Int)]);
        let extra = Type::Object(vec![
            Field::required("min", Type::Int),
            Field::required("mid", Type::Int),
        ]);
        assert!(ok.assignable_to(&want));
        assert!(!missing.assignable_to(&want));
        assert!(!extra.assignable_to(&want));
    }

    #[test]
    fn display_reads_like_the_language() {
        let t = Type::Object(vec![
            Field::required("a", Type::list(Type::Int)),
            Field::optional("b", Type::String),
        ]);
        assert_eq!(t.to_string(), "{ a: list<int>, b?: string }");
        assert_eq!(
            Type::enumeration(&["Basic", "Standard"]).to_string(),
            "\"Basic\" | \"Standard\""
        );
    }
}
