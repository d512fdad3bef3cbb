//! The host as seen by evaluation. The first evaluation records what functions read (env vars,
//! files), so that re-evaluating one resource later sees exactly the same world without
//! keeping a reference to the caller's host.

use infra_stdlib::Host;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;

/// What functions read during an evaluation. Holds secret values in clear (as the process
/// environment does), so it is never printed.
#[derive(Default, Clone)]
pub(crate) struct HostCache {
    env: BTreeMap<String, Option<String>>,
    files: BTreeMap<String, Result<String, String>>,
    /// The host's [`Host::unset_is_unknown`], kept for replays.
    unset_is_unknown: bool,
}

impl fmt::Debug for HostCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "HostCache({} env vars, {} files)",
            self.env.len(),
            self.files.len()
        )
    }
}

pub(crate) struct RecordingHost<'a> {
    inner: &'a dyn Host,
    cache: RefCell<HostCache>,
}

impl<'a> RecordingHost<'a> {
    pub fn new(inner: &'a dyn Host) -> Self {
        RecordingHost {
            inner,
            cache: RefCell::new(HostCache {
                unset_is_unknown: inner.unset_is_unknown(),
                ..HostCache::default()
            }),
        }
    }
    pub fn into_cache(self) -> HostCache {
        self.cache.into_inner()
    }
}

impl Host for RecordingHost<'_> {
    fn env_var(&self, name: &str) -> Option<String> {
        if let Some(v) = self.cache.borrow().env.get(name) {
            return v.clone();
        }
        let v = self.inner.env_var(name);
        self.cache
            .borrow_mut()
            .env
            .insert(name.to_string(), v.clone());
        v
    }
    fn read_file(&self, path: &str) -> Result<String, String> {
        if let Some(v) = self.cache.borrow().files.get(path) {
            return v.clone();
        }
        let v = self.inner.read_file(path);
        self.cache
            .borrow_mut()
            .files
            .insert(path.to_string(), v.clone());
        v
    }
    fn unset_is_unknown(&self) -> bool {
        self.inner.unset_is_unknown()
    }
    fn note_unset(&self, name: &str) {
        self.inner.note_unset(name);
    }
}

/// Answers from a recorded cache only.
pub(crate) struct ReplayHost<'a>(pub &'a HostCache);

impl Host for ReplayHost<'_> {
    fn env_var(&self, name: &str) -> Option<String> {
        self.0.env.get(name).cloned().flatten()
    }
    fn read_file(&self, path: &str) -> Result<String, String> {
        self.0
            .files
            .get(path)
            .cloned()
            .unwrap_or_else(|| Err(format!("`{path}` was not read during evaluation")))
    }
    fn unset_is_unknown(&self) -> bool {
        self.0.unset_is_unknown
    }
}
