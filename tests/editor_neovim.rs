//! `infra lsp` in a real editor: headless Neovim runs `tests/neovim/lsp_e2e.lua`, which attaches
//! the built binary to a small project, waits for its diagnostics, applies a quick fix and
//! renames a resource across two files, checking the buffers after each step. Needs `nvim`
//! (Debian's `neovim`, 0.7 or later; `.ci/run` installs it).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const MAIN: &str = "resource rg: azure.resource_group {\n  name     = \"rg\"\n  location = \"westeurope\"\n}\n\n\
resource kv: azure.key_vault {\n  name           = \"kv\"\n  resource_group = rg\n  rbca           = true\n}\n";

#[test]
fn neovim_gets_diagnostics_applies_a_quick_fix_and_renames_a_resource_across_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.infra"), MAIN).unwrap();
    std::fs::write(
        dir.path().join("outputs.infra"),
        "output group_name = rg.name\n",
    )
    .unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/neovim/lsp_e2e.lua");
    let nvim = std::env::var("INFRA_TEST_NVIM").unwrap_or_else(|_| "nvim".into());
    let child = Command::new(&nvim)
        .args([
            "--headless",
            "--clean",
            "-n",
            "-i",
            "NONE",
            "-u",
            "NONE",
            "-c",
        ])
        .arg(format!("luafile {}", script.display()))
        .env("INFRA_BIN", env!("CARGO_BIN_EXE_infra"))
        .env("INFRA_PROJECT", dir.path())
        .env("INFRA_REPO", env!("CARGO_MANIFEST_DIR"))
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => panic!(
            "cannot start `{nvim}` ({e}): this test needs Neovim 0.7 or later \
             (`apt-get install neovim`; `.ci/run` installs it)"
        ),
    };
    // The script waits at most a minute per step; a hung Neovim must still end the test.
    let deadline = Instant::now() + Duration::from_secs(300);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("neovim e2e: ok"),
        "Neovim's run failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        out.status
    );
    for step in [
        "diagnostics received",
        "quick fix applied",
        "rename applied in 2 files",
    ] {
        assert!(stdout.contains(step), "missing step `{step}`:\n{stdout}");
    }
}
