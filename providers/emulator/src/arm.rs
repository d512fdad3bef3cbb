//! Generic ARM resource handling: parent checks, canonical ids, PUT/PATCH/GET/HEAD/
//! DELETE, collection lists and POST actions. Type-specific behaviour lives in
//! `types`; LRO mechanics in `lro`.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use infra_azure_types::ResourceType;
use serde_json::{Value, json};

use crate::app::App;
use crate::error::ArmError;
use crate::lro::{self, DeleteLro, Lro, OpSpec, PutAnswer, empty, json_response};
use crate::path::{self, ArmPath, ResPath, canonical_type};
use crate::schema;
use crate::store::{Entry, OpKind, State};
use crate::types::{self, PutCtx, resource_group};
use crate::util::now_rfc3339;

pub(crate) struct Req<'a> {
    pub method: &'a Method,
    pub path: &'a str,
    pub query: &'a str,
    pub api_version: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

type Answer = Result<(Response, Duration), ArmError>;

pub(crate) async fn handle(app: &Arc<App>, req: Req<'_>) -> Response {
    let (resp, delay) = {
        let mut st = app.state();
        if lro::settle(&mut st) {
            app.changed();
        }
        dispatch(app, &mut st, &req).unwrap_or_else(|e| (e.into_response(), Duration::ZERO))
    };
    if req.method != Method::GET && req.method != Method::HEAD {
        app.changed();
    }
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    resp
}

fn now(resp: Response) -> Answer {
    Ok((resp, Duration::ZERO))
}

fn method_not_allowed() -> ArmError {
    ArmError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
        "The requested method is not supported.",
    )
}

/// Request body as a JSON object; empty means `{}`.
pub(crate) fn parse_body(body: &[u8]) -> Result<Value, ArmError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    let v: Value =
        serde_json::from_slice(body).map_err(|e| ArmError::invalid_json(&e.to_string()))?;
    if !v.is_object() {
        return Err(ArmError::invalid_json(
            "the request body must be a JSON object",
        ));
    }
    Ok(v)
}

fn dispatch(app: &App, st: &mut State, req: &Req<'_>) -> Answer {
    match path::parse(req.path) {
        ArmPath::Subscription { sub } if req.method == Method::GET => now(json_response(
            StatusCode::OK,
            json!({"id": format!("/subscriptions/{sub}"), "subscriptionId": sub, "tenantId": "00000000-0000-0000-0000-000000000000",
                   "displayName": "Emulator subscription", "state": "Enabled"}),
        )),
        ArmPath::ResourceGroups { sub } if req.method == Method::GET => {
            now(resource_group::list(st, &sub))
        }
        ArmPath::ResourceGroup { sub, rg } => {
            let body = match *req.method {
                Method::PUT | Method::PATCH => Some(parse_body(req.body)?),
                _ => None,
            };
            let r = resource_group::RgRequest {
                method: req.method,
                sub: &sub,
                rg: &rg,
                api_version: req.api_version,
                body,
                path: req.path,
            };
            let resp = resource_group::handle(app, st, r)?;
            let delay = if req.method == Method::PUT {
                app.config
                    .latency
                    .for_type("microsoft.resources/resourcegroups")
            } else {
                Duration::ZERO
            };
            Ok((resp, delay))
        }
        ArmPath::Resources { sub, rg } if req.method == Method::GET => {
            now(list_resources(st, &sub, rg.as_deref()))
        }
        ArmPath::OperationResult { token } if req.method == Method::GET => now(lro::poll(
            app,
            st,
            "operationresults",
            &token,
            req.path,
            req.query,
        )),
        ArmPath::Location {
            sub,
            namespace,
            location,
            kind,
            id,
            tail,
        } => {
            if kind.eq_ignore_ascii_case("deletedVaults")
                && namespace.eq_ignore_ascii_case("Microsoft.KeyVault")
            {
                return now(types::deleted_vaults(
                    st, req.method, &sub, &location, &id, &tail,
                )?);
            }
            if req.method != Method::GET {
                return Err(method_not_allowed());
            }
            now(lro::poll(app, st, &kind, &id, req.path, req.query))
        }
        ArmPath::Provider(p) => provider(app, st, req, &p),
        _ => Err(ArmError::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!(
                "No HTTP resource was found that matches the request URI '{}'.",
                req.path
            ),
        )),
    }
}

/// Canonical id of the item (or collection) and canonical type name; every parent,
/// and the scope, must exist.
fn resolve(st: &State, p: &ResPath) -> Result<(String, String), ArmError> {
    let sub_scope = format!("/subscriptions/{}", p.sub);
    let scope_id = if p.scope.eq_ignore_ascii_case(&sub_scope) {
        sub_scope
    } else {
        match st.get(&p.scope) {
            Some(e) => e.id().to_string(),
            None => {
                return Err(match path::parse(&p.scope) {
                    ArmPath::ResourceGroup { rg, .. } => ArmError::rg_not_found(&rg),
                    _ => ArmError::parent_not_found(&p.scope),
                });
            }
        }
    };
    let (ns, types) = canonical_type(&p.namespace, &p.types);
    let mut id = format!("{scope_id}/providers/{ns}");
    let n = p.names.len();
    for (i, (ty, name)) in types.iter().zip(&p.names).enumerate() {
        id = format!("{id}/{ty}/{name}");
        if let Some(e) = st.get(&id) {
            id = e.id().to_string();
        } else if i + 1 < n || !p.is_item() {
            return Err(ArmError::parent_not_found(&p.names[..=i].join("/")));
        }
    }
    if !p.is_item() {
        id = format!("{id}/{}", types[n]);
    }
    Ok((id, format!("{ns}/{}", types.join("/"))))
}

fn provider(app: &App, st: &mut State, req: &Req<'_>, p: &ResPath) -> Answer {
    // Types without hand-written behaviour are checked against the type data first, as
    // ARM's gateway checks namespace, type and api-version before anything else.
    let typed = if p.is_item()
        && matches!(*req.method, Method::PUT | Method::PATCH)
        && types::is_generic(&p.type_key())
    {
        schema::resolve(p, req.api_version, &parse_body(req.body)?)?
    } else {
        None
    };
    let (id, type_name) = resolve(st, p)?;
    if p.type_key() == "microsoft.authorization/roledefinitions" {
        return now(types::role_definitions::handle(req.method, p, req.query)?);
    }
    let kind = types::kind(&p.type_key());
    if !p.is_item() {
        return match *req.method {
            Method::GET => now(list(st, p, &id, &type_name)),
            Method::POST => action(app, st, req, p, &id),
            _ => Err(method_not_allowed()),
        };
    }
    match *req.method {
        Method::GET => match st.get(&id).cloned().or_else(|| kind.implicit(p, &id, st)) {
            Some(e) => now(json_response(StatusCode::OK, kind.view(&e, false))),
            None => Err(kind.not_found(&type_name, p)),
        },
        Method::HEAD => now(empty(if st.get(&id).is_some() {
            StatusCode::NO_CONTENT
        } else {
            StatusCode::NOT_FOUND
        })),
        Method::PUT | Method::PATCH => put(app, st, req, p, (id, type_name), typed),
        Method::DELETE => delete(app, st, req, p, &id),
        _ => Err(method_not_allowed()),
    }
}

fn preconditions(headers: &HeaderMap, existing: Option<&Entry>) -> Result<(), ArmError> {
    let etag = existing
        .and_then(|e| e.body.get("etag"))
        .and_then(Value::as_str);
    let header = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim_matches('"').to_string())
    };
    let failed = || {
        ArmError::new(
            StatusCode::PRECONDITION_FAILED,
            "PreconditionFailed",
            "The condition specified using HTTP conditional header(s) is not met.",
        )
    };
    if let Some(m) = header("if-match") {
        let ok = match (m.as_str(), existing) {
            ("*", e) => e.is_some(),
            (m, _) => etag == Some(m),
        };
        if !ok {
            return Err(failed());
        }
    }
    if header("if-none-match").as_deref() == Some("*") && existing.is_some() {
        return Err(failed());
    }
    Ok(())
}

/// ARM's answer to a write while an operation runs on the resource, worded as ARM words it
/// (with the URL of the running operation's status).
fn busy(app: &App, st: &State, key: &str, api_version: &str) -> ArmError {
    let status = st
        .operations
        .values()
        .find(|o| !o.done && o.resource_key == key)
        .map(|o| lro::op_url(app, o, "operations", api_version))
        .unwrap_or_default();
    ArmError::conflict(
        "AnotherOperationInProgress",
        format!(
            "Another operation on this or dependent resource is in progress. To retrieve status of the operation use uri: {status}."
        ),
    )
}

fn put(
    app: &App,
    st: &mut State,
    req: &Req<'_>,
    p: &ResPath,
    (id, type_name): (String, String),
    typed: Option<Arc<ResourceType>>,
) -> Answer {
    let kind = types::kind(&p.type_key());
    let mut body = parse_body(req.body)?;
    let existing = st.get(&id).cloned();
    if let Some(ty) = &typed
        && req.method == Method::PUT
    {
        // The name in the URL obeys the type's naming rule (length, pattern) too.
        let mut checked = body.clone();
        if let Value::Object(m) = &mut checked {
            m.entry("name").or_insert_with(|| json!(p.name()));
        }
        let server = schema::server_view(
            &p.type_key(),
            &id,
            p.name(),
            existing.as_ref().map(|e| &e.body),
        );
        schema::check_body(ty, &checked, &id, &server)?;
    }
    if req.method == Method::PATCH {
        let base = existing
            .clone()
            .or_else(|| kind.implicit(p, &id, st))
            .ok_or_else(|| kind.not_found(&type_name, p))?;
        let mut merged = kind.view(&base, false);
        types::merge_patch(&mut merged, &body);
        body = merged;
    }
    preconditions(req.headers, existing.as_ref())?;
    let key = id.to_ascii_lowercase();
    if existing.is_some() && lro::busy(st, &key) {
        return Err(busy(app, st, &key, req.api_version));
    }
    let ctx = PutCtx {
        app,
        path: p,
        id: id.clone(),
        type_name,
        existing: existing.clone(),
        api_version: req.api_version.to_string(),
        now: now_rfc3339(),
    };
    let mut prepared = kind.put(&ctx, st, body)?;
    if let Some(ty) = &typed {
        schema::strip_write_only(ty, &mut prepared.body);
        if let Value::Object(m) = &mut prepared.body {
            schema::fill_read_only(&p.type_key(), &id, p.name(), m);
        }
    }
    let lro = kind.lro(&ctx);
    let created = existing.is_none();
    let mut entry = Entry {
        body: prepared.body,
        private: prepared.private,
    };
    if lro == Lro::Sync {
        st.insert(entry.clone());
        let resp = json_response(
            if created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            },
            kind.view(&entry, true),
        );
        return Ok((resp, app.config.latency.for_type(&p.type_key())));
    }
    kind.pending(&mut entry.body, created);
    st.insert(entry.clone());
    let location = kind.op_location(&entry, st);
    let (ns, _) = canonical_type(&p.namespace, &p.types);
    let op = lro::start(
        app,
        st,
        OpSpec {
            sub: &p.sub,
            namespace: &ns,
            location,
            resource_key: key,
            kind: OpKind::Put,
            style: kind.status_style(),
            previous: existing,
            type_key: &p.type_key(),
            method: req.method.as_str(),
            path: req.path,
        },
    );
    let answer = PutAnswer {
        lro,
        op: &op,
        view: kind.view(&entry, true),
        created,
        api_version: req.api_version,
        // Recorded: Location echoes the request path as sent (`redis`, not `Redis`).
        resource_id: req.path,
    };
    now(lro::put_response(app, answer))
}

fn delete(app: &App, st: &mut State, req: &Req<'_>, p: &ResPath, id: &str) -> Answer {
    let kind = types::kind(&p.type_key());
    let Some(entry) = st.get(id).cloned() else {
        return now(empty(StatusCode::NO_CONTENT));
    };
    kind.before_delete(&entry, st)?;
    let key = id.to_ascii_lowercase();
    if lro::busy(st, &key) {
        return Err(busy(app, st, &key, req.api_version));
    }
    let lro_kind = kind.delete_lro();
    if lro_kind == DeleteLro::Sync {
        crate::cascade::remove_tree(st, id);
        kind.after_delete(&entry, st);
        return Ok((
            empty(StatusCode::OK),
            app.config.latency.for_type(&p.type_key()),
        ));
    }
    let mut pending = entry.clone();
    types::set_state(
        &mut pending.body,
        "/properties/provisioningState",
        "Deleting",
    );
    let location = kind.op_location(&pending, st);
    st.insert(pending);
    let (ns, _) = canonical_type(&p.namespace, &p.types);
    let op = lro::start(
        app,
        st,
        OpSpec {
            sub: &p.sub,
            namespace: &ns,
            location,
            resource_key: key,
            kind: OpKind::Delete,
            style: kind.status_style(),
            previous: Some(entry),
            type_key: &p.type_key(),
            method: "DELETE",
            path: req.path,
        },
    );
    now(lro::delete_response(app, lro_kind, &op, req.api_version))
}

/// GET on a collection: `{owner or scope}/{type}`. DNS `recordsets`/`all` list every
/// record type of a zone.
fn list(st: &State, p: &ResPath, collection_id: &str, type_name: &str) -> Response {
    // A top-level collection lists everything in its scope (subscription-wide lists
    // include every resource group); a child collection lists under its owner.
    let prefix = if p.names.is_empty() {
        collection_id
            .rfind("/providers/")
            .map(|i| &collection_id[..i])
            .unwrap_or(collection_id)
    } else {
        collection_id
            .rsplit_once('/')
            .map(|(a, _)| a)
            .unwrap_or(collection_id)
    };
    let last = p
        .types
        .last()
        .map(|t| t.to_ascii_lowercase())
        .unwrap_or_default();
    let all_records = p.type_key().starts_with("microsoft.network/dnszones/")
        && (last == "recordsets" || last == "all");
    let type_lc = type_name.to_ascii_lowercase();
    let dns_prefix = "microsoft.network/dnszones/";
    let matches = |e: &Entry| {
        let t = e
            .body
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_ascii_lowercase();
        if all_records {
            t.starts_with(dns_prefix)
        } else {
            t == type_lc
        }
    };
    let mut entries: Vec<Entry> = st.under(prefix).filter(|e| matches(e)).cloned().collect();
    let kind = types::kind(&p.type_key());
    for e in kind.implicit_list(prefix, st) {
        if !entries.iter().any(|x| x.id().eq_ignore_ascii_case(e.id())) {
            entries.push(e);
        }
    }
    let value: Vec<Value> = entries
        .iter()
        .map(|e| types::kind_for_id(&e.id().to_ascii_lowercase()).list_view(e))
        .collect();
    json_response(StatusCode::OK, json!({ "value": value }))
}

fn action(app: &App, st: &mut State, req: &Req<'_>, p: &ResPath, id: &str) -> Answer {
    let Some(owner) = p.owner() else {
        return Err(method_not_allowed());
    };
    let owner_id = id.rsplit_once('/').map(|(a, _)| a).unwrap_or(id);
    let entry = st
        .get(owner_id)
        .cloned()
        .ok_or_else(|| ArmError::not_found(&owner.type_key(), owner.name(), owner.rg.as_deref()))?;
    let name = p.types.last().cloned().unwrap_or_default();
    let kind = types::kind(&owner.type_key());
    if kind.action_is_lro(&name) {
        let key = owner_id.to_ascii_lowercase();
        if lro::busy(st, &key) {
            return Err(busy(app, st, &key, req.api_version));
        }
        kind.action(&name, &entry, st)?;
        let (ns, _) = canonical_type(&owner.namespace, &owner.types);
        let op = lro::start(
            app,
            st,
            OpSpec {
                sub: &p.sub,
                namespace: &ns,
                location: kind.op_location(&entry, st),
                resource_key: key,
                kind: OpKind::Action,
                style: kind.status_style(),
                previous: None,
                type_key: &owner.type_key(),
                method: "POST",
                path: req.path,
            },
        );
        // Only PostgreSQL's start/stop/restart are long-running actions: its 202 pattern.
        return now(lro::delete_response(
            app,
            DeleteLro::Postgres,
            &op,
            req.api_version,
        ));
    }
    match kind.action(&name, &entry, st)? {
        Some(v) => now(json_response(StatusCode::OK, v)),
        None => now(empty(StatusCode::OK)),
    }
}

/// `/subscriptions/{sub}[/resourceGroups/{rg}]/resources`: top-level resources only.
fn list_resources(st: &State, sub: &str, rg: Option<&str>) -> Response {
    let scope = match rg {
        Some(rg) => resource_group::rg_id(sub, rg),
        None => format!("/subscriptions/{sub}"),
    };
    let value: Vec<Value> = st
        .under(&scope)
        .filter(|e| {
            let id = e.id().to_ascii_lowercase();
            id.matches("/providers/").count() == 1
                && id
                    .split("/providers/")
                    .nth(1)
                    .is_some_and(|rest| rest.split('/').count() == 3)
        })
        .map(|e| {
            let mut m = serde_json::Map::new();
            for k in ["id", "name", "type", "location", "tags", "sku", "kind"] {
                if let Some(v) = e.body.get(k) {
                    m.insert(k.to_string(), v.clone());
                }
            }
            Value::Object(m)
        })
        .collect();
    json_response(StatusCode::OK, json!({ "value": value }))
}
