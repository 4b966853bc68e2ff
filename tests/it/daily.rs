//! What a coordinator runs every day, over the real binary: `delphi init` for a new study,
//! `remind` from cron (never twice in one slot of the schedule), `status` (who has not
//! answered, who answered in part), `round close` (the figure each verdict was decided
//! on), and the page a broken link shows an expert (`delphi serve`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::util::{Server, bare, free_port, get, init, ok, ok_with};

/// `delphi init study` (plus `extra`) in a fresh directory.
fn initialised(extra: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path(), extra);
    dir
}

/// The starter study with its panel imported and round 1 open for 14 days.
fn open_starter() -> tempfile::TempDir {
    let dir = initialised(&[]);
    ok(dir.path(), &["panel", "import"]);
    ok(dir.path(), &["round", "open", "--days", "14"]);
    dir
}

/// Records `lines` as expert `expert`'s reply form.
fn answer(dir: &Path, expert: &str, lines: &[&str]) {
    ok_with(dir, &["answer", "--expert", expert, "-"], Some(&lines.join("\n")));
}

/// Every item of the starter's round 1, answered.
const COMPLETE: [&str; 7] = [
    "[approach-a.benefit] 4",
    "[approach-a.risk] 1",
    "[approach-a.rationale] Cheap to try.",
    "[approach-b.benefit] 3",
    "[approach-b.risk] 1",
    "[approach-b.rationale] Unproven.",
    "[years-to-adoption] 5%: 2 50%: 5 95%: 12",
];

fn outbox_reminders(root: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("data/study/outbox"))
        .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.to_string_lossy().contains("-reminder-"));
    files.sort();
    files
}

/// The reminders in the outbox per expert id (the file names end in `-<expert>.eml`).
fn reminders_of(root: &Path, expert: &str) -> usize {
    outbox_reminders(root).iter().filter(|p| p.to_string_lossy().ends_with(&format!("-{expert}.eml"))).count()
}

#[test]
fn init_writes_a_short_commented_starter_in_one_language_and_the_shipped_study_on_request() {
    let dir = initialised(&["--id", "fresh"]);
    let study = std::fs::read_to_string(dir.path().join("study/study.toml")).unwrap();
    let comments = study.lines().filter(|l| l.trim_start().starts_with('#')).count();
    assert!(comments >= 15, "the starter explains itself in comments ({comments} comment lines):\n{study}");
    assert!(study.lines().count() <= 120, "the starter is short: {} lines", study.lines().count());
    assert!(study.contains("id = \"fresh\""), "the id given is written:\n{study}");
    let validated = ok(dir.path(), &["validate"]);
    assert!(validated.contains("study `fresh`"), "{validated}");
    assert!(validated.contains("languages en, at most"), "a single language: {validated}");
    assert!(validated.contains("2 domains"), "{validated}");
    assert!(validated.contains("study/panel.csv: 5 experts"), "its panel is checked with it: {validated}");
    // A new coordinator can run a round of it as it is.
    ok(dir.path(), &["panel", "import"]);
    ok(dir.path(), &["round", "open"]);
    let form = ok(dir.path(), &["round", "show", "--format", "text"]);
    assert!(form.contains("[approach-a.benefit]") && form.contains("[years-to-adoption]"), "{form}");

    let example = initialised(&["--id", "example", "--example", "ai-safety"]);
    let validated = ok(example.path(), &["validate"]);
    assert!(validated.contains("4 domains") && validated.contains("languages en, zh"), "{validated}");
    assert!(validated.contains("20 experts"), "{validated}");
    let unknown = bare(example.path()).args(["init", "other", "--example", "nope"]).output().unwrap();
    assert_eq!(unknown.status.code(), Some(2), "an unknown example is a usage error");
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("ai-safety"), "the examples are listed");
}

#[test]
fn remind_sends_each_expert_at_most_one_reminder_in_a_slot_of_the_schedule_unless_forced() {
    let dir = open_starter();
    let root = dir.path();
    answer(root, "E01", &COMPLETE);

    // The schedule's first point is far ahead: --now reminds the four who have not answered.
    let first = ok(root, &["remind", "--now"]);
    assert!(first.contains("4 reminder"), "{first}");
    assert_eq!(outbox_reminders(root).len(), 4);
    // Run again in the same slot (cron twice, or a second --now): nobody gets a second one.
    let again = ok(root, &["remind", "--now"]);
    assert_eq!(outbox_reminders(root).len(), 4, "a second reminder in the same slot: {again}");
    assert!(again.contains("already reminded"), "the coordinator is told why: {again}");
    let scheduled = ok(root, &["remind"]);
    assert_eq!(outbox_reminders(root).len(), 4, "{scheduled}");

    // --force sends one more to each who has not answered, on purpose.
    let forced = ok(root, &["remind", "--now", "--force"]);
    assert!(forced.contains("4 reminder"), "{forced}");
    assert_eq!(reminders_of(root, "E02"), 2);
    assert_eq!(reminders_of(root, "E01"), 0, "never to an expert who answered");

    // The deadline moves so that the schedule's "2 days before" has just passed: a new
    // slot has begun, and each expert not yet answered gets exactly one reminder in it.
    std::thread::sleep(Duration::from_millis(1100));
    let deadline = chrono::Utc::now() + chrono::Duration::days(2) - chrono::Duration::milliseconds(500);
    ok(root, &["round", "extend", "--deadline", &deadline.to_rfc3339()]);
    answer(root, "E02", &COMPLETE[..1]);
    let due = ok(root, &["remind"]);
    assert!(due.contains("3 reminder"), "the slot's reminder goes out: {due}");
    assert_eq!(reminders_of(root, "E03"), 3);
    assert_eq!(reminders_of(root, "E02"), 2, "E02 answered in part: no more reminders");
    let cron_again = ok(root, &["remind"]);
    assert_eq!(reminders_of(root, "E03"), 3, "cron again in the same slot: {cron_again}");
    let help = ok(root, &["remind", "--help"]);
    assert!(help.contains("slot"), "--help says what a slot is: {help}");
}

#[test]
fn status_lists_who_has_not_answered_and_who_answered_in_part_apart_from_complete_answers() {
    let dir = initialised(&[]);
    let root = dir.path();
    // A name with a right-to-left override: printed escaped, never raw.
    let panel = std::fs::read_to_string(root.join("study/panel.csv")).unwrap();
    std::fs::write(root.join("study/panel.csv"), panel.replace("Lee Fictional", "Lee \u{202E}lanoitciF")).unwrap();
    ok(root, &["panel", "import"]);
    ok(root, &["round", "open", "--days", "14"]);
    answer(root, "E01", &COMPLETE);
    answer(root, "E02", &COMPLETE[..3]);
    answer(root, "E03", &COMPLETE[..6]);

    let text = ok(root, &["status"]);
    let section = |heading: &str| -> String {
        let start = text.find(heading).unwrap_or_else(|| panic!("no `{heading}` in:\n{text}"));
        text[start..].lines().skip(1).take_while(|l| l.starts_with("    ")).collect::<Vec<_>>().join("\n")
    };
    let missing = section("not answered yet (2)");
    assert!(missing.contains("E04") && missing.contains("Kim Placeholder"), "{missing}");
    assert!(missing.contains("E05") && missing.contains("\\u{202e}"), "escaped: {missing}");
    assert!(!text.contains('\u{202E}'), "no raw bidi override on the terminal");
    let partly = section("answered in part (2)");
    assert!(partly.contains("E02") && partly.contains("3 of 7"), "{partly}");
    assert!(partly.contains("E03") && partly.contains("6 of 7"), "{partly}");
    assert!(!partly.contains("E01") && !missing.contains("E01"), "{text}");
    assert!(text.contains("answered every question: 1"), "{text}");

    let json: serde_json::Value = serde_json::from_str(&ok(root, &["status", "--format", "json"])).unwrap();
    let open = &json["open_round_experts"];
    assert_eq!(open["round"], 1, "{json}");
    let ids = |key: &str| -> Vec<String> {
        open[key].as_array().unwrap().iter().map(|e| e["expert"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(ids("not_answered"), ["E04", "E05"]);
    assert_eq!(ids("partly_answered"), ["E02", "E03"]);
    assert_eq!(ids("complete"), ["E01"]);
    assert_eq!(open["partly_answered"][0]["answered"], 3);
    assert_eq!(open["partly_answered"][0]["questions"], 7);
    assert_eq!(open["partly_answered"][0]["missing"].as_array().unwrap().len(), 4);
}

#[test]
fn round_close_prints_the_share_of_the_box_that_decided_each_verdict() {
    let dir = open_starter();
    let root = dir.path();
    for expert in ["E01", "E02", "E03", "E04", "E05"] {
        answer(root, expert, &COMPLETE);
    }
    let out = ok(root, &["round", "close"]);
    // Everyone rated approach A's risk 1: consensus on "low" (the box 1–2), while the top
    // box (4–5) holds nobody. The deciding figure is the 100 %, not the 0 %.
    let line = out.lines().find(|l| l.contains("approach-a.risk")).unwrap_or_else(|| panic!("{out}"));
    assert!(line.contains("100 % in 1–2"), "{line}\n{out}");
    assert!(line.contains("consensus"), "{line}");
    assert!(out.contains("the box holding the median"), "the rule is named: {out}");
    // Approach A's benefit: all 4, in the top box 4–5.
    let benefit = out.lines().find(|l| l.contains("approach-a.benefit")).unwrap();
    assert!(benefit.contains("100 % in 4–5"), "{benefit}");
    let b_benefit = out.lines().find(|l| l.contains("approach-b.benefit")).unwrap();
    assert!(b_benefit.contains("100 % at 3"), "the middle box: {b_benefit}");
}

/// `delphi serve` on `port`, once it accepts connections.
fn has_chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c))
}

#[test]
fn the_invalid_link_page_follows_the_studys_languages_and_names_its_contact() {
    let dir = open_starter();
    let port = free_port();
    let server = Server::start(dir.path(), port);
    let (status, page) = get(port, "/s/mistyped-or-old-token-abcdefghijklmnop");
    let (_, elsewhere) = get(port, "/no/such/page");
    drop(server);
    assert!(status.contains("404"), "{status}");
    assert!(page.contains("This link is not valid"), "{page}");
    assert!(!has_chinese(&page), "an English-only study shows no Chinese: {page}");
    assert!(page.contains("coordinator@example.org"), "the study's contact: {page}");
    assert!(page.contains("Study coordinator"), "{page}");
    assert!(page.contains("lang=\"en\""), "{page}");
    assert_eq!(page, elsewhere, "every unknown address gets the same page");

    // The shipped two-language study without a contact: both languages, no address made up.
    let example = initialised(&["--example", "ai-safety"]);
    ok(example.path(), &["panel", "import"]);
    ok(example.path(), &["round", "open"]);
    let port = free_port();
    let server = Server::start(example.path(), port);
    let (_, page) = get(port, "/s/mistyped-or-old-token-abcdefghijklmnop");
    drop(server);
    assert!(page.contains("This link is not valid") && page.contains("此链接无效"), "{page}");
    let main = &page[page.find("<main>").unwrap()..page.find("</main>").unwrap()];
    assert!(!main.contains('@'), "no contact address when the study gives none: {main}");
    assert!(main.contains("write to the study coordinator."), "{main}");
}
