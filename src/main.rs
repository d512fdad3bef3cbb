//! The `infra` command line: the composition root that names concrete providers.

mod cli;

// mimalloc instead of glibc's malloc: a plan allocates a million small objects, where glibc's
// per-chunk header and 32-byte minimum add a sixth to the heap. Measured at 20,000 resources
// (bench/engine.sh): validate 0.76 -> 0.67 s and 90 -> 84 MiB, plan 1.19 -> 0.99 s and 127 -> 115
// MiB, re-plan 148 -> 138 MiB. Built with `no_thp`: with transparent huge pages its arenas
// took 164 MiB on the same re-plan.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    // Every HTTPS client (ARM, Entra, Blob state, any provider's) uses rustls on *ring*.
    infra_provider_azure::arm::install_crypto_provider();
    cli::run()
}
