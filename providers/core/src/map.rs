//! An object's fields: a vector of (key, value) pairs kept sorted by key.
//!
//! Objects in infra are small (a resource body, an `input`, a tag set) and there are many of them:
//! at 20,000 resources a plan holds ~100,000. A `BTreeMap` gives each a node with room for eleven
//! entries (~630 bytes for three fields); a sorted vector holds three in ~170. Lookups are a binary
//! search, iteration is in key order exactly as before, so everything that was deterministic byte
//! for byte stays so. Building from an iterator sorts once; `insert` appends when keys arrive in
//! order (the usual case: JSON objects, evaluated bodies) and shifts otherwise, so a loop that
//! inserts many keys out of order should collect instead.

use std::fmt;
use std::ops::Index;

use crate::Value;

#[derive(Clone, Default, PartialEq)]
pub struct Map {
    entries: Vec<(String, Value)>,
}

pub type Iter<'a> = std::iter::Map<
    std::slice::Iter<'a, (String, Value)>,
    fn(&'a (String, Value)) -> (&'a String, &'a Value),
>;
pub type IterMut<'a> = std::iter::Map<
    std::slice::IterMut<'a, (String, Value)>,
    fn(&'a mut (String, Value)) -> (&'a String, &'a mut Value),
>;

impl Map {
    pub const fn new() -> Map {
        Map {
            entries: Vec::new(),
        }
    }

    pub fn with_capacity(n: usize) -> Map {
        Map {
            entries: Vec::with_capacity(n),
        }
    }

    /// Builds a map from pairs in any order; a repeated key keeps its last value (as a
    /// `BTreeMap` built from the same pairs would).
    pub fn from_pairs(mut entries: Vec<(String, Value)>) -> Map {
        if entries.windows(2).all(|w| w[0].0 < w[1].0) {
            return Map { entries };
        }
        // Stable: among equal keys the later pair stays later, and the dedup keeps it.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out: Vec<(String, Value)> = Vec::with_capacity(entries.len());
        for e in entries {
            match out.last_mut() {
                Some(last) if last.0 == e.0 => *last = e,
                _ => out.push(e),
            }
        }
        Map { entries: out }
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        match self.find(key) {
            Ok(i) => Some(&mut self.entries[i].1),
            Err(_) => None,
        }
    }

    pub fn get_key_value(&self, key: &str) -> Option<(&String, &Value)> {
        self.find(key).ok().map(|i| {
            let (k, v) = &self.entries[i];
            (k, v)
        })
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }

    /// Inserts or replaces; returns the value replaced.
    pub fn insert(&mut self, key: String, value: Value) -> Option<Value> {
        match self.entries.last() {
            None => {
                self.entries.push((key, value));
                return None;
            }
            Some((last, _)) if *last < key => {
                self.entries.push((key, value));
                return None;
            }
            _ => {}
        }
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    pub fn remove(&mut self, key: &str) -> Option<Value> {
        self.remove_entry(key).map(|(_, v)| v)
    }

    pub fn remove_entry(&mut self, key: &str) -> Option<(String, Value)> {
        self.find(key).ok().map(|i| self.entries.remove(i))
    }

    pub fn entry(&mut self, key: String) -> Entry<'_> {
        match self.find(&key) {
            Ok(index) => Entry {
                map: self,
                index,
                key: None,
            },
            Err(index) => Entry {
                map: self,
                index,
                key: Some(key),
            },
        }
    }

    pub fn iter(&self) -> Iter<'_> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn iter_mut(&mut self) -> IterMut<'_> {
        self.entries.iter_mut().map(|(k, v)| (&*k, v))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &String> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Value> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(_, v)| v)
    }

    pub fn values_mut(
        &mut self,
    ) -> impl DoubleEndedIterator<Item = &mut Value> + ExactSizeIterator {
        self.entries.iter_mut().map(|(_, v)| v)
    }

    pub fn into_keys(self) -> impl DoubleEndedIterator<Item = String> + ExactSizeIterator {
        self.entries.into_iter().map(|(k, _)| k)
    }

    pub fn into_values(self) -> impl DoubleEndedIterator<Item = Value> + ExactSizeIterator {
        self.entries.into_iter().map(|(_, v)| v)
    }

    pub fn first_key_value(&self) -> Option<(&String, &Value)> {
        self.entries.first().map(|(k, v)| (k, v))
    }

    pub fn last_key_value(&self) -> Option<(&String, &Value)> {
        self.entries.last().map(|(k, v)| (k, v))
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&String, &mut Value) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
    }

    /// Moves every pair of `other` into `self` (an existing key takes `other`'s value).
    pub fn append(&mut self, other: &mut Map) {
        let taken = std::mem::take(&mut other.entries);
        self.extend(taken);
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// Gives back spare capacity: for maps kept for the rest of a run.
    pub fn shrink_to_fit(&mut self) {
        self.entries.shrink_to_fit();
    }
}

/// A place in a map for `key`, found once.
pub struct Entry<'a> {
    map: &'a mut Map,
    index: usize,
    /// `Some` while the key is absent (vacant).
    key: Option<String>,
}

impl<'a> Entry<'a> {
    pub fn or_insert(self, default: Value) -> &'a mut Value {
        self.or_insert_with(|| default)
    }

    pub fn or_insert_with(self, make: impl FnOnce() -> Value) -> &'a mut Value {
        let Entry { map, index, key } = self;
        if let Some(key) = key {
            map.entries.insert(index, (key, make()));
        }
        &mut map.entries[index].1
    }

    pub fn or_default(self) -> &'a mut Value {
        self.or_insert_with(|| Value::Null)
    }

    pub fn and_modify(self, change: impl FnOnce(&mut Value)) -> Entry<'a> {
        if self.key.is_none() {
            change(&mut self.map.entries[self.index].1);
        }
        self
    }

    pub fn key(&self) -> &str {
        match &self.key {
            Some(k) => k,
            None => &self.map.entries[self.index].0,
        }
    }
}

impl fmt::Debug for Map {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl FromIterator<(String, Value)> for Map {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Map {
        Map::from_pairs(iter.into_iter().collect())
    }
}

impl<'a> FromIterator<(&'a str, Value)> for Map {
    fn from_iter<I: IntoIterator<Item = (&'a str, Value)>>(iter: I) -> Map {
        iter.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
    }
}

impl Extend<(String, Value)> for Map {
    fn extend<I: IntoIterator<Item = (String, Value)>>(&mut self, iter: I) {
        let mut added: Vec<(String, Value)> = iter.into_iter().collect();
        if added.is_empty() {
            return;
        }
        if self.entries.is_empty() {
            *self = Map::from_pairs(added);
            return;
        }
        // Existing pairs first so that, for a repeated key, the added value is the later one.
        let mut all = std::mem::take(&mut self.entries);
        all.append(&mut added);
        *self = Map::from_pairs(all);
    }
}

impl<const N: usize> From<[(String, Value); N]> for Map {
    fn from(pairs: [(String, Value); N]) -> Map {
        Map::from_pairs(pairs.into())
    }
}

impl From<std::collections::BTreeMap<String, Value>> for Map {
    fn from(map: std::collections::BTreeMap<String, Value>) -> Map {
        Map {
            entries: map.into_iter().collect(),
        }
    }
}

impl IntoIterator for Map {
    type Item = (String, Value);
    type IntoIter = std::vec::IntoIter<(String, Value)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<'a> IntoIterator for &'a Map {
    type Item = (&'a String, &'a Value);
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl<'a> IntoIterator for &'a mut Map {
    type Item = (&'a String, &'a mut Value);
    type IntoIter = IterMut<'a>;
    fn into_iter(self) -> IterMut<'a> {
        self.iter_mut()
    }
}

impl Index<&str> for Map {
    type Output = Value;
    /// Panics when the key is absent, as indexing a `BTreeMap` does: only for keys the caller
    /// has just checked or put there.
    fn index(&self, key: &str) -> &Value {
        match self.get(key) {
            Some(v) => v,
            None => panic!("no field {key:?} in the object"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn key() -> impl Strategy<Value = String> {
        "[a-e]{0,2}"
    }

    #[derive(Debug, Clone)]
    enum Op {
        Insert(String, i64),
        Remove(String),
        Entry(String, i64),
        Extend(Vec<(String, i64)>),
        Retain(i64),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (key(), any::<i64>()).prop_map(|(k, v)| Op::Insert(k, v)),
            key().prop_map(Op::Remove),
            (key(), any::<i64>()).prop_map(|(k, v)| Op::Entry(k, v)),
            proptest::collection::vec((key(), any::<i64>()), 0..6).prop_map(Op::Extend),
            (0i64..4).prop_map(Op::Retain),
        ]
    }

    proptest! {
        /// Every operation leaves the map with exactly the pairs, in the order, a BTreeMap
        /// given the same operations holds, and each returns what the BTreeMap's returns.
        #[test]
        fn behaves_as_a_btreemap(ops in proptest::collection::vec(op(), 0..40)) {
            let mut map = Map::new();
            let mut model: BTreeMap<String, Value> = BTreeMap::new();
            for op in ops {
                match op {
                    Op::Insert(k, v) => prop_assert_eq!(
                        map.insert(k.clone(), Value::Int(v)),
                        model.insert(k, Value::Int(v))
                    ),
                    Op::Remove(k) => prop_assert_eq!(map.remove(&k), model.remove(&k)),
                    Op::Entry(k, v) => {
                        let a = map.entry(k.clone()).or_insert(Value::Int(v)).clone();
                        let b = model.entry(k).or_insert(Value::Int(v)).clone();
                        prop_assert_eq!(a, b);
                    }
                    Op::Extend(pairs) => {
                        map.extend(pairs.iter().map(|(k, v)| (k.clone(), Value::Int(*v))));
                        model.extend(pairs.into_iter().map(|(k, v)| (k, Value::Int(v))));
                    }
                    Op::Retain(m) => {
                        let keep = |v: &Value| !matches!(v, Value::Int(i) if i.rem_euclid(4) == m);
                        map.retain(|_, v| keep(v));
                        model.retain(|_, v| keep(v));
                    }
                }
                let pairs: Vec<_> = map.iter().collect();
                let expected: Vec<_> = model.iter().collect();
                prop_assert_eq!(pairs, expected);
                for k in ["", "a", "ab", "e"] {
                    prop_assert_eq!(map.get(k), model.get(k));
                }
            }
        }

        /// Collecting pairs in any order, with repeats, gives what a BTreeMap collects.
        #[test]
        fn collects_as_a_btreemap(pairs in proptest::collection::vec((key(), any::<i64>()), 0..30)) {
            let map: Map = pairs.iter().map(|(k, v)| (k.clone(), Value::Int(*v))).collect();
            let model: BTreeMap<String, Value> =
                pairs.into_iter().map(|(k, v)| (k, Value::Int(v))).collect();
            prop_assert_eq!(map.len(), model.len());
            prop_assert_eq!(map, Map::from(model));
        }
    }

    #[test]
    fn three_fields_take_a_fraction_of_a_btree_node() {
        let map: Map = [
            ("a", Value::Int(1)),
            ("b", Value::Int(2)),
            ("c", Value::Int(3)),
        ]
        .into_iter()
        .collect();
        // Three (String, Value) pairs: 168 bytes; a BTreeMap leaf would hold room for eleven.
        assert_eq!(map.entries.capacity(), 3);
        assert_eq!(std::mem::size_of::<(String, Value)>(), 56);
    }
}
