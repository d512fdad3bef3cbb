//! A standalone `infra emulator` process for tests that reach it as Azure is reached: through
//! `target = azure { ... }` and `INFRA_AZURE_ENDPOINT`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

/// The emulator process, and the read end of its stderr kept open while it runs (a closed pipe
/// must not be what stops it).
pub struct Emulator {
    child: std::process::Child,
    _stderr: BufReader<std::process::ChildStderr>,
    /// `http://127.0.0.1:PORT`
    pub base: String,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Emulator {
    /// Starts `infra emulator` with `flags` on a free loopback port, its data in `data`.
    pub fn start(flags: &[&str], data: &std::path::Path) -> Emulator {
        let mut child = Command::new(env!("CARGO_BIN_EXE_infra"))
            .args(["emulator", "--listen", "127.0.0.1:0"])
            .args(flags)
            // Dropped with SIGKILL: no cluster may be left behind (tests that want one
            // stop their emulator with SIGTERM or Ctrl-C).
            .env("INFRA_EMULATOR_POSTGRES", "off")
            .arg("--data")
            .arg(data)
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("start the emulator");
        let mut reader = BufReader::new(child.stderr.take().expect("stderr"));
        let mut first = String::new();
        reader.read_line(&mut first).expect("emulator banner");
        let base = first
            .trim()
            .rsplit(' ')
            .next()
            .filter(|u| u.starts_with("http://127.0.0.1:"))
            .unwrap_or_else(|| panic!("no address in the emulator's banner: {first}"))
            .to_string();
        Emulator {
            child,
            _stderr: reader,
            base,
        }
    }

    /// Stops the emulator with SIGTERM (as a service manager or `docker stop` does) and waits
    /// for it to end.
    pub fn terminate(mut self) {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }

    /// The environment that points `target = azure { ... }` at this emulator.
    pub fn azure_env(&self) -> [(&'static str, &str); 2] {
        [
            ("INFRA_AZURE_ENDPOINT", self.base.as_str()),
            ("AZURE_TENANT_ID", "99999999-0000-0000-0000-000000000000"),
        ]
    }

    /// Sends `method` to `path` (with an optional JSON body) with curl, as a portal user or
    /// the test's own admin calls would; returns the response body. Fails the test on an
    /// HTTP error.
    pub fn send(&self, method: &str, path: &str, body: Option<&str>) -> String {
        let mut cmd = Command::new("curl");
        cmd.args(["-sS", "--fail-with-body", "-X", method])
            .args(["-H", "content-type: application/json"]);
        if let Some(b) = body {
            cmd.args(["--data", b]);
        }
        let out = cmd
            .arg(format!("{}{path}", self.base))
            .output()
            .expect("curl");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "{method} {path}: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        text
    }

    /// A Key Vault `name` in resource group `admin-rg` of `sub`, made through ARM as an
    /// administrator would, outside the project (for a state's `key_vault` or `encryption`).
    pub fn make_vault(&self, sub: &str, name: &str) {
        self.send(
            "PUT",
            &format!("/subscriptions/{sub}/resourceGroups/admin-rg?api-version=2025-04-01"),
            Some(r#"{"location":"westeurope"}"#),
        );
        self.send(
            "PUT",
            &format!(
                "/subscriptions/{sub}/resourceGroups/admin-rg/providers/Microsoft.KeyVault/vaults/{name}?api-version=2026-02-01"
            ),
            Some(
                r#"{"location":"westeurope","properties":{"tenantId":"99999999-0000-0000-0000-000000000000","sku":{"family":"A","name":"standard"},"enableRbacAuthorization":true}}"#,
            ),
        );
    }
}
