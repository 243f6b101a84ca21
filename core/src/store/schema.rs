//! The store's schema and its migrations.
//!
//! Following application-services' connection initializer: every connection gets the same pragmas
//! ([`prepare`]); the schema version lives in `PRAGMA user_version`; each migration is a numbered `.sql` file
//! applied in its own `IMMEDIATE` transaction ([`migrate`]); a database from a newer app is refused with
//! [`Error::StoreTooNew`] and left untouched. Old databases are committed as fixtures under
//! `core/tests/fixtures/db/` and every upgrade path is tested against them.

use rusqlite::{Connection, TransactionBehavior};

use crate::error::{Error, Result};

/// The migrations, in order; migration `i` (0-based) brings the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    include_str!("sql/001_initial.sql"),
    include_str!("sql/002_sync.sql"),
    include_str!("sql/003_reviews.sql"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Pragmas for every connection: WAL for concurrent readers and crash safety, `synchronous = FULL` so that a
/// committed transaction is on disk when the commit returns (WAL with `NORMAL` may lose the last transactions on
/// power loss), foreign keys, and a busy timeout instead of immediate `SQLITE_BUSY`. `durable = false` (bulk
/// loads, tests) uses `synchronous = NORMAL`: still crash-safe, but the last transactions may be lost on power loss.
pub(crate) fn prepare(conn: &Connection, durable: bool) -> Result<()> {
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(Error::Corrupt(format!(
            "could not enable WAL (journal_mode is {mode})"
        )));
    }
    conn.pragma_update(None, "synchronous", if durable { "FULL" } else { "NORMAL" })?;
    conn.execute_batch(
        "PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 5000;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -8000;",
    )?;
    Ok(())
}

/// The schema version of an open database.
pub fn version(conn: &Connection) -> Result<u32> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Brings the database to [`SCHEMA_VERSION`]. Returns the version it started from (0 for a new file).
pub(crate) fn migrate(conn: &mut Connection) -> Result<u32> {
    let found = version(conn)?;
    if found > SCHEMA_VERSION {
        return Err(Error::StoreTooNew {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as u32 + 1)?;
        tx.commit()?;
    }
    Ok(found)
}
