//! The email channel through the CLI, on the embedded default: invitations and reminders
//! written to the outbox, replies read from a real Maildir folder, receipts back. Checks
//! what each expert gets, that re-running sends and stores nothing twice, that replies
//! which are not answers are set aside, and that killing `ingest` mid-way loses nothing
//! and duplicates nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use mail_parser::MessageParser;

use crate::util::{delphi, init, ok};

/// A study `mail` with the shipped panel and round 1 open.
fn study() -> tempfile::TempDir {
    study_with_panel(None)
}

/// A study `mail` with round 1 open, its panel the shipped one or `panel` (a CSV file).
fn study_with_panel(panel: Option<&Path>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path(), &["--id", "mail", "--example", "ai-safety"]);
    if let Some(panel) = panel {
        std::fs::copy(panel, dir.path().join("study/panel.csv")).unwrap();
    }
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
    assert!(out.contains("asked to fix from E02"), "{out}");
    assert!(out.contains("set aside (spoofed) from E01"), "{out}");
    assert!(out.contains("set aside (auto-reply)"), "{out}");
    assert!(out.contains("set aside (unknown-token)") && out.contains("the sender was sent a notice"), "{out}");
    assert_eq!(std::fs::read_dir(maildir.join("new")).unwrap().count(), 0, "processed messages leave new/");

    let outcomes = |outcome: &str| sql(root, &format!("SELECT COUNT(*) FROM inbound_mail WHERE outcome = '{outcome}'"));
    assert_eq!(["recorded", "invalid", "spoofed", "auto-reply", "unknown-token"].map(outcomes), [1, 1, 1, 1, 1]);
    let stored = sql(
        root,
        "SELECT COUNT(*) FROM answers a JOIN submissions s ON s.id = a.submission_id WHERE s.expert_id = 'E01' AND s.channel = 'email'",
    );
    assert_eq!(stored, 2, "only the genuine reply's answers are stored");

    // The receipt lists what was recorded; the invalid reply gets the problems; Avery, whose
    // second message carried no token of hers, gets a notice at her panel address; nobody
    // else hears back (not the outsider who used her token).
    let receipts: Vec<Sent> = outbox_files(root, "-receipt-").iter().map(|p| read_sent(p)).collect();
    assert_eq!(receipts.len(), 3, "{receipts:?}");
    let notice = receipts.iter().find(|r| r.subject.starts_with("Which invitation?")).expect("a notice to Avery");
    assert_eq!(notice.to, "avery.placeholder@example.org");
    assert!(notice.text.contains("could not tell which invitation"), "{}", notice.text);
    assert_eq!(token_of(notice).len(), 32, "the notice carries a fresh personal reply address");
    let to_avery = receipts
        .iter()
        .find(|r| r.to == "avery.placeholder@example.org" && r.subject.starts_with("Received"))
        .expect("a receipt for Avery");
    assert!(to_avery.text.contains("2 answers of yours to round 1 were recorded"), "{}", to_avery.text);
    assert!(to_avery.text.contains("[verification.benefit] 4"), "the receipt shows the recorded answer");
    let to_jordan = receipts.iter().find(|r| r.to == "jordan.samplewood@example.org").expect("problems for Jordan");
    assert!(to_jordan.text.contains("nothing of it was stored") && to_jordan.text.contains("9"), "{}", to_jordan.text);
    assert_eq!(token_of(to_jordan), token_of(jordan), "answering the problems reaches the same expert");

    let again = ok(root, &["ingest", "--maildir", "maildir"]);
    assert!(again.contains("5 dealt with before"), "{again}");
    assert_eq!(sql(root, "SELECT COUNT(*) FROM submissions"), 1, "nothing stored twice");
    assert_eq!(outbox_files(root, "-receipt-").len(), 3, "no receipt sent twice");
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
    // Everyone left was reminded in this slot already: a second one only on purpose.
    let second = ok(root, &["remind", "--now", "--force"]);
    assert!(second.contains("18 reminder 2(s) sent"), "{second}");
    let status = ok(root, &["status"]);
    assert!(status.contains("email: 20 invitation(s), 3 receipt(s), 37 reminder(s) sent"), "{status}");
}

#[test]
fn a_late_reply_to_a_closed_round_is_never_recorded_and_the_expert_is_shown_the_open_round() {
    let (dir, sent, maildir) = invited();
    let root = dir.path();
    let avery = &sent["avery.placeholder@example.org"];
    let jordan = &sent["jordan.samplewood@example.org"];
    let from = "avery.placeholder@example.org";
    deliver(&maildir, "0", &reply(jordan, &jordan.to, "on-time@example.org", "[verification.benefit] 5"));
    ok(root, &["ingest", "--maildir", "maildir"]);
    ok(root, &["round", "close"]);
    let round_1 = "SELECT COUNT(*) FROM submissions WHERE round = 1";
    assert_eq!(sql(root, round_1), 1);
    let letters_to_avery =
        || -> Vec<Sent> { outbox_files(root, "-receipt-E01-").iter().map(|p| read_sent(p)).collect::<Vec<_>>() };

    // Between rounds: the late answer is not recorded, and Avery is told why and what next.
    deliver(&maildir, "1", &reply(avery, from, "late-1@example.org", "[verification.benefit] 4"));
    let out = ok(root, &["ingest", "--maildir", "maildir"]);
    assert!(out.contains("refused from E01: it answers round 1, which has closed"), "{out}");
    assert_eq!(sql(root, round_1), 1, "a late answer is never recorded into the closed round");
    let letters = letters_to_avery();
    assert_eq!(letters.len(), 1);
    let between = &letters[0];
    assert!(between.subject.starts_with("Round 1 has closed"), "{}", between.subject);
    assert!(between.text.contains("between rounds"), "{}", between.text);
    assert!(!between.text.contains("/s/"), "no link to a round that does not exist: {}", between.text);

    // Round 2 opens; another late reply to the round-1 invitation gets round 2's link.
    ok(root, &["round", "open"]);
    deliver(&maildir, "2", &reply(avery, from, "late-2@example.org", "[verification.benefit] 6"));
    let out = ok(root, &["ingest", "--maildir", "maildir"]);
    assert!(out.contains("refused from E01"), "{out}");
    assert_eq!(sql(root, "SELECT COUNT(*) FROM submissions WHERE expert_id = 'E01'"), 0, "in no round");
    let late = letters_to_avery().into_iter().find(|l| l.subject.contains("round 2 is open")).unwrap_or_else(|| {
        panic!(
            "no letter naming the open round: {:?}",
            letters_to_avery().iter().map(|l| &l.subject).collect::<Vec<_>>()
        )
    });
    assert_eq!(letters_to_avery().len(), 2, "one letter per late reply, though the first was read again");
    assert!(late.subject.starts_with("Round 1 has closed, round 2 is open"), "{}", late.subject);
    assert!(late.text.contains("Round 2 is open now"), "{}", late.text);
    let token = token_of(&late);
    assert_ne!(token, token_of(avery), "a fresh token, for round 2");
    assert!(late.text.contains(&format!("http://127.0.0.1:8080/s/{token}")), "its link: {}", late.text);
    assert!(late.text.contains("[verification.benefit]"), "round 2's form: {}", late.text);

    // Answering that letter records in round 2, the open round.
    deliver(&maildir, "3", &reply(&late, from, "round-2@example.org", "[verification.benefit] 6"));
    let out = ok(root, &["ingest", "--maildir", "maildir"]);
    assert!(out.contains("recorded 1 answer(s) from E01"), "{out}");
    assert_eq!(sql(root, "SELECT COUNT(*) FROM submissions WHERE expert_id = 'E01' AND round = 2"), 1);
    assert_eq!(sql(root, round_1), 1, "round 1 never changed");
}

/// Replies for the kill test: `count` genuine replies, spread over the panel.
fn many_replies(root: &Path, maildir: &Path, count: usize) {
    let sent: Vec<Sent> = invitations(root).into_values().collect();
    for i in 0..count {
        let invitation = &sent[i % sent.len()];
        // each expert's next reply changes their answer (an unchanged one records nothing)
        let point = 1 + (i / sent.len()) % 5;
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

/// A reply to a letter of ours (`letter`), quoting all of it with `> ` and `edit` applied to
/// the quote, with `top` written above.
fn reply_to_letter(letter: &Sent, from: &str, message_id: &str, top: &str, edit: Option<(&str, &str)>) -> Vec<u8> {
    let text = match edit {
        Some((from, to)) => letter.text.replace(from, to),
        None => letter.text.clone(),
    };
    let quoted: String = text.lines().map(|line| format!("> {line}\r\n")).collect();
    format!(
        "From: {from}\r\nTo: {}\r\nSubject: Re: {}\r\nMessage-ID: <{message_id}>\r\nIn-Reply-To: <{id}>\r\nReferences: <{id}>\r\n\
         Date: Wed, 2 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: 8bit\r\n\r\n{top}\r\n\r\nOn Tuesday the study wrote:\r\n{quoted}",
        letter.reply_to,
        letter.subject,
        id = letter.message_id.trim_matches(['<', '>']),
    )
    .into_bytes()
}

#[test]
fn the_fix_letter_comes_back_filled_in_and_replying_to_it_records_the_whole_form() {
    let dir = study();
    let root = dir.path();
    ok(root, &["invite", "--base-url", "https://delphi.example.org"]);
    let sent = invitations(root);
    let maildir = maildir(root);
    let avery = &sent["avery.placeholder@example.org"];
    assert!(avery.text.contains("https://delphi.example.org/s/"), "{}", avery.text);
    deliver(
        &maildir,
        "1.first",
        &reply(avery, &avery.to, "first@example.org", "[verification.benefit] 5\n[verification.risk-harm] 9"),
    );
    let out = ok(root, &["ingest", "--maildir", "maildir"]);
    assert!(out.contains("asked to fix from E01"), "{out}");
    let letter = read_sent(&outbox_files(root, "-receipt-")[0]);
    // The problem is named by the question's words, not the item's id or a line number.
    let problem = letter.text.lines().find(|l| l.starts_with("  - ")).expect("a list of problems");
    assert!(problem.contains("provides opportunities for harm") && problem.contains("9 is outside 1–7"), "{problem}");
    assert!(!problem.contains("verification.risk-harm") && !problem.contains("line"), "{problem}");
    // The form comes back with the valid answer filled in, and links where `invite` said.
    assert!(letter.text.contains("[verification.benefit] 5"), "{}", letter.text);
    assert!(
        letter.text.lines().any(|l| l == "[verification.risk-harm]"),
        "the answer to fix is left to fix: {}",
        letter.text
    );
    assert!(letter.text.contains("https://delphi.example.org/s/"), "the remembered base URL: {}", letter.text);
    // The expert fixes the one answer inside the quote and sends the rest unchanged.
    deliver(
        &maildir,
        "2.fixed",
        &reply_to_letter(
            &letter,
            &avery.to,
            "fixed@example.org",
            "Fixed, sorry!",
            Some(("[verification.risk-harm]", "[verification.risk-harm] 3")),
        ),
    );
    let out = ok(root, &["ingest", "--maildir", "maildir"]);
    assert!(out.contains("recorded 2 answer(s) from E01"), "{out}");
    let letters = || outbox_files(root, "-receipt-").into_iter().map(|p| read_sent(&p));
    let receipt = letters().find(|s| s.subject.starts_with("Received")).expect("a receipt");
    // "Thanks, all good!" over that receipt records nothing and says so, even after a later
    // change on another channel that the quoted receipt would otherwise undo.
    let mut cli = delphi(root)
        .args(["answer", "--expert", "E01", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(cli.stdin.as_mut().unwrap(), b"[verification.benefit] 2\n").unwrap();
    assert!(cli.wait_with_output().unwrap().status.success());
    deliver(
        &maildir,
        "3.thanks",
        &reply_to_letter(&receipt, &avery.to, "thanks@example.org", "Thanks, all good!", None),
    );
    let out = ok(root, &["ingest", "--maildir", "maildir"]);
    assert!(out.contains("nothing to record from E01"), "{out}");
    let benefit: String = rusqlite::Connection::open(root.join("data/mail/delphi.sqlite"))
        .unwrap()
        .query_row(
            "SELECT value FROM current_answers WHERE expert_id = 'E01' AND item_id = 'verification.benefit'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(benefit, r#"{"kind":"ordinal","point":2}"#, "the later answer stands");
    let note = letters().find(|s| s.subject.starts_with("Nothing changed"));
    assert!(note.is_some_and(|n| n.text.contains("nothing new was recorded")), "the expert is told");
}

/// An HTML-only reply whose text has entities beside multi-byte characters: the shape that
/// once panicked `ingest` and, left in new/, stopped the channel for good.
fn entity_reply(invitation: &Sent, message_id: &str) -> Vec<u8> {
    format!(
        "From: {}\r\nTo: {}\r\nSubject: Re: {}\r\nMessage-ID: <{message_id}>\r\nDate: Sat, 28 Nov 2026 10:00:00 +0800\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
         <html><body><p>[verification.benefit] 6</p><p>[verification.rationale] Re R&amp;D – “verification” first.&nbsp; 中文&hellip;</p>\
         <p>&nbsp;</p><blockquote><p>在 2026-11-30 09:00:00，\"Delphi\" &lt;delphi@localhost&gt; 写道：</p><p>&gt; 写道：&amp</p></blockquote></body></html>\r\n",
        invitation.to, invitation.reply_to, invitation.subject
    )
    .into_bytes()
}

#[test]
fn a_poison_message_is_set_aside_and_the_replies_after_it_are_all_recorded() {
    let (dir, sent, maildir) = invited();
    let root = dir.path();
    // First in new/: bytes that are no mail at all, and the entity-laden HTML reply.
    deliver(&maildir, "0000.poison", b"\x00\xff\xfe<html>&#xffffffff; &amp\xe2\x80 \r\n\r\n\x1b[2J");
    let first = sent.values().next().unwrap();
    deliver(&maildir, "0001.entities", &entity_reply(first, "entities@example.org"));
    let invitations: Vec<&Sent> = sent.values().collect();
    for i in 0..30 {
        let invitation = invitations[(i + 1) % invitations.len()];
        let point = 1 + (i / invitations.len()) % 5;
        let raw = reply(
            invitation,
            &invitation.to,
            &format!("good-{i}@example.org"),
            &format!("[verification.risk-harm] {point}"),
        );
        deliver(&maildir, &format!("{:04}.good", i + 2), &raw);
    }
    let out = ok(root, &["ingest", "--maildir", "maildir"]);
    assert!(out.contains("new/0000.poison: set aside"), "{out}");
    assert!(out.contains("new/0001.entities: recorded 2 answer(s)"), "{out}");
    assert_eq!(out.matches(": recorded 1 answer(s)").count(), 30, "{out}");
    assert_eq!(std::fs::read_dir(maildir.join("new")).unwrap().count(), 0, "nothing is left to stop a later run");
    let rationale: String = rusqlite::Connection::open(root.join("data/mail/delphi.sqlite"))
        .unwrap()
        .query_row("SELECT value FROM answers WHERE item_id = 'verification.rationale'", [], |r| r.get(0))
        .unwrap();
    assert!(rationale.contains("Re R&D – “verification” first.") && rationale.contains("中文…"), "{rationale}");
    let status = ok(root, &["status"]);
    assert!(
        status.contains("1 email message(s) set aside for you to look at") && status.contains("no-token"),
        "{status}"
    );
    let again = ok(root, &["ingest", "--maildir", "maildir"]);
    assert!(again.contains("32 dealt with before"), "{again}");
}

/// What a hostile reply carries to the coordinator's terminal: the OSC sequence that sets the
/// window title (ended by BEL), the CSI sequence that clears the screen, and a right-to-left
/// override that shows "exe.jpg" as "gpj.exe".
const HOSTILE: &str = "\u{1b}]0;pwned\u{7}\u{202E}gpj.exe\u{1b}[2J";
/// How the tool shows it: every one of them escaped and visible.
const HOSTILE_SHOWN: &str = "\\e]0;pwned\\x07\\u{202e}gpj.exe\\e[2J";

/// The raw bytes a terminal acts on (ESC, BEL, U+202E in UTF-8) found in `output`.
fn raw_terminal_bytes(output: &[u8]) -> Vec<&'static str> {
    let contains = |needle: &[u8]| output.windows(needle.len()).any(|w| w == needle);
    [("ESC", &b"\x1b"[..]), ("BEL", b"\x07"), ("U+202E", "\u{202E}".as_bytes())]
        .into_iter()
        .filter(|(_, bytes)| contains(bytes))
        .map(|(name, _)| name)
        .collect()
}

#[test]
fn escape_sequences_in_replies_reach_the_terminal_escaped_never_raw() {
    let (dir, sent, maildir) = invited();
    let root = dir.path();
    let avery = &sent["avery.placeholder@example.org"];
    deliver(
        &maildir,
        "1.hostile",
        &reply(avery, &avery.to, "hostile@example.org", &format!("[verification.benefit] {HOSTILE}")),
    );
    // A message tied to nobody, whose Message-ID carries the same sequences: `status` lists it.
    let untied = format!(
        "From: stranger@example.net\r\nTo: delphi@replies.example.org\r\nSubject: hello {HOSTILE}\r\n\
         Message-ID: <{HOSTILE}@example.net>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhello\r\n"
    );
    deliver(&maildir, "2.untied", untied.as_bytes());

    let ingest = delphi(root).args(["ingest", "--maildir", "maildir"]).output().unwrap();
    assert!(ingest.status.success(), "{}", String::from_utf8_lossy(&ingest.stderr));
    let shown = String::from_utf8_lossy(&ingest.stdout);
    assert_eq!(raw_terminal_bytes(&ingest.stdout), Vec::<&str>::new(), "ingest's output: {shown:?}");
    assert_eq!(raw_terminal_bytes(&ingest.stderr), Vec::<&str>::new(), "ingest's errors");
    assert!(shown.contains("asked to fix from E01") && shown.contains(HOSTILE_SHOWN), "{shown}");
    assert!(shown.contains("set aside (no-token)"), "{shown}");
    // The expert's text is stored as they wrote it: the data is theirs.
    let conn = rusqlite::Connection::open(root.join("data/mail/delphi.sqlite")).unwrap();
    let problems: String =
        conn.query_row("SELECT detail FROM inbound_mail WHERE outcome = 'invalid'", [], |r| r.get(0)).unwrap();
    let problems: serde_json::Value = serde_json::from_str(&problems).unwrap();
    assert!(problems["problems"][0].as_str().unwrap().contains(HOSTILE), "{problems}");

    let mut answer = delphi(root)
        .args(["answer", "--expert", "E02", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(answer.stdin.as_mut().unwrap(), format!("[verification.benefit] {HOSTILE}\n").as_bytes())
        .unwrap();
    let answer = answer.wait_with_output().unwrap();
    assert_eq!(answer.status.code(), Some(3), "an invalid answer is exit 3");
    assert_eq!(raw_terminal_bytes(&answer.stdout), Vec::<&str>::new(), "answer's output");
    assert_eq!(raw_terminal_bytes(&answer.stderr), Vec::<&str>::new(), "answer's errors");
    assert!(
        String::from_utf8_lossy(&answer.stderr).contains(HOSTILE_SHOWN),
        "{}",
        String::from_utf8_lossy(&answer.stderr)
    );

    for format in ["text", "json"] {
        let status = delphi(root).args(["status", "--format", format]).output().unwrap();
        assert!(status.status.success());
        let shown = String::from_utf8_lossy(&status.stdout);
        assert_eq!(raw_terminal_bytes(&status.stdout), Vec::<&str>::new(), "status --format {format}: {shown:?}");
        assert!(shown.contains("pwned"), "the untied message is listed: {shown}");
    }
    let status = ok(root, &["status"]);
    assert!(status.contains("\\e]0;pwned\\x07\\u{202e}gpj.exe\\e[2J@example.net"), "{status}");
    let json: serde_json::Value = serde_json::from_str(&ok(root, &["status", "--format", "json"])).unwrap();
    let listed = json["mail_waiting_for_the_coordinator"][0]["message"].as_str().unwrap().to_owned();
    assert!(listed.contains(HOSTILE), "the JSON holds the same value, escaped: {listed:?}");
}

/// A vacation responder no heuristic knows (French, no RFC 3834 header), answering a letter
/// of ours: quoting it (`quote`), or with its own words alone.
fn unknown_responder(invitation: &Sent, message_id: &str, quote: bool) -> Vec<u8> {
    let words = "Merci pour votre message. Je vous r\u{e9}pondrai d\u{e8}s que possible.\n\nJ. Samplewood";
    if quote {
        return reply(invitation, &invitation.to, message_id, words);
    }
    format!(
        "From: {}\r\nTo: {}\r\nSubject: Re: {}\r\nMessage-ID: <{message_id}>\r\nIn-Reply-To: <{}>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{}\r\n",
        invitation.to,
        invitation.reply_to,
        invitation.subject,
        invitation.message_id,
        words.replace('\n', "\r\n")
    )
    .into_bytes()
}

#[test]
fn an_auto_responder_nobody_recognises_gets_at_most_one_letter_an_hour() {
    let (dir, sent, maildir) = invited();
    let root = dir.path();
    let letters_to = |address: &str| {
        outbox_files(root, "-receipt-").iter().map(|p| read_sent(p)).filter(|s| s.to == address).count()
    };
    // A loop: each auto-reply comes in and is read; without a limit each would be answered,
    // and the answer answered again. Its own words alone: "please fix" (no form in it).
    let jordan = &sent["jordan.samplewood@example.org"];
    for i in 0..5 {
        deliver(&maildir, &format!("{i}.away"), &unknown_responder(jordan, &format!("loop-{i}@example.org"), false));
        let out = ok(root, &["ingest", "--maildir", "maildir"]);
        if i == 0 {
            assert!(out.contains("asked to fix from E02"), "{out}");
        } else {
            assert!(
                out.contains(
                    "not readable from E02, nothing recorded (no letter: the expert got one like it within the hour"
                ),
                "{out}"
            );
            assert!(out.contains("; 1 got no letter"), "{out}");
        }
        assert_eq!(letters_to(&jordan.to), 1, "after message {i}");
    }
    assert_eq!(sql(root, "SELECT COUNT(*) FROM inbound_mail WHERE outcome = 'invalid'"), 5, "each is recorded");
    // Quoting our letter back, the blank form and all: "nothing changed", once.
    let casey = &sent["casey.mockford@example.org"];
    for i in 0..3 {
        deliver(
            &maildir,
            &format!("{i}.quoting"),
            &unknown_responder(casey, &format!("quoting-{i}@example.org"), true),
        );
        let out = ok(root, &["ingest", "--maildir", "maildir"]);
        let line = out.lines().find(|l| l.starts_with(&format!("new/{i}.quoting"))).expect("a line for the message");
        assert!(line.contains("nothing to record from E03"), "{out}");
        assert_eq!(line.contains("no letter"), i > 0, "{out}");
        assert_eq!(letters_to(&casey.to), 1, "after message {i}");
    }
    // Nobody else is held back by those loops.
    let avery = &sent["avery.placeholder@example.org"];
    deliver(&maildir, "9.avery", &reply(avery, &avery.to, "avery-typo@example.org", "[verification.benefit] 9"));
    let out = ok(root, &["ingest", "--maildir", "maildir"]);
    let line = out.lines().find(|l| l.starts_with("new/9.avery")).expect("a line for the message");
    assert!(line.contains("asked to fix from E01") && !line.contains("no letter"), "{out}");
    assert_eq!(letters_to(&avery.to), 1);
}

#[test]
fn a_filled_in_round_2_letter_quoted_by_an_out_of_office_confirms_nothing_and_its_fix_letter_keeps_the_rest() {
    let (dir, sent, maildir) = invited();
    let root = dir.path();
    let address = "avery.placeholder@example.org";
    let first = &sent[address];
    deliver(
        &maildir,
        "r1",
        &reply(first, address, "r1@example.org", "[verification.benefit] 6\n[protocols.benefit] 5"),
    );
    assert!(ok(root, &["ingest", "--maildir", "maildir"]).contains("recorded 2 answer(s) from E01"));
    ok(root, &["round", "close"]);
    ok(root, &["round", "open", "--days", "14"]);
    ok(root, &["invite"]);
    let second = outbox_files(root, "round-2-invitation-")
        .iter()
        .map(|p| read_sent(p))
        .find(|s| s.to == address)
        .expect("a round-2 invitation to Avery");
    assert!(second.text.contains("[verification.benefit] 6"), "the form comes filled in: {}", second.text);

    // A responder without RFC 3834 headers or a telling subject quotes the whole letter,
    // filled-in answers and all: those are our words, not Avery's, and confirm nothing.
    let quoted: String = second.text.lines().map(|line| format!("> {line}\r\n")).collect();
    let away = format!(
        "From: {address}\r\nTo: {}\r\nSubject: Re: {}\r\nMessage-ID: <away@example.org>\r\n\
         In-Reply-To: <{}>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         I am out of the office until 14 December with limited access to email.\r\n\r\n{quoted}",
        second.reply_to,
        second.subject,
        second.message_id.trim_matches(['<', '>']),
    );
    deliver(&maildir, "away", away.as_bytes());
    let out = ok(root, &["ingest", "--maildir", "maildir"]);
    assert_eq!(sql(root, "SELECT COUNT(*) FROM inbound_mail WHERE outcome = 'auto-reply'"), 1, "{out}");
    assert_eq!(sql(root, "SELECT COUNT(*) FROM submissions WHERE round = 2"), 0, "nothing confirmed: {out}");

    // Avery answers one question out of range: the "please fix" letter comes back with the
    // whole form filled in, round 1's answers included, and replying to it with the one fix
    // keeps every other answer (carry-over rule `confirm`, the default).
    deliver(&maildir, "typo", &reply(&second, address, "typo@example.org", "[protocols.benefit] 55"));
    let out = ok(root, &["ingest", "--maildir", "maildir"]);
    assert!(out.contains("asked to fix from E01"), "{out}");
    let letters = outbox_files(root, "round-2-receipt-E01-");
    assert_eq!(letters.len(), 1, "one letter in round 2, the fix letter (none to the out-of-office): {letters:?}");
    let fix = read_sent(&letters[0]);
    assert!(fix.text.contains("[verification.benefit] 6"), "round 1's answer filled in: {}", fix.text);
    assert_eq!(sql(root, "SELECT COUNT(*) FROM submissions WHERE round = 2"), 0);
    // The item to fix is left blank, not shown with round 1's answer as if Avery had written it.
    assert!(fix.text.lines().any(|l| l.trim_end() == "[protocols.benefit]"), "{}", fix.text);
    let fixed = reply_to_letter(
        &fix,
        address,
        "fixed@example.org",
        "",
        Some(if fix.text.contains("[protocols.benefit]\r\n") {
            ("[protocols.benefit]\r\n", "[protocols.benefit] 4\r\n")
        } else {
            ("[protocols.benefit]\n", "[protocols.benefit] 4\n")
        }),
    );
    deliver(&maildir, "fixed", &fixed);
    let out = ok(root, &["ingest", "--maildir", "maildir"]);
    assert!(out.contains("from E01"), "{out}");
    assert_eq!(sql(root, "SELECT COUNT(*) FROM submissions WHERE round = 2 AND expert_id = 'E01'"), 1, "{out}");
    let conn = rusqlite::Connection::open(root.join("data/mail/delphi.sqlite")).unwrap();
    let answer = |item: &str| -> String {
        conn.query_row(
            "SELECT a.value FROM answers a JOIN submissions s ON s.id = a.submission_id
             WHERE s.round = 2 AND s.expert_id = 'E01' AND a.item_id = ?1",
            [item],
            |r| r.get(0),
        )
        .unwrap_or_else(|e| panic!("no round-2 answer to {item}: {e}"))
    };
    assert!(answer("verification.benefit").contains('6'), "kept from round 1");
    assert!(answer("protocols.benefit").contains('4'), "the fix");
}

// ---- Against real servers: an SMTP server (aiosmtpd, STARTTLS + AUTH) and Dovecot (IMAPS).

use crate::servers::{Dovecot, SmtpSecurity, SmtpSink, test_ca};

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

// ---- The reply corpus (tests/data/replies): every message delivered and ingested as a
// mail server would hand it over, once into a Maildir (outbox for the letters) and once
// into Dovecot (SMTP sink for the letters). Each run prints the figures of issue 12 and
// asserts them: handled as a human would >= 97 %, wrong answers stored silently = 0,
// crashes = 0.

/// One case of the reply corpus (tests/data/replies/cases.toml).
#[derive(Debug, serde::Deserialize)]
struct Case {
    file: String,
    expert: Option<String>,
    other_expert: Option<String>,
    /// Delivered and ingested after every message of the earlier steps.
    #[serde(default = "first_step")]
    step: u32,
    outcome: String,
    why: String,
    #[serde(default)]
    answers: BTreeMap<String, serde_json::Value>,
    /// The expert's complete current answers after the whole run.
    final_answers: Option<BTreeMap<String, serde_json::Value>>,
    #[serde(default)]
    problems: Vec<String>,
    /// Answers recorded with `delphi answer` (another channel) before this case's step.
    cli_before: Option<String>,
    /// For a duplicate: the case whose message this is again.
    same_message_as: Option<String>,
}

fn first_step() -> u32 {
    1
}

#[derive(Debug, serde::Deserialize)]
struct Corpus {
    case: Vec<Case>,
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/replies")
}

fn corpus() -> Vec<Case> {
    let corpus: Corpus = toml::from_str(&std::fs::read_to_string(corpus_dir().join("cases.toml")).unwrap()).unwrap();
    assert!(corpus.case.len() >= 100, "the corpus holds at least 100 replies");
    corpus.case
}

/// A study with the corpus panel (tests/data/replies/panel.csv) and round 1 open.
fn corpus_study() -> tempfile::TempDir {
    study_with_panel(Some(&corpus_dir().join("panel.csv")))
}

/// A live token for `expert`, from a personal link (`delphi round links`).
fn token_for(root: &Path, expert: &str) -> String {
    let line = ok(root, &["round", "links", "--expert", expert]);
    line.trim().rsplit("/s/").next().unwrap().to_owned()
}

/// Where the corpus goes in and where the tool's letters come out.
enum Channel<'a> {
    /// `delphi ingest --maildir`, letters in the outbox.
    Maildir(PathBuf),
    /// `delphi ingest --imap` on Dovecot, letters over SMTP to the sink.
    Imap(&'a Dovecot, &'a SmtpSink),
}

/// A letter the tool sent.
struct Letter {
    to: String,
    message_id: String,
    in_reply_to: String,
    text: String,
    auto_submitted: String,
}

impl Channel<'_> {
    fn name(&self) -> &'static str {
        match self {
            Channel::Maildir(_) => "maildir",
            Channel::Imap(..) => "imap",
        }
    }

    fn deliver(&self, seq: usize, raw: &[u8]) {
        match self {
            Channel::Maildir(dir) => deliver(dir, &format!("{seq:04}.corpus"), raw),
            Channel::Imap(dovecot, _) => dovecot.deliver(raw),
        }
    }

    /// Takes a message that was not processed out of the mailbox.
    fn withdraw(&self, seq: usize, key: &str) {
        match self {
            Channel::Maildir(dir) => {
                for sub in ["new", "cur"] {
                    for entry in std::fs::read_dir(dir.join(sub)).unwrap().filter_map(Result::ok) {
                        if entry.file_name().to_string_lossy().starts_with(&format!("{seq:04}.corpus")) {
                            std::fs::remove_file(entry.path()).unwrap();
                        }
                    }
                }
            }
            Channel::Imap(dovecot, _) => dovecot.expunge("INBOX", key),
        }
    }

    fn ingest(&self, root: &Path) -> std::process::Output {
        match self {
            Channel::Maildir(dir) => delphi(root).args(["ingest", "--maildir"]).arg(dir).output().unwrap(),
            Channel::Imap(dovecot, sink) => delphi(root)
                .args([
                    "ingest",
                    "--imap",
                    &format!("imaps://{}@localhost:{}/INBOX", dovecot.user, dovecot.port),
                    "--smtp",
                    &format!("smtp://{}@localhost:{}", sink.user, sink.port),
                ])
                .env("DELPHI_IMAP_PASSWORD", &dovecot.password)
                .env("DELPHI_SMTP_PASSWORD", &sink.password)
                .env("SSL_CERT_FILE", &test_ca().bundle)
                .output()
                .unwrap(),
        }
    }

    /// Every letter the tool sent, oldest first.
    fn letters(&self, root: &Path) -> Vec<Letter> {
        let raws: Vec<Vec<u8>> = match self {
            Channel::Maildir(_) => {
                let mut files = outbox_files(root, "");
                files.sort_by_key(|p| (std::fs::metadata(p).and_then(|m| m.modified()).ok(), p.clone()));
                files.iter().map(|p| std::fs::read(p).unwrap()).collect()
            }
            Channel::Imap(_, sink) => {
                std::thread::sleep(Duration::from_millis(200));
                sink.messages()
            }
        };
        raws.iter()
            .map(|raw| {
                let message = MessageParser::default().parse(raw).expect("a MIME letter");
                Letter {
                    to: message
                        .to()
                        .and_then(|a| a.first())
                        .and_then(|a| a.address())
                        .unwrap_or_default()
                        .to_lowercase(),
                    message_id: message.message_id().unwrap_or_default().to_owned(),
                    in_reply_to: header_of(raw, "In-Reply-To"),
                    text: message.body_text(0).unwrap_or_default().into_owned(),
                    auto_submitted: header_of(raw, "Auto-Submitted"),
                }
            })
            .collect()
    }
}

/// The panel address of each expert of the corpus panel.
fn corpus_emails() -> BTreeMap<String, String> {
    let panel = std::fs::read_to_string(corpus_dir().join("panel.csv")).unwrap();
    panel
        .lines()
        .skip(1)
        .map(|row| {
            let mut fields = row.split(',');
            (fields.next().unwrap().to_owned(), fields.next().and(fields.next()).unwrap().to_lowercase())
        })
        .collect()
}

/// `{{RECEIPT_QUOTED}}` / `{{RECEIPT_QUOTED|[item] value}}`: the letter's text, each line
/// quoted with "> ", CRLF; with an edit, the line of `[item]` replaced by the edit (as an
/// expert changes an answer in place inside the quote).
fn quoted_receipt(letter: &Letter, edit: Option<&str>) -> String {
    let mut replaced = edit.is_none();
    let quoted: Vec<String> = letter
        .text
        .lines()
        .map(|line| {
            let line = match edit {
                Some(edit) if line.trim_start().starts_with(edit.split(']').next().unwrap()) && !replaced => {
                    replaced = true;
                    edit
                }
                _ => line,
            };
            if line.is_empty() { ">".to_owned() } else { format!("> {line}") }
        })
        .collect();
    assert!(replaced, "the receipt has no line for {edit:?}:\n{}", letter.text);
    quoted.join("\r\n")
}

/// Replaces the receipt placeholders of `raw` from the latest letter to `email`.
fn with_receipt(raw: Vec<u8>, letters: &[Letter], email: &str, file: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(&raw);
    if !text.contains("{{RECEIPT_") {
        return raw;
    }
    let letter =
        letters.iter().rev().find(|l| l.to == email).unwrap_or_else(|| panic!("{file}: no letter to {email} to quote"));
    let mut out = raw;
    out = replace_bytes(&out, b"{{RECEIPT_ID}}", letter.message_id.as_bytes());
    const QUOTED: &[u8] = b"{{RECEIPT_QUOTED";
    while let Some(at) = out.windows(QUOTED.len()).position(|w| w == QUOTED) {
        let end = at + out[at..].windows(2).position(|w| w == b"}}").unwrap() + 2;
        let inner = String::from_utf8_lossy(&out[at + 2..end - 2]).into_owned();
        let edit = inner.split_once('|').map(|(_, e)| e.to_owned());
        let quoted = quoted_receipt(letter, edit.as_deref());
        out.splice(at..end, quoted.into_bytes());
    }
    out
}

fn placeholders(value: &serde_json::Value, tokens: &BTreeMap<&str, String>) -> serde_json::Value {
    match value {
        serde_json::Value::String(s) => {
            let mut s = s.clone();
            for (placeholder, token) in tokens {
                s = s.replace(placeholder, token);
            }
            serde_json::Value::String(s)
        }
        serde_json::Value::Object(map) => {
            serde_json::Value::Object(map.iter().map(|(k, v)| (k.clone(), placeholders(v, tokens))).collect())
        }
        other => other.clone(),
    }
}

/// What one run of the corpus came to.
struct Figures {
    cases: usize,
    handled: usize,
    silently_wrong: usize,
    crashes: usize,
    failures: Vec<String>,
}

impl Figures {
    fn print(&self, channel: &str) {
        println!(
            "reply corpus over {channel}: {} cases, handled as a human would: {} ({:.1} %), wrong answers stored silently: {}, crashes: {}",
            self.cases,
            self.handled,
            100.0 * self.handled as f64 / self.cases as f64,
            self.silently_wrong,
            self.crashes
        );
        for failure in &self.failures {
            println!("  {failure}");
        }
    }

    fn assert(&self, channel: &str) {
        assert!(
            self.handled * 100 >= self.cases * 97 && self.silently_wrong == 0 && self.crashes == 0,
            "reply corpus over {channel}: handled {}/{} (at least 97 % required), wrong answers stored silently: {} (0 allowed), crashes: {} (0 allowed)\n{}",
            self.handled,
            self.cases,
            self.silently_wrong,
            self.crashes,
            self.failures.join("\n")
        );
    }
}

fn crashed(out: &std::process::Output) -> Option<String> {
    let stderr = String::from_utf8_lossy(&out.stderr);
    (!out.status.success() || stderr.contains("panicked")).then(|| {
        // the panic's place and message, else the last lines
        let lines: Vec<&str> = stderr.lines().collect();
        let at = lines.iter().position(|l| l.contains("panicked at"));
        let shown = match at {
            Some(at) => lines[at..(at + 2).min(lines.len())].join(" "),
            None => lines[lines.len().saturating_sub(3)..].join(" | "),
        };
        format!("{}: {shown}", out.status)
    })
}

/// Delivers the corpus step by step through `channel`, ingesting once per step, and
/// compares what the store holds with cases.toml.
fn run_corpus(root: &Path, channel: &Channel<'_>) -> Figures {
    let cases = corpus();
    let emails = corpus_emails();
    let mut tokens = BTreeMap::new();
    let mut token = |expert: &str| tokens.entry(expert.to_owned()).or_insert_with(|| token_for(root, expert)).clone();
    let conn = rusqlite::Connection::open(root.join("data/mail/delphi.sqlite")).unwrap();
    let processed = |key: &str| {
        conn.query_row("SELECT COUNT(*) FROM inbound_mail WHERE message_key = ?1", [key], |r| r.get::<_, i64>(0))
            .unwrap()
            > 0
    };

    let mut keys = vec![String::new(); cases.len()];
    let mut crashes: BTreeMap<usize, String> = BTreeMap::new();
    let mut step_crashes = Vec::new();
    // a step's crash that no message alone reproduces still counts
    let mut unreproduced = 0;
    let mut steps: Vec<u32> = cases.iter().map(|c| c.step).collect();
    steps.sort_unstable();
    steps.dedup();
    let mut raws: BTreeMap<usize, Vec<u8>> = BTreeMap::new();
    for step in steps {
        let mut order: Vec<usize> = (0..cases.len()).filter(|&i| cases[i].step == step).collect();
        order.sort_by(|&a, &b| cases[a].file.cmp(&cases[b].file));
        for &i in &order {
            let case = &cases[i];
            if let (Some(answers), Some(expert)) = (&case.cli_before, &case.expert) {
                let mut child = delphi(root)
                    .args(["answer", "--expert", expert, "-"])
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap();
                std::io::Write::write_all(&mut child.stdin.take().unwrap(), answers.as_bytes()).unwrap();
                let out = child.wait_with_output().unwrap();
                assert!(out.status.success(), "{}: delphi answer: {}", case.file, String::from_utf8_lossy(&out.stderr));
            }
        }
        let letters = channel.letters(root);
        for &i in &order {
            let case = &cases[i];
            let mut raw = std::fs::read(corpus_dir().join(&case.file)).unwrap();
            for (placeholder, expert) in [("{{TOKEN}}", &case.expert), ("{{TOKEN_OTHER}}", &case.other_expert)] {
                if let Some(expert) = expert {
                    raw = replace_bytes(&raw, placeholder.as_bytes(), token(expert).as_bytes());
                }
            }
            if let Some(expert) = &case.expert {
                raw = with_receipt(raw, &letters, &emails[expert], &case.file);
            }
            let key = MessageParser::default().parse(&raw).and_then(|m| m.message_id().map(|id| format!("<{id}>")));
            keys[i] = key.expect("every corpus message has a Message-ID");
            channel.deliver(i, &raw);
            raws.insert(i, raw);
        }
        let out = channel.ingest(root);
        if let Some(crash) = crashed(&out) {
            step_crashes.push(format!("step {step}: delphi ingest crashed: {crash}"));
            // Each message the crash left unprocessed, alone, so that one crash hides nothing.
            let left: Vec<usize> = order.iter().copied().filter(|&i| !processed(&keys[i])).collect();
            for &i in &left {
                channel.withdraw(i, &keys[i]);
            }
            let before = crashes.len();
            for &i in &left {
                channel.deliver(i, &raws[&i]);
                let out = channel.ingest(root);
                if let Some(crash) = crashed(&out) {
                    crashes.insert(i, crash);
                    channel.withdraw(i, &keys[i]);
                }
            }
            if crashes.len() == before {
                unreproduced += 1;
            }
        }
    }

    let letters = channel.letters(root);
    let mut failures = step_crashes;
    let (mut handled, mut silently_wrong) = (0, 0);
    for (i, case) in cases.iter().enumerate() {
        let key = &keys[i];
        let bare = key.trim_matches(['<', '>']);
        let mut fail = |what: String| failures.push(format!("{} [{}]: {what}", case.file, case.outcome));
        if let Some(crash) = crashes.get(&i) {
            fail(format!("delphi ingest crashed on it: {crash}"));
            continue;
        }
        let row: Option<(String, Option<i64>, Option<String>)> = conn
            .query_row(
                "SELECT outcome, submission_id, expert_id FROM inbound_mail WHERE message_key = ?1",
                [key],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .ok();
        let Some((outcome, submission, expert)) = row else {
            fail("not dealt with".to_owned());
            continue;
        };
        if let Some(original) = &case.same_message_as {
            let stored: i64 = conn
                .query_row("SELECT COUNT(*) FROM submissions WHERE source_ref IN (?1, ?2)", [key.as_str(), bare], |r| {
                    r.get(0)
                })
                .unwrap();
            let answered = letters.iter().filter(|l| l.in_reply_to.contains(bare)).count();
            if stored <= 1 && answered <= 1 {
                handled += 1;
            } else {
                fail(format!("the copy of {original} was stored {stored} times, answered {answered} times"));
            }
            continue;
        }
        let substitutions: BTreeMap<&str, String> =
            [("{{TOKEN}}", &case.expert), ("{{TOKEN_OTHER}}", &case.other_expert)]
                .into_iter()
                .filter_map(|(p, e)| e.as_ref().map(|e| (p, token(e))))
                .collect();
        let stored: BTreeMap<String, serde_json::Value> = match submission {
            Some(id) => {
                let mut statement =
                    conn.prepare("SELECT item_id, value FROM answers WHERE submission_id = ?1").unwrap();
                statement
                    .query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
                    .unwrap()
                    .map(|r| r.unwrap())
                    .map(|(item, value)| (item, serde_json::from_str(&value).unwrap()))
                    .collect()
            }
            None => BTreeMap::new(),
        };
        let expected: BTreeMap<String, serde_json::Value> = if case.outcome == "recorded" {
            case.answers.iter().map(|(k, v)| (k.clone(), placeholders(v, &substitutions))).collect()
        } else {
            BTreeMap::new()
        };
        let mut ok_case = true;
        if outcome != case.outcome {
            ok_case = false;
            fail(format!("{outcome}, expected {} ({})", case.outcome, case.why));
        }
        if outcome == "recorded" && expert != case.expert {
            ok_case = false;
            fail(format!("recorded for {expert:?}"));
        }
        let answers_ok = stored == expected;
        if !answers_ok {
            ok_case = false;
            for item in stored.keys().chain(expected.keys()).collect::<std::collections::BTreeSet<_>>() {
                if stored.get(item) != expected.get(item) {
                    fail(format!("{item}: stored {:?}, expected {:?}", stored.get(item), expected.get(item)));
                }
            }
        }
        let mut final_ok = true;
        if let (Some(final_answers), Some(expert)) = (&case.final_answers, &case.expert) {
            let mut statement =
                conn.prepare("SELECT item_id, value FROM current_answers WHERE expert_id = ?1 AND round = 1").unwrap();
            let current: BTreeMap<String, serde_json::Value> = statement
                .query_map([expert], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
                .unwrap()
                .map(|r| r.unwrap())
                .map(|(item, value)| (item, serde_json::from_str(&value).unwrap()))
                .collect();
            let want: BTreeMap<String, serde_json::Value> =
                final_answers.iter().map(|(k, v)| (k.clone(), placeholders(v, &substitutions))).collect();
            if current != want {
                final_ok = false;
                ok_case = false;
                fail(format!("the expert's answers at the end are {current:?}, expected {want:?}"));
            }
        }
        if !case.problems.is_empty() {
            match letters.iter().find(|l| l.in_reply_to.contains(bare)) {
                Some(letter) => {
                    for problem in &case.problems {
                        if !letter.text.contains(problem.as_str()) {
                            ok_case = false;
                            fail(format!("the letter to the expert lacks “{problem}”"));
                        }
                    }
                }
                None => {
                    ok_case = false;
                    fail("the expert was not told the problems".to_owned());
                }
            }
        }
        if ok_case {
            handled += 1;
        }
        if outcome == "recorded" && !(answers_ok && final_ok) {
            silently_wrong += 1;
        }
    }

    // Letters go only to panel addresses, and say they are automatic.
    let panel: std::collections::BTreeSet<&String> = emails.values().collect();
    for letter in &letters {
        if !panel.contains(&letter.to) {
            failures.push(format!("a letter went to {}, not a panel address", letter.to));
        }
        if letter.auto_submitted != "auto-replied" {
            failures.push(format!("a letter to {} without Auto-Submitted: auto-replied", letter.to));
        }
    }
    Figures { cases: cases.len(), handled, silently_wrong, crashes: crashes.len() + unreproduced, failures }
}

/// A second ingest over the same mailbox stores and sends nothing.
fn second_run_changes_nothing(root: &Path, channel: &Channel<'_>) {
    let conn = rusqlite::Connection::open(root.join("data/mail/delphi.sqlite")).unwrap();
    let count = || conn.query_row("SELECT COUNT(*) FROM submissions", [], |r| r.get::<_, i64>(0)).unwrap();
    let (submissions, letters) = (count(), channel.letters(root).len());
    let out = channel.ingest(root);
    assert!(crashed(&out).is_none(), "the second run: {}", String::from_utf8_lossy(&out.stderr));
    if let Channel::Imap(..) = channel {
        let report = String::from_utf8_lossy(&out.stdout);
        assert!(report.contains("0 message(s) read"), "processed messages are marked in the mailbox: {report}");
    }
    assert_eq!(count(), submissions, "a second run stores nothing twice");
    assert_eq!(channel.letters(root).len(), letters, "and sends nothing twice");
}

#[test]
fn the_reply_corpus_read_from_a_maildir_ends_as_a_human_would_record_it() {
    let dir = corpus_study();
    let root = dir.path();
    let channel = Channel::Maildir(maildir(root));
    let figures = run_corpus(root, &channel);
    figures.print(channel.name());
    figures.assert(channel.name());
    second_run_changes_nothing(root, &channel);
}

#[test]
fn the_reply_corpus_read_over_imap_ends_as_a_human_would_record_it_and_a_second_run_changes_nothing() {
    let dir = corpus_study();
    let root = dir.path();
    let dovecot = Dovecot::start();
    let sink = SmtpSink::start(SmtpSecurity::StartTls);
    let channel = Channel::Imap(&dovecot, &sink);
    let figures = run_corpus(root, &channel);
    figures.print(channel.name());
    figures.assert(channel.name());
    second_run_changes_nothing(root, &channel);
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
