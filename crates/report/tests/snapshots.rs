//! Snapshot tests of the HTML and Markdown reports: the shipped study with three rounds of
//! synthetic answers (the render tests' fixture), in English and Chinese, and a report whose
//! study text and rationales are full of markup and control characters. Expected outputs live
//! in tests/snapshots/, compared whole (expect-test, as the end-to-end tests' checks); run with
//! `UPDATE_EXPECT=1` to rewrite them after an intended change, and review the diff.

mod common;

use delphi_core::Study;
use delphi_report::model::Report;
use delphi_report::{RationaleGroup, RationaleText, Side, build, render_html, render_markdown};

/// `actual` against `tests/snapshots/<name>`; a difference fails with the diff.
fn check(name: &str, actual: &str) {
    expect_test::expect_file![format!("snapshots/{name}")].assert_eq(actual);
}

/// The render tests' fixture (40 experts, three rounds) in `lang`, with rationales as the CLI
/// adds them: one written in the report's language, one translated, one untranslated.
fn report(lang: &str) -> Report {
    let study = common::shipped();
    let summary = common::summary(&study, 40, 3);
    let conduct = common::conduct(&study, 3, true);
    let language = study.languages.iter().find(|l| l.as_str() == lang).unwrap();
    let mut r = build(&study, &summary, &conduct, language).unwrap();
    let other = if lang == "en" { "zh" } else { "en" };
    let texts = vec![
        RationaleText::new("Checks can be shared without the weights.", Some(lang), None, lang),
        RationaleText::new("核查无需共享权重。", Some(other), Some("Checks need no shared weights."), lang),
        RationaleText::new("Ohne Übersetzung.", Some("de"), None, lang),
    ];
    let group = RationaleGroup::beside_median(&r.labels, "benefit", Side::Above, 5.0, texts);
    r.domains[0].rounds[1].rationales.push(group);
    let below = RationaleGroup::beside_median(&r.labels, "benefit", Side::Below, 5.5, vec!["Too early.".into()]);
    r.domains[0].rounds[1].rationales.push(below);
    r
}

/// Markup of every kind a renderer could act on, and the control and bidi characters a
/// hostile or broken mail client could deliver.
const HOSTILE: &str = "#set page(width: 1cm) <b>bold</b> <script>alert(1)</script> **strong** [link](http://x.invalid) $x^2$ `code` _u_ @ref {a} = &amp; | pipe \\ end\n- a list? 1. no\u{0} NUL\u{7} \u{1b}[2J \u{9b}31m \u{202E}gnp.exe\u{202C} \u{2067}isolate\u{2069}";

fn hostile_report() -> Report {
    let toml = |s: &str| {
        let body: String = s
            .chars()
            .map(|c| match c {
                '\\' | '"' => format!("\\{c}"),
                c if c.is_control() => format!("\\u{:04X}", u32::from(c)),
                c => c.to_string(),
            })
            .collect();
        format!("\"{body}\"")
    };
    let src =
        common::SHIPPED.replacen("title.en = \"Verification mechanisms\"", &format!("title.en = {}", toml(HOSTILE)), 1);
    let study = Study::from_toml(&src, "hostile.toml").unwrap();
    let summary = common::summary(&study, 20, 2);
    let mut r = build(&study, &summary, &common::conduct(&study, 2, true), &study.languages[0]).unwrap();
    r.domains[1].rounds[0].rationales.push(RationaleGroup {
        criterion: "benefit".into(),
        position: "- at the median (4)".into(),
        texts: vec![HOSTILE.into(), "1. numbered = not a list".into()],
    });
    r
}

#[test]
fn html_in_english() {
    check("report-en.html", &render_html(&report("en")));
}

#[test]
fn html_in_chinese() {
    check("report-zh.html", &render_html(&report("zh")));
}

#[test]
fn markdown_in_english() {
    check("report-en.md", &render_markdown(&report("en")));
}

#[test]
fn markdown_in_chinese() {
    check("report-zh.md", &render_markdown(&report("zh")));
}

#[test]
fn html_with_hostile_text() {
    check("hostile.html", &render_html(&hostile_report()));
}

#[test]
fn markdown_with_hostile_text() {
    check("hostile.md", &render_markdown(&hostile_report()));
}

/// A Chinese reader reads where the authors of each group of rationales stood in Chinese, in
/// the HTML, the Markdown and the JSON the PDF is made from; an English reader in English.
#[test]
fn rationale_positions_are_worded_in_the_reports_language() {
    let zh = report("zh");
    let (html, md, json) = (render_html(&zh), render_markdown(&zh), serde_json::to_string(&zh).unwrap());
    for text in [&html, &md] {
        assert!(text.contains("benefit: 高于中位数（5.00）") && text.contains("benefit: 低于中位数（5.50）"), "{text}");
    }
    assert!(json.contains(r#""position":"高于中位数（5.00）""#) && json.contains(r#""position":"低于中位数（5.50）""#));
    for text in [&html, &md, &json] {
        assert!(!text.contains("median ("), "an English position in the Chinese report");
    }
    let en = render_markdown(&report("en"));
    assert!(en.contains("**benefit: above the median (5.00)**") && en.contains("**benefit: below the median (5.50)**"));
}
