//! `delphi ingest`: replies read from a Maildir or an IMAP folder, their answers stored
//! exactly once, and each expert sent a receipt (or what to fix). With `--format json`, what
//! became of each message and the counts as one [`IngestRun`] document.

use std::path::PathBuf;

use anyhow::{Result, bail};
use chrono::Utc;
use clap::Args;
use delphi_collect::mail::{
    ImapSettings, Ingest, IngestError, Ingested, MailboxError, each_imap_message, each_maildir_message,
    ingest_or_set_aside,
};
use delphi_store::InboundOutcome;
use serde::Serialize;

use super::Format;
use crate::config::{Config, Given};
use crate::mail::{MailArgs, outgoing};
use crate::render::{line_for_terminal, print_json};
use crate::workspace::Workspace;

#[derive(Debug, Args)]
#[command(after_help = settings_help!())]
pub(crate) struct IngestArgs {
    #[command(flatten)]
    mail: MailArgs,
    /// Read replies from this Maildir (its new/ and cur/ folders).
    #[arg(long, conflicts_with = "imap")]
    maildir: Option<PathBuf>,
    /// Read replies from an IMAP folder: imaps://user@host[:993]/Folder (TLS) or
    /// imap://user@host[:143]/Folder (STARTTLS). The password is read from DELPHI_IMAP_PASSWORD.
    #[arg(long, env = "DELPHI_IMAP_URL")]
    imap: Option<String>,
    /// A line per message for a person, or one JSON document for a script: {"source",
    /// "counts", "answers_recorded", "messages"} (docs/scripting.md); the lines then go to
    /// standard error as progress.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// What a run of `ingest` did, as `--format json` prints it (docs/scripting.md). Expert ids
/// appear as in the text output: for the coordinator, never in a report.
#[derive(Debug, Serialize)]
struct IngestRun {
    source: Source,
    dry_run: bool,
    counts: Counts,
    /// Answers stored by the messages recorded now (in a dry run: that would be).
    answers_recorded: usize,
    messages: Vec<Message>,
}

/// Where the replies were read.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum Source {
    Maildir { path: PathBuf },
    Imap { host: String, port: u16, folder: String },
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Maildir { path } => write!(f, "Maildir {}", path.display()),
            Self::Imap { host, port, folder } => write!(f, "IMAP {host}:{port}/{folder}"),
        }
    }
}

/// The messages of a run by what became of them; each message read counts once, in
/// `dealt_with_before` if an earlier run dealt with it.
#[derive(Debug, PartialEq, Eq, Serialize)]
struct Counts {
    read: usize,
    recorded: usize,
    nothing_to_record: usize,
    asked_to_fix: usize,
    refused: usize,
    set_aside: usize,
    /// Of those set aside, the ones the coordinator should look at (`delphi status` lists them).
    for_you_to_look_at: usize,
    dealt_with_before: usize,
    /// Messages that got no letter, one like it having gone to the expert within the hour.
    held_back: usize,
}

/// One message read, what became of it.
#[derive(Debug, Serialize)]
struct Message {
    /// Where it was: the Maildir file or the IMAP folder and UID.
    place: String,
    /// Its Message-ID as the store keys it (`<…>`), or a digest of the message without one.
    key: String,
    /// recorded, unchanged, invalid, refused, auto-reply, bounce, spoofed, unknown-token,
    /// no-token or unreadable.
    outcome: &'static str,
    expert: Option<String>,
    /// Dealt with by an earlier run: nothing was stored again.
    earlier: bool,
    answers: usize,
    unchanged: usize,
    /// Items whose answer here was older than one given later (which stands).
    kept_newer: Vec<String>,
    /// What is wrong with the reply's form, as the expert is told.
    problems: Vec<String>,
    /// Why it was set aside or refused.
    reason: Option<String>,
    /// Whether a letter went out now (a receipt, what to fix, or a notice).
    answered: bool,
    held_back: bool,
}

impl Message {
    fn new(place: &str, ingested: &Ingested) -> Self {
        Self {
            place: place.to_owned(),
            key: ingested.key.clone(),
            outcome: ingested.outcome.as_str(),
            expert: ingested.expert_id.clone(),
            earlier: ingested.earlier,
            answers: ingested.answers,
            unchanged: ingested.unchanged,
            kept_newer: ingested.kept_newer.clone(),
            problems: ingested.problems.clone(),
            reason: ingested.reason.clone(),
            answered: ingested.answered,
            held_back: ingested.held_back,
        }
    }
}

impl IngestArgs {
    /// The settings file's `[mail]` and `[ingest]` where the command line and environment
    /// gave nothing.
    pub(crate) fn settle(&mut self, file: &Config, given: Given<'_>) {
        self.mail.settle(&file.mail, given);
        // Where replies come from is one choice: a flag or variable for either leaves the file's out.
        let mailbox = ["maildir", "imap"];
        given.overlay(&mailbox, &mut self.maildir, file.ingest.maildir.clone().map(Some));
        given.overlay(&mailbox, &mut self.imap, file.ingest.imap.clone().map(Some));
    }
}

pub(crate) fn run(workspace: &Workspace, args: &IngestArgs) -> Result<()> {
    let (loaded, mut store) = workspace.open()?;
    let study = &loaded.study;
    let out = outgoing(workspace, study, &args.mail, &store)?;
    let ingest =
        Ingest { study_id: &study.id, sender: &out.sender, transport: &out.transport, dry_run: args.mail.dry_run };
    let mut results: Vec<(String, Ingested)> = Vec::new();
    let mut process = |message: &delphi_collect::mail::MailboxMessage| -> Result<(), IngestError> {
        let ingested = ingest_or_set_aside(&mut store, &ingest, &message.raw, Utc::now())?;
        args.format.say(ingested_line(&message.place, &ingested, args.mail.dry_run));
        results.push((message.place.clone(), ingested));
        Ok(())
    };
    let source = match (&args.maildir, &args.imap) {
        (Some(dir), _) => {
            if args.mail.dry_run {
                // A dry run leaves the Maildir as it is: read the files, mark nothing.
                read_maildir_without_marking(dir, &mut process)?;
            } else {
                each_maildir_message(dir, &mut process)?;
            }
            Source::Maildir { path: dir.clone() }
        }
        (None, Some(url)) => {
            let settings = ImapSettings::parse(url, std::env::var("DELPHI_IMAP_PASSWORD").ok())?;
            // A dry run opens the folder read-only and marks nothing: the next run reads the same.
            let marking = if args.mail.dry_run {
                delphi_collect::mail::Marking::Leave
            } else {
                delphi_collect::mail::Marking::Mark
            };
            each_imap_message(&settings, marking, &mut process)?;
            Source::Imap { host: settings.host.clone(), port: settings.port, folder: settings.folder.clone() }
        }
        (None, None) => {
            bail!("give --maildir DIR or --imap URL (or `maildir` or `imap` under [ingest] in delphi.toml)")
        }
    };
    let counts = counts(&results);
    args.format.say(summary_line(&source, &counts, args.mail.dry_run));
    if args.format == Format::Json {
        let answers_recorded = results
            .iter()
            .filter(|(_, i)| i.outcome == InboundOutcome::Recorded && !i.earlier)
            .map(|(_, i)| i.answers)
            .sum();
        let messages = results.iter().map(|(place, ingested)| Message::new(place, ingested)).collect();
        print_json(&IngestRun { source, dry_run: args.mail.dry_run, counts, answers_recorded, messages })?;
    }
    Ok(())
}

fn read_maildir_without_marking(
    dir: &std::path::Path,
    process: &mut impl FnMut(&delphi_collect::mail::MailboxMessage) -> Result<(), IngestError>,
) -> Result<(), IngestError> {
    let copy = tempfile_dir()?;
    for sub in ["new", "cur"] {
        let from = dir.join(sub);
        let to = copy.join(sub);
        std::fs::create_dir_all(&to).map_err(|source| MailboxError::Maildir { path: to.clone(), source })?;
        if let Ok(entries) = std::fs::read_dir(&from) {
            for entry in entries.filter_map(Result::ok) {
                std::fs::copy(entry.path(), to.join(entry.file_name()))
                    .map_err(|source| MailboxError::Maildir { path: entry.path(), source })?;
            }
        }
    }
    let outcome = each_maildir_message(&copy, process);
    std::fs::remove_dir_all(&copy).ok();
    outcome.map(|_| ())
}

fn tempfile_dir() -> Result<PathBuf, MailboxError> {
    let dir = std::env::temp_dir().join(format!("delphi-dry-run-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|source| MailboxError::Maildir { path: dir.clone(), source })?;
    Ok(dir)
}

/// What a line says of a message whose answer was held back by the loop-breaker.
const HELD_BACK: &str =
    "no letter: the expert got one like it within the hour; at most one an hour, so an auto-responder cannot loop";

/// One line per message: recorded N, nothing to record, asked to fix, refused, or set aside
/// (why), with who it was from as the panel knows them.
fn ingested_line(place: &str, ingested: &Ingested, dry_run: bool) -> String {
    let who = ingested.expert_id.as_deref().map(|e| format!(" from {e}")).unwrap_or_default();
    let earlier = if ingested.earlier { " (dealt with before: nothing new)" } else { "" };
    let kept_newer = if ingested.kept_newer.is_empty() {
        String::new()
    } else {
        format!("; {} answer(s) older than later ones, not taken", ingested.kept_newer.len())
    };
    let line = match ingested.outcome {
        InboundOutcome::Recorded => {
            let unchanged =
                if ingested.unchanged > 0 { format!(", {} unchanged", ingested.unchanged) } else { String::new() };
            let verb = if dry_run { "would record" } else { "recorded" };
            format!("{verb} {} answer(s){who}{unchanged}{kept_newer}", ingested.answers)
        }
        InboundOutcome::Unchanged => format!(
            "nothing to record{who}: its {} answer(s) are as recorded or quoted from our letter{kept_newer} ({})",
            ingested.unchanged,
            if ingested.held_back { HELD_BACK } else { "the expert is told" }
        ),
        InboundOutcome::Invalid if ingested.held_back => {
            format!("not readable{who}, nothing recorded ({HELD_BACK}): {}", ingested.problems.join("; "))
        }
        InboundOutcome::Invalid => {
            format!(
                "asked to fix{who}, nothing recorded (the expert is sent the form filled in): {}",
                ingested.problems.join("; ")
            )
        }
        InboundOutcome::Refused => {
            format!("refused{who}: {}", ingested.reason.as_deref().unwrap_or("the round does not accept answers"))
        }
        outcome => {
            let notice = if ingested.answered { "; the sender was sent a notice at their panel address" } else { "" };
            format!(
                "set aside ({}){who}: {} [{}]{notice}",
                outcome.as_str(),
                ingested.reason.as_deref().unwrap_or(""),
                ingested.key
            )
        }
    };
    // The line quotes what the sender wrote (values, Message-IDs): never raw on a terminal.
    line_for_terminal(&format!("{place}: {line}{earlier}")).into_owned()
}

fn counts(results: &[(String, Ingested)]) -> Counts {
    let now = || results.iter().map(|(_, i)| i).filter(|i| !i.earlier);
    let count = |outcome| now().filter(|i| i.outcome == outcome).count();
    let answered =
        [InboundOutcome::Recorded, InboundOutcome::Unchanged, InboundOutcome::Invalid, InboundOutcome::Refused];
    Counts {
        read: results.len(),
        recorded: count(InboundOutcome::Recorded),
        nothing_to_record: count(InboundOutcome::Unchanged),
        asked_to_fix: count(InboundOutcome::Invalid),
        refused: count(InboundOutcome::Refused),
        set_aside: now().filter(|i| !answered.contains(&i.outcome)).count(),
        for_you_to_look_at: now().filter(|i| i.outcome.needs_the_coordinator()).count(),
        dealt_with_before: results.len() - now().count(),
        held_back: now().filter(|i| i.held_back).count(),
    }
}

fn summary_line(source: &Source, counts: &Counts, dry_run: bool) -> String {
    let held_back = if counts.held_back > 0 {
        format!("; {} got no letter (one like it went to the expert within the hour)", counts.held_back)
    } else {
        String::new()
    };
    format!(
        "{source}: {} message(s) read; {} recorded, {} with nothing to record, {} asked to fix, {} refused by the round, {} set aside ({} for you to look at: `delphi status` lists them), {} dealt with before{held_back}{}",
        counts.read,
        counts.recorded,
        counts.nothing_to_record,
        counts.asked_to_fix,
        counts.refused,
        counts.set_aside,
        counts.for_you_to_look_at,
        counts.dealt_with_before,
        if dry_run { "; dry run: nothing was stored or sent" } else { "" }
    )
}
