//! A local release mirror laid out like a GitHub release (`BASE/vVERSION/` holding
//! `infra-VERSION-TARGET.tar.gz` and `SHA256SUMS`), made by scripts/release-build from this test
//! build's binary (`--binary`: packaging a release build would cost ten CPU-minutes per run). The
//! installers are tested against exactly what the release workflow publishes, with no network.

use super::repo;
use std::path::PathBuf;
use std::process::Command;

pub struct Mirror {
    pub root: tempfile::TempDir,
    pub version: String,
    /// The host target the archive is named for (the installers take it from `INFRA_TARGET`,
    /// since they would pick the musl build on Linux).
    pub target: String,
}

impl Mirror {
    pub fn new(version: &str) -> Mirror {
        let root = tempfile::tempdir().expect("tempdir");
        let out = root.path().join(format!("v{version}"));
        let made = Command::new("bash")
            .arg(repo().join("scripts/release-build"))
            .args([
                "--binary",
                env!("CARGO_BIN_EXE_infra"),
                "--version",
                version,
            ])
            .arg("--")
            .arg(host_target())
            .arg(&out)
            .output()
            .expect("run scripts/release-build");
        assert!(
            made.status.success(),
            "scripts/release-build: {}",
            String::from_utf8_lossy(&made.stderr)
        );
        let mirror = Mirror {
            root,
            version: version.to_string(),
            target: host_target(),
        };
        assert!(
            mirror.archive().is_file(),
            "no {}",
            mirror.archive().display()
        );
        mirror
    }

    /// What `INFRA_DOWNLOAD_BASE` / `download-base` point at.
    pub fn base(&self) -> String {
        format!("file://{}", self.root.path().display())
    }

    pub fn archive(&self) -> PathBuf {
        self.root.path().join(format!(
            "v{}/infra-{}-{}.tar.gz",
            self.version, self.version, self.target
        ))
    }

    /// The archive's entry in the release's SHA256SUMS.
    pub fn sha256(&self) -> String {
        let sums = std::fs::read_to_string(
            self.root
                .path()
                .join(format!("v{}/SHA256SUMS", self.version)),
        )
        .expect("SHA256SUMS");
        let file = format!("infra-{}-{}.tar.gz", self.version, self.target);
        sums.lines()
            .find_map(|l| l.strip_suffix(&file).map(|h| h.trim().to_string()))
            .expect("archive listed in SHA256SUMS")
    }
}

/// The target triple of the toolchain building these tests (`rustc -vV`).
pub fn host_target() -> String {
    let out = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .arg("-vV")
        .output()
        .expect("rustc -vV");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        .expect("host line in rustc -vV")
}
