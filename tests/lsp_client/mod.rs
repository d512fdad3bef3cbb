//! The editor side of the `infra lsp` tests: the built binary spoken to over stdio with
//! JSON-RPC and Content-Length framing, and the sample projects the tests open.
// Each test file uses part of it.
#![allow(dead_code)]

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// Guards against a hung server: long enough for a slow CI machine, so never a timing check.
pub const PATIENCE: Duration = Duration::from_secs(60);

pub struct Client {
    pub child: Child,
    pub stdin: Option<ChildStdin>,
    pub incoming: Receiver<Value>,
    /// Notifications received while waiting for something else.
    pub backlog: Vec<Value>,
    pub next_id: i64,
}

impl Client {
    /// Starts `infra lsp` and completes the `initialize` handshake; returns the result.
    pub fn start() -> (Client, Value) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_infra"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(msg) = read_frame(&mut reader) {
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        let mut client = Client {
            child,
            stdin,
            incoming: rx,
            backlog: Vec::new(),
            next_id: 1,
        };
        let init = client.request(
            "initialize",
            json!({ "processId": null, "rootUri": null, "capabilities": {} }),
        );
        client.notify("initialized", json!({}));
        (client, init)
    }

    pub fn send(&mut self, msg: Value) {
        let body = msg.to_string();
        let stdin = self.stdin.as_mut().unwrap();
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and returns its whole response (`result` or `error`).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let msg = self.recv();
            if msg["id"] == json!(id) && msg.get("method").is_none() {
                return msg;
            }
            self.backlog.push(msg);
        }
    }

    pub fn recv(&mut self) -> Value {
        match self.incoming.recv_timeout(PATIENCE) {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout) => panic!("the server said nothing for {PATIENCE:?}"),
            Err(RecvTimeoutError::Disconnected) => panic!("the server closed its output"),
        }
    }

    /// The next diagnostics published for `uri` that satisfy `accept` (earlier ones, from
    /// intermediate states, are skipped).
    pub fn diagnostics_for(&mut self, uri: &str, accept: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let is_match = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && accept(m["params"]["diagnostics"].as_array().unwrap())
        };
        if let Some(i) = self.backlog.iter().position(is_match) {
            let m = self.backlog.remove(i);
            return m["params"]["diagnostics"].as_array().unwrap().clone();
        }
        loop {
            let m = self.recv();
            if is_match(&m) {
                return m["params"]["diagnostics"].as_array().unwrap().clone();
            }
        }
    }

    pub fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "infra", "version": 1, "text": text } }),
        );
    }

    pub fn change(&mut self, uri: &str, version: i32, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }),
        );
    }

    /// `shutdown` then `exit`; returns the exit code, waiting a bounded time.
    pub fn stop(mut self) -> Option<i32> {
        let response = self.request("shutdown", Value::Null);
        assert!(response.get("error").is_none(), "{response}");
        self.notify("exit", Value::Null);
        drop(self.stdin.take());
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            assert!(
                Instant::now() < deadline,
                "the server did not exit after `exit`"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn read_frame(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            length = v.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

pub fn uri_of(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// A `(line, character)` pair of an LSP position.
pub fn pos(v: &Value) -> (u64, u64) {
    (
        v["line"].as_u64().unwrap(),
        v["character"].as_u64().unwrap(),
    )
}

pub const VAULT: &str = "resource rg: azure.resource_group {\n  name     = \"rg\"\n  location = \"westeurope\"\n}\n\n\
resource kv: azure.key_vault {\n  name           = \"kv\"\n  resource_group = rg\n  rbac           = true\n}\n";

/// A project folder with `main.infra` (the vault) and `outputs.infra` (reading a let of it).
pub fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let main = format!("let vault_name = \"kv\"\n\n{VAULT}");
    std::fs::write(dir.path().join("main.infra"), main).unwrap();
    std::fs::write(
        dir.path().join("outputs.infra"),
        "output name = vault_name\noutput vault_uri = kv.uri\n",
    )
    .unwrap();
    dir
}
/// The `(line, character)` of the `nth` occurrence of `needle` in `text` (ASCII text).
pub fn at(text: &str, needle: &str, nth: usize) -> (u64, u64) {
    let offset = text.match_indices(needle).nth(nth).unwrap().0;
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let character = offset - before.rfind('\n').map_or(0, |i| i + 1);
    (line as u64, character as u64)
}

/// `project()` plus a module `modules/web` whose param and output the root uses.
pub fn project_with_module() -> tempfile::TempDir {
    let dir = project();
    let web = dir.path().join("modules/web");
    std::fs::create_dir_all(&web).unwrap();
    std::fs::write(
        web.join("main.infra"),
        "param site: string\noutput url = \"https://${site}\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("web.infra"),
        "module web = \"./modules/web\" {\n  site = vault_name\n}\noutput web_url = web.url\n",
    )
    .unwrap();
    dir
}

/// One text edit: file name, start, end, new text.
pub type Edit = (String, (u64, u64), (u64, u64), String);

/// The edits of a WorkspaceEdit, sorted.
pub fn edits(response: &Value) -> Vec<Edit> {
    let mut out = Vec::new();
    for (uri, list) in response["result"]["changes"].as_object().unwrap() {
        let file = uri.rsplit_once("/").unwrap().1.to_string();
        let dir = uri.rsplit('/').nth(1).unwrap();
        let name = if dir == "web" {
            format!("web/{file}")
        } else {
            file
        };
        for e in list.as_array().unwrap() {
            out.push((
                name.clone(),
                pos(&e["range"]["start"]),
                pos(&e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            ));
        }
    }
    out.sort();
    out
}
