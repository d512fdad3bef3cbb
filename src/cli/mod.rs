//! Command-line parsing and dispatch; one file per command. This is the composition root:
//! the only place that names concrete providers.

mod apply;
mod destroy;
mod emulator;
mod fmt;
mod graph;
mod host;
mod import;
mod init;
mod lock_wait;
mod logs;
mod lsp;
mod output;
mod output_cmd;
mod plan;
mod progress;
mod providers;
mod run;
mod schema;
mod schemas;
mod show;
mod state_cmd;
mod state_keys;
mod state_rekey;
mod validate;

use clap::{Parser, Subcommand, ValueEnum};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "infra",
    version,
    about = "Infrastructure as code for Azure, with its own typed language"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    command: Command,
}

/// Flags every command accepts.
#[derive(clap::Args, Clone, Debug)]
pub struct Global {
    /// When to use colours (NO_COLOR in the environment means never).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Print only errors and requested output.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Print more about what is happening.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Format of log lines on stderr.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// When the state is locked by another run, keep trying this long (30s, 5m, 1h) before
    /// failing; by default fail at once.
    #[arg(long, global = true, value_name = "DURATION", default_value = "0s",
          value_parser = lock_wait::parse_duration)]
    pub lock_timeout: std::time::Duration,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Create a project that plans and applies out of the box.
    Init(init::Args),
    /// Rewrite .infra files in the canonical style (comments kept).
    Fmt(fmt::Args),
    /// Parse, resolve, type-check and graph-check a project; no cloud call.
    Validate(validate::Args),
    /// Compare the configuration with the state and the live objects; print the plan.
    Plan(plan::Args),
    /// Print a plan saved by `infra plan --out` (human, markdown or JSON).
    Show(show::Args),
    /// Carry out a plan: a saved one, or a fresh one after confirmation.
    Apply(apply::Args),
    /// Delete everything in the state, in reverse dependency order.
    Destroy(destroy::Args),
    /// Adopt an existing object into the state.
    Import(import::Args),
    /// Inspect and repair the state.
    State(state_cmd::Args),
    /// Print the outputs (secrets only with --show-secrets).
    Output(output_cmd::Args),
    /// Print the resource graph (Graphviz dot or JSON).
    Graph(graph::Args),
    /// List resource types and their properties.
    Schema(schema::Args),
    /// Run the local Azure emulator (ARM + Key Vault data plane) until Ctrl-C.
    Emulator(emulator::Args),
    /// Language server on stdio, for editors (diagnostics, completion, hover, formatting).
    Lsp(lsp::Args),
}

pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return ExitCode::from(usage_error(&e)),
    };
    logs::set_json(cli.global.log_format == LogFormat::Json);
    let out = output::Output::new(&cli.global);
    let code = match cli.command {
        Command::Init(args) => init::run(args, &out),
        Command::Fmt(args) => fmt::run(args, &out),
        Command::Validate(args) => validate::run(args, &out),
        Command::Plan(args) => plan::run(args, &out),
        Command::Show(args) => show::run(args, &out),
        Command::Apply(args) => apply::run(args, &out),
        Command::Destroy(args) => destroy::run(args, &out),
        Command::Import(args) => import::run(args, &out),
        Command::State(args) => state_cmd::run(args, &out),
        Command::Output(args) => output_cmd::run(args, &out),
        Command::Graph(args) => graph::run(args, &out),
        Command::Schema(args) => schema::run(args),
        Command::Emulator(args) => emulator::run(args),
        Command::Lsp(args) => lsp::run(args),
    };
    ExitCode::from(code)
}

/// Prints clap's message and gives the exit code: 0 for `--help`/`--version`, 1 for a usage
/// error. Clap would exit 2, the code `plan --detailed-exitcode` reserves for "changes", so a
/// pipeline could read a mistyped flag as a plan with changes.
fn usage_error(e: &clap::Error) -> u8 {
    let _ = e.print();
    if e.use_stderr() { 1 } else { 0 }
}
