//! PowerShell error records as the provider sees them: the message, the `CategoryInfo`
//! category and the `FullyQualifiedErrorId`, whether the script caught the record and wrote it
//! as JSON or PowerShell printed it to stderr (FINDINGS §5.1, §5.4).

use infra_provider_core::ProviderError;
use serde_json::Value as Json;

/// One error record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PsError {
    pub message: String,
    /// `CategoryInfo.Category` by name (`InvalidArgument`, `ObjectNotFound`, ...).
    pub category: String,
    pub fully_qualified_error_id: String,
    /// `CategoryInfo.TargetName`, when there is one.
    pub target: Option<String>,
}

/// Why a script did not give an answer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HvError {
    #[error("{}", ps_display(.0))]
    Ps(PsError),
    #[error("cannot start `{program}`: {message}")]
    Spawn { program: String, message: String },
    #[error("the Hyper-V host did not answer within {0} s (INFRA_HYPERV_TIMEOUT)")]
    Timeout(u64),
    #[error("cancelled")]
    Cancelled,
    #[error("{0}")]
    Protocol(String),
}

fn ps_display(e: &PsError) -> String {
    format!(
        "{} (CategoryInfo: {}, FullyQualifiedErrorId: {})",
        e.message, e.category, e.fully_qualified_error_id
    )
}

/// ErrorCategory numbers (FINDINGS §2.6), for a record whose category came as a number.
const CATEGORIES: [(i64, &str); 31] = [
    (0, "NotSpecified"),
    (1, "OpenError"),
    (2, "CloseError"),
    (3, "DeviceError"),
    (4, "DeadlockDetected"),
    (5, "InvalidArgument"),
    (6, "InvalidData"),
    (7, "InvalidOperation"),
    (8, "InvalidResult"),
    (9, "InvalidType"),
    (10, "MetadataError"),
    (11, "NotImplemented"),
    (12, "NotInstalled"),
    (13, "ObjectNotFound"),
    (14, "OperationStopped"),
    (15, "OperationTimeout"),
    (16, "SyntaxError"),
    (17, "ParserError"),
    (18, "PermissionDenied"),
    (19, "ResourceBusy"),
    (20, "ResourceExists"),
    (21, "ResourceUnavailable"),
    (22, "ReadError"),
    (23, "WriteError"),
    (24, "FromStdErr"),
    (25, "SecurityError"),
    (26, "ProtocolError"),
    (27, "ConnectionError"),
    (28, "AuthenticationError"),
    (29, "LimitsExceeded"),
    (31, "NotEnabled"),
];

pub fn category_name(n: i64) -> Option<&'static str> {
    CATEGORIES.iter().find(|(k, _)| *k == n).map(|(_, v)| *v)
}

pub fn category_number(name: &str) -> Option<i64> {
    CATEGORIES.iter().find(|(_, v)| *v == name).map(|(k, _)| *k)
}

impl PsError {
    /// The `{"error": {...}}` object a script's catch block writes.
    pub fn from_json(e: &Json) -> PsError {
        let text = |k: &str| e.get(k).and_then(Json::as_str).map(str::to_string);
        let category = match e.get("category") {
            Some(Json::String(s)) => s.clone(),
            Some(Json::Number(n)) => n
                .as_i64()
                .and_then(category_name)
                .unwrap_or("NotSpecified")
                .to_string(),
            _ => "NotSpecified".into(),
        };
        PsError {
            message: text("message").unwrap_or_else(|| "(no message)".into()),
            category,
            fully_qualified_error_id: text("fullyQualifiedErrorId").unwrap_or_default(),
            target: text("targetName").filter(|t| !t.is_empty()),
        }
    }

    /// An error record as PowerShell prints it to stderr:
    /// `Cmdlet : message` ... `+ CategoryInfo : Cat: (target:String) [Cmdlet], Exception` ...
    /// `+ FullyQualifiedErrorId : Id,Class`. `None` when the text has no record in it.
    pub fn from_stderr(text: &str) -> Option<PsError> {
        let mut category = None;
        let mut target = None;
        let mut fqid = None;
        for line in text.lines() {
            let l = line.trim_start().trim_start_matches('+').trim();
            if let Some(rest) = field(l, "CategoryInfo") {
                let (cat, after) = rest.split_once(':').unwrap_or((rest, ""));
                category = Some(cat.trim().to_string());
                let after = after.trim();
                if let Some(inner) = after.strip_prefix('(').and_then(|a| a.split_once(')')) {
                    let t = inner.0.rsplit_once(':').map_or(inner.0, |(t, _)| t);
                    if !t.is_empty() {
                        target = Some(t.to_string());
                    }
                }
            } else if let Some(rest) = field(l, "FullyQualifiedErrorId") {
                fqid = Some(rest.trim().to_string());
            }
        }
        let fqid = fqid?;
        // The message is the first line, after `Cmdlet : ` when PowerShell names the command.
        let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        let message = match first.split_once(" : ") {
            Some((cmd, msg)) if !cmd.contains(' ') => msg,
            _ => first,
        };
        Some(PsError {
            message: message.trim().to_string(),
            category: category.unwrap_or_else(|| "NotSpecified".into()),
            fully_qualified_error_id: fqid,
            target,
        })
    }

    /// The id before the comma: `InvalidParameter`, `ObjectNotFound`, `InvalidState`...
    pub fn error_id(&self) -> &str {
        self.fully_qualified_error_id
            .split(',')
            .next()
            .unwrap_or_default()
    }
}

fn field<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(name)?.trim_start();
    rest.strip_prefix(':').map(str::trim_start)
}

impl From<HvError> for ProviderError {
    fn from(e: HvError) -> Self {
        match e {
            HvError::Cancelled => ProviderError::Cancelled,
            HvError::Ps(p) => ProviderError::Cloud {
                code: p.fully_qualified_error_id.clone(),
                message: format!("{} (CategoryInfo: {})", p.message, p.category),
                retryable: false,
            },
            HvError::Timeout(_) => ProviderError::Cloud {
                code: "Timeout".into(),
                message: e.to_string(),
                retryable: true,
            },
            other => ProviderError::Cloud {
                code: "HyperVHost".into(),
                message: other.to_string(),
                retryable: false,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_record_powershell_prints_for_a_missing_vm() {
        let text = include_str!("../tests/fixtures/error-get-vm-notfound.stderr.txt");
        let e = PsError::from_stderr(text).expect("a record");
        assert_eq!(
            e.message,
            "Hyper-V was unable to find a virtual machine with name \"minikube\"."
        );
        assert_eq!(e.category, "InvalidArgument");
        assert_eq!(
            e.fully_qualified_error_id,
            "InvalidParameter,Microsoft.HyperV.PowerShell.Commands.GetVM"
        );
        assert_eq!(e.target.as_deref(), Some("minikube"));
        assert_eq!(e.error_id(), "InvalidParameter");
    }

    #[test]
    fn reads_the_invalid_state_record_and_a_json_record() {
        let text = include_str!("../tests/fixtures/error-set-vmmemory-invalidstate.stderr.txt");
        let e = PsError::from_stderr(text).expect("a record");
        assert_eq!(e.category, "InvalidOperation");
        assert_eq!(e.error_id(), "InvalidState");
        assert!(e.message.starts_with("Failed to modify device 'Memory'."));
        let j: Json = serde_json::from_str(
            r#"{"message":"m","fullyQualifiedErrorId":"ObjectNotFound,X","category":13,"targetName":""}"#,
        )
        .expect("json");
        let e = PsError::from_json(&j);
        assert_eq!(e.category, "ObjectNotFound");
        assert_eq!(e.target, None);
        assert!(
            PsError::from_stderr("ssh: connect to host x port 22: Connection refused").is_none()
        );
    }
}
