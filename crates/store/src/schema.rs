//! Connection settings and embedded migrations.
//!
//! Migrations are only ever appended; `PRAGMA user_version` records how many ran.
//! A test pins the SHA-256 of every migration so an edit to a shipped one fails CI.

use rusqlite::{Connection, TransactionBehavior};

use crate::StoreError;

pub(crate) const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_initial.sql", include_str!("migrations/0001_initial.sql")),
    ("0002_mail.sql", include_str!("migrations/0002_mail.sql")),
    ("0003_answers_as_one_row.sql", include_str!("migrations/0003_answers_as_one_row.sql")),
    ("0004_study_settings.sql", include_str!("migrations/0004_study_settings.sql")),
    ("0005_drafts.sql", include_str!("migrations/0005_drafts.sql")),
    ("0006_trust.sql", include_str!("migrations/0006_trust.sql")),
    ("0007_translations.sql", include_str!("migrations/0007_translations.sql")),
    ("0008_round_rules.sql", include_str!("migrations/0008_round_rules.sql")),
];

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
        let pinned = [
            ("0001_initial.sql", "8bf89f6eb6f3252c69f50edcfa4ef15c5b44e93ccc88199519609186734f7254"),
            ("0002_mail.sql", "bb6ba09d37d015a462b700f14a9ac08da33c0298a980a5030a35b6be90ad4de4"),
            ("0003_answers_as_one_row.sql", "2daf2738c7ab140cd45bce67fcec589c5406e2067e0ebdcc4afdeda72376ddf7"),
            ("0004_study_settings.sql", "5f4e66513ad7b4e61abb966db8254301ca92e346235e0f48e91b629ffdb82a6b"),
            ("0005_drafts.sql", "9a0d525e20af168dc6c35d230941b2e4d7dbfb84860921563b49efc33f543b23"),
            ("0006_trust.sql", "7e8a3544d879bfcf91facaa5735e5557fc028041530282957dd0eda5df4ddc2f"),
            ("0007_translations.sql", "90a24b401534af9fecf640f3a0e9ef93d7fd48f8f350272ba0bfe172684641b2"),
            ("0008_round_rules.sql", "34d286caf5a884872e6157714945b9881e6ea89b7a3c5192290aa71efaad22ca"),
        ];
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

    /// A store made before the email channel keeps its personal links working.
    #[test]
    fn links_issued_before_schema_2_stay_valid() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(MIGRATIONS[0].1).unwrap();
        conn.execute_batch(
            "PRAGMA user_version = 1;
             INSERT INTO studies VALUES ('s', '', '', '2026-01-01T00:00:00Z');
             INSERT INTO experts (study_id, id, pseudonym, name, email, institution, country, bloc, language, expertise)
             VALUES ('s', 'E01', 'p-1', 'A', 'a@x', 'I', 'US', 'US', 'en', '');
             INSERT INTO rounds (study_id, number, state, questionnaire, questionnaire_sha256, study_sha256, created_at)
             VALUES ('s', 1, 'draft', '{}', '', '', '2026-01-01T00:00:00Z');
             UPDATE rounds SET state = 'open', opened_at = '2026-01-01T00:00:00Z', deadline = '2026-02-01T00:00:00Z';
             INSERT INTO tokens VALUES ('s', 1, 'E01', x'00ff', '2026-01-01T00:00:00Z');",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let migrated: (String, String, Option<String>) = conn
            .query_row(
                "SELECT expert_id, purpose, revoked_at FROM access_tokens WHERE token_sha256 = x'00ff'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(migrated, ("E01".to_owned(), "link".to_owned(), None));
    }

    /// Rows of `answers` in their natural order, and all of `current_answers`.
    type Snapshot = (
        Vec<(i64, String, String, Option<String>)>,
        Vec<(String, u32, String, String, String, Option<String>, i64, u32)>,
    );

    fn snapshot(conn: &Connection) -> Snapshot {
        let answers = conn
            .prepare("SELECT submission_id, item_id, value, rationale FROM answers")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        let current = conn
            .prepare(
                "SELECT study_id, round, expert_id, item_id, value, rationale, submission_id, revision
                 FROM current_answers ORDER BY study_id, round, expert_id, item_id",
            )
            .unwrap()
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
            })
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        (answers, current)
    }

    /// A store of schema 2 keeps every answer, in order and with its exact JSON, when its
    /// answers move into one row per submission; answers of a closed round move too.
    #[test]
    fn answers_of_schema_2_move_into_one_row_per_submission() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("PRAGMA foreign_keys = ON").unwrap();
        conn.execute_batch(MIGRATIONS[0].1).unwrap();
        conn.execute_batch(MIGRATIONS[1].1).unwrap();
        conn.execute_batch(
            r#"PRAGMA user_version = 2;
             INSERT INTO studies VALUES ('s', '', '', '2026-01-01T00:00:00Z');
             INSERT INTO experts (study_id, id, pseudonym, name, email, institution, country, bloc, language, expertise)
             VALUES ('s', 'E01', 'p-1', 'A', 'a@x', 'I', 'US', 'US', 'en', ''),
                    ('s', 'E02', 'p-2', 'B', 'b@x', 'I', 'CN', 'CN', 'zh', '');
             INSERT INTO rounds (study_id, number, state, questionnaire, questionnaire_sha256, study_sha256, created_at)
             VALUES ('s', 1, 'draft', '{}', '', '', '2026-01-01T00:00:00Z'), ('s', 2, 'draft', '{}', '', '', '2026-01-01T00:00:00Z');
             UPDATE rounds SET state = 'open', opened_at = '2026-01-01T00:00:00Z', deadline = '2026-02-01T00:00:00Z' WHERE number = 1;
             INSERT INTO submissions (id, study_id, round, expert_id, channel, source_ref, received_at) VALUES
                 (1, 's', 1, 'E01', 'web', NULL, '2026-01-02T00:00:00Z'),
                 (2, 's', 1, 'E02', 'email', '<m@x>', '2026-01-02T00:00:01Z'),
                 (3, 's', 1, 'E01', 'api', NULL, '2026-01-03T00:00:00Z');
             INSERT INTO answers (submission_id, item_id, value, rationale) VALUES
                 (1, 'z.last', '0.25', NULL),
                 (1, 'a.first', '{"text":"a \"quoted\" ünïcode ✓ 中文\n\\u0001"}', 'because "so"'),
                 (1, 'm.middle', '{"quantiles":[0.05,1e-7,-3.5E+300,12345678901234567890],"k":null}', ''),
                 (2, 'a.first', '"dont-know"', '多语言'),
                 (2, 'z.last', '[3,1,2]', NULL),
                 (3, 'z.last', '-0.0', 'changed my mind'),
                 (3, 'b.other', 'true', NULL);
             UPDATE rounds SET state = 'closed', closed_at = '2026-02-01T00:00:00Z' WHERE number = 1;
             UPDATE rounds SET state = 'open', opened_at = '2026-02-02T00:00:00Z', deadline = '2026-03-01T00:00:00Z' WHERE number = 2;
             INSERT INTO submissions (id, study_id, round, expert_id, channel, source_ref, received_at) VALUES
                 (4, 's', 2, 'E02', 'cli', NULL, '2026-02-03T00:00:00Z');
             INSERT INTO answers (submission_id, item_id, value, rationale) VALUES (4, 'a.first', '7', 'r2');"#,
        )
        .unwrap();
        let before = snapshot(&conn);
        assert_eq!(before.0.len(), 8);
        migrate(&mut conn).unwrap();
        assert_eq!(snapshot(&conn), before);
        let stored: String =
            conn.query_row("SELECT answers FROM submission_answers WHERE submission_id = 2", [], |r| r.get(0)).unwrap();
        assert_eq!(stored, r#"[["a.first","dont-know","多语言"],["z.last",[3,1,2],null]]"#);

        // The schema still refuses what it refused: changed answers, answers to a closed round.
        for sql in [
            "UPDATE answers SET value = '1'",
            "DELETE FROM answers",
            "UPDATE submission_answers SET answers = '[]'",
            "DELETE FROM submission_answers",
        ] {
            let error = conn.execute(sql, []).expect_err(sql).to_string();
            assert!(error.contains("append-only"), "{sql}: {error}");
        }
        conn.execute_batch("INSERT INTO submissions (id, study_id, round, expert_id, channel, received_at) VALUES (5, 's', 2, 'E01', 'cli', 'now')").unwrap();
        conn.execute("INSERT INTO submission_answers VALUES (5, '[[\"a.first\",1,null]]')", []).unwrap();
        conn.execute_batch("UPDATE rounds SET state = 'closed', closed_at = 'now' WHERE number = 2").unwrap();
        let error =
            conn.execute("INSERT INTO submission_answers VALUES (4, '[]')", []).expect_err("closed").to_string();
        assert!(error.contains("not open"), "{error}");
        let error = conn.execute("INSERT INTO answers VALUES (5, 'x', '1', NULL)", []).expect_err("view").to_string();
        assert!(error.contains("submission_answers"), "{error}");
    }
}
