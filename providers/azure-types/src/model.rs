//! The compact type model: what the generator writes and the runtime reads back.

use std::sync::Arc;

/// Index of a type in the arena of the chunk a resource type came from.
pub type TypeIdx = u32;

/// Property flags, as bits (the same bits as the source data).
pub mod flags {
    pub const REQUIRED: u8 = 1;
    pub const READ_ONLY: u8 = 2;
    pub const WRITE_ONLY: u8 = 4;
    pub const DEPLOY_TIME_CONSTANT: u8 = 8;
    pub const IDENTIFIER: u8 = 16;
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Prop {
    pub name: String,
    pub ty: TypeIdx,
    pub flags: u8,
}

impl Prop {
    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
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
    /// Enum = union of literals; an "open" enum also contains a plain String member.
    Union(Vec<TypeIdx>),
    Array {
        item: TypeIdx,
        min_len: Option<u64>,
        max_len: Option<u64>,
    },
    Object {
        name: String,
        props: Vec<Prop>,
        additional: Option<TypeIdx>,
        sensitive: bool,
    },
    Discriminated {
        name: String,
        discriminator: String,
        base: Vec<Prop>,
        elements: Vec<(String, TypeIdx)>,
    },
}

impl TypeDef {
    /// Every type this one refers to, in order.
    pub fn children(&self) -> Vec<TypeIdx> {
        match self {
            TypeDef::Union(items) => items.clone(),
            TypeDef::Array { item, .. } => vec![*item],
            TypeDef::Object {
                props, additional, ..
            } => props.iter().map(|p| p.ty).chain(*additional).collect(),
            TypeDef::Discriminated { base, elements, .. } => base
                .iter()
                .map(|p| p.ty)
                .chain(elements.iter().map(|e| e.1))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Rewrites every reference through `f` (used by the generator's deduplication).
    pub(crate) fn remap(&mut self, f: &impl Fn(TypeIdx) -> TypeIdx) {
        match self {
            TypeDef::Union(items) => items.iter_mut().for_each(|i| *i = f(*i)),
            TypeDef::Array { item, .. } => *item = f(*item),
            TypeDef::Object {
                props, additional, ..
            } => {
                props.iter_mut().for_each(|p| p.ty = f(p.ty));
                if let Some(a) = additional {
                    *a = f(*a);
                }
            }
            TypeDef::Discriminated { base, elements, .. } => {
                base.iter_mut().for_each(|p| p.ty = f(p.ty));
                elements.iter_mut().for_each(|e| e.1 = f(e.1));
            }
            _ => {}
        }
    }
}

/// The type given for an index that is out of range (never happens with generated data;
/// answering `Any` keeps every caller panic-free).
static ANY: TypeDef = TypeDef::Any;

/// One ARM resource type at one api-version.
#[derive(Debug)]
pub struct ResourceType {
    /// "Microsoft.Web/sites" or "Microsoft.Web/sites/slots", as the data spells it.
    pub name: String,
    pub api_version: String,
    /// Bits: 1 tenant, 2 management group, 4 subscription, 8 resource group, 16 extension.
    pub readable_scopes: u8,
    pub writable_scopes: u8,
    /// An Object (or Discriminated) with id/name/type/location/tags/properties/...
    pub body: TypeIdx,
    pub(crate) arena: Arc<Vec<TypeDef>>,
}

impl ResourceType {
    pub fn get(&self, idx: TypeIdx) -> &TypeDef {
        self.arena.get(idx as usize).unwrap_or(&ANY)
    }

    pub fn body_def(&self) -> &TypeDef {
        self.get(self.body)
    }

    /// A union's members split into its literal values (an enum) and the rest (a plain
    /// `String` among them makes the enum open).
    pub fn split_union(&self, members: &[TypeIdx]) -> (Vec<&str>, Vec<TypeIdx>) {
        let literals = members
            .iter()
            .filter_map(|m| match self.get(*m) {
                TypeDef::Literal(l) => Some(l.as_str()),
                _ => None,
            })
            .collect();
        let others = members
            .iter()
            .copied()
            .filter(|m| !matches!(self.get(*m), TypeDef::Literal(_)))
            .collect();
        (literals, others)
    }

    /// More than one segment after the namespace ("Microsoft.Web/sites/slots").
    pub fn is_child(&self) -> bool {
        self.name.matches('/').count() > 1
    }

    /// "Microsoft.Web/sites" for "Microsoft.Web/sites/slots"; None for a top-level type.
    pub fn parent_type(&self) -> Option<&str> {
        if !self.is_child() {
            return None;
        }
        self.name.rsplit_once('/').map(|(parent, _)| parent)
    }

    /// The REST reference page of this type at this version.
    pub fn reference_url(&self) -> String {
        let (ns, path) = self.name.split_once('/').unwrap_or((&self.name, ""));
        format!(
            "https://learn.microsoft.com/azure/templates/{}/{}/{}",
            ns.to_lowercase(),
            self.api_version.to_lowercase(),
            path.to_lowercase()
        )
    }
}
