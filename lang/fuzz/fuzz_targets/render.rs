//! Parses arbitrary bytes and renders every diagnostic the way `infra validate` does for
//! people (miette's graphical handler over the windowed excerpt). Any panic (miette's once
//! fired on columns past 65,535) or timeout is a bug.

#![no_main]

use infra_lang::diag::render::Report;
use infra_lang::SourceMap;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let mut sources = SourceMap::new();
    let file = sources.add("main.infra", text.clone());
    let (_, diags) = infra_lang::syntax::parse(file, &text);
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor());
    for d in &diags {
        let mut out = String::new();
        let _ = handler.render_report(&mut out, &Report::new(d, &sources));
    }
});
