//! Cooke's classical model in the study report, through the real binary: twenty experts
//! answer the shipped study's seed questions and its forecast (one of them the forecast
//! only), the round closes, `delphi report` writes the English and Chinese PDFs, and what
//! `pdftotext` reads back of the Cooke section agrees with `summary.json` to the printed
//! precision — every pseudonym's calibration, information and weight, α, both decision makers'
//! scores and their quantiles on the target. The shipped study has two seeds, so the report
//! warns; edited to have eight, it does not.

use std::path::Path;
use std::process::Command;

use crate::util::{init_example, ok};

const TARGET: &str = "years-to-first-agreement";

/// The study `delphi init` wrote, with `extra` more seed questions (realisations 10, 20, …).
fn with_seeds(written: &str, extra: usize) -> String {
    let mut source = written.to_owned();
    let analysis = source.find("# ---------------------------------------------------------------- analysis").unwrap();
    let seeds: String = (1..=extra)
        .map(|k| {
            format!(
                "[[seeds]]\nid = \"seed-extra-{k}\"\nprompt.en = \"Calibration question {k}.\"\nprompt.zh = \"校准问题 {k}。\"\nmin = 0\nmax = 100\nrealisation = {}\n\n",
                10 * k
            )
        })
        .collect();
    source.insert_str(analysis, &seeds);
    source
}

/// The seed questions in the study's order with their realisations and upper bounds.
fn seeds(extra: usize) -> Vec<(String, f64, f64)> {
    let mut all =
        vec![("seed-bletchley-countries".to_owned(), 28.0, 200.0), ("seed-eo14110-threshold".to_owned(), 26.0, 40.0)];
    all.extend((1..=extra).map(|k| (format!("seed-extra-{k}"), 10.0 * k as f64, 100.0)));
    all
}

/// Expert `e`'s 5/50/95 % on a seed with realisation `x`: some experts well calibrated, some
/// too sure, some off-centre, so that calibration, information and weights differ.
fn seed_answer(e: usize, s: usize, x: f64, max: f64) -> [f64; 3] {
    let centre = x * (1.0 + 0.05 * ((e * 7 + s * 3) % 9) as f64 - 0.2);
    let centre = (centre * 4.0).round() / 4.0;
    let width = [0.5, 1.0, 3.0, 8.0][e % 4] + (s % 3) as f64;
    [(centre - width).max(0.0), centre, (centre + 1.5 * width).min(max)]
}

/// Expert `e`'s reply form: the seeds (unless `seeds` is empty) and the forecast.
fn reply(e: usize, seeds: &[(String, f64, f64)]) -> String {
    let mut lines: Vec<String> = seeds
        .iter()
        .enumerate()
        .map(|(s, (id, x, max))| {
            let [a, b, c] = seed_answer(e, s, *x, *max);
            format!("[{id}] 5%: {a} 50%: {b} 95%: {c}")
        })
        .collect();
    let m = 3.0 + (e % 5) as f64;
    lines.push(format!("[{TARGET}] 5%: {} 50%: {m} 95%: {}", m - 1.5, m + 4.0 + (e % 3) as f64));
    lines.join("\n") + "\n"
}

/// Runs one round of the study `id` with `extra` more seeds: E20 answers only the forecast
/// when `one_without_seeds`; returns the round's summary.
fn run_study(root: &Path, id: &str, extra: usize, one_without_seeds: bool) -> serde_json::Value {
    init_example(root, id, |written| with_seeds(written, extra));
    ok(root, &["round", "open", "--days", "14"]);
    let seeds = seeds(extra);
    for e in 1..=20 {
        let answered = if one_without_seeds && e == 20 { &[][..] } else { &seeds[..] };
        let file = root.join(format!("reply-E{e:02}.txt"));
        std::fs::write(&file, reply(e, answered)).unwrap();
        ok(root, &["answer", "--expert", &format!("E{e:02}"), file.to_str().unwrap()]);
    }
    ok(root, &["round", "close"]);
    ok(root, &["report", "--out", "reports"]);
    let summary = std::fs::read_to_string(root.join(format!("data/{id}/round-1/summary.json"))).unwrap();
    serde_json::from_str(&summary).unwrap()
}

/// The PDF's text as `pdftotext -layout` reads it, pages split by form feeds.
fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext").arg("-layout").arg(pdf).arg("-").output().expect("pdftotext (poppler-utils)");
    assert!(out.status.success(), "pdftotext: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// How a number is printed.
#[derive(Clone, Copy, Debug)]
enum Printed {
    /// Three significant digits (scientific below 0.001), `0` for zero.
    Score,
    /// Three decimals.
    Information,
    /// Four significant digits, trailing zeros dropped.
    Quantile,
}

/// A printed number's tokens (`1.15 × 10⁻⁵` as one) read back: its value, the unit of its
/// last digit and its significant digits.
fn read_printed(token: &str) -> (f64, f64, usize) {
    let digits = |s: &str| -> String {
        s.chars()
            .map(|c| match c {
                '⁻' => '-',
                c => "⁰¹²³⁴⁵⁶⁷⁸⁹".chars().position(|d| d == c).map_or(c, |d| char::from(b'0' + d as u8)),
            })
            .collect()
    };
    let (mantissa, exponent) = match token.split_once("×10") {
        Some((m, e)) => (m.to_owned(), digits(e).parse::<i32>().unwrap()),
        None => (token.to_owned(), 0),
    };
    let decimals = mantissa.split_once('.').map_or(0, |(_, d)| d.len());
    let significant = mantissa.trim_start_matches('-').replace('.', "").trim_start_matches('0').len();
    let value: f64 = mantissa.parse::<f64>().unwrap() * 10f64.powi(exponent);
    (value, 10f64.powi(exponent - decimals as i32), significant)
}

/// Whether `token` is `value` printed by `rule`, to the precision printed.
fn agrees(token: &str, value: f64, rule: Printed) -> bool {
    let (printed, unit, significant) = read_printed(token);
    let within = |unit: f64| (printed - value).abs() <= 0.5 * unit * (1.0 + 1e-9) + 1e-15;
    match rule {
        Printed::Score => within(unit) && (significant == 3 || (token == "0" && value == 0.0)),
        Printed::Information => within(unit) && token.split_once('.').is_some_and(|(_, d)| d.len() == 3),
        // Trailing zeros are dropped, so the printed digits only bound the precision: the
        // value rounded to four significant digits must be what is printed.
        Printed::Quantile => {
            significant <= 4 && (value == 0.0 || within(10f64.powi(value.abs().log10().floor() as i32 - 3)))
        }
    }
}

/// The numbers at the end of a printed line, scientific notation joined into one token.
fn numbers(line: &str) -> Vec<String> {
    let joined = line.replace(" × 10", "×10");
    joined
        .split(|c: char| c.is_whitespace() || c == '(' || c == '（')
        .filter(|t| read_printable(t))
        .map(str::to_owned)
        .collect()
}

fn read_printable(t: &str) -> bool {
    let mantissa = t.split_once("×10").map_or(t, |(m, _)| m);
    !mantissa.is_empty() && mantissa.parse::<f64>().is_ok()
}

fn number(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("a number, found {v}"))
}

fn expect(token: &str, value: &serde_json::Value, rule: Printed, what: &str) {
    assert!(agrees(token, number(value), rule), "{what}: printed {token}, summary.json has {value}");
}

/// The Cooke section of a report's text: from its heading to the methods' heading.
fn section<'t>(text: &'t str, heading: &str, end: &str) -> &'t str {
    let start = text.find(heading).unwrap_or_else(|| panic!("no {heading:?} in the report:\n{text}"));
    let rest = &text[start..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

/// Every figure of round 1's model in `summary` is in `section`, as printed.
fn check_table(section: &str, summary: &serde_json::Value, performance: &str, equal: &str) {
    let cooke = &summary["cooke"][0];
    let model = &cooke["model"];
    let lines: Vec<&str> = section.lines().collect();
    let row = |first: &str, at_least: usize| -> Vec<String> {
        let line = lines
            .iter()
            .find(|l| l.trim_start().starts_with(first) && numbers(l).len() >= at_least)
            .unwrap_or_else(|| panic!("no row {first:?} with {at_least} numbers in:\n{section}"));
        numbers(line)
    };
    let experts = model["experts"].as_array().unwrap();
    assert!(experts.len() >= 19, "{cooke}");
    for e in experts {
        let name = e["expert"].as_str().unwrap();
        assert!(name.starts_with("p-"), "the summary's pseudonyms: {name}");
        let n = row(name, 4);
        expect(&n[0], &e["calibration"], Printed::Score, name);
        expect(&n[1], &e["information"], Printed::Information, name);
        expect(&n[2], &e["combined"], Printed::Score, name);
        expect(&n[3], &e["weight"], Printed::Score, name);
    }
    // α's sentence may wrap (CJK lines break anywhere): the first number after `α =`.
    let words = section.split_whitespace().collect::<Vec<_>>().join(" ");
    let alpha = numbers(&words[words.find("α =").expect("α is printed") + "α =".len()..]);
    expect(&alpha[0], &model["alpha"], Printed::Score, "α");
    for (label, dm) in [(performance, &model["performance_dm"]), (equal, &model["equal_dm"])] {
        let n = row(label, 3);
        expect(&n[0], &dm["calibration"], Printed::Score, label);
        expect(&n[1], &dm["information"], Printed::Information, label);
        expect(&n[2], &dm["combined"], Printed::Score, label);
    }
    // The target: its first line of wording carries both decision makers' 5/50/95 %.
    let targets = &model["targets"][0];
    let wanted: Vec<&serde_json::Value> =
        targets["performance"].as_array().unwrap().iter().chain(targets["equal"].as_array().unwrap()).collect();
    let quantiles = lines
        .iter()
        .filter(|l| !l.contains('%'))
        .map(|l| numbers(l))
        .find(|n| n.len() >= 6)
        .unwrap_or_else(|| panic!("no line with the decision makers' quantiles in:\n{section}"));
    let quantiles = &quantiles[quantiles.len() - 6..];
    for (token, value) in quantiles.iter().zip(wanted) {
        expect(token, value, Printed::Quantile, "a decision maker's quantile on the target");
    }
}

/// `text` without any whitespace, as CJK lines wrap anywhere.
fn unspaced(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Page images (page 1 and the section's first page) for a person to look at.
fn page_pictures(pdf: &Path, text: &str, heading: &str, name: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/artifacts/report");
    std::fs::create_dir_all(&dir).unwrap();
    let page = text[..text.find(heading).unwrap()].matches('\u{c}').count() + 1;
    for (p, suffix) in [(1, "page-1"), (page, "cooke")] {
        let status = Command::new("pdftoppm")
            .args(["-r", "60", "-png", "-singlefile", "-f", &p.to_string(), "-l", &p.to_string()])
            .arg(pdf)
            .arg(dir.join(format!("{name}-{suffix}")))
            .status()
            .expect("pdftoppm (poppler-utils)");
        assert!(status.success());
    }
}

const EN_HEADING: &str = "Cooke's classical model (seed questions)";
const ZH_HEADING: &str = "Cooke 经典模型（种子问题）";

#[test]
fn with_two_seeds_the_report_shows_every_pseudonym_s_scores_alpha_and_both_decision_makers_and_warns() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let summary = run_study(root, "cooke-two", 0, true);
    let cooke = &summary["cooke"][0];
    assert_eq!((cooke["model"]["seeds"].as_u64(), cooke["experts_excluded"].as_u64()), (Some(2), Some(1)), "{cooke}");

    let en_pdf = root.join("reports/cooke-two/round-1/en/report.pdf");
    let en = pdf_text(&en_pdf);
    let en_section = section(&en, EN_HEADING, "Methods");
    check_table(en_section, &summary, "Performance weights", "Equal weights");
    let words = en_section.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("Warning: Only 2 seed questions: Cooke recommends about 10"), "{words}");
    assert!(words.contains("Left out of the model: 1 expert who answered no seed question"), "{words}");
    assert!(words.contains("How many years from today until the first formal US–China agreement"), "{words}");
    assert!(words.contains("Unit: years"), "{words}");
    page_pictures(&en_pdf, &en, EN_HEADING, "cooke-two-en");

    let zh_pdf = root.join("reports/cooke-two/round-1/zh/report.pdf");
    let zh = pdf_text(&zh_pdf);
    let zh_section = section(&zh, ZH_HEADING, "方法");
    check_table(zh_section, &summary, "绩效加权", "等权重");
    let compact = unspaced(zh_section);
    assert!(compact.contains("仅有2道种子问题：Cooke建议约10道"), "{zh_section}");
    assert!(compact.contains("未纳入模型：1位专家未回答任何种子问题"), "{zh_section}");
    assert!(compact.contains("从今天起，还需要多少年中美才会"), "{zh_section}");
    assert!(compact.contains("单位：年"), "{zh_section}");
    page_pictures(&zh_pdf, &zh, ZH_HEADING, "cooke-two-zh");

    // Pseudonyms only: no panel member's name or email in either report.
    let panel = std::fs::read_to_string(root.join("study/panel.csv")).unwrap();
    for row in panel.lines().skip(1) {
        let fields: Vec<&str> = row.split(',').collect();
        for who in &fields[1..3] {
            assert!(!en.contains(who) && !zh.contains(who), "{who} appears in a report");
        }
    }
}

#[test]
fn with_eight_seeds_the_report_gives_no_few_seeds_warning() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let summary = run_study(root, "cooke-eight", 6, false);
    let cooke = &summary["cooke"][0];
    assert_eq!((cooke["model"]["seeds"].as_u64(), cooke["experts_excluded"].as_u64()), (Some(8), Some(0)), "{cooke}");

    let en = pdf_text(&root.join("reports/cooke-eight/round-1/en/report.pdf"));
    let en_section = section(&en, EN_HEADING, "Methods");
    check_table(en_section, &summary, "Performance weights", "Equal weights");
    assert!(en_section.contains("20 experts scored on 8 seed questions"), "{en_section}");
    assert!(!en_section.contains("Warning"), "{en_section}");

    let zh = pdf_text(&root.join("reports/cooke-eight/round-1/zh/report.pdf"));
    let zh_section = section(&zh, ZH_HEADING, "方法");
    check_table(zh_section, &summary, "绩效加权", "等权重");
    assert!(unspaced(zh_section).contains("20位专家，按8道种子问题评分"), "{zh_section}");
    assert!(!zh_section.contains("警告"), "{zh_section}");
}
