use super::*;

fn verdict(text: &str) -> Verdict {
    scan(text)
}

#[test]
fn ordinary_statements_are_shallow() {
    for text in [
        "let x = 1",
        "resource a: azure.rg {\n  name = \"a-${env}\"\n  tags = { a = [1, 2] }\n}\n",
        "param p: list<map<string>> = []",
        "let x = a < b && c < d && e < f && g < h && i < j && k < l && m < n && o < p && q < r",
        "let s = <<EOT\n  [[[[[[[[[[[[ ${x} ((((((((((\nEOT\n",
        "let s = \"[[[[[[[[[[[[ (((((((((((( \\\" {{{{{{{{{{\"",
        "let c = 1 // [[[[[[[[[[[[[[[[[[[[\n",
        "let c = 1 /* [[[[[[[[[[[[[[[[[[[[ */",
        "let x = c ? 1 : c ? 2 : c ? 3 : c ? 4 : c ? 5 : c ? 6 : c ? 7 : c ? 8 : c ? 9 : 0",
    ] {
        assert_eq!(verdict(text), Verdict::Inline, "{text}");
    }
}

#[test]
fn nesting_past_the_inline_limit_goes_to_a_large_stack() {
    let n = INLINE_LIMIT + 1;
    for (open, close) in [("[", "]"), ("(", ")"), ("{ a = ", " }"), ("\"${", "}\"")] {
        let text = format!("let x = {}1{}", open.repeat(n), close.repeat(n));
        assert_eq!(verdict(&text), Verdict::Deep, "{text}");
    }
    let text = format!("param p: {}string{}", "list<".repeat(n), ">".repeat(n));
    assert_eq!(verdict(&text), Verdict::Deep);
    let text = format!("let x = {}1{}", "c ? ".repeat(n), " : 0".repeat(n));
    assert_eq!(verdict(&text), Verdict::Deep);
    let text = format!(
        "let s = <<EOT\n{}1{}\nEOT\n",
        "${[".repeat(n),
        "]}".repeat(n)
    );
    assert_eq!(verdict(&text), Verdict::Deep);
}

#[test]
fn nesting_past_the_scan_limit_is_refused_at_the_opening_token() {
    let text = format!("let x = {}", "[".repeat(100_000));
    assert_eq!(verdict(&text), Verdict::Refuse(8 + SCAN_LIMIT));
    let text = format!("let x = {}", "\"${".repeat(100_000));
    let Verdict::Refuse(at) = verdict(&text) else {
        panic!("not refused")
    };
    assert_eq!(&text[at..at + 2], "${");
    for shape in [
        "(",
        "{ a = ",
        "c ? ",
        "max(0, ",
        "[for v in l: ",
        "l[",
        "<<EOT\n${",
    ] {
        let text = format!("let x = {}", shape.repeat(100_000));
        assert!(matches!(verdict(&text), Verdict::Refuse(_)), "{shape}");
    }
}

#[test]
fn the_scan_stops_where_the_statement_must_end() {
    // The deep part is a later statement (or after a line break outside brackets): this
    // statement is shallow.
    let deep = "[".repeat(1_000);
    for text in [
        format!("let x = 1\nlet y = {deep}"),
        format!("let x = [\n  1,\nlet y = {deep}"),
        format!("let x = 1\n{deep}"),
    ] {
        assert_eq!(verdict(&text), Verdict::Inline, "{}", &text[..20]);
    }
    // A line that ends with an operator, `?` or `:` goes on, and so does a bracket.
    for text in [
        format!("let x = 1 +\n{deep}"),
        format!("let x = c ?\n{deep}"),
        format!("let x = [\n{deep}"),
        format!("let x = 1 /* a\n*/ + {deep}"),
        format!("let x = [\n  let = 1,\n  {deep}"),
    ] {
        assert!(
            matches!(verdict(&text), Verdict::Refuse(_)),
            "{}",
            &text[..20]
        );
    }
}

#[test]
fn a_keyword_that_names_nothing_does_not_end_the_scan() {
    // `let true` is not a statement start (the name is reserved): pest reads on.
    let text = format!("let x = [\nlet true {}", "[".repeat(1_000));
    assert!(matches!(verdict(&text), Verdict::Refuse(_)));
}

/// A thread with a small stack parses hostile input without overflowing: the scan refuses
/// it before pest recurses, and a deep but accepted statement is parsed on a thread of its
/// own.
#[test]
fn hostile_nesting_on_a_small_stack() {
    let worker = std::thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(|| {
            let mut text = String::from("let c = true\nlet l = [0]\nlet o = { a = 1 }\n");
            for shape in [
                "[",
                "(",
                "{ a = ",
                "\"${",
                "c ? ",
                "!",
                "-",
                "max(0, ",
                "[for v in l: ",
                "l[",
                "list<",
                "<<EOT\n${",
            ] {
                let lhs = if shape == "list<" {
                    "param p:"
                } else {
                    "let x ="
                };
                text.push_str(&format!("{lhs} {}1\n", shape.repeat(100_000)));
            }
            text.push_str(&format!(
                "let ok = {}1{}\n",
                "[".repeat(150),
                "]".repeat(150)
            ));
            let (file, diags) = crate::syntax::parse(crate::FileId(0), &text);
            let names: Vec<String> = file
                .items
                .iter()
                .filter_map(|i| match i {
                    crate::syntax::ast::Item::Let(l) => Some(l.name.name.to_string()),
                    _ => None,
                })
                .collect();
            (names, diags.iter().filter(|d| d.code == "E0100").count())
        })
        .expect("thread");
    let (names, too_deep) = worker.join().expect("no overflow");
    // Unary chains are flat for pest and refused by the builder's height bound.
    assert!(too_deep >= 12, "{too_deep}");
    assert!(names.contains(&"ok".to_string()), "{names:?}");
    assert!(names.contains(&"c".to_string()), "{names:?}");
}

/// The `deep` fuzz target's fragments, mixed by a fixed pseudo-random sequence and parsed on
/// a thread with a small stack: if the scan ever counted a statement shallower than pest
/// finds it, pest would recurse on that stack and overflow it.
#[test]
fn mixed_fragments_parse_on_a_small_stack() {
    // The shared fragments, plus brackets the scan must not count (in comments and strings)
    // and `<` comparisons it counts although pest does not nest there.
    const EXTRA: &[&str] = &["# [[[\n", "/* ((( */", "\"[[[\"", " < ", "a < b ? "];
    let fragments: Vec<&str> = crate::syntax::NESTING_FRAGMENTS
        .iter()
        .chain(EXTRA)
        .copied()
        .collect();
    let worker = std::thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(move || {
            let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
            let mut next = |m: usize| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed % m as u64) as usize
            };
            let mut parsed = 0;
            for _ in 0..40 {
                let mut text = String::from("let c = true\nlet x = ");
                for _ in 0..1 + next(6) {
                    let fragment = fragments[next(fragments.len())];
                    text.push_str(&fragment.repeat(1 + next(600)));
                }
                text.push_str("\noutput out = [c, x]\n");
                let (file, _) = crate::syntax::parse(crate::FileId(0), &text);
                parsed += usize::from(!file.items.is_empty());
            }
            parsed
        })
        .expect("thread");
    // `let c = true` parses in every case.
    assert_eq!(worker.join().expect("no overflow"), 40);
}
