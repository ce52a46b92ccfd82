//! Walking input paths into a sorted list of candidate files.
//!
//! Sorted so that ids, duplicate attribution and output order never depend on the filesystem's
//! directory order; symlinks are followed with loop detection (walkdir) because operators often
//! link the day's folder into place. A link inside the input folder that leads out of it is
//! not followed unless asked (`follow_links`): a customer-supplied folder could otherwise have
//! any readable file on the machine read, decided and paid. It gets its results line
//! (`LINK_OUTSIDE_INPUT`).

use std::path::{Path, PathBuf};

use crate::reason::{Code, Reason};

/// A file found under an input root, or a path that could not be walked.
#[derive(Clone, Debug)]
pub struct Found {
    /// Path as found: the input joined with the relative path.
    pub path: PathBuf,
    /// The input root it was found under (the file itself when a file was given).
    pub root: PathBuf,
    /// Set when the entry could not be read while walking.
    pub error: Option<Reason>,
}

#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    #[error("input path does not exist: {0}")]
    Missing(PathBuf),
    #[error(transparent)]
    Manifest(#[from] super::members::ManifestError),
}

/// Names that are never inputs: hidden files and label or transcript sidecars (`NAME.json` or
/// `NAME.txt` beside an input `NAME.jpg`, `NAME.pdf`, `NAME.heic`), so a labelled folder can be
/// run as it is.
fn is_ignored(path: &Path) -> bool {
    // A name that is not UTF-8 is judged on its readable part (`caf\xe9.txt` is a sidecar).
    let Some(name) = path.file_name().map(|n| n.to_string_lossy()) else {
        return false;
    };
    if name.starts_with('.') {
        return true;
    }
    is_sidecar(path)
}

const SIDECAR_EXTENSIONS: [&str; 2] = ["json", "txt"];
const IMAGE_EXTENSIONS: [&str; 15] = [
    "jpg", "jpeg", "png", "tif", "tiff", "webp", "bmp", "heic", "heif", "pdf", "JPG", "JPEG",
    "PNG", "HEIC", "PDF",
];

fn is_sidecar(path: &Path) -> bool {
    let Some(ext) = path.extension().and_then(|e| e.to_str()) else {
        return false;
    };
    if !SIDECAR_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()) {
        return false;
    }
    IMAGE_EXTENSIONS
        .iter()
        .any(|image_ext| path.with_extension(image_ext).is_file())
}

/// Walk every input; a missing input is an error (a typo in a cron job should fail loudly),
/// an unreadable directory below it becomes a per-file error entry.
pub fn walk(inputs: &[PathBuf], follow_links: bool) -> Result<Vec<Found>, WalkError> {
    let mut found = Vec::new();
    for input in inputs {
        if std::fs::symlink_metadata(input).is_err() {
            return Err(WalkError::Missing(input.clone()));
        }
        walk_one(input, follow_links, &mut found);
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found.dedup_by(|a, b| a.path == b.path);
    Ok(found)
}

fn walk_one(root: &Path, follow_links: bool, found: &mut Vec<Found>) {
    // The input itself may be a link (the day's folder linked into place): its target is the
    // boundary.
    let boundary = std::fs::canonicalize(root).ok();
    let mut walker = walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter();
    while let Some(item) = walker.next() {
        if let (Ok(entry), Some(boundary), false) = (&item, &boundary, follow_links) {
            let sidecar =
                entry.depth() > 0 && !entry.file_type().is_dir() && is_ignored(entry.path());
            if let Some(target) = leaves(entry.path(), boundary).filter(|_| !sidecar) {
                if entry.file_type().is_dir() {
                    walker.skip_current_dir();
                }
                found.push(Found {
                    path: entry.path().to_path_buf(),
                    root: root.to_path_buf(),
                    error: Some(Reason::new(
                        Code::LinkOutsideInput,
                        format!(
                            "a symbolic link out of the input folder (to {}): not followed; \
                             give --follow-links to read it",
                            target.display()
                        ),
                    )),
                });
                continue;
            }
        }
        match item {
            Ok(entry) if entry.file_type().is_file() => {
                if entry.depth() == 0 || !is_ignored(entry.path()) {
                    found.push(Found {
                        path: entry.path().to_path_buf(),
                        root: root.to_path_buf(),
                        error: None,
                    });
                }
            }
            // A named pipe, socket or device among the receipts: never opened (a pipe would
            // block the batch), but reported, so every input path has its results line.
            Ok(entry) if !entry.file_type().is_dir() => {
                if entry.depth() == 0 || !is_ignored(entry.path()) {
                    found.push(Found {
                        path: entry.path().to_path_buf(),
                        root: root.to_path_buf(),
                        error: Some(Reason::new(
                            Code::NotAFile,
                            "not a regular file (a named pipe, socket or device): not read",
                        )),
                    });
                }
            }
            Ok(_) => {}
            Err(err) => {
                let path = err
                    .path()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| root.to_path_buf());
                let message = match err.loop_ancestor() {
                    Some(ancestor) => format!("symlink loop back to {}", ancestor.display()),
                    None => format!("cannot read: {}", err),
                };
                found.push(Found {
                    path,
                    root: root.to_path_buf(),
                    error: Some(Reason::new(Code::ReadError, message)),
                });
            }
        }
    }
}

/// Where `path` really is, when that is outside `boundary` (through a symbolic link).
fn leaves(path: &Path, boundary: &Path) -> Option<PathBuf> {
    let real = std::fs::canonicalize(path).ok()?;
    (!real.starts_with(boundary)).then_some(real)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hostile-input audit: FIFOs and devices were skipped without a results line.
    #[cfg(unix)]
    #[test]
    fn regression_a_named_pipe_gets_its_own_reason_and_is_never_opened() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("m")).unwrap();
        std::fs::write(root.join("m/a.jpg"), b"x").unwrap();
        let fifo = root.join("m/pipe.jpg");
        let c_path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o644) }, 0);
        let found = walk(&[root.to_path_buf()], false).unwrap();
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].error, None);
        assert_eq!(found[1].path, fifo);
        assert_eq!(found[1].error.as_ref().unwrap().code, Code::NotAFile);
    }

    #[test]
    fn walks_sorted_and_skips_sidecars_and_hidden_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("bob")).unwrap();
        std::fs::create_dir_all(root.join("alice")).unwrap();
        for name in [
            "bob/b.jpg",
            "bob/b.json",
            "alice/a.png",
            "alice/notes.txt",
            ".hidden",
        ] {
            std::fs::write(root.join(name), b"x").unwrap();
        }
        let found = walk(&[root.to_path_buf()], false).unwrap();
        let names: Vec<_> = found
            .iter()
            .map(|f| {
                f.path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(names, ["alice/a.png", "alice/notes.txt", "bob/b.jpg"]);
    }

    #[test]
    fn missing_input_is_an_error() {
        let err = walk(&[PathBuf::from("/definitely/not/here")], false).unwrap_err();
        assert!(err.to_string().contains("does not exist"));
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loop_is_a_per_file_error_not_a_hang() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("m")).unwrap();
        std::os::unix::fs::symlink(root, root.join("m/loop")).unwrap();
        std::fs::write(root.join("m/a.jpg"), b"x").unwrap();
        let found = walk(&[root.to_path_buf()], false).unwrap();
        assert!(found.iter().any(|f| f.error.is_some()));
        assert!(found.iter().any(|f| f.path.ends_with("m/a.jpg")));
    }
}
