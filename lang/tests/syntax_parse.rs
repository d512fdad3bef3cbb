//! The parser on valid input: tree shapes, spans, comments, and the design's examples.

#[path = "syntax/support.rs"]
mod support;

use infra_lang::FileId;
use infra_lang::syntax::ast::*;
use infra_lang::syntax::parse;
use support::parse_ok;

fn let_value(text: &str) -> Expr {
    let file = parse_ok(text);
    match file.items.into_iter().next() {
        Some(Item::Let(l)) => l.value,
        other => panic!("expected a let, got {other:?}"),
    }
}

/// A compact rendering of an expression's structure, for readable assertions.
fn shape(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Null => "null".into(),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Int(i) => i.to_string(),
        ExprKind::Float(f) => format!("{f:?}"),
        ExprKind::Str { parts, .. } => {
            let inner: Vec<String> = parts
                .iter()
                .map(|p| match p {
                    StrPart::Lit(s) => format!("{s:?}"),
                    StrPart::Interp(x) => format!("${{{}}}", shape(x)),
                })
                .collect();
            format!("str[{}]", inner.join(" "))
        }
        ExprKind::List(xs) => format!("[{}]", xs.iter().map(shape).collect::<Vec<_>>().join(", ")),
        ExprKind::Object(es) => format!(
            "{{{}}}",
            es.iter()
                .map(|e| format!("{}={}", e.key.name, shape(&e.value)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ExprKind::Ref(i) => i.name.clone(),
        ExprKind::Member(x, i) => format!("{}.{}", shape(x), i.name),
        ExprKind::Index(x, i) => format!("{}[{}]", shape(x), shape(i)),
        ExprKind::Call { name, args } => {
            format!(
                "{}({})",
                name.name,
                args.iter().map(shape).collect::<Vec<_>>().join(", ")
            )
        }
        ExprKind::Unary(op, x) => format!(
            "({}{})",
            if *op == UnaryOp::Not { "!" } else { "-" },
            shape(x)
        ),
        ExprKind::Binary(op, a, b) => format!("({} {} {})", shape(a), op.symbol(), shape(b)),
        ExprKind::Cond(a, b, c) => format!("({} ? {} : {})", shape(a), shape(b), shape(c)),
        ExprKind::ListFor(c) | ExprKind::ObjectFor(c) => format!(
            "for({},{} in {}: {}{}{})",
            c.key.as_ref().map_or("_", |k| &k.name),
            c.value.name,
            shape(&c.collection),
            c.key_expr
                .as_ref()
                .map(|k| format!("{} => ", shape(k)))
                .unwrap_or_default(),
            shape(&c.body),
            c.cond
                .as_ref()
                .map(|x| format!(" if {}", shape(x)))
                .unwrap_or_default()
        ),
        ExprKind::Tagged { tag, entries } => format!(
            "{} {{{}}}",
            tag.name,
            entries
                .iter()
                .map(|e| format!("{}={}", e.key.name, shape(&e.value)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ExprKind::Paren(x) => format!("<{}>", shape(x)),
    }
}

#[test]
fn design_examples_parse_without_diagnostics() {
    let manifest = env!("CARGO_MANIFEST_DIR");
    let copy = std::fs::read_to_string(format!("{manifest}/tests/syntax/language_examples.infra"))
        .unwrap();
    let file = parse_ok(&copy);
    assert!(file.items.len() >= 25, "{} items", file.items.len());

    // The design document itself, when the shared folder is next to the repository.
    let Ok(doc) = std::fs::read_to_string(format!("{manifest}/../../shared/design/LANGUAGE.md"))
    else {
        return;
    };
    let mut blocks = 0;
    for block in doc.split("```infra\n").skip(1) {
        let code = block.split("```").next().unwrap();
        // `{ ... }` is the document's placeholder for "attributes elided", not syntax.
        let code: String = code
            .lines()
            .filter(|l| !l.contains("{ ... }"))
            .map(|l| format!("{l}\n"))
            .collect();
        parse_ok(&code);
        blocks += 1;
    }
    assert!(blocks >= 4, "found {blocks} example blocks");
}

#[test]
fn precedence_and_associativity() {
    assert_eq!(
        shape(&let_value("let x = 1 + 2 * 3 == 7 || a && !b\n")),
        "(((1 + (2 * 3)) == 7) || (a && (!b)))"
    );
    assert_eq!(shape(&let_value("let x = a - b - c\n")), "((a - b) - c)");
    assert_eq!(
        shape(&let_value("let x = a / b % c * d\n")),
        "(((a / b) % c) * d)"
    );
    assert_eq!(
        shape(&let_value("let x = a < b == c >= d\n")),
        "((a < b) == (c >= d))"
    );
    assert_eq!(
        shape(&let_value("let x = a ? b : c ? d : e\n")),
        "(a ? b : (c ? d : e))"
    );
    assert_eq!(
        shape(&let_value("let x = a || b ? c + 1 : -d.e\n")),
        "((a || b) ? (c + 1) : (-d.e))"
    );
    assert_eq!(
        shape(&let_value("let x = a ? b : c + 1 ? d : e || f\n")),
        "(a ? b : ((c + 1) ? d : (e || f)))"
    );
    assert_eq!(
        shape(&let_value("let x = a ? b ? c : d : e ? f : g\n")),
        "(a ? (b ? c : d) : (e ? f : g))"
    );
    assert_eq!(
        shape(&let_value("let x = a ?\n b :\n c ? d :\n e\n")),
        "(a ? b : (c ? d : e))"
    );
    assert_eq!(
        shape(&let_value("let x = (a + b) * c\n")),
        "(<(a + b)> * c)"
    );
    assert_eq!(shape(&let_value("let x = !!a\n")), "(!(!a))");
}

#[test]
fn postfixes_calls_and_collections() {
    assert_eq!(
        shape(&let_value("let x = a.b[0][\"k\"].c\n")),
        "a.b[0][str[\"k\"]].c"
    );
    assert_eq!(shape(&let_value("let x = f(a, g(b),)\n")), "f(a, g(b))");
    assert_eq!(
        shape(&let_value("let x = [1, 2.5, true, null,]\n")),
        "[1, 2.5, true, null]"
    );
    assert_eq!(shape(&let_value("let x = [\n  1,\n  2\n]\n")), "[1, 2]");
    assert_eq!(
        shape(&let_value("let x = { a = 1, \"b-c\" = 2 }\n")),
        "{a=1, b-c=2}"
    );
    assert_eq!(
        shape(&let_value("let x = {\n  a = 1\n  b = 2,\n}\n")),
        "{a=1, b=2}"
    );
    assert_eq!(shape(&let_value("let x = {}\n")), "{}");
    assert_eq!(
        shape(&let_value("let x = 1e3 + 2.5E-1\n")),
        "(1000.0 + 0.25)"
    );
    assert_eq!(shape(&let_value("let x = a +\n  b\n")), "(a + b)");
}

#[test]
fn comprehensions_and_tagged_objects() {
    assert_eq!(
        shape(&let_value(
            "let x = [for r in regions: \"${prefix}-${r}\"]\n"
        )),
        "for(_,r in regions: str[${prefix} \"-\" ${r}])"
    );
    assert_eq!(
        shape(&let_value("let x = [for k, v in m: v if k != \"x\"]\n")),
        "for(k,v in m: v if (k != str[\"x\"]))"
    );
    assert_eq!(
        shape(&let_value("let x = {for k, v in m: k => v}\n")),
        "for(k,v in m: k => v)"
    );
    assert_eq!(
        shape(&let_value("let x = {for k, v in m: upper(k) => v if v}\n")),
        "for(k,v in m: upper(k) => v if v)"
    );
    assert_eq!(
        shape(&let_value("let x = azure { subscription = env(\"X\") }\n")),
        "azure {subscription=env(str[\"X\"])}"
    );
    assert_eq!(shape(&let_value("let x = emulator {}\n")), "emulator {}");
    // Object keys may be any word, including reserved ones.
    assert_eq!(
        shape(&let_value("let x = { for = 1, if = 2, in = 3 }\n")),
        "{for=1, if=2, in=3}"
    );
}

#[test]
fn keywords_are_contextual() {
    let text = "param environment: string\nresource api: azure.container_app {\n  environment = cae\n  module = 1\n  resource = environment == \"prod\"\n}\nlet let = { param = output.resource }\n";
    let file = parse_ok(text);
    assert_eq!(file.items.len(), 3);
    let Item::Resource(r) = &file.items[1] else {
        panic!()
    };
    let names: Vec<&str> = r.body.iter().map(|a| a.name.name.as_str()).collect();
    assert_eq!(names, ["environment", "module", "resource"]);
    assert_eq!(shape(&r.body[2].value), "(environment == str[\"prod\"])");
}

#[test]
fn functions_parse_with_typed_parameters_and_an_optional_result_type() {
    let file = parse_ok(
        "fn name(kind: string, sizes: list<int>,\n  env: \"dev\" | \"prod\",\n): string = \"${kind}-${env}\"\nfn one() = 1\nlet fn = one()\n",
    );
    assert_eq!(file.items.len(), 3);
    let Item::Function(f) = &file.items[0] else {
        panic!("{:?}", file.items[0])
    };
    let params: Vec<&str> = f.params.iter().map(|p| p.name.name.as_str()).collect();
    assert_eq!(params, ["kind", "sizes", "env"]);
    assert!(f.ret.is_some());
    let Item::Function(g) = &file.items[1] else {
        panic!()
    };
    assert!(g.params.is_empty() && g.ret.is_none());
    assert_eq!(shape(&g.body), "1");
    // `fn` is a keyword only at the start of a statement.
    assert!(matches!(&file.items[2], Item::Let(l) if l.name.name == "fn"));

    let (_, diags) = parse(FileId(0), "fn f(a) = 1\n");
    assert!(diags[0].message.contains("expected `:`"), "{diags:?}");
}

#[test]
fn statements_of_every_kind() {
    let text = r#"param a: int = 1
param b: { x: int, y?: list<map<string>> }
param c: "Standard" | "Premium"
param d: azure.key_vault
let e = a
resource f: azure.x for k, v in { www = "1" } { name = k, value = v, }
resource g: azure.x for v in items {
  name = v
}
existing h: azure.container_registry { name = "lwacr" }
module i = "./modules/api" { name = "api" }
output j = a
output k: secret = e
environment l {
  target = azure { subscription = env("X") }
}
"#;
    let file = parse_ok(text);
    let kinds: Vec<String> = file.items.iter().map(|i| i.name().name.clone()).collect();
    assert_eq!(
        kinds,
        ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"]
    );
    let Item::Param(b) = &file.items[1] else {
        panic!()
    };
    let TypeExprKind::Object(fields) = &b.ty.kind else {
        panic!("{:?}", b.ty)
    };
    assert_eq!(
        (fields[1].name.name.as_str(), fields[1].optional),
        ("y", true)
    );
    assert!(
        matches!(&fields[1].ty.kind, TypeExprKind::List(m) if matches!(&m.kind, TypeExprKind::Map(_)))
    );
    let Item::Param(c) = &file.items[2] else {
        panic!()
    };
    assert_eq!(
        c.ty.kind,
        TypeExprKind::Enum(vec!["Standard".into(), "Premium".into()])
    );
    let Item::Param(d) = &file.items[3] else {
        panic!()
    };
    assert_eq!(d.ty.kind, TypeExprKind::Named("azure.key_vault".into()));
    let Item::Resource(f) = &file.items[5] else {
        panic!()
    };
    let fe = f.for_each.as_ref().unwrap();
    assert_eq!(
        (
            fe.key.as_ref().unwrap().name.as_str(),
            fe.value.name.as_str()
        ),
        ("k", "v")
    );
    assert_eq!(f.body.len(), 2);
    let Item::Resource(g) = &file.items[6] else {
        panic!()
    };
    // `items {` after `in` is the collection then the body, not a tagged object.
    assert_eq!(shape(&g.for_each.as_ref().unwrap().collection), "items");
    assert!(g.for_each.as_ref().unwrap().key.is_none());
    let Item::Resource(h) = &file.items[7] else {
        panic!()
    };
    assert!(h.existing && !f.existing);
    let Item::Module(i) = &file.items[8] else {
        panic!()
    };
    assert_eq!(i.source, "./modules/api");
    assert_eq!(&text[i.source_span.range()], "\"./modules/api\"");
    let Item::Output(k) = &file.items[10] else {
        panic!()
    };
    assert_eq!(
        k.ty.as_ref().unwrap().kind,
        TypeExprKind::Named("secret".into())
    );
}

#[test]
fn strings_escapes_and_interpolation() {
    assert_eq!(
        shape(&let_value(
            r#"let x = "a\n\t\r\"\\\u{1F600}"
"#
        )),
        "str[\"a\\n\\t\\r\\\"\\\\😀\"]"
    );
    assert_eq!(
        shape(&let_value("let x = \"$${not} $x $$\"\n")),
        "str[\"${not} $x $$\"]"
    );
    assert_eq!(
        shape(&let_value("let x = \"${join(\",\", xs)}!\"\n")),
        "str[${join(str[\",\"], xs)} \"!\"]"
    );
    assert_eq!(
        shape(&let_value("let x = \"${ \"${a}\" }\"\n")),
        "str[${str[${a}]}]"
    );
    assert_eq!(shape(&let_value("let x = \"\"\n")), "str[]");
}

#[test]
fn heredocs() {
    let e = let_value("let x = <<EOT\nhello ${name}\n  $${lit}\nEOT\n");
    assert_eq!(shape(&e), "str[\"hello \" ${name} \"\\n  ${lit}\\n\"]");
    assert!(
        matches!(&e.kind, ExprKind::Str { style: StrStyle::Heredoc { marker, strip_indent: false }, .. } if marker == "EOT")
    );

    // `<<-` strips the indentation common to non-blank lines; the end marker may be indented.
    let e = let_value("let x = <<-EOT\n    a\n\n      b ${c}\n    EOT\nlet y = 1\n");
    assert_eq!(shape(&e), "str[\"a\\n\\n  b \" ${c} \"\\n\"]");

    // The marker inside the text does not end it; only a line with the marker alone does.
    let e = let_value("let x = <<EOT\nEOT is here\n  EOT\n");
    assert_eq!(shape(&e), "str[\"EOT is here\\n\"]");
    let file = parse_ok("resource s: t {\n  value = <<EOT\nx\nEOT\n  other = 1\n}\n");
    let Item::Resource(r) = &file.items[0] else {
        panic!()
    };
    assert_eq!(r.body.len(), 2);
}

#[test]
fn spans_are_exact() {
    let text =
        "let  prefix = \"lw-${env}\"   // c\nresource rg: azure.resource_group { name = prefix }\n";
    let file = parse_ok(text);
    let Item::Let(l) = &file.items[0] else {
        panic!()
    };
    assert_eq!(&text[l.name.span.range()], "prefix");
    assert_eq!(&text[l.span.range()], "let  prefix = \"lw-${env}\"");
    assert_eq!(&text[l.value.span.range()], "\"lw-${env}\"");
    let ExprKind::Str { parts, .. } = &l.value.kind else {
        panic!()
    };
    let StrPart::Interp(env) = &parts[1] else {
        panic!()
    };
    assert_eq!(&text[env.span.range()], "env");
    let Item::Resource(r) = &file.items[1] else {
        panic!()
    };
    assert_eq!(&text[r.type_name.span.range()], "azure.resource_group");
    assert_eq!(r.type_name.name, "azure.resource_group");
    assert_eq!(&text[r.body[0].span.range()], "name = prefix");
    assert_eq!(&text[r.body[0].value.span.range()], "prefix");
    assert!(text[r.span.range()].starts_with("resource rg") && text[r.span.range()].ends_with('}'));
    assert!(file.items.iter().all(|i| i.span().file == FileId(0)));
    let (f, _) = parse(FileId(7), text);
    assert_eq!(f.items[0].span().file, FileId(7));
}

#[test]
fn comments_are_collected_with_spans() {
    let text = "// top\n# hash\nresource r: t { # inside\n  a = 1 /* block */ // tail\n  /* multi\n  line */\n}\nlet s = \"// not a comment\" // real\n";
    let file = parse_ok(text);
    let got: Vec<&str> = file.comments.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(
        got,
        [
            "// top",
            "# hash",
            "# inside",
            "/* block */",
            "// tail",
            "/* multi\n  line */",
            "// real"
        ]
    );
    for c in &file.comments {
        assert_eq!(&text[c.span.range()], c.text);
    }
}

#[test]
fn windows_line_endings() {
    let file = parse_ok("let a = 1\r\nresource r: t {\r\n  x = \"y\" // c\r\n  z = 2\r\n}\r\n");
    assert_eq!(file.items.len(), 2);
    assert_eq!(file.comments[0].text, "// c");
}

#[test]
fn recovery_keeps_every_good_statement() {
    let text = "let a = 1\nlet b = \nresource r: t {\n  x = 1\n  y 2\n}\nlet c = 3\nlet d = )\nlet e = 5\n";
    let (file, diags) = parse(FileId(0), text);
    let names: Vec<&str> = file.items.iter().map(|i| i.name().name.as_str()).collect();
    assert_eq!(names, ["a", "c", "e"]);
    assert_eq!(diags.len(), 3, "{diags:#?}");
    assert!(diags.iter().all(|d| d.code == "E0100"));
}

#[test]
fn multibyte_text_at_error_positions_does_not_panic() {
    for text in [
        "let é = 1",
        "let a = \"é",
        "😀",
        "let a = 1 😀",
        "resource r: t { é = 1 }",
        "let a = <<é\n",
        "let a = \"\\é\"",
        "let a = 1\u{FEFF}",
    ] {
        let (_, diags) = parse(FileId(0), text);
        assert!(!diags.is_empty(), "{text}");
        for d in diags {
            assert!(text.get(d.span.range()).is_some(), "{text}: {d:?}");
        }
    }
}

#[test]
fn deep_nesting_is_reported_not_a_crash() {
    let deep = format!("let x = {}1{}\n", "(".repeat(5000), ")".repeat(5000));
    let (file, diags) = parse(FileId(0), &deep);
    assert!(file.items.is_empty());
    assert!(diags[0].message.contains("nested too deeply"), "{diags:?}");

    let long = format!("let x = 1{}\nlet y = 2\n", " + 1".repeat(5000));
    let (file, diags) = parse(FileId(0), &long);
    assert_eq!(file.items.len(), 1);
    assert!(
        diags[0].message.contains("more than 200 levels"),
        "{diags:?}"
    );

    let ok = format!("let x = {}1{}\n", "(".repeat(100), ")".repeat(100));
    parse_ok(&ok);
}

#[test]
fn byte_order_mark_is_skipped() {
    parse_ok("\u{FEFF}let a = 1\n");
}
