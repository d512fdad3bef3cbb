//! Completion and hover for resources named by an ARM type reference: type names and
//! api-versions inside the quotes, body properties at any depth, enum values, and docs with
//! type, flags, constraints and the REST reference link.

use infra_provider_core::SchemaSet;
use infra_provider_core::typed::{Placement, TypeDef, TypeIdx, TypeProp, TypedSchema, flags};
use lsp_types::{CompletionItem, CompletionItemKind, Documentation, MarkupContent, MarkupKind};

/// At most this many type names are offered at once: typing narrows them.
const MAX_TYPES: usize = 200;

/// Inside `"...`: type names starting with what is typed, or after `@` the type's versions.
/// Each item replaces the whole reference typed so far.
pub fn type_refs(schemas: &SchemaSet, typed: &str) -> Vec<CompletionItem> {
    let Some(resolver) = schemas.resolver() else {
        return Vec::new();
    };
    if let Some((name, _)) = typed.split_once('@') {
        let versions = resolver.versions(name);
        let newest = versions.len();
        return versions
            .into_iter()
            .enumerate()
            .map(|(i, v)| CompletionItem {
                label: format!("{name}@{v}"),
                kind: Some(CompletionItemKind::ENUM_MEMBER),
                // Newest first.
                sort_text: Some(format!("{:04}", newest - i)),
                filter_text: Some(format!("{name}@{v}")),
                ..Default::default()
            })
            .collect();
    }
    let lower = typed.to_ascii_lowercase();
    resolver
        .type_names()
        .into_iter()
        .filter(|n| n.to_ascii_lowercase().starts_with(&lower))
        .take(MAX_TYPES)
        .map(|n| {
            let newest = resolver.versions(&n).pop().unwrap_or_default();
            CompletionItem {
                label: n.clone(),
                kind: Some(CompletionItemKind::CLASS),
                detail: Some(format!("newest api-version {newest}")),
                insert_text: Some(format!("{n}@{newest}")),
                ..Default::default()
            }
        })
        .collect()
}

/// The properties of the object a body path leads to (the body itself for an empty path).
pub fn props_at(t: &TypedSchema, path: &[&str]) -> Vec<TypeProp> {
    let mut idx = t.body;
    for name in path {
        let Some(p) = object_props(t, idx).into_iter().find(|p| p.name == *name) else {
            return Vec::new();
        };
        idx = p.ty;
    }
    object_props(t, idx)
}

/// The type a body path leads to.
pub fn def_at<'a>(t: &'a TypedSchema, path: &[&str]) -> Option<(&'a TypeDef, Option<TypeProp>)> {
    let (last, parents) = path.split_last()?;
    let p = props_at(t, parents).into_iter().find(|p| p.name == *last)?;
    Some((t.get(p.ty), Some(p)))
}

/// Properties of an object (through lists, unions with one object member, and every variant
/// of a discriminated object).
fn object_props(t: &TypedSchema, idx: TypeIdx) -> Vec<TypeProp> {
    match t.get(idx) {
        TypeDef::Object { props, .. } => props.clone(),
        TypeDef::Array { item, .. } => object_props(t, *item),
        TypeDef::Union(members) => members.iter().flat_map(|m| object_props(t, *m)).collect(),
        TypeDef::Discriminated { base, elements, .. } => {
            let mut all = base.clone();
            for (_, el) in elements {
                for p in object_props(t, *el) {
                    if !all.iter().any(|a| a.name == p.name) {
                        all.push(p);
                    }
                }
            }
            all
        }
        _ => Vec::new(),
    }
}

/// Completion items for the writable properties at `path`.
pub fn property_items(t: &TypedSchema, path: &[&str]) -> Vec<CompletionItem> {
    props_at(t, path)
        .into_iter()
        .filter(|p| !p.has(flags::READ_ONLY))
        .map(|p| CompletionItem {
            label: p.name.clone(),
            kind: Some(CompletionItemKind::PROPERTY),
            detail: Some(format!(
                "{}: {}{}",
                p.name,
                describe(t, p.ty),
                flag_text(&p)
            )),
            documentation: Some(markdown(property_doc(t, path, &p))),
            sort_text: Some(format!("{}{}", u8::from(!p.has(flags::REQUIRED)), p.name)),
            ..Default::default()
        })
        .collect()
}

/// The literal values of an enum at `path`.
pub fn enum_values(t: &TypedSchema, path: &[&str]) -> Vec<String> {
    let Some((def, _)) = def_at(t, path) else {
        return Vec::new();
    };
    match def {
        TypeDef::Literal(v) => vec![v.clone()],
        TypeDef::Union(members) => members
            .iter()
            .filter_map(|m| match t.get(*m) {
                TypeDef::Literal(v) => Some(v.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Hover text of the type reference itself.
pub fn type_doc(t: &TypedSchema) -> String {
    let placement = match &t.placement {
        Placement::Group => "in a resource group: `resource_group = <group>`".to_string(),
        Placement::Child { parent_type } => {
            format!("a child of `{parent_type}`: `parent = <resource>`")
        }
        Placement::Extension => "an extension: `scope = <resource or group>`".to_string(),
        Placement::Subscription => "in the environment's subscription".to_string(),
        Placement::Tenant => "tenant or management group (not placed by infra)".to_string(),
    };
    format!(
        "**{}** `{}`\n\nPlaced {placement}.\n\n[REST reference]({})",
        t.type_name,
        t.api_version,
        t.docs_url()
    )
}

/// Hover text of a body property at `path` (its name last).
pub fn path_doc(t: &TypedSchema, path: &[&str]) -> Option<String> {
    let (last, parents) = path.split_last()?;
    let p = props_at(t, parents).into_iter().find(|p| p.name == *last)?;
    Some(property_doc(t, parents, &p))
}

fn property_doc(t: &TypedSchema, parents: &[&str], p: &TypeProp) -> String {
    let mut full: Vec<&str> = parents.to_vec();
    full.push(&p.name);
    let mut text = format!(
        "`{}`: {}{}",
        full.join("."),
        describe(t, p.ty),
        flag_text(p)
    );
    if let Some(c) = constraints(t.get(p.ty)) {
        text.push_str(&format!("\n\n{c}"));
    }
    text.push_str(&format!(
        "\n\n`{}@{}` — [REST reference]({})",
        t.type_name,
        t.api_version,
        t.docs_url()
    ));
    text
}

fn flag_text(p: &TypeProp) -> String {
    let mut f = Vec::new();
    for (bit, name) in [
        (flags::REQUIRED, "required"),
        (flags::READ_ONLY, "read-only"),
        (flags::WRITE_ONLY, "write-only"),
        (flags::DEPLOY_TIME_CONSTANT, "create-only"),
    ] {
        if p.has(bit) {
            f.push(name);
        }
    }
    if f.is_empty() {
        String::new()
    } else {
        format!(" ({})", f.join(", "))
    }
}

fn constraints(def: &TypeDef) -> Option<String> {
    let range = |a: Option<String>, b: Option<String>| match (a, b) {
        (Some(a), Some(b)) => Some(format!("{a} to {b}")),
        (Some(a), None) => Some(format!("at least {a}")),
        (None, Some(b)) => Some(format!("at most {b}")),
        (None, None) => None,
    };
    match def {
        TypeDef::Int { min, max } => range(min.map(|x| x.to_string()), max.map(|x| x.to_string()))
            .map(|r| format!("Range: {r}")),
        TypeDef::String {
            min_len,
            max_len,
            pattern,
            sensitive,
        } => {
            let mut parts = Vec::new();
            if let Some(r) = range(
                min_len.map(|x| x.to_string()),
                max_len.map(|x| x.to_string()),
            ) {
                parts.push(format!("Length: {r}"));
            }
            if let Some(p) = pattern {
                parts.push(format!("Pattern: `{p}`"));
            }
            if *sensitive {
                parts.push("Sensitive: pass a secret.".to_string());
            }
            (!parts.is_empty()).then(|| parts.join("  \n"))
        }
        _ => None,
    }
}

/// A short type text: `"S1" | "B1" | string`, `object`, `list of object`...
fn describe(t: &TypedSchema, idx: TypeIdx) -> String {
    match t.get(idx) {
        TypeDef::Any => "any".into(),
        TypeDef::Bool => "bool".into(),
        TypeDef::Int { .. } => "int".into(),
        TypeDef::String { .. } => "string".into(),
        TypeDef::Literal(v) => format!("\"{v}\""),
        TypeDef::Union(members) => {
            let mut parts: Vec<String> = members.iter().take(12).map(|m| describe(t, *m)).collect();
            if members.len() > 12 {
                parts.push("...".into());
            }
            parts.join(" | ")
        }
        TypeDef::Array { item, .. } => format!("list of {}", describe(t, *item)),
        TypeDef::Object { .. } => "object".into(),
        TypeDef::Discriminated { discriminator, .. } => format!("object by `{discriminator}`"),
    }
}

fn markdown(value: String) -> Documentation {
    Documentation::MarkupContent(MarkupContent {
        kind: MarkupKind::Markdown,
        value,
    })
}
