//! PostgreSQL flexible server and its children against the emulator.

mod common;

use common::*;
use infra_provider_core::conformance::{Sample, run_conformance};
use infra_provider_core::{Props, Provider, Value};

fn list(items: &[&str]) -> Value {
    Value::List(items.iter().map(|x| s(x)).collect())
}

fn server(name: &str, extra: &[(&str, Value)]) -> Props {
    let mut p = props(&[
        ("name", s(name)),
        ("resource_group", s("rg-pg")),
        ("version", s("17")),
        ("sku", s("Standard_D2ds_v5")),
        ("storage_gb", Value::Int(128)),
        ("admin_login", s("pgadmin")),
        ("admin_password", Value::secret(s("S3cret!pass"))),
    ]);
    p.extend(props(extra));
    p
}

async fn config(
    p: &infra_provider_azure::AzureProvider,
    server: &str,
    name: &str,
) -> serde_json::Value {
    p.client()
        .get(
            &format!("{server}/configurations/{name}"),
            "2025-08-01",
            &infra_provider_core::Cancel::never(),
        )
        .await
        .expect("get")
        .expect("parameter")
}

#[tokio::test]
async fn postgres_server_passes_conformance() {
    let (_emu, p) = start().await;
    group(&p, "rg-pg").await;
    let sample = Sample {
        type_name: "azure.postgres_flexible_server".into(),
        inputs: server(
            "pg-conf",
            &[
                ("extensions", list(&["TimescaleDB", "vector"])),
                ("high_availability", s("disabled")),
            ],
        ),
        update: Some(server(
            "pg-conf",
            &[
                ("storage_gb", Value::Int(256)),
                ("sku", s("Standard_E4ds_v5")),
                (
                    "backup",
                    Value::Object([("retention_days".to_string(), Value::Int(14))].into()),
                ),
                ("high_availability", s("zone_redundant")),
            ],
        )),
    };
    run_conformance(&p, &[sample])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test]
async fn extensions_keep_existing_preloads_restart_and_plan_clean() {
    let (_emu, p) = start().await;
    group(&p, "rg-pg").await;
    let desired = server(
        "pg-ext",
        &[("extensions", list(&["timescaledb", "pg_cron"]))],
    );
    let made = create(&p, "azure.postgres_flexible_server", &desired).await;
    assert_eq!(made.inputs["extensions"], list(&["timescaledb", "pg_cron"]));
    assert_eq!(
        made.outputs["fqdn"],
        s("pg-ext.postgres.database.azure.com")
    );
    assert_eq!(made.outputs["state"], s("Ready"));
    assert!(!made.inputs.contains_key("admin_password"));
    let preload = config(&p, &made.id, "shared_preload_libraries").await;
    // The defaults stay, in their order; timescaledb is appended once.
    assert_eq!(
        preload["properties"]["value"],
        "pg_cron,pg_stat_statements,timescaledb"
    );
    assert_eq!(preload["properties"]["isConfigPendingRestart"], false);
    let allow = config(&p, &made.id, "azure.extensions").await;
    assert_eq!(allow["properties"]["value"], "timescaledb,pg_cron");

    let live = p
        .read("azure.postgres_flexible_server", &made, &ctx("t"))
        .await
        .unwrap()
        .expect("server");
    let planned = plan(&p, "azure.postgres_flexible_server", &desired, Some(&live));
    assert!(
        changed(&planned, &live).is_empty(),
        "{:?}",
        changed(&planned, &live)
    );

    // Someone drops timescaledb from the preload list: drift shows, apply restores it.
    let body = serde_json::json!({"properties": {"value": "pg_cron", "source": "user-override"}});
    p.client()
        .write(
            reqwest::Method::PUT,
            &format!("{}/configurations/shared_preload_libraries", made.id),
            "2025-08-01",
            &body,
            &infra_provider_core::Cancel::never(),
        )
        .await
        .unwrap();
    let drifted = p
        .read("azure.postgres_flexible_server", &made, &ctx("t"))
        .await
        .unwrap()
        .expect("server");
    assert_eq!(drifted.inputs["extensions"], list(&["pg_cron"]));
    let planned = plan(
        &p,
        "azure.postgres_flexible_server",
        &desired,
        Some(&drifted),
    );
    assert_eq!(changed(&planned, &drifted), vec!["extensions".to_string()]);
    let req = infra_provider_core::UpdateRequest {
        type_name: "azure.postgres_flexible_server",
        prior: &drifted,
        inputs: &planned.inputs,
    };
    let fixed = p.update(req, &ctx("t")).await.unwrap();
    assert_eq!(
        fixed.inputs["extensions"],
        list(&["timescaledb", "pg_cron"])
    );
    let preload = config(&p, &made.id, "shared_preload_libraries").await;
    assert_eq!(preload["properties"]["value"], "pg_cron,timescaledb");
}

#[tokio::test]
async fn sku_without_a_known_series_is_refused() {
    let (_emu, p) = start().await;
    group(&p, "rg-pg").await;
    let planned = plan(
        &p,
        "azure.postgres_flexible_server",
        &server("pg-bad", &[("sku", s("GP_Gen5_2"))]),
        None,
    );
    let req = infra_provider_core::CreateRequest {
        type_name: "azure.postgres_flexible_server",
        inputs: &planned.inputs,
        idempotency_key: "k",
    };
    let err = p.create(req, &ctx("t")).await.unwrap_err();
    assert!(err.to_string().contains("tier"), "{err}");
}

#[tokio::test]
async fn postgres_children_pass_conformance() {
    let (_emu, p) = start().await;
    group(&p, "rg-pg").await;
    let srv = create(
        &p,
        "azure.postgres_flexible_server",
        &server("pg-kids", &[]),
    )
    .await;
    let sv = Value::String(srv.id.clone());
    let child = |pairs: &[(&str, Value)]| {
        let mut pr = props(&[("server", sv.clone())]);
        pr.extend(props(pairs));
        pr
    };
    let samples = vec![
        Sample {
            type_name: "azure.postgres_database".into(),
            inputs: child(&[("name", s("app"))]),
            update: None,
        },
        Sample {
            type_name: "azure.postgres_firewall_rule".into(),
            inputs: child(&[
                ("name", s("office")),
                ("start_ip", s("10.0.0.1")),
                ("end_ip", s("10.0.0.1")),
            ]),
            update: Some(child(&[
                ("name", s("office")),
                ("start_ip", s("10.0.0.1")),
                ("end_ip", s("10.0.0.255")),
            ])),
        },
        Sample {
            type_name: "azure.postgres_configuration".into(),
            inputs: child(&[("name", s("max_connections")), ("value", s("200"))]),
            update: Some(child(&[
                ("name", s("max_connections")),
                ("value", s("300")),
            ])),
        },
    ];
    run_conformance(&p, &samples)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // Deleting the override put the default back.
    let c = config(&p, &srv.id, "max_connections").await;
    assert_eq!(c["properties"]["value"], "859");
    assert_eq!(c["properties"]["source"], "system-default");
    // A database's charset cannot change in place: the plan replaces it.
    let planned = plan(
        &p,
        "azure.postgres_database",
        &child(&[("name", s("x")), ("charset", s("LATIN1"))]),
        None,
    );
    assert!(planned.replace_on_change.contains("charset"));
}
