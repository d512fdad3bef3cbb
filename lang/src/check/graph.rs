//! The dependency graph of a module's declarations: cycles (E0400, each reported once with
//! its whole path) and the evaluation order. Iterative algorithms throughout: a chain of
//! thousands of declarations must not exhaust the stack.

use super::Decl;
use crate::diag::{self, Diagnostic, graph::Step};
use crate::span::Span;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// Returns the declarations in dependency order (dependencies first, ties by name; members
/// of cycles last) and one diagnostic per cycle.
pub(crate) fn analyse(
    decls: &[Decl],
    edges: &[Vec<(usize, Span)>],
) -> (Vec<usize>, Vec<Diagnostic>) {
    let n = edges.len();
    let name = |i: usize| decls.get(i).map(|d| d.name.as_str()).unwrap_or("");
    // Ties go by name; ranking the names once makes each comparison an integer one
    // (`(name, index)` and its rank order the nodes alike). The names are sorted beside
    // their indices, not looked up through the declarations at each comparison.
    let mut by_name: Vec<(&str, usize)> = (0..n).map(|i| (name(i), i)).collect();
    by_name.sort_unstable();
    let mut rank = vec![0; n];
    for (r, &(_, i)) in by_name.iter().enumerate() {
        rank[i] = r;
    }
    let (order, placed) = kahn(
        edges,
        |(t, _)| *t,
        |i| rank.get(i).copied().unwrap_or(usize::MAX),
    );
    let mut diags = Vec::new();
    // Kahn's algorithm places every node exactly when there is no cycle (a self-loop
    // included): then there is nothing to report.
    if placed == n {
        return (order, diags);
    }
    let adj: Vec<Vec<usize>> = edges
        .iter()
        .map(|e| e.iter().map(|(t, _)| *t).collect())
        .collect();
    for comp in sccs(&adj) {
        let self_loop = comp.len() == 1
            && comp
                .iter()
                .all(|&v| adj.get(v).is_some_and(|a| a.contains(&v)));
        if (comp.len() > 1 || self_loop)
            && let Some(d) = cycle_diagnostic(decls, edges, &comp)
        {
            diags.push(d);
        }
    }
    (order, diags)
}

/// Kahn's algorithm over "depends on" edges: a node is ready once all it depends on is out.
/// Ties are broken by `key` so that the order is deterministic. Nodes on (or behind) a cycle
/// are appended at the end in key order.
pub(crate) fn topo_order<'k, K: Ord + 'k>(
    adj: &[Vec<usize>],
    key: impl Fn(usize) -> K,
) -> Vec<usize> {
    kahn(adj, |&w| w, key).0
}

/// [`topo_order`], with how many nodes were placed before the ones on or behind a cycle.
fn kahn<'k, T, K: Ord + 'k>(
    adj: &[Vec<T>],
    target: impl Fn(&T) -> usize,
    key: impl Fn(usize) -> K,
) -> (Vec<usize>, usize) {
    let n = adj.len();
    // Each node's distinct dependencies, then its dependents, in flat arrays: one
    // allocation per array instead of one per node.
    let mut pending: Vec<usize> = vec![0; n];
    let mut deps: Vec<usize> = Vec::with_capacity(adj.iter().map(Vec::len).sum());
    let mut deps_end: Vec<usize> = Vec::with_capacity(n);
    let mut count: Vec<usize> = vec![0; n + 1];
    for (v, list) in adj.iter().enumerate() {
        let from = deps.len();
        deps.extend(list.iter().map(&target).filter(|&w| w < n));
        let mine = &mut deps[from..];
        mine.sort_unstable();
        let mut kept = 0;
        for i in 0..mine.len() {
            if i == 0 || mine[i] != mine[i - 1] {
                mine[kept] = mine[i];
                kept += 1;
            }
        }
        deps.truncate(from + kept);
        pending[v] = kept;
        deps_end.push(deps.len());
        for &w in &deps[from..] {
            count[w + 1] += 1;
        }
    }
    for i in 0..n {
        count[i + 1] += count[i];
    }
    let mut dependents: Vec<usize> = vec![0; deps.len()];
    let mut fill = count.clone();
    let mut from = 0;
    for (v, &end) in deps_end.iter().enumerate() {
        for &w in &deps[from..end] {
            dependents[fill[w]] = v;
            fill[w] += 1;
        }
        from = end;
    }
    // A min-heap on (key, node): every node enters once, so no set is needed.
    let mut ready: BinaryHeap<Reverse<(K, usize)>> = (0..n)
        .filter(|&v| pending[v] == 0)
        .map(|v| Reverse((key(v), v)))
        .collect();
    let mut order = Vec::with_capacity(n);
    let mut placed = vec![false; n];
    while let Some(Reverse((_, v))) = ready.pop() {
        order.push(v);
        placed[v] = true;
        for &u in &dependents[count[v]..count[v + 1]] {
            pending[u] -= 1;
            if pending[u] == 0 {
                ready.push(Reverse((key(u), u)));
            }
        }
    }
    let done = order.len();
    if done < n {
        let mut rest: Vec<usize> = (0..n).filter(|&v| !placed[v]).collect();
        rest.sort_by_key(|&v| key(v));
        order.extend(rest);
    }
    (order, done)
}

/// Strongly connected components (Tarjan), iteratively.
pub(crate) fn sccs(adj: &[Vec<usize>]) -> Vec<Vec<usize>> {
    const NONE: usize = usize::MAX;
    let n = adj.len();
    let mut index = vec![NONE; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut counter = 0usize;
    let mut out = Vec::new();
    for s in 0..n {
        if index[s] != NONE {
            continue;
        }
        let mut call: Vec<(usize, usize)> = vec![(s, 0)];
        index[s] = counter;
        low[s] = counter;
        counter += 1;
        stack.push(s);
        on_stack[s] = true;
        while let Some(&mut (v, ref mut next)) = call.last_mut() {
            if let Some(&w) = adj[v].get(*next) {
                *next += 1;
                if w >= n {
                    continue;
                }
                if index[w] == NONE {
                    index[w] = counter;
                    low[w] = counter;
                    counter += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    call.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                call.pop();
                if let Some(&(p, _)) = call.last() {
                    low[p] = low[p].min(low[v]);
                }
                if low[v] == index[v] {
                    let mut comp = Vec::new();
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        comp.push(w);
                        if w == v {
                            break;
                        }
                    }
                    out.push(comp);
                }
            }
        }
    }
    out
}

/// One elementary cycle through the component, starting at its first declaration in source
/// order, found by breadth-first search (so the path shown is a shortest one).
fn cycle_diagnostic(
    decls: &[Decl],
    edges: &[Vec<(usize, Span)>],
    comp: &[usize],
) -> Option<Diagnostic> {
    let n = decls.len();
    let mut in_comp = vec![false; n];
    for &v in comp {
        *in_comp.get_mut(v)? = true;
    }
    let start = *comp
        .iter()
        .min_by_key(|&&v| decls.get(v).map(|d| (d.span.file, d.span.start)))?;
    let mut parent: Vec<Option<(usize, Span)>> = vec![None; n];
    let mut seen = vec![false; n];
    seen[start] = true;
    let mut queue = VecDeque::from([start]);
    let mut closing: Option<(usize, Span)> = None;
    'search: while let Some(v) = queue.pop_front() {
        for &(w, span) in edges.get(v)? {
            if w == start {
                closing = Some((v, span));
                break 'search;
            }
            if w < n && in_comp[w] && !seen[w] {
                seen[w] = true;
                parent[w] = Some((v, span));
                queue.push_back(w);
            }
        }
    }
    let (last, last_span) = closing?;
    // Walk back from the node that closes the cycle to the start.
    let mut path: Vec<(usize, usize, Span)> = vec![(last, start, last_span)];
    let mut v = last;
    while v != start {
        let (p, span) = parent[v]?;
        path.push((p, v, span));
        v = p;
    }
    path.reverse();
    let name = |i: usize| decls.get(i).map(|d| d.name.as_str()).unwrap_or("");
    let steps: Vec<Step<'_>> = path
        .iter()
        .map(|&(f, t, span)| Step {
            from: name(f),
            to: name(t),
            span,
        })
        .collect();
    let start_decl = decls.get(start)?;
    Some(diag::graph::cycle(
        &start_decl.name,
        start_decl.span,
        &steps,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topological_order_puts_dependencies_first_and_breaks_ties_by_key() {
        // 0 depends on 2, 1 depends on 2, 2 depends on nothing; keys reverse the indices.
        let adj = vec![vec![2], vec![2], vec![]];
        let order = topo_order(&adj, std::cmp::Reverse);
        assert_eq!(order, vec![2, 1, 0]);
        let order = topo_order(&adj, |v| v);
        assert_eq!(order, vec![2, 0, 1]);
    }

    #[test]
    fn cycle_members_come_last() {
        let adj = vec![vec![1], vec![0], vec![]];
        assert_eq!(topo_order(&adj, |v| v), vec![2, 0, 1]);
    }

    #[test]
    fn components_of_a_long_chain_do_not_overflow_the_stack() {
        let n = 200_000;
        let mut adj: Vec<Vec<usize>> = (0..n)
            .map(|i| if i + 1 < n { vec![i + 1] } else { vec![] })
            .collect();
        assert_eq!(sccs(&adj).len(), n);
        adj[n - 1].push(0);
        let comps = sccs(&adj);
        assert_eq!(comps.len(), 1);
        assert_eq!(comps[0].len(), n);
    }

    #[test]
    fn two_separate_cycles_are_two_components() {
        let adj = vec![vec![1], vec![0], vec![3], vec![2], vec![4]];
        let mut big: Vec<usize> = sccs(&adj)
            .iter()
            .filter(|c| c.len() > 1)
            .map(|c| c.len())
            .collect();
        big.sort();
        assert_eq!(big, vec![2, 2]);
    }

    /// Kahn's algorithm the plain way: a sorted set of ready nodes, dependents per node.
    fn reference_order(adj: &[Vec<usize>], key: impl Fn(usize) -> usize) -> (Vec<usize>, usize) {
        let n = adj.len();
        let mut pending = vec![0; n];
        let mut dependents = vec![Vec::new(); n];
        for (v, deps) in adj.iter().enumerate() {
            let distinct: std::collections::BTreeSet<usize> =
                deps.iter().copied().filter(|&w| w < n).collect();
            pending[v] = distinct.len();
            for w in distinct {
                dependents[w].push(v);
            }
        }
        let mut ready: std::collections::BTreeSet<(usize, usize)> = (0..n)
            .filter(|&v| pending[v] == 0)
            .map(|v| (key(v), v))
            .collect();
        let mut order = Vec::new();
        while let Some((_, v)) = ready.pop_first() {
            order.push(v);
            for &u in &dependents[v] {
                pending[u] -= 1;
                if pending[u] == 0 {
                    ready.insert((key(u), u));
                }
            }
        }
        let done = order.len();
        let mut rest: Vec<usize> = (0..n).filter(|v| !order.contains(v)).collect();
        rest.sort_by_key(|&v| key(v));
        order.extend(rest);
        (order, done)
    }

    proptest::proptest! {
        #[test]
        fn the_flat_order_is_the_plain_one_and_places_all_exactly_without_a_cycle(
            adj in proptest::collection::vec(proptest::collection::vec(0usize..14, 0..4), 0..12),
            flip in proptest::bool::ANY,
        ) {
            let key = |v: usize| if flip { 100 - v } else { v * 7 % 11 };
            let (order, placed) = kahn(&adj, |&w| w, key);
            let (expected, expected_placed) = reference_order(&adj, key);
            proptest::prop_assert_eq!(&order, &expected);
            proptest::prop_assert_eq!(placed, expected_placed);
            let acyclic = sccs(&adj).iter().all(|c| {
                c.len() == 1 && !adj[c[0]].contains(&c[0])
            });
            proptest::prop_assert_eq!(placed == adj.len(), acyclic);
        }
    }
}
