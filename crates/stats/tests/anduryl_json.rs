//! ANDURYL project files read as the same case as the EXCALIBUR files they were written from.
//!
//! `scripts/anduryl-json.py DIR STEM PREFIX` wrote San Diego (five quantiles, blank seed
//! answers, targets) and Gerstenberger (10/50/90, log-scale items) in both of ANDURYL's JSON
//! layouts: 1.2.1 (`model_dump_json`, nulls) and 1.2.0 (`json.dump`, bare `NaN`s).

use delphi_stats::anduryl::read_anduryl_json;
use delphi_stats::classical::{CookeOptions, run};
use delphi_stats::excalibur::read_excalibur;

fn data(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/cooke-cases").join(name);
    String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned()
}

#[test]
fn both_layouts_give_the_excalibur_case_and_model() {
    for (stem, dtt, rls) in
        [("San Diego", "San Diego.dtt", "San Diego.rls"), ("Gerstenberger", "Gerstenberger.dtt", "Gerstenberger.rls")]
    {
        let excalibur = read_excalibur(&data(dtt), &data(rls)).unwrap();
        for version in ["1.2.1", "1.2.0"] {
            let json = read_anduryl_json(&data(&format!("{stem}-{version}.json")))
                .unwrap_or_else(|e| panic!("{stem} {version}: {e}"));
            assert_eq!(json, excalibur, "{stem} {version}");
            assert_eq!(
                run(&json, &CookeOptions::default()).unwrap(),
                run(&excalibur, &CookeOptions::default()).unwrap()
            );
        }
    }
}

#[test]
fn what_delphi_would_get_wrong_is_refused() {
    let good = data("Gerstenberger-1.2.1.json");
    let e = read_anduryl_json(&good.replacen("\"1.2.1\"", "\"2.0\"", 1)).unwrap_err().to_string();
    assert!(e.contains("version 2.0"), "{e}");
    let bounded = good.replacen("\"bounds\": [\n    null,", "\"bounds\": [\n    0,", 1);
    assert!(bounded != good, "the fixture's layout changed");
    let e = read_anduryl_json(&bounded).unwrap_err().to_string();
    assert!(e.contains("bounds or overshoots"), "{e}");
    let e = read_anduryl_json("{\"experts\": {}").unwrap_err().to_string();
    assert!(e.starts_with("invalid input: ANDURYL project"), "{e}");
}
