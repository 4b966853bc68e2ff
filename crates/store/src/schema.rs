//! Connection settings and embedded migrations.
//!
//! Migrations are only ever appended; `PRAGMA user_version` records how many ran.
//! A test pins the SHA-256 of every migration so an edit to a shipped one fails CI.

use rusqlite::{Connection, TransactionBehavior};

use crate::StoreError;

pub(crate) const MIGRATIONS: &[(&str, &str)] = &[("0001_initial.sql", include_str!("migrations/0001_initial.sql"))];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

pub(crate) fn configure(conn: &Connection) -> Result<(), StoreError> {
    // WAL lets the HTTP server and an ingest job share the file; FULL syncs the WAL on
    // every commit, so an acknowledged answer survives power loss, not only a crash.
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Corrupt(format!("cannot switch the store to WAL mode (got `{mode}`)")));
    }
    // temp_store = MEMORY keeps the statement journals of savepoints (one per submission in
    // a group commit) off the disk; durability comes from the WAL, which this leaves alone.
    conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;")?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    // The query planner stability guarantee: a cached statement keeps its plan whatever
    // values are bound to it. Without it, SQLite (with STAT4, as bundled) marks statements
    // whose plan could depend on a bound value as expired on every rebinding, and each
    // execution of a cached statement re-parsed and re-planned its SQL: 15–30 % of the
    // server's CPU per submission under load (perf: `sqlite3Reprepare` in `sqlite3_step`).
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    Ok(())
}

pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
    let current: u32 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > SCHEMA_VERSION {
        return Err(StoreError::TooNew { found: current, known: SCHEMA_VERSION });
    }
    for (_, sql) in &MIGRATIONS[current as usize..] {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Shipped migrations are never edited: a store created by an older build must
    /// migrate to exactly the schema a new store gets. Add a new file instead.
    #[test]
    fn shipped_migrations_are_unchanged() {
        let pinned = [("0001_initial.sql", "8bf89f6eb6f3252c69f50edcfa4ef15c5b44e93ccc88199519609186734f7254")];
        let actual: Vec<(&str, String)> =
            MIGRATIONS.iter().map(|(name, sql)| (*name, crate::secret::sha256_hex(sql.as_bytes()))).collect();
        for ((name, hash), (pinned_name, pinned_hash)) in actual.iter().zip(pinned) {
            assert_eq!(
                (*name, hash.as_str()),
                (pinned_name, pinned_hash),
                "migration {name} was edited; add a new migration instead"
            );
        }
        assert!(actual.len() >= pinned.len(), "a shipped migration was removed");
    }
}
