//! The graph walker: runs each node once all its dependencies have succeeded, at most
//! `parallelism` at a time and within each node's own limiter (one semaphore per provider).
//!
//! The in-flight futures are polled by the walker itself rather than spawned, so they may
//! borrow the plan, the state and the caller's callbacks; operations are I/O-bound, so one task
//! is enough, and tests get the exact bound without thread timing.

use super::graph::Graph;
use infra_provider_core::Cancel;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use tokio::sync::Semaphore;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeOutcome {
    Done,
    Failed(String),
    /// Not run because a dependency failed (the first failed dependency's index).
    Skipped(usize),
    /// Not started because the walk was cancelled.
    Cancelled,
}

type NodeFuture<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + 'a>>;

/// Walks `graph`; `limiter(i)` is the semaphore node `i` must also hold (its provider's).
pub async fn walk<'a, F, L>(
    graph: &Graph,
    parallelism: usize,
    limiter: L,
    cancel: &Cancel,
    mut run: F,
) -> Vec<NodeOutcome>
where
    F: FnMut(usize) -> NodeFuture<'a>,
    L: Fn(usize) -> Option<Arc<Semaphore>>,
{
    let parallelism = parallelism.max(1);
    let n = graph.len();
    let mut outcome: Vec<Option<NodeOutcome>> = vec![None; n];
    let mut missing: Vec<usize> = (0..n).map(|i| graph.deps(i).len()).collect();
    let mut ready: VecDeque<usize> = (0..n).filter(|&i| missing[i] == 0).collect();
    let mut in_flight: Vec<(usize, NodeFuture<'a>)> = Vec::new();

    loop {
        while in_flight.len() < parallelism && !cancel.is_cancelled() {
            let Some(i) = ready.pop_front() else { break };
            let fut = run(i);
            let sem = limiter(i);
            let guarded: NodeFuture<'a> = Box::pin(async move {
                // A closed semaphore only means nobody limits us any more.
                let _permit = match &sem {
                    Some(s) => s.clone().acquire_owned().await.ok(),
                    None => None,
                };
                fut.await
            });
            in_flight.push((i, guarded));
        }
        if in_flight.is_empty() {
            break;
        }
        let (i, result) = std::future::poll_fn(|cx| {
            for k in 0..in_flight.len() {
                if let Poll::Ready(r) = in_flight[k].1.as_mut().poll(cx) {
                    let (i, _) = in_flight.swap_remove(k);
                    return Poll::Ready((i, r));
                }
            }
            Poll::Pending
        })
        .await;
        match result {
            Ok(()) => {
                outcome[i] = Some(NodeOutcome::Done);
                for &d in graph.dependents(i) {
                    missing[d] -= 1;
                    if missing[d] == 0 && outcome[d].is_none() {
                        ready.push_back(d);
                    }
                }
            }
            Err(e) => {
                outcome[i] = Some(NodeOutcome::Failed(e));
                skip_dependents(graph, i, &mut outcome);
            }
        }
    }
    outcome
        .into_iter()
        .map(|o| o.unwrap_or(NodeOutcome::Cancelled))
        .collect()
}

fn skip_dependents(graph: &Graph, failed: usize, outcome: &mut [Option<NodeOutcome>]) {
    let mut stack = vec![failed];
    while let Some(i) = stack.pop() {
        for &d in graph.dependents(i) {
            if outcome[d].is_none() {
                outcome[d] = Some(NodeOutcome::Skipped(failed));
                stack.push(d);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::cell::{Cell, RefCell};
    use std::time::Duration;

    fn graph(n: usize, edges: &[(usize, usize)]) -> Graph {
        let mut g = Graph::new();
        for i in 0..n {
            g.add_node(&format!("n{i}")).unwrap();
        }
        for &(a, b) in edges {
            // Only from later to earlier nodes: always a DAG.
            if a > b && a < n {
                g.add_edge(a, b);
            }
        }
        g
    }

    fn run_walk(
        g: &Graph,
        parallelism: usize,
        per_node_limit: usize,
        fail: Option<usize>,
    ) -> (Vec<NodeOutcome>, usize, usize) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let finished = RefCell::new(vec![false; g.len()]);
        let now = Cell::new(0usize);
        let peak = Cell::new(0usize);
        let order_ok = Cell::new(true);
        let limited = Arc::new(Semaphore::new(per_node_limit));
        let lim_now = Cell::new(0usize);
        let lim_peak = Cell::new(0usize);
        let outcomes = rt.block_on(walk(
            g,
            parallelism,
            |i| (i % 2 == 0).then(|| limited.clone()),
            &Cancel::never(),
            |i| {
                let (finished, now, peak, order_ok, lim_now, lim_peak) =
                    (&finished, &now, &peak, &order_ok, &lim_now, &lim_peak);
                Box::pin(async move {
                    if g.deps(i).iter().any(|&d| !finished.borrow()[d]) {
                        order_ok.set(false);
                    }
                    now.set(now.get() + 1);
                    peak.set(peak.get().max(now.get()));
                    if i % 2 == 0 {
                        lim_now.set(lim_now.get() + 1);
                        lim_peak.set(lim_peak.get().max(lim_now.get()));
                    }
                    tokio::time::sleep(Duration::from_micros((i % 7) as u64 * 50)).await;
                    if i % 2 == 0 {
                        lim_now.set(lim_now.get() - 1);
                    }
                    now.set(now.get() - 1);
                    finished.borrow_mut()[i] = true;
                    if Some(i) == fail {
                        Err("boom".to_string())
                    } else {
                        Ok(())
                    }
                })
            },
        ));
        assert!(
            order_ok.get(),
            "a node started before one of its dependencies finished"
        );
        (outcomes, peak.get(), lim_peak.get())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn respects_edges_and_bounds(n in 1usize..40, edges in prop::collection::vec((0usize..40, 0usize..40), 0..80), p in 1usize..8, lim in 1usize..4) {
            let g = graph(n, &edges);
            let (outcomes, peak, lim_peak) = run_walk(&g, p, lim, None);
            prop_assert!(outcomes.iter().all(|o| *o == NodeOutcome::Done));
            prop_assert!(peak <= p, "peak {} > bound {}", peak, p);
            prop_assert!(lim_peak <= lim, "provider peak {} > {}", lim_peak, lim);
        }
    }

    #[test]
    fn failure_skips_dependents_only() {
        let g = graph(4, &[(1, 0), (2, 1), (3, 0)]);
        // n0 <- n1 <- n2, n0 <- n3; n1 fails.
        let (o, _, _) = run_walk(&g, 4, 4, Some(1));
        assert_eq!(o[0], NodeOutcome::Done);
        assert_eq!(o[1], NodeOutcome::Failed("boom".into()));
        assert_eq!(o[2], NodeOutcome::Skipped(1));
        assert_eq!(o[3], NodeOutcome::Done);
    }

    #[test]
    fn cancel_stops_scheduling() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let g = graph(3, &[(1, 0), (2, 1)]);
        let (handle, token) = Cancel::new();
        let o = rt.block_on(walk(
            &g,
            4,
            |_| None,
            &token,
            |_| {
                handle.cancel();
                Box::pin(async { Ok(()) })
            },
        ));
        assert_eq!(
            o,
            [
                NodeOutcome::Done,
                NodeOutcome::Cancelled,
                NodeOutcome::Cancelled
            ]
        );
    }
}
