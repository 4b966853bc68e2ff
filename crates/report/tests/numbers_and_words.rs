//! How the report words its figures, as a reader checks them: every figure on a rating scale
//! (median, quartiles, IQR) with the same two decimals in every table and in every verdict's
//! reason, percentages with one; Krippendorff's α beside how to read it; page 1's anonymity
//! line true to what the report shows; counts that meet a noun in its right form. In the PDF
//! (`pdftotext`), the HTML and the Markdown, in English and Chinese, on the shipped study with
//! three rounds of synthetic answers.

mod common;

use std::process::Command;

use delphi_report::model::{CriterionRowKind, Num, Report};
use delphi_report::{Conduct, FeedbackGiven, PdfOptions, build, render_html, render_markdown, render_pdf};

const CJK_FONT: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";

fn report_with(lang: &str, conduct: &Conduct) -> Report {
    let (study, summary, _) = common::three_rounds();
    let language = study.languages.iter().find(|l| l.as_str() == lang).unwrap();
    build(study, summary, conduct, language).unwrap()
}

fn report(lang: &str) -> Report {
    report_with(lang, &common::three_rounds().2)
}

/// The PDF's text, whitespace squashed.
fn pdf_words(report: &Report, name: &str) -> String {
    let fonts = if report.language == "zh" {
        vec![std::fs::read(CJK_FONT).unwrap_or_else(|e| panic!("{CJK_FONT}: {e}: install fonts-noto-cjk"))]
    } else {
        Vec::new()
    };
    let out = render_pdf(report, &PdfOptions { fonts }).unwrap();
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{}-{name}", report.language));
    std::fs::write(&path, &out.pdf).unwrap();
    let text = Command::new("pdftotext").arg(&path).arg("-").output().expect("pdftotext (poppler-utils) runs");
    assert!(text.status.success(), "{}", String::from_utf8_lossy(&text.stderr));
    String::from_utf8(text.stdout).unwrap().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every number printed right after `label` (e.g. each IQR in "IQR 0.25 ≤ 1") on a rating
/// scale: not a probability's IQR in percentage points ("IQR 46 pp"), which is rounded to its
/// spread like the other probabilities.
fn numbers_after<'t>(text: &'t str, label: &str) -> Vec<&'t str> {
    text.match_indices(label)
        .filter_map(|(at, _)| {
            let rest = &text[at + label.len()..];
            let end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
            (!rest[end..].starts_with(" pp")).then(|| rest[..end].trim_end_matches('.'))
        })
        .filter(|n| !n.is_empty())
        .collect()
}

fn decimals(number: &str) -> usize {
    number.split_once('.').map_or(0, |(_, d)| d.len())
}

#[test]
fn every_scale_figure_has_two_decimals_and_every_reason_agrees_with_its_table() {
    let r = report("en");
    let mut checked = 0;
    let mut quarter_points = 0;
    for row in r.domains.iter().flat_map(|d| &d.rounds).flat_map(|round| &round.criteria) {
        if row.kind != CriterionRowKind::Ordinal {
            continue;
        }
        let figures: [&Num; 4] = [&row.median, &row.q1, &row.q3, &row.iqr];
        for n in figures.into_iter().filter(|n| n.value.is_some()) {
            assert_eq!(decimals(&n.text), 2, "{} {}: {}", row.criterion, n.text, row.question);
        }
        quarter_points += usize::from(row.iqr.value.is_some_and(|v| (v * 2.0).fract() != 0.0));
        if row.agreement.value.is_some() {
            assert_eq!(decimals(&row.agreement.text), 1, "{}", row.agreement.text);
        }
        let Some(verdict) = &row.verdict else { continue };
        if verdict.reason.starts_with("IQR ") {
            // The reason quotes the very figures of the row, as printed.
            assert!(
                verdict.reason.starts_with(&format!("IQR {} ", row.iqr.text)),
                "{} / {}",
                verdict.reason,
                row.iqr.text
            );
            // Its percentage (of the agree set, or of the part of the scale holding the median,
            // which the table does not show) with one decimal, as the table prints percentages.
            let percent = verdict.reason.split(" and ").nth(1).and_then(|p| p.split(' ').next()).unwrap();
            assert_eq!(decimals(percent), 1, "{}", verdict.reason);
            checked += 1;
        }
    }
    assert!(checked > 20, "only {checked} reasons checked");
    assert!(quarter_points > 0, "the fixture has no IQR on a quarter point: nothing shows 0.25 beside 1.00");

    // Every IQR a reader finds in the report, wherever it stands, has two decimals: no "0.2"
    // beside a "0.25", no "1" beside a "1.00".
    let pdf = pdf_words(&r, "numbers-en.pdf");
    for (format, text) in [("PDF", pdf.as_str()), ("HTML", &render_html(&r)), ("Markdown", &render_markdown(&r))] {
        let iqrs = numbers_after(text, "IQR ");
        assert!(iqrs.len() > 20, "{format}: {iqrs:?}");
        let odd: Vec<_> = iqrs.iter().filter(|n| decimals(n) != 2).collect();
        assert!(odd.is_empty(), "{format}: IQRs not printed with two decimals: {odd:?}");
    }
    // The stability table's reasons quote the percentage as the table prints it.
    for s in r.domains.iter().flat_map(|d| &d.rounds).flat_map(|round| &round.stability) {
        if s.moved_percent.value.is_some() {
            assert!(s.verdict.reason.contains(&format!("({} %)", s.moved_percent.text)), "{}", s.verdict.reason);
        }
    }
}

#[test]
fn alpha_is_explained_beside_its_values_in_both_languages() {
    for (lang, words) in [
        ("en", ["How to read α", "at least 0.8, the ratings are reliable", "0.667 to 0.8", "(Krippendorff 2004)"]),
        ("zh", ["α的解读", "不低于0.8表示评分可靠", "0.667至0.8之间", "（Krippendorff2004）"]),
    ] {
        let r = report(lang);
        let dense = |t: &str| -> String {
            if lang == "zh" { t.chars().filter(|c| !c.is_whitespace()).collect() } else { t.to_owned() }
        };
        let pdf = dense(&pdf_words(&r, "alpha.pdf"));
        let (html, md) = (dense(&render_html(&r)), dense(&render_markdown(&r)));
        for text in [&pdf, &html, &md] {
            let last = r.methods.reliability.last().unwrap();
            let alpha = text.find(&dense(&format!("{}: {}", last.name, last.value.text))).expect("the alpha values");
            for w in words {
                let at = text[alpha..].find(w).unwrap_or_else(|| panic!("{lang}: {w} not after the alpha values"));
                assert!(at < 1200, "{lang}: {w} is far from the alpha values");
            }
        }
    }
}

#[test]
fn the_title_page_says_how_anonymity_is_kept() {
    for (lang, words) in [
        (
            "en",
            [
                "no expert is named",
                "Cooke's tables list experts by pseudonym only (p- followed by random letters and digits, never the panel's ids)",
                "groups smaller than the minimum group size are not shown",
            ],
        ),
        (
            "zh",
            [
                "报告不列出任何专家的姓名",
                "只以化名（p-加随机字母和数字，从不使用专家名单中的编号）",
                "人数少于最小分组人数的分组不予显示",
            ],
        ),
    ] {
        let r = report(lang);
        // The title page: the title, the findings in words and the anonymity line, up to the
        // overview's heading (the findings may run onto a second page).
        let pdf: String = pdf_words(&r, "anonymity.pdf").split_whitespace().collect();
        let overview: String = r.labels.overview.split_whitespace().collect();
        let page_one = &pdf[..pdf.find(&overview).expect("the overview's heading")];
        for w in words {
            let w: String = w.split_whitespace().collect();
            assert!(page_one.contains(&w), "{lang}: {w} not on the title page: {page_one}");
        }
        // The old line claimed that only counts and group figures were shown, which Cooke's
        // per-pseudonym tables contradict.
        assert!(!page_one.contains("onlycountsandgroupfiguresareshown"), "{page_one}");
        assert!(!page_one.contains("只显示人数和分组统计"), "{page_one}");
        // It once gave the panel's ids (E01, E02, …) as the pseudonyms' form, which the
        // exports never hold: their pseudonyms are `p-` and random characters.
        assert!(!page_one.contains("E01"), "{page_one}");
    }
}

/// Plural nouns of the report's English that a count of one must not meet.
const PLURALS: [&str; 7] = ["items", "rationales", "rounds", "experts", "groups", "criteria", "answers"];

#[test]
fn a_count_of_one_meets_its_noun_in_the_singular() {
    // Round 2 fed back one item's median and quartiles and one rationale.
    let mut conduct = common::three_rounds().2.clone();
    conduct.rounds[1].feedback = FeedbackGiven {
        from_round: Some(1),
        items_asked: 1,
        items_with_feedback: 1,
        medians: 1,
        quartiles: 1,
        rationales: 1,
        ..FeedbackGiven::default()
    };
    let en = report_with("en", &conduct);
    let fed_back = "From round 1, on 1 of 1 item: the group's median and quartiles (1 item); 1 anonymous rationale.";
    assert_eq!(en.methods.conducted[1].feedback, fed_back);
    let pdf = pdf_words(&en, "plurals-en.pdf");
    for (format, text) in [("PDF", pdf), ("HTML", render_html(&en)), ("Markdown", render_markdown(&en))] {
        let flat = text
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .replace("&#39;", "'")
            .replace("&#x27;", "'")
            .replace("&apos;", "'")
            .replace('’', "'");
        assert!(flat.contains(fed_back), "{format}: {fed_back}");
        for plural in PLURALS {
            // "1 of 3 experts" is right; "1 experts" is not.
            if let Some(at) = flat.find(&format!(" 1 {plural}")) {
                panic!(
                    "{format}: '1 {plural}' at {at}: {}",
                    flat.get(at.saturating_sub(60)..(at + 60).min(flat.len())).unwrap_or(&flat)
                );
            }
        }
    }
    let zh = report_with("zh", &conduct);
    assert_eq!(
        zh.methods.conducted[1].feedback,
        "第 1 轮的结果，涉及 1 个题目中的 1 个：小组的中位数和四分位数（1 个题目）；1 条匿名理由。"
    );

    // Every worded count has its two forms in English and one in Chinese.
    let forms = |lang: &str| -> Vec<(String, String)> {
        let labels = serde_json::to_value(&report(lang).labels).unwrap();
        labels
            .as_object()
            .unwrap()
            .values()
            .filter_map(|v| Some((v.get("one")?.as_str()?.to_owned(), v.get("other")?.as_str()?.to_owned())))
            .collect()
    };
    let en_forms = forms("en");
    assert!(en_forms.len() >= 10, "{en_forms:?}");
    for (one, other) in en_forms {
        assert_ne!(one, other, "English needs a singular: {other}");
        assert!(PLURALS.iter().any(|p| other.contains(p)), "{other}");
        assert!(!PLURALS.iter().any(|p| one.contains(&format!("}} {p}"))), "{one}");
    }
    for (one, other) in forms("zh") {
        assert_eq!(one, other, "Chinese has no plural");
    }
}
