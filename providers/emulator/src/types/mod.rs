//! Per-type behaviour: defaults the RP fills in, read-only and write-only fields,
//! create-only checks, LRO pattern, delete pattern. One file per resource family.

mod app;
mod dns;
mod generic;
mod keyvault;
mod postgres;
mod redis;
pub(crate) mod resource_group;
pub(crate) mod role_definitions;

use serde_json::{Map, Value, json};

use crate::error::ArmError;
use crate::lro::{DeleteLro, Lro};
use crate::path::{self, ArmPath, ResPath};
use crate::store::{Entry, State, StatusStyle};
use crate::util;

pub(crate) use keyvault::deleted_vaults;

/// Everything a type needs to turn a request body into the stored resource.
pub(crate) struct PutCtx<'a> {
    pub app: &'a crate::app::App,
    pub path: &'a ResPath,
    /// Canonical id (stored casing of parents, canonical type names).
    pub id: String,
    /// Canonical full type, e.g. `Microsoft.Cache/Redis`.
    pub type_name: String,
    pub existing: Option<Entry>,
    pub api_version: String,
    pub now: String,
}

impl PutCtx<'_> {
    pub(crate) fn name(&self) -> &str {
        self.path.name()
    }
    pub(crate) fn created(&self) -> bool {
        self.existing.is_none()
    }
    /// `{id, name, type}` in ARM's order; types add the rest.
    pub(crate) fn shell(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("id".into(), json!(self.id));
        m.insert("name".into(), json!(self.name()));
        m.insert("type".into(), json!(self.type_name));
        m
    }
    pub(crate) fn existing_body(&self) -> Option<&Value> {
        self.existing.as_ref().map(|e| &e.body)
    }
    /// Full `systemData` as ARM adds it for most RPs; keeps the creation half on update.
    pub(crate) fn system_data(&self) -> Value {
        let created = self
            .existing_body()
            .and_then(|b| b.pointer("/systemData/createdAt"))
            .cloned()
            .unwrap_or_else(|| json!(self.now));
        json!({
            "createdBy": "emulator@infra.local", "createdByType": "User", "createdAt": created,
            "lastModifiedBy": "emulator@infra.local", "lastModifiedByType": "User", "lastModifiedAt": self.now,
        })
    }
    /// Reject a change of `location`, which ARM never allows.
    pub(crate) fn location(&self, body: &Value, display: bool) -> Result<String, ArmError> {
        let sent = body
            .get("location")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                ArmError::bad_request(
                    "LocationRequired",
                    "The location property is required for this definition.",
                )
            })?;
        let short = util::region_short(sent).ok_or_else(|| {
            ArmError::bad_request(
                "LocationNotAvailableForResourceType",
                format!(
                    "The provided location '{sent}' is not available for resource type '{}'.",
                    self.type_name
                ),
            )
        })?;
        if let Some(old) = self
            .existing_body()
            .and_then(|b| b.get("location"))
            .and_then(Value::as_str)
            && util::region_short(old) != Some(short)
        {
            return Err(ArmError::bad_request(
                "InvalidResourceLocation",
                format!(
                    "The resource '{}' already exists in location '{}' in resource group '{}'. A resource with the same name cannot be created in location '{short}'. Please select a new resource name.",
                    self.name(),
                    util::region_short(old).unwrap_or(old),
                    self.path.rg.as_deref().unwrap_or("")
                ),
            ));
        }
        Ok(if display {
            util::region_display(short).unwrap_or(short).to_string()
        } else {
            short.to_string()
        })
    }
}

/// A create-only property changed on an existing resource.
pub(crate) fn create_only(
    ctx: &PutCtx<'_>,
    body: &Value,
    pointer: &str,
    stored: Option<&Value>,
) -> Result<(), ArmError> {
    let (Some(old), Some(new)) = (stored, body.pointer(pointer)) else {
        return Ok(());
    };
    if ctx.existing.is_some() && !old.is_null() && old != new {
        return Err(ArmError::bad_request(
            "PropertyChangeNotAllowed",
            format!(
                "Changing property '{}' is not allowed.",
                pointer.trim_start_matches('/').replace('/', ".")
            ),
        ));
    }
    Ok(())
}

pub(crate) struct Prepared {
    pub body: Value,
    pub private: Value,
}

impl Prepared {
    pub(crate) fn new(body: Map<String, Value>) -> Self {
        Prepared {
            body: Value::Object(body),
            private: Value::Null,
        }
    }
}

/// Behaviour of one resource type. Defaults suit a synchronous, generic resource.
pub(crate) trait Kind: Sync {
    fn put(&self, ctx: &PutCtx<'_>, st: &mut State, body: Value) -> Result<Prepared, ArmError>;
    fn lro(&self, _ctx: &PutCtx<'_>) -> Lro {
        Lro::Sync
    }
    fn status_style(&self) -> StatusStyle {
        StatusStyle::App
    }
    fn delete_lro(&self) -> DeleteLro {
        DeleteLro::Sync
    }
    /// Location segment of operation URLs for this resource.
    fn op_location(&self, entry: &Entry, _st: &State) -> String {
        let loc = entry
            .body
            .get("location")
            .and_then(Value::as_str)
            .unwrap_or("global");
        util::region_short(loc).unwrap_or(loc).to_string()
    }
    /// Mark the stored body while an operation runs.
    fn pending(&self, body: &mut Value, create: bool) {
        let _ = create;
        set_state(body, "/properties/provisioningState", "Accepted");
    }
    /// The operation ended; return false to drop the resource (failed create).
    fn finish(&self, entry: &mut Entry, ok: bool) -> bool {
        set_state(
            &mut entry.body,
            "/properties/provisioningState",
            if ok { "Succeeded" } else { "Failed" },
        );
        true
    }
    /// What a GET returns; `after_put` is the PUT/PATCH response.
    fn view(&self, entry: &Entry, _after_put: bool) -> Value {
        entry.body.clone()
    }
    fn list_view(&self, entry: &Entry) -> Value {
        self.view(entry, false)
    }
    fn before_delete(&self, _entry: &Entry, _st: &State) -> Result<(), ArmError> {
        Ok(())
    }
    fn after_delete(&self, _entry: &Entry, _st: &mut State) {}
    /// Resources that exist without a PUT (PostgreSQL server parameters).
    fn implicit(&self, _path: &ResPath, _id: &str, _st: &State) -> Option<Entry> {
        None
    }
    fn implicit_list(&self, _owner_id: &str, _st: &State) -> Vec<Entry> {
        Vec::new()
    }
    /// POST `{resource}/{action}`.
    fn action(
        &self,
        action: &str,
        _entry: &Entry,
        _st: &mut State,
    ) -> Result<Option<Value>, ArmError> {
        Err(ArmError::bad_request(
            "InvalidResourceType",
            format!(
                "The action '{action}' is not supported by the emulator for this resource type."
            ),
        ))
    }
    /// Whether POST `{resource}/{action}` is a long-running operation (202 + the RP's
    /// operation headers) rather than answered at once.
    fn action_is_lro(&self, _action: &str) -> bool {
        false
    }
    /// The DNS RP answers with unwrapped error bodies.
    fn not_found(&self, type_name: &str, path: &ResPath) -> ArmError {
        ArmError::not_found(type_name, path.name(), path.rg.as_deref())
    }
}

pub(crate) fn set_state(body: &mut Value, pointer: &str, value: &str) {
    if let Some(v) = body.pointer_mut(pointer) {
        *v = json!(value);
    }
}

/// The behaviour for a lower-case type key such as `microsoft.cache/redis`.
pub(crate) fn kind(type_key: &str) -> &'static dyn Kind {
    match type_key {
        "microsoft.resources/resourcegroups" => &resource_group::RESOURCE_GROUP,
        "microsoft.app/managedenvironments" => &app::MANAGED_ENVIRONMENT,
        "microsoft.app/containerapps" => &app::CONTAINER_APP,
        "microsoft.dbforpostgresql/flexibleservers" => &postgres::SERVER,
        "microsoft.dbforpostgresql/flexibleservers/databases" => &postgres::DATABASE,
        "microsoft.dbforpostgresql/flexibleservers/firewallrules" => &postgres::FIREWALL_RULE,
        "microsoft.dbforpostgresql/flexibleservers/configurations" => &postgres::CONFIGURATION,
        "microsoft.keyvault/vaults" => &keyvault::VAULT,
        "microsoft.keyvault/vaults/secrets" => &keyvault::SECRET,
        "microsoft.cache/redis" => &redis::REDIS,
        "microsoft.network/dnszones" => &dns::ZONE,
        "microsoft.operationalinsights/workspaces" => &generic::WORKSPACE,
        "microsoft.authorization/roleassignments" => &generic::ROLE_ASSIGNMENT,
        k if k.starts_with("microsoft.network/dnszones/") => &dns::RECORD_SET,
        _ => &generic::GENERIC,
    }
}

/// Whether a type has no hand-written behaviour, so the type data alone decides what a
/// PUT may carry (`crate::schema`).
pub(crate) fn is_generic(type_key: &str) -> bool {
    std::ptr::addr_eq(
        kind(type_key) as *const dyn Kind,
        &generic::GENERIC as *const generic::Generic,
    )
}

/// The behaviour for a stored resource, from its (lower-case) id.
pub(crate) fn kind_for_id(id: &str) -> &'static dyn Kind {
    match path::parse(id) {
        ArmPath::ResourceGroup { .. } => &resource_group::RESOURCE_GROUP,
        ArmPath::Provider(p) => kind(&p.type_key()),
        _ => &generic::GENERIC,
    }
}

/// `tags` as sent, or `{}` (what most RPs echo when none were sent).
pub(crate) fn tags_or_empty(body: &Value) -> Value {
    match body.get("tags") {
        Some(Value::Object(m)) => Value::Object(m.clone()),
        _ => json!({}),
    }
}

/// `properties` as an object (missing or null -> empty); anything else is a 400.
pub(crate) fn properties(body: &Value) -> Result<Map<String, Value>, ArmError> {
    match body.get("properties") {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(m)) => Ok(m.clone()),
        Some(_) => Err(ArmError::bad_request(
            "InvalidRequestContent",
            "'properties' must be an object.",
        )),
    }
}

/// Insert `key` only if absent or null.
pub(crate) fn default(m: &mut Map<String, Value>, key: &str, value: Value) {
    if m.get(key).is_none_or(Value::is_null) {
        m.insert(key.to_string(), value);
    }
}

/// Copy the optional top-level fields the RP echoes (sku, identity, zones, ...).
pub(crate) fn copy(from: &Value, to: &mut Map<String, Value>, keys: &[&str]) {
    for k in keys {
        if let Some(v) = from.get(*k)
            && !v.is_null()
        {
            to.insert((*k).to_string(), v.clone());
        }
    }
}

/// RFC 7396 JSON merge patch, used for PATCH and the admin drift endpoint.
pub(crate) fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = json!({});
    }
    if let Value::Object(t) = target {
        for (k, v) in p {
            if v.is_null() {
                t.remove(k);
            } else {
                merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
    }
}

/// A stable GUID derived from text, for server-assigned ids that must not change
/// between reads (principal ids, client ids).
pub(crate) fn derived_guid(seed: &str) -> String {
    let a = util::fnv(seed);
    let b = util::fnv(&format!("{seed}#"));
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        b >> 52,
        b & 0xffff_ffff_ffff
    )
}

/// Managed identities: ARM fills principalId/tenantId for a system-assigned identity
/// and principalId/clientId for each user-assigned one.
pub(crate) fn fill_identity(out: &mut Map<String, Value>, resource_id: &str) {
    let Some(identity) = out.get_mut("identity").and_then(Value::as_object_mut) else {
        return;
    };
    let ty = identity
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_ascii_lowercase();
    if ty.contains("systemassigned") {
        identity.insert("principalId".into(), json!(derived_guid(resource_id)));
        identity.insert(
            "tenantId".into(),
            json!("00000000-0000-0000-0000-000000000000"),
        );
    }
    if let Some(Value::Object(uais)) = identity.get_mut("userAssignedIdentities") {
        for (uai_id, v) in uais.iter_mut() {
            *v = json!({"principalId": derived_guid(uai_id), "clientId": derived_guid(&format!("client:{uai_id}"))});
        }
    }
}
