//! A bilingual panel's translation round trip through the real binary: English and Chinese
//! experts write rationales in round 1; the coordinator exports them, a translator fills in
//! some translations in a spreadsheet and marks two rationales for the emails, the file is
//! imported, and round 2 opens. A Chinese reader's web form (over HTTP from `delphi serve`)
//! and emailed invitation show an English rationale with its translation first, marked, and
//! the original below it, and one without a translation marked untranslated; the emails show
//! the featured rationales only. The reports carry both texts. The export names no one, bad
//! rows are refused at their line and column, and once round 2 is open an import is refused.

use std::path::Path;
use std::process::Command;

use crate::util::{Server, free_port, ok, ok_with, open_study, run};

const PANEL: &str = include_str!("../../surveys/ai-safety-cooperation.panel.csv");

// What the experts wrote on verification in round 1, in their own language.
const TRUST_EN: &str = "Verification builds trust, step by step.";
const TRUST_EN_RETYPED: &str = "verification  builds trust, step by step.";
const INSPECTIONS_EN: &str = "On-site inspections are politically hard.";
const STANDARDS_ZH: &str = "核查需要共同的技术标准。";
const FIRST_STEP_ZH: &str = "互信是第一步。";
// What the translator wrote, in a spreadsheet cell with a comma and a line break.
const TRUST_ZH: &str = "核查能逐步建立信任，\n一步一步来。";
const STANDARDS_EN: &str = "Verification needs shared technical standards, agreed first.";

fn answer(root: &Path, expert: &str, recommendation: u32, rationale: &str) {
    let reply = format!("[verification.recommendation] {recommendation}\n[verification.rationale] {rationale}\n");
    ok_with(root, &["answer", "--expert", expert], Some(&reply));
}

/// A CSV cell as a spreadsheet quotes it: always when it holds a comma, quote or line break.
fn cell(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_owned() }
}

/// The translator's file: the exported rows with some translations and feature marks filled
/// in, saved as a spreadsheet saves CSV — a BOM, CRLF line ends, the columns in its own order,
/// quoted cells with commas and line breaks (CRLF inside them too).
fn translated(export: &str, fill: impl Fn(&str, &str) -> (Option<&'static str>, bool)) -> String {
    let mut reader = csv::Reader::from_reader(export.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut out = String::from("\u{feff}feature,translation,text,id,item,language,translation_language\r\n");
    for record in reader.records() {
        let record = record.unwrap();
        let (text, target) = (&record[at("text")], &record[at("translation_language")]);
        let (translation, featured) = fill(text, target);
        let translation = translation.unwrap_or_default().replace('\n', "\r\n");
        let row = [
            if featured { "x" } else { "" }.to_owned(),
            translation,
            text.to_owned(),
            record[at("id")].to_owned(),
            record[at("item")].to_owned(),
            record[at("language")].to_owned(),
            target.to_owned(),
        ];
        out.push_str(&row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

/// The text part of the round's invitation to `expert` in the outbox.
fn invitation(root: &Path, expert: &str) -> String {
    let path = std::fs::read_dir(root.join("data/tr/outbox"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            let name = p.to_string_lossy();
            name.contains("-invitation-") && name.ends_with(&format!("-{expert}.eml"))
        })
        .max()
        .unwrap_or_else(|| panic!("no invitation to {expert}"));
    let raw = std::fs::read(path).unwrap();
    mail_parser::MessageParser::default().parse(&raw[..]).unwrap().body_text(0).unwrap().into_owned()
}

/// `text` with the form's comment marks and line wrapping taken out, as one line with single
/// spaces.
fn flat(text: &str) -> String {
    text.lines()
        .map(|l| l.trim_start_matches("::"))
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A page that must be there (200), as a browser fetches it.
fn fetch_page(port: u16, path: &str) -> String {
    let (status, body) = crate::util::get(port, path);
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    body
}

fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext").args([pdf.to_str().unwrap(), "-"]).output().expect("pdftotext (poppler-utils)");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn rationales_go_out_for_translation_and_come_back_into_the_feedback_and_the_reports() {
    let dir = open_study("tr");
    let root = dir.path();

    // E01–E03 read English, E07 and E08 Chinese (the panel's language column).
    answer(root, "E01", 4, TRUST_EN);
    answer(root, "E03", 4, TRUST_EN_RETYPED);
    let trust_shown = TRUST_EN; // "V" sorts before "v": the spelling first in text order
    answer(root, "E02", 5, INSPECTIONS_EN);
    answer(root, "E07", 3, STANDARDS_ZH);
    answer(root, "E08", 4, FIRST_STEP_ZH);

    // While the round is open, an export warns that more may come.
    let early = run(root, &["rationales", "export", "--round", "1", "--out", "early.csv"]);
    assert!(early.status.success());
    assert!(
        String::from_utf8_lossy(&early.stderr).contains("still open"),
        "{}",
        String::from_utf8_lossy(&early.stderr)
    );
    ok(root, &["round", "close"]);

    let exported = ok(root, &["rationales", "export", "--round", "1", "--out", "rationales-1.csv"]);
    assert!(exported.contains("4 distinct rationales of round 1, 4 rows"), "{exported}");
    let export = std::fs::read_to_string(root.join("rationales-1.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(export.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        ["id", "item", "language", "text", "translation_language", "translation", "feature"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let row_of = |text: &str| rows.iter().find(|r| &r[3] == text).unwrap_or_else(|| panic!("{text}:\n{export}"));
    // Identical rationales (case and spacing aside) are one row, in the spelling first in text order.
    assert!(!export.contains(TRUST_EN_RETYPED), "{export}");
    assert_eq!(
        row_of(trust_shown).iter().skip(1).collect::<Vec<_>>(),
        ["verification.rationale", "en", trust_shown, "zh", "", ""]
    );
    assert_eq!((&row_of(STANDARDS_ZH)[2], &row_of(STANDARDS_ZH)[4]), ("zh", "en"));
    assert!(rows.iter().all(|r| r[0].starts_with('r') && r[0].len() == 17), "content ids: {export}");
    // The ids are derived from the content: exporting again gives the same file.
    ok(root, &["rationales", "export", "--round", "1", "--out", "again.csv"]);
    assert_eq!(std::fs::read_to_string(root.join("again.csv")).unwrap(), export);
    // Nothing in it names an author: no panel id, name or email, no pseudonym from the audit log.
    let audit: Vec<serde_json::Value> = serde_json::from_str(&ok(root, &["audit", "--format", "json"])).unwrap();
    let pseudonyms: Vec<String> =
        audit.iter().filter_map(|e| e["actor"].as_str()?.strip_prefix("expert:").map(str::to_owned)).collect();
    assert!(pseudonyms.len() >= 5, "{audit:?}");
    for line in PANEL.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        for identity in [fields[0], fields[1], fields[2]] {
            assert!(!export.contains(identity), "{identity} in the export:\n{export}");
        }
    }
    for pseudonym in &pseudonyms {
        assert!(!export.contains(pseudonym.as_str()), "{pseudonym} in the export");
    }

    // Bad rows are refused, each at its line and column, and nothing is imported.
    let unknown_id = "r0000000000000000";
    let standards_id = row_of(STANDARDS_ZH)[0].to_owned();
    let bad = format!(
        "id,translation_language,translation\r\n{unknown_id},zh,某某\r\n{},fr,\"Bonjour, le monde\"\r\n{standards_id},zh,\"原文\"\r\n",
        row_of(INSPECTIONS_EN)[0].to_owned()
    );
    std::fs::write(root.join("bad.csv"), bad).unwrap();
    let refused = run(root, &["rationales", "import", "--round", "1", "bad.csv"]);
    assert_eq!(refused.status.code(), Some(3));
    let errors = String::from_utf8_lossy(&refused.stderr);
    assert!(
        errors.contains(&format!("bad.csv:2:1: id: no rationale of round 1 has the id `{unknown_id}`")),
        "{errors}"
    );
    assert!(errors.contains("bad.csv:3:19: translation_language: `fr` is not a language of the study"), "{errors}");
    assert!(
        errors.contains("bad.csv:4:19: translation_language: the rationale is written in `zh` already"),
        "{errors}"
    );
    let audit: Vec<serde_json::Value> = serde_json::from_str(&ok(root, &["audit", "--format", "json"])).unwrap();
    assert!(!audit.iter().any(|e| e["action"] == "translations.imported"), "a refused file imports nothing");

    // The translator translates one rationale each way, leaves the others, and features the
    // English two for the emails.
    let filled = translated(&export, |text, _| match text {
        TRUST_EN => (Some(TRUST_ZH), true),
        INSPECTIONS_EN => (None, true),
        STANDARDS_ZH => (Some(STANDARDS_EN), false),
        _ => (None, false),
    });
    assert!(filled.contains("\"核查能逐步建立信任，\r\n一步一步来。\""), "a quoted cell with a line break");
    std::fs::write(root.join("translated.csv"), &filled).unwrap();
    let imported = ok(root, &["rationales", "import", "--round", "1", "translated.csv"]);
    assert!(imported.contains("imported 2 translations of round 1's rationales (2 featured)"), "{imported}");
    assert!(imported.contains("into zh: 1 of 2 translated, 1 still untranslated"), "{imported}");
    assert!(imported.contains("into en: 1 of 2 translated, 1 still untranslated"), "{imported}");
    // Importing the same file again changes nothing but the log.
    assert_eq!(ok(root, &["rationales", "import", "--round", "1", "translated.csv"]), imported);
    let audit: Vec<serde_json::Value> = serde_json::from_str(&ok(root, &["audit", "--format", "json"])).unwrap();
    assert_eq!(audit.iter().filter(|e| e["action"] == "translations.imported").count(), 2);

    ok(root, &["round", "open"]);
    // Round 2's feedback is frozen now: a late import is refused and says what to do.
    let late = run(root, &["rationales", "import", "--round", "1", "translated.csv"]);
    assert_eq!(late.status.code(), Some(4));
    let said = String::from_utf8_lossy(&late.stderr);
    assert!(said.contains("round 2 was opened and froze its feedback") && said.contains("before"), "{said}");

    // E09 reads Chinese and wrote nothing: their emailed invitation shows the featured
    // English rationales, one translated (translation first, marked, original below) and one
    // marked untranslated, and not the Chinese one nobody featured.
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    ok(root, &["invite", "--base-url", &base]);
    let letter = flat(&invitation(root, "E09"));
    let translated_at =
        letter.find("[译自英文] 核查能逐步建立信任， 一步一步来。").unwrap_or_else(|| panic!("{letter}"));
    let original_at = letter.find(&flat(&format!("原文（英文）：{trust_shown}"))).unwrap_or_else(|| panic!("{letter}"));
    assert!(translated_at < original_at, "the translation first: {letter}");
    assert!(letter.contains(&format!("{INSPECTIONS_EN} [未翻译]")), "{letter}");
    assert!(!letter.contains(STANDARDS_ZH), "only featured rationales in the email: {letter}");
    // E12 reads English: the Chinese rationale's translation, with the original.
    let letter = flat(&invitation(root, "E12"));
    assert!(!letter.contains(STANDARDS_EN) && !letter.contains("[untranslated]"), "only featured ones: {letter}");
    assert!(letter.contains(trust_shown) && letter.contains(INSPECTIONS_EN), "{letter}");

    // E09's web form, over HTTP: every rationale, the Chinese one as written.
    let _server = Server::start(root, port);
    let links = ok(root, &["round", "links", "--base-url", &base, "--expert", "E09", "--expert", "E12"]);
    let link = |expert: &str| {
        links.lines().find_map(|l| l.strip_prefix(&format!("{expert}\t"))).unwrap().trim_start_matches(&base).to_owned()
    };
    let page = fetch_page(port, &link("E09"));
    assert!(
        page.contains(
            "<blockquote class=\"translated\"><span class=\"mark\">译自英文</span>核查能逐步建立信任，\n一步一步来。 \
             <span class=\"count\">（×2）</span><span class=\"original\" lang=\"en\"><span class=\"mark\">原文（英文）</span>\
             Verification builds trust, step by step.</span></blockquote>"
        ),
        "{page}"
    );
    assert!(page.contains(&format!("{INSPECTIONS_EN} <span class=\"untranslated\">(未翻译)</span>")), "{page}");
    assert!(page.contains(&format!("<blockquote>{STANDARDS_ZH}</blockquote>")), "the web form shows all: {page}");
    let page = fetch_page(port, &link("E12"));
    assert!(page.contains(&format!("<span class=\"mark\">Translated from Chinese</span>{STANDARDS_EN}")), "{page}");
    assert!(page.contains(&format!("{FIRST_STEP_ZH} <span class=\"untranslated\">(untranslated)</span>")), "{page}");
    for identity in ["E01", "E07", "Avery", "example.org"] {
        assert!(!page.contains(identity), "{identity} on a form");
    }

    // The reports of round 1: each language reads the translation where there is one, with
    // the original, and "untranslated" otherwise; in HTML and in the PDF.
    ok(root, &["round", "close"]);
    ok(root, &["report", "--round", "1", "--out", "reports"]);
    let html = std::fs::read_to_string(root.join("reports/tr/round-1/en/report.html")).unwrap();
    assert!(
        html.contains(&format!(
            "<li>{STANDARDS_EN} <em class=\"mark\">(Translated from Chinese)</em><br/><span class=\"original\"><em>Original (Chinese):</em> {STANDARDS_ZH}</span></li>"
        )),
        "{html}"
    );
    assert!(html.contains(&format!("<li>{FIRST_STEP_ZH} <em class=\"mark\">(untranslated)</em></li>")), "{html}");
    let zh = std::fs::read_to_string(root.join("reports/tr/round-1/zh/report.html")).unwrap();
    assert!(zh.contains("核查能逐步建立信任，\n一步一步来。 <em class=\"mark\">(译自英文)</em>"), "{zh}");
    let pdf: String = pdf_text(&root.join("reports/tr/round-1/en/report.pdf")).split_whitespace().collect();
    let dense = |t: &str| t.split_whitespace().collect::<String>();
    for expected in
        [&dense(STANDARDS_EN), "(TranslatedfromChinese)", "Original(Chinese):", STANDARDS_ZH, "(untranslated)"]
    {
        assert!(pdf.contains(expected), "{expected} not in the PDF:\n{pdf}");
    }
    let pdf: String = pdf_text(&root.join("reports/tr/round-1/zh/report.pdf")).split_whitespace().collect();
    for expected in ["核查能逐步建立信任，一步一步来。", "(译自英文)", "原文（英文）:", &dense(trust_shown)]
    {
        assert!(pdf.contains(expected), "{expected} not in the PDF:\n{pdf}");
    }
}
