//! The email channel through the CLI, on the embedded default: invitations and reminders
//! written to the outbox, replies read from a real Maildir folder, receipts back. Checks
//! what each expert gets, that re-running sends and stores nothing twice, that replies
//! which are not answers are set aside, and that killing `ingest` mid-way loses nothing
//! and duplicates nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use mail_parser::MessageParser;

fn delphi(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_delphi"));
    command.args(["--study", "study/study.toml", "--data-dir", "data"]).current_dir(dir);
    command
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = delphi(dir).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "delphi {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A study `mail` with the shipped panel and round 1 open.
fn study() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let init = Command::new(env!("CARGO_BIN_EXE_delphi"))
        .args(["init", "study", "--id", "mail"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(init.status.success());
    ok(dir.path(), &["panel", "import"]);
    ok(dir.path(), &["round", "open", "--days", "14"]);
    dir
}

fn outbox(root: &Path) -> PathBuf {
    root.join("data/mail/outbox")
}

fn outbox_files(root: &Path, kind: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(outbox(root))
        .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "eml") && p.to_string_lossy().contains(kind));
    files.sort();
    files
}

/// What a test needs of a sent message.
#[derive(Debug)]
struct Sent {
    to: String,
    reply_to: String,
    subject: String,
    text: String,
    html: String,
    message_id: String,
}

fn read_sent(path: &Path) -> Sent {
    let raw = std::fs::read(path).unwrap();
    let message = MessageParser::default().parse(&raw).expect("a MIME message");
    let address = |a: Option<&mail_parser::Address<'_>>| {
        a.and_then(|a| a.first()).and_then(|a| a.address()).unwrap_or_default().to_owned()
    };
    Sent {
        to: address(message.to()),
        reply_to: address(message.reply_to()),
        subject: message.subject().unwrap_or_default().to_owned(),
        text: message.body_text(0).unwrap_or_default().into_owned(),
        html: message.body_html(0).unwrap_or_default().into_owned(),
        message_id: message.message_id().unwrap_or_default().to_owned(),
    }
}

/// The expert's token: the `+tag` of the reply address.
fn token_of(sent: &Sent) -> String {
    let local = sent.reply_to.split('@').next().unwrap();
    local.split_once('+').expect("a reply address with a token").1.to_owned()
}

/// The invitations in the outbox, by recipient address.
fn invitations(root: &Path) -> BTreeMap<String, Sent> {
    outbox_files(root, "-invitation-").iter().map(|p| read_sent(p)).map(|s| (s.to.clone(), s)).collect()
}

/// A plain-text reply to `invitation` from `from`, with `answers` written above the quoted form.
fn reply(invitation: &Sent, from: &str, message_id: &str, answers: &str) -> Vec<u8> {
    let quoted: String = invitation.text.lines().map(|line| format!("> {line}\r\n")).collect();
    format!(
        "From: {from}\r\nTo: {}\r\nSubject: Re: {}\r\nMessage-ID: <{message_id}>\r\nIn-Reply-To: <{}>\r\n\
         Date: Sat, 28 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: 8bit\r\n\r\n{}\r\n\r\nOn Friday the study wrote:\r\n{quoted}",
        invitation.reply_to,
        invitation.subject,
        invitation.message_id,
        answers.replace('\n', "\r\n")
    )
    .into_bytes()
}

/// A study whose round 1 invitations are in the outbox (by recipient), and an empty Maildir.
fn invited() -> (tempfile::TempDir, BTreeMap<String, Sent>, PathBuf) {
    let dir = study();
    ok(dir.path(), &["invite"]);
    let sent = invitations(dir.path());
    let maildir = maildir(dir.path());
    (dir, sent, maildir)
}

fn maildir(root: &Path) -> PathBuf {
    let dir = root.join("maildir");
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    dir
}

fn deliver(maildir: &Path, name: &str, raw: &[u8]) {
    std::fs::write(maildir.join("tmp").join(name), raw).unwrap();
    std::fs::rename(maildir.join("tmp").join(name), maildir.join("new").join(name)).unwrap();
}

fn sql(root: &Path, query: &str) -> i64 {
    let conn = rusqlite::Connection::open(root.join("data/mail/delphi.sqlite")).unwrap();
    conn.query_row(query, [], |r| r.get(0)).unwrap()
}

#[test]
fn invitations_go_to_the_outbox_once_each_in_the_experts_language() {
    let dir = study();
    let root = dir.path();
    let dry = ok(root, &["invite", "--dry-run"]);
    assert!(dry.contains("20 message(s) would go"), "{dry}");
    assert!(outbox_files(root, "").is_empty(), "a dry run writes nothing");

    let first = ok(root, &["invite"]);
    assert!(first.contains("20 invitation(s) sent"), "{first}");
    let again = ok(root, &["invite"]);
    assert!(again.contains("0 invitation(s) sent") && again.contains("20 sent before"), "{again}");
    let sent = invitations(root);
    assert_eq!(sent.len(), 20, "one invitation per expert, none twice");

    let panel = std::fs::read_to_string(root.join("study/panel.csv")).unwrap();
    for row in panel.lines().skip(1) {
        let fields: Vec<&str> = row.split(',').collect();
        let (email, language) = (fields[2], fields[6]);
        let invitation = &sent[email];
        let token = token_of(invitation);
        assert_eq!(token.len(), 32);
        assert!(invitation.text.contains(&format!("/s/{token}")), "the link carries the same token");
        assert!(invitation.html.contains(&format!("/s/{token}")));
        assert!(invitation.text.contains("[verification.benefit]"), "the reply form is in the text part");
        if language == "zh" {
            assert!(invitation.subject.starts_with("第1轮"), "{}", invitation.subject);
        } else {
            assert!(invitation.subject.starts_with("Round 1"), "{}", invitation.subject);
        }
    }
    let tokens: std::collections::BTreeSet<String> = sent.values().map(token_of).collect();
    assert_eq!(tokens.len(), 20, "every expert has a token of their own");
    assert_eq!(sql(root, "SELECT COUNT(*) FROM outgoing_mail WHERE kind = 'invitation' AND sent_at IS NOT NULL"), 20);
}

#[test]
fn replies_are_recorded_once_and_answered_and_the_rest_is_set_aside() {
    let (dir, sent, maildir) = invited();
    let root = dir.path();
    let avery = &sent["avery.placeholder@example.org"];
    let jordan = &sent["jordan.samplewood@example.org"];
    deliver(
        &maildir,
        "1.avery",
        &reply(
            avery,
            "Avery Placeholder <Avery.Placeholder@Example.org>",
            "r1@example.org",
            "[verification.benefit] 4\n[verification.risk-capabilities] 2",
        ),
    );
    deliver(
        &maildir,
        "2.jordan",
        &reply(jordan, "jordan.samplewood@example.org", "r2@example.org", "[verification.benefit] 9"),
    );
    deliver(&maildir, "3.spoof", &reply(avery, "mallory@example.net", "r3@example.net", "[verification.benefit] 1"));
    let mut away = reply(jordan, "jordan.samplewood@example.org", "r4@example.org", "I am out of the office.");
    away.splice(0..0, b"Auto-Submitted: auto-replied\r\n".iter().copied());
    deliver(&maildir, "4.away", &away);
    let forged =
        String::from_utf8(reply(avery, "avery.placeholder@example.org", "r5@example.org", "[verification.benefit] 1"))
            .unwrap()
            .replace(&token_of(avery), "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    deliver(&maildir, "5.guess", forged.as_bytes());

    let dry = ok(root, &["ingest", "--maildir", "maildir", "--dry-run"]);
    assert!(dry.contains("would record 2 answer(s) from E01"), "{dry}");
    assert_eq!(sql(root, "SELECT COUNT(*) FROM inbound_mail"), 0, "a dry run stores nothing");
    assert!(outbox_files(root, "-receipt-").is_empty(), "a dry run sends nothing");

    let out = ok(root, &["ingest", "--maildir", "maildir"]);
    assert!(out.contains("recorded 2 answer(s) from E01"), "{out}");
    assert!(out.contains("not recorded from E02, the form has problems"), "{out}");
    assert!(out.contains("set aside (spoofed) from E01"), "{out}");
    assert!(out.contains("set aside (auto-reply)"), "{out}");
    assert!(out.contains("set aside (unknown-token)"), "{out}");
    assert_eq!(std::fs::read_dir(maildir.join("new")).unwrap().count(), 0, "processed messages leave new/");

    let outcomes = |outcome: &str| sql(root, &format!("SELECT COUNT(*) FROM inbound_mail WHERE outcome = '{outcome}'"));
    assert_eq!(["recorded", "invalid", "spoofed", "auto-reply", "unknown-token"].map(outcomes), [1, 1, 1, 1, 1]);
    let stored = sql(
        root,
        "SELECT COUNT(*) FROM answers a JOIN submissions s ON s.id = a.submission_id WHERE s.expert_id = 'E01' AND s.channel = 'email'",
    );
    assert_eq!(stored, 2, "only the genuine reply's answers are stored");

    // The receipt lists what was recorded; the invalid reply gets the problems; nobody else hears back.
    let receipts: Vec<Sent> = outbox_files(root, "-receipt-").iter().map(|p| read_sent(p)).collect();
    assert_eq!(receipts.len(), 2, "{receipts:?}");
    let to_avery = receipts.iter().find(|r| r.to == "avery.placeholder@example.org").expect("a receipt for Avery");
    assert!(to_avery.text.contains("2 answers of yours to round 1 were recorded"), "{}", to_avery.text);
    assert!(to_avery.text.contains("[verification.benefit] 4"), "the receipt shows the recorded answer");
    let to_jordan = receipts.iter().find(|r| r.to == "jordan.samplewood@example.org").expect("problems for Jordan");
    assert!(to_jordan.text.contains("nothing of it was stored") && to_jordan.text.contains("9"), "{}", to_jordan.text);
    assert_eq!(token_of(to_jordan), token_of(jordan), "answering the problems reaches the same expert");

    let again = ok(root, &["ingest", "--maildir", "maildir"]);
    assert!(again.contains("5 dealt with before"), "{again}");
    assert_eq!(sql(root, "SELECT COUNT(*) FROM submissions"), 1, "nothing stored twice");
    assert_eq!(outbox_files(root, "-receipt-").len(), 2, "no receipt sent twice");
}

#[test]
fn reminders_go_only_to_experts_who_have_not_answered_and_earlier_links_keep_working() {
    let (dir, sent, maildir) = invited();
    let root = dir.path();
    let avery = &sent["avery.placeholder@example.org"];
    deliver(
        &maildir,
        "1",
        &reply(avery, "avery.placeholder@example.org", "r1@example.org", "[verification.benefit] 4"),
    );
    ok(root, &["ingest", "--maildir", "maildir"]);

    let not_due = ok(root, &["remind"]);
    assert!(not_due.contains("no reminder is due yet"), "{not_due}");
    assert!(outbox_files(root, "-reminder-").is_empty());
    let now = ok(root, &["remind", "--now"]);
    assert!(now.contains("19 reminder 1(s) sent"), "{now}");
    let reminders: Vec<Sent> = outbox_files(root, "-reminder-1-").iter().map(|p| read_sent(p)).collect();
    assert_eq!(reminders.len(), 19);
    assert!(reminders.iter().all(|r| r.to != avery.to), "no reminder to an expert who answered");
    let rerun = ok(root, &["remind"]);
    assert!(rerun.contains("no reminder is due yet"), "{rerun}");

    // Both the invitation's and the reminder's reply address identify the expert.
    let jordan_reminder = reminders.iter().find(|r| r.to == "jordan.samplewood@example.org").unwrap();
    let jordan_invitation = &sent["jordan.samplewood@example.org"];
    assert_ne!(token_of(jordan_reminder), token_of(jordan_invitation));
    deliver(
        &maildir,
        "2",
        &reply(jordan_invitation, "jordan.samplewood@example.org", "r2@example.org", "[verification.benefit] 3"),
    );
    deliver(
        &maildir,
        "3",
        &reply(jordan_reminder, "jordan.samplewood@example.org", "r3@example.org", "[verification.benefit] 2"),
    );
    let out = ok(root, &["ingest", "--maildir", "maildir"]);
    assert_eq!(out.matches("recorded 1 answer(s) from E02").count(), 2, "{out}");
    let second = ok(root, &["remind", "--now"]);
    assert!(second.contains("18 reminder 2(s) sent"), "{second}");
    let status = ok(root, &["status"]);
    assert!(status.contains("email: 20 invitation(s), 3 receipt(s), 37 reminder(s) sent"), "{status}");
}

/// Replies for the kill test: `count` genuine replies, spread over the panel.
fn many_replies(root: &Path, maildir: &Path, count: usize) {
    let sent: Vec<Sent> = invitations(root).into_values().collect();
    for i in 0..count {
        let invitation = &sent[i % sent.len()];
        let point = 1 + i % 5;
        let raw = reply(
            invitation,
            &invitation.to,
            &format!("bulk-{i}@example.org"),
            &format!("[verification.benefit] {point}"),
        );
        deliver(maildir, &format!("{i:04}"), &raw);
    }
}

#[test]
fn killing_ingest_mid_way_loses_nothing_and_duplicates_nothing() {
    let dir = study();
    let root = dir.path();
    ok(root, &["invite"]);
    let maildir = maildir(root);
    let count = 300;
    many_replies(root, &maildir, count);
    for delay_ms in [150, 300, 450, 600] {
        let mut child = delphi(root)
            .args(["ingest", "--maildir", "maildir"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().unwrap();
        child.wait().unwrap();
    }
    let killed_at = sql(root, "SELECT COUNT(*) FROM inbound_mail");
    eprintln!("the killed runs dealt with {killed_at} of {count} replies");
    assert!(killed_at < i64::try_from(count).unwrap(), "the kills must come mid-way for this test to mean anything");
    ok(root, &["ingest", "--maildir", "maildir"]);
    let final_count = sql(root, "SELECT COUNT(*) FROM inbound_mail");
    assert_eq!(
        final_count,
        i64::try_from(count).unwrap(),
        "every reply is dealt with (killed runs had done {killed_at})"
    );
    assert_eq!(sql(root, "SELECT COUNT(*) FROM submissions WHERE channel = 'email'"), final_count, "each once");
    assert_eq!(sql(root, "SELECT COUNT(DISTINCT source_ref) FROM submissions"), final_count);
    assert_eq!(
        sql(root, "SELECT COUNT(*) FROM outgoing_mail WHERE kind = 'receipt' AND sent_at IS NOT NULL"),
        final_count,
        "every reply got its receipt in the end"
    );
    assert_eq!(outbox_files(root, "-receipt-").len(), count);
    let conn = rusqlite::Connection::open(root.join("data/mail/delphi.sqlite")).unwrap();
    let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(integrity, "ok");
}

// ---- Against real servers: an SMTP server (aiosmtpd, STARTTLS + AUTH) and Dovecot (IMAPS).

#[path = "support/mail_servers.rs"]
mod mail_servers;

use mail_servers::{Dovecot, SmtpSecurity, SmtpSink, test_ca};

/// `delphi` with the SMTP server as its transport (the password from the environment, as
/// a coordinator would set it) and the test CA trusted.
fn delphi_smtp(root: &Path, sink: &SmtpSink, args: &[&str]) -> std::process::Output {
    delphi(root)
        .args(args)
        .args(["--smtp", &format!("smtp://{}@localhost:{}", sink.user, sink.port)])
        .env("DELPHI_SMTP_PASSWORD", &sink.password)
        .env("SSL_CERT_FILE", &test_ca().bundle)
        .output()
        .unwrap()
}

fn header_of(raw: &[u8], name: &str) -> String {
    let message = MessageParser::default().parse(raw).unwrap();
    message.header_raw(name).unwrap_or_default().trim().to_owned()
}

#[test]
fn invitations_reach_a_real_smtp_server_over_starttls_with_authentication_once() {
    let dir = study();
    let root = dir.path();
    let sink = SmtpSink::start(SmtpSecurity::StartTls);

    let refused = delphi(root)
        .args(["invite", "--smtp", &format!("smtp://{}@localhost:{}", sink.user, sink.port)])
        .env("DELPHI_SMTP_PASSWORD", "wrong")
        .env("SSL_CERT_FILE", &test_ca().bundle)
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(message.contains("localhost") && message.to_lowercase().contains("auth"), "{message}");
    assert_eq!(sql(root, "SELECT COUNT(*) FROM outgoing_mail"), 0, "nothing reserved when the server refuses us");

    let out = delphi_smtp(root, &sink, &["invite"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let received = sink.wait_for(20, Duration::from_secs(30));
    assert_eq!(received.len(), 20);
    let mut recipients = sink.envelope_recipients();
    recipients.sort();
    let panel = std::fs::read_to_string(root.join("study/panel.csv")).unwrap();
    let mut emails: Vec<String> = panel.lines().skip(1).map(|row| row.split(',').nth(2).unwrap().to_owned()).collect();
    emails.sort();
    assert_eq!(recipients, emails, "one invitation to each expert's address");
    assert!(received.iter().all(|raw| header_of(raw, "Content-Type").starts_with("multipart/alternative")));

    let again = delphi_smtp(root, &sink, &["invite"]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("20 sent before"));
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(sink.messages().len(), 20, "a re-run sends nothing twice");
    assert!(outbox_files(root, "").is_empty(), "with a server, nothing goes to the outbox");
}

#[test]
fn invitations_also_go_over_implicit_tls() {
    let dir = study();
    let root = dir.path();
    let sink = SmtpSink::start(SmtpSecurity::ImplicitTls);
    let out = delphi(root)
        .args(["invite", "--expert", "E07", "--smtp", &format!("smtps://{}@localhost:{}", sink.user, sink.port)])
        .env("DELPHI_SMTP_PASSWORD", &sink.password)
        .env("SSL_CERT_FILE", &test_ca().bundle)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let received = sink.wait_for(1, Duration::from_secs(30));
    assert_eq!(sink.envelope_recipients().len(), 1);
    assert!(header_of(&received[0], "Reply-To").contains("+"), "the reply address carries the token");

    // An unknown certificate authority is refused: nothing is sent, nothing recorded as sent.
    let untrusted = delphi(root)
        .args(["invite", "--smtp", &format!("smtps://{}@localhost:{}", sink.user, sink.port)])
        .env("DELPHI_SMTP_PASSWORD", &sink.password)
        .env("SSL_CERT_FILE", "/dev/null")
        .output()
        .unwrap();
    assert!(!untrusted.status.success());
    assert_eq!(sql(root, "SELECT COUNT(*) FROM outgoing_mail WHERE sent_at IS NOT NULL"), 1);
}

/// One case of the reply corpus (tests/data/replies/cases.toml).
#[derive(Debug, serde::Deserialize)]
struct Case {
    file: String,
    expert: Option<String>,
    other_expert: Option<String>,
    outcome: String,
    why: String,
    #[serde(default)]
    answers: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    problems: Vec<String>,
    /// For a duplicate: the case whose message this is again.
    same_message_as: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
struct Corpus {
    case: Vec<Case>,
}

/// A live token for `expert`, from a personal link (`delphi round links`).
fn token_for(root: &Path, expert: &str) -> String {
    let line = ok(root, &["round", "links", "--expert", expert]);
    line.trim().rsplit("/s/").next().unwrap().to_owned()
}

#[test]
fn the_reply_corpus_read_over_imap_ends_as_expected_and_a_second_run_changes_nothing() {
    let dir = study();
    let root = dir.path();
    let corpus_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/replies");
    let corpus: Corpus = toml::from_str(&std::fs::read_to_string(corpus_dir.join("cases.toml")).unwrap()).unwrap();
    assert!(corpus.case.len() >= 20, "the corpus holds at least 20 replies");

    let mut tokens = BTreeMap::new();
    let mut token = |expert: &str| tokens.entry(expert.to_owned()).or_insert_with(|| token_for(root, expert)).clone();
    let dovecot = Dovecot::start();
    let mut keys = Vec::new();
    for case in &corpus.case {
        let mut raw = std::fs::read(corpus_dir.join(&case.file)).unwrap();
        for (placeholder, expert) in [("{{TOKEN}}", &case.expert), ("{{TOKEN_OTHER}}", &case.other_expert)] {
            if let Some(expert) = expert {
                raw = replace_bytes(&raw, placeholder.as_bytes(), token(expert).as_bytes());
            }
        }
        let key = MessageParser::default().parse(&raw).and_then(|m| m.message_id().map(|id| format!("<{id}>")));
        keys.push(key.expect("every corpus message has a Message-ID"));
        dovecot.deliver(&raw);
    }

    let sink = SmtpSink::start(SmtpSecurity::StartTls);
    let imap = format!("imaps://{}@localhost:{}/INBOX", dovecot.user, dovecot.port);
    let ingest = |root: &Path| {
        let out = delphi(root)
            .args(["ingest", "--imap", &imap, "--smtp", &format!("smtp://{}@localhost:{}", sink.user, sink.port)])
            .env("DELPHI_IMAP_PASSWORD", &dovecot.password)
            .env("DELPHI_SMTP_PASSWORD", &sink.password)
            .env("SSL_CERT_FILE", &test_ca().bundle)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let report = ingest(root);

    let conn = rusqlite::Connection::open(root.join("data/mail/delphi.sqlite")).unwrap();
    let mut answered = 0;
    let mut failures = Vec::new();
    for (case, key) in corpus.case.iter().zip(&keys) {
        let row: Option<(String, Option<i64>, Option<String>)> = conn
            .query_row(
                "SELECT outcome, submission_id, expert_id FROM inbound_mail WHERE message_key = ?1",
                [key],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .ok();
        let Some((outcome, submission, expert)) = row else {
            failures.push(format!("{}: not dealt with", case.file));
            continue;
        };
        let expected = match &case.same_message_as {
            Some(original) => corpus.case.iter().find(|c| &c.file == original).map_or("?", |c| c.outcome.as_str()),
            None => case.outcome.as_str(),
        };
        if outcome != expected {
            failures.push(format!("{} ({}): {outcome}, expected {}", case.file, case.why, case.outcome));
            continue;
        }
        if matches!(expected, "recorded" | "invalid") && case.outcome != "duplicate" {
            answered += 1;
            assert_eq!(expert.as_deref(), case.expert.as_deref(), "{}", case.file);
        }
        for (item, value) in &case.answers {
            let stored: Option<String> = conn
                .query_row(
                    "SELECT value FROM answers WHERE submission_id = ?1 AND item_id = ?2",
                    rusqlite::params![submission, item],
                    |r| r.get(0),
                )
                .ok();
            let stored: Option<serde_json::Value> = stored.map(|s| serde_json::from_str(&s).unwrap());
            if stored.as_ref() != Some(value) {
                failures.push(format!("{}: {item} stored as {stored:?}, expected {value}", case.file));
            }
        }
        if !case.problems.is_empty() {
            let to_expert = sink
                .messages()
                .into_iter()
                .find(|raw| header_of(raw, "In-Reply-To").contains(key.trim_matches(['<', '>'])))
                .map(|raw| MessageParser::default().parse(&raw).unwrap().body_text(0).unwrap().into_owned());
            match to_expert {
                Some(text) => {
                    for problem in &case.problems {
                        if !text.contains(problem.as_str()) {
                            failures
                                .push(format!("{}: the answer to the expert lacks “{problem}”:\n{text}", case.file));
                        }
                    }
                }
                None => failures.push(format!("{}: the expert was not told the problems", case.file)),
            }
        }
    }
    assert!(failures.is_empty(), "{}\n\ningest said:\n{report}", failures.join("\n"));

    // Answers go back only to identified experts, to their panel address; nobody else hears back.
    let sent = sink.wait_for(answered, Duration::from_secs(30));
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(sink.messages().len(), answered, "{:?}", sink.envelope_recipients());
    let panel = std::fs::read_to_string(root.join("study/panel.csv")).unwrap();
    let email_of = |expert: &str| {
        panel
            .lines()
            .find(|row| row.starts_with(&format!("{expert},")))
            .map(|row| row.split(',').nth(2).unwrap().to_owned())
    };
    let mut expected: Vec<String> = corpus
        .case
        .iter()
        .filter(|c| matches!(c.outcome.as_str(), "recorded" | "invalid"))
        .filter_map(|c| email_of(c.expert.as_deref()?))
        .collect();
    let mut recipients = sink.envelope_recipients();
    expected.sort();
    recipients.sort();
    assert_eq!(recipients, expected, "each answer goes to the panel address of the expert the token names");
    assert!(sent.iter().all(|raw| header_of(raw, "Auto-Submitted") == "auto-replied"));

    let before: i64 = conn.query_row("SELECT COUNT(*) FROM submissions", [], |r| r.get(0)).unwrap();
    let second = ingest(root);
    assert!(second.contains("0 message(s) read"), "processed messages are marked in the mailbox: {second}");
    let after: i64 = conn.query_row("SELECT COUNT(*) FROM submissions", [], |r| r.get(0)).unwrap();
    assert_eq!(before, after, "a second run stores nothing twice");
    assert_eq!(sink.messages().len(), answered, "and sends nothing twice");
}

fn replace_bytes(haystack: &[u8], needle: &[u8], replacement: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut rest = haystack;
    while let Some(at) = rest.windows(needle.len()).position(|w| w == needle) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(replacement);
        rest = &rest[at + needle.len()..];
    }
    out.extend_from_slice(rest);
    out
}

#[test]
fn a_dry_run_over_imap_reads_everything_and_marks_nothing() {
    let (dir, sent, _) = invited();
    let root = dir.path();
    let avery = &sent["avery.placeholder@example.org"];
    let jordan = &sent["jordan.samplewood@example.org"];
    let dovecot = Dovecot::start();
    dovecot.deliver(&reply(avery, "avery.placeholder@example.org", "d1@example.org", "[verification.benefit] 4"));
    dovecot.deliver(&reply(jordan, "jordan.samplewood@example.org", "d2@example.org", "[verification.benefit] 5"));
    let imap = format!("imaps://{}@localhost:{}/INBOX", dovecot.user, dovecot.port);
    let ingest = |extra: &[&str]| {
        let out = delphi(root)
            .args(["ingest", "--imap", &imap])
            .args(extra)
            .env("DELPHI_IMAP_PASSWORD", &dovecot.password)
            .env("SSL_CERT_FILE", &test_ca().bundle)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
        stdout
    };

    for run in ["first", "second"] {
        let dry = ingest(&["--dry-run"]);
        assert!(dry.contains("INBOX/1: would record 1 answer(s) from E01"), "{run} dry run: {dry}");
        assert!(dry.contains("INBOX/2: would record 1 answer(s) from E02"), "{run} dry run: {dry}");
        assert!(dry.contains("2 message(s) read") && dry.contains("nothing was stored or sent"), "{dry}");
        assert_eq!(sql(root, "SELECT COUNT(*) FROM inbound_mail"), 0, "a dry run stores nothing");
        assert_eq!(dovecot.unseen_count("INBOX"), 2, "read with PEEK: \\Seen is left alone");
    }
    assert!(outbox_files(root, "-receipt-").is_empty(), "a dry run sends nothing");

    // Nothing was marked: the real run finds both, and marks them.
    let real = ingest(&[]);
    assert!(real.contains("2 message(s) read; 2 recorded"), "{real}");
    assert_eq!(sql(root, "SELECT COUNT(*) FROM submissions WHERE channel = 'email'"), 2);
    assert_eq!(dovecot.unseen_count("INBOX"), 2, "a real run leaves \\Seen alone too");
    let after = ingest(&["--dry-run"]);
    assert!(after.contains("0 message(s) read"), "processed messages are marked: {after}");
}
