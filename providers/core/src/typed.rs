//! ARM type references (`"Microsoft.Web/sites@2025-03-01"`): the rich body types the checker
//! validates against. They reach the language through a [`TypeResolver`] the composition root
//! installs in the [`crate::SchemaSet`]; a type is resolved the first time a project names it,
//! so a run pays only for the types it uses.

use crate::schema::{PropertySchema, ResourceSchema};
use crate::types::Type;
use std::sync::Arc;

/// The output of a typed resource that holds the whole object as the cloud last answered:
/// every property, read-only ones included, is read from it after apply.
pub const LIVE_OUTPUT: &str = "output";

/// Index of a [`TypeDef`] in a [`TypedSchema`]'s arena.
pub type TypeIdx = u32;

/// Property flags, as the type data has them.
pub mod flags {
    pub const REQUIRED: u8 = 1;
    pub const READ_ONLY: u8 = 2;
    pub const WRITE_ONLY: u8 = 4;
    pub const DEPLOY_TIME_CONSTANT: u8 = 8;
    pub const IDENTIFIER: u8 = 16;
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeDef {
    Any,
    Bool,
    Int {
        min: Option<i64>,
        max: Option<i64>,
    },
    String {
        min_len: Option<u64>,
        max_len: Option<u64>,
        pattern: Option<String>,
        sensitive: bool,
    },
    Literal(String),
    /// An enum is a union of literals; an open enum also has a plain string member.
    Union(Vec<TypeIdx>),
    Array {
        item: TypeIdx,
        min_len: Option<u64>,
        max_len: Option<u64>,
    },
    Object {
        name: String,
        props: Vec<TypeProp>,
        additional: Option<TypeIdx>,
        sensitive: bool,
    },
    /// Objects told apart by the value of `discriminator` (e.g. `kind`).
    Discriminated {
        name: String,
        discriminator: String,
        base: Vec<TypeProp>,
        elements: Vec<(String, TypeIdx)>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct TypeProp {
    pub name: String,
    pub ty: TypeIdx,
    pub flags: u8,
}

impl TypeProp {
    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }
}

/// Where an ARM type lives, which decides the placement attribute it takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// Under a resource group: `resource_group = <group>`.
    Group,
    /// Directly under the environment's subscription.
    Subscription,
    /// Under a parent resource of the given type: `parent = <resource>`.
    Child { parent_type: String },
    /// On another resource or group: `scope = <resource>`.
    Extension,
    /// Tenant or management-group level: not placed by infra.
    Tenant,
}

/// Tests a string against a pattern of the type data. Provided by whoever converts the data
/// (the language has no regex engine); compares equal whatever the function, so schemas stay
/// comparable.
#[derive(Clone, Copy)]
pub struct PatternMatcher(pub fn(pattern: &str, value: &str) -> Option<bool>);

impl std::fmt::Debug for PatternMatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PatternMatcher")
    }
}

impl PartialEq for PatternMatcher {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// One ARM resource type at one api-version, with its body type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypedSchema {
    /// `Microsoft.Web/sites`, as the data spells it.
    pub type_name: String,
    /// The api-version the checks use (the requested one, or the nearest known).
    pub api_version: String,
    pub placement: Placement,
    pub defs: Vec<TypeDef>,
    /// The request body: an object with `name`, `location`, `properties`, ...
    pub body: TypeIdx,
    pub matcher: PatternMatcher,
}

impl TypedSchema {
    pub fn get(&self, idx: TypeIdx) -> &TypeDef {
        self.defs.get(idx as usize).unwrap_or(&TypeDef::Any)
    }

    /// The body's top-level properties (a discriminated body contributes its base).
    pub fn body_props(&self) -> &[TypeProp] {
        match self.get(self.body) {
            TypeDef::Object { props, .. } => props,
            TypeDef::Discriminated { base, .. } => base,
            _ => &[],
        }
    }

    /// The last segment of the type, which names the child under its parent in an id.
    pub fn last_segment(&self) -> &str {
        self.type_name.rsplit('/').next().unwrap_or(&self.type_name)
    }

    /// `Namespace/type` without the namespace: `sites/slots`.
    pub fn type_path(&self) -> &str {
        self.type_name
            .split_once('/')
            .map(|(_, p)| p)
            .unwrap_or(&self.type_name)
    }

    /// The reference's REST documentation page.
    pub fn docs_url(&self) -> String {
        let ns = self.type_name.split('/').next().unwrap_or_default();
        format!(
            "https://learn.microsoft.com/azure/templates/{}/{}/{}",
            ns.to_lowercase(),
            self.api_version,
            self.type_path().to_lowercase()
        )
    }

    /// The coarse schema the engine and the generic checks use: every body property as an
    /// attribute (read-only ones as outputs), the placement attributes, and `id`.
    pub fn resource_schema(self: &Arc<Self>, type_ref: &str) -> ResourceSchema {
        let mut s = ResourceSchema::new(type_ref, "An ARM resource typed from the type data.");
        for p in self.body_props() {
            let ty = coarse(self.get(p.ty));
            let mut ps = if p.has(flags::READ_ONLY) {
                PropertySchema::output(ty)
            } else {
                PropertySchema::input(ty)
            };
            ps.required = p.has(flags::REQUIRED) && !p.has(flags::READ_ONLY);
            // ARM never renames or moves an object on PUT, whatever the data's flags say.
            ps.create_only =
                p.has(flags::DEPLOY_TIME_CONSTANT) || p.name == "name" || p.name == "location";
            ps.secret = p.has(flags::WRITE_ONLY)
                || matches!(
                    self.get(p.ty),
                    TypeDef::String {
                        sensitive: true,
                        ..
                    }
                );
            s.properties.insert(p.name.clone(), ps);
        }
        let (attr, ty) = match &self.placement {
            Placement::Group => (
                Some("resource_group"),
                Type::Resource("azure.resource_group".into()),
            ),
            Placement::Child { .. } => (Some("parent"), Type::String),
            Placement::Extension => (Some("scope"), Type::String),
            Placement::Subscription | Placement::Tenant => (None, Type::String),
        };
        if let Some(attr) = attr {
            s.properties.insert(
                attr.into(),
                PropertySchema::input(ty)
                    .create_only()
                    .doc("Where the resource lives."),
            );
        }
        // Always readable: ARM answers every GET with them.
        for out in ["id", "type"] {
            s.properties
                .entry(out.into())
                .or_insert_with(|| PropertySchema::output(Type::String));
        }
        if let Some(p) = s.properties.get_mut("id") {
            p.output = true;
        }
        s.properties.insert(
            LIVE_OUTPUT.into(),
            PropertySchema::output(Type::Any).doc("The object as the cloud answered GET."),
        );
        s.typed = Some(self.clone());
        s
    }
}

/// The checker's coarse view of a rich type: the deep checks are the typed validator's.
fn coarse(def: &TypeDef) -> Type {
    match def {
        TypeDef::Bool => Type::Bool,
        TypeDef::Int { .. } => Type::Int,
        TypeDef::String { .. } | TypeDef::Literal(_) => Type::String,
        _ => Type::Any,
    }
}

/// What a type reference resolved to.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolution {
    Found(Arc<TypedSchema>),
    /// The type is known but not at the requested api-version: checked against `used`.
    NearestVersion {
        requested: String,
        used: String,
        schema: Arc<TypedSchema>,
    },
    UnknownType {
        suggestions: Vec<String>,
    },
    Malformed(String),
}

impl Resolution {
    pub fn schema(&self) -> Option<&Arc<TypedSchema>> {
        match self {
            Resolution::Found(s) | Resolution::NearestVersion { schema: s, .. } => Some(s),
            _ => None,
        }
    }
}

/// Resolves type references; installed by the composition root, never by the language.
pub trait TypeResolver: Send + Sync {
    fn resolve(&self, type_ref: &str) -> Resolution;
    /// Every known type name, sorted (for completion).
    fn type_names(&self) -> Vec<String>;
    /// Known api-versions of a type, newest last (for completion).
    fn versions(&self, type_name: &str) -> Vec<String>;
}

/// Whether a type name is an ARM type reference rather than a provider type (`azure.x`).
pub fn is_type_ref(type_name: &str) -> bool {
    type_name.contains('/') || type_name.contains('@')
}
