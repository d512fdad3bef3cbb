//! Errors of the ARM client. A cloud error always carries the cloud's own code and message so
//! that apply can report them verbatim; messages are built from response bodies, never from
//! request bodies, so a secret we sent cannot leak into an error.

use infra_provider_core::ProviderError;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ArmError {
    /// The cloud answered with an error status.
    #[error("{code}: {message} (HTTP {status})")]
    Cloud {
        status: u16,
        code: String,
        message: String,
    },
    /// A long-running operation ended `Failed` or `Canceled`.
    #[error("{code}: {message} (operation {state})")]
    OperationFailed {
        state: String,
        code: String,
        message: String,
    },
    /// Connection refused or reset, timeout, TLS failure: nothing (usable) came back.
    #[error("transport error: {0}")]
    Transport(String),
    #[error("authentication failed: {0}")]
    Auth(String),
    #[error("invalid endpoint: {0}")]
    Endpoint(String),
    /// The cloud answered 2xx with something we cannot use.
    #[error("unexpected response: {0}")]
    Protocol(String),
    #[error("cancelled")]
    Cancelled,
}

impl ArmError {
    /// The cloud's error code, if the cloud gave one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ArmError::Cloud { code, .. } | ArmError::OperationFailed { code, .. } => Some(code),
            _ => None,
        }
    }
    pub fn status(&self) -> Option<u16> {
        match self {
            ArmError::Cloud { status, .. } => Some(*status),
            _ => None,
        }
    }
    /// A conflict that ends when another operation on the same object does (FINDINGS §1:
    /// ARM's `AnotherOperationInProgress`, PostgreSQL's `ServerIsBusy`, Network's 429
    /// `RetryableErrorDueToAnotherOperation`), or a plain 409 `Conflict` the server says to
    /// retry (it sent Retry-After). Retried for minutes, not a few attempts.
    pub fn is_conflict(&self, has_retry_after: bool) -> bool {
        let ArmError::Cloud { status, code, .. } = self else {
            return false;
        };
        const WAIT_CODES: [&str; 5] = [
            "AnotherOperationInProgress",
            "ServerIsBusy",
            "RetryableErrorDueToAnotherOperation",
            "OperationInProgress",
            "ConflictingServerOperation",
        ];
        matches!(status, 409 | 429)
            && (WAIT_CODES.iter().any(|c| code.eq_ignore_ascii_case(c))
                || (*status == 409 && has_retry_after && code.eq_ignore_ascii_case("Conflict")))
    }

    /// A conflict still there after `waited`: the cloud's words, and what to do next.
    pub fn still_busy(self, waited: std::time::Duration) -> ArmError {
        match self {
            ArmError::Cloud {
                status,
                code,
                message,
            } => ArmError::Cloud {
                status,
                code,
                message: format!(
                    "{message} (still busy after retrying for {}s; raise INFRA_AZURE_CONFLICT_WAIT to wait longer)",
                    waited.as_secs()
                ),
            },
            other => other,
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }
    /// Whether repeating the same request may succeed (RPC guidance: 408, 429, 5xx, sockets;
    /// conflicts that last only while another operation runs).
    pub fn retryable(&self) -> bool {
        match self {
            ArmError::Cloud { status, .. } => {
                matches!(status, 408 | 429 | 500..=599) || self.is_conflict(false)
            }
            ArmError::Transport(_) => true,
            _ => false,
        }
    }
}

impl From<ArmError> for ProviderError {
    fn from(e: ArmError) -> Self {
        let retryable = e.retryable();
        match e {
            ArmError::Cloud { code, message, .. }
            | ArmError::OperationFailed { code, message, .. } => ProviderError::Cloud {
                code,
                message,
                retryable,
            },
            ArmError::Cancelled => ProviderError::Cancelled,
            other => ProviderError::Cloud {
                code: match &other {
                    ArmError::Transport(_) => "TransportError",
                    ArmError::Auth(_) => "AuthenticationFailed",
                    ArmError::Endpoint(_) => "InvalidEndpoint",
                    _ => "UnexpectedResponse",
                }
                .into(),
                message: other.to_string(),
                retryable,
            },
        }
    }
}

/// `(code, message)` from either error shape ARM uses: `{"error":{code,message}}` (most RPs)
/// or the unwrapped `{code,message}` (the DNS RP). Nested `details` are appended to the
/// message because the top-level message is often just "see details".
pub fn parse_error_body(body: &Value) -> Option<(String, String)> {
    let e = match body.get("error") {
        Some(inner @ Value::Object(_)) => inner,
        _ => body,
    };
    let code = e.get("code").and_then(Value::as_str)?;
    let mut message = e
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if let Some(details) = e.get("details").and_then(Value::as_array) {
        for d in details {
            if let (Some(c), Some(m)) = (
                d.get("code").and_then(Value::as_str),
                d.get("message").and_then(Value::as_str),
            ) {
                message.push_str(&format!(" [{c}: {m}]"));
            }
        }
    }
    Some((code.to_string(), message))
}

/// An error from a non-success status and its (possibly empty or non-JSON) body.
pub fn from_status(status: u16, text: &str) -> ArmError {
    let parsed = serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| parse_error_body(&v));
    let (code, message) = parsed.unwrap_or_else(|| {
        let fallback = match status {
            404 => "NotFound",
            408 => "RequestTimeout",
            429 => "TooManyRequests",
            500 => "InternalServerError",
            503 => "ServiceUnavailable",
            _ => "HttpError",
        };
        // A non-JSON body (a proxy's HTML page) is cut short: it is noise, not the cloud's word.
        let snippet: String = text.chars().take(200).collect();
        (fallback.to_string(), snippet)
    });
    ArmError::Cloud {
        status,
        code,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_error_shapes_parse() {
        let wrapped = json!({"error": {"code": "ResourceNotFound", "message": "gone"}});
        let bare = json!({"code": "BadRequest", "message": "The zone 'x' is not available."});
        assert_eq!(
            parse_error_body(&wrapped),
            Some(("ResourceNotFound".into(), "gone".into()))
        );
        assert_eq!(
            parse_error_body(&bare).map(|p| p.0),
            Some("BadRequest".into())
        );
        assert_eq!(parse_error_body(&json!({"x": 1})), None);
    }

    #[test]
    fn garbage_bodies_still_give_an_error() {
        let e = from_status(502, "<html>bad gateway</html>");
        assert!(e.retryable());
        assert_eq!(e.status(), Some(502));
        assert!(!from_status(400, "").retryable());
        assert!(from_status(409, r#"{"error":{"code":"ServerIsBusy","message":"m"}}"#).retryable());
    }
}
