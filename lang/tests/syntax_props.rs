//! Property tests: the parser never panics, whatever the input; the formatter is idempotent
//! and keeps the tree on generated programs.

#[path = "syntax/support.rs"]
mod support;

use infra_lang::FileId;
use infra_lang::fmt::format_source;
use infra_lang::syntax::parse;
use proptest::prelude::*;

fn check_spans(text: &str) {
    let (file, diags) = parse(FileId(0), text);
    for d in &diags {
        assert!(
            text.get(d.span.range()).is_some(),
            "diagnostic span {:?} outside {text:?}",
            d.span
        );
        for l in &d.labels {
            assert!(
                text.get(l.span.range()).is_some(),
                "label span {:?} outside {text:?}",
                l.span
            );
        }
    }
    for item in &file.items {
        assert!(
            text.get(item.span().range()).is_some(),
            "item span outside {text:?}"
        );
    }
    for c in &file.comments {
        assert_eq!(text.get(c.span.range()), Some(c.text.as_str()));
    }
}

fn seeds() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut out = Vec::new();
    for sub in ["syntax", "fmt"] {
        for e in std::fs::read_dir(dir.join(sub)).unwrap().flatten() {
            if e.path().extension().is_some_and(|x| x == "infra") {
                out.push(std::fs::read_to_string(e.path()).unwrap());
            }
        }
    }
    out.sort();
    out
}

/// Characters that matter to the grammar, plus a few multi-byte ones.
fn syntax_chars() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "{",
        "}",
        "[",
        "]",
        "(",
        ")",
        "\"",
        "${",
        "$${",
        "\\",
        "=",
        "==",
        "=>",
        ",",
        ":",
        "?",
        "!",
        "-",
        "+",
        "*",
        "/",
        "//",
        "/*",
        "*/",
        "#",
        "<<EOT\n",
        "<<-EOT\n",
        "EOT",
        "\n",
        " ",
        "\t",
        ".",
        "<",
        ">",
        "|",
        "0",
        "9",
        "99999999999999999999",
        "1.5e9",
        "a",
        "x_1",
        "for",
        "in",
        "if",
        "true",
        "null",
        "param ",
        "let ",
        "resource ",
        "existing ",
        "module ",
        "output ",
        "environment ",
        "é",
        "😀",
        "\r\n",
    ]);
    prop::collection::vec(pieces, 0..60).prop_map(|v| v.concat())
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize, usize),
    Duplicate(usize, usize),
    Insert(usize, char),
}

fn apply(text: &str, m: &Mutation) -> String {
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len().max(1);
    match *m {
        Mutation::Delete(at, len) => {
            let at = at % n;
            chars
                .iter()
                .take(at)
                .chain(chars.iter().skip(at + len % 8))
                .collect()
        }
        Mutation::Duplicate(at, len) => {
            let at = at % n;
            let piece: String = chars.iter().skip(at).take(len % 16).collect();
            let mut out: String = chars.iter().take(at).collect();
            out.push_str(&piece);
            out.extend(chars.iter().skip(at));
            out
        }
        Mutation::Insert(at, c) => {
            let at = at % n;
            let mut out: String = chars.iter().take(at).collect();
            out.push(c);
            out.extend(chars.iter().skip(at));
            out
        }
    }
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1usize..8).prop_map(|(a, l)| Mutation::Delete(a, l)),
        (any::<usize>(), 1usize..16).prop_map(|(a, l)| Mutation::Duplicate(a, l)),
        (
            any::<usize>(),
            prop::sample::select(vec![
                '{', '}', '"', '[', ']', '(', ')', '=', ',', '\n', '$', '\\', '#', '<', 'é'
            ])
        )
            .prop_map(|(a, c)| Mutation::Insert(a, c)),
    ]
}

// ------------------------------------------------------------------ generated programs

fn name() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "a",
        "b",
        "rg",
        "prefix",
        "environment",
        "resource",
        "x_1",
        "tags",
    ])
    .prop_map(String::from)
}

fn string_lit() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "abc",
            " ",
            "\\n",
            "\\\"",
            "$${x}",
            "é",
            "-",
            "\\u{1F600}",
            "$",
            "\\\\",
        ]),
        0..5,
    )
    .prop_map(|v| format!("\"{}\"", v.concat()))
}

fn expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        name(),
        (0i64..100000).prop_map(|i| i.to_string()),
        Just("1.5".to_string()),
        Just("true".to_string()),
        Just("null".to_string()),
        string_lit(),
    ];
    leaf.prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            (
                inner.clone(),
                prop::sample::select(vec![
                    "+", "-", "*", "/", "%", "==", "!=", "<", "<=", "&&", "||"
                ]),
                inner.clone()
            )
                .prop_map(|(a, op, b)| format!("({a}) {op} ({b})")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(c, a, b)| format!("({c}) ? ({a}) : ({b})")),
            inner.clone().prop_map(|a| format!("!({a})")),
            (inner.clone(), name()).prop_map(|(a, n)| format!("({a}).{n}")),
            (inner.clone(), inner.clone()).prop_map(|(a, i)| format!("({a})[{i}]")),
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
            (prop::collection::vec(inner.clone(), 0..4), any::<bool>()).prop_map(|(v, ml)| if ml {
                format!("[\n{}\n]", v.join(",\n"))
            } else {
                format!("[{}]", v.join(", "))
            }),
            (
                prop::collection::vec((name(), inner.clone()), 0..4),
                any::<bool>()
            )
                .prop_map(|(v, ml)| {
                    let es: Vec<String> = v.iter().map(|(k, x)| format!("{k} = {x}")).collect();
                    if ml {
                        format!("{{\n{}\n}}", es.join("\n"))
                    } else {
                        format!("{{ {} }}", es.join(", "))
                    }
                }),
            (name(), prop::collection::vec(inner.clone(), 0..3))
                .prop_map(|(f, v)| format!("f_{f}({})", v.join(", "))),
            (name(), prop::collection::vec((name(), inner.clone()), 0..3)).prop_map(|(t, v)| {
                let es: Vec<String> = v.iter().map(|(k, x)| format!("{k} = {x}")).collect();
                format!("tag_{t} {{ {} }}", es.join(", "))
            }),
            (inner.clone(), inner.clone())
                .prop_map(|(c, b)| format!("[for k, v in {c}: {b} if k != \"x\"]")),
            (inner.clone(), inner.clone()).prop_map(|(c, b)| format!("{{for v in {c}: v => {b}}}")),
            inner.prop_map(|a| format!("\"pre ${{{a}}} post\"")),
        ]
    })
}

fn statement() -> impl Strategy<Value = String> {
    prop_oneof![
        (name(), expr()).prop_map(|(n, e)| format!("let {n} = {e}")),
        // Heredocs only where a line break may follow them.
        (name(), expr(), any::<bool>()).prop_map(|(n, e, strip)| format!(
            "let {n} = <<{}EOT\n  line ${{{e}}}\n    EOT",
            if strip { "-" } else { "" }
        )),
        (name(), expr()).prop_map(|(n, e)| format!("param {n}: list<map<string>> = {e}")),
        (name(), expr()).prop_map(|(n, e)| format!("output {n} = {e} // trailing")),
        (
            name(),
            prop::collection::vec((name(), expr()), 0..5),
            any::<bool>()
        )
            .prop_map(|(n, attrs, ml)| {
                let a: Vec<String> = attrs.iter().map(|(k, v)| format!("{k} = {v}")).collect();
                if ml {
                    format!(
                        "resource {n}: azure.thing {{\n  // leading\n{}\n}}",
                        a.join("\n\n")
                    )
                } else {
                    format!(
                        "resource {n}: azure.thing for k, v in items {{ {} }}",
                        a.join(", ")
                    )
                }
            }),
        (name(), prop::collection::vec((name(), expr()), 0..4)).prop_map(|(n, attrs)| {
            let a: Vec<String> = attrs.iter().map(|(k, v)| format!("  {k} = {v}")).collect();
            format!("environment {n} {{\n{}\n}}", a.join("\n"))
        }),
    ]
}

fn program() -> impl Strategy<Value = String> {
    prop::collection::vec((statement(), any::<bool>()), 0..6).prop_map(|v| {
        v.into_iter()
            .map(|(s, blank)| {
                if blank {
                    format!("{s}\n\n")
                } else {
                    format!("{s}\n")
                }
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn never_panics_on_arbitrary_text(text in any::<String>()) {
        check_spans(&text);
    }

    #[test]
    fn never_panics_on_syntax_soup(text in syntax_chars()) {
        check_spans(&text);
    }

    #[test]
    fn never_panics_on_mutated_valid_files(index in any::<usize>(), muts in prop::collection::vec(mutation(), 1..4)) {
        let seeds = seeds();
        let mut text = seeds[index % seeds.len()].clone();
        for m in &muts {
            text = apply(&text, m);
        }
        check_spans(&text);
    }

    #[test]
    fn formatting_generated_programs_is_stable(text in program()) {
        let tree = support::parse_ok(&text);
        let once = format_source(FileId(0), &text).unwrap();
        let again = format_source(FileId(0), &once);
        prop_assert_eq!(again.as_ref(), Ok(&once), "not idempotent:\n{}\n---\n{}", text, once);
        let reparsed = support::parse_ok(&once);
        prop_assert_eq!(support::without_spans(&tree), support::without_spans(&reparsed), "tree changed:\n{}\n---\n{}", text, once);
    }
}
