//! The HTTP side of the Blob client: one background thread with its own small runtime runs
//! every request, so that callers may block on an answer from anywhere — plain threads (the
//! lease heartbeat, the journal writer) and the engine's current-thread runtime alike, where
//! `reqwest::blocking` would panic.

use super::BlobError;
use super::endpoint::{Auth, STORAGE_SCOPE};
use super::signer::{Signable, authorization, http_date};
use reqwest::Url;
use std::sync::Arc;
use std::time::Duration;

pub const API_VERSION: &str = "2021-08-06";

#[derive(Debug, Clone)]
pub struct Request {
    pub method: reqwest::Method,
    pub url: Url,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    /// The service's error code (`BlobNotFound`, `LeaseAlreadyPresent`...), from the header
    /// (HEAD answers have no body).
    pub fn code(&self) -> String {
        self.header("x-ms-error-code").unwrap_or("").to_string()
    }
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

enum Failure {
    /// `sent`: the request may have reached the service (a timeout, a reset mid-answer).
    Connect {
        message: String,
        sent: bool,
    },
    Auth(String),
}

/// Attempts per request: the service asks for retries with 500 and 503 (ServerBusy), and a
/// connection that never opened sent nothing. Repeating any of these is safe here: conditional
/// writes fail closed (a repeated write that had in fact landed is refused on its ETag, nothing
/// lost), a repeated journal block only repeats records, and the lease id is proposed by us, so
/// a repeated acquire finds its own lease.
const ATTEMPTS: u32 = 3;

fn retryable(r: &Result<Response, Failure>) -> bool {
    match r {
        Ok(resp) => resp.status == 500 || resp.status == 503,
        Err(Failure::Connect { sent, .. }) => !sent,
        Err(Failure::Auth(_)) => false,
    }
}

struct Job {
    request: Request,
    reply: std::sync::mpsc::Sender<Result<Response, Failure>>,
}

/// A handle on the request thread; cloning shares the thread, which ends with the last handle.
#[derive(Clone)]
pub struct Http {
    tx: tokio::sync::mpsc::UnboundedSender<Job>,
    endpoint: String,
}

impl Http {
    pub fn start(auth: Auth, endpoint: &Url) -> Result<Http, BlobError> {
        let unreachable = |message: String| BlobError::Unreachable {
            endpoint: endpoint.to_string(),
            message,
        };
        infra_provider_azure::arm::install_crypto_provider();
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| unreachable(format!("cannot build the HTTP client: {e}")))?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| unreachable(format!("cannot start the HTTP runtime: {e}")))?;
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Job>();
        let auth = Arc::new(auth);
        std::thread::Builder::new()
            .name("blob-http".into())
            .spawn(move || {
                rt.block_on(async move {
                    while let Some(job) = rx.recv().await {
                        let client = client.clone();
                        let auth = auth.clone();
                        tokio::spawn(async move {
                            let mut attempt = 1;
                            let r = loop {
                                let r = send(&client, &auth, job.request.clone()).await;
                                if attempt >= ATTEMPTS || !retryable(&r) {
                                    break r;
                                }
                                let pause = Duration::from_millis(200 << attempt);
                                tokio::time::sleep(pause).await;
                                attempt += 1;
                            };
                            let _ = job.reply.send(r);
                        });
                    }
                });
            })
            .map_err(|e| unreachable(format!("cannot start the HTTP thread: {e}")))?;
        Ok(Http {
            tx,
            endpoint: endpoint.to_string(),
        })
    }

    /// Sends `request` and waits for the answer (any status; transport failures are errors).
    pub fn call(&self, request: Request) -> Result<Response, BlobError> {
        let (reply, answer) = std::sync::mpsc::channel();
        let gone = || BlobError::Unreachable {
            endpoint: self.endpoint.clone(),
            message: "the HTTP thread stopped".into(),
        };
        self.tx.send(Job { request, reply }).map_err(|_| gone())?;
        match answer.recv().map_err(|_| gone())? {
            Ok(r) => Ok(r),
            Err(Failure::Connect { message, .. }) => Err(BlobError::Unreachable {
                endpoint: self.endpoint.clone(),
                message,
            }),
            Err(Failure::Auth(message)) => Err(BlobError::Auth { message }),
        }
    }
}

async fn send(client: &reqwest::Client, auth: &Auth, r: Request) -> Result<Response, Failure> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let mut headers = r.headers;
    headers.push(("x-ms-date".into(), http_date(now)));
    headers.push(("x-ms-version".into(), API_VERSION.into()));
    let authorization = match auth {
        Auth::SharedKey { account, key } => {
            let query: Vec<(String, String)> = r.url.query_pairs().into_owned().collect();
            let signable = Signable {
                method: r.method.as_str(),
                headers: &headers,
                content_length: r.body.len(),
                path: r.url.path(),
                query: &query,
            };
            authorization(account, key, &signable)
        }
        Auth::Bearer(tokens) => {
            let token = tokens
                .token(STORAGE_SCOPE)
                .await
                .map_err(|e| Failure::Auth(e.to_string()))?;
            format!("Bearer {token}")
        }
    };
    let mut builder = client.request(r.method, r.url);
    for (k, v) in &headers {
        builder = builder.header(k, v);
    }
    let resp = builder
        .header("Authorization", authorization)
        .header("Content-Length", r.body.len().to_string())
        .body(r.body)
        .send()
        .await
        .map_err(|e| Failure::Connect {
            message: describe(&e),
            sent: !e.is_connect(),
        })?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp
        .bytes()
        .await
        .map_err(|e| Failure::Connect {
            message: describe(&e),
            sent: true,
        })?
        .to_vec();
    Ok(Response {
        status,
        headers,
        body,
    })
}

/// The error with its causes (reqwest's own message is only the outermost, e.g. "error
/// sending request").
fn describe(e: &reqwest::Error) -> String {
    let mut s = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        s.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A server answering each request with the next status of `statuses` (then 200).
    fn server(statuses: Vec<u16>) -> (Url, Arc<AtomicUsize>) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = Url::parse(&format!("http://{}/acct/c", listener.local_addr().unwrap())).unwrap();
        let count = Arc::new(AtomicUsize::new(0));
        let seen = count.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut buf = Vec::new();
                let mut byte = [0u8; 1];
                while !buf.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                    buf.push(byte[0]);
                }
                let n = seen.fetch_add(1, Ordering::SeqCst);
                let status = statuses.get(n).copied().unwrap_or(200);
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
            }
        });
        (url, count)
    }

    fn http(url: &Url) -> Http {
        let auth = Auth::SharedKey {
            account: "acct".into(),
            key: vec![1; 32],
        };
        Http::start(auth, url).unwrap()
    }

    fn get(url: &Url) -> Request {
        Request {
            method: reqwest::Method::GET,
            url: url.clone(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    #[test]
    fn server_busy_is_retried_until_it_answers() {
        let (url, count) = server(vec![503, 500]);
        let resp = http(&url).call(get(&url)).unwrap();
        assert_eq!(resp.status, 200);
        assert_eq!(count.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn a_refusal_is_answered_at_once_and_a_busy_server_gives_up_after_three_tries() {
        let (url, count) = server(vec![412]);
        assert_eq!(http(&url).call(get(&url)).unwrap().status, 412);
        assert_eq!(count.load(Ordering::SeqCst), 1);
        let (url, count) = server(vec![503, 503, 503, 503]);
        assert_eq!(http(&url).call(get(&url)).unwrap().status, 503);
        assert_eq!(count.load(Ordering::SeqCst), 3);
    }
}
