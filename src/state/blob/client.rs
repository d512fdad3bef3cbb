//! The Blob operations the state needs, over [`Http`]: get, properties, put (block and append
//! blobs), append block, delete, lease; each turns the service's answer into a result or a
//! [`BlobError`] that says what to do.

use super::BlobError;
use super::endpoint::{Endpoint, blob_url};
use super::http::{Http, Request, Response};
use reqwest::{Method, Url};
use std::collections::BTreeMap;

/// A blob's content (or properties) and version.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub body: Vec<u8>,
    pub etag: String,
    pub metadata: BTreeMap<String, String>,
    /// `leased`, `available`, `expired`, `breaking`, `broken`.
    pub lease_state: String,
    /// Append blobs: how many blocks were appended.
    pub committed_blocks: Option<u64>,
}

/// Conditions and extras of a write.
#[derive(Debug, Default, Clone)]
pub struct Write<'a> {
    pub if_match: Option<&'a str>,
    pub if_none_match_any: bool,
    pub lease_id: Option<&'a str>,
    pub metadata: &'a [(String, String)],
}

#[derive(Clone)]
pub struct Client {
    http: Http,
    container_url: Url,
    pub account: String,
    pub container: String,
}

/// The result of a write that may be refused by a condition.
pub enum Written {
    Done {
        etag: String,
    },
    /// If-None-Match / If-Match refused, or the blob exists (`409 BlobAlreadyExists`).
    ConditionFailed {
        code: String,
    },
}

impl Client {
    pub fn new(endpoint: Endpoint) -> Result<Client, BlobError> {
        let http = Http::start(endpoint.auth, &endpoint.container_url)?;
        Ok(Client {
            http,
            container_url: endpoint.container_url,
            account: endpoint.account,
            container: endpoint.container,
        })
    }

    /// `account/container/name`, for messages.
    pub fn display(&self, name: &str) -> String {
        format!("{}/{}/{name}", self.account, self.container)
    }

    pub fn location(&self) -> String {
        self.container_url.to_string()
    }

    fn request(
        &self,
        method: Method,
        name: &str,
        query: &[(&str, &str)],
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    ) -> Result<Response, BlobError> {
        let mut url = blob_url(&self.container_url, name);
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let resp = self.http.call(Request {
            method,
            url,
            headers,
            body,
        })?;
        if resp.status == 404 && resp.code() == "ContainerNotFound" {
            return Err(BlobError::ContainerNotFound {
                account: self.account.clone(),
                container: self.container.clone(),
            });
        }
        if resp.status == 403 || resp.status == 401 {
            return Err(BlobError::Denied {
                blob: self.display(name),
                status: resp.status,
                code: resp.code(),
            });
        }
        Ok(resp)
    }

    fn unexpected(&self, what: &'static str, name: &str, resp: &Response) -> BlobError {
        let text = String::from_utf8_lossy(&resp.body);
        let message = text
            .split("<Message>")
            .nth(1)
            .and_then(|m| m.split("</Message>").next())
            .map(|m| format!(": {}", m.lines().next().unwrap_or("")))
            .unwrap_or_default();
        BlobError::Status {
            what,
            blob: self.display(name),
            status: resp.status,
            code: resp.code(),
            message,
        }
    }

    fn fetched(resp: Response) -> Fetched {
        let metadata = resp
            .headers
            .iter()
            .filter_map(|(k, v)| {
                let key = k.as_str().strip_prefix("x-ms-meta-")?;
                Some((key.to_string(), v.to_str().ok()?.to_string()))
            })
            .collect();
        Fetched {
            etag: resp.header("etag").unwrap_or("").to_string(),
            lease_state: resp.header("x-ms-lease-state").unwrap_or("").to_string(),
            committed_blocks: resp
                .header("x-ms-blob-committed-block-count")
                .and_then(|n| n.parse().ok()),
            metadata,
            body: resp.body,
        }
    }

    /// The blob, or `None` if it does not exist.
    pub fn get(&self, name: &str) -> Result<Option<Fetched>, BlobError> {
        let resp = self.request(Method::GET, name, &[], Vec::new(), Vec::new())?;
        match resp.status {
            200 => Ok(Some(Self::fetched(resp))),
            404 => Ok(None),
            _ => Err(self.unexpected("reading", name, &resp)),
        }
    }

    /// Properties and metadata without the content.
    pub fn properties(&self, name: &str) -> Result<Option<Fetched>, BlobError> {
        let resp = self.request(Method::HEAD, name, &[], Vec::new(), Vec::new())?;
        match resp.status {
            200 => Ok(Some(Self::fetched(resp))),
            404 => Ok(None),
            _ => Err(self.unexpected("reading the properties of", name, &resp)),
        }
    }

    /// Delete Blob only if it is still as last read (`If-Match`); `Ok(false)` when it changed
    /// since. A blob already gone counts as deleted.
    pub fn delete_if_match(&self, name: &str, etag: &str) -> Result<bool, BlobError> {
        let headers = vec![("If-Match".to_string(), etag.to_string())];
        let resp = self.request(Method::DELETE, name, &[], headers, Vec::new())?;
        match resp.status {
            200..=202 | 404 => Ok(true),
            412 => Ok(false),
            _ => Err(self.unexpected("deleting", name, &resp)),
        }
    }

    fn write_headers(w: &Write<'_>) -> Vec<(String, String)> {
        let mut h = Vec::new();
        if let Some(etag) = w.if_match {
            h.push(("If-Match".to_string(), etag.to_string()));
        }
        if w.if_none_match_any {
            h.push(("If-None-Match".to_string(), "*".to_string()));
        }
        if let Some(lease) = w.lease_id {
            h.push(("x-ms-lease-id".to_string(), lease.to_string()));
        }
        for (k, v) in w.metadata {
            h.push((format!("x-ms-meta-{k}"), v.clone()));
        }
        h
    }

    fn written(
        &self,
        name: &str,
        what: &'static str,
        resp: Response,
    ) -> Result<Written, BlobError> {
        match (resp.status, resp.code().as_str()) {
            (200..=201, _) => Ok(Written::Done {
                etag: resp.header("etag").unwrap_or("").to_string(),
            }),
            (412, c) if c.starts_with("Lease") => Err(BlobError::LeaseLost {
                blob: self.display(name),
            }),
            (409, c) if c.starts_with("Lease") => Err(BlobError::LeaseLost {
                blob: self.display(name),
            }),
            (412, _) | (409, "BlobAlreadyExists") => {
                Ok(Written::ConditionFailed { code: resp.code() })
            }
            _ => Err(self.unexpected(what, name, &resp)),
        }
    }

    /// Put Blob (block blob): replaces content and metadata.
    pub fn put(&self, name: &str, body: Vec<u8>, w: &Write<'_>) -> Result<Written, BlobError> {
        let mut headers = Self::write_headers(w);
        headers.push(("x-ms-blob-type".into(), "BlockBlob".into()));
        let resp = self.request(Method::PUT, name, &[], headers, body)?;
        self.written(name, "writing", resp)
    }

    /// Creates (or empties) an append blob.
    pub fn create_append(&self, name: &str) -> Result<(), BlobError> {
        let headers = vec![("x-ms-blob-type".to_string(), "AppendBlob".to_string())];
        let resp = self.request(Method::PUT, name, &[], headers, Vec::new())?;
        match self.written(name, "creating", resp)? {
            Written::Done { .. } => Ok(()),
            Written::ConditionFailed { code } => Err(BlobError::Status {
                what: "creating",
                blob: self.display(name),
                status: 412,
                code,
                message: String::new(),
            }),
        }
    }

    pub fn append_block(&self, name: &str, body: Vec<u8>) -> Result<(), BlobError> {
        let resp = self.request(
            Method::PUT,
            name,
            &[("comp", "appendblock")],
            Vec::new(),
            body,
        )?;
        if resp.is_success() {
            Ok(())
        } else {
            Err(self.unexpected("appending to", name, &resp))
        }
    }

    /// Deletes the blob; one that does not exist counts as deleted.
    pub fn delete(&self, name: &str) -> Result<(), BlobError> {
        let resp = self.request(Method::DELETE, name, &[], Vec::new(), Vec::new())?;
        match resp.status {
            200..=202 | 404 => Ok(()),
            _ => Err(self.unexpected("deleting", name, &resp)),
        }
    }

    /// Set Blob Metadata (needs the lease id while leased); returns the new ETag.
    pub fn set_metadata(
        &self,
        name: &str,
        lease_id: &str,
        metadata: &[(String, String)],
    ) -> Result<String, BlobError> {
        let w = Write {
            lease_id: Some(lease_id),
            metadata,
            ..Write::default()
        };
        let resp = self.request(
            Method::PUT,
            name,
            &[("comp", "metadata")],
            Self::write_headers(&w),
            Vec::new(),
        )?;
        match self.written(name, "setting the metadata of", resp)? {
            Written::Done { etag } => Ok(etag),
            Written::ConditionFailed { .. } => Err(BlobError::LeaseLost {
                blob: self.display(name),
            }),
        }
    }

    /// Lease Blob with `action` (`acquire`, `renew`, `release`, `break`) and its headers.
    pub fn lease(
        &self,
        name: &str,
        action: &str,
        extra: &[(&str, String)],
    ) -> Result<Response, BlobError> {
        let mut headers = vec![("x-ms-lease-action".to_string(), action.to_string())];
        headers.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));
        self.request(Method::PUT, name, &[("comp", "lease")], headers, Vec::new())
    }

    pub fn lease_error(&self, name: &str, resp: &Response) -> BlobError {
        self.unexpected("leasing", name, resp)
    }

    fn container_request(
        &self,
        method: Method,
        query: &[(&str, &str)],
    ) -> Result<Response, BlobError> {
        let mut url = self.container_url.clone();
        url.query_pairs_mut().extend_pairs(query);
        self.http.call(Request {
            method,
            url,
            headers: Vec::new(),
            body: Vec::new(),
        })
    }

    /// Creates the container (one that exists already is fine): for setting up a new account
    /// and for tests against Azurite.
    pub fn create_container(&self) -> Result<(), BlobError> {
        let resp = self.container_request(Method::PUT, &[("restype", "container")])?;
        match (resp.status, resp.code().as_str()) {
            (200..=201, _) | (409, "ContainerAlreadyExists") => Ok(()),
            _ => Err(self.unexpected("creating the container for", "", &resp)),
        }
    }

    /// The names of the blobs in the container (first 5,000).
    pub fn list(&self) -> Result<Vec<String>, BlobError> {
        let resp =
            self.container_request(Method::GET, &[("restype", "container"), ("comp", "list")])?;
        if resp.status == 404 {
            return Err(BlobError::ContainerNotFound {
                account: self.account.clone(),
                container: self.container.clone(),
            });
        }
        if !resp.is_success() {
            return Err(self.unexpected("listing", "", &resp));
        }
        let text = String::from_utf8_lossy(&resp.body);
        Ok(text
            .split("<Name>")
            .skip(1)
            .filter_map(|s| s.split("</Name>").next())
            .map(|s| {
                s.replace("&amp;", "&")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
            })
            .collect())
    }
}
