//! `azure.container_app` — Microsoft.App/containerApps @2026-01-01.

use infra_provider_core::{Field, PropertySchema as P, ResourceSchema, Type};

pub fn schema() -> ResourceSchema {
    let replicas = Type::Object(vec![
        Field::required("min_replicas", Type::Int),
        Field::required("max_replicas", Type::Int),
    ]);
    let ingress = Type::Object(vec![
        Field::required("external", Type::Bool),
        Field::required("target_port", Type::Int),
        Field::optional(
            "transport",
            Type::enumeration(&["auto", "http", "http2", "tcp"]),
        ),
    ]);
    let sidecar = Type::Object(vec![
        Field::required("name", Type::String),
        Field::required("image", Type::String),
        Field::optional("cpu", Type::Float),
        Field::optional("memory", Type::String),
        Field::optional("command", Type::list(Type::String)),
        Field::optional("args", Type::list(Type::String)),
        Field::optional("env", Type::map(Type::String)),
    ]);
    let identity_out = Type::Object(vec![
        Field::required("principal_id", Type::String),
        Field::required("tenant_id", Type::String),
    ]);
    ResourceSchema::new(
        "azure.container_app",
        "A containerised service on Azure Container Apps.",
    )
    .prop(
        "name",
        P::input(Type::String)
            .required()
            .create_only()
            .doc("App name."),
    )
    .prop(
        "environment",
        P::input(Type::Resource("azure.container_app_environment".into()))
            .required()
            .create_only()
            .doc("The environment the app runs in; an app cannot move."),
    )
    .prop(
        "resource_group",
        P::input(Type::Resource("azure.resource_group".into()))
            .create_only()
            .doc("Defaults to the environment's group."),
    )
    .prop(
        "location",
        P::input(Type::String)
            .create_only()
            .doc("Defaults to the environment's region."),
    )
    .prop(
        "image",
        P::input(Type::String).required().doc("Container image."),
    )
    .prop(
        "cpu",
        P::input(Type::Float).doc("vCPU per replica (0.25 steps)."),
    )
    .prop(
        "memory",
        P::input(Type::String).doc("Memory per replica, e.g. \"1Gi\"."),
    )
    .prop(
        "command",
        P::input(Type::list(Type::String)).doc("Entrypoint override."),
    )
    .prop("args", P::input(Type::list(Type::String)).doc("Arguments."))
    .prop("replicas", P::input(replicas).doc("Scale bounds."))
    .prop(
        "ingress",
        P::input(ingress).doc("HTTP ingress; none when omitted."),
    )
    .prop(
        "identity",
        P::input(Type::enumeration(&["none", "system"]))
            .reads_as(identity_out)
            .doc("Managed identity; read back as `{ principal_id, tenant_id }`."),
    )
    .prop(
        "env",
        P::input(Type::map(Type::String)).doc("Plain environment variables (no secrets)."),
    )
    .prop(
        "secrets",
        P::input(Type::map(Type::Resource("azure.key_vault_secret".into())))
            .doc("Environment variables read from Key Vault secrets through the app's identity."),
    )
    .prop(
        "revisions_mode",
        P::input(Type::enumeration(&["Single", "Multiple"])).doc(
            "Single (default): each revision replaces the last; Multiple: several stay active \
             (traffic splitting, blue/green).",
        ),
    )
    .prop(
        "sidecars",
        P::input(Type::list(sidecar)).doc(
            "More containers in each replica beside the main one (`image`): name, image, and \
             optionally cpu, memory, command, args, env.",
        ),
    )
    .prop(
        "revision_suffix",
        P::input(Type::String).doc("Suffix of the next revision's name."),
    )
    .prop("tags", P::input(Type::map(Type::String)).doc("Tags."))
    .prop("id", P::output(Type::String).doc("ARM resource id."))
    .prop("fqdn", P::output(Type::String).doc("Ingress FQDN."))
    .prop(
        "latest_revision_name",
        P::output(Type::String)
            .changes_on_update()
            .doc("Latest revision."),
    )
    .prop(
        "outbound_ip_addresses",
        P::output(Type::list(Type::String)).doc("Outbound IPs."),
    )
}

pub const API_VERSION: &str = "2026-01-01";
/// Read-only per the 2026-01-01 spec (FINDINGS §2.3).
const READ_ONLY: &[&str] = &[
    "/properties/latestRevisionName",
    "/properties/latestReadyRevisionName",
    "/properties/latestRevisionFqdn",
    "/properties/outboundIpAddresses",
    "/properties/runningStatus",
    "/properties/customDomainVerificationId",
    "/properties/eventStreamEndpoint",
    "/properties/configuration/ingress/fqdn",
];

use super::container_app_environment::API_VERSION as ENV_API;
use super::container_app_sidecars::{list_of, normalise_sidecars, read_sidecar, sidecar_json};
use crate::kind::{
    AzureType, Cx, ensure_absent, mark_created, preserving_put, state_from, unknown_id,
};
use crate::mapping::{
    group_scope, i, id_segment, jstr, norm_location, put, s, subscription_of, tags_json,
    tracked_inputs,
};
use crate::provider::AzureConfig;
use infra_provider_core::{BoxFuture, ObjectState, Props, ProviderError, ProviderResult, Value};
use reqwest::Method;
use serde_json::{Map, Value as J, json};

pub struct ContainerApp;
pub static KIND: ContainerApp = ContainerApp;

fn invalid(msg: impl std::fmt::Display) -> ProviderError {
    ProviderError::Invalid(format!("azure.container_app: {msg}"))
}

/// ARM secret names allow lower-case letters, digits and `-` only: `DATABASE_URL` becomes
/// `database-url`.
fn secret_name(env_var: &str) -> String {
    env_var
        .chars()
        .map(|c| match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9') => c,
            _ => '-',
        })
        .collect()
}

pub(super) fn float(v: Option<&Value>) -> Option<f64> {
    match v.map(|v| v.unwrap_secret().0) {
        Some(Value::Float(f)) => Some(*f),
        Some(Value::Int(n)) => Some(*n as f64),
        _ => None,
    }
}

pub(super) fn map_of(p: &Props, k: &str) -> Vec<(String, String)> {
    match p.get(k) {
        Some(Value::Object(m)) => m
            .iter()
            .filter_map(|(k, v)| {
                v.unwrap_secret()
                    .0
                    .as_str()
                    .map(|v| (k.clone(), v.to_string()))
            })
            .collect(),
        _ => Vec::new(),
    }
}

pub(super) fn str_list(v: Option<&J>) -> Option<Value> {
    let l = v?.as_array()?;
    Some(Value::List(
        l.iter().filter_map(J::as_str).map(Value::str).collect(),
    ))
}

/// Whether the secret URL ARM reports is the secret a reference named: the URL itself, or
/// the ARM id `.../vaults/{vault}/secrets/{name}` of the same vault and name.
fn same_secret(reference: &str, url: &str) -> bool {
    if reference.eq_ignore_ascii_case(url) {
        return true;
    }
    let (Some(vault), Some(name)) = (
        id_segment(reference, "vaults"),
        id_segment(reference, "secrets"),
    ) else {
        return false;
    };
    // The vault is the host's first label in Azure (`kv.vault.azure.net`) and a path
    // segment behind a local endpoint; the name follows `secrets`.
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let parts: Vec<&str> = rest.split('/').collect();
    let Some(at) = parts.iter().position(|p| p.eq_ignore_ascii_case("secrets")) else {
        return false;
    };
    let host_vault = parts[0].split('.').next().unwrap_or_default();
    let vault_ok = host_vault.eq_ignore_ascii_case(&vault)
        || parts[1..at].iter().any(|p| p.eq_ignore_ascii_case(&vault));
    vault_ok
        && parts
            .get(at + 1)
            .is_some_and(|n| n.eq_ignore_ascii_case(&name))
}

/// A secret reference as Key Vault wants it: a secret URL stays as given (versioned or
/// not); an ARM id `.../vaults/{v}/secrets/{n}` becomes the versionless URL.
async fn secret_url(cx: &Cx<'_>, reference: &str) -> ProviderResult<String> {
    if !reference.starts_with('/') {
        return Ok(reference.to_string());
    }
    let name = id_segment(reference, "secrets")
        .ok_or_else(|| invalid(format!("`{reference}` is not a Key Vault secret")))?;
    let vault = crate::mapping::parent_of(reference)
        .ok_or_else(|| invalid(format!("`{reference}` is not a Key Vault secret")))?;
    let body = cx
        .client
        .get(&vault, super::key_vault::API_VERSION, cx.cancel)
        .await?
        .ok_or_else(|| invalid(format!("vault `{vault}` not found")))?;
    let uri = body
        .pointer("/properties/vaultUri")
        .and_then(J::as_str)
        .ok_or_else(|| invalid(format!("vault `{vault}` reports no vaultUri")))?;
    Ok(format!("{}/secrets/{name}", uri.trim_end_matches('/')))
}

/// The PUT body; `secrets` holds (env var, secret URL) pairs already resolved.
fn body(p: &Props, secrets: &[(String, String)]) -> ProviderResult<J> {
    let system = s(p, "identity") == Some("system");
    if !secrets.is_empty() && !system {
        return Err(invalid(
            "`secrets` are read through the app's identity: set `identity = \"system\"`",
        ));
    }
    let name = s(p, "name").ok_or_else(|| invalid("`name` is unknown"))?;
    let env_id = s(p, "environment").ok_or_else(|| invalid("`environment` is unknown"))?;
    let image = s(p, "image").ok_or_else(|| invalid("`image` is unknown"))?;
    let mut env: Vec<J> = map_of(p, "env")
        .into_iter()
        .map(|(k, v)| json!({"name": k, "value": v}))
        .collect();
    env.extend(
        secrets
            .iter()
            .map(|(k, _)| json!({"name": k, "secretRef": secret_name(k)})),
    );
    let mut container = json!({"name": name, "image": image, "env": env});
    let mut resources = Map::new();
    if let Some(c) = float(p.get("cpu")) {
        resources.insert("cpu".into(), json!(c));
    }
    if let Some(m) = s(p, "memory") {
        resources.insert("memory".into(), json!(m));
    }
    if !resources.is_empty() {
        container["resources"] = J::Object(resources);
    }
    for (k, key) in [("command", "command"), ("args", "args")] {
        if let Some(v) = p.get(k) {
            container[key] = v.to_redacted_json();
        }
    }
    let mut containers = vec![container];
    containers.extend(list_of(p, "sidecars").iter().map(sidecar_json));
    let mut template = json!({ "containers": containers });
    if let Some(Value::Object(r)) = p.get("replicas") {
        template["scale"] = json!({
            "minReplicas": i(r, "min_replicas"),
            "maxReplicas": i(r, "max_replicas"),
        });
    }
    if let Some(suffix) = s(p, "revision_suffix") {
        template["revisionSuffix"] = json!(suffix);
    }
    let mode = s(p, "revisions_mode").unwrap_or("Single");
    let mut configuration = json!({ "activeRevisionsMode": mode });
    if let Some(Value::Object(ing)) = p.get("ingress") {
        configuration["ingress"] = json!({
            "external": crate::mapping::b(ing, "external").unwrap_or(false),
            "targetPort": i(ing, "target_port"),
            "transport": s(ing, "transport").unwrap_or("auto"),
        });
    }
    if !secrets.is_empty() {
        configuration["secrets"] = J::Array(
            secrets
                .iter()
                .map(|(k, url)| json!({"name": secret_name(k), "keyVaultUrl": url, "identity": "system"}))
                .collect(),
        );
    }
    let mut b = json!({
        "tags": tags_json(p),
        "identity": {"type": if system { "SystemAssigned" } else { "None" }},
        "properties": {
            "environmentId": env_id,
            "configuration": configuration,
            "template": template,
        },
    });
    if let Some(l) = s(p, "location") {
        b["location"] = json!(l);
    }
    Ok(b)
}

/// Inputs as read back. Secret env entries map back through `configuration.secrets` to the
/// reference recorded before when it names the same secret.
fn read(body: &J, prior: &Props) -> (Props, Props) {
    let mut p = tracked_inputs(body);
    let props = body.get("properties").cloned().unwrap_or(J::Null);
    put(
        &mut p,
        "environment",
        jstr(&props, "/managedEnvironmentId").or_else(|| jstr(&props, "/environmentId")),
    );
    let c = props
        .pointer("/template/containers/0")
        .cloned()
        .unwrap_or(J::Null);
    put(&mut p, "image", jstr(&c, "/image"));
    put(
        &mut p,
        "cpu",
        c.pointer("/resources/cpu")
            .and_then(J::as_f64)
            .map(Value::Float),
    );
    put(&mut p, "memory", jstr(&c, "/resources/memory"));
    put(&mut p, "command", str_list(c.get("command")));
    put(&mut p, "args", str_list(c.get("args")));
    if let Some(scale) = props.pointer("/template/scale").filter(|v| v.is_object()) {
        let mut r = Props::new();
        put(&mut r, "min_replicas", jint_at(scale, "/minReplicas"));
        put(&mut r, "max_replicas", jint_at(scale, "/maxReplicas"));
        p.insert("replicas".into(), Value::Object(r));
    }
    let sidecars: Vec<Value> = props
        .pointer("/template/containers")
        .and_then(J::as_array)
        .map(|l| l.iter().skip(1).map(read_sidecar).collect())
        .unwrap_or_default();
    if !sidecars.is_empty() {
        p.insert("sidecars".into(), Value::List(sidecars));
    }
    put(
        &mut p,
        "revisions_mode",
        jstr(&props, "/configuration/activeRevisionsMode"),
    );
    put(
        &mut p,
        "revision_suffix",
        jstr(&props, "/template/revisionSuffix").filter(|v| v.as_str() != Some("")),
    );
    if let Some(ing) = props
        .pointer("/configuration/ingress")
        .filter(|v| v.is_object())
    {
        let mut m = Props::new();
        put(&mut m, "external", crate::mapping::jbool(ing, "/external"));
        put(&mut m, "target_port", jint_at(ing, "/targetPort"));
        put(
            &mut m,
            "transport",
            jstr(ing, "/transport")
                .map(|t| Value::String(t.as_str().unwrap_or("auto").to_ascii_lowercase())),
        );
        p.insert("ingress".into(), Value::Object(m));
    }
    let system = body
        .pointer("/identity/type")
        .and_then(J::as_str)
        .is_some_and(|t| t.to_ascii_lowercase().contains("systemassigned"));
    if system {
        p.insert("identity".into(), Value::str("system"));
    }
    let urls: Vec<(String, String)> = props
        .pointer("/configuration/secrets")
        .and_then(J::as_array)
        .map(|l| {
            l.iter()
                .filter_map(|s| {
                    Some((
                        s.get("name")?.as_str()?.to_string(),
                        s.get("keyVaultUrl")?.as_str()?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    let recorded = map_of(prior, "secrets");
    let (mut env, mut secrets) = (Props::new(), Props::new());
    for e in c.get("env").and_then(J::as_array).into_iter().flatten() {
        let Some(name) = e.get("name").and_then(J::as_str) else {
            continue;
        };
        if let Some(v) = e.get("value").and_then(J::as_str) {
            env.insert(name.into(), Value::str(v));
        } else if let Some(r) = e.get("secretRef").and_then(J::as_str)
            && let Some((_, url)) = urls.iter().find(|(n, _)| n == r)
        {
            let shown = recorded
                .iter()
                .find(|(k, v)| k == name && same_secret(v, url))
                .map_or(url.as_str(), |(_, v)| v.as_str());
            secrets.insert(name.into(), Value::str(shown));
        }
    }
    if !env.is_empty() {
        p.insert("env".into(), Value::Object(env));
    }
    if !secrets.is_empty() {
        p.insert("secrets".into(), Value::Object(secrets));
    }
    let mut out = Props::new();
    put(
        &mut out,
        "fqdn",
        jstr(&props, "/configuration/ingress/fqdn"),
    );
    put(
        &mut out,
        "latest_revision_name",
        jstr(&props, "/latestRevisionName"),
    );
    put(
        &mut out,
        "outbound_ip_addresses",
        str_list(props.get("outboundIpAddresses")),
    );
    if system {
        let mut id = Props::new();
        put(&mut id, "principal_id", jstr(body, "/identity/principalId"));
        put(&mut id, "tenant_id", jstr(body, "/identity/tenantId"));
        out.insert("identity".into(), Value::Object(id));
    }
    (p, out)
}

fn jint_at(v: &J, pointer: &str) -> Option<Value> {
    v.pointer(pointer).and_then(J::as_i64).map(Value::Int)
}

impl ContainerApp {
    async fn write(
        &self,
        cx: &Cx<'_>,
        prior: Option<&ObjectState>,
        inputs: &Props,
    ) -> ProviderResult<ObjectState> {
        let id = prior.map(|p| p.id.as_str());
        let mut inputs = inputs.clone();
        if s(&inputs, "location").is_none() {
            let env =
                s(&inputs, "environment").ok_or_else(|| invalid("`environment` is unknown"))?;
            let loc = cx
                .client
                .get(env, ENV_API, cx.cancel)
                .await?
                .as_ref()
                .and_then(|e| e.get("location"))
                .and_then(J::as_str)
                .map(norm_location)
                .ok_or_else(|| {
                    invalid(format!(
                        "environment `{env}` not found: cannot default the location"
                    ))
                })?;
            inputs.insert("location".into(), Value::String(loc));
        }
        let id = match id {
            Some(id) => id.to_string(),
            None => {
                let id = self
                    .arm_id(&cx.config.subscription_id, &inputs)
                    .ok_or_else(|| unknown_id(&self.schema()))?;
                ensure_absent(cx, &id, API_VERSION).await?;
                id
            }
        };
        let mut secrets = Vec::new();
        for (k, reference) in map_of(&inputs, "secrets") {
            secrets.push((k, secret_url(cx, &reference).await?));
        }
        let mut request = body(&inputs, &secrets)?;
        let answer = match prior {
            Some(prior) => {
                // What infra managed before, secret names included (their URLs do not matter
                // for what to reset).
                let was: Vec<(String, String)> = map_of(&prior.inputs, "secrets")
                    .into_iter()
                    .map(|(k, _)| (k, String::new()))
                    .collect();
                let old = body(&prior.inputs, &was).ok();
                preserving_put(cx, &id, API_VERSION, &request, old.as_ref(), READ_ONLY).await?
            }
            None => {
                mark_created(cx, &mut request);
                cx.client
                    .write(Method::PUT, &id, API_VERSION, &request, cx.cancel)
                    .await?
            }
        };
        state_from(self, &answer, &inputs, &id)
    }
}

/// PUT answers 201 `InProgress` with Azure-AsyncOperation (FINDINGS §2.3). The app has one
/// container, named after the app; the RP's defaults (transport, resources) are computed.
impl AzureType for ContainerApp {
    fn schema(&self) -> ResourceSchema {
        schema()
    }
    fn api_version(&self) -> &'static str {
        API_VERSION
    }
    fn arm_id(&self, sub: &str, p: &Props) -> Option<String> {
        let env = s(p, "environment");
        let rg = match s(p, "resource_group") {
            Some(rg) => group_scope(sub, rg),
            None => {
                let env = env?;
                let sub = subscription_of(env).unwrap_or_else(|| sub.to_string());
                group_scope(&sub, &id_segment(env, "resourceGroups")?)
            }
        };
        Some(format!(
            "{rg}/providers/Microsoft.App/containerApps/{}",
            s(p, "name")?
        ))
    }
    fn computed(&self) -> &'static [&'static str] {
        &["location", "cpu", "memory", "replicas", "revisions_mode"]
    }
    fn normalise(&self, d: &mut Props, prior: Option<&ObjectState>) {
        normalise_sidecars(d, prior);
        // The group is the environment's unless named; the read reports it either way.
        if s(d, "resource_group").is_none()
            && let Some(rg) = s(d, "environment").and_then(|e| id_segment(e, "resourceGroups"))
        {
            d.insert("resource_group".into(), Value::String(rg));
        }
        if let Some(c) = float(d.get("cpu")) {
            d.insert("cpu".into(), Value::Float(c));
        }
        if s(d, "identity") == Some("none") {
            d.remove("identity");
        }
        if let Some(Value::Object(ing)) = d.get_mut("ingress") {
            ing.entry("transport".to_string())
                .or_insert_with(|| Value::str("auto"));
        }
        for k in ["env", "secrets"] {
            if matches!(d.get(k), Some(Value::Object(m)) if m.is_empty()) {
                d.remove(k);
            }
        }
    }
    fn to_body(&self, p: &Props, _: &AzureConfig) -> ProviderResult<J> {
        // Secret references need resolving first: only `write` builds a body with them.
        body(p, &[])
    }
    fn read_body(&self, body: &J, prior: &Props) -> ProviderResult<(Props, Props)> {
        Ok(read(body, prior))
    }
    fn create<'a>(
        &'a self,
        cx: &'a Cx<'a>,
        inputs: &'a Props,
    ) -> BoxFuture<'a, ProviderResult<ObjectState>> {
        Box::pin(self.write(cx, None, inputs))
    }
    fn update<'a>(
        &'a self,
        cx: &'a Cx<'a>,
        prior: &'a ObjectState,
        inputs: &'a Props,
    ) -> BoxFuture<'a, ProviderResult<ObjectState>> {
        Box::pin(self.write(cx, Some(prior), inputs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names_and_references() {
        assert_eq!(secret_name("DATABASE_URL"), "database-url");
        let url = "https://kv1.vault.azure.net/secrets/db/abc123";
        assert!(same_secret(url, url));
        assert!(same_secret(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/KV1/secrets/db",
            url
        ));
        assert!(!same_secret(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv2/secrets/db",
            url
        ));
    }
}
