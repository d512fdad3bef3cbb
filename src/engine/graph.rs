//! The dependency graph of resource instances: nodes are addresses, an edge says "depends on".
//! Cycle detection reports the path so that the user can see which references to cut.

use infra_provider_core::DesiredResource;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    #[error("dependency cycle: {}", .0.join(" -> "))]
    Cycle(Vec<String>),
    #[error("`{from}` depends on `{to}`, which is not declared")]
    UnknownDependency { from: String, to: String },
    #[error("`{0}` is declared twice")]
    Duplicate(String),
}

#[derive(Debug, Clone, Default)]
pub struct Graph {
    /// Shared with `index`: one copy of each address.
    nodes: Vec<Arc<str>>,
    index: HashMap<Arc<str>, usize>,
    /// For each node, the nodes it depends on.
    deps: Vec<Vec<usize>>,
    /// For each node, the nodes that depend on it.
    dependents: Vec<Vec<usize>>,
}

impl Graph {
    pub fn new() -> Graph {
        Graph::default()
    }

    pub fn add_node(&mut self, address: &str) -> Result<usize, GraphError> {
        if self.index.contains_key(address) {
            return Err(GraphError::Duplicate(address.to_string()));
        }
        let i = self.nodes.len();
        let address: Arc<str> = Arc::from(address);
        self.nodes.push(address.clone());
        self.index.insert(address, i);
        self.deps.push(Vec::new());
        self.dependents.push(Vec::new());
        Ok(i)
    }

    /// `from` depends on `to`: `to` runs first.
    pub fn add_edge(&mut self, from: usize, to: usize) {
        if from < self.nodes.len() && to < self.nodes.len() && !self.deps[from].contains(&to) {
            self.deps[from].push(to);
            self.dependents[to].push(from);
        }
    }

    pub fn from_desired(resources: &[DesiredResource]) -> Result<Graph, GraphError> {
        let mut g = Graph::new();
        for r in resources {
            g.add_node(&r.address)?;
        }
        for (i, r) in resources.iter().enumerate() {
            for d in &r.depends_on {
                let to = g.index_of(d).ok_or_else(|| GraphError::UnknownDependency {
                    from: r.address.clone(),
                    to: d.clone(),
                })?;
                g.add_edge(i, to);
            }
        }
        Ok(g)
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
    pub fn address(&self, i: usize) -> &str {
        &self.nodes[i]
    }
    pub fn index_of(&self, address: &str) -> Option<usize> {
        self.index.get(address).copied()
    }
    pub fn deps(&self, i: usize) -> &[usize] {
        &self.deps[i]
    }
    pub fn dependents(&self, i: usize) -> &[usize] {
        &self.dependents[i]
    }

    /// The same nodes with every edge turned around: the order for deletes.
    pub fn reversed(&self) -> Graph {
        Graph {
            nodes: self.nodes.clone(),
            index: self.index.clone(),
            deps: self.dependents.clone(),
            dependents: self.deps.clone(),
        }
    }

    /// Dependencies first (Kahn's algorithm, ties broken by insertion order so that the result
    /// is deterministic).
    pub fn topo_order(&self) -> Result<Vec<usize>, GraphError> {
        let mut missing: Vec<usize> = self.deps.iter().map(Vec::len).collect();
        let mut ready: VecDeque<usize> = (0..self.len()).filter(|&i| missing[i] == 0).collect();
        let mut order = Vec::with_capacity(self.len());
        while let Some(i) = ready.pop_front() {
            order.push(i);
            for &d in &self.dependents[i] {
                missing[d] -= 1;
                if missing[d] == 0 {
                    ready.push_back(d);
                }
            }
        }
        if order.len() == self.len() {
            return Ok(order);
        }
        Err(GraphError::Cycle(self.find_cycle(&missing)))
    }

    /// Every node left with `missing > 0` is on or behind a cycle; following dependencies that
    /// are also left over must come back to a node already seen.
    fn find_cycle(&self, missing: &[usize]) -> Vec<String> {
        let Some(start) = (0..self.len()).find(|&i| missing[i] > 0) else {
            return Vec::new();
        };
        let mut seen_at: HashMap<usize, usize> = HashMap::new();
        let mut path: Vec<usize> = Vec::new();
        let mut cur = start;
        loop {
            if let Some(&pos) = seen_at.get(&cur) {
                let mut cycle: Vec<String> = path[pos..]
                    .iter()
                    .map(|&i| self.nodes[i].to_string())
                    .collect();
                cycle.push(self.nodes[cur].to_string());
                return cycle;
            }
            seen_at.insert(cur, path.len());
            path.push(cur);
            match self.deps[cur].iter().find(|&&d| missing[d] > 0) {
                Some(&next) => cur = next,
                None => return Vec::new(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use infra_provider_core::Lifecycle;

    fn res(address: &str, deps: &[&str]) -> DesiredResource {
        DesiredResource {
            address: address.into(),
            type_name: "core.data".into(),
            properties: Default::default(),
            depends_on: deps.iter().map(|s| s.to_string()).collect(),
            lifecycle: Lifecycle::default(),
            existing: false,
        }
    }

    #[test]
    fn topo_puts_dependencies_first() {
        let g = Graph::from_desired(&[res("c", &["b"]), res("b", &["a"]), res("a", &[])]).unwrap();
        let order: Vec<&str> = g
            .topo_order()
            .unwrap()
            .into_iter()
            .map(|i| g.address(i))
            .collect();
        assert_eq!(order, ["a", "b", "c"]);
        let rev = g.reversed();
        let order: Vec<&str> = rev
            .topo_order()
            .unwrap()
            .into_iter()
            .map(|i| g.address(i))
            .collect();
        assert_eq!(order, ["c", "b", "a"]);
    }

    #[test]
    fn cycle_error_names_the_path() {
        let g = Graph::from_desired(&[
            res("a", &["b"]),
            res("b", &["c"]),
            res("c", &["a"]),
            res("d", &["a"]),
        ])
        .unwrap();
        let err = g.topo_order().unwrap_err().to_string();
        assert_eq!(err, "dependency cycle: a -> b -> c -> a");
    }

    #[test]
    fn unknown_dependency_and_duplicates_are_errors() {
        assert!(matches!(
            Graph::from_desired(&[res("a", &["zz"])]),
            Err(GraphError::UnknownDependency { .. })
        ));
        assert!(matches!(
            Graph::from_desired(&[res("a", &[]), res("a", &[])]),
            Err(GraphError::Duplicate(_))
        ));
    }
}
