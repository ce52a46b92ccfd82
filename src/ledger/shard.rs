//! Sharding OCR over several machines, then applying the ledger once.
//!
//! OCR is the slow stage and needs no shared state beyond the cache, so N machines (a Kubernetes
//! Indexed Job, a Slurm array, GNU parallel) each take a deterministic slice of the same manifest
//! with `fidelio ocr --shard K/N` and write their own JSONL. The slice is chosen by content hash
//! (first 8 bytes of the blake3 id, modulo N), so it does not depend on file names, every
//! machine computes the same split without talking to the others, and the copies of one file
//! (same bytes) land on the same machine. `fidelio validate` then merges the slices back into
//! the single run's order and decides them in one place, where the ledger lives.

use std::collections::HashMap;
use std::str::FromStr;

use crate::ingest::ManifestEntry;
use crate::ocr::OcrRecord;

/// Slice `index` (1-based) of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ShardError {
    #[error("invalid shard {0:?}: expected K/N with 1 <= K <= N, e.g. 2/3")]
    Invalid(String),
    #[error(
        "{file} is in both {first} and {second}: was a slice passed twice, or two shards run \
         with the same K?"
    )]
    Overlap {
        file: String,
        first: String,
        second: String,
    },
    #[error(
        "{count} file(s) of the scan manifest are in no OCR input (first: {example}); is a \
         shard missing?"
    )]
    Missing { count: usize, example: String },
    #[error("{file} (in {origin}) is not in the scan manifest: was it OCRed from another scan?")]
    Unexpected { file: String, origin: String },
}

impl FromStr for Shard {
    type Err = ShardError;

    fn from_str(text: &str) -> Result<Shard, ShardError> {
        let invalid = || ShardError::Invalid(text.to_string());
        let (index, count) = text.split_once('/').ok_or_else(invalid)?;
        let index: u64 = index.trim().parse().map_err(|_| invalid())?;
        let count: u64 = count.trim().parse().map_err(|_| invalid())?;
        if count == 0 || index == 0 || index > count {
            return Err(invalid());
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// Does this slice own `entry`?
    pub fn owns(&self, entry: &ManifestEntry) -> bool {
        bucket(entry) % self.count == self.index - 1
    }

    /// The entries of this slice, in manifest order.
    pub fn select(&self, entries: Vec<ManifestEntry>) -> Vec<ManifestEntry> {
        entries.into_iter().filter(|e| self.owns(e)).collect()
    }
}

/// First 8 bytes of the content hash; files that could not be hashed fall back to a hash of
/// their path, which every machine also computes alike.
fn bucket(entry: &ManifestEntry) -> u64 {
    let from_id = entry
        .id
        .get(..16)
        .and_then(|hex| u64::from_str_radix(hex, 16).ok());
    from_id.unwrap_or_else(|| {
        let hash = blake3::hash(entry.file.as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&hash.as_bytes()[..8]);
        u64::from_be_bytes(first)
    })
}

/// Merge OCR slices (`(origin, records)`, origin naming the file for errors) into the order of
/// a single run. A file found in two slices is an error. With the scan manifest the slices were
/// cut from, every file must be present (a missing shard is an error) and the manifest's order
/// is used; without it, files are sorted by path, which is the order `scan` produces.
pub fn merge(
    slices: Vec<(String, Vec<OcrRecord>)>,
    manifest: Option<&[ManifestEntry]>,
) -> Result<Vec<OcrRecord>, ShardError> {
    let mut by_file: HashMap<FileKey, (String, OcrRecord)> = HashMap::new();
    for (origin, records) in slices {
        for record in records {
            let key = FileKey::of(&record.entry);
            if let Some((first, _)) = by_file.get(&key) {
                return Err(ShardError::Overlap {
                    file: key.0,
                    first: first.clone(),
                    second: origin,
                });
            }
            by_file.insert(key, (origin.clone(), record));
        }
    }
    match manifest {
        Some(manifest) => in_manifest_order(by_file, manifest),
        None => {
            let mut records: Vec<OcrRecord> = by_file.into_values().map(|(_, r)| r).collect();
            records.sort_by_key(|r| r.entry.path());
            Ok(records)
        }
    }
}

/// A file as the slices name it: its shown path and, when that is not UTF-8, its exact bytes
/// (regression: `caf\xe9.jpg` and `caf\u{fffd}.jpg` show alike and were "in both" slices).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct FileKey(String, Option<String>);

impl FileKey {
    fn of(entry: &ManifestEntry) -> FileKey {
        FileKey(entry.file.clone(), entry.path_bytes.clone())
    }
}

fn in_manifest_order(
    mut by_file: HashMap<FileKey, (String, OcrRecord)>,
    manifest: &[ManifestEntry],
) -> Result<Vec<OcrRecord>, ShardError> {
    let mut records = Vec::with_capacity(manifest.len());
    let mut missing = Vec::new();
    for entry in manifest {
        match by_file.remove(&FileKey::of(entry)) {
            Some((_, record)) => records.push(record),
            None => missing.push(entry.file.clone()),
        }
    }
    if let Some(example) = missing.first() {
        return Err(ShardError::Missing {
            count: missing.len(),
            example: example.clone(),
        });
    }
    if let Some((key, (origin, _))) = by_file.into_iter().min_by(|a, b| a.0.cmp(&b.0)) {
        return Err(ShardError::Unexpected {
            file: key.0,
            origin,
        });
    }
    Ok(records)
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

    fn record(file: &str, id: &str) -> OcrRecord {
        OcrRecord {
            entry: entry(file, id),
            ocr: None,
        }
    }

    fn manifest(n: usize) -> Vec<ManifestEntry> {
        (0..n)
            .map(|i| {
                let id = blake3::hash(&i.to_le_bytes()).to_hex().to_string();
                entry(&format!("in/m{}/{i:03}.jpg", i % 3), &id)
            })
            .collect()
    }

    /// Regression: two files whose names show alike (one not UTF-8) were "in both" slices.
    #[test]
    fn files_that_show_alike_are_two_files() {
        let latin1 = ManifestEntry {
            path_bytes: Some("696e2f636166e92e6a7067".into()), // in/caf\xe9.jpg
            ..entry("in/caf\u{fffd}.jpg", "aa")
        };
        let lookalike = entry("in/caf\u{fffd}.jpg", "bb");
        let slices = vec![
            (
                "1.jsonl".to_string(),
                vec![OcrRecord {
                    entry: latin1.clone(),
                    ocr: None,
                }],
            ),
            (
                "2.jsonl".to_string(),
                vec![OcrRecord {
                    entry: lookalike.clone(),
                    ocr: None,
                }],
            ),
        ];
        let merged = merge(slices, Some(&[lookalike, latin1])).unwrap();
        let ids: Vec<&str> = merged.iter().map(|r| r.entry.id.as_str()).collect();
        assert_eq!(ids, ["bb", "aa"]);
    }

    #[test]
    fn parses_k_of_n_and_refuses_nonsense() {
        assert_eq!("2/3".parse(), Ok(Shard { index: 2, count: 3 }));
        assert_eq!(Shard { index: 2, count: 3 }.to_string(), "2/3");
        for bad in ["0/3", "4/3", "1/0", "3", "a/b", "", "1/3/5"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn every_entry_is_in_exactly_one_shard_and_slices_are_balanced() {
        let entries = manifest(300);
        for count in 1..=5u64 {
            let shards: Vec<Shard> = (1..=count).map(|index| Shard { index, count }).collect();
            for e in &entries {
                assert_eq!(shards.iter().filter(|s| s.owns(e)).count(), 1);
            }
            for s in &shards {
                let size = s.select(entries.clone()).len() as u64;
                assert!(size > 300 / count / 2, "shard {s} has {size}");
            }
        }
    }

    #[test]
    fn same_bytes_land_together_and_unhashed_files_still_land_somewhere() {
        let shard = Shard { index: 1, count: 2 };
        let a = entry("x/1.jpg", &"ab".repeat(32));
        let b = entry("y/2.jpg", &"ab".repeat(32));
        assert_eq!(shard.owns(&a), shard.owns(&b));
        let unreadable = entry("z/broken.jpg", "");
        let owners = [1, 2]
            .iter()
            .filter(|&&index| Shard { index, count: 2 }.owns(&unreadable))
            .count();
        assert_eq!(owners, 1);
    }

    #[test]
    fn merged_slices_come_back_in_manifest_order() {
        let entries = manifest(50);
        let slices: Vec<(String, Vec<OcrRecord>)> = (1..=3)
            .rev()
            .map(|index| {
                let shard = Shard { index, count: 3 };
                let records = shard
                    .select(entries.clone())
                    .into_iter()
                    .map(|e| OcrRecord {
                        entry: e,
                        ocr: None,
                    })
                    .collect();
                (format!("shard-{index}.jsonl"), records)
            })
            .collect();
        let mut sorted = entries.clone();
        sorted.sort_by(|a, b| std::path::Path::new(&a.file).cmp(std::path::Path::new(&b.file)));
        let by_path = merge(slices.clone(), None).unwrap();
        assert_eq!(
            by_path.iter().map(|r| &r.entry).collect::<Vec<_>>(),
            sorted.iter().collect::<Vec<_>>()
        );
        let by_manifest = merge(slices, Some(&entries)).unwrap();
        assert_eq!(
            by_manifest.iter().map(|r| &r.entry).collect::<Vec<_>>(),
            entries.iter().collect::<Vec<_>>()
        );
    }

    #[test]
    fn overlapping_missing_and_foreign_slices_are_errors() {
        let overlap = merge(
            vec![
                ("a.jsonl".into(), vec![record("f1", "01")]),
                ("b.jsonl".into(), vec![record("f1", "01")]),
            ],
            None,
        )
        .unwrap_err();
        assert!(matches!(overlap, ShardError::Overlap { ref second, .. } if second == "b.jsonl"));
        let manifest = vec![entry("f1", "01"), entry("f2", "02")];
        let missing = merge(
            vec![("a.jsonl".into(), vec![record("f1", "01")])],
            Some(&manifest),
        )
        .unwrap_err();
        assert_eq!(
            missing,
            ShardError::Missing {
                count: 1,
                example: "f2".into()
            }
        );
        let foreign = merge(
            vec![(
                "a.jsonl".into(),
                vec![record("f1", "01"), record("f2", "02"), record("f9", "09")],
            )],
            Some(&manifest),
        )
        .unwrap_err();
        assert!(matches!(foreign, ShardError::Unexpected { ref file, .. } if file == "f9"));
    }
}
