//! Invitations a person can trust, over the real binary: who asks, why, what is done with
//! the answers and until when (in the expert's own time), a designed HTML part beside the
//! plain text; consent recorded once, when the expert first answers; and a way out that
//! works: the opt-out page withdraws only on a confirming POST, and after it no invitation
//! or reminder goes to that expert (the outbox), nor does a re-import bring them back.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use mail_parser::MimeHeaders;

use crate::util::{Server, delphi, free_port, init, ok, run, send};

/// The starter study (`delphi init`), with `edit` applied to its study file, its panel
/// imported and round 1 open until 2027-01-15 17:00 UTC.
fn open_starter(edit: impl FnOnce(String) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path(), &[]);
    let path = dir.path().join("study/study.toml");
    std::fs::write(&path, edit(std::fs::read_to_string(&path).unwrap())).unwrap();
    ok(dir.path(), &["panel", "import"]);
    ok(dir.path(), &["round", "open", "--deadline", "2027-01-15 17:00"]);
    dir
}

/// The outbox's messages whose file name contains `kind` (`-invitation-`, `-reminder-`).
fn outbox(root: &Path, kind: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("data/study/outbox"))
        .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.to_string_lossy().contains(kind));
    files.sort();
    files
}

fn sent_to(root: &Path, kind: &str, expert: &str) -> usize {
    outbox(root, kind).iter().filter(|p| p.to_string_lossy().ends_with(&format!("-{expert}.eml"))).count()
}

fn message(root: &Path, kind: &str, expert: &str) -> Vec<u8> {
    let path = outbox(root, kind)
        .into_iter()
        .find(|p| p.to_string_lossy().ends_with(&format!("-{expert}.eml")))
        .unwrap_or_else(|| panic!("no {kind} for {expert}"));
    std::fs::read(path).unwrap()
}

/// The text part of a message, as a mail client shows it.
fn text_of(raw: &[u8]) -> String {
    mail_parser::MessageParser::default().parse(raw).unwrap().body_text(0).unwrap().into_owned()
}

/// The link in `text` that starts with `prefix` (up to the next white space).
fn link_in(text: &str, prefix: &str) -> String {
    let start = text.find(prefix).unwrap_or_else(|| panic!("no link {prefix}… in:\n{text}"));
    text[start..].split_whitespace().next().unwrap().to_owned()
}

fn audit(root: &Path) -> Vec<serde_json::Value> {
    serde_json::from_str(&ok(root, &["audit", "--format", "json"])).unwrap()
}

fn actions<'a>(entries: &'a [serde_json::Value], action: &str) -> Vec<&'a serde_json::Value> {
    entries.iter().filter(|e| e["action"] == action).collect()
}

/// One HTTP/1.1 request as a browser (or a mail gateway's link scanner) sends it: the
/// status line and the body.
fn request(port: u16, method: &str, path: &str, form: Option<&str>) -> (String, String) {
    send(port, method, path, form.map(|f| ("application/x-www-form-urlencoded", f)))
}

#[test]
fn an_expert_who_opts_out_gets_no_more_invitations_or_reminders_and_the_audit_log_records_it() {
    let dir = open_starter(|s| s);
    let root = dir.path();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    ok(root, &["invite", "--base-url", &base]);
    assert_eq!(outbox(root, "-invitation-").len(), 5);
    let text = text_of(&message(root, "-invitation-", "E02"));
    let withdraw = text
        .split_whitespace()
        .find(|word| word.ends_with("/withdraw"))
        .unwrap_or_else(|| panic!("no opt-out link in:\n{text}"))
        .to_owned();
    assert!(withdraw.starts_with(&format!("{base}/s/")), "the opt-out link is personal: {withdraw}");
    let path = withdraw.strip_prefix(&base).unwrap().to_owned();

    let server = Server::start(root, port);
    // What a link scanner in a mail gateway does: fetch every link. That withdraws nobody.
    let (status, page) = request(port, "GET", &path, None);
    assert!(status.contains("200"), "{status}");
    assert!(page.contains("<form method=\"post\""), "the page asks to confirm with a POST: {page}");
    assert!(page.contains("Withdraw from the study"), "{page}");
    let (status, _) = request(port, "HEAD", &path, None);
    assert!(!status.contains("5"), "{status}");
    assert!(actions(&audit(root), "expert.withdrawn").is_empty(), "a GET changed nothing");

    // The expert confirms.
    let (status, page) = request(port, "POST", &path, Some("confirm=withdraw"));
    assert!(status.contains("200"), "{status}: {page}");
    assert!(page.contains("You have withdrawn"), "{page}");
    // Confirming again (a double click) changes nothing and says so.
    let (_, again) = request(port, "POST", &path, Some("confirm=withdraw"));
    assert!(again.contains("You have withdrawn"), "{again}");
    // Their answering link no longer opens the form.
    let form_path = path.strip_suffix("/withdraw").unwrap();
    let (status, _) = request(port, "GET", form_path, None);
    assert!(status.contains("404"), "a withdrawn expert's form is gone: {status}");
    drop(server);

    let log = audit(root);
    let withdrawn = actions(&log, "expert.withdrawn");
    assert_eq!(withdrawn.len(), 1, "recorded once: {withdrawn:?}");
    assert!(withdrawn[0]["actor"].as_str().unwrap().starts_with("expert:p-"), "{:?}", withdrawn[0]);
    assert_eq!(withdrawn[0]["detail"]["by"], "expert");
    assert_eq!(withdrawn[0]["detail"]["answers"], "keep-answers");

    // Reminders go to the four others only, and a re-import does not bring E02 back.
    let reminded = ok(root, &["remind", "--now"]);
    assert_eq!(outbox(root, "-reminder-").len(), 4, "{reminded}");
    assert_eq!(sent_to(root, "-reminder-", "E02"), 0, "{reminded}");
    let imported = ok(root, &["panel", "import"]);
    assert!(imported.contains("1 listed expert(s) have withdrawn"), "{imported}");

    // The coordinator withdraws E03 (who asked by letter); round 2 invites the other three.
    let said = ok(root, &["panel", "withdraw", "E03"]);
    assert!(said.contains("E03 is withdrawn"), "{said}");
    let twice = ok(root, &["panel", "withdraw", "E03"]);
    assert!(twice.contains("had withdrawn already"), "{twice}");
    let by_coordinator = audit(root);
    let by_coordinator = actions(&by_coordinator, "expert.withdrawn");
    assert_eq!(by_coordinator.len(), 2);
    assert_eq!(by_coordinator[1]["actor"], "coordinator");
    let unknown = run(root, &["panel", "withdraw", "E99"]);
    assert!(!unknown.status.success(), "an unknown expert is refused");
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("E99"));

    ok(root, &["round", "close"]);
    ok(root, &["round", "open", "--deadline", "2027-02-15 17:00"]);
    ok(root, &["invite", "--base-url", &base]);
    let round_2: Vec<PathBuf> =
        outbox(root, "-invitation-").into_iter().filter(|p| p.to_string_lossy().contains("round-2")).collect();
    assert_eq!(round_2.len(), 3, "{round_2:?}");
    assert!(
        round_2
            .iter()
            .all(|p| !p.to_string_lossy().ends_with("-E02.eml") && !p.to_string_lossy().ends_with("-E03.eml")),
        "{round_2:?}"
    );
}

#[test]
fn withdrawing_with_remove_answers_drops_answers_of_open_rounds_only() {
    let dir = open_starter(|s| s.replace("withdrawal = \"keep-answers\"", "withdrawal = \"remove-answers\""));
    let root = dir.path();
    let answer = |expert: &str, benefit: u32| {
        let mut child = delphi(root)
            .args(["answer", "--expert", expert, "-"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(format!("[approach-a.benefit] {benefit}\n").as_bytes()).unwrap();
        assert!(child.wait_with_output().unwrap().status.success());
    };
    answer("E01", 5);
    answer("E02", 1);
    ok(root, &["round", "close"]);
    let summary_1 = std::fs::read(root.join("data/study/round-1/summary.json")).unwrap();
    ok(root, &["round", "open", "--deadline", "2027-02-15 17:00"]);
    answer("E01", 5);
    answer("E02", 2);
    let counted = |round: u32| -> Vec<String> {
        let conn = rusqlite::Connection::open(root.join("data/study/delphi.sqlite")).unwrap();
        let mut statement = conn
            .prepare("SELECT expert_id FROM current_answers WHERE round = ?1 AND item_id = 'approach-a.benefit' ORDER BY expert_id")
            .unwrap();
        statement.query_map([round], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
    };
    assert_eq!(counted(2), ["E01", "E02"]);
    let said = ok(root, &["panel", "withdraw", "E01"]);
    assert!(said.contains("after round 1 no longer count"), "{said}");
    assert_eq!(counted(2), ["E02"], "the open round no longer counts E01");
    assert_eq!(counted(1), ["E01", "E02"], "closed round 1 keeps every answer");
    // The coordinator's counts follow what counts: round 2 has one respondent now, round 1
    // still two; the stored submissions stay (append-only), and the withdrawal is said.
    let status: serde_json::Value = serde_json::from_str(&ok(root, &["status", "--format", "json"])).unwrap();
    let round = |n: usize| &status["rounds"][n - 1];
    assert_eq!((round(2)["responded"].as_u64(), round(2)["withdrawn"].as_u64()), (Some(1), Some(1)), "{status}");
    assert_eq!(round(2)["submissions"].as_u64(), Some(2), "{status}");
    assert_eq!(round(1)["responded"].as_u64(), Some(2), "{status}");
    let text = ok(root, &["status"]);
    assert!(text.contains("round 2 (open, deadline 2027-02-15 17:00 UTC): 1 of 5 answered"), "{text}");
    assert!(text.contains("1 withdrawn since"), "{text}");
    // Round 1's summary is written again with the same bytes.
    ok(root, &["round", "summary", "1"]);
    let after = std::fs::read(root.join("data/study/round-1/summary.json")).unwrap();
    assert_eq!(summary_1, after, "a closed round never changes");
}

#[test]
fn an_invitation_says_who_asks_why_what_is_done_with_the_answers_and_until_when_in_local_time() {
    let dir = open_starter(|s| s);
    let root = dir.path();
    // E05 lives in Tokyo (the starter's panel); give E01 no time zone.
    let panel = root.join("study/panel.csv");
    let csv = std::fs::read_to_string(&panel).unwrap().replace(",Europe/Berlin", ",");
    std::fs::write(&panel, csv).unwrap();
    ok(root, &["panel", "import"]);
    ok(root, &["invite", "--base-url", "https://delphi.example.org"]);
    let raw = message(root, "-invitation-", "E05");
    let parsed = mail_parser::MessageParser::default().parse(&raw).unwrap();
    let content_type = parsed.content_type().unwrap();
    assert_eq!((content_type.ctype(), content_type.subtype()), ("multipart", Some("alternative")));
    let text = parsed.body_text(0).unwrap();
    for (what, expected) in [
        ("the coordinator", "Study coordinator"),
        ("their address", "coordinator@example.org"),
        ("why the expert was asked", "You were asked because you work on the approaches this study compares."),
        ("the privacy statement", "Your name and address are seen only by the coordinator."),
        ("the consent line", "you agree to this statement"),
        ("the deadline in UTC", "2027-01-15 17:00 UTC"),
        ("the deadline in Tokyo", "2027-01-16 02:00 in your time zone, Asia/Tokyo"),
        ("the opt-out link", "https://delphi.example.org/s/"),
        ("the reply form", "[approach-a.benefit]"),
    ] {
        assert!(text.contains(expected), "{what} ({expected}) missing from the text part:\n{text}");
    }
    assert!(link_in(&text, "https://delphi.example.org/s/").len() > 40);
    assert!(text.contains("/withdraw"), "{text}");

    let html = parsed.body_html(0).unwrap();
    assert!(html.contains("<html lang=\"en\">"), "{html}");
    assert!(html.contains("<h1") && html.contains("<h2"), "headings: {html}");
    assert!(!html.contains("<pre"), "the HTML part is not the text form in <pre>: {html}");
    assert!(html.contains("role=\"button\""), "a button to the personal form: {html}");
    assert!(html.contains("Open your personal form"), "{html}");
    assert!(html.contains("Your name and address are seen only by the coordinator."), "{html}");
    assert!(html.contains("coordinator@example.org"), "{html}");
    assert!(html.contains("/withdraw\""), "an opt-out link: {html}");
    assert!(html.contains("2027-01-16 02:00"), "{html}");

    // Without a time zone, the deadline is given in UTC only; reminders say the same.
    let text = text_of(&message(root, "-invitation-", "E01"));
    assert!(text.contains("2027-01-15 17:00 UTC") && !text.contains("in your time zone"), "{text}");
    ok(root, &["remind", "--now", "--base-url", "https://delphi.example.org"]);
    let reminder = text_of(&message(root, "-reminder-", "E05"));
    assert!(reminder.contains("2027-01-16 02:00 in your time zone, Asia/Tokyo"), "{reminder}");
    assert!(reminder.contains("/withdraw") && reminder.contains("coordinator@example.org"), "{reminder}");
}

#[test]
fn a_panel_with_an_unknown_time_zone_is_refused_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path(), &[]);
    let panel = dir.path().join("study/panel.csv");
    let csv = std::fs::read_to_string(&panel).unwrap().replace("Europe/Paris", "Europe/Pariss");
    std::fs::write(&panel, csv).unwrap();
    let out = run(dir.path(), &["panel", "import"]);
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("`Europe/Pariss` is not a time zone"), "{stderr}");
    assert!(stderr.contains(":3:"), "line 3 (E02): {stderr}");
    assert!(stderr.contains("Europe/Paris"), "a suggestion: {stderr}");
}

#[test]
fn consent_is_recorded_once_with_its_time_when_the_expert_first_answers() {
    let dir = open_starter(|s| s);
    let root = dir.path();
    let port = free_port();
    let links = ok(root, &["round", "links", "--base-url", &format!("http://127.0.0.1:{port}")]);
    let link = links.lines().find(|l| l.starts_with("E04")).unwrap().split_once('\t').unwrap().1.to_owned();
    let api = link.replace(&format!("http://127.0.0.1:{port}/s/"), "/api/v1/s/");
    let server = Server::start(root, port);
    // The form says what a first answer means, before the expert sends it.
    let form_path = link.replace(&format!("http://127.0.0.1:{port}"), "");
    let (_, form) = request(port, "GET", &form_path, None);
    let notice = form.find("Sending this form for the first time counts as your consent").expect(&form);
    assert!(notice < form.find("<form").unwrap(), "the consent line comes before the form: {form}");
    assert!(form.contains("Your name and address are seen only by the coordinator."), "{form}");
    assert!(form.contains(&format!("href=\"{form_path}/withdraw\"")), "the way out: {form}");
    let before = chrono_now();
    for point in [4, 5] {
        let body = serde_json::json!({"answers": {"approach-a.benefit": {"kind": "ordinal", "point": point}}});
        let (status, response) = send(port, "POST", &api, Some(("application/json", &body.to_string())));
        assert!(status.contains("200"), "{status}: {response}");
    }
    drop(server);
    let log = audit(root);
    let consents = actions(&log, "consent.given");
    assert_eq!(consents.len(), 1, "consent is recorded once, at the first answer: {consents:?}");
    assert_eq!(consents[0]["detail"]["channel"], "api");
    let first_answer = actions(&log, "submission.accepted")[0];
    assert_eq!(consents[0]["at"], first_answer["at"], "the consent has the time of the first answer");
    assert_eq!(consents[0]["actor"], first_answer["actor"], "named by pseudonym, like the answer");
    assert!(consents[0]["at"].as_str().unwrap() >= before.as_str());
    let conn = rusqlite::Connection::open(root.join("data/study/delphi.sqlite")).unwrap();
    let stored: (String, String) =
        conn.query_row("SELECT expert_id, given_at FROM consents", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!(stored.0, "E04");
    // A coordinator typing in an answer for an expert is not the expert's consent.
    let mut child = delphi(root)
        .args(["answer", "--expert", "E01", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"[approach-a.benefit] 3\n").unwrap();
    assert!(child.wait_with_output().unwrap().status.success());
    assert_eq!(actions(&audit(root), "consent.given").len(), 1);
}

/// Now as RFC 3339 text, as the audit log writes times (to compare as text).
fn chrono_now() -> String {
    let out = Command::new("date").args(["-u", "+%Y-%m-%dT%H:%M:%S"]).output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
fn a_first_emailed_reply_is_consent_and_its_receipt_keeps_the_way_out() {
    let dir = open_starter(|s| s);
    let root = dir.path();
    ok(root, &["invite", "--base-url", "https://delphi.example.org"]);
    let raw_invitation = message(root, "-invitation-", "E03");
    let invitation = mail_parser::MessageParser::default().parse(&raw_invitation).unwrap();
    let reply_to = invitation.reply_to().and_then(|a| a.first()).and_then(|a| a.address()).unwrap().to_owned();
    let message_id = invitation.message_id().unwrap().to_owned();
    let quoted: String = invitation.body_text(0).unwrap().lines().map(|line| format!("> {line}\r\n")).collect();
    let maildir = root.join("maildir");
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    for (n, answer) in [(1, 4), (2, 5)] {
        let raw = format!(
            "From: Robin Sample <robin.sample@example.org>\r\nTo: {reply_to}\r\nSubject: Re: round 1\r\n\
             Message-ID: <reply-{n}@example.org>\r\nIn-Reply-To: <{message_id}>\r\n\
             Date: Wed, 2 Dec 2026 0{n}:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
             [approach-a.benefit] {answer}\r\n\r\nOn Monday the study wrote:\r\n{quoted}"
        );
        std::fs::write(maildir.join("new").join(format!("reply-{n}")), raw).unwrap();
        ok(root, &["ingest", "--maildir", "maildir"]);
    }
    let log = audit(root);
    let consents = actions(&log, "consent.given");
    assert_eq!(consents.len(), 1, "{consents:?}");
    assert_eq!(consents[0]["detail"]["channel"], "email");
    let accepted = actions(&log, "submission.accepted");
    assert_eq!(accepted.len(), 2, "both replies recorded: {accepted:?}");
    assert_eq!(consents[0]["at"], accepted[0]["at"], "the time of the first reply's answers");

    let receipts: Vec<PathBuf> =
        outbox(root, "").into_iter().filter(|p| !p.to_string_lossy().contains("-invitation-")).collect();
    assert!(!receipts.is_empty(), "receipts were written");
    let receipt = text_of(&std::fs::read(&receipts[0]).unwrap());
    assert!(receipt.contains("/withdraw"), "every letter with the expert's token has the way out: {receipt}");
    assert!(receipt.contains("coordinator@example.org"), "{receipt}");
    // E03 lives in New York (the starter's panel): the receipt's deadline is in their time too.
    assert!(receipt.contains("2027-01-15 12:00 in your time zone, America/New_York"), "{receipt}");
}
