//! The typed layer of the gateway: every ARM type the emulator does not model by hand is
//! checked against Microsoft's type data (crate `infra-azure-types`), as ARM and the
//! resource provider would: unknown namespace, type or api-version, then the body.

use std::sync::Arc;

use axum::http::StatusCode;
use infra_azure_types::{
    Resolved, ResourceType, Severity, ViolationKind, catalog, flags, validate,
};
use serde_json::{Map, Value, json};

use crate::error::{ArmError, Target};
use crate::path::ResPath;

/// `Microsoft.Web/sites/slots` as sent.
fn full_type(p: &ResPath) -> String {
    format!("{}/{}", p.namespace, p.types.join("/"))
}

/// The type at this api-version, or ARM's refusal.
///
/// The data is a snapshot holding the newest stable version of each type plus a few
/// older ones, so an older version it does not list may well be real: such a version is
/// checked against the nearest known one. A version later than every known one, or not a
/// date, cannot be told from an invented one and is refused as ARM refuses it.
pub(crate) fn resolve(
    p: &ResPath,
    api_version: &str,
    body: &Value,
) -> Result<Arc<ResourceType>, ArmError> {
    let name = full_type(p);
    let cat = catalog();
    if !cat.has_namespace(&p.namespace) {
        return Err(ArmError::bad_request(
            "InvalidResourceNamespace",
            format!("The resource namespace '{}' is invalid.", p.namespace),
        ));
    }
    let versions = cat.versions(&name);
    if versions.is_empty() {
        return Err(ArmError::new(
            StatusCode::NOT_FOUND,
            "InvalidResourceType",
            format!(
                "The resource type '{}' could not be found in the namespace '{}' for api version '{api_version}'.",
                p.types.join("/"),
                p.namespace
            ),
        ));
    }
    let refuse = || {
        let location = body
            .get("location")
            .and_then(Value::as_str)
            .unwrap_or("global");
        let mut listed: Vec<&str> = versions.clone();
        listed.reverse();
        ArmError::bad_request(
            "NoRegisteredProviderFound",
            format!(
                "No registered resource provider found for location '{location}' and API version '{api_version}' for type '{}'. The supported api-versions are '{}'.",
                p.types.join("/"),
                listed.join(", ")
            ),
        )
    };
    match cat.resolve(&format!("{name}@{api_version}")) {
        Resolved::Exact(ty) => Ok(ty),
        Resolved::NearestVersion { ty, .. } => {
            let newest = versions.last().copied().unwrap_or_default();
            if is_date_version(api_version) && date_of(api_version) <= date_of(newest) {
                Ok(ty)
            } else {
                Err(refuse())
            }
        }
        _ => Err(refuse()),
    }
}

fn date_of(v: &str) -> &str {
    v.get(..10).unwrap_or(v)
}

/// `2024-01-01` or `2024-01-01-preview`.
fn is_date_version(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() >= 10
        && b[..10].iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
        && (b.len() == 10 || b[10] == b'-')
}

/// Refuses a body that breaks the schema (errors only; warnings such as a value outside an
/// open enum pass, as they do in Azure). A read-only or server-added value that matches
/// what the server holds (a GET body PUT again) is ignored, as the ARM RPC asks for
/// `provisioningState`; any other is refused with a 400.
pub(crate) fn check_body(
    ty: &ResourceType,
    body: &Value,
    id: &str,
    server: &Value,
) -> Result<(), ArmError> {
    let errors: Vec<_> = validate(ty, body)
        .into_iter()
        .filter(|v| v.severity == Severity::Error)
        .filter(|v| {
            if !matches!(
                v.kind,
                ViolationKind::ReadOnly { .. } | ViolationKind::UnknownProperty { .. }
            ) {
                return true;
            }
            let pointer = format!("/{}", v.path.join("/"));
            let sent = body.pointer(&pointer);
            let known = match pointer.as_str() {
                "/id" => Some(json!(id)),
                "/type" => Some(json!(ty.name)),
                _ => server.pointer(&pointer).cloned(),
            };
            let same = match (sent, known) {
                (Some(Value::String(a)), Some(Value::String(b))) => a.eq_ignore_ascii_case(&b),
                (Some(a), Some(b)) => *a == b,
                _ => false,
            };
            !same
        })
        .collect();
    let Some(first) = errors.first() else {
        return Ok(());
    };
    let mut err = ArmError::bad_request(
        "InvalidRequestContent",
        format!("The request content was invalid: {first}."),
    );
    let details = if errors.len() > 1 {
        errors
            .iter()
            .map(|v| json!({"code": "InvalidRequestContent", "message": v.to_string(), "target": v.path_string()}))
            .collect()
    } else {
        Vec::new()
    };
    err.target = Some(Box::new(Target {
        path: first.path_string(),
        details,
    }));
    Err(err)
}

/// Removes write-only properties (passwords, keys): Azure accepts them and never returns them.
pub(crate) fn strip_write_only(ty: &ResourceType, body: &mut Value) {
    strip(ty, ty.body, body, 0);
}

fn strip(ty: &ResourceType, idx: infra_azure_types::TypeIdx, value: &mut Value, depth: usize) {
    use infra_azure_types::TypeDef;
    if depth > 32 {
        return;
    }
    match ty.get(idx) {
        TypeDef::Object {
            props, additional, ..
        } => {
            let Some(obj) = value.as_object_mut() else {
                return;
            };
            for p in props {
                if p.has(flags::WRITE_ONLY) {
                    obj.remove(&p.name);
                } else if let Some(v) = obj.get_mut(&p.name) {
                    strip(ty, p.ty, v, depth + 1);
                }
            }
            if let Some(a) = additional {
                let known: Vec<&str> = props.iter().map(|p| p.name.as_str()).collect();
                for (k, v) in obj.iter_mut() {
                    if !known.contains(&k.as_str()) {
                        strip(ty, *a, v, depth + 1);
                    }
                }
            }
        }
        TypeDef::Discriminated {
            discriminator,
            base,
            elements,
            ..
        } => {
            let tag = value
                .get(discriminator)
                .and_then(Value::as_str)
                .map(str::to_string);
            let Some(obj) = value.as_object_mut() else {
                return;
            };
            for p in base {
                if p.has(flags::WRITE_ONLY) {
                    obj.remove(&p.name);
                }
            }
            if let Some((_, el)) =
                tag.and_then(|t| elements.iter().find(|(v, _)| v.eq_ignore_ascii_case(&t)))
            {
                strip(ty, *el, value, depth + 1);
            }
        }
        TypeDef::Array { item, .. } => {
            if let Some(items) = value.as_array_mut() {
                items
                    .iter_mut()
                    .for_each(|v| strip(ty, *item, v, depth + 1));
            }
        }
        _ => {}
    }
}

/// Read-only values the emulator can fill the way Azure would.
pub(crate) fn fill_read_only(type_key: &str, id: &str, name: &str, body: &mut Map<String, Value>) {
    let mut fill = |key: &str, value: Value| {
        if let Value::Object(props) = body.entry("properties").or_insert_with(|| json!({})) {
            props.insert(key.to_string(), value);
        }
    };
    match type_key {
        "microsoft.web/sites" | "microsoft.web/sites/slots" => {
            let host = if type_key == "microsoft.web/sites" {
                format!("{name}.azurewebsites.net")
            } else {
                // .../sites/{site}/slots/{slot}
                let site = id.split('/').rev().nth(2).unwrap_or("site");
                format!("{site}-{name}.azurewebsites.net")
            };
            fill("defaultHostName", json!(host.to_ascii_lowercase()));
            fill("hostNames", json!([host.to_ascii_lowercase()]));
            fill("state", json!("Running"));
        }
        "microsoft.containerregistry/registries" => {
            fill(
                "loginServer",
                json!(format!("{}.azurecr.io", name.to_ascii_lowercase())),
            );
        }
        _ => {}
    }
}

/// What the server holds or would fill for this resource: the stored body, else the
/// read-only values a create fills. Read-only values sent that match it are ignored.
pub(crate) fn server_view(type_key: &str, id: &str, name: &str, existing: Option<&Value>) -> Value {
    let mut view = match existing {
        Some(Value::Object(m)) => m.clone(),
        _ => Map::new(),
    };
    fill_read_only(type_key, id, name, &mut view);
    Value::Object(view)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_versions_are_recognised() {
        assert!(is_date_version("2024-01-01"));
        assert!(is_date_version("2024-01-01-preview"));
        assert!(!is_date_version("2024-1-01"));
        assert!(!is_date_version("latest"));
        assert!(!is_date_version("2024-01-01x"));
    }
}
