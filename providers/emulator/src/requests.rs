//! An opt-in record of the writes the emulator received (`Config::record_requests`), so
//! tests can check request bodies as they went over the wire. Off by default: bodies may
//! hold secrets (a server's admin password), which only a test asking for them should see.

use std::collections::VecDeque;

use serde::Serialize;
use serde_json::Value;

/// Enough for any one test; the oldest requests are dropped beyond it so a long-running
/// emulator with recording on cannot grow without bound.
const KEEP: usize = 2_000;

/// One request as received: method, path, query string and the body parsed as JSON
/// (`null` when empty or not JSON).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    pub query: String,
    pub body: Value,
}

impl RecordedRequest {
    /// The `api-version` query parameter, if any.
    pub fn api_version(&self) -> Option<String> {
        crate::router::query_param(&self.query, "api-version")
    }
}

#[derive(Default)]
pub(crate) struct RequestLog {
    entries: VecDeque<RecordedRequest>,
}

impl RequestLog {
    pub(crate) fn push(&mut self, method: &str, path: &str, query: &str, body: &[u8]) {
        if self.entries.len() == KEEP {
            self.entries.pop_front();
        }
        self.entries.push_back(RecordedRequest {
            method: method.to_string(),
            path: path.to_string(),
            query: query.to_string(),
            body: serde_json::from_slice(body).unwrap_or(Value::Null),
        });
    }

    pub(crate) fn snapshot(&self) -> Vec<RecordedRequest> {
        self.entries.iter().cloned().collect()
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
    }
}
