//! A small ARM client: endpoint rules, credentials, request budget, retries, LROs, errors.

pub mod auth;
pub mod budget;
pub mod client;
pub mod error;
pub mod lro;
pub mod retry;
pub mod tls;

pub use budget::{BucketSpec, BudgetConfig};
pub use client::{ArmClient, ClientOptions, ClientStats, is_loopback};
pub use error::ArmError;
pub use retry::RetryPolicy;
pub use tls::install_crypto_provider;
