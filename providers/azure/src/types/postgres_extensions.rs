//! The `extensions` of a PostgreSQL flexible server (FINDINGS §2.5, timescaledb recipe):
//! Azure only lets `CREATE EXTENSION` run for names in `azure.extensions`, and some
//! extensions only load from `shared_preload_libraries`, a static parameter that needs a
//! restart. Both are comma-separated sets compared case-insensitively, and other tools or
//! people add entries too, so entries are only ever added, never rewritten or removed.

use infra_provider_core::{ProviderError, ProviderResult, Value};
use reqwest::Method;
use serde_json::{Value as J, json};

use crate::kind::Cx;

use super::postgres_flexible_server::API_VERSION;

/// Extensions whose library must be preloaded; the rest only need allow-listing (and the
/// RP refuses unknown names in shared_preload_libraries, e.g. `vector`).
const PRELOADED: &[&str] = &[
    "timescaledb",
    "pg_cron",
    "pg_stat_statements",
    "pgaudit",
    "pg_hint_plan",
    "pg_prewarm",
    "pg_squeeze",
    "pglogical",
    "pg_failover_slots",
    "azure_storage",
];

const ALLOW_LIST: &str = "azure.extensions";
const PRELOAD: &str = "shared_preload_libraries";

pub fn needs_preload(ext: &str) -> bool {
    PRELOADED.iter().any(|p| p.eq_ignore_ascii_case(ext))
}

/// The entries of a comma-separated set, trimmed, empty ones dropped.
pub fn entries(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_string)
        .collect()
}

fn has(list: &[String], e: &str) -> bool {
    list.iter().any(|x| x.eq_ignore_ascii_case(e))
}

/// `current` with the missing `wanted` entries appended; `None` when nothing is missing (so
/// an unchanged set costs no write and no restart).
pub fn appended(current: &str, wanted: &[String]) -> Option<String> {
    let mut list = entries(current);
    let before = list.len();
    for w in wanted {
        if !has(&list, w) {
            list.push(w.clone());
        }
    }
    (list.len() != before).then(|| list.join(","))
}

/// The extension names of an input list, lower-cased and without repeats.
pub fn wanted(v: Option<&Value>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if let Some(Value::List(items)) = v {
        for e in items.iter().filter_map(Value::as_str) {
            let e = e.trim().to_ascii_lowercase();
            if !e.is_empty() && !out.contains(&e) {
                out.push(e);
            }
        }
    }
    out
}

/// Which of `candidates` are in effect: allow-listed, and preloaded when they need it.
pub fn in_effect(candidates: &[String], allow: &str, preload: &str) -> Vec<String> {
    let (allow, preload) = (entries(allow), entries(preload));
    candidates
        .iter()
        .filter(|e| has(&allow, e) && (!needs_preload(e) || has(&preload, e)))
        .cloned()
        .collect()
}

fn config_id(server_id: &str, name: &str) -> String {
    format!("{server_id}/configurations/{name}")
}

async fn value_of(cx: &Cx<'_>, server_id: &str, name: &str) -> ProviderResult<(String, bool)> {
    let body = cx
        .client
        .get(&config_id(server_id, name), API_VERSION, cx.cancel)
        .await?
        .ok_or_else(|| {
            ProviderError::Invalid(format!("{server_id}: server parameter `{name}` not found"))
        })?;
    let value = body
        .pointer("/properties/value")
        .and_then(J::as_str)
        .unwrap_or_default()
        .to_string();
    let pending = body
        .pointer("/properties/isConfigPendingRestart")
        .and_then(J::as_bool)
        .unwrap_or(false);
    Ok((value, pending))
}

async fn set(cx: &Cx<'_>, server_id: &str, name: &str, value: &str) -> ProviderResult<()> {
    let body = json!({"properties": {"value": value, "source": "user-override"}});
    cx.client
        .write(
            Method::PUT,
            &config_id(server_id, name),
            API_VERSION,
            &body,
            cx.cancel,
        )
        .await?;
    Ok(())
}

/// Allow-lists and preloads `wanted`, then restarts the server when the RP says a static
/// parameter waits for one. ServerIsBusy (409) while the server settles is retried by the
/// client.
pub async fn apply(cx: &Cx<'_>, server_id: &str, wanted: &[String]) -> ProviderResult<()> {
    if wanted.is_empty() {
        return Ok(());
    }
    let (allow, _) = value_of(cx, server_id, ALLOW_LIST).await?;
    if let Some(v) = appended(&allow, wanted) {
        set(cx, server_id, ALLOW_LIST, &v).await?;
    }
    let preload: Vec<String> = wanted
        .iter()
        .filter(|e| needs_preload(e))
        .cloned()
        .collect();
    let (current, _) = value_of(cx, server_id, PRELOAD).await?;
    if let Some(v) = appended(&current, &preload) {
        set(cx, server_id, PRELOAD, &v).await?;
    }
    // Asked after the writes, so that a restart an earlier apply left pending is done too.
    let (_, pending) = value_of(cx, server_id, PRELOAD).await?;
    if pending {
        cx.client
            .post(
                &format!("{server_id}/restart"),
                API_VERSION,
                Some(&json!({})),
                cx.cancel,
            )
            .await?;
    }
    Ok(())
}

/// The extensions in effect: of `tracked` when the state tracks a list (extras others added
/// are theirs), of everything allow-listed otherwise (import).
pub async fn read(
    cx: &Cx<'_>,
    server_id: &str,
    tracked: Option<&Value>,
) -> ProviderResult<Vec<String>> {
    let (allow, _) = value_of(cx, server_id, ALLOW_LIST).await?;
    let (preload, _) = value_of(cx, server_id, PRELOAD).await?;
    let candidates = match tracked {
        Some(v) => wanted(Some(v)),
        None => entries(&allow)
            .iter()
            .map(|e| e.to_ascii_lowercase())
            .collect(),
    };
    Ok(in_effect(&candidates, &allow, &preload))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appending_keeps_existing_entries_and_ignores_case() {
        let w = vec!["timescaledb".to_string(), "pg_cron".to_string()];
        assert_eq!(
            appended("PG_CRON, pg_stat_statements", &w).as_deref(),
            Some("PG_CRON,pg_stat_statements,timescaledb")
        );
        assert_eq!(appended("pg_cron,TimescaleDB", &w), None);
        assert_eq!(appended("", &w).as_deref(), Some("timescaledb,pg_cron"));
    }

    #[test]
    fn in_effect_needs_both_lists_only_for_preloaded_extensions() {
        let c = vec!["timescaledb".to_string(), "vector".to_string()];
        assert_eq!(
            in_effect(&c, "VECTOR,TIMESCALEDB", "pg_cron"),
            vec!["vector"]
        );
        assert_eq!(
            in_effect(&c, "VECTOR,TIMESCALEDB", "pg_cron,timescaledb"),
            c
        );
        assert!(in_effect(&c, "", "timescaledb").is_empty());
    }

    #[test]
    fn wanted_is_lower_case_without_repeats() {
        let v = Value::List(vec![Value::str("TimescaleDB"), Value::str("timescaledb ")]);
        assert_eq!(wanted(Some(&v)), vec!["timescaledb"]);
    }
}
