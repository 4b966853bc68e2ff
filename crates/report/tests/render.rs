//! Renders the shipped study with three rounds of synthetic answers and checks the PDF
//! (through poppler's `pdftotext`, `pdfinfo`, `pdftoppm`), the HTML and the Markdown.
//!
//! Needs poppler-utils on the PATH; the Chinese PDF test needs fonts-noto-cjk
//! (`/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc`).

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::sync::LazyLock;

use delphi_core::Study;
use delphi_report::model::Report;
use delphi_report::{PdfOptions, RationaleGroup, build, render_html, render_markdown, render_pdf};
use delphi_stats::StudySummary;

const CJK_FONT: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";

static FIXTURE: LazyLock<(Study, StudySummary)> = LazyLock::new(|| {
    let study = common::shipped();
    let summary = common::summary(&study, 40, 3);
    (study, summary)
});

fn report(lang: &str) -> Report {
    let (study, summary) = &*FIXTURE;
    let language = study.languages.iter().find(|l| l.as_str() == lang).unwrap();
    build(study, summary, language).unwrap()
}

fn artifacts() -> PathBuf {
    // Beside the browser test's screenshot, for a person to look at (gitignored).
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/artifacts/report");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} not runnable ({e}): install poppler-utils"));
    assert!(out.status.success(), "{name} {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Writes the PDF under the target dir and returns its path.
fn write_pdf(name: &str, pdf: &[u8]) -> String {
    let path = artifacts().join(name);
    std::fs::write(&path, pdf).unwrap();
    path.to_str().unwrap().to_owned()
}

fn pdf_text(path: &str) -> String {
    tool("pdftotext", &["-layout", path, "-"])
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn pages(path: &str) -> usize {
    let info = tool("pdfinfo", &[path]);
    let line = info.lines().find(|l| l.starts_with("Pages:")).expect("pdfinfo prints Pages");
    line["Pages:".len()..].trim().parse().unwrap()
}

/// Every criterion row of every domain and round: a line of the PDF holds the criterion,
/// its n, median, quartiles, IQR, agreement and verdict, in this order.
fn check_rows(report: &Report, text: &str) {
    let lines: Vec<String> = text.lines().map(squash).collect();
    let mut checked = 0;
    for d in &report.domains {
        for r in &d.rounds {
            for c in &r.criteria {
                let verdict = c.verdict.as_ref().map_or("", |v| v.label.as_str());
                let want = [
                    c.criterion.clone(),
                    c.n.to_string(),
                    c.dont_know.to_string(),
                    c.median.text.clone(),
                    format!("{}–{}", c.q1.text, c.q3.text),
                    c.iqr.text.clone(),
                    c.agreement.text.clone(),
                    verdict.to_owned(),
                ]
                .join(" ");
                assert!(
                    lines.iter().any(|l| l.contains(&want)),
                    "no line of the PDF holds {want:?} ({} round {})",
                    d.id,
                    r.round
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 4 * 3 * 5, "4 domains × 3 rounds × 5 ordinal criteria");
}

#[test]
fn model_matches_the_summary_and_names_nobody() {
    let (_, summary) = &*FIXTURE;
    let r = report("en");
    assert_eq!(r.rounds, vec![1, 2, 3]);
    assert_eq!(r.domains.len(), 4);
    for d in &r.domains {
        assert_eq!(d.rounds.len(), 3);
        for dr in &d.rounds {
            for c in &dr.criteria {
                let id = format!("{}.{}", d.id, c.criterion);
                let it = summary.items.iter().find(|i| i.item.as_str() == id && i.round == dr.round).unwrap();
                let delphi_stats::summarise::ItemResult::Ordinal(o) = &it.result else { panic!("ordinal") };
                assert_eq!(c.n, o.n);
                assert_eq!(c.median.value, o.median.value());
                assert_eq!(c.iqr.value, o.iqr.value());
                assert_eq!(c.verdict.as_ref().unwrap().reason, o.consensus.reason);
            }
            // distributions side by side: rounds 1..=this
            let want: Vec<u32> = (1..=dr.round).collect();
            assert!(dr.distributions.iter().all(|x| x.rounds == want));
            assert_eq!(dr.stability.is_empty(), dr.round == 1);
            assert!(dr.synthesis.is_some());
            assert!(!dr.groups.is_empty());
            assert!(dr.groups.iter().all(|g| g.rows.iter().all(|row| row.cells.len() == g.groups.len())));
        }
    }
    assert_eq!(r.overview.benefit_risk.len(), 4);
    assert_eq!(r.overview.rankings.len(), 3);
    assert!(r.methods.quantile_method.contains("type 7"));
    let json = serde_json::to_string(&r).unwrap();
    assert!(!json.contains("p-00"), "a pseudonym leaked into the report");
}

#[test]
fn small_groups_are_marked_suppressed() {
    // institution groups have 40/7 ≈ 5–6 members, minus dropouts and "don't know"; the
    // minimum is 3, so make a study-sized panel where some groups are too small.
    let study = common::shipped();
    let summary = common::summary(&study, 16, 2);
    let r = build(&study, &summary, &study.languages[0]).unwrap();
    let cells = r.domains.iter().flat_map(|d| &d.rounds).flat_map(|x| &x.groups).flat_map(|g| &g.rows);
    let suppressed = cells.flat_map(|row| &row.cells).filter(|c| c.suppressed).count();
    assert!(suppressed > 0, "some group of 16 experts split 6 ways is below 3");
    let html = render_html(&r);
    assert!(html.contains("<i>suppressed</i>"));
}

#[test]
fn pdf_holds_the_figures_in_english() {
    let r = report("en");
    let out = render_pdf(&r, &PdfOptions::default()).unwrap();
    assert!(out.pdf.starts_with(b"%PDF-"));
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    let path = write_pdf("report-en.pdf", &out.pdf);
    let n = pages(&path);
    assert_eq!(n, out.pages);
    assert!((8..=120).contains(&n), "{n} pages");
    let text = pdf_text(&path);
    check_rows(&r, &text);
    let flat = squash(&text);
    for d in &r.domains {
        assert!(flat.contains(&d.title));
        for x in &d.rounds {
            for s in &x.stability {
                assert!(flat.contains(&squash(&s.verdict.reason)), "{}", s.verdict.reason);
            }
            let syn = x.synthesis.as_ref().unwrap();
            assert!(flat.contains(&format!("{} {}", syn.benefit.text, syn.benefit_normalised.text)));
        }
    }
    for k in &r.overview.rankings {
        assert!(flat.contains(&format!("{} ({})", k.w.text, k.p_value.text)));
    }
    assert!(flat.contains(&r.methods.quantile_method));
    assert!(flat.contains("Benefit and worst risk of each domain"));
    // A page to look at: the overview with the benefit–risk chart.
    let png = artifacts().join("report-en-page");
    tool("pdftoppm", &["-png", "-r", "70", "-f", "2", "-l", "3", &path, png.to_str().unwrap()]);
    let pngs = std::fs::read_dir(artifacts())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with("report-en-page"))
        .count();
    assert!(pngs >= 1);
    // and the template and JSON that recompile it
    std::fs::write(artifacts().join("report.typ"), out.template).unwrap();
    std::fs::write(artifacts().join("report.json"), &out.json).unwrap();
}

#[test]
fn pdf_is_deterministic() {
    let r = report("en");
    let a = render_pdf(&r, &PdfOptions::default()).unwrap();
    let b = render_pdf(&r, &PdfOptions::default()).unwrap();
    assert!(a.pdf == b.pdf, "two renders differ");
}

#[test]
fn chinese_without_a_cjk_font_says_so() {
    let r = report("zh");
    let out = render_pdf(&r, &PdfOptions::default()).unwrap();
    assert!(!out.warnings.is_empty());
    let path = write_pdf("report-zh-nofont.pdf", &out.pdf);
    let flat = squash(&pdf_text(&path));
    assert!(flat.contains("No CJK font was available"), "the notice is in the PDF");
    // the figures are there all the same
    check_rows(&r, &pdf_text(&path));
}

#[test]
fn pdf_holds_the_figures_in_chinese() {
    let font = std::fs::read(CJK_FONT).unwrap_or_else(|e| panic!("{CJK_FONT}: {e}: install fonts-noto-cjk"));
    let r = report("zh");
    let out = render_pdf(&r, &PdfOptions { fonts: vec![font] }).unwrap();
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    let path = write_pdf("report-zh.pdf", &out.pdf);
    assert!((8..=120).contains(&pages(&path)));
    let text = pdf_text(&path);
    check_rows(&r, &text);
    let flat = squash(&text);
    assert!(!flat.contains("No CJK font"));
    for needle in ["验证机制", "规程与共享标准", "各轮共识情况", "达成共识", "方法"] {
        assert!(flat.contains(needle), "{needle} missing from the Chinese PDF");
    }
    let png = artifacts().join("report-zh-page");
    tool("pdftoppm", &["-png", "-r", "70", "-f", "2", "-l", "2", &path, png.to_str().unwrap()]);
}

const MARKUP: &str = "#set page(width: 1cm) <b>bold</b> <script>alert(1)</script> **strong** [link](http://x.invalid) $x^2$ `code` _u_ @ref = &amp; \\ end";

fn markup_report() -> Report {
    // a label from the study file and a rationale, both full of markup
    let study_src = common::SHIPPED.replacen(
        "title.en = \"Verification mechanisms\"",
        &format!("title.en = {}", toml_string(MARKUP)),
        1,
    );
    let study = Study::from_toml(&study_src, "markup.toml").unwrap();
    let summary = common::summary(&study, 20, 2);
    let mut r = build(&study, &summary, &study.languages[0]).unwrap();
    r.domains[1].rounds[0].rationales.push(RationaleGroup {
        criterion: "benefit".into(),
        position: "High".into(),
        texts: vec![MARKUP.into()],
    });
    r
}

fn toml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

#[test]
fn markup_appears_literally() {
    let r = markup_report();
    assert_eq!(r.domains[0].title, MARKUP);

    let out = render_pdf(&r, &PdfOptions::default()).unwrap();
    let path = write_pdf("report-markup.pdf", &out.pdf);
    let flat = squash(&pdf_text(&path));
    assert!(flat.matches(MARKUP).count() >= 2, "title and rationale appear verbatim in the PDF");

    let html = render_html(&r);
    assert!(!html.contains("<b>bold</b>") && !html.contains("<script>"));
    let escaped = "#set page(width: 1cm) &lt;b&gt;bold&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;";
    assert!(html.contains(escaped));
    let doc = roxmltree::Document::parse(html.trim_start_matches("<!DOCTYPE html>\n")).unwrap();
    let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
    assert!(texts.contains(&MARKUP), "the HTML's text nodes hold the markup verbatim");
    assert!(texts.iter().any(|t| *t == format!("{MARKUP} — Round 1")), "heading");

    let md = render_markdown(&r);
    let escaped = delphi_report_markdown_unescape(&md);
    assert!(escaped.matches(MARKUP).count() >= 2);
    assert!(!md.contains("<b>") && !md.contains("**strong**") && !md.contains("[link]"));
}

/// Undoes CommonMark backslash escapes (what a renderer shows).
fn delphi_report_markdown_unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(n) if n.is_ascii_punctuation() => out.push(n),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn html_is_well_formed_and_self_contained() {
    for lang in ["en", "zh"] {
        let r = report(lang);
        let html = render_html(&r);
        assert!(html.starts_with("<!DOCTYPE html>"));
        let doc = roxmltree::Document::parse(html.trim_start_matches("<!DOCTYPE html>\n"))
            .unwrap_or_else(|e| panic!("{lang}: {e}"));
        assert_eq!(doc.root_element().tag_name().name(), "html");
        for bad in ["<script", "src=", "href=", "<link"] {
            assert!(!html.contains(bad), "{bad}");
        }
        let svgs = doc.descendants().filter(|n| n.tag_name().name() == "svg").count();
        assert!(svgs > 4 * 3 * 5, "distribution charts and the benefit–risk chart: {svgs}");
        let text: String = doc.descendants().filter_map(|n| n.text()).collect::<Vec<_>>().join(" ");
        for d in &r.domains {
            assert!(text.contains(&d.title));
            for x in &d.rounds {
                for c in &x.criteria {
                    assert!(text.contains(&c.verdict.as_ref().unwrap().label));
                    assert!(text.contains(&format!("{}–{}", c.q1.text, c.q3.text)));
                }
            }
        }
        std::fs::write(artifacts().join(format!("report-{lang}.html")), &html).unwrap();
    }
}

#[test]
fn markdown_holds_the_figures() {
    let r = report("en");
    let md = render_markdown(&r);
    for d in &r.domains {
        assert!(md.contains(&format!("## {}", d.title)));
        for x in &d.rounds {
            for c in &x.criteria {
                let verdict = c.verdict.as_ref().unwrap();
                let label = if verdict.outcome == "met" {
                    format!("**{}**", verdict.label)
                } else if verdict.outcome == "undefined" {
                    format!("*{}*", verdict.label)
                } else {
                    verdict.label.clone()
                };
                let row = format!(
                    "| {} | {} | {} | {} | {}–{} | {} | {} | {label} |",
                    c.criterion, c.n, c.dont_know, c.median.text, c.q1.text, c.q3.text, c.iqr.text, c.agreement.text
                );
                assert!(md.contains(&row), "{row}");
            }
        }
    }
    std::fs::write(artifacts().join("report-en.md"), &md).unwrap();
}

#[test]
fn a_summary_without_rounds_is_refused() {
    let (study, summary) = &*FIXTURE;
    let mut empty = summary.clone();
    empty.rounds.clear();
    empty.items.clear();
    assert!(matches!(build(study, &empty, &study.languages[0]), Err(delphi_report::ReportError::NoRounds)));
}

#[test]
fn extra_items_are_reported_and_a_foreign_summary_is_refused() {
    let (study, summary) = &*FIXTURE;
    let r = report("en");
    assert_eq!(r.overview.numeric.len(), 3, "p-joint-evaluation-2030 in three rounds");
    assert!(r.overview.numeric.iter().all(|x| x.item == "p-joint-evaluation-2030" && x.n > 0));
    assert_eq!(r.overview.quantiles.len(), 3 * 3, "one forecast and two seeds in three rounds");
    let md = render_markdown(&r);
    assert!(md.contains("### Numeric items"));

    // a summary of another study
    let other = common::study_with_domains(1);
    let foreign = common::summary(&other, 10, 1);
    match build(study, &foreign, &study.languages[0]) {
        Err(delphi_report::ReportError::UnknownItem(item)) => assert!(item.starts_with("d-000.")),
        x => panic!("{x:?}"),
    }
    let _ = summary;
}
