//! Hostile expression shapes (issue 15): ten thousand levels of every construct that nests
//! or chains. Each must end, through parse, check and fmt, with a located diagnostic or a
//! result, in time linear in its size (the bound is generous for a debug build; a release
//! build takes a few milliseconds per shape, see docs/language.md "Limits").

#[path = "common/schemas.rs"]
mod schemas;

use infra_lang::FileId;
use infra_lang::check::{CheckOptions, check_with};
use infra_lang::project::Project;
use std::path::PathBuf;
use std::time::{Duration, Instant};

const N: usize = 10_000;
/// A release build takes well under a second of CPU for the largest shape (100,000 tokens);
/// a debug build about ten times as long, and wall time on a loaded machine several times
/// more. A quadratic path would take minutes.
const LIMIT: Duration = Duration::from_secs(if cfg!(debug_assertions) { 30 } else { 5 });

/// (name, source, whether it is valid) for every hostile shape.
fn shapes() -> Vec<(&'static str, String, bool)> {
    let r = |s: &str| s.repeat(N);
    let mut out = vec![
        (
            "ternary else chain",
            format!("let x = {}0", r("c ? 1 : ")),
            false,
        ),
        (
            "ternary then nesting",
            format!("let x = {}1{}", r("c ? "), r(" : 0")),
            false,
        ),
        (
            "ternary without colons",
            format!("let x = {}1", r("c ? ")),
            false,
        ),
        (
            "ternary dangling",
            format!("let x = {}", r("c ? 1 : ")),
            false,
        ),
        (
            "mixed chain",
            format!("let x = {}0", r("c && c || 1 < 2 ? 1 + 2 * 3 : ")),
            false,
        ),
        ("plus chain", format!("let x = 1{}", r(" + 1")), false),
        (
            "plus chain 100k",
            format!("let x = 1{}", " + 1".repeat(10 * N)),
            false,
        ),
        (
            "plus chain multiline",
            format!("let x = 1{}", r(" +\n 1")),
            false,
        ),
        (
            "parentheses",
            format!("let x = {}1{}", r("("), r(")")),
            false,
        ),
        (
            "unclosed parentheses",
            format!("let x = {}1", r("(")),
            false,
        ),
        ("lists", format!("let x = {}1{}", r("["), r("]")), false),
        ("unclosed lists", format!("let x = {}", r("[")), false),
        (
            "objects",
            format!("let x = {}1{}", r("{ a = "), r(" }")),
            false,
        ),
        (
            "calls",
            format!("let x = {}1{}", r("length("), r(")")),
            false,
        ),
        ("indexes", format!("let x = l{}", r("[0]")), false),
        (
            "index nesting",
            format!("let x = l{}0{}", r("[l["), r("]]")),
            false,
        ),
        ("members", format!("let x = o{}", r(".a")), false),
        ("negations", format!("let x = {}true", r("!")), false),
        ("minus signs", format!("let x = {}1", r("-")), false),
        (
            "interpolations",
            format!("let x = {}1{}", r("\"${"), r("}\"")),
            false,
        ),
        (
            "unclosed interpolations",
            format!("let x = {}", r("\"${")),
            false,
        ),
        (
            "comprehensions",
            format!("let x = {}1{}", r("[for v in l: "), r("]")),
            false,
        ),
        (
            "types",
            format!("param p: {}string{}", r("list<"), r(">")),
            false,
        ),
        (
            "object types",
            format!("param p: {}string{}", r("{ a: "), r(" }")),
            false,
        ),
        (
            "conditions in parentheses",
            format!("let x = {}0{}", r("(c ? 1 : "), r(")")),
            false,
        ),
    ];
    for (_, text, _) in &mut out {
        text.insert_str(0, "let c = true\nlet l = [0]\nlet o = { a = 1 }\n");
        text.push_str("\noutput out = [c, l, o]\n");
    }
    out
}

/// The CLI runs on the main thread, whose 8 MiB stack lets pest go much deeper than a test
/// thread's 2 MiB: run on one like it.
#[test]
fn every_hostile_shape_ends_quickly_with_a_diagnostic_or_a_result() {
    on_main_sized_stack(all_shapes);
}

/// CPU time of this thread (Linux), reported beside wall time: on a loaded machine the
/// wall time says little.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

fn on_main_sized_stack(f: fn()) {
    let t = std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(f)
        .expect("thread");
    if let Err(e) = t.join() {
        std::panic::resume_unwind(e);
    }
}

fn all_shapes() {
    let schemas = schemas::schemas();
    let mut report = Vec::new();
    let mut slow = Vec::new();
    for (name, text, valid) in shapes() {
        let t = Instant::now();
        let cpu = cpu_time();
        let (file, diags) = infra_lang::syntax::parse(FileId(0), &text);
        let parsed = t.elapsed();
        if diags.is_empty() {
            let _ = infra_lang::fmt::format(&file, &text);
        }
        drop(file);
        let project = Project::from_sources(vec![(PathBuf::from("main.infra"), text.clone())])
            .expect("project");
        let checked = check_with(&project, &schemas, &CheckOptions::default());
        let took = t.elapsed();
        let cpu = match (cpu, cpu_time()) {
            (Some(a), Some(b)) => format!(", cpu {:?}", b.saturating_sub(a)),
            _ => String::new(),
        };
        report.push(format!("{name}: parse {parsed:?}, total {took:?}{cpu}"));
        let errors: Vec<_> = checked
            .diagnostics
            .iter()
            .filter(|d| d.severity == infra_lang::Severity::Error)
            .collect();
        assert_eq!(errors.is_empty(), valid, "{name}: {errors:#?}");
        for d in &checked.diagnostics {
            assert!(text.get(d.span.range()).is_some(), "{name}: {d:?}");
        }
        if took >= LIMIT {
            slow.push(format!("{name}: {took:?}"));
        }
    }
    eprintln!("{}", report.join("\n"));
    assert!(slow.is_empty(), "too slow: {slow:?}");
}

/// Within the documented limit (200 levels) every shape is valid, evaluates, and formats
/// to a fixed point, on a stack like the CLI's main thread.
#[test]
fn shapes_within_the_limit_check_evaluate_and_format() {
    on_main_sized_stack(within_limit);
}

fn within_limit() {
    // Each shape's tree is a few levels short of the 200 allowed.
    let n = 195;
    let r = |s: &str| s.repeat(n);
    let lets = [
        format!("let a = {}0", r("c ? 1 : ")),
        format!("let b = {}1{}", r("c ? "), r(" : 0")),
        format!("let d = 1{}", r(" + 1")),
        format!("let e = {}1{}", r("("), r(")")),
        format!("let f = {}1{}", r("["), r("]")),
        format!("let g = {}true", r("!")),
        format!("let h = {}1{}", r("{ a = "), r(" }")),
        format!("let i = {}1{}", r("max(0, "), r(")")),
        format!("let j = h{}", r("[\"a\"]")),
        format!("let q = h{}", r(".a")),
        format!("let k = {}1{}", r("\"${"), r("}\"")),
        format!("let m = {}c{}", r("[for v in [1]: "), r("]")),
        // Two levels each: the parentheses and the `? :`.
        format!(
            "let p = {}0{}",
            "(c ? 1 : ".repeat(n / 2),
            ")".repeat(n / 2)
        ),
    ];
    let text = format!(
        "let c = true\n{}\noutput out = [a, b, d, e, f, g, h, i, j, k, m, p, q]\n",
        lets.join("\n")
    );
    let (file, diags) = infra_lang::syntax::parse(FileId(0), &text);
    let found: Vec<_> = diags
        .iter()
        .map(|d| format!("{}: {}", line_of(&text, d.span.start as usize), d.message))
        .collect();
    assert!(diags.is_empty(), "{found:#?}");
    let once = infra_lang::fmt::format(&file, &text);
    let twice = infra_lang::fmt::format_source(FileId(0), &once).expect("parses");
    assert_eq!(once, twice);
    let project =
        Project::from_sources(vec![(PathBuf::from("main.infra"), text)]).expect("project");
    let checked = check_with(&project, &schemas::schemas(), &CheckOptions::default());
    assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics);
    let program = checked.program.expect("program");
    let ev = infra_lang::eval::evaluate(&program, None, &NoHost, &infra_lang::eval::NoKnowledge)
        .expect("evaluates");
    let out = format!("{:?}", ev.outputs);
    assert!(out.contains("Int(196)"), "{out}");
}

fn line_of(text: &str, at: usize) -> &str {
    let start = text
        .get(..at)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    text.get(start..)
        .and_then(|t| t.lines().next())
        .unwrap_or("")
        .get(..20)
        .unwrap_or("")
}

struct NoHost;

impl infra_stdlib::Host for NoHost {
    fn env_var(&self, _: &str) -> Option<String> {
        None
    }
    fn read_file(&self, path: &str) -> Result<String, String> {
        Err(format!("no {path}"))
    }
}

/// Chains (`? :` arms, operators, prefix operators) are flat for the parser and walked in
/// loops by evaluation: at the limit they fit even a test thread's 2 MiB stack in debug.
#[test]
fn chains_at_the_limit_fit_a_small_stack() {
    let n = 198;
    let text = format!(
        "let c = true\nlet a = {}0\nlet d = 1{}\nlet g = {}true\noutput out = [a, d, g]\n",
        "c ? 1 : ".repeat(n),
        " + 1".repeat(n),
        "!".repeat(n)
    );
    let project =
        Project::from_sources(vec![(PathBuf::from("main.infra"), text.clone())]).expect("project");
    let checked = check_with(&project, &schemas::schemas(), &CheckOptions::default());
    assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics);
    let (file, _) = infra_lang::syntax::parse(FileId(0), &text);
    let once = infra_lang::fmt::format(&file, &text);
    assert_eq!(
        infra_lang::fmt::format_source(FileId(0), &once).as_deref(),
        Ok(once.as_str())
    );
    let program = checked.program.expect("program");
    let ev = infra_lang::eval::evaluate(&program, None, &NoHost, &infra_lang::eval::NoKnowledge)
        .expect("evaluates");
    let out = format!("{:?}", ev.outputs);
    assert!(out.contains("Int(1), Int(199), Bool(true)"), "{out}");
}

/// The fragments of the `deep` fuzz target (lang/fuzz), mixed by a fixed pseudo-random
/// sequence: unbalanced and interleaved nestings must end like the pure shapes.
#[test]
fn mixed_fragments_end_quickly() {
    on_main_sized_stack(mixed);
}

fn mixed() {
    const FRAGMENTS: &[&str] = infra_lang::syntax::NESTING_FRAGMENTS;
    let schemas = schemas::schemas();
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = |m: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % m as u64) as usize
    };
    for case in 0..30 {
        let mut text = String::from("let c = true\nlet l = [0]\nlet o = { a = 1 }\nlet x = ");
        for _ in 0..1 + next(4) {
            let fragment = FRAGMENTS[next(FRAGMENTS.len())];
            text.push_str(&fragment.repeat(1 + next(3_000)));
        }
        text.push_str("\noutput out = [c, l, o, x]\n");
        let t = Instant::now();
        let (file, diags) = infra_lang::syntax::parse(FileId(0), &text);
        if diags.is_empty() {
            let once = infra_lang::fmt::format(&file, &text);
            let twice = infra_lang::fmt::format_source(FileId(0), &once);
            assert_eq!(twice.as_deref(), Ok(once.as_str()), "case {case}");
        }
        let project = Project::from_sources(vec![(PathBuf::from("main.infra"), text.clone())])
            .expect("project");
        let checked = check_with(&project, &schemas, &CheckOptions::default());
        for d in &checked.diagnostics {
            assert!(text.get(d.span.range()).is_some(), "case {case}: {d:?}");
        }
        let took = t.elapsed();
        assert!(
            took < LIMIT,
            "case {case}: {took:?}\n{}",
            &text[..text.len().min(300)]
        );
    }
}
