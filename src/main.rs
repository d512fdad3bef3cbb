//! The `infra` command line: the composition root that names concrete providers.

mod cli;

fn main() -> std::process::ExitCode {
    // Every HTTPS client (ARM, Entra, Blob state, any provider's) uses rustls on *ring*.
    infra_provider_azure::arm::install_crypto_provider();
    cli::run()
}
