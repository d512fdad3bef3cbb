//! The embedded catalog: the index is inflated on the first lookup, each chunk on the first
//! lookup of a type it holds; both are cached for the life of the process.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use crate::codec::{self, Entry};
use crate::generate::version_key;
use crate::model::{ResourceType, TypeDef};
use crate::suggest;

static DATA: &[u8] = include_bytes!("../data/azure-types.bin");

pub struct Catalog {
    entries: Vec<Entry>,
    /// Lower-cased type name -> the range of its entries (versions oldest first).
    by_name: BTreeMap<String, (usize, usize)>,
    sections: Vec<&'static [u8]>,
    chunks: Vec<OnceLock<Option<Arc<Vec<TypeDef>>>>>,
    types: Vec<OnceLock<Option<Arc<ResourceType>>>>,
}

/// The answer of [`Catalog::resolve`].
#[derive(Debug, Clone)]
pub enum Resolved {
    Exact(Arc<ResourceType>),
    /// The version is unknown: checked against the nearest known version of the same type (warn).
    NearestVersion {
        requested: String,
        used: String,
        ty: Arc<ResourceType>,
    },
    /// Unknown type: up to 3 closest known type names (edit distance / same namespace).
    UnknownType {
        suggestions: Vec<String>,
    },
    /// Not of the form Namespace/type[/child...]@version.
    Malformed(String),
}

impl Resolved {
    /// The type to check against, whether exact or nearest.
    pub fn resource_type(&self) -> Option<&Arc<ResourceType>> {
        match self {
            Resolved::Exact(ty) | Resolved::NearestVersion { ty, .. } => Some(ty),
            _ => None,
        }
    }
}

pub(crate) fn data() -> &'static [u8] {
    DATA
}

pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::load(DATA))
}

impl Catalog {
    /// An unreadable file gives an empty catalog (every type unknown), never a panic; the
    /// crate's tests make sure the committed file is readable.
    fn load(data: &'static [u8]) -> Catalog {
        let sections = codec::split_file(data).unwrap_or_default();
        let entries = sections
            .first()
            .and_then(|s| codec::inflate(s).ok())
            .and_then(|raw| codec::decode_index(&raw).ok())
            .unwrap_or_default();
        let mut by_name: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for (i, e) in entries.iter().enumerate() {
            by_name
                .entry(e.name.to_lowercase())
                .and_modify(|r| r.1 = i + 1)
                .or_insert((i, i + 1));
        }
        let chunks = (1..sections.len()).map(|_| OnceLock::new()).collect();
        let types = entries.iter().map(|_| OnceLock::new()).collect();
        Catalog {
            entries,
            by_name,
            sections,
            chunks,
            types,
        }
    }

    /// Every resource type name ("Microsoft.Web/sites"), sorted, as the data spells it.
    pub fn type_names(&self) -> impl Iterator<Item = &str> {
        self.by_name
            .values()
            .map(|(start, _)| self.entries[*start].name.as_str())
    }

    /// Number of type/version entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Known api-versions of a type (type name compared case-insensitively), newest last.
    pub fn versions(&self, type_name: &str) -> Vec<&str> {
        match self.by_name.get(&type_name.to_lowercase()) {
            Some((start, end)) => self.entries[*start..*end]
                .iter()
                .map(|e| e.version.as_str())
                .collect(),
            None => Vec::new(),
        }
    }

    /// Whether any known type lives in this namespace ("Microsoft.Web"), case-insensitively.
    pub fn has_namespace(&self, namespace: &str) -> bool {
        let prefix = format!("{}/", namespace.to_lowercase());
        self.by_name
            .range(prefix.clone()..)
            .next()
            .is_some_and(|(k, _)| k.starts_with(&prefix))
    }

    /// "Microsoft.Web/sites@2025-03-01" -> the type; never panics on any input.
    pub fn resolve(&self, type_ref: &str) -> Resolved {
        let Some((name, version)) = type_ref.trim().rsplit_once('@') else {
            return Resolved::Malformed(format!(
                "'{type_ref}' is not a type reference: expected Namespace/type@api-version"
            ));
        };
        let well_formed = !version.is_empty()
            && name.split('/').count() >= 2
            && name
                .split('/')
                .all(|s| !s.is_empty() && !s.chars().any(char::is_whitespace));
        if !well_formed {
            return Resolved::Malformed(format!(
                "'{type_ref}' is not a type reference: expected Namespace/type@api-version"
            ));
        }
        let Some((start, end)) = self.by_name.get(&name.to_lowercase()).copied() else {
            return Resolved::UnknownType {
                suggestions: self.suggest(name),
            };
        };
        let versions = &self.entries[start..end];
        if let Some(i) = versions
            .iter()
            .position(|e| e.version.eq_ignore_ascii_case(version))
        {
            return match self.load_type(start + i) {
                Some(ty) => Resolved::Exact(ty),
                None => Resolved::Malformed(format!("the data of '{type_ref}' cannot be read")),
            };
        }
        let i = nearest(versions.iter().map(|e| e.version.as_str()), version);
        match self.load_type(start + i) {
            Some(ty) => Resolved::NearestVersion {
                requested: version.to_string(),
                used: ty.api_version.clone(),
                ty,
            },
            None => Resolved::Malformed(format!("the data of '{type_ref}' cannot be read")),
        }
    }

    /// Up to 3 known type names closest to `name`.
    pub fn suggest(&self, name: &str) -> Vec<String> {
        suggest::closest_types(name, self.type_names())
    }

    fn load_type(&self, i: usize) -> Option<Arc<ResourceType>> {
        let entry = self.entries.get(i)?;
        self.types
            .get(i)?
            .get_or_init(|| {
                let arena = self.chunk(entry.chunk as usize)?;
                Some(Arc::new(ResourceType {
                    name: entry.name.clone(),
                    api_version: entry.version.clone(),
                    readable_scopes: entry.readable,
                    writable_scopes: entry.writable,
                    body: entry.body,
                    arena,
                }))
            })
            .clone()
    }

    fn chunk(&self, c: usize) -> Option<Arc<Vec<TypeDef>>> {
        self.chunks
            .get(c)?
            .get_or_init(|| {
                let raw = codec::inflate(self.sections.get(c + 1)?).ok()?;
                codec::decode_chunk(&raw).ok().map(Arc::new)
            })
            .clone()
    }
}

/// The index of the known version closest in time to `requested` (a later one on a tie).
fn nearest<'a>(known: impl Iterator<Item = &'a str>, requested: &str) -> usize {
    let target = days(&version_key(requested).0);
    let mut best = (i64::MAX, 0usize);
    for (i, v) in known.enumerate() {
        let d = match (target, days(&version_key(v).0)) {
            (Some(t), Some(k)) => (t - k).abs(),
            // Not a date: prefer the newest.
            _ => 0,
        };
        if d <= best.0 {
            best = (d, i);
        }
    }
    best.1
}

/// "2024-05-01" -> days since year 0 (approximate months are enough for "nearest").
fn days(date: &str) -> Option<i64> {
    let mut parts = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
    Some(y * 372 + m * 31 + d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_picks_the_closest_date_and_the_newest_beyond_the_range() {
        let known = ["2021-01-01", "2023-01-01", "2025-03-01"];
        assert_eq!(nearest(known.iter().copied(), "2099-01-01"), 2);
        assert_eq!(nearest(known.iter().copied(), "2000-01-01"), 0);
        assert_eq!(nearest(known.iter().copied(), "2022-11-01-preview"), 1);
        assert_eq!(nearest(known.iter().copied(), "latest"), 2);
    }

    #[test]
    fn the_embedded_data_holds_facts_but_no_descriptions() {
        let sections = codec::split_file(DATA).unwrap();
        assert!(sections.len() > 300);
        let mut text = String::new();
        for s in &sections {
            text.push_str(&String::from_utf8_lossy(&codec::inflate(s).unwrap()));
        }
        assert!(text.contains("serverFarmId") && text.contains("^[a-z0-9]+$"));
        // Descriptions of Microsoft.Web/sites in the source data.
        for prose in [
            "The resource id",
            "Core resource properties",
            "Kind of resource",
        ] {
            assert!(!text.contains(prose), "{prose}");
        }
    }
}
