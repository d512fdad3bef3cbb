//! docs/diagnostics.md documents every diagnostic code, and nothing else.

use infra_lang::diag::codes::ALL;

#[test]
fn every_code_is_documented_and_every_documented_code_exists() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/diagnostics.md");
    let doc = std::fs::read_to_string(&path).expect("docs/diagnostics.md");
    let documented: Vec<&str> = doc.lines().filter_map(|l| l.strip_prefix("### ")).collect();
    for c in ALL {
        assert!(
            documented.contains(&c.code),
            "{} ({}) is not in docs/diagnostics.md",
            c.code,
            c.title
        );
    }
    for d in &documented {
        assert!(
            ALL.iter().any(|c| c.code == *d),
            "docs/diagnostics.md lists unknown code {d}"
        );
    }
}
