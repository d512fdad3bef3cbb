//! Child types carry no tags, so their create cannot recognise its own object by a marker: a
//! record set (or database, firewall rule, role assignment) that exists and differs from what
//! the create would write is refused with the import command and left untouched; one that is
//! exactly what the create writes (an interrupted run of the same apply made it) is adopted.

mod common;

use common::*;
use infra_provider_core::{CreateRequest, Provider, Value};
use reqwest::Method;
use serde_json::json;

fn cname(zone: &str, name: &str, target: &str) -> infra_provider_core::Props {
    props(&[
        ("zone", Value::String(zone.to_string())),
        ("name", s(name)),
        ("target", s(target)),
        ("ttl", Value::Int(300)),
    ])
}

async fn create_as(
    p: &infra_provider_azure::AzureProvider,
    desired: &infra_provider_core::Props,
    key: &str,
) -> Result<infra_provider_core::ObjectState, infra_provider_core::ProviderError> {
    let planned = plan(p, "azure.dns_cname_record", desired, None);
    p.create(
        CreateRequest {
            type_name: "azure.dns_cname_record",
            inputs: &planned.inputs,
            idempotency_key: key,
        },
        &ctx("www"),
    )
    .await
}

#[tokio::test]
async fn a_record_set_made_by_hand_is_refused_and_an_identical_one_adopted() {
    let (_emu, p) = start().await;
    group(&p, "rg-children").await;
    let zone = create(
        &p,
        "azure.dns_zone",
        &props(&[
            ("name", s("kids.example")),
            ("resource_group", s("rg-children")),
        ]),
    )
    .await;
    let id = format!("{}/CNAME/www", zone.id);
    let cancel = infra_provider_core::Cancel::never();
    let theirs = json!({"properties": {"TTL": 60, "CNAMERecord": {"cname": "elsewhere.example"},
        "metadata": {"owner": "portal"}}});
    p.client()
        .write(Method::PUT, &id, "2018-05-01", &theirs, &cancel)
        .await
        .expect("made by hand");
    let before = p.client().get(&id, "2018-05-01", &cancel).await.unwrap();

    let err = create_as(&p, &cname(&zone.id, "www", "app.example"), "lineage/www/")
        .await
        .expect_err("must not overwrite a record made by hand");
    let msg = err.to_string();
    assert!(msg.contains("already exists"), "{msg}");
    assert!(
        msg.to_lowercase().contains(&format!(
            "infra import --env <env> www {}",
            id.to_lowercase()
        )),
        "{msg}"
    );
    let after = p.client().get(&id, "2018-05-01", &cancel).await.unwrap();
    assert_eq!(before, after, "the record is untouched");

    // What a crashed apply left behind is exactly what it wrote: the re-run carries on.
    let made = create_as(&p, &cname(&zone.id, "api", "app.example"), "lineage/api/")
        .await
        .expect("create");
    let again = create_as(&p, &cname(&zone.id, "api", "app.example"), "lineage/api/")
        .await
        .expect("the re-run of the same create adopts its own record");
    assert_eq!(again.id, made.id);
}
