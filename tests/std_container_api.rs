//! The bundled `std/azure/container-api` module on the embedded emulator: what it creates with
//! its defaults, its outputs, that the identity it grants is the app's own, that an image change
//! updates the app alone, and that a secret cannot sneak into its plain `env`.

mod common;
use common::*;
use serde_json::Value as J;

const PROJECT: &str = r#"
param image: string = "web:1"

resource rg: azure.resource_group { name = "t-rg", location = "westeurope" }
resource logs: azure.log_analytics_workspace {
  name           = "t-logs"
  resource_group = rg
  retention_days = 30
}
resource cae: azure.container_app_environment { name = "t-cae", resource_group = rg, logs = logs }
resource kv: azure.key_vault { name = "t-kv", resource_group = rg, rbac = true }

module web = "std/azure/container-api" {
  name        = "t-web"
  environment = cae
  image       = image
  key_vault   = kv
}

resource reads_fqdn: azure.dns_zone { name = "web.example", resource_group = rg, tags = { app = web.fqdn } }

output url       = web.url
output fqdn      = web.fqdn
output principal = web.principal_id
output app_id    = web.id

environment local { target = emulator {} }
"#;

fn json_of(out: &std::process::Output) -> J {
    assert_eq!(
        out.status.code().map(|c| c == 0 || c == 2),
        Some(true),
        "{}",
        stderr(out)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

fn change<'a>(plan: &'a J, address: &str) -> &'a J {
    plan["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|c| c["address"] == address)
        .unwrap_or_else(|| panic!("no {address} in {plan}"))
}

#[test]
fn defaults_give_an_app_with_ingress_scale_and_a_secrets_reader_role() {
    let dir = project(&[("main.infra", PROJECT)]);
    let plan = json_of(&infra(
        &["plan", ".", "--env", "local", "--format", "json"],
        dir.path(),
    ));
    let app = &change(&plan, "module.web.app")["after"];
    assert_eq!(app["name"], "t-web");
    assert_eq!(app["image"], "web:1");
    assert_eq!(app["cpu"], 0.5);
    assert_eq!(app["memory"], "1Gi");
    assert_eq!(app["identity"], "(known after apply)");
    assert_eq!(app["replicas"]["min_replicas"], 1);
    assert_eq!(app["replicas"]["max_replicas"], 3);
    assert_eq!(app["ingress"]["external"], true);
    assert_eq!(app["ingress"]["target_port"], 8080);
    let role = change(&plan, "module.web.reads_secrets");
    assert_eq!(role["action"], "create");
    assert_eq!(role["after"]["role"], "Key Vault Secrets User");
    assert_eq!(role["after"]["principal_type"], "ServicePrincipal");
    assert!(
        role["after"]["scope"]
            .as_str()
            .is_some_and(|s| s.ends_with("/vaults/t-kv")),
        "{role}"
    );
}

#[test]
fn apply_gives_outputs_the_identity_role_and_one_update_per_image_change() {
    let dir = project(&[("main.infra", PROJECT)]);
    let p = dir.path();
    let apply = infra(&["apply", ".", "--env", "local", "--auto-approve"], p);
    assert_eq!(apply.status.code(), Some(0), "{}", stderr(&apply));

    let shown = json_of(&infra(&["output", "--env", "local", "--json"], p));
    let outputs: serde_json::Map<String, J> = shown
        .as_object()
        .expect("outputs")
        .iter()
        .map(|(k, v)| (k.clone(), v["value"].clone()))
        .collect();
    let outputs = J::Object(outputs);
    let fqdn = outputs["fqdn"].as_str().expect("fqdn output");
    assert!(fqdn.starts_with("t-web."), "{outputs}");
    assert_eq!(outputs["url"], format!("https://{fqdn}"));
    assert!(
        outputs["app_id"]
            .as_str()
            .is_some_and(|id| id.ends_with("/containerApps/t-web")),
        "{outputs}"
    );
    let principal = outputs["principal"].as_str().expect("principal output");
    assert!(!principal.is_empty(), "{outputs}");

    // The role is granted to the app's own identity.
    let state = json_of(&infra(&["state", "pull", "--env", "local"], p));
    let role = &state["resources"]["module.web.reads_secrets"]["inputs"];
    assert_eq!(role["principal"], principal, "{role}");

    let plan = infra(&["plan", ".", "--env", "local", "--detailed-exitcode"], p);
    assert_eq!(plan.status.code(), Some(0), "{}", stdout(&plan));

    let text = PROJECT.replace("\"web:1\"", "\"web:2\"");
    std::fs::write(p.join("main.infra"), text).expect("write");
    let plan = json_of(&infra(
        &["plan", ".", "--env", "local", "--format", "json"],
        p,
    ));
    let acted: Vec<(&str, &str)> = plan["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["action"] != "no-op")
        .filter_map(|c| Some((c["address"].as_str()?, c["action"].as_str()?)))
        .collect();
    assert_eq!(acted, [("module.web.app", "update")], "{plan}");
}

#[test]
fn a_secret_in_env_is_refused_before_any_cloud_call() {
    let text = PROJECT
        .replace(
            "param image",
            "param token: secret = \"t0ps3cret\"\nparam image",
        )
        .replace(
            "key_vault   = kv",
            "key_vault   = kv\n  env         = { TOKEN = token }",
        );
    let dir = project(&[("main.infra", &text)]);
    let out = infra(&["validate", ".", "--env", "local"], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("E0501")
            && err.contains("param `env`")
            && err.contains("keep the value in Key Vault"),
        "{err}"
    );
    assert!(!err.contains("t0ps3cret"), "{err}");
}

#[test]
fn the_module_source_is_canonically_formatted() {
    let out = infra(
        &["fmt", "--check", "stdlib/modules/azure/container-api"],
        &repo(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
}

/// The module's section of docs/stdlib.md: from its heading to the next module's.
fn documented_section() -> String {
    let md = std::fs::read_to_string(repo().join("docs/stdlib.md")).expect("docs/stdlib.md");
    let start = md
        .find("**`std/azure/container-api`**")
        .expect("docs/stdlib.md documents std/azure/container-api");
    let rest = &md[start..];
    let end = rest[2..].find("\n**`std/").map_or(rest.len(), |i| i + 2);
    rest[..end].to_string()
}

#[test]
fn the_documented_example_validates_and_every_param_is_documented() {
    let section = documented_section();
    let example = section
        .split("```infra\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("an infra example");
    let dir = project(&[("main.infra", example)]);
    let out = infra(&["validate", "."], dir.path());
    assert_eq!(out.status.code(), Some(0), "{example}\n{}", stderr(&out));

    let source =
        std::fs::read_to_string(repo().join("stdlib/modules/azure/container-api/main.infra"))
            .expect("module source");
    for line in source.lines() {
        let declared = line
            .strip_prefix("param ")
            .or_else(|| line.strip_prefix("output "));
        if let Some(name) = declared.and_then(|d| d.split([':', ' ']).next()) {
            assert!(
                section.contains(&format!("| `{name}` |")),
                "docs/stdlib.md does not document `{name}` of std/azure/container-api"
            );
        }
    }
}
