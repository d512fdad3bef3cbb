//! The emulated host's state file: switches, disks, VMs and other files, as JSON with enums
//! by name (easy to read and to change behind infra's back in tests). Each run takes a lock
//! file, so concurrent scripts see each other's writes.

use serde_json::{Map, Value as Json, json};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

pub struct Host {
    pub doc: Map<String, Json>,
    // Never used: the slots above are always of the right kind; these keep the accessors
    // total without a panic path.
    spare_list: Vec<Json>,
    spare_map: Map<String, Json>,
}

impl Host {
    pub fn load(path: &Path) -> Result<Host, String> {
        let doc = match std::fs::read(path) {
            Ok(bytes) if !bytes.is_empty() => match serde_json::from_slice(&bytes) {
                Ok(Json::Object(m)) => m,
                Ok(_) => {
                    return Err(format!(
                        "{}: the state is not a JSON object",
                        path.display()
                    ));
                }
                Err(e) => return Err(format!("{}: {e}", path.display())),
            },
            Ok(_) => Map::new(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Map::new(),
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        let mut host = Host {
            doc,
            spare_list: Vec::new(),
            spare_map: Map::new(),
        };
        for k in ["switches", "vhds", "vms"] {
            host.doc.entry(k).or_insert_with(|| json!([]));
        }
        host.doc.entry("files").or_insert_with(|| json!({}));
        host.doc.entry("counter").or_insert_with(|| json!(0));
        Ok(host)
    }

    /// The file holds the seed ISOs, whose user data carries passwords (as the real host's disk
    /// does), so it is readable by its owner only (0600), whatever the umask.
    pub fn save(&self, path: &Path) -> Result<(), String> {
        use std::io::Write;
        let text = serde_json::to_string_pretty(&self.doc).map_err(|e| e.to_string())?;
        let tmp = path.with_extension("tmp");
        let _ = std::fs::remove_file(&tmp);
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts
            .open(&tmp)
            .map_err(|e| format!("{}: {e}", tmp.display()))?;
        f.write_all(text.as_bytes())
            .map_err(|e| format!("{}: {e}", tmp.display()))?;
        drop(f);
        std::fs::rename(&tmp, path).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn list(&mut self, key: &str) -> &mut Vec<Json> {
        let slot = self.doc.entry(key).or_insert_with(|| json!([]));
        if !slot.is_array() {
            *slot = json!([]);
        }
        match slot {
            Json::Array(a) => a,
            _ => &mut self.spare_list,
        }
    }

    pub fn files(&mut self) -> &mut Map<String, Json> {
        let slot = self.doc.entry("files").or_insert_with(|| json!({}));
        if !slot.is_object() {
            *slot = json!({});
        }
        match slot {
            Json::Object(m) => m,
            _ => &mut self.spare_map,
        }
    }

    /// Finds by a case-insensitive key (Hyper-V names and Windows paths ignore case).
    pub fn find(&mut self, list: &str, key: &str, value: &str) -> Option<&mut Json> {
        self.list(list).iter_mut().find(|o| {
            o.get(key)
                .and_then(Json::as_str)
                .is_some_and(|v| v.eq_ignore_ascii_case(value))
        })
    }

    fn next(&mut self) -> u64 {
        let n = self.doc.get("counter").and_then(Json::as_u64).unwrap_or(0) + 1;
        self.doc.insert("counter".into(), json!(n));
        n
    }

    /// A fresh lower-case GUID (deterministic per state file).
    pub fn guid(&mut self) -> String {
        let n = self.next();
        format!(
            "{n:08x}-6e1f-4a7b-9c2d-{:012x}",
            n.wrapping_mul(0x9e37_79b9)
        )
    }

    /// Makes sure a base image (a VHDX that exists on the host before infra runs, e.g. the
    /// cloud image a differencing disk starts from) is there: `--image PATH`.
    pub fn ensure_image(&mut self, path: &str) {
        if self.find("vhds", "Path", path).is_some() {
            return;
        }
        let id = self.guid();
        self.list("vhds").push(json!({
            "Path": path, "VhdFormat": "VHDX", "VhdType": "Dynamic",
            "Size": 34_359_738_368_i64, "FileSize": 2_147_483_648_i64, "ParentPath": null,
            "LogicalSectorSize": 512, "DiskIdentifier": id,
        }));
    }

    /// A fresh Hyper-V dynamic MAC (prefix 00155D, FINDINGS §1.3).
    pub fn mac(&mut self) -> String {
        let n = self.next();
        format!("00155D{:06X}", n & 0xff_ffff)
    }
}

/// The lock of one state file, released on drop.
pub struct Lock {
    path: PathBuf,
}

impl Lock {
    pub fn take(state: &Path) -> Result<Lock, String> {
        let mut path = state.as_os_str().to_owned();
        path.push(".lock");
        let path = PathBuf::from(path);
        let start = Instant::now();
        loop {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(_) => return Ok(Lock { path }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    // A holder killed mid-run leaves the file: older than a minute is stale.
                    let stale = std::fs::metadata(&path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| SystemTime::now().duration_since(t).ok())
                        .is_some_and(|age| age > Duration::from_secs(60));
                    if stale {
                        let _ = std::fs::remove_file(&path);
                    } else if start.elapsed() > Duration::from_secs(60) {
                        return Err(format!("{} is held by another run", path.display()));
                    }
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(e) => return Err(format!("{}: {e}", path.display())),
            }
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(all(test, unix))]
mod mode_tests {
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn the_host_file_with_seed_isos_is_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("host.json");
        let host = super::Host::load(&path).unwrap();
        host.save(&path).unwrap();
        host.save(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
