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
//! Only the experts are simulated. Their answers come from a seeded generator, so the same
//! seed gives the same answers.

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
use delphi_stats::item::Outcome;
use delphi_stats::summarise::ItemResult;
use delphi_store::{InboundOutcome, RoundState, Store};
use delphi_survey::answer::{Answer, QuantileValues};
use delphi_survey::{AnswerSpec, Questionnaire};

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
    let id = study.id.as_str();
    ensure!(
        args.rounds <= study.max_rounds,
        "--rounds {} is more than the study's max_rounds ({})",
        args.rounds,
        study.max_rounds
    );

    let mut panel = synthetic_panel(args, study);
    let panel_path = demo_dir.join("panel.csv");
    write(&panel_path, panel_csv(&panel).as_bytes())?;
    let checked = Panel::from_csv(&panel_csv(&panel), &panel_path.display().to_string(), study)?;
    store.import_panel(id, &checked, Utc::now())?;
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
    let report_dir = args.out.join(id).join(format!("round-{}", args.rounds));
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
    let id = study.id.as_str();
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
        let mut rng = Rng::new(args.seed, &[expert.index, u64::from(round), 1]);
        if expert.dropped_out {
            continue;
        }
        if rng.chance(args.dropout) {
            expert.dropped_out = true;
            tally.dropped += 1;
            continue;
        }
        let invitation = read_invitation(&outbox.join(format!("round-{round}-invitation-{}.eml", expert.id)))?;
        let answers = expert.answer(shown, round, &mut rng);
        match expert.channel {
            Reply::Web => web.push((expert.id.clone(), invitation, answers)),
            Reply::Email => email.push((expert.clone(), invitation, answers)),
        }
    }

    // The web: every expert posts their answers at once, with the token of their link.
    tally.web = collector.submit_all(&web, round, args.seed)?;

    // Email: genuine replies into the Maildir, then the ingest of `delphi ingest --maildir`.
    let now = Utc::now();
    for (expert, invitation, answers) in &email {
        let raw = reply_to_invitation(expert, invitation, answers, round, args.seed, now);
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
        let mut config = ServiceConfig::new(study.id.as_str());
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

/// What an expert needs of their invitation.
#[derive(Debug, Clone)]
struct Invitation {
    /// The token of the personal link `…/s/<token>` in the text.
    link_token: String,
    /// The reply address, `delphi+<token>@…`.
    reply_to: String,
    subject: String,
    message_id: String,
    from: String,
    /// The text part: the letter and the reply form.
    text: String,
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

/// A plain-text reply as a mail client makes it: a greeting, then the invitation quoted with
/// the answers written after the `[item]` markers (as Gmail users do).
fn reply_to_invitation(
    expert: &SimulatedExpert,
    invitation: &Invitation,
    answers: &BTreeMap<String, Answer>,
    round: u32,
    seed: u64,
    now: chrono::DateTime<Utc>,
) -> Vec<u8> {
    let mut quoted = String::new();
    for line in invitation.text.lines() {
        let marker = line.trim().strip_prefix('[').and_then(|rest| rest.split_once(']')).map(|(item, _)| item);
        match marker.and_then(|item| answers.get(item).map(|answer| (item, answer))) {
            Some((item, answer)) => quoted.push_str(&format!("> [{item}] {}\r\n", form_value(answer))),
            None if line.is_empty() => quoted.push_str(">\r\n"),
            None => quoted.push_str(&format!("> {line}\r\n")),
        }
    }
    let greeting = if delphi_core::study::is_chinese_code(expert.language) {
        "您好，\r\n\r\n我的答案写在下面的表格中。"
    } else {
        "Hello,\r\n\r\nmy answers are in the form below."
    };
    format!(
        "From: {} <{}>\r\nTo: {}\r\nSubject: Re: {}\r\nMessage-ID: <demo-{seed}-r{round}-{}@panel.example.org>\r\n\
         In-Reply-To: <{}>\r\nReferences: <{}>\r\nDate: {}\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
         {greeting}\r\n\r\n{}\r\n\r\nOn {}, {} wrote:\r\n{quoted}",
        expert.name,
        expert.email,
        invitation.reply_to,
        invitation.subject,
        expert.id.to_lowercase(),
        invitation.message_id,
        invitation.message_id,
        now.to_rfc2822(),
        expert.name,
        now.format("%a, %e %b %Y at %H:%M"),
        invitation.from,
    )
    .into_bytes()
}

/// An answer as an expert writes it in the text form.
fn form_value(answer: &Answer) -> String {
    match answer {
        Answer::Ordinal { point } => point.to_string(),
        Answer::DontKnow => "?".into(),
        Answer::Numeric { value } => value.to_string(),
        Answer::Quantile(q) => q.pairs().map(|(p, v)| format!("{p}%: {v}")).collect::<Vec<_>>().join(" "),
        Answer::Probability { value } => format!("{}%", (value * 100.0).round()),
        Answer::Ranking { order } => order.to_string(),
        Answer::Text { text } => text.clone(),
    }
}

// ------------------------------------------------------------------------------- the panel

/// The blocs, each with its (fictional) institutions and their countries.
const BLOCS: [(&str, &[(&str, &str)]); 4] = [
    ("US", &[("Lakeshore Center for AI Safety", "US"), ("Pinecrest University", "US"), ("Harbor Policy Lab", "US")]),
    (
        "China",
        &[
            ("Eastlake Institute of AI Governance", "CN"),
            ("Jade River University", "CN"),
            ("Hengshan AI Safety Lab", "CN"),
        ],
    ),
    ("Europe", &[("Rhinebridge Institute", "DE"), ("Nordfjord University", "NO")]),
    ("Other", &[("Southern Cross AI Centre", "AU"), ("Meridian Policy Forum", "SG")]),
];

/// Names that say they are made up: "Placeholder", "Samplewood"; the Chinese given names are
/// 虚拟 (virtual), 示例 (example), 模拟 (simulated), 假设 (hypothetical), 演示 (demo), 测试 (test).
const GIVEN_NAMES: [&str; 8] = ["Avery", "Jordan", "Casey", "Riley", "Morgan", "Quinn", "Rowan", "Emery"];
const SURNAMES: [&str; 8] =
    ["Placeholder", "Samplewood", "Mockford", "Testerman", "Fictor", "Dummond", "Exampleton", "Pretendwell"];
const CHINESE_SURNAMES: [&str; 6] = ["Wang", "Li", "Zhang", "Chen", "Zhao", "Huang"];
const CHINESE_GIVEN_NAMES: [&str; 6] = ["Xuni", "Shili", "Moni", "Jiashe", "Yanshi", "Ceshi"];
const EXPERTISE: [&str; 6] = ["verification", "governance", "evaluations", "hardware", "standards", "security"];

/// How an expert answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reply {
    Web,
    Email,
}

#[derive(Debug, Clone)]
struct SimulatedExpert {
    /// Position on the panel; with the seed it picks the expert's random streams.
    index: u64,
    id: String,
    name: String,
    email: String,
    institution: &'static str,
    country: &'static str,
    bloc: &'static str,
    language: &'static str,
    expertise: &'static str,
    channel: Reply,
    /// Keeps their answers whatever the group says, and explains why.
    holdout: bool,
    dropped_out: bool,
    /// Their answers of the last round they answered, by item.
    previous: BTreeMap<String, Answer>,
}

fn synthetic_panel(args: &DemoArgs, study: &Study) -> Vec<SimulatedExpert> {
    let blocs = &BLOCS[..args.blocs as usize];
    let count = u64::from(args.experts);
    let width = count.to_string().len().max(2);
    // A quarter of the panel (at least one) answers by email, spread over the blocs.
    let mut order: Vec<u64> = (0..count).collect();
    Rng::new(args.seed, &[0]).shuffle(&mut order);
    let emailers: Vec<u64> = order[..(count as usize).div_ceil(4)].to_vec();
    (0..count)
        .map(|index| {
            let mut rng = Rng::new(args.seed, &[index, 0]);
            let (bloc, institutions) = blocs[index as usize % blocs.len()];
            let (institution, country) = institutions[(index as usize / blocs.len()) % institutions.len()];
            let chinese = bloc == "China" && study.has_language("zh");
            let (given, surname) = if chinese {
                (CHINESE_GIVEN_NAMES[rng.below(6)], CHINESE_SURNAMES[rng.below(6)])
            } else {
                (GIVEN_NAMES[rng.below(8)], SURNAMES[rng.below(8)])
            };
            let id = format!("E{:0width$}", index + 1);
            SimulatedExpert {
                index,
                email: format!(
                    "{}.{}.{}@panel.example.org",
                    given.to_lowercase(),
                    surname.to_lowercase(),
                    id.to_lowercase()
                ),
                name: format!("{given} {surname}"),
                id,
                institution,
                country,
                bloc,
                language: if chinese { "zh" } else { "en" },
                expertise: EXPERTISE[index as usize % EXPERTISE.len()],
                channel: if emailers.contains(&index) { Reply::Email } else { Reply::Web },
                holdout: rng.chance(0.15),
                dropped_out: false,
                previous: BTreeMap::new(),
            }
        })
        .collect()
}

fn panel_csv(panel: &[SimulatedExpert]) -> String {
    let mut csv = String::from("id,name,email,institution,country,bloc,language,expertise\n");
    for e in panel {
        csv.push_str(&format!(
            "{},{},{},{},{},{},{},{}\n",
            e.id, e.name, e.email, e.institution, e.country, e.bloc, e.language, e.expertise
        ));
    }
    csv
}

fn bloc_counts(panel: &[SimulatedExpert]) -> String {
    BLOCS
        .iter()
        .map(|(bloc, _)| (bloc, panel.iter().filter(|e| e.bloc == *bloc).count()))
        .filter(|(_, n)| *n > 0)
        .map(|(bloc, n)| format!("{bloc} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

// ------------------------------------------------------------------------------- their answers

/// Where an expert of `bloc` stands, in round 1 before their own noise, on `criterion` of
/// `domain` (on the criterion's scale: 1–7 for benefit and risks, 1–5 for the recommendation).
/// Verification and protocols: high benefit, low risk; evaluations: high risk; infrastructure:
/// in between. The rival blocs differ somewhat.
fn view(domain: &str, criterion: &str, bloc: &str) -> Option<f64> {
    let base = match (domain, criterion) {
        ("verification", "benefit") => 6.0,
        ("verification", "risk-capabilities") => 2.2,
        ("verification", "risk-information") => 2.6,
        ("verification", "risk-harm") => 2.4,
        ("verification", "recommendation") => 4.4,
        ("protocols", "benefit") => 5.6,
        ("protocols", "risk-capabilities") => 2.0,
        ("protocols", "risk-information") => 2.3,
        ("protocols", "risk-harm") => 2.2,
        ("protocols", "recommendation") => 4.3,
        ("infrastructure", "benefit") => 5.2,
        ("infrastructure", "risk-capabilities") => 3.6,
        ("infrastructure", "risk-information") => 4.6,
        ("infrastructure", "risk-harm") => 4.2,
        ("infrastructure", "recommendation") => 3.2,
        ("evaluations", "benefit") => 4.4,
        ("evaluations", "risk-capabilities") => 6.0,
        ("evaluations", "risk-information") => 5.2,
        ("evaluations", "risk-harm") => 4.8,
        ("evaluations", "recommendation") => 2.6,
        _ => return None,
    };
    let shift = match (bloc, domain, criterion) {
        ("US", "verification", "benefit") => 0.4,
        ("US", "evaluations", "risk-capabilities") => 0.5,
        ("US", "infrastructure", "risk-information") => 0.5,
        ("China", "verification", "risk-information") => 0.8,
        ("China", "verification", "benefit") => -0.5,
        ("China", "protocols", "benefit") => 0.4,
        ("China", "evaluations", "benefit") => 0.5,
        ("China", "infrastructure", "recommendation") => 0.6,
        ("Europe", "protocols", "benefit") => 0.3,
        ("Europe", "infrastructure", "benefit") => 0.4,
        _ => 0.0,
    };
    Some(base + shift)
}

/// Short, made-up reasons per area: for cooperation, and against it.
fn reason(domain: &str, favourable: bool, chinese: bool) -> &'static str {
    match (domain, favourable, chinese) {
        ("verification", true, false) => {
            "Hardware-based checks let each side verify claims without trusting the other."
        }
        ("verification", true, true) => "基于硬件的核查让双方无需互信即可验证对方的声明。",
        ("verification", false, false) => "Verification could expose sensitive details of chips and data centres.",
        ("verification", false, true) => "核查可能暴露芯片和数据中心的敏感细节。",
        ("protocols", true, false) => {
            "Shared incident formats and red-teaming protocols cost little and help everyone."
        }
        ("protocols", true, true) => "共享事件报告格式和红队测试规程成本低，对各方都有益。",
        ("protocols", false, false) => "Standards move slowly; an agreement may stay on paper.",
        ("protocols", false, true) => "标准制定进展缓慢，协议可能停留在纸面上。",
        ("infrastructure", true, false) => "Joint evaluation platforms would spread good practice.",
        ("infrastructure", true, true) => "联合评测平台有助于推广良好实践。",
        ("infrastructure", false, false) => "Shared infrastructure is a target for espionage and sabotage.",
        ("infrastructure", false, true) => "共享基础设施容易成为间谍和破坏活动的目标。",
        ("evaluations", true, false) => "Joint tests of dangerous capabilities would build trust.",
        ("evaluations", true, true) => "联合开展危险能力测试有助于建立信任。",
        ("evaluations", false, false) => "Joint capability tests could reveal what frontier models can do.",
        ("evaluations", false, true) => "联合能力测试可能泄露前沿模型的能力。",
        (_, _, false) => "No strong view either way.",
        (_, _, true) => "没有明确倾向。",
    }
}

impl SimulatedExpert {
    /// The expert's answers to `shown` (the questionnaire with the group's feedback), by item.
    fn answer(&mut self, shown: &Questionnaire, round: u32, rng: &mut Rng) -> BTreeMap<String, Answer> {
        let chinese = delphi_core::study::is_chinese_code(self.language);
        let mut answers = BTreeMap::new();
        // Ordinal items first: the rationales and the ranking follow from them.
        for item in &shown.items {
            let AnswerSpec::Ordinal { min, max, dont_know, .. } = &item.answer else { continue };
            let (min, max) = (f64::from(*min), f64::from(*max));
            let key = item.id.as_str().to_owned();
            let median = item.feedback.as_ref().and_then(|f| f.median);
            let answer = match (self.previous.get(&key), median) {
                // Round 1 (or an item new in this round): the expert's own view.
                (None, _) | (Some(_), None) => {
                    if *dont_know && rng.chance(0.03) {
                        Answer::DontKnow
                    } else {
                        let domain = item.domain.as_ref().map_or("", |d| d.as_str());
                        let criterion = item.criterion.as_ref().map_or("", |c| c.as_str());
                        let centre = view(domain, criterion, self.bloc).unwrap_or(f64::midpoint(min, max));
                        let point = (centre + 0.9 * rng.normal()).round().clamp(min, max);
                        Answer::Ordinal { point: point as i32 }
                    }
                }
                // Later rounds: most move toward the median they were shown; holdouts stay.
                (Some(previous), Some(median)) => match previous {
                    Answer::Ordinal { point } if !self.holdout && rng.chance(0.65) => {
                        let point = f64::from(*point);
                        let step = (median - point) * 0.6;
                        let moved = if step.abs() < 0.5 && (median - point).abs() >= 1.0 {
                            point + step.signum()
                        } else {
                            (point + step).round()
                        };
                        Answer::Ordinal { point: moved.clamp(min, max) as i32 }
                    }
                    Answer::DontKnow if rng.chance(0.5) => Answer::Ordinal { point: median.round() as i32 },
                    kept => kept.clone(),
                },
            };
            answers.insert(key, answer);
        }
        let point = |answers: &BTreeMap<String, Answer>, key: String| match answers.get(&key) {
            Some(Answer::Ordinal { point }) => Some(f64::from(*point)),
            _ => None,
        };
        // How favourable each area looks to this expert now: benefit against worst risk.
        let favour = |answers: &BTreeMap<String, Answer>, domain: &str| {
            let benefit = point(answers, format!("{domain}.benefit")).unwrap_or(4.0);
            let risk = ["risk-capabilities", "risk-information", "risk-harm"]
                .iter()
                .filter_map(|c| point(answers, format!("{domain}.{c}")))
                .fold(1.0, f64::max);
            benefit - risk
        };
        for item in &shown.items {
            let key = item.id.as_str().to_owned();
            let answer = match &item.answer {
                AnswerSpec::Ordinal { .. } => continue,
                AnswerSpec::Text => match &item.domain {
                    Some(domain) => {
                        let favourable = favour(&answers, domain.as_str()) > 0.0;
                        let because = reason(domain.as_str(), favourable, chinese);
                        let anchor = format!("{}.recommendation", domain.as_str());
                        // A holdout explains where their recommendation is off the group's median.
                        let shown_median = shown
                            .items
                            .iter()
                            .find(|i| i.id.as_str() == anchor)
                            .and_then(|i| i.feedback.as_ref())
                            .and_then(|f| f.median);
                        let differs = shown_median
                            .zip(point(&answers, anchor.clone()))
                            .is_some_and(|(median, own)| (median - own).abs() >= 1.0);
                        if round > 1 && self.holdout && differs {
                            let text = if chinese {
                                format!("看过小组反馈后我维持原评分：{because}")
                            } else {
                                format!("I keep my ratings after the feedback: {because}")
                            };
                            Answer::Text { text }
                        } else if round == 1 && rng.chance(0.5) {
                            Answer::Text { text: because.to_owned() }
                        } else if round > 1 && rng.chance(0.15) {
                            let text = if chinese {
                                "参考小组反馈后调整了评分。"
                            } else {
                                "I moved toward the group after reading the feedback."
                            };
                            Answer::Text { text: text.to_owned() }
                        } else {
                            continue;
                        }
                    }
                    None if round == 1 && rng.chance(0.2) => Answer::Text {
                        text: if chinese {
                            "联合建立人工智能事件数据库。"
                        } else {
                            "A joint database of AI incidents."
                        }
                        .to_owned(),
                    },
                    None => continue,
                },
                AnswerSpec::Ranking { options, .. } => {
                    let mut scored: Vec<(f64, &delphi_core::study::DomainId)> =
                        options.iter().map(|o| (favour(&answers, o.id.as_str()) + 0.3 * rng.normal(), &o.id)).collect();
                    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
                    Answer::Ranking { order: scored.into_iter().map(|(_, d)| d.clone()).collect() }
                }
                // Forecasts and calibration answers are kept from round to round.
                _ if self.previous.contains_key(&key) => self.previous[&key].clone(),
                AnswerSpec::Probability => {
                    let percent = (25.0 + 12.0 * rng.normal()).round().clamp(2.0, 90.0);
                    Answer::Probability { value: percent / 100.0 }
                }
                AnswerSpec::Quantile { min, max, levels, .. } => {
                    let (low, high) = (min.unwrap_or(0.0), max.unwrap_or(100.0));
                    let centre = match key.as_str() {
                        "years-to-first-agreement" => 6.0,
                        "seed-bletchley-countries" => 28.0,
                        "seed-eo14110-threshold" => 26.0,
                        _ => f64::midpoint(low, high),
                    };
                    let p50 = (centre * (1.0 + 0.25 * rng.normal())).round().clamp(low + 1.0, high - 1.0);
                    let spread = (centre * (0.2 + 0.3 * rng.unit())).round().max(1.0);
                    // each level as far from the median as it is from 50 %, within the bounds
                    let values = levels
                        .percents()
                        .map(|p| {
                            let v = p50 + spread * (f64::from(p) - 50.0) / 45.0;
                            if p < 50 { v.max(low) } else { v.min(high) }
                        })
                        .collect();
                    Answer::Quantile(QuantileValues::new(*levels, values).expect("one value per level"))
                }
                AnswerSpec::Numeric { min, max, .. } => {
                    let (low, high) = (min.unwrap_or(0.0), max.unwrap_or(100.0));
                    Answer::Numeric { value: (f64::midpoint(low, high) + rng.normal()).round().clamp(low, high) }
                }
            };
            answers.insert(key, answer);
        }
        self.previous = answers.clone();
        answers
    }
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
    let status = store.status(study.id.as_str(), &[])?;
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
                _ => None,
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

// ------------------------------------------------------------------------------- randomness

/// splitmix64: small, fast and fully determined by its seed — all the demo needs to make
/// the same experts give the same answers on every machine.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    /// A stream of `seed` for one purpose (`stream`: e.g. expert, round), independent of the
    /// order in which streams are used.
    fn new(seed: u64, stream: &[u64]) -> Self {
        let mut rng = Self(seed);
        for &part in stream {
            rng.0 ^= part.wrapping_mul(0xA24B_AED4_963E_E407);
            rng.next();
        }
        rng
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1_u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u = 1.0 - self.unit();
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_determined_by_its_seed_and_stream() {
        let draw = |seed, stream: &[u64]| {
            let mut rng = Rng::new(seed, stream);
            (0..4).map(|_| rng.next()).collect::<Vec<_>>()
        };
        assert_eq!(draw(7, &[1, 2]), draw(7, &[1, 2]));
        assert_ne!(draw(7, &[1, 2]), draw(7, &[2, 1]));
        assert_ne!(draw(7, &[1, 2]), draw(8, &[1, 2]));
        let mut rng = Rng::new(1, &[]);
        let mean = (0..20_000).map(|_| rng.normal()).sum::<f64>() / 20_000.0;
        assert!(mean.abs() < 0.05, "{mean}");
    }

    #[test]
    fn answers_are_written_in_the_forms_syntax() {
        assert_eq!(form_value(&Answer::Ordinal { point: 6 }), "6");
        assert_eq!(form_value(&Answer::Probability { value: 0.35 }), "35%");
        assert_eq!(
            form_value(&Answer::Quantile(QuantileValues::five_fifty_ninety_five(2.0, 5.0, 12.0))),
            "5%: 2 50%: 5 95%: 12"
        );
    }
}
