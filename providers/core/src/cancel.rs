//! Cooperative cancellation shared by the engine and providers: the CLI flips it on Ctrl-C;
//! the engine stops scheduling; providers may abort long waits (polling, delays).

use tokio::sync::watch;

/// The receiving side: cheap to clone, one per operation.
#[derive(Debug, Clone)]
pub struct Cancel {
    rx: watch::Receiver<bool>,
}

/// The sending side, held by whoever decides to stop (the CLI's signal handler, a test).
#[derive(Debug)]
pub struct CancelHandle {
    tx: watch::Sender<bool>,
}

impl Cancel {
    pub fn new() -> (CancelHandle, Cancel) {
        let (tx, rx) = watch::channel(false);
        (CancelHandle { tx }, Cancel { rx })
    }

    /// A token that is never cancelled (tests, one-shot commands).
    pub fn never() -> Cancel {
        // The sender is dropped at once; `cancelled()` treats a closed channel as "never".
        Cancel::new().1
    }

    pub fn is_cancelled(&self) -> bool {
        *self.rx.borrow()
    }

    /// Resolves when cancellation is requested; pends forever if it never can be.
    pub async fn cancelled(&self) {
        let mut rx = self.rx.clone();
        if rx.wait_for(|c| *c).await.is_err() {
            std::future::pending::<()>().await;
        }
    }

    /// Sleeps, waking early on cancellation. Returns false if cancelled.
    pub async fn sleep(&self, duration: std::time::Duration) -> bool {
        tokio::select! {
            _ = tokio::time::sleep(duration) => true,
            _ = self.cancelled() => false,
        }
    }
}

impl CancelHandle {
    pub fn cancel(&self) {
        self.tx.send_replace(true);
    }

    pub fn token(&self) -> Cancel {
        Cancel {
            rx: self.tx.subscribe(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn sleep_wakes_early_on_cancel() {
        let (handle, token) = Cancel::new();
        assert!(!token.is_cancelled());
        handle.cancel();
        assert!(token.is_cancelled());
        assert!(!token.sleep(Duration::from_secs(30)).await);
        assert!(Cancel::never().sleep(Duration::from_millis(1)).await);
    }
}
