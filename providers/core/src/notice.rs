//! Progress notices from inside a provider operation ("waiting for ... to finish"), without
//! widening the `Provider` trait: the engine runs each operation inside [`scope`] with a
//! sink, and provider code anywhere below calls [`notice`]. Outside a scope (tests, plain
//! commands) a notice goes nowhere.

use std::future::Future;
use std::sync::Arc;

/// What an operation is waiting for, so that logs can tell the cases apart (`--log-format json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// Another operation still runs on the object (ARM's `AnotherOperationInProgress`...).
    Conflict,
    /// The cloud asked to slow down (429); the request is sent again after the wait.
    Throttle,
    /// A transient failure (5xx, a dropped connection); the request is sent again.
    Retry,
    /// Anything else the operation waits for (an object provisioning).
    Wait,
}

impl NoticeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::Conflict => "waiting-for-conflict",
            NoticeKind::Throttle => "throttle-wait",
            NoticeKind::Retry => "retry",
            NoticeKind::Wait => "wait",
        }
    }
}

/// One notice: what kind of wait, the cloud's code if it gave one, and the line for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub kind: NoticeKind,
    pub code: Option<String>,
    pub message: String,
}

/// Where notices of one operation go.
pub type NoticeSink = Arc<dyn Fn(&Notice) + Send + Sync>;

tokio::task_local! {
    static SINK: NoticeSink;
}

/// Runs `fut` with `sink` receiving its notices.
pub async fn scope<F: Future>(sink: NoticeSink, fut: F) -> F::Output {
    SINK.scope(sink, fut).await
}

/// Reports what the current operation is waiting for (a no-op outside a scope).
pub fn notice(message: &str) {
    notice_of(NoticeKind::Wait, None, message);
}

/// [`notice`] with its kind and the cloud's code.
pub fn notice_of(kind: NoticeKind, code: Option<&str>, message: &str) {
    let _ = SINK.try_with(|sink| {
        sink(&Notice {
            kind,
            code: code.map(str::to_string),
            message: message.to_string(),
        })
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[tokio::test]
    async fn notices_reach_the_scope_and_nowhere_else() {
        notice("outside: dropped");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        scope(
            Arc::new(move |m: &Notice| s.lock().unwrap().push(m.message.clone())),
            async { notice("waiting") },
        )
        .await;
        assert_eq!(*seen.lock().unwrap(), vec!["waiting".to_string()]);
    }
}
