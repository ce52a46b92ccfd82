//! Opening the ledger database: where it lives and how SQLite is configured.
//!
//! WAL so that `fidelio ledger stats` can read while a run writes; `synchronous = FULL` because a
//! committed batch is money and must survive a power cut, not only a killed process; a busy
//! timeout so short administrative writes (a revocation) wait for a committing run instead of
//! failing; foreign keys so purging a batch takes its receipts and award lines with it; and
//! `secure_delete` so purged rows are overwritten on disk, not merely unlinked, since retention
//! is a promise about personal data.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;

use super::schema::{migrate, MIGRATIONS};
use super::LedgerError;

pub const DB_FILE: &str = "ledger.sqlite";

/// How long a statement waits for another connection's write transaction.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The ledger: every decided receipt and award line across all batches of a state directory.
pub struct Ledger {
    pub(crate) conn: Connection,
    path: PathBuf,
}

impl Ledger {
    /// Open (creating if needed) `STATE/ledger.sqlite` and bring its schema up to date.
    pub fn open(state_dir: &Path) -> Result<Ledger, LedgerError> {
        std::fs::create_dir_all(state_dir).map_err(|source| LedgerError::Io {
            path: state_dir.to_path_buf(),
            source,
        })?;
        let path = state_dir.join(DB_FILE);
        let conn = Connection::open(&path)?;
        Ledger::configure(conn, path)
    }

    /// Open an existing ledger without creating one (for read-only reports).
    pub fn open_existing(state_dir: &Path) -> Result<Ledger, LedgerError> {
        let path = state_dir.join(DB_FILE);
        if !path.is_file() {
            return Err(LedgerError::Missing(path));
        }
        let conn = Connection::open(&path)?;
        Ledger::configure(conn, path)
    }

    /// Open an existing ledger for reading only (`ledger stats`, `export`, `history`, `review
    /// export`, `report`): nothing is created or migrated, so these work on a state directory
    /// the operator may only read (a backup, another account's nightly state). When SQLite
    /// cannot create the WAL index beside a read-only database, the file is read as immutable.
    /// A ledger of an older schema is migrated first when it can be written.
    pub fn open_read_only(state_dir: &Path) -> Result<Ledger, LedgerError> {
        use rusqlite::OpenFlags;
        let path = state_dir.join(DB_FILE);
        if !path.is_file() {
            return Err(LedgerError::Missing(path));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let readable = |conn: Connection| -> Result<(Connection, u32), LedgerError> {
            conn.busy_timeout(BUSY_TIMEOUT)?;
            let version = super::schema::user_version(&conn)?;
            Ok((conn, version))
        };
        let (conn, version) = match Connection::open_with_flags(&path, flags)
            .map_err(LedgerError::from)
            .and_then(readable)
        {
            Ok(opened) => opened,
            Err(_) => readable(Connection::open_with_flags(immutable_uri(&path), flags)?)?,
        };
        let supported = MIGRATIONS.len() as u32;
        if version > supported {
            return Err(LedgerError::NewerSchema {
                found: version,
                supported,
            });
        }
        if version < supported {
            drop(conn);
            return Ledger::open_existing(state_dir);
        }
        Ok(Ledger { conn, path })
    }

    fn configure(mut conn: Connection, path: PathBuf) -> Result<Ledger, LedgerError> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(LedgerError::Corrupt(format!(
                "{}: cannot switch to WAL mode (got {mode}); is the state directory on a \
                 network filesystem?",
                path.display()
            )));
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.pragma_update(None, "secure_delete", true)?;
        migrate(&mut conn, MIGRATIONS)?;
        Ok(Ledger { conn, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How long a statement waits for another connection's write before the ledger is
    /// [busy](LedgerError::is_busy): a deciding command's `--lock-timeout`.
    pub fn set_busy_timeout(&mut self, timeout: Duration) -> Result<(), LedgerError> {
        Ok(self.conn.busy_timeout(timeout)?)
    }

    /// A write transaction, begun at once: it waits for another connection's write up to the
    /// busy timeout, then is [`LedgerError::Busy`] naming who holds the ledger now. Every
    /// write goes through here, so purge, review, revoke and a night all name the holder
    /// (was: only `ledger revoke`).
    pub(crate) fn write_transaction(&mut self) -> Result<rusqlite::Transaction<'_>, LedgerError> {
        let started = std::time::Instant::now();
        let path = self.path.clone();
        self.conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|err| busy_named(&path, err.into(), started))
    }

    /// `err`, when it is SQLite giving up on another connection's write, as
    /// [`LedgerError::Busy`] naming who holds the ledger now (a fidelio run, or another
    /// program), after `started`.
    pub(crate) fn name_busy(&self, err: LedgerError, started: std::time::Instant) -> LedgerError {
        busy_named(&self.path, err, started)
    }

    /// The schema version on disk (after migration, the current one).
    pub fn schema_version(&self) -> Result<u32, LedgerError> {
        super::schema::user_version(&self.conn)
    }

    /// SQLite's own consistency check; `ok` when the file is sound.
    pub fn integrity_check(&self) -> Result<String, LedgerError> {
        Ok(self
            .conn
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))?)
    }
}

fn busy_named(path: &Path, err: LedgerError, started: std::time::Instant) -> LedgerError {
    let busy = matches!(&err, LedgerError::Sqlite(_)) && err.is_busy();
    if !busy {
        return err;
    }
    let state_dir = path.parent().unwrap_or(Path::new("."));
    LedgerError::Busy {
        path: path.to_path_buf(),
        holder: super::lock::current_holder(state_dir),
        waited: started.elapsed(),
    }
}

/// `file:PATH?immutable=1`, the path percent-encoded where a URI needs it.
fn immutable_uri(path: &Path) -> String {
    let mut uri = String::from("file:");
    for c in path.to_string_lossy().chars() {
        match c {
            '%' | '?' | '#' | ' ' => uri.push_str(&format!("%{:02X}", c as u32)),
            c => uri.push(c),
        }
    }
    uri.push_str("?immutable=1");
    uri
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_only_ledger_reads_and_refuses_to_write() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state with space");
        drop(Ledger::open(&state).unwrap());
        let ledger = Ledger::open_read_only(&state).unwrap();
        assert_eq!(
            ledger.schema_version().unwrap(),
            super::super::SCHEMA_VERSION
        );
        let write = ledger.conn.execute("PRAGMA user_version = 0", []);
        assert!(write.is_err(), "a read-only ledger wrote");
        // The immutable form opens the same file (the path escaped for a URI).
        let uri = immutable_uri(&state.join(DB_FILE));
        assert!(uri.contains("state%20with%20space"), "{uri}");
        let flags =
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(&uri, flags).unwrap();
        assert_eq!(
            super::super::schema::user_version(&conn).unwrap(),
            super::super::SCHEMA_VERSION
        );
        assert!(matches!(
            Ledger::open_read_only(dir.path()),
            Err(LedgerError::Missing(_))
        ));
    }

    #[test]
    fn creates_the_database_in_wal_mode_at_the_current_schema() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state");
        let ledger = Ledger::open(&state).unwrap();
        assert!(state.join(DB_FILE).is_file());
        assert_eq!(
            ledger.schema_version().unwrap(),
            super::super::SCHEMA_VERSION
        );
        let mode: String = ledger
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(ledger.integrity_check().unwrap(), "ok");
        drop(ledger);
        Ledger::open_existing(&state).unwrap();
    }

    #[test]
    fn reports_need_an_existing_ledger() {
        let dir = tempfile::tempdir().unwrap();
        let err = Ledger::open_existing(dir.path()).err().unwrap();
        assert!(matches!(err, LedgerError::Missing(_)), "{err}");
        assert!(!dir.path().join(DB_FILE).exists());
    }
}
