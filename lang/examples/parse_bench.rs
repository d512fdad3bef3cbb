//! Parses a generated file of about 20,000 lines and prints the time taken (median of a few
//! runs). `cargo run --release -p infra-lang --example parse_bench [LINES]`.

use std::fmt::Write;
use std::time::Instant;

fn generate(lines: usize) -> String {
    let mut out =
        String::from("param environment: string\nparam location: string = \"westeurope\"\n\n");
    let mut i: usize = 0;
    // Each block below is 14 lines.
    while 3 + i * 14 < lines {
        let _ = write!(
            out,
            r#"// resource number {i}
resource r{i}: azure.storage_account {{
  name           = "${{environment}}-store-{i}"
  location       = location
  tags           = {{ env = environment, index = "{i}", owner = "platform" }}
  replicas       = {i} % 3 + 1
  enabled        = environment == "prod" ? true : false
  depends_on     = [r{prev}]
  allowed        = [for ip in ["10.0.0.1", "10.0.0.2"]: "${{ip}}/32"]
}}

let v{i} = lower(join(",", [r{prev}.id, "x-{i}"]))
output o{i} = r{i}.name

"#,
            prev = i.saturating_sub(1)
        );
        i += 1;
    }
    out
}

fn main() {
    let lines: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    let text = generate(lines);
    let mut times = Vec::new();
    let mut items = 0;
    for _ in 0..5 {
        let start = Instant::now();
        let (file, diags) = infra_lang::syntax::parse(infra_lang::FileId(0), &text);
        times.push(start.elapsed());
        assert!(diags.is_empty(), "generated file has errors: {diags:?}");
        items = file.items.len();
    }
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "parse: {} lines, {} bytes, {items} items: median {:.1} ms (min {:.1} ms) over {} runs",
        text.lines().count(),
        text.len(),
        median.as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times.len()
    );
}
