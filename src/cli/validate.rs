//! `infra validate [DIR] [--env E] [--format human|json]`: parse, resolve, type-check,
//! graph-check and, for an environment, evaluate. No cloud call. Exit 0 ok, 1 errors.

use super::host::ProcessHost;
use super::output::{Output, count_summary};
use super::schemas;
use infra_lang::check::{CheckOptions, check_with};
use infra_lang::diag::{self, render};
use infra_lang::eval::{NoKnowledge, evaluate};
use infra_lang::project::Project;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The project folder.
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Also evaluate for this environment (its params, target and state).
    #[arg(long)]
    env: Option<String>,
    /// Diagnostics for people (human) or for tools (json, on stdout).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

#[derive(clap::ValueEnum, Clone, Copy, PartialEq, Eq)]
enum Format {
    Human,
    Json,
}

pub fn run(args: Args, out: &Output) -> u8 {
    let project = match Project::load(&args.dir) {
        Ok(p) => p,
        Err(e) => {
            if args.format == Format::Json {
                println!(
                    "{}",
                    serde_json::json!({ "diagnostics": [], "error": e.to_string() })
                );
            }
            eprintln!("error: {e}");
            return 1;
        }
    };
    let schemas = schemas::all();
    let options = CheckOptions {
        environment: args.env.clone(),
    };
    let checked = check_with(&project, &schemas, &options);
    let mut diags = checked.diagnostics.clone();
    let mut resources = None;
    let mut unset = Vec::new();
    if let (Some(program), false, Some(env)) = (&checked.program, checked.has_errors(), &args.env) {
        let host = ProcessHost::lenient(&args.dir);
        match evaluate(program, Some(env), &host, &NoKnowledge) {
            Ok(evaluation) => {
                resources = Some(evaluation.resources.len());
                // Freed by the process's exit, which follows: freeing hundreds of
                // thousands of small allocations one by one is wasted time.
                std::mem::forget(evaluation);
            }
            Err(errors) => diags.extend(errors),
        }
        unset = host.unset_vars();
    }
    diag::sort(&mut diags);
    let failed = diags.iter().any(|d| d.is_error());
    match args.format {
        Format::Json => {
            let mut json = render::to_json(&diags, &project.sources);
            if !unset.is_empty() {
                json["unset_variables"] = serde_json::json!(unset);
            }
            println!("{json}");
        }
        Format::Human => {
            out.diagnostics(&diags, &project.sources);
            if failed {
                eprintln!("validation failed: {}", count_summary(&diags));
            } else {
                let what = match (resources, &args.env) {
                    (Some(n), Some(env)) => {
                        format!("{n} resource instances for environment `{env}`")
                    }
                    _ => "the project".to_string(),
                };
                out.info(&format!("ok: {what} ({})", count_summary(&diags)));
            }
            if !unset.is_empty() {
                out.info(&format!(
                    "note: not set, so validated as unknown values: {} (plan and apply need them)",
                    unset.join(", ")
                ));
            }
        }
    }
    // As the evaluation above: the program (and the syntax trees it shares with the project)
    // go with the process.
    std::mem::forget(checked);
    u8::from(failed)
}
