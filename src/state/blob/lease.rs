//! The remote lock: a finite lease on the state blob, renewed by a heartbeat thread, with who
//! holds it in the blob's metadata. A killed holder stops renewing, so its lease expires by
//! itself; `infra state unlock` breaks it at once.

use super::BlobError;
use super::client::Client;
use crate::state::lock::{LockError, LockInfo};
use std::sync::mpsc::{RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

pub const DEFAULT_LEASE_SECONDS: u64 = 60;

/// `INFRA_LEASE_SECONDS` (15..=60, the service's bounds for a finite lease), else 60.
pub fn lease_seconds() -> u64 {
    std::env::var("INFRA_LEASE_SECONDS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(|s| s.clamp(15, 60))
        .unwrap_or(DEFAULT_LEASE_SECONDS)
}

/// Metadata names must be C# identifiers, values ASCII.
pub fn to_metadata(info: &LockInfo) -> Vec<(String, String)> {
    let ascii = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_graphic() || c == ' ' {
                    c
                } else {
                    '?'
                }
            })
            .collect()
    };
    vec![
        ("infraowner".into(), ascii(&info.owner)),
        ("infrahost".into(), ascii(&info.host)),
        ("infrapid".into(), info.pid.to_string()),
        ("infrasince".into(), info.since_unix.to_string()),
        ("infrarunid".into(), ascii(&info.run_id)),
        ("infraoperation".into(), ascii(&info.operation)),
    ]
}

pub fn from_metadata(m: &std::collections::BTreeMap<String, String>) -> Option<LockInfo> {
    let get = |k: &str| m.get(k).cloned();
    Some(LockInfo {
        owner: get("infraowner")?,
        host: get("infrahost")?,
        pid: get("infrapid")?.parse().ok()?,
        since_unix: get("infrasince")?.parse().ok()?,
        run_id: get("infrarunid")?,
        operation: get("infraoperation")?,
    })
}

/// The lease this process holds, shared with the store (every write carries its id).
#[derive(Debug, Default)]
pub struct Held {
    pub lease_id: String,
    pub metadata: Vec<(String, String)>,
}

pub type SharedLease = Arc<Mutex<Option<Held>>>;

/// Held while alive: the heartbeat renews the lease; dropping releases it.
pub struct BlobLock {
    client: Client,
    name: String,
    lease: SharedLease,
    stop: Option<Sender<()>>,
    heartbeat: Option<JoinHandle<()>>,
    pub info: LockInfo,
}

impl std::fmt::Debug for BlobLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BlobLock({})", self.name)
    }
}

fn lock_err(e: BlobError) -> LockError {
    LockError::Remote(Box::new(e))
}

/// Takes the lease on `name` (creating an empty blob first if there is none, so that there is
/// something to lease) and records `info` in its metadata.
pub fn acquire(
    client: &Client,
    name: &str,
    unlock: &str,
    info: LockInfo,
    lease: &SharedLease,
) -> Result<BlobLock, LockError> {
    let seconds = lease_seconds();
    let created = client.put(
        name,
        Vec::new(),
        &super::client::Write {
            if_none_match_any: true,
            ..Default::default()
        },
    );
    match created {
        Ok(_) => {}
        // Leased by someone else: it exists; the acquire below reports the holder.
        Err(BlobError::LeaseLost { .. }) => {}
        Err(e) => return Err(lock_err(e)),
    }
    let resp = client
        .lease(
            name,
            "acquire",
            &[
                ("x-ms-lease-duration", seconds.to_string()),
                ("x-ms-proposed-lease-id", crate::state::new_lineage()),
            ],
        )
        .map_err(lock_err)?;
    if resp.status == 409 {
        let holder = client
            .properties(name)
            .map_err(lock_err)?
            .and_then(|p| from_metadata(&p.metadata));
        return Err(match holder {
            Some(info) => LockError::LeaseHeld {
                info: Box::new(info),
                unlock: unlock.to_string(),
                seconds,
            },
            None => LockError::LeaseHeldUnknown {
                unlock: unlock.to_string(),
                seconds,
            },
        });
    }
    if !resp.is_success() {
        return Err(lock_err(client.lease_error(name, &resp)));
    }
    let lease_id = resp.header("x-ms-lease-id").unwrap_or("").to_string();
    let metadata = to_metadata(&info);
    client
        .set_metadata(name, &lease_id, &metadata)
        .map_err(lock_err)?;
    if let Ok(mut l) = lease.lock() {
        *l = Some(Held {
            lease_id: lease_id.clone(),
            metadata,
        });
    }
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    let hb_client = client.clone();
    let hb_name = name.to_string();
    let every = Duration::from_secs(seconds / 3);
    let heartbeat = std::thread::Builder::new()
        .name("lease-heartbeat".into())
        .spawn(move || {
            loop {
                match stopped.recv_timeout(every) {
                    Err(RecvTimeoutError::Timeout) => {
                        // A failed renewal is retried at the next beat; if the lease is lost
                        // for good, the next write says so.
                        let _ = hb_client.lease(
                            &hb_name,
                            "renew",
                            &[("x-ms-lease-id", lease_id.clone())],
                        );
                    }
                    _ => return,
                }
            }
        })
        .map_err(|e| {
            lock_err(BlobError::Unreachable {
                endpoint: client.location(),
                message: format!("cannot start the lease heartbeat: {e}"),
            })
        })?;
    Ok(BlobLock {
        client: client.clone(),
        name: name.to_string(),
        lease: lease.clone(),
        stop: Some(stop),
        heartbeat: Some(heartbeat),
        info,
    })
}

impl Drop for BlobLock {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(h) = self.heartbeat.take() {
            let _ = h.join();
        }
        let held = self.lease.lock().ok().and_then(|mut l| l.take());
        if let Some(held) = held {
            // Clear the holder first, so that nobody reads a stale one; best effort: if this
            // fails, the lease still expires by itself.
            let _ = self.client.set_metadata(&self.name, &held.lease_id, &[]);
            let _ = self
                .client
                .lease(&self.name, "release", &[("x-ms-lease-id", held.lease_id)]);
        }
    }
}

/// Breaks the lease at once; returns who held it (`None`: nobody did).
pub fn break_lease(client: &Client, name: &str) -> Result<Option<LockInfo>, BlobError> {
    let Some(props) = client.properties(name)? else {
        return Ok(None);
    };
    if props.lease_state != "leased" {
        return Ok(None);
    }
    let holder = from_metadata(&props.metadata);
    let resp = client.lease(name, "break", &[("x-ms-lease-break-period", "0".into())])?;
    if !resp.is_success() && resp.code() != "LeaseNotPresentWithLeaseOperation" {
        return Err(client.lease_error(name, &resp));
    }
    Ok(Some(holder.unwrap_or_else(|| LockInfo {
        owner: "unknown".into(),
        pid: 0,
        host: "unknown".into(),
        since_unix: 0,
        run_id: "unknown".into(),
        operation: "unknown".into(),
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_info_round_trips_through_metadata() {
        let mut info = LockInfo::current("r-1", "apply");
        info.owner = "zoë".into();
        let m: std::collections::BTreeMap<_, _> = to_metadata(&info).into_iter().collect();
        let back = from_metadata(&m).unwrap();
        assert_eq!(back.owner, "zo?");
        assert_eq!((back.run_id.as_str(), back.pid), ("r-1", info.pid));
    }
}
