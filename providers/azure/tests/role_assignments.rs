//! Role assignments name their role; the provider looks the definition up through ARM
//! (once per run per name) and never needs a built-in table.

mod common;

use common::*;
use infra_emulator::Config;
use infra_provider_core::{CreateRequest, Provider, Value};

const SECRETS_USER: &str = "4633458b-17de-408a-b874-0445c86b69e6";

fn assignment(scope: &str, principal: &str, role: &str) -> infra_provider_core::Props {
    props(&[
        ("scope", s(scope)),
        ("principal", s(principal)),
        ("role", s(role)),
        ("principal_type", s("ServicePrincipal")),
    ])
}

#[tokio::test]
async fn roles_by_name_are_looked_up_once_and_read_back_as_written() {
    let emu = infra_emulator::start(Config {
        record_requests: true,
        ..fast_emulator()
    })
    .await
    .expect("emulator");
    let p = provider_for(&emu);
    let rg = group(&p, "rg-roles").await;
    let a = create(
        &p,
        "azure.role_assignment",
        &assignment(
            &rg.id,
            "11111111-0000-0000-0000-00000000000a",
            "Key Vault Secrets User",
        ),
    )
    .await;
    let b = create(
        &p,
        "azure.role_assignment",
        &assignment(
            &rg.id,
            "11111111-0000-0000-0000-00000000000b",
            "key vault secrets user",
        ),
    )
    .await;
    assert_ne!(a.id, b.id);
    let lookups = emu
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/roleDefinitions"))
        .count();
    assert_eq!(lookups, 1, "one lookup for both assignments");
    let put = emu
        .requests()
        .into_iter()
        .find(|r| r.method == "PUT" && r.path.eq_ignore_ascii_case(&a.id))
        .expect("assignment PUT");
    assert!(
        put.body["properties"]["roleDefinitionId"]
            .as_str()
            .is_some_and(|id| id.ends_with(SECRETS_USER)),
        "{}",
        put.body
    );
    assert_eq!(a.inputs["role"], s("Key Vault Secrets User"));
    assert!(
        matches!(&a.outputs["role_definition_id"], Value::String(id) if id.ends_with(SECRETS_USER))
    );

    let live = p
        .read("azure.role_assignment", &a, &ctx("t"))
        .await
        .unwrap()
        .expect("assignment");
    let desired = assignment(
        &rg.id,
        "11111111-0000-0000-0000-00000000000a",
        "Key Vault Secrets User",
    );
    let planned = plan(&p, "azure.role_assignment", &desired, Some(&live));
    assert!(
        changed(&planned, &live).is_empty(),
        "{:?}",
        changed(&planned, &live)
    );
    assert_eq!(planned.predicted_outputs["id"], Value::String(a.id.clone()));
    // The same role written as its GUID is no change either.
    let by_guid = assignment(&rg.id, "11111111-0000-0000-0000-00000000000a", SECRETS_USER);
    let planned = plan(&p, "azure.role_assignment", &by_guid, Some(&live));
    assert!(
        changed(&planned, &live).is_empty(),
        "{:?}",
        changed(&planned, &live)
    );

    // Adopted by id, the role reads back by name.
    let imported = p
        .import("azure.role_assignment", &a.id, &ctx("t"))
        .await
        .unwrap()
        .expect("assignment");
    assert_eq!(imported.inputs["role"], s("Key Vault Secrets User"));
}

#[tokio::test]
async fn an_unknown_role_name_fails_with_the_closest_names_and_writes_nothing() {
    let emu = infra_emulator::start(Config {
        record_requests: true,
        ..fast_emulator()
    })
    .await
    .expect("emulator");
    let p = provider_for(&emu);
    let rg = group(&p, "rg-roles").await;
    emu.clear_requests();
    let desired = assignment(
        &rg.id,
        "11111111-0000-0000-0000-00000000000c",
        "Key Vault Secret User",
    );
    let planned = plan(&p, "azure.role_assignment", &desired, None);
    let err = p
        .create(
            CreateRequest {
                type_name: "azure.role_assignment",
                inputs: &planned.inputs,
                idempotency_key: "k",
            },
            &ctx("t"),
        )
        .await
        .expect_err("unknown role");
    let msg = err.to_string();
    assert!(
        msg.contains("no role named `Key Vault Secret User`"),
        "{msg}"
    );
    assert!(
        msg.contains("did you mean `Key Vault Secrets User`"),
        "{msg}"
    );
    assert!(emu.requests().iter().all(|r| r.method == "GET"));
}
