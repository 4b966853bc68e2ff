//! The email channel's records: every message sent (reserved before it is handed over,
//! marked sent after, so a re-run sends nothing twice) and every reply dealt with
//! (written in the same transaction as the answers it carried, so a reply is processed
//! exactly once).

use chrono::{DateTime, Utc};
use delphi_core::study::StudyId;
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use crate::submissions::record_one_in;
use crate::tokens::{self, AccessToken, TokenPurpose};
use crate::{Actor, Store, StoreError, Submission, audit, parse_timestamp, require_study, study_id_at, timestamp};

/// What a message the tool sends is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutgoingKind {
    /// The letter that opens a round for an expert.
    Invitation,
    /// The `number`-th reminder of the round (1, 2, …).
    Reminder {
        /// Which reminder of the round it is.
        number: u32,
    },
    /// The answer to an expert's reply: a receipt, or the problems to fix.
    Receipt {
        /// The key of the reply it answers ([`InboundRecord::message_key`]).
        reply_key: String,
    },
}

impl OutgoingKind {
    fn columns(&self) -> (&'static str, String) {
        match self {
            Self::Invitation => ("invitation", String::new()),
            Self::Reminder { number } => ("reminder", number.to_string()),
            Self::Receipt { reply_key } => ("receipt", reply_key.clone()),
        }
    }
}

/// A reminder reserved for an expert (see [`Store::reminders_since`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderRecord {
    /// The expert reminded.
    pub expert_id: String,
    /// Its number in the round (1, 2, …).
    pub number: u32,
    /// Whether it was handed over; a reserved one that was not is sent by a re-run.
    pub sent: bool,
}

/// A message to one expert about a round.
#[derive(Debug, Clone, Copy)]
pub struct OutgoingMail<'a> {
    /// The study.
    pub study_id: &'a StudyId,
    /// The round it is about.
    pub round: u32,
    /// The expert it goes to.
    pub expert_id: &'a str,
    /// What it is for.
    pub kind: &'a OutgoingKind,
}

/// How a message left: handed to an SMTP server, or written to the outbox folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// Handed to an SMTP server.
    Smtp,
    /// Written to the outbox folder for the coordinator to send.
    Outbox,
}

impl Transport {
    fn as_str(self) -> &'static str {
        match self {
            Self::Smtp => "smtp",
            Self::Outbox => "outbox",
        }
    }
}

/// A message reserved for sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reservation {
    /// The row's id, by which it is marked sent.
    pub id: i64,
    /// Kept across attempts, so a receiving client can tell a re-sent copy for what it is.
    pub message_id: String,
    /// When it was sent already (a re-run): nothing is to be sent.
    pub sent_at: Option<DateTime<Utc>>,
}

/// Someone to write to: an active expert asked in a round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// The coordinator's id of the expert.
    pub expert_id: String,
    /// Their name, for the salutation.
    pub name: String,
    /// Their address.
    pub email: String,
    /// Their questionnaire language.
    pub language: String,
    /// Their IANA time zone, when the panel gives one.
    pub time_zone: Option<String>,
    /// Whether an accepted submission of theirs is in this round.
    pub answered: bool,
}

/// What became of a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboundOutcome {
    /// Its answers were stored.
    Recorded,
    /// The expert was identified but the form had problems; they were told which.
    Invalid,
    /// The round refused it (closed, deadline passed); the expert was told.
    Refused,
    /// An automatic answer (an out-of-office notice); nothing recorded.
    AutoReply,
    /// A delivery failure report; nothing recorded.
    Bounce,
    /// A valid token, but sent from an address that is not the expert's.
    Spoofed,
    /// Carries something that looks like a token, but no live one.
    UnknownToken,
    /// Carries no token at all.
    NoToken,
    /// The expert's own, but every answer in it was already recorded, copied from a letter
    /// of ours, or older than what they answered later: nothing to record.
    Unchanged,
    /// Could not be read at all; set aside for the coordinator.
    Unreadable,
}

impl InboundOutcome {
    /// Every outcome, each once.
    pub const ALL: [Self; 10] = [
        Self::Recorded,
        Self::Invalid,
        Self::Refused,
        Self::AutoReply,
        Self::Bounce,
        Self::Spoofed,
        Self::UnknownToken,
        Self::NoToken,
        Self::Unchanged,
        Self::Unreadable,
    ];

    /// The word the store keeps for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Recorded => "recorded",
            Self::Invalid => "invalid",
            Self::Refused => "refused",
            Self::AutoReply => "auto-reply",
            Self::Bounce => "bounce",
            Self::Spoofed => "spoofed",
            Self::UnknownToken => "unknown-token",
            Self::NoToken => "no-token",
            Self::Unchanged => "unchanged",
            Self::Unreadable => "unreadable",
        }
    }

    /// Whether the coordinator should look at such a message: it may be an expert's answer
    /// that could not be tied to them.
    pub fn needs_the_coordinator(self) -> bool {
        matches!(self, Self::Spoofed | Self::UnknownToken | Self::NoToken | Self::Unreadable)
    }

    /// The outcome the store's word `text` names.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == text)
    }
}

/// A reply as dealt with.
#[derive(Debug, Clone, PartialEq)]
pub struct InboundRecord {
    /// The Message-ID, or `sha256:` and the hash of the raw message: the key that keeps a reply
    /// from being dealt with twice.
    pub message_key: String,
    /// What became of it.
    pub outcome: InboundOutcome,
    /// The expert it was tied to, if any.
    pub expert_id: Option<String>,
    /// The round it was read against, if any.
    pub round: Option<u32>,
    /// The submission its answers made, if they were recorded.
    pub submission_id: Option<i64>,
    /// What was recorded, or why not (never the sender's address).
    pub detail: serde_json::Value,
    /// When it was dealt with.
    pub processed_at: DateTime<Utc>,
}

/// A reply to record: its outcome as judged by its reader, and the answers when it had any.
#[derive(Debug, Clone, PartialEq)]
pub struct InboundMessage {
    /// The Message-ID, or `sha256:` and the hash of the raw message.
    pub message_key: String,
    /// What became of it.
    pub outcome: InboundOutcome,
    /// The expert it was tied to, if any.
    pub expert_id: Option<String>,
    /// The round it was read against, if any.
    pub round: Option<u32>,
    /// What was recorded, or why not (never the sender's address).
    pub detail: serde_json::Value,
}

impl Store {
    /// The active experts asked in `round`, with where to write to them.
    pub fn round_recipients(&self, study_id: &StudyId, round: u32) -> Result<Vec<Recipient>, StoreError> {
        let mut statement = self.conn.prepare(
            "SELECT e.id, e.name, e.email, e.language, e.time_zone,
                    EXISTS (SELECT 1 FROM submissions s WHERE s.study_id = p.study_id AND s.round = p.round AND s.expert_id = p.expert_id)
             FROM round_panel p JOIN experts e ON e.study_id = p.study_id AND e.id = p.expert_id
             WHERE p.study_id = ?1 AND p.round = ?2 AND e.active = 1 ORDER BY e.id",
        )?;
        let rows = statement.query_map(params![study_id.as_str(), round], |r| {
            Ok(Recipient {
                expert_id: r.get(0)?,
                name: r.get(1)?,
                email: r.get(2)?,
                language: r.get(3)?,
                time_zone: r.get(4)?,
                answered: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// An active expert's name and email address: whom to write to, and the address a
    /// reply's sender is checked against.
    pub fn expert_contact(&self, study_id: &StudyId, expert_id: &str) -> Result<Option<(String, String)>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT name, email FROM experts WHERE study_id = ?1 AND id = ?2 AND active = 1",
                params![study_id.as_str(), expert_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// Reserves a message for sending, or finds the reservation an earlier run made (sent
    /// or not). `message_id` is used only for a new reservation. When the message is still
    /// to be sent and `token` is given, a fresh token for its link and reply address is
    /// issued in the same transaction; the token exists in the clear only in the result.
    pub fn reserve_mail(
        &mut self,
        mail: &OutgoingMail<'_>,
        token: Option<TokenPurpose>,
        message_id: &str,
        at: DateTime<Utc>,
    ) -> Result<(Reservation, Option<AccessToken>), StoreError> {
        let mut reserved =
            self.reserve_mails(mail.study_id, mail.round, mail.kind, token, &[(mail.expert_id, message_id)], at)?;
        Ok(reserved.pop().expect("one reservation per request"))
    }

    /// [`Store::reserve_mail`] for several experts (`(expert id, message id)` each) in one
    /// transaction, synced once: what sending to a large panel needs.
    pub fn reserve_mails(
        &mut self,
        study_id: &StudyId,
        round: u32,
        kind: &OutgoingKind,
        token: Option<TokenPurpose>,
        requests: &[(&str, &str)],
        at: DateTime<Utc>,
    ) -> Result<Vec<(Reservation, Option<AccessToken>)>, StoreError> {
        let (kind_label, occasion) = kind.columns();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        require_study(&tx, study_id)?;
        let mut reserved = Vec::with_capacity(requests.len());
        for (expert_id, message_id) in requests {
            tx.prepare_cached(
                "INSERT INTO outgoing_mail (study_id, round, expert_id, kind, occasion, message_id, reserved_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (study_id, round, expert_id, kind, occasion) DO NOTHING",
            )?
            .execute(params![study_id.as_str(), round, expert_id, kind_label, occasion, message_id, timestamp(at)])?;
            let (id, message_id, sent_at): (i64, String, Option<String>) = tx
                .prepare_cached(
                    "SELECT id, message_id, sent_at FROM outgoing_mail
                     WHERE study_id = ?1 AND round = ?2 AND expert_id = ?3 AND kind = ?4 AND occasion = ?5",
                )?
                .query_row(params![study_id.as_str(), round, expert_id, kind_label, occasion], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })?;
            let reservation =
                Reservation { id, message_id, sent_at: sent_at.as_deref().map(parse_timestamp).transpose()? };
            let token = match token {
                Some(purpose) if reservation.sent_at.is_none() => {
                    Some(tokens::issue_in(&tx, study_id, round, expert_id, purpose, at)?)
                }
                _ => None,
            };
            reserved.push((reservation, token));
        }
        tx.commit()?;
        Ok(reserved)
    }

    /// Marks a reserved message as handed over to its transport. Audited without the address.
    pub fn mark_mail_sent(
        &mut self,
        reservation: i64,
        transport: Transport,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.mark_mails_sent(&[reservation], transport, at)
    }

    /// [`Store::mark_mail_sent`] for several messages in one transaction.
    pub fn mark_mails_sent(
        &mut self,
        reservations: &[i64],
        transport: Transport,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for &reservation in reservations {
            let (study_id, round, kind, pseudonym): (StudyId, u32, String, String) = tx
                .prepare_cached(
                    "SELECT m.study_id, m.round, m.kind, e.pseudonym FROM outgoing_mail m
                     JOIN experts e ON e.study_id = m.study_id AND e.id = m.expert_id WHERE m.id = ?1",
                )?
                .query_row([reservation], |r| Ok((study_id_at(r, 0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
            tx.prepare_cached(
                "UPDATE outgoing_mail SET sent_at = ?2, transport = ?3, attempts = attempts + 1, last_error = NULL WHERE id = ?1",
            )?
            .execute(params![reservation, timestamp(at), transport.as_str()])?;
            audit::record(
                &tx,
                at,
                Some(&study_id),
                &Actor::System,
                "mail.sent",
                &serde_json::json!({ "round": round, "kind": kind, "expert": pseudonym, "transport": transport.as_str() }),
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Notes a failed attempt to send a reserved message; a re-run tries it again.
    pub fn mark_mail_failed(&mut self, reservation: i64, error: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE outgoing_mail SET attempts = attempts + 1, last_error = ?2 WHERE id = ?1",
            params![reservation, error],
        )?;
        Ok(())
    }

    /// How many messages of each kind were sent in a round, and how many are reserved but unsent.
    pub fn mail_counts(&self, study_id: &StudyId, round: u32) -> Result<Vec<(String, u64, u64)>, StoreError> {
        let mut statement = self.conn.prepare(
            "SELECT kind, COUNT(sent_at), COUNT(*) - COUNT(sent_at) FROM outgoing_mail
             WHERE study_id = ?1 AND round = ?2 GROUP BY kind ORDER BY kind",
        )?;
        let rows = statement.query_map(params![study_id.as_str(), round], |r| {
            let count = |i| r.get::<_, i64>(i).map(|n| u64::try_from(n).unwrap_or_default());
            Ok((r.get(0)?, count(1)?, count(2)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The experts a message of `kind` was sent to in a round (a dry run shows who is left).
    pub fn mail_sent_to(&self, study_id: &StudyId, round: u32, kind: &OutgoingKind) -> Result<Vec<String>, StoreError> {
        let (kind_label, occasion) = kind.columns();
        let mut statement = self.conn.prepare(
            "SELECT expert_id FROM outgoing_mail
             WHERE study_id = ?1 AND round = ?2 AND kind = ?3 AND occasion = ?4 AND sent_at IS NOT NULL ORDER BY expert_id",
        )?;
        let rows = statement.query_map(params![study_id.as_str(), round, kind_label, occasion], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many answers to replies judged `outcome` (e.g. "please fix" letters to invalid
    /// replies) were sent to an expert since `since`, leaving out the answer to
    /// `except_reply` (a re-run of that reply): what keeps an auto-responder and the tool
    /// from writing to each other forever.
    pub fn answers_sent_since(
        &self,
        study_id: &StudyId,
        expert_id: &str,
        outcome: InboundOutcome,
        since: DateTime<Utc>,
        except_reply: &str,
    ) -> Result<u64, StoreError> {
        let count: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM outgoing_mail m
             JOIN inbound_mail i ON i.study_id = m.study_id AND i.message_key = m.occasion
             WHERE m.study_id = ?1 AND m.expert_id = ?2 AND m.kind = 'receipt' AND i.outcome = ?3
               AND m.sent_at IS NOT NULL AND m.sent_at >= ?4 AND m.occasion <> ?5",
            params![study_id.as_str(), expert_id, outcome.as_str(), timestamp(since), except_reply],
            |r| r.get(0),
        )?;
        Ok(u64::try_from(count).unwrap_or_default())
    }

    /// The highest reminder number reserved in a round (0 when none was).
    pub fn last_reminder(&self, study_id: &StudyId, round: u32) -> Result<u32, StoreError> {
        Ok(self.conn.query_row(
            "SELECT COALESCE(MAX(CAST(occasion AS INTEGER)), 0) FROM outgoing_mail
             WHERE study_id = ?1 AND round = ?2 AND kind = 'reminder'",
            params![study_id.as_str(), round],
            |r| r.get(0),
        )?)
    }

    /// Whether an answer to the reply `reply_key` went out already, in any round: a reply
    /// to a closed round is answered once, even when a round opens before it is read again.
    pub fn reply_answered(&self, study_id: &StudyId, reply_key: &str) -> Result<bool, StoreError> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM outgoing_mail
                            WHERE study_id = ?1 AND kind = 'receipt' AND occasion = ?2 AND sent_at IS NOT NULL)",
            params![study_id.as_str(), reply_key],
            |r| r.get(0),
        )?)
    }

    /// The reminders of a round reserved at or after `since` (the start of a slot of the
    /// reminder schedule), oldest first: who, which number, and whether it was sent.
    pub fn reminders_since(
        &self,
        study_id: &StudyId,
        round: u32,
        since: DateTime<Utc>,
    ) -> Result<Vec<ReminderRecord>, StoreError> {
        let mut statement = self.conn.prepare(
            "SELECT expert_id, CAST(occasion AS INTEGER), sent_at IS NOT NULL FROM outgoing_mail
             WHERE study_id = ?1 AND round = ?2 AND kind = 'reminder' AND reserved_at >= ?3
             ORDER BY reserved_at, id",
        )?;
        let rows = statement.query_map(params![study_id.as_str(), round, timestamp(since)], |r| {
            Ok(ReminderRecord { expert_id: r.get(0)?, number: r.get(1)?, sent: r.get(2)? })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The record of a reply already dealt with.
    pub fn inbound(&self, study_id: &StudyId, message_key: &str) -> Result<Option<InboundRecord>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT outcome, expert_id, round, submission_id, detail, processed_at FROM inbound_mail
                 WHERE study_id = ?1 AND message_key = ?2",
            )?
            .query_row(params![study_id.as_str(), message_key], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<u32>>(2)?,
                    r.get::<_, Option<i64>>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })
            .optional()?
            .map(|(outcome, expert_id, round, submission_id, detail, at)| {
                Ok(InboundRecord {
                    message_key: message_key.to_owned(),
                    outcome: InboundOutcome::parse(&outcome)
                        .ok_or_else(|| StoreError::Corrupt(format!("unknown outcome `{outcome}` of a reply")))?,
                    expert_id,
                    round,
                    submission_id,
                    detail: serde_json::from_str(&detail)
                        .map_err(|e| StoreError::Corrupt(format!("detail of reply {message_key}: {e}")))?,
                    processed_at: parse_timestamp(&at)?,
                })
            })
            .transpose()
    }

    /// Records a reply as dealt with, and its answers when it carried some, in one
    /// transaction: either both are stored or neither. A reply recorded before is returned
    /// as it was (nothing is written twice). When the round refuses the answers (closed,
    /// deadline passed), the reply is recorded as [`InboundOutcome::Refused`] with the reason.
    pub fn record_inbound(
        &mut self,
        study_id: &StudyId,
        message: &InboundMessage,
        submission: Option<&Submission>,
        at: DateTime<Utc>,
    ) -> Result<(InboundRecord, bool), StoreError> {
        if let Some(existing) = self.inbound(study_id, &message.message_key)? {
            return Ok((existing, false));
        }
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        require_study(&tx, study_id)?;
        let (outcome, submission_id, detail) = match submission {
            None => (message.outcome, None, message.detail.clone()),
            Some(submission) => match record_one_in(&tx, submission, at) {
                Ok(receipt) => (InboundOutcome::Recorded, Some(receipt.submission_id), message.detail.clone()),
                Err(StoreError::Refused(refusal)) => {
                    let mut detail = message.detail.clone();
                    detail["refused"] = serde_json::Value::String(refusal.to_string());
                    (InboundOutcome::Refused, None, detail)
                }
                Err(failure) => return Err(failure),
            },
        };
        tx.execute(
            "INSERT INTO inbound_mail (study_id, message_key, outcome, expert_id, round, submission_id, detail, processed_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                study_id.as_str(),
                message.message_key,
                outcome.as_str(),
                message.expert_id,
                message.round,
                submission_id,
                detail.to_string(),
                timestamp(at)
            ],
        )?;
        if outcome != InboundOutcome::Recorded {
            audit::record(
                &tx,
                at,
                Some(study_id),
                &Actor::System,
                "mail.set-aside",
                &serde_json::json!({ "outcome": outcome.as_str(), "round": message.round }),
            )?;
        }
        tx.commit()?;
        let record = InboundRecord {
            message_key: message.message_key.clone(),
            outcome,
            expert_id: message.expert_id.clone(),
            round: message.round,
            submission_id,
            detail,
            processed_at: at,
        };
        Ok((record, true))
    }
}

/// When a stored answer was written, as far as the tool can know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// The Date of the email it came in: the expert's own clock, comparable with the Dates
    /// of their other emails even when that clock is off.
    ByEmail(DateTime<Utc>),
    /// When another channel (web, API, `delphi answer`) received it: the tool's clock.
    Received(DateTime<Utc>),
}

/// A letter the tool sent, found by its Message-ID (what a reply's In-Reply-To names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentLetter {
    /// The expert it was sent to.
    pub expert_id: String,
    /// The round it was about.
    pub round: u32,
    /// What it was.
    pub kind: OutgoingKind,
    /// When it was written (reserved), so what it showed can be read back.
    pub reserved_at: DateTime<Utc>,
}

impl Store {
    /// An active panel member by email address (case-insensitive): id, name and language.
    pub fn expert_by_address(
        &self,
        study_id: &StudyId,
        address: &str,
    ) -> Result<Option<(String, String, String)>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, name, language FROM experts
                 WHERE study_id = ?1 AND active = 1 AND lower(trim(email)) = lower(trim(?2)) ORDER BY id LIMIT 1",
                params![study_id.as_str(), address],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?)
    }

    /// The letter sent under `message_id` (with or without angle brackets), if the tool sent it.
    pub fn sent_letter(&self, study_id: &StudyId, message_id: &str) -> Result<Option<SentLetter>, StoreError> {
        let bare = message_id.trim().trim_matches(['<', '>']);
        let row: Option<(String, u32, String, String, String)> = self
            .conn
            .query_row(
                "SELECT expert_id, round, kind, occasion, reserved_at FROM outgoing_mail
                 WHERE study_id = ?1 AND message_id IN (?2, '<' || ?2 || '>')",
                params![study_id.as_str(), bare],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?;
        let Some((expert_id, round, kind, occasion, reserved_at)) = row else { return Ok(None) };
        let kind = match kind.as_str() {
            "invitation" => OutgoingKind::Invitation,
            "reminder" => OutgoingKind::Reminder { number: occasion.parse().unwrap_or(0) },
            _ => OutgoingKind::Receipt { reply_key: occasion },
        };
        Ok(Some(SentLetter { expert_id, round, kind, reserved_at: parse_timestamp(&reserved_at)? }))
    }

    /// An expert's current answers in a round (item → stored JSON), each with when it was
    /// written: the Date of the email it came in, as the expert's client set it
    /// (`written_at` in the reply's record), or when it was received by another channel.
    pub fn answers_written(
        &self,
        study_id: &StudyId,
        round: u32,
        expert_id: &str,
    ) -> Result<std::collections::BTreeMap<String, (serde_json::Value, Written)>, StoreError> {
        let mut statement = self.conn.prepare(
            "SELECT a.item_id, a.value, json_extract(m.detail, '$.written_at'), s.received_at
             FROM answers a JOIN submissions s ON s.id = a.submission_id
             LEFT JOIN inbound_mail m ON m.study_id = s.study_id AND m.submission_id = s.id
             WHERE s.study_id = ?1 AND s.round = ?2 AND s.expert_id = ?3 ORDER BY s.id",
        )?;
        let rows = statement.query_map(params![study_id.as_str(), round, expert_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?, r.get::<_, String>(3)?))
        })?;
        let mut latest = std::collections::BTreeMap::new();
        for row in rows {
            let (item, value, by_email, received) = row?;
            let value = serde_json::from_str(&value)
                .map_err(|e| StoreError::Corrupt(format!("answer to {item} of {expert_id}: {e}")))?;
            let written = match by_email {
                Some(date) => Written::ByEmail(parse_timestamp(&date)?),
                None => Written::Received(parse_timestamp(&received)?),
            };
            latest.insert(item, (value, written));
        }
        Ok(latest)
    }

    /// An expert's answers in a round as they stood at `at` (item → stored JSON): what a
    /// letter written then showed them.
    pub fn answers_as_of(
        &self,
        study_id: &StudyId,
        round: u32,
        expert_id: &str,
        at: DateTime<Utc>,
    ) -> Result<std::collections::BTreeMap<String, serde_json::Value>, StoreError> {
        let mut statement = self.conn.prepare(
            "SELECT a.item_id, a.value FROM answers a JOIN submissions s ON s.id = a.submission_id
             WHERE s.study_id = ?1 AND s.round = ?2 AND s.expert_id = ?3 AND s.received_at <= ?4 ORDER BY s.id",
        )?;
        let rows = statement.query_map(params![study_id.as_str(), round, expert_id, timestamp(at)], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut latest = std::collections::BTreeMap::new();
        for row in rows {
            let (item, value) = row?;
            let value = serde_json::from_str(&value)
                .map_err(|e| StoreError::Corrupt(format!("answer to {item} of {expert_id}: {e}")))?;
            latest.insert(item, value);
        }
        Ok(latest)
    }

    /// Replies set aside that the coordinator should look at (see
    /// [`InboundOutcome::needs_the_coordinator`]), oldest first.
    pub fn inbound_waiting(&self, study_id: &StudyId) -> Result<Vec<InboundRecord>, StoreError> {
        let keys: Vec<String> = self
            .conn
            .prepare(
                "SELECT message_key FROM inbound_mail
                 WHERE study_id = ?1 AND outcome IN ('spoofed', 'unknown-token', 'no-token', 'unreadable')
                 ORDER BY processed_at, message_key",
            )?
            .query_map(params![study_id.as_str()], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        keys.iter().filter_map(|key| self.inbound(study_id, key).transpose()).collect()
    }

    /// A study setting a command stored for later ones (e.g. `base_url`).
    pub fn setting(&self, study_id: &StudyId, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM study_settings WHERE study_id = ?1 AND key = ?2",
                params![study_id.as_str(), key],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Stores a study setting, replacing an earlier value.
    pub fn set_setting(
        &mut self,
        study_id: &StudyId,
        key: &str,
        value: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        require_study(&tx, study_id)?;
        tx.execute(
            "INSERT INTO study_settings (study_id, key, value, updated_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (study_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            params![study_id.as_str(), key, value, timestamp(at)],
        )?;
        audit::record(
            &tx,
            at,
            Some(study_id),
            &Actor::Coordinator,
            "study.setting",
            &serde_json::json!({ "key": key, "value": value }),
        )?;
        tx.commit()?;
        Ok(())
    }
}
