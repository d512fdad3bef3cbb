//! A local Azure emulator: an HTTP server that speaks Azure Resource Manager and the
//! Key Vault secrets data plane the way the recorded traffic in the ARM vectors does
//! (status codes, LRO headers, server-filled defaults, error shapes, throttling).
//!
//! The Azure provider talks to it over HTTP exactly as it talks to Azure; nothing in
//! the provider knows it is not the cloud.

mod admin;
mod app;
mod arm;
mod cascade;
mod entra;
mod error;
mod faults;
mod keyvault_data;
mod keyvault_keys;
mod lro;
mod path;
mod pg_cluster;
mod requests;
mod router;
mod schema;
mod server;
mod store;
mod throttle;
mod types;
mod util;

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

pub use faults::{Fault, FaultConfig, FaultRule};
pub use requests::RecordedRequest;
pub use throttle::{Bucket, ThrottleModel};

/// How long writes take, per lower-case ARM type (`microsoft.cache/redis`,
/// `microsoft.dbforpostgresql/flexibleservers/databases`, `microsoft.resources/resourcegroups`).
/// Long-running operations complete this long after they start (checked at each poll);
/// synchronous writes answer after this delay.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Latency {
    pub default: Duration,
    pub per_type: HashMap<String, Duration>,
}

impl Latency {
    pub fn fixed(d: Duration) -> Self {
        Latency {
            default: d,
            per_type: HashMap::new(),
        }
    }
    pub fn for_type(&self, type_key: &str) -> Duration {
        self.per_type
            .get(&type_key.to_ascii_lowercase())
            .copied()
            .unwrap_or(self.default)
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    /// Port 0 picks any free port.
    pub listen: SocketAddr,
    /// Where state is kept (`emulator-state.json`); in memory only when `None`.
    pub data_dir: Option<PathBuf>,
    pub latency: Latency,
    /// `None`: no throttling (headers still report generous remaining counts).
    pub throttle: Option<ThrottleModel>,
    pub faults: FaultConfig,
    /// `Some(d)`: every LRO response and in-progress poll carries `Retry-After: d`
    /// (whole seconds; 0 allowed), so clients poll fast locally. `None`: headers
    /// exactly as recorded (only managed environments send `Retry-After: 5`).
    pub retry_after: Option<Duration>,
    /// When true, requests without `Authorization: Bearer ...` get ARM's 401 or Key
    /// Vault's challenge. Any token is accepted.
    pub require_auth: bool,
    /// Keep the last requests (all methods, ARM and Key Vault) for `requests()` and
    /// `GET /_admin/requests`. Off by default: bodies may carry secrets.
    pub record_requests: bool,
    /// Back each PostgreSQL flexible server with a real cluster on a loopback port when the
    /// PostgreSQL server programs are installed (`pg_cluster.rs`); otherwise, or when false,
    /// servers are ARM data only.
    pub postgres_clusters: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: None,
            latency: Latency::default(),
            throttle: None,
            faults: FaultConfig::default(),
            retry_after: Some(Duration::from_secs(1)),
            require_auth: false,
            record_requests: false,
            postgres_clusters: false,
        }
    }
}

/// Counters for tests and benchmarks.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Stats {
    /// ARM, Key Vault and admin requests by HTTP method.
    pub requests_by_method: BTreeMap<String, u64>,
    /// 429s sent by the throttling model.
    pub throttled: u64,
    /// Faults injected (all kinds, including 429s from fault injection).
    pub faults_injected: u64,
    pub dropped_connections: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot load emulator state: {0}")]
    State(String),
}

/// A running emulator. Dropping it without `shutdown` leaves the server running
/// until the runtime stops.
pub struct Emulator {
    addr: SocketAddr,
    app: Arc<app::App>,
    server: server::ServerHandle,
    clusters: ClusterGuard,
}

impl Emulator {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
    pub fn stats(&self) -> Stats {
        self.app.stats_snapshot()
    }
    /// The requests received so far, oldest first (empty unless `record_requests`).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.app.requests().snapshot()
    }
    /// Forget the recorded requests.
    pub fn clear_requests(&self) {
        self.app.requests().clear();
    }
    /// Replace the fault configuration (same as `POST /_admin/faults`).
    pub fn set_faults(&self, faults: FaultConfig) {
        self.app.set_faults(faults);
    }
    /// Stop accepting, close connections and write the state file.
    pub async fn shutdown(self) {
        self.server.stop().await;
        self.app.flush().await;
        drop(self.clusters);
    }
}

/// Stops the emulator's PostgreSQL clusters when it goes, shut down or dropped: a cluster
/// never outlives its emulator.
struct ClusterGuard(String);

impl Drop for ClusterGuard {
    fn drop(&mut self) {
        pg_cluster::stop_all(&self.0);
    }
}

/// Start the emulator on the current tokio runtime.
pub async fn start(config: Config) -> Result<Emulator, Error> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| Error::Bind {
            addr: config.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| Error::Bind {
        addr: config.listen,
        source,
    })?;
    let app = app::App::new(config, format!("http://{addr}")).map_err(Error::State)?;
    let server = server::spawn(listener, app.clone());
    let clusters = ClusterGuard(app.base_url.clone());
    Ok(Emulator {
        addr,
        app,
        server,
        clusters,
    })
}
