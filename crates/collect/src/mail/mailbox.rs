//! Where replies are read from: a Maildir folder, or an IMAP mailbox over TLS. Each
//! message is handed to a callback; only after the callback returns (its answers are
//! committed) is the message marked as processed in the mailbox (moved to `cur/` with the
//! Seen flag, or given the IMAP keyword `$DelphiProcessed`). The store, not the mark,
//! decides what was processed: a crash between the two is harmless. IMAP is spoken with
//! async-imap on a runtime of its own behind a synchronous API, each step (connect, TLS,
//! greeting, LOGIN, SELECT, SEARCH, every FETCH and STORE, LOGOUT) with a deadline, so an
//! unanswering server ends a run with an error naming the step instead of hanging it.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// An IMAP mailbox: `imaps://user@host[:993]/Folder` (TLS) or
/// `imap://user@host[:143]/Folder` (STARTTLS required); the password comes separately.
#[derive(Clone, PartialEq, Eq)]
pub struct ImapSettings {
    /// The server's host name or address.
    pub host: String,
    /// Its port (993 for `imaps`, 143 for `imap` unless the URL says).
    pub port: u16,
    /// Whether the session starts plain and must upgrade with STARTTLS (`imap://`).
    pub starttls: bool,
    /// The user to log in as.
    pub user: String,
    /// The password, from the environment; never printed.
    pub password: String,
    /// The folder to read (`INBOX` unless the URL names one).
    pub folder: String,
    /// How long each step may wait for the server.
    pub timeouts: ImapTimeouts,
}

/// How long each step of an IMAP run may wait for the server before the run fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImapTimeouts {
    /// The TCP connection (name lookup included), the TLS handshake and the greeting, each.
    pub connect: Duration,
    /// Each command: STARTTLS, LOGIN, SELECT, SEARCH, each STORE, LOGOUT.
    pub command: Duration,
    /// Each message's FETCH (a reply with large attachments takes a while).
    pub fetch: Duration,
}

impl Default for ImapTimeouts {
    fn default() -> Self {
        Self { connect: Duration::from_secs(30), command: Duration::from_secs(30), fetch: Duration::from_secs(60) }
    }
}

impl std::fmt::Debug for ImapSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImapSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("starttls", &self.starttls)
            .field("user", &self.user)
            .field("folder", &self.folder)
            .field("timeouts", &self.timeouts)
            .finish_non_exhaustive()
    }
}

/// Why a mailbox could not be read.
#[derive(Debug, thiserror::Error)]
pub enum MailboxError {
    /// The URL is not an IMAP URL (the URL).
    #[error(
        "`{0}` is not an IMAP URL; write imaps://user@host[:993]/Folder (TLS) or imap://user@host[:143]/Folder (STARTTLS)"
    )]
    Url(String),
    /// An IMAP URL without a password in the environment.
    #[error("no IMAP password: set DELPHI_IMAP_PASSWORD")]
    NoPassword,
    /// The Maildir could not be read or a message not moved.
    #[error("cannot read the Maildir {path}: {source}")]
    Maildir {
        /// The file or folder.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// The IMAP server failed or refused a step.
    #[error("IMAP server {server}: {message}")]
    Imap {
        /// The server, `host:port`.
        server: String,
        /// What it said, or what failed.
        message: String,
    },
    /// A step of an IMAP run got no answer in time; `what` names it ("no answer to LOGIN").
    #[error("IMAP server {server}: {what} within {}", seconds(*after))]
    ImapTimeout {
        /// The server, `host:port`.
        server: String,
        /// The step that got no answer.
        what: String,
        /// How long it waited.
        after: Duration,
    },
}

/// `30 s`, `0.2 s`.
fn seconds(duration: Duration) -> String {
    if duration.subsec_millis() == 0 {
        format!("{} s", duration.as_secs())
    } else {
        format!("{} s", duration.as_secs_f64())
    }
}

impl ImapSettings {
    /// Reads an IMAP URL; the password comes separately (from the environment), never from the
    /// command line.
    pub fn parse(url: &str, password: Option<String>) -> Result<Self, MailboxError> {
        let bad = || MailboxError::Url(url.to_owned());
        let (scheme, rest) = url.trim().split_once("://").ok_or_else(bad)?;
        let starttls = match scheme.to_ascii_lowercase().as_str() {
            "imaps" => false,
            "imap" => true,
            _ => return Err(bad()),
        };
        let (authority, folder) = rest.split_once('/').unwrap_or((rest, ""));
        let (user, host_port) = authority.rsplit_once('@').ok_or_else(bad)?;
        let (host, port) = match host_port.rsplit_once(':') {
            Some((host, port)) => (host, port.parse().map_err(|_| bad())?),
            None => (host_port, if starttls { 143 } else { 993 }),
        };
        if user.is_empty() || host.is_empty() {
            return Err(bad());
        }
        let folder = if folder.trim_matches('/').is_empty() { "INBOX" } else { folder.trim_matches('/') };
        Ok(Self {
            host: host.to_owned(),
            port,
            starttls,
            user: user.to_owned(),
            password: password.ok_or(MailboxError::NoPassword)?,
            folder: folder.to_owned(),
            timeouts: ImapTimeouts::default(),
        })
    }
}

/// One message of a mailbox: where it is (for the coordinator) and its bytes.
#[derive(Debug, Clone)]
pub struct MailboxMessage {
    /// Where it is, for the coordinator: `new/` or `cur/` and its name, or its folder and UID.
    pub place: String,
    /// The message as received, bytes unchanged.
    pub raw: Vec<u8>,
}

/// The messages of a Maildir (`new/` then `cur/`, each in name order, which is arrival
/// order for Maildir names), each passed to `process`; a message from `new/` is moved to
/// `cur/` with the Seen flag after `process` succeeded. Stops at the first error.
pub fn each_maildir_message<E: From<MailboxError>>(
    dir: &Path,
    mut process: impl FnMut(&MailboxMessage) -> Result<(), E>,
) -> Result<usize, E> {
    let failed = |path: &Path, source| MailboxError::Maildir { path: path.to_owned(), source };
    if !dir.join("new").is_dir() && !dir.join("cur").is_dir() {
        return Err(
            failed(dir, std::io::Error::new(std::io::ErrorKind::NotFound, "no new/ or cur/ folder in it")).into()
        );
    }
    // Listed before anything moves, so a message moved from new/ to cur/ is read once.
    let mut listed = Vec::new();
    for sub in ["new", "cur"] {
        let folder = dir.join(sub);
        if !folder.is_dir() {
            continue;
        }
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&folder)
            .map_err(|e| failed(&folder, e))?
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.is_file() && !path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')))
            .collect();
        paths.sort();
        listed.extend(paths.into_iter().map(|path| (sub, path)));
    }
    let mut count = 0;
    for (sub, path) in listed {
        let raw = std::fs::read(&path).map_err(|e| failed(&path, e))?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        process(&MailboxMessage { place: format!("{sub}/{name}"), raw })?;
        count += 1;
        if sub == "new" {
            let base = name.split(":2,").next().unwrap_or(&name);
            std::fs::create_dir_all(dir.join("cur")).map_err(|e| failed(dir, e))?;
            std::fs::rename(&path, dir.join("cur").join(format!("{base}:2,S"))).map_err(|e| failed(&path, e))?;
        }
    }
    Ok(count)
}

/// The keyword a processed message gets in the IMAP mailbox.
const PROCESSED: &str = "$DelphiProcessed";

/// Whether [`each_imap_message`] marks what it processed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marking {
    /// Give each message `$DelphiProcessed` once `process` returned Ok (a real run).
    Mark,
    /// Open the folder read-only (`EXAMINE`) and change nothing (a dry run): the next run
    /// reads the same messages.
    Leave,
}

/// An IMAP session's stream once TLS is up (implicit, or after STARTTLS).
type TlsSession = async_imap::Session<tokio_native_tls::TlsStream<tokio::net::TcpStream>>;

/// The messages of an IMAP folder not yet marked processed, oldest first (by UID), each
/// passed to `process` and then, with [`Marking::Mark`], marked `$DelphiProcessed`. Read
/// with `BODY.PEEK[]`, so the Seen flag a person relies on is left alone. Stops at the
/// first error.
///
/// Every step has a deadline ([`ImapSettings::timeouts`]): a server that stops answering
/// ends the run with [`MailboxError::ImapTimeout`], naming the step, instead of hanging a
/// cron job. The session runs on a current-thread tokio runtime of its own, so this must
/// not be called from inside an async runtime; `process` runs outside it, between steps.
pub fn each_imap_message<E: From<MailboxError>>(
    settings: &ImapSettings,
    marking: Marking,
    mut process: impl FnMut(&MailboxMessage) -> Result<(), E>,
) -> Result<usize, E> {
    let server = format!("{}:{}", settings.host, settings.port);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| MailboxError::Imap { server: server.clone(), message: format!("cannot start a runtime: {e}") })?;
    let imap = Imap { runtime: &runtime, server: &server, settings };
    let outcome = imap.run(marking, &mut process);
    // A name lookup left running by a connect that timed out is not waited for.
    runtime.shutdown_background();
    outcome
}

/// One IMAP run: the runtime its steps are driven on, and where to.
struct Imap<'a> {
    runtime: &'a tokio::runtime::Runtime,
    server: &'a str,
    settings: &'a ImapSettings,
}

impl Imap<'_> {
    fn failed(&self, message: String) -> MailboxError {
        MailboxError::Imap { server: self.server.to_owned(), message }
    }

    /// Runs one step to its end, or fails when it takes longer than `limit`:
    /// `what` says what went unanswered ("no answer to LOGIN").
    fn step<T>(&self, what: &str, limit: Duration, step: impl Future<Output = T>) -> Result<T, MailboxError> {
        // the timer is made inside the runtime: it needs its clock
        self.runtime.block_on(async { tokio::time::timeout(limit, step).await }).map_err(|_| {
            MailboxError::ImapTimeout { server: self.server.to_owned(), what: what.to_owned(), after: limit }
        })
    }

    fn run<E: From<MailboxError>>(
        &self,
        marking: Marking,
        process: &mut impl FnMut(&MailboxMessage) -> Result<(), E>,
    ) -> Result<usize, E> {
        let (settings, limits) = (self.settings, self.settings.timeouts);
        let mut session = self.log_in()?;
        let folder = &settings.folder;
        match marking {
            Marking::Mark => self
                .step(&format!("no answer to SELECT {folder}"), limits.command, session.select(folder))?
                .map_err(|e| self.failed(format!("cannot open folder {folder}: {e}")))?,
            Marking::Leave => self
                .step(&format!("no answer to EXAMINE {folder}"), limits.command, session.examine(folder))?
                .map_err(|e| self.failed(format!("cannot open folder {folder}: {e}")))?,
        };
        let mut uids: Vec<u32> = self
            .step("no answer to UID SEARCH", limits.command, session.uid_search(format!("NOT KEYWORD {PROCESSED}")))?
            .map_err(|e| self.failed(format!("search failed: {e}")))?
            .into_iter()
            .collect();
        uids.sort_unstable();
        let mut count = 0;
        for uid in uids {
            let fetched = self
                .step(&format!("no answer to UID FETCH {uid}"), limits.fetch, async {
                    use futures_util::TryStreamExt as _;
                    session.uid_fetch(uid.to_string(), "BODY.PEEK[]").await?.try_collect::<Vec<_>>().await
                })?
                .map_err(|e| self.failed(format!("cannot fetch message {uid}: {e}")))?;
            let Some(raw) = fetched.iter().find_map(|f| f.body().map(<[u8]>::to_vec)) else { continue };
            process(&MailboxMessage { place: format!("{folder}/{uid}"), raw })?;
            count += 1;
            if marking == Marking::Mark {
                self.step(&format!("no answer to UID STORE {uid}"), limits.command, async {
                    use futures_util::TryStreamExt as _;
                    let query = format!("+FLAGS.SILENT ({PROCESSED})");
                    session.uid_store(uid.to_string(), query).await?.try_collect::<Vec<_>>().await
                })?
                .map_err(|e| self.failed(format!("cannot mark message {uid}: {e}")))?;
            }
        }
        // The work is done and recorded: a server that fails or stalls at LOGOUT only costs
        // the wait, not the run.
        let _ = self.step("no answer to LOGOUT", limits.command, session.logout());
        Ok(count)
    }

    /// Connects (TLS from the first byte, or STARTTLS), reads the greeting, logs in.
    fn log_in(&self) -> Result<TlsSession, MailboxError> {
        let (settings, limits) = (self.settings, self.settings.timeouts);
        let tcp = self
            .step(
                "no TCP connection",
                limits.connect,
                tokio::net::TcpStream::connect((settings.host.as_str(), settings.port)),
            )?
            .map_err(|e| self.failed(format!("cannot connect: {e}")))?;
        let tls = tokio_native_tls::native_tls::TlsConnector::new()
            .map(tokio_native_tls::TlsConnector::from)
            .map_err(|e| self.failed(format!("cannot set up TLS: {e}")))?;
        let handshake = |tcp: tokio::net::TcpStream| {
            self.step("no TLS handshake", limits.connect, tls.connect(&settings.host, tcp))?
                .map_err(|e| self.failed(format!("TLS failed: {e}")))
        };
        let client = if settings.starttls {
            let mut plain = async_imap::Client::new(tcp);
            self.greeting(&mut plain)?;
            self.step("no answer to STARTTLS", limits.command, plain.run_command_and_check_ok("STARTTLS", None))?
                .map_err(|e| self.failed(format!("STARTTLS refused: {e}")))?;
            // no greeting after STARTTLS
            async_imap::Client::new(handshake(plain.into_inner())?)
        } else {
            let mut client = async_imap::Client::new(handshake(tcp)?);
            self.greeting(&mut client)?;
            client
        };
        self.step("no answer to LOGIN", limits.command, client.login(&settings.user, &settings.password))?
            .map_err(|(e, _)| self.failed(format!("login as {} refused: {e}", settings.user)))
    }

    fn greeting<T>(&self, client: &mut async_imap::Client<T>) -> Result<(), MailboxError>
    where
        T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + std::fmt::Debug + Send,
    {
        match self.step("no greeting", self.settings.timeouts.connect, client.read_response())? {
            Ok(Some(_)) => Ok(()),
            Ok(None) => Err(self.failed("closed the connection before its greeting".to_owned())),
            Err(e) => Err(self.failed(format!("no greeting: {e}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imap_urls_name_server_user_and_folder() {
        let s = ImapSettings::parse("imaps://delphi@mail.example.org/Replies", Some("pw".into())).unwrap();
        assert_eq!(
            (s.host.as_str(), s.port, s.starttls, s.user.as_str(), s.folder.as_str()),
            ("mail.example.org", 993, false, "delphi", "Replies")
        );
        let s = ImapSettings::parse("imap://delphi@localhost:1143", Some("pw".into())).unwrap();
        assert_eq!((s.port, s.starttls, s.folder.as_str()), (1143, true, "INBOX"));
        assert!(matches!(ImapSettings::parse("imaps://delphi@host", None), Err(MailboxError::NoPassword)));
        for bad in ["host", "imaps://host/INBOX", "pop3://u@host", "imaps://u@host:x/INBOX"] {
            assert!(matches!(ImapSettings::parse(bad, Some("p".into())), Err(MailboxError::Url(_))), "{bad}");
        }
        assert!(
            !format!("{:?}", ImapSettings::parse("imaps://u@h", Some("secret".into())).unwrap()).contains("secret")
        );
        assert_eq!(s.timeouts, ImapTimeouts::default());
        assert_eq!(s.timeouts.fetch, Duration::from_secs(60));
    }

    #[test]
    fn a_timeout_names_the_server_the_step_and_the_wait() {
        let error = |after| MailboxError::ImapTimeout {
            server: "mail.example.org:993".into(),
            what: "no answer to LOGIN".into(),
            after,
        };
        assert_eq!(
            error(Duration::from_secs(30)).to_string(),
            "IMAP server mail.example.org:993: no answer to LOGIN within 30 s"
        );
        assert_eq!(error(Duration::from_millis(1500)).to_string().rsplit(" within ").next(), Some("1.5 s"));
    }
}
