//! Drafts: the valid answers of a refused web submission, kept for the expert's next visit.
//! A draft is not an answer. It lives in a table of its own that no count, statistic or
//! export reads; each refused submission replaces it, and an accepted submission of the
//! same expert and round deletes it (in the transaction that stores the submission).

use chrono::{DateTime, Utc};
use delphi_core::study::StudyId;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::rounds::require_open;
use crate::{Actor, Store, StoreError, audit, timestamp};

impl Store {
    /// Records a refused web submission: its `problems` in the audit log and its valid
    /// `answers` (a JSON object, item → answer) as the expert's draft of the round, replacing
    /// any earlier draft. Without valid answers the earlier draft goes: the page the expert
    /// sent had none left.
    pub fn save_draft(
        &mut self,
        study_id: &StudyId,
        round: u32,
        expert_id: &str,
        answers: &serde_json::Map<String, serde_json::Value>,
        problems: usize,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        require_open(&tx, study_id, round)?;
        let pseudonym: Option<String> = tx
            .prepare_cached("SELECT pseudonym FROM experts WHERE study_id = ?1 AND id = ?2")?
            .query_row(params![study_id.as_str(), expert_id], |r| r.get(0))
            .optional()?;
        let Some(pseudonym) = pseudonym else {
            return Err(crate::Refusal::UnknownExpert(expert_id.to_owned()).into());
        };
        delete_in(&tx, study_id, round, expert_id)?;
        if !answers.is_empty() {
            tx.prepare_cached(
                "INSERT INTO drafts (study_id, round, expert_id, answers, saved_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                study_id.as_str(),
                round,
                expert_id,
                serde_json::Value::Object(answers.clone()).to_string(),
                timestamp(at)
            ])?;
        }
        audit::record(
            &tx,
            at,
            Some(study_id),
            &Actor::Expert { pseudonym },
            "submission.refused",
            &serde_json::json!({ "round": round, "channel": "web", "problems": problems, "draft_answers": answers.len() }),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The expert's draft of a round (item → answer), empty when there is none.
    pub fn draft(
        &self,
        study_id: &StudyId,
        round: u32,
        expert_id: &str,
    ) -> Result<Vec<(String, serde_json::Value)>, StoreError> {
        let text: Option<String> = self
            .conn
            .prepare_cached("SELECT answers FROM drafts WHERE study_id = ?1 AND round = ?2 AND expert_id = ?3")?
            .query_row(params![study_id.as_str(), round, expert_id], |r| r.get(0))
            .optional()?;
        let Some(text) = text else { return Ok(Vec::new()) };
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("a draft is unreadable: {e}")))?;
        match value {
            serde_json::Value::Object(map) => Ok(map.into_iter().collect()),
            _ => Err(StoreError::Corrupt("a draft is not a JSON object".into())),
        }
    }
}

/// Deletes the expert's draft of the round: a submission was accepted, or a new draft
/// replaces it.
pub(crate) fn delete_in(conn: &Connection, study_id: &StudyId, round: u32, expert_id: &str) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM drafts WHERE study_id = ?1 AND round = ?2 AND expert_id = ?3")?
        .execute(params![study_id.as_str(), round, expert_id])?;
    Ok(())
}
