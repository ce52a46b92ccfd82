//! Hashing every found file with blake3, in parallel.
//!
//! Memory-mapped hashing (blake3's `update_mmap`) keeps a 50 MB TIFF from being copied into
//! memory; results are collected in input order so the manifest is deterministic.

use std::io::Read;

use rayon::prelude::*;

use super::sniff::sniff;
use super::walk::Found;
use super::ManifestEntry;
use crate::reason::{Code, Reason};

pub fn hash_all(found: &[Found]) -> Vec<ManifestEntry> {
    found.par_iter().map(hash_one).collect()
}

fn hash_one(found: &Found) -> ManifestEntry {
    let mut entry = ManifestEntry {
        file: found.path.to_string_lossy().into_owned(),
        path_bytes: super::path_bytes_of(&found.path),
        error: found.error.clone(),
        ..ManifestEntry::default()
    };
    if entry.error.is_some() {
        return entry;
    }
    if let Err(err) = fill(&mut entry, found) {
        entry.error = Some(Reason::new(
            Code::ReadError,
            format!("cannot read file: {err}"),
        ));
    }
    entry
}

fn fill(entry: &mut ManifestEntry, found: &Found) -> std::io::Result<()> {
    let mut hasher = blake3::Hasher::new();
    hasher.update_mmap(&found.path)?;
    entry.id = hasher.finalize().to_hex().to_string();
    let metadata = std::fs::metadata(&found.path)?;
    entry.size = metadata.len();
    entry.file_time = metadata.modified().ok().map(rfc3339_utc);
    let mut head = [0u8; 16];
    let read = read_head(&found.path, &mut head)?;
    entry.format = sniff(&head[..read]);
    entry.error = if entry.size == 0 {
        Some(Reason::new(Code::EmptyFile, "the file is empty (0 bytes)"))
    } else if entry.format.is_none() {
        Some(Reason::new(
            Code::NotAnImage,
            "not a JPEG, PNG, TIFF, WebP or BMP image",
        ))
    } else {
        None
    };
    Ok(())
}

fn read_head(path: &std::path::Path, head: &mut [u8]) -> std::io::Result<usize> {
    let mut file = std::fs::File::open(path)?;
    let mut total = 0;
    while total < head.len() {
        let n = file.read(&mut head[total..])?;
        if n == 0 {
            break;
        }
        total += n;
    }
    Ok(total)
}

fn rfc3339_utc(time: std::time::SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(time).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
