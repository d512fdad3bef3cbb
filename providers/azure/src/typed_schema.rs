//! ARM type references for the checker: the type data of `infra-azure-types`, converted to
//! the rich types of `infra_provider_core::typed` one type at a time, on first use.

use infra_azure_types as data;
use infra_provider_core::typed::{
    PatternMatcher, Placement, Resolution, TypeDef, TypeIdx, TypeProp, TypeResolver, TypedSchema,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// The resolver the composition root installs.
pub struct ArmTypes;

impl TypeResolver for ArmTypes {
    fn resolve(&self, type_ref: &str) -> Resolution {
        match data::catalog().resolve(type_ref) {
            data::Resolved::Exact(ty) => Resolution::Found(Arc::new(convert(&ty))),
            data::Resolved::NearestVersion {
                requested,
                used,
                ty,
            } => Resolution::NearestVersion {
                requested,
                used,
                schema: Arc::new(convert(&ty)),
            },
            data::Resolved::UnknownType { suggestions } => Resolution::UnknownType { suggestions },
            data::Resolved::Malformed(m) => Resolution::Malformed(m),
        }
    }
    fn type_names(&self) -> Vec<String> {
        data::catalog().type_names().map(str::to_string).collect()
    }
    fn versions(&self, type_name: &str) -> Vec<String> {
        data::catalog()
            .versions(type_name)
            .into_iter()
            .map(str::to_string)
            .collect()
    }
}

/// Where a type is written: a child under its parent; a type that can extend other resources
/// (locks, role assignments, budgets) on a `scope`; otherwise in a group, or else directly in
/// the subscription.
pub fn placement(ty: &data::ResourceType) -> Placement {
    if let Some(parent) = ty.parent_type() {
        return Placement::Child {
            parent_type: parent.to_string(),
        };
    }
    let scopes = if ty.writable_scopes == 0 {
        ty.readable_scopes
    } else {
        ty.writable_scopes
    };
    if scopes & 16 != 0 {
        Placement::Extension
    } else if scopes == 0 || scopes & 8 != 0 {
        Placement::Group
    } else if scopes & 4 != 0 {
        Placement::Subscription
    } else {
        Placement::Tenant
    }
}

/// The types reachable from the body, renumbered into their own arena (a chunk's arena
/// holds a whole namespace; a schema keeps only what it uses).
pub fn convert(ty: &data::ResourceType) -> TypedSchema {
    let mut map: HashMap<data::TypeIdx, TypeIdx> = HashMap::new();
    let mut order: Vec<data::TypeIdx> = Vec::new();
    let mut stack = vec![ty.body];
    while let Some(i) = stack.pop() {
        if map.contains_key(&i) {
            continue;
        }
        map.insert(i, order.len() as TypeIdx);
        order.push(i);
        stack.extend(ty.get(i).children().into_iter().rev());
    }
    let m = |i: data::TypeIdx| map.get(&i).copied().unwrap_or(TypeIdx::MAX);
    let props = |ps: &[data::Prop]| -> Vec<TypeProp> {
        ps.iter()
            .map(|p| TypeProp {
                name: p.name.clone(),
                ty: m(p.ty),
                flags: p.flags,
            })
            .collect()
    };
    let defs = order
        .iter()
        .map(|i| match ty.get(*i) {
            data::TypeDef::Any => TypeDef::Any,
            data::TypeDef::Bool => TypeDef::Bool,
            data::TypeDef::Int { min, max } => TypeDef::Int {
                min: *min,
                max: *max,
            },
            data::TypeDef::String {
                min_len,
                max_len,
                pattern,
                sensitive,
            } => TypeDef::String {
                min_len: *min_len,
                max_len: *max_len,
                pattern: pattern.clone(),
                sensitive: *sensitive,
            },
            data::TypeDef::Literal(v) => TypeDef::Literal(v.clone()),
            data::TypeDef::Union(items) => TypeDef::Union(items.iter().map(|x| m(*x)).collect()),
            data::TypeDef::Array {
                item,
                min_len,
                max_len,
            } => TypeDef::Array {
                item: m(*item),
                min_len: *min_len,
                max_len: *max_len,
            },
            data::TypeDef::Object {
                name,
                props: ps,
                additional,
                sensitive,
            } => TypeDef::Object {
                name: name.clone(),
                props: props(ps),
                additional: additional.map(m),
                sensitive: *sensitive,
            },
            data::TypeDef::Discriminated {
                name,
                discriminator,
                base,
                elements,
            } => TypeDef::Discriminated {
                name: name.clone(),
                discriminator: discriminator.clone(),
                base: props(base),
                elements: elements.iter().map(|(k, v)| (k.clone(), m(*v))).collect(),
            },
        })
        .collect();
    TypedSchema {
        type_name: ty.name.clone(),
        api_version: ty.api_version.clone(),
        placement: placement(ty),
        defs,
        body: 0,
        matcher: PatternMatcher(matches),
    }
}

/// A pattern of the data against a value; `None` for a pattern `regex-lite` cannot compile
/// (look-arounds...), which is then not checked. Compiled patterns are cached.
fn matches(pattern: &str, value: &str) -> Option<bool> {
    type Cache = Mutex<HashMap<String, Option<Arc<regex_lite::Regex>>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let re = {
        let mut cache = CACHE
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        cache
            .entry(pattern.to_string())
            .or_insert_with(|| regex_lite::Regex::new(pattern).ok().map(Arc::new))
            .clone()
    };
    re.map(|r| r.is_match(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(r: &str) -> Arc<TypedSchema> {
        match ArmTypes.resolve(r) {
            Resolution::Found(s) => s,
            other => panic!("{r}: {other:?}"),
        }
    }

    #[test]
    fn placement_follows_the_scopes_of_the_data() {
        assert_eq!(
            found("Microsoft.Web/serverfarms@2025-03-01").placement,
            Placement::Group
        );
        assert_eq!(
            found("Microsoft.Web/sites/slots@2025-03-01").placement,
            Placement::Child {
                parent_type: "Microsoft.Web/sites".into()
            }
        );
        let lock = ArmTypes.resolve("Microsoft.Authorization/locks@2020-05-01");
        assert_eq!(
            lock.schema().map(|s| s.placement.clone()),
            Some(Placement::Extension)
        );
        let group = ArmTypes.resolve("Microsoft.Resources/resourceGroups@2024-03-01");
        assert_eq!(
            group.schema().map(|s| s.placement.clone()),
            Some(Placement::Subscription)
        );
    }

    #[test]
    fn the_converted_body_keeps_properties_and_flags() {
        let site = found("Microsoft.Web/sites@2025-03-01");
        let names: Vec<&str> = site.body_props().iter().map(|p| p.name.as_str()).collect();
        for n in ["name", "location", "properties", "identity", "kind"] {
            assert!(names.contains(&n), "{n} missing from {names:?}");
        }
        let id = site.body_props().iter().find(|p| p.name == "id");
        assert!(id.is_some_and(|p| p.has(infra_provider_core::typed::flags::READ_ONLY)));
    }

    #[test]
    fn storage_names_follow_azure_rules() {
        let st = found("Microsoft.Storage/storageAccounts@2026-04-01");
        let name = st.body_props().iter().find(|p| p.name == "name");
        let Some(TypeDef::String { pattern, .. }) = name.map(|p| st.get(p.ty)) else {
            panic!("name is not a string");
        };
        let p = pattern.as_deref().unwrap_or_default();
        assert_eq!(matches(p, "mystorage1"), Some(true));
        assert_eq!(matches(p, "My_Storage"), Some(false));
    }
}
