//! The TLS crypto of every HTTPS client infra builds: rustls on *ring*. reqwest's own choice,
//! aws-lc-rs, is a C library whose build was the largest single item of a cold build
//! (docs/ci.md, "Build cost"); built with `rustls-no-provider`, reqwest takes the process's
//! default provider and panics without one, so this runs before any client is built.

/// Installs *ring* as the process's rustls provider. Idempotent: a provider already installed
/// (by an earlier call or by the embedding program) stays.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
