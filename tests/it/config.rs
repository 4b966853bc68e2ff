//! `delphi.toml` as a coordinator keeps it beside the study: `invite` and `ingest` run with
//! no flag and no environment variable, taking the sender, the reply address, the links'
//! server, the outbox and the Maildir from the file; a flag and a variable still win over it;
//! a password or an unknown key in the file is refused at its line, and nothing is sent.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use mail_parser::MessageParser;

use crate::util::{email_reply, init_example};

/// `delphi` on the study in `dir` with no DELPHI_* variable from the test's environment:
/// whatever it knows beyond --study and --data-dir, it knows from the settings file.
fn delphi_from_file(dir: &Path, args: &[&str]) -> Command {
    let mut command = crate::util::delphi(dir);
    for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("DELPHI_")) {
        command.env_remove(name);
    }
    command.args(args);
    command
}

fn run(command: &mut Command) -> (Output, String, String) {
    let out = command.output().unwrap();
    let (stdout, stderr) =
        (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned());
    (out, stdout, stderr)
}

fn ok_from_file(dir: &Path, args: &[&str]) -> String {
    let (out, stdout, stderr) = run(&mut delphi_from_file(dir, args));
    assert!(out.status.success(), "delphi {args:?}: {stdout}{stderr}");
    stdout
}

/// The shipped study with its panel imported and round 1 open, in a temporary folder.
fn open_study() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    init_example(dir.path(), "settings", |study| study.to_owned());
    ok_from_file(dir.path(), &["round", "open", "--days", "14"]);
    dir
}

fn messages(dir: &Path, kind: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "eml") && p.to_string_lossy().contains(kind));
    files.sort();
    files
}

fn header(raw: &[u8], name: &str) -> String {
    let message = MessageParser::default().parse(raw).expect("a MIME message");
    message.header_raw(name).unwrap_or_default().trim().to_owned()
}

const SETTINGS: &str = r#"# The study's mail settings: no secrets here (DELPHI_SMTP_PASSWORD, DELPHI_IMAP_PASSWORD).
[mail]
from = "Cooperation Study <coordinator@study.example.org>"
reply_to = "replies@study.example.org"
base_url = "https://delphi.study.example.org"
outbox = "sent-mail"

[ingest]
maildir = "inbox"
"#;

#[test]
fn invite_and_ingest_take_their_settings_from_the_file_beside_the_study() {
    let dir = open_study();
    let root = dir.path();
    std::fs::write(root.join("study/delphi.toml"), SETTINGS).unwrap();

    let invited = ok_from_file(root, &["invite"]);
    let outbox = root.join("study/sent-mail");
    assert!(invited.contains("20 invitation(s) sent") && invited.contains("sent-mail"), "{invited}");
    assert!(messages(&root.join("data/settings/outbox"), "").is_empty(), "not the default outbox");
    let invitations = messages(&outbox, "-invitation-");
    assert_eq!(invitations.len(), 20, "the outbox the file names, relative to the file");
    let first = std::fs::read(&invitations[0]).unwrap();
    assert!(header(&first, "From").contains("coordinator@study.example.org"), "{}", header(&first, "From"));
    let reply_to = header(&first, "Reply-To");
    let token = reply_to
        .split_once("replies+")
        .and_then(|(_, rest)| rest.split_once("@study.example.org"))
        .map(|(token, _)| token.to_owned())
        .unwrap_or_else(|| panic!("a personal reply address at the file's mailbox: {reply_to}"));
    let text = String::from_utf8_lossy(&first);
    assert!(text.contains(&format!("https://delphi.study.example.org/s/{token}")), "the link on the file's server");

    // The expert answers by email; the reply lands in the Maildir the file names.
    let inbox = root.join("study/inbox");
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(inbox.join(sub)).unwrap();
    }
    let reply = email_reply(&first, "[verification.benefit] 4\n[verification.risk-capabilities] 2", 1);
    std::fs::write(inbox.join("new/1.reply"), reply).unwrap();
    let ingested = ok_from_file(root, &["ingest"]);
    assert!(ingested.contains("recorded 2 answer(s) from"), "{ingested}");
    assert!(ingested.contains("inbox: 1 message(s) read"), "{ingested}");
    let receipts = messages(&outbox, "-receipt-");
    assert_eq!(receipts.len(), 1, "the receipt goes to the same outbox");
    let receipt = std::fs::read(&receipts[0]).unwrap();
    assert!(header(&receipt, "From").contains("coordinator@study.example.org"));

    // A flag wins over the file: another (empty) Maildir is read instead of the file's.
    let elsewhere = root.join("elsewhere");
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(elsewhere.join(sub)).unwrap();
    }
    let flagged = ok_from_file(root, &["ingest", "--maildir", "elsewhere"]);
    assert!(flagged.contains("Maildir elsewhere: 0 message(s) read"), "{flagged}");
    // So does a variable: with DELPHI_IMAP_URL set, ingest goes to IMAP (and, with no
    // password in the environment, stops before connecting) instead of the file's Maildir.
    let (out, stdout, stderr) =
        run(delphi_from_file(root, &["ingest"]).env("DELPHI_IMAP_URL", "imaps://delphi@127.0.0.1:1/INBOX"));
    assert!(!out.status.success(), "{stdout}");
    assert!(stderr.contains("no IMAP password: set DELPHI_IMAP_PASSWORD"), "{stderr}");
}

#[test]
fn a_password_in_the_file_is_refused_at_its_line_and_never_shown() {
    let dir = open_study();
    let root = dir.path();
    let settings = SETTINGS.replace(
        "outbox = \"sent-mail\"\n",
        "outbox = \"sent-mail\"\nsmtp = \"smtps://delphi@mail.example.org\"\nsmtp_password = \"correct horse battery\"\n",
    );
    std::fs::write(root.join("study/delphi.toml"), settings).unwrap();
    let (out, stdout, stderr) = run(&mut delphi_from_file(root, &["invite"]));
    assert_eq!(out.status.code(), Some(3), "a problem of the file: {stdout}{stderr}");
    assert!(stderr.contains("study/delphi.toml:8:1: mail.smtp_password"), "file, line and key: {stderr}");
    assert!(stderr.contains("set DELPHI_SMTP_PASSWORD in the environment"), "{stderr}");
    assert!(!stderr.contains("correct horse") && !stdout.contains("correct horse"), "the secret is not echoed");
    assert!(messages(&root.join("study/sent-mail"), "").is_empty(), "nothing sent");

    // The same password in the URL, and the coordinator token for serve, are secrets too.
    std::fs::write(
        root.join("study/delphi.toml"),
        "[mail]\nsmtp = \"smtps://delphi:correct-horse@mail.example.org\"\n\n[serve]\ncoordinator_token = \"0123456789abcdef0123456789abcdef\"\n",
    )
    .unwrap();
    let (out, _, stderr) = run(&mut delphi_from_file(root, &["serve"]));
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("study/delphi.toml:2:8: mail.smtp: the URL holds a password"), "{stderr}");
    assert!(stderr.contains("study/delphi.toml:5:1: serve.coordinator_token"), "{stderr}");
    assert!(stderr.contains("DELPHI_COORDINATOR_TOKEN"), "{stderr}");
    assert!(!stderr.contains("correct-horse") && !stderr.contains("0123456789abcdef"), "{stderr}");
}

#[test]
fn an_unknown_key_is_refused_at_its_line_with_the_likely_one() {
    let dir = open_study();
    let root = dir.path();
    // Kept elsewhere and named with --config, as for a study run from a shared folder.
    std::fs::create_dir_all(root.join("private")).unwrap();
    std::fs::write(
        root.join("private/mail.toml"),
        "[mail]\nfrom = \"Study <s@example.org>\"\nreplyto = \"replies@example.org\"\n\n[remind]\nschedule = [7, 2]\n",
    )
    .unwrap();
    let (out, stdout, stderr) = run(&mut delphi_from_file(root, &["--config", "private/mail.toml", "invite"]));
    assert_eq!(out.status.code(), Some(3), "{stdout}{stderr}");
    assert!(stderr.contains("private/mail.toml:3:1: mail.replyto: unknown key `replyto` in [mail]"), "{stderr}");
    assert!(stderr.contains("did you mean `reply_to`?"), "{stderr}");
    assert!(messages(&root.join("data/settings/outbox"), "").is_empty(), "nothing sent");

    // A file named with --config must be there: a typo in its path is not "no settings".
    let (out, _, stderr) = run(&mut delphi_from_file(root, &["--config", "private/mial.toml", "invite"]));
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot read the settings file private/mial.toml"), "{stderr}");
}
