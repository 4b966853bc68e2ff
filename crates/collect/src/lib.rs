//! delphi-collect: the channels through which experts answer — an HTTP service
//! (personal web links, JSON API) and email (SMTP out, Maildir/IMAP in). The only
//! crate that knows HTTP, SMTP and IMAP.
//!
//! Not built yet (see issues 5 and 6); the crate exists so the workspace has its final shape.
