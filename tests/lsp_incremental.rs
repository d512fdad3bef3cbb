//! `infra lsp` end to end, edits as editors send them: ranges in UTF-16 positions
//! (incremental sync), many in a row, and files changed on disk behind the server's back.
//! Whatever the server keeps between edits, its diagnostics must be the ones a fresh
//! server (a full analysis) gives for the same text.

mod lsp_client;

use lsp_client::*;
use serde_json::{Value, json};

/// A ranged change replacing `from..to` (line, UTF-16 column) with `text`.
fn ranged(from: (u64, u64), to: (u64, u64), text: &str) -> Value {
    json!({
        "range": {
            "start": { "line": from.0, "character": from.1 },
            "end": { "line": to.0, "character": to.1 },
        },
        "text": text,
    })
}

fn change(client: &mut Client, uri: &str, version: i32, changes: Vec<Value>) {
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": changes }),
    );
}

/// The diagnostics published for `uri` at `version`.
fn diagnostics_at(client: &mut Client, uri: &str, version: i32) -> Vec<Value> {
    let is_match = |m: &Value| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == uri
            && m["params"]["version"] == version
    };
    if let Some(i) = client.backlog.iter().position(is_match) {
        let m = client.backlog.remove(i);
        return m["params"]["diagnostics"].as_array().unwrap().clone();
    }
    loop {
        let m = client.recv();
        if is_match(&m) {
            return m["params"]["diagnostics"].as_array().unwrap().clone();
        }
    }
}

/// What a server that sees `text` for the first time publishes for it.
fn fresh_diagnostics(uri: &str, text: &str) -> Vec<Value> {
    let (mut client, _) = Client::start();
    client.open(uri, text);
    let diags = diagnostics_at(&mut client, uri, 1);
    assert_eq!(client.stop(), Some(0));
    diags
}

#[test]
fn ranged_edits_with_multibyte_text_give_the_diagnostics_of_a_full_analysis() {
    let dir = project();
    let main = dir.path().join("main.infra");
    let uri = uri_of(&main);
    let mut text = std::fs::read_to_string(&main).unwrap();
    text = text.replace("\"kv\"\n\n", "\"kv-😀-é\"\n\n");
    let (mut client, _) = Client::start();
    client.open(&uri, &text);
    assert!(diagnostics_at(&mut client, &uri, 1).is_empty());
    // Line 0 is `let vault_name = "kv-😀-é"`: the emoji counts two UTF-16 units.
    let steps: Vec<(Vec<Value>, &str)> = vec![
        // Replace `é` (after the emoji) with `ü`: columns 24..25.
        (
            vec![ranged((0, 24), (0, 25), "ü")],
            "let vault_name = \"kv-😀-ü\"",
        ),
        // An unknown reference in the key vault, then a second edit in the same message.
        (
            vec![
                ranged((9, 19), (9, 21), "nosuch"),
                ranged((0, 0), (0, 0), "// 😀 first\n"),
            ],
            "resource_group = nosuch",
        ),
        // Break a block open, then close it again.
        (
            vec![ranged((12, 0), (12, 1), "")],
            "rbac           = true\n",
        ),
        (
            vec![ranged((12, 0), (12, 0), "}")],
            "rbac           = true\n}",
        ),
        // Fix the reference.
        (
            vec![ranged((10, 19), (10, 25), "rg")],
            "resource_group = rg",
        ),
    ];
    let mut version = 1;
    for (changes, expect) in steps {
        version += 1;
        let changes_text = changes.clone();
        change(&mut client, &uri, version, changes);
        // Apply the same edits here to know the text the server should hold.
        for c in &changes_text {
            text = apply(&text, c);
        }
        assert!(text.contains(expect), "{text}");
        let diags = diagnostics_at(&mut client, &uri, version);
        assert_eq!(
            diags,
            fresh_diagnostics(&uri, &text),
            "after {changes_text:?}:\n{text}"
        );
    }
    assert_eq!(client.stop(), Some(0));
}

/// Edits that change what other declarations read of one (its type, its name), undone and
/// redone, with diagnostics present when lines move: the server reuses declarations' checks
/// across these, and must still publish what a fresh server does.
#[test]
fn changing_and_renaming_a_let_and_back_gives_the_diagnostics_of_a_full_analysis() {
    let dir = project();
    let main = dir.path().join("main.infra");
    let uri = uri_of(&main);
    let text = std::fs::read_to_string(&main).unwrap();
    // The vault's name reads the `let` (a string is expected).
    let mut text = text.replacen("name           = \"kv\"", "name           = vault_name", 1);
    assert!(text.contains("= vault_name"), "{text}");
    let (mut client, _) = Client::start();
    client.open(&uri, &text);
    assert!(diagnostics_at(&mut client, &uri, 1).is_empty());
    // Line 0 is `let vault_name = "kv"`.
    let steps: Vec<(Value, &str, bool)> = vec![
        (ranged((0, 17), (0, 21), "1"), "let vault_name = 1\n", true),
        (
            ranged((0, 17), (0, 18), "\"kv\""),
            "let vault_name = \"kv\"\n",
            false,
        ),
        (
            ranged((0, 14), (0, 14), "2"),
            "let vault_name2 = \"kv\"\n",
            true,
        ),
        (
            ranged((0, 14), (0, 15), ""),
            "let vault_name = \"kv\"\n",
            false,
        ),
        (
            ranged((0, 14), (0, 14), "2"),
            "let vault_name2 = \"kv\"\n",
            true,
        ),
        (
            ranged((0, 0), (0, 0), "// moved\n"),
            "// moved\nlet vault_name2",
            true,
        ),
        (
            ranged((1, 18), (1, 22), "true"),
            "let vault_name2 = true\n",
            true,
        ),
        (
            ranged((1, 14), (1, 15), ""),
            "let vault_name = true\n",
            true,
        ),
        (
            ranged((1, 17), (1, 21), "\"kv\""),
            "let vault_name = \"kv\"\n",
            false,
        ),
    ];
    for (version, (change_json, expect, errors)) in (2..).zip(steps) {
        change(&mut client, &uri, version, vec![change_json.clone()]);
        text = apply(&text, &change_json);
        assert!(text.contains(expect), "{text}");
        let diags = diagnostics_at(&mut client, &uri, version);
        assert_eq!(!diags.is_empty(), errors, "{diags:?} for\n{text}");
        assert_eq!(diags, fresh_diagnostics(&uri, &text), "for\n{text}");
    }
    assert_eq!(client.stop(), Some(0));
}

/// Applies one ranged change to `text` (UTF-16 columns).
fn apply(text: &str, change: &Value) -> String {
    let offset = |p: &Value| {
        let line = p["line"].as_u64().unwrap() as usize;
        let col = p["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let mut units = 0;
        for (i, c) in text[start..].char_indices() {
            if units >= col {
                return start + i;
            }
            units += c.len_utf16();
        }
        text.len()
    };
    let (from, to) = (
        offset(&change["range"]["start"]),
        offset(&change["range"]["end"]),
    );
    format!(
        "{}{}{}",
        &text[..from],
        change["text"].as_str().unwrap(),
        &text[to..]
    )
}

#[test]
fn a_file_changed_on_disk_is_read_again() {
    let dir = project();
    let main = dir.path().join("main.infra");
    let outputs = dir.path().join("outputs.infra");
    let uri = uri_of(&main);
    let outputs_uri = uri_of(&outputs);
    let (mut client, _) = Client::start();
    let text = std::fs::read_to_string(&main).unwrap();
    client.open(&uri, &text);
    assert!(client.diagnostics_for(&outputs_uri, |_| true).is_empty());
    // Another program breaks the file that is not open.
    std::fs::write(&outputs, "output name = vault_nam\n").unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": outputs_uri, "type": 2 }] }),
    );
    let diags = client.diagnostics_for(&outputs_uri, |d| !d.is_empty());
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert!(diags[0]["message"].as_str().unwrap().contains("vault_nam"));
    // And an edit afterwards still sees the new text on disk.
    change(
        &mut client,
        &uri,
        2,
        vec![ranged((0, 4), (0, 14), "vault_nam")],
    );
    assert!(
        client
            .diagnostics_for(&outputs_uri, |d| d.is_empty())
            .is_empty()
    );
    assert_eq!(client.stop(), Some(0));
}
