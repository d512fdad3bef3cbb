//! Evaluation behaviour: secrets never leak, re-evaluation, long chains.

#[path = "common/schemas.rs"]
mod schemas;

use infra_lang::check::{CheckOptions, Program, check_with};
use infra_lang::diag::render::{Report, to_golden, to_json};
use infra_lang::eval::{Evaluation, NoKnowledge, Resolver, evaluate};
use infra_lang::project::Project;
use infra_provider_core::{Map, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

const CANARY: &str = "canary-9f8e7d";

struct Host;

impl infra_stdlib::Host for Host {
    fn env_var(&self, name: &str) -> Option<String> {
        (name == "CANARY").then(|| CANARY.to_string())
    }
    fn read_file(&self, path: &str) -> Result<String, String> {
        Err(format!("no file {path}"))
    }
}

/// Knows a fixed set of attributes per address.
struct Known(BTreeMap<String, Map>);

impl Resolver for Known {
    fn attributes(&self, address: &str, _: &str, _: &Map) -> Option<Map> {
        self.0.get(address).cloned()
    }
}

fn known(entries: &[(&str, &str, Value)]) -> Known {
    let mut m: BTreeMap<String, Map> = BTreeMap::new();
    for (addr, attr, v) in entries {
        m.entry(addr.to_string())
            .or_default()
            .insert(attr.to_string(), v.clone());
    }
    Known(m)
}

fn project(files: &[(&str, &str)]) -> Project {
    let files = files
        .iter()
        .map(|(p, t)| (PathBuf::from(p), t.to_string()))
        .collect();
    Project::from_sources(files).expect("project")
}

fn program(p: &Project, env: Option<&str>) -> Program {
    let options = CheckOptions {
        environment: env.map(str::to_string),
    };
    let checked = check_with(p, &schemas::schemas(), &options);
    assert!(
        !checked.has_errors(),
        "{}",
        to_golden(&checked.diagnostics, &p.sources)
    );
    checked.program.expect("program")
}

fn run(src: &str, env: Option<&str>) -> Evaluation {
    let p = project(&[("main.infra", src)]);
    let Ok(ev) = evaluate(&program(&p, env), env, &Host, &NoKnowledge) else {
        panic!("evaluation failed")
    };
    ev
}

/// Everything an evaluation may show: redacted JSON and `Display` of every value.
fn shown(ev: &Evaluation) -> String {
    let mut out = String::new();
    for r in &ev.resources {
        out.push_str(&format!(
            "{} {:?} {:?}\n",
            r.address, r.depends_on, r.lifecycle
        ));
        for (k, v) in r.properties.iter() {
            out.push_str(&format!("{k} = {v} {}\n", v.to_redacted_json()));
        }
    }
    for (k, (v, _)) in &ev.outputs {
        out.push_str(&format!("{k} = {v} {}\n", v.to_redacted_json()));
    }
    out
}

const CANARY_SRC: &str = r#"
param token: secret
let url = "postgres://admin:${token}@db.internal/app"
resource rg: azure.resource_group { name = "rg", location = "westeurope" }
resource kv: azure.key_vault { name = "kv", resource_group = rg }
resource s: azure.key_vault_secret { vault = kv, name = "pg-url", value = url }
resource copy: core.data for k in ["a"] { input = { n = k } }
output connection: secret = url
output length: secret = length(url)
environment dev { params = { token = env_secret("CANARY") } }
"#;

#[test]
fn secret_canary_stays_inside_value_secret() {
    let ev = run(CANARY_SRC, Some("dev"));
    let text = shown(&ev);
    assert!(!text.contains(CANARY), "{text}");
    assert!(text.contains("(secret)"));
    let s = ev.resources.iter().find(|r| r.address == "s").expect("s");
    let expected = format!("postgres://admin:{CANARY}@db.internal/app");
    assert_eq!(
        s.properties["value"],
        Value::secret(Value::String(expected))
    );
    let (conn, declared) = &ev.outputs["connection"];
    assert!(declared);
    assert!(matches!(conn, Value::Secret(_)));
}

#[test]
fn secrets_and_unknowns_pass_through_user_functions() {
    let src = r#"
param token: secret
fn url(host: string, pw: string) = "postgres://admin:${pw}@${host}/app"
resource rg: azure.resource_group { name = "rg", location = "westeurope" }
resource kv: azure.key_vault { name = "kv", resource_group = rg }
output conn: secret = url("db", token)
output later = url(kv.uri, "x")
output plain = url("db", "x")
environment dev { params = { token = env_secret("CANARY") } }
"#;
    let ev = run(src, Some("dev"));
    let text = shown(&ev);
    assert!(!text.contains(CANARY), "{text}");
    let expected = format!("postgres://admin:{CANARY}@db/app");
    assert_eq!(ev.outputs["conn"].0, Value::secret(Value::String(expected)));
    assert_eq!(ev.outputs["later"].0, Value::Unknown);
    assert_eq!(
        ev.outputs["plain"].0,
        Value::String("postgres://admin:x@db/app".into())
    );
    // A failing call inside a function does not quote the secret either.
    let failing = "param token: secret\nfn num(pw: string): int = to_int(pw)\noutput bad: secret = num(token)\n\
         environment dev { params = { token = env_secret(\"CANARY\") } }\n";
    let p = project(&[("main.infra", failing)]);
    let Err(diags) = evaluate(&program(&p, Some("dev")), Some("dev"), &Host, &NoKnowledge) else {
        panic!("should fail")
    };
    let text = to_golden(&diags, &p.sources);
    assert!(text.contains("to_int") && !text.contains(CANARY), "{text}");
}

#[test]
fn failing_calls_and_lookups_on_secrets_do_not_reveal_them() {
    let cases = [
        "output bad: secret = to_int(token)",
        "output bad: secret = { a = 1 }[token]",
        "output bad: secret = [1][length(token) * 0 + 5]",
        "let m = {for x in [token]: x => 1}\noutput bad: secret = m[\"nope\"]",
        "output bad: secret = {for x in [token, token]: x => 1}",
    ];
    for case in cases {
        let src = format!(
            "param token: secret\n{case}\nenvironment dev {{ params = {{ token = env_secret(\"CANARY\") }} }}\n"
        );
        let p = project(&[("main.infra", &src)]);
        let prog = program(&p, Some("dev"));
        let Err(diags) = evaluate(&prog, Some("dev"), &Host, &NoKnowledge) else {
            panic!("{case}: should fail")
        };
        let mut text = to_golden(&diags, &p.sources);
        text.push_str(&to_json(&diags, &p.sources).to_string());
        for d in &diags {
            text.push_str(&format!("{:?}", Report::new(d, &p.sources)));
        }
        assert!(
            !text.contains(CANARY) && !text.contains("9f8e7d"),
            "{case}: {text}"
        );
    }
}

#[test]
fn secret_into_plain_property_is_reported_without_the_value() {
    let src = "param token: secret\nresource d: azure.resource_group { name = token, location = \"w\" }\nenvironment dev { params = { token = env_secret(\"CANARY\") } }\n";
    let p = project(&[("main.infra", src)]);
    let checked = check_with(
        &p,
        &schemas::schemas(),
        &CheckOptions {
            environment: Some("dev".into()),
        },
    );
    let text = to_golden(&checked.diagnostics, &p.sources);
    assert!(text.contains("E0501"), "{text}");
    assert!(!text.contains(CANARY));
}

const REEVAL_SRC: &str = r#"
resource rg: azure.resource_group { name = "rg", location = "westeurope" }
resource kv: azure.key_vault { name = "kv", resource_group = rg }
let uri = "${kv.uri}/secrets"
resource d: core.data { input = { uri = uri, rg = rg, name = kv.name } }
resource fan: core.data for k in ["a", "b"] { input = "${k}:${uri}" }
module m = "./modules/m" { base = uri }
output o = uri
output from_module = m.full
"#;

const MODULE_SRC: &str = r#"
param base: string
let joined = "${base}/x"
resource inner: core.data { input = joined }
output full = joined
"#;

#[test]
fn reevaluate_fills_in_what_became_known() {
    let p = project(&[
        ("main.infra", REEVAL_SRC),
        ("modules/m/main.infra", MODULE_SRC),
    ]);
    let prog = program(&p, None);
    let Ok(ev) = evaluate(&prog, None, &Host, &NoKnowledge) else {
        panic!("evaluation failed")
    };
    let d = ev.resources.iter().find(|r| r.address == "d").expect("d");
    let Value::Object(input) = &d.properties["input"] else {
        panic!("object")
    };
    assert_eq!(input["uri"], Value::Unknown);
    assert_eq!(input["name"], Value::str("kv"));
    let deps: Vec<&str> = d.depends_on.iter().map(String::as_str).collect();
    assert_eq!(deps, vec!["kv", "rg"]);
    let inner = ev
        .resources
        .iter()
        .find(|r| r.address == "module.m.inner")
        .expect("inner");
    assert!(
        inner.depends_on.contains("kv"),
        "module resources depend on what their inputs came from"
    );

    let now = known(&[
        ("kv", "uri", Value::str("https://kv")),
        ("rg", "id", Value::str("/sub/rg")),
    ]);
    let fresh = ev.reevaluate("d", &now).expect("reevaluate");
    let mut want = Map::new();
    want.insert("name".to_string(), Value::str("kv"));
    want.insert("rg".to_string(), Value::str("/sub/rg"));
    want.insert("uri".to_string(), Value::str("https://kv/secrets"));
    assert_eq!(fresh["input"], Value::Object(want));
    assert_eq!(
        ev.reevaluate("fan[\"b\"]", &now).expect("fan")["input"],
        Value::str("b:https://kv/secrets")
    );
    assert_eq!(
        ev.reevaluate("module.m.inner", &now).expect("inner")["input"],
        Value::str("https://kv/secrets/x")
    );
    let outputs = ev.reevaluate_outputs(&now).expect("outputs");
    assert_eq!(outputs["o"].0, Value::str("https://kv/secrets"));
    assert_eq!(outputs["from_module"].0, Value::str("https://kv/secrets/x"));
    // Still unknown when nothing new is known; an unknown address is an error.
    assert_eq!(
        ev.reevaluate("d", &NoKnowledge).expect("d")["input"],
        d.properties["input"]
    );
    assert!(ev.reevaluate("nope", &now).is_err());
}

fn chain(n: usize, lets: bool) -> String {
    let mut src = String::new();
    if lets {
        src.push_str("resource r0: azure.key_vault { name = \"kv\", resource_group = \"rg\" }\n");
        src.push_str("let l0 = r0.uri\n");
        for i in 1..n {
            src.push_str(&format!("let l{i} = l{}\n", i - 1));
        }
        src.push_str(&format!(
            "resource last: core.data {{ input = l{} }}\n",
            n - 1
        ));
    } else {
        src.push_str("resource r0: core.data { input = 0 }\n");
        for i in 1..n {
            src.push_str(&format!(
                "resource r{i}: core.data {{ input = {{ prev = r{}.output, n = {i} }} }}\n",
                i - 1
            ));
        }
    }
    src
}

#[test]
fn long_chains_check_evaluate_and_reevaluate_without_recursion() {
    let n = 5000;
    let src = chain(n, true);
    let p = project(&[("main.infra", &src)]);
    let prog = program(&p, None);
    let Ok(ev) = evaluate(&prog, None, &Host, &NoKnowledge) else {
        panic!("evaluation failed")
    };
    let now = known(&[("r0", "uri", Value::str("https://kv"))]);
    let fresh = ev.reevaluate("last", &now).expect("reevaluate");
    assert_eq!(fresh["input"], Value::str("https://kv"));
}

#[test]
fn five_thousand_resources_in_a_chain() {
    let n = 5000;
    let src = chain(n, false);
    let t0 = Instant::now();
    let p = project(&[("main.infra", &src)]);
    let parsed = t0.elapsed();
    let t1 = Instant::now();
    let prog = program(&p, None);
    let checked = t1.elapsed();
    let t2 = Instant::now();
    let Ok(ev) = evaluate(&prog, None, &Host, &NoKnowledge) else {
        panic!("evaluation failed")
    };
    let evaluated = t2.elapsed();
    assert_eq!(ev.resources.len(), n);
    let names: Vec<String> = (0..n).map(|i| format!("r{i}")).collect();
    let addresses: Vec<&str> = ev.addresses().collect();
    assert_eq!(
        addresses,
        names.iter().map(String::as_str).collect::<Vec<_>>(),
        "a chain evaluates in order"
    );
    let t3 = Instant::now();
    ev.reevaluate("r4999", &NoKnowledge).expect("reevaluate");
    let reevaluated = t3.elapsed();
    eprintln!(
        "{n} resources: parse {parsed:?}, check {checked:?}, evaluate {evaluated:?}, reevaluate one {reevaluated:?}"
    );
}

#[test]
fn evaluation_is_deterministic() {
    let a = shown(&run(CANARY_SRC, Some("dev")));
    let b = shown(&run(CANARY_SRC, Some("dev")));
    assert_eq!(a, b);
}

#[test]
fn evaluation_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Evaluation>();
    assert_send_sync::<Program>();
}

/// The `state` block's key settings reach the environment's configuration; two sources for
/// one key are refused with a diagnostic.
#[test]
fn state_key_settings_are_evaluated_and_one_source_is_allowed() {
    use infra_lang::eval::{Encryption, VaultItem, environment_config};
    let src = "environment prod {\n  state = azure_blob {\n    account = \"a\"\n    container = \"c\"\n    \
               key = \"k\"\n    key_vault = { vault = \"kv-ops\", name = \"fp\" }\n    encryption = { \
               key_vault_key = { vault = \"kv-ops\", name = \"wrap\" } }\n  }\n}\n\
               environment dev {\n  state = local {\n    key_file = \"a.key\"\n    encryption = { \
               key_file = \"b.key\" }\n  }\n}\n\
               environment both {\n  state = local {\n    key_file = \"a.key\"\n    key_vault = { \
               vault = \"kv\", name = \"fp\" }\n  }\n}\n\
               environment two_wrappers {\n  state = local {\n    encryption = { key_file = \"b.key\", \
               key_vault_key = { vault = \"kv\", name = \"w\" } }\n  }\n}\n";
    let p = project(&[("main.infra", src)]);
    let prog = program(&p, Some("prod"));
    let prod = environment_config(&prog, "prod", &Host).expect("prod");
    let item = |vault: &str, name: &str| VaultItem {
        vault: vault.into(),
        name: name.into(),
    };
    assert_eq!(prod.state_keys.key_vault, Some(item("kv-ops", "fp")));
    assert_eq!(
        prod.state_keys.encryption,
        Some(Encryption::KeyVaultKey(item("kv-ops", "wrap")))
    );
    let dev = environment_config(&prog, "dev", &Host).expect("dev");
    assert_eq!(dev.state_keys.key_file.as_deref(), Some("a.key"));
    assert_eq!(
        dev.state_keys.encryption,
        Some(Encryption::KeyFile("b.key".into()))
    );
    for (env, says) in [("both", "not both"), ("two_wrappers", "one of them")] {
        let Err(diags) = environment_config(&prog, env, &Host) else {
            panic!("{env} is refused")
        };
        let text = to_golden(&diags, &p.sources);
        assert!(text.contains(says), "{text}");
    }
}
