//! `delphi cooke` over the real binary on public TU Delft cases, as an EXCALIBUR user would
//! run it: the case files as they come, no study, no store. The figures are checked against
//! `crates/stats/tests/data/cooke-cases/expected.json`, written by an independent Python
//! implementation of the classical model (`scripts/cooke-cases.py`, numpy + scipy).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::run_bare;

fn cases() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../stats/tests/data/cooke-cases")
}

fn expected(case: &str) -> serde_json::Value {
    let all: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(cases().join("expected.json")).unwrap()).unwrap();
    all[case].clone()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1e-12)
}

#[test]
fn an_excalibur_case_runs_as_it_comes_and_its_results_match_the_independent_model() {
    let dir = tempfile::tempdir().unwrap();
    let (dtt, rls) = (cases().join("Arkansas.dtt"), cases().join("Arkansas.rls"));
    let out = run_bare(dir.path(), &["cooke", dtt.to_str().unwrap(), rls.to_str().unwrap(), "--robustness"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("case Arkansas: 4 experts, 10 seed items, 30 items in all"), "{stdout}");
    assert!(
        stdout.contains("robustness, without each seed item") && stdout.contains("robustness, without each expert")
    );
    // A tiny calibration score is shown, not rounded to 0.0000.
    assert!(stdout.contains("1.15 × 10⁻⁵"), "AR01's calibration of 1.15e-5: {stdout}");

    let reference = expected("Arkansas");
    let written = dir.path().join("cooke/Arkansas");
    let model: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(written.join("model.json")).unwrap()).unwrap();
    let experts = model["model"]["experts"].as_array().unwrap();
    for (ours, theirs) in experts.iter().zip(reference["experts"].as_array().unwrap()) {
        assert_eq!(ours["name"], theirs["name"]);
        let calibration = ours["scores"]["calibration"].as_f64().unwrap();
        assert!(close(calibration, theirs["calibration"].as_f64().unwrap()), "{ours} / {theirs}");
        let information = ours["scores"]["information_seeds"].as_f64().unwrap();
        assert!(close(information, theirs["info_seeds"].as_f64().unwrap()), "{ours} / {theirs}");
    }
    let dm = &model["model"]["dm"];
    assert!(close(dm["alpha"].as_f64().unwrap(), reference["global_"]["alpha"].as_f64().unwrap()));
    assert!(close(
        dm["scores"]["calibration"].as_f64().unwrap(),
        reference["global_"]["dm"]["calibration"].as_f64().unwrap()
    ));

    // The CSV holds what the JSON holds: the decision maker's 5/25/50/75/95 on every item.
    let mut csv = csv::Reader::from_path(written.join("decision-makers.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2 * 30 * 5, "two decision makers × 30 items × 5 quantiles");
    let first_item_median: f64 =
        rows.iter().find(|r| &r[1] == "performance" && &r[2] == "50").map(|r| r[3].parse().unwrap()).unwrap();
    let reference_median = reference["global_"]["dm_quantiles"][0][2].as_f64().unwrap();
    assert!(close(first_item_median, reference_median), "{first_item_median} / {reference_median}");
    for file in ["experts.parquet", "decision-makers.parquet", "robustness.parquet"] {
        let bytes = std::fs::read(written.join(file)).unwrap();
        assert!(bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1"), "{file} is a Parquet file");
    }
}

#[test]
fn an_anduryl_project_with_blank_seeds_keeps_the_expert_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let json = cases().join("San Diego-1.2.1.json");
    let out = run_bare(dir.path(), &["cooke", json.to_str().unwrap(), "--out", "sd"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("warning: expert SD02 answered 7 of 10 seed items"), "{stdout}");
    let model: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("sd/model.json")).unwrap()).unwrap();
    let names: Vec<&str> =
        model["model"]["experts"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"SD02"), "the expert with blank seeds is kept: {names:?}");
    let reference = expected("San Diego");
    assert!(close(
        model["model"]["dm"]["scores"]["calibration"].as_f64().unwrap(),
        reference["global_"]["dm"]["calibration"].as_f64().unwrap()
    ));
}

#[test]
fn half_a_case_or_a_user_alpha_nobody_reaches_is_refused_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let dtt = cases().join("Arkansas.dtt");
    let out = run_bare(dir.path(), &["cooke", dtt.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("give `CASE.dtt CASE.rls`"), "{stderr}");

    let rls = cases().join("Arkansas.rls");
    let out = run_bare(dir.path(), &["cooke", dtt.to_str().unwrap(), rls.to_str().unwrap(), "--alpha", "0.9"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("above every expert's calibration score"), "{stderr}");
    assert!(!dir.path().join("cooke").exists(), "nothing written for a refused run");
}

// ---------------------------------------------------------------- the PDF

/// `pdftotext -layout` of a PDF (poppler-utils), one page or all.
fn pdf_text(pdf: &Path, page: Option<u32>) -> String {
    let mut command = Command::new("pdftotext");
    command.arg("-layout");
    if let Some(page) = page {
        command.args(["-f", &page.to_string(), "-l", &page.to_string()]);
    }
    let out = command.arg(pdf).arg("-").output().expect("pdftotext (poppler-utils)");
    assert!(out.status.success(), "pdftotext: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The numbers of a printed row, `1.15 × 10⁻⁵` read as `1.15e-5`.
fn printed_numbers(row: &str) -> Vec<String> {
    let plain: String = row
        .replace(" × 10", "e")
        .chars()
        .map(|c| match c {
            '⁻' => '-',
            '⁰' => '0',
            '¹' => '1',
            '²' => '2',
            '³' => '3',
            '⁴' => '4',
            '⁵' => '5',
            '⁶' => '6',
            '⁷' => '7',
            '⁸' => '8',
            '⁹' => '9',
            c => c,
        })
        .collect();
    plain.split_whitespace().filter(|t| t.parse::<f64>().is_ok()).map(str::to_owned).collect()
}

/// Whether `printed` is `exact` rounded to the digits printed (half a unit of the last one).
fn rounds_to(printed: &str, exact: f64) -> bool {
    let (mantissa, exponent) = printed.split_once('e').unwrap_or((printed, "0"));
    let decimals = mantissa.split_once('.').map_or(0, |(_, d)| d.len());
    let exponent: i32 = exponent.parse().unwrap();
    let unit = 10f64.powi(exponent - i32::try_from(decimals).unwrap());
    (printed.parse::<f64>().unwrap() - exact).abs() <= 0.5 * unit * (1.0 + 1e-9)
}

/// Significant digits of a printed number (`0.00123` → 3, `1.15e-5` → 3).
fn significant_digits(printed: &str) -> usize {
    let mantissa = printed.split_once('e').map_or(printed, |(m, _)| m);
    mantissa.chars().filter(char::is_ascii_digit).skip_while(|&c| c == '0').count()
}

/// The line of `text` that starts with `label` and is followed by `values` as printed, each
/// `exact` value rounded to the printed digits; panics with the candidates if there is none.
fn find_row(text: &str, label: &str, values: &[f64]) -> Vec<String> {
    let candidates: Vec<Vec<String>> = text
        .lines()
        .map(squash)
        .filter_map(|line| line.strip_prefix(&format!("{label} ")).map(printed_numbers))
        .collect();
    candidates
        .iter()
        .find(|numbers| numbers.len() >= values.len() && numbers.iter().zip(values).all(|(p, &x)| rounds_to(p, x)))
        .cloned()
        .unwrap_or_else(|| panic!("no row {label:?} with {values:?}; rows starting so: {candidates:?}"))
}

fn number(value: &serde_json::Value) -> f64 {
    value.as_f64().unwrap_or_else(|| panic!("{value} is not a number"))
}

/// Runs `delphi cooke` on `files` into `out`, checks that the PDF and the files that recompile
/// it are written, and returns model.json and the PDF's path.
fn run_case(dir: &Path, files: &[&Path], extra: &[&str]) -> (serde_json::Value, PathBuf, String) {
    let mut args: Vec<&str> = vec!["cooke"];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    args.extend(["--out", "out"]);
    args.extend(extra);
    let out = run_bare(dir, &args);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let written = dir.join("out");
    for file in ["cooke.pdf", "cooke.typ", "cooke.json", "style.typ", "cooke-tables.typ"] {
        assert!(written.join(file).is_file(), "{file} is written: {stdout}");
    }
    assert!(stdout.contains("cooke.pdf ("), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("no glyph"), "every character has a glyph (10⁻⁵ included): {stderr}");
    let model = serde_json::from_str(&std::fs::read_to_string(written.join("model.json")).unwrap()).unwrap();
    (model, written.join("cooke.pdf"), stdout)
}

/// The PDF holds every expert's row (seeds, calibration, information over the seeds and over
/// all items, weight) and both decision makers' scores as model.json has them, to the printed
/// precision; calibration scores and weights keep three significant digits however small.
fn check_scores(model: &serde_json::Value, pdf: &Path) {
    let text = pdf_text(pdf, None);
    for expert in model["model"]["experts"].as_array().unwrap() {
        let scores = &expert["scores"];
        let seeds: f64 = scores["counts"].as_array().unwrap().iter().map(number).sum();
        let calibration = number(&scores["calibration"]);
        let information = number(&scores["information_seeds"]);
        let weight = number(&expert["weight"]);
        let row = find_row(
            &text,
            expert["name"].as_str().unwrap(),
            &[seeds, calibration, information, number(&scores["information_all"]), calibration * information],
        );
        assert!(rounds_to(&row[6], weight), "{} weight {weight}: {row:?}", expert["name"]);
        for printed in [&row[1], &row[6]] {
            assert!(printed == "0" || significant_digits(printed) >= 3, "{printed} in {row:?}");
        }
        assert_eq!(row[2].split_once('.').unwrap().1.len(), 3, "information with three decimals: {row:?}");
    }
    let dm = &model["model"]["dm"];
    let page_one = pdf_text(pdf, Some(1));
    // The decision maker asked for (global or item weights), and the equal-weight one.
    let asked = if model["options"]["weighting"] == "item" { "Item weights" } else { "Performance weights (global)" };
    for (label, maker) in [(asked, dm), ("Equal weights", &model["model"]["equal_dm"])] {
        let s = &maker["scores"];
        let (c, i) = (number(&s["calibration"]), number(&s["information_seeds"]));
        find_row(&page_one, label, &[c, i, number(&s["information_all"]), c * i]);
    }
    let alpha = number(&dm["alpha"]);
    let alpha_row = page_one.lines().map(squash).find(|l| l.starts_with("α ")).expect("α on page 1");
    let origin = if model["options"]["alpha"].is_null() { "(optimised)" } else { "(set by the user)" };
    assert!(alpha_row.ends_with(origin), "{alpha_row}");
    assert!(rounds_to(&printed_numbers(&alpha_row)[0], alpha), "{alpha_row} against {alpha}");
}

/// Page PNGs of a case, for a person to look at (gitignored).
fn page_pngs(pdf: &Path, name: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/artifacts/cooke");
    std::fs::create_dir_all(&dir).unwrap();
    let prefix = dir.join(name);
    let status = Command::new("pdftoppm")
        .args(["-r", "60", "-png"])
        .arg(pdf)
        .arg(&prefix)
        .status()
        .expect("pdftoppm (poppler-utils)");
    assert!(status.success());
    let mut pngs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(&format!("{name}-")))
        .collect();
    pngs.sort();
    pngs
}

#[test]
fn the_pdf_of_a_plain_case_holds_every_score_each_item_side_by_side_and_no_warning() {
    let dir = tempfile::tempdir().unwrap();
    let (dtt, rls) = (cases().join("CREATE.DTT"), cases().join("CREATE.RLS"));
    let (model, pdf, _) = run_case(dir.path(), &[&dtt, &rls], &[]);
    check_scores(&model, &pdf);
    let page_one = squash(&pdf_text(&pdf, Some(1)));
    assert!(
        page_one.contains("CREATE Cooke's classical model · 7 experts · 10 seed items · 0 target items"),
        "{page_one}"
    );
    assert!(page_one.contains("Quantiles 5 %, 50 %, 95 %"), "{page_one}");
    assert!(page_one.contains("Background uniform on all 10 items"), "{page_one}");
    assert!(!page_one.contains("Warning") && !page_one.contains("Cooke recommends about 10"), "10 seeds: {page_one}");
    // Every item: the realisation and both decision makers' 5/50/95 on one line.
    let text = pdf_text(&pdf, None);
    let (performance, equal) = (&model["model"]["dm"]["quantiles"], &model["model"]["equal_dm"]["quantiles"]);
    for (k, item) in model["items"].as_array().unwrap().iter().enumerate() {
        let mut values: Vec<f64> = item["realisation"].as_f64().into_iter().collect();
        values.extend(performance[k].as_array().unwrap().iter().chain(equal[k].as_array().unwrap()).map(number));
        find_row(&text, &format!("{} uniform", item["id"].as_str().unwrap()), &values);
    }
    let method = squash(&text);
    assert!(method.contains("Cooke, R. M. (1991). Experts in Uncertainty"), "the method cites Cooke 1991");
    assert!(method.contains("uses N = the fewest seeds any expert answered"), "the rule for blank seeds");
}

#[test]
fn the_pdf_of_a_five_quantile_case_with_robustness_tables_breaks_long_tables_under_their_headers() {
    let dir = tempfile::tempdir().unwrap();
    let (dtt, rls) = (cases().join("Arkansas.dtt"), cases().join("Arkansas.rls"));
    let (model, pdf, _) = run_case(dir.path(), &[&dtt, &rls], &["--robustness"]);
    check_scores(&model, &pdf);
    let text = pdf_text(&pdf, None);
    let flat = squash(&text);
    let dense: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(dense.contains("Decisionmaker5%25%50%75%95%"), "the case's own quantiles head the items");
    // A tiny calibration score is printed, not rounded to 0.
    assert!(flat.contains("1.15 × 10⁻⁵"), "AR01's calibration of 1.15e-5");
    for (kind, title) in [("items", "without each seed item"), ("experts", "without each expert")] {
        assert!(flat.contains(&format!("The decision maker {title}")), "{title}");
        for row in model["robustness"][kind].as_array().unwrap() {
            let (c, i) = (number(&row["calibration"]), number(&row["information_seeds"]));
            find_row(&text, row["left_out"].as_str().unwrap(), &[c, i, number(&row["information_all"]), c * i]);
        }
    }
    // 20 target items under five quantiles and two decision makers run over a page: the
    // header row comes again on the next page.
    let pages: Vec<&str> = text.split('\u{c}').collect();
    let headed = pages.iter().filter(|p| squash(p).contains("Item Scale Decision maker")).count();
    assert!(headed >= 2, "the targets' header on each page they fill: {headed}");
    let pngs = page_pngs(&pdf, "arkansas");
    assert!(pngs.len() >= 3, "{pngs:?}");
}

#[test]
fn the_pdf_of_a_log_scale_case_says_which_items_are_log_uniform() {
    let dir = tempfile::tempdir().unwrap();
    let (dtt, rls) = (cases().join("TdC.DTT"), cases().join("TdC.RLS"));
    let (model, pdf, _) = run_case(dir.path(), &[&dtt, &rls], &[]);
    check_scores(&model, &pdf);
    let logs = model["items"].as_array().unwrap().iter().filter(|i| i["scale"] == "log").count();
    assert!(logs > 0);
    let page_one = squash(&pdf_text(&pdf, Some(1)));
    assert!(page_one.contains(&format!("log-uniform on {logs}")), "{page_one}");
    let text = pdf_text(&pdf, None);
    let log_item = model["items"].as_array().unwrap().iter().find(|i| i["scale"] == "log").unwrap();
    let id = log_item["id"].as_str().unwrap();
    assert!(text.lines().map(squash).any(|l| l.starts_with(&format!("{id} log "))), "{id} marked log");
}

#[test]
fn item_weights_at_a_user_set_alpha_are_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let (dtt, rls) = (cases().join("Gerstenberger.dtt"), cases().join("Gerstenberger.rls"));
    let (model, pdf, _) = run_case(dir.path(), &[&dtt, &rls], &["--weights", "item", "--alpha", "0.001"]);
    assert_eq!(model["model"]["dm"]["weighting"], "item");
    check_scores(&model, &pdf);
    let page_one = squash(&pdf_text(&pdf, Some(1)));
    assert!(page_one.contains("Quantiles 10 %, 50 %, 90 %"), "{page_one}");
    assert!(page_one.contains("α 0.00100 (set by the user)"), "{page_one}");
    assert!(page_one.contains("Weights item: calibration × information on each item"), "{page_one}");
}

#[test]
fn two_seeds_bring_the_warning_to_page_one() {
    let dir = tempfile::tempdir().unwrap();
    // CREATE as it comes, but with the realisations of only two of its seed items known.
    let rls = std::fs::read_to_string(cases().join("CREATE.RLS")).unwrap();
    let two: String = rls.lines().take(2).map(|l| format!("{l}\n")).collect();
    std::fs::write(dir.path().join("two.rls"), two).unwrap();
    let (model, pdf, stdout) = run_case(dir.path(), &[&cases().join("CREATE.DTT"), &dir.path().join("two.rls")], &[]);
    assert_eq!(model["model"]["seeds"], 2);
    assert!(stdout.contains("warning: only 2 seed items"), "{stdout}");
    let page_one = squash(&pdf_text(&pdf, Some(1)));
    assert!(
        page_one.contains("Warning: only 2 seed items: Cooke recommends about 10"),
        "the warning on page 1: {page_one}"
    );
    check_scores(&model, &pdf);
}

#[test]
fn names_from_a_case_file_print_literally_never_as_markup() {
    let dir = tempfile::tempdir().unwrap();
    let project = std::fs::read_to_string(cases().join("San Diego-1.2.1.json")).unwrap();
    let hostile = [("SD01", "#set text(red)"), ("SD02", "*bold*"), ("SD03", "$x^2$ _em_ @r")];
    let mut renamed = project.clone();
    for (name, label) in hostile {
        let quoted = serde_json::to_string(label).unwrap();
        renamed = renamed.replace(&format!("\"{name}\""), &quoted);
    }
    std::fs::write(dir.path().join("hostile.json"), renamed).unwrap();
    let (model, pdf, _) = run_case(dir.path(), &[&dir.path().join("hostile.json")], &[]);
    let names: Vec<&str> =
        model["model"]["experts"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    for (_, label) in hostile {
        assert!(names.contains(&label), "{label} read as the expert's label: {names:?}");
    }
    check_scores(&model, &pdf);
    let text = squash(&pdf_text(&pdf, None));
    for (_, label) in hostile {
        assert!(text.contains(label), "{label} printed as written");
    }
    // The blank-seed warning names the expert as written too.
    assert!(text.contains("Warning: expert *bold* answered 7 of 10 seed items"), "{text}");
}

#[test]
fn no_pdf_skips_the_pdf_and_its_template() {
    let dir = tempfile::tempdir().unwrap();
    let (dtt, rls) = (cases().join("CREATE.DTT"), cases().join("CREATE.RLS"));
    let out = run_bare(dir.path(), &["cooke", dtt.to_str().unwrap(), rls.to_str().unwrap(), "--no-pdf"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let written = dir.path().join("cooke/CREATE");
    assert!(written.join("model.json").is_file());
    for file in ["cooke.pdf", "cooke.typ", "cooke.json"] {
        assert!(!written.join(file).exists(), "{file} skipped");
    }
    let help = run_bare(dir.path(), &["cooke", "--help"]);
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("cooke.pdf") && help.contains("--no-pdf"), "--help says what is written: {help}");
}
