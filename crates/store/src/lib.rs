//! delphi-store: the durable store of a Delphi study.
//!
//! One SQLite file per study (WAL, `synchronous=FULL`, foreign keys on) holds the
//! registered study definition, the panel, the rounds and their frozen
//! questionnaires, access tokens (hashed), every submission with its revisions, the
//! messages sent and the replies dealt with, drafts of refused web submissions (never
//! counted), the coordinator's translations of rationales, and an append-only audit
//! log. The round lifecycle (draft → open → closed, one round at a time, in order,
//! closed rounds immutable) is checked here with clear refusals, and enforced again by
//! triggers in the schema.
//!
//! This is the only crate that knows SQL.

#![warn(missing_docs)]

mod audit;
mod drafts;
mod error;
mod mail;
mod panel;
mod rounds;
mod schema;
mod secret;
mod status;
mod submissions;
mod tokens;
mod translations;
mod trust;

use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use delphi_core::study::StudyId;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

pub use audit::AuditEntry;
pub use error::{Refusal, StoreError};
pub use mail::{
    InboundMessage, InboundOutcome, InboundRecord, OutgoingKind, OutgoingMail, Recipient, ReminderRecord, Reservation,
    SentLetter, Transport, Written,
};
pub use panel::{PanelImport, Pseudonyms};
pub use rounds::{Round, RoundState};
pub use schema::SCHEMA_VERSION;
pub use status::{ExpertProgress, GroupCount, PseudonymousMember, RoundStatus};
pub use submissions::{
    Answer, Channel, CurrentAnswer, EncodedAnswer, EncodedAnswers, EncodedSubmission, Submission, SubmissionReceipt,
};
pub use tokens::{AccessToken, TokenGrant, TokenHash, TokenPurpose};
pub use translations::{Translation, TranslationImport};
pub use trust::{Consent, WithdrawalOutcome, Withdrawn, WithdrawnBy};

/// Who caused a change, as written to the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// The coordinator, through a command.
    Coordinator,
    /// The tool on its own, e.g. a token issued or a reply dealt with.
    System,
    /// An expert, named only by pseudonym.
    Expert {
        /// Their pseudonym.
        pseudonym: String,
    },
}

impl Actor {
    fn label(&self) -> String {
        match self {
            Self::Coordinator => "coordinator".into(),
            Self::System => "system".into(),
            Self::Expert { pseudonym } => format!("expert:{pseudonym}"),
        }
    }
}

/// A study as registered in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredStudy {
    /// Its id.
    pub id: StudyId,
    /// The SHA-256 (hex) of the study file's source as last registered.
    pub source_sha256: String,
    /// When that source was registered (re-registering a changed file moves it).
    pub registered_at: DateTime<Utc>,
}

/// An open connection to a study store.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        schema::configure(&conn)?;
        // Room for every statement a busy connection reuses (the writer alone keeps about a
        // dozen, the multi-row answer inserts among them), so none is evicted and re-prepared.
        conn.set_prepared_statement_cache_capacity(64);
        let mut store = Self { conn };
        schema::migrate(&mut store.conn)?;
        Ok(store)
    }

    /// Another connection to the same store file (for a helper thread of the connection's
    /// owner, such as a [`Store::checkpoint`] thread beside a writer).
    pub fn reopen(&self) -> Result<Self, StoreError> {
        let path = self
            .conn
            .path()
            .filter(|path| !path.is_empty())
            .ok_or_else(|| StoreError::Corrupt("an in-memory store cannot be reopened".into()))?;
        Self::open(Path::new(path))
    }

    /// Leaves checkpoints (copying the WAL back into the database file, with an fsync of
    /// that file) to another connection that calls [`Store::checkpoint`], so that commits
    /// on this one never wait for them. As a safety net, this connection still checkpoints
    /// by itself once the WAL reaches `fallback_pages` pages (SQLite's default is 1,000).
    pub fn defer_checkpoints(&self, fallback_pages: u32) -> Result<(), StoreError> {
        self.conn.pragma_update(None, "wal_autocheckpoint", fallback_pages)?;
        Ok(())
    }

    /// Copies what is committed in the WAL into the database file without blocking the
    /// writer or readers (a passive checkpoint). Durability does not depend on it: every
    /// commit is synced in the WAL already. Returns the WAL's frames and those copied.
    pub fn checkpoint(&self) -> Result<(i64, i64), StoreError> {
        let (_busy, log, copied): (i64, i64, i64) =
            self.conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok((log, copied))
    }

    /// Registers the study file (first time) or records a new version of it. Returns
    /// whether anything changed. A changed file does not alter rounds already opened:
    /// their questionnaires are frozen.
    pub fn register_study(&mut self, study_id: &StudyId, source: &str, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let hash = secret::sha256_hex(source.as_bytes());
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let existing: Option<String> = tx
            .query_row("SELECT source_sha256 FROM studies WHERE id = ?1", [study_id.as_str()], |r| r.get(0))
            .optional()?;
        let action = match existing {
            Some(previous) if previous == hash => return Ok(false),
            Some(_) => {
                tx.execute(
                    "UPDATE studies SET source = ?2, source_sha256 = ?3, registered_at = ?4 WHERE id = ?1",
                    params![study_id.as_str(), source, hash, timestamp(at)],
                )?;
                "study.updated"
            }
            None => {
                tx.execute(
                    "INSERT INTO studies (id, source, source_sha256, registered_at) VALUES (?1, ?2, ?3, ?4)",
                    params![study_id.as_str(), source, hash, timestamp(at)],
                )?;
                "study.registered"
            }
        };
        audit::record(
            &tx,
            at,
            Some(study_id),
            &Actor::Coordinator,
            action,
            &serde_json::json!({ "source_sha256": hash }),
        )?;
        tx.commit()?;
        Ok(true)
    }

    /// The study `study_id` as registered, if it is.
    pub fn study(&self, study_id: &StudyId) -> Result<Option<RegisteredStudy>, StoreError> {
        self.conn
            .query_row("SELECT id, source_sha256, registered_at FROM studies WHERE id = ?1", [study_id.as_str()], |r| {
                Ok((study_id_at(r, 0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
            })
            .optional()?
            .map(|(id, source_sha256, at)| {
                Ok(RegisteredStudy { id, source_sha256, registered_at: parse_timestamp(&at)? })
            })
            .transpose()
    }

    /// Runs SQLite's own consistency check; returns the problems it lists (none when healthy).
    pub fn integrity_check(&self) -> Result<Vec<String>, StoreError> {
        let mut statement = self.conn.prepare("PRAGMA integrity_check")?;
        let rows: Vec<String> = statement.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        Ok(rows.into_iter().filter(|row| row != "ok").collect())
    }
}

fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn parse_timestamp(text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("bad timestamp `{text}`: {e}")))
}

/// A study id read back from the store. Only a [`StudyId`] is ever written, so one that does
/// not parse was written by something else: the row cannot be read.
fn study_id_at(row: &rusqlite::Row<'_>, column: usize) -> rusqlite::Result<StudyId> {
    let text: String = row.get(column)?;
    StudyId::parse(&text)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(e)))
}

/// Refuses work on a study the store does not know.
fn require_study(conn: &Connection, study_id: &StudyId) -> Result<(), StoreError> {
    let known: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM studies WHERE id = ?1)")?
        .query_row([study_id.as_str()], |r| r.get(0))?;
    if known { Ok(()) } else { Err(Refusal::UnknownStudy(study_id.clone()).into()) }
}

/// The physical bound of durable writes on a disk: single-row transactions committed one
/// by one with the store's settings (WAL, `synchronous=FULL`), per second. Benchmarks set
/// group commit against it. Writes a scratch database in `dir`.
pub fn measure_commit_rate(dir: &Path, commits: u32) -> Result<f64, StoreError> {
    let conn = Connection::open(dir.join("commit-rate.sqlite"))?;
    schema::configure(&conn)?;
    conn.execute_batch("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")?;
    let started = std::time::Instant::now();
    for i in 0..commits {
        conn.execute("INSERT INTO t (v) VALUES (?1)", [i.to_string()])?;
    }
    Ok(f64::from(commits) / started.elapsed().as_secs_f64())
}
