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
    #[error(
        "the member manifest names {file:?} without a folder, and {} files have that name ({}): \
         give each one's path relative to the input folder",
        found.len(),
        found.join(", ")
    )]
    Ambiguous { file: String, found: Vec<String> },
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

    /// The row for `found`, and whether it was matched by bare file name only.
    fn lookup(&self, found: &Found) -> Option<(&MemberRow, bool)> {
        // Keys in the escaped form: a name that is not UTF-8 is matched only by a row that
        // spells its bytes (`caf\xe9.jpg`), never by its lossy look-alike (`caf\u{fffd}.jpg`
        // named both files, two receipts paid to one member).
        let as_found = escaped_name(found.path.as_os_str());
        let relative = found
            .path
            .strip_prefix(&found.root)
            .ok()
            .map(|p| escaped_name(p.as_os_str()));
        let by_path = [Some(as_found), relative]
            .into_iter()
            .flatten()
            .find_map(|key| self.rows.get(key.as_str()));
        if let Some(row) = by_path {
            return Some((row, false));
        }
        let name = escaped_name(found.path.file_name()?);
        self.rows.get(name.as_str()).map(|row| (row, true))
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

/// A folder name as a member id (and a path as a manifest key), one-to-one: UTF-8 as is but
/// for `\`, written `\\`; each byte that is not UTF-8 written `\xNN`. So folders `M\xff` and
/// `M\xfe` stay two members (a lossy conversion made both `M\u{fffd}`, one member paid for the
/// other's receipts), and neither is the folder literally named `M\xff` (`M\\xff`).
fn escaped_name(name: &std::ffi::OsStr) -> String {
    #[cfg(unix)]
    {
        use std::fmt::Write;
        use std::os::unix::ffi::OsStrExt;
        let mut out = String::new();
        for chunk in name.as_bytes().utf8_chunks() {
            out.push_str(&chunk.valid().replace('\\', "\\\\"));
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

/// Give each entry its member: from the manifest row naming it, else (without a manifest)
/// from the folder layout. A manifest row naming a bare file name that two found files share
/// is refused: one member would be paid for the other's receipt.
pub fn attribute(
    entries: &mut [ManifestEntry],
    found: &[Found],
    manifest: Option<&MemberManifest>,
) -> Result<(), ManifestError> {
    let rows: Vec<Option<(&MemberRow, bool)>> = found
        .iter()
        .map(|f| manifest.and_then(|m| m.lookup(f)))
        .collect();
    let mut by_name: HashMap<&str, Vec<String>> = HashMap::new();
    for (row, found) in rows.iter().zip(found) {
        if let Some((row, true)) = row {
            by_name
                .entry(row.file.as_str())
                .or_default()
                .push(found.path.display().to_string());
        }
    }
    if let Some((file, found)) = by_name.into_iter().filter(|(_, f)| f.len() > 1).min() {
        return Err(ManifestError::Ambiguous {
            file: file.to_string(),
            found,
        });
    }
    for ((entry, found), row) in entries.iter_mut().zip(found).zip(rows) {
        match row.map(|(row, _)| row) {
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
    Ok(())
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
        // Regression: a folder literally named `M\xff` was the same member as the byte 0xFF.
        let literal = escaped_name(std::ffi::OsStr::new("M\\xff"));
        assert_eq!(literal, "M\\\\xff");
        assert_ne!(literal, ff);
    }

    /// Regression: a manifest row `M1/caf\u{fffd}.jpg` gave both `caf\xe9.jpg` (Latin-1) and
    /// the file really named `caf\u{fffd}.jpg` to its member; each is named by its own spelling.
    #[cfg(unix)]
    #[test]
    fn manifest_rows_name_files_not_in_utf8_by_their_bytes_only() {
        use std::os::unix::ffi::OsStrExt;
        let row = |file: &str, member: &str| {
            let row = MemberRow {
                file: file.to_string(),
                member: member.to_string(),
                submitted_at: None,
                channel: None,
            };
            (file.to_string(), row)
        };
        let manifest = MemberManifest {
            rows: [
                row("M1/caf\u{fffd}.jpg", "alice"),
                row("M1/caf\\xe9.jpg", "bob"),
            ]
            .into_iter()
            .collect(),
        };
        let latin1 = Found {
            path: PathBuf::from(std::ffi::OsStr::from_bytes(b"inbox/M1/caf\xe9.jpg")),
            root: PathBuf::from("inbox"),
            error: None,
        };
        let lookalike = found("inbox", "inbox/M1/caf\u{fffd}.jpg");
        assert_eq!(manifest.lookup(&lookalike).unwrap().0.member, "alice");
        assert_eq!(manifest.lookup(&latin1).unwrap().0.member, "bob");
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
        let (a, by_name) = manifest.lookup(&found("in", "in/m1/a.jpg")).unwrap();
        assert!(!by_name);
        assert_eq!(a.member, "alice");
        assert_eq!(a.channel.as_deref(), Some("app"));
        let (b, by_name) = manifest.lookup(&found("in", "in/x/b.jpg")).unwrap();
        assert!(by_name);
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

    /// Issue 20: a bare file name in the manifest matched every file of that name in every
    /// folder, so one member was paid for another's receipt.
    #[test]
    fn regression_a_bare_name_two_files_share_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("members.csv");
        std::fs::write(
            &csv,
            "file,member
IMG_1.jpg,alice
m2/IMG_2.jpg,bob
",
        )
        .unwrap();
        let manifest = MemberManifest::from_path(&csv).unwrap();
        let files = [
            found("in", "in/m1/IMG_1.jpg"),
            found("in", "in/m2/IMG_1.jpg"),
            found("in", "in/m2/IMG_2.jpg"),
        ];
        let mut entries = vec![ManifestEntry::default(); 3];
        let err = attribute(&mut entries, &files, Some(&manifest)).unwrap_err();
        assert!(matches!(err, ManifestError::Ambiguous { .. }), "{err}");
        assert!(
            err.to_string().contains("in/m1/IMG_1.jpg, in/m2/IMG_1.jpg"),
            "{err}"
        );
        // One file of that name: matched by it.
        attribute(&mut entries[1..], &files[1..], Some(&manifest)).unwrap();
        assert_eq!(entries[1].member.as_deref(), Some("alice"));
        assert_eq!(entries[2].member.as_deref(), Some("bob"));
    }
}
