//! Hostile shapes (issue 15): the input picks fragments that nest or chain (`? :` arms,
//! operators, brackets, calls, interpolations, comprehensions, types) and how many times
//! each repeats, up to tens of thousands. Parsing, checking and formatting must end with a
//! diagnostic or a result, without a panic, a stack overflow or a timeout.

#![no_main]

use infra_lang::FileId;
use infra_lang::check::{CheckOptions, check_with};
use infra_lang::project::Project;
use infra_provider_core::SchemaSet;
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;

const FRAGMENTS: &[&str] = infra_lang::syntax::NESTING_FRAGMENTS;

fuzz_target!(|data: &[u8]| {
    let mut text = String::from("let c = true\nlet l = [0]\nlet o = { a = 1 }\nlet x = ");
    for pick in data.chunks(2) {
        let fragment = FRAGMENTS[usize::from(pick[0]) % FRAGMENTS.len()];
        let times = pick.get(1).map_or(1, |n| 1 + usize::from(*n) * 80);
        text.push_str(&fragment.repeat(times));
    }
    text.push_str("\noutput out = [c, l, o, x]\n");
    let (file, diags) = infra_lang::syntax::parse(FileId(0), &text);
    if diags.is_empty() {
        let once = infra_lang::fmt::format(&file, &text);
        let twice =
            infra_lang::fmt::format_source(FileId(0), &once).expect("formatted output parses");
        assert_eq!(once, twice, "formatting is not idempotent");
    }
    let Ok(project) = Project::from_sources(vec![(PathBuf::from("main.infra"), text)]) else {
        return;
    };
    let _ = check_with(&project, &SchemaSet::new(), &CheckOptions::default());
});
