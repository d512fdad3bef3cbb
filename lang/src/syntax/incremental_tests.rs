use super::*;
use crate::syntax::parse;
use proptest::prelude::*;

const FILE: FileId = FileId(3);

/// Every `.infra` file of the parser's and formatter's test folders: valid and broken ones.
fn seeds() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut out = Vec::new();
    for sub in ["syntax", "fmt"] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for e in entries.flatten() {
            if e.path().extension().is_some_and(|x| x == "infra")
                && let Ok(text) = std::fs::read_to_string(e.path())
            {
                out.push(text);
            }
        }
    }
    out.sort();
    out.push(String::new());
    out
}

/// Pieces an edit inserts: tokens that open or close things, statement starts, comments,
/// line breaks, multi-byte characters.
const PIECES: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    "\"",
    "${",
    "=",
    ",",
    ":",
    ".",
    "+",
    "//",
    "/*",
    "*/",
    "#",
    "<<EOT\n",
    "EOT",
    "\n",
    "\n\n",
    " ",
    "x",
    "prefix",
    "1",
    "let a = 1\n",
    "resource r: core.data {\n  input = { a = 1 }\n}\n",
    "output o = r.output.name\n",
    "param p: string = \"x\"\n",
    "environment dev {\n",
    "é",
    "😀",
    "\r\n",
];

#[derive(Debug, Clone)]
struct Edit {
    at: usize,
    delete: usize,
    insert: usize,
}

/// Applies an edit on character boundaries (as an editor does).
fn apply(text: &str, e: &Edit) -> String {
    let bounds: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect();
    let start = bounds[e.at % bounds.len()];
    let end_index = (e.at % bounds.len() + e.delete).min(bounds.len() - 1);
    let end = bounds[end_index].max(start);
    let piece = if e.insert >= PIECES.len() {
        ""
    } else {
        PIECES[e.insert]
    };
    format!("{}{}{}", &text[..start], piece, &text[end..])
}

fn edit() -> impl Strategy<Value = Edit> {
    (any::<usize>(), 0usize..12, 0usize..PIECES.len() + 4).prop_map(|(at, delete, insert)| Edit {
        at,
        delete,
        insert,
    })
}

fn assert_same(r: &Reparsable, text: &str) {
    let (tree, diags) = parse(FILE, text);
    assert_eq!(r.text(), text);
    assert_eq!(**r.tree(), tree, "tree differs for {text:?}");
    assert_eq!(
        r.diagnostics(),
        diags.as_slice(),
        "diagnostics differ for {text:?}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn reparsing_after_edits_gives_what_a_full_parse_gives(
        index in any::<usize>(),
        edits in prop::collection::vec(edit(), 1..8),
    ) {
        let seeds = seeds();
        let mut text = seeds[index % seeds.len()].clone();
        let mut r = Reparsable::new(FILE, &text);
        assert_same(&r, &text);
        for e in &edits {
            text = apply(&text, e);
            r.update(&text);
            assert_same(&r, &text);
        }
    }
}

#[test]
fn an_edit_in_the_middle_keeps_the_items_around_it() {
    let text: String = (0..50)
        .map(|i| format!("resource r{i}: core.data {{\n  input = {{ n = {i} }}\n}}\n"))
        .collect();
    let mut r = Reparsable::new(FILE, &text);
    let edited = text.replacen("n = 25", "n = 2500", 1);
    r.update(&edited);
    assert_same(&r, &edited);
    assert!(r.ran <= 3, "{} statements parsed again", r.ran);
    let broken = edited.replacen("n = 2500 }", "n = ", 1);
    r.update(&broken);
    assert_same(&r, &broken);
    assert!(r.ran <= 4, "{} statements parsed again", r.ran);
    r.update(&text);
    assert_same(&r, &text);
}

#[test]
fn opening_and_closing_a_block_comment_reaches_the_end_of_the_file() {
    let text = "let a = 1\nlet b = 2\nlet c = 3\n";
    let mut r = Reparsable::new(FILE, text);
    let opened = "let a = 1\n/*\nlet b = 2\nlet c = 3\n";
    r.update(opened);
    assert_same(&r, opened);
    let closed = "let a = 1\n/*\nlet b = 2\n*/\nlet c = 3\n";
    r.update(closed);
    assert_same(&r, closed);
    assert_eq!(r.tree().items.len(), 2);
}

#[test]
fn an_edit_above_thousands_of_statements_moves_them_all() {
    let text: String = (0..2_500)
        .map(|i| format!("resource r{i}: core.data {{\n  input = {{ n = \"${{p}}-{i}\" }}\n}}\n"))
        .collect();
    let text = format!("let p = \"x\"\n{text}");
    let mut r = Reparsable::new(FILE, &text);
    for edited in [
        text.replacen("let p", "let p2", 1),
        text.replacen("let p = \"x\"", "let p = \"\"", 1),
        text.clone(),
    ] {
        r.update(&edited);
        assert_same(&r, &edited);
        assert!(r.ran <= 3, "{} statements parsed again", r.ran);
    }
}

fn naive_prefix(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

fn naive_suffix(a: &[u8], b: &[u8]) -> usize {
    a.iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

proptest! {
    #[test]
    fn common_prefix_and_suffix_agree_with_a_byte_by_byte_scan(
        base in prop::collection::vec(0u8..3, 0..1_200),
        at in any::<usize>(),
        cut in 0usize..600,
        insert in prop::collection::vec(0u8..3, 0..600),
    ) {
        let at = if base.is_empty() { 0 } else { at % base.len() };
        let end = (at + cut).min(base.len());
        let mut edited = base[..at].to_vec();
        edited.extend(&insert);
        edited.extend(&base[end..]);
        prop_assert_eq!(common_prefix(&base, &edited), naive_prefix(&base, &edited));
        prop_assert_eq!(common_suffix(&base, &edited), naive_suffix(&base, &edited));
    }
}
