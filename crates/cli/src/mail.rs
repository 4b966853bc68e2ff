//! The email channel's shared parts for `delphi invite`, `remind` and `ingest` (in `cmd/`):
//! how messages leave and whom they come from, and a campaign sent to the open round. With
//! no SMTP server configured, messages are written as `.eml` files to the study's outbox
//! folder (`<data-dir>/<study>/outbox/`). What a campaign did is printed as lines, or with
//! `--format json` as one [`CampaignRun`] document.

use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use clap::Args;
use delphi_collect::mail::{
    Address, Campaign, CampaignReport, MailTransport, Mailbox, RoundMail, Sender, SmtpSettings, StudyNotice,
    send_campaign,
};
use delphi_core::study::StudyId;
use delphi_store::{OutgoingKind, Refusal, RoundState, Store, StoreError};
use serde::Serialize;

use crate::cmd::Format;
use crate::config::{Given, MailSettings};
use crate::frozen;
use crate::render::{line_for_terminal, print_json};
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
    pub(crate) dry_run: bool,
}

impl MailArgs {
    /// The settings file's `[mail]` where the command line and environment gave nothing.
    pub(crate) fn settle(&mut self, file: &MailSettings, given: Given<'_>) {
        // Where messages go is one choice: a flag or variable for either leaves the file's out.
        let transport = ["smtp", "outbox"];
        given.overlay(&transport, &mut self.smtp, file.smtp.clone().map(Some));
        given.overlay(&transport, &mut self.outbox, file.outbox.clone().map(Some));
        given.overlay(&["from"], &mut self.from, file.from.clone());
        given.overlay(&["reply_to"], &mut self.reply_to, file.reply_to.clone().map(Some));
        given.overlay(&["base_url"], &mut self.base_url, file.base_url.clone().map(Some));
    }
}

/// The sender, the transport, and where the round stands.
pub(crate) struct Outgoing {
    pub(crate) sender: Sender,
    pub(crate) transport: MailTransport,
    pub(crate) describe: String,
    pub(crate) destination: Destination,
}

/// Where messages go, as `--format json` names it.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub(crate) enum Destination {
    /// `.eml` files in this folder.
    Outbox { path: PathBuf },
    /// An SMTP server.
    Smtp { host: String, port: u16 },
}

/// Where personal links point when nobody said.
const DEFAULT_BASE_URL: &str = "http://127.0.0.1:8080";
/// The study setting that remembers `--base-url`.
const BASE_URL_SETTING: &str = "base_url";

/// The sender and transport the flags (or their environment variables) describe.
pub(crate) fn outgoing(
    workspace: &Workspace,
    study: &delphi_core::Study,
    args: &MailArgs,
    store: &Store,
) -> Result<Outgoing> {
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
        None => store.setting(&study.id, BASE_URL_SETTING)?.unwrap_or_else(|| DEFAULT_BASE_URL.to_owned()),
    };
    let sender = Sender { from, reply_to, base_url, notice: StudyNotice::of(study) };
    let (transport, describe, destination) = match &args.smtp {
        Some(url) => {
            let settings = SmtpSettings::parse(url, std::env::var("DELPHI_SMTP_PASSWORD").ok())?;
            let describe = format!("SMTP server {}:{}", settings.host, settings.port);
            let destination = Destination::Smtp { host: settings.host.clone(), port: settings.port };
            (MailTransport::smtp(&settings, args.connections), describe, destination)
        }
        None => {
            let dir = args.outbox.clone().unwrap_or_else(|| workspace.study_dir(study).join("outbox"));
            let describe = format!("outbox {}", dir.display());
            let destination = Destination::Outbox { path: dir.clone() };
            (MailTransport::Outbox(dir), describe, destination)
        }
    };
    Ok(Outgoing { sender, transport, describe, destination })
}

/// The open round: its number and deadline.
fn open_round(store: &Store, study_id: &StudyId) -> Result<(u32, DateTime<Utc>)> {
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

/// What a run sends: the campaign, and who is left out of it (reminded in this slot).
pub(crate) struct Plan {
    pub(crate) campaign: Campaign,
    pub(crate) reminded_in_slot: BTreeSet<String>,
    pub(crate) slot_start: DateTime<Utc>,
}

impl Plan {
    pub(crate) fn everyone(campaign: Campaign) -> Self {
        Self { campaign, reminded_in_slot: BTreeSet::new(), slot_start: DateTime::<Utc>::MIN_UTC }
    }
}

/// Whether a campaign goes out now: what `choose` decides.
pub(crate) enum Decision {
    Send(Plan),
    /// No reminder is due yet (the caller has said so); the next is due then, if the
    /// schedule has one left.
    NotDue {
        next_at: Option<DateTime<Utc>>,
    },
}

/// What a run of `invite` or `remind` did, as `--format json` prints it (docs/scripting.md).
/// Expert ids appear as in the text output: for the coordinator, never in a report.
#[derive(Debug, Serialize)]
pub(crate) struct CampaignRun {
    round: u32,
    /// `invitation` or `reminder`.
    campaign: &'static str,
    /// The reminder's number in the round (1, 2, …); null for an invitation, or when none is due.
    reminder: Option<u32>,
    /// False when no reminder is due yet: nothing was sent.
    due: bool,
    /// When the next reminder is due (RFC 3339), if none is due now.
    next_due_at: Option<String>,
    dry_run: bool,
    /// Where messages go (null when none is due).
    to: Option<Destination>,
    /// Messages handed to the transport now.
    sent: usize,
    /// Messages sent by an earlier run, not sent again.
    sent_before: usize,
    /// Experts left out as reminded in this slot of the schedule already.
    reminded_in_slot: usize,
    /// A dry run: who would be sent a message, and how many were skipped.
    would_send: Vec<Addressee>,
    skipped: usize,
    /// Messages that could not be handed over (a re-run retries them); the command exits 1.
    failed: Vec<Failure>,
}

#[derive(Debug, Serialize)]
struct Addressee {
    expert: String,
    language: String,
}

#[derive(Debug, Serialize)]
struct Failure {
    expert: String,
    error: String,
}

impl CampaignRun {
    fn new(round: u32, campaign: Campaign, dry_run: bool, to: Option<Destination>) -> Self {
        let (name, reminder) = match campaign {
            Campaign::Invitation => ("invitation", None),
            Campaign::Reminder { number } => ("reminder", Some(number)),
        };
        Self {
            round,
            campaign: name,
            reminder,
            due: true,
            next_due_at: None,
            dry_run,
            to,
            sent: 0,
            sent_before: 0,
            reminded_in_slot: 0,
            would_send: Vec::new(),
            skipped: 0,
            failed: Vec::new(),
        }
    }
}

/// What `choose` learns of the open round: study id, number, opening, deadline, now.
pub(crate) type RoundFacts<'a> = (&'a StudyId, u32, DateTime<Utc>, DateTime<Utc>, DateTime<Utc>);

/// Sends `choose`'s campaign of the open round to its recipients (or only to `only`), and
/// prints what it did in `format`.
pub(crate) fn send(
    workspace: &Workspace,
    args: &MailArgs,
    only: &[String],
    format: Format,
    choose: impl FnOnce(&Store, RoundFacts<'_>) -> Result<Decision>,
) -> Result<()> {
    let (loaded, mut store) = workspace.open()?;
    let study = &loaded.study;
    let id = &study.id;
    let (round, deadline) = open_round(&store, id)?;
    let opened = match store.round(id, round)?.map(|r| r.state) {
        Some(RoundState::Open { opened_at, .. }) => opened_at,
        _ => Utc::now(),
    };
    let plan = match choose(&store, (id, round, opened, deadline, Utc::now()))? {
        Decision::Send(plan) => plan,
        Decision::NotDue { next_at } => {
            if format == Format::Json {
                let mut run = CampaignRun::new(round, Campaign::Reminder { number: 0 }, args.dry_run, None);
                run.reminder = None;
                run.due = false;
                run.next_due_at = next_at.map(|at| at.to_rfc3339());
                print_json(&run)?;
            }
            return Ok(());
        }
    };
    let campaign = plan.campaign;
    let out = outgoing(workspace, study, args, &store)?;
    let mut run = CampaignRun::new(round, campaign, args.dry_run, Some(out.destination.clone()));
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
    run.reminded_in_slot = left_out;
    if left_out > 0 {
        format.say(format_args!(
            "{left_out} expert(s) already reminded in this slot of the schedule (since {}): not reminded again (--force sends anyway)",
            plan.slot_start.format("%Y-%m-%d %H:%M UTC")
        ));
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
            format.say(format_args!(
                "would send the {what} of round {round} to {} ({})",
                recipient.expert_id, recipient.language
            ));
            run.would_send
                .push(Addressee { expert: recipient.expert_id.clone(), language: recipient.language.clone() });
            count += 1;
        }
        let skipped = recipients.len() - count;
        run.skipped = skipped;
        format.say(format_args!(
            "dry run: {count} message(s) would go to the {}; {skipped} expert(s) skipped (answered already, or sent before); nothing was stored or sent",
            out.describe
        ));
        if format == Format::Json {
            print_json(&run)?;
        }
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
    match format {
        Format::Text => print_report(&what, round, &report, &out.describe),
        Format::Json => {
            run.sent = report.sent;
            run.sent_before = report.already_sent;
            run.failed = report
                .failed
                .iter()
                .map(|(expert, error)| Failure { expert: expert.clone(), error: error.clone() })
                .collect();
            print_json(&run)?;
        }
    }
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
