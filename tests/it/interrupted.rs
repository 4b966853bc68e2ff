//! Commands interrupted the two ways a terminal and an operating system interrupt them:
//! SIGKILL at stepped moments (`round close`, `report`, `invite`, `ingest`) and a reader
//! that leaves (`report | head -1`, `ingest | head -2`). Each runs the real binary on a
//! real SQLite file. Afterwards the store passes its integrity check, no file under its
//! final name is half-written, and re-running the command completes the work.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use mail_parser::MimeHeaders as _;

use crate::util::{delphi, init, ok, ok_with, run};

const STUDY: &str = "crash";

/// A reply form of expert `i`: every criterion of every domain, rationales, ranking and quantiles.
fn reply(i: usize) -> String {
    let spread = |base: i32| (base + [0, 1, -1, 0, 2][i % 5]).clamp(1, 7);
    let mut lines = Vec::new();
    for (domain, benefit, risk, recommend) in
        [("verification", 6, 2, 5), ("protocols", 6, 2, 4), ("infrastructure", 4, 4, 3), ("evaluations", 4, 6, 2)]
    {
        lines.push(format!("[{domain}.benefit] {}", spread(benefit)));
        for criterion in ["risk-capabilities", "risk-information", "risk-harm"] {
            lines.push(format!("[{domain}.{criterion}] {}", spread(risk)));
        }
        lines.push(format!("[{domain}.recommendation] {}", (recommend + [0, 1, -1][i % 3]).clamp(1, 5)));
        lines.push(format!("[{domain}.rationale] Expert {i} weighs {domain} this way."));
    }
    lines.push("[area-ranking] verification, protocols, infrastructure, evaluations".into());
    lines.push(format!("[years-to-first-agreement] 5%: 1 50%: {} 95%: {}", 3 + i % 3, 10 + i));
    lines.push(format!("[p-joint-evaluation-2030] {}%", 20 + i));
    lines.push(format!("[seed-bletchley-countries] 5%: 15 50%: {} 95%: 40", 25 + i % 5));
    lines.push("[seed-eo14110-threshold] 5%: 23 50%: 25 95%: 27".into());
    lines.join("\n")
}

/// A study with the shipped panel of 20 and round 1 open, answered by every expert.
fn answered_study() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path(), &["--id", STUDY, "--example", "ai-safety"]);
    ok(dir.path(), &["panel", "import"]);
    ok(dir.path(), &["round", "open", "--days", "14"]);
    for i in 1..=20 {
        ok_with(dir.path(), &["answer", "--expert", &format!("E{i:02}")], Some(&reply(i)));
    }
    dir
}

/// A copy of `from` (files and folders) in a fresh temporary directory: the same store,
/// pseudonyms and answers, so each copy is one more run of the same study.
fn copy_of(from: &Path) -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    copy(from, dir.path());
    dir
}

/// Starts `delphi args` and SIGKILLs it after `after`, whether or not it finished.
fn kill_after(root: &Path, args: &[&str], after: Duration) {
    let mut child: Child = delphi(root).args(args).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    std::thread::sleep(after);
    let _ = child.kill(); // an error only means it had exited already
    child.wait().unwrap();
}

/// How long `delphi args` takes on a copy of `template`, uninterrupted (the slowest of three).
fn run_time(template: &Path, args: &[&str]) -> Duration {
    (0..3)
        .map(|_| {
            let copy = copy_of(template);
            let started = Instant::now();
            ok(copy.path(), args);
            started.elapsed()
        })
        .max()
        .unwrap()
}

/// `n` delays from 0 to `beyond` × `run_time`, evenly spaced.
fn stepped(run_time: Duration, n: u32, beyond: f64) -> Vec<Duration> {
    (0..n).map(|i| run_time.mul_f64(beyond * f64::from(i) / f64::from(n - 1))).collect()
}

fn store(root: &Path) -> PathBuf {
    root.join("data").join(STUDY).join("delphi.sqlite")
}

fn summary_file(root: &Path) -> PathBuf {
    root.join("data").join(STUDY).join("round-1/summary.json")
}

/// The store passes SQLite's integrity check and round 1's state agrees with the audit log.
/// Returns the state of round 1.
fn assert_store_consistent(root: &Path) -> String {
    let db = rusqlite::Connection::open(store(root)).unwrap();
    let check: String = db.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    let state: String =
        db.query_row("SELECT state FROM rounds WHERE number = 1", [], |r| r.get(0)).expect("round 1 exists");
    let closed_entries: u32 = db
        .query_row(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'round.closed' AND json_extract(detail, '$.round') = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(closed_entries, u32::from(state == "closed"), "round 1 is {state}; the audit log disagrees");
    state
}

/// Every file under `dir` with a final name (hidden temporary files left out), relative.
fn final_names(dir: &Path) -> Vec<PathBuf> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                walk(base, &path, out);
            } else if !entry.file_name().to_string_lossy().starts_with('.') {
                out.push(path.strip_prefix(base).unwrap().to_owned());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out
}

/// Every file under `dir` (relative path → bytes), hidden temporary files left out.
fn files_under(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    final_names(dir).into_iter().map(|name| (name.clone(), std::fs::read(dir.join(&name)).unwrap())).collect()
}

/// A PDF that a real reader (poppler's pdftotext) reads from end to end.
fn assert_pdf_readable(path: &Path) {
    let out = Command::new("pdftotext").arg(path).arg("-").output().expect("pdftotext is installed");
    assert!(out.status.success(), "{} is not a readable PDF: {}", path.display(), String::from_utf8_lossy(&out.stderr));
    assert!(!out.stdout.is_empty(), "{} has no text", path.display());
}

/// Every file of a report: each readable as what its name says, and equal to the same
/// file of an uninterrupted run (the reports depend on the store alone).
fn assert_report_files_complete(root: &Path, reference: &BTreeMap<PathBuf, Vec<u8>>, all: bool) -> usize {
    let reports = root.join("reports");
    let found = files_under(&reports);
    for (path, bytes) in &found {
        let expected = reference.get(path).unwrap_or_else(|| panic!("{} is not a report file", path.display()));
        assert!(
            bytes == expected,
            "{} differs from an uninterrupted run's ({} of {} bytes)",
            path.display(),
            bytes.len(),
            expected.len()
        );
        match path.extension().and_then(|e| e.to_str()) {
            Some("pdf") => assert_pdf_readable(&reports.join(path)),
            Some("json") => {
                serde_json::from_slice::<serde_json::Value>(bytes).expect("JSON parses");
            }
            _ => {}
        }
    }
    if all {
        assert_eq!(found.keys().collect::<Vec<_>>(), reference.keys().collect::<Vec<_>>(), "every report file");
    }
    found.len()
}

#[test]
fn round_close_killed_at_twelve_points_leaves_a_consistent_store_and_a_summary_it_can_finish() {
    let template = answered_study();
    let reference = copy_of(template.path());
    ok(reference.path(), &["round", "close"]);
    let expected = std::fs::read(summary_file(reference.path())).unwrap();
    serde_json::from_slice::<serde_json::Value>(&expected).expect("the summary is JSON");
    let uninterrupted = run_time(template.path(), &["round", "close"]);

    let mut outcomes: BTreeMap<&str, u32> = BTreeMap::new();
    let mut finished = Vec::new();
    for delay in stepped(uninterrupted, 12, 1.2) {
        let copy = copy_of(template.path());
        let root = copy.path();
        kill_after(root, &["round", "close"], delay);
        let state = assert_store_consistent(root);
        let summary = std::fs::read(summary_file(root)).ok();
        let outcome = match (state.as_str(), &summary) {
            ("open", None) => "open",
            ("open", Some(_)) => panic!("a summary of a round that is still open"),
            ("closed", Some(bytes)) => {
                assert!(
                    bytes == &expected,
                    "a killed close left a summary unlike an uninterrupted one ({} bytes)",
                    bytes.len()
                );
                "closed with its summary"
            }
            ("closed", None) => {
                let status = ok(root, &["status"]);
                assert!(status.contains("`delphi round summary 1` writes it"), "status tells of it: {status}");
                "closed without its summary"
            }
            (other, _) => panic!("round 1 is {other}"),
        };
        *outcomes.entry(outcome).or_default() += 1;
        eprintln!("killed after {delay:?} of {uninterrupted:?}: {outcome}");

        match outcome {
            // the coordinator runs the same command again
            "open" | "closed without its summary" => {
                let said = ok(root, &["round", "close"]);
                assert!(said.contains("round 1 of `crash` is closed"), "{said}");
            }
            _ => {
                let refused = run(root, &["round", "close"]);
                assert_eq!(refused.status.code(), Some(4), "a finished close is not done twice");
            }
        }
        assert_eq!(assert_store_consistent(root), "closed");
        assert!(
            std::fs::read(summary_file(root)).unwrap() == expected,
            "the finished summary equals an uninterrupted close's"
        );
        finished.push(copy);
    }
    // A summary lost later (deleted, a disk restored from an older backup) is written again.
    for copy in &finished {
        std::fs::remove_file(summary_file(copy.path())).unwrap();
        let said = ok(copy.path(), &["round", "summary", "1"]);
        assert!(said.contains("summary of round 1 written"), "{said}");
        assert!(
            std::fs::read(summary_file(copy.path())).unwrap() == expected,
            "`round summary 1` writes the same bytes"
        );
    }
    eprintln!("outcomes: {outcomes:?}");
    assert!(outcomes.get("open").is_some_and(|&n| n > 0), "some kills came before the close: {outcomes:?}");
    assert!(
        outcomes.keys().any(|o| o.starts_with("closed")),
        "some kills came after the close, for this test to mean anything: {outcomes:?}"
    );
}

#[test]
fn round_summary_is_refused_for_a_round_that_is_still_open() {
    let dir = answered_study();
    let out = run(dir.path(), &["round", "summary", "1"]);
    assert_eq!(out.status.code(), Some(4));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("round 1 is not closed; its summary is written when it closes"), "{stderr}");
    assert!(!summary_file(dir.path()).exists());
}

/// A study whose round 1 is closed, and the files of an uninterrupted `delphi report` of it.
fn reported_study() -> (tempfile::TempDir, BTreeMap<PathBuf, Vec<u8>>) {
    let template = answered_study();
    ok(template.path(), &["round", "close"]);
    let reference = copy_of(template.path());
    ok(reference.path(), &["report"]);
    let files = files_under(&reference.path().join("reports"));
    let names: Vec<String> = files.keys().map(|p| p.display().to_string()).collect();
    for wanted in [
        "crash/round-1/summary.json",
        "crash/round-1/en/report.pdf",
        "crash/round-1/zh/report.pdf",
        "crash/round-1/zh/report.md",
    ] {
        assert!(names.iter().any(|n| n == wanted), "{wanted} missing from {names:?}");
    }
    (template, files)
}

/// Runs `delphi args` and SIGKILLs it as soon as `files` report files exist under their
/// final names (or lets it finish if it never gets there). Kills placed by progress, not by
/// time: on a busy machine a run's time varies tenfold, its order of files does not.
fn kill_when_written(root: &Path, args: &[&str], files: usize) {
    let mut child: Child = delphi(root).args(args).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let reports = root.join("reports");
    let deadline = Instant::now() + Duration::from_secs(300);
    while child.try_wait().unwrap().is_none() && Instant::now() < deadline {
        if final_names(&reports).len() >= files {
            let _ = child.kill(); // an error only means it had exited already
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let _ = child.kill();
    child.wait().unwrap();
}

#[test]
fn report_killed_mid_way_leaves_no_half_file_and_a_rerun_completes() {
    let (template, reference) = reported_study();
    let total = reference.len();
    let mut partial_runs = 0;
    // Before the first file, after the first, a third, two thirds, and all but one.
    for after in [0, 1, total / 3, 2 * total / 3, total - 1] {
        let copy = copy_of(template.path());
        if after == 0 {
            kill_after(copy.path(), &["report"], Duration::ZERO);
        } else {
            kill_when_written(copy.path(), &["report"], after);
        }
        let written = assert_report_files_complete(copy.path(), &reference, false);
        eprintln!("report killed once {after} files were written: {written} of {total} files");
        if written > 0 && written < total {
            partial_runs += 1;
        }
        ok(copy.path(), &["report"]);
        assert_report_files_complete(copy.path(), &reference, true);
        assert_store_consistent(copy.path());
    }
    assert!(partial_runs > 0, "no kill came between the first file and the last");
}

/// The `.eml` files in the outbox whose name contains `kind`.
fn outbox(root: &Path, kind: &str) -> Vec<PathBuf> {
    let dir = root.join("data").join(STUDY).join("outbox");
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(dir).map(|entries| entries.map(|e| e.unwrap().path()).collect()).unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "eml") && p.to_string_lossy().contains(kind));
    files.sort();
    files
}

/// What the tests need of a letter in the outbox.
struct Letter {
    to: String,
    reply_to: String,
    subject: String,
    message_id: String,
    text: String,
}

/// A message in the outbox as a mail client reads it; panics on anything half-written:
/// no Message-ID, no recipient, no text, or a multipart message without its end.
fn read_letter(path: &Path) -> Letter {
    let raw = std::fs::read(path).unwrap();
    let message = mail_parser::MessageParser::default().parse(&raw).expect("a MIME message");
    let address = |a: Option<&mail_parser::Address<'_>>| {
        a.and_then(|a| a.first()).and_then(|a| a.address()).unwrap_or_default().to_owned()
    };
    let letter = Letter {
        to: address(message.to()),
        reply_to: address(message.reply_to()),
        subject: message.subject().unwrap_or_default().to_owned(),
        message_id: message.message_id().unwrap_or_default().to_owned(),
        text: message.body_text(0).unwrap_or_default().into_owned(),
    };
    let shown = path.display();
    assert!(!letter.message_id.is_empty() && !letter.to.is_empty(), "{shown} has no Message-ID or recipient");
    assert!(!letter.text.is_empty(), "{shown} has no text part");
    let boundary = message.content_type().and_then(|c| c.attribute("boundary")).map(str::to_owned);
    if let Some(boundary) = boundary {
        let closing = format!("--{boundary}--");
        assert!(raw.windows(closing.len()).any(|w| w == closing.as_bytes()), "{shown} is cut short");
    }
    letter
}

#[test]
fn invite_killed_mid_way_leaves_only_whole_letters_and_a_rerun_sends_each_once() {
    let template = answered_study();
    let uninterrupted = run_time(template.path(), &["invite"]);
    for delay in [0.25, 0.5, 0.75, 1.0].map(|f| uninterrupted.mul_f64(f)) {
        let copy = copy_of(template.path());
        let root = copy.path();
        kill_after(root, &["invite"], delay);
        let before = outbox(root, "-invitation-");
        for letter in &before {
            assert!(read_letter(letter).text.contains("[verification.benefit]"), "{} is cut short", letter.display());
        }
        eprintln!("invite killed after {delay:?} of {uninterrupted:?}: {} of 20 letters", before.len());
        assert_store_consistent(root);
        ok(root, &["invite"]);
        let letters = outbox(root, "-invitation-");
        let recipients: std::collections::BTreeSet<String> = letters.iter().map(|p| read_letter(p).to).collect();
        assert_eq!(recipients.len(), 20, "every expert has their invitation");
        assert_eq!(
            count(root, "SELECT COUNT(*) FROM outgoing_mail WHERE kind = 'invitation' AND sent_at IS NOT NULL"),
            20,
            "each marked sent"
        );
    }
}

/// Writes into `maildir` one reply per invitation of the outbox, changing the expert's
/// answer to `[verification.benefit]` (so each is a new submission).
fn deliver_replies(root: &Path, maildir: &Path) -> usize {
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    let letters = outbox(root, "-invitation-");
    for (n, path) in letters.iter().enumerate() {
        let letter = read_letter(path);
        // no Date header: the reply counts as written when it arrives, after the answers above
        let raw = format!(
            "From: {}\r\nTo: {}\r\nSubject: Re: {}\r\nMessage-ID: <reply-{n}@example.org>\r\nIn-Reply-To: <{}>\r\n\
             MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n[verification.benefit] {}\r\n",
            letter.to,
            letter.reply_to,
            letter.subject,
            letter.message_id,
            1 + n % 3,
        );
        let name = format!("{n:04}.reply");
        std::fs::write(maildir.join("tmp").join(&name), raw).unwrap();
        std::fs::rename(maildir.join("tmp").join(&name), maildir.join("new").join(&name)).unwrap();
    }
    letters.len()
}

fn count(root: &Path, query: &str) -> i64 {
    let db = rusqlite::Connection::open(store(root)).unwrap();
    db.query_row(query, [], |r| r.get(0)).unwrap()
}

/// A study with round 1 answered, invitations sent and a reply to each in `maildir/`.
fn study_with_replies() -> (tempfile::TempDir, usize) {
    let dir = answered_study();
    ok(dir.path(), &["invite"]);
    let replies = deliver_replies(dir.path(), &dir.path().join("maildir"));
    (dir, replies)
}

#[test]
fn ingest_killed_mid_way_leaves_only_whole_receipts_and_a_rerun_records_each_reply_once() {
    let (template, replies) = study_with_replies();
    let uninterrupted = run_time(template.path(), &["ingest", "--maildir", "maildir"]);
    for delay in [0.25, 0.5, 0.75, 1.0].map(|f| uninterrupted.mul_f64(f)) {
        let copy = copy_of(template.path());
        let root = copy.path();
        kill_after(root, &["ingest", "--maildir", "maildir"], delay);
        for receipt in outbox(root, "-receipt-") {
            read_letter(&receipt);
        }
        let dealt_with = count(root, "SELECT COUNT(*) FROM inbound_mail");
        eprintln!("ingest killed after {delay:?} of {uninterrupted:?}: {dealt_with} of {replies} replies");
        assert_store_consistent(root);
        ok(root, &["ingest", "--maildir", "maildir"]);
        assert_eq!(count(root, "SELECT COUNT(*) FROM inbound_mail"), i64::try_from(replies).unwrap());
        assert_eq!(
            count(root, "SELECT COUNT(*) FROM submissions WHERE channel = 'email'"),
            i64::try_from(replies).unwrap(),
            "each reply recorded once"
        );
        let receipts = outbox(root, "-receipt-");
        assert!(receipts.len() >= replies, "every reply has its receipt: {}", receipts.len());
        receipts.iter().for_each(|r| drop(read_letter(r)));
    }
}

/// Starts `delphi args` with its output in a pipe, reads `lines` lines and closes the pipe,
/// as `| head -n` does; returns how the command ended.
fn with_reader_leaving_after(root: &Path, args: &[&str], lines: usize) -> Output {
    let mut child = delphi(root).args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    for _ in 0..lines {
        let mut line = String::new();
        assert!(reader.read_line(&mut line).unwrap() > 0, "the command printed fewer than {lines} lines");
    }
    drop(reader);
    child.wait_with_output().unwrap()
}

fn assert_quiet_success(out: &Output, what: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{what} with its reader gone: {stderr}");
    assert!(!stderr.contains("panicked") && !stderr.contains("Broken pipe"), "{what}: {stderr}");
}

#[test]
fn report_piped_into_head_exits_0_with_every_file_complete() {
    let (template, reference) = reported_study();
    let out = with_reader_leaving_after(template.path(), &["report"], 1);
    assert_quiet_success(&out, "report | head -1");
    assert_report_files_complete(template.path(), &reference, true);
}

#[test]
fn ingest_piped_into_head_exits_0_having_recorded_every_reply() {
    let (dir, replies) = study_with_replies();
    let out = with_reader_leaving_after(dir.path(), &["ingest", "--maildir", "maildir"], 2);
    assert_quiet_success(&out, "ingest | head -2");
    assert_eq!(count(dir.path(), "SELECT COUNT(*) FROM inbound_mail"), i64::try_from(replies).unwrap());
    assert_eq!(outbox(dir.path(), "-receipt-").len(), replies, "every reply got its receipt");
    let again = ok(dir.path(), &["ingest", "--maildir", "maildir"]);
    assert!(again.contains("0 recorded"), "nothing was left for a second run: {again}");
}
