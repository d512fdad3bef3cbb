//! install.sh against what the release workflow publishes: a mirror laid out like a GitHub
//! release, its archive and SHA256SUMS made by scripts/release-build (packaging this test
//! build's binary with `--binary`, so no release build is needed), fetched over file://. The
//! installer verifies the SHA-256 before unpacking and installs a binary that runs; a tampered
//! archive, a wrong `INFRA_SHA256` pin or a missing entry installs nothing and exits 1.

mod common;
use common::release::Mirror;
use common::*;
use std::path::Path;
use std::process::{Command, Output};

fn install(mirror: &Mirror, version: &str, dest: &Path, sha256: Option<&str>) -> Output {
    let mut cmd = Command::new("sh");
    cmd.arg(repo().join("install.sh"))
        .arg(version)
        .arg(dest)
        .env("INFRA_DOWNLOAD_BASE", mirror.base())
        .env("INFRA_TARGET", &mirror.target)
        .env_remove("INFRA_SHA256");
    if let Some(pin) = sha256 {
        cmd.env("INFRA_SHA256", pin);
    }
    cmd.output().unwrap()
}

#[test]
fn installs_a_verified_release_and_refuses_a_tampered_one() {
    let mirror = Mirror::new("0.1.0");
    let root = tempfile::tempdir().unwrap();
    let dest = root.path().join("bin");
    // A leading `v` is accepted, and the pinned bytes match.
    let out = install(&mirror, "v0.1.0", &dest, Some(&mirror.sha256()));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains(&format!("installed infra 0.1.0 ({})", mirror.target)));
    let v = Command::new(dest.join("infra"))
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(stdout(&v), format!("infra {}\n", env!("CARGO_PKG_VERSION")));
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(dest.join("infra")).unwrap().permissions(),
    );
    assert_eq!(mode & 0o777, 0o755);
    // The archive's binary is stripped: far smaller than the one cargo built.
    let built = std::fs::metadata(env!("CARGO_BIN_EXE_infra"))
        .unwrap()
        .len();
    let installed = std::fs::metadata(dest.join("infra")).unwrap().len();
    assert!(installed < built / 2, "{installed} of {built} bytes");

    // A pin the release does not match: refused before anything is unpacked.
    let pinned = root.path().join("pinned");
    let out = install(&mirror, "0.1.0", &pinned, Some(&"0".repeat(64)));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("pinned INFRA_SHA256"),
        "{}",
        stderr(&out)
    );
    assert!(!pinned.join("infra").exists());

    // A version the mirror does not have.
    let out = install(&mirror, "0.0.9", &root.path().join("none"), None);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cannot download"), "{}", stderr(&out));

    // A different archive under the same name: the checksum no longer matches.
    let mut bytes = std::fs::read(mirror.archive()).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(mirror.archive(), bytes).unwrap();
    let other = root.path().join("bin2");
    let out = install(&mirror, "0.1.0", &other, None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("checksum mismatch"),
        "{}",
        stderr(&out)
    );
    assert!(
        !other.join("infra").exists(),
        "installed despite the mismatch"
    );

    // SHA256SUMS without the archive's entry.
    let sums = mirror.root.path().join("v0.1.0/SHA256SUMS");
    std::fs::write(&sums, "").unwrap();
    let out = install(&mirror, "0.1.0", &other, None);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("lists no"), "{}", stderr(&out));

    // No version: refused, nothing fetched.
    let out = Command::new("sh")
        .arg(repo().join("install.sh"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("pinned"), "{}", stderr(&out));
}
