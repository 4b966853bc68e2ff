//! Rationales in the report of a real run: three experts who give verification the same
//! rating also write the same reason — one with a double space, one in capitals, one as the
//! others — and a fourth writes another. The PDF, HTML and Markdown of `delphi report` show the
//! shared reason once, marked `×3`, in English and in Chinese, and the single one unmarked.

use std::path::Path;
use std::process::Command;

use crate::util::{init_example, ok};

const SHARED: [&str; 3] = ["Verification builds trust.", "verification  builds trust.", "VERIFICATION builds trust."];
/// The spelling shown: the first in text order ("V" sorts before "v"), which says nothing of
/// who wrote first.
const SHARED_SHOWN: &str = "VERIFICATION builds trust.";
const PANEL: &str = include_str!("../../surveys/ai-safety-cooperation.panel.csv");
const SINGLE: &str = "On-site inspections are politically hard.";

/// The expert's filled-in reply form, as a file `delphi answer` reads.
fn answer(root: &Path, expert: &str, recommendation: u32, rationale: &str) {
    let form = root.join(format!("{expert}.txt"));
    let reply = format!("[verification.recommendation] {recommendation}\n[verification.rationale] {rationale}\n");
    std::fs::write(&form, reply).unwrap();
    ok(root, &["answer", "--expert", expert, form.to_str().unwrap()]);
}

fn pdf_words(pdf: &Path) -> String {
    let out = Command::new("pdftotext").arg(pdf).arg("-").output().expect("pdftotext (poppler-utils) runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn identical_rationales_are_shown_once_with_how_many_experts_wrote_them() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    init_example(root, "rg", str::to_owned);
    ok(root, &["round", "open"]);
    for (expert, text) in ["E01", "E02", "E03"].into_iter().zip(SHARED) {
        answer(root, expert, 4, text);
    }
    answer(root, "E04", 4, SINGLE);
    ok(root, &["round", "close"]);
    ok(root, &["report", "--round", "1", "--out", "reports"]);

    // The Chinese report marks the English reasons untranslated; the count follows the mark.
    for (lang, mark) in [("en", ""), ("zh", " (未翻译)")] {
        let folder = root.join("reports/rg/round-1").join(lang);
        let pdf = pdf_words(&folder.join("report.pdf"));
        assert!(pdf.contains(&format!("{SHARED_SHOWN}{mark} ×3")), "{lang}: the shared reason once, ×3:\n{pdf}");
        assert_eq!(pdf.to_lowercase().matches("verification builds trust.").count(), 1, "{lang}: {pdf}");
        assert!(
            pdf.contains(&format!("{SINGLE}{mark}")) && !pdf.contains(&format!("{SINGLE}{mark} ×")),
            "{lang}: {pdf}"
        );

        let html = std::fs::read_to_string(folder.join("report.html")).unwrap();
        let html_mark = |text: &str| {
            if mark.is_empty() { text.to_owned() } else { format!("{text} <em class=\"mark\">{}</em>", mark.trim()) }
        };
        let shared = format!("<li>{} <b class=\"count\">×3</b></li>", html_mark(SHARED_SHOWN));
        assert!(html.contains(&shared), "{lang}: {shared} not in {html}");
        assert!(html.contains(&format!("<li>{}</li>", html_mark(SINGLE))), "{lang}: {html}");
        let md = std::fs::read_to_string(folder.join("report.md")).unwrap();
        let md_mark = if mark.is_empty() { String::new() } else { format!(" *{}*", mark.trim()) };
        assert!(md.contains(&format!("- {SHARED_SHOWN}{md_mark} **×3**")), "{lang}: {md}");
        assert_eq!(md.to_lowercase().matches("verification builds trust.").count(), 1, "{lang}: {md}");
        // The authors (the panel's first four) by name or email: nowhere.
        for who in PANEL.lines().skip(1).take(4).flat_map(|row| row.split(',').skip(1).take(2)) {
            assert!(!html.contains(who) && !md.contains(who) && !pdf.contains(who), "{who} named in the {lang} report");
        }
    }
}
