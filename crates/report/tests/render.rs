//! Renders the shipped study with three rounds of synthetic answers, run by the shipped panel,
//! and checks the PDF (through poppler's `pdftotext`, `pdfinfo`, `pdftoppm`), the HTML, the
//! Markdown and the tidy exports (CSV and Parquet, read back).
//!
//! Needs poppler-utils on the PATH; the Chinese PDF test needs fonts-noto-cjk
//! (`/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc`).

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::LazyLock;

use delphi_core::Study;
use delphi_core::study::PanelAttribute;
use delphi_report::model::{CompositionRowKind, Report};
use delphi_report::{Conduct, PdfOptions, RationaleGroup, build, render_html, render_markdown, render_pdf};
use delphi_stats::StudySummary;
use delphi_stats::item::Outcome;

const CJK_FONT: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";

static FIXTURE: LazyLock<(Study, StudySummary, Conduct)> = LazyLock::new(|| {
    let study = common::shipped();
    let summary = common::summary(&study, 40, 3);
    let conduct = common::conduct(&study, 3, true);
    (study, summary, conduct)
});

fn report(lang: &str) -> Report {
    let (study, summary, conduct) = &*FIXTURE;
    let language = study.languages.iter().find(|l| l.as_str() == lang).unwrap();
    build(study, summary, conduct, language).unwrap()
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

/// Without any whitespace: pdftotext spaces CJK text and wrapped lines its own way.
fn dense(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The shipped panel's groups by `attribute`: each group's members, by their index in the panel.
fn panel_groups(study: &Study, attribute: PanelAttribute) -> BTreeMap<String, Vec<usize>> {
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, member) in common::shipped_panel(study).members().iter().enumerate() {
        groups.entry(member.attribute(attribute).to_owned()).or_default().push(i);
    }
    groups
}

/// Names of groups below the study's minimum group size, which no output may hold.
fn small_group_names(study: &Study) -> Vec<String> {
    let min = usize::try_from(study.subgroups.min_group_size).unwrap();
    [PanelAttribute::Institution, PanelAttribute::Bloc]
        .into_iter()
        .flat_map(|a| panel_groups(study, a))
        .filter(|(_, members)| members.len() < min)
        .map(|(name, _)| name)
        .collect()
}

/// Every composition row (its group and its counts of every round) is on one line of the
/// text, and so is every round's number and dates, followed by what it fed back.
fn check_conduct(report: &Report, text: &str) {
    let lines: Vec<String> = text.lines().map(dense).collect();
    let mut rows = 0;
    for c in &report.overview.composition {
        for row in &c.rows {
            let counts: Vec<&str> = row.counts.iter().map(|x| x.text.as_str()).collect();
            let want = dense(&format!("{} {}", row.group, counts.join(" ")));
            assert!(lines.iter().any(|l| l.contains(&want)), "no line holds the composition row {want:?}");
            rows += 1;
        }
    }
    assert!(rows > 2, "institution and bloc rows");
    let flat = dense(text);
    for r in &report.methods.conducted {
        let want = dense(&format!("{} {} {} {}", r.round, r.opened, r.deadline, r.closed));
        assert!(lines.iter().any(|l| l.contains(&want)), "no line holds the dates of round {}: {want:?}", r.round);
        assert!(flat.contains(&dense(&format!("{} {}", r.closed, r.feedback))), "feedback of round {}", r.round);
    }
    for name in small_group_names(&common::shipped()) {
        assert!(!flat.contains(&dense(&name)), "the small group {name:?} is named");
    }
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
    let (_, summary, _) = &*FIXTURE;
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
    // Cooke's tables show each expert's scores by pseudonym; nowhere else may one appear.
    assert!(serde_json::to_string(&r.cooke).unwrap().contains("p-00"), "Cooke's tables list the pseudonyms");
    let mut json = serde_json::to_value(&r).unwrap();
    json.as_object_mut().unwrap().remove("cooke");
    assert!(!json.to_string().contains("p-00"), "a pseudonym leaked into the report");
}

#[test]
fn small_groups_are_marked_suppressed() {
    // institution groups have 40/7 ≈ 5–6 members, minus dropouts and "don't know"; the
    // minimum is 3, so make a study-sized panel where some groups are too small.
    let study = common::shipped();
    let summary = common::summary(&study, 16, 2);
    let r = build(&study, &summary, &common::conduct(&study, 2, true), &study.languages[0]).unwrap();
    let cells = r.domains.iter().flat_map(|d| &d.rounds).flat_map(|x| &x.groups).flat_map(|g| &g.rows);
    let suppressed = cells.flat_map(|row| &row.cells).filter(|c| c.suppressed).count();
    assert!(suppressed > 0, "some group of 16 experts split 6 ways is below 3");
    let html = render_html(&r);
    assert!(html.contains("<i>suppressed</i>"));

    // Groups suppressed wherever they appear are left out, names and all.
    let named = |shown: bool| -> std::collections::BTreeSet<&str> {
        summary
            .groups
            .iter()
            .flat_map(|g| &g.groups)
            .filter(|g| matches!(g.figures, delphi_stats::groups::GroupFigures::Shown { .. }) == shown)
            .map(|g| g.group.as_str())
            .collect()
    };
    let never_shown: Vec<&str> = named(false).difference(&named(true)).copied().collect();
    assert!(!never_shown.is_empty(), "16 experts over 7 institutions leave some with 2");
    let hidden: usize = r.domains.iter().flat_map(|d| &d.rounds).flat_map(|x| &x.groups).map(|g| g.hidden).sum();
    assert!(hidden >= never_shown.len(), "{hidden}");
    let (md, json) = (render_markdown(&r), serde_json::to_string(&r).unwrap());
    for name in never_shown {
        assert!(!html.contains(name) && !md.contains(name) && !json.contains(name), "{name} is named");
    }
    for name in named(true) {
        assert!(html.contains(name), "{name} is shown");
    }
    assert!(html.contains("groups too small in every row are left out, unnamed."));
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
    check_conduct(&r, &text);
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
    for needle in ["验证机制", "规程与共享标准", "各轮共识情况", "达成共识", "方法", "专家组构成", "轮次：日期与反馈"]
    {
        assert!(flat.contains(needle), "{needle} missing from the Chinese PDF");
    }
    check_conduct(&r, &text);
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
    let mut r = build(&study, &summary, &common::conduct(&study, 2, true), &study.languages[0]).unwrap();
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

/// A rationale as a hostile or broken mail client could deliver it: NUL, BEL, the ESC
/// sequences that set a terminal's title and clear its screen, a C1 CSI, and a right-to-left
/// override (U+202E) that would show "exe.png" as "gnp.exe" and reorder the text after it.
const CONTROLLED: &str = "Fair\u{0} point\u{7} \u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m then \u{202E}gnp.exe\u{202C} and \u{2067}isolate\u{2069} end";
/// What a reader sees of it: the same words, none of the controls.
const CONTROLLED_SHOWN: &str = "Fair point ]0;pwned[2J31m then gnp.exe and isolate end";

fn raw_controls(text: &str) -> Vec<String> {
    text.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n' && c != '\t') || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        })
        .map(|c| format!("U+{:04X}", u32::from(c)))
        .collect()
}

#[test]
fn expert_text_reaches_no_report_with_its_control_characters_or_bidi_overrides() {
    let mut r = report("en");
    r.domains[0].rounds[0].rationales.push(RationaleGroup {
        criterion: "benefit".into(),
        position: "High".into(),
        texts: vec![CONTROLLED.into()],
    });

    let html = render_html(&r);
    assert_eq!(raw_controls(&html), Vec::<String>::new(), "report.html");
    let doc = roxmltree::Document::parse(html.trim_start_matches("<!DOCTYPE html>\n")).unwrap();
    assert!(doc.descendants().filter_map(|n| n.text()).any(|t| t == CONTROLLED_SHOWN), "the words stay in the HTML");

    let md = render_markdown(&r);
    assert_eq!(raw_controls(&md), Vec::<String>::new(), "report.md");
    assert!(delphi_report_markdown_unescape(&md).contains(CONTROLLED_SHOWN), "the words stay in the Markdown");

    let out = render_pdf(&r, &PdfOptions::default()).unwrap();
    assert_eq!(raw_controls(&out.json), Vec::<String>::new(), "report.json beside the PDF");
    let text = pdf_text(&write_pdf("report-controls.pdf", &out.pdf));
    // pdftotext ends pages with a form feed of its own.
    assert_eq!(raw_controls(&text.replace('\u{c}', "")), Vec::<String>::new(), "the PDF's text");
    assert!(squash(&text).contains(CONTROLLED_SHOWN), "the words stay in the PDF");

    let answers = delphi_report::tidy::answers(&[delphi_report::tidy::AnswerRow {
        round: 1,
        pseudonym: "p-3f9a".into(),
        item: "verification.rationale".into(),
        answer: serde_json::json!({ "kind": "text", "text": CONTROLLED }).to_string(),
        revision: 1,
    }]);
    let csv = String::from_utf8(answers.to_csv().unwrap()).unwrap();
    assert_eq!(raw_controls(&csv.replace("\r\n", "\n")), Vec::<String>::new(), "answers.csv");
    let rows = same_rows_in_csv_and_parquet(&answers, "answers-controls");
    let parquet::record::Field::Str(stored) = &rows[0][3] else { panic!("a text column: {rows:?}") };
    assert_eq!(raw_controls(stored), Vec::<String>::new(), "answers.parquet");
    assert!(stored.contains("gnp.exe and"), "{stored}");
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
        for bad in ["<script", "src=", "<link"] {
            assert!(!html.contains(bad), "{bad}");
        }
        // Links stay inside the file: the checklist points to the entries that answer it.
        assert!(html.matches("href=\"").count() == html.matches("href=\"#").count(), "a link leaves the file");
        for link in html.split("href=\"#").skip(1) {
            let target = &link[..link.find('"').unwrap()];
            assert!(html.contains(&format!("id=\"{target}\"")), "{lang}: a link to #{target}, which is nowhere");
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
        let cells: Vec<String> = doc
            .descendants()
            .filter(|n| n.tag_name().name() == "tr")
            .map(|tr| {
                let texts: Vec<String> = tr.children().filter(|c| c.is_element()).map(|c| all_text(&c)).collect();
                texts.join(" | ")
            })
            .collect();
        for c in &r.overview.composition {
            for row in &c.rows {
                let counts: Vec<&str> = row.counts.iter().map(|x| x.text.as_str()).collect();
                let want = format!("{} | {}", row.group, counts.join(" | "));
                assert!(cells.contains(&want), "{lang}: no table row {want:?}");
            }
        }
        for x in &r.methods.conducted {
            let want = format!("{} | {} | {} | {} | {}", x.round, x.opened, x.deadline, x.closed, x.feedback);
            assert!(cells.contains(&want), "{lang}: no table row {want:?}");
        }
        for name in small_group_names(&common::shipped()) {
            assert!(!html.contains(&name), "{lang}: the small group {name:?} is named");
        }
        std::fs::write(artifacts().join(format!("report-{lang}.html")), &html).unwrap();
    }
}

/// The text of an element and everything in it.
fn all_text(node: &roxmltree::Node<'_, '_>) -> String {
    node.descendants().filter(roxmltree::Node::is_text).filter_map(|n| n.text()).collect()
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
                let label = match verdict.outcome {
                    Outcome::Met => format!("**{}**", verdict.label),
                    Outcome::Undefined => format!("*{}*", verdict.label),
                    Outcome::NotMet | Outcome::TooFewAnswers => verdict.label.clone(),
                };
                let row = format!(
                    "| {} | {} | {} | {} | {}–{} | {} | {} | {label} |",
                    c.criterion, c.n, c.dont_know, c.median.text, c.q1.text, c.q3.text, c.iqr.text, c.agreement.text
                );
                assert!(md.contains(&row), "{row}");
            }
        }
    }
    let shown = delphi_report_markdown_unescape(&md);
    for c in &r.overview.composition {
        for row in &c.rows {
            let group = match row.kind {
                CompositionRowKind::Named => row.group.clone(),
                CompositionRowKind::Smaller => format!("*{}*", row.group),
                CompositionRowKind::Total => format!("**{}**", row.group),
            };
            let counts: Vec<&str> = row.counts.iter().map(|x| x.text.as_str()).collect();
            let want = format!("| {group} | {} |", counts.join(" | "));
            assert!(shown.contains(&want), "{want}");
        }
    }
    for x in &r.methods.conducted {
        let want = format!("| {} | {} | {} | {} | {} |", x.round, x.opened, x.deadline, x.closed, x.feedback);
        assert!(shown.contains(&want), "{want}");
    }
    for name in small_group_names(&common::shipped()) {
        assert!(!shown.contains(&name), "the small group {name:?} is named");
    }
    std::fs::write(artifacts().join("report-en.md"), &md).unwrap();
}

#[test]
fn the_panel_is_counted_by_institution_and_bloc_without_naming_small_groups() {
    let (study, _, _) = &*FIXTURE;
    let min = usize::try_from(study.subgroups.min_group_size).unwrap();
    let r = report("en");
    let json = serde_json::to_string(&r).unwrap();
    assert_eq!(r.overview.composition.len(), 2);
    let mut pooled = 0;
    for (c, attribute) in r.overview.composition.iter().zip([PanelAttribute::Institution, PanelAttribute::Bloc]) {
        assert_eq!(c.attribute, attribute);
        let groups = panel_groups(study, attribute);
        let counts = |members: &[usize]| -> Vec<(u32, u32)> {
            r.rounds
                .iter()
                .map(|&round| {
                    let answered = members.iter().filter(|&&i| common::answered(i, round)).count();
                    (u32::try_from(members.len()).unwrap(), u32::try_from(answered).unwrap())
                })
                .collect()
        };
        let of = |row: &delphi_report::model::CompositionRow| -> Vec<(u32, u32)> {
            row.counts.iter().map(|x| (x.invited, x.responded)).collect()
        };
        let (large, small): (Vec<_>, Vec<_>) = groups.iter().partition(|(_, members)| members.len() >= min);
        let named: Vec<_> = c.rows.iter().filter(|row| row.kind == CompositionRowKind::Named).collect();
        assert_eq!(
            named.iter().map(|row| row.group.as_str()).collect::<Vec<_>>(),
            large.iter().map(|(g, _)| g.as_str()).collect::<Vec<_>>()
        );
        for (row, (_, members)) in named.iter().zip(&large) {
            assert_eq!(of(row), counts(members), "{}", row.group);
        }
        let smaller = c.rows.iter().find(|row| row.kind == CompositionRowKind::Smaller);
        if small.is_empty() {
            assert!(smaller.is_none());
        } else {
            let members: Vec<usize> = small.iter().flat_map(|(_, m)| m.iter().copied()).collect();
            let smaller = smaller.expect("a row for the small groups");
            assert_eq!(of(smaller), counts(&members));
            assert!(smaller.group.starts_with(&format!("{} smaller groups", small.len())), "{}", smaller.group);
            pooled += small.len();
        }
        let total = c.rows.last().unwrap();
        assert_eq!(total.kind, CompositionRowKind::Total);
        let everyone: Vec<usize> = groups.values().flatten().copied().collect();
        assert_eq!(of(total), counts(&everyone));
        assert!(total.counts.iter().all(|x| x.text == format!("{} / {}", x.responded, x.invited)));
    }
    assert!(pooled > 0, "the shipped panel has institutions below the minimum group size");
    for name in small_group_names(study) {
        assert!(!json.contains(&name), "the small group {name:?} is named");
    }
}

#[test]
fn methods_give_each_rounds_dates_its_feedback_and_the_stopping_rule() {
    let (study, summary, conduct) = &*FIXTURE;
    let r = report("en");
    assert_eq!(r.methods.conducted.iter().map(|x| x.round).collect::<Vec<_>>(), r.rounds);
    for (row, c) in r.methods.conducted.iter().zip(&conduct.rounds) {
        let when = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M UTC").to_string();
        assert_eq!((&row.opened, &row.deadline), (&when(c.opened_at), &when(c.deadline)));
        assert_eq!(row.closed, when(c.closed_at.unwrap()));
        let f = &c.feedback;
        match f.from_round {
            None => assert_eq!(row.feedback, "Nothing (first round)."),
            Some(from) => {
                let head = format!("From round {from}, on {} of {} items:", f.items_with_feedback, f.items_asked);
                assert!(row.feedback.starts_with(&head), "{}", row.feedback);
                assert!(
                    row.feedback.contains(&format!("distribution of the group's answers ({} items)", f.distributions))
                );
                assert!(row.feedback.contains(&format!("median and quartiles ({} items)", f.medians)));
                assert!(
                    row.feedback.contains(&format!("own previous answer, to them alone ({} items)", f.own_answers))
                );
                assert!(row.feedback.contains(&format!("{} anonymous rationales", f.rationales)), "{}", row.feedback);
            }
        }
    }
    assert!(r.methods.stopping.starts_with("At least 2 rounds; then stop once"), "{}", r.methods.stopping);

    // What was not shown is not claimed: a round without own answers, quartiles or rationales.
    let mut sparse = conduct.clone();
    let f = &mut sparse.rounds[1].feedback;
    (f.own_answers, f.quartiles, f.rationales) = (0, 0, 0);
    let row = build(study, summary, &sparse, &study.languages[0]).unwrap().methods.conducted[1].feedback.clone();
    assert!(!row.contains("own previous answer") && !row.contains("quartiles"), "{row}");
    assert!(row.contains("the group's median (") && row.contains("0 anonymous rationales"), "{row}");

    // A study file without a stopping rule: the report says none was defined.
    let unstated = common::conduct(study, 3, false);
    let zh = study.languages.iter().find(|l| l.as_str() == "zh").unwrap();
    let en = build(study, summary, &unstated, &study.languages[0]).unwrap().methods.stopping;
    assert_eq!(en, format!("The study defines no stopping rule; it runs at most {} rounds.", study.max_rounds));
    let zh = build(study, summary, &unstated, zh).unwrap().methods.stopping;
    assert!(zh.contains("未规定停止规则") && zh.contains(&study.max_rounds.to_string()), "{zh}");
}

/// The header and rows of a Parquet file, read with the parquet crate's row reader.
fn parquet_rows(path: &std::path::Path) -> (Vec<String>, Vec<Vec<parquet::record::Field>>) {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let reader = SerializedFileReader::new(std::fs::File::open(path).unwrap()).unwrap();
    let names =
        reader.metadata().file_metadata().schema_descr().columns().iter().map(|c| c.name().to_owned()).collect();
    let rows = reader
        .get_row_iter(None)
        .unwrap()
        .map(|row| row.unwrap().get_column_iter().map(|(_, field)| field.clone()).collect())
        .collect();
    (names, rows)
}

/// Writes `table` as CSV and as Parquet, reads the Parquet back and checks it holds the CSV's
/// header and rows, cell by cell (CSV's empty cell is Parquet's null; CSV's texts are inert).
/// Returns the rows.
fn same_rows_in_csv_and_parquet(table: &delphi_report::tidy::Table, name: &str) -> Vec<Vec<parquet::record::Field>> {
    use parquet::record::Field;
    let path = artifacts().join(format!("{name}.parquet"));
    std::fs::write(&path, table.to_parquet().unwrap()).unwrap();
    let (names, rows) = parquet_rows(&path);
    let csv = table.to_csv().unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_slice());
    assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), names);
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), rows.len(), "{name}: rows");
    assert_eq!(rows.len(), table.rows());
    for (record, row) in records.iter().zip(&rows) {
        let expected: Vec<String> = row
            .iter()
            .map(|field| match field {
                Field::Null => String::new(),
                Field::Long(x) => x.to_string(),
                Field::Double(x) => x.to_string(),
                Field::Str(x) => delphi_report::tidy::inert_cell(x),
                other => panic!("{name}: an unexpected Parquet type {other:?}"),
            })
            .collect();
        assert_eq!(record.iter().collect::<Vec<_>>(), expected, "{name}");
    }
    rows
}

#[test]
fn parquet_exports_hold_the_rows_of_the_csv_exports() {
    use parquet::record::Field;
    let (_, summary, _) = &*FIXTURE;
    let figures = delphi_report::tidy::figures(summary);
    let rows = same_rows_in_csv_and_parquet(&figures, "figures");
    let item_rows: Vec<_> = rows.iter().filter(|r| r[5] == Field::Str("item".into())).collect();
    let measures: usize = summary.items.iter().map(|i| i.result.measures().len()).sum();
    assert_eq!(item_rows.len(), measures, "one row per figure of each item");
    // exactly one of value / undefined_because on every row, and some figures are undefined
    assert!(
        rows.iter().all(|r| matches!((&r[3], &r[4]), (Field::Double(_), Field::Null) | (Field::Null, Field::Str(_))))
    );
    let undefined = summary.items.iter().flat_map(|i| i.result.measures()).filter(|(_, f)| f.value().is_none()).count();
    assert_eq!(item_rows.iter().filter(|r| r[3] == Field::Null).count(), undefined, "a null for each undefined figure");

    // Answers: expert text verbatim in Parquet, inert in CSV; pseudonyms only.
    let hostile = r#"{"kind":"text","text":"=cmd|' /C calc'!A0"}"#;
    let answers = delphi_report::tidy::answers(&[
        delphi_report::tidy::AnswerRow {
            round: 1,
            pseudonym: "p-3f9a".into(),
            item: "verification.benefit".into(),
            answer: r#"{"kind":"ordinal","point":6}"#.into(),
            revision: 1,
        },
        delphi_report::tidy::AnswerRow {
            round: 2,
            pseudonym: "p-07c2".into(),
            item: "verification.rationale".into(),
            answer: r#"=HYPERLINK("http://x.invalid")"#.into(),
            revision: 3,
        },
        delphi_report::tidy::AnswerRow {
            round: 2,
            pseudonym: "p-07c2".into(),
            item: "protocols.rationale".into(),
            answer: hostile.into(),
            revision: 1,
        },
    ]);
    let rows = same_rows_in_csv_and_parquet(&answers, "answers");
    assert_eq!(rows[1][3], Field::Str(r#"=HYPERLINK("http://x.invalid")"#.into()), "verbatim in Parquet");
    assert_eq!((&rows[1][0], &rows[1][4]), (&Field::Long(2), &Field::Long(3)));
    let csv = String::from_utf8(answers.to_csv().unwrap()).unwrap();
    assert!(csv.contains("'=HYPERLINK") && !csv.contains(",=HYPERLINK"), "{csv}");

    // An empty table is a valid file with the header and no rows.
    let none = delphi_report::tidy::answers(&[]);
    assert!(same_rows_in_csv_and_parquet(&none, "answers-empty").is_empty());
}

#[test]
fn a_summary_without_rounds_is_refused() {
    let (study, summary, conduct) = &*FIXTURE;
    let mut empty = summary.clone();
    empty.rounds.clear();
    empty.items.clear();
    assert!(matches!(build(study, &empty, conduct, &study.languages[0]), Err(delphi_report::ReportError::NoRounds)));
}

#[test]
fn extra_items_are_reported_and_a_foreign_summary_is_refused() {
    let (study, summary, conduct) = &*FIXTURE;
    let r = report("en");
    assert_eq!(r.overview.numeric.len(), 3, "p-joint-evaluation-2030 in three rounds");
    assert!(r.overview.numeric.iter().all(|x| x.item == "p-joint-evaluation-2030" && x.n > 0));
    assert_eq!(r.overview.quantiles.len(), 3 * 3, "one forecast and two seeds in three rounds");
    let md = render_markdown(&r);
    assert!(md.contains("### Numeric items"));

    // a summary of another study
    let other = common::study_with_domains(1);
    let foreign = common::summary(&other, 10, 1);
    match build(study, &foreign, conduct, &study.languages[0]) {
        Err(delphi_report::ReportError::UnknownItem(item)) => assert!(item.starts_with("d-000.")),
        x => panic!("{x:?}"),
    }
    let _ = summary;
}

/// `[synthesis]` is optional: the shipped study without it validates, its statistics have
/// no synthesis, and the report builds and renders (Markdown, HTML, PDF) without one.
#[test]
fn a_study_without_synthesis_builds_and_renders() {
    let (before, after) = common::SHIPPED.split_once("[synthesis]").expect("the shipped study has a synthesis");
    let rest = after.split_once("\n[").map_or("", |(_, tail)| tail);
    let source = if rest.is_empty() { before.to_owned() } else { format!("{before}\n[{rest}") };
    let study = Study::from_toml(&source, "no-synthesis.toml").expect("valid without [synthesis]");
    assert!(study.synthesis.is_none());
    let summary = common::summary(&study, 12, 2);
    assert!(summary.synthesis.is_empty());
    let conduct = common::conduct(&study, 2, true);
    let report = build(&study, &summary, &conduct, &study.languages[0]).unwrap();
    assert!(report.domains.iter().all(|d| d.rounds.iter().all(|r| r.synthesis.is_none())));
    assert!(!render_markdown(&report).is_empty());
    assert!(!render_html(&report).is_empty());
    let pdf = render_pdf(&report, &PdfOptions::default()).unwrap();
    assert!(pdf.pdf.starts_with(b"%PDF"));
}

/// What summary.json holds beyond the per-item figures reaches figures.csv: group tests,
/// stability and drop-out tests with the method of each p-value, α per scale, Cooke's model;
/// and figures.md defines every measure that appears.
#[test]
fn figures_export_holds_every_test_with_its_method_and_the_dictionary_defines_each_measure() {
    let (_, summary, _) = &*FIXTURE;
    let csv = String::from_utf8(delphi_report::tidy::figures(summary).to_csv().unwrap()).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        ["round", "item", "measure", "value", "undefined_because", "scope", "subject", "method"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let find = |round: u32, item: &str, measure: &str, scope: &str, subject: &str| {
        rows.iter()
            .find(|r| {
                r[0] == *round.to_string() && &r[1] == item && &r[2] == measure && &r[5] == scope && &r[6] == subject
            })
            .unwrap_or_else(|| panic!("no row {round} {item} {measure} {scope} {subject}"))
    };
    let value = |r: &csv::StringRecord| r[3].parse::<f64>().ok();

    assert!(!summary.stability.is_empty() && !summary.groups.is_empty() && !summary.reliability.is_empty());
    assert!(!summary.cooke.is_empty(), "the shipped study has seed items");
    for s in &summary.stability {
        let subject = match &s.continues {
            Some(c) => format!("from round {} ({})", s.from_round, c.as_str()),
            None => format!("from round {}", s.from_round),
        };
        let w = find(s.to_round, s.item.as_str(), "wilcoxon_p_value", "stability", &subject);
        assert_eq!(value(w), s.wilcoxon.p_value.value());
        assert_eq!(&w[7], if s.wilcoxon.p_value.value().is_some() { s.wilcoxon.method.unwrap().name() } else { "" });
        let d = find(s.to_round, s.item.as_str(), "dropout_mann_whitney_p_value", "stability", &subject);
        assert_eq!(value(d), s.attrition.test.p_value.value());
        let moved = find(s.to_round, s.item.as_str(), "moved_percent", "stability", &subject);
        assert_eq!(value(moved), s.moved_percent.value());
    }
    let mut tested = 0;
    for g in &summary.groups {
        match &g.test {
            delphi_stats::groups::GroupTest::MannWhitney(m) => {
                let row = find(g.round, g.item.as_str(), "mann_whitney_p_value", "group", &g.attribute);
                assert_eq!(value(row), m.p_value.value());
                let method = if m.p_value.value().is_some() { m.method.name() } else { "" };
                assert_eq!(&row[7], method, "the method is stored with the p-value");
                tested += 1;
            }
            delphi_stats::groups::GroupTest::KruskalWallis(k) => {
                let row = find(g.round, g.item.as_str(), "kruskal_wallis_p_value", "group", &g.attribute);
                assert_eq!(value(row), k.p_value.value());
                assert_eq!(&row[7], if k.p_value.value().is_some() { "chi_square" } else { "" });
                tested += 1;
            }
            delphi_stats::groups::GroupTest::NotTested { reason } => {
                let row = find(g.round, g.item.as_str(), "test_p_value", "group", &g.attribute);
                assert_eq!(&row[4], reason.to_string().as_str());
            }
        }
        for group in &g.groups {
            let n = find(g.round, g.item.as_str(), "n", "group", &format!("{}={}", g.attribute, group.group));
            match &group.figures {
                delphi_stats::groups::GroupFigures::Suppressed => {
                    assert!(value(n).is_none() && !n[4].is_empty(), "a suppressed group has no figure");
                }
                delphi_stats::groups::GroupFigures::Shown { n: count, .. } => {
                    assert_eq!(value(n), Some(*count as f64));
                }
            }
        }
    }
    assert!(tested > 0, "some group comparison was tested");
    for r in &summary.reliability {
        for s in &r.by_scale {
            let row = find(r.round, "", "alpha_ordinal", "reliability", &format!("scale {}–{}", s.min, s.max));
            assert_eq!(value(row), s.alpha.ordinal.value());
        }
    }
    for c in &summary.cooke {
        for e in &c.model.experts {
            assert_eq!(value(find(c.round, "", "weight", "cooke", &e.expert)), e.weight.value());
        }
    }
    // Every p-value that has a value names its method; nothing else does.
    for r in &rows {
        let is_p = r[2].ends_with("p_value");
        assert_eq!(!r[7].is_empty(), is_p && !r[3].is_empty(), "{r:?}");
    }
    // figures.md defines every (scope, measure) that appears.
    let dictionary = delphi_report::tidy::dictionary();
    for r in &rows {
        let name = delphi_report::tidy::dictionary_name(&r[2]);
        assert!(
            delphi_report::tidy::MEASURES.iter().any(|(scope, measure, _)| *scope == &r[5] && *measure == name),
            "{} / {} is not defined",
            &r[5],
            &r[2]
        );
        assert!(dictionary.contains(&format!("| {name} |")), "{name} not in figures.md");
    }
}

/// Every group, stability and drop-out test reaches the PDF as a line in words, its p-value
/// equal to summary.json's and named exact or approximate as the engine computed it, with the
/// note saying up to which sizes tests are exact — in English and Chinese.
#[test]
fn each_test_is_a_line_in_words_with_its_p_value_and_method() {
    use delphi_stats::groups::GroupTest;
    use delphi_stats::ranktests::TestMethod;
    let (_, summary, _) = &*FIXTURE;
    let last = *summary.rounds.last().unwrap();
    for (lang, exact, normal) in [("en", "exact", "normal approximation"), ("zh", "精确检验", "正态近似")] {
        let r = report(lang);
        let t = &r.rank_tests;
        // The lines are the summary's tests, one for one.
        let groups: Vec<_> = summary.groups.iter().filter(|g| g.round == last).collect();
        assert_eq!(t.groups.len(), groups.len());
        for (line, g) in t.groups.iter().zip(&groups) {
            let (p, method) = match &g.test {
                GroupTest::MannWhitney(m) => (m.p_value, Some(m.method)),
                GroupTest::KruskalWallis(k) => (k.p_value, Some(TestMethod::ChiSquare)),
                GroupTest::NotTested { reason } => (delphi_stats::Figure::undefined(*reason), None),
            };
            assert_eq!(line.p_value.value, p.value(), "{}", line.item);
            let expected = match method.filter(|_| p.value().is_some()) {
                Some(TestMethod::Exact) => exact,
                Some(TestMethod::Normal) => normal,
                Some(_) => line.method.as_str(),
                None => "",
            };
            assert_eq!(line.method, expected, "{}", line.item);
            assert_eq!(line.significant, p.value().is_some_and(|v| v < 0.05));
        }
        assert_eq!(t.stability.len(), summary.stability.len());
        for (line, s) in t.stability.iter().zip(&summary.stability) {
            assert_eq!(line.p_value.value, s.wilcoxon.p_value.value());
            assert_eq!(line.round, format!("{} → {}", s.from_round, s.to_round));
        }
        let with_dropouts = summary.stability.iter().filter(|s| s.attrition.dropouts > 0).count();
        assert!(with_dropouts > 0, "the fixture has experts who left");
        assert_eq!(t.dropouts.len(), with_dropouts);
        // Panels this size are tested exactly.
        assert!(t.stability.iter().chain(&t.dropouts).any(|l| l.method == exact), "{lang}");

        let mut options = PdfOptions::default();
        if lang == "zh" {
            options.fonts.push(std::fs::read("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc").unwrap());
        }
        let out = render_pdf(&r, &options).unwrap();
        let text = dense(&pdf_text(&write_pdf(&format!("report-tests-{lang}.pdf"), &out.pdf)));
        assert!(text.contains(&dense(&t.words.heading)), "{lang}");
        assert!(text.contains(&dense(&t.method_note)), "{lang}: the method note");
        let markdown = render_markdown(&r).replace('\\', "");
        let html = render_html(&r);
        assert!(markdown.contains(&t.method_note), "{lang}: the method note in Markdown");
        for line in t.groups.iter().chain(&t.stability).chain(&t.dropouts) {
            assert!(text.contains(&dense(&line.reading)), "{lang}: {}", line.reading);
            assert!(markdown.contains(&line.reading), "{lang}: {} in Markdown", line.reading);
            let row = format!("<td>{}</td><td>{}</td>", html_escape(&line.method), html_escape(&line.reading));
            assert!(html.contains(&row), "{lang}: {row} in HTML");
        }
    }
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('\'', "&#39;")
}

/// What a reader of the first report found wrong: a stability table headed and worded as
/// consensus, "Placement: promising — promising", items known only by id and scales without
/// labels. Each is checked in the PDF, the HTML and the Markdown, in English and Chinese.
#[test]
fn stability_reads_as_stability_placements_are_said_once_and_questions_show_their_wording_and_scale() {
    let (study, _, _) = &*FIXTURE;
    for (lang, stable_words, consensus_words) in [
        ("en", ["stable", "not stable"], ["consensus", "no consensus"]),
        ("zh", ["稳定", "不稳定"], ["达成共识", "未达成共识"]),
    ] {
        let r = report(lang);
        let l = &r.labels;
        let rows: Vec<_> = r.domains.iter().flat_map(|d| &d.rounds).flat_map(|x| &x.stability).collect();
        assert!(!rows.is_empty());
        for s in &rows {
            assert!(stable_words.contains(&s.verdict.label.as_str()), "{lang}: {}", s.verdict.label);
            assert!(!consensus_words.contains(&s.verdict.label.as_str()));
            // The reason is the figures in the report's language, not the engine's English.
            assert!(s.verdict.reason.contains(&s.pairs.to_string()) && s.verdict.reason.contains(&s.moved.to_string()));
            if lang == "zh" {
                assert!(!s.verdict.reason.chars().any(|c| c.is_ascii_alphabetic()), "{}", s.verdict.reason);
            }
        }
        let language = study.languages.iter().find(|x| x.as_str() == lang).unwrap();
        let mut options = PdfOptions::default();
        if lang == "zh" {
            options.fonts.push(std::fs::read("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc").unwrap());
        }
        let pdf =
            dense(&pdf_text(&write_pdf(&format!("report-fixes-{lang}.pdf"), &render_pdf(&r, &options).unwrap().pdf)));
        let html = render_html(&r);
        let markdown = render_markdown(&r).replace('\\', "");
        assert!(pdf.contains(&dense(&l.stable_heading)) && html.contains(&format!("<th>{}</th>", l.stable_heading)));
        for d in &r.domains {
            for x in &d.rounds {
                let Some(s) = &x.synthesis else { continue };
                let Some(placement) = &s.placement else { continue };
                // The placement word once, then the figures it rests on.
                assert!(!s.reason.contains(placement.as_str()), "{lang}: {placement} — {}", s.reason);
                assert!(s.reason.contains(&s.benefit.text), "{}", s.reason);
                let line = format!("{placement} — {}", s.reason);
                assert!(markdown.contains(&line) && pdf.contains(&dense(&line)), "{lang}: {line}");
            }
            // Every criterion with its wording, and a rating's scale with its labels.
            for q in &d.questions {
                let criterion = study.criteria.iter().find(|c| c.id.as_str() == q.criterion).unwrap();
                let wording = criterion.prompt.get(language, &study.languages[0]).replace("{domain}", &d.title);
                assert_eq!(q.wording, wording);
                assert!(pdf.contains(&dense(&wording)) && markdown.contains(&wording), "{lang}: {wording}");
                if let delphi_core::study::ResponseKind::Ordinal { scale } = &criterion.response {
                    let scale = study.scale(scale).unwrap();
                    let labels = scale.labels.get(language, &study.languages[0]);
                    let text = q.scale.as_deref().expect("a rating shows its scale");
                    assert!(text.starts_with(&format!("{} = {}", scale.min, labels[0])), "{text}");
                    assert!(text.ends_with(&format!("{} = {}", scale.max, labels.last().unwrap())), "{text}");
                    assert!(pdf.contains(&dense(text)), "{lang}: {text}");
                }
            }
        }
    }
}

/// The HTML and Markdown reports open with the same findings in words as the PDF's page 1,
/// before any table.
#[test]
fn html_and_markdown_open_with_the_findings() {
    for lang in ["en", "zh"] {
        let r = report(lang);
        let f = &r.findings;
        assert!(!f.areas.is_empty());
        let markdown = render_markdown(&r).replace('\\', "");
        let html = render_html(&r);
        let first_table = (markdown.find("\n|").unwrap(), html.find("<table").unwrap());
        // The benefit–risk chart names its points, as the PDF's does (no numbered key).
        for p in &r.overview.benefit_risk {
            assert_eq!(html.matches(&format!(">{}</text>", html_escape(&p.title))).count(), 1, "{lang}: {}", p.title);
        }
        for s in f.areas.iter().flat_map(|a| &a.sentences).chain(&f.method) {
            let at = markdown.find(&s.text).unwrap_or_else(|| panic!("{lang}: {} not in the Markdown", s.text));
            assert!(at < first_table.0, "{lang}: a finding after the first table");
            let at = html.find(&html_escape(&s.text)).unwrap_or_else(|| panic!("{lang}: {} not in the HTML", s.text));
            assert!(at < first_table.1, "{lang}: a finding after the first table");
        }
    }
}

/// No heading is left alone at the foot of a page: the last line of text on every page of the
/// PDF (above the page number) is never one of the report's headings, in English and Chinese.
#[test]
fn no_heading_stands_alone_at_a_page_foot() {
    for lang in ["en", "zh"] {
        let r = report(lang);
        let html = render_html(&r);
        let doc = roxmltree::Document::parse(html.trim_start_matches("<!DOCTYPE html>\n")).unwrap();
        let headings: std::collections::BTreeSet<String> = doc
            .descendants()
            .filter(|n| matches!(n.tag_name().name(), "h1" | "h2" | "h3" | "h4"))
            .map(|n| dense(&all_text(&n)))
            .filter(|h| !h.is_empty())
            .collect();
        assert!(headings.len() > 20, "{lang}: {} headings", headings.len());
        let mut options = PdfOptions::default();
        if lang == "zh" {
            options.fonts.push(std::fs::read("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc").unwrap());
        }
        let path = write_pdf(&format!("report-page-feet-{lang}.pdf"), &render_pdf(&r, &options).unwrap().pdf);
        for page in 1..=pages(&path) {
            let text = tool("pdftotext", &["-layout", "-f", &page.to_string(), "-l", &page.to_string(), &path, "-"]);
            let last = text
                .lines()
                .map(str::trim)
                .rfind(|l| !l.is_empty() && !l.chars().all(|c| c.is_ascii_digit()))
                .unwrap_or_default();
            assert!(!headings.contains(&dense(last)), "{lang}: page {page} ends with the heading {last:?}");
        }
    }
}

/// A consensus verdict's reason reads in the report's language: in English exactly as the
/// engine wrote it (the JSON and the terminal keep that text), in Chinese without an English
/// word, the same figures in both.
#[test]
fn consensus_reasons_are_worded_in_the_reports_language() {
    let (_, summary, _) = &*FIXTURE;
    let engine: std::collections::BTreeSet<String> = summary
        .items
        .iter()
        .filter_map(|i| match &i.result {
            delphi_stats::summarise::ItemResult::Ordinal(o) => Some(o.consensus.reason.clone()),
            _ => None,
        })
        .collect();
    let (en, zh) = (report("en"), report("zh"));
    let rows = |r: &Report| -> Vec<(String, String)> {
        r.domains
            .iter()
            .flat_map(|d| &d.rounds)
            .flat_map(|x| &x.criteria)
            .filter_map(|c| c.verdict.as_ref().map(|v| (c.criterion.clone(), v.reason.clone())))
            .collect()
    };
    let (en_rows, zh_rows) = (rows(&en), rows(&zh));
    assert_eq!(en_rows.len(), zh_rows.len());
    assert!(en_rows.len() > 20);
    let mut worded = 0;
    for ((_, en_reason), (_, zh_reason)) in en_rows.iter().zip(&zh_rows) {
        assert!(engine.contains(en_reason), "English as the engine wrote it: {en_reason}");
        if en_reason.starts_with("IQR") || en_reason.contains("valid answer") || en_reason.contains("between two boxes")
        {
            worded += 1;
            assert!(!zh_reason.chars().any(|c| c.is_ascii_alphabetic()), "{zh_reason}");
            // the same figures: every number of the English reason is in the Chinese one
            for number in
                en_reason.split(|c: char| !(c.is_ascii_digit() || c == '.')).filter(|t| !t.is_empty() && t != &".")
            {
                assert!(zh_reason.contains(number), "{number} of {en_reason:?} in {zh_reason:?}");
            }
        }
    }
    assert_eq!(worded, en_rows.len(), "every criterion's reason has a basis");

    // Across groups: English as the engine wrote it; Chinese with no English word but the
    // groups' own names.
    let engine: std::collections::BTreeSet<&str> =
        summary.groups.iter().map(|g| g.cross_group.reason.as_str()).collect();
    let names: Vec<&str> = summary.groups.iter().flat_map(|g| g.groups.iter().map(|r| r.group.as_str())).collect();
    let across = |r: &Report| -> Vec<String> {
        r.domains
            .iter()
            .flat_map(|d| &d.rounds)
            .flat_map(|x| &x.groups)
            .flat_map(|t| &t.rows)
            .map(|row| row.cross_group.reason.clone())
            .collect()
    };
    let (en_across, zh_across) = (across(&en), across(&zh));
    assert!(en_across.len() > 20 && en_across.len() == zh_across.len());
    for (en_reason, zh_reason) in en_across.iter().zip(&zh_across) {
        assert!(engine.contains(en_reason.as_str()), "English as the engine wrote it: {en_reason}");
        let mut rest = zh_reason.clone();
        for name in &names {
            rest = rest.replace(name, "");
        }
        assert!(!rest.chars().any(|c| c.is_ascii_alphabetic()), "{zh_reason}");
    }
}
