//! The committed data file is what the generator makes from Microsoft's type data today.
//! The source folder (../shared/azure-types beside the checkout, or $AZURE_TYPES_SRC) is not
//! part of the repository; without it the comparison cannot run and says so.

use std::path::PathBuf;

#[test]
fn the_committed_data_is_what_the_generator_makes() {
    let root = std::env::var_os("AZURE_TYPES_SRC")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/azure-types")
        });
    if !root.is_dir() {
        eprintln!("skipped: {} not present", root.display());
        return;
    }
    let (fresh, stats) = infra_azure_types::generate::generate(&root).expect("generate");
    assert!(stats.entries > 3000, "{stats:?}");
    assert!(
        fresh == infra_azure_types::data_bytes(),
        "providers/azure-types/data/azure-types.bin is stale: run scripts/gen-azure-types and commit it"
    );
}
