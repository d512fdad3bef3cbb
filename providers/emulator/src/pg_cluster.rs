//! Flexible servers backed by a real PostgreSQL cluster. When the emulator is started with
//! `Config::postgres_clusters` and the PostgreSQL server programs are installed (`initdb`,
//! `pg_ctl` on PATH, in `INFRA_PG_BIN` or under /usr/lib/postgresql), creating a
//! `Microsoft.DBforPostgreSQL/flexibleServers` also starts a cluster on a loopback port, with the
//! server's administrator login and password as its superuser; the server then reports
//! `fullyQualifiedDomainName` as `127.0.0.1:PORT`. A restart applies the
//! `shared_preload_libraries` configuration (the libraries the installation has) and restarts the
//! cluster; a database created through ARM is created in it; deleting the server stops the
//! cluster and removes its files. Clusters stop when the emulator shuts down and start again
//! (same port, same data) when an emulator with the same data folder starts.
//!
//! Clusters are kept here, by server id, rather than in the emulator state, which is plain data
//! written to disk.

use infra_provider_postgres::cluster::{Cluster, Options};
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex, MutexGuard};

struct Backed {
    /// The emulator (its base URL) that started it: its shutdown stops it.
    owner: String,
    cluster: Cluster,
    dir: PathBuf,
    /// Removed with the cluster (in-memory emulators keep nothing).
    temporary: bool,
}

static CLUSTERS: LazyLock<Mutex<HashMap<String, Backed>>> = LazyLock::new(Default::default);

fn clusters() -> MutexGuard<'static, HashMap<String, Backed>> {
    CLUSTERS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Whether clusters can be started here (the programs are installed).
pub(crate) fn available() -> bool {
    infra_provider_postgres::cluster::find_bin().is_some()
}

fn folder(data_dir: Option<&Path>, owner: &str, id: &str) -> (PathBuf, bool) {
    let name = format!("{:016x}", crate::util::fnv(id));
    match data_dir {
        Some(d) => (d.join("postgres").join(name), false),
        None => (
            std::env::temp_dir()
                .join("infra-emulator-postgres")
                .join(format!(
                    "{}-{:x}",
                    std::process::id(),
                    crate::util::fnv(owner)
                ))
                .join(name),
            true,
        ),
    }
}

/// The libraries of a `shared_preload_libraries` value that the installation has: preloading
/// a missing one would keep the server from starting (Azure's default names pg_cron, and
/// timescaledb is not packaged everywhere); a missing extension then fails at
/// `CREATE EXTENSION` with PostgreSQL's own error.
fn preload(cluster: &Cluster, value: &str) -> Vec<String> {
    value
        .split(',')
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| cluster.has_library(s))
        .collect()
}

/// Starts the cluster of a server being created; returns its `host:port`.
pub(crate) fn create(
    data_dir: Option<&Path>,
    owner: &str,
    id: &str,
    login: &str,
    password: &str,
    preload_value: &str,
) -> Result<String, String> {
    let key = id.to_ascii_lowercase();
    if let Some(b) = clusters().get(&key) {
        return Ok(format!("127.0.0.1:{}", b.cluster.port));
    }
    let (dir, temporary) = folder(data_dir, owner, id);
    if dir.exists() {
        // Left by a server of the same id that was deleted while no emulator ran.
        let _ = std::fs::remove_dir_all(&dir);
    }
    let mut options = Options {
        admin: Some((login.to_string(), password.to_string())),
        ..Default::default()
    };
    let mut cluster = Cluster::start(&dir, &options).map_err(|e| e.to_string())?;
    let libs = preload(&cluster, preload_value);
    if !libs.is_empty() {
        options.preload = libs.clone();
        cluster
            .restart_with_preload(&libs)
            .map_err(|e| e.to_string())?;
    }
    let fqdn = format!("127.0.0.1:{}", cluster.port);
    clusters().insert(
        key,
        Backed {
            owner: owner.to_string(),
            cluster,
            dir,
            temporary,
        },
    );
    Ok(fqdn)
}

/// Starts again the cluster of a server recorded by an earlier emulator run.
pub(crate) fn resume(data_dir: &Path, owner: &str, id: &str, body: &Value, private: &Value) {
    let key = id.to_ascii_lowercase();
    if clusters().contains_key(&key) {
        return;
    }
    let Some(port) = body
        .pointer("/properties/fullyQualifiedDomainName")
        .and_then(Value::as_str)
        .and_then(|f| f.strip_prefix("127.0.0.1:"))
        .and_then(|p| p.parse::<u16>().ok())
    else {
        return;
    };
    let (dir, _) = folder(Some(data_dir), owner, id);
    if !Cluster::exists(&dir) {
        return;
    }
    let login = body
        .pointer("/properties/administratorLogin")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let password = private
        .get("administratorLoginPassword")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let options = Options {
        admin: Some((login.to_string(), password.to_string())),
        port: Some(port),
        ..Default::default()
    };
    match Cluster::start(&dir, &options) {
        Ok(cluster) => {
            clusters().insert(
                key,
                Backed {
                    owner: owner.to_string(),
                    cluster,
                    dir,
                    temporary: false,
                },
            );
        }
        Err(e) => eprintln!("emulator: the PostgreSQL cluster of {id} did not start: {e}"),
    }
}

/// Applies `shared_preload_libraries` and restarts (the server's restart action).
pub(crate) fn restart(id: &str, preload_value: &str) -> Result<(), String> {
    let mut all = clusters();
    let Some(b) = all.get_mut(&id.to_ascii_lowercase()) else {
        return Ok(());
    };
    let libs = preload(&b.cluster, preload_value);
    b.cluster
        .restart_with_preload(&libs)
        .map_err(|e| format!("{e}\n{}", b.cluster.log()))
}

/// A new administrator password on an existing server: the cluster's superuser gets it.
pub(crate) fn set_password(id: &str, password: &str) -> Result<(), String> {
    let mut all = clusters();
    let Some(b) = all.get_mut(&id.to_ascii_lowercase()) else {
        return Ok(());
    };
    if b.cluster.password == password {
        return Ok(());
    }
    b.cluster
        .set_admin_password(password)
        .map_err(|e| e.to_string())
}

/// Runs a client program against a server's cluster, if it has one.
pub(crate) fn client(server_id: &str, program: &str, args: &[&str]) -> Result<(), String> {
    let all = clusters();
    let Some(b) = all.get(&server_id.to_ascii_lowercase()) else {
        return Ok(());
    };
    b.cluster
        .client(program, args)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Stops a deleted server's cluster and removes its files.
pub(crate) fn delete(id: &str) {
    let removed = clusters().remove(&id.to_ascii_lowercase());
    if let Some(mut b) = removed {
        b.cluster.stop();
        let _ = std::fs::remove_dir_all(&b.dir);
    }
}

/// Stops the clusters an emulator started (its shutdown); temporary ones are removed.
pub(crate) fn stop_all(owner: &str) {
    let mine: Vec<(String, Backed)> = {
        let mut all = clusters();
        let keys: Vec<String> = all
            .iter()
            .filter(|(_, b)| b.owner == owner)
            .map(|(k, _)| k.clone())
            .collect();
        keys.into_iter()
            .filter_map(|k| all.remove(&k).map(|b| (k, b)))
            .collect()
    };
    for (_, mut b) in mine {
        b.cluster.stop();
        if b.temporary {
            let _ = std::fs::remove_dir_all(&b.dir);
        }
    }
}
