//! The text hover and completion show for schema types, properties and functions, in
//! Markdown, so that both always say the same.

use infra_provider_core::{PropertySchema, ResourceSchema, Type};
use infra_stdlib::Signature;

/// The type a property path leads to (`["access_policies", "object_id"]`), with the
/// property's schema when the path has one element.
pub fn property_type<'a>(schema: &'a ResourceSchema, path: &[&str]) -> Option<&'a Type> {
    let (first, rest) = path.split_first()?;
    let mut ty = &schema.properties.get(*first)?.ty;
    for name in rest {
        ty = field_type(ty, name)?;
    }
    Some(ty)
}

/// The type of field `name` of an object type (through lists: a list of objects).
pub fn field_type<'a>(ty: &'a Type, name: &str) -> Option<&'a Type> {
    match ty {
        Type::Object(fields) => fields.iter().find(|f| f.name == name).map(|f| &f.ty),
        Type::List(inner) => field_type(inner, name),
        _ => None,
    }
}

/// The fields of an object type (through lists), as (name, type, optional).
pub fn fields(ty: &Type) -> Vec<(&str, &Type, bool)> {
    match ty {
        Type::Object(fields) => fields
            .iter()
            .map(|f| (f.name.as_str(), &f.ty, f.optional))
            .collect(),
        Type::List(inner) => self::fields(inner),
        _ => Vec::new(),
    }
}

/// `name: type`, with what sets it apart (required, output, create-only, secret).
pub fn property_detail(name: &str, p: &PropertySchema) -> String {
    let mut flags = Vec::new();
    if p.required {
        flags.push("required");
    }
    if p.output {
        flags.push("output");
    }
    if p.create_only {
        flags.push("create-only");
    }
    if p.secret {
        flags.push("secret");
    }
    let flags = if flags.is_empty() {
        String::new()
    } else {
        format!(" ({})", flags.join(", "))
    };
    format!("{name}: {}{flags}", p.ty)
}

pub fn property(owner: &str, name: &str, p: &PropertySchema) -> String {
    format!(
        "```infra\n{}\n```\n\n{}\n\nProperty of `{owner}`.",
        property_detail(name, p),
        p.description
    )
}

pub fn field(owner: &str, path: &[&str], ty: &Type) -> String {
    format!(
        "```infra\n{}: {ty}\n```\n\nField of `{owner}`.",
        path.join(".")
    )
}

pub fn resource_type(schema: &ResourceSchema) -> String {
    let required: Vec<String> = schema
        .inputs()
        .filter(|(_, p)| p.required)
        .map(|(n, _)| format!("`{n}`"))
        .collect();
    let mut text = format!(
        "```infra\n{}\n```\n\n{}",
        schema.type_name, schema.description
    );
    if !required.is_empty() {
        text.push_str(&format!("\n\nRequired: {}.", required.join(", ")));
    }
    text
}

pub fn function(sig: &Signature) -> String {
    format!(
        "```infra\n{}\n```\n\n{}\n\n```infra\n{}   // {}\n```",
        sig.synopsis(),
        sig.doc,
        sig.example.0,
        sig.example.1
    )
}
