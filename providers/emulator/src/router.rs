//! The single entry point: counts the request, routes admin and Key Vault traffic,
//! and for ARM applies authentication, fault injection, throttling and the
//! api-version rule before handing over to `arm`.

use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use crate::app::App;
use crate::error::ArmError;
use crate::faults::Fault;
use crate::server::KillSwitch;
use crate::throttle::OpClass;
use crate::util::decode_segment;

pub(crate) async fn entry(
    State(app): State<Arc<App>>,
    Extension(kill): Extension<KillSwitch>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let write = method != Method::GET && method != Method::HEAD;
    let resp = route(&app, &kill, &method, &uri, &headers, &body).await;
    if write {
        app.save_acknowledged().await;
    }
    resp
}

async fn route(
    app: &Arc<App>,
    kill: &KillSwitch,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Response {
    *app.stats()
        .requests_by_method
        .entry(method.to_string())
        .or_default() += 1;
    let path = uri.path().to_string();
    let query = uri.query().unwrap_or("").to_string();
    if path.starts_with("/_admin") {
        return crate::admin::handle(app, method, &path, &query, body).await;
    }
    // Token requests carry client secrets and assertions: answered before anything is recorded.
    if let Some(resp) = crate::entra::handle(app, method, &path, &query, headers, body) {
        return resp;
    }
    if app.config.record_requests {
        app.requests().push(method.as_str(), &path, &query, body);
    }
    let is_kv = path.starts_with("/kv/");
    let authorized = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.len() > 7 && v[..7].eq_ignore_ascii_case("bearer "));
    if app.config.require_auth && !authorized {
        return unauthorized(is_kv);
    }
    let fault = app.faults().on_request(method.as_str(), &path);
    if let Some(fault) = fault {
        app.stats().faults_injected += 1;
        return fault_response(app, fault, kill).await;
    }
    if is_kv {
        return crate::keyvault_data::handle(app, method, &path, &query, body);
    }
    let class = OpClass::of(method.as_str());
    let sub = path.split('/').nth(2).unwrap_or("").to_string();
    let remaining = match app.throttle.take(&sub, class) {
        Ok(r) => r,
        Err(wait) => {
            app.stats().throttled += 1;
            let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
            let mut resp = ArmError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "TooManyRequests",
                format!("The request is being throttled as the limit has been reached for operation type - {class:?}. Please retry after {secs} seconds."),
            )
            .header("retry-after", secs.to_string())
            .into_response();
            set_header(&mut resp, class.header(), "0");
            return resp;
        }
    };
    let mut resp = match query_param(&query, "api-version") {
        Some(v) if !v.is_empty() => {
            let base = request_base(headers).unwrap_or_else(|| app.base_url.clone());
            let req = crate::arm::Req {
                method,
                path: &path,
                query: &query,
                api_version: &v,
                headers,
                body,
            };
            crate::app::with_request_base(base, crate::arm::handle(app, req)).await
        }
        _ => ArmError::bad_request(
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        )
        .into_response(),
    };
    set_header(&mut resp, class.header(), &remaining.to_string());
    resp
}

/// `http://{Host}` (the scheme from `X-Forwarded-Proto` when a proxy says so); `None` when
/// the Host header is missing or not a plain host[:port].
fn request_base(headers: &HeaderMap) -> Option<String> {
    let host = headers.get("host")?.to_str().ok()?.trim();
    let plain = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if !plain {
        return None;
    }
    let scheme = match headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
    {
        Some(p) if p.eq_ignore_ascii_case("https") => "https",
        _ => "http",
    };
    Some(format!("{scheme}://{host}"))
}

fn set_header(resp: &mut Response, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        resp.headers_mut().insert(name, v);
    }
}

fn unauthorized(is_kv: bool) -> Response {
    if is_kv {
        let mut resp = ArmError::new(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "[AKV10000: ]Request is missing a Bearer or PoP token.",
        )
        .into_response();
        set_header(
            &mut resp,
            "www-authenticate",
            "Bearer authorization=\"https://login.windows.net/00000000-0000-0000-0000-000000000000\", resource=\"https://vault.azure.net\"",
        );
        return resp;
    }
    ArmError::new(
        StatusCode::UNAUTHORIZED,
        "AuthenticationFailed",
        "Authentication failed. The 'Authorization' header is missing.",
    )
    .into_response()
}

async fn fault_response(app: &App, fault: Fault, kill: &KillSwitch) -> Response {
    match fault {
        Fault::TooManyRequests { retry_after_secs } => ArmError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequests",
            "The request is being throttled (injected fault).",
        )
        .header("retry-after", retry_after_secs.to_string())
        .into_response(),
        Fault::InternalServerError => ArmError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            "Encountered internal server error (injected fault).",
        )
        .into_response(),
        Fault::ServiceUnavailable => ArmError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            "The service is temporarily unavailable (injected fault).",
        )
        .header("retry-after", "1")
        .into_response(),
        Fault::PreconditionFailed => ArmError::new(
            StatusCode::PRECONDITION_FAILED,
            "PreconditionFailed",
            "The condition specified using HTTP conditional header(s) is not met.",
        )
        .into_response(),
        Fault::ServerIsBusy => ArmError::conflict(
            "ServerIsBusy",
            "The server is busy processing another operation. Please retry after some time.",
        )
        .into_response(),
        // Rules of this kind never match on_request; answer as if nothing happened.
        Fault::LroFailed { .. } => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        Fault::DropConnection => {
            app.stats().dropped_connections += 1;
            kill.pull();
            // The connection task drops this future with the connection.
            std::future::pending::<Response>().await
        }
    }
}

/// First value of a query parameter, name compared case-insensitively.
pub(crate) fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        k.eq_ignore_ascii_case(name)
            .then(|| decode_segment(&v.replace('+', " ")))
    })
}
