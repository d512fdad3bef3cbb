//! The reference platform's real environments (`ephemeral`, `prod`), as written: Azure target
//! reached through `INFRA_AZURE_ENDPOINT` (a standalone `infra emulator`) and Azure Blob state
//! reached through `INFRA_BLOB_ENDPOINT` (Azurite). Both plan the whole platform.

mod azurite;
mod common;
use azurite::{Azurite, CONTAINER};
use common::emulator::Emulator;
use common::*;

fn plan(env_name: &str, emulator: &str, azurite: &Azurite) -> std::process::Output {
    let out = infra_env(
        &["plan", "environments", "--env", env_name],
        &repo(),
        &[
            ("INFRA_AZURE_ENDPOINT", emulator),
            ("INFRA_BLOB_ENDPOINT", &azurite.endpoint),
            (
                "AZURE_SUBSCRIPTION_ID",
                "11111111-2222-3333-4444-555555555555",
            ),
            ("AZURE_TENANT_ID", "99999999-0000-0000-0000-000000000000"),
            ("PG_ADMIN_PASSWORD", "canary-pg-5d1e"),
            ("BRANCH", "feature-x"),
            ("AZURE_STORAGE_KEY", ""),
            (
                "INFRA_STATE_KEY",
                "cGxhdGZvcm0tcmVtb3RlLXN0YXRlLWtleS0zMi1ieXQ=",
            ),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "plan --env {env_name}:\nstdout:\n{}\nstderr:\n{}",
        stdout(&out),
        stderr(&out)
    );
    out
}

#[test]
fn ephemeral_and_prod_plan_the_whole_platform_with_remote_state() {
    let azurite = Azurite::start();
    let data = tempfile::tempdir().expect("tempdir");
    let emulator = Emulator::start(&[], data.path());
    let base = emulator.base.clone();
    for env_name in ["ephemeral", "prod"] {
        let out = plan(env_name, &base, &azurite);
        let text = stdout(&out);
        // 18 ARM objects, and inside the app database its role, its rights and TimescaleDB.
        assert!(text.contains("Plan: 21 to add, 0 to change"), "{text}");
        assert!(
            text.contains("+ db_ext[\"timescaledb\"] (postgres.extension) will be created"),
            "{text}"
        );
        assert!(
            !text.contains("canary-pg-5d1e"),
            "the password leaked in the plan"
        );
    }
    // Each environment's state lives under its own key (the branch names the ephemeral one);
    // nothing was written to the repository.
    let names = azurite.client(CONTAINER).list().expect("list");
    assert!(
        names.iter().any(|n| n == "ephemeral-feature-x.json"),
        "{names:?}"
    );
    assert!(names.iter().any(|n| n == "prod.json"), "{names:?}");
    assert!(!repo().join("environments/.infra/prod.state.json").exists());
}
