//! The `infra` command line: the composition root that names concrete providers.

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
