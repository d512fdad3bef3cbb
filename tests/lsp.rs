//! `infra lsp` end to end: the built binary spoken to over stdio with JSON-RPC and
//! Content-Length framing, as an editor does. Each test asserts what the user would see.

mod lsp_client;

use lsp_client::*;
use serde_json::{Value, json};

#[test]
fn initialize_announces_what_the_server_can_do_and_exit_ends_it_cleanly() {
    let (client, init) = Client::start();
    let caps = &init["result"]["capabilities"];
    assert_eq!(caps["textDocumentSync"], 2, "incremental sync: {caps}");
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

/// Runs `infra lsp` on these bytes as its whole input; returns its exit code and stderr.
fn session(input: &[u8]) -> (Option<i32>, String) {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_infra"))
        .arg("lsp")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn frame(v: Value) -> Vec<u8> {
    let body = v.to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

#[test]
fn a_broken_session_ends_with_an_error_that_says_what_was_wrong() {
    let init = frame(
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}),
    );
    let initialized = frame(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
    let exit = frame(json!({"jsonrpc": "2.0", "method": "exit"}));

    let (code, err) = session(b"Content-Length: 17\r\n\r\npassword=hunter2x");
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("malformed LSP payload"), "{err}");
    // What could not be read may be a document with secrets in it: it is not echoed.
    assert!(!err.contains("hunter2"), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    let (code, err) = session(&[init.clone(), initialized.clone(), exit].concat());
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("`exit` without `shutdown`"), "{err}");

    // The editor going away after the handshake is how sessions usually end: no error.
    let (code, err) = session(&[init, initialized].concat());
    assert_eq!(code, Some(0), "{err}");
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

/// A location: its URI, start and end (line, character).
type Place<'a> = (&'a str, (u64, u64), (u64, u64));

#[test]
fn a_cycle_across_files_shows_each_reference_where_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.infra");
    let b = dir.path().join("b.infra");
    std::fs::write(&a, "let a = b\n").unwrap();
    std::fs::write(&b, "\nlet b = \"x-${a}\"\n").unwrap();
    let (a, b) = (uri_of(&a), uri_of(&b));
    let (mut client, _) = Client::start();
    client.open(&a, "let a = b\n");
    let diags = client.diagnostics_for(&a, |d| !d.is_empty());
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0]["code"], "E0400");
    let related = diags[0]["relatedInformation"].as_array().unwrap();
    let places: Vec<Place> = related
        .iter()
        .map(|r| {
            let l = &r["location"];
            (
                l["uri"].as_str().unwrap(),
                pos(&l["range"]["start"]),
                pos(&l["range"]["end"]),
            )
        })
        .collect();
    assert_eq!(
        places,
        vec![(a.as_str(), (0, 8), (0, 9)), (b.as_str(), (1, 13), (1, 14)),]
    );
    assert_eq!(client.stop(), Some(0));
}
