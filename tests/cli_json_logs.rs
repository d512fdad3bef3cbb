//! CI logs against a standalone emulator whose writes take 2.5 s, stderr piped to the test (no
//! terminal): `--log-format json` gives one JSON object per line (every line parses) for each
//! start, finish, failure, retry, throttle wait and heartbeat, with address, action, duration
//! and the cloud's code; the text format gets heartbeat lines ("still creating, 1s") and
//! refresh progress ("refreshing 0/3").

mod common;
use common::emulator::Emulator;
use common::*;
use serde_json::Value;

const SUB: &str = "11111111-2222-3333-4444-555555555555";
const CANARY: &str = "canary-json-logs-7f3a";

fn main_infra() -> String {
    format!(
        r#"param token: secret

environment cloud {{
  target = azure {{ subscription = "{SUB}" }}
  params = {{ token = env_secret("LOGS_TOKEN") }}
}}

resource rg: azure.resource_group {{
  name     = "logs-rg"
  location = "westeurope"
}}

resource cache: azure.redis_cache {{
  name           = "logs-cache"
  resource_group = rg
  sku            = "Basic"
  capacity       = 0
}}

resource zone: azure.dns_zone {{
  name           = "logs.example"
  resource_group = rg
}}

resource kv: azure.key_vault {{
  name           = "logs-kv"
  resource_group = rg
  rbac           = true
}}

resource cache2: azure.redis_cache {{
  name           = "logs-second"
  resource_group = rg
  sku            = "Basic"
  capacity       = 0
}}

resource glue: core.data {{
  input = {{ host = cache2.hostname }}
}}

resource secret: azure.key_vault_secret {{
  vault = kv
  name  = "token"
  value = token
}}
"#
    )
}

fn events(stderr_text: &str) -> Vec<Value> {
    stderr_text
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l)
                .unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}\n{stderr_text}"))
        })
        .collect()
}

fn find<'a>(ev: &'a [Value], event: &str, address: &str) -> Vec<&'a Value> {
    ev.iter()
        .filter(|e| e["event"] == event && e["address"] == address)
        .collect()
}

#[test]
fn json_and_text_logs_of_a_slow_apply_without_a_terminal() {
    let data = tempfile::tempdir().expect("tempdir");
    let emulator = Emulator::start(&["--latency-ms", "2500", "--retry-after", "0"], data.path());
    let rules = r#"{"rules":[
      {"method":"PUT","path_contains":"Redis/logs-cache","count":1,"fault":{"kind":"TooManyRequests","retry_after_secs":0}},
      {"method":"PUT","path_contains":"dnszones/logs.example","count":1,"fault":{"kind":"InternalServerError"}},
      {"method":"PUT","path_contains":"vaults/logs-kv","count":1,"fault":{"kind":"ServerIsBusy"}},
      {"method":"PUT","path_contains":"Redis/logs-second","count":1,"fault":{"kind":"LroFailed","code":"ZoneCapacityExhausted","message":"No capacity in zone 1"}}
    ]}"#;
    emulator.send("POST", "/_admin/faults", Some(rules));
    let dir = project(&[("main.infra", &main_infra())]);
    let mut env: Vec<(&str, &str)> = emulator.azure_env().to_vec();
    env.push(("LOGS_TOKEN", CANARY));
    env.push(("INFRA_LOG_INTERVAL_SECS", "1"));

    let apply = infra_env(
        &[
            "apply",
            "--env",
            "cloud",
            "--auto-approve",
            "--log-format",
            "json",
        ],
        dir.path(),
        &env,
    );
    assert_eq!(apply.status.code(), Some(1), "{}", stderr(&apply));
    let err = stderr(&apply);
    assert!(!err.contains(CANARY) && !stdout(&apply).contains(CANARY));
    let ev = events(&err);
    for e in &ev {
        assert!(e["time"].as_f64().is_some_and(|t| t > 1.7e9), "{e}");
    }
    for a in ["rg", "cache", "zone", "kv", "cache2"] {
        let start = find(&ev, "start", a);
        assert_eq!(start.len(), 1, "{a}: {err}");
        assert_eq!(start[0]["action"], "create");
    }
    for a in ["rg", "cache", "zone", "kv"] {
        let fin = find(&ev, "finish", a);
        assert_eq!(fin.len(), 1, "{a}: {err}");
        assert!(
            fin[0]["duration_s"].as_f64().is_some_and(|d| d >= 2.5),
            "{}",
            fin[0]
        );
    }
    let fail = find(&ev, "fail", "cache2");
    assert_eq!(fail.len(), 1, "{err}");
    assert_eq!(fail[0]["code"], "ZoneCapacityExhausted", "{}", fail[0]);
    assert_eq!(fail[0]["action"], "create");
    let throttle = find(&ev, "throttle-wait", "cache");
    assert_eq!(throttle.len(), 1, "{err}");
    assert_eq!(throttle[0]["code"], "TooManyRequests");
    let busy = find(&ev, "waiting-for-conflict", "kv");
    assert_eq!(busy.len(), 1, "{err}");
    assert_eq!(busy[0]["code"], "ServerIsBusy");
    let retry = find(&ev, "retry", "zone");
    assert_eq!(retry.len(), 1, "{err}");
    assert_eq!(retry[0]["code"], "InternalServerError");
    let beats = find(&ev, "heartbeat", "cache");
    assert!(!beats.is_empty(), "no heartbeat for a 2.5 s create: {err}");
    assert_eq!(beats[0]["action"], "create");
    assert!(beats[0]["duration_s"].as_u64().is_some_and(|d| d >= 1));
    let summary: Vec<_> = ev.iter().filter(|e| e["event"] == "summary").collect();
    assert_eq!(summary.len(), 1, "{err}");
    assert_eq!(summary[0]["success"], false);
    assert_eq!(summary[0]["failed"][0]["address"], "cache2");
    assert_eq!(summary[0]["skipped"][0]["address"], "glue");
    assert_eq!(find(&ev, "finish", "secret").len(), 1, "{err}");
    // The refresh before the plan reads nothing yet: no recorded object.
    assert!(!ev.iter().any(|e| e["event"] == "refresh"), "{err}");

    // Text, again without a terminal: the refresh of what is recorded, then heartbeats.
    let again = infra_env(
        &["apply", "--env", "cloud", "--auto-approve"],
        dir.path(),
        &env,
    );
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    let text = stderr(&again);
    assert!(!text.contains(CANARY));
    assert!(text.contains("refreshing 0/5\n"), "{text}");
    assert!(text.contains("refreshed 5 of 5 object(s) in "), "{text}");
    assert!(text.contains("cache2: still creating, 1s\n"), "{text}");
    assert!(text.contains("cache2: created in "), "{text}");
}
