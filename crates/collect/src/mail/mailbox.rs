//! Where replies are read from: a Maildir folder, or an IMAP mailbox over TLS. Each
//! message is handed to a callback; only after the callback returns (its answers are
//! committed) is the message marked as processed in the mailbox (moved to `cur/` with the
//! Seen flag, or given the IMAP keyword `$DelphiProcessed`). The store, not the mark,
//! decides what was processed: a crash between the two is harmless.

use std::path::{Path, PathBuf};

/// An IMAP mailbox: `imaps://user@host[:993]/Folder` (TLS) or
/// `imap://user@host[:143]/Folder` (STARTTLS required); the password comes separately.
#[derive(Clone, PartialEq, Eq)]
pub struct ImapSettings {
    pub host: String,
    pub port: u16,
    pub starttls: bool,
    pub user: String,
    pub password: String,
    pub folder: String,
}

impl std::fmt::Debug for ImapSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImapSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("starttls", &self.starttls)
            .field("user", &self.user)
            .field("folder", &self.folder)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MailboxError {
    #[error(
        "`{0}` is not an IMAP URL; write imaps://user@host[:993]/Folder (TLS) or imap://user@host[:143]/Folder (STARTTLS)"
    )]
    Url(String),
    #[error("no IMAP password: set DELPHI_IMAP_PASSWORD")]
    NoPassword,
    #[error("cannot read the Maildir {path}: {source}")]
    Maildir { path: PathBuf, source: std::io::Error },
    #[error("IMAP server {server}: {message}")]
    Imap { server: String, message: String },
}

impl ImapSettings {
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
        })
    }
}

/// One message of a mailbox: where it is (for the coordinator) and its bytes.
#[derive(Debug, Clone)]
pub struct MailboxMessage {
    pub place: String,
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

/// The messages of an IMAP folder not yet marked processed, oldest first, each passed to
/// `process` and then marked. Read with `BODY.PEEK[]`, so the Seen flag a person relies on
/// is left alone. Stops at the first error.
pub fn each_imap_message<E: From<MailboxError>>(
    settings: &ImapSettings,
    mut process: impl FnMut(&MailboxMessage) -> Result<(), E>,
) -> Result<usize, E> {
    let server = format!("{}:{}", settings.host, settings.port);
    let imap_error = |message: String| MailboxError::Imap { server: server.clone(), message };
    let mode = if settings.starttls { imap::ConnectionMode::StartTls } else { imap::ConnectionMode::Tls };
    let client = imap::ClientBuilder::new(settings.host.as_str(), settings.port)
        .mode(mode)
        .tls_kind(imap::TlsKind::Native)
        .connect()
        .map_err(|e| imap_error(format!("cannot connect: {e}")))?;
    let mut session = client
        .login(&settings.user, &settings.password)
        .map_err(|(e, _)| imap_error(format!("login as {} refused: {e}", settings.user)))?;
    session.select(&settings.folder).map_err(|e| imap_error(format!("cannot open folder {}: {e}", settings.folder)))?;
    let mut uids: Vec<u32> = session
        .uid_search(format!("NOT KEYWORD {PROCESSED}"))
        .map_err(|e| imap_error(format!("search failed: {e}")))?
        .into_iter()
        .collect();
    uids.sort_unstable();
    let mut count = 0;
    for uid in uids {
        let fetches =
            session.uid_fetch(uid.to_string(), "BODY.PEEK[]").map_err(|e| imap_error(format!("fetch failed: {e}")))?;
        let Some(raw) = fetches.iter().find_map(|f| f.body().map(<[u8]>::to_vec)) else { continue };
        process(&MailboxMessage { place: format!("{}/{uid}", settings.folder), raw })?;
        count += 1;
        session
            .uid_store(uid.to_string(), format!("+FLAGS ({PROCESSED})"))
            .map_err(|e| imap_error(format!("cannot mark message {uid}: {e}")))?;
    }
    session.logout().ok();
    Ok(count)
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
    }
}
