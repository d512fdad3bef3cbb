//! Command-line parsing and dispatch; one file per command. This is the composition root:
//! the only place that names concrete providers.

mod fmt;
mod host;
mod output;
mod schema;
mod schemas;
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
    /// Rewrite .infra files in the canonical style (comments kept).
    Fmt(fmt::Args),
    /// Parse, resolve, type-check and graph-check a project; no cloud call.
    Validate(validate::Args),
    /// List resource types and their properties.
    Schema(schema::Args),
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let out = output::Output::new(&cli.global);
    let code = match cli.command {
        Command::Fmt(args) => fmt::run(args, &out),
        Command::Validate(args) => validate::run(args, &out),
        Command::Schema(args) => schema::run(args),
    };
    ExitCode::from(code)
}
