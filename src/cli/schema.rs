//! `infra schema [TYPE] [--json]`: the resource types and their properties, as the checker
//! knows them. Feeds the generated provider reference. An ARM type reference
//! (`Microsoft.Web/sites@2025-03-01`) prints that type from Microsoft's type data.

use super::schemas;
use infra_provider_core::{PropertySchema, ResourceSchema};

#[derive(clap::Args)]
pub struct Args {
    /// Only this type, e.g. azure.key_vault, or an ARM type such as
    /// "Microsoft.Web/sites@2025-03-01" (without @version: the newest known).
    type_name: Option<String>,
    /// Machine-readable output.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> u8 {
    if let Some(name) = args.type_name.as_deref().filter(|n| n.contains('/')) {
        return arm::run(name, args.json);
    }
    let set = schemas::all();
    let selected: Vec<&ResourceSchema> = match &args.type_name {
        Some(name) => match set.get(name) {
            Some(s) => vec![s],
            None => {
                let names: Vec<&str> = set.names().collect();
                let hint = infra_lang::diag::did_you_mean(name, names.iter().copied())
                    .map(|n| format!(" (did you mean `{n}`?)"))
                    .unwrap_or_default();
                eprintln!(
                    "error: unknown resource type `{name}`{hint}; `infra schema` lists them all"
                );
                return 1;
            }
        },
        None => set.iter().collect(),
    };
    if args.json {
        let json: Vec<serde_json::Value> = selected.iter().map(|s| to_json(s)).collect();
        let doc = serde_json::json!({ "format_version": "1", "types": json });
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    } else {
        for s in selected {
            print_human(s);
        }
    }
    0
}

fn flags(p: &PropertySchema) -> Vec<&'static str> {
    let mut f = Vec::new();
    if p.output {
        f.push("output");
    }
    if p.required {
        f.push("required");
    }
    if p.create_only {
        f.push("forces replacement");
    }
    if p.secret {
        f.push("secret");
    }
    f
}

fn print_human(s: &ResourceSchema) {
    println!("{}\n  {}", s.type_name, s.description);
    for (name, p) in &s.properties {
        let flags = flags(p);
        let flags = if flags.is_empty() {
            String::new()
        } else {
            format!(" [{}]", flags.join(", "))
        };
        println!(
            "  {name}: {}{flags}\n      {}",
            p.read_type(),
            p.description
        );
    }
    println!();
}

fn to_json(s: &ResourceSchema) -> serde_json::Value {
    let props: serde_json::Map<String, serde_json::Value> = s
        .properties
        .iter()
        .map(|(name, p)| {
            (
                name.clone(),
                serde_json::json!({
                    "type": p.ty.to_string(),
                    "read_type": p.read_type().to_string(),
                    "required": p.required,
                    "output": p.output,
                    "create_only": p.create_only,
                    "secret": p.secret,
                    "description": p.description,
                }),
            )
        })
        .collect();
    serde_json::json!({ "type": s.type_name, "description": s.description, "properties": props })
}

/// ARM types from Microsoft's type data (`infra-azure-types`).
mod arm {
    use infra_azure_types::{
        Prop, Resolved, ResourceType, TypeDef, TypeIdx, catalog, describe, flags,
    };
    use serde_json::{Map, Value, json};

    /// Nested objects deeper than this are named, not expanded (the data has recursive types).
    const MAX_DEPTH: usize = 12;

    pub fn run(name: &str, as_json: bool) -> u8 {
        let cat = catalog();
        let type_ref = if name.contains('@') {
            name.to_string()
        } else {
            match cat.versions(name).last() {
                Some(v) => format!("{name}@{v}"),
                None => format!("{name}@latest"),
            }
        };
        let (ty, requested) = match cat.resolve(&type_ref) {
            Resolved::Exact(ty) => (ty, None),
            Resolved::NearestVersion {
                requested,
                used,
                ty,
            } => {
                eprintln!(
                    "warning: api-version {requested} of {} is not in the type data; showing the nearest known version, {used}",
                    ty.name
                );
                (ty, Some(requested))
            }
            Resolved::UnknownType { suggestions } => {
                let type_name = type_ref.rsplit_once('@').map_or(name, |(t, _)| t);
                let hint = if suggestions.is_empty() {
                    String::new()
                } else {
                    format!("; closest known types: {}", suggestions.join(", "))
                };
                eprintln!("error: unknown resource type `{type_name}`{hint}");
                return 1;
            }
            Resolved::Malformed(message) => {
                eprintln!("error: {message}");
                return 1;
            }
        };
        let text = if as_json {
            let doc = to_json(&ty, requested.as_deref());
            serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
        } else {
            to_text(&ty)
        };
        // A closed pipe (`| head`) ends the output quietly.
        let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes());
        0
    }

    fn scopes(bits: u8) -> Vec<&'static str> {
        [
            (1, "tenant"),
            (2, "management group"),
            (4, "subscription"),
            (8, "resource group"),
            (16, "extension"),
        ]
        .into_iter()
        .filter(|(b, _)| bits & b != 0)
        .map(|(_, n)| n)
        .collect()
    }

    fn prop_flags(p: &Prop, ty: &ResourceType) -> Vec<&'static str> {
        let mut out = Vec::new();
        for (bit, name) in [
            (flags::REQUIRED, "required"),
            (flags::READ_ONLY, "read-only"),
            (flags::WRITE_ONLY, "write-only"),
            (flags::DEPLOY_TIME_CONSTANT, "create-only"),
        ] {
            if p.has(bit) {
                out.push(name);
            }
        }
        if let TypeDef::String {
            sensitive: true, ..
        }
        | TypeDef::Object {
            sensitive: true, ..
        } = ty.get(p.ty)
        {
            out.push("secret");
        }
        out
    }

    fn range<T: std::fmt::Display>(min: &Option<T>, max: &Option<T>) -> Option<String> {
        match (min, max) {
            (None, None) => None,
            (a, b) => Some(format!(
                "{}..{}",
                a.as_ref().map(ToString::to_string).unwrap_or_default(),
                b.as_ref().map(ToString::to_string).unwrap_or_default()
            )),
        }
    }

    /// Constraints of a type, for the human view: "length 3..24, pattern ^[a-z0-9]+$".
    fn constraints(def: &TypeDef) -> Vec<String> {
        match def {
            TypeDef::String {
                min_len,
                max_len,
                pattern,
                ..
            } => range(min_len, max_len)
                .map(|r| format!("length {r}"))
                .into_iter()
                .chain(pattern.as_ref().map(|p| format!("pattern {p}")))
                .collect(),
            TypeDef::Int { min, max } => range(min, max)
                .map(|r| format!("range {r}"))
                .into_iter()
                .collect(),
            TypeDef::Array {
                min_len, max_len, ..
            } => range(min_len, max_len)
                .map(|r| format!("items {r}"))
                .into_iter()
                .collect(),
            _ => Vec::new(),
        }
    }

    fn to_text(ty: &ResourceType) -> String {
        let mut out = format!("{}@{}\n", ty.name, ty.api_version);
        out.push_str(&format!(
            "  scopes: {}\n",
            scopes(ty.writable_scopes).join(", ")
        ));
        if let Some(parent) = ty.parent_type() {
            out.push_str(&format!("  parent: {parent}\n"));
        }
        out.push_str(&format!("  reference: {}\n", ty.reference_url()));
        out.push_str(&format!(
            "  versions: {}\n",
            catalog().versions(&ty.name).join(", ")
        ));
        let mut stack = Vec::new();
        text_members(ty, ty.body, 1, &mut stack, &mut out);
        out
    }

    /// The members of an object (or the variants of a tagged union) at `indent`.
    fn text_members(
        ty: &ResourceType,
        idx: TypeIdx,
        indent: usize,
        stack: &mut Vec<TypeIdx>,
        out: &mut String,
    ) {
        let pad = "  ".repeat(indent);
        if stack.contains(&idx) || stack.len() >= MAX_DEPTH {
            out.push_str(&format!("{pad}(recursive: same as above)\n"));
            return;
        }
        stack.push(idx);
        match ty.get(idx) {
            TypeDef::Object {
                props, additional, ..
            } => {
                for p in props {
                    text_prop(ty, p, indent, stack, out);
                }
                match additional {
                    // A map: its values are what matters.
                    Some(a) if props.is_empty() => text_nested(ty, *a, indent, stack, out),
                    Some(a) => {
                        out.push_str(&format!("{pad}<any other key>: {}\n", shown(ty, *a)));
                        text_nested(ty, *a, indent + 1, stack, out);
                    }
                    None => {}
                }
            }
            TypeDef::Discriminated {
                discriminator,
                base,
                elements,
                ..
            } => {
                for p in base {
                    text_prop(ty, p, indent, stack, out);
                }
                for (value, el) in elements {
                    out.push_str(&format!("{pad}when {discriminator} = '{value}':\n"));
                    text_members(ty, *el, indent + 1, stack, out);
                }
            }
            _ => {}
        }
        stack.pop();
    }

    /// Expands what a property's type holds: an object's members, an array's item object.
    fn text_nested(
        ty: &ResourceType,
        idx: TypeIdx,
        indent: usize,
        stack: &mut Vec<TypeIdx>,
        out: &mut String,
    ) {
        match ty.get(idx) {
            TypeDef::Object { .. } | TypeDef::Discriminated { .. } => {
                text_members(ty, idx, indent, stack, out)
            }
            TypeDef::Array { item, .. } => text_nested(ty, *item, indent, stack, out),
            _ => {}
        }
    }

    /// A type in one line, enums in full: "'Hot' | 'Cool' | string", "map of string".
    fn shown(ty: &ResourceType, idx: TypeIdx) -> String {
        match ty.get(idx) {
            TypeDef::Object {
                additional: Some(a),
                props,
                ..
            } if props.is_empty() => {
                format!("map of {}", shown(ty, *a))
            }
            TypeDef::Array { item, .. } => format!("array of {}", shown(ty, *item)),
            TypeDef::Union(members) => {
                let parts: Vec<String> = members.iter().map(|m| describe(ty, *m, 1)).collect();
                let mut unique: Vec<String> = Vec::new();
                for p in parts {
                    if !unique.contains(&p) {
                        unique.push(p);
                    }
                }
                unique.join(" | ")
            }
            _ => describe(ty, idx, 0),
        }
    }

    fn text_prop(
        ty: &ResourceType,
        p: &Prop,
        indent: usize,
        stack: &mut Vec<TypeIdx>,
        out: &mut String,
    ) {
        let pad = "  ".repeat(indent);
        let def = ty.get(p.ty);
        let mut notes: Vec<String> = prop_flags(p, ty).into_iter().map(str::to_string).collect();
        notes.extend(constraints(def));
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!(" [{}]", notes.join(", "))
        };
        out.push_str(&format!("{pad}{}: {}{notes}\n", p.name, shown(ty, p.ty)));
        text_nested(ty, p.ty, indent + 1, stack, out);
    }

    fn to_json(ty: &ResourceType, requested: Option<&str>) -> Value {
        let mut doc = json!({
            "format_version": "1",
            "type": ty.name,
            "api_version": ty.api_version,
            "reference": ty.reference_url(),
            "readable_scopes": scopes(ty.readable_scopes),
            "writable_scopes": scopes(ty.writable_scopes),
            "versions": catalog().versions(&ty.name),
        });
        if let Some(r) = requested {
            doc["requested_api_version"] = json!(r);
        }
        if let Some(parent) = ty.parent_type() {
            doc["parent"] = json!(parent);
        }
        doc["body"] = type_json(ty, ty.body, &mut Vec::new());
        doc
    }

    fn props_json(ty: &ResourceType, props: &[Prop], stack: &mut Vec<TypeIdx>) -> Value {
        let mut m = Map::new();
        for p in props {
            m.insert(
                p.name.clone(),
                json!({"flags": prop_flags(p, ty), "type": type_json(ty, p.ty, stack)}),
            );
        }
        Value::Object(m)
    }

    fn type_json(ty: &ResourceType, idx: TypeIdx, stack: &mut Vec<TypeIdx>) -> Value {
        let def = ty.get(idx);
        let nested = matches!(def, TypeDef::Object { .. } | TypeDef::Discriminated { .. });
        if nested && (stack.contains(&idx) || stack.len() >= MAX_DEPTH) {
            let name = match def {
                TypeDef::Object { name, .. } | TypeDef::Discriminated { name, .. } => name.as_str(),
                _ => "",
            };
            return json!({"kind": "object", "name": name, "recursive": true});
        }
        stack.push(idx);
        let v = match def {
            TypeDef::Any => json!({"kind": "any"}),
            TypeDef::Bool => json!({"kind": "bool"}),
            TypeDef::Int { min, max } => json!({"kind": "int", "min": min, "max": max}),
            TypeDef::String {
                min_len,
                max_len,
                pattern,
                sensitive,
            } => json!({"kind": "string",
                "min_length": min_len, "max_length": max_len, "pattern": pattern, "secret": sensitive}),
            TypeDef::Literal(v) => json!({"kind": "enum", "values": [v], "open": false}),
            TypeDef::Union(members) => {
                let (literals, others) = ty.split_union(members);
                let open = others
                    .iter()
                    .any(|m| matches!(ty.get(*m), TypeDef::String { .. }));
                if !literals.is_empty()
                    && others
                        .iter()
                        .all(|m| matches!(ty.get(*m), TypeDef::String { .. }))
                {
                    json!({"kind": "enum", "values": literals, "open": open})
                } else {
                    let of: Vec<Value> = members.iter().map(|m| type_json(ty, *m, stack)).collect();
                    json!({"kind": "union", "of": of})
                }
            }
            TypeDef::Array {
                item,
                min_len,
                max_len,
            } => json!({"kind": "array",
                "items": type_json(ty, *item, stack), "min_length": min_len, "max_length": max_len}),
            TypeDef::Object {
                name,
                props,
                additional,
                sensitive,
            } => {
                let mut o = json!({"kind": "object", "name": name, "properties": props_json(ty, props, stack)});
                if let Some(a) = additional {
                    o["additional"] = type_json(ty, *a, stack);
                }
                if *sensitive {
                    o["secret"] = json!(true);
                }
                o
            }
            TypeDef::Discriminated {
                name,
                discriminator,
                base,
                elements,
            } => {
                let variants: Map<String, Value> = elements
                    .iter()
                    .map(|(v, el)| (v.clone(), type_json(ty, *el, stack)))
                    .collect();
                json!({"kind": "tagged_union", "name": name, "discriminator": discriminator,
                       "properties": props_json(ty, base, stack), "variants": variants})
            }
        };
        stack.pop();
        strip_nulls(v)
    }

    /// Absent constraints are left out rather than printed as null.
    fn strip_nulls(v: Value) -> Value {
        match v {
            Value::Object(m) => {
                Value::Object(m.into_iter().filter(|(_, v)| !v.is_null()).collect())
            }
            other => other,
        }
    }
}
