//! install.sh: downloads a pinned release (here from a file:// mirror laid out like a GitHub
//! release), verifies its SHA-256 against SHA256SUMS before unpacking, installs the binary;
//! a tampered archive or a missing entry installs nothing and exits 1.

mod common;
use common::*;
use std::path::Path;
use std::process::Command;

const TARGET: &str = "x86_64-unknown-linux-musl";

/// A release folder `v0.1.0/` holding an archive and SHA256SUMS. The "binary" is a small
/// stand-in (the debug build is hundreds of MB to compress): install.sh is what is under test.
fn release(root: &Path) {
    let name = format!("infra-0.1.0-{TARGET}");
    let stage = root.join("stage").join(&name);
    std::fs::create_dir_all(&stage).unwrap();
    std::fs::write(stage.join("infra"), "#!/bin/sh\necho 'infra 0.1.0'\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(stage.join("infra"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let dir = root.join("v0.1.0");
    std::fs::create_dir_all(&dir).unwrap();
    let tar = Command::new("tar")
        .arg("-czf")
        .arg(dir.join(format!("{name}.tar.gz")))
        .arg("-C")
        .arg(root.join("stage"))
        .arg(&name)
        .status()
        .unwrap();
    assert!(tar.success());
    let sums = Command::new("sha256sum")
        .arg(format!("{name}.tar.gz"))
        .current_dir(&dir)
        .output()
        .unwrap();
    std::fs::write(dir.join("SHA256SUMS"), &sums.stdout).unwrap();
}

fn install(root: &Path, dest: &Path) -> std::process::Output {
    Command::new("sh")
        .arg(repo().join("install.sh"))
        .arg("v0.1.0")
        .arg(dest)
        .env("INFRA_DOWNLOAD_BASE", format!("file://{}", root.display()))
        .env("INFRA_TARGET", TARGET)
        .output()
        .unwrap()
}

#[test]
fn installs_a_verified_release_and_refuses_a_tampered_one() {
    let root = tempfile::tempdir().unwrap();
    release(root.path());
    let dest = root.path().join("bin");
    let out = install(root.path(), &dest);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = Command::new(dest.join("infra"))
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(stdout(&v), "infra 0.1.0\n");
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(dest.join("infra")).unwrap().permissions(),
    );
    assert_eq!(mode & 0o777, 0o755);

    // A different archive under the same name: the checksum no longer matches.
    let archive = root
        .path()
        .join(format!("v0.1.0/infra-0.1.0-{TARGET}.tar.gz"));
    let mut bytes = std::fs::read(&archive).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&archive, bytes).unwrap();
    let other = root.path().join("bin2");
    let out = install(root.path(), &other);
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

    // No version: refused, nothing fetched.
    let out = Command::new("sh")
        .arg(repo().join("install.sh"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("pinned"), "{}", stderr(&out));
}
