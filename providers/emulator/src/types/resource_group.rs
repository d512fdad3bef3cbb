//! Microsoft.Resources/resourceGroups (recorded: azure-cli test_resource_group).
//! PUT is synchronous (201 create / 200 update); DELETE is 202 + Location, polled
//! 202 ... 200 with an empty body; the request may say `resourcegroups`, ids say
//! `resourceGroups`.

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::{Kind, Prepared, PutCtx};
use crate::app::App;
use crate::error::ArmError;
use crate::lro::{self, DeleteLro, OpSpec, json_response};
use crate::store::{Entry, OpKind, State, StatusStyle};
use crate::util;

pub(crate) struct ResourceGroup;
pub(crate) static RESOURCE_GROUP: ResourceGroup = ResourceGroup;

impl Kind for ResourceGroup {
    fn put(&self, _ctx: &PutCtx<'_>, _st: &mut State, _body: Value) -> Result<Prepared, ArmError> {
        // Resource groups are written by `handle` below, never through the provider path.
        Err(ArmError::bad_request(
            "InvalidResourceType",
            "Not a provider resource.",
        ))
    }
    fn delete_lro(&self) -> DeleteLro {
        DeleteLro::ResourceGroup
    }
}

pub(crate) fn rg_id(sub: &str, rg: &str) -> String {
    format!("/subscriptions/{sub}/resourceGroups/{rg}")
}

pub(crate) struct RgRequest<'a> {
    pub method: &'a Method,
    pub sub: &'a str,
    pub rg: &'a str,
    pub api_version: &'a str,
    pub body: Option<Value>,
    pub path: &'a str,
}

/// Returns the response and, for writes, the latency to wait before sending it.
pub(crate) fn handle(app: &App, st: &mut State, r: RgRequest<'_>) -> Result<Response, ArmError> {
    let id = rg_id(r.sub, r.rg);
    let existing = st.get(&id).cloned();
    let missing = || ArmError::rg_not_found(r.rg);
    match *r.method {
        Method::GET => existing
            .map(|e| json_response(StatusCode::OK, e.body))
            .ok_or_else(missing),
        Method::HEAD => Ok(match existing {
            Some(_) => StatusCode::NO_CONTENT.into_response(),
            None => {
                let mut resp = StatusCode::NOT_FOUND.into_response();
                resp.headers_mut().insert(
                    "x-ms-failure-cause",
                    axum::http::HeaderValue::from_static("gateway"),
                );
                resp
            }
        }),
        Method::PUT => put(st, &id, r.rg, existing, r.body.unwrap_or(Value::Null)),
        Method::PATCH => {
            let mut e = existing.ok_or_else(missing)?;
            let patch = r.body.unwrap_or(Value::Null);
            if let Some(obj) = e.body.as_object_mut() {
                for key in ["tags", "managedBy"] {
                    if let Some(v) = patch.get(key) {
                        obj.insert(key.to_string(), v.clone());
                    }
                }
            }
            st.insert(e.clone());
            Ok(json_response(StatusCode::OK, e.body))
        }
        Method::DELETE => {
            let mut e = existing.ok_or_else(missing)?;
            let location = e
                .body
                .get("location")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let previous = Some(e.clone());
            super::set_state(&mut e.body, "/properties/provisioningState", "Deleting");
            st.insert(e);
            let op = lro::start(
                app,
                st,
                OpSpec {
                    sub: r.sub,
                    namespace: "Microsoft.Resources",
                    location,
                    resource_key: id.to_ascii_lowercase(),
                    kind: OpKind::Delete,
                    style: StatusStyle::ResourceGroup,
                    previous,
                    type_key: "microsoft.resources/resourcegroups",
                    method: "DELETE",
                    path: r.path,
                },
            );
            Ok(lro::delete_response(
                app,
                DeleteLro::ResourceGroup,
                &op,
                r.api_version,
            ))
        }
        _ => Err(ArmError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "The requested method is not supported for resource groups.",
        )),
    }
}

fn put(
    st: &mut State,
    id: &str,
    rg: &str,
    existing: Option<Entry>,
    body: Value,
) -> Result<Response, ArmError> {
    let sent = body
        .get("location")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            ArmError::bad_request(
                "LocationRequired",
                "The location property is required for this definition.",
            )
        })?;
    let location = util::region_short(sent).ok_or_else(|| {
        ArmError::bad_request(
            "LocationNotAvailableForResourceGroup",
            format!("The provided location '{sent}' is not available for resource group."),
        )
    })?;
    let mut out = Map::new();
    if let Some(old) = &existing {
        if old
            .body
            .pointer("/properties/provisioningState")
            .and_then(Value::as_str)
            == Some("Deleting")
        {
            return Err(ArmError::conflict(
                "ResourceGroupBeingDeleted",
                format!(
                    "The resource group '{rg}' is in deprovisioning state and cannot perform this operation."
                ),
            ));
        }
        let old_loc = old
            .body
            .get("location")
            .and_then(Value::as_str)
            .unwrap_or("");
        if old_loc != location {
            return Err(ArmError::conflict(
                "InvalidResourceGroupLocation",
                format!(
                    "Invalid resource group location '{location}'. The Resource group already exists in location '{old_loc}'."
                ),
            ));
        }
        out.insert("id".into(), json!(old.id()));
        out.insert(
            "name".into(),
            old.body.get("name").cloned().unwrap_or(json!(rg)),
        );
    } else {
        out.insert("id".into(), json!(id));
        out.insert("name".into(), json!(rg));
    }
    out.insert("type".into(), json!("Microsoft.Resources/resourceGroups"));
    out.insert("location".into(), json!(location));
    super::copy(&body, &mut out, &["managedBy", "tags"]);
    out.insert(
        "properties".into(),
        json!({"provisioningState": "Succeeded"}),
    );
    let entry = Entry::new(Value::Object(out));
    st.insert(entry.clone());
    let status = if existing.is_some() {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok(json_response(status, entry.body))
}

pub(crate) fn list(st: &State, sub: &str) -> Response {
    let prefix = format!("/subscriptions/{sub}/resourcegroups/").to_ascii_lowercase();
    let value: Vec<Value> = st
        .resources
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .filter(|(k, _)| !k[prefix.len()..].contains('/'))
        .map(|(_, e)| e.body.clone())
        .collect();
    json_response(StatusCode::OK, json!({ "value": value }))
}
