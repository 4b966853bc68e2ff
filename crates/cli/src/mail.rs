//! `delphi invite`, `delphi remind` and `delphi ingest`: the email channel from the
//! command line. With no SMTP server configured, messages are written as `.eml` files to
//! the study's outbox folder (`<data-dir>/<study>/outbox/`).

use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Duration, Utc};
use clap::Args;
use delphi_collect::mail::{
    Address, Campaign, CampaignReport, ImapSettings, Ingest, IngestError, Ingested, MailTransport, Mailbox,
    MailboxError, RoundMail, Sender, SmtpSettings, StudyNotice, each_imap_message, each_maildir_message,
    ingest_or_set_aside, send_campaign,
};
use delphi_store::{InboundOutcome, OutgoingKind, Refusal, RoundState, Store, StoreError};

use crate::frozen;
use crate::render::line_for_terminal;
use crate::workspace::Workspace;

/// How messages leave and whom they come from (shared by invite, remind and ingest).
#[derive(Debug, Args)]
pub(crate) struct MailArgs {
    /// SMTP server: smtp://[user@]host[:port] (STARTTLS, port 587), smtps://[user@]host[:port]
    /// (TLS, port 465), or smtp://localhost:25?tls=none. The password is read from
    /// DELPHI_SMTP_PASSWORD. Without a server, messages go to the outbox folder.
    #[arg(long, env = "DELPHI_SMTP_URL")]
    smtp: Option<String>,
    /// Where messages are written when no SMTP server is given [default: <data-dir>/<study>/outbox].
    #[arg(long)]
    outbox: Option<PathBuf>,
    /// The sender, e.g. "AI Safety Delphi <delphi@example.org>".
    #[arg(long, env = "DELPHI_MAIL_FROM", default_value = "Delphi study <delphi@localhost>")]
    from: String,
    /// The address replies go to (each message adds +<token> to it, so the mailbox must
    /// accept plus-addresses) [default: the sender's address].
    #[arg(long, env = "DELPHI_REPLY_TO")]
    reply_to: Option<String>,
    /// The web server's address as experts reach it, for personal links. `invite` and
    /// `remind` remember it for the study, so receipts written later by `ingest` link to the
    /// same place [default: the address remembered, else http://127.0.0.1:8080].
    #[arg(long, env = "DELPHI_BASE_URL")]
    base_url: Option<String>,
    /// SMTP connections used at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=32))]
    connections: u32,
    /// Show what would be sent (and, for ingest, what each message is), but store and send nothing.
    #[arg(long)]
    dry_run: bool,
}

#[derive(Debug, Args)]
pub(crate) struct InviteArgs {
    #[command(flatten)]
    mail: MailArgs,
    /// Only these experts (ids from the panel); by default everyone asked in the open round.
    #[arg(long = "expert")]
    experts: Vec<String>,
}

// Reminders go to those who have not answered the open round, at most one per expert in
// each slot of the schedule (REMIND_AFTER_HELP says what a slot is, in `remind --help`).
#[derive(Debug, Args)]
#[command(after_help = REMIND_AFTER_HELP)]
pub(crate) struct RemindArgs {
    #[command(flatten)]
    mail: MailArgs,
    /// When reminders are due, in days before the deadline; each day begins a slot.
    #[arg(long, env = "DELPHI_REMINDER_SCHEDULE", value_delimiter = ',', default_value = "7,2")]
    schedule: Vec<u32>,
    /// Send now, before the schedule's next day, to those not yet reminded in this slot.
    #[arg(long)]
    now: bool,
    /// Send to everyone who has not answered, even those reminded in this slot already.
    #[arg(long)]
    force: bool,
}

const REMIND_AFTER_HELP: &str = "\
Slots: the schedule's days (days before the deadline) cut the round into slots: from the
opening to the first reminder day, from one reminder day to the next, and from the last to
the deadline. An expert gets at most one reminder in each slot, however often `remind`
runs (cron twice, or --now after a scheduled one); --force sends anyway. Moving the
deadline (`round extend`) moves the slots.";

#[derive(Debug, Args)]
pub(crate) struct IngestArgs {
    #[command(flatten)]
    mail: MailArgs,
    /// Read replies from this Maildir (its new/ and cur/ folders).
    #[arg(long, conflicts_with = "imap", required_unless_present = "imap")]
    maildir: Option<PathBuf>,
    /// Read replies from an IMAP folder: imaps://user@host[:993]/Folder (TLS) or
    /// imap://user@host[:143]/Folder (STARTTLS). The password is read from DELPHI_IMAP_PASSWORD.
    #[arg(long, env = "DELPHI_IMAP_URL")]
    imap: Option<String>,
}

/// The sender, the transport, and where the round stands.
struct Outgoing {
    sender: Sender,
    transport: MailTransport,
    describe: String,
}

/// Where personal links point when nobody said.
const DEFAULT_BASE_URL: &str = "http://127.0.0.1:8080";
/// The study setting that remembers `--base-url`.
const BASE_URL_SETTING: &str = "base_url";

fn outgoing(workspace: &Workspace, study: &delphi_core::Study, args: &MailArgs, store: &Store) -> Result<Outgoing> {
    let from: Mailbox = args
        .from
        .parse()
        .with_context(|| format!("--from `{}` is not an address like \"Name <a@b.org>\"", args.from))?;
    let reply_to: Address = match &args.reply_to {
        Some(address) => address.parse().with_context(|| format!("--reply-to `{address}` is not an email address"))?,
        None => from.email.clone(),
    };
    if reply_to.user().contains('+') {
        bail!("--reply-to `{reply_to}` already has a +tag; give the plain address, the token is added to it");
    }
    let base_url = match &args.base_url {
        Some(url) => url.clone(),
        None => store.setting(study.id.as_str(), BASE_URL_SETTING)?.unwrap_or_else(|| DEFAULT_BASE_URL.to_owned()),
    };
    let sender = Sender { from, reply_to, base_url, notice: StudyNotice::of(study) };
    let (transport, describe) = match &args.smtp {
        Some(url) => {
            let settings = SmtpSettings::parse(url, std::env::var("DELPHI_SMTP_PASSWORD").ok())?;
            let describe = format!("SMTP server {}:{}", settings.host, settings.port);
            (MailTransport::smtp(&settings, args.connections), describe)
        }
        None => {
            let dir = args.outbox.clone().unwrap_or_else(|| workspace.study_dir(study).join("outbox"));
            let describe = format!("outbox {}", dir.display());
            (MailTransport::Outbox(dir), describe)
        }
    };
    Ok(Outgoing { sender, transport, describe })
}

/// The open round: its number and deadline.
fn open_round(store: &Store, study_id: &str) -> Result<(u32, DateTime<Utc>)> {
    store
        .rounds(study_id)?
        .into_iter()
        .find_map(|r| match r.state {
            RoundState::Open { deadline, .. } => Some((r.number, deadline)),
            _ => None,
        })
        .ok_or_else(|| StoreError::from(Refusal::RoundNotOpen(0)))
        .context("no round is open; open one with `delphi round open`")
}

pub(crate) fn invite(workspace: &Workspace, args: &InviteArgs) -> Result<()> {
    send(workspace, &args.mail, &args.experts, |_, _| Ok(Some(Plan::everyone(Campaign::Invitation))))
}

/// What a run sends: the campaign, and who is left out of it (reminded in this slot).
struct Plan {
    campaign: Campaign,
    reminded_in_slot: BTreeSet<String>,
    slot_start: DateTime<Utc>,
}

impl Plan {
    fn everyone(campaign: Campaign) -> Self {
        Self { campaign, reminded_in_slot: BTreeSet::new(), slot_start: DateTime::<Utc>::MIN_UTC }
    }
}

pub(crate) fn remind(workspace: &Workspace, args: &RemindArgs) -> Result<()> {
    send(workspace, &args.mail, &[], |store, (study_id, round, opened, deadline, now)| {
        if now >= deadline {
            bail!("the deadline of round {round} has passed; extend it with `delphi round extend --days N` first");
        }
        let slot_start = slot_start(&args.schedule, opened, deadline, now);
        if slot_start == opened && !args.now {
            match next_reminder_at(&args.schedule, deadline, now) {
                Some(at) => println!(
                    "no reminder is due yet; the next is due at {} (or pass --now)",
                    at.format("%Y-%m-%d %H:%M UTC")
                ),
                None => println!(
                    "no reminder is due (schedule: {:?} days before the deadline); pass --now to send one",
                    args.schedule
                ),
            }
            return Ok(None);
        }
        let in_slot = store.reminders_since(study_id, round, slot_start)?;
        let last = store.last_reminder(study_id, round)?;
        // A re-run in the slot goes on with the slot's last reminder, so what an earlier run
        // reserved but could not send goes out under its own Message-ID; --force starts anew.
        let number = match in_slot.last() {
            Some(latest) if !args.force && latest.number == last => last,
            _ => last + 1,
        };
        let reminded_in_slot = if args.force {
            BTreeSet::new()
        } else {
            in_slot.into_iter().filter(|r| r.sent).map(|r| r.expert_id).collect()
        };
        Ok(Some(Plan { campaign: Campaign::Reminder { number }, reminded_in_slot, slot_start }))
    })
}

/// When the slot of the reminder schedule that `now` falls in began: the latest scheduled
/// reminder time (days before the deadline) at or before `now`, or the opening when none
/// has come yet. Reminder times before the opening do not count.
pub(crate) fn slot_start(
    schedule: &[u32],
    opened: DateTime<Utc>,
    deadline: DateTime<Utc>,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    schedule
        .iter()
        .map(|&days| deadline - Duration::days(i64::from(days)))
        .filter(|&at| at > opened && at <= now)
        .max()
        .unwrap_or(opened)
}

fn next_reminder_at(schedule: &[u32], deadline: DateTime<Utc>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    schedule.iter().map(|&days| deadline - Duration::days(i64::from(days))).filter(|&at| at > now).min()
}

type RoundFacts<'a> = (&'a str, u32, DateTime<Utc>, DateTime<Utc>, DateTime<Utc>);

fn send(
    workspace: &Workspace,
    args: &MailArgs,
    only: &[String],
    choose: impl FnOnce(&Store, RoundFacts<'_>) -> Result<Option<Plan>>,
) -> Result<()> {
    let (loaded, mut store) = workspace.open()?;
    let study = &loaded.study;
    let id = study.id.as_str();
    let (round, deadline) = open_round(&store, id)?;
    let opened = match store.round(id, round)?.map(|r| r.state) {
        Some(RoundState::Open { opened_at, .. }) => opened_at,
        _ => Utc::now(),
    };
    let Some(plan) = choose(&store, (id, round, opened, deadline, Utc::now()))? else { return Ok(()) };
    let campaign = plan.campaign;
    let out = outgoing(workspace, study, args, &store)?;
    if let Some(url) = args.base_url.as_deref().filter(|_| !args.dry_run) {
        store.set_setting(id, BASE_URL_SETTING, url, Utc::now())?;
    }
    let mut recipients = store.round_recipients(id, round)?;
    if !only.is_empty() {
        for expert in only {
            if !recipients.iter().any(|r| &r.expert_id == expert) {
                return Err(StoreError::from(Refusal::UnknownExpert(expert.clone())).into());
            }
        }
        recipients.retain(|r| only.contains(&r.expert_id));
    }
    let before = recipients.len();
    recipients.retain(|r| !plan.reminded_in_slot.contains(&r.expert_id));
    let left_out = before - recipients.len();
    if left_out > 0 {
        println!(
            "{left_out} expert(s) already reminded in this slot of the schedule (since {}): not reminded again (--force sends anyway)",
            plan.slot_start.format("%Y-%m-%d %H:%M UTC")
        );
    }
    let what = match campaign {
        Campaign::Invitation => "invitation".to_owned(),
        Campaign::Reminder { number } => format!("reminder {number}"),
    };
    let kind = match campaign {
        Campaign::Invitation => OutgoingKind::Invitation,
        Campaign::Reminder { number } => OutgoingKind::Reminder { number },
    };
    if args.dry_run {
        let sent = store.mail_sent_to(id, round, &kind)?;
        let mut count = 0;
        for recipient in recipients.iter().filter(|r| campaign.addresses(r)) {
            if sent.contains(&recipient.expert_id) {
                continue;
            }
            println!("would send the {what} of round {round} to {} ({})", recipient.expert_id, recipient.language);
            count += 1;
        }
        let skipped = recipients.len() - count;
        println!(
            "dry run: {count} message(s) would go to the {}; {skipped} expert(s) skipped (answered already, or sent before); nothing was stored or sent",
            out.describe
        );
        return Ok(());
    }
    out.transport.check()?;
    let frozen = frozen::load(&store, id, round)?;
    let mail = RoundMail { study_id: id, round, deadline, frozen: &frozen, sender: &out.sender };
    let label = format!("{what}s");
    let mut progress = progress_line(&label);
    let report = send_campaign(
        &mut store,
        &mail,
        campaign,
        &recipients,
        &out.transport,
        args.connections as usize,
        &mut progress,
    )?;
    finish_progress();
    print_report(&what, round, &report, &out.describe);
    if !report.failed.is_empty() {
        bail!("{} message(s) could not be sent; run the command again to retry them", report.failed.len());
    }
    Ok(())
}

fn print_report(what: &str, round: u32, report: &CampaignReport, describe: &str) {
    println!(
        "round {round}: {} {what}(s) sent to the {describe}; {} sent before (not sent again)",
        report.sent, report.already_sent
    );
    for (expert, error) in &report.failed {
        println!("  not sent to {expert}: {}", line_for_terminal(error));
    }
}

/// A progress line on standard error when it is a terminal: `label: done/total`.
fn progress_line(label: &str) -> impl FnMut(usize, usize) + '_ {
    let terminal = std::io::stderr().is_terminal();
    move |done, total| {
        if terminal && (done == total || done % 25 == 0) {
            eprint!("\r{label}: {done}/{total}");
        }
    }
}

fn finish_progress() {
    if std::io::stderr().is_terminal() {
        eprintln!();
    }
}

pub(crate) fn ingest(workspace: &Workspace, args: &IngestArgs) -> Result<()> {
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
        (None, None) => bail!("give --maildir DIR or --imap URL"),
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

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn day(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, d, 12, 0, 0).single().unwrap()
    }

    #[test]
    fn the_schedule_cuts_the_round_into_slots_that_begin_on_reminder_days() {
        let (opened, deadline) = (day(1), day(15));
        let schedule = [7, 2];
        assert_eq!(slot_start(&schedule, opened, deadline, day(7)), opened, "before the first reminder day");
        assert_eq!(slot_start(&schedule, opened, deadline, day(8)), day(8));
        assert_eq!(slot_start(&schedule, opened, deadline, day(12)), day(8));
        assert_eq!(slot_start(&schedule, opened, deadline, day(13)), day(13));
        assert_eq!(slot_start(&[2, 7], opened, deadline, day(14)), day(13), "the order given does not matter");
        assert_eq!(next_reminder_at(&schedule, deadline, day(9)), Some(day(13)));
        assert_eq!(next_reminder_at(&schedule, deadline, day(14)), None);
        // A round opened late: a reminder day before the opening begins no slot.
        assert_eq!(slot_start(&[20, 2], day(3), deadline, day(12)), day(3));
        // The deadline brought forward to day 10 on day 8: both reminder days have passed,
        // and it is one slot (from day 8), not two reminders at once.
        assert_eq!(slot_start(&schedule, opened, day(10), day(8)), day(8));
    }
}
