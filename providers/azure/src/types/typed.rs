//! Resources declared by an ARM type reference (`"Microsoft.Web/sites@2025-03-01"`): PUT at
//! their id with a body made of their attributes (ARM's own names), through the common
//! operations of `kind.rs` (LROs, retries, throttling, the create marker, import).
//!
//! The state's inputs are the configuration's shape of the live object: only what the
//! configuration sets is compared, so read-only and server-filled fields never make a
//! change; a write-only value (never returned by GET) is compared with what was last sent.
//! Updates are the curated types' read-modify-write (`kind::preserving_put`): fields the
//! configuration does not manage survive, and the read-only fields the data names are dropped
//! before the PUT.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use infra_provider_core::typed::{
    LIVE_OUTPUT, Placement, TypeDef, TypeIdx, TypeProp, TypeResolver, TypedSchema, flags,
    is_type_ref,
};
use infra_provider_core::{BoxFuture, ObjectState, Props, ProviderResult, ResourceSchema, Value};
use serde_json::Value as J;

use crate::kind::{AzureType, Cx};
use crate::mapping::{group_scope, norm_location, s, tags_value};
use crate::provider::AzureConfig;

/// The attributes that place a typed resource; never sent in the body.
const PLACEMENT: [&str; 3] = ["resource_group", "parent", "scope"];

pub struct Typed {
    api_version: &'static str,
    /// JSON pointers of the read-only fields, dropped from the live body before an update
    /// PUTs it back (`kind::preserving_put`).
    read_only: &'static [&'static str],
    ty: std::sync::Arc<TypedSchema>,
    schema: ResourceSchema,
}

/// The mapping of a type reference, made once per reference a process names (a bounded set,
/// so each is leaked to give the `'static` kind the provider hands out).
pub fn kind(type_ref: &str) -> Option<&'static Typed> {
    if !is_type_ref(type_ref) {
        return None;
    }
    static KINDS: OnceLock<Mutex<HashMap<String, Option<&'static Typed>>>> = OnceLock::new();
    let mut kinds = KINDS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    *kinds.entry(type_ref.to_string()).or_insert_with(|| {
        let resolution = crate::typed_schema::ArmTypes.resolve(type_ref);
        let ty = resolution.schema()?.clone();
        let pointers: Vec<&'static str> = read_only_pointers(&ty)
            .into_iter()
            .map(|p| &*Box::leak(p.into_boxed_str()))
            .collect();
        let typed: &'static Typed = Box::leak(Box::new(Typed {
            api_version: Box::leak(ty.api_version.clone().into_boxed_str()),
            read_only: Box::leak(pointers.into_boxed_slice()),
            schema: ty.resource_schema(type_ref),
            ty,
        }));
        Some(typed)
    })
}

impl Typed {
    fn prop(&self, name: &str) -> Option<&TypeProp> {
        self.ty.body_props().iter().find(|p| p.name == name)
    }
}

impl AzureType for Typed {
    fn schema(&self) -> ResourceSchema {
        self.schema.clone()
    }
    fn api_version(&self) -> &'static str {
        self.api_version
    }
    fn arm_id(&self, sub: &str, p: &Props) -> Option<String> {
        let name = s(p, "name")?;
        let ty = &self.ty.type_name;
        Some(match &self.ty.placement {
            Placement::Group => format!(
                "{}/providers/{ty}/{name}",
                group_scope(sub, s(p, "resource_group")?)
            ),
            Placement::Child { .. } => format!(
                "{}/{}/{name}",
                s(p, "parent")?.trim_end_matches('/'),
                self.ty.last_segment()
            ),
            Placement::Extension => format!(
                "{}/providers/{ty}/{name}",
                s(p, "scope")?.trim_end_matches('/')
            ),
            Placement::Subscription
                if ty.eq_ignore_ascii_case("Microsoft.Resources/resourceGroups") =>
            {
                format!("/subscriptions/{sub}/resourceGroups/{name}")
            }
            Placement::Subscription => format!("/subscriptions/{sub}/providers/{ty}/{name}"),
            Placement::Tenant => return None,
        })
    }
    fn computed(&self) -> &'static [&'static str] {
        &["location"]
    }
    fn location_from_group(&self) -> bool {
        self.ty.placement == Placement::Group && self.prop("location").is_some()
    }
    fn to_body(&self, p: &Props, _: &AzureConfig) -> ProviderResult<J> {
        let body = p
            .iter()
            .filter(|(k, _)| !PLACEMENT.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), super::generic::plain_json(v)))
            .collect();
        Ok(J::Object(body))
    }
    fn read_body(&self, body: &J, prior: &Props) -> ProviderResult<(Props, Props)> {
        let mut inputs = Props::new();
        for k in PLACEMENT {
            if let Some(v) = prior.get(k) {
                inputs.insert(k.to_string(), v.clone());
            }
        }
        for p in self.ty.body_props() {
            if p.has(flags::READ_ONLY) || PLACEMENT.contains(&p.name.as_str()) {
                continue;
            }
            let mine = prior.get(&p.name);
            // On an import (and an `existing` read) nothing is recorded: the identity and the
            // envelope only, so the first plan manages exactly what the configuration sets.
            let envelope = matches!(p.name.as_str(), "name" | "location" | "tags");
            if mine.is_none() && !(prior.is_empty() && envelope) {
                continue;
            }
            let live = body.get(&p.name);
            let v = match (p.name.as_str(), live) {
                ("location", Some(J::String(l))) => Some(Value::String(norm_location(l))),
                ("tags", _) => Some(tags_value(body)),
                _ => self.project(p.ty, p.flags, live, mine),
            };
            if let Some(v) = v.filter(|v| *v != Value::Null) {
                inputs.insert(p.name.clone(), v);
            }
        }
        let mut outputs = Props::new();
        // Every read-only property, null when the cloud leaves it out: a plan then predicts
        // it instead of showing it as unknown.
        for p in self
            .ty
            .body_props()
            .iter()
            .filter(|p| p.has(flags::READ_ONLY))
        {
            let v = body
                .get(&p.name)
                .map(Value::from_json)
                .unwrap_or(Value::Null);
            outputs.insert(p.name.clone(), v);
        }
        outputs.insert(LIVE_OUTPUT.into(), Value::from_json(body));
        Ok((inputs, outputs))
    }
    fn read_only(&self) -> &'static [&'static str] {
        self.read_only
    }
    fn import<'a>(
        &'a self,
        cx: &'a Cx<'a>,
        id: &'a str,
    ) -> BoxFuture<'a, ProviderResult<Option<ObjectState>>> {
        Box::pin(async move {
            let Some(body) = cx.client.get(id, self.api_version, cx.cancel).await? else {
                return Ok(None);
            };
            let mut st = crate::kind::state_from(self, &body, &Props::new(), id)?;
            self.placement_from_id(&mut st.inputs, id);
            Ok(Some(st))
        })
    }
}

impl Typed {
    /// The live value in the shape of what the configuration wrote: the keys it set, at every
    /// depth; a write-only value (never returned) is what was last sent.
    fn project(
        &self,
        idx: TypeIdx,
        flags_: u8,
        live: Option<&J>,
        mine: Option<&Value>,
    ) -> Option<Value> {
        if flags_ & flags::WRITE_ONLY != 0 && live.is_none() {
            return mine.cloned();
        }
        let live = live?;
        let Some(Value::Object(m)) = mine else {
            return Some(Value::from_json(live));
        };
        let J::Object(l) = live else {
            return Some(Value::from_json(live));
        };
        let props = self.props_of(idx, l);
        let mut out = infra_provider_core::Map::new();
        for (k, mv) in m {
            let (ty, fl) = props
                .iter()
                .find(|p| p.name == *k)
                .map(|p| (p.ty, p.flags))
                .or_else(|| self.additional(idx).map(|a| (a, 0)))
                .unwrap_or((TypeIdx::MAX, 0));
            if let Some(v) = self.project(ty, fl, l.get(k), Some(mv)) {
                out.insert(k.clone(), v);
            }
        }
        Some(Value::Object(out))
    }

    fn additional(&self, idx: TypeIdx) -> Option<TypeIdx> {
        match self.ty.get(idx) {
            TypeDef::Object { additional, .. } => *additional,
            _ => None,
        }
    }

    /// The properties an object has (a discriminated one: its base and the variant `live` names).
    fn props_of(&self, idx: TypeIdx, live: &serde_json::Map<String, J>) -> Vec<TypeProp> {
        match self.ty.get(idx) {
            TypeDef::Object { props, .. } => props.clone(),
            TypeDef::Discriminated {
                discriminator,
                base,
                elements,
                ..
            } => {
                let mut all = base.clone();
                let tag = live.get(discriminator).and_then(J::as_str);
                if let Some((_, el)) = elements.iter().find(|(k, _)| Some(k.as_str()) == tag)
                    && let TypeDef::Object { props, .. } = self.ty.get(*el)
                {
                    all.extend(props.iter().cloned());
                }
                all
            }
            _ => Vec::new(),
        }
    }

    /// Placement attributes recovered from an id on import.
    fn placement_from_id(&self, inputs: &mut Props, id: &str) {
        let suffix = format!("/{}/", self.ty.last_segment());
        match &self.ty.placement {
            Placement::Group => {
                inputs.insert(
                    "resource_group".into(),
                    Value::String(crate::mapping::group_name(id)),
                );
            }
            Placement::Child { .. } => {
                if let Some(i) = id.to_ascii_lowercase().rfind(&suffix.to_ascii_lowercase()) {
                    inputs.insert("parent".into(), Value::str(&id[..i]));
                }
            }
            Placement::Extension => {
                if let Some(i) = id.to_ascii_lowercase().rfind("/providers/") {
                    inputs.insert("scope".into(), Value::str(&id[..i]));
                }
            }
            _ => {}
        }
    }
}

/// JSON pointers of every read-only property reachable through objects (lists are replaced
/// whole on an update, so nothing inside them needs dropping).
fn read_only_pointers(t: &TypedSchema) -> Vec<String> {
    fn walk(
        t: &TypedSchema,
        idx: TypeIdx,
        at: &str,
        seen: &mut Vec<TypeIdx>,
        out: &mut Vec<String>,
    ) {
        if seen.contains(&idx) || seen.len() > 8 {
            return;
        }
        seen.push(idx);
        let props: Vec<&TypeProp> = match t.get(idx) {
            TypeDef::Object { props, .. } => props.iter().collect(),
            TypeDef::Discriminated { base, elements, .. } => {
                let mut all: Vec<&TypeProp> = base.iter().collect();
                for (_, el) in elements {
                    if let TypeDef::Object { props, .. } = t.get(*el) {
                        all.extend(props.iter());
                    }
                }
                all
            }
            _ => Vec::new(),
        };
        for p in props {
            let here = format!("{at}/{}", p.name.replace('~', "~0").replace('/', "~1"));
            if p.has(flags::READ_ONLY) {
                out.push(here);
            } else {
                walk(t, p.ty, &here, seen, out);
            }
        }
        seen.pop();
    }
    let mut out = Vec::new();
    walk(t, t.body, "", &mut Vec::new(), &mut out);
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn site() -> &'static Typed {
        kind("Microsoft.Web/sites@2025-03-01").expect("sites")
    }

    #[test]
    fn ids_follow_the_placement() {
        let mut p = Props::new();
        p.insert("name".into(), Value::str("web"));
        p.insert("resource_group".into(), Value::str("rg"));
        assert_eq!(
            site().arm_id("sub", &p).as_deref(),
            Some("/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Web/sites/web")
        );
        let slot = kind("Microsoft.Web/sites/slots@2025-03-01").expect("slots");
        let mut p = Props::new();
        p.insert("name".into(), Value::str("staging"));
        p.insert(
            "parent".into(),
            Value::str("/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Web/sites/web"),
        );
        assert_eq!(
            slot.arm_id("sub", &p).as_deref(),
            Some(
                "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Web/sites/web/slots/staging"
            )
        );
    }

    #[test]
    fn reads_keep_only_what_the_configuration_sets() {
        let mut prior = Props::new();
        prior.insert("name".into(), Value::str("web"));
        prior.insert("resource_group".into(), Value::str("rg"));
        prior.insert(
            "properties".into(),
            Value::from_json(&json!({ "httpsOnly": true, "siteConfig": { "alwaysOn": true } })),
        );
        let live = json!({
            "name": "web",
            "location": "West Europe",
            "properties": { "httpsOnly": true, "defaultHostName": "web.example", "state": "Running" }
        });
        let (inputs, outputs) = site().read_body(&live, &prior).expect("read");
        // siteConfig is write-only: GET does not return it, so what was sent stands.
        assert_eq!(inputs.get("properties"), prior.get("properties"));
        assert_eq!(inputs.get("resource_group"), Some(&Value::str("rg")));
        assert!(!inputs.contains_key("location"));
        let whole = outputs.get(LIVE_OUTPUT).expect("live output");
        assert_eq!(
            whole.to_redacted_json()["properties"]["defaultHostName"],
            json!("web.example")
        );
    }

    #[test]
    fn an_import_records_the_envelope_only() {
        let live = json!({
            "name": "web", "location": "West Europe", "kind": "app", "tags": {},
            "properties": { "httpsOnly": true, "defaultHostName": "web.example" }
        });
        let (inputs, _) = site().read_body(&live, &Props::new()).expect("read");
        let keys: Vec<&str> = inputs.keys().map(String::as_str).collect();
        assert_eq!(keys, ["location", "name", "tags"]);
        assert_eq!(inputs.get("location"), Some(&Value::str("westeurope")));
    }

    #[test]
    fn an_update_drops_the_read_only_fields_the_data_names() {
        let ro = site().read_only();
        assert!(ro.contains(&"/properties/defaultHostName"), "{ro:?}");
        assert!(ro.contains(&"/id"), "{ro:?}");
        assert!(!ro.contains(&"/properties/httpsOnly"), "{ro:?}");
        let mut live = json!({
            "id": "/x", "location": "westeurope", "tags": { "team": "a" },
            "properties": { "httpsOnly": false, "clientAffinityEnabled": true, "defaultHostName": "h" }
        });
        let new = json!({ "properties": { "httpsOnly": true } });
        let mut body = crate::merge::overlay(&live, &new, None);
        crate::merge::strip_server_owned(&mut body, ro);
        live = body;
        assert_eq!(
            live,
            json!({ "location": "westeurope", "tags": { "team": "a" },
                    "properties": { "httpsOnly": true, "clientAffinityEnabled": true } })
        );
    }
}
