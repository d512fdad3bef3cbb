//! The providers of a run, found by the prefix of a type name (`core.data` → `core`), each with
//! its own limiter sized from its concurrency hints.

use infra_provider_core::{DesiredResource, Provider, ResourceSchema};
use std::collections::BTreeMap;
use std::sync::Arc;
use tokio::sync::Semaphore;

#[derive(Clone, Default)]
pub struct ProviderSet {
    providers: BTreeMap<String, (Arc<dyn Provider>, Arc<Semaphore>)>,
    schemas: BTreeMap<String, ResourceSchema>,
    /// The provider of type references (`"Microsoft.Web/sites@..."`), if any.
    type_refs: Option<String>,
}

impl ProviderSet {
    pub fn new() -> ProviderSet {
        ProviderSet::default()
    }

    pub fn add(&mut self, provider: Arc<dyn Provider>) {
        for s in provider.schemas() {
            self.schemas.insert(s.type_name.clone(), s);
        }
        let limit = provider.concurrency().max_in_flight.max(1);
        let name = provider.name().to_string();
        if provider.serves_type_refs() {
            self.type_refs = Some(name.clone());
        }
        self.providers
            .insert(name, (provider, Arc::new(Semaphore::new(limit))));
    }

    pub fn with(mut self, provider: Arc<dyn Provider>) -> ProviderSet {
        self.add(provider);
        self
    }

    fn entry(&self, type_name: &str) -> Option<&(Arc<dyn Provider>, Arc<Semaphore>)> {
        if infra_provider_core::typed::is_type_ref(type_name) {
            return self.providers.get(self.type_refs.as_deref()?);
        }
        let prefix = type_name.split('.').next().unwrap_or(type_name);
        self.providers.get(prefix)
    }

    pub fn provider(&self, type_name: &str) -> Option<&Arc<dyn Provider>> {
        self.entry(type_name).map(|e| &e.0)
    }

    pub fn limiter(&self, type_name: &str) -> Option<Arc<Semaphore>> {
        self.entry(type_name).map(|e| e.1.clone())
    }

    /// Hands the run's desired resources to every provider before any read.
    pub fn prepare(&self, desired: &[DesiredResource]) {
        for (provider, _) in self.providers.values() {
            provider.prepare(desired);
        }
    }

    pub fn schema(&self, type_name: &str) -> Option<&ResourceSchema> {
        self.schemas.get(type_name)
    }
}
