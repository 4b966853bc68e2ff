//! Submissions: an expert's answers to some or all items of the open round. Every
//! submission is kept; per item the latest one counts. A submission carrying a
//! `source_ref` (an email's Message-ID, a client's request id) is stored at most once.

use chrono::{DateTime, Utc};
use delphi_core::study::StudyId;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::rounds::{RoundState, require_open};
use crate::tokens::{self, TokenHash};
use crate::{Actor, Refusal, Store, StoreError, audit, require_study, timestamp};

/// How an answer arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// The personal web form.
    Web,
    /// The JSON API.
    Api,
    /// An emailed reply.
    Email,
    /// `delphi answer`: a filled-in reply form the coordinator recorded from a file.
    Cli,
}

impl Channel {
    fn as_str(self) -> &'static str {
        match self {
            Self::Web => "web",
            Self::Api => "api",
            Self::Email => "email",
            Self::Cli => "cli",
        }
    }
}

/// One answer to one item, as submitted.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The item answered.
    pub item_id: String,
    /// The answer as JSON (a scale point, a number, quantiles, a ranking, text, or "don't know").
    pub value: serde_json::Value,
    /// Why the expert answered so, when they said.
    pub rationale: Option<String>,
}

/// An expert's answers to some or all items of the open round, as one submission.
#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    /// The study.
    pub study_id: StudyId,
    /// The round answered; it must be open.
    pub round: u32,
    /// The expert answering.
    pub expert_id: String,
    /// How the answers arrived.
    pub channel: Channel,
    /// What makes a resent submission a duplicate (an email's Message-ID, a client's request id).
    pub source_ref: Option<String>,
    /// The answers, each item at most once.
    pub answers: Vec<Answer>,
}

/// What storing a submission gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubmissionReceipt {
    /// The stored submission's id (the earlier one's, for a duplicate).
    pub submission_id: i64,
    /// True when this `source_ref` had been stored before; nothing new was written.
    pub duplicate: bool,
}

/// An answer with its value already encoded as JSON text. A server builds these on its
/// request threads, so that the single writer spends its time on SQL only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedAnswer {
    item_id: String,
    /// JSON text, written by `serde_json` (so it always parses back).
    json: String,
    rationale: Option<String>,
}

impl EncodedAnswer {
    /// Encodes `value` (anything that serialises to JSON: a `serde_json::Value`, a typed answer).
    pub fn new(
        item_id: impl Into<String>,
        value: &impl serde::Serialize,
        rationale: Option<String>,
    ) -> Result<Self, serde_json::Error> {
        Ok(Self { item_id: item_id.into(), json: serde_json::to_string(value)?, rationale })
    }

    /// The item answered.
    pub fn item_id(&self) -> &str {
        &self.item_id
    }

    /// The value as JSON text.
    pub fn json(&self) -> &str {
        &self.json
    }
}

impl From<&Answer> for EncodedAnswer {
    fn from(answer: &Answer) -> Self {
        Self { item_id: answer.item_id.clone(), json: answer.value.to_string(), rationale: answer.rationale.clone() }
    }
}

/// A submission's answers as the store keeps them: one JSON array of
/// `[item_id, value, rationale]` entries (the rationale a string or null), in the order they
/// were given. Built on a server's request threads (collect [`EncodedAnswer`]s into it), so
/// the writer binds one text and inserts one row per submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedAnswers {
    /// Always a complete JSON array.
    json: String,
    /// The item ids, in order, to count them and find an item answered twice.
    items: Vec<String>,
}

impl Default for EncodedAnswers {
    fn default() -> Self {
        Self { json: "[]".to_owned(), items: Vec::new() }
    }
}

impl EncodedAnswers {
    /// No answers yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends one answer.
    pub fn push(&mut self, answer: EncodedAnswer) {
        let EncodedAnswer { item_id, json, rationale } = answer;
        self.json.pop(); // the closing `]`
        if !self.items.is_empty() {
            self.json.push(',');
        }
        self.json.push('[');
        push_json_string(&mut self.json, &item_id);
        self.json.push(',');
        self.json.push_str(&json);
        self.json.push(',');
        match &rationale {
            Some(text) => push_json_string(&mut self.json, text),
            None => self.json.push_str("null"),
        }
        self.json.push_str("]]");
        self.items.push(item_id);
    }

    /// How many answers it holds.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether it holds no answer.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The item ids, in the order they were answered.
    pub fn item_ids(&self) -> impl Iterator<Item = &str> {
        self.items.iter().map(String::as_str)
    }

    /// The JSON array the store keeps.
    pub fn json(&self) -> &str {
        &self.json
    }

    /// An item answered more than once, if any (a submission answers each item at most once).
    fn repeated_item(&self) -> Option<&str> {
        let mut sorted: Vec<&str> = self.item_ids().collect();
        sorted.sort_unstable();
        sorted.windows(2).find(|pair| pair[0] == pair[1]).map(|pair| pair[0])
    }
}

fn push_json_string(out: &mut String, text: &str) {
    out.push_str(&serde_json::to_string(text).expect("a string serialises"));
}

impl FromIterator<EncodedAnswer> for EncodedAnswers {
    fn from_iter<I: IntoIterator<Item = EncodedAnswer>>(answers: I) -> Self {
        let mut encoded = Self::new();
        encoded.extend(answers);
        encoded
    }
}

impl Extend<EncodedAnswer> for EncodedAnswers {
    fn extend<I: IntoIterator<Item = EncodedAnswer>>(&mut self, answers: I) {
        for answer in answers {
            self.push(answer);
        }
    }
}

/// A [`Submission`] whose answers are encoded already (see [`EncodedAnswer`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedSubmission {
    /// The study.
    pub study_id: StudyId,
    /// The round answered; it must be open.
    pub round: u32,
    /// The expert answering.
    pub expert_id: String,
    /// How the answers arrived.
    pub channel: Channel,
    /// What makes a resent submission a duplicate (an email's Message-ID, a client's request id).
    pub source_ref: Option<String>,
    /// The answers, each item at most once.
    pub answers: EncodedAnswers,
    /// The token the submission came with, if any. The submission is then refused
    /// ([`Refusal::TokenNotCurrent`]) unless, at commit, this is still the expert's token
    /// for the round: a server may trust a token it checked earlier only this way.
    pub token: Option<TokenHash>,
}

impl From<Submission> for EncodedSubmission {
    fn from(submission: Submission) -> Self {
        Self::from(&submission)
    }
}

impl From<&Submission> for EncodedSubmission {
    fn from(submission: &Submission) -> Self {
        Self {
            study_id: submission.study_id.clone(),
            round: submission.round,
            expert_id: submission.expert_id.clone(),
            channel: submission.channel,
            source_ref: submission.source_ref.clone(),
            answers: submission.answers.iter().map(EncodedAnswer::from).collect(),
            token: None,
        }
    }
}

/// The answer that counts for one expert and item, named by pseudonym only.
#[derive(Debug, Clone, PartialEq)]
pub struct CurrentAnswer {
    /// The expert's pseudonym, never their id.
    pub pseudonym: String,
    /// The item answered.
    pub item_id: String,
    /// The answer as JSON.
    pub value: serde_json::Value,
    /// Why the expert answered so, when they said.
    pub rationale: Option<String>,
    /// 1 for the first answer to this item in the round, 2 after one edit, …
    pub revision: u32,
}

impl Store {
    /// Stores a submission durably. When this returns `Ok`, the answers are committed
    /// and synced; only then may the expert be told they were received. A refused
    /// submission is recorded in the audit log with the reason.
    pub fn record_submission(
        &mut self,
        submission: &Submission,
        at: DateTime<Utc>,
    ) -> Result<SubmissionReceipt, StoreError> {
        let mut outcomes = self.record_submissions(std::slice::from_ref(submission), at)?;
        outcomes.pop().expect("one outcome per submission").map_err(StoreError::from)
    }

    /// Stores several submissions in one transaction, synced once (group commit): the
    /// outcome of each, in order. A refused submission does not affect the others; it is
    /// recorded in the audit log with the reason. When this returns `Ok`, every accepted
    /// submission is durable.
    pub fn record_submissions(
        &mut self,
        submissions: &[Submission],
        at: DateTime<Utc>,
    ) -> Result<Vec<Result<SubmissionReceipt, Refusal>>, StoreError> {
        let encoded: Vec<EncodedSubmission> = submissions.iter().map(EncodedSubmission::from).collect();
        self.record_encoded_submissions(&encoded, at)
    }

    /// [`Store::record_submissions`] for submissions whose answers are encoded already.
    pub fn record_encoded_submissions(
        &mut self,
        submissions: &[EncodedSubmission],
        at: DateTime<Utc>,
    ) -> Result<Vec<Result<SubmissionReceipt, Refusal>>, StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut batch = Batch { at, received_at: timestamp(at), checked: Vec::new() };
        let mut outcomes = Vec::with_capacity(submissions.len());
        for submission in submissions {
            // `record_in` checks everything before it writes, so a refusal leaves nothing
            // behind and needs no savepoint; a failure of the store fails the whole batch.
            match record_in(&tx, submission, &mut batch) {
                Ok(receipt) => outcomes.push(Ok(receipt)),
                Err(StoreError::Refused(refusal)) => {
                    let known_study = require_study(&tx, &submission.study_id).is_ok();
                    audit::record(
                        &tx,
                        at,
                        known_study.then_some(&submission.study_id),
                        &actor_for(&tx, submission)?,
                        "submission.rejected",
                        &serde_json::json!({
                            "round": submission.round, "channel": submission.channel.as_str(), "reason": refusal.to_string(),
                        }),
                    )?;
                    outcomes.push(Err(refusal));
                }
                Err(failure) => return Err(failure),
            }
        }
        tx.commit()?;
        Ok(outcomes)
    }

    /// The answers that count in a round: per expert and item the latest, by pseudonym.
    pub fn current_answers(&self, study_id: &StudyId, round: u32) -> Result<Vec<CurrentAnswer>, StoreError> {
        let mut statement = self.conn.prepare(
            "SELECT e.pseudonym, c.item_id, c.value, c.rationale, c.revision
             FROM current_answers c JOIN experts e ON e.study_id = c.study_id AND e.id = c.expert_id
             WHERE c.study_id = ?1 AND c.round = ?2 ORDER BY e.pseudonym, c.item_id",
        )?;
        let rows = statement.query_map(params![study_id.as_str(), round], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, u32>(4)?,
            ))
        })?;
        rows.map(|row| {
            let (pseudonym, item_id, value, rationale, revision) = row?;
            let value =
                serde_json::from_str(&value).map_err(|e| StoreError::Corrupt(format!("answer to {item_id}: {e}")))?;
            Ok(CurrentAnswer { pseudonym, item_id, value, rationale, revision })
        })
        .collect()
    }
}

/// What one batch (one transaction) shares: its time, and the studies and rounds found
/// open in it. Nothing else writes while the batch's transaction holds the write lock, and
/// a submission never changes a round, so a round checked open stays open to the commit.
struct Batch {
    at: DateTime<Utc>,
    received_at: String,
    /// (study, round) found known and open, with the round's deadline.
    checked: Vec<(StudyId, u32, DateTime<Utc>)>,
}

impl Batch {
    /// Refuses a submission to an unknown study or a round not open (checked once per
    /// study and round in a batch), or past the round's deadline.
    fn require_open(&mut self, tx: &Connection, study_id: &StudyId, number: u32) -> Result<(), StoreError> {
        let deadline = match self.checked.iter().find(|(s, n, _)| s == study_id && *n == number) {
            Some((_, _, deadline)) => *deadline,
            None => {
                require_study(tx, study_id)?;
                let round = require_open(tx, study_id, number)?;
                let RoundState::Open { deadline, .. } = round.state else {
                    return Err(Refusal::RoundNotOpen(number).into());
                };
                self.checked.push((study_id.clone(), number, deadline));
                deadline
            }
        };
        if self.at > deadline {
            return Err(Refusal::DeadlinePassed { round: number, deadline }.into());
        }
        Ok(())
    }
}

/// Checks and writes one submission inside the caller's transaction.
fn record_in(
    tx: &Connection,
    submission: &EncodedSubmission,
    batch: &mut Batch,
) -> Result<SubmissionReceipt, StoreError> {
    if let Some(source_ref) = &submission.source_ref {
        require_study(tx, &submission.study_id)?;
        let earlier: Option<i64> = tx
            .prepare_cached("SELECT id FROM submissions WHERE study_id = ?1 AND source_ref = ?2")?
            .query_row(params![submission.study_id.as_str(), source_ref], |r| r.get(0))
            .optional()?;
        if let Some(submission_id) = earlier {
            return Ok(SubmissionReceipt { submission_id, duplicate: true });
        }
    }
    batch.require_open(tx, &submission.study_id, submission.round)?;
    let pseudonym: Option<String> = tx
        .prepare_cached(
            "SELECT e.pseudonym FROM round_panel p JOIN experts e ON e.study_id = p.study_id AND e.id = p.expert_id
             WHERE p.study_id = ?1 AND p.round = ?2 AND p.expert_id = ?3 AND e.active = 1",
        )?
        .query_row(params![submission.study_id.as_str(), submission.round, submission.expert_id], |r| r.get(0))
        .optional()?;
    let Some(pseudonym) = pseudonym else {
        return Err(Refusal::UnknownExpert(submission.expert_id.clone()).into());
    };
    if let Some(token) = &submission.token
        && !tokens::token_is_current(tx, token, &submission.study_id, submission.round, &submission.expert_id)?
    {
        return Err(Refusal::TokenNotCurrent.into());
    }
    if submission.answers.is_empty() {
        return Err(Refusal::EmptySubmission.into());
    }
    if let Some(item) = submission.answers.repeated_item() {
        return Err(Refusal::RepeatedItem(item.to_owned()).into());
    }
    tx.prepare_cached(
        "INSERT INTO submissions (study_id, round, expert_id, channel, source_ref, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![submission.study_id.as_str(), submission.round, submission.expert_id, submission.channel.as_str(), submission.source_ref, batch.received_at])?;
    let submission_id = tx.last_insert_rowid();
    // An accepted submission supersedes what a refused one left (the expert saw the draft
    // on the page they have just sent).
    crate::drafts::delete_in(tx, &submission.study_id, submission.round, &submission.expert_id)?;
    // All the answers in one row (the `answers` view shows them one per row).
    tx.prepare_cached("INSERT INTO submission_answers (submission_id, answers) VALUES (?1, ?2)")?
        .execute(params![submission_id, submission.answers.json()])?;
    // The detail holds numbers and a fixed word only, so it is written without a JSON value.
    let detail = format!(
        r#"{{"answers":{},"channel":"{}","round":{},"submission":{submission_id}}}"#,
        submission.answers.len(),
        submission.channel.as_str(),
        submission.round
    );
    audit::record_text(
        tx,
        &batch.received_at,
        Some(&submission.study_id),
        &Actor::Expert { pseudonym: pseudonym.clone() },
        "submission.accepted",
        &detail,
    )?;
    if submission.channel != Channel::Cli {
        crate::trust::record_consent_in(
            tx,
            &submission.study_id,
            &submission.expert_id,
            &pseudonym,
            submission.channel.as_str(),
            &batch.received_at,
        )?;
    }
    Ok(SubmissionReceipt { submission_id, duplicate: false })
}

/// Checks and writes one plain submission inside the caller's transaction (a reply read
/// from a mailbox is recorded together with the record of the message).
pub(crate) fn record_one_in(
    tx: &Connection,
    submission: &Submission,
    at: DateTime<Utc>,
) -> Result<SubmissionReceipt, StoreError> {
    require_study(tx, &submission.study_id)?;
    let mut batch = Batch { at, received_at: timestamp(at), checked: Vec::new() };
    record_in(tx, &EncodedSubmission::from(submission), &mut batch)
}

/// The audit actor of a submission: the expert's pseudonym, never their identity.
fn actor_for(conn: &Connection, submission: &EncodedSubmission) -> Result<Actor, StoreError> {
    let pseudonym: Option<String> = conn
        .prepare_cached("SELECT pseudonym FROM experts WHERE study_id = ?1 AND id = ?2")?
        .query_row(params![submission.study_id.as_str(), submission.expert_id], |r| r.get(0))
        .optional()?;
    Ok(pseudonym.map_or(Actor::System, |pseudonym| Actor::Expert { pseudonym }))
}

impl Store {
    /// Which of the expert's submissions of the round `submission_id` is (1 for their first):
    /// a receipt number that reveals nothing about other experts' submissions.
    pub fn expert_submission_number(
        &self,
        study_id: &StudyId,
        round: u32,
        expert_id: &str,
        submission_id: i64,
    ) -> Result<u64, StoreError> {
        let count: i64 = self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM submissions WHERE study_id = ?1 AND round = ?2 AND expert_id = ?3 AND id <= ?4",
            )?
            .query_row(params![study_id.as_str(), round, expert_id, submission_id], |r| r.get(0))?;
        Ok(u64::try_from(count).unwrap_or_default())
    }

    /// One expert's answers that count in a round, by item: for showing them their own
    /// previous answers, and to no one else.
    pub fn expert_answers(
        &self,
        study_id: &StudyId,
        round: u32,
        expert_id: &str,
    ) -> Result<Vec<(String, serde_json::Value)>, StoreError> {
        // Not through the `current_answers` view: its window functions would rank every
        // answer of the study on each call; this stays on the expert's own submissions, read
        // once (a correlated `MAX` per answer re-read every submission's answers for each).
        let mut statement = self.conn.prepare_cached(
            "SELECT item_id, value FROM (
                 SELECT a.item_id, a.value, ROW_NUMBER() OVER (PARTITION BY a.item_id ORDER BY s.id DESC) AS newest
                 FROM submissions s JOIN answers a ON a.submission_id = s.id
                 WHERE s.study_id = ?1 AND s.round = ?2 AND s.expert_id = ?3)
             WHERE newest = 1 ORDER BY item_id",
        )?;
        let rows = statement.query_map(params![study_id.as_str(), round, expert_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        rows.map(|row| {
            let (item_id, value) = row?;
            let value =
                serde_json::from_str(&value).map_err(|e| StoreError::Corrupt(format!("answer to {item_id}: {e}")))?;
            Ok((item_id, value))
        })
        .collect()
    }
}
