//! Running the `infra` binary from tests.

#![allow(dead_code)]

pub mod emulator;
pub mod release;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn infra(args: &[&str], cwd: &Path) -> Output {
    infra_env(args, cwd, &[])
}

/// Runs the binary with a clean, deterministic environment plus `env`.
pub fn infra_env(args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_infra"));
    cmd.args(args).current_dir(cwd).env("NO_COLOR", "1");
    // A local state's key file goes under the configuration folder: keep tests' keys out of
    // the real one.
    cmd.env(
        "XDG_CONFIG_HOME",
        std::env::temp_dir().join("infra-test-config"),
    );
    for var in [
        "PG_PASSWORD",
        "PG_ADMIN_PASSWORD",
        "AZURE_SUBSCRIPTION_ID",
        "BRANCH",
        "IMAGE_TAG",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run infra")
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Writes files into a fresh temporary project folder.
pub fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, text).expect("write");
    }
    dir
}

/// Copies a folder tree, leaving out hidden entries (`.infra/`).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir").flatten() {
        let name = e.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        if e.path().is_dir() {
            copy_dir(&e.path(), &to.join(&name));
        } else {
            std::fs::copy(e.path(), to.join(&name)).expect("copy");
        }
    }
}
