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
    /// The path as found (input argument joined with the walked relative path); a name that
    /// is not UTF-8 is shown with U+FFFD in place of its odd bytes (see `path_bytes`).
    pub file: String,
    /// The path's bytes, hex, when they are not UTF-8 (a Latin-1 name from an old camera or a
    /// Windows share): what opens the file in later stages, `file` being only its display.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_bytes: Option<String>,
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

impl ManifestEntry {
    /// The path to open: `path_bytes` when the name is not UTF-8, else `file`.
    pub fn path(&self) -> std::path::PathBuf {
        #[cfg(unix)]
        if let Some(bytes) = self.path_bytes.as_deref().and_then(hex_bytes) {
            use std::os::unix::ffi::OsStringExt;
            return std::ffi::OsString::from_vec(bytes).into();
        }
        std::path::PathBuf::from(&self.file)
    }
}

/// The hex spelling of a path's bytes, when it is not UTF-8 (`None` when it is).
pub fn path_bytes_of(path: &std::path::Path) -> Option<String> {
    if path.to_str().is_some() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Some(
            path.as_os_str()
                .as_bytes()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        )
    }
    #[cfg(not(unix))]
    {
        None
    }
}

fn hex_bytes(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

/// How `scan` finds and attributes files.
#[derive(Clone, Debug, Default)]
pub struct ScanOptions {
    /// Member attribution from a CSV manifest instead of the folder layout.
    pub manifest: Option<MemberManifest>,
    /// Follow symbolic links that lead out of the input folder (`--follow-links`).
    pub follow_links: bool,
}

/// Walk, sniff, hash and dedupe `inputs`; entries come back in sorted order.
pub fn scan(
    inputs: &[std::path::PathBuf],
    options: &ScanOptions,
) -> Result<Vec<ManifestEntry>, WalkError> {
    let found = walk(inputs, options.follow_links)?;
    let mut entries = hash::hash_all(&found);
    members::attribute(&mut entries, &found, options.manifest.as_ref())?;
    dedupe::mark_duplicates(&mut entries);
    Ok(entries)
}
