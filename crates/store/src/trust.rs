//! What an expert can rely on: their consent to the study's privacy statement, recorded
//! once with its time when they first answer themselves (a coordinator's `delphi answer`
//! is not their consent), and their withdrawal, final, by their own opt-out link or by
//! the coordinator. A withdrawn expert is inactive: no invitation, reminder or link reaches
//! them, and a panel import does not bring them back.

use chrono::{DateTime, Utc};
use delphi_core::study::{StudyId, Withdrawal};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::tokens::TokenHash;
use crate::{Actor, Refusal, Store, StoreError, audit, parse_timestamp, require_study, study_id_at, timestamp};

/// When and how an expert consented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    /// When they consented: the time of their first own answer.
    pub given_at: DateTime<Utc>,
    /// The channel of their first answer: `web`, `email` or `api`.
    pub channel: String,
}

/// Who withdrew an expert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WithdrawnBy {
    /// The expert, with their opt-out link.
    Expert,
    /// The coordinator (`delphi panel withdraw`), e.g. on the expert's request by letter.
    Coordinator,
}

impl WithdrawnBy {
    fn as_str(self) -> &'static str {
        match self {
            Self::Expert => "expert",
            Self::Coordinator => "coordinator",
        }
    }
}

/// A recorded withdrawal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withdrawn {
    /// When they withdrew.
    pub at: DateTime<Utc>,
    /// The study's rule for their answers then.
    pub rule: Withdrawal,
    /// Rounds up to this one (closed when they withdrew) keep their answers in any case.
    pub closed_through: u32,
}

/// What a request to withdraw did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WithdrawalOutcome {
    /// Withdrawn now.
    Withdrawn(Withdrawn),
    /// Withdrawn before; nothing changed.
    Already(Withdrawn),
}

/// Records the expert's consent if this is their first answer, with the audit entry, inside
/// the caller's transaction (the one that accepts the answer).
pub(crate) fn record_consent_in(
    tx: &Connection,
    study_id: &StudyId,
    expert_id: &str,
    pseudonym: &str,
    channel: &str,
    at: &str,
) -> Result<(), StoreError> {
    let added = tx
        .prepare_cached(
            "INSERT INTO consents (study_id, expert_id, given_at, channel) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (study_id, expert_id) DO NOTHING",
        )?
        .execute(params![study_id.as_str(), expert_id, at, channel])?;
    if added == 1 {
        let detail = format!(r#"{{"channel":"{channel}"}}"#);
        let actor = Actor::Expert { pseudonym: pseudonym.to_owned() };
        audit::record_text(tx, at, Some(study_id), &actor, "consent.given", &detail)?;
    }
    Ok(())
}

fn withdrawn_in(conn: &Connection, study_id: &StudyId, expert_id: &str) -> Result<Option<Withdrawn>, StoreError> {
    let row: Option<(String, String, u32)> = conn
        .query_row(
            "SELECT withdrawn_at, answers, closed_through FROM withdrawals WHERE study_id = ?1 AND expert_id = ?2",
            params![study_id.as_str(), expert_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    row.map(|(at, rule, closed_through)| {
        let rule = Withdrawal::from_word(&rule)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown withdrawal rule `{rule}`")))?;
        Ok(Withdrawn { at: parse_timestamp(&at)?, rule, closed_through })
    })
    .transpose()
}

impl Store {
    /// When the expert consented, if they have answered themselves.
    pub fn consent(&self, study_id: &StudyId, expert_id: &str) -> Result<Option<Consent>, StoreError> {
        let row: Option<(String, String)> = self
            .conn
            .query_row(
                "SELECT given_at, channel FROM consents WHERE study_id = ?1 AND expert_id = ?2",
                params![study_id.as_str(), expert_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        row.map(|(at, channel)| Ok(Consent { given_at: parse_timestamp(&at)?, channel })).transpose()
    }

    /// The expert's IANA time zone, when the panel gives one: letters give deadlines in it.
    pub fn expert_time_zone(&self, study_id: &StudyId, expert_id: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT time_zone FROM experts WHERE study_id = ?1 AND id = ?2",
                params![study_id.as_str(), expert_id],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    }

    /// The expert's withdrawal, if they have withdrawn.
    pub fn withdrawal(&self, study_id: &StudyId, expert_id: &str) -> Result<Option<Withdrawn>, StoreError> {
        withdrawn_in(&self.conn, study_id, expert_id)
    }

    /// The expert a presented token (live or not, of any round) belongs to: an opt-out
    /// link keeps working after its round has closed or a newer link replaced it.
    /// Returns the study, the expert and their language.
    pub fn expert_of_any_token(&self, token: &TokenHash) -> Result<Option<(StudyId, String, String)>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT t.study_id, t.expert_id, e.language
                 FROM access_tokens t JOIN experts e ON e.study_id = t.study_id AND e.id = t.expert_id
                 WHERE t.token_sha256 = ?1",
                [token.as_bytes()],
                |r| Ok((study_id_at(r, 0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?)
    }

    /// Withdraws an expert from the study, in one transaction: no further invitation,
    /// reminder or link, their live tokens revoked, the audit log told. With
    /// [`Withdrawal::RemoveAnswers`] their answers to rounds not closed yet stop counting;
    /// closed rounds never change. Withdrawing twice changes nothing.
    pub fn withdraw(
        &mut self,
        study_id: &StudyId,
        expert_id: &str,
        rule: Withdrawal,
        by: WithdrawnBy,
        at: DateTime<Utc>,
    ) -> Result<WithdrawalOutcome, StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        require_study(&tx, study_id)?;
        let pseudonym: Option<String> = tx
            .query_row(
                "SELECT pseudonym FROM experts WHERE study_id = ?1 AND id = ?2",
                params![study_id.as_str(), expert_id],
                |r| r.get(0),
            )
            .optional()?;
        let Some(pseudonym) = pseudonym else { return Err(Refusal::UnknownExpert(expert_id.to_owned()).into()) };
        if let Some(earlier) = withdrawn_in(&tx, study_id, expert_id)? {
            return Ok(WithdrawalOutcome::Already(earlier));
        }
        let closed_through: u32 = tx.query_row(
            "SELECT COALESCE(MAX(number), 0) FROM rounds WHERE study_id = ?1 AND state = 'closed'",
            [study_id.as_str()],
            |r| r.get(0),
        )?;
        tx.execute(
            "INSERT INTO withdrawals (study_id, expert_id, withdrawn_at, withdrawn_by, answers, closed_through)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![study_id.as_str(), expert_id, timestamp(at), by.as_str(), rule.as_str(), closed_through],
        )?;
        tx.execute(
            "UPDATE experts SET active = 0 WHERE study_id = ?1 AND id = ?2",
            params![study_id.as_str(), expert_id],
        )?;
        let revoked = tx.execute(
            "UPDATE access_tokens SET revoked_at = ?3 WHERE study_id = ?1 AND expert_id = ?2 AND revoked_at IS NULL",
            params![study_id.as_str(), expert_id, timestamp(at)],
        )?;
        let actor = match by {
            WithdrawnBy::Expert => Actor::Expert { pseudonym: pseudonym.clone() },
            WithdrawnBy::Coordinator => Actor::Coordinator,
        };
        audit::record(
            &tx,
            at,
            Some(study_id),
            &actor,
            "expert.withdrawn",
            &serde_json::json!({
                "expert": pseudonym, "by": by.as_str(), "answers": rule.as_str(), "closed_through": closed_through,
                "links_revoked": revoked,
            }),
        )?;
        tx.commit()?;
        Ok(WithdrawalOutcome::Withdrawn(Withdrawn { at, rule, closed_through }))
    }
}
