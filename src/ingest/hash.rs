//! Hashing every found file with blake3, in parallel.
//!
//! Files are hashed as they are read, 64 KiB at a time, so a file of any size costs no memory:
//! every file needs its id, even one refused later for its size. (Memory-mapped hashing
//! counted a 3 GB upload's pages in the night's resident memory: 3.1 GB.) Results are
//! collected in input order so the manifest is deterministic.

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
    let mut file = std::fs::File::open(&found.path)?;
    let metadata = file.metadata()?;
    entry.file_time = metadata.modified().ok().map(rfc3339_utc);
    let mut head = [0u8; 16];
    let read = read_head(&mut file, &mut head)?;
    entry.format = sniff(&head[..read]);
    let mut hasher = blake3::Hasher::new();
    hasher.update(&head[..read]);
    hasher.update_reader(&mut file)?;
    entry.id = hasher.finalize().to_hex().to_string();
    // What was hashed, should the file have changed since `metadata`.
    entry.size = hasher.count();
    entry.error = if entry.size == 0 {
        Some(Reason::new(Code::EmptyFile, "the file is empty (0 bytes)"))
    } else if entry.format.is_none() {
        Some(Reason::new(
            Code::NotAnImage,
            "not a JPEG, PNG, TIFF, WebP, BMP or HEIC picture, nor a PDF",
        ))
    } else {
        None
    };
    Ok(())
}

fn read_head(file: &mut std::fs::File, head: &mut [u8]) -> std::io::Result<usize> {
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
