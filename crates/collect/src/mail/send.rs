//! Sending a round's invitations or reminders: each message is reserved (with the token of
//! its link) before it is handed over and marked sent after, so a re-run after a crash or
//! a failure sends only what is missing. Delivery runs on a few threads over pooled SMTP
//! connections; the store is written from the calling thread only.

use std::sync::{Arc, Mutex, mpsc};

use chrono::{DateTime, Utc};
use delphi_core::study::StudyId;
use delphi_store::{OutgoingKind, Recipient, Store, StoreError, TokenPurpose};
use delphi_survey::FrozenRound;
use lettre::Message;
use sha2::{Digest, Sha256};

use super::compose::{Addressee, ComposeError, Letter, Sender, Threading, compose};
use super::transport::{MailTransport, TransportError};
use crate::personal::personal_questionnaire;

/// Which messages a campaign sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Campaign {
    /// The letter that opens the round, to every active expert asked.
    Invitation,
    /// The `number`-th reminder, to those who have not answered the round.
    Reminder {
        /// Which reminder of the round it is (1, 2, …).
        number: u32,
    },
}

impl Campaign {
    fn kind(self) -> OutgoingKind {
        match self {
            Self::Invitation => OutgoingKind::Invitation,
            Self::Reminder { number } => OutgoingKind::Reminder { number },
        }
    }

    fn token_purpose(self) -> TokenPurpose {
        match self {
            Self::Invitation => TokenPurpose::Invitation,
            Self::Reminder { .. } => TokenPurpose::Reminder,
        }
    }

    fn file_label(self) -> String {
        match self {
            Self::Invitation => "invitation".into(),
            Self::Reminder { number } => format!("reminder-{number}"),
        }
    }

    /// Whether `recipient` is to get this campaign's message: everyone is invited; only
    /// those who have not answered the round yet are reminded.
    pub fn addresses(self, recipient: &Recipient) -> bool {
        match self {
            Self::Invitation => true,
            Self::Reminder { .. } => !recipient.answered,
        }
    }
}

/// A round's messages to send.
#[derive(Debug, Clone, Copy)]
pub struct RoundMail<'a> {
    /// The study.
    pub study_id: &'a StudyId,
    /// The open round.
    pub round: u32,
    /// The round's deadline, said in every letter.
    pub deadline: DateTime<Utc>,
    /// The round's frozen questionnaires, from which each expert's copy is made.
    pub frozen: &'a FrozenRound,
    /// Who the letters come from, and where replies go.
    pub sender: &'a Sender,
}

/// What a campaign did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CampaignReport {
    /// Messages handed over now.
    pub sent: usize,
    /// Sent by an earlier run: not sent again.
    pub already_sent: usize,
    /// Expert id and why, for each message that could not be handed over (a re-run retries it).
    pub failed: Vec<(String, String)>,
}

/// Why a campaign stopped (a message that could not be handed over is counted as failed).
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A message could not be built.
    #[error("the message to {expert} cannot be built: {source}")]
    Compose {
        /// The expert it was for.
        expert: String,
        /// Why.
        source: ComposeError,
    },
}

/// A Message-ID unique to this message: a hash of what it is and when it was made.
pub fn new_message_id(domain: &str, parts: &[&str], at: DateTime<Utc>) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    hash.update(at.timestamp_nanos_opt().unwrap_or_default().to_le_bytes());
    let hex: String = hash.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("<delphi.{hex}@{domain}>")
}

/// A delivery's outcome: the reservation, the expert, and whether the message was handed over.
type Delivery = (i64, String, Result<(), TransportError>);

/// Messages reserved (with their tokens) in one transaction. A crash loses no more than
/// this many reserved-but-unsent messages' tokens, which are harmless: never seen by anyone.
const RESERVATION_BATCH: usize = 64;

/// `first` and whatever else has been delivered by now.
fn finished(results: &mpsc::Receiver<Delivery>, first: Delivery) -> Vec<Delivery> {
    let mut finished = vec![first];
    finished.extend(results.try_iter());
    finished
}

/// Records deliveries: the messages handed over are marked sent in one transaction, the
/// failures are noted one by one (a re-run retries them). Returns how many were recorded.
fn record_deliveries(
    store: &mut Store,
    transport: &MailTransport,
    deliveries: Vec<Delivery>,
    report: &mut CampaignReport,
) -> Result<usize, SendError> {
    let count = deliveries.len();
    let mut sent = Vec::with_capacity(count);
    for (reservation, expert, outcome) in deliveries {
        match outcome {
            Ok(()) => sent.push(reservation),
            Err(error) => {
                store.mark_mail_failed(reservation, &error.to_string())?;
                report.failed.push((expert, error.to_string()));
            }
        }
    }
    if !sent.is_empty() {
        store.mark_mails_sent(&sent, transport.kind(), Utc::now())?;
        report.sent += sent.len();
    }
    Ok(count)
}

struct Job {
    reservation: i64,
    expert: String,
    name: String,
    message: Message,
}

/// Sends `campaign`'s message of `round` to each of `recipients` it addresses, through
/// `transport` with up to `connections` deliveries at once. `progress(done, total)` is
/// called after each message.
pub fn send_campaign(
    store: &mut Store,
    mail: &RoundMail<'_>,
    campaign: Campaign,
    recipients: &[Recipient],
    transport: &MailTransport,
    connections: usize,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<CampaignReport, SendError> {
    let addressed: Vec<&Recipient> = recipients.iter().filter(|r| campaign.addresses(r)).collect();
    let total = addressed.len();
    let mut report = CampaignReport::default();
    std::thread::scope(|scope| -> Result<(), SendError> {
        // Made inside the scope, so an early return drops the queue and the threads end.
        let (job_sender, jobs) = mpsc::sync_channel::<Job>(connections.max(1) * 4);
        let jobs = Arc::new(Mutex::new(jobs));
        let (result_sender, results) = mpsc::channel::<Delivery>();
        for _ in 0..connections.max(1) {
            let result_sender = result_sender.clone();
            let jobs = Arc::clone(&jobs);
            scope.spawn(move || {
                loop {
                    let job = jobs.lock().unwrap_or_else(std::sync::PoisonError::into_inner).recv();
                    let Ok(job) = job else { break };
                    let outcome = transport.deliver(&job.message, &job.name);
                    if result_sender.send((job.reservation, job.expert, outcome)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(result_sender);
        let mut done = 0;
        let kind = campaign.kind();
        for chunk in addressed.chunks(RESERVATION_BATCH) {
            let now = Utc::now();
            let message_ids: Vec<String> = chunk
                .iter()
                .map(|r| {
                    let parts = [mail.study_id.as_str(), &mail.round.to_string(), &r.expert_id, &campaign.file_label()];
                    new_message_id(mail.sender.reply_to.domain(), &parts, now)
                })
                .collect();
            let requests: Vec<(&str, &str)> =
                chunk.iter().zip(&message_ids).map(|(r, id)| (r.expert_id.as_str(), id.as_str())).collect();
            let reserved = store.reserve_mails(
                mail.study_id,
                mail.round,
                &kind,
                Some(campaign.token_purpose()),
                &requests,
                now,
            )?;
            for (recipient, (reservation, token)) in chunk.iter().zip(reserved) {
                let Some(token) = token.filter(|_| reservation.sent_at.is_none()) else {
                    report.already_sent += 1;
                    done += 1;
                    progress(done, total);
                    continue;
                };
                let questionnaire = personal_questionnaire(
                    store,
                    mail.study_id,
                    mail.frozen,
                    &recipient.expert_id,
                    &recipient.language,
                )?;
                let letter = match campaign {
                    Campaign::Invitation => {
                        Letter::Invitation { questionnaire: &questionnaire, deadline: mail.deadline }
                    }
                    Campaign::Reminder { .. } => {
                        Letter::Reminder { questionnaire: &questionnaire, deadline: mail.deadline }
                    }
                };
                let to = Addressee {
                    name: recipient.name.clone(),
                    email: recipient.email.clone(),
                    time_zone: recipient.time_zone.clone(),
                };
                let threading = Threading { message_id: reservation.message_id.clone(), in_reply_to: None, date: now };
                let message = compose(&letter, mail.sender, &to, Some(token.expose()), &threading)
                    .map_err(|source| SendError::Compose { expert: recipient.expert_id.clone(), source })?;
                let name = format!("round-{}-{}-{}", mail.round, campaign.file_label(), recipient.expert_id);
                // Hand the job over; while the queue is full, record what was delivered.
                let mut job = Job { reservation: reservation.id, expert: recipient.expert_id.clone(), name, message };
                loop {
                    match job_sender.try_send(job) {
                        Ok(()) => break,
                        Err(mpsc::TrySendError::Full(back)) => {
                            job = back;
                            if let Ok(first) = results.recv_timeout(std::time::Duration::from_millis(50)) {
                                done += record_deliveries(store, transport, finished(&results, first), &mut report)?;
                                progress(done, total);
                            }
                        }
                        Err(mpsc::TrySendError::Disconnected(_)) => {
                            unreachable!("the delivery threads outlive the queue")
                        }
                    }
                }
            }
        }
        drop(job_sender);
        while let Ok(first) = results.recv() {
            done += record_deliveries(store, transport, finished(&results, first), &mut report)?;
            progress(done, total);
        }
        Ok(())
    })?;
    Ok(report)
}
