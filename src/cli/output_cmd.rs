//! `infra output [NAME] [DIR] --env E [--json] [--show-secrets]`: the root outputs, computed
//! from the configuration and what the state recorded. Secret outputs print as `(secret)`
//! unless `--show-secrets`. A param that cannot be evaluated in this shell (an `env_secret`
//! not set) does not stop it: only the outputs that need it are unknown. Exit 0 / 1.

use super::output::Output;
use super::providers;
use super::run::{self as shared, StateResolver, fail};
use infra_provider_core::Value;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Only this output (printed bare, for scripts).
    name: Option<String>,
    /// The environment whose outputs to show.
    #[arg(long)]
    env: String,
    /// The project folder.
    #[arg(long, default_value = ".")]
    dir: PathBuf,
    /// JSON on stdout.
    #[arg(long)]
    json: bool,
    /// Print secret outputs in clear.
    #[arg(long)]
    show_secrets: bool,
}

/// A value as JSON with its secrets in clear (only for `--show-secrets`).
fn reveal(v: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Value::Secret(inner) => reveal(inner),
        Value::List(items) => J::Array(items.iter().map(reveal).collect()),
        Value::Object(map) => J::Object(map.iter().map(|(k, v)| (k.clone(), reveal(v))).collect()),
        other => other.to_redacted_json(),
    }
}

fn as_json(v: &Value, secret: bool, show: bool) -> serde_json::Value {
    match (secret || v.contains_secret(), show) {
        (true, false) => serde_json::Value::String("(secret)".into()),
        (true, true) => reveal(v),
        (false, _) => v.to_redacted_json(),
    }
}

/// Bare for one output (scripts read it): strings without quotes, the rest as JSON.
fn as_text(v: &Value, secret: bool, show: bool) -> String {
    match as_json(v, secret, show) {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    }
}

pub fn run(args: Args, out: &Output) -> u8 {
    match output(args, out) {
        Ok(()) => 0,
        Err(code) => code,
    }
}

fn output(args: Args, out: &Output) -> Result<(), u8> {
    let checked = shared::load_checked(&args.dir, &args.env, out)?;
    let config = shared::env_config(&checked, &args.env, out)?;
    let store = shared::store_for(&args.dir, &config)?;
    let state = store.peek().map_err(fail)?;
    if state.resources.is_empty() {
        return Err(fail(format!(
            "nothing has been applied to environment `{}` yet; run `infra apply --env {}` first",
            args.env, args.env
        )));
    }
    // Outputs are computed from the state and the providers' predictions: no cloud call, so
    // the emulator need not run.
    let providers =
        providers::for_target(&config.target, config.hyperv.as_ref(), None).map_err(fail)?;
    let resolver = StateResolver {
        state: &state,
        providers: &providers,
    };
    let host = super::host::ProcessHost::new(&checked.dir);
    let evaluation =
        infra_lang::eval::evaluate_lenient(&checked.program, Some(&args.env), &host, &resolver)
            .map_err(|diags| {
                out.diagnostics(&diags, &checked.sources);
                fail(format!(
                    "evaluation for environment `{}` failed (above)",
                    args.env
                ))
            })?;
    let outputs = &evaluation.outputs;
    let unknown: Vec<&str> = outputs
        .iter()
        .filter(|(_, (v, _))| v.contains_unknown())
        .map(|(k, _)| k.as_str())
        .collect();
    if !unknown.is_empty() && !evaluation.unevaluated_params.is_empty() {
        out.info(&format!(
            "note: {} cannot be computed here: it needs the param(s) {}, which could not be \
             evaluated in this shell (an env_secret or env not set?)",
            unknown.join(", "),
            evaluation.unevaluated_params.join(", ")
        ));
    }
    let show = args.show_secrets;
    if let Some(name) = &args.name {
        let Some((v, secret)) = outputs.get(name) else {
            let names: Vec<&str> = outputs.keys().map(String::as_str).collect();
            return Err(fail(format!(
                "no output `{name}`; the outputs are: {}",
                names.join(", ")
            )));
        };
        if args.json {
            println!("{}", as_json(v, *secret, show));
        } else {
            println!("{}", as_text(v, *secret, show));
        }
        return Ok(());
    }
    if args.json {
        let map: serde_json::Map<String, serde_json::Value> = outputs
            .iter()
            .map(|(k, (v, secret))| {
                let body = serde_json::json!({
                    "value": as_json(v, *secret, show),
                    "secret": *secret || v.contains_secret(),
                });
                (k.clone(), body)
            })
            .collect();
        let text = serde_json::to_string_pretty(&serde_json::Value::Object(map));
        println!("{}", text.unwrap_or_default());
    } else {
        for (k, (v, secret)) in outputs {
            println!(
                "{k} = {}",
                infra::render::text::value(&as_json(v, *secret, show))
            );
        }
    }
    Ok(())
}
