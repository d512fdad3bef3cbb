//! Progress notices from inside a provider operation ("waiting for ... to finish"), without
//! widening the `Provider` trait: the engine runs each operation inside [`scope`] with a
//! sink, and provider code anywhere below calls [`notice`]. Outside a scope (tests, plain
//! commands) a notice goes nowhere.

use std::future::Future;
use std::sync::Arc;

/// Where notices of one operation go.
pub type NoticeSink = Arc<dyn Fn(&str) + Send + Sync>;

tokio::task_local! {
    static SINK: NoticeSink;
}

/// Runs `fut` with `sink` receiving its notices.
pub async fn scope<F: Future>(sink: NoticeSink, fut: F) -> F::Output {
    SINK.scope(sink, fut).await
}

/// Reports what the current operation is waiting for (a no-op outside a scope).
pub fn notice(message: &str) {
    let _ = SINK.try_with(|sink| sink(message));
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
            Arc::new(move |m: &str| s.lock().unwrap().push(m.to_string())),
            async { notice("waiting") },
        )
        .await;
        assert_eq!(*seen.lock().unwrap(), vec!["waiting".to_string()]);
    }
}
