//! A record's inputs as a sorted vector: most records have one to a few inputs, and a `BTreeMap`
//! node holds room for eleven (over a kilobyte each with `serde_json`'s ordered objects), which
//! made the inputs the largest part of a loaded state.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::collections::BTreeMap;

/// Name → value, sorted by name, each name once; reads like the `BTreeMap` it replaces and is
/// written as the same JSON object.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fields(Box<[(String, Value)]>);

impl Fields {
    pub fn get(&self, name: &str) -> Option<&Value> {
        let i = self
            .0
            .binary_search_by(|(k, _)| k.as_str().cmp(name))
            .ok()?;
        Some(&self.0[i].1)
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(k, _)| k)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<BTreeMap<String, Value>> for Fields {
    fn from(m: BTreeMap<String, Value>) -> Fields {
        Fields(m.into_iter().collect())
    }
}

impl<const N: usize> From<[(String, Value); N]> for Fields {
    fn from(a: [(String, Value); N]) -> Fields {
        a.into_iter().collect()
    }
}

/// Sorted, the last value kept for a name given twice (as a map's `insert` would).
impl FromIterator<(String, Value)> for Fields {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(it: I) -> Fields {
        Fields::from(it.into_iter().collect::<BTreeMap<_, _>>())
    }
}

impl<'a> IntoIterator for &'a Fields {
    type Item = (&'a String, &'a Value);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, Value)>,
        fn(&'a (String, Value)) -> (&'a String, &'a Value),
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl Serialize for Fields {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Fields {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Fields, D::Error> {
        BTreeMap::<String, Value>::deserialize(d).map(Fields::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_and_writes_like_a_sorted_map() {
        let f: Fields = [
            ("b".to_string(), json!(2)),
            ("a".to_string(), json!({"z": 1, "y": 2})),
        ]
        .into();
        assert_eq!(f.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(f.get("b"), Some(&json!(2)));
        assert!(f.get("c").is_none() && !f.contains_key("c"));
        let m: BTreeMap<String, Value> = f.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        assert_eq!(
            serde_json::to_string(&f).unwrap(),
            serde_json::to_string(&m).unwrap()
        );
        let back: Fields = serde_json::from_str(&serde_json::to_string(&f).unwrap()).unwrap();
        assert_eq!(back, f);
    }
}
