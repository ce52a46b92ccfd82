//! Attributing files to members: by folder layout (`inbox/<member>/IMG_1.jpg`) or by a CSV
//! manifest exported from the submission channel (`file,member[,submitted_at,channel]`).
//!
//! Only the member id the operator supplies is kept: no other personal data enters fidelio.

use std::collections::HashMap;
use std::path::Path;

use super::walk::Found;
use super::ManifestEntry;

/// One row of a member manifest CSV.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
pub struct MemberRow {
    pub file: String,
    pub member: String,
    #[serde(default)]
    pub submitted_at: Option<String>,
    #[serde(default)]
    pub channel: Option<String>,
}

/// A parsed member manifest, looked up by path as found, path relative to the input root, or
/// bare file name (the forms submission channels export).
#[derive(Clone, Debug, Default)]
pub struct MemberManifest {
    rows: HashMap<String, MemberRow>,
}

#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("{path}: {source}")]
    Csv { path: String, source: csv::Error },
    #[error("{path}: line {line}: file {file:?} is listed twice")]
    Repeated {
        path: String,
        line: u64,
        file: String,
    },
}

impl MemberManifest {
    pub fn from_path(path: &Path) -> Result<MemberManifest, ManifestError> {
        let shown = path.display().to_string();
        let csv_err = |source| ManifestError::Csv {
            path: shown.clone(),
            source,
        };
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .flexible(true)
            .from_path(path)
            .map_err(csv_err)?;
        let mut rows = HashMap::new();
        for record in reader.deserialize::<MemberRow>() {
            let row = record.map_err(csv_err)?;
            let row = MemberRow {
                submitted_at: row.submitted_at.filter(|s| !s.is_empty()),
                channel: row.channel.filter(|s| !s.is_empty()),
                ..row
            };
            if rows.contains_key(&row.file) {
                let line = reader.position().line();
                return Err(ManifestError::Repeated {
                    path: shown,
                    line,
                    file: row.file,
                });
            }
            rows.insert(row.file.clone(), row);
        }
        Ok(MemberManifest { rows })
    }

    fn lookup(&self, found: &Found) -> Option<&MemberRow> {
        let as_found = found.path.to_string_lossy();
        let relative = found
            .path
            .strip_prefix(&found.root)
            .ok()
            .map(|p| p.to_string_lossy());
        let name = found.path.file_name().map(|n| n.to_string_lossy());
        [Some(as_found), relative, name]
            .into_iter()
            .flatten()
            .find_map(|key| self.rows.get(key.as_ref()))
    }
}

/// The member implied by the folder layout: the first directory under the input root.
fn member_from_layout(found: &Found) -> Option<String> {
    let relative = found.path.strip_prefix(&found.root).ok()?;
    let mut components = relative.components();
    let first = components.next()?;
    components.next()?; // a file directly in the root has no member folder
    Some(escaped_name(first.as_os_str()))
}

/// A folder name as a member id: as is when UTF-8; otherwise each byte that is not UTF-8
/// written `\xNN`, so folders `M\xff` and `M\xfe` stay two members (a lossy conversion made
/// both `M\u{fffd}`, one member paid for the other's receipts).
fn escaped_name(name: &std::ffi::OsStr) -> String {
    #[cfg(unix)]
    {
        use std::fmt::Write;
        use std::os::unix::ffi::OsStrExt;
        let mut out = String::new();
        for chunk in name.as_bytes().utf8_chunks() {
            out.push_str(chunk.valid());
            for byte in chunk.invalid() {
                let _ = write!(out, "\\x{byte:02x}");
            }
        }
        out
    }
    #[cfg(not(unix))]
    {
        name.to_string_lossy().into_owned()
    }
}

pub fn attribute(
    entries: &mut [ManifestEntry],
    found: &[Found],
    manifest: Option<&MemberManifest>,
) {
    for (entry, found) in entries.iter_mut().zip(found) {
        match manifest.and_then(|m| m.lookup(found)) {
            Some(row) => {
                // An empty member cell is no member (and such a receipt is never paid).
                entry.member = Some(row.member.clone()).filter(|m| !m.trim().is_empty());
                entry.submitted_at = row.submitted_at.clone();
                entry.channel = row.channel.clone();
            }
            None if manifest.is_none() => entry.member = member_from_layout(found),
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn regression_members_from_folders_not_in_utf8_stay_apart() {
        use std::os::unix::ffi::OsStrExt;
        let ff = escaped_name(std::ffi::OsStr::from_bytes(b"M\xff"));
        let fe = escaped_name(std::ffi::OsStr::from_bytes(b"M\xfe"));
        assert_eq!(ff, "M\\xff");
        assert_ne!(ff, fe);
        assert_eq!(escaped_name(std::ffi::OsStr::new("Zoé")), "Zoé");
    }
    use std::path::PathBuf;

    fn found(root: &str, path: &str) -> Found {
        Found {
            path: PathBuf::from(path),
            root: PathBuf::from(root),
            error: None,
        }
    }

    #[test]
    fn member_is_the_first_folder_under_the_root() {
        assert_eq!(
            member_from_layout(&found("inbox", "inbox/m42/IMG_1.jpg")).as_deref(),
            Some("m42")
        );
        assert_eq!(
            member_from_layout(&found("inbox", "inbox/m42/sub/IMG_1.jpg")).as_deref(),
            Some("m42")
        );
        assert_eq!(member_from_layout(&found("inbox", "inbox/IMG_1.jpg")), None);
        assert_eq!(
            member_from_layout(&found("inbox/x.jpg", "inbox/x.jpg")),
            None
        );
    }

    #[test]
    fn manifest_matches_relative_paths_and_names() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("members.csv");
        std::fs::write(&csv, "file,member,submitted_at,channel\nm1/a.jpg,alice,2024-03-02T10:00:00Z,app\nb.jpg,bob,,\n").unwrap();
        let manifest = MemberManifest::from_path(&csv).unwrap();
        let a = manifest.lookup(&found("in", "in/m1/a.jpg")).unwrap();
        assert_eq!(a.member, "alice");
        assert_eq!(a.channel.as_deref(), Some("app"));
        let b = manifest.lookup(&found("in", "in/x/b.jpg")).unwrap();
        assert_eq!(b.member, "bob");
        assert_eq!(b.submitted_at, None);
        assert!(manifest.lookup(&found("in", "in/c.jpg")).is_none());
    }

    #[test]
    fn repeated_file_in_manifest_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("members.csv");
        std::fs::write(&csv, "file,member\na.jpg,x\na.jpg,y\n").unwrap();
        let err = MemberManifest::from_path(&csv).unwrap_err();
        assert!(err.to_string().contains("listed twice"), "{err}");
    }
}
