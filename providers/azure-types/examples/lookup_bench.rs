//! Times the catalog: first lookup (index + one chunk inflated) and loading every type.
//! Run: cargo run --release -p infra-azure-types --example lookup_bench

use std::time::Instant;

fn main() {
    let t = Instant::now();
    let catalog = infra_azure_types::catalog();
    let index = t.elapsed();
    let t = Instant::now();
    let site = catalog.resolve("Microsoft.Web/sites@2025-03-01");
    let first = t.elapsed();
    let t = Instant::now();
    let _ = catalog.resolve("Microsoft.Web/serverfarms@2025-03-01");
    let same_chunk = t.elapsed();
    let t = Instant::now();
    let mut n = 0;
    let names: Vec<String> = catalog.type_names().map(str::to_string).collect();
    for name in &names {
        for v in catalog.versions(name) {
            if catalog
                .resolve(&format!("{name}@{v}"))
                .resource_type()
                .is_some()
            {
                n += 1;
            }
        }
    }
    let all = t.elapsed();
    let t = Instant::now();
    let body = serde_json::json!({"location": "westeurope", "properties": {"serverFarmId": "/x", "httpsOnly": true,
        "siteConfig": {"linuxFxVersion": "DOCKER|nginx:1.27", "alwaysOn": true}}});
    let ty = site.resource_type().expect("Microsoft.Web/sites is known");
    for _ in 0..1000 {
        let _ = infra_azure_types::validate(ty, &body);
    }
    let validate = t.elapsed() / 1000;
    println!("data file: {} bytes", infra_azure_types::data_bytes().len());
    println!("catalog() (header + index inflate): {index:?}");
    println!("first lookup Microsoft.Web/sites@2025-03-01 (chunk inflate + decode): {first:?}");
    println!("second lookup in the same chunk: {same_chunk:?}");
    println!("every type loaded ({n} type/versions): {all:?}");
    println!("validate of a web app body: {validate:?}");
}
