//! Exact in-batch duplicates: the same bytes sent twice in one night.
//!
//! The first occurrence in sorted order is the original, so attribution never depends on
//! thread timing or directory order.

use std::collections::HashMap;

use super::ManifestEntry;

pub fn mark_duplicates(entries: &mut [ManifestEntry]) {
    // File and member of the first occurrence of each content hash.
    let mut first_by_id: HashMap<String, (String, Option<String>)> = HashMap::new();
    for entry in entries.iter_mut() {
        if entry.id.is_empty() || entry.error.is_some() {
            continue;
        }
        match first_by_id.get(&entry.id) {
            Some((file, member)) => {
                entry.duplicate_of = Some(file.clone());
                entry.duplicate_of_member =
                    member.clone().filter(|m| Some(m) != entry.member.as_ref());
            }
            None => {
                first_by_id.insert(entry.id.clone(), (entry.file.clone(), entry.member.clone()));
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

    /// Bug: a file sent by two members in one night said only DUPLICATE_FILE; the sample
    /// labels (and the ledger, across nights) also say who else claimed it.
    #[test]
    fn a_copy_sent_by_another_member_names_the_first_sender() {
        let sent_by = |file: &str, member: &str| ManifestEntry {
            member: Some(member.into()),
            ..entry(file, "h1")
        };
        let mut entries = vec![sent_by("a", "M1"), sent_by("b", "M1"), sent_by("c", "M2")];
        mark_duplicates(&mut entries);
        assert_eq!(entries[1].duplicate_of_member, None);
        assert_eq!(entries[2].duplicate_of.as_deref(), Some("a"));
        assert_eq!(entries[2].duplicate_of_member.as_deref(), Some("M1"));
    }
}
