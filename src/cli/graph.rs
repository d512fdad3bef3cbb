//! `infra graph [DIR] --env E [--format dot|json]`: the resource graph of an environment, as
//! evaluated (one node per instance). An edge `a -> b` says `a` depends on `b`. Exit 0 / 1.

use super::output::Output;
use super::run as shared;
use infra_lang::eval::NoKnowledge;
use std::fmt::Write;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The project folder.
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// The environment to evaluate.
    #[arg(long)]
    env: String,
    /// Graphviz (`dot -Tsvg`) or JSON.
    #[arg(long, value_enum, default_value_t = Format::Dot)]
    format: Format,
}

#[derive(clap::ValueEnum, Clone, Copy, PartialEq, Eq)]
enum Format {
    Dot,
    Json,
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// A DOT string literal.
fn quote(s: &str) -> String {
    format!("\"{}\"", escape(s))
}

pub fn run(args: Args, out: &Output) -> u8 {
    let checked = match shared::load_checked(&args.dir, &args.env, out) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let evaluation = match shared::evaluate_with(&checked, &args.env, &NoKnowledge, out) {
        Ok(e) => e,
        Err(code) => return code,
    };
    let resources = &evaluation.resources;
    match args.format {
        Format::Dot => {
            let mut s =
                String::from("digraph infra {\n  rankdir = \"RL\";\n  node [shape = box];\n");
            for r in resources {
                let label = format!("\"{}\\n{}\"", escape(&r.address), escape(&r.type_name));
                let _ = writeln!(s, "  {} [label = {label}];", quote(&r.address));
            }
            for r in resources {
                for d in &r.depends_on {
                    let _ = writeln!(s, "  {} -> {};", quote(&r.address), quote(d));
                }
            }
            s.push_str("}\n");
            print!("{s}");
        }
        Format::Json => {
            let nodes: Vec<serde_json::Value> = resources
                .iter()
                .map(|r| serde_json::json!({"address": r.address, "type": r.type_name}))
                .collect();
            let edges: Vec<serde_json::Value> = resources
                .iter()
                .flat_map(|r| {
                    r.depends_on
                        .iter()
                        .map(|d| serde_json::json!({"from": r.address, "to": d}))
                })
                .collect();
            let doc = serde_json::json!({"format_version": "1", "nodes": nodes, "edges": edges});
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
    }
    0
}
