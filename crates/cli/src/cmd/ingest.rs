//! `delphi ingest`: replies read from a Maildir or an IMAP folder, their answers stored
//! exactly once, and each expert sent a receipt (or what to fix).

use std::path::PathBuf;

use anyhow::{Result, bail};
use chrono::Utc;
use clap::Args;
use delphi_collect::mail::{
    ImapSettings, Ingest, IngestError, Ingested, MailboxError, each_imap_message, each_maildir_message,
    ingest_or_set_aside,
};
use delphi_store::InboundOutcome;

use crate::config::{Config, Given};
use crate::mail::{MailArgs, outgoing};
use crate::render::line_for_terminal;
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
    let ingest = Ingest {
        study_id: study.id.as_str(),
        sender: &out.sender,
        transport: &out.transport,
        dry_run: args.mail.dry_run,
    };
    let mut results: Vec<(String, Ingested)> = Vec::new();
    let mut process = |message: &delphi_collect::mail::MailboxMessage| -> Result<(), IngestError> {
        let ingested = ingest_or_set_aside(&mut store, &ingest, &message.raw, Utc::now())?;
        print_ingested(&message.place, &ingested, args.mail.dry_run);
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
            format!("Maildir {}", dir.display())
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
            format!("IMAP {}:{}/{}", settings.host, settings.port, settings.folder)
        }
        (None, None) => {
            bail!("give --maildir DIR or --imap URL (or `maildir` or `imap` under [ingest] in delphi.toml)")
        }
    };
    summarise(&source, &results, args.mail.dry_run);
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
fn print_ingested(place: &str, ingested: &Ingested, dry_run: bool) {
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
    println!("{}", line_for_terminal(&format!("{place}: {line}{earlier}")));
}

fn summarise(source: &str, results: &[(String, Ingested)], dry_run: bool) {
    let count = |outcome| results.iter().filter(|(_, i)| i.outcome == outcome && !i.earlier).count();
    let earlier = results.iter().filter(|(_, i)| i.earlier).count();
    let answered =
        [InboundOutcome::Recorded, InboundOutcome::Unchanged, InboundOutcome::Invalid, InboundOutcome::Refused];
    let set_aside = results.len() - earlier - answered.iter().map(|o| count(*o)).sum::<usize>();
    let waiting = results.iter().filter(|(_, i)| !i.earlier && i.outcome.needs_the_coordinator()).count();
    let held_back = results.iter().filter(|(_, i)| i.held_back && !i.earlier).count();
    let held_back = if held_back > 0 {
        format!("; {held_back} got no letter (one like it went to the expert within the hour)")
    } else {
        String::new()
    };
    println!(
        "{source}: {} message(s) read; {} recorded, {} with nothing to record, {} asked to fix, {} refused by the round, {set_aside} set aside ({waiting} for you to look at: `delphi status` lists them), {earlier} dealt with before{held_back}{}",
        results.len(),
        count(InboundOutcome::Recorded),
        count(InboundOutcome::Unchanged),
        count(InboundOutcome::Invalid),
        count(InboundOutcome::Refused),
        if dry_run { "; dry run: nothing was stored or sent" } else { "" }
    );
}
