//! `infra schema [TYPE] [--json]`: the resource types and their properties, as the checker
//! knows them. Feeds the generated provider reference.

use super::schemas;
use infra_provider_core::{PropertySchema, ResourceSchema};

#[derive(clap::Args)]
pub struct Args {
    /// Only this type, e.g. azure.key_vault.
    type_name: Option<String>,
    /// Machine-readable output.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> u8 {
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
