//! Azurite, the real Azure Storage emulator, started per test on a free loopback port and
//! killed when the guard is dropped. `bash scripts/test` installs it under `.ci/tools/`.

#![allow(dead_code)]

use infra::state::blob::client::Client;
use infra::state::blob::endpoint;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const CONTAINER: &str = "state";

pub struct Azurite {
    child: Child,
    /// `http://127.0.0.1:PORT/devstoreaccount1`, for `INFRA_BLOB_ENDPOINT`.
    pub endpoint: String,
    _workspace: tempfile::TempDir,
}

impl Drop for Azurite {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn find_binary() -> PathBuf {
    let local =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".ci/tools/node_modules/.bin/azurite-blob");
    if local.exists() {
        return local;
    }
    if let Some(paths) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&paths) {
            let candidate = dir.join("azurite-blob");
            if candidate.exists() {
                return candidate;
            }
        }
    }
    panic!(
        "azurite-blob (the Azure Storage emulator) was not found on PATH nor in .ci/tools; run \
         `bash scripts/test` (which installs it) or `npm i -g azurite`"
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Azurite {
    /// Starts Azurite and creates the `state` container.
    pub fn start() -> Azurite {
        let binary = find_binary();
        let mut last = String::new();
        // A port found free can be taken before Azurite binds it: try a few.
        for _ in 0..3 {
            let port = free_port();
            let workspace = tempfile::tempdir().expect("tempdir");
            let mut child = Command::new(&binary)
                .args([
                    "--silent",
                    "--inMemoryPersistence",
                    "--blobHost",
                    "127.0.0.1",
                ])
                .args(["--blobPort", &port.to_string()])
                .args(["--disableTelemetry", "--skipApiVersionCheck"])
                // With in-memory persistence nothing is written; run it in a scratch folder
                // anyway, in case a version writes a log.
                .current_dir(workspace.path())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
            let deadline = Instant::now() + Duration::from_secs(60);
            let up = loop {
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    break true;
                }
                if let Ok(Some(status)) = child.try_wait() {
                    last = format!("azurite exited with {status}");
                    break false;
                }
                if Instant::now() > deadline {
                    last = "azurite did not accept connections within 60 s".into();
                    break false;
                }
                std::thread::sleep(Duration::from_millis(100));
            };
            if up {
                let a = Azurite {
                    child,
                    endpoint: format!("http://127.0.0.1:{port}/devstoreaccount1"),
                    _workspace: workspace,
                };
                a.client(CONTAINER)
                    .create_container()
                    .expect("create the state container");
                return a;
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("cannot start Azurite: {last}");
    }

    /// A client on `container` with the development account key.
    pub fn client(&self, container: &str) -> Client {
        let e = self.endpoint.clone();
        let vars = move |k: &str| (k == "INFRA_BLOB_ENDPOINT").then(|| e.clone());
        let endpoint = endpoint::resolve("devstoreaccount1", container, &vars).expect("endpoint");
        Client::new(endpoint).expect("client")
    }

    /// The environment for running `infra` against this Azurite.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![("INFRA_BLOB_ENDPOINT", self.endpoint.clone())]
    }
}
