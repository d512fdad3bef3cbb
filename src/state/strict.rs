//! JSON as the state reader wants it: like `serde_json::Value`, but an object with the same
//! key twice is an error instead of "the last one wins" (a hand-merged state with two
//! `serial`s must not silently pick one).

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

pub struct Strict(pub Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Strict, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Strict::deserialize(d).map(|s| s.0)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Strict(v)) = seq.next_element()? {
            out.push(v);
        }
        // A loaded state lives through the whole command: no room kept for more elements.
        out.shrink_to_fit();
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(de::Error::custom(format!("duplicate key `{key}`")));
            }
            let Strict(v) = map.next_value()?;
            out.insert(key, v);
        }
        // Collected again at its exact size (a map grown by inserts keeps room for more).
        Ok(Value::Object(out.into_iter().collect()))
    }
}

impl From<Strict> for Value {
    fn from(s: Strict) -> Value {
        s.0
    }
}

/// A JSON object read straight into a sorted map, a key given twice refused: `T` is what each
/// value is read as, `U` what the map holds (`UniqueMap<Strict, Value>` for JSON values
/// checked at every depth).
pub struct UniqueMap<T, U = T>(pub BTreeMap<String, U>, PhantomData<T>);

impl<T, U> Default for UniqueMap<T, U> {
    fn default() -> Self {
        UniqueMap(BTreeMap::new(), PhantomData)
    }
}

impl<'de, T: Deserialize<'de> + Into<U>, U> Deserialize<'de> for UniqueMap<T, U> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(UniqueMapVisitor(PhantomData))
    }
}

struct UniqueMapVisitor<T, U>(PhantomData<(T, U)>);

impl<'de, T: Deserialize<'de> + Into<U>, U> Visitor<'de> for UniqueMapVisitor<T, U> {
    type Value = UniqueMap<T, U>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(de::Error::custom(format!("duplicate key `{key}`")));
            }
            let v: T = map.next_value()?;
            out.insert(key, v.into());
        }
        Ok(UniqueMap(out, PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_are_refused_at_any_depth() {
        let e = serde_json::from_str::<Strict>(r#"{"a":{"b":1,"b":2}}"#)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("duplicate key `b`"), "{e}");
        let Strict(v) = serde_json::from_str(r#"{"a":[1,{"b":null}],"c":"x"}"#).unwrap();
        assert_eq!(v, serde_json::json!({"a":[1,{"b":null}],"c":"x"}));
    }

    #[test]
    fn unique_maps_refuse_a_key_twice_and_check_their_values() {
        let e = |text: &str| {
            serde_json::from_str::<UniqueMap<Strict, Value>>(text)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert!(e(r#"{"a":1,"a":2}"#).contains("duplicate key `a`"));
        assert!(e(r#"{"a":{"b":1,"b":2}}"#).contains("duplicate key `b`"));
        let m: UniqueMap<String> = serde_json::from_str(r#"{"b":"1","a":"2"}"#).unwrap();
        assert_eq!(m.0.keys().collect::<Vec<_>>(), ["a", "b"]);
    }
}
