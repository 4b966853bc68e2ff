//! Dealing with one reply: find the expert by token, check the sender against the panel,
//! read the form, store the answers exactly once (the reply is recorded in the same
//! transaction as its answers, keyed by its Message-ID), and answer the expert with a
//! receipt or the problems to fix. Auto-replies, bounces, spoofed senders and replies
//! without a live token are set aside without an answer (no backscatter).

use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

use delphi_core::study::{ItemId, StudyId};
use delphi_store::{
    Answer, Channel, InboundMessage, InboundOutcome, InboundRecord, OutgoingKind, OutgoingMail, RoundState, Store,
    StoreError, Submission, TokenGrant, Written,
};
use delphi_survey::{FrozenRound, Questionnaire, Signer, reply};

use super::compose::{Addressee, ComposeError, Letter, Sender, Threading, compose};
use super::inbound::{Automatic, Incoming, read};
use super::send::new_message_id;
use super::transport::{MailTransport, TransportError};
use crate::personal::{answers_by_item, personal_questionnaire};

/// What ingesting needs besides the store.
#[derive(Debug, Clone, Copy)]
pub struct Ingest<'a> {
    /// The study the replies are for.
    pub study_id: &'a StudyId,
    /// Who answers come from, and the reply address and links they carry.
    pub sender: &'a Sender,
    /// How answers to the experts leave.
    pub transport: &'a MailTransport,
    /// Judge and report, but store and send nothing.
    pub dry_run: bool,
}

/// What became of one message.
#[derive(Debug, Clone, PartialEq)]
pub struct Ingested {
    /// The message's key: its Message-ID, or `sha256:` and the hash of its bytes.
    pub key: String,
    /// What became of it.
    pub outcome: InboundOutcome,
    /// The expert the message was identified as (by token), if any.
    pub expert_id: Option<String>,
    /// Dealt with by an earlier run: nothing was stored again.
    pub earlier: bool,
    /// Answers stored (or, in a dry run, that would be).
    pub answers: usize,
    /// Answers in the reply that changed nothing: as already recorded, or copied from one of
    /// our receipts.
    pub unchanged: usize,
    /// Items whose answer in the reply was older than one given later (which stands).
    pub kept_newer: Vec<String>,
    /// Why the message was set aside or refused, for the coordinator.
    pub reason: Option<String>,
    /// What is wrong with the form of an invalid reply, as the expert is told.
    pub problems: Vec<String>,
    /// Whether an answer to the expert went out now (a receipt, the problems, or a notice).
    pub answered: bool,
    /// A "please fix" (or "nothing changed") letter was due, but one went to the expert
    /// within the hour: none is sent (the loop-breaker against auto-responders that no
    /// heuristic recognises).
    pub held_back: bool,
}

/// At most one "please fix" letter, and one "nothing changed" letter, per expert in this
/// window, whatever comes in: the answers to messages that stored nothing, which an
/// auto-responder would answer again. Receipts of recorded answers are never held back.
pub const LOOP_BREAKER_INTERVAL: chrono::TimeDelta = chrono::TimeDelta::hours(1);

/// Why a message could not be dealt with: about the message itself, it is set aside and the run
/// goes on; else the run stops.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A round's frozen questionnaire could not be read back.
    #[error("the frozen questionnaire of round {round} is unreadable: {reason}")]
    Questionnaire {
        /// The round.
        round: u32,
        /// What is wrong with it.
        reason: String,
    },
    /// The answer to a message could not be built.
    #[error("the answer to {key} cannot be built: {source}")]
    Compose {
        /// The message's key.
        key: String,
        /// Why.
        source: ComposeError,
    },
    /// The answer to a message could not be handed over; a re-run sends it.
    #[error("the answer to {key} could not be sent (a re-run sends it): {source}")]
    Deliver {
        /// The message's key.
        key: String,
        /// Why.
        source: TransportError,
    },
    /// The mailbox could not be read.
    #[error(transparent)]
    Mailbox(#[from] super::mailbox::MailboxError),
}

impl IngestError {
    /// Whether the error is about the message itself (so the message is set aside and the
    /// others go on), rather than about the store, the mail server or the mailbox.
    fn is_about_the_message(&self) -> bool {
        matches!(self, Self::Questionnaire { .. } | Self::Compose { .. })
    }
}

/// A panel member who wrote, as the panel knows them.
#[derive(Debug, Clone)]
struct PanelMember {
    expert_id: String,
    language: String,
}

/// The judgement of a message, before anything is stored.
enum Judgement {
    SetAside {
        outcome: InboundOutcome,
        expert: Option<TokenGrant>,
        reason: String,
        /// A panel member whose message could not be tied to them: they get a short notice.
        notify: Option<PanelMember>,
    },
    Invalid {
        grant: TokenGrant,
        token: String,
        questionnaire: Questionnaire,
        problems: Vec<String>,
        /// What the "please fix" form shows filled in: what the expert's copy comes filled in
        /// with (their earlier rounds' answers), the answers recorded before, and every answer
        /// of this reply that could be read.
        filled: BTreeMap<ItemId, delphi_survey::Answer>,
    },
    Unchanged {
        grant: TokenGrant,
        token: String,
        questionnaire: Questionnaire,
        unchanged: usize,
        kept_newer: Vec<String>,
        written: DateTime<Utc>,
    },
    Answers {
        grant: TokenGrant,
        token: String,
        questionnaire: Questionnaire,
        changes: BTreeMap<ItemId, delphi_survey::Answer>,
        unchanged: usize,
        kept_newer: Vec<String>,
        written: DateTime<Utc>,
    },
    /// A reply to a round that has closed: nothing of it is recorded, whatever it holds;
    /// the expert is pointed to the open round, or told the study is between rounds.
    Closed { grant: TokenGrant, reason: String },
}

/// Deals with one raw message; safe to call again with the same message at any time. A
/// message that cannot be dealt with because of what it is (not because the store or the
/// mail server failed) is set aside as unreadable, with the reason, so the others go on;
/// so is one whose reading panics, which is a bug but must not stop the channel.
pub fn ingest_or_set_aside(
    store: &mut Store,
    ingest: &Ingest<'_>,
    raw: &[u8],
    now: DateTime<Utc>,
) -> Result<Ingested, IngestError> {
    let attempt = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| ingest_message(store, ingest, raw, now)));
    let reason = match attempt {
        Ok(Ok(ingested)) => return Ok(ingested),
        Ok(Err(error)) if error.is_about_the_message() => error.to_string(),
        Ok(Err(error)) => return Err(error),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            format!("reading it failed inside delphi (a bug; please report it): {what}")
        }
    };
    let key = raw_key(raw);
    let mut ingested = Ingested {
        key: key.clone(),
        outcome: InboundOutcome::Unreadable,
        expert_id: None,
        earlier: false,
        answers: 0,
        unchanged: 0,
        kept_newer: Vec::new(),
        reason: Some(reason.clone()),
        problems: Vec::new(),
        answered: false,
        held_back: false,
    };
    if ingest.dry_run {
        return Ok(ingested);
    }
    let message = InboundMessage {
        message_key: key,
        outcome: InboundOutcome::Unreadable,
        expert_id: None,
        round: None,
        detail: serde_json::json!({ "reason": reason }),
    };
    let (record, new) = store.record_inbound(ingest.study_id, &message, None, now)?;
    ingested.earlier = !new;
    ingested.outcome = record.outcome;
    Ok(ingested)
}

/// The key of a message that may not even parse: its Message-ID found by a plain look at
/// the headers, or a hash of its bytes.
fn raw_key(raw: &[u8]) -> String {
    let head = raw.split(|b| *b == b'\n').take_while(|line| !line.iter().all(u8::is_ascii_whitespace));
    for line in head {
        let line = String::from_utf8_lossy(line);
        if let Some((name, value)) = line.split_once(':')
            && name.trim().eq_ignore_ascii_case("message-id")
            && !value.trim().is_empty()
        {
            return format!("<{}>", value.trim().trim_matches(['<', '>']));
        }
    }
    super::inbound::content_key(raw)
}

/// Deals with one raw message; safe to call again with the same message at any time.
pub fn ingest_message(
    store: &mut Store,
    ingest: &Ingest<'_>,
    raw: &[u8],
    now: DateTime<Utc>,
) -> Result<Ingested, IngestError> {
    let incoming = read(raw);
    let judgement = judge(store, ingest.study_id, &incoming, now)?;
    let (mut message, submission) = to_record(&incoming, &judgement);
    // Decided before the reply is recorded and kept with it, so a later run over the same
    // message knows its answer was held back, not lost in a crash, and sends none either.
    let held_back = held_back(store, ingest.study_id, &message, now)?;
    if held_back {
        message.detail["held_back"] = serde_json::Value::Bool(true);
    }
    let (unchanged, kept_newer) = match &judgement {
        Judgement::Answers { unchanged, kept_newer, .. } | Judgement::Unchanged { unchanged, kept_newer, .. } => {
            (*unchanged, kept_newer.clone())
        }
        _ => (0, Vec::new()),
    };
    let mut ingested = Ingested {
        key: incoming.key.clone(),
        outcome: message.outcome,
        expert_id: message.expert_id.clone(),
        earlier: false,
        answers: submission.as_ref().map_or(0, |s| s.answers.len()),
        unchanged,
        kept_newer,
        reason: message.detail.get("reason").and_then(|r| r.as_str()).map(str::to_owned),
        problems: match &judgement {
            Judgement::Invalid { problems, .. } => problems.clone(),
            _ => Vec::new(),
        },
        answered: false,
        held_back,
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
    ingested.held_back = record.detail.get("held_back") == Some(&serde_json::Value::Bool(true));
    if !ingested.held_back {
        ingested.answered = answer_the_expert(store, ingest, &incoming, &judgement, &record, now)?;
    }
    Ok(ingested)
}

/// Whether the answer to `message` is to be held back by the loop-breaker: it stored
/// nothing (invalid, or nothing new) and a letter answering such a message went to the same
/// expert within [`LOOP_BREAKER_INTERVAL`].
fn held_back(
    store: &Store,
    study_id: &StudyId,
    message: &InboundMessage,
    now: DateTime<Utc>,
) -> Result<bool, IngestError> {
    Ok(match (&message.expert_id, message.outcome) {
        (Some(expert), outcome @ (InboundOutcome::Invalid | InboundOutcome::Unchanged)) => {
            let since = now - LOOP_BREAKER_INTERVAL;
            store.answers_sent_since(study_id, expert, outcome, since, &message.message_key)? > 0
        }
        _ => false,
    })
}

fn judge(store: &Store, study_id: &StudyId, incoming: &Incoming, now: DateTime<Utc>) -> Result<Judgement, IngestError> {
    if let Some(automatic) = incoming.automatic {
        return Ok(set_aside_automatic(automatic));
    }
    let sender = match &incoming.from {
        Some(address) => store.expert_by_address(study_id, address)?,
        None => None,
    };
    let mut grants = live_grants(store, study_id, incoming)?;
    // The sender's own token wins: a colleague's link pasted into the text names the
    // colleague, not the sender.
    let own = grants.iter().position(|(grant, _)| sender.as_ref().is_some_and(|(id, _, _)| *id == grant.expert_id));
    let Some(own) = own else {
        return Ok(without_own_token(sender, grants, incoming));
    };
    let (grant, token) = grants.swap_remove(own);
    if !incoming.readable {
        return Ok(Judgement::SetAside {
            outcome: InboundOutcome::Unreadable,
            expert: Some(grant),
            reason: "it has no text or HTML to read (e.g. Outlook's rich text as a winmail.dat attachment only)".into(),
            notify: None,
        });
    }
    let (name, email) = store.expert_contact(study_id, &grant.expert_id)?.unwrap_or_default();
    let frozen = frozen_round(store, study_id, grant.round)?;
    let questionnaire = frozen.in_language(&grant.language).clone();
    let mut reading = reply::read_signed(&questionnaire, &incoming.text, &Signer::new(&name, &email));
    let stored = store.answers_written(study_id, grant.round, &grant.expert_id)?;
    let shown = shown_by_our_letter(store, study_id, &grant, incoming)?;
    settle_answers_elsewhere(&mut reading, &questionnaire, &shown, &stored);
    // An out-of-office that quotes our letter quotes the answers it came filled in with too
    // (from round 2 on, the expert's earlier ones): those are the letter's words, not the
    // expert's.
    if incoming.reads_like_auto_reply
        && !has_answers_of_its_own(&reading, &with_prefill(store, study_id, &grant, &frozen, shown.clone())?, &stored)
    {
        return Ok(Judgement::SetAside {
            outcome: InboundOutcome::AutoReply,
            expert: Some(grant),
            reason: "it reads like an automatic reply (out of office) and carries no answer of its own".into(),
            notify: None,
        });
    }
    if round_is_closed(store, study_id, grant.round)? {
        let reason = format!("it answers round {}, which has closed", grant.round);
        return Ok(Judgement::Closed { grant, reason });
    }
    if !reading.errors.is_empty() {
        let problems = reading.errors.iter().map(|e| e.message(&questionnaire.language)).collect();
        let filled = form_to_fix(store, study_id, &frozen, &grant, reading, stored)?;
        return Ok(Judgement::Invalid { grant, token, questionnaire, problems, filled });
    }
    // When the expert wrote it, as their client says: against their other emails, the Date
    // as it is (one clock, even if wrong); against other channels, never later than arrival.
    let dated = incoming.written.unwrap_or(now);
    let (changes, unchanged, kept_newer) =
        sort_answers(reading, &questionnaire, &shown, &stored, dated, dated.min(now));
    Ok(if changes.is_empty() {
        Judgement::Unchanged { grant, token, questionnaire, unchanged, kept_newer, written: dated }
    } else {
        Judgement::Answers { grant, token, questionnaire, changes, unchanged, kept_newer, written: dated }
    })
}

/// An automatic message (an auto-reply or a bounce): set aside, unanswered.
fn set_aside_automatic(automatic: Automatic) -> Judgement {
    let (outcome, reason) = match automatic {
        Automatic::AutoReply => (InboundOutcome::AutoReply, "an automatic reply (e.g. out of office)"),
        Automatic::Bounce => (InboundOutcome::Bounce, "a delivery failure report"),
    };
    Judgement::SetAside { outcome, expert: None, reason: reason.into(), notify: None }
}

/// The message's tokens that are live tokens of this study, each with what it grants.
fn live_grants(
    store: &Store,
    study_id: &StudyId,
    incoming: &Incoming,
) -> Result<Vec<(TokenGrant, String)>, IngestError> {
    let mut grants = Vec::new();
    for token in &incoming.tokens {
        if let Some(grant) = store.resolve_token(token)?.filter(|g| g.study_id == *study_id) {
            grants.push((grant, token.clone()));
        }
    }
    Ok(grants)
}

/// A message that carries no live token of its sender's (`sender`, if a panel member):
/// set aside as spoofed (another expert's token), without a token, or with an unknown one;
/// a panel member who sent it is notified.
fn without_own_token(
    sender: Option<(String, String, String)>,
    grants: Vec<(TokenGrant, String)>,
    incoming: &Incoming,
) -> Judgement {
    let notify = sender.map(|(expert_id, _, language)| PanelMember { expert_id, language });
    let (outcome, expert, reason) = match grants.into_iter().next() {
        Some((grant, _)) => (
            InboundOutcome::Spoofed,
            Some(grant),
            "its token is not the sender's: sent from an address that is not the token's expert's on the panel",
        ),
        None if incoming.tokens.is_empty() => {
            (InboundOutcome::NoToken, None, "no personal token in the addresses, subject or text")
        }
        None => (
            InboundOutcome::UnknownToken,
            None,
            "its token is not a live token of this study (mistyped, replaced or old)",
        ),
    };
    Judgement::SetAside { outcome, expert, reason: reason.into(), notify }
}

/// A second, different answer elsewhere in the mail (typed into the quoted form below
/// top-posted answers) is a question only the expert can settle, unless it is a copy of
/// what our letter showed or of what is stored: such an item loses its answer and becomes a
/// problem of the reading.
fn settle_answers_elsewhere(
    reading: &mut reply::Reading,
    questionnaire: &Questionnaire,
    shown: &BTreeMap<String, serde_json::Value>,
    stored: &BTreeMap<String, (serde_json::Value, Written)>,
) {
    for (item, other) in std::mem::take(&mut reading.elsewhere) {
        let value = serde_json::to_value(&other).expect("an answer is plain data");
        let copy =
            shown.get(item.as_str()) == Some(&value) || stored.get(item.as_str()).is_some_and(|(v, _)| *v == value);
        if !copy {
            reading.answers.remove(&item);
            let prompt = questionnaire.item(item.as_str()).map(|i| i.prompt.clone()).unwrap_or_default();
            reading.errors.push(reply::ReplyError::Twice { item: item.to_string(), prompt, lines: None });
        }
    }
}

/// The form a reply with problems comes back filled in with: what the expert's copy comes
/// filled in with (from round 2 on, their earlier answers), then what is stored, then what
/// this reply says, so that replying to the letter as it comes keeps all of it.
fn form_to_fix(
    store: &Store,
    study_id: &StudyId,
    frozen: &FrozenRound,
    grant: &TokenGrant,
    reading: reply::Reading,
    stored: BTreeMap<String, (serde_json::Value, Written)>,
) -> Result<BTreeMap<ItemId, delphi_survey::Answer>, IngestError> {
    let copy = personal_questionnaire(store, study_id, frozen, &grant.expert_id, &grant.language)?;
    // An item the reply got wrong is left for the expert to fill in again, not shown with
    // the earlier answer as if that were what they wrote.
    let to_fix: Vec<&str> = reading.errors.iter().filter_map(reply::ReplyError::item).collect();
    let mut filled: BTreeMap<ItemId, delphi_survey::Answer> = copy
        .items
        .into_iter()
        .filter(|item| !to_fix.contains(&item.id.as_str()))
        .filter_map(|item| Some((item.id, item.prefill?)))
        .collect();
    filled.extend(answers_by_item(stored.into_iter().map(|(item, (value, _))| (item, value)).collect())?);
    filled.extend(reading.answers);
    Ok(filled)
}

/// The reply's answers sorted: the changes to store; how many change nothing (as stored,
/// or quoted unchanged from what our letter showed); and the questions (in their wording)
/// whose stored answer is newer than the reply (`dated`, arrived by `arrived_by`), which
/// stands.
fn sort_answers(
    reading: reply::Reading,
    questionnaire: &Questionnaire,
    shown: &BTreeMap<String, serde_json::Value>,
    stored: &BTreeMap<String, (serde_json::Value, Written)>,
    dated: DateTime<Utc>,
    arrived_by: DateTime<Utc>,
) -> (BTreeMap<ItemId, delphi_survey::Answer>, usize, Vec<String>) {
    let mut changes = BTreeMap::new();
    let mut unchanged = 0;
    let mut kept_newer = Vec::new();
    for (item, answer) in reading.answers {
        let value = serde_json::to_value(&answer).expect("an answer is plain data");
        let copied = reading.quoted.contains(&item) && shown.get(item.as_str()) == Some(&value);
        match stored.get(item.as_str()) {
            _ if copied => unchanged += 1,
            Some((now_stored, _)) if *now_stored == value => unchanged += 1,
            Some((_, stored_written)) if newer(*stored_written, dated, arrived_by) => {
                kept_newer
                    .push(questionnaire.item(item.as_str()).map_or_else(|| item.to_string(), |i| i.prompt.clone()));
            }
            _ => {
                changes.insert(item, answer);
            }
        }
    }
    (changes, unchanged, kept_newer)
}

fn round_is_closed(store: &Store, study_id: &StudyId, round: u32) -> Result<bool, IngestError> {
    Ok(matches!(store.round(study_id, round)?.map(|r| r.state), Some(RoundState::Closed { .. })))
}

/// The open round of the study, with its deadline, if one is open.
fn open_round(store: &Store, study_id: &StudyId) -> Result<Option<(u32, DateTime<Utc>)>, IngestError> {
    Ok(store.rounds(study_id)?.into_iter().find_map(|r| match r.state {
        RoundState::Open { deadline, .. } => Some((r.number, deadline)),
        _ => None,
    }))
}

/// Whether a reply carries anything an expert wrote as an answer: an answer that is not a
/// copy of what our letter showed or of what is stored, or a problem with something that
/// was meant as one (a value out of range, a misspelt marker). A form without answers, or
/// one quoted back unchanged, is not.
fn has_answers_of_its_own(
    reading: &reply::Reading,
    shown: &BTreeMap<String, serde_json::Value>,
    stored: &BTreeMap<String, (serde_json::Value, Written)>,
) -> bool {
    let copied = |item: &ItemId, answer: &delphi_survey::Answer| {
        let value = serde_json::to_value(answer).expect("an answer is plain data");
        shown.get(item.as_str()) == Some(&value) || stored.get(item.as_str()).is_some_and(|(v, _)| *v == value)
    };
    let no_answer = |e: &reply::ReplyError| {
        matches!(e, reply::ReplyError::NoForm | reply::ReplyError::NoAnswers | reply::ReplyError::EmptyForm)
    };
    reading.answers.iter().any(|(item, answer)| !copied(item, answer)) || reading.errors.iter().any(|e| !no_answer(e))
}

/// Whether a stored answer was written after an email dated `dated` that arrived by
/// `arrived_by`: an emailed answer is compared by the Dates of the two emails, an answer from
/// another channel by when it was received.
fn newer(stored: Written, dated: DateTime<Utc>, arrived_by: DateTime<Utc>) -> bool {
    match stored {
        Written::ByEmail(at) => at > dated,
        Written::Received(at) => at > arrived_by,
    }
}

/// What the letter of ours this message replies to showed the expert as their answers
/// (item → stored JSON): their answers when it was written. A quoted answer equal to it is
/// a copy, not an answer (a thank-you over an old receipt reverts nothing). Empty when the
/// message answers no letter of ours to this expert in this round.
fn shown_by_our_letter(
    store: &Store,
    study_id: &StudyId,
    grant: &TokenGrant,
    incoming: &Incoming,
) -> Result<BTreeMap<String, serde_json::Value>, IngestError> {
    for message_id in &incoming.replies_to {
        let Some(letter) = store.sent_letter(study_id, message_id)? else { continue };
        if letter.expert_id == grant.expert_id && letter.round == grant.round {
            return Ok(store.answers_as_of(study_id, grant.round, &grant.expert_id, letter.reserved_at)?);
        }
    }
    Ok(BTreeMap::new())
}

/// `shown`, plus what the expert's copy of the round comes filled in with (their latest
/// earlier answers, as the study's carry-over rule says) for the items `shown` lacks.
fn with_prefill(
    store: &Store,
    study_id: &StudyId,
    grant: &TokenGrant,
    frozen: &FrozenRound,
    mut shown: BTreeMap<String, serde_json::Value>,
) -> Result<BTreeMap<String, serde_json::Value>, IngestError> {
    let copy = personal_questionnaire(store, study_id, frozen, &grant.expert_id, &grant.language)?;
    for item in copy.items {
        if let Some(prefill) = item.prefill {
            let value = serde_json::to_value(&prefill).expect("an answer is plain data");
            shown.entry(item.id.to_string()).or_insert(value);
        }
    }
    Ok(shown)
}

fn frozen_round(store: &Store, study_id: &StudyId, round: u32) -> Result<FrozenRound, IngestError> {
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
        Judgement::SetAside { outcome, expert, reason, .. } => {
            (message(*outcome, expert.as_ref(), serde_json::json!({ "reason": reason })), None)
        }
        Judgement::Closed { grant, reason } => (
            message(InboundOutcome::Refused, Some(grant), serde_json::json!({ "reason": reason, "refused": reason })),
            None,
        ),
        Judgement::Invalid { grant, problems, .. } => (
            message(
                InboundOutcome::Invalid,
                Some(grant),
                serde_json::json!({ "reason": "the form has problems", "problems": problems }),
            ),
            None,
        ),
        Judgement::Unchanged { grant, unchanged, kept_newer, written, .. } => (
            message(
                InboundOutcome::Unchanged,
                Some(grant),
                serde_json::json!({
                    "reason": "no answer of its own: every answer in it is recorded already, copied from our letter, or older than a later one",
                    "unchanged": unchanged,
                    "kept_newer": kept_newer,
                    "written_at": timestamp(*written),
                }),
            ),
            None,
        ),
        Judgement::Answers { grant, changes, unchanged, kept_newer, written, .. } => {
            let answers: Vec<Answer> = changes
                .iter()
                .map(|(item, answer)| Answer {
                    item_id: item.to_string(),
                    value: serde_json::to_value(answer).expect("an answer is plain data"),
                    rationale: None,
                })
                .collect();
            let detail = serde_json::json!({
                "answers": answers.len(),
                "unchanged": unchanged,
                "kept_newer": kept_newer,
                "written_at": timestamp(*written),
            });
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

/// The store's timestamp format, so `written_at` compares with `received_at`.
fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// Sends the expert the receipt, the problems, the "nothing changed" note, the refusal,
/// or (to a panel member whose message could not be tied to them) a notice, once: the
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
    if let Judgement::SetAside { notify: Some(member), .. } = judgement {
        return notify_untied(store, ingest, incoming, member, now);
    }
    if let Judgement::Closed { grant, .. } = judgement {
        return answer_late(store, ingest, incoming, grant, now);
    }
    let (grant, token, questionnaire) = match judgement {
        Judgement::Invalid { grant, token, questionnaire, .. }
        | Judgement::Unchanged { grant, token, questionnaire, .. }
        | Judgement::Answers { grant, token, questionnaire, .. } => (grant, token, questionnaire),
        Judgement::SetAside { .. } | Judgement::Closed { .. } => return Ok(false),
    };
    let Some(round) = store.round(ingest.study_id, grant.round)? else { return Ok(false) };
    let deadline = match round.state {
        delphi_store::RoundState::Open { deadline, .. } => deadline,
        _ => now,
    };
    let recorded = answers_by_item(store.expert_answers(ingest.study_id, grant.round, &grant.expert_id)?)?;
    let refused_reason = record.detail.get("refused").and_then(|r| r.as_str()).unwrap_or_default().to_owned();
    let empty = Vec::new();
    let no_answers = BTreeMap::new();
    let (problems, filled, kept_newer) = match judgement {
        Judgement::Invalid { problems, filled, .. } => (problems, filled, &empty),
        Judgement::Unchanged { kept_newer, .. } | Judgement::Answers { kept_newer, .. } => {
            (&empty, &no_answers, kept_newer)
        }
        Judgement::SetAside { .. } | Judgement::Closed { .. } => (&empty, &no_answers, &empty),
    };
    let unanswered = questionnaire.items.len().saturating_sub(recorded.len());
    let letter = match record.outcome {
        InboundOutcome::Recorded => {
            Letter::Receipt { questionnaire, recorded: &recorded, unanswered, kept_newer, deadline }
        }
        InboundOutcome::Invalid => Letter::Problems { questionnaire, problems, filled, deadline },
        InboundOutcome::Unchanged => Letter::Unchanged { questionnaire, recorded: &recorded, kept_newer, deadline },
        InboundOutcome::Refused => Letter::Refused { questionnaire, reason: &refused_reason },
        _ => return Ok(false),
    };
    // The token the expert used goes back in the reply address, so answering the receipt
    // (or the problems) reaches the same expert again; it is not stored in the clear.
    let token = match record.outcome {
        InboundOutcome::Refused => ReplyToken::None,
        _ => ReplyToken::Given(token),
    };
    let to = Recipient { expert_id: &grant.expert_id, round: grant.round };
    send_answer(store, ingest, incoming, &letter, to, token, now)
}

/// Whom an answer goes to.
#[derive(Debug, Clone, Copy)]
struct Recipient<'a> {
    expert_id: &'a str,
    round: u32,
}

/// The token an answer carries in its link and reply address.
#[derive(Debug, Clone, Copy)]
enum ReplyToken<'a> {
    None,
    Given(&'a str),
    /// A fresh one, issued with the reservation (for a notice to a panel member whose
    /// message carried none of theirs).
    Fresh,
}

/// A short notice to a panel member whose message could not be tied to them, with a
/// fresh link and reply address for the open round. Nothing is sent when no round is open.
fn notify_untied(
    store: &mut Store,
    ingest: &Ingest<'_>,
    incoming: &Incoming,
    member: &PanelMember,
    now: DateTime<Utc>,
) -> Result<bool, IngestError> {
    let Some((round, deadline)) = open_round(store, ingest.study_id)? else { return Ok(false) };
    let frozen = frozen_round(store, ingest.study_id, round)?;
    let questionnaire = frozen.in_language(&member.language).clone();
    let letter = Letter::Untied { questionnaire: &questionnaire, deadline };
    let to = Recipient { expert_id: &member.expert_id, round };
    send_answer(store, ingest, incoming, &letter, to, ReplyToken::Fresh, now)
}

/// The answer to a reply to a closed round: which round is open, with a fresh link and
/// reply address for it and its form; or, when none is open, that the study is between
/// rounds. The late answers themselves are never recorded, in the closed round or the open.
fn answer_late(
    store: &mut Store,
    ingest: &Ingest<'_>,
    incoming: &Incoming,
    grant: &TokenGrant,
    now: DateTime<Utc>,
) -> Result<bool, IngestError> {
    // Read again later (a Maildir's cur/), after a round opened, it gets no second letter.
    if store.reply_answered(ingest.study_id, &incoming.key)? {
        return Ok(false);
    }
    let open = match open_round(store, ingest.study_id)? {
        Some((round, deadline)) if store.round_experts(ingest.study_id, round)?.contains(&grant.expert_id) => {
            Some((round, deadline))
        }
        _ => None,
    };
    match open {
        Some((round, deadline)) => {
            let frozen = frozen_round(store, ingest.study_id, round)?;
            let questionnaire =
                personal_questionnaire(store, ingest.study_id, &frozen, &grant.expert_id, &grant.language)?;
            let letter = Letter::Late { questionnaire: &questionnaire, closed: grant.round, deadline };
            let to = Recipient { expert_id: &grant.expert_id, round };
            send_answer(store, ingest, incoming, &letter, to, ReplyToken::Fresh, now)
        }
        None => {
            let frozen = frozen_round(store, ingest.study_id, grant.round)?;
            let questionnaire = frozen.in_language(&grant.language).clone();
            let letter = Letter::BetweenRounds { questionnaire: &questionnaire };
            let to = Recipient { expert_id: &grant.expert_id, round: grant.round };
            send_answer(store, ingest, incoming, &letter, to, ReplyToken::None, now)
        }
    }
}

/// Reserves, composes, delivers and marks sent one answer to a reply.
fn send_answer(
    store: &mut Store,
    ingest: &Ingest<'_>,
    incoming: &Incoming,
    letter: &Letter<'_>,
    to: Recipient<'_>,
    token: ReplyToken<'_>,
    now: DateTime<Utc>,
) -> Result<bool, IngestError> {
    let Some((name, email)) = store.expert_contact(ingest.study_id, to.expert_id)? else { return Ok(false) };
    let kind = OutgoingKind::Receipt { reply_key: incoming.key.clone() };
    let message_id =
        new_message_id(ingest.sender.reply_to.domain(), &[ingest.study_id.as_str(), to.expert_id, &incoming.key], now);
    let mail = OutgoingMail { study_id: ingest.study_id, round: to.round, expert_id: to.expert_id, kind: &kind };
    let purpose = matches!(token, ReplyToken::Fresh).then_some(delphi_store::TokenPurpose::Invitation);
    let (reservation, fresh) = store.reserve_mail(&mail, purpose, &message_id, now)?;
    if reservation.sent_at.is_some() {
        return Ok(false);
    }
    let fresh = fresh.map(|t| t.expose().to_owned());
    let token = match token {
        ReplyToken::None => None,
        ReplyToken::Given(token) => Some(token),
        ReplyToken::Fresh => fresh.as_deref(),
    };
    let time_zone = store.expert_time_zone(ingest.study_id, to.expert_id)?;
    let addressee = Addressee { name, email, time_zone };
    let threading =
        Threading { message_id: reservation.message_id, in_reply_to: Some(incoming.key.clone()), date: now };
    let message = compose(letter, ingest.sender, &addressee, token, &threading)
        .map_err(|source| IngestError::Compose { key: incoming.key.clone(), source })?;
    let name = format!("round-{}-receipt-{}-{}", to.round, to.expert_id, short_hash(&incoming.key));
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
