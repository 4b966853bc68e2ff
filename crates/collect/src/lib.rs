//! delphi-collect: the channels through which experts answer — an HTTP service
//! (personal web links, a JSON API, a coordinator status endpoint) and email
//! (invitations and reminders out by SMTP or to an outbox, replies in from a Maildir or
//! IMAP, receipts back). The only crate that knows HTTP, SMTP and IMAP.
//!
//! Answers reach the store through one writer thread that commits them in batches
//! (group commit); an answer is acknowledged only after its batch committed.

#![warn(missing_docs)]

pub mod http;
mod limits;
mod listener;
pub mod mail;
mod personal;
mod proxy;
mod throttle;
pub mod writer;

pub use http::{Service, ServiceConfig, serve};
pub use listener::{ConnectionLimits, raise_open_file_limit};
pub use personal::{answers_by_item, personal_questionnaire};
pub use proxy::{Cidr, CidrError, TrustedProxies};
pub use writer::{WriteError, Writer};
