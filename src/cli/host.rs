//! The real `Host` for the standard library: the process environment and files relative to the
//! project folder. The only place where `env(...)`, `env_secret(...)` and `file(...)` touch the
//! outside world.

use std::path::{Component, Path, PathBuf};

pub struct ProcessHost {
    root: PathBuf,
    /// `Some` for validation: unset variables are unknowns, their names collected here.
    unset: Option<std::cell::RefCell<std::collections::BTreeSet<String>>>,
}

impl ProcessHost {
    pub fn new(root: &Path) -> ProcessHost {
        ProcessHost {
            root: root.to_path_buf(),
            unset: None,
        }
    }

    /// For `validate`: an unset `env()`/`env_secret()` without a default is an unknown.
    pub fn lenient(root: &Path) -> ProcessHost {
        ProcessHost {
            root: root.to_path_buf(),
            unset: Some(Default::default()),
        }
    }

    /// The variables read as unknown because they were unset, sorted.
    pub fn unset_vars(&self) -> Vec<String> {
        self.unset
            .as_ref()
            .map(|u| u.borrow().iter().cloned().collect())
            .unwrap_or_default()
    }
}

/// Whether the local emulator backs PostgreSQL flexible servers with real clusters:
/// `INFRA_EMULATOR_POSTGRES=off` says no; otherwise yes when the PostgreSQL server programs are
/// installed (`initdb`/`pg_ctl` on PATH, `INFRA_PG_BIN`, /usr/lib/postgresql).
pub fn emulator_postgres() -> bool {
    let off = std::env::var("INFRA_EMULATOR_POSTGRES").is_ok_and(|v| {
        matches!(
            v.to_ascii_lowercase().as_str(),
            "off" | "0" | "false" | "no"
        )
    });
    !off && infra_provider_postgres::cluster::find_bin().is_some()
}

impl infra_stdlib::Host for ProcessHost {
    fn env_var(&self, name: &str) -> Option<String> {
        // A configuration may ask whether the local emulator's servers are real PostgreSQL
        // (`env("INFRA_EMULATOR_POSTGRES", "off") == "on"`): the answer, not what was set.
        if name == "INFRA_EMULATOR_POSTGRES" {
            return Some(if emulator_postgres() { "on" } else { "off" }.to_string());
        }
        std::env::var(name).ok()
    }

    fn unset_is_unknown(&self) -> bool {
        self.unset.is_some()
    }

    fn note_unset(&self, name: &str) {
        if let Some(u) = &self.unset {
            u.borrow_mut().insert(name.to_string());
        }
    }

    fn read_file(&self, path: &str) -> Result<String, String> {
        let rel = Path::new(path);
        // Files outside the project would make a plan depend on the machine it runs on.
        if rel.is_absolute() || rel.components().any(|c| matches!(c, Component::ParentDir)) {
            return Err(format!(
                "`{path}` is outside the project folder; file() reads only files inside it"
            ));
        }
        let full = self.root.join(rel);
        std::fs::read_to_string(&full).map_err(|e| format!("cannot read `{path}`: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use infra_stdlib::Host;

    #[test]
    fn file_stays_inside_the_project() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("a.txt"), "hello").expect("write");
        let host = ProcessHost::new(dir.path());
        assert_eq!(host.read_file("a.txt").as_deref(), Ok("hello"));
        assert!(host.read_file("../etc/passwd").is_err());
        assert!(host.read_file("/etc/passwd").is_err());
        let missing = host.read_file("nope.txt").unwrap_err();
        assert!(missing.contains("nope.txt"), "{missing}");
    }
}
