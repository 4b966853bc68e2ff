//! The append-only audit log: every state change, in the transaction that makes it.

use chrono::{DateTime, Utc};
use delphi_core::study::StudyId;
use rusqlite::{Connection, params};

use crate::{Actor, Store, StoreError, parse_timestamp, timestamp};

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    /// Its place in the log, increasing.
    pub seq: i64,
    /// When the change was made.
    pub at: DateTime<Utc>,
    /// Who made it: `coordinator`, `system` or `expert:` and a pseudonym.
    pub actor: String,
    /// What was done (`round.opened`, `panel.imported`, …).
    pub action: String,
    /// The change's details as JSON; never an expert's name or address.
    pub detail: serde_json::Value,
}

pub(crate) fn record(
    conn: &Connection,
    at: DateTime<Utc>,
    study_id: Option<&StudyId>,
    actor: &Actor,
    action: &str,
    detail: &serde_json::Value,
) -> Result<(), StoreError> {
    record_text(conn, &timestamp(at), study_id, actor, action, &detail.to_string())
}

/// [`record`] with the time formatted and the detail written as JSON text already.
pub(crate) fn record_text(
    conn: &Connection,
    at: &str,
    study_id: Option<&StudyId>,
    actor: &Actor,
    action: &str,
    detail: &str,
) -> Result<(), StoreError> {
    conn.prepare_cached("INSERT INTO audit_log (at, study_id, actor, action, detail) VALUES (?1, ?2, ?3, ?4, ?5)")?
        .execute(params![at, study_id.map(StudyId::as_str), actor.label(), action, detail])?;
    Ok(())
}

impl Store {
    /// The study's audit log, oldest first.
    pub fn audit_log(&self, study_id: &StudyId) -> Result<Vec<AuditEntry>, StoreError> {
        let mut statement = self
            .conn
            .prepare("SELECT seq, at, actor, action, detail FROM audit_log WHERE study_id = ?1 ORDER BY seq")?;
        let rows = statement.query_map([study_id.as_str()], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        rows.map(|row| {
            let (seq, at, actor, action, detail) = row?;
            Ok(AuditEntry {
                seq,
                at: parse_timestamp(&at)?,
                actor,
                action,
                detail: serde_json::from_str(&detail)
                    .map_err(|e| StoreError::Corrupt(format!("audit entry {seq}: {e}")))?,
            })
        })
        .collect()
    }
}
