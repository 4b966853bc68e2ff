//! Invitation benchmark (bounded, loopback only): personalised invitations for a panel of
//! 10,000 experts rendered (link, deadline, reply form, text + HTML, in the expert's
//! language), each reserved with its token in the store (durably) and delivered to a real
//! SMTP server on loopback over pooled connections; then the same to the outbox folder.
//! Reported next to the bound of the same SMTP server measured in the same run: one
//! pre-built message sent 10,000 times over the same number of connections.
//!
//! `cargo bench -p delphi-collect --bench mail` · knobs: DELPHI_BENCH_EXPERTS (10000),
//! DELPHI_BENCH_CONNECTIONS (4). Needs python3 with aiosmtpd (scripts/test installs it).

#[path = "../../../tests/support/mail_servers.rs"]
mod mail_servers;

use std::sync::LazyLock;
use std::time::{Duration, Instant};

use chrono::Utc;
use delphi_collect::mail::{Campaign, MailTransport, RoundMail, Sender, SmtpSettings, StudyNotice, send_campaign};
use delphi_core::Study;
use delphi_core::panel::Panel;
use delphi_core::study::StudyId;
use delphi_store::Store;
use delphi_survey::FrozenRound;

const STUDY: &str = include_str!("../../../surveys/ai-safety-cooperation.toml");
static ID: LazyLock<StudyId> = LazyLock::new(|| StudyId::parse("ai-safety-cooperation").unwrap());

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let experts = usize::try_from(env_or("DELPHI_BENCH_EXPERTS", 10_000)).unwrap();
    let connections = u32::try_from(env_or("DELPHI_BENCH_CONNECTIONS", 4)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let study = Study::from_toml(STUDY, "study.toml").unwrap();
    let mut csv = String::from("id,name,email,institution,country,bloc,language,expertise\n");
    for i in 0..experts {
        let language = if i % 4 == 1 { "zh" } else { "en" };
        csv.push_str(&format!(
            "X{i:05},Expert {i},x{i}@example.org,Institute {},XX,{},{language},t\n",
            i % 10,
            ["US", "China", "Europe", "Other"][i % 4]
        ));
    }
    let open_store = |name: &str| {
        let path = dir.path().join(name);
        let mut store = Store::open(&path).unwrap();
        let now = Utc::now();
        store.register_study(&ID, STUDY, now).unwrap();
        store.import_panel(&ID, &Panel::from_csv(&csv, "panel.csv", &study).unwrap(), now).unwrap();
        let frozen = FrozenRound::build(&study, 1, None).unwrap();
        store
            .open_round(&ID, 1, 3, &serde_json::to_string(&frozen).unwrap(), now + chrono::Duration::days(14), now)
            .unwrap();
        (store, frozen)
    };
    let sink = mail_servers::SmtpSink::start(mail_servers::SmtpSecurity::Plain);
    let settings = SmtpSettings::parse(&format!("smtp://127.0.0.1:{}?tls=none", sink.port), None).unwrap();
    let sender = Sender {
        from: "Delphi <delphi@study.example>".parse().unwrap(),
        reply_to: "delphi@study.example".parse().unwrap(),
        base_url: "https://study.example".into(),
        notice: StudyNotice::default(),
    };

    // The bound: the same server, the same connections, one message built once.
    let transport = MailTransport::smtp(&settings, connections);
    let sample = lettre::Message::builder()
        .from(sender.from.clone())
        .to("x0@example.org".parse().unwrap())
        .subject("bound")
        .body("x".repeat(6_000))
        .unwrap();
    let started = Instant::now();
    std::thread::scope(|scope| {
        for worker in 0..connections as usize {
            let (transport, sample) = (&transport, &sample);
            scope.spawn(move || {
                for _ in (worker..experts).step_by(connections as usize) {
                    transport.deliver(sample, "bound").unwrap();
                }
            });
        }
    });
    let bound = started.elapsed();
    sink.wait_for(experts, Duration::from_secs(120));

    // The whole campaign of `delphi invite` through `transport`, timed, on a store of its own.
    let campaign = |name: &str, transport: &MailTransport| {
        let (mut store, frozen) = open_store(name);
        let recipients = store.round_recipients(&ID, 1).unwrap();
        let deadline = Utc::now() + chrono::Duration::days(14);
        let mail = RoundMail { study_id: &ID, round: 1, deadline, frozen: &frozen, sender: &sender };
        let started = Instant::now();
        let report = send_campaign(
            &mut store,
            &mail,
            Campaign::Invitation,
            &recipients,
            transport,
            connections as usize,
            &mut |_, _| {},
        )
        .unwrap();
        let elapsed = started.elapsed();
        assert_eq!((report.sent, report.failed.len()), (experts, 0));
        elapsed
    };
    let smtp_time = campaign("smtp.sqlite", &transport);
    let received = sink.wait_for(2 * experts, Duration::from_secs(120));
    assert!(received.len() >= 2 * experts);
    let outbox_time = campaign("outbox.sqlite", &MailTransport::Outbox(dir.path().join("outbox")));

    let rate = |d: Duration| experts as f64 / d.as_secs_f64();
    println!("invitations: {experts} experts, {connections} SMTP connections, loopback aiosmtpd sink");
    println!(
        "  bound (one pre-built message, same server):  {:>6.2} s  {:>7.0} msg/s",
        bound.as_secs_f64(),
        rate(bound)
    );
    println!(
        "  personalised invitations over SMTP:         {:>6.2} s  {:>7.0} msg/s  ({:.2}x the bound's time; target < 20 s)",
        smtp_time.as_secs_f64(),
        rate(smtp_time),
        smtp_time.as_secs_f64() / bound.as_secs_f64()
    );
    println!(
        "  personalised invitations to the outbox:     {:>6.2} s  {:>7.0} msg/s",
        outbox_time.as_secs_f64(),
        rate(outbox_time)
    );
}
