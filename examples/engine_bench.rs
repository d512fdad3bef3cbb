//! Engine overhead benchmark on a platform-shaped graph of `core.data` resources (no cloud):
//! layers of 50, each resource referencing the `name` output of 1-3 resources of the previous
//! layer. Measures plan on an empty state, apply (local state, journal on), and plan on the full
//! state. Usage: `cargo run --release --example engine_bench -- N [RUNS]`.

use infra::engine::{
    ApplyContext, ApplyOptions, PlanInput, PlanOptions, ProgressEvent, ProviderSet, apply, plan,
};
use infra::state::{LocalStore, State};
use infra_provider_core::{Cancel, CoreProvider, DesiredResource, Lifecycle, Props, Value};
use std::sync::Arc;
use std::time::Instant;

const WIDTH: usize = 50;

struct Shape {
    deps: Vec<Vec<usize>>,
}

fn addr(i: usize) -> String {
    format!("module.layer{}.res[\"{}\"]", i / WIDTH, i % WIDTH)
}

fn index_of(address: &str) -> Option<usize> {
    let (layer, rest) = address
        .strip_prefix("module.layer")?
        .split_once(".res[\"")?;
    let slot: usize = rest.strip_suffix("\"]")?.parse().ok()?;
    Some(layer.parse::<usize>().ok()? * WIDTH + slot)
}

impl Shape {
    fn new(n: usize) -> Shape {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize
        };
        let deps = (0..n)
            .map(|i| {
                if i < WIDTH {
                    return vec![];
                }
                let base = (i / WIDTH - 1) * WIDTH;
                let mut d: Vec<usize> =
                    (0..1 + next() % 3).map(|_| base + next() % WIDTH).collect();
                d.sort();
                d.dedup();
                d
            })
            .collect();
        Shape { deps }
    }

    /// What the evaluator would produce: the `name` output of each dependency, unknown until known.
    fn input(&self, i: usize, outputs: &dyn Fn(&str) -> Option<Props>) -> Props {
        let refs = self.deps[i]
            .iter()
            .map(|&j| {
                outputs(&addr(j))
                    .and_then(|o| match o.get("output") {
                        Some(Value::Object(m)) => m.get("name").cloned(),
                        _ => None,
                    })
                    .unwrap_or(Value::Unknown)
            })
            .collect();
        let mut obj = infra_provider_core::Map::new();
        obj.insert("name".to_string(), Value::str(format!("res-{i}")));
        obj.insert("sku".to_string(), Value::str("Standard"));
        obj.insert("refs".to_string(), Value::List(refs));
        let mut p = Props::new();
        p.insert("input".into(), Value::Object(obj));
        p
    }

    fn desired(&self, state: &State) -> Vec<DesiredResource> {
        let outs = |a: &str| state.resources.get(a).map(|r| r.output_values());
        (0..self.deps.len())
            .map(|i| DesiredResource {
                address: addr(i),
                type_name: "core.data".into(),
                properties: self.input(i, &outs).into(),
                depends_on: self.deps[i].iter().map(|&j| addr(j)).collect(),
                lifecycle: Lifecycle::default(),
                existing: false,
            })
            .collect()
    }
}

fn peak_rss_mb() -> f64 {
    rss_mb("VmHWM:")
}

fn rss_mb(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(field)).map(str::to_string))
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

struct Figures {
    plan_empty: f64,
    apply: f64,
    load: f64,
    replan: f64,
}

fn run_once(n: usize) -> Result<Figures, String> {
    let shape = Shape::new(n);
    let providers = ProviderSet::new().with(Arc::new(CoreProvider::new()));
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let keys = infra::state::KeyConfig {
        fingerprint: infra::state::FingerprintSource::File(dir.path().join("bench.key")),
        ..Default::default()
    };
    let store =
        infra::state::StateStore::Local(LocalStore::new(dir.path(), "bench").with_keys(keys));
    let key = store.secret_key("bench").map_err(|e| e.to_string())?.key;
    let re = |a: &str, outs: &dyn Fn(&str) -> Option<Props>| {
        let i = index_of(a).ok_or_else(|| format!("unexpected address {a}"))?;
        Ok(shape.input(i, outs))
    };
    let state = store.load().map_err(|e| e.to_string())?.state;

    let t = Instant::now();
    let desired = shape.desired(&state);
    let input = PlanInput {
        desired: &desired,
        state: &state,
        live: None,
        providers: &providers,
        key: &key,
        reevaluate: Some(&re),
        options: PlanOptions::default(),
    };
    let p = plan(&input).map_err(|e| e.to_string())?;
    let plan_empty = t.elapsed().as_secs_f64();
    if std::env::var_os("BENCH_MEM").is_some() {
        eprintln!("after plan: {:.0}MB", rss_mb("VmRSS:"));
    }
    if p.summary().add != n {
        return Err(format!("expected {n} creates, got {:?}", p.summary()));
    }

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let progress = |_e: ProgressEvent| {};
    let never = Cancel::never();
    let cx = ApplyContext {
        providers: &providers,
        key: &key,
        store: Some(&store),
        reevaluate: Some(&re),
        progress: &progress,
        cancel: &never,
        abort: &never,
        options: ApplyOptions::default(),
    };
    let t = Instant::now();
    let (_, report) = rt
        .block_on(apply(&p, state, &cx))
        .map_err(|e| e.to_string())?;
    let apply_s = t.elapsed().as_secs_f64();
    if std::env::var_os("BENCH_MEM").is_some() {
        eprintln!("after apply: {:.0}MB", rss_mb("VmRSS:"));
    }
    if !report.is_success() || report.done.len() != n {
        return Err(format!(
            "apply incomplete: {} done, {:?}",
            report.done.len(),
            report.failed.first()
        ));
    }

    drop(p);
    let t = Instant::now();
    let state = store.load().map_err(|e| e.to_string())?.state;
    let load = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let desired = shape.desired(&state);
    let input = PlanInput {
        desired: &desired,
        state: &state,
        live: None,
        providers: &providers,
        key: &key,
        reevaluate: Some(&re),
        options: PlanOptions::default(),
    };
    let again = plan(&input).map_err(|e| e.to_string())?;
    let replan = t.elapsed().as_secs_f64();
    if !again.is_empty() {
        return Err(format!("re-plan is not empty: {:?}", again.summary()));
    }
    Ok(Figures {
        plan_empty,
        apply: apply_s,
        load,
        replan,
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(5_000);
    let runs: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(3).max(1);
    let mut all = Vec::new();
    for _ in 0..runs {
        match run_once(n) {
            Ok(f) => all.push(f),
            Err(e) => {
                eprintln!("engine_bench: {e}");
                return std::process::ExitCode::FAILURE;
            }
        }
    }
    let m = |f: fn(&Figures) -> f64| median(all.iter().map(f).collect());
    println!(
        "N={n} runs={runs} (median) plan_empty={:.3}s apply={:.3}s state_load={:.3}s replan_full={:.3}s peak_rss={:.0}MB",
        m(|f| f.plan_empty),
        m(|f| f.apply),
        m(|f| f.load),
        m(|f| f.replan),
        peak_rss_mb()
    );
    std::process::ExitCode::SUCCESS
}
