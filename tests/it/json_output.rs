//! `--format json` on `validate`, `invite`, `remind`, `ingest` and `report`, over the real
//! binary, as a coordinator's script reads it: standard output parsed whole with serde_json,
//! and each figure held against what is really there — the study file's broken line, the
//! `.eml` files in the outbox, the answers in the store, the files on disk and the PDF's
//! pages as `pdfinfo` counts them. The lines a person reads go to standard error meanwhile.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::util::{answer, delphi, email_reply, starter};
use serde_json::Value;

/// The starter with its panel imported and round 1 open for 14 days.
fn open_starter() -> tempfile::TempDir {
    let dir = starter();
    json(dir.path(), &["panel", "import"]);
    json(dir.path(), &["round", "open", "--days", "14"]);
    dir
}

/// Runs `delphi args`; its output.
fn run(dir: &Path, args: &[&str]) -> Output {
    delphi(dir).args(args).output().unwrap()
}

/// Runs `delphi args`, which must succeed; its standard output as JSON when `args` ask for
/// it (the whole of it must parse), `Value::Null` otherwise.
fn json(dir: &Path, args: &[&str]) -> Value {
    let out = run(dir, args);
    assert!(out.status.success(), "delphi {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    if args.contains(&"json") { parse(&out, args) } else { Value::Null }
}

fn parse(out: &Output, args: &[&str]) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("delphi {args:?}: stdout is not one JSON document ({e}):\n{}", stdout(out)))
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every item of the starter's round 1, answered as an expert fills in the reply form.
const COMPLETE: &str = "[approach-a.benefit] 4\n[approach-a.risk] 1\n[approach-a.rationale] Cheap to try.\n\
    [approach-b.benefit] 3\n[approach-b.risk] 2\n[approach-b.rationale] Unproven.\n\
    [years-to-adoption] 5%: 2 50%: 5 95%: 12\n";

/// The `.eml` files in the study's outbox whose names hold `kind` (`-invitation-`).
fn outbox(root: &Path, kind: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("data/study/outbox"))
        .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.to_string_lossy().contains(kind) && p.extension().is_some_and(|e| e == "eml"));
    files.sort();
    files
}

fn count(root: &Path, query: &str) -> u64 {
    let db = rusqlite::Connection::open(root.join("data/study/delphi.sqlite")).unwrap();
    let n: i64 = db.query_row(query, [], |r| r.get(0)).unwrap();
    u64::try_from(n).unwrap()
}

#[test]
fn validate_as_json_says_what_it_checked_and_names_the_line_of_each_problem() {
    let dir = starter();
    let root = dir.path();
    let checked = json(root, &["validate", "--format", "json"]);
    assert_eq!(checked["ok"], true);
    assert_eq!(checked["problems"], serde_json::json!([]));
    let study = &checked["study"];
    assert_eq!(study["file"], "study/study.toml");
    assert_eq!(study["id"], "study");
    assert_eq!(study["languages"], serde_json::json!(["en"]));
    assert_eq!((study["domains"].as_u64(), study["criteria"].as_u64()), (Some(2), Some(3)));
    assert_eq!((study["extra_items"].as_u64(), study["max_rounds"].as_u64()), (Some(1), Some(3)));
    let panel_csv = std::fs::read_to_string(root.join("study/panel.csv")).unwrap();
    let experts: Vec<&str> = panel_csv.lines().skip(1).collect();
    let blocs: std::collections::BTreeSet<&str> = experts.iter().map(|l| l.split(',').nth(5).unwrap()).collect();
    assert_eq!(checked["panel"]["file"], "study/panel.csv");
    assert_eq!(checked["panel"]["experts"].as_u64(), Some(experts.len() as u64));
    assert_eq!(checked["panel"]["blocs"].as_u64(), Some(blocs.len() as u64));

    // A coordinator types the scale's labels in Chinese, and the input method puts a
    // full-width comma between two of them.
    let file = root.join("study/study.toml");
    let original = std::fs::read_to_string(&file).unwrap();
    let broken_line = "labels.en = [\"很低\", \"低\", \"中等\"，\"高\", \"很高\"]";
    let edited: Vec<&str> =
        original.lines().map(|l| if l.starts_with("labels.en") { broken_line } else { l }).collect();
    std::fs::write(&file, edited.join("\n")).unwrap();
    let line = edited.iter().position(|l| *l == broken_line).unwrap() + 1;
    let column = broken_line.chars().position(|c| c == '，').unwrap() + 1;

    let out = run(root, &["validate", "--format", "json"]);
    assert_eq!(out.status.code(), Some(3), "a study with problems still exits 3: {}", stderr(&out));
    let listed = parse(&out, &["validate"]);
    assert_eq!(listed["ok"], false);
    assert_eq!(listed["study"], Value::Null, "nothing of the study could be read");
    let problems = listed["problems"].as_array().unwrap();
    assert!(!problems.is_empty(), "{listed}");
    let first = &problems[0];
    assert_eq!(first["file"], "study/study.toml");
    assert_eq!(first["line"].as_u64(), Some(line as u64), "{first}");
    assert_eq!(first["column"].as_u64(), Some(column as u64), "the column of the full-width comma: {first}");
    assert_eq!(first["field"], "(syntax)");
    assert_eq!(first["source_line"], broken_line);
    assert!(first["message"].as_str().unwrap().contains("comma"), "{first}");
    assert!(first.get("hint").is_some(), "every problem has a hint field, null when there is none");
    let plural = if problems.len() == 1 { "" } else { "s" };
    assert_eq!(
        stderr(&out),
        format!("{} problem{plural} in study/study.toml\n", problems.len()),
        "standard error says only how many; the problems are on standard output"
    );

    // The study mended, a panel row with an address missing its domain.
    std::fs::write(&file, &original).unwrap();
    std::fs::write(root.join("study/panel.csv"), panel_csv.replace("robin.sample@example.org", "robin.sample@"))
        .unwrap();
    let out = run(root, &["validate", "--format", "json"]);
    assert_eq!(out.status.code(), Some(3));
    let listed = parse(&out, &["validate"]);
    assert_eq!(listed["ok"], false);
    assert_eq!(listed["study"]["id"], "study", "the study was checked and is fine");
    assert_eq!(listed["panel"], Value::Null);
    let problem = &listed["problems"][0];
    let row = panel_csv.lines().position(|l| l.starts_with("E03,")).unwrap() + 1;
    assert_eq!(problem["file"], "study/panel.csv");
    assert_eq!(problem["line"].as_u64(), Some(row as u64), "{problem}");
    assert_eq!(problem["field"], "email");

    // The text output is as it was: problems on standard error, nothing on standard output.
    let text = run(root, &["validate"]);
    assert_eq!(text.status.code(), Some(3));
    assert_eq!(stdout(&text).lines().count(), 1, "only the study's ok line: {}", stdout(&text));
    assert!(stderr(&text).contains(&format!("study/panel.csv:{row}:")), "{}", stderr(&text));
}

#[test]
fn invite_and_remind_as_json_count_what_went_to_the_outbox() {
    let dir = open_starter();
    let root = dir.path();
    answer(root, "E01", COMPLETE);

    let invited = json(root, &["invite", "--format", "json"]);
    let invitations = outbox(root, "-invitation-");
    assert!(!invitations.is_empty());
    assert_eq!(invited["sent"].as_u64(), Some(invitations.len() as u64), "{invited}");
    assert_eq!((invited["round"].as_u64(), &invited["campaign"]), (Some(1), &Value::from("invitation")));
    assert_eq!(invited["reminder"], Value::Null);
    assert_eq!(invited["to"], serde_json::json!({ "kind": "outbox", "path": "data/study/outbox" }));
    assert_eq!((&invited["failed"], &invited["dry_run"]), (&serde_json::json!([]), &Value::from(false)));
    let again = json(root, &["invite", "--format", "json"]);
    assert_eq!((again["sent"].as_u64(), again["sent_before"].as_u64()), (Some(0), Some(invitations.len() as u64)));
    assert_eq!(outbox(root, "-invitation-").len(), invitations.len(), "a re-run sends nothing again");

    // Cron runs `remind` daily; the schedule's first day (7 days before the deadline) is ahead.
    let out = run(root, &["remind", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let not_due = parse(&out, &["remind"]);
    assert_eq!((&not_due["due"], not_due["sent"].as_u64()), (&Value::from(false), Some(0)));
    assert!(stderr(&out).contains("no reminder is due yet"), "the person's line goes to stderr: {}", stderr(&out));
    let next = chrono::DateTime::parse_from_rfc3339(not_due["next_due_at"].as_str().unwrap()).unwrap();
    let rounds = json(root, &["round", "list", "--format", "json"]);
    let deadline = rounds[0]["deadline"].as_str().unwrap();
    assert_eq!((next + chrono::Duration::days(7)).format("%Y-%m-%d %H:%M UTC").to_string(), deadline);

    // Reminders now, to the four who have not answered.
    let reminded = json(root, &["remind", "--now", "--format", "json"]);
    let reminders = outbox(root, "-reminder-");
    assert_eq!(reminded["sent"].as_u64(), Some(reminders.len() as u64), "{reminded}");
    assert_eq!(reminders.len(), 4, "everyone but E01, who answered");
    assert_eq!((reminded["campaign"].as_str(), reminded["reminder"].as_u64()), (Some("reminder"), Some(1)));
    let twice = run(root, &["remind", "--now", "--format", "json"]);
    let twice_json = parse(&twice, &["remind"]);
    assert_eq!((twice_json["sent"].as_u64(), twice_json["reminded_in_slot"].as_u64()), (Some(0), Some(4)));
    assert!(stderr(&twice).contains("already reminded"), "{}", stderr(&twice));

    // A dry run lists who would be reminded, and sends nothing.
    let dry = json(root, &["remind", "--now", "--force", "--dry-run", "--format", "json"]);
    let would: Vec<&str> =
        dry["would_send"].as_array().unwrap().iter().map(|w| w["expert"].as_str().unwrap()).collect();
    assert_eq!(would, ["E02", "E03", "E04", "E05"], "{dry}");
    assert!(dry["would_send"].as_array().unwrap().iter().all(|w| w["language"] == "en"));
    assert_eq!((dry["dry_run"].as_bool(), dry["sent"].as_u64()), (Some(true), Some(0)));
    assert_eq!(outbox(root, "-reminder-").len(), 4);
}

#[test]
fn ingest_as_json_counts_what_the_store_recorded() {
    let dir = open_starter();
    let root = dir.path();
    json(root, &["invite"]);
    let maildir = root.join("maildir");
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    let invitation_of = |expert: &str| {
        let path =
            outbox(root, "-invitation-").into_iter().find(|p| p.to_string_lossy().ends_with(&format!("-{expert}.eml")));
        std::fs::read(path.unwrap()).unwrap()
    };
    // E02 answers everything, E03 the first three questions; a stranger writes without a token.
    let partial: String = COMPLETE.lines().take(3).map(|l| format!("{l}\n")).collect();
    std::fs::write(maildir.join("new/1.reply"), email_reply(&invitation_of("E02"), COMPLETE, 1)).unwrap();
    std::fs::write(maildir.join("new/2.reply"), email_reply(&invitation_of("E03"), &partial, 2)).unwrap();
    std::fs::write(
        maildir.join("new/3.reply"),
        "From: someone@elsewhere.example\r\nTo: delphi@localhost\r\nSubject: question\r\n\
         Message-ID: <stranger@elsewhere.example>\r\nContent-Type: text/plain\r\n\r\nWhat is this study about?\r\n",
    )
    .unwrap();

    let out = run(root, &["ingest", "--maildir", "maildir", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let ingested = parse(&out, &["ingest"]);
    assert_eq!(ingested["source"], serde_json::json!({ "kind": "maildir", "path": "maildir" }));
    let counts = &ingested["counts"];
    assert_eq!(counts["read"].as_u64(), Some(3), "{ingested}");
    assert_eq!(
        counts["recorded"].as_u64(),
        Some(count(root, "SELECT COUNT(*) FROM submissions WHERE channel = 'email'"))
    );
    assert_eq!(counts["recorded"].as_u64(), Some(2));
    assert_eq!((counts["set_aside"].as_u64(), counts["for_you_to_look_at"].as_u64()), (Some(1), Some(1)));
    let stored = count(
        root,
        "SELECT COUNT(*) FROM answers a JOIN submissions s ON s.id = a.submission_id WHERE s.channel = 'email'",
    );
    assert_eq!(ingested["answers_recorded"].as_u64(), Some(stored), "{ingested}");
    assert_eq!(stored, 7 + 3);
    let messages = ingested["messages"].as_array().unwrap();
    let recorded: std::collections::BTreeSet<&str> =
        messages.iter().filter(|m| m["outcome"] == "recorded").map(|m| m["expert"].as_str().unwrap()).collect();
    assert_eq!(recorded, ["E02", "E03"].into());
    let stranger = messages.iter().find(|m| m["outcome"] == "no-token").expect("the stranger's message");
    assert_eq!(stranger["expert"], Value::Null);
    assert_eq!(stranger["key"], "<stranger@elsewhere.example>", "its Message-ID, as the store keys it");
    assert_eq!(count(root, "SELECT COUNT(*) FROM inbound_mail WHERE message_key = '<stranger@elsewhere.example>'"), 1);
    assert_eq!(count(root, "SELECT COUNT(*) FROM inbound_mail"), 3);
    assert!(stderr(&out).contains("recorded 7 answer(s) from E02"), "each message's line on stderr: {}", stderr(&out));

    // Run again (cron): every message was dealt with before; nothing is recorded twice.
    let again = json(root, &["ingest", "--maildir", "maildir", "--format", "json"]);
    assert_eq!(again["counts"]["dealt_with_before"].as_u64(), Some(3), "{again}");
    assert_eq!((again["counts"]["recorded"].as_u64(), again["answers_recorded"].as_u64()), (Some(0), Some(0)));
    assert_eq!(count(root, "SELECT COUNT(*) FROM submissions WHERE channel = 'email'"), 2);
}

#[test]
fn report_as_json_lists_files_that_exist_with_their_rows_and_pages() {
    let dir = open_starter();
    let root = dir.path();
    for expert in ["E01", "E02", "E03", "E04", "E05"] {
        answer(root, expert, COMPLETE);
    }
    json(root, &["round", "close"]);
    let out = run(root, &["report", "--out", "reports", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = parse(&out, &["report"]);
    assert_eq!((report["study"].as_str(), report["round"].as_u64()), (Some("study"), Some(1)));
    assert!(stderr(&out).contains("report.pdf ("), "the person's lines go to stderr: {}", stderr(&out));

    let exports = &report["exports"];
    assert_eq!(exports["dir"], "reports/study/round-1");
    let files = |list: &Value| -> Vec<PathBuf> {
        list.as_array().unwrap().iter().map(|f| PathBuf::from(f.as_str().unwrap())).collect()
    };
    let exported = files(&exports["files"]);
    let names: Vec<String> = exported.iter().map(|f| f.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(
        names,
        ["figures.csv", "figures.parquet", "figures.md", "answers.csv", "answers.parquet", "summary.json"]
    );
    for file in &exported {
        assert!(root.join(file).is_file(), "{} is listed but not there", file.display());
    }
    let rows =
        |name: &str| csv::Reader::from_path(root.join("reports/study/round-1").join(name)).unwrap().records().count();
    assert_eq!(exports["figures"].as_u64(), Some(rows("figures.csv") as u64));
    assert_eq!(exports["answers"].as_u64(), Some(rows("answers.csv") as u64));
    assert!(rows("answers.csv") > 0);

    let reports = report["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 1, "one per language of the study");
    let english = &reports[0];
    assert_eq!((english["language"].as_str(), english["dir"].as_str()), (Some("en"), Some("reports/study/round-1/en")));
    let written = files(&english["files"]);
    for name in ["report.pdf", "report.typ", "report.html", "report.md"] {
        assert!(written.iter().any(|f| f.ends_with(name)), "{name} is listed: {written:?}");
    }
    for file in &written {
        assert!(root.join(file).is_file(), "{} is listed but not there", file.display());
    }
    let info = Command::new("pdfinfo").arg(root.join("reports/study/round-1/en/report.pdf")).output().unwrap();
    let pages: u64 = String::from_utf8_lossy(&info.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .map(|p| p.trim().parse().unwrap())
        .expect("pdfinfo reads the page count");
    assert_eq!(english["pages"].as_u64(), Some(pages));
}
