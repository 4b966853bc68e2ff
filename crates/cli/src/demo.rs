//! `delphi demo`: the main job end to end, on a synthetic panel.
//!
//! A study workspace is made from the shipped AI-safety-cooperation study and a panel of
//! fictional experts; then every round runs over the real channels: the round is opened
//! (the code of `delphi round open`: a frozen questionnaire with the previous round's
//! feedback), the invitations are written to the outbox, most experts answer through the
//! JSON API of the HTTP collector (started in-process on a loopback port) with the token of
//! their invitation, the others reply to their invitation by email into a Maildir that is
//! ingested (receipts go to the outbox), and the round is closed and summarised. After the
//! last round the reports are written (the code of `delphi report`).
//!
//! Only the experts are simulated, by `delphi-sim` (the panel and how its experts answer,
//! from the seed); this module does the rest.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail, ensure};
use chrono::Utc;
use clap::Args;
use delphi_collect::mail::{
    Campaign, Ingest, IngestError, MailTransport, Mailbox, RoundMail, Sender, StudyNotice, each_maildir_message,
    ingest_message, send_campaign,
};
use delphi_collect::{Service, ServiceConfig, Writer, serve};
use delphi_core::Study;
use delphi_core::panel::Panel;
use delphi_sim::{
    Blocs, Channel, Invitation, SimulatedExpert, Turn, bloc_counts, email_reply, panel_csv, synthetic_panel,
};
use delphi_stats::item::Outcome;
use delphi_stats::summarise::ItemResult;
use delphi_store::{InboundOutcome, Pseudonyms, RoundState, Store};
use delphi_survey::answer::Answer;

use crate::workspace::Workspace;

// The demo runs the shipped study whatever `--study` says, since its simulated experts hold
// views about this study's areas and criteria.
use crate::cmd::init::SHIPPED_STUDY;

const AFTER_HELP: &str = "\
What it does, step by step:
  1. makes a study workspace in <data-dir>/demo/: study.toml (the shipped AI-safety-cooperation
     study) and panel.csv (fictional experts from fictional institutions in up to four blocs:
     US, China, Europe, Other; the Chinese bloc answers in Chinese, the others in English);
  2. for each round: opens it (the questionnaire is frozen, with the previous round's feedback),
     writes the invitations to <data-dir>/demo/<study>/outbox/ as .eml files, starts the web
     collector on a loopback port, lets about three quarters of the experts answer through the
     JSON API with the token of their invitation and the others reply to their invitation by
     email (into <data-dir>/demo/<study>/maildir/, then ingested; the receipts go to the outbox),
     and closes the round;
  3. writes the reports (PDF, HTML, Markdown per language, CSV/Parquet/JSON exports) under --out
     and prints, per area, the benefit-risk verdict and whether the panel reached consensus,
     overall and across blocs.

The simulated experts hold views per area (verification and protocols: high benefit, low risk;
evaluations: high risk; infrastructure: mixed), the blocs differ somewhat in round 1, and in
later rounds most move toward the group median they were shown, some hold out and say why,
and some drop out. The same --seed gives the same answers.

An earlier demo in <data-dir>/demo/ is kept unless --fresh is given.
Afterwards, look around with e.g.:
  delphi --study rounds/demo/study.toml --data-dir rounds/demo status";

#[derive(Debug, Args)]
#[command(after_help = AFTER_HELP)]
pub(crate) struct DemoArgs {
    /// Experts on the synthetic panel.
    #[arg(long, default_value_t = 40, value_parser = clap::value_parser!(u32).range(4..=1000))]
    experts: u32,
    /// Delphi rounds to run (at most the study's max_rounds).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=20))]
    rounds: u32,
    /// Blocs the panel comes from, in this order: US, China, Europe, Other.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=4))]
    blocs: u32,
    /// Chance that an expert who is still answering drops out, per round (0 to 0.9).
    #[arg(long, default_value_t = 0.1, value_parser = dropout_rate)]
    dropout: f64,
    /// Seed of the simulated experts: the same seed gives the same panel and answers.
    #[arg(long, default_value_t = 2504)]
    seed: u64,
    /// Where the reports go: <out>/<study-id>/round-<N>/.
    #[arg(long, default_value = "reports/demo")]
    out: PathBuf,
    /// Replace an earlier demo in <data-dir>/demo/ (that folder is deleted first).
    #[arg(long)]
    fresh: bool,
}

fn dropout_rate(text: &str) -> Result<f64, String> {
    let rate: f64 = text.parse().map_err(|_| format!("`{text}` is not a number"))?;
    if (0.0..=0.9).contains(&rate) { Ok(rate) } else { Err("give a rate from 0 to 0.9".into()) }
}

/// Runs the demo in `<data_dir>/demo/`.
pub(crate) fn demo(data_dir: &Path, args: &DemoArgs) -> Result<()> {
    let started = std::time::Instant::now();
    let demo_dir = data_dir.join("demo");
    prepare(&demo_dir, args.fresh)?;
    let study_path = demo_dir.join("study.toml");
    write(&study_path, SHIPPED_STUDY.as_bytes())?;
    let workspace = Workspace::new(study_path.clone(), demo_dir.clone());
    let (loaded, mut store) = workspace.open()?;
    let study = &loaded.study;
    let id = &study.id;
    ensure!(
        args.rounds <= study.max_rounds,
        "--rounds {} is more than the study's max_rounds ({})",
        args.rounds,
        study.max_rounds
    );

    let blocs = Blocs::first(args.blocs).context("--blocs is 1 to 4")?;
    let mut panel = synthetic_panel(args.experts, blocs, args.seed, study);
    let panel_path = demo_dir.join("panel.csv");
    write(&panel_path, panel_csv(&panel).as_bytes())?;
    let checked = Panel::from_csv(&panel_csv(&panel), &panel_path.display().to_string(), study)?;
    store.import_panel_with(id, &checked, Utc::now(), Pseudonyms::FictionalFromSeed(args.seed))?;
    let institutions: std::collections::BTreeSet<&str> = panel.iter().map(|e| e.institution).collect();
    println!(
        "panel: {} fictional experts from {} institutions in {} blocs ({}) → {}",
        panel.len(),
        institutions.len(),
        args.blocs,
        bloc_counts(&panel),
        panel_path.display()
    );

    let study_dir = workspace.study_dir(study);
    let outbox = study_dir.join("outbox");
    let maildir = study_dir.join("maildir");
    for sub in ["tmp", "new", "cur"] {
        std::fs::create_dir_all(maildir.join(sub)).with_context(|| format!("cannot create {}", maildir.display()))?;
    }
    let collector = Collector::start(&workspace.store_path(study), study)?;
    println!("web collector on {} (loopback, this run only)", collector.base_url);
    let sender = Sender {
        from: "AI Safety Delphi demo <delphi@demo.example.org>".parse::<Mailbox>().context("the sender")?,
        reply_to: "delphi@demo.example.org".parse()?,
        base_url: collector.base_url.clone(),
        notice: StudyNotice::of(study),
    };
    let transport = MailTransport::Outbox(outbox.clone());
    transport.check()?;

    let mut tallies = Vec::new();
    for round in 1..=args.rounds {
        let tally = run_round(study, &mut store, &collector, &sender, &transport, &maildir, &mut panel, round, args)?;
        println!(
            "round {round}: {} invitations written, {} answers via the web, {} by email, {} dropped out",
            tally.invited, tally.web, tally.email, tally.dropped
        );
        let (closed, _, summary_path) =
            crate::lifecycle::close_and_summarise(&workspace, study, &mut store, round, Utc::now())?;
        println!(
            "round {round} closed: {} of {} answered; all figures in {}",
            tally.web + tally.email,
            closed.invited,
            summary_path.display()
        );
        tallies.push(tally);
    }
    collector.stop()?;
    drop(store);

    crate::cmd::report::run(&workspace, &crate::cmd::report::ReportArgs::all_to(args.out.clone()))?;

    let store = Store::open(&workspace.store_path(study))?;
    let summary = crate::analysis::summarise(study, &store, args.rounds)?;
    print!("{}", conclusions(study, &summary, &store, args, &tallies)?);
    let report_dir = args.out.join(id.as_str()).join(format!("round-{}", args.rounds));
    for language in &study.languages {
        println!("report ({language}): {}", report_dir.join(language.as_str()).join("report.pdf").display());
    }
    println!("store: {} (outbox/ and maildir/ beside it)", workspace.store_path(study).display());
    println!(
        "look around: delphi --study {} --data-dir {} status   (or round list, audit, report)",
        study_path.display(),
        demo_dir.display()
    );
    println!("done in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// Makes `<data-dir>/demo/` ready: refused if it holds an earlier demo and `fresh` is not
/// set; with `fresh`, the earlier demo is deleted — but only a folder the demo made.
fn prepare(demo_dir: &Path, fresh: bool) -> Result<()> {
    if !demo_dir.exists() {
        return std::fs::create_dir_all(demo_dir).with_context(|| format!("cannot create {}", demo_dir.display()));
    }
    let is_demo = demo_dir.join("study.toml").is_file() && demo_dir.join("panel.csv").is_file();
    let empty = std::fs::read_dir(demo_dir).map(|mut d| d.next().is_none()).unwrap_or(false);
    if empty {
        return Ok(());
    }
    if !is_demo {
        bail!("{} exists but was not made by `delphi demo`; choose another --data-dir", demo_dir.display());
    }
    if !fresh {
        bail!("{} holds an earlier demo; pass --fresh to replace it (the folder is deleted)", demo_dir.display());
    }
    std::fs::remove_dir_all(demo_dir)
        .with_context(|| format!("cannot delete the earlier demo {}", demo_dir.display()))?;
    std::fs::create_dir_all(demo_dir).with_context(|| format!("cannot create {}", demo_dir.display()))
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::atomic::write(path, bytes)
}

// ------------------------------------------------------------------------------- one round

/// What happened in a round.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    invited: usize,
    web: usize,
    email: usize,
    dropped: usize,
}

#[allow(clippy::too_many_arguments)]
fn run_round(
    study: &Study,
    store: &mut Store,
    collector: &Collector,
    sender: &Sender,
    transport: &MailTransport,
    maildir: &Path,
    panel: &mut [SimulatedExpert],
    round: u32,
    args: &DemoArgs,
) -> Result<Tally> {
    let id = &study.id;
    // `delphi round open N --days 14`: the questionnaire frozen with the previous round's feedback.
    let now = Utc::now();
    let opened = crate::lifecycle::open_with_feedback(study, store, round, now + chrono::Duration::days(14), now)?;
    let RoundState::Open { deadline, .. } = opened.state else { bail!("round {round} did not open") };
    println!("round {round} is open until {}", deadline.format("%Y-%m-%d %H:%M UTC"));
    let frozen = crate::frozen::load(store, id, round)?;
    let recipients = store.round_recipients(id, round)?;
    let mail = RoundMail { study_id: id, round, deadline, frozen: &frozen, sender };
    let sent = send_campaign(store, &mail, Campaign::Invitation, &recipients, transport, 2, &mut |_, _| {})?;
    ensure!(sent.failed.is_empty(), "invitations not written: {:?}", sent.failed);
    let outbox = match transport {
        MailTransport::Outbox(dir) => dir.clone(),
        MailTransport::Smtp { .. } => bail!("the demo writes to the outbox"),
    };

    // What every expert was shown: the shared copy of the questionnaire, with the group's
    // medians of the round before.
    let shown = frozen.in_language(study.default_language().as_str());
    let mut tally = Tally { invited: sent.sent, ..Tally::default() };
    let mut web = Vec::new();
    let mut email = Vec::new();
    for expert in panel.iter_mut() {
        let answers = match expert.take_turn(shown, round, args.dropout) {
            Turn::Gone => continue,
            Turn::DropsOut => {
                tally.dropped += 1;
                continue;
            }
            Turn::Answers(answers) => answers,
        };
        let invitation = read_invitation(&outbox.join(format!("round-{round}-invitation-{}.eml", expert.id)))?;
        match expert.channel {
            Channel::Web => web.push((expert.id.clone(), invitation, answers)),
            Channel::Email => email.push((expert.clone(), invitation, answers)),
        }
    }

    // The web: every expert posts their answers at once, with the token of their link.
    tally.web = collector.submit_all(&web, round, args.seed)?;

    // Email: genuine replies into the Maildir, then the ingest of `delphi ingest --maildir`.
    let now = Utc::now();
    for (expert, invitation, answers) in &email {
        let raw = email_reply(expert, invitation, answers, round, args.seed, now);
        let name = format!("{}.demo-r{round}-{}.delphi", now.timestamp(), expert.id);
        std::fs::write(maildir.join("tmp").join(&name), &raw).context("cannot write to the Maildir")?;
        std::fs::rename(maildir.join("tmp").join(&name), maildir.join("new").join(&name))
            .context("cannot deliver to the Maildir")?;
    }
    let ingest = Ingest { study_id: id, sender, transport, dry_run: false };
    let mut recorded = 0;
    each_maildir_message(maildir, |message| -> Result<(), IngestError> {
        let ingested = ingest_message(store, &ingest, &message.raw, Utc::now())?;
        if ingested.outcome == InboundOutcome::Recorded && !ingested.earlier {
            recorded += 1;
        } else if !ingested.earlier {
            // A simulated reply the ingest would not record is a fault of the demo or the parser.
            eprintln!(
                "  note: {} was not recorded ({}): {} {}",
                message.place,
                ingested.outcome.as_str(),
                ingested.reason.unwrap_or_default(),
                ingested.problems.join("; ")
            );
        }
        Ok(())
    })?;
    ensure!(recorded == email.len(), "round {round}: {} email replies, {recorded} recorded", email.len());
    tally.email = recorded;
    Ok(tally)
}

// ------------------------------------------------------------------------------- the channels

/// The HTTP collector, serving in-process on a loopback port for the whole demo.
struct Collector {
    runtime: tokio::runtime::Runtime,
    base_url: String,
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    writer_thread: std::thread::JoinHandle<()>,
}

impl Collector {
    fn start(store_path: &Path, study: &Study) -> Result<Self> {
        let open = || Store::open(store_path).with_context(|| format!("cannot open {}", store_path.display()));
        let readers = vec![open()?, open()?];
        let (writer, writer_thread) = Writer::spawn(open()?);
        let mut config = ServiceConfig::new(study.id.clone());
        config.group_attributes = study.subgroups.attributes.clone();
        config.languages = study.languages.clone();
        config.contact = study.contact.clone();
        config.withdrawal = study.withdrawal;
        config.privacy = study.privacy.clone();
        // Every simulated expert comes from 127.0.0.1: the per-address limit, meant for a
        // real panel behind a proxy, would refuse most of them.
        config.requests_per_minute = 1_000_000;
        // …and all of them post at once: as many connections from that one address.
        config.connections.max_connections_per_client = config.connections.max_connections;
        let service = Service::new(config, readers, writer);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .context("cannot start the runtime")?;
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .context("cannot listen on a loopback port")?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = runtime.spawn(serve(listener, service, async {
            stopped.await.ok();
        }));
        Ok(Self { runtime, base_url, stop, server, writer_thread })
    }

    /// Posts each expert's answers to the JSON API of their personal link, all at once;
    /// returns how many were acknowledged (all, or an error).
    fn submit_all(
        &self,
        submissions: &[(String, Invitation, BTreeMap<String, Answer>)],
        round: u32,
        seed: u64,
    ) -> Result<usize> {
        // The collector runs in this process on loopback; a request that hangs all the same
        // (a bug, a stuck writer) ends the demo with an error instead of hanging it.
        let client = reqwest::Client::builder()
            .connect_timeout(std::time::Duration::from_secs(10))
            .timeout(std::time::Duration::from_secs(120))
            .build()
            .context("cannot set up the HTTP client")?;
        self.runtime.block_on(async {
            let mut tasks = tokio::task::JoinSet::new();
            for (expert, invitation, answers) in submissions {
                let url = format!("{}/api/v1/s/{}", self.base_url, invitation.link_token);
                let body = serde_json::json!({ "answers": answers });
                let key = format!("demo-{seed}-round-{round}-{expert}");
                let (client, expert) = (client.clone(), expert.clone());
                tasks.spawn(async move {
                    let response = client.post(&url).header("idempotency-key", key).json(&body).send().await?;
                    let status = response.status();
                    let reply: serde_json::Value = response.json().await.unwrap_or_default();
                    ensure!(status.is_success(), "the collector refused {expert}'s answers ({status}): {reply}");
                    anyhow::Ok(())
                });
            }
            let mut acknowledged = 0;
            while let Some(done) = tasks.join_next().await {
                done.context("a simulated expert's request failed")??;
                acknowledged += 1;
            }
            anyhow::Ok(acknowledged)
        })
    }

    /// Stops the server and waits until every acknowledged answer is written.
    fn stop(self) -> Result<()> {
        self.stop.send(()).ok();
        self.runtime.block_on(self.server).context("the collector failed")?.context("the collector failed")?;
        drop(self.runtime);
        self.writer_thread.join().map_err(|_| anyhow::anyhow!("the collector's writer thread failed"))
    }
}

fn read_invitation(path: &Path) -> Result<Invitation> {
    let raw = std::fs::read(path).with_context(|| format!("the invitation {} is missing", path.display()))?;
    let message = mail_parser::MessageParser::default()
        .parse(&raw)
        .with_context(|| format!("{} is not a MIME message", path.display()))?;
    let address = |a: Option<&mail_parser::Address<'_>>| {
        a.and_then(|a| a.first()).and_then(|a| a.address()).unwrap_or_default().to_owned()
    };
    let text = message.body_text(0).unwrap_or_default().into_owned();
    let link_token = text
        .split("/s/")
        .nth(1)
        .map(|rest| {
            rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect::<String>()
        })
        .filter(|token| !token.is_empty())
        .with_context(|| format!("{} has no personal link", path.display()))?;
    Ok(Invitation {
        link_token,
        reply_to: address(message.reply_to()),
        subject: message.subject().unwrap_or_default().to_owned(),
        message_id: message.message_id().unwrap_or_default().to_owned(),
        from: address(message.from()),
        text,
    })
}

// ------------------------------------------------------------------------------- the conclusions

/// One screen: per area the verdict and the consensus, overall and across blocs; n per round.
fn conclusions(
    study: &Study,
    summary: &delphi_stats::StudySummary,
    store: &Store,
    args: &DemoArgs,
    tallies: &[Tally],
) -> Result<String> {
    let last = args.rounds;
    let mut out = format!(
        "\n== delphi demo: {} rounds, {} fictional experts in {} blocs, seed {} ==\n",
        last, args.experts, args.blocs, args.seed
    );
    let status = store.status(&study.id, &[])?;
    let per_round: Vec<String> = status
        .iter()
        .zip(tallies)
        .map(|(s, t)| {
            format!("round {}: {}/{} ({} web, {} email)", s.round.number, s.responded, s.invited, t.web, t.email)
        })
        .collect();
    out.push_str(&format!("answered: {}\n", per_round.join(" · ")));
    let met = |outcome: Outcome| outcome == Outcome::Met;
    let mut rows = Vec::new();
    for domain in &study.domains {
        let prefix = format!("{}.", domain.id.as_str());
        let items: Vec<_> = summary
            .items
            .iter()
            .filter(|i| i.round == last && i.item.as_str().starts_with(&prefix))
            .filter_map(|i| match &i.result {
                ItemResult::Ordinal(o) => Some(o),
                ItemResult::Numeric(_) | ItemResult::Quantile(_) | ItemResult::Ranking(_) => None,
            })
            .collect();
        let overall = items.iter().filter(|o| met(o.consensus.outcome)).count();
        let by_bloc: Vec<_> = summary
            .groups
            .iter()
            .filter(|g| g.round == last && g.attribute == "bloc" && g.item.as_str().starts_with(&prefix))
            .collect();
        let across = by_bloc.iter().filter(|g| met(g.cross_group.outcome)).count();
        let synthesis = summary.synthesis.iter().find(|d| d.round == last && d.domain == domain.id.as_str());
        let (verdict, certainty, benefit, risk) = match synthesis {
            Some(d) => (
                d.placement.map_or("undetermined", |p| p.describe()),
                format!("{:?}", d.certainty).to_lowercase(),
                d.benefit.median.value().map_or("–".into(), |m| format!("{m}")),
                d.worst_risk
                    .as_ref()
                    .and_then(|w| d.risks.iter().find(|r| &r.criterion == w))
                    .map_or("–".into(), |r| {
                        format!("{} {}", r.median.value().map_or("–".into(), |m| format!("{m}")), r.criterion)
                    }),
            ),
            None => ("undetermined", "–".into(), "–".into(), "–".into()),
        };
        // Where every bloc is too small to show, "0/5" would read as five disagreements.
        let any_bloc_shown = by_bloc
            .iter()
            .any(|g| g.groups.iter().any(|r| !matches!(r.figures, delphi_stats::groups::GroupFigures::Suppressed)));
        let blocs = if by_bloc.is_empty() || args.blocs < 2 {
            "–".into()
        } else if !any_bloc_shown {
            "not shown (groups too small)".into()
        } else {
            format!("{across}/{}", by_bloc.len())
        };
        rows.push(vec![
            domain.id.as_str().to_owned(),
            verdict.to_owned(),
            certainty,
            benefit,
            risk,
            format!("{overall}/{}", items.len()),
            blocs,
        ]);
    }
    out.push_str(&format!("areas after round {last} (benefit against the worst risk; medians on 1–7):\n"));
    out.push_str(&crate::render::table(
        &["area", "verdict", "certainty", "benefit", "worst risk", "consensus", "across blocs"],
        &rows,
    ));
    out.push_str(
        "consensus: criteria of the area meeting the study's rule; across blocs: met overall and inside every bloc shown\n",
    );
    Ok(out)
}
