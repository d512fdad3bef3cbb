//! Microsoft.App managedEnvironments and containerApps @2026-01-01 (examples + the
//! azure-powershell managed environment recording). PUT answers 201/200 with a
//! non-terminal state, a signed Azure-AsyncOperation URL, Retry-After 5 and
//! x-ms-async-operation-timeout; secrets come back null (environment) or without
//! their values (apps; values via POST listSecrets).

use serde_json::{Map, Value, json};

use super::{Kind, Prepared, PutCtx, copy, create_only, default, properties, set_state};
use crate::error::ArmError;
use crate::lro::{DeleteLro, Lro};
use crate::store::{Entry, State};
use crate::util::{fnv, region_short};

pub(crate) struct ManagedEnvironment;
pub(crate) static MANAGED_ENVIRONMENT: ManagedEnvironment = ManagedEnvironment;
pub(crate) struct ContainerApp;
pub(crate) static CONTAINER_APP: ContainerApp = ContainerApp;

const ADJECTIVES: &[&str] = &[
    "calmbeach",
    "happysky",
    "bravemoss",
    "gentleriver",
    "politeocean",
    "wonderfulhill",
];

impl Kind for ManagedEnvironment {
    fn put(&self, ctx: &PutCtx<'_>, _st: &mut State, body: Value) -> Result<Prepared, ArmError> {
        let location = ctx.location(&body, true)?;
        let short = region_short(&location).unwrap_or("eastus").to_string();
        let old = ctx.existing_body();
        for ptr in [
            "/properties/zoneRedundant",
            "/properties/infrastructureResourceGroup",
            "/properties/vnetConfiguration/infrastructureSubnetId",
        ] {
            create_only(ctx, &body, ptr, old.and_then(|o| o.pointer(ptr)))?;
        }
        let mut p = properties(&body)?;
        let h = fnv(&ctx.id);
        let keep = |k: &str| {
            old.and_then(|o| o.pointer(&format!("/properties/{k}")))
                .cloned()
        };
        p.insert("provisioningState".into(), json!("Succeeded"));
        p.insert("daprAIInstrumentationKey".into(), Value::Null);
        p.insert("daprAIConnectionString".into(), Value::Null);
        // Recorded: `{internal:false}` without a subnet comes back as null.
        let has_subnet = p
            .get("vnetConfiguration")
            .and_then(|v| v.get("infrastructureSubnetId"))
            .is_some_and(|v| !v.is_null());
        if !has_subnet {
            p.insert("vnetConfiguration".into(), Value::Null);
        }
        let domain = keep("defaultDomain").unwrap_or_else(|| {
            json!(format!(
                "{}-{:08x}.{short}.azurecontainerapps.io",
                ADJECTIVES[(h % ADJECTIVES.len() as u64) as usize],
                h as u32
            ))
        });
        p.insert("defaultDomain".into(), domain);
        p.insert(
            "staticIp".into(),
            json!(format!(
                "20.{}.{}.{}",
                (h >> 8) % 256,
                (h >> 16) % 256,
                (h >> 24) % 254 + 1
            )),
        );
        if let Some(la) = p
            .get_mut("appLogsConfiguration")
            .and_then(|a| a.get_mut("logAnalyticsConfiguration"))
            .and_then(Value::as_object_mut)
        {
            la.insert("sharedKey".into(), Value::Null);
        }
        default(&mut p, "zoneRedundant", json!(false));
        p.insert("kedaConfiguration".into(), json!({"version": "2.10.0"}));
        p.insert("daprConfiguration".into(), json!({"version": "1.11.5"}));
        let rg = ctx.path.rg.clone().unwrap_or_default();
        p.insert(
            "eventStreamEndpoint".into(),
            json!(format!("https://{short}.azurecontainerapps.dev/subscriptions/{}/resourceGroups/{rg}/managedEnvironments/{}/eventstream", ctx.path.sub, ctx.name())),
        );
        let mut cdc = p
            .get("customDomainConfiguration")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        cdc.insert(
            "customDomainVerificationId".into(),
            json!(format!(
                "{:016X}{:016X}{:016X}{:016X}",
                h,
                h.rotate_left(16),
                h.rotate_left(32),
                h.rotate_left(48)
            )),
        );
        for k in [
            "dnsSuffix",
            "certificateValue",
            "certificatePassword",
            "thumbprint",
            "subjectName",
            "expirationDate",
        ] {
            default(&mut cdc, k, Value::Null);
        }
        cdc.insert("certificateValue".into(), Value::Null);
        cdc.insert("certificatePassword".into(), Value::Null);
        p.insert("customDomainConfiguration".into(), Value::Object(cdc));
        default(&mut p, "firstPartyConfiguration", Value::Null);
        // Absent in the 2023-05-01 recording, present (null) in the 2026-01-01 examples.
        if ctx.api_version.as_str() >= "2024" {
            default(&mut p, "deploymentErrors", Value::Null);
        }
        default(&mut p, "infrastructureResourceGroup", Value::Null);
        default(
            &mut p,
            "peerAuthentication",
            json!({"mtls": {"enabled": false}}),
        );
        let mut out = ctx.shell();
        out.insert("location".into(), json!(location));
        copy(&body, &mut out, &["tags", "identity", "kind"]);
        super::fill_identity(&mut out, &ctx.id);
        out.insert("systemData".into(), ctx.system_data());
        out.insert("properties".into(), Value::Object(p));
        Ok(Prepared::new(out))
    }
    fn lro(&self, _ctx: &PutCtx<'_>) -> Lro {
        Lro::App {
            statuses: "managedEnvironmentOperationStatuses",
        }
    }
    fn delete_lro(&self) -> DeleteLro {
        DeleteLro::Location {
            results: "managedEnvironmentOperationResults",
        }
    }
    fn pending(&self, body: &mut Value, create: bool) {
        set_state(
            body,
            "/properties/provisioningState",
            if create { "Waiting" } else { "InProgress" },
        );
    }
    fn before_delete(&self, entry: &Entry, st: &State) -> Result<(), ArmError> {
        let id = entry.id().to_ascii_lowercase();
        let in_use = st.resources.values().any(|e| {
            e.body
                .pointer("/properties/managedEnvironmentId")
                .and_then(Value::as_str)
                .is_some_and(|m| m.eq_ignore_ascii_case(&id))
        });
        if in_use {
            return Err(ArmError::bad_request(
                "ManagedEnvironmentHasContainerApps",
                "Cannot delete managed environment because it still has container apps.",
            ));
        }
        Ok(())
    }
}

impl Kind for ContainerApp {
    fn put(&self, ctx: &PutCtx<'_>, st: &mut State, body: Value) -> Result<Prepared, ArmError> {
        let location = ctx.location(&body, true)?;
        let mut p = properties(&body)?;
        let env_id = p
            .get("environmentId")
            .or(p.get("managedEnvironmentId"))
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| {
                ArmError::bad_request(
                    "InvalidRequestParameterWithDetails",
                    "properties.environmentId is required.",
                )
            })?;
        let env = st.get(&env_id).ok_or_else(|| {
            ArmError::bad_request(
                "ManagedEnvironmentNotFound",
                format!("Managed environment '{env_id}' was not found."),
            )
        })?;
        let env_domain = env
            .body
            .pointer("/properties/defaultDomain")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let static_ip = env
            .body
            .pointer("/properties/staticIp")
            .cloned()
            .unwrap_or(Value::Null);
        let old = ctx.existing_body();
        if let Some(prev) = old
            .and_then(|o| o.pointer("/properties/managedEnvironmentId"))
            .and_then(Value::as_str)
            && !prev.eq_ignore_ascii_case(&env_id)
        {
            return Err(ArmError::bad_request(
                "PropertyChangeNotAllowed",
                "Changing property 'properties.environmentId' is not allowed.",
            ));
        }
        p.insert("provisioningState".into(), json!("Succeeded"));
        p.insert("runningStatus".into(), json!("Running"));
        p.insert("environmentId".into(), json!(env_id));
        p.insert("managedEnvironmentId".into(), json!(env_id));
        p.insert("outboundIpAddresses".into(), json!([static_ip]));
        let name = ctx.name().to_string();
        let mut template = p
            .get("template")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        for list in ["containers", "initContainers"] {
            if let Some(Value::Array(cs)) = template.get_mut(list) {
                for c in cs.iter_mut().filter_map(Value::as_object_mut) {
                    default(c, "resources", json!({"cpu": 0.5, "memory": "1Gi"}));
                }
            }
        }
        let revision = format!(
            "{name}--{:07x}",
            fnv(&Value::Object(template.clone()).to_string()) & 0xfff_ffff
        );
        p.insert("template".into(), Value::Object(template));
        p.insert("latestRevisionName".into(), json!(revision));
        p.insert("latestReadyRevisionName".into(), json!(revision));
        p.insert(
            "latestRevisionFqdn".into(),
            json!(format!("{revision}.{env_domain}")),
        );
        p.insert(
            "customDomainVerificationId".into(),
            json!(format!("{:016X}{:016X}", fnv(&ctx.id), fnv(&env_id))),
        );
        p.insert("eventStreamEndpoint".into(), json!(format!("https://{}.azurecontainerapps.dev/subscriptions/{}/resourceGroups/{}/containerApps/{name}/eventstream",
            region_short(&location).unwrap_or(""), ctx.path.sub, ctx.path.rg.clone().unwrap_or_default())));
        let mut config = p
            .get("configuration")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        default(&mut config, "activeRevisionsMode", json!("Single"));
        let mut private = Map::new();
        if let Some(Value::Array(secrets)) = config.get_mut("secrets") {
            for s in secrets.iter_mut().filter_map(Value::as_object_mut) {
                let name = s.get("name").and_then(Value::as_str).map(str::to_string);
                if let (Some(n), Some(v)) = (name, s.remove("value")) {
                    private.insert(n, v);
                }
            }
        }
        if let Some(ingress) = config.get_mut("ingress").and_then(Value::as_object_mut) {
            let external = ingress
                .get("external")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let host = if external {
                format!("{name}.{env_domain}")
            } else {
                format!("{name}.internal.{env_domain}")
            };
            ingress.insert("fqdn".into(), json!(host));
            default(ingress, "transport", json!("auto"));
            default(ingress, "allowInsecure", json!(false));
            default(
                ingress,
                "traffic",
                json!([{"weight": 100, "latestRevision": true}]),
            );
        }
        p.insert("configuration".into(), Value::Object(config));
        let mut out = ctx.shell();
        out.insert("location".into(), json!(location));
        copy(
            &body,
            &mut out,
            &["tags", "identity", "kind", "managedBy", "extendedLocation"],
        );
        super::fill_identity(&mut out, &ctx.id);
        out.insert("systemData".into(), ctx.system_data());
        out.insert("properties".into(), Value::Object(p));
        let mut prepared = Prepared::new(out);
        prepared.private = Value::Object(private);
        Ok(prepared)
    }
    fn lro(&self, _ctx: &PutCtx<'_>) -> Lro {
        Lro::App {
            statuses: "containerappOperationStatuses",
        }
    }
    fn delete_lro(&self) -> DeleteLro {
        DeleteLro::Async {
            statuses: "containerappOperationStatuses",
        }
    }
    fn pending(&self, body: &mut Value, _create: bool) {
        set_state(body, "/properties/provisioningState", "InProgress");
    }
    fn action(
        &self,
        action: &str,
        entry: &Entry,
        st: &mut State,
    ) -> Result<Option<Value>, ArmError> {
        if action.eq_ignore_ascii_case("listSecrets") {
            let value: Vec<Value> = entry
                .private
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(n, v)| json!({"name": n, "value": v}))
                        .collect()
                })
                .unwrap_or_default();
            return Ok(Some(json!({ "value": value })));
        }
        super::generic::GENERIC.action(action, entry, st)
    }
}
