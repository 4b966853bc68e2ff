//! `delphi cooke` over the real binary on public TU Delft cases, as an EXCALIBUR user would
//! run it: the case files as they come, no study, no store. The figures are checked against
//! `crates/stats/tests/data/cooke-cases/expected.json`, written by an independent Python
//! implementation of the classical model (`scripts/cooke-cases.py`, numpy + scipy).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn cases() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../stats/tests/data/cooke-cases")
}

fn delphi(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_delphi")).args(args).current_dir(dir).output().unwrap()
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
    let out = delphi(dir.path(), &["cooke", dtt.to_str().unwrap(), rls.to_str().unwrap(), "--robustness"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("case Arkansas: 4 experts, 10 seed items, 30 items in all"), "{stdout}");
    assert!(
        stdout.contains("robustness, without each seed item") && stdout.contains("robustness, without each expert")
    );
    // A tiny calibration score is shown, not rounded to 0.0000.
    assert!(stdout.contains("1.15e-5"), "AR01's calibration of 1.1e-5: {stdout}");

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
    let out = delphi(dir.path(), &["cooke", json.to_str().unwrap(), "--out", "sd"]);
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
    let out = delphi(dir.path(), &["cooke", dtt.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("give `CASE.dtt CASE.rls`"), "{stderr}");

    let rls = cases().join("Arkansas.rls");
    let out = delphi(dir.path(), &["cooke", dtt.to_str().unwrap(), rls.to_str().unwrap(), "--alpha", "0.9"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("above every expert's calibration score"), "{stderr}");
    assert!(!dir.path().join("cooke").exists(), "nothing written for a refused run");
}
