//! Snapshot tests of every renderer, for round 1 and for round 2 with feedback, in English
//! and Chinese. Expected outputs live in tests/snapshots/; run with `UPDATE_SNAPSHOTS=1`
//! to rewrite them after an intended change, and review the diff.

mod fixture;

use std::collections::BTreeMap;
use std::path::PathBuf;

use delphi_survey::{Answer, QuantileValues, Questionnaire, html, markdown, text};

fn check(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots").join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        std::fs::write(&path, actual).expect("write snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run with UPDATE_SNAPSHOTS=1 to create it", path.display()));
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "{name} differs from its snapshot at line {}:\n  expected: {:?}\n  actual:   {:?}\nrun with UPDATE_SNAPSHOTS=1 to accept the change",
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

fn current(q: &Questionnaire) -> BTreeMap<delphi_core::study::ItemId, Answer> {
    let mut answers = BTreeMap::new();
    let mut put = |id: &str, a: Answer| {
        answers.insert(q.item(id).expect("item").id.clone(), a);
    };
    put("verification.benefit", Answer::Ordinal { point: 6 });
    put("protocols.benefit", Answer::DontKnow);
    put("verification.rationale", Answer::Text { text: "Saved </textarea><script>x</script>".into() });
    put("years-to-first-agreement", Answer::Quantile(QuantileValues::five_fifty_ninety_five(1.0, 4.5, 20.0)));
    put("p-joint-evaluation-2030", Answer::Probability { value: 0.07 });
    let order = ["evaluations", "verification", "protocols", "infrastructure"];
    let order = order.iter().map(|d| q.domains.iter().find(|v| v.id.as_str() == *d).expect("domain").id.clone());
    put("area-ranking", Answer::Ranking { order: order.collect() });
    answers
}

fn all(name: &str, q: &Questionnaire, prefill: bool) {
    let answers = if prefill { current(q) } else { BTreeMap::new() };
    check(&format!("{name}.txt"), &text::render(q));
    check(&format!("{name}.html"), &html::render(q, "/s/TOKEN", &answers));
    check(&format!("{name}.md"), &markdown::render(q));
    if prefill {
        check(&format!("{name}-filled.txt"), &text::render_filled(q, &answers));
    }
}

#[test]
fn round_1_in_english() {
    all("round1-en", &fixture::round1("en"), false);
}

#[test]
fn round_1_in_chinese() {
    all("round1-zh", &fixture::round1("zh"), false);
}

#[test]
fn round_2_with_feedback_in_english() {
    all("round2-en", &fixture::round2("en"), true);
}

#[test]
fn round_2_with_feedback_in_chinese() {
    all("round2-zh", &fixture::round2("zh"), true);
}

#[test]
fn the_frozen_questionnaire_of_round_2() {
    let json = serde_json::to_string_pretty(&fixture::round2("en")).expect("serialises");
    check("round2-en.json", &format!("{json}\n"));
}
