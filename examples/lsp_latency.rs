//! Diagnostics latency of the language server on a large file: the time from an edit
//! (`didChange` with the full text) to the `publishDiagnostics` for it, measured through the
//! real message loop over in-process pipes. The file holds Azure resources that
//! reference each other, about 5,000 lines. Edits alternate between introducing a typo'd
//! property and fixing it, so every round re-checks the whole file and changes the result.
//!
//! Usage: `cargo run --release --example lsp_latency -- [LINES] [EDITS]` (defaults 5000, 30).
//! The target of QUALITY.md is diagnostics within 100 ms of an edit; semantic tokens and
//! find references on the same file are timed too (target: under 100 ms).

use lsp_server::{Message, Notification, Request, RequestId};
use serde_json::{Value, json};
use std::io::BufReader;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

/// The editor's end: messages to the server, messages from it.
struct Client {
    sender: Sender<Message>,
    receiver: Receiver<Message>,
}

/// Starts the server on a thread, connected to the returned client by two pipes.
fn start(
    schemas: infra_provider_core::SchemaSet,
) -> (
    Client,
    std::thread::JoinHandle<Result<(), infra::lsp::LspError>>,
) {
    let (server_in, mut to_server) = std::io::pipe().expect("a pipe");
    let (from_server, server_out) = std::io::pipe().expect("a pipe");
    let server = std::thread::spawn(move || {
        infra::lsp::serve_over(BufReader::new(server_in), server_out, schemas)
    });
    let (sender, outgoing) = channel::<Message>();
    std::thread::spawn(move || {
        for m in outgoing {
            if m.write(&mut to_server).is_err() {
                break;
            }
        }
    });
    let (incoming, receiver) = channel();
    std::thread::spawn(move || {
        let mut r = BufReader::new(from_server);
        while let Ok(Some(m)) = Message::read(&mut r) {
            if incoming.send(m).is_err() {
                break;
            }
        }
    });
    (Client { sender, receiver }, server)
}

fn schemas() -> infra_provider_core::SchemaSet {
    let mut set = infra_provider_core::SchemaSet::new();
    set.add(infra_provider_core::builtin::data::data_schema());
    infra_provider_azure::register(&mut set);
    set
}

/// A project file of about `lines` lines: a group, then vaults, secrets and storage
/// accounts referencing it and each other.
fn source(lines: usize) -> String {
    let mut out = String::from(
        "param environment: string = \"bench\"\nlet prefix = \"b-${environment}\"\n\n\
         resource rg: azure.resource_group {\n  name     = \"${prefix}-rg\"\n  location = \"westeurope\"\n}\n\n",
    );
    let mut i = 0;
    while out.lines().count() < lines {
        out.push_str(&format!(
            "resource kv{i}: azure.key_vault {{\n  name           = \"${{prefix}}-kv{i}\"\n  \
             resource_group = rg\n  sku            = \"standard\"\n  rbac           = true\n}}\n\n\
             resource s{i}: azure.key_vault_secret {{\n  vault = kv{i}\n  name  = \"s{i}\"\n  \
             value = upper(\"${{prefix}}-{i}\")\n}}\n\n"
        ));
        i += 1;
    }
    out
}

fn main() {
    let mut args = std::env::args().skip(1);
    let lines: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5000);
    let edits: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(30)
        .max(1);

    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("main.infra");
    let good = source(lines);
    std::fs::write(&path, &good).expect("write the project file");
    // The last vault's `rbac` line, typo'd.
    let at = good.rfind("  rbac ").expect("a vault");
    let bad = format!("{}  rbca {}", &good[..at], &good[at + 7..]);
    let uri = format!("file://{}", path.display());

    let (client, thread) = start(schemas());
    let send = |m: Message| client.sender.send(m).expect("server running");
    send(
        Request::new(
            RequestId::from(1),
            "initialize".into(),
            json!({ "capabilities": {} }),
        )
        .into(),
    );
    let _ = client.receiver.recv();
    send(Notification::new("initialized".into(), json!({})).into());

    // Waits for the diagnostics of the document, returning how many there are.
    let wait = || loop {
        if let Ok(Message::Notification(n)) = client.receiver.recv()
            && n.method == "textDocument/publishDiagnostics"
            && n.params["uri"] == uri.as_str()
        {
            return n.params["diagnostics"].as_array().map_or(0, Vec::len);
        }
    };
    let open = Instant::now();
    send(
        Notification::new(
            "textDocument/didOpen".into(),
            json!({ "textDocument": { "uri": uri, "languageId": "infra", "version": 0, "text": good } }),
        )
        .into(),
    );
    let initial = wait();
    let open_time = open.elapsed();
    assert_eq!(initial, 0, "the generated file is valid");

    let mut times: Vec<Duration> = Vec::with_capacity(edits);
    for version in 1..=edits {
        let (text, expected) = if version % 2 == 1 {
            (&bad, 1)
        } else {
            (&good, 0)
        };
        let start = Instant::now();
        let change: Value = json!({
            "textDocument": { "uri": uri, "version": version },
            "contentChanges": [{ "text": text }],
        });
        send(Notification::new("textDocument/didChange".into(), change).into());
        let got = wait();
        times.push(start.elapsed());
        assert_eq!(got, expected, "diagnostics after edit {version}");
    }
    // Requests on the same file: semantic tokens of the whole file, and the references of
    // `rg` (used by every vault), each answered while nothing else is queued.
    let rg_line = good
        .lines()
        .position(|l| l.starts_with("resource rg:"))
        .unwrap_or(0);
    let requests = [
        (
            "textDocument/semanticTokens/full",
            json!({ "textDocument": { "uri": uri } }),
        ),
        (
            "textDocument/references",
            json!({ "textDocument": { "uri": uri }, "position": { "line": rg_line, "character": 10 },
                    "context": { "includeDeclaration": true } }),
        ),
    ];
    let mut request_times: Vec<(&str, Vec<Duration>, usize)> = Vec::new();
    let mut next_id = 10;
    for (method, params) in requests {
        let mut times = Vec::with_capacity(edits);
        let mut size = 0;
        for _ in 0..edits {
            next_id += 1;
            let start = Instant::now();
            send(Request::new(RequestId::from(next_id), method.into(), params.clone()).into());
            let result = loop {
                if let Ok(Message::Response(r)) = client.receiver.recv()
                    && r.id == RequestId::from(next_id)
                {
                    break r.response_result.unwrap_or(Value::Null);
                }
            };
            times.push(start.elapsed());
            size = result["data"]
                .as_array()
                .map(|d| d.len() / 5)
                .or_else(|| result.as_array().map(Vec::len))
                .unwrap_or(0);
        }
        times.sort();
        request_times.push((method, times, size));
    }

    // Semantic token deltas after an edit (a let added in the middle of the file, then
    // removed): each answers the change since the previous answer's resultId.
    let mut ask = |method: &str, params: Value| {
        next_id += 1;
        send(Request::new(RequestId::from(next_id), method.into(), params).into());
        loop {
            if let Ok(Message::Response(r)) = client.receiver.recv()
                && r.id == RequestId::from(next_id)
            {
                break r.response_result.unwrap_or(Value::Null);
            }
        }
    };
    let full = ask(
        "textDocument/semanticTokens/full",
        json!({ "textDocument": { "uri": uri } }),
    );
    let middle = good.len() / 2;
    let middle = good[..middle].rfind("\nresource ").map_or(0, |i| i + 1);
    let grown = format!("{}let extra = rg\n{}", &good[..middle], &good[middle..]);
    let mut previous = full["resultId"].as_str().unwrap_or_default().to_string();
    let mut delta_times = Vec::with_capacity(edits);
    let mut delta_size = 0;
    for version in edits + 1..=2 * edits {
        let text = if version % 2 == 1 { &grown } else { &good };
        let change: Value = json!({
            "textDocument": { "uri": uri, "version": version },
            "contentChanges": [{ "text": text }],
        });
        send(Notification::new("textDocument/didChange".into(), change).into());
        wait();
        let start = Instant::now();
        let delta = ask(
            "textDocument/semanticTokens/full/delta",
            json!({ "textDocument": { "uri": uri }, "previousResultId": previous }),
        );
        delta_times.push(start.elapsed());
        previous = delta["resultId"].as_str().unwrap_or_default().to_string();
        delta_size = delta["edits"].as_array().map_or(0, |e| {
            e.iter()
                .map(|x| x["data"].as_array().map_or(0, Vec::len) / 5)
                .sum()
        });
    }
    delta_times.sort();
    request_times.push((
        "textDocument/semanticTokens/full/delta",
        delta_times,
        delta_size,
    ));

    send(Request::new(RequestId::from(2), "shutdown".into(), Value::Null).into());
    let _ = client.receiver.recv();
    send(Notification::new("exit".into(), Value::Null).into());
    drop(client);
    match thread.join() {
        Ok(Ok(())) => {}
        Ok(Err(e)) => eprintln!("server error: {e}"),
        Err(_) => eprintln!("server thread panicked"),
    }

    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let pct = |p: usize| times[(times.len() * p / 100).min(times.len() - 1)];
    println!(
        "{} lines, {} bytes; open: {:.1} ms; {} edits: median {:.1} ms, p90 {:.1} ms, max {:.1} ms",
        good.lines().count(),
        good.len(),
        ms(open_time),
        times.len(),
        ms(pct(50)),
        ms(pct(90)),
        ms(times[times.len() - 1]),
    );
    for (method, times, size) in &request_times {
        println!(
            "{method}: {size} results; median {:.1} ms, p90 {:.1} ms, max {:.1} ms",
            ms(times[times.len() / 2]),
            ms(times[(times.len() * 9 / 10).min(times.len() - 1)]),
            ms(times[times.len() - 1]),
        );
    }
}
