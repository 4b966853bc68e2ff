//! The email channel's shared parts for `delphi invite`, `remind` and `ingest` (in `cmd/`):
//! how messages leave and whom they come from, and a campaign sent to the open round. With
//! no SMTP server configured, messages are written as `.eml` files to the study's outbox
//! folder (`<data-dir>/<study>/outbox/`).

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
use delphi_store::{OutgoingKind, Refusal, RoundState, Store, StoreError};

use crate::config::{Given, MailSettings};
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

/// What `choose` learns of the open round: study id, number, opening, deadline, now.
pub(crate) type RoundFacts<'a> = (&'a str, u32, DateTime<Utc>, DateTime<Utc>, DateTime<Utc>);

/// Sends `choose`'s campaign of the open round to its recipients (or only to `only`).
pub(crate) fn send(
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
