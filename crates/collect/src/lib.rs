//! delphi-collect: the channels through which experts answer — an HTTP service
//! (personal web links, a JSON API, a coordinator status endpoint) and, later, email
//! (SMTP out, Maildir/IMAP in). The only crate that knows HTTP, SMTP and IMAP.
//!
//! Answers reach the store through one writer thread that commits them in batches
//! (group commit); an answer is acknowledged only after its batch committed.

pub mod http;
mod limits;
pub mod writer;

pub use http::{Service, ServiceConfig, serve};
pub use writer::{WriteError, Writer};
