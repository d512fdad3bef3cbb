//! Refresh: read every recorded object from its provider, concurrently under the same bounds as
//! apply, so that the plan can report drift. At most one read per resource.

use super::graph::Graph;
use super::providers::ProviderSet;
use super::walk::{NodeOutcome, walk};
use crate::state::State;
use infra_provider_core::{Cancel, ObjectState, OpContext};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("refresh failed for {}", .failures.iter().map(|(a, e)| format!("{a} ({e})")).collect::<Vec<_>>().join(", "))]
pub struct RefreshError {
    pub failures: Vec<(String, String)>,
}

/// What a refresh read: each recorded address with its live object (`None`: gone), shared
/// (`Arc`) so that the plan diffs against it without a copy. An address read back exactly as
/// recorded is left out: the state already says what it is, and a large unchanged state is
/// not held twice.
pub type Live = BTreeMap<String, Option<Arc<ObjectState>>>;

/// Live objects by address (`None`: gone). `only` limits the reads (e.g. to `--target`s).
pub async fn refresh(
    state: &State,
    providers: &ProviderSet,
    parallelism: usize,
    cancel: &Cancel,
    only: Option<&BTreeSet<String>>,
) -> Result<Live, RefreshError> {
    refresh_counted(
        state,
        providers,
        parallelism,
        cancel,
        only,
        &AtomicUsize::new(0),
    )
    .await
}

/// How many objects [`refresh_counted`] will read.
pub fn refresh_count(state: &State, only: Option<&BTreeSet<String>>) -> usize {
    state
        .resources
        .keys()
        .filter(|a| only.is_none_or(|o| o.contains(*a)))
        .count()
}

/// [`refresh`], counting the finished reads in `done` as they end (progress for CI logs).
pub async fn refresh_counted(
    state: &State,
    providers: &ProviderSet,
    parallelism: usize,
    cancel: &Cancel,
    only: Option<&BTreeSet<String>>,
    done: &AtomicUsize,
) -> Result<Live, RefreshError> {
    let records: Vec<(&String, &crate::state::ResourceRecord)> = state
        .resources
        .iter()
        .filter(|(a, _)| only.is_none_or(|o| o.contains(*a)))
        .collect();
    let mut graph = Graph::new();
    for (a, _) in &records {
        // Addresses are unique keys of the state map.
        let _ = graph.add_node(a);
    }
    let live = Mutex::new(BTreeMap::new());
    let outcomes = walk(
        &graph,
        parallelism,
        |i| providers.limiter(&records[i].1.type_name),
        cancel,
        |i| {
            let (address, rec) = records[i];
            let live = &live;
            Box::pin(async move {
                let provider = providers
                    .provider(&rec.type_name)
                    .ok_or_else(|| format!("no provider for `{}`", rec.type_name))?;
                let ctx = OpContext {
                    cancel: cancel.clone(),
                    address: address.clone(),
                };
                let prior = rec.object_state();
                let obj = provider.read(&rec.type_name, &prior, &ctx).await;
                done.fetch_add(1, Ordering::Relaxed);
                let obj = obj.map_err(|e| e.to_string())?;
                if obj.as_ref() == Some(&prior) {
                    return Ok(());
                }
                if let Ok(mut l) = live.lock() {
                    l.insert(address.clone(), obj.map(Arc::new));
                }
                Ok(())
            })
        },
    )
    .await;
    let failures: Vec<(String, String)> = outcomes
        .into_iter()
        .enumerate()
        .filter_map(|(i, o)| match o {
            NodeOutcome::Done => None,
            NodeOutcome::Failed(e) => Some((records[i].0.clone(), e)),
            NodeOutcome::Skipped(_) | NodeOutcome::Cancelled => {
                Some((records[i].0.clone(), "cancelled".into()))
            }
        })
        .collect();
    if !failures.is_empty() {
        return Err(RefreshError { failures });
    }
    Ok(live.into_inner().unwrap_or_else(|p| p.into_inner()))
}
