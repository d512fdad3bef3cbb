//! The local state lock: an OS file lock (released by the kernel when the holder dies, so a
//! killed apply never leaves a stale lock) plus a record of who holds it, shown to whoever is
//! refused.

use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LockInfo {
    pub owner: String,
    pub pid: u32,
    pub host: String,
    /// Seconds since the Unix epoch.
    pub since_unix: u64,
    pub run_id: String,
    /// What the holder is doing (`apply`, `plan`...).
    pub operation: String,
}

impl LockInfo {
    /// Describes this process.
    pub fn current(run_id: &str, operation: &str) -> LockInfo {
        let owner = std::env::var("USER")
            .or_else(|_| std::env::var("USERNAME"))
            .unwrap_or_else(|_| "unknown".into());
        let host = std::env::var("HOSTNAME")
            .ok()
            .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "unknown".into());
        let since_unix = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        LockInfo {
            owner,
            pid: std::process::id(),
            host,
            since_unix,
            run_id: run_id.into(),
            operation: operation.into(),
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` without a date crate (days-from-civil, Howard Hinnant's algorithm).
pub fn format_utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "the state is locked by {} (pid {} on host {}) since {}, run id {}, doing `{}`.\n\
         Wait for that run to finish, or stop it (on {}: kill {}). The lock is released as soon as \
         that process ends, even if it is killed; if the lock file is on a network share that \
         kept a dead process's lock, delete {}.",
        .info.owner, .info.pid, .info.host, format_utc(.info.since_unix), .info.run_id,
        .info.operation, .info.host, .info.pid, .path.display()
    )]
    Held { info: Box<LockInfo>, path: PathBuf },
    #[error(
        "the state is locked by another process, which did not record who it is; delete {} if \
         no infra run is active",
        .path.display()
    )]
    HeldUnknown { path: PathBuf },
    #[error(
        "the state is locked by {} (pid {} on host {}) since {}, run id {}, doing `{}`.\n\
         Wait for that run to finish. If that process died, the lease expires by itself within \
         {} s of that process dying; to break it now: {}",
        .info.owner, .info.pid, .info.host, format_utc(.info.since_unix), .info.run_id,
        .info.operation, .seconds, .unlock
    )]
    LeaseHeld {
        info: Box<LockInfo>,
        /// The command that breaks the lock (`infra state unlock --env E ...`).
        unlock: String,
        seconds: u64,
    },
    #[error(
        "the state is locked by another process, which did not record who it is; the lease \
         expires by itself within {seconds} s of that process dying; to break it now: {unlock}"
    )]
    LeaseHeldUnknown { unlock: String, seconds: u64 },
    #[error("cannot lock the state: {0}")]
    Remote(Box<crate::state::blob::BlobError>),
    #[error("{}: cannot lock: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Held while alive; dropping it releases the lock.
#[derive(Debug)]
pub struct StateLock {
    file: File,
    pub info: LockInfo,
}

impl StateLock {
    pub fn acquire(path: &Path, info: LockInfo) -> Result<StateLock, LockError> {
        let io = |e| LockError::Io {
            path: path.to_path_buf(),
            source: e,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                return Err(match serde_json::from_str::<LockInfo>(&text) {
                    Ok(info) => LockError::Held {
                        info: Box::new(info),
                        path: path.to_path_buf(),
                    },
                    Err(_) => LockError::HeldUnknown {
                        path: path.to_path_buf(),
                    },
                });
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        let body = serde_json::to_vec_pretty(&info).unwrap_or_default();
        file.set_len(0).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        file.write_all(&body).map_err(io)?;
        file.sync_data().map_err(io)?;
        Ok(StateLock { file, info })
    }
}

impl Drop for StateLock {
    fn drop(&mut self) {
        // Clear the record first so that nobody reads a stale holder; the kernel drops the
        // lock when the file is closed right after.
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_is_refused_with_holder_and_remedy() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("prod.lock");
        let mut info = LockInfo::current("run-1", "apply");
        info.owner = "alice".into();
        info.host = "build-7".into();
        info.pid = 4242;
        info.since_unix = 1_700_000_000;
        let held = StateLock::acquire(&path, info).unwrap();
        let err = StateLock::acquire(&path, LockInfo::current("run-2", "apply")).unwrap_err();
        let msg = err.to_string();
        for part in [
            "alice",
            "4242",
            "build-7",
            "2023-11-14T22:13:20Z",
            "run-1",
            "kill 4242",
            "apply",
        ] {
            assert!(msg.contains(part), "{part} missing in: {msg}");
        }
        drop(held);
        assert!(StateLock::acquire(&path, LockInfo::current("run-3", "apply")).is_ok());
    }

    #[test]
    fn utc_formatting() {
        assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_utc(951_782_400), "2000-02-29T00:00:00Z");
    }
}
