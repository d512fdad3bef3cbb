//! Golden syntax-error cases: each `tests/syntax/*.infra` with the diagnostics it must
//! produce in the `.expected` beside it. `UPDATE_GOLDEN=1 cargo test -p infra-lang` rewrites
//! them.

mod common;

use infra_lang::SourceMap;
use infra_lang::diag::render::to_golden;
use std::path::Path;

#[test]
fn syntax_error_cases_match_their_golden_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/syntax");
    let cases = common::cases(&dir, "infra");
    assert!(cases.len() >= 16, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let text = std::fs::read_to_string(case).unwrap();
        let mut sources = SourceMap::new();
        let id = sources.add(case.clone(), text.clone());
        let (_, diags) = infra_lang::syntax::parse(id, &text);
        let valid = case
            .file_name()
            .is_some_and(|n| n == "language_examples.infra");
        if valid != diags.is_empty() {
            failures.push(format!("{}: {} diagnostics", case.display(), diags.len()));
        }
        for d in &diags {
            if text.get(d.span.range()).is_none() {
                failures.push(format!(
                    "{}: span {:?} is not in the text",
                    case.display(),
                    d.span
                ));
            }
        }
        if let Some(f) = common::compare(
            &case.with_extension("expected"),
            &to_golden(&diags, &sources),
        ) {
            failures.push(f);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
