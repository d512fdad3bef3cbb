//! `infra lsp` end to end, the editing features: rename, references, semantic tokens, code
//! actions, signature help and workspace symbols, over stdio as an editor speaks them.

mod lsp_client;

use lsp_client::*;
use serde_json::{Value, json};

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
    assert!(message.contains("infra state mv 'kv' 'vault'"), "{message}");
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

/// Semantic tokens decoded to (line, start, length, type name, modifier bits).
fn decode(response: &Value, legend: &[String]) -> Vec<(u64, u64, u64, String, u64)> {
    let data: Vec<u64> = response["result"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    let (mut line, mut start) = (0, 0);
    data.chunks(5)
        .map(|t| {
            if t[0] > 0 {
                start = 0;
            }
            line += t[0];
            start += t[1];
            (line, start, t[2], legend[t[3] as usize].clone(), t[4])
        })
        .collect()
}

#[test]
fn semantic_tokens_tell_params_lets_resources_functions_and_types_apart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("main.infra");
    let text = "param env: string\nlet prefix = lower(env)\n\
                resource web: \"Microsoft.Web/sites@2025-03-01\" {\n  name = \"${prefix}-${env}\"\n}\n\
                let names = [for s in [web]: s.name]\n";
    let (mut client, init) = Client::start();
    let legend: Vec<String> =
        init["result"]["capabilities"]["semanticTokensProvider"]["legend"]["tokenTypes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
    client.open(&uri_of(&path), text);
    let response = client.request(
        "textDocument/semanticTokens/full",
        json!({ "textDocument": { "uri": uri_of(&path) } }),
    );
    let tokens = decode(&response, &legend);
    let kind_at = |line: u64, start: u64| {
        tokens
            .iter()
            .find(|t| t.0 == line && t.1 == start)
            .map(|t| (t.2, t.3.as_str()))
            .unwrap_or_else(|| panic!("no token at {line}:{start}: {tokens:?}"))
    };
    assert_eq!(kind_at(0, 6), (3, "parameter"));
    assert_eq!(kind_at(1, 4), (6, "variable"));
    assert_eq!(kind_at(1, 13), (5, "function"));
    assert_eq!(kind_at(1, 19), (3, "parameter"), "a use of the param");
    assert_eq!(kind_at(2, 9), (3, "variable"));
    assert_eq!(
        kind_at(2, 15),
        (30, "type"),
        "the ARM reference, without its quotes"
    );
    assert_eq!(kind_at(3, 2), (4, "property"));
    assert_eq!(kind_at(3, 12), (6, "variable"), "`prefix` inside `${{}}`");
    assert_eq!(kind_at(5, 17), (1, "variable"), "the loop variable");
    assert_eq!(kind_at(5, 31), (4, "property"), "`.name`");
    assert_eq!(client.stop(), Some(0));
}

/// The integers of a semantic tokens answer (`data`, or an edit's `data`).
fn ints(v: &Value) -> Vec<u64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect()
}

#[test]
fn semantic_tokens_delta_turns_the_previous_tokens_into_the_fresh_ones() {
    let dir = tempfile::tempdir().unwrap();
    let uri = uri_of(&dir.path().join("main.infra"));
    let lets: Vec<String> = (0..60)
        .map(|i| format!("let v{i} = \"${{prefix}}-{i}\"\n"))
        .collect();
    let text = format!(
        "param env: string\nlet prefix = lower(env)\n{}",
        lets.concat()
    );
    let (mut client, init) = Client::start();
    assert_eq!(
        init["result"]["capabilities"]["semanticTokensProvider"]["full"]["delta"],
        true
    );
    client.open(&uri, &text);
    let doc = json!({ "uri": uri });
    let first = client.request(
        "textDocument/semanticTokens/full",
        json!({ "textDocument": doc }),
    );
    let old = ints(&first["result"]["data"]);
    let first_id = first["result"]["resultId"].as_str().unwrap().to_string();

    // A new let in the middle that reads the param, and a changed line further down.
    let mut edited = lets.clone();
    edited.insert(30, "let extra = upper(env)\n".into());
    edited[45] = "let v44 = env\n".into();
    let edited = format!(
        "param env: string\nlet prefix = lower(env)\n{}",
        edited.concat()
    );
    client.change(&uri, 2, &edited);
    let delta = client.request(
        "textDocument/semanticTokens/full/delta",
        json!({ "textDocument": doc, "previousResultId": first_id }),
    );
    let result = &delta["result"];
    let delta_id = result["resultId"].as_str().unwrap().to_string();
    assert_ne!(delta_id, first_id, "a new result id: {result}");
    let edits = result["edits"]
        .as_array()
        .unwrap_or_else(|| panic!("a delta: {result}"));
    // Applied as an editor does: on the integer array, last edit first.
    let mut applied = old.clone();
    let mut sorted: Vec<&Value> = edits.iter().collect();
    sorted.sort_by_key(|e| std::cmp::Reverse(e["start"].as_u64().unwrap()));
    let mut sent = 0;
    for e in sorted {
        let start = e["start"].as_u64().unwrap() as usize;
        let delete = e["deleteCount"].as_u64().unwrap() as usize;
        let data = if e["data"].is_null() {
            Vec::new()
        } else {
            ints(&e["data"])
        };
        sent += data.len();
        applied.splice(start..start + delete, data);
    }

    let unchanged = client.request(
        "textDocument/semanticTokens/full/delta",
        json!({ "textDocument": doc, "previousResultId": delta_id }),
    );
    assert_eq!(
        unchanged["result"]["edits"],
        json!([]),
        "nothing changed since"
    );
    let fresh = client.request(
        "textDocument/semanticTokens/full",
        json!({ "textDocument": doc }),
    );
    let fresh = ints(&fresh["result"]["data"]);
    assert_ne!(fresh, old, "the edit changed the tokens");
    assert_eq!(
        applied, fresh,
        "previous tokens + delta = a fresh full answer"
    );
    // One edit from the inserted let to the changed line (two names a line), none of the
    // tokens before or after.
    assert!(
        sent <= 5 * 2 * 17 && sent * 3 < fresh.len(),
        "the delta sends the change, not the document: {sent} of {} integers",
        fresh.len()
    );

    // An id the server no longer holds: the whole tokens again, with a new id.
    let stale = client.request(
        "textDocument/semanticTokens/full/delta",
        json!({ "textDocument": doc, "previousResultId": first_id }),
    );
    assert_eq!(ints(&stale["result"]["data"]), fresh);
    assert!(stale["result"]["resultId"].is_string());
    assert_eq!(client.stop(), Some(0));
}

#[test]
fn code_actions_apply_did_you_mean_add_missing_properties_and_move_a_secret_out() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("main.infra");
    let uri = uri_of(&path);
    let text = "let a = lowr(\"X\")\nresource rg: azure.resource_group {\n  tags = { a = a }\n}\n\
                resource kv: azure.key_vault {\n  name           = \"kv\"\n  resource_group = rg\n}\n\
                resource s: azure.key_vault_secret {\n  vault = kv\n  name  = \"s\"\n  value = \"hunter2\"\n}\n";
    let (mut client, _) = Client::start();
    client.open(&uri, text);
    let diagnostics = client.diagnostics_for(&uri, |d| !d.is_empty());
    let actions = |client: &mut Client, range: Value, diagnostics: Vec<Value>| {
        let r = client.request(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": uri }, "range": range,
                    "context": { "diagnostics": diagnostics } }),
        );
        r["result"].as_array().unwrap().clone()
    };
    let with_code = |code: &str| {
        diagnostics
            .iter()
            .find(|d| d["code"] == code)
            .unwrap_or_else(|| panic!("no {code}: {diagnostics:?}"))
            .clone()
    };

    let typo = with_code("E0600");
    let found = actions(&mut client, typo["range"].clone(), vec![typo.clone()]);
    let edit = &found[0]["edit"]["changes"][&uri][0];
    assert_eq!(found[0]["title"], "Replace with lower");
    assert_eq!(edit["newText"], "lower");
    assert_eq!(pos(&edit["range"]["start"]), (0, 8));
    assert_eq!(pos(&edit["range"]["end"]), (0, 12));

    let missing = with_code("E0302");
    let found = actions(&mut client, missing["range"].clone(), vec![missing.clone()]);
    let add = found
        .iter()
        .find(|a| a["title"] == "Add the missing required properties")
        .unwrap_or_else(|| panic!("{found:?}"));
    let edit = &add["edit"]["changes"][&uri][0];
    assert_eq!(edit["newText"], "  location = \"\"\n  name = \"\"\n");
    assert_eq!(
        pos(&edit["range"]["start"]),
        (3, 0),
        "before the closing brace"
    );

    let range =
        json!({ "start": { "line": 11, "character": 12 }, "end": { "line": 11, "character": 12 } });
    let found = actions(&mut client, range, vec![]);
    let wrap = found
        .iter()
        .find(|a| a["title"].as_str().unwrap().contains("env_secret"))
        .unwrap_or_else(|| panic!("{found:?}"));
    let edit = &wrap["edit"]["changes"][&uri][0];
    assert_eq!(edit["newText"], "env_secret(\"S_VALUE\")");
    assert_eq!(pos(&edit["range"]["start"]), (11, 10));
    assert_eq!(pos(&edit["range"]["end"]), (11, 19));

    let range =
        json!({ "start": { "line": 10, "character": 12 }, "end": { "line": 10, "character": 12 } });
    assert!(
        actions(&mut client, range, vec![]).is_empty(),
        "`name` is no secret: nothing to wrap"
    );
    assert_eq!(client.stop(), Some(0));
}

#[test]
fn signature_help_shows_the_function_and_the_argument_being_typed() {
    let dir = tempfile::tempdir().unwrap();
    let uri = uri_of(&dir.path().join("main.infra"));
    let text = "let a = replace(\"a,b\", \",\", ";
    let (mut client, _) = Client::start();
    client.open(&uri, text);
    let response = client.request(
        "textDocument/signatureHelp",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": text.len() } }),
    );
    let sig = &response["result"]["signatures"][0];
    let label = sig["label"].as_str().unwrap();
    assert!(label.starts_with("replace("), "{label}");
    assert_eq!(response["result"]["activeParameter"], 2);
    let third = sig["parameters"][2]["label"].as_array().unwrap();
    let (from, to) = (
        third[0].as_u64().unwrap() as usize,
        third[1].as_u64().unwrap() as usize,
    );
    assert!(label[from..to].contains(": string"), "{}", &label[from..to]);

    let response = client.request(
        "textDocument/signatureHelp",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 3 } }),
    );
    assert!(response["result"].is_null(), "outside a call: {response}");
    assert_eq!(client.stop(), Some(0));
}

#[test]
fn workspace_symbols_find_names_in_every_file_and_module_of_the_project() {
    let dir = project_with_module();
    let main = dir.path().join("main.infra");
    let (mut client, _) = Client::start();
    client.open(&uri_of(&main), &std::fs::read_to_string(&main).unwrap());
    let response = client.request("workspace/symbol", json!({ "query": "UR" }));
    let mut found: Vec<(String, String)> = response["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let u = s["location"]["uri"].as_str().unwrap();
            let file = u.rsplit('/').take(2).collect::<Vec<_>>();
            (
                s["name"].as_str().unwrap().to_string(),
                format!("{}/{}", file[1], file[0]),
            )
        })
        .collect();
    found.sort();
    let root = dir
        .path()
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(
        found,
        vec![
            ("url".to_string(), "web/main.infra".to_string()),
            ("vault_uri".to_string(), format!("{root}/outputs.infra")),
            ("web_url".to_string(), format!("{root}/web.infra")),
        ]
    );
    assert_eq!(client.stop(), Some(0));
}
