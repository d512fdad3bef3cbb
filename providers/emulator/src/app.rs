//! Shared server state: the store, faults, throttle buckets, counters, and the
//! background task that persists the store.

use serde_json::Value;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::faults::{FaultConfig, Faults};
use crate::requests::RequestLog;
use crate::store::{self, Dirty, State};
use crate::throttle::Throttle;
use crate::util::Rng;
use crate::{Config, Stats};

pub(crate) struct App {
    pub config: Config,
    pub base_url: String,
    state: Mutex<State>,
    pub rng: Mutex<Rng>,
    pub faults: Mutex<Faults>,
    pub throttle: Throttle,
    stats: Mutex<Stats>,
    requests: Mutex<RequestLog>,
    dirty: Dirty,
    /// Changes acknowledged so far, and the last of them known to be on disk.
    generation: std::sync::atomic::AtomicU64,
    saved: tokio::sync::Mutex<u64>,
    /// Held while a snapshot is taken and written: writers are ordered, so an older snapshot
    /// (the background saver's) can never land over a newer one (an acknowledged write's).
    persisting: tokio::sync::Mutex<()>,
}

/// Poisoned locks are recovered rather than propagated: a panic elsewhere must not
/// turn every later request into a panic.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

tokio::task_local! {
    /// `scheme://host[:port]` as the client addressed this request (its Host header).
    static REQUEST_BASE: String;
}

/// Runs `fut` with URLs it builds based on `base` (see [`App::base`]).
pub(crate) async fn with_request_base<F: std::future::Future>(base: String, fut: F) -> F::Output {
    REQUEST_BASE.scope(base, fut).await
}

impl App {
    /// The base of URLs handed back to the client (operation status, Location): the one the
    /// client used to reach us, so that a proxy or a port-forward keeps working; the
    /// listening address outside a request.
    pub(crate) fn base(&self) -> String {
        REQUEST_BASE
            .try_with(Clone::clone)
            .unwrap_or_else(|_| self.base_url.clone())
    }

    pub(crate) fn new(config: Config, base_url: String) -> Result<Arc<App>, String> {
        let state = match &config.data_dir {
            Some(dir) => store::load(dir)?,
            None => State::default(),
        };
        let app = Arc::new(App {
            rng: Mutex::new(Rng::new(config.faults.seed ^ crate::util::now_ms())),
            faults: Mutex::new(Faults::new(config.faults.clone())),
            throttle: Throttle::new(config.throttle),
            base_url,
            state: Mutex::new(state),
            stats: Mutex::new(Stats::default()),
            requests: Mutex::new(RequestLog::default()),
            dirty: Dirty::default(),
            generation: Default::default(),
            saved: Default::default(),
            persisting: Default::default(),
            config,
        });
        if let (true, Some(dir)) = (app.config.postgres_clusters, &app.config.data_dir)
            && crate::pg_cluster::available()
        {
            let servers: Vec<(String, Value, Value)> = lock(&app.state)
                .resources
                .values()
                .filter(|e| {
                    e.body.get("type").and_then(Value::as_str).is_some_and(|t| {
                        t.eq_ignore_ascii_case("Microsoft.DBforPostgreSQL/flexibleServers")
                    })
                })
                .map(|e| (e.id().to_string(), e.body.clone(), e.private.clone()))
                .collect();
            for (id, body, private) in servers {
                crate::pg_cluster::resume(dir, &app.base_url, &id, &body, &private);
            }
        }
        if app.config.data_dir.is_some() {
            let weak = Arc::downgrade(&app);
            let dirty = app.dirty.clone();
            tokio::spawn(async move {
                loop {
                    dirty.wait().await;
                    tokio::time::sleep(store::PERSIST_DEBOUNCE).await;
                    let Some(app) = weak.upgrade() else { break };
                    app.persist_now().await;
                }
            });
        }
        Ok(app)
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    pub(crate) fn changed(&self) {
        self.dirty.mark();
    }

    async fn persist_now(&self) {
        let Some(dir) = self.config.data_dir.clone() else {
            return;
        };
        let _order = self.persisting.lock().await;
        let bytes = match serde_json::to_vec(&*self.state()) {
            Ok(b) => b,
            Err(_) => return,
        };
        // A failed write is retried at the next change; the server keeps serving.
        let _ = tokio::task::spawn_blocking(move || store::write_atomic(&dir, &bytes)).await;
    }

    /// Saves a write before it is acknowledged, so that a stop right after the answer (a
    /// SIGTERM, a crash) loses nothing the client was told is done. Writers arriving while a
    /// save runs are covered by the next one, which takes them all.
    pub(crate) async fn save_acknowledged(&self) {
        use std::sync::atomic::Ordering;
        if self.config.data_dir.is_none() {
            return;
        }
        let mine = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        let mut saved = self.saved.lock().await;
        if *saved >= mine {
            return;
        }
        let upto = self.generation.load(Ordering::SeqCst);
        self.persist_now().await;
        *saved = upto;
    }

    pub(crate) async fn flush(&self) {
        self.persist_now().await;
    }

    pub(crate) fn guid(&self) -> String {
        lock(&self.rng).guid()
    }

    pub(crate) fn with_rng<T>(&self, f: impl FnOnce(&mut Rng) -> T) -> T {
        f(&mut lock(&self.rng))
    }

    pub(crate) fn stats(&self) -> MutexGuard<'_, Stats> {
        lock(&self.stats)
    }

    pub(crate) fn stats_snapshot(&self) -> Stats {
        self.stats().clone()
    }

    pub(crate) fn requests(&self) -> MutexGuard<'_, RequestLog> {
        lock(&self.requests)
    }

    pub(crate) fn faults(&self) -> MutexGuard<'_, Faults> {
        lock(&self.faults)
    }

    pub(crate) fn set_faults(&self, config: FaultConfig) {
        *self.faults() = Faults::new(config);
    }

    /// Back to an empty cloud, zero counters, the configured faults.
    pub(crate) fn reset(&self) {
        *self.state() = State::default();
        *self.stats() = Stats::default();
        self.requests().clear();
        self.set_faults(self.config.faults.clone());
        self.throttle.reset();
        self.changed();
    }
}
