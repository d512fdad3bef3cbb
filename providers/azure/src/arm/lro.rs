//! Long-running operations as ARM's RPC contract describes them (FINDINGS §1): prefer
//! `Azure-AsyncOperation` (always 200, state in `status`), else `Location` (202 while running,
//! then 200/204 with the result). Operation URLs are opaque: used exactly as given, whatever
//! api-version or signature they carry. Terminal states are Succeeded, Failed and Canceled;
//! anything else (InProgress, Creating, Waiting, Accepted...) means keep polling.

use reqwest::header::HeaderMap;
use serde_json::Value;

use super::error::{ArmError, parse_error_body};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PollUrl {
    AsyncOperation(String),
    Location(String),
}

fn header(h: &HeaderMap, name: &str) -> Option<String> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// How to follow a write's answer, if it is long-running. A 201/200 carrying only a
/// `Location` header is not an LRO (Redis puts the resource URL itself there).
pub fn start(status: u16, headers: &HeaderMap) -> Option<PollUrl> {
    if let Some(url) = header(headers, "azure-asyncoperation") {
        return Some(PollUrl::AsyncOperation(url));
    }
    if status == 202 {
        return header(headers, "location").map(PollUrl::Location);
    }
    None
}

pub enum Progress {
    Running,
    Done(Value),
}

fn is_terminal_ok(state: &str) -> bool {
    state.eq_ignore_ascii_case("Succeeded")
}

fn is_terminal_bad(state: &str) -> bool {
    state.eq_ignore_ascii_case("Failed")
        || state.eq_ignore_ascii_case("Canceled")
        || state.eq_ignore_ascii_case("Cancelled")
}

/// Interpret one poll answer (already known to be a 2xx).
pub fn progress(url: &PollUrl, status: u16, body: &Value) -> Result<Progress, ArmError> {
    match url {
        PollUrl::AsyncOperation(_) => {
            let state = body
                .get("status")
                .and_then(Value::as_str)
                .unwrap_or("InProgress");
            if is_terminal_ok(state) {
                Ok(Progress::Done(body.clone()))
            } else if is_terminal_bad(state) {
                Err(failed(state, body))
            } else {
                Ok(Progress::Running)
            }
        }
        PollUrl::Location(_) => {
            if status == 202 {
                Ok(Progress::Running)
            } else {
                Ok(Progress::Done(body.clone()))
            }
        }
    }
}

/// The error of a Failed/Canceled operation, with the cloud's code and message when it gave
/// them (the status body's `error`, or `properties.error` on some RPs).
pub fn failed(state: &str, body: &Value) -> ArmError {
    let parsed = body
        .get("error")
        .filter(|e| e.is_object())
        .and_then(|e| parse_error_body(&serde_json::json!({ "error": e })))
        .or_else(|| {
            body.pointer("/properties/error")
                .and_then(|e| parse_error_body(&serde_json::json!({ "error": e })))
        });
    let (code, message) = parsed.unwrap_or_else(|| {
        (
            if state.eq_ignore_ascii_case("Failed") {
                "OperationFailed"
            } else {
                "OperationCanceled"
            }
            .to_string(),
            format!("The operation ended {state} without an error description."),
        )
    });
    ArmError::OperationFailed {
        state: state.to_string(),
        code,
        message,
    }
}

/// Provisioning state of a resource body, for resources that report progress only there.
pub fn provisioning_state(body: &Value) -> Option<&str> {
    body.pointer("/properties/provisioningState")
        .and_then(Value::as_str)
}

pub fn is_in_progress(body: &Value) -> bool {
    provisioning_state(body).is_some_and(|s| !is_terminal_ok(s) && !is_terminal_bad(s))
}

pub fn is_failed(body: &Value) -> Option<String> {
    provisioning_state(body)
        .filter(|s| is_terminal_bad(s))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn async_operation_wins_over_location() {
        let mut h = HeaderMap::new();
        h.insert("location", "http://x/loc".parse().unwrap());
        assert_eq!(start(201, &h), None);
        assert_eq!(
            start(202, &h),
            Some(PollUrl::Location("http://x/loc".into()))
        );
        h.insert("azure-asyncoperation", "http://x/op".parse().unwrap());
        assert_eq!(
            start(201, &h),
            Some(PollUrl::AsyncOperation("http://x/op".into()))
        );
    }

    #[test]
    fn failed_operation_carries_the_cloud_code() {
        let url = PollUrl::AsyncOperation("u".into());
        let body =
            json!({"status": "Failed", "error": {"code": "QuotaExceeded", "message": "no cores"}});
        let Err(ArmError::OperationFailed { code, message, .. }) = progress(&url, 200, &body)
        else {
            panic!("expected a failure");
        };
        assert_eq!(
            (code.as_str(), message.as_str()),
            ("QuotaExceeded", "no cores")
        );
        assert!(matches!(
            progress(&url, 200, &json!({"status": "Waiting"})),
            Ok(Progress::Running)
        ));
        let loc = PollUrl::Location("l".into());
        assert!(matches!(
            progress(&loc, 202, &Value::Null),
            Ok(Progress::Running)
        ));
        assert!(matches!(
            progress(&loc, 200, &Value::Null),
            Ok(Progress::Done(_))
        ));
    }
}
