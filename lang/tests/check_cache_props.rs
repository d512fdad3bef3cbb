//! The cached check (`check_cached`, the language server's) gives exactly what a fresh check
//! gives, after any sequence of edits to the checker's golden cases (single files and project
//! folders with modules).

#[path = "common/schemas.rs"]
mod schemas;

use infra_lang::check::{CheckCache, CheckOptions, Checked, check_cached, check_with};
use infra_lang::project::Project;
use proptest::prelude::*;
use std::path::{Path, PathBuf};

type Files = Vec<(PathBuf, String)>;

/// Every case of tests/check: a file alone, or a folder's `.infra` files (modules included).
fn seeds() -> Vec<Files> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/check");
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return out;
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        let mut files = Vec::new();
        if p.is_dir() {
            collect(&p, &p, &mut files);
        } else if p.extension().is_some_and(|x| x == "infra")
            && let Ok(text) = std::fs::read_to_string(&p)
        {
            files.push((PathBuf::from("/p/main.infra"), text));
        }
        files.sort();
        if !files.is_empty() {
            out.push(files);
        }
    }
    out
}

fn collect(root: &Path, dir: &Path, out: &mut Files) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(root, &p, out);
        } else if p.extension().is_some_and(|x| x == "infra")
            && let (Ok(text), Ok(rel)) = (std::fs::read_to_string(&p), p.strip_prefix(root))
        {
            out.push((Path::new("/p").join(rel), text));
        }
    }
}

/// Pieces an edit inserts: what changes names, types, secrets and references.
const PIECES: &[&str] = &[
    "x",
    "_2",
    "1",
    "\"s\"",
    "true",
    "secret",
    "string",
    "int",
    ".id",
    ".output",
    "[0]",
    " + 1",
    "${x}",
    "\n",
    "{",
    "}",
    "= ",
    "let a = 1\n",
    "let x = \"x\"\n",
    "param p: secret\n",
    "output o = a\n",
    "resource r: core.data {\n  input = { a = 1 }\n}\n",
    "resource q: core.data {\n  input = { n = \"${a}-${x}\" }\n}\n",
    "[1]",
    "{ k = 1 }",
    "resource u: core.data {\n  input = { a = [a, { x = x }] }\n}\n",
    "fn f(a: string): string = a\n",
    "fn x(): int = 1\n",
    "module m = \"./modules/x\"\n",
];

#[derive(Debug, Clone)]
struct Edit {
    /// Go back to the text before the last edit instead (an editor's undo).
    undo: bool,
    file: usize,
    at: usize,
    delete: usize,
    insert: usize,
}

fn apply(files: &mut Files, e: &Edit) {
    let count = files.len();
    let Some((_, text)) = files.get_mut(e.file % count) else {
        return;
    };
    let bounds: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect();
    let start = bounds[e.at % bounds.len()];
    let end = bounds[(e.at % bounds.len() + e.delete).min(bounds.len() - 1)].max(start);
    let piece = PIECES.get(e.insert).copied().unwrap_or("");
    *text = format!("{}{}{}", &text[..start], piece, &text[end..]);
}

fn edit() -> impl Strategy<Value = Edit> {
    (
        prop::bool::weighted(0.25),
        any::<usize>(),
        any::<usize>(),
        0usize..8,
        0usize..PIECES.len() + 3,
    )
        .prop_map(|(undo, file, at, delete, insert)| Edit {
            undo,
            file,
            at,
            delete,
            insert,
        })
}

fn same(cached: &Checked, fresh: &Checked, files: &Files) {
    assert_eq!(
        cached.diagnostics, fresh.diagnostics,
        "diagnostics differ for {files:?}"
    );
    assert_eq!(
        cached.program.as_ref().map(|p| p.outline()),
        fresh.program.as_ref().map(|p| p.outline()),
        "programs differ for {files:?}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn a_cached_check_after_edits_gives_what_a_fresh_check_gives(
        index in any::<usize>(),
        edits in prop::collection::vec(edit(), 1..10),
    ) {
        let seeds = seeds();
        let mut files = seeds[index % seeds.len()].clone();
        let schemas = schemas::schemas();
        let options = CheckOptions::default();
        let mut cache = CheckCache::default();
        let mut before = files.clone();
        for e in std::iter::once(None).chain(edits.iter().map(Some)) {
            match e {
                Some(e) if e.undo => std::mem::swap(&mut files, &mut before),
                Some(e) => {
                    before = files.clone();
                    apply(&mut files, e);
                }
                None => {}
            }
            let Ok(project) = Project::from_sources(files.clone()) else {
                continue;
            };
            let cached = check_cached(&project, &schemas, &options, &mut cache);
            same(&cached, &check_with(&project, &schemas, &options), &files);
        }
    }
}

/// `head`, then 20 `core.data` resources `r0`..`r19` whose input is `input(i)`.
fn readers(head: &str, input: impl Fn(usize) -> String) -> Files {
    let mut text = head.to_string();
    for i in 0..20 {
        text.push_str(&format!(
            "resource r{i}: core.data {{\n  input = {}\n}}\n",
            input(i)
        ));
    }
    vec![(PathBuf::from("/p/main.infra"), text)]
}

/// A project where every resource reads one `let`: the shape of the language server's
/// benchmark.
fn chain(value: &str, extra: &str) -> Files {
    readers(&format!("let prefix = {value}\n{extra}"), |i| {
        format!("{{ name = \"${{prefix}}-{i}\", n = prefix + 1 }}")
    })
}

fn check_both(files: &Files, cache: &mut CheckCache) -> Checked {
    let project = Project::from_sources(files.clone()).expect("project");
    let schemas = schemas::schemas();
    let options = CheckOptions::default();
    let cached = check_cached(&project, &schemas, &options, cache);
    same(&cached, &check_with(&project, &schemas, &options), files);
    cached
}

#[test]
fn unchanged_declarations_are_reused_and_their_diagnostics_move_with_them() {
    let mut cache = CheckCache::default();
    let first = check_both(&chain("1", ""), &mut cache);
    assert_eq!(cache.reused(), 0);
    assert!(!first.has_errors());
    // A line above every resource moves them all; none changed.
    let moved = check_both(&chain("1", "// a comment\n"), &mut cache);
    assert_eq!(cache.reused(), 21);
    assert!(!moved.has_errors());
}

#[test]
fn a_changed_type_checks_its_readers_again() {
    let mut cache = CheckCache::default();
    check_both(&chain("1", ""), &mut cache);
    // `prefix + 1` is no longer an int sum: every reader reports it.
    let text = check_both(&chain("\"a\"", ""), &mut cache);
    assert_eq!(cache.reused(), 0);
    assert_eq!(text.diagnostics.len(), 20, "{:?}", text.diagnostics);
    // Back to an int, with a line above: the errors go; the checks made before the change
    // hold again.
    let back = check_both(&chain("2", "\n"), &mut cache);
    assert!(!back.has_errors(), "{:?}", back.diagnostics);
    assert_eq!(cache.reused(), 20);
    let again = check_both(&chain("3", "\n\n"), &mut cache);
    assert_eq!(cache.reused(), 20, "the `let` changed, its type did not");
    assert!(!again.has_errors());
}

#[test]
fn renaming_a_let_and_back_reuses_its_readers_checks() {
    let mut cache = CheckCache::default();
    // `"a" + 1`: each reader reports it, so a missing `prefix` changes what they say.
    let text = check_both(&chain("\"a\"", ""), &mut cache);
    assert_eq!(text.diagnostics.len(), 20, "{:?}", text.diagnostics);
    let renamed = chain("\"a\"", "")
        .into_iter()
        .map(|(p, t)| (p, t.replacen("let prefix", "let prefix2", 1)))
        .collect();
    let broken = check_both(&renamed, &mut cache);
    assert_eq!(cache.reused(), 0);
    assert!(broken.has_errors());
    check_both(&chain("\"a\"", ""), &mut cache);
    assert_eq!(
        cache.reused(),
        20,
        "the readers' checks before the rename hold again"
    );
    check_both(&renamed, &mut cache);
    assert_eq!(cache.reused(), 20, "and so do those of the renamed state");
}

#[test]
fn a_third_type_is_checked_afresh_not_taken_from_either_kept_check() {
    let mut cache = CheckCache::default();
    check_both(&chain("1", ""), &mut cache);
    check_both(&chain("\"a\"", ""), &mut cache);
    let third = check_both(&chain("true", ""), &mut cache);
    assert_eq!(cache.reused(), 0);
    assert_eq!(third.diagnostics.len(), 20, "{:?}", third.diagnostics);
    assert!(
        third.diagnostics[0].message.contains("bool"),
        "{:?}",
        third.diagnostics[0]
    );
}

/// Like [`chain`], but every resource reads the `let` only as a whole `${prefix}`.
fn interpolations(head: &str) -> Files {
    readers(head, |i| format!("{{ name = \"${{prefix}}-{i}\" }}"))
}

#[test]
fn renaming_an_interpolated_let_keeps_its_readers_checks() {
    let mut cache = CheckCache::default();
    check_both(&interpolations("let prefix = \"a\"\n"), &mut cache);
    // Unknown now: each reader gets its error from resolving references; what the check of
    // a `${prefix}` asks (a scalar, not secret) is as before.
    let renamed = check_both(&interpolations("let prefix2 = \"a\"\n"), &mut cache);
    assert_eq!(cache.reused(), 20);
    let unknown = renamed
        .diagnostics
        .iter()
        .filter(|d| d.code == "E0200")
        .count();
    assert_eq!(unknown, 20, "{:?}", renamed.diagnostics);
    check_both(&interpolations("let prefix = \"a\"\n"), &mut cache);
    assert_eq!(cache.reused(), 20);
}

#[test]
fn an_interpolated_let_may_change_scalar_type_but_not_to_a_collection_or_a_secret() {
    let mut cache = CheckCache::default();
    check_both(&interpolations("let prefix = \"a\"\n"), &mut cache);
    check_both(&interpolations("let prefix = 1\n"), &mut cache);
    assert_eq!(cache.reused(), 20, "a number interpolates as a string does");
    check_both(&interpolations("let prefix = true\n"), &mut cache);
    assert_eq!(cache.reused(), 20);
    let list = check_both(&interpolations("let prefix = [1]\n"), &mut cache);
    assert_eq!(cache.reused(), 0);
    assert_eq!(list.diagnostics.len(), 20, "{:?}", list.diagnostics);
    assert!(list.diagnostics[0].message.contains("interpolate"));
    let secret = "param s: secret\nlet prefix = s\n";
    let hidden = check_both(&interpolations(secret), &mut cache);
    assert_eq!(cache.reused(), 0, "a secret makes the name secret");
    assert!(hidden.has_errors(), "{:?}", hidden.diagnostics);
}

#[test]
fn a_name_read_also_as_a_value_is_compared_whole() {
    let mut cache = CheckCache::default();
    let both = |v: &str| {
        let text = format!(
            "let prefix = {v}\nresource r: core.data {{\n  input = {{ name = \"${{prefix}}\", n = prefix + 1 }}\n}}\n"
        );
        vec![(PathBuf::from("/p/main.infra"), text)]
    };
    check_both(&both("1"), &mut cache);
    let text = check_both(&both("\"a\""), &mut cache);
    assert_eq!(cache.reused(), 0);
    assert!(text.has_errors(), "{:?}", text.diagnostics);
}

/// Each `let` and `param` declared at the start of a line, as (file, offset of its name).
fn values(files: &Files) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (f, (_, text)) in files.iter().enumerate() {
        let mut at = 0;
        for line in text.split_inclusive('\n') {
            for kw in ["let ", "param "] {
                if line.starts_with(kw) {
                    out.push((f, at + kw.len()));
                }
            }
            at += line.len();
        }
    }
    out
}

#[test]
fn a_value_gone_from_any_case_gives_what_a_fresh_check_gives() {
    let mut patched = 0;
    for files in seeds() {
        for (f, at) in values(&files) {
            let mut gone = files.clone();
            if let Some((_, text)) = gone.get_mut(f) {
                text.insert_str(at, "gone_");
            }
            let mut cache = CheckCache::default();
            for step in [&files, &gone, &files, &gone] {
                let Ok(project) = Project::from_sources(step.clone()) else {
                    continue;
                };
                let schemas = schemas::schemas();
                let options = CheckOptions::default();
                let cached = check_cached(&project, &schemas, &options, &mut cache);
                same(&cached, &check_with(&project, &schemas, &options), step);
                patched += cache.reused();
            }
        }
    }
    assert!(patched > 0);
}

#[test]
fn a_let_read_as_a_value_can_be_renamed_without_checking_its_readers_again() {
    let mut cache = CheckCache::default();
    let value = |name: &str| {
        readers(&format!("let {name} = \"a\"\n"), |i| {
            format!("{{ name = prefix, n = {i} }}")
        })
    };
    check_both(&value("prefix"), &mut cache);
    let renamed = check_both(&value("prefix2"), &mut cache);
    assert_eq!(
        cache.reused(),
        20,
        "nothing they found to say depended on it"
    );
    assert_eq!(
        renamed
            .diagnostics
            .iter()
            .filter(|d| d.code == "E0200")
            .count(),
        20,
        "{:?}",
        renamed.diagnostics
    );
    check_both(&value("prefix"), &mut cache);
    assert_eq!(
        cache.reused(),
        20,
        "and the checks before the rename hold again"
    );
}

/// Resources that put the `let` in their `input` (of type `any`) as a whole value, in an
/// object and a list: nothing asks its type.
fn untyped_readers(value: &str) -> Files {
    readers(&format!("param s: secret\nlet prefix = {value}\n"), |i| {
        format!("{{ name = prefix, all = [prefix, {i}] }}")
    })
}

#[test]
fn a_let_whose_type_nothing_asks_may_change_type_but_not_secrecy() {
    let mut cache = CheckCache::default();
    check_both(&untyped_readers("\"a\""), &mut cache);
    for value in ["1", "[1, 2]", "{ k = true }"] {
        let checked = check_both(&untyped_readers(value), &mut cache);
        assert_eq!(cache.reused(), 21, "the 20 readers and `s`: {value}");
        assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
    }
    // A secret into a property that is not secret: every reader says so.
    let secret = check_both(&untyped_readers("s"), &mut cache);
    assert_eq!(cache.reused(), 1, "`s` only");
    assert_eq!(secret.diagnostics.len(), 20, "{:?}", secret.diagnostics);
}

#[test]
fn in_an_operation_a_value_type_is_asked_even_in_an_untyped_input() {
    let mut cache = CheckCache::default();
    let sums = |v: &str| {
        readers(&format!("let prefix = {v}\n"), |_| {
            "{ n = [prefix + 1] }".into()
        })
    };
    check_both(&sums("1"), &mut cache);
    let text = check_both(&sums("\"a\""), &mut cache);
    assert_eq!(text.diagnostics.len(), 20, "{:?}", text.diagnostics);
}
