//! Where messages go: an SMTP server (STARTTLS or implicit TLS, authentication, pooled
//! connections, retries with backoff on temporary failures), or, with no server
//! configured, `.eml` files in an outbox folder.
//!
//! The SMTP session is lettre's connection (TLS, EHLO, AUTH, replies) driven here, rather
//! than lettre's `SmtpTransport`: that one writes a message's end (`CRLF.CRLF`) as a write
//! of its own after the body, which Nagle's algorithm holds until the server's delayed
//! ACK — 40 ms per message on Linux, whatever the link (fixed upstream in lettre PR #1159,
//! not yet released). Here the body and its end go out in one write.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use lettre::Message;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{SmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::ClientId;

pub use delphi_store::Transport as TransportKind;

/// How to reach an SMTP server, read from a URL:
/// `smtp://[user@]host[:port]` (STARTTLS required, port 587), `smtps://[user@]host[:port]`
/// (implicit TLS, port 465), `smtp://host:port?tls=none` (plain; only to this machine).
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    /// The server's host name or address.
    pub host: String,
    /// Its port (587 for STARTTLS, 465 for implicit TLS unless the URL says).
    pub port: u16,
    /// How the connection is encrypted.
    pub security: Security,
    /// The user to log in as, if the server asks for a login.
    pub user: Option<String>,
    /// The password, from the environment; never printed.
    pub password: Option<String>,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "…"))
            .finish()
    }
}

/// How the connection to the SMTP server is encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Plain at first, upgraded with STARTTLS, which must succeed (`smtp://`).
    StartTls,
    /// TLS from the first byte (`smtps://`).
    ImplicitTls,
    /// No encryption: allowed only to a server on this machine.
    Plain,
}

/// Why a message could not be handed over.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The URL is not an SMTP URL (the URL).
    #[error(
        "`{0}` is not an SMTP URL; write smtp://[user@]host[:port] (STARTTLS), smtps://[user@]host[:port] (TLS) or smtp://localhost:25?tls=none"
    )]
    Url(String),
    /// `tls=none` to a server that is not this machine (the host).
    #[error(
        "refusing to send credentials or mail unencrypted to {0}: tls=none is only for a server on this machine (localhost)"
    )]
    PlainToRemote(String),
    /// The server could not be reached, or refused the session.
    #[error("the SMTP server {server} cannot be used: {source}")]
    Setup {
        /// The server, `host:port`.
        server: String,
        /// What failed.
        source: lettre::transport::smtp::Error,
    },
    /// The outbox folder could not be written.
    #[error("cannot write to the outbox {path}: {source}")]
    Outbox {
        /// The folder.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// The server refused the message for good (its answer).
    #[error("the SMTP server refused the message for good: {0}")]
    Permanent(String),
    /// The server failed every attempt, each time temporarily.
    #[error("the SMTP server failed {attempts} times: {last}")]
    Temporary {
        /// How many attempts were made.
        attempts: u32,
        /// The server's last answer.
        last: String,
    },
}

impl SmtpSettings {
    /// Reads an SMTP URL; the password comes separately (from the environment), never from
    /// the command line.
    pub fn parse(url: &str, password: Option<String>) -> Result<Self, TransportError> {
        let bad = || TransportError::Url(url.to_owned());
        let (scheme, rest) = url.trim().split_once("://").ok_or_else(bad)?;
        let (authority, query) = rest.split_once('?').unwrap_or((rest, ""));
        let authority = authority.trim_end_matches('/');
        let (user, host_port) = match authority.rsplit_once('@') {
            Some((user, host_port)) => (Some(user.to_owned()), host_port),
            None => (None, authority),
        };
        let mut security = match scheme.to_ascii_lowercase().as_str() {
            "smtp" => Security::StartTls,
            "smtps" => Security::ImplicitTls,
            _ => return Err(bad()),
        };
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some(("tls", "none")) if security == Security::StartTls => security = Security::Plain,
                Some(("tls", "starttls" | "required")) if security == Security::StartTls => {}
                _ => return Err(bad()),
            }
        }
        let (host, port) = match host_port.rsplit_once(':') {
            Some((host, port)) => (host, port.parse::<u16>().map_err(|_| bad())?),
            None => (host_port, if security == Security::ImplicitTls { 465 } else { 587 }),
        };
        if host.is_empty() || user.as_deref() == Some("") {
            return Err(bad());
        }
        let settings = Self { host: host.to_owned(), port, security, user, password };
        if security == Security::Plain && !is_loopback(&settings.host) {
            return Err(TransportError::PlainToRemote(settings.host));
        }
        Ok(settings)
    }

    fn describe(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
        || host == "[::1]"
}

/// Where messages go.
#[derive(Debug)]
pub enum MailTransport {
    /// An SMTP server, through a pool of sessions.
    Smtp(SmtpPool),
    /// `.eml` files in this folder, one per message.
    Outbox(PathBuf),
}

/// Open SMTP sessions, reused from message to message (up to `size` of them).
pub struct SmtpPool {
    settings: SmtpSettings,
    size: usize,
    idle: Mutex<Vec<SmtpConnection>>,
}

impl fmt::Debug for SmtpPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpPool").field("settings", &self.settings).field("size", &self.size).finish_non_exhaustive()
    }
}

/// Retries of a temporary SMTP failure, and the pause before each.
const BACKOFF: [Duration; 3] = [Duration::from_millis(250), Duration::from_secs(1), Duration::from_secs(4)];

/// How long one SMTP exchange may take.
const TIMEOUT: Duration = Duration::from_secs(30);

impl SmtpPool {
    fn server(&self) -> String {
        self.settings.describe()
    }

    /// A new session: connected, encrypted as configured, authenticated.
    fn connect(&self) -> Result<SmtpConnection, lettre::transport::smtp::Error> {
        let s = &self.settings;
        let hello = ClientId::default();
        let tls = || TlsParameters::new(s.host.clone());
        let mut connection = match s.security {
            Security::ImplicitTls => {
                SmtpConnection::connect((s.host.as_str(), s.port), Some(TIMEOUT), &hello, Some(&tls()?), None)?
            }
            Security::StartTls | Security::Plain => {
                SmtpConnection::connect((s.host.as_str(), s.port), Some(TIMEOUT), &hello, None, None)?
            }
        };
        if s.security == Security::StartTls {
            connection.starttls(&tls()?, &hello)?;
        }
        if let Some(user) = &s.user {
            let credentials = Credentials::new(user.clone(), s.password.clone().unwrap_or_default());
            connection.auth(&[Mechanism::Plain, Mechanism::Login], &credentials)?;
        }
        Ok(connection)
    }

    /// Sends one message over a pooled session (a new one when none is idle); a session
    /// that failed is dropped, not returned to the pool.
    fn send(&self, message: &Message) -> Result<(), lettre::transport::smtp::Error> {
        let idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
        let mut connection = match idle {
            Some(connection) => connection,
            None => self.connect()?,
        };
        match transmit(&mut connection, message) {
            Ok(()) => {
                let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
                if idle.len() < self.size {
                    idle.push(connection);
                }
                Ok(())
            }
            Err(error) => {
                connection.abort();
                Err(error)
            }
        }
    }
}

/// One SMTP transaction: MAIL, RCPT for each recipient, DATA, and the dot-stuffed body
/// with its end in a single write.
fn transmit(connection: &mut SmtpConnection, message: &Message) -> Result<(), lettre::transport::smtp::Error> {
    let envelope = message.envelope();
    connection.command(Mail::new(envelope.from().cloned(), Vec::new()))?;
    for to in envelope.to() {
        connection.command(Rcpt::new(to.clone(), Vec::new()))?;
    }
    connection.command(Data)?;
    let raw = message.formatted();
    match String::from_utf8(raw) {
        Ok(text) => connection.command(DataBlock(dot_stuffed(&text)))?,
        // Not text (never the case for the messages composed here): lettre's own way.
        Err(raw) => connection.message(raw.as_bytes())?,
    };
    Ok(())
}

/// The message body as DATA sends it: lines starting with a dot get another, and the end
/// marker follows.
fn dot_stuffed(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        if line.starts_with('.') {
            out.push('.');
        }
        out.push_str(line);
    }
    if !out.ends_with("\r\n") {
        out.push_str("\r\n");
    }
    out.push_str(".\r\n");
    out
}

/// A body sent through `SmtpConnection::command`, which writes its argument in one go.
struct DataBlock(String);

impl fmt::Display for DataBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl MailTransport {
    /// SMTP with up to `connections` sessions kept open.
    pub fn smtp(settings: &SmtpSettings, connections: u32) -> Self {
        Self::Smtp(SmtpPool {
            settings: settings.clone(),
            size: connections.max(1) as usize,
            idle: Mutex::new(Vec::new()),
        })
    }

    /// Checks that the server answers and accepts the credentials, before anything is
    /// reserved; the session is kept for the first message.
    pub fn check(&self) -> Result<(), TransportError> {
        match self {
            Self::Smtp(pool) => {
                let connection =
                    pool.connect().map_err(|source| TransportError::Setup { server: pool.server(), source })?;
                pool.idle.lock().unwrap_or_else(PoisonError::into_inner).push(connection);
                Ok(())
            }
            Self::Outbox(dir) => {
                std::fs::create_dir_all(dir).map_err(|source| TransportError::Outbox { path: dir.clone(), source })
            }
        }
    }

    /// Which way messages leave, as the store records it.
    pub fn kind(&self) -> TransportKind {
        match self {
            Self::Smtp(_) => TransportKind::Smtp,
            Self::Outbox(_) => TransportKind::Outbox,
        }
    }

    /// Hands the message over: to the SMTP server (retrying temporary failures with
    /// backoff), or to `<outbox>/<name>.eml`, written whole or not at all.
    pub fn deliver(&self, message: &Message, name: &str) -> Result<(), TransportError> {
        match self {
            Self::Outbox(dir) => write_eml(dir, name, &message.formatted()),
            Self::Smtp(pool) => {
                let mut attempts = 0;
                loop {
                    attempts += 1;
                    match pool.send(message) {
                        Ok(()) => return Ok(()),
                        Err(error) if error.is_permanent() => return Err(TransportError::Permanent(error.to_string())),
                        Err(error) => match BACKOFF.get(attempts as usize - 1) {
                            Some(pause) => std::thread::sleep(*pause),
                            None => return Err(TransportError::Temporary { attempts, last: error.to_string() }),
                        },
                    }
                }
            }
        }
    }
}

/// Writes `bytes` to `<dir>/<name>.eml` through a temporary file and a rename, synced, so
/// the outbox never holds half a message.
fn write_eml(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), TransportError> {
    let path = dir.join(format!("{name}.eml"));
    let failed = |source| TransportError::Outbox { path: path.clone(), source };
    std::fs::create_dir_all(dir).map_err(failed)?;
    let temporary = dir.join(format!(".{name}.eml.tmp"));
    let mut file = std::fs::File::create(&temporary).map_err(failed)?;
    file.write_all(bytes).map_err(failed)?;
    file.sync_all().map_err(failed)?;
    std::fs::rename(&temporary, &path).map_err(failed)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_is_dot_stuffed_and_ended_once() {
        assert_eq!(dot_stuffed("a\r\n.b\r\n..c\r\nd"), "a\r\n..b\r\n...c\r\nd\r\n.\r\n");
        assert_eq!(dot_stuffed("x\r\n"), "x\r\n.\r\n");
    }

    #[test]
    fn smtp_urls_choose_tls_by_default_and_refuse_plain_text_to_other_machines() {
        let s = SmtpSettings::parse("smtp://delphi@mail.example.org", Some("pw".into())).unwrap();
        assert_eq!(
            (s.host.as_str(), s.port, s.security, s.user.as_deref()),
            ("mail.example.org", 587, Security::StartTls, Some("delphi"))
        );
        let s = SmtpSettings::parse("smtps://mail.example.org", None).unwrap();
        assert_eq!((s.port, s.security), (465, Security::ImplicitTls));
        let s = SmtpSettings::parse("smtp://127.0.0.1:2525?tls=none", None).unwrap();
        assert_eq!((s.port, s.security), (2525, Security::Plain));
        assert!(matches!(
            SmtpSettings::parse("smtp://mail.example.org:25?tls=none", None),
            Err(TransportError::PlainToRemote(_))
        ));
        for bad in
            ["mail.example.org", "http://x", "smtp://", "smtp://host:port", "smtps://host?tls=none", "smtp://@host"]
        {
            assert!(matches!(SmtpSettings::parse(bad, None), Err(TransportError::Url(_))), "{bad}");
        }
        assert!(!format!("{:?}", SmtpSettings::parse("smtp://u@h", Some("secret".into())).unwrap()).contains("secret"));
    }
}
