//! The full LANGUAGE.md example: checks clean and evaluates for `local`.

#[path = "common/schemas.rs"]
mod schemas;

use infra_lang::check::{CheckOptions, check_with};
use infra_lang::diag::render::to_golden;
use infra_lang::eval::{NoKnowledge, StateConfig, Target, evaluate};
use infra_lang::project::Project;
use infra_provider_core::Value;
use std::collections::BTreeMap;
use std::path::Path;

struct Env(BTreeMap<String, String>);

impl infra_stdlib::Host for Env {
    fn env_var(&self, name: &str) -> Option<String> {
        self.0.get(name).cloned()
    }
    fn read_file(&self, path: &str) -> Result<String, String> {
        Err(format!("no file {path}"))
    }
}

fn example() -> Project {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/eval/language_example");
    Project::load(&dir).expect("load example")
}

#[test]
fn language_example_checks_and_evaluates_for_local() {
    let project = example();
    let options = CheckOptions {
        environment: Some("local".into()),
    };
    let checked = check_with(&project, &schemas::schemas(), &options);
    let shown = to_golden(&checked.diagnostics, &project.sources);
    assert!(!checked.has_errors(), "{shown}");
    assert_eq!(shown, "", "no warnings expected either");
    let program = checked.program.expect("program");
    assert_eq!(program.environment_names(), vec!["local", "prod"]);
    let host = Env(BTreeMap::new());
    let Ok(ev) = evaluate(&program, Some("local"), &host, &NoKnowledge) else {
        panic!("evaluation failed");
    };
    let addresses: Vec<&str> = ev.addresses().collect();
    assert_eq!(
        addresses,
        vec![
            "rg",
            "cache",
            "kv",
            "logs",
            "cae",
            "pg",
            "appdb",
            "pg_url",
            "api",
            "api_reads_kv",
            "zone",
            "api_dns",
            "spf"
        ]
    );
    let by: BTreeMap<&str, &infra_provider_core::DesiredResource> = ev
        .resources
        .iter()
        .map(|r| (r.address.as_str(), r))
        .collect();
    // Dependencies come first.
    let pos = |a: &str| addresses.iter().position(|x| *x == a).unwrap();
    assert_eq!(pos("rg"), 0);
    for r in &ev.resources {
        for d in &r.depends_on {
            assert!(pos(d) < pos(&r.address), "{} before {d}", r.address);
        }
    }
    let deps = |a: &str| {
        by[a]
            .depends_on
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
    };
    assert_eq!(deps("pg_url"), vec!["kv", "pg"]);
    assert_eq!(deps("api"), vec!["cache", "cae", "pg", "pg_url"]);
    assert_eq!(deps("api_reads_kv"), vec!["api", "kv"]);
    assert_eq!(deps("rg"), Vec::<&str>::new());
    // Values.
    assert_eq!(by["rg"].properties["name"], Value::str("lw-local-rg"));
    assert_eq!(
        by["pg"].properties["high_availability"],
        Value::str("disabled")
    );
    assert_eq!(
        by["pg"].properties["admin_password"],
        Value::secret(Value::str("local-only"))
    );
    assert_eq!(
        by["pg_url"].properties["value"],
        Value::secret(Value::Unknown),
        "pg.fqdn is unknown"
    );
    let env = &by["api"].properties["env"];
    let Value::Object(env) = env else {
        panic!("env is an object")
    };
    assert_eq!(env["DB_HOST"], Value::Unknown);
    assert_eq!(by["api_dns"].properties["target"], Value::Unknown);
    assert_eq!(by["api_reads_kv"].properties["principal"], Value::Unknown);
    assert_eq!(
        by["logs"].properties["resource_group"],
        Value::Unknown,
        "a resource used whole is its id"
    );
    assert_eq!(
        ev.outputs["api_url"],
        (Value::str("https://api.augeo.app"), false)
    );
    let config = ev.environment.as_ref().expect("environment");
    assert_eq!(config.target, Target::Emulator { port: None });
    assert_eq!(config.state, StateConfig::Local { path: None });
    assert!(!config.protect);
}

#[test]
fn language_example_prod_needs_its_environment_variables() {
    let project = example();
    let options = CheckOptions {
        environment: Some("prod".into()),
    };
    let checked = check_with(&project, &schemas::schemas(), &options);
    assert!(
        !checked.has_errors(),
        "{}",
        to_golden(&checked.diagnostics, &project.sources)
    );
    let program = checked.program.expect("program");
    let mut vars = BTreeMap::new();
    vars.insert("AZURE_SUBSCRIPTION_ID".to_string(), "sub-1".to_string());
    vars.insert("PG_ADMIN_PASSWORD".to_string(), "pw".to_string());
    let Ok(ev) = evaluate(&program, Some("prod"), &Env(vars), &NoKnowledge) else {
        panic!("evaluation failed")
    };
    let config = ev.environment.as_ref().expect("environment");
    assert_eq!(
        config.target,
        Target::Azure {
            subscription: "sub-1".into(),
            tenant: None,
            location: None
        }
    );
    assert!(config.protect);
    assert!(ev.resources.iter().all(|r| r.lifecycle.protect));
    let pg = ev.resources.iter().find(|r| r.address == "pg").unwrap();
    assert_eq!(
        pg.properties["high_availability"],
        Value::str("zone_redundant")
    );
    let Err(diags) = evaluate(&program, Some("prod"), &Env(BTreeMap::new()), &NoKnowledge) else {
        panic!("missing env vars must fail")
    };
    assert!(diags.iter().all(|d| d.code == "E0603"), "{diags:?}");
}
