//! Long-running operations. Each RP's pattern is reproduced as recorded (FINDINGS §1):
//! which status code the write gets, which of Azure-AsyncOperation / Location it
//! carries, how the operation URL looks and what the status body contains.
//! Operations complete once their latency has elapsed, checked whenever a request
//! arrives ("virtual" time: nothing runs in the background).

use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::app::App;
use crate::error::ArmError;
use crate::store::{Entry, OpKind, Operation, State, StatusStyle};
use crate::types;
use crate::util::{base64url, encode_segment, now_ms, rfc3339};

/// How a PUT/PATCH answers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Lro {
    Sync,
    /// 201/200 with `provisioningState: Creating`, Azure-AsyncOperation under
    /// `locations/{Display%20Name}/asyncOperations`, Location = the resource URL.
    Redis,
    /// 202 with optional `{"operation","startTime"}` body and signed
    /// azureAsyncOperation + operationResults URLs on another api-version.
    Postgres {
        operation: Option<&'static str>,
    },
    /// 201/200 with a non-terminal state, signed Azure-AsyncOperation, Retry-After 5,
    /// x-ms-async-operation-timeout.
    App {
        statuses: &'static str,
    },
}

/// How a DELETE of an existing resource answers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum DeleteLro {
    /// 200 with an empty body.
    Sync,
    /// 202 + Location `/subscriptions/{sub}/operationresults/{token}`; polls 202 then 200.
    ResourceGroup,
    Postgres,
    /// 202 + Location to `locations/{loc}/{results}/{id}`.
    Location {
        results: &'static str,
    },
    /// 202 + Azure-AsyncOperation to `locations/{loc}/{statuses}/{id}`.
    Async {
        statuses: &'static str,
    },
}

pub(crate) struct OpSpec<'a> {
    pub sub: &'a str,
    pub namespace: &'a str,
    pub location: String,
    pub resource_key: String,
    pub kind: OpKind,
    pub style: StatusStyle,
    pub previous: Option<Entry>,
    pub type_key: &'a str,
    pub method: &'a str,
    pub path: &'a str,
}

const PG_OP_API: &str = "2025-06-01-preview";

pub(crate) fn start(app: &App, st: &mut State, spec: OpSpec<'_>) -> Operation {
    let id = app.guid();
    let id = if spec.style == StatusStyle::ResourceGroup {
        rg_token(&id, &spec)
    } else {
        id
    };
    let failure = app.faults().on_lro(spec.method, spec.path);
    if failure.is_some() {
        app.stats().faults_injected += 1;
    }
    let started_ms = now_ms();
    let op = Operation {
        id: id.clone(),
        sub: spec.sub.to_string(),
        namespace: spec.namespace.to_string(),
        location: spec.location,
        resource_key: spec.resource_key,
        kind: spec.kind,
        style: spec.style,
        started_ms,
        duration_ms: app.config.latency.for_type(spec.type_key).as_millis() as u64,
        start_time: rfc3339(started_ms),
        failure,
        done: false,
        previous: spec.previous,
    };
    st.operations.insert(id, op.clone());
    op
}

/// ARM's resource-group deletion token: base64url of a small JSON job description.
fn rg_token(id: &str, spec: &OpSpec<'_>) -> String {
    let rg = spec
        .resource_key
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    let job = json!({
        "jobId": format!("RESOURCEGROUPDELETIONJOB-{}-{rg}", id.replace('-', "").to_ascii_uppercase()),
        "jobLocation": spec.location,
    });
    base64url(job.to_string().as_bytes())
}

/// Complete every operation whose time has come. Returns true if anything changed.
pub(crate) fn settle(st: &mut State) -> bool {
    let now = now_ms();
    let due: Vec<String> = st
        .operations
        .values()
        .filter(|o| !o.done && o.started_ms.saturating_add(o.duration_ms) <= now)
        .map(|o| o.id.clone())
        .collect();
    for id in &due {
        let Some(op) = st.operations.get_mut(id) else {
            continue;
        };
        op.done = true;
        let op = op.clone();
        complete(st, &op);
    }
    // Finished operations stay pollable for an hour, then are forgotten.
    let before = st.operations.len();
    st.operations
        .retain(|_, o| !o.done || now.saturating_sub(o.started_ms + o.duration_ms) < 3_600_000);
    !due.is_empty() || before != st.operations.len()
}

fn complete(st: &mut State, op: &Operation) {
    let kind = types::kind_for_id(&op.resource_key);
    let ok = op.failure.is_none();
    match (&op.kind, ok) {
        (OpKind::Put, true) => {
            if let Some(e) = st.resources.get_mut(&op.resource_key)
                && !kind.finish(e, true)
            {
                st.resources.remove(&op.resource_key);
            }
        }
        (OpKind::Put, false) => match &op.previous {
            Some(prev) => {
                let mut prev = prev.clone();
                kind.finish(&mut prev, false);
                st.resources.insert(op.resource_key.clone(), prev);
            }
            None => {
                if let Some(e) = st.resources.get_mut(&op.resource_key)
                    && !kind.finish(e, false)
                {
                    st.resources.remove(&op.resource_key);
                }
            }
        },
        (OpKind::Delete, true) => {
            if let Some(e) = crate::cascade::remove_tree(st, &op.resource_key) {
                kind.after_delete(&e, st);
            }
        }
        (OpKind::Delete, false) => {
            if let Some(prev) = &op.previous {
                st.resources.insert(op.resource_key.clone(), prev.clone());
            }
        }
        (OpKind::Action, _) => {}
    }
}

fn signed_query(app: &App, ticks: u64) -> String {
    app.with_rng(|r| {
        format!(
            "t={ticks}&c={}&s={}&h={}",
            r.b64(1400),
            r.b64(342),
            r.b64(43)
        )
    })
}

fn ticks(ms: u64) -> u64 {
    // .NET ticks (100 ns since 0001-01-01), as in the recorded t= parameter.
    ms * 10_000 + 621_355_968_000_000_000
}

/// The URL a client polls for `op`, under `locations/{loc}/{segment}/{id}`.
pub(crate) fn op_url(app: &App, op: &Operation, segment: &str, api_version: &str) -> String {
    let base = format!(
        "{}/subscriptions/{}/providers/{}/locations/{}/{segment}/{}",
        app.base(),
        op.sub,
        op.namespace,
        encode_segment(&op.location),
        op.id
    );
    match op.style {
        StatusStyle::Postgres => format!(
            "{base}?api-version={PG_OP_API}&{}",
            signed_query(app, ticks(op.started_ms))
        ),
        StatusStyle::App => format!(
            "{base}?api-version={api_version}&azureAsyncOperation=true&{}",
            signed_query(app, ticks(op.started_ms))
        ),
        _ => format!("{base}?api-version={api_version}"),
    }
}

pub(crate) fn rg_location(app: &App, op: &Operation, api_version: &str) -> String {
    format!(
        "{}/subscriptions/{}/operationresults/{}?api-version={api_version}",
        app.base(),
        op.sub,
        op.id
    )
}

/// `Retry-After` to send: the configured value, or the recorded one (if any).
fn retry_after(app: &App, recorded: Option<u64>) -> Option<String> {
    match app.config.retry_after {
        Some(d) => Some(d.as_secs().to_string()),
        None => recorded.map(|s| s.to_string()),
    }
}

fn with_headers(mut resp: Response, headers: &[(&'static str, Option<String>)]) -> Response {
    let map: &mut HeaderMap = resp.headers_mut();
    for (name, value) in headers {
        if let Some(v) = value
            && let Ok(v) = HeaderValue::from_str(v)
        {
            map.insert(HeaderName::from_static(name), v);
        }
    }
    resp
}

pub(crate) fn json_response(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

pub(crate) fn empty(status: StatusCode) -> Response {
    status.into_response()
}

pub(crate) struct PutAnswer<'a> {
    pub lro: Lro,
    pub op: &'a Operation,
    pub view: Value,
    pub created: bool,
    pub api_version: &'a str,
    pub resource_id: &'a str,
}

pub(crate) fn put_response(app: &App, a: PutAnswer<'_>) -> Response {
    let status = if a.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    match a.lro {
        Lro::Sync => json_response(status, a.view),
        Lro::Redis => with_headers(
            json_response(status, a.view),
            &[
                (
                    "azure-asyncoperation",
                    Some(op_url(app, a.op, "asyncOperations", a.api_version)),
                ),
                (
                    "location",
                    Some(format!(
                        "{}{}?api-version={}",
                        app.base(),
                        a.resource_id,
                        a.api_version
                    )),
                ),
                ("retry-after", retry_after(app, None)),
            ],
        ),
        Lro::Postgres { operation } => {
            let resp = match operation {
                Some(name) => json_response(
                    StatusCode::ACCEPTED,
                    json!({"operation": name, "startTime": rfc3339(a.op.started_ms).replace("0000Z", "Z")}),
                ),
                None => empty(StatusCode::ACCEPTED),
            };
            pg_headers(app, resp, a.op, a.api_version)
        }
        Lro::App { statuses } => with_headers(
            json_response(status, a.view),
            &[
                (
                    "azure-asyncoperation",
                    Some(op_url(app, a.op, statuses, a.api_version)),
                ),
                ("retry-after", retry_after(app, Some(5))),
                ("x-ms-async-operation-timeout", Some("PT15M".to_string())),
            ],
        ),
    }
}

fn pg_headers(app: &App, resp: Response, op: &Operation, api_version: &str) -> Response {
    with_headers(
        resp,
        &[
            (
                "azure-asyncoperation",
                Some(op_url(app, op, "azureAsyncOperation", api_version)),
            ),
            (
                "location",
                Some(op_url(app, op, "operationResults", api_version)),
            ),
            ("retry-after", retry_after(app, None)),
        ],
    )
}

pub(crate) fn delete_response(
    app: &App,
    lro: DeleteLro,
    op: &Operation,
    api_version: &str,
) -> Response {
    let accepted = empty(StatusCode::ACCEPTED);
    match lro {
        DeleteLro::Sync => empty(StatusCode::OK),
        DeleteLro::ResourceGroup => with_headers(
            accepted,
            &[
                ("location", Some(rg_location(app, op, api_version))),
                ("retry-after", retry_after(app, None)),
            ],
        ),
        DeleteLro::Postgres => pg_headers(app, accepted, op, api_version),
        DeleteLro::Location { results } => with_headers(
            accepted,
            &[
                ("location", Some(op_url(app, op, results, api_version))),
                ("retry-after", retry_after(app, None)),
            ],
        ),
        DeleteLro::Async { statuses } => with_headers(
            accepted,
            &[
                (
                    "azure-asyncoperation",
                    Some(op_url(app, op, statuses, api_version)),
                ),
                ("retry-after", retry_after(app, None)),
            ],
        ),
    }
}

fn status_word(op: &Operation) -> &'static str {
    match (op.done, &op.failure) {
        (false, _) => "InProgress",
        (true, None) => "Succeeded",
        (true, Some(_)) => "Failed",
    }
}

/// GET on an operation URL. `kind` is the URL segment: `...Results` segments follow
/// Location semantics (202 while running, then the outcome); the others return a
/// status body.
pub(crate) fn poll(
    app: &App,
    st: &mut State,
    kind: &str,
    id: &str,
    path: &str,
    query: &str,
) -> Response {
    let Some(op) = st.operations.get(id).cloned() else {
        return ArmError::new(
            StatusCode::NOT_FOUND,
            "OperationNotFound",
            format!("The operation '{id}' could not be found."),
        )
        .into_response();
    };
    let location_semantics = kind.to_ascii_lowercase().contains("result");
    if location_semantics {
        if !op.done {
            let url = format!("{}{path}?{query}", app.base());
            return with_headers(
                empty(StatusCode::ACCEPTED),
                &[
                    ("location", Some(url)),
                    ("retry-after", retry_after(app, None)),
                ],
            );
        }
        if let Some((code, message)) = &op.failure {
            return ArmError::bad_request(code, message.clone()).into_response();
        }
        return match (&op.kind, st.resources.get(&op.resource_key)) {
            (OpKind::Put, Some(e)) => json_response(
                StatusCode::OK,
                types::kind_for_id(&op.resource_key).view(e, false),
            ),
            _ => empty(StatusCode::OK),
        };
    }
    let status = status_word(&op);
    let error = op
        .failure
        .as_ref()
        .map(|(c, m)| json!({"code": c, "message": m}));
    let own_id = format!(
        "/subscriptions/{}/providers/{}/locations/{}/{kind}/{}",
        op.sub, op.namespace, op.location, op.id
    );
    let mut body = match op.style {
        StatusStyle::Redis => json!({
            "id": own_id, "name": op.id, "status": status, "startTime": null, "endTime": null,
            "percentComplete": null, "properties": null, "error": error,
        }),
        StatusStyle::Postgres => {
            json!({"name": op.id, "status": status, "startTime": op.start_time})
        }
        StatusStyle::App | StatusStyle::ResourceGroup => {
            json!({"id": own_id, "name": op.id, "status": status, "startTime": op.start_time})
        }
    };
    if op.style != StatusStyle::Redis
        && let (Some(err), Some(obj)) = (error, body.as_object_mut())
    {
        obj.insert("error".into(), err);
    }
    let resp = json_response(StatusCode::OK, body);
    if op.done {
        resp
    } else {
        with_headers(resp, &[("retry-after", retry_after(app, None))])
    }
}

/// Whether an unfinished operation is running on this resource (or below it).
pub(crate) fn busy(st: &State, key: &str) -> bool {
    st.operations
        .values()
        .any(|o| !o.done && o.resource_key == key)
}
