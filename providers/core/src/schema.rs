//! Resource schemas: what the checker validates against and what the engine diffs with.

use crate::types::Type;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct PropertySchema {
    pub ty: Type,
    /// Must be set by the user (inputs only).
    pub required: bool,
    /// Set by the cloud, readable in references, never written (e.g. `fqdn`).
    pub output: bool,
    /// A change forces the resource to be replaced.
    pub create_only: bool,
    /// Never shown, logged or stored in clear; never read back from the cloud.
    pub secret: bool,
    /// When a reference reads this attribute, it has this type instead of `ty`: ARM often
    /// takes a small input and answers with more (`identity = "system"` reads back as
    /// `{ principal_id, tenant_id }`). The value read comes from the provider, not the input.
    pub read_as: Option<Type>,
    /// An output that takes a new value on every in-place update (a revision name, a
    /// versioned id). Other outputs keep their value through an in-place update, so a plan
    /// can predict them instead of marking everything downstream unknown.
    pub changes_on_update: bool,
    pub description: String,
}

impl PropertySchema {
    pub fn input(ty: Type) -> Self {
        PropertySchema {
            ty,
            required: false,
            output: false,
            create_only: false,
            secret: false,
            read_as: None,
            changes_on_update: false,
            description: String::new(),
        }
    }
    pub fn output(ty: Type) -> Self {
        PropertySchema {
            output: true,
            ..Self::input(ty)
        }
    }
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub fn create_only(mut self) -> Self {
        self.create_only = true;
        self
    }
    pub fn secret(mut self) -> Self {
        self.secret = true;
        self
    }
    pub fn changes_on_update(mut self) -> Self {
        self.changes_on_update = true;
        self
    }
    pub fn reads_as(mut self, ty: Type) -> Self {
        self.read_as = Some(ty);
        self
    }
    /// The type a reference to this attribute has.
    pub fn read_type(&self) -> &Type {
        self.read_as.as_ref().unwrap_or(&self.ty)
    }
    pub fn doc(mut self, text: &str) -> Self {
        self.description = text.into();
        self
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResourceSchema {
    /// `provider.kind`, e.g. `azure.key_vault`.
    pub type_name: String,
    pub description: String,
    pub properties: BTreeMap<String, PropertySchema>,
}

impl ResourceSchema {
    pub fn new(type_name: &str, description: &str) -> Self {
        ResourceSchema {
            type_name: type_name.into(),
            description: description.into(),
            properties: BTreeMap::new(),
        }
    }
    pub fn prop(mut self, name: &str, schema: PropertySchema) -> Self {
        self.properties.insert(name.into(), schema);
        self
    }
    pub fn inputs(&self) -> impl Iterator<Item = (&String, &PropertySchema)> {
        self.properties.iter().filter(|(_, p)| !p.output)
    }
}

/// All resource types known to a run, by type name.
#[derive(Debug, Clone, Default)]
pub struct SchemaSet {
    types: BTreeMap<String, ResourceSchema>,
}

impl SchemaSet {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn add(&mut self, schema: ResourceSchema) {
        self.types.insert(schema.type_name.clone(), schema);
    }
    pub fn get(&self, type_name: &str) -> Option<&ResourceSchema> {
        self.types.get(type_name)
    }
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.types.keys().map(String::as_str)
    }
    pub fn iter(&self) -> impl Iterator<Item = &ResourceSchema> {
        self.types.values()
    }
}
