//! Golden tests of the three views. Expected outputs live in tests/golden/render/; run with
//! `UPDATE_GOLDEN=1` to regenerate them after an intended change, and review the diff.

use super::*;
use crate::engine::testkit::*;
use crate::engine::{Plan, PlanInput, PlanOptions, plan};
use crate::state::State;
use infra_provider_core::{DesiredResource, ObjectState, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;

const CANARY: &str = "canary-s3cr3t-7f1d";

fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/render")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} missing; run with UPDATE_GOLDEN=1", path.display()));
    assert_eq!(
        actual, expected,
        "{name} differs from the golden file; UPDATE_GOLDEN=1 regenerates it"
    );
}

fn make(
    desired: &[DesiredResource],
    state: &State,
    live: Option<&BTreeMap<String, Option<ObjectState>>>,
) -> Plan {
    let providers = providers();
    let key = key();
    let live = live.map(crate::engine::plan_tests::shared);
    let input = PlanInput {
        desired,
        state,
        live: live.as_ref(),
        providers: &providers,
        key: &key,
        reevaluate: None,
        options: PlanOptions::default(),
    };
    plan(&input).unwrap()
}

/// Every kind of change at once: create, update (with a multi-line string and a secret),
/// replace, delete, read, no-op, drift, unknowns.
fn mixed() -> Plan {
    let thing = |name: &str, size: i64, script: &str, pw: &str| {
        props(&[
            ("name", Value::str(name)),
            ("size", Value::Int(size)),
            ("script", Value::str(script)),
            ("password", Value::secret(Value::str(pw))),
        ])
    };
    let fq = props(&[("fqdn", Value::str("web.example"))]);
    let state = state_with(vec![
        (
            "app.web",
            record(
                "test.thing",
                "id-web",
                thing("web", 1, "echo a\necho b\necho c\n", "old-pw"),
                fq.clone(),
            ),
        ),
        (
            "app.db",
            record("test.thing", "id-db", thing("db", 2, "", "x"), fq.clone()),
        ),
        (
            "old",
            record(
                "core.data",
                "data-0",
                props(&[("input", Value::Int(1))]),
                props(&[("output", Value::Int(1))]),
            ),
        ),
        (
            "same",
            record(
                "core.data",
                "data-9",
                props(&[("input", Value::Int(9))]),
                props(&[("output", Value::Int(9))]),
            ),
        ),
        (
            "drifted",
            record(
                "core.data",
                "data-8",
                props(&[("input", Value::Int(8))]),
                props(&[("output", Value::Int(8))]),
            ),
        ),
    ]);
    let mut live = BTreeMap::new();
    let d8 = ObjectState {
        id: "data-8".into(),
        inputs: props(&[("input", Value::Int(80))]),
        outputs: props(&[("output", Value::Int(80))]),
    };
    live.insert("drifted".to_string(), Some(d8));
    let mut existing = desired(
        "lookup",
        "core.data",
        props(&[("input", Value::str("k"))]),
        &[],
    );
    existing.existing = true;
    let desired = vec![
        desired(
            "app.web",
            "test.thing",
            thing("web", 1, "echo a\necho B\necho c\n", CANARY),
            &[],
        ),
        desired("app.db", "test.thing", thing("db2", 2, "", "x"), &[]),
        desired(
            "new[\"k\"]",
            "core.data",
            props(&[
                ("input", Value::Unknown),
                ("note", Value::str("a `b` ```c```")),
            ]),
            &[],
        ),
        desired("same", "core.data", props(&[("input", Value::Int(9))]), &[]),
        desired(
            "drifted",
            "core.data",
            props(&[("input", Value::Int(8))]),
            &[],
        ),
        existing,
    ];
    make(&desired, &state, Some(&live))
}

fn empty() -> Plan {
    let state = state_with(vec![(
        "a",
        record(
            "core.data",
            "data-1",
            props(&[("input", Value::Int(1))]),
            props(&[("output", Value::Int(1))]),
        ),
    )]);
    make(
        &[desired(
            "a",
            "core.data",
            props(&[("input", Value::Int(1))]),
            &[],
        )],
        &state,
        None,
    )
}

fn many(n: usize) -> Plan {
    let desired: Vec<_> = (0..n)
        .map(|i| {
            desired(
                &format!("module.m.r{i:03}"),
                "core.data",
                props(&[("input", Value::str(format!("value {i}")))]),
                &[],
            )
        })
        .collect();
    make(&desired, &State::new("l".into()), None)
}

/// A group replaced because its name changed: the vault in it goes along, one object in the
/// group is not managed by infra, and a group elsewhere is deleted with its content.
fn blast() -> Plan {
    let rg = "/subscriptions/s/resourceGroups/app";
    let thing = |name: &str| props(&[("name", Value::str(name)), ("size", Value::Int(1))]);
    let at = |id: &str, name: &str| {
        record(
            "test.thing",
            id,
            thing(name),
            infra_provider_core::Map::new(),
        )
    };
    let state = state_with(vec![
        ("rg", at(rg, "app")),
        (
            "vault",
            at(
                &format!("{rg}/providers/Microsoft.KeyVault/vaults/kv"),
                "kv",
            ),
        ),
        ("old", at("/subscriptions/s/resourceGroups/old", "old")),
        (
            "old_zone",
            at(
                "/subscriptions/s/resourceGroups/old/providers/Microsoft.Network/dnsZones/z",
                "z",
            ),
        ),
    ]);
    let desired = vec![
        desired("rg", "test.thing", thing("app2"), &[]),
        desired("vault", "test.thing", thing("kv"), &["rg"]),
    ];
    let mut p = make(&desired, &state, None);
    let found = vec![(
        "rg".to_string(),
        vec![format!("{rg}/providers/Microsoft.Web/sites/portal-made")],
    )];
    crate::engine::blast::add_unmanaged(&mut p, &state, &found, true).unwrap();
    p
}

/// Plan wording: a create with an empty default (not shown) and a reference held as an ARM
/// id (shown by name), an update of a reference, and changes to outputs.
fn wording() -> Plan {
    let zone = "/subscriptions/s/resourceGroups/app/providers/Microsoft.Network/dnsZones/a.example";
    let other =
        "/subscriptions/s/resourceGroups/app/providers/Microsoft.Network/dnsZones/b.example";
    let state = state_with(vec![(
        "moved",
        record(
            "test.thing",
            "id-moved",
            props(&[("name", Value::str("m")), ("script", Value::str(zone))]),
            props(&[("fqdn", Value::str("m.example"))]),
        ),
    )]);
    let desired = vec![
        desired(
            "fresh",
            "test.thing",
            props(&[
                ("name", Value::str("f")),
                ("script", Value::str(zone)),
                ("tags", Value::Object(infra_provider_core::Map::new())),
            ]),
            &[],
        ),
        desired(
            "moved",
            "test.thing",
            props(&[("name", Value::str("m")), ("script", Value::str(other))]),
            &[],
        ),
    ];
    let mut p = make(&desired, &state, None);
    let out = |pairs: &[(&str, Value, bool)]| {
        pairs
            .iter()
            .map(|(k, v, s)| (k.to_string(), (v.clone(), *s)))
            .collect::<crate::engine::outputs::Outputs>()
    };
    p.output_changes = crate::engine::outputs::output_changes(
        Some(&out(&[
            ("host", Value::str("m.example"), false),
            ("old", Value::Int(1), false),
        ])),
        &out(&[
            ("host", Value::Unknown, false),
            ("url", Value::str("https://f.example"), false),
            ("token", Value::str(CANARY), true),
        ]),
    );
    p
}

/// `--refresh-only` with drift: the drift, then no "No changes".
fn drift_only() -> Plan {
    let state = state_with(vec![(
        "a",
        record(
            "core.data",
            "data-1",
            props(&[("input", Value::Int(1))]),
            props(&[("output", Value::Int(1))]),
        ),
    )]);
    let mut live = BTreeMap::new();
    live.insert(
        "a".to_string(),
        Some(ObjectState {
            id: "data-1".into(),
            inputs: props(&[("input", Value::Int(2))]),
            outputs: props(&[("output", Value::Int(2))]),
        }),
    );
    let providers = providers();
    let key = key();
    plan(&PlanInput {
        desired: &[desired(
            "a",
            "core.data",
            props(&[("input", Value::Int(1))]),
            &[],
        )],
        state: &state,
        live: Some(&crate::engine::plan_tests::shared(&live)),
        providers: &providers,
        key: &key,
        reevaluate: None,
        options: PlanOptions {
            refresh_only: true,
            ..Default::default()
        },
    })
    .unwrap()
}

#[test]
fn wording_views() {
    let p = wording();
    let human = render_human(&p, &HumanOptions { color: false });
    assert!(!human.contains("tags = {}"), "{human}");
    assert!(human.contains("script = \"a.example\""), "{human}");
    assert!(!human.contains(CANARY));
    golden("wording.txt", &human);
    golden(
        "wording.md",
        &render_markdown(&p, &MarkdownOptions::default()),
    );
    golden("wording.json", &render_json(&p));
    let d = drift_only();
    let human = render_human(&d, &HumanOptions { color: false });
    assert!(!human.contains("No changes"), "{human}");
    golden("drift-only.txt", &human);
    let md = render_markdown(&d, &MarkdownOptions::default());
    assert!(!md.contains("No changes"), "{md}");
    golden("drift-only.md", &md);
}

#[test]
fn blast_radius_views() {
    let p = blast();
    golden(
        "blast.txt",
        &render_human(&p, &HumanOptions { color: false }),
    );
    golden(
        "blast.md",
        &render_markdown(&p, &MarkdownOptions::default()),
    );
    golden("blast.json", &render_json(&p));
}

#[test]
fn human_views() {
    golden(
        "mixed.txt",
        &render_human(&mixed(), &HumanOptions { color: false }),
    );
    golden(
        "mixed.color.txt",
        &render_human(&mixed(), &HumanOptions { color: true }),
    );
    golden(
        "empty.txt",
        &render_human(&empty(), &HumanOptions { color: false }),
    );
}

#[test]
fn markdown_views() {
    golden(
        "mixed.md",
        &render_markdown(&mixed(), &MarkdownOptions::default()),
    );
    golden(
        "empty.md",
        &render_markdown(&empty(), &MarkdownOptions::default()),
    );
    let small = MarkdownOptions {
        max_chars: 2_000,
        full_plan_hint: "the `plan.json` artifact".into(),
    };
    let cut = render_markdown(&many(40), &small);
    assert!(cut.len() <= 2_000, "{}", cut.len());
    golden("cut.md", &cut);
}

#[test]
fn json_views() {
    golden("mixed.json", &render_json(&mixed()));
    golden("empty.json", &render_json(&empty()));
}

#[test]
fn markdown_never_exceeds_60k() {
    let md = render_markdown(&many(3_000), &MarkdownOptions::default());
    assert!(md.chars().count() <= 60_000);
    assert!(md.contains("not shown here") && md.contains("full plan is in"));
    assert!(!md.contains('\x1b'));
}

#[test]
fn summary_line_is_exact() {
    let h = render_human(&mixed(), &HumanOptions::default());
    assert!(
        h.contains("Plan: 1 to add, 2 to change, 1 to replace, 1 to destroy.\n"),
        "{h}"
    );
}

#[test]
fn canary_never_rendered() {
    let p = mixed();
    for shown in [
        render_human(&p, &HumanOptions { color: true }),
        render_markdown(&p, &MarkdownOptions::default()),
        render_json(&p),
        format!("{p:?}"),
    ] {
        assert!(!shown.contains(CANARY));
        assert!(!shown.contains("old-pw"));
    }
}

#[test]
fn colour_choice() {
    assert!(color_enabled("always", false, true));
    assert!(!color_enabled("never", true, false));
    assert!(color_enabled("auto", true, false));
    assert!(!color_enabled("auto", true, true));
    assert!(!color_enabled("auto", false, false));
}

/// The issue's case: thousands of `core.data` and a few hundred cloud objects. Before, the cut
/// kept the alphabetically first entries and no cloud change was visible.
#[test]
fn markdown_shows_cloud_and_risky_changes_first_whatever_the_size() {
    let thing = |name: &str| props(&[("name", Value::str(name)), ("size", Value::Int(1))]);
    let gone: Vec<(String, _)> = (0..5)
        .map(|i| {
            let a = format!("zz_gone{i}");
            let r = record(
                "test.thing",
                &format!("id-{a}"),
                thing(&a),
                infra_provider_core::Map::new(),
            );
            (a, r)
        })
        .collect();
    let state = state_with(gone.iter().map(|(a, r)| (a.as_str(), r.clone())).collect());
    let mut d: Vec<_> = (0..3_000)
        .map(|i| {
            desired(
                &format!("aaa_data[{i:04}]"),
                "core.data",
                props(&[("input", Value::str(format!("value {i}")))]),
                &[],
            )
        })
        .collect();
    d.extend((0..300).map(|i| {
        desired(
            &format!("vm[{i:03}]"),
            "test.thing",
            thing(&format!("vm{i}")),
            &[],
        )
    }));
    let p = make(&d, &state, None);
    let md = render_markdown(
        &p,
        &MarkdownOptions {
            full_plan_hint: "the `plan` artifact".into(),
            ..MarkdownOptions::default()
        },
    );
    assert!(md.chars().count() <= 60_000, "{}", md.len());
    let head = &md[..md.find("<details>").expect("some details")];
    assert!(
        head.contains("| `test.thing` | 300 | 0 | 0 | 5 |"),
        "{head}"
    );
    assert!(
        head.contains("| `core.data` | 3000 | 0 | 0 | 0 |"),
        "{head}"
    );
    for i in 0..5 {
        assert!(
            head.contains(&format!("**delete** <code>zz_gone{i}</code>")),
            "{head}"
        );
    }
    // Cloud objects come first: the deletes, then as many creates as fit, before any core.data.
    let shown = (0..300)
        .filter(|i| md.contains(&format!("<code>vm[{i:03}]</code>")))
        .count();
    assert_eq!(shown, 300, "every cloud create is shown");
    let first_data = md.find("<code>aaa_data[").unwrap_or(md.len());
    let last_cloud = md.rfind("<code>vm[").unwrap_or(0);
    assert!(last_cloud < first_data);
    // The cut says what it left out, by type, and where the rest is.
    let note = &md[md.rfind("\n_").expect("cut note")..];
    let data_shown = md.matches("<code>aaa_data[").count();
    assert!(data_shown < 3_000);
    let left = format!("{} of 3305 entries are not shown", 3_000 - data_shown);
    assert!(note.contains(&left), "{note}");
    assert!(
        note.contains(&format!("({} `core.data`)", 3_000 - data_shown)),
        "{note}"
    );
    assert!(note.contains("the `plan` artifact"), "{note}");
}
