//! Parses arbitrary bytes (as UTF-8, lossily) and, when they parse cleanly, checks that
//! formatting is idempotent. Any panic, stack overflow or timeout is a bug.

#![no_main]

use infra_lang::FileId;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (file, diags) = infra_lang::syntax::parse(FileId(0), &text);
    for d in &diags {
        assert!(text.get(d.span.range()).is_some(), "span outside the text");
    }
    if diags.is_empty() {
        let once = infra_lang::fmt::format(&file, &text);
        let twice =
            infra_lang::fmt::format_source(FileId(0), &once).expect("formatted output parses");
        assert_eq!(once, twice, "formatting is not idempotent");
    }
});
