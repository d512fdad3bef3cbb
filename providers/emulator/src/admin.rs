//! `/_admin/*`: test and benchmark controls that real Azure does not have.
//!   POST /_admin/faults        replace the fault configuration (FaultConfig JSON)
//!   GET  /_admin/faults        current fault configuration (rules with remaining counts)
//!   GET  /_admin/stats         counters
//!   GET  /_admin/requests      requests received (only with `record_requests`)
//!   POST /_admin/reset         empty cloud, zero counters, configured faults
//!   PATCH /_admin/resource?id= merge JSON into a stored resource, behind the tool's back

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::app::App;
use crate::error::ArmError;
use crate::faults::FaultConfig;
use crate::lro::json_response;
use crate::router::query_param;
use crate::types::merge_patch;

pub(crate) async fn handle(
    app: &App,
    method: &Method,
    path: &str,
    query: &str,
    body: &[u8],
) -> Response {
    match route(app, method, path, query, body).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn route(
    app: &App,
    method: &Method,
    path: &str,
    query: &str,
    body: &[u8],
) -> Result<Response, ArmError> {
    match (method.as_str(), path.trim_end_matches('/')) {
        ("POST", "/_admin/faults") => {
            let cfg: FaultConfig =
                serde_json::from_slice(body).map_err(|e| ArmError::invalid_json(&e.to_string()))?;
            app.set_faults(cfg);
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        ("GET", "/_admin/faults") => {
            let cfg = app.faults().config.clone();
            Ok(json_response(
                StatusCode::OK,
                serde_json::to_value(cfg).unwrap_or(Value::Null),
            ))
        }
        ("GET", "/_admin/stats") => {
            let stats = app.stats_snapshot();
            Ok(json_response(
                StatusCode::OK,
                serde_json::to_value(stats).unwrap_or(Value::Null),
            ))
        }
        ("GET", "/_admin/requests") => Ok(json_response(
            StatusCode::OK,
            serde_json::to_value(app.requests().snapshot()).unwrap_or(Value::Null),
        )),
        ("POST", "/_admin/reset") => {
            app.reset();
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        ("PATCH", "/_admin/resource") => {
            let id = query_param(query, "id").ok_or_else(|| {
                ArmError::bad_request("MissingId", "The id query parameter is required.")
            })?;
            let patch: Value =
                serde_json::from_slice(body).map_err(|e| ArmError::invalid_json(&e.to_string()))?;
            let mut st = app.state();
            let key = id.to_ascii_lowercase();
            let entry = st.resources.get_mut(&key).ok_or_else(|| {
                ArmError::new(
                    StatusCode::NOT_FOUND,
                    "ResourceNotFound",
                    format!("No resource '{id}'."),
                )
            })?;
            // id, name and type are identity, not drift.
            let keep = (
                entry.body.get("id").cloned(),
                entry.body.get("name").cloned(),
                entry.body.get("type").cloned(),
            );
            merge_patch(&mut entry.body, &patch);
            if let Some(obj) = entry.body.as_object_mut() {
                for (k, v) in [("id", keep.0), ("name", keep.1), ("type", keep.2)] {
                    if let Some(v) = v {
                        obj.insert(k.to_string(), v);
                    }
                }
            }
            let body = entry.body.clone();
            drop(st);
            app.changed();
            Ok(json_response(StatusCode::OK, body))
        }
        _ => Ok(json_response(
            StatusCode::NOT_FOUND,
            json!({"error": {"code": "NotFound", "message": format!("No admin endpoint {method} {path}.")}}),
        )),
    }
}
