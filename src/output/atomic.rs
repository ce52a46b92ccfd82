//! Atomic file replacement.

use std::io::Write;
use std::path::Path;

const TEMP_PREFIX: &str = ".fidelio-";
const TEMP_SUFFIX: &str = ".tmp";

/// Remove temp files a killed run left behind (a kill -9 skips their cleanup), so output
/// directories do not fill up with hidden debris night after night.
pub fn remove_stale_temp_files(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    Ok(())
}

/// Write `bytes` to `path` so readers see the old file or the new one, never a mix: write a
/// temp file beside it, fsync, rename over. A path that exists and is not a regular file
/// (`/dev/null`, `/dev/stdout`, a named pipe) is written through instead: renaming over it
/// would replace the device with a file (regression: `fidelio ocr -o /dev/null`, run as
/// root, turned `/dev/null` into a regular file and later broke cargo's rustc probe).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let special = std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir());
    if special {
        return std::fs::OpenOptions::new()
            .write(true)
            .open(path)?
            .write_all(bytes);
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX).suffix(TEMP_SUFFIX);
    // Created as any file is, 0666 less the umask (tempfile's default 0600 kept the CRM's
    // account from reading the outputs whatever the operator's umask said).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hostile-input audit: outputs were created mode 0600 whatever the umask, so the CRM's
    /// account could not read `points.csv`.
    #[cfg(unix)]
    #[test]
    fn regression_outputs_follow_the_umask() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("points.csv");
        // The umask this test process runs under decides, as for any file it creates.
        let plain = dir.path().join("plain");
        std::fs::write(&plain, b"x").unwrap();
        let expected = std::fs::metadata(&plain).unwrap().permissions().mode() & 0o777;
        write_atomic(&path, b"new").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, expected, "{mode:o} vs {expected:o}");
    }

    #[test]
    fn replaces_content_and_leaves_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("points.csv");
        write_atomic(&path, b"old").unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    /// Regression: `fidelio ocr -o /dev/null` renamed a temp file over `/dev/null`.
    #[cfg(unix)]
    #[test]
    fn a_named_pipe_is_written_through_not_replaced() {
        use std::io::Read;
        use std::os::unix::fs::FileTypeExt;

        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            return; // no mkfifo here: nothing to check
        }
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || {
                let mut read = Vec::new();
                std::fs::File::open(fifo)
                    .unwrap()
                    .read_to_end(&mut read)
                    .unwrap();
                read
            })
        };
        write_atomic(&fifo, b"results").unwrap();
        // Checked before joining: had the pipe been replaced, the reader would wait forever.
        let kind = std::fs::metadata(&fifo).unwrap().file_type();
        assert!(kind.is_fifo(), "the pipe is still a pipe");
        assert_eq!(reader.join().unwrap(), b"results");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
