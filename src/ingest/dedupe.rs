//! Exact in-batch duplicates: the same bytes sent twice in one night.
//!
//! The first occurrence in sorted order is the original, so attribution never depends on
//! thread timing or directory order.

use std::collections::HashMap;

use super::ManifestEntry;

pub fn mark_duplicates(entries: &mut [ManifestEntry]) {
    let mut first_by_id: HashMap<String, String> = HashMap::new();
    for entry in entries.iter_mut() {
        if entry.id.is_empty() || entry.error.is_some() {
            continue;
        }
        match first_by_id.get(&entry.id) {
            Some(original) => entry.duplicate_of = Some(original.clone()),
            None => {
                first_by_id.insert(entry.id.clone(), entry.file.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(file: &str, id: &str) -> ManifestEntry {
        ManifestEntry {
            file: file.into(),
            id: id.into(),
            size: 1,
            ..ManifestEntry::default()
        }
    }

    #[test]
    fn later_copies_point_at_the_first_in_sorted_order() {
        let mut entries = vec![
            entry("a", "h1"),
            entry("b", "h2"),
            entry("c", "h1"),
            entry("d", "h1"),
        ];
        mark_duplicates(&mut entries);
        assert_eq!(entries[0].duplicate_of, None);
        assert_eq!(entries[1].duplicate_of, None);
        assert_eq!(entries[2].duplicate_of.as_deref(), Some("a"));
        assert_eq!(entries[3].duplicate_of.as_deref(), Some("a"));
    }
}
