//! The email channel: invitations and reminders out (SMTP or an outbox folder), replies
//! in (Maildir or IMAP), receipts back.

pub mod compose;
pub mod inbound;
pub mod ingest;
pub mod mailbox;
pub mod send;
pub mod transport;
mod words;

pub use compose::{Addressee, Letter, Sender, StudyNotice, Threading, compose};
pub use ingest::{Ingest, IngestError, Ingested, ingest_message, ingest_or_set_aside};
pub use mailbox::{
    ImapSettings, ImapTimeouts, MailboxError, MailboxMessage, Marking, each_imap_message, each_maildir_message,
};
pub use send::{Campaign, CampaignReport, RoundMail, SendError, send_campaign};
pub use transport::{MailTransport, Security, SmtpSettings, TransportError};

/// Addresses as the senders' settings take them.
pub use lettre::Address;
pub use lettre::message::Mailbox;
