//! Ingest: turn input paths into a sorted, hashed, deduplicated manifest.
//!
//! Everything later in the pipeline keys on the content hash (`id`), so this stage hashes every
//! file once, recognises images by their bytes (customers rename files freely), attributes each
//! file to a member and marks exact in-batch duplicates so they are never OCRed twice.

mod dedupe;
mod hash;
mod members;
mod sniff;
mod walk;

use serde::{Deserialize, Serialize};

use crate::reason::Reason;

pub use members::{ManifestError, MemberManifest, MemberRow};
pub use sniff::{sniff, ImageKind};
pub use walk::{walk, WalkError};

/// One input file as the rest of the pipeline sees it. Written one per line by `fidelio scan`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// The path as found (input argument joined with the walked relative path).
    pub file: String,
    /// blake3 of the file's bytes, lowercase hex; empty when the file could not be read.
    pub id: String,
    pub size: u64,
    /// Image format recognised from the bytes (`jpeg`, `png`, `tiff`, `webp`, `bmp`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<ImageKind>,
    pub member: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// The file's modification time (RFC 3339, UTC): the submission time when the member CSV
    /// gives none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_time: Option<String>,
    /// The `file` of the first occurrence of the same bytes in this batch (sorted order).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
    /// The member who sent the original, when it is not this entry's member: the same file
    /// claimed twice by two people, which a back office follows up differently.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of_member: Option<String>,
    /// Why this file cannot be processed (it will be `unreadable`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Reason>,
}

/// How `scan` finds and attributes files.
#[derive(Clone, Debug, Default)]
pub struct ScanOptions {
    /// Member attribution from a CSV manifest instead of the folder layout.
    pub manifest: Option<MemberManifest>,
}

/// Walk, sniff, hash and dedupe `inputs`; entries come back in sorted order.
pub fn scan(
    inputs: &[std::path::PathBuf],
    options: &ScanOptions,
) -> Result<Vec<ManifestEntry>, WalkError> {
    let found = walk(inputs)?;
    let mut entries = hash::hash_all(&found);
    members::attribute(&mut entries, &found, options.manifest.as_ref());
    dedupe::mark_duplicates(&mut entries);
    Ok(entries)
}
