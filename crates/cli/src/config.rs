//! `delphi.toml`: the settings `invite`, `remind`, `ingest` and `serve` would otherwise take
//! from flags or environment variables, kept in a file beside the study (or `--config`).
//!
//! A value given on the command line wins, then one from the environment, then the file's,
//! then the built-in default. Secrets (the SMTP and IMAP passwords, the coordinator token)
//! are read only from the environment: a file is copied, backed up and committed, and a
//! password in it goes wherever it goes. The file is refused, with file, line and key, when it
//! holds a secret or a key delphi does not know (a typo would otherwise be silently ignored).

use std::net::SocketAddr;
use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::ArgMatches;
use clap::parser::ValueSource;
use delphi_collect::Cidr;
use delphi_core::problem::{did_you_mean, line_and_column};
use delphi_core::{Location, Problem, Problems};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

/// The file looked for beside the study file when no `--config` is given.
pub(crate) const FILE_NAME: &str = "delphi.toml";

/// What the `--help` of invite, remind, ingest and serve says of the settings file: a
/// macro, so that `concat!` can add it to a command's own text.
macro_rules! settings_help {
    () => {
        "\
Settings file: delphi.toml beside the study file (or --config FILE) may hold what the flags
and DELPHI_* variables of invite, remind, ingest and serve say, under [mail], [remind],
[ingest] and [serve]; a flag wins over its environment variable, which wins over the file.
Passwords and the coordinator token are read only from the environment
(DELPHI_SMTP_PASSWORD, DELPHI_IMAP_PASSWORD, DELPHI_COORDINATOR_TOKEN). All keys:
docs/config.md."
    };
}

/// The sections of the file and their keys.
const SCHEMA: &[(&str, &[&str])] = &[
    ("mail", &["smtp", "from", "reply_to", "base_url", "outbox"]),
    ("remind", &["schedule"]),
    ("ingest", &["maildir", "imap"]),
    ("serve", &["bind", "trusted_proxies"]),
];

/// Keys that would hold a secret, with the environment variable to use instead.
const SECRETS: &[(&str, &str)] = &[
    ("password", "DELPHI_SMTP_PASSWORD or DELPHI_IMAP_PASSWORD"),
    ("smtp_password", "DELPHI_SMTP_PASSWORD"),
    ("imap_password", "DELPHI_IMAP_PASSWORD"),
    ("coordinator_token", "DELPHI_COORDINATOR_TOKEN"),
    ("token", "DELPHI_COORDINATOR_TOKEN"),
];

/// A checked `delphi.toml`; paths in it are taken from the file's own directory.
#[derive(Debug, Default)]
pub(crate) struct Config {
    pub(crate) mail: MailSettings,
    pub(crate) remind: RemindSettings,
    pub(crate) ingest: IngestSettings,
    pub(crate) serve: ServeSettings,
}

/// `[mail]`: how messages leave and whom they come from (invite, remind, ingest).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MailSettings {
    pub(crate) smtp: Option<String>,
    pub(crate) from: Option<String>,
    pub(crate) reply_to: Option<String>,
    pub(crate) base_url: Option<String>,
    pub(crate) outbox: Option<PathBuf>,
}

/// `[remind]`: the reminder schedule, in days before the deadline.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RemindSettings {
    pub(crate) schedule: Option<Vec<u32>>,
}

/// `[ingest]`: where replies are read.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct IngestSettings {
    pub(crate) maildir: Option<PathBuf>,
    pub(crate) imap: Option<String>,
}

/// `[serve]`: where the web forms listen and which proxies are trusted.
#[derive(Debug, Default)]
pub(crate) struct ServeSettings {
    pub(crate) bind: Option<SocketAddr>,
    pub(crate) trusted_proxies: Option<Vec<Cidr>>,
}

/// `[serve]` as written, its addresses still text (checked with their spans).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawServe {
    bind: Option<Spanned<String>>,
    trusted_proxies: Option<Vec<Spanned<String>>>,
}

/// Which of a command's values its command line or environment gave: those the file does
/// not override. `None` for a command line with no subcommand matches (none given).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Given<'a>(pub(crate) Option<&'a ArgMatches>);

impl Given<'_> {
    /// Whether any of the flags `ids` (clap's ids: the fields' names) was given or set from
    /// its environment variable, rather than left to its default.
    pub(crate) fn any(self, ids: &[&str]) -> bool {
        let Some(matches) = self.0 else { return false };
        ids.iter()
            .any(|id| matches!(matches.value_source(id), Some(ValueSource::CommandLine | ValueSource::EnvVariable)))
    }

    /// `value` from the file unless the command line or environment gave one of `ids` (a
    /// group of settings that go together, such as `--maildir` and `--imap`).
    pub(crate) fn overlay<T>(self, ids: &[&str], current: &mut T, value: Option<T>) {
        if let Some(value) = value.filter(|_| !self.any(ids)) {
            *current = value;
        }
    }
}

/// The settings file: `explicit` (`--config`), which must exist, or `delphi.toml` beside
/// the study file if there is one; none is an empty configuration.
pub(crate) fn load(explicit: Option<&Path>, study_path: &Path) -> Result<Config> {
    let path = match explicit {
        Some(path) => path.to_path_buf(),
        None => {
            let beside = study_path.with_file_name(FILE_NAME);
            if !beside.is_file() {
                return Ok(Config::default());
            }
            beside
        }
    };
    let source = crate::source::read_text(&path, "the settings file")
        .with_context(|| format!("(set it with --config, or put {FILE_NAME} beside the study file)"))?;
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    Ok(parse(&source, &path.display().to_string(), dir)?)
}

/// Checks the file's text: every problem (syntax, unknown key, a secret, a bad value) at
/// its line.
pub(crate) fn parse(source: &str, file: &str, dir: &Path) -> Result<Config, Problems> {
    let mut problems = Found { file, source, list: Vec::new() };
    let (document, syntax_errors) = DeTable::parse_recoverable(source);
    for error in &syntax_errors {
        problems.add(error.span().unwrap_or(0..0), "(syntax)", error.message().trim(), None);
    }
    let mut config = Config::default();
    if syntax_errors.is_empty() {
        for (key, value) in document.into_inner() {
            let section = key.get_ref().to_string();
            if problems.refuse_secret(&section, key.span(), &section) {
                continue;
            }
            let Some((_, keys)) = SCHEMA.iter().find(|(name, _)| *name == section) else {
                let sections: Vec<&str> = SCHEMA.iter().map(|(name, _)| *name).collect();
                let hint = did_you_mean(&section, sections.iter().copied())
                    .unwrap_or_else(|| format!("the sections are [{}]", sections.join("], [")));
                problems.add(key.span(), &section, format!("unknown section `{section}`"), Some(hint));
                continue;
            };
            if !problems.keys_are_known(&section, keys, &value) {
                continue;
            }
            problems.section(&mut config, &section, value);
        }
    }
    for path in [&mut config.mail.outbox, &mut config.ingest.maildir].into_iter().flatten() {
        *path = dir.join(&*path);
    }
    if problems.list.is_empty() {
        Ok(config)
    } else {
        problems.list.sort_by(|a, b| a.location.cmp(&b.location));
        Err(Problems { file: file.to_owned(), problems: problems.list })
    }
}

/// The problems found so far in one file.
struct Found<'s> {
    file: &'s str,
    source: &'s str,
    list: Vec<Problem>,
}

impl Found<'_> {
    fn add(&mut self, span: Range<usize>, field: &str, message: impl Into<String>, hint: Option<String>) {
        let (line, column, source_line) = line_and_column(self.source, span.start);
        self.list.push(Problem {
            location: Location { file: self.file.to_owned(), line, column },
            field: field.to_owned(),
            message: message.into(),
            hint,
            source_line,
        });
    }

    /// Refuses `key` if it would hold a secret; true when it did.
    fn refuse_secret(&mut self, key: &str, span: Range<usize>, field: &str) -> bool {
        let Some((_, variable)) = SECRETS.iter().find(|(name, _)| *name == key) else { return false };
        self.add(
            span,
            field,
            format!("`{key}` is a secret, and secrets are not read from a file"),
            Some(format!("remove it and set {variable} in the environment of the command instead")),
        );
        self.hide_value_of_last();
        true
    }

    /// The line shown with the last problem, its value hidden: an error message must not
    /// carry the secret it refuses into a terminal's scrollback or a CI log.
    fn hide_value_of_last(&mut self) {
        let Some(problem) = self.list.last_mut() else { return };
        if let Some((key, _)) = problem.source_line.split_once('=') {
            let key = key.to_owned();
            problem.location.column = problem.location.column.min(key.chars().count() + 3);
            problem.source_line = format!("{key}= …");
        }
    }

    /// Checks the keys of a section against `keys` (secrets and unknown keys refused);
    /// true when they all are known.
    fn keys_are_known(&mut self, section: &str, keys: &[&str], value: &Spanned<DeValue<'_>>) -> bool {
        let DeValue::Table(table) = value.get_ref() else {
            self.add(value.span(), section, format!("`{section}` must be a table: [{section}] and its keys"), None);
            return false;
        };
        let mut known = true;
        for key in table.keys() {
            let name = key.get_ref().as_ref();
            let field = format!("{section}.{name}");
            if self.refuse_secret(name, key.span(), &field) {
                known = false;
            } else if !keys.contains(&name) {
                let hint = did_you_mean(name, keys.iter().copied())
                    .unwrap_or_else(|| format!("[{section}] takes {}", keys.join(", ")));
                self.add(key.span(), &field, format!("unknown key `{name}` in [{section}]"), Some(hint));
                known = false;
            }
        }
        known
    }

    /// Decodes a section whose keys are all known into `config`.
    fn section(&mut self, config: &mut Config, section: &str, value: Spanned<DeValue<'_>>) {
        match section {
            "mail" => {
                if let Some(mail) = self.decode::<MailSettings>(value, section) {
                    self.refuse_password_in_url(
                        mail.smtp.as_deref(),
                        "mail.smtp",
                        ("smtps://user@host", "DELPHI_SMTP_PASSWORD"),
                    );
                    config.mail = mail;
                }
            }
            "remind" => config.remind = self.decode(value, section).unwrap_or_default(),
            "ingest" => {
                let span = value.span();
                if let Some(ingest) = self.decode::<IngestSettings>(value, section) {
                    if ingest.maildir.is_some() && ingest.imap.is_some() {
                        let hint = "keep the one replies are read from".to_owned();
                        self.add(span, "ingest", "both `maildir` and `imap` are given", Some(hint));
                    }
                    self.refuse_password_in_url(
                        ingest.imap.as_deref(),
                        "ingest.imap",
                        ("imaps://user@host/INBOX", "DELPHI_IMAP_PASSWORD"),
                    );
                    config.ingest = ingest;
                }
            }
            _ => {
                let raw: RawServe = self.decode(value, section).unwrap_or_default();
                config.serve.bind = raw.bind.and_then(|bind| self.text_as(&bind, "serve.bind"));
                config.serve.trusted_proxies = raw
                    .trusted_proxies
                    .map(|list| list.iter().filter_map(|cidr| self.text_as(cidr, "serve.trusted_proxies")).collect());
            }
        }
    }

    fn decode<T: DeserializeOwned>(&mut self, value: Spanned<DeValue<'_>>, section: &str) -> Option<T> {
        let span = value.span();
        T::deserialize(ValueDeserializer::from(value))
            .map_err(|error| self.add(error.span().unwrap_or(span), section, error.message().trim(), None))
            .ok()
    }

    /// A text value read as `T` (an address, a CIDR block), or a problem at its place.
    fn text_as<T: std::str::FromStr>(&mut self, text: &Spanned<String>, field: &str) -> Option<T>
    where
        T::Err: std::fmt::Display,
    {
        text.get_ref().parse().map_err(|error| self.add(text.span(), field, format!("{error}"), None)).ok()
    }

    /// A URL's `user:password@`: the password is a secret like any other.
    /// `instead` is how to write it (a URL with the user only) and the variable to set.
    fn refuse_password_in_url(&mut self, url: Option<&str>, field: &str, instead: (&str, &str)) {
        let (example, variable) = instead;
        let Some(url) = url else { return };
        let authority = url.split_once("://").map_or(url, |(_, rest)| rest);
        let userinfo = authority.split('/').next().unwrap_or_default().rsplit_once('@').map(|(user, _)| user);
        if userinfo.is_some_and(|user| user.contains(':')) {
            let at = self.source.find(url).unwrap_or(0);
            self.add(
                at..at,
                field,
                "the URL holds a password (user:password@), and secrets are not read from a file",
                Some(format!("write only the user ({example}) and set {variable} in the environment")),
            );
            self.hide_value_of_last();
        }
    }
}
