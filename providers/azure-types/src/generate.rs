//! The generator: Microsoft's generated type data (`<folder>/<namespace>/<version>/types.json`)
//! into the compact file. Only facts are kept (names, types, flags, constraints); descriptions
//! are dropped. Output is deterministic: files in sorted order, data order within a file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::codec::{self, Entry};
use crate::model::{Prop, TypeDef, TypeIdx};

#[derive(Debug, Default)]
pub struct Stats {
    pub files: usize,
    pub entries: usize,
    pub duplicates_skipped: usize,
    pub json_bytes: u64,
    pub types_in: usize,
    pub types_out: usize,
    pub raw_bytes: usize,
    pub out_bytes: usize,
    /// Distinct patterns that `regex-lite` cannot compile (validate skips them).
    pub patterns_skipped: usize,
    pub patterns_total: usize,
}

/// Reads every `types.json` under `root` and returns the file's bytes.
pub fn generate(root: &Path) -> Result<(Vec<u8>, Stats), String> {
    let mut files = Vec::new();
    collect(root, &mut files)?;
    files.sort();
    let mut stats = Stats::default();
    let mut entries: Vec<Entry> = Vec::new();
    let mut seen: HashMap<String, ()> = HashMap::new();
    let mut chunks: Vec<Vec<TypeDef>> = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        stats.json_bytes += text.len() as u64;
        let json: Value =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
        let items = json
            .as_array()
            .ok_or_else(|| format!("{}: not an array", file.display()))?;
        stats.files += 1;
        stats.types_in += items.len();
        let chunk_id = chunks.len() as u32;
        let mut resources = Vec::new();
        for item in items {
            if item["$type"] != "ResourceType" {
                continue;
            }
            let full = item["name"].as_str().unwrap_or_default();
            let Some((name, version)) = full.rsplit_once('@') else {
                continue;
            };
            // The same type/version can sit in two spec folders: the first (sorted) wins.
            if seen.insert(full.to_lowercase(), ()).is_some() {
                stats.duplicates_skipped += 1;
                continue;
            }
            resources.push((name.to_string(), version.to_string(), item));
        }
        if resources.is_empty() {
            continue;
        }
        let mut conv = Converter::new(items);
        let bodies: Vec<TypeIdx> = resources
            .iter()
            .map(|(_, _, item)| conv.convert(ref_of(&item["body"])))
            .collect();
        let (types, bodies) = dedup(conv.out, bodies);
        for ((name, version, item), body) in resources.iter().zip(bodies) {
            entries.push(Entry {
                name: name.clone(),
                version: version.clone(),
                chunk: chunk_id,
                body,
                readable: item["readableScopes"].as_u64().unwrap_or(0) as u8,
                writable: item["writableScopes"].as_u64().unwrap_or(0) as u8,
            });
        }
        stats.types_out += types.len();
        chunks.push(types);
    }
    // One spelling per type name (the data is not always consistent across versions).
    let mut spelling: HashMap<String, String> = HashMap::new();
    for e in &entries {
        spelling
            .entry(e.name.to_lowercase())
            .or_insert_with(|| e.name.clone());
    }
    for e in &mut entries {
        if let Some(s) = spelling.get(&e.name.to_lowercase()) {
            e.name = s.clone();
        }
    }
    entries.sort_by(|a, b| {
        (a.name.to_lowercase(), version_key(&a.version), &a.name).cmp(&(
            b.name.to_lowercase(),
            version_key(&b.version),
            &b.name,
        ))
    });
    stats.entries = entries.len();
    let mut patterns = std::collections::BTreeSet::new();
    for t in chunks.iter().flatten() {
        if let TypeDef::String {
            pattern: Some(p), ..
        } = t
        {
            patterns.insert(p.clone());
        }
    }
    stats.patterns_total = patterns.len();
    stats.patterns_skipped = patterns
        .iter()
        .filter(|p| regex_lite::Regex::new(p).is_err())
        .count();
    let raw_chunks: Vec<Vec<u8>> = chunks.iter().map(|c| codec::encode_chunk(c)).collect();
    let index = codec::encode_index(&entries);
    stats.raw_bytes = index.len() + raw_chunks.iter().map(Vec::len).sum::<usize>();
    let out = codec::encode_file(&index, &raw_chunks);
    stats.out_bytes = out.len();
    Ok((out, stats))
}

/// Versions sort by date, a preview after the stable version of the same date.
pub(crate) fn version_key(v: &str) -> (String, String) {
    let lower = v.to_lowercase();
    match lower.get(..10) {
        Some(date) => (date.to_string(), lower[10..].to_string()),
        None => (lower.clone(), String::new()),
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let rd = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in rd {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path.file_name().is_some_and(|n| n == "types.json") {
            out.push(path);
        }
    }
    Ok(())
}

fn ref_of(v: &Value) -> usize {
    v["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/"))
        .and_then(|n| n.parse().ok())
        .unwrap_or(usize::MAX)
}

/// Converts the reachable part of one file's array, depth-first from each body.
struct Converter<'a> {
    items: &'a [Value],
    map: HashMap<usize, TypeIdx>,
    out: Vec<TypeDef>,
}

impl<'a> Converter<'a> {
    fn new(items: &'a [Value]) -> Self {
        Converter {
            items,
            map: HashMap::new(),
            out: Vec::new(),
        }
    }

    fn convert(&mut self, at: usize) -> TypeIdx {
        if let Some(idx) = self.map.get(&at) {
            return *idx;
        }
        // Reserve the slot first: object types refer to themselves.
        let idx = self.out.len() as TypeIdx;
        self.map.insert(at, idx);
        self.out.push(TypeDef::Any);
        let Some(item) = self.items.get(at) else {
            return idx;
        };
        let def = match item["$type"].as_str().unwrap_or_default() {
            "BooleanType" => TypeDef::Bool,
            "IntegerType" => TypeDef::Int {
                min: int(&item["minValue"]),
                max: int(&item["maxValue"]),
            },
            "StringType" => TypeDef::String {
                min_len: item["minLength"].as_u64(),
                max_len: item["maxLength"].as_u64(),
                pattern: item["pattern"].as_str().map(str::to_string),
                sensitive: item["sensitive"].as_bool().unwrap_or(false),
            },
            "StringLiteralType" => {
                TypeDef::Literal(item["value"].as_str().unwrap_or_default().into())
            }
            "UnionType" => TypeDef::Union(
                item["elements"]
                    .as_array()
                    .map(|a| a.iter().map(|e| self.convert(ref_of(e))).collect())
                    .unwrap_or_default(),
            ),
            "ArrayType" => TypeDef::Array {
                item: self.convert(ref_of(&item["itemType"])),
                min_len: item["minLength"].as_u64(),
                max_len: item["maxLength"].as_u64(),
            },
            "ObjectType" => TypeDef::Object {
                name: item["name"].as_str().unwrap_or_default().into(),
                props: self.props(&item["properties"]),
                additional: item
                    .get("additionalProperties")
                    .map(|a| self.convert(ref_of(a))),
                sensitive: item["sensitive"].as_bool().unwrap_or(false),
            },
            "DiscriminatedObjectType" => TypeDef::Discriminated {
                name: item["name"].as_str().unwrap_or_default().into(),
                discriminator: item["discriminator"].as_str().unwrap_or_default().into(),
                base: self.props(&item["baseProperties"]),
                elements: item["elements"]
                    .as_object()
                    .map(|m| {
                        m.iter()
                            .map(|(k, v)| (k.clone(), self.convert(ref_of(v))))
                            .collect()
                    })
                    .unwrap_or_default(),
            },
            _ => TypeDef::Any,
        };
        self.out[idx as usize] = def;
        idx
    }

    fn props(&mut self, v: &Value) -> Vec<Prop> {
        let Some(map) = v.as_object() else {
            return Vec::new();
        };
        map.iter()
            .map(|(name, p)| Prop {
                name: name.clone(),
                ty: self.convert(ref_of(&p["type"])),
                flags: p["flags"].as_u64().unwrap_or(0) as u8,
            })
            .collect()
    }
}

fn int(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| v.as_f64().map(|f| f as i64))
}

/// Merges structurally equal types until nothing changes, then drops the unused ones.
/// Order is kept (first occurrence wins), so the result is deterministic.
fn dedup(mut types: Vec<TypeDef>, mut roots: Vec<TypeIdx>) -> (Vec<TypeDef>, Vec<TypeIdx>) {
    loop {
        let mut first: HashMap<&TypeDef, TypeIdx> = HashMap::new();
        let mut canon: Vec<TypeIdx> = Vec::with_capacity(types.len());
        for (i, t) in types.iter().enumerate() {
            canon.push(*first.entry(t).or_insert(i as TypeIdx));
        }
        let merged = canon.iter().enumerate().any(|(i, c)| *c as usize != i);
        // Keep the canonical ones, renumbered in order.
        let mut new_idx = vec![0 as TypeIdx; types.len()];
        let mut kept = Vec::new();
        for (i, c) in canon.iter().enumerate() {
            if *c as usize == i {
                new_idx[i] = kept.len() as TypeIdx;
                kept.push(i);
            }
        }
        let f = |i: TypeIdx| new_idx[canon[i as usize] as usize];
        let mut next: Vec<TypeDef> = kept.iter().map(|i| types[*i].clone()).collect();
        next.iter_mut().for_each(|t| t.remap(&f));
        roots.iter_mut().for_each(|r| *r = f(*r));
        types = next;
        if !merged {
            return (types, roots);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedup_merges_equal_types_through_references() {
        let types = vec![
            TypeDef::Literal("a".into()),
            TypeDef::Array {
                item: 0,
                min_len: None,
                max_len: None,
            },
            TypeDef::Literal("a".into()),
            TypeDef::Array {
                item: 2,
                min_len: None,
                max_len: None,
            },
            TypeDef::Union(vec![1, 3]),
        ];
        let (out, roots) = dedup(types, vec![4, 3]);
        assert_eq!(out.len(), 3);
        assert_eq!(out[roots[0] as usize], TypeDef::Union(vec![1, 1]));
        assert_eq!(roots[1], 1);
    }

    #[test]
    fn previews_sort_after_the_stable_version_of_the_same_day() {
        let mut v = vec!["2024-01-01-preview", "2023-05-01", "2024-01-01"];
        v.sort_by_key(|s| version_key(s));
        assert_eq!(v, ["2023-05-01", "2024-01-01", "2024-01-01-preview"]);
    }
}
