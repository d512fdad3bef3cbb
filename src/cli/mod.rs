//! Command-line parsing and dispatch; one file per command.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "infra", version, about = "Infrastructure as code for Azure")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {}

pub fn run() -> ExitCode {
    let _ = Cli::parse();
    ExitCode::SUCCESS
}
