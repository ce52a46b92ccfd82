//! The run lock: one deciding run per state directory at a time.
//!
//! SQLite transactions already keep the database consistent, but two nightly runs deciding at
//! once would each check duplicates and caps against a ledger that does not yet hold the other's
//! awards, and both could pay the same purchase. So a run holds an advisory lock on
//! `STATE/ledger.lock` from before it reads the ledger until after it commits. The operating
//! system drops the lock when the process dies, even under `kill -9`, so a crashed night never
//! leaves a stale lock behind. The file's content names the holder, so the run that has to wait
//! can say who it waited for.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::LedgerError;

pub const LOCK_FILE: &str = "ledger.lock";

/// How often a waiting run retries; short enough to start promptly after the holder ends.
const RETRY_EVERY: Duration = Duration::from_millis(100);

/// Held for as long as it lives; dropping it (or the process dying) releases the lock.
#[derive(Debug)]
pub struct RunLock {
    file: File,
    path: PathBuf,
}

impl RunLock {
    /// Take the lock on `state_dir`, waiting up to `timeout`. `holder` describes this run
    /// (e.g. `validate --batch 2024-03-01`) for whoever waits next.
    pub fn acquire(
        state_dir: &Path,
        holder: &str,
        timeout: Duration,
    ) -> Result<RunLock, LedgerError> {
        std::fs::create_dir_all(state_dir).map_err(|source| LedgerError::Io {
            path: state_dir.to_path_buf(),
            source,
        })?;
        let path = state_dir.join(LOCK_FILE);
        let io_error = |source| LedgerError::Io {
            path: state_dir.join(LOCK_FILE),
            source,
        };
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io_error)?;
        let started = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) if started.elapsed() < timeout => {
                    std::thread::sleep(RETRY_EVERY.min(timeout.saturating_sub(started.elapsed())));
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(LedgerError::Locked {
                        path,
                        holder: read_holder(&file),
                        waited: started.elapsed(),
                    })
                }
                Err(TryLockError::Error(source)) => return Err(io_error(source)),
            }
        }
        let mut lock = RunLock { file, path };
        lock.write_holder(holder).map_err(io_error)?;
        Ok(lock)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn write_holder(&mut self, holder: &str) -> std::io::Result<()> {
        let since = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ");
        let line = format!("pid {} ({holder}) since {since}\n", std::process::id());
        self.file.set_len(0)?;
        self.file.seek(SeekFrom::Start(0))?;
        self.file.write_all(line.as_bytes())?;
        self.file.flush()
    }
}

/// Who holds the run lock on `state_dir` now, as the holder wrote it; `None` when nobody does
/// (so a database kept busy is not a fidelio night: a `sqlite3` shell, a backup tool). Only a
/// lock held at this moment is named: the file keeps the last holder's line after it ended.
pub fn current_holder(state_dir: &Path) -> Option<String> {
    let file = File::open(state_dir.join(LOCK_FILE)).ok()?;
    match file.try_lock_shared() {
        Ok(()) => {
            let _ = file.unlock();
            None
        }
        Err(TryLockError::WouldBlock) => {
            let holder = read_holder(&file).unwrap_or_else(|| "a fidelio run".to_string());
            // This very process holding the run lock (a purge or a review waiting on the
            // database) is not who keeps the database busy: another program is.
            let own = format!("pid {} ", std::process::id());
            (!holder.starts_with(&own)).then_some(holder)
        }
        Err(TryLockError::Error(_)) => None,
    }
}

/// The holder's description, best effort: the lock is advisory, so the file stays readable.
fn read_holder(mut file: &File) -> Option<String> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.take(512).read_to_string(&mut text).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_holder_waits_then_fails_naming_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let first = RunLock::acquire(dir.path(), "run --batch mon", Duration::ZERO).unwrap();
        let started = Instant::now();
        let err = RunLock::acquire(dir.path(), "run --batch tue", Duration::from_millis(300))
            .unwrap_err();
        assert!(started.elapsed() >= Duration::from_millis(300));
        let LedgerError::Locked { holder, .. } = &err else {
            panic!("expected Locked, got {err}");
        };
        let holder = holder.as_deref().unwrap_or_default();
        assert!(
            holder.contains(&format!("pid {}", std::process::id())),
            "{holder}"
        );
        assert!(holder.contains("run --batch mon"), "{holder}");
        assert!(err.to_string().contains("run --batch mon"), "{err}");
        drop(first);
    }

    #[test]
    fn the_current_holder_is_named_only_while_it_holds_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(current_holder(dir.path()), None);
        // Another process's lock, as it writes it.
        let other = File::create(dir.path().join(LOCK_FILE)).unwrap();
        other.lock().unwrap();
        std::fs::write(
            dir.path().join(LOCK_FILE),
            "pid 1 (run --batch mon) since 2026-12-02T02:30:00Z\n",
        )
        .unwrap();
        let named = current_holder(dir.path()).unwrap();
        assert!(named.contains("run --batch mon"), "{named}");
        other.unlock().unwrap();
        // Regression (issue 20): the file still says `run --batch mon`, which ended.
        assert_eq!(current_holder(dir.path()), None);
        // This process's own lock (a purge waiting on a busy database) is not named: the
        // one keeping the database busy is someone else.
        let own = RunLock::acquire(dir.path(), "ledger purge", Duration::ZERO).unwrap();
        assert_eq!(current_holder(dir.path()), None);
        drop(own);
    }

    #[test]
    fn released_on_drop_so_a_waiting_run_proceeds() {
        let dir = tempfile::tempdir().unwrap();
        let first = RunLock::acquire(dir.path(), "first", Duration::ZERO).unwrap();
        let path = dir.path().to_path_buf();
        let waiter = std::thread::spawn(move || {
            RunLock::acquire(&path, "second", Duration::from_secs(10)).map(|_| ())
        });
        std::thread::sleep(Duration::from_millis(200));
        drop(first);
        waiter.join().unwrap().unwrap();
    }
}
