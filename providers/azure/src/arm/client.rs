//! The ARM client: one place for endpoint rules, authentication, the request budget,
//! retries and long-running operations; resource types only say what to PUT where.
//!
//! HTTP is reqwest (rustls) rather than azure_core's pipeline: reqwest is already the
//! workspace's HTTP client (one reqwest/rustls copy), and the parts of the pipeline we would
//! keep are few: its retry policy cannot consult our budget, its bearer policy refuses the
//! emulator's plain http, and its poller knows nothing of Azure-AsyncOperation.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use infra_provider_core::Cancel;
use reqwest::{Method, Url};
use serde_json::Value;

use super::auth::{Credential, TokenSource, chain_from_env};
use super::budget::{Budget, BudgetConfig, OpClass};
use super::error::{ArmError, from_status};
use super::lro::{self, PollUrl, Progress};
use super::retry::{RetryPolicy, parse_retry_after};

pub const DEFAULT_ENDPOINT: &str = "https://management.azure.com";
/// The Key Vault data plane's token audience.
pub const VAULT_SCOPE: &str = "https://vault.azure.net/.default";

#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// ARM base URL; `None`: `INFRA_AZURE_ENDPOINT`, else management.azure.com.
    pub endpoint: Option<String>,
    pub retry: RetryPolicy,
    pub budget: BudgetConfig,
    /// Poll interval when the cloud gives no Retry-After (ARM's documented default is 60 s).
    pub default_poll_interval: Duration,
    /// Upper bound on any poll wait, so tests against the emulator need not wait ARM-long.
    pub max_poll_interval: Duration,
    /// Give up on a long-running operation after this long.
    pub lro_timeout: Duration,
    pub request_timeout: Duration,
    /// `None`: the chain from the environment (see `auth`). Unused for loopback endpoints.
    pub credentials: Option<Vec<Credential>>,
    /// How long a request answered with a retryable conflict (another operation still runs on
    /// the object) keeps being retried. `None`: `INFRA_AZURE_CONFLICT_WAIT` (seconds), else
    /// [`DEFAULT_CONFLICT_WAIT`].
    pub conflict_wait: Option<Duration>,
}

/// Ten minutes: longer than most PostgreSQL or Redis operations a killed run can leave behind.
pub const DEFAULT_CONFLICT_WAIT: Duration = Duration::from_secs(600);

/// The conflict bound from the environment (`INFRA_AZURE_CONFLICT_WAIT`, whole seconds).
fn conflict_wait_from_env() -> Duration {
    std::env::var("INFRA_AZURE_CONFLICT_WAIT")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
        .unwrap_or(DEFAULT_CONFLICT_WAIT)
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            endpoint: None,
            retry: RetryPolicy::default(),
            budget: BudgetConfig::arm(),
            default_poll_interval: Duration::from_secs(60),
            max_poll_interval: Duration::from_secs(60),
            lro_timeout: Duration::from_secs(3600),
            request_timeout: Duration::from_secs(100),
            credentials: None,
            conflict_wait: None,
        }
    }
}

/// Counters for tests, benchmarks and the CLI's verbose output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientStats {
    pub requests: u64,
    pub retries: u64,
    pub throttled: u64,
}

#[derive(Default)]
struct Counters {
    requests: AtomicU64,
    retries: AtomicU64,
    throttled: AtomicU64,
}

/// A successful answer.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    /// `Null` when the body is empty or not JSON.
    pub body: Value,
}

pub struct ArmClient {
    http: reqwest::Client,
    endpoint: Url,
    tokens: Option<TokenSource>,
    budget: Budget,
    opts: ClientOptions,
    conflict_wait: Duration,
    counters: Counters,
}

/// Plain http is allowed only to this machine (the emulator); everything else needs TLS.
pub fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn check_scheme(url: &Url) -> Result<(), ArmError> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err(ArmError::Endpoint(format!(
            "{url}: plain http is only allowed to a loopback address (the local emulator); use https"
        ))),
        other => Err(ArmError::Endpoint(format!(
            "{url}: unsupported scheme `{other}`"
        ))),
    }
}

impl ArmClient {
    pub fn new(opts: ClientOptions) -> Result<Self, ArmError> {
        let raw = opts
            .endpoint
            .clone()
            .or_else(|| {
                std::env::var("INFRA_AZURE_ENDPOINT")
                    .ok()
                    .filter(|s| !s.is_empty())
            })
            .unwrap_or_else(|| DEFAULT_ENDPOINT.to_string());
        let endpoint = Url::parse(raw.trim_end_matches('/'))
            .map_err(|e| ArmError::Endpoint(format!("`{raw}`: {e}")))?;
        check_scheme(&endpoint)?;
        super::tls::install_crypto_provider();
        let http = reqwest::Client::builder()
            .timeout(opts.request_timeout)
            .connect_timeout(Duration::from_secs(10))
            .pool_max_idle_per_host(64)
            .build()
            .map_err(|e| ArmError::Transport(format!("cannot build HTTP client: {e}")))?;
        // A loopback endpoint is the emulator: no credential is looked for at all.
        let tokens = if is_loopback(&endpoint) {
            None
        } else {
            let chain = opts.credentials.clone().unwrap_or_else(chain_from_env);
            Some(TokenSource::new(chain)?)
        };
        Ok(ArmClient {
            http,
            endpoint,
            tokens,
            budget: Budget::new(opts.budget),
            conflict_wait: opts.conflict_wait.unwrap_or_else(conflict_wait_from_env),
            opts,
            counters: Counters::default(),
        })
    }

    pub fn endpoint(&self) -> &str {
        self.endpoint.as_str().trim_end_matches('/')
    }

    pub fn stats(&self) -> ClientStats {
        ClientStats {
            requests: self.counters.requests.load(Ordering::Relaxed),
            retries: self.counters.retries.load(Ordering::Relaxed),
            throttled: self.counters.throttled.load(Ordering::Relaxed),
        }
    }

    fn arm_url(&self, id: &str, api_version: &str) -> Result<Url, ArmError> {
        let sep = if id.contains('?') { '&' } else { '?' };
        let raw = format!("{}{id}{sep}api-version={api_version}", self.endpoint());
        Url::parse(&raw).map_err(|e| ArmError::Endpoint(format!("bad resource id `{id}`: {e}")))
    }

    fn arm_scope(&self) -> String {
        format!("{}/.default", self.endpoint())
    }

    /// One request with retries and (for ARM) the budget. Non-2xx answers become errors.
    pub async fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
        scope: &str,
        budgeted: bool,
        cancel: &Cancel,
    ) -> Result<Response, ArmError> {
        self.send_with(method, url, body, &[], scope, budgeted, cancel)
            .await
    }

    /// [`send`](Self::send) with extra request headers (`If-Match`). A retryable conflict
    /// (another operation still runs on the object, e.g. one a killed run started) is retried
    /// with backoff, honouring Retry-After, until the conflict bound has passed; each wait is
    /// reported as a progress notice.
    #[allow(clippy::too_many_arguments)]
    pub async fn send_with(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
        headers: &[(&str, &str)],
        scope: &str,
        budgeted: bool,
        cancel: &Cancel,
    ) -> Result<Response, ArmError> {
        check_scheme(&url)?;
        let class = OpClass::of(&method);
        let mut attempt = 0u32;
        let mut conflicts = 0u32;
        let mut conflict_since: Option<Instant> = None;
        loop {
            attempt += 1;
            if cancel.is_cancelled() {
                return Err(ArmError::Cancelled);
            }
            let permit = if budgeted {
                tokio::select! {
                    p = self.budget.acquire(class) => Some(p),
                    _ = cancel.cancelled() => return Err(ArmError::Cancelled),
                }
            } else {
                None
            };
            let outcome = tokio::select! {
                r = self.attempt(method.clone(), url.clone(), body, headers, scope) => r,
                _ = cancel.cancelled() => return Err(ArmError::Cancelled),
            };
            self.counters.requests.fetch_add(1, Ordering::Relaxed);
            let (err, retry_after) = match outcome {
                Ok(resp) => {
                    if let Some(p) = &permit
                        && let Some(r) = header_f64(&resp.headers, class.header())
                    {
                        self.budget.observe_remaining(p, r);
                    }
                    drop(permit);
                    let status = resp.status;
                    if (200..300).contains(&status) {
                        return Ok(Response {
                            status,
                            headers: resp.headers,
                            body: resp.body,
                        });
                    }
                    let retry_after = parse_retry_after(
                        resp.headers
                            .get("retry-after")
                            .and_then(|v| v.to_str().ok()),
                    );
                    if status == 429 {
                        self.counters.throttled.fetch_add(1, Ordering::Relaxed);
                        if budgeted {
                            let wait = retry_after.unwrap_or(Duration::from_secs(1));
                            self.budget
                                .pause(class, wait.min(self.opts.retry.max_retry_after));
                        }
                    }
                    (from_status(status, &resp.text), retry_after)
                }
                Err(e) => (e, None),
            };
            if err.is_conflict(retry_after.is_some()) {
                let since = *conflict_since.get_or_insert_with(Instant::now);
                let left = self.conflict_wait.saturating_sub(since.elapsed());
                if left.is_zero() {
                    return Err(err.still_busy(self.conflict_wait));
                }
                conflicts += 1;
                self.counters.retries.fetch_add(1, Ordering::Relaxed);
                let wait = self.opts.retry.delay(conflicts, retry_after).min(left);
                infra_provider_core::notice::notice_of(
                    infra_provider_core::notice::NoticeKind::Conflict,
                    err.code(),
                    &format!(
                        "waiting for another operation on {} to finish ({}; retry in {:.0?}, giving up after {:.0?})",
                        resource_of(&url),
                        err.code().unwrap_or("conflict"),
                        wait,
                        self.conflict_wait,
                    ),
                );
                if !cancel.sleep(wait).await {
                    return Err(ArmError::Cancelled);
                }
                attempt = 0;
                continue;
            }
            if !err.retryable() || attempt >= self.opts.retry.max_attempts {
                return Err(err);
            }
            self.counters.retries.fetch_add(1, Ordering::Relaxed);
            let delay = self.opts.retry.delay(attempt, retry_after);
            let kind = if err.status() == Some(429) {
                infra_provider_core::notice::NoticeKind::Throttle
            } else {
                infra_provider_core::notice::NoticeKind::Retry
            };
            infra_provider_core::notice::notice_of(
                kind,
                err.code(),
                &format!(
                    "{} on {}; sending it again in {delay:.1?} (attempt {} of {})",
                    err.code().unwrap_or("transient error"),
                    resource_of(&url),
                    attempt + 1,
                    self.opts.retry.max_attempts
                ),
            );
            if !cancel.sleep(delay).await {
                return Err(ArmError::Cancelled);
            }
        }
    }

    async fn attempt(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
        headers: &[(&str, &str)],
        scope: &str,
    ) -> Result<RawResponse, ArmError> {
        let loopback = is_loopback(&url);
        let mut req = self.http.request(method, url);
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        match (&self.tokens, loopback) {
            (Some(tokens), false) => {
                req = req.bearer_auth(tokens.token(scope).await?);
            }
            // The emulator accepts any token; sending one lets it model ARM's 401 rule.
            _ => req = req.bearer_auth("local-emulator"),
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| ArmError::Transport(describe(&e)))?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp
            .text()
            .await
            .map_err(|e| ArmError::Transport(describe(&e)))?;
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(RawResponse {
            status,
            headers,
            body,
            text,
        })
    }

    /// GET a resource; `None` when it does not exist.
    pub async fn get(
        &self,
        id: &str,
        api_version: &str,
        cancel: &Cancel,
    ) -> Result<Option<Value>, ArmError> {
        let url = self.arm_url(id, api_version)?;
        match self
            .send(Method::GET, url, None, &self.arm_scope(), true, cancel)
            .await
        {
            Ok(r) => Ok(Some(r.body)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// PUT (or PATCH) a resource and follow its operation to the end; returns the resource as
    /// a final GET sees it.
    pub async fn write(
        &self,
        method: Method,
        id: &str,
        api_version: &str,
        body: &Value,
        cancel: &Cancel,
    ) -> Result<Value, ArmError> {
        self.write_if(method, id, api_version, body, None, cancel)
            .await
    }

    /// [`write`](Self::write) conditional on the ETag last read (`If-Match`): a 412 says the
    /// object changed in between.
    pub async fn write_if(
        &self,
        method: Method,
        id: &str,
        api_version: &str,
        body: &Value,
        if_match: Option<&str>,
        cancel: &Cancel,
    ) -> Result<Value, ArmError> {
        let url = self.arm_url(id, api_version)?;
        // Sent exactly as the body gave it, as Azure's SDKs do (ARM ETags are opaque).
        let headers: Vec<(&str, &str)> = if_match.map(|e| ("if-match", e)).into_iter().collect();
        let resp = self
            .send_with(
                method,
                url,
                Some(body),
                &headers,
                &self.arm_scope(),
                true,
                cancel,
            )
            .await?;
        if let Some(poll) = lro::start(resp.status, &resp.headers) {
            self.poll(poll, &resp.headers, cancel).await?;
        } else if !lro::is_in_progress(&resp.body) && resp.status != 202 && resp.body.is_object() {
            return Ok(resp.body);
        }
        self.settle(id, api_version, cancel).await
    }

    /// GET until the resource's own provisioningState is terminal (after an operation, or
    /// for RPs that report progress only there).
    pub async fn settle(
        &self,
        id: &str,
        api_version: &str,
        cancel: &Cancel,
    ) -> Result<Value, ArmError> {
        let started = Instant::now();
        // No operation URL says when to look again: from 1 s, doubling up to the default poll
        // interval, so a short operation is not waited on for a whole minute.
        let mut wait = Duration::from_secs(1).min(self.opts.default_poll_interval);
        loop {
            let body = self.get(id, api_version, cancel).await?.ok_or_else(|| {
                ArmError::Protocol(format!("{id} is missing after a successful write"))
            })?;
            if let Some(state) = lro::is_failed(&body) {
                return Err(lro::failed(&state, &body));
            }
            if !lro::is_in_progress(&body) {
                return Ok(body);
            }
            self.wait_poll(Some(wait), started, cancel).await?;
            wait = (wait * 2).min(self.opts.default_poll_interval);
        }
    }

    /// DELETE; an object already gone is a success.
    pub async fn delete(
        &self,
        id: &str,
        api_version: &str,
        cancel: &Cancel,
    ) -> Result<(), ArmError> {
        let url = self.arm_url(id, api_version)?;
        let resp = match self
            .send(Method::DELETE, url, None, &self.arm_scope(), true, cancel)
            .await
        {
            Ok(r) => r,
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) => return Err(e),
        };
        if let Some(poll) = lro::start(resp.status, &resp.headers) {
            self.poll(poll, &resp.headers, cancel).await?;
        }
        Ok(())
    }

    /// POST an action (`{id}/restart`, `{id}/listKeys`); returns its result, if any.
    pub async fn post(
        &self,
        id_action: &str,
        api_version: &str,
        body: Option<&Value>,
        cancel: &Cancel,
    ) -> Result<Value, ArmError> {
        let url = self.arm_url(id_action, api_version)?;
        let resp = self
            .send(Method::POST, url, body, &self.arm_scope(), true, cancel)
            .await?;
        match lro::start(resp.status, &resp.headers) {
            Some(poll) => self.poll(poll, &resp.headers, cancel).await,
            None => Ok(resp.body),
        }
    }

    /// A request outside ARM (the Key Vault data plane): same retries and endpoint rules, a
    /// token for `scope`, no ARM budget. `None` on 404.
    pub async fn data_plane(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
        scope: &str,
        cancel: &Cancel,
    ) -> Result<Option<Value>, ArmError> {
        let url = Url::parse(url).map_err(|e| ArmError::Endpoint(format!("`{url}`: {e}")))?;
        match self.send(method, url, body, scope, false, cancel).await {
            Ok(r) => Ok(Some(r.body)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn poll(
        &self,
        first: PollUrl,
        headers: &reqwest::header::HeaderMap,
        cancel: &Cancel,
    ) -> Result<Value, ArmError> {
        let started = Instant::now();
        let raw = match &first {
            PollUrl::AsyncOperation(u) | PollUrl::Location(u) => u.clone(),
        };
        let url = self
            .endpoint
            .join(&raw)
            .map_err(|e| ArmError::Protocol(format!("bad operation URL: {e}")))?;
        // The operation URL is opaque, but our token only goes back where it came from.
        if url.origin() != self.endpoint.origin() {
            return Err(ArmError::Protocol(format!(
                "operation URL on another host: {}",
                url.host_str().unwrap_or("")
            )));
        }
        let mut retry_after =
            parse_retry_after(headers.get("retry-after").and_then(|v| v.to_str().ok()));
        loop {
            self.wait_poll(retry_after, started, cancel).await?;
            let resp = self
                .send(
                    Method::GET,
                    url.clone(),
                    None,
                    &self.arm_scope(),
                    true,
                    cancel,
                )
                .await?;
            match lro::progress(&first, resp.status, &resp.body)? {
                Progress::Done(v) => return Ok(v),
                Progress::Running => {
                    retry_after = parse_retry_after(
                        resp.headers
                            .get("retry-after")
                            .and_then(|v| v.to_str().ok()),
                    );
                }
            }
        }
    }

    async fn wait_poll(
        &self,
        retry_after: Option<Duration>,
        started: Instant,
        cancel: &Cancel,
    ) -> Result<(), ArmError> {
        if started.elapsed() > self.opts.lro_timeout {
            return Err(ArmError::OperationFailed {
                state: "TimedOut".into(),
                code: "OperationTimedOut".into(),
                message: format!(
                    "the operation did not finish within {:?}",
                    self.opts.lro_timeout
                ),
            });
        }
        let wait = retry_after
            .unwrap_or(self.opts.default_poll_interval)
            .min(self.opts.max_poll_interval);
        if cancel.sleep(wait).await {
            Ok(())
        } else {
            Err(ArmError::Cancelled)
        }
    }
}

struct RawResponse {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
    text: String,
}

/// `/subscriptions/.../name` of a request URL, for messages.
fn resource_of(url: &Url) -> String {
    let path = url.path();
    match path.find("/providers/") {
        Some(i) => path[i + "/providers/".len()..].to_string(),
        None => path.to_string(),
    }
}

fn header_f64(h: &reqwest::header::HeaderMap, name: &str) -> Option<f64> {
    h.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// reqwest's error with its causes: "error sending request" alone says nothing.
fn describe(e: &reqwest::Error) -> String {
    let mut s = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}

/// Shared handle, so that every resource type uses one budget.
pub type SharedClient = Arc<ArmClient>;
