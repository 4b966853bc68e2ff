//! Dealing with one reply: find the expert by token, check the sender against the panel,
//! read the form, store the answers exactly once (the reply is recorded in the same
//! transaction as its answers, keyed by its Message-ID), and answer the expert with a
//! receipt or the problems to fix. Auto-replies, bounces, spoofed senders and replies
//! without a live token are set aside without an answer (no backscatter).

use chrono::{DateTime, Utc};
use delphi_store::{
    Answer, Channel, InboundMessage, InboundOutcome, InboundRecord, OutgoingKind, OutgoingMail, Store, StoreError,
    Submission, TokenGrant,
};
use delphi_survey::{FrozenRound, Questionnaire, reply};

use super::compose::{Addressee, ComposeError, Letter, Sender, Threading, compose};
use super::inbound::{Automatic, Incoming, read};
use super::send::new_message_id;
use super::transport::{MailTransport, TransportError};
use crate::personal::answers_by_item;

/// What ingesting needs besides the store.
#[derive(Debug, Clone, Copy)]
pub struct Ingest<'a> {
    pub study_id: &'a str,
    pub sender: &'a Sender,
    pub transport: &'a MailTransport,
    /// Judge and report, but store and send nothing.
    pub dry_run: bool,
}

/// What became of one message.
#[derive(Debug, Clone, PartialEq)]
pub struct Ingested {
    pub key: String,
    pub outcome: InboundOutcome,
    /// The expert the message was identified as (by token), if any.
    pub expert_id: Option<String>,
    /// Dealt with by an earlier run: nothing was stored again.
    pub earlier: bool,
    /// Answers stored (or, in a dry run, that would be).
    pub answers: usize,
    /// Why the message was set aside or refused, for the coordinator.
    pub reason: Option<String>,
    /// What is wrong with the form of an invalid reply, as the expert is told.
    pub problems: Vec<String>,
    /// Whether an answer to the expert went out now (a receipt, or the problems).
    pub answered: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the frozen questionnaire of round {round} is unreadable: {reason}")]
    Questionnaire { round: u32, reason: String },
    #[error("the answer to {key} cannot be built: {source}")]
    Compose { key: String, source: ComposeError },
    #[error("the answer to {key} could not be sent (a re-run sends it): {source}")]
    Deliver { key: String, source: TransportError },
    #[error(transparent)]
    Mailbox(#[from] super::mailbox::MailboxError),
}

/// The judgement of a message, before anything is stored.
enum Judgement {
    SetAside { outcome: InboundOutcome, expert: Option<TokenGrant>, reason: String },
    Invalid { grant: TokenGrant, token: String, questionnaire: Questionnaire, problems: Vec<String> },
    Answers { grant: TokenGrant, token: String, questionnaire: Questionnaire, reply: reply::Reply },
}

/// Deals with one raw message; safe to call again with the same message at any time.
pub fn ingest_message(
    store: &mut Store,
    ingest: &Ingest<'_>,
    raw: &[u8],
    now: DateTime<Utc>,
) -> Result<Ingested, IngestError> {
    let incoming = read(raw);
    let judgement = judge(store, ingest.study_id, &incoming)?;
    let (message, submission) = to_record(&incoming, &judgement);
    let mut ingested = Ingested {
        key: incoming.key.clone(),
        outcome: message.outcome,
        expert_id: message.expert_id.clone(),
        earlier: false,
        answers: submission.as_ref().map_or(0, |s| s.answers.len()),
        reason: message.detail.get("reason").and_then(|r| r.as_str()).map(str::to_owned),
        problems: match &judgement {
            Judgement::Invalid { problems, .. } => problems.clone(),
            _ => Vec::new(),
        },
        answered: false,
    };
    if ingest.dry_run {
        return Ok(ingested);
    }
    let (record, new) = store.record_inbound(ingest.study_id, &message, submission.as_ref(), now)?;
    ingested.earlier = !new;
    ingested.outcome = record.outcome;
    if let Some(refused) = record.detail.get("refused").and_then(|r| r.as_str()) {
        ingested.reason = Some(refused.to_owned());
    }
    if !new && record.outcome != InboundOutcome::Recorded {
        ingested.answers = 0;
    }
    ingested.answered = answer_the_expert(store, ingest, &incoming, &judgement, &record, now)?;
    Ok(ingested)
}

fn judge(store: &Store, study_id: &str, incoming: &Incoming) -> Result<Judgement, IngestError> {
    if let Some(automatic) = incoming.automatic {
        let (outcome, reason) = match automatic {
            Automatic::AutoReply => (InboundOutcome::AutoReply, "an automatic reply (e.g. out of office)"),
            Automatic::Bounce => (InboundOutcome::Bounce, "a delivery failure report"),
        };
        return Ok(Judgement::SetAside { outcome, expert: None, reason: reason.into() });
    }
    let mut found = None;
    for token in &incoming.tokens {
        if let Some(grant) = store.resolve_token(token)?.filter(|g| g.study_id == study_id) {
            found = Some((grant, token.clone()));
            break;
        }
    }
    let Some((grant, token)) = found else {
        let (outcome, reason) = if incoming.tokens.is_empty() {
            (InboundOutcome::NoToken, "no personal token in the addresses, subject or text")
        } else {
            (InboundOutcome::UnknownToken, "its token is not a live token of this study (mistyped, replaced or old)")
        };
        return Ok(Judgement::SetAside { outcome, expert: None, reason: reason.into() });
    };
    let expected =
        store.expert_contact(study_id, &grant.expert_id)?.map(|(_, email)| email.trim().to_ascii_lowercase());
    if expected.is_none() || incoming.from.as_deref() != expected.as_deref() {
        return Ok(Judgement::SetAside {
            outcome: InboundOutcome::Spoofed,
            expert: Some(grant),
            reason: "sent from an address that is not the expert's on the panel".into(),
        });
    }
    let frozen = frozen_round(store, study_id, grant.round)?;
    let questionnaire = frozen.in_language(&grant.language).clone();
    Ok(match reply::parse(&questionnaire, &incoming.text) {
        Ok(reply) => Judgement::Answers { grant, token, questionnaire, reply },
        Err(errors) => {
            let problems = errors.0.iter().map(|e| e.message(&questionnaire.language)).collect();
            Judgement::Invalid { grant, token, questionnaire, problems }
        }
    })
}

fn frozen_round(store: &Store, study_id: &str, round: u32) -> Result<FrozenRound, IngestError> {
    let json = store
        .questionnaire(study_id, round)?
        .ok_or_else(|| IngestError::Questionnaire { round, reason: "the round does not exist".into() })?;
    serde_json::from_str(&json).map_err(|e| IngestError::Questionnaire { round, reason: e.to_string() })
}

/// The record of the message, and the submission its answers make (if any).
fn to_record(incoming: &Incoming, judgement: &Judgement) -> (InboundMessage, Option<Submission>) {
    let message = |outcome, grant: Option<&TokenGrant>, detail| InboundMessage {
        message_key: incoming.key.clone(),
        outcome,
        expert_id: grant.map(|g| g.expert_id.clone()),
        round: grant.map(|g| g.round),
        detail,
    };
    match judgement {
        Judgement::SetAside { outcome, expert, reason } => {
            (message(*outcome, expert.as_ref(), serde_json::json!({ "reason": reason })), None)
        }
        Judgement::Invalid { grant, problems, .. } => (
            message(
                InboundOutcome::Invalid,
                Some(grant),
                serde_json::json!({ "reason": "the form has problems", "problems": problems }),
            ),
            None,
        ),
        Judgement::Answers { grant, reply, .. } => {
            let answers: Vec<Answer> = reply
                .answers
                .iter()
                .map(|(item, answer)| Answer {
                    item_id: item.to_string(),
                    value: serde_json::to_value(answer).expect("an answer is plain data"),
                    rationale: None,
                })
                .collect();
            let detail = serde_json::json!({ "answers": answers.len(), "unanswered": reply.unanswered.len() });
            let submission = Submission {
                study_id: grant.study_id.clone(),
                round: grant.round,
                expert_id: grant.expert_id.clone(),
                channel: Channel::Email,
                source_ref: Some(incoming.key.clone()),
                answers,
            };
            (message(InboundOutcome::Recorded, Some(grant), detail), Some(submission))
        }
    }
}

/// Sends the expert the receipt, the problems, or the refusal for their reply, once: the
/// message is reserved under the reply's key, so a re-run sends only what did not go out.
/// Goes to the panel's address, never to the sender's. Returns whether a message went out.
fn answer_the_expert(
    store: &mut Store,
    ingest: &Ingest<'_>,
    incoming: &Incoming,
    judgement: &Judgement,
    record: &InboundRecord,
    now: DateTime<Utc>,
) -> Result<bool, IngestError> {
    let (grant, token, questionnaire) = match judgement {
        Judgement::Invalid { grant, token, questionnaire, .. }
        | Judgement::Answers { grant, token, questionnaire, .. } => (grant, token, questionnaire),
        Judgement::SetAside { .. } => return Ok(false),
    };
    let Some(round) = store.round(ingest.study_id, grant.round)? else { return Ok(false) };
    let deadline = match round.state {
        delphi_store::RoundState::Open { deadline, .. } => deadline,
        _ => now,
    };
    let recorded = match record.submission_id {
        Some(_) => answers_by_item(store.expert_answers(ingest.study_id, grant.round, &grant.expert_id)?)?,
        None => Default::default(),
    };
    let refused_reason = record.detail.get("refused").and_then(|r| r.as_str()).unwrap_or_default().to_owned();
    let problems: Vec<String> = match judgement {
        Judgement::Invalid { problems, .. } => problems.clone(),
        _ => Vec::new(),
    };
    let unanswered = questionnaire.items.len().saturating_sub(recorded.len());
    let letter = match record.outcome {
        InboundOutcome::Recorded => Letter::Receipt { questionnaire, recorded: &recorded, unanswered, deadline },
        InboundOutcome::Invalid => Letter::Problems { questionnaire, problems: &problems, deadline },
        InboundOutcome::Refused => Letter::Refused { questionnaire, reason: &refused_reason },
        _ => return Ok(false),
    };
    let Some((name, email)) = store.expert_contact(ingest.study_id, &grant.expert_id)? else { return Ok(false) };
    let kind = OutgoingKind::Receipt { reply_key: incoming.key.clone() };
    let message_id =
        new_message_id(ingest.sender.reply_to.domain(), &[ingest.study_id, &grant.expert_id, &incoming.key], now);
    let mail = OutgoingMail { study_id: ingest.study_id, round: grant.round, expert_id: &grant.expert_id, kind: &kind };
    let (reservation, _) = store.reserve_mail(&mail, None, &message_id, now)?;
    if reservation.sent_at.is_some() {
        return Ok(false);
    }
    let to = Addressee { name, email };
    let threading =
        Threading { message_id: reservation.message_id, in_reply_to: Some(incoming.key.clone()), date: now };
    // The token the expert used goes back in the reply address, so answering the receipt
    // (or the problems) reaches the same expert again; it is not stored in the clear.
    let token = (record.outcome != InboundOutcome::Refused).then_some(token.as_str());
    let message = compose(&letter, ingest.sender, &to, token, &threading)
        .map_err(|source| IngestError::Compose { key: incoming.key.clone(), source })?;
    let name = format!("round-{}-receipt-{}-{}", grant.round, grant.expert_id, short_hash(&incoming.key));
    match ingest.transport.deliver(&message, &name) {
        Ok(()) => {
            store.mark_mail_sent(reservation.id, ingest.transport.kind(), now)?;
            Ok(true)
        }
        Err(source) => {
            store.mark_mail_failed(reservation.id, &source.to_string())?;
            Err(IngestError::Deliver { key: incoming.key.clone(), source })
        }
    }
}

fn short_hash(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes()).iter().take(4).map(|b| format!("{b:02x}")).collect()
}
