//! `infra lsp` end to end: the built binary spoken to over stdio with JSON-RPC and
//! Content-Length framing, as an editor does. Each test asserts what the user would see.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// Guards against a hung server: long enough for a slow CI machine, so never a timing check.
const PATIENCE: Duration = Duration::from_secs(60);

struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Value>,
    /// Notifications received while waiting for something else.
    backlog: Vec<Value>,
    next_id: i64,
}

impl Client {
    /// Starts `infra lsp` and completes the `initialize` handshake; returns the result.
    fn start() -> (Client, Value) {
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

    fn send(&mut self, msg: Value) {
        let body = msg.to_string();
        let stdin = self.stdin.as_mut().unwrap();
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and returns its whole response (`result` or `error`).
    fn request(&mut self, method: &str, params: Value) -> Value {
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

    fn recv(&mut self) -> Value {
        match self.incoming.recv_timeout(PATIENCE) {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout) => panic!("the server said nothing for {PATIENCE:?}"),
            Err(RecvTimeoutError::Disconnected) => panic!("the server closed its output"),
        }
    }

    /// The next diagnostics published for `uri` that satisfy `accept` (earlier ones, from
    /// intermediate states, are skipped).
    fn diagnostics_for(&mut self, uri: &str, accept: impl Fn(&[Value]) -> bool) -> Vec<Value> {
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

    fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "infra", "version": 1, "text": text } }),
        );
    }

    fn change(&mut self, uri: &str, version: i32, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }),
        );
    }

    /// `shutdown` then `exit`; returns the exit code, waiting a bounded time.
    fn stop(mut self) -> Option<i32> {
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

fn read_frame(reader: &mut impl BufRead) -> Option<Value> {
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

fn uri_of(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// A `(line, character)` pair of an LSP position.
fn pos(v: &Value) -> (u64, u64) {
    (
        v["line"].as_u64().unwrap(),
        v["character"].as_u64().unwrap(),
    )
}

const VAULT: &str = "resource rg: azure.resource_group {\n  name     = \"rg\"\n  location = \"westeurope\"\n}\n\n\
resource kv: azure.key_vault {\n  name           = \"kv\"\n  resource_group = rg\n  rbac           = true\n}\n";

/// A project folder with `main.infra` (the vault) and `outputs.infra` (reading a let of it).
fn project() -> tempfile::TempDir {
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

#[test]
fn initialize_announces_what_the_server_can_do_and_exit_ends_it_cleanly() {
    let (client, init) = Client::start();
    let caps = &init["result"]["capabilities"];
    assert_eq!(caps["textDocumentSync"], 1, "full-text sync: {caps}");
    assert_eq!(caps["hoverProvider"], true);
    assert_eq!(caps["definitionProvider"], true);
    assert_eq!(caps["documentFormattingProvider"], true);
    assert_eq!(caps["documentSymbolProvider"], true);
    assert!(
        caps["completionProvider"]["triggerCharacters"]
            .as_array()
            .unwrap()
            .contains(&json!("."))
    );
    assert_eq!(client.stop(), Some(0));
}

#[test]
fn a_typo_in_a_property_is_reported_where_it_is_and_cleared_once_fixed() {
    let dir = project();
    let main = dir.path().join("main.infra");
    let uri = uri_of(&main);
    let (mut client, _) = Client::start();
    let typo = std::fs::read_to_string(&main)
        .unwrap()
        .replace("rbac ", "rbca ");
    client.open(&uri, &typo);
    let diags = client.diagnostics_for(&uri, |d| !d.is_empty());
    assert_eq!(diags.len(), 1, "{diags:?}");
    let d = &diags[0];
    assert_eq!(d["code"], "E0300");
    assert_eq!(d["severity"], 1, "an error");
    assert!(d["message"].as_str().unwrap().contains("`rbca`"), "{d}");
    assert!(
        d["message"].as_str().unwrap().contains("rbac"),
        "suggests the fix: {d}"
    );
    let line = typo.lines().position(|l| l.contains("rbca")).unwrap() as u64;
    assert_eq!(pos(&d["range"]["start"]), (line, 2));
    assert_eq!(pos(&d["range"]["end"]), (line, 6));
    // The fix, not saved: the diagnostics go away.
    client.change(&uri, 2, &std::fs::read_to_string(&main).unwrap());
    let diags = client.diagnostics_for(&uri, |_| true);
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(client.stop(), Some(0));
}

#[test]
fn unsaved_edits_are_checked_with_the_other_files_of_the_folder() {
    let dir = project();
    let main = dir.path().join("main.infra");
    let outputs = uri_of(&dir.path().join("outputs.infra"));
    let uri = uri_of(&main);
    let (mut client, _) = Client::start();
    let text = std::fs::read_to_string(&main).unwrap();
    client.open(&uri, &text);
    assert!(client.diagnostics_for(&outputs, |_| true).is_empty());
    // Removing the let in the editor breaks the other file, which is not even open.
    client.change(&uri, 2, &text.replace("let vault_name = \"kv\"\n", ""));
    let diags = client.diagnostics_for(&outputs, |d| !d.is_empty());
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert!(diags[0]["message"].as_str().unwrap().contains("vault_name"));
    assert_eq!(pos(&diags[0]["range"]["start"]), (0, 14));
    client.change(&uri, 3, &text);
    assert!(client.diagnostics_for(&outputs, |_| true).is_empty());
    // An edit that changes nothing for the other file does not send its diagnostics again.
    client.change(&uri, 4, &format!("{text}// a comment\n"));
    client.diagnostics_for(&uri, |_| true);
    // Answers come after everything the edit published, so the backlog now holds it all.
    client.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": uri } }),
    );
    assert!(
        !client
            .backlog
            .iter()
            .any(|m| m["params"]["uri"] == outputs.as_str()),
        "{:?}",
        client.backlog
    );
    assert_eq!(client.stop(), Some(0));
}

#[test]
fn completion_in_a_key_vault_lists_its_properties_with_docs() {
    let dir = project();
    let main = dir.path().join("main.infra");
    let uri = uri_of(&main);
    let text = std::fs::read_to_string(&main).unwrap().replace(
        "  rbac           = true\n",
        "  rbac           = true\n  pu\n",
    );
    let (mut client, _) = Client::start();
    client.open(&uri, &text);
    let line = text.lines().position(|l| l == "  pu").unwrap();
    let response = client.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": 4 } }),
    );
    let items = response["result"].as_array().unwrap();
    let find = |label: &str| items.iter().find(|i| i["label"] == label);
    let purge = find("purge_protection").unwrap_or_else(|| panic!("{items:?}"));
    assert_eq!(purge["detail"], "purge_protection: bool");
    assert!(
        purge["documentation"]["value"]
            .as_str()
            .unwrap()
            .contains("cannot be turned off"),
        "{purge}"
    );
    assert_eq!(purge["textEdit"]["newText"], "purge_protection = ");
    assert!(find("sku").is_some() && find("public_network_access").is_some());
    assert!(
        find("uri").is_none(),
        "an output is not offered as an input: {items:?}"
    );
    assert!(find("azure.key_vault").is_none());
    assert_eq!(client.stop(), Some(0));
}

#[test]
fn completion_offers_resource_types_and_enum_values() {
    let dir = tempfile::tempdir().unwrap();
    let uri = uri_of(&dir.path().join("main.infra"));
    let text = "resource kv: azure.key_v\n";
    let (mut client, _) = Client::start();
    client.open(&uri, text);
    let response = client.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 24 } }),
    );
    let items = response["result"].as_array().unwrap();
    let kv = items
        .iter()
        .find(|i| i["label"] == "azure.key_vault")
        .unwrap();
    // Replaces the dotted prefix already typed, not just the last word.
    assert_eq!(pos(&kv["textEdit"]["range"]["start"]), (0, 13));
    let text = VAULT.replace("  rbac           = true\n", "  sku = \n");
    client.change(&uri, 2, &text);
    let line = text.lines().position(|l| l == "  sku = ").unwrap();
    let response = client.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": 8 } }),
    );
    let labels: Vec<&str> = response["result"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["label"].as_str())
        .collect();
    assert_eq!(labels[..2], ["\"standard\"", "\"premium\""]);
    assert_eq!(client.stop(), Some(0));
}

#[test]
fn hover_shows_a_property_type_and_its_docs() {
    let dir = project();
    let main = dir.path().join("main.infra");
    let uri = uri_of(&main);
    let text = std::fs::read_to_string(&main).unwrap();
    let (mut client, _) = Client::start();
    client.open(&uri, &text);
    let line = text.lines().position(|l| l.contains("rbac")).unwrap();
    let response = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": 3 } }),
    );
    let value = response["result"]["contents"]["value"].as_str().unwrap();
    assert!(value.contains("rbac: bool"), "{value}");
    assert!(value.contains("enableRbacAuthorization"), "{value}");
    assert_eq!(response["result"]["contents"]["kind"], "markdown");
    assert_eq!(client.stop(), Some(0));
}

#[test]
fn definition_of_a_let_goes_to_its_declaration_in_another_file() {
    let dir = project();
    let outputs = dir.path().join("outputs.infra");
    let uri = uri_of(&outputs);
    let (mut client, _) = Client::start();
    client.open(&uri, &std::fs::read_to_string(&outputs).unwrap());
    let response = client.request(
        "textDocument/definition",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 17 } }),
    );
    let location = &response["result"];
    assert_eq!(location["uri"], uri_of(&dir.path().join("main.infra")));
    assert_eq!(pos(&location["range"]["start"]), (0, 4));
    assert_eq!(pos(&location["range"]["end"]), (0, 14));
    assert_eq!(client.stop(), Some(0));
}

#[test]
fn formatting_returns_the_canonical_text_and_refuses_broken_syntax() {
    let dir = tempfile::tempdir().unwrap();
    let uri = uri_of(&dir.path().join("main.infra"));
    let (mut client, _) = Client::start();
    client.open(&uri, "let   a=1\nlet bb = a\n");
    let params = json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 2, "insertSpaces": true } });
    let response = client.request("textDocument/formatting", params.clone());
    let edits = response["result"].as_array().unwrap();
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0]["newText"], "let a = 1\nlet bb = a\n");
    assert_eq!(pos(&edits[0]["range"]["start"]), (0, 0));
    assert_eq!(pos(&edits[0]["range"]["end"]), (2, 0));
    client.change(&uri, 2, "let a = 1\nresource {\n");
    let response = client.request("textDocument/formatting", params);
    let message = response["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("syntax error") && message.contains("line 2"),
        "{message}"
    );
    assert!(response.get("result").is_none());
    assert_eq!(client.stop(), Some(0));
}

#[test]
fn document_symbols_outline_the_file() {
    let dir = project();
    let main = dir.path().join("main.infra");
    let uri = uri_of(&main);
    let (mut client, _) = Client::start();
    client.open(&uri, &std::fs::read_to_string(&main).unwrap());
    let response = client.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": uri } }),
    );
    let names: Vec<&str> = response["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["vault_name", "rg", "kv"]);
    assert_eq!(response["result"][2]["detail"], "azure.key_vault");
    assert_eq!(client.stop(), Some(0));
}

fn labels(response: &Value) -> Vec<String> {
    response["result"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i["label"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn completion_of_arm_type_references_lists_types_then_versions() {
    let dir = tempfile::tempdir().unwrap();
    let uri = uri_of(&dir.path().join("main.infra"));
    let text = "resource web: \"Microsoft.Web/si\n";
    let (mut client, _) = Client::start();
    client.open(&uri, text);
    let response = client.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 31 } }),
    );
    let items = response["result"].as_array().unwrap();
    let sites = items
        .iter()
        .find(|i| i["label"] == "Microsoft.Web/sites")
        .unwrap_or_else(|| panic!("{items:?}"));
    // Replaces everything typed inside the quotes with the type at its newest version.
    assert_eq!(pos(&sites["textEdit"]["range"]["start"]), (0, 15));
    assert!(
        sites["textEdit"]["newText"]
            .as_str()
            .unwrap()
            .starts_with("Microsoft.Web/sites@"),
        "{sites}"
    );
    assert!(
        labels(&response)
            .iter()
            .all(|l| l.starts_with("Microsoft.Web/si"))
    );

    let text = "resource web: \"Microsoft.Web/sites@\n";
    client.change(&uri, 2, text);
    let response = client.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 35 } }),
    );
    assert!(
        labels(&response).contains(&"Microsoft.Web/sites@2025-03-01".to_string()),
        "{response}"
    );
    assert_eq!(client.stop(), Some(0));
}

#[test]
fn completion_inside_a_typed_body_offers_its_properties_and_enum_values() {
    let dir = tempfile::tempdir().unwrap();
    let uri = uri_of(&dir.path().join("main.infra"));
    let text = "resource st: \"Microsoft.Storage/storageAccounts@2026-04-01\" {\n  properties = {\n    acc\n  }\n}\n";
    let (mut client, _) = Client::start();
    client.open(&uri, text);
    let response = client.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 2, "character": 7 } }),
    );
    let items = response["result"].as_array().unwrap();
    let tier = items
        .iter()
        .find(|i| i["label"] == "accessTier")
        .unwrap_or_else(|| panic!("{items:?}"));
    assert!(
        tier["detail"].as_str().unwrap().contains("\"Hot\""),
        "{tier}"
    );
    let names = labels(&response);
    assert!(
        !names.contains(&"provisioningState".to_string()),
        "read-only properties are not offered: {names:?}"
    );

    let text = "resource st: \"Microsoft.Storage/storageAccounts@2026-04-01\" {\n  properties = { accessTier = \n}\n";
    client.change(&uri, 2, text);
    let response = client.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 1, "character": 30 } }),
    );
    let names = labels(&response);
    assert!(names.contains(&"\"Cool\"".to_string()), "{names:?}");
    assert_eq!(client.stop(), Some(0));
}

#[test]
fn hover_on_a_typed_resource_shows_constraints_and_the_rest_reference() {
    let dir = tempfile::tempdir().unwrap();
    let uri = uri_of(&dir.path().join("main.infra"));
    let text = "resource st: \"Microsoft.Storage/storageAccounts@2026-04-01\" {\n  name = \"mystore\"\n}\n";
    let (mut client, _) = Client::start();
    client.open(&uri, text);
    let hover = |client: &mut Client, line: u32, character: u32| {
        let r = client.request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } }),
        );
        r["result"]["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let on_type = hover(&mut client, 0, 20);
    assert!(
        on_type.contains("https://learn.microsoft.com/azure/templates/microsoft.storage/2026-04-01/storageaccounts"),
        "{on_type}"
    );
    let on_name = hover(&mut client, 1, 3);
    assert!(on_name.contains("Pattern: `^[a-z0-9]+$`"), "{on_name}");
    assert!(on_name.contains("Length: 3 to 24"), "{on_name}");
    assert_eq!(client.stop(), Some(0));
}

/// The `(line, character)` of the `nth` occurrence of `needle` in `text` (ASCII text).
fn at(text: &str, needle: &str, nth: usize) -> (u64, u64) {
    let offset = text.match_indices(needle).nth(nth).unwrap().0;
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let character = offset - before.rfind('\n').map_or(0, |i| i + 1);
    (line as u64, character as u64)
}

/// `project()` plus a module `modules/web` whose param and output the root uses.
fn project_with_module() -> tempfile::TempDir {
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
type Edit = (String, (u64, u64), (u64, u64), String);

/// The edits of a WorkspaceEdit, sorted.
fn edits(response: &Value) -> Vec<Edit> {
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

#[test]
fn renaming_a_resource_edits_every_file_and_says_which_state_move_to_run() {
    let dir = project_with_module();
    let main = dir.path().join("main.infra");
    let text = std::fs::read_to_string(&main).unwrap();
    let uri = uri_of(&main);
    let (mut client, _) = Client::start();
    client.open(&uri, &text);
    let (line, character) = at(&text, "kv:", 0);
    let response = client.request(
        "textDocument/rename",
        json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character }, "newName": "vault" }),
    );
    assert_eq!(
        edits(&response),
        vec![
            ("main.infra".into(), (7, 9), (7, 11), "vault".into()),
            ("outputs.infra".into(), (1, 19), (1, 21), "vault".into()),
        ],
        "{response}"
    );
    let warning = client
        .backlog
        .iter()
        .find(|m| m["method"] == "window/showMessage")
        .unwrap_or_else(|| panic!("no state move message: {:?}", client.backlog));
    let message = warning["params"]["message"].as_str().unwrap();
    assert!(message.contains("infra state mv kv vault"), "{message}");
    assert_eq!(warning["params"]["type"], 2, "a warning");

    let taken = client.request(
        "textDocument/rename",
        json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character }, "newName": "rg" }),
    );
    assert!(
        taken["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already declared"),
        "{taken}"
    );
    assert_eq!(client.stop(), Some(0));
}

#[test]
fn renaming_a_module_param_and_output_edits_the_module_and_its_callers() {
    let dir = project_with_module();
    let module = dir.path().join("modules/web/main.infra");
    let text = std::fs::read_to_string(&module).unwrap();
    let uri = uri_of(&module);
    let (mut client, _) = Client::start();
    client.open(&uri, &text);
    let (line, character) = at(&text, "site", 0);
    let response = client.request(
        "textDocument/rename",
        json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character }, "newName": "host" }),
    );
    assert_eq!(
        edits(&response),
        vec![
            ("web.infra".into(), (1, 2), (1, 6), "host".into()),
            ("web/main.infra".into(), (0, 6), (0, 10), "host".into()),
            ("web/main.infra".into(), (1, 24), (1, 28), "host".into()),
        ],
        "{response}"
    );

    // The output, renamed from where the root reads it.
    let caller = dir.path().join("web.infra");
    let caller_text = std::fs::read_to_string(&caller).unwrap();
    client.open(&uri_of(&caller), &caller_text);
    let (line, character) = at(&caller_text, "url", 1);
    let response = client.request(
        "textDocument/rename",
        json!({ "textDocument": { "uri": uri_of(&caller) }, "position": { "line": line, "character": character }, "newName": "address" }),
    );
    assert_eq!(
        edits(&response),
        vec![
            ("web.infra".into(), (3, 21), (3, 24), "address".into()),
            ("web/main.infra".into(), (1, 7), (1, 10), "address".into()),
        ],
        "{response}"
    );
    assert!(
        !client
            .backlog
            .iter()
            .any(|m| m["method"] == "window/showMessage"),
        "no state move for a param or an output"
    );
    assert_eq!(client.stop(), Some(0));
}

#[test]
fn references_of_a_let_are_found_in_every_file_of_the_folder() {
    let dir = project_with_module();
    let outputs = dir.path().join("outputs.infra");
    let text = std::fs::read_to_string(&outputs).unwrap();
    let uri = uri_of(&outputs);
    let (mut client, _) = Client::start();
    client.open(&uri, &text);
    let (line, character) = at(&text, "vault_name", 0);
    let references = |client: &mut Client, include: bool| {
        let r = client.request(
            "textDocument/references",
            json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character },
                    "context": { "includeDeclaration": include } }),
        );
        let mut found: Vec<(String, (u64, u64))> = r["result"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                let u = l["uri"].as_str().unwrap();
                (
                    u.rsplit('/').next().unwrap().to_string(),
                    pos(&l["range"]["start"]),
                )
            })
            .collect();
        found.sort();
        found
    };
    assert_eq!(
        references(&mut client, true),
        vec![
            ("main.infra".to_string(), (0, 4)),
            ("outputs.infra".to_string(), (0, 14)),
            ("web.infra".to_string(), (1, 9)),
        ]
    );
    assert_eq!(
        references(&mut client, false).len(),
        2,
        "without the declaration"
    );
    assert_eq!(client.stop(), Some(0));
}
