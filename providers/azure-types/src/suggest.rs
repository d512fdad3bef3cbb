//! Closest names, for "did you mean" in unknown types and unknown properties.

/// Edit distance (Levenshtein) over chars, case-sensitive; callers lower-case when they want.
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The known name closest to `name`: a case-only difference first, else the nearest within
/// a third of the name's length.
pub fn closest_name<'a>(name: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let lower = name.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for k in known {
        let d = distance(&lower, &k.to_lowercase());
        if d == 0 {
            return Some(k);
        }
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, k));
        }
    }
    let limit = (name.chars().count() / 3).max(1);
    best.filter(|(d, _)| *d <= limit).map(|(_, k)| k)
}

/// Up to 3 known type names closest to `name`. A type of the same last segment in another
/// namespace (`Microsoft.HyperV/virtualMachines` -> `Microsoft.Compute/virtualMachines`) and
/// a type of the same namespace count as close.
pub fn closest_types<'a>(name: &str, known: impl Iterator<Item = &'a str>) -> Vec<String> {
    let lower = name.to_lowercase();
    let (ns, path) = lower.split_once('/').unwrap_or((&lower, ""));
    let mut scored: Vec<(usize, &str)> = known
        .filter_map(|k| {
            let kl = k.to_lowercase();
            let (kns, kpath) = kl.split_once('/').unwrap_or((&kl, ""));
            let whole = distance(&lower, &kl);
            let by_path = distance(path, kpath) * 2 + distance(ns, kns) / 3;
            let score = whole.min(by_path);
            (score <= (lower.len() / 2).max(4)).then_some((score, k))
        })
        .collect();
    scored.sort();
    scored
        .into_iter()
        .take(3)
        .map(|(_, k)| k.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_edits() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("same", "same"), 0);
    }

    #[test]
    fn closest_name_prefers_a_case_only_difference() {
        let known = ["serverFarmId", "serverFarm"];
        assert_eq!(
            closest_name("serverFarmid", known.iter().copied()),
            Some("serverFarmId")
        );
        assert_eq!(closest_name("zzzzzzzz", known.iter().copied()), None);
    }
}
