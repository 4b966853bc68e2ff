//! `delphi demo` through the real binary: a small synthetic panel runs two rounds over the
//! web collector's JSON API and email replies. Checks the store (rounds closed, answers by
//! both channels, nothing twice), the outbox (invitations per round, a receipt per emailed
//! answer), the reports (the areas and medians in the English PDF, no expert named), that
//! the printed conclusions follow from the answers the simulated experts gave, and that the
//! same seed gives the same answers.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::rules::placement;
use crate::util::{bare, succeeded};

const STUDY: &str = "ai-safety-cooperation";
const DOMAINS: [&str; 4] = ["verification", "protocols", "infrastructure", "evaluations"];
const TITLES: [&str; 4] =
    ["Verification mechanisms", "Protocols and shared standards", "Infrastructure", "Evaluations"];
const RISKS: [&str; 3] = ["risk-capabilities", "risk-information", "risk-harm"];

/// `delphi demo args` in `dir`, its data in `data/` and its reports in `reports/demo/`.
fn demo(dir: &Path, args: &[&str]) -> Output {
    bare(dir).args(["--data-dir", "data", "demo", "--out", "reports/demo"]).args(args).output().expect("delphi runs")
}

/// The same, which must succeed; its output.
fn demo_ok(dir: &Path, args: &[&str]) -> String {
    succeeded(args, &demo(dir, args))
}

fn store(dir: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(dir.join("data/demo").join(STUDY).join("delphi.sqlite")).expect("the demo's store")
}

fn count(db: &rusqlite::Connection, query: &str) -> i64 {
    db.query_row(query, [], |row| row.get(0)).unwrap_or_else(|e| panic!("{query}: {e}"))
}

/// Every stored answer, by round, expert and item, with the channel it came by (no times,
/// no tokens, no pseudonyms: those differ between runs by design).
fn stored_answers(dir: &Path) -> BTreeMap<(i64, String, String), (String, String)> {
    let db = store(dir);
    let mut statement = db
        .prepare(
            "SELECT s.round, s.expert_id, a.item_id, s.channel, a.value FROM answers a \
             JOIN submissions s ON s.id = a.submission_id",
        )
        .unwrap();
    statement
        .query_map([], |r| Ok(((r.get(0)?, r.get(1)?, r.get(2)?), (r.get(3)?, r.get(4)?))))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// The numbers of the progress line of a round: invited, web, email, dropped out.
fn progress(stdout: &str, round: u32) -> [usize; 4] {
    let line = stdout
        .lines()
        .find(|l| l.starts_with(&format!("round {round}: ")) && l.contains("invitations written"))
        .unwrap_or_else(|| panic!("no progress line of round {round}:\n{stdout}"));
    let numbers: Vec<usize> = line.split_whitespace().filter_map(|w| w.trim_end_matches(',').parse().ok()).collect();
    numbers.try_into().unwrap_or_else(|n| panic!("four numbers in `{line}`: {n:?}"))
}

fn outbox_files(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("data/demo").join(STUDY).join("outbox"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    files.sort();
    files
}

/// Type 7 median (for whole points: the middle one, or the mean of the middle two).
fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let h = (values.len() - 1) as f64 * 0.5;
    let (low, high) = (values[h.floor() as usize], values[h.ceil() as usize]);
    Some(low + (h - h.floor()) * (high - low))
}

#[test]
fn the_demo_runs_the_rounds_over_both_channels_and_concludes_what_the_answers_say() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let stdout = demo_ok(root, &["--experts", "12", "--rounds", "2", "--seed", "11"]);

    // The store: both rounds closed; answers by the JSON API and by email; one submission
    // per expert and round; as many as the progress lines say.
    let db = store(root);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM rounds WHERE state = 'closed'"), 2);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM experts"), 12);
    let twice = "SELECT COUNT(*) FROM (SELECT 1 FROM submissions GROUP BY round, expert_id HAVING COUNT(*) > 1)";
    assert_eq!(count(&db, twice), 0, "an expert's answers were stored twice");
    let mut by_channel = [0, 0];
    for round in 1..=2 {
        let [invited, web, email, _dropped] = progress(&stdout, round);
        assert_eq!(invited, 12, "every active expert is invited in round {round}");
        let stored = |channel: &str| {
            count(&db, &format!("SELECT COUNT(*) FROM submissions WHERE round = {round} AND channel = '{channel}'"))
                as usize
        };
        assert_eq!((stored("api"), stored("email")), (web, email), "round {round}: {stdout}");
        assert_eq!(
            count(&db, &format!("SELECT COUNT(*) FROM submissions WHERE round = {round}")) as usize,
            web + email
        );
        let replies =
            count(&db, &format!("SELECT COUNT(*) FROM inbound_mail WHERE round = {round} AND outcome = 'recorded'"))
                as usize;
        assert_eq!(replies, email, "each emailed reply is recorded once");

        // The outbox: an invitation per expert, a receipt per emailed answer.
        assert_eq!(outbox_files(root, &format!("round-{round}-invitation-")).len(), invited);
        assert_eq!(outbox_files(root, &format!("round-{round}-receipt-")).len(), email);
        by_channel[0] += web;
        by_channel[1] += email;
    }
    assert!(by_channel[0] > 0 && by_channel[1] > 0, "answers came by both channels: {by_channel:?}");
    assert!(by_channel[0] > by_channel[1], "most answers come through the web: {by_channel:?}");
    // Round 2 fed round 1 back: its frozen questionnaire carries medians.
    let frozen: String = db.query_row("SELECT questionnaire FROM rounds WHERE number = 2", [], |r| r.get(0)).unwrap();
    assert!(frozen.contains("\"median\":"), "round 2 shows the group's medians");

    // The reports: the areas and their round-2 medians in the English PDF.
    let round_dir = root.join("reports/demo").join(STUDY).join("round-2");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(round_dir.join("summary.json")).unwrap()).unwrap();
    let pdf = Command::new("pdftotext")
        .arg("-layout")
        .arg(round_dir.join("en/report.pdf"))
        .arg("-")
        .output()
        .expect("pdftotext");
    assert!(pdf.status.success());
    let text = String::from_utf8_lossy(&pdf.stdout);
    for title in TITLES {
        assert!(text.contains(title), "the PDF names the area {title}");
    }

    // No expert is named anywhere in the reports or exports.
    let panel = std::fs::read_to_string(root.join("data/demo/panel.csv")).unwrap();
    let names: Vec<&str> = panel.lines().skip(1).map(|l| l.split(',').nth(1).unwrap()).collect();
    let exports = ["answers.csv", "figures.csv", "summary.json", "en/report.md", "en/report.html", "zh/report.md"]
        .map(|f| std::fs::read_to_string(round_dir.join(f)).unwrap())
        .join("\n");
    for name in &names {
        assert!(!text.contains(name) && !exports.contains(name), "{name} appears in a report");
    }

    // The conclusions follow from the answers: recompute each area's medians from the
    // pseudonymous answers, place it by the documented rule, and compare with the summary
    // and with what the demo printed.
    let mut answers = csv::Reader::from_path(round_dir.join("answers.csv")).unwrap();
    let mut points: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for row in answers.records() {
        let row = row.unwrap();
        if &row[0] != "2" {
            continue;
        }
        let answer: serde_json::Value = serde_json::from_str(&row[3]).unwrap();
        if let Some(point) = answer["point"].as_f64() {
            points.entry(row[2].to_owned()).or_default().push(point);
        }
    }
    let median_of = |item: &str| median(points.get(item).cloned().unwrap_or_default()).expect(item);
    let placements: BTreeMap<&str, &str> = DOMAINS
        .iter()
        .map(|&domain| {
            let benefit = median_of(&format!("{domain}.benefit"));
            let risk = RISKS.iter().map(|r| median_of(&format!("{domain}.{r}"))).fold(f64::MIN, f64::max);
            (domain, placement(benefit, risk))
        })
        .collect();
    for domain in DOMAINS {
        let synthesis =
            summary["synthesis"].as_array().unwrap().iter().find(|d| d["round"] == 2 && d["domain"] == domain).unwrap();
        assert_eq!(synthesis["placement"], placements[domain], "{domain}: {synthesis}");
        let printed = stdout
            .lines()
            .find(|l| l.starts_with(&format!("{domain} ")))
            .unwrap_or_else(|| panic!("{domain} in the printed summary:\n{stdout}"));
        assert!(printed.contains(&placements[domain].replace('_', " ")), "{printed}");
        assert_eq!(
            synthesis["benefit"]["median"].as_f64(),
            Some(median_of(&format!("{domain}.benefit"))),
            "the summary's median is the answers' median"
        );
    }
    // The PDF's overview: per area its benefit's median in round 1, then in round 2 (last).
    for (domain, title) in DOMAINS.iter().zip(TITLES) {
        let benefit = median_of(&format!("{domain}.benefit"));
        let row = text
            .lines()
            .find(|l| l.trim_start().starts_with(title) && l.contains(" benefit ") && l.contains(" · "))
            .unwrap_or_else(|| panic!("the PDF's overview has {title}'s benefit:\n{text}"));
        let last_cell = row.rsplit("  ").find(|c| !c.trim().is_empty()).unwrap().trim();
        // A median on the rating scale prints with two decimals, as every scale figure does.
        assert!(last_cell.starts_with(&format!("{benefit:.2} · ")), "{title}: {benefit} in `{row}`");
    }
    // The simulated experts see verification as beneficial and safe and evaluations as risky.
    assert_eq!(placements["verification"], "promising", "{stdout}");
    assert_ne!(placements["evaluations"], "promising", "{stdout}");
    assert!(stdout.contains("report (en): "), "{stdout}");
}

#[test]
fn the_same_seed_gives_the_same_answers_and_an_earlier_demo_is_kept_unless_fresh() {
    let (first, second) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let args = ["--experts", "8", "--rounds", "2", "--blocs", "2", "--seed", "5"];
    demo_ok(first.path(), &args);
    demo_ok(second.path(), &args);
    let answers = stored_answers(first.path());
    assert!(answers.len() > 8 * 10, "the experts answered: {}", answers.len());
    assert_eq!(answers, stored_answers(second.path()), "same seed, same answers by the same channels");

    // An earlier demo is not overwritten without --fresh.
    let refused = demo(first.path(), &["--experts", "8", "--rounds", "2", "--seed", "6"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--fresh"));
    assert_eq!(stored_answers(first.path()), answers, "the refused run changed nothing");

    // Another seed, with --fresh: a new demo with other answers.
    demo_ok(first.path(), &["--experts", "8", "--rounds", "2", "--blocs", "2", "--seed", "6", "--fresh"]);
    assert_ne!(stored_answers(first.path()), answers, "another seed gives other answers");
}

/// Two blocs of two experts: no bloc reaches the minimum group size (3), so no bloc's
/// figures are shown, and the conclusions say so instead of "0/5" (which reads as five
/// areas where the blocs disagree).
#[test]
fn blocs_too_small_to_show_are_said_to_be_so_not_counted_as_disagreeing() {
    let dir = tempfile::tempdir().unwrap();
    let stdout = demo_ok(dir.path(), &["--experts", "4", "--rounds", "1", "--blocs", "2", "--seed", "3"]);
    let table: Vec<&str> = stdout.lines().skip_while(|l| !l.starts_with("areas after round")).collect();
    let rows: Vec<&&str> =
        table.iter().filter(|l| l.starts_with("verification") || l.starts_with("evaluations")).collect();
    assert_eq!(rows.len(), 2, "{stdout}");
    for row in rows {
        assert!(row.trim_end().ends_with("not shown (groups too small)"), "the last column, across blocs: {row}");
    }
}

#[test]
fn the_demo_refuses_more_rounds_than_the_study_allows() {
    let dir = tempfile::tempdir().unwrap();
    let out = demo(dir.path(), &["--rounds", "4"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("max_rounds"), "{}", String::from_utf8_lossy(&out.stderr));
}
