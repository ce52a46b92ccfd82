//! Versioned schema migrations, tracked in SQLite's `PRAGMA user_version`.
//!
//! A state directory outlives the binary that created it: operators upgrade fidelio between
//! nights and keep their ledger. Each migration runs once, in order, inside its own transaction
//! together with the version bump, so a crash mid-upgrade leaves the previous version intact.
//! A ledger written by a newer fidelio is refused rather than misread.

use rusqlite::Connection;

use super::LedgerError;

/// Migration `i` (0-based) takes the schema from version `i` to `i + 1`.
pub(crate) const MIGRATIONS: &[&str] = &[V1, V2, V3, V4];

/// The schema this binary reads and writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Version 1: batches with their rendered outputs, every decided receipt, and the award lines.
///
/// Money and points are exact decimals stored as text (SQLite has no decimal type and REAL
/// would round). The perceptual print is stored as text on the receipt, and each of its frames
/// as a row of `receipt_frames` split into four 16-bit chunks, each indexed, for the
/// multi-index Hamming search in `nearby.rs`. Those indexes carry the hash and (the table being
/// `WITHOUT ROWID`) the receipt and frame, so a probe reads only the index.
const V1: &str = r#"
CREATE TABLE batches (
    campaign       TEXT NOT NULL,
    batch          TEXT NOT NULL,
    inputs         TEXT NOT NULL,
    rules          TEXT NOT NULL,
    files          INTEGER NOT NULL,
    committed_at   TEXT NOT NULL,
    PRIMARY KEY (campaign, batch)
);

CREATE TABLE batch_outputs (
    campaign  TEXT NOT NULL,
    batch     TEXT NOT NULL,
    name      TEXT NOT NULL,
    bytes     BLOB NOT NULL,
    PRIMARY KEY (campaign, batch, name),
    FOREIGN KEY (campaign, batch) REFERENCES batches (campaign, batch) ON DELETE CASCADE
);

CREATE TABLE receipts (
    id             INTEGER PRIMARY KEY,
    campaign       TEXT NOT NULL,
    batch          TEXT NOT NULL,
    position       INTEGER NOT NULL,
    file           TEXT NOT NULL,
    receipt_id     TEXT NOT NULL,
    member         TEXT,
    status         TEXT NOT NULL,
    reasons        TEXT NOT NULL,
    purchase_key   TEXT,
    phash          TEXT,
    purchase_date  TEXT,
    purchase_time  TEXT,
    merchant       TEXT,
    total          TEXT,
    points         TEXT NOT NULL,
    cashback       TEXT NOT NULL,
    original       INTEGER REFERENCES receipts (id) ON DELETE SET NULL,
    other_member   INTEGER NOT NULL DEFAULT 0,
    decided_at     TEXT NOT NULL,
    UNIQUE (campaign, batch, position),
    FOREIGN KEY (campaign, batch) REFERENCES batches (campaign, batch) ON DELETE CASCADE
);
CREATE INDEX receipts_by_content ON receipts (campaign, receipt_id);
CREATE INDEX receipts_by_purchase ON receipts (campaign, purchase_key);
CREATE INDEX receipts_by_member ON receipts (member, campaign);
CREATE INDEX receipts_by_original ON receipts (original);

CREATE TABLE receipt_frames (
    receipt   INTEGER NOT NULL REFERENCES receipts (id) ON DELETE CASCADE,
    frame     INTEGER NOT NULL,
    campaign  TEXT NOT NULL,
    hash      INTEGER NOT NULL,
    ph0       INTEGER NOT NULL,
    ph1       INTEGER NOT NULL,
    ph2       INTEGER NOT NULL,
    ph3       INTEGER NOT NULL,
    PRIMARY KEY (receipt, frame)
) WITHOUT ROWID;
CREATE INDEX frames_by_ph0 ON receipt_frames (campaign, ph0, hash);
CREATE INDEX frames_by_ph1 ON receipt_frames (campaign, ph1, hash);
CREATE INDEX frames_by_ph2 ON receipt_frames (campaign, ph2, hash);
CREATE INDEX frames_by_ph3 ON receipt_frames (campaign, ph3, hash);

CREATE TABLE awards (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign    TEXT NOT NULL,
    receipt     INTEGER NOT NULL REFERENCES receipts (id) ON DELETE CASCADE,
    member      TEXT,
    kind        TEXT NOT NULL CHECK (kind IN ('award', 'revocation')),
    points      TEXT NOT NULL,
    cashback    TEXT NOT NULL,
    reason      TEXT,
    created_at  TEXT NOT NULL,
    batch       TEXT,
    UNIQUE (receipt, kind)
);
CREATE INDEX awards_by_campaign ON awards (campaign, kind, batch);
"#;

/// Version 2: receipts held for a person, and what people decided.
///
/// A receipt decided `review` keeps what it was decided on (its OCR record and its result, as
/// JSON) in `review_queue`, and the campaign's rules are kept by fingerprint in
/// `campaign_rules`, so `fidelio review apply` can decide it again months later without the
/// night's files. Each applied decisions file is a `review_applies` row with its rendered
/// outputs (replayed when the same file is applied again, as batches are); each decided
/// receipt gets a `reviews` row: who, when, the note, the corrections, and the result. Purging
/// a batch takes its queue and review rows with it (the receipts cascade).
const V2: &str = r#"
CREATE TABLE campaign_rules (
    fingerprint  TEXT PRIMARY KEY,
    campaign     TEXT NOT NULL,
    rules        TEXT NOT NULL
);

CREATE TABLE review_queue (
    receipt  INTEGER PRIMARY KEY REFERENCES receipts (id) ON DELETE CASCADE,
    record   TEXT NOT NULL,
    result   TEXT NOT NULL
);

CREATE TABLE review_applies (
    digest      TEXT PRIMARY KEY,
    applied_at  TEXT NOT NULL,
    decided     INTEGER NOT NULL
);

CREATE TABLE review_outputs (
    apply  TEXT NOT NULL REFERENCES review_applies (digest) ON DELETE CASCADE,
    name   TEXT NOT NULL,
    bytes  BLOB NOT NULL,
    PRIMARY KEY (apply, name)
);

CREATE TABLE reviews (
    receipt      INTEGER PRIMARY KEY REFERENCES receipts (id) ON DELETE CASCADE,
    apply        TEXT REFERENCES review_applies (digest) ON DELETE SET NULL,
    decision     TEXT NOT NULL CHECK (decision IN ('approve', 'reject')),
    reviewer     TEXT,
    note         TEXT,
    corrections  TEXT NOT NULL,
    status       TEXT NOT NULL,
    result       TEXT NOT NULL,
    decided_at   TEXT NOT NULL
);
"#;

/// Version 3: the ticket number of each receipt (folded), and claims found by day and ticket.
///
/// A second photo of a receipt is often read with one field slipped (a digit of the total, a
/// letter of the shop), so its purchase key differs; the ledger then compares it field by field
/// (`purchase::same_purchase`) with the claims of the same day that share its ticket number.
/// Rows from before this version have no ticket: they are found by key and image only.
const V3: &str = r#"
ALTER TABLE receipts ADD COLUMN ticket TEXT;
CREATE INDEX receipts_by_ticket ON receipts (campaign, purchase_date, ticket);
"#;

/// Version 4: the picture's layout grid (`image::grid`: its pixel size, then a gray PNG of a few
/// kilobytes), to tell a copy of a claimed photo with a region changed, and the picture's pixel
/// size on its own, so that only the grids of pictures of a submission's size are read. Rows
/// written before have none and are compared on their print and fields as before.
const V4: &str = r#"
ALTER TABLE receipts ADD COLUMN grid BLOB;
ALTER TABLE receipts ADD COLUMN picture_width INTEGER;
ALTER TABLE receipts ADD COLUMN picture_height INTEGER;
"#;

/// Bring `conn` up to the last of `migrations`, one transaction per step.
pub(crate) fn migrate(conn: &mut Connection, migrations: &[&str]) -> Result<u32, LedgerError> {
    let supported = migrations.len() as u32;
    let mut version = user_version(conn)?;
    if version > supported {
        return Err(LedgerError::NewerSchema {
            found: version,
            supported,
        });
    }
    while version < supported {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Exclusive)?;
        // Another process may have migrated while we waited for the write lock.
        let current = user_version(&tx)?;
        if current == version {
            tx.execute_batch(migrations[version as usize])?;
            tx.pragma_update(None, "user_version", version + 1)?;
        }
        tx.commit()?;
        version = user_version(conn)?;
    }
    Ok(version)
}

pub(crate) fn user_version(conn: &Connection) -> Result<u32, LedgerError> {
    Ok(conn.pragma_query_value(None, "user_version", |row| row.get(0))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn memory() -> Connection {
        Connection::open_in_memory().unwrap()
    }

    #[test]
    fn fresh_database_reaches_the_current_version_and_stays_there() {
        let mut conn = memory();
        assert_eq!(migrate(&mut conn, MIGRATIONS).unwrap(), SCHEMA_VERSION);
        assert_eq!(migrate(&mut conn, MIGRATIONS).unwrap(), SCHEMA_VERSION);
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN \
                 ('batches', 'batch_outputs', 'receipts', 'awards')",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(tables, 4);
    }

    #[test]
    fn upgrades_step_by_step_and_keeps_data() {
        let steps: [&str; 2] = [
            "CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (7);",
            "ALTER TABLE t ADD COLUMN b TEXT DEFAULT 'x';",
        ];
        let mut conn = memory();
        assert_eq!(migrate(&mut conn, &steps[..1]).unwrap(), 1);
        assert_eq!(migrate(&mut conn, &steps).unwrap(), 2);
        let row: (i64, String) = conn
            .query_row("SELECT a, b FROM t", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap();
        assert_eq!(row, (7, "x".to_string()));
    }

    #[test]
    fn a_failed_step_leaves_the_previous_version() {
        let steps: [&str; 2] = ["CREATE TABLE t (a INTEGER);", "CREATE TABLE t (oops);"];
        let mut conn = memory();
        assert!(migrate(&mut conn, &steps).is_err());
        assert_eq!(user_version(&conn).unwrap(), 1);
    }

    #[test]
    fn refuses_a_ledger_from_a_newer_fidelio() {
        let mut conn = memory();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        let err = migrate(&mut conn, MIGRATIONS).unwrap_err();
        assert!(
            matches!(err, LedgerError::NewerSchema { found, .. } if found == SCHEMA_VERSION + 1),
            "{err}"
        );
    }
}
