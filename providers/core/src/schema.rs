//! Resource schemas: what the checker validates against and what the engine diffs with.

use crate::typed::{Resolution, TypeResolver, TypedSchema};
use crate::types::Type;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

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
    /// An input of type `Type::Resource` that takes a reference and passes these attributes of
    /// the referenced resource (plus its `id`) as an object instead of the bare id, so a
    /// provider gets what it needs to reach the object (`server = pg` gives the PostgreSQL
    /// provider the server's fqdn, admin login and password). Empty: a reference gives the id.
    pub carries: Vec<String>,
    /// Another input this one stands in for: exactly one of the two is set (the checker says
    /// so when both or neither are).
    pub instead_of: Option<String>,
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
            carries: Vec::new(),
            instead_of: None,
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
    /// A reference input that passes these attributes of the referenced resource.
    pub fn carries(mut self, attributes: &[&str]) -> Self {
        self.carries = attributes.iter().map(|a| a.to_string()).collect();
        self
    }
    /// One of this input and `other` is set, never both.
    pub fn instead_of(mut self, other: &str) -> Self {
        self.instead_of = Some(other.into());
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
    /// For an ARM type reference: the rich body type behind these properties.
    pub typed: Option<Arc<TypedSchema>>,
}

impl ResourceSchema {
    pub fn new(type_name: &str, description: &str) -> Self {
        ResourceSchema {
            type_name: type_name.into(),
            description: description.into(),
            properties: BTreeMap::new(),
            typed: None,
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

/// A resolved type reference: the schema is leaked once per distinct reference so that
/// `get` can hand out plain references; a process names a bounded set of types.
type Resolved = (Option<&'static ResourceSchema>, Arc<Resolution>);

/// All resource types known to a run, by type name. ARM type references are resolved on
/// first use through the installed [`TypeResolver`] and cached.
#[derive(Clone, Default)]
pub struct SchemaSet {
    types: BTreeMap<String, ResourceSchema>,
    resolver: Option<Arc<dyn TypeResolver>>,
    resolved: Arc<Mutex<HashMap<String, Resolved>>>,
}

impl std::fmt::Debug for SchemaSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SchemaSet")
            .field("types", &self.types)
            .field("resolver", &self.resolver.is_some())
            .finish()
    }
}

impl SchemaSet {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn add(&mut self, schema: ResourceSchema) {
        self.types.insert(schema.type_name.clone(), schema);
    }
    pub fn set_resolver(&mut self, resolver: Arc<dyn TypeResolver>) {
        self.resolver = Some(resolver);
    }
    pub fn resolver(&self) -> Option<&Arc<dyn TypeResolver>> {
        self.resolver.as_ref()
    }
    pub fn get(&self, type_name: &str) -> Option<&ResourceSchema> {
        if let Some(s) = self.types.get(type_name) {
            return Some(s);
        }
        if !crate::typed::is_type_ref(type_name) {
            return None;
        }
        self.resolve(type_name).and_then(|(s, _)| s)
    }
    /// How a type reference resolved; `None` when no resolver is installed.
    pub fn resolution(&self, type_ref: &str) -> Option<Arc<Resolution>> {
        self.resolve(type_ref).map(|(_, r)| r)
    }
    fn resolve(&self, type_ref: &str) -> Option<Resolved> {
        let resolver = self.resolver.as_ref()?;
        let mut cache = self.resolved.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(hit) = cache.get(type_ref) {
            return Some(hit.clone());
        }
        let resolution = Arc::new(resolver.resolve(type_ref));
        let schema = resolution.schema().map(|t| {
            let leaked: &'static ResourceSchema = Box::leak(Box::new(t.resource_schema(type_ref)));
            leaked
        });
        cache.insert(type_ref.to_string(), (schema, resolution.clone()));
        Some((schema, resolution))
    }
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.types.keys().map(String::as_str)
    }
    pub fn iter(&self) -> impl Iterator<Item = &ResourceSchema> {
        self.types.values()
    }
}
