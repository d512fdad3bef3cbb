//! The wire: LSP messages framed by `Content-Length`, read on one thread and written on
//! another, with the handshake (`initialize`) and the ending (`shutdown`, `exit`).
//!
//! Ours rather than lsp-server's `Connection` for one reason: that one takes every outgoing
//! message as a `serde_json::Value` tree. The largest message, a file's diagnostics, would be
//! copied into such a tree and serialized from it: for a renamed `let` used 6,667 times that
//! cost more than checking the project. Here a message is serialized once, from the server's
//! own data, into the bytes the writer thread sends; the server goes on while the editor
//! reads them. lsp-server still gives the message types and reads incoming frames.

use super::LspError;
use lsp_server::{ErrorCode, Message, Request, RequestId, Response};
use serde::Serialize;
use std::io::{self, BufRead, Write};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, TryRecvError, channel};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// How long to wait for `exit` after answering `shutdown`.
const EXIT_PATIENCE: Duration = Duration::from_secs(30);

/// The server's end of a connection to one editor.
pub struct Link {
    incoming: Receiver<Message>,
    /// Whole frames (header and body), in the order they must reach the editor.
    outgoing: Sender<Vec<u8>>,
}

/// The reading and writing threads; join them once the [`Link`] is dropped.
pub struct IoThreads {
    reader: JoinHandle<io::Result<()>>,
    writer: JoinHandle<io::Result<()>>,
}

impl IoThreads {
    /// After the session failed: waits for what is queued to be written, and returns why the
    /// reader stopped when it did (a malformed message says more than "the editor left").
    /// A reader still blocked on the editor's input is left alone.
    pub fn after_failure(self) -> Option<LspError> {
        let _ = self.writer.join();
        // The reader drops its end of the channel as it returns: give it a moment to finish.
        for _ in 0..50 {
            if self.reader.is_finished() {
                return match self.reader.join() {
                    Ok(Err(e)) => Some(LspError::Io(without_payload(e))),
                    _ => None,
                };
            }
            thread::sleep(Duration::from_millis(2));
        }
        None
    }

    pub fn join(self) -> Result<(), LspError> {
        for handle in [self.reader, self.writer] {
            match handle.join() {
                Ok(result) => result?,
                Err(_) => return Err(LspError::Io(io::Error::other("an I/O thread panicked"))),
            }
        }
        Ok(())
    }
}

/// What `try_recv` found.
pub enum Polled {
    Message(Message),
    Empty,
    Gone,
}

impl Link {
    /// A link over any reader and writer (stdio; pipes in the latency example; buffers in
    /// the tests).
    pub fn over(
        mut input: impl BufRead + Send + 'static,
        mut output: impl Write + Send + 'static,
    ) -> (Link, IoThreads) {
        let (to_server, incoming) = channel();
        let reader = thread::spawn(move || {
            while let Some(msg) = Message::read(&mut input)? {
                let is_exit = matches!(&msg, Message::Notification(n) if n.method == "exit");
                if to_server.send(msg).is_err() || is_exit {
                    break;
                }
            }
            Ok(())
        });
        let (outgoing, to_write) = channel::<Vec<u8>>();
        let writer = thread::spawn(move || {
            for frame in to_write {
                output.write_all(&frame)?;
                output.flush()?;
            }
            Ok(())
        });
        (Link { incoming, outgoing }, IoThreads { reader, writer })
    }

    /// The next message; `None` once the editor has gone.
    pub fn recv(&self) -> Option<Message> {
        self.incoming.recv().ok()
    }

    /// The next message if one is waiting.
    pub fn try_recv(&self) -> Polled {
        match self.incoming.try_recv() {
            Ok(m) => Polled::Message(m),
            Err(TryRecvError::Empty) => Polled::Empty,
            Err(TryRecvError::Disconnected) => Polled::Gone,
        }
    }

    /// Sends a response or a request.
    pub fn send(&self, msg: Message) -> Result<(), LspError> {
        let mut frame = Vec::new();
        msg.write(&mut frame)?;
        self.outgoing.send(frame).map_err(|_| LspError::ClientGone)
    }

    /// Sends a notification, serializing `params` straight into the frame.
    pub fn notify<P: Serialize>(&self, method: &str, params: &P) -> Result<(), LspError> {
        #[derive(Serialize)]
        struct Notification<'a, P> {
            jsonrpc: &'static str,
            method: &'a str,
            params: &'a P,
        }
        let body = serde_json::to_vec(&Notification {
            jsonrpc: "2.0",
            method,
            params,
        })?;
        self.outgoing
            .send(frame(&body))
            .map_err(|_| LspError::ClientGone)
    }

    /// Sends a notification whose params are already JSON (the caller vouches for it).
    pub fn notify_raw(&self, method: &str, params: &[u8]) -> Result<(), LspError> {
        let mut body = Vec::with_capacity(params.len() + method.len() + 48);
        body.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"method\":");
        serde_json::to_writer(&mut body, method)?;
        body.extend_from_slice(b",\"params\":");
        body.extend_from_slice(params);
        body.push(b'}');
        self.outgoing
            .send(frame(&body))
            .map_err(|_| LspError::ClientGone)
    }

    /// Waits for `initialize`, answers it with `capabilities` and waits for `initialized`;
    /// returns the editor's initialize params. Requests before `initialize` are answered
    /// with an error, notifications before it are dropped, as the protocol says.
    pub fn initialize(
        &self,
        capabilities: serde_json::Value,
    ) -> Result<serde_json::Value, LspError> {
        let (id, params) = loop {
            match self.recv().ok_or(LspError::ClientGone)? {
                Message::Request(r) if r.method == "initialize" => break (r.id, r.params),
                Message::Request(r) => self.refuse(r.id, &r.method)?,
                Message::Notification(n) if n.method == "exit" => {
                    return Err(LspError::Handshake("`exit` before `initialize`".into()));
                }
                Message::Notification(_) | Message::Response(_) => {}
            }
        };
        let result = serde_json::json!({ "capabilities": capabilities });
        self.send(Response::new_ok(id, result).into())?;
        match self.recv().ok_or(LspError::ClientGone)? {
            Message::Notification(n) if n.method == "initialized" => Ok(params),
            other => Err(LspError::Handshake(format!(
                "expected the `initialized` notification, got {}",
                describe(&other)
            ))),
        }
    }

    fn refuse(&self, id: RequestId, method: &str) -> Result<(), LspError> {
        let answer = Response::new_err(
            id,
            ErrorCode::ServerNotInitialized as i32,
            format!("`{method}` before `initialize`; send `initialize` first"),
        );
        self.send(answer.into())
    }

    /// When `req` is `shutdown`: answers it, waits for `exit` and returns true.
    pub fn handle_shutdown(&self, req: &Request) -> Result<bool, LspError> {
        if req.method != "shutdown" {
            return Ok(false);
        }
        self.send(Response::new_ok(req.id.clone(), ()).into())?;
        match self.incoming.recv_timeout(EXIT_PATIENCE) {
            Ok(Message::Notification(n)) if n.method == "exit" => Ok(true),
            Ok(other) => Err(LspError::Handshake(format!(
                "expected `exit` after `shutdown`, got {}",
                describe(&other)
            ))),
            Err(RecvTimeoutError::Timeout) => Err(LspError::Handshake(
                "no `exit` within 30 s of `shutdown`".into(),
            )),
            Err(RecvTimeoutError::Disconnected) => Err(LspError::ClientGone),
        }
    }
}

/// A read error without the message it could not read: lsp-server quotes the whole body,
/// which can be a document the user is editing, secrets in clear included, and megabytes
/// long; the editor logs what the server prints.
fn without_payload(e: io::Error) -> io::Error {
    let text = e.to_string();
    match text.find("`: ") {
        Some(cut) if e.kind() == io::ErrorKind::InvalidData => {
            io::Error::new(e.kind(), format!("{}`", &text[..cut]))
        }
        _ => e,
    }
}

/// A body with its `Content-Length` header.
fn frame(body: &[u8]) -> Vec<u8> {
    let header = format!("Content-Length: {}\r\n\r\n", body.len());
    let mut out = Vec::with_capacity(header.len() + body.len());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(body);
    out
}

/// A message named for an error: its method or its kind, never its (possibly large) body.
fn describe(msg: &Message) -> String {
    match msg {
        Message::Request(r) => format!("the request `{}`", r.method),
        Message::Notification(n) => format!("the notification `{}`", n.method),
        Message::Response(_) => "a response".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::sync::{Arc, Mutex};

    /// A writer the test can read back once the link is gone.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0
                .lock()
                .map_err(|_| io::Error::other("poisoned"))?
                .extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn framed(v: serde_json::Value) -> Vec<u8> {
        frame(v.to_string().as_bytes())
    }

    /// What a client sends: each message framed, one after the other.
    fn session(messages: &[serde_json::Value]) -> Vec<u8> {
        messages.iter().flat_map(|m| framed(m.clone())).collect()
    }

    fn frames(bytes: &[u8]) -> Vec<serde_json::Value> {
        let mut r = io::BufReader::new(bytes);
        let mut out = Vec::new();
        while let Some(m) = Message::read(&mut r).unwrap() {
            out.push(serde_json::to_value(&m).unwrap());
        }
        out
    }

    #[test]
    fn a_session_is_answered_in_order_and_notifications_read_back_as_sent() {
        let input = session(&[
            json!({"jsonrpc": "2.0", "id": 1, "method": "hover", "params": {}}),
            json!({"jsonrpc": "2.0", "id": 2, "method": "initialize", "params": {"x": 1}}),
            json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
            json!({"jsonrpc": "2.0", "id": 3, "method": "shutdown"}),
            json!({"jsonrpc": "2.0", "method": "exit"}),
        ]);
        let out = Shared::default();
        let (link, threads) = Link::over(io::Cursor::new(input), out.clone());
        let params = link.initialize(json!({"hoverProvider": true})).unwrap();
        assert_eq!(params, json!({"x": 1}));
        let diags =
            json!({"uri": "file:///a.infra", "diagnostics": [{"message": "a \"quoted\"\nline"}]});
        link.notify("textDocument/publishDiagnostics", &diags)
            .unwrap();
        link.notify_raw("window/logMessage", br#"{"type":3,"message":"raw"}"#)
            .unwrap();
        let Some(Message::Request(shutdown)) = link.recv() else {
            panic!("shutdown expected")
        };
        assert!(link.handle_shutdown(&shutdown).unwrap());
        drop(link);
        threads.join().unwrap();
        let sent = frames(&out.0.lock().unwrap());
        assert_eq!(sent.len(), 5, "{sent:?}");
        assert_eq!(sent[0]["id"], 1);
        assert_eq!(
            sent[0]["error"]["code"],
            ErrorCode::ServerNotInitialized as i32
        );
        assert_eq!(sent[1]["id"], 2);
        assert_eq!(sent[1]["result"]["capabilities"]["hoverProvider"], true);
        assert_eq!(sent[2]["method"], "textDocument/publishDiagnostics");
        assert_eq!(sent[2]["params"], diags);
        assert_eq!(sent[3]["method"], "window/logMessage");
        assert_eq!(sent[3]["params"], json!({"type": 3, "message": "raw"}));
        assert_eq!(sent[4]["id"], 3);
        assert_eq!(sent[4]["result"], serde_json::Value::Null);
    }

    #[test]
    fn a_wrong_message_in_the_handshake_is_an_error_naming_it() {
        let input = session(&[
            json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}}),
            json!({"jsonrpc": "2.0", "id": 2, "method": "hover", "params": {}}),
        ]);
        let (link, threads) = Link::over(io::Cursor::new(input), Shared::default());
        let err = link.initialize(json!({})).unwrap_err().to_string();
        assert!(err.contains("the request `hover`"), "{err}");
        drop(link);
        threads.join().unwrap();
    }
}
