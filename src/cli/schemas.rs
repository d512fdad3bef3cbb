//! The composition root for schemas: which providers' resource types a run knows.

use infra_provider_core::SchemaSet;

pub fn all() -> SchemaSet {
    let mut set = SchemaSet::new();
    set.add(infra_provider_core::builtin::data::data_schema());
    infra_provider_azure::register(&mut set);
    infra_provider_postgres::register(&mut set);
    infra_provider_hyperv::register(&mut set);
    set
}
