//! A set of names (resource addresses): a vector kept sorted and without repeats.
//!
//! Every desired resource, state record and planned operation carries the addresses it depends
//! on, usually one to three. A `BTreeSet` gives each set a node with room for eleven names
//! (~290 bytes before the names themselves); at 20,000 resources a re-plan holds ~80,000 such
//! sets. Iteration is in sorted order and the JSON form (a sorted array) is the same as before.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NameSet {
    names: Vec<String>,
}

impl NameSet {
    pub const fn new() -> NameSet {
        NameSet { names: Vec::new() }
    }

    /// Sorts and drops repeats; exact capacity, since sets are kept for the whole run.
    fn from_vec(mut names: Vec<String>) -> NameSet {
        if !names.windows(2).all(|w| w[0] < w[1]) {
            names.sort_unstable();
            names.dedup();
        }
        names.shrink_to_fit();
        NameSet { names }
    }

    fn find(&self, name: &str) -> Result<usize, usize> {
        self.names.binary_search_by(|n| n.as_str().cmp(name))
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub fn contains(&self, name: &str) -> bool {
        self.find(name).is_ok()
    }

    /// Adds `name`; false if it was there already.
    pub fn insert(&mut self, name: String) -> bool {
        match self.find(&name) {
            Ok(_) => false,
            Err(i) => {
                self.names.insert(i, name);
                true
            }
        }
    }

    /// Removes `name`; false if it was not there.
    pub fn remove(&mut self, name: &str) -> bool {
        match self.find(name) {
            Ok(i) => {
                self.names.remove(i);
                true
            }
            Err(_) => false,
        }
    }

    pub fn clear(&mut self) {
        self.names = Vec::new();
    }

    pub fn iter(&self) -> std::slice::Iter<'_, String> {
        self.names.iter()
    }

    pub fn first(&self) -> Option<&String> {
        self.names.first()
    }

    pub fn last(&self) -> Option<&String> {
        self.names.last()
    }
}

impl fmt::Debug for NameSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.names.iter()).finish()
    }
}

impl FromIterator<String> for NameSet {
    fn from_iter<I: IntoIterator<Item = String>>(iter: I) -> NameSet {
        NameSet::from_vec(iter.into_iter().collect())
    }
}

impl<'a> FromIterator<&'a str> for NameSet {
    fn from_iter<I: IntoIterator<Item = &'a str>>(iter: I) -> NameSet {
        iter.into_iter().map(str::to_string).collect()
    }
}

impl Extend<String> for NameSet {
    fn extend<I: IntoIterator<Item = String>>(&mut self, iter: I) {
        let mut names = std::mem::take(&mut self.names);
        names.extend(iter);
        *self = NameSet::from_vec(names);
    }
}

impl<const N: usize> From<[String; N]> for NameSet {
    fn from(names: [String; N]) -> NameSet {
        NameSet::from_vec(names.into())
    }
}

impl IntoIterator for NameSet {
    type Item = String;
    type IntoIter = std::vec::IntoIter<String>;
    fn into_iter(self) -> Self::IntoIter {
        self.names.into_iter()
    }
}

impl<'a> IntoIterator for &'a NameSet {
    type Item = &'a String;
    type IntoIter = std::slice::Iter<'a, String>;
    fn into_iter(self) -> Self::IntoIter {
        self.names.iter()
    }
}

/// Written as a sorted JSON array, as a `BTreeSet<String>` is.
impl Serialize for NameSet {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.names.serialize(s)
    }
}

/// Read from an array in any order, repeats dropped, as a `BTreeSet<String>` is.
impl<'de> Deserialize<'de> for NameSet {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<NameSet, D::Error> {
        Vec::<String>::deserialize(d).map(NameSet::from_vec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    #[derive(Debug, Clone)]
    enum Op {
        Insert(String),
        Remove(String),
        Extend(Vec<String>),
        Clear,
    }

    fn name() -> impl Strategy<Value = String> {
        "[a-d]{0,2}"
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => name().prop_map(Op::Insert),
            2 => name().prop_map(Op::Remove),
            2 => proptest::collection::vec(name(), 0..5).prop_map(Op::Extend),
            1 => Just(Op::Clear),
        ]
    }

    proptest! {
        /// Each operation returns and leaves what a BTreeSet given the same operations does.
        #[test]
        fn behaves_as_a_btreeset(ops in proptest::collection::vec(op(), 0..40)) {
            let mut set = NameSet::new();
            let mut model = BTreeSet::new();
            for op in ops {
                match op {
                    Op::Insert(n) => prop_assert_eq!(set.insert(n.clone()), model.insert(n)),
                    Op::Remove(n) => prop_assert_eq!(set.remove(&n), model.remove(&n)),
                    Op::Extend(ns) => {
                        set.extend(ns.iter().cloned());
                        model.extend(ns);
                    }
                    Op::Clear => {
                        set.clear();
                        model.clear();
                    }
                }
                prop_assert_eq!(set.iter().collect::<Vec<_>>(), model.iter().collect::<Vec<_>>());
                for n in ["", "a", "cd"] {
                    prop_assert_eq!(set.contains(n), model.contains(n));
                }
            }
        }

        /// The JSON form is a BTreeSet's, both ways.
        #[test]
        fn json_is_a_btreesets(names in proptest::collection::vec(name(), 0..8)) {
            let set: NameSet = names.iter().cloned().collect();
            let model: BTreeSet<String> = names.iter().cloned().collect();
            let written = serde_json::to_string(&set).unwrap();
            prop_assert_eq!(&written, &serde_json::to_string(&model).unwrap());
            let unsorted = serde_json::to_string(&names).unwrap();
            let read: NameSet = serde_json::from_str(&unsorted).unwrap();
            prop_assert_eq!(read, set);
        }
    }
}
