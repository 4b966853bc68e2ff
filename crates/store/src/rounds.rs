//! The round lifecycle: draft → open (questionnaire frozen, deadline set) → closed.
//! One round is open at a time, rounds open in order, and a closed round never changes.

use chrono::{DateTime, Utc};
use delphi_core::study::StudyId;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::{Actor, Refusal, Store, StoreError, audit, parse_timestamp, require_study, secret, timestamp};

/// Where a round is in its life, with exactly the timestamps that state has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoundState {
    /// Prepared, not yet asked; its questionnaire may still be replaced.
    Draft,
    /// Asked: answers are taken until the deadline.
    Open {
        /// When it opened.
        opened_at: DateTime<Utc>,
        /// When answers stop being taken.
        deadline: DateTime<Utc>,
    },
    /// Over: nothing of it changes again.
    Closed {
        /// When it opened.
        opened_at: DateTime<Utc>,
        /// The deadline it had.
        deadline: DateTime<Utc>,
        /// When it closed.
        closed_at: DateTime<Utc>,
    },
}

impl RoundState {
    /// The state's name, as `round list` and the audit log print it.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Open { .. } => "open",
            Self::Closed { .. } => "closed",
        }
    }
}

/// A round of a study, as the store holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    /// Its number, from 1.
    pub number: u32,
    /// Its state, with the timestamps that state has.
    pub state: RoundState,
    /// The SHA-256 (hex) of its questionnaire as frozen.
    pub questionnaire_sha256: String,
    /// The SHA-256 (hex) of the study file's source the round was made from.
    pub study_sha256: String,
    /// Experts asked in this round (0 for a draft).
    pub invited: u32,
}

impl Store {
    /// Every round of the study, in order.
    pub fn rounds(&self, study_id: &StudyId) -> Result<Vec<Round>, StoreError> {
        rounds_of(&self.conn, study_id)
    }

    /// Round `number` of the study, if it exists.
    pub fn round(&self, study_id: &StudyId, number: u32) -> Result<Option<Round>, StoreError> {
        Ok(rounds_of(&self.conn, study_id)?.into_iter().find(|r| r.number == number))
    }

    /// The questionnaire a round was opened with (JSON, as frozen).
    pub fn questionnaire(&self, study_id: &StudyId, number: u32) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT questionnaire FROM rounds WHERE study_id = ?1 AND number = ?2",
                params![study_id.as_str(), number],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The analysis rules (JSON) each opened round was opened under, by round; `None` for a
    /// round opened before the store recorded them.
    pub fn round_rules(&self, study_id: &StudyId) -> Result<Vec<(u32, Option<String>)>, StoreError> {
        let mut statement = self
            .conn
            .prepare("SELECT number, rules FROM rounds WHERE study_id = ?1 AND state <> 'draft' ORDER BY number")?;
        let rows = statement.query_map([study_id.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Creates the next round as a draft, or replaces the questionnaire of the draft.
    pub fn draft_round(
        &mut self,
        study_id: &StudyId,
        number: u32,
        max_rounds: u32,
        questionnaire: &str,
        at: DateTime<Utc>,
    ) -> Result<Round, StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        require_study(&tx, study_id)?;
        check_next(&rounds_of(&tx, study_id)?, number, max_rounds)?;
        write_draft(&tx, study_id, number, questionnaire, at)?;
        audit::record(
            &tx,
            at,
            Some(study_id),
            &Actor::Coordinator,
            "round.drafted",
            &serde_json::json!({ "round": number, "questionnaire_sha256": secret::sha256_hex(questionnaire.as_bytes()) }),
        )?;
        let round = find(&tx, study_id, number)?;
        tx.commit()?;
        Ok(round)
    }

    /// Opens round `number` with `questionnaire`, frozen from now on, until `deadline`.
    /// Every active expert is asked. No analysis rules are recorded with it (see
    /// [`Store::open_round_under`]).
    pub fn open_round(
        &mut self,
        study_id: &StudyId,
        number: u32,
        max_rounds: u32,
        questionnaire: &str,
        deadline: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<Round, StoreError> {
        self.open_round_under(study_id, number, max_rounds, questionnaire, None, deadline, at)
    }

    /// Opens round `number` as [`Store::open_round`] does, and records `rules` (the study's
    /// analysis rules as JSON) beside the questionnaire, frozen with it: a later report can
    /// then tell whether the rules were edited since.
    #[allow(clippy::too_many_arguments)]
    pub fn open_round_under(
        &mut self,
        study_id: &StudyId,
        number: u32,
        max_rounds: u32,
        questionnaire: &str,
        rules: Option<&str>,
        deadline: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<Round, StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        require_study(&tx, study_id)?;
        check_next(&rounds_of(&tx, study_id)?, number, max_rounds)?;
        if deadline <= at {
            return Err(Refusal::DeadlineNotInFuture { deadline }.into());
        }
        let invited: u32 = tx.query_row(
            "SELECT COUNT(*) FROM experts WHERE study_id = ?1 AND active = 1",
            [study_id.as_str()],
            |r| r.get(0),
        )?;
        if invited == 0 {
            return Err(Refusal::EmptyPanel.into());
        }
        write_draft(&tx, study_id, number, questionnaire, at)?;
        tx.execute(
            "UPDATE rounds SET state = 'open', opened_at = ?3, deadline = ?4, invited = ?5, rules = ?6 WHERE study_id = ?1 AND number = ?2",
            params![study_id.as_str(), number, timestamp(at), timestamp(deadline), invited, rules],
        )?;
        tx.execute(
            "INSERT INTO round_panel (study_id, round, expert_id) SELECT study_id, ?2, id FROM experts WHERE study_id = ?1 AND active = 1",
            params![study_id.as_str(), number],
        )?;
        let round = find(&tx, study_id, number)?;
        audit::record(
            &tx,
            at,
            Some(study_id),
            &Actor::Coordinator,
            "round.opened",
            &serde_json::json!({
                "round": number, "deadline": timestamp(deadline), "invited": invited,
                "questionnaire_sha256": round.questionnaire_sha256,
            }),
        )?;
        tx.commit()?;
        Ok(round)
    }

    /// Closes an open round. From now on nothing of it changes.
    pub fn close_round(&mut self, study_id: &StudyId, number: u32, at: DateTime<Utc>) -> Result<Round, StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        require_study(&tx, study_id)?;
        let round = require_open(&tx, study_id, number)?;
        tx.execute(
            "UPDATE rounds SET state = 'closed', closed_at = ?3 WHERE study_id = ?1 AND number = ?2",
            params![study_id.as_str(), number, timestamp(at)],
        )?;
        let responded: u32 = tx.query_row(
            "SELECT COUNT(DISTINCT expert_id) FROM submissions WHERE study_id = ?1 AND round = ?2",
            params![study_id.as_str(), number],
            |r| r.get(0),
        )?;
        audit::record(
            &tx,
            at,
            Some(study_id),
            &Actor::Coordinator,
            "round.closed",
            &serde_json::json!({ "round": number, "invited": round.invited, "responded": responded }),
        )?;
        let round = find(&tx, study_id, number)?;
        tx.commit()?;
        Ok(round)
    }

    /// Moves the deadline of the open round.
    pub fn set_deadline(
        &mut self,
        study_id: &StudyId,
        number: u32,
        deadline: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<Round, StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        require_study(&tx, study_id)?;
        require_open(&tx, study_id, number)?;
        if deadline <= at {
            return Err(Refusal::DeadlineNotInFuture { deadline }.into());
        }
        tx.execute(
            "UPDATE rounds SET deadline = ?3 WHERE study_id = ?1 AND number = ?2",
            params![study_id.as_str(), number, timestamp(deadline)],
        )?;
        audit::record(
            &tx,
            at,
            Some(study_id),
            &Actor::Coordinator,
            "round.deadline_changed",
            &serde_json::json!({ "round": number, "deadline": timestamp(deadline) }),
        )?;
        let round = find(&tx, study_id, number)?;
        tx.commit()?;
        Ok(round)
    }
}

/// Refuses unless `number` is the round that may be drafted or opened next.
fn check_next(rounds: &[Round], number: u32, max_rounds: u32) -> Result<(), Refusal> {
    if let Some(open) = rounds.iter().find(|r| matches!(r.state, RoundState::Open { .. })) {
        return Err(if open.number == number {
            Refusal::AlreadyOpen(number)
        } else {
            Refusal::PreviousRoundOpen { open: open.number, requested: number }
        });
    }
    if rounds.iter().any(|r| r.number == number && matches!(r.state, RoundState::Closed { .. })) {
        return Err(Refusal::RoundClosed(number));
    }
    let next = rounds.iter().filter(|r| r.state != RoundState::Draft).map(|r| r.number).max().unwrap_or(0) + 1;
    if number != next {
        return Err(Refusal::OutOfOrder { requested: number, next });
    }
    if number > max_rounds {
        return Err(Refusal::TooManyRounds { requested: number, max: max_rounds });
    }
    Ok(())
}

pub(crate) fn require_open(conn: &Connection, study_id: &StudyId, number: u32) -> Result<Round, StoreError> {
    let round =
        rounds_of(conn, study_id)?.into_iter().find(|r| r.number == number).ok_or(Refusal::NoSuchRound(number))?;
    match round.state {
        RoundState::Open { .. } => Ok(round),
        RoundState::Closed { .. } => Err(Refusal::RoundClosed(number).into()),
        RoundState::Draft => Err(Refusal::RoundNotOpen(number).into()),
    }
}

fn write_draft(
    conn: &Connection,
    study_id: &StudyId,
    number: u32,
    questionnaire: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let study_sha256: String =
        conn.query_row("SELECT source_sha256 FROM studies WHERE id = ?1", [study_id.as_str()], |r| r.get(0))?;
    conn.execute(
        "INSERT INTO rounds (study_id, number, state, questionnaire, questionnaire_sha256, study_sha256, created_at)
         VALUES (?1, ?2, 'draft', ?3, ?4, ?5, ?6)
         ON CONFLICT (study_id, number) DO UPDATE SET questionnaire = excluded.questionnaire,
             questionnaire_sha256 = excluded.questionnaire_sha256, study_sha256 = excluded.study_sha256",
        params![
            study_id.as_str(),
            number,
            questionnaire,
            secret::sha256_hex(questionnaire.as_bytes()),
            study_sha256,
            timestamp(at)
        ],
    )?;
    Ok(())
}

fn find(conn: &Connection, study_id: &StudyId, number: u32) -> Result<Round, StoreError> {
    rounds_of(conn, study_id)?
        .into_iter()
        .find(|r| r.number == number)
        .ok_or_else(|| StoreError::Refused(Refusal::NoSuchRound(number)))
}

pub(crate) fn rounds_of(conn: &Connection, study_id: &StudyId) -> Result<Vec<Round>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT number, state, questionnaire_sha256, study_sha256, opened_at, deadline, closed_at, COALESCE(invited, 0)
         FROM rounds WHERE study_id = ?1 ORDER BY number",
    )?;
    let rows = statement.query_map([study_id.as_str()], |r| {
        Ok((
            r.get::<_, u32>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, Option<String>>(4)?,
            r.get::<_, Option<String>>(5)?,
            r.get::<_, Option<String>>(6)?,
            r.get::<_, u32>(7)?,
        ))
    })?;
    rows.map(|row| {
        let (number, state, questionnaire_sha256, study_sha256, opened, deadline, closed, invited) = row?;
        let time = |t: Option<String>| -> Result<DateTime<Utc>, StoreError> {
            parse_timestamp(&t.ok_or_else(|| StoreError::Corrupt(format!("round {number} lacks a timestamp")))?)
        };
        let state = match state.as_str() {
            "draft" => RoundState::Draft,
            "open" => RoundState::Open { opened_at: time(opened)?, deadline: time(deadline)? },
            "closed" => {
                RoundState::Closed { opened_at: time(opened)?, deadline: time(deadline)?, closed_at: time(closed)? }
            }
            other => return Err(StoreError::Corrupt(format!("round {number} has state `{other}`"))),
        };
        Ok(Round { number, state, questionnaire_sha256, study_sha256, invited })
    })
    .collect()
}
